/* model/status.h -- status codes, error buffers and atomic file output shared
 * by every library module.
 *
 * Library functions return MODEL_OK, MODEL_ERUNTIME or MODEL_EINPUT (equal to
 * the process exit statuses 0, 1, 2) and, on error, leave one line in the
 * caller's buffer (char *err, size_t errsz), naming the file, the field path
 * and the problem: "s.json: platform.cold_start_s.p95: must be greater than
 * median (got 10 <= 20)". They never print and never exit.
 *
 * Output files are never half-written: model_out_open() opens PATH.tmp.XXXXXX
 * beside PATH, model_out_commit() fsyncs, closes and renames it over PATH,
 * model_out_abort() closes and unlinks it. Commit or abort exactly once.
 */
#ifndef FORKCAST_MODEL_STATUS_H
#define FORKCAST_MODEL_STATUS_H

#include <stddef.h>
#include <stdio.h>

enum { MODEL_OK = 0, MODEL_ERUNTIME = 1, MODEL_EINPUT = 2 };

/* snprintf into err (NULL-safe); returns status, so `return model_errf(...)`. */
int model_errf(char *err, size_t errsz, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct {
    FILE *f;           /* write here */
    char path[4096];   /* final name */
    char tmp[4200];    /* temporary name beside it */
} model_out;

int model_out_open(model_out *o, const char *path, char *err, size_t errsz);
int model_out_commit(model_out *o, char *err, size_t errsz);
void model_out_abort(model_out *o);

/* Write a whole NUL-terminated string to path atomically. */
int model_write_file(const char *path, const char *text, char *err, size_t errsz);

/* Read a whole file; *out is malloc'd and NUL-terminated, caller frees. */
int model_read_file(const char *path, char **out, size_t *len, char *err, size_t errsz);

#endif
