/* base/status.h -- status codes, error buffers and atomic file output shared
 * by every library module.
 *
 * Library functions return BASE_OK, BASE_ERUNTIME or BASE_EINPUT (equal to
 * the process exit statuses 0, 1, 2) and, on error, leave one line in the
 * caller's buffer (char *err, size_t errsz), naming the file, the field path
 * and the problem: "s.json: platform.cold_start_s.p95: must be greater than
 * median (got 10 <= 20)". They never print and never exit.
 *
 * Output files are never half-written. base_out_open() follows symbolic
 * links (at most 40) to the name the output lands on, then:
 *  - a regular file or a new name: the bytes go to TARGET.tmp.XXXXXX beside
 *    it (mode: the replaced file's, else 0666 less the umask; registered
 *    with base/cleanup.h so a signal removes it); base_out_commit() flushes,
 *    fsyncs, closes and renames it over TARGET (a link stays a link and its
 *    target is replaced); base_out_abort() closes and unlinks it;
 *  - a character or block device, a FIFO, a socket, or a name under /proc/:
 *    written through (opened O_APPEND; a FIFO waits for a reader, a socket
 *    is connected), never replaced or unlinked; /dev/fd/N, /proc/self/fd/N
 *    and so /dev/stdout and /dev/stderr write through a dup of descriptor N
 *    (sharing its offset, as a shell does); commit flushes and closes, abort
 *    closes;
 *  - a directory: refused, BASE_EINPUT "PATH: is a directory".
 * Every write is checked: a failed write, flush or close makes commit return
 * BASE_ERUNTIME "PATH: writing output failed: REASON" (and remove the
 * temporary). Commit or abort exactly once.
 */
#ifndef FORKCAST_BASE_STATUS_H
#define FORKCAST_BASE_STATUS_H

#include <stddef.h>
#include <stdio.h>

enum { BASE_OK = 0, BASE_ERUNTIME = 1, BASE_EINPUT = 2 };

/* snprintf into err (NULL-safe); returns status, so `return base_errf(...)`. */
int base_errf(char *err, size_t errsz, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The state behind a checked write stream (base_wstream): the descriptor,
 * and the errno of its first failed write, flush or close. */
typedef struct {
    int fd;
    int err;  /* 0 until something fails */
    int used; /* 1 once a write was attempted */
} base_wcookie;

/* A stdio stream writing to fd through c (which must stay in place until
 * base_wstream_close), fully buffered: every failed write(2) keeps its errno
 * in c->err, so the failure is reported with its reason whenever it is
 * noticed. fclose of it closes fd. NULL when out of memory. */
FILE *base_wstream(int fd, base_wcookie *c);
/* Flush, fsync when sync (not for what cannot be synced), close: 0 when
 * every write, the flush, the sync and the close succeeded, else the errno of
 * the first failure (EIO when the stream failed without one). A descriptor
 * closed from the start with nothing written to it is no failure. */
int base_wstream_close(FILE *f, base_wcookie *c, int sync);

typedef struct {
    FILE *f;          /* write here */
    char path[4096];  /* the name given, for messages */
    char tmp[4200];   /* where the bytes go now: the temporary, or the name written through */
    int direct;       /* 1: written through, nothing renamed or removed */
    int reg;          /* base/cleanup.h handle of tmp, -1 none */
    char target[4096];/* the name it lands on: path with links followed */
    base_wcookie wc;  /* f's descriptor and first write error */
} base_out;

int base_out_open(base_out *o, const char *path, char *err, size_t errsz);
int base_out_commit(base_out *o, char *err, size_t errsz);
void base_out_abort(base_out *o);

/* Write a whole NUL-terminated string to path (base_out rules). */
int base_write_file(const char *path, const char *text, char *err, size_t errsz);

/* Input files: only a regular file is read, never a FIFO, a device, a
 * socket or a directory (BASE_EINPUT "PATH: is a FIFO, not a regular
 * file"; the open never blocks), and never one over BASE_READ_MAX bytes
 * (checked before reading, and again while reading a file that grows). */
#define BASE_READ_MAX ((size_t)64 << 20)

/* Read a whole file; *out is malloc'd and NUL-terminated (*len bytes before
 * the NUL; the text may hold NULs of its own), caller frees. */
int base_read_file(const char *path, char **out, size_t *len, char *err, size_t errsz);
/* Open path for reading when it is a regular file of at most max bytes:
 * the descriptor (blocking, close-on-exec) and its size, or minus the
 * status (BASE_EINPUT, message in err). */
int base_open_regular(const char *path, size_t max, size_t *size, char *err, size_t errsz);
/* The same as a stdio stream ("rb"), for line readers; NULL and *status on
 * failure. */
FILE *base_fopen_regular(const char *path, int *status, char *err, size_t errsz);

#endif
