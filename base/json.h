/* base/json.h -- strict reading of a JSON input file (scenarios, profiles,
 * experiments): one value, no tricks.
 *
 * cJSON alone accepts what a careful reader should not: content after the
 * value (a second object, a stray brace), a NUL byte ending the text early,
 * "\u0000" inside a string (the string is cut there), and duplicate keys
 * (cJSON keeps both; a lookup finds the first). base_json_parse() refuses
 * each as an input error naming the file and, for a duplicate, the key's
 * path ("s.json: job: duplicate key"); a syntax error names the line.
 * Errors are one line "FILE: problem", status BASE_EINPUT (out of memory:
 * BASE_ERUNTIME).
 *
 * Ownership: *out is an owned tree (cJSON_Delete). Costs: O(n log n) in the
 * text (duplicate keys are found by sorting each object's keys); nesting is
 * cJSON's limit (CJSON_NESTING_LIMIT, 1000 levels).
 */
#ifndef FORKCAST_BASE_JSON_H
#define FORKCAST_BASE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parse text[0..len) (text[len] must be a NUL). `file` names it in messages. */
int base_json_parse(const char *text, size_t len, const char *file, cJSON **out, char *err, size_t errsz);

/* base_read_file(path) (regular files only, size-limited) + base_json_parse. */
int base_json_load(const char *path, cJSON **out, char *err, size_t errsz);

/* The first duplicate key in the tree, as an input error naming its path
 * (file: PATH: duplicate key); BASE_OK when none. For trees built in
 * memory (a merge) as well as parsed ones. */
int base_json_check_unique(const cJSON *root, const char *file, char *err, size_t errsz);

#endif
