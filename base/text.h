/* base/text.h -- untrusted text made safe for a one-line message.
 *
 * Every error line forkcast prints is one line of printable text, whatever
 * went into it: a JSON key holding a newline, a file name with a tab, the
 * last line of a calibrated command's stderr with raw binary bytes.
 * base_escape_line() is the one escaper: cli/ runs every message through it
 * before printing, and library code runs untrusted text through it where it
 * puts that text into a message (base_proc_describe).
 *
 * Escapes: \n \r \t as those two characters; any other C0 control, DEL, a C1
 * control (U+0080..U+009F), U+2028/U+2029 (line and paragraph separators)
 * and every byte that is not part of a well-formed UTF-8 sequence (overlong
 * forms, surrogates, code points above U+10FFFF, truncated sequences) as
 * \xNN per byte. Everything else (printable ASCII, valid UTF-8) is copied.
 * O(n), no allocation.
 *
 * Also the did-you-mean of every "unknown field" message (below).
 */
#ifndef FORKCAST_BASE_TEXT_H
#define FORKCAST_BASE_TEXT_H

#include <stddef.h>

/* Escape src[0..n) into dst (always NUL-terminated when dstsz > 0; a
 * truncated result never ends inside an escape or a UTF-8 sequence).
 * Returns the length written. */
size_t base_escape_line(char *dst, size_t dstsz, const char *src, size_t n);

/* Length of the well-formed UTF-8 sequence at s[0..n) that is safe to copy
 * as it is (printable, not a separator), or 0 when s[0] must be escaped. */
size_t base_utf8_safe_len(const unsigned char *s, size_t n);

/* Did-you-mean for unknown keys: the Levenshtein distance of a and b (64
 * when either is longer than 63 bytes), the largest distance that still
 * reads as a typo of key (len/3 + 1, at most 3), and the candidate of the
 * NULL-terminated list closest to key within that distance (NULL: none). */
size_t base_edit_distance(const char *a, const char *b);
size_t base_typo_max(const char *key);
const char *base_did_you_mean(const char *key, const char *const *cands);

#endif
