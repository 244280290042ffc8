/* model/status.c -- error buffers, atomic output files, whole-file reads. */
#include "base/status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int base_errf(char *err, size_t errsz, int status, const char *fmt, ...)
{
    if (err && errsz) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsz, fmt, ap);
        va_end(ap);
    }
    return status;
}

int base_out_open(base_out *o, const char *path, char *err, size_t errsz)
{
    memset(o, 0, sizeof *o);
    if (strlen(path) >= sizeof o->path)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", path);
    strcpy(o->path, path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot create: %s", path, strerror(errno));
    /* mkstemp makes the file private (0600); give it the mode a plain
     * fopen would (0666 less the umask). */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        close(fd);
        unlink(o->tmp);
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot set mode: %s", path, strerror(errno));
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        close(fd);
        unlink(o->tmp);
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot open: %s", path, strerror(errno));
    }
    return BASE_OK;
}

int base_out_commit(base_out *o, char *err, size_t errsz)
{
    int bad = ferror(o->f);
    if (fflush(o->f) != 0)
        bad = 1;
    if (!bad)
        fsync(fileno(o->f));
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (bad) {
        unlink(o->tmp);
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: write failed", o->path);
    }
    if (rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot rename into place: %s", o->path,
                          strerror(e));
    }
    return BASE_OK;
}

void base_out_abort(base_out *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
}

int base_write_file(const char *path, const char *text, char *err, size_t errsz)
{
    base_out o;
    int rc = base_out_open(&o, path, err, errsz);
    if (rc)
        return rc;
    fputs(text, o.f);
    return base_out_commit(&o, err, errsz);
}

int base_read_file(const char *path, char **out, size_t *len, char *err, size_t errsz)
{
    int rc = BASE_OK;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", path);
                goto cleanup;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: read error", path);
        goto cleanup;
    }
    buf[n] = 0;
    *out = buf;
    buf = NULL;
    if (len)
        *len = n;
cleanup:
    free(buf);
    fclose(f);
    return rc;
}
