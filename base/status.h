/* base/status.h -- status codes, error buffers and atomic file output shared
 * by every library module.
 *
 * Library functions return BASE_OK, BASE_ERUNTIME or BASE_EINPUT (equal to
 * the process exit statuses 0, 1, 2) and, on error, leave one line in the
 * caller's buffer (char *err, size_t errsz), naming the file, the field path
 * and the problem: "s.json: platform.cold_start_s.p95: must be greater than
 * median (got 10 <= 20)". They never print and never exit.
 *
 * Output files are never half-written: base_out_open() opens PATH.tmp.XXXXXX
 * beside PATH, base_out_commit() fsyncs, closes and renames it over PATH,
 * base_out_abort() closes and unlinks it. Commit or abort exactly once.
 */
#ifndef FORKCAST_BASE_STATUS_H
#define FORKCAST_BASE_STATUS_H

#include <stddef.h>
#include <stdio.h>

enum { BASE_OK = 0, BASE_ERUNTIME = 1, BASE_EINPUT = 2 };

/* snprintf into err (NULL-safe); returns status, so `return base_errf(...)`. */
int base_errf(char *err, size_t errsz, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct {
    FILE *f;           /* write here */
    char path[4096];   /* final name */
    char tmp[4200];    /* temporary name beside it */
} base_out;

int base_out_open(base_out *o, const char *path, char *err, size_t errsz);
int base_out_commit(base_out *o, char *err, size_t errsz);
void base_out_abort(base_out *o);

/* Write a whole NUL-terminated string to path atomically. */
int base_write_file(const char *path, const char *text, char *err, size_t errsz);

/* Read a whole file; *out is malloc'd and NUL-terminated, caller frees. */
int base_read_file(const char *path, char **out, size_t *len, char *err, size_t errsz);

#endif
