/* base/text.c -- the one-line escaper (base/text.h). */
#include "base/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t base_utf8_safe_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c >= 0x20 && c < 0x7f)
        return 1;
    size_t len;
    unsigned cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0; /* ASCII control, DEL, continuation byte, 0xc0/0xc1, 0xf5.. */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;                                   /* overlong, beyond Unicode, surrogate */
    if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
        return 0;                                   /* C1 controls (NEL), separators */
    return len;
}

size_t base_escape_line(char *dst, size_t dstsz, const char *src, size_t n)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t j = 0;
    if (!dstsz)
        return 0;
    for (size_t i = 0; i < n;) {
        char esc[8];
        const char *piece;
        size_t plen = base_utf8_safe_len(s + i, n - i);
        if (plen) {
            piece = (const char *)s + i;
        } else {
            unsigned c = s[i];
            if (c == '\n')
                piece = "\\n";
            else if (c == '\r')
                piece = "\\r";
            else if (c == '\t')
                piece = "\\t";
            else {
                snprintf(esc, sizeof esc, "\\x%02x", c);
                piece = esc;
            }
            plen = strlen(piece);
            /* an escape stands for one byte */
            if (j + plen + 1 > dstsz)
                break;
            memcpy(dst + j, piece, plen);
            j += plen;
            i++;
            continue;
        }
        if (j + plen + 1 > dstsz)
            break;
        memcpy(dst + j, piece, plen);
        j += plen;
        i += plen;
    }
    dst[j] = 0;
    return j;
}

size_t base_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

size_t base_typo_max(const char *key)
{
    size_t limit = strlen(key) / 3 + 1;
    return limit > 3 ? 3 : limit;
}

const char *base_did_you_mean(const char *key, const char *const *cands)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX;
    for (const char *const *c = cands; *c; c++) {
        size_t d = base_edit_distance(key, *c);
        if (d < bestd) {
            bestd = d;
            best = *c;
        }
    }
    return best && bestd <= base_typo_max(key) ? best : NULL;
}
