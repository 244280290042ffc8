/* base/json.c -- strict JSON input (base/json.h). */
#include "base/json.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at && *p; p++)
        line += *p == '\n';
    return line;
}

/* A "\u0000" escape: a backslash run of odd length followed by u0000. Valid
 * JSON has backslashes only inside strings, so this is a string's NUL. */
static const char *nul_escape(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\\')
            continue;
        size_t run = 0;
        while (i < len && text[i] == '\\')
            run++, i++;
        if (run % 2 && len - i >= 5 && !memcmp(text + i, "u0000", 5))
            return text + i - 1;
    }
    return NULL;
}

typedef struct {
    const char *file;
    char *err;
    size_t errsz;
} uctx;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dup_error(const uctx *c, const char *path, const char *key)
{
    return base_errf(c->err, c->errsz, BASE_EINPUT, "%s: %s%s%s: duplicate key (given twice)", c->file, path,
                     *path ? "." : "", key);
}

/* An input error for the first duplicate among obj's keys, else BASE_OK. */
static int object_dups(const uctx *c, const cJSON *obj, const char *path)
{
    size_t n = 0;
    for (const cJSON *k = obj->child; k; k = k->next)
        n++;
    if (n < 2)
        return BASE_OK;
    if (n <= 8) {
        for (const cJSON *a = obj->child; a; a = a->next)
            for (const cJSON *b = a->next; b; b = b->next)
                if (a->string && b->string && !strcmp(a->string, b->string))
                    return dup_error(c, path, a->string);
        return BASE_OK;
    }
    const char **keys = malloc(n * sizeof *keys);
    if (!keys)
        return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
    size_t m = 0;
    for (const cJSON *k = obj->child; k; k = k->next)
        if (k->string)
            keys[m++] = k->string;
    qsort(keys, m, sizeof *keys, cmp_str);
    int rc = BASE_OK;
    for (size_t i = 1; i < m && !rc; i++)
        if (!strcmp(keys[i - 1], keys[i]))
            rc = dup_error(c, path, keys[i]);
    free(keys);
    return rc;
}

static int walk(const uctx *c, const cJSON *j, char *path, size_t cap)
{
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return BASE_OK;
    int rc = cJSON_IsObject(j) ? object_dups(c, j, path) : BASE_OK;
    size_t len = strlen(path), i = 0;
    for (const cJSON *k = j->child; k && !rc; k = k->next, i++) {
        if (!cJSON_IsObject(k) && !cJSON_IsArray(k))
            continue;
        if (cJSON_IsObject(j))
            snprintf(path + len, cap - len, "%s%s", len ? "." : "", k->string ? k->string : "");
        else
            snprintf(path + len, cap - len, "[%zu]", i);
        rc = walk(c, k, path, cap);
        path[len] = 0;
    }
    return rc;
}

int base_json_check_unique(const cJSON *root, const char *file, char *err, size_t errsz)
{
    char path[512] = "";
    uctx c = {file, err, errsz};
    return walk(&c, root, path, sizeof path);
}

int base_json_parse(const char *text, size_t len, const char *file, cJSON **out, char *err, size_t errsz)
{
    *out = NULL;
    const char *nul = memchr(text, 0, len);
    if (nul)
        return base_errf(err, errsz, BASE_EINPUT, "%s: a NUL byte on line %d (not a JSON text file)", file,
                         line_of(text, nul));
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        const char *at = end ? end : cJSON_GetErrorPtr();
        while (at && at < text + len && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r'))
            at++;
        if (!at || at >= text + len || !*at)
            return base_errf(err, errsz, BASE_EINPUT, "%s: invalid JSON (unexpected end of file)", file);
        return base_errf(err, errsz, BASE_EINPUT, "%s: invalid JSON near line %d", file, line_of(text, at));
    }
    int rc = BASE_OK;
    while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end && end < text + len) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: more content after the JSON value on line %d (one value per file)",
                       file, line_of(text, end));
        goto cleanup;
    }
    const char *esc = nul_escape(text, len);
    if (esc) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: a string holds \\u0000 (a NUL character) on line %d", file,
                       line_of(text, esc));
        goto cleanup;
    }
    if ((rc = base_json_check_unique(root, file, err, errsz)))
        goto cleanup;
    *out = root;
    root = NULL;
cleanup:
    cJSON_Delete(root);
    return rc;
}

int base_json_load(const char *path, cJSON **out, char *err, size_t errsz)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = base_read_file(path, &text, &len, err, errsz);
    if (rc)
        return rc;
    rc = base_json_parse(text, len, path, out, err, errsz);
    free(text);
    return rc;
}
