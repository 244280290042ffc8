/* base/status.c -- error buffers, output files, whole-file reads. See status.h. */
#include "base/status.h"
#include "base/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

/* ---- checked write streams ------------------------------------------------------ */

static ssize_t wc_write(void *p, const char *buf, size_t n)
{
    base_wcookie *c = p;
    size_t done = 0;
    c->used = 1;
    while (done < n) {
        ssize_t w = write(c->fd, buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) { /* a non-blocking descriptor */
            struct pollfd pf = {.fd = c->fd, .events = POLLOUT};
            if (poll(&pf, 1, -1) >= 0 || errno == EINTR)
                continue;
        }
        if (!c->err)
            c->err = w < 0 ? errno : EIO;
        break;
    }
    return (ssize_t)done; /* short: stdio marks the stream failed */
}

static int wc_close(void *p)
{
    base_wcookie *c = p;
    if (c->fd >= 0 && close(c->fd) != 0 && !c->err && (errno != EBADF || c->used))
        c->err = errno;
    c->fd = -1;
    return c->err ? -1 : 0;
}

FILE *base_wstream(int fd, base_wcookie *c)
{
    memset(c, 0, sizeof *c);
    c->fd = fd;
    cookie_io_functions_t fns = {.write = wc_write, .close = wc_close};
    FILE *f = fopencookie(c, "w", fns);
    if (f)
        setvbuf(f, NULL, _IOFBF, BUFSIZ);
    return f;
}

int base_wstream_close(FILE *f, base_wcookie *c, int sync)
{
    if (fflush(f) != 0 && !c->err)
        c->err = EIO;
    if (!c->err && ferror(f))
        c->err = EIO;
    if (!c->err && sync && fsync(c->fd) != 0 && errno != EINVAL && errno != EROFS)
        c->err = errno;
    fclose(f); /* wc_close records a failed close */
    return c->err;
}

/* ---- output files ------------------------------------------------------------ */

/* N when name is /dev/fd/N or /proc/self/fd/N (what /dev/stdout links to),
 * else -1: such a name is written through a dup of descriptor N, sharing its
 * offset, as a shell's `>/dev/stdout` does. */
static int fd_name(const char *name)
{
    const char *p = !strncmp(name, "/dev/fd/", 8) ? name + 8 : !strncmp(name, "/proc/self/fd/", 14) ? name + 14 : NULL;
    if (!p || !*p)
        return -1;
    long n = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || n > 1000000)
            return -1;
        n = n * 10 + (*p - '0');
    }
    return (int)n;
}

/* Follow symbolic links from path (at most 40 hops) to the name the output
 * lands on: *direct = 1 for a device, FIFO, socket or a name under /proc/
 * (its links, /proc/self/fd/N, are not paths to follow by text), with
 * *dupfd = N for a descriptor's name (fd_name); *mode = the regular file's
 * permission bits, or -1 for a new name. */
static int out_resolve(const char *path, char *target, size_t cap, int *direct, int *mode, int *dupfd,
                       char *err, size_t errsz)
{
    char cur[4096], link[4096];
    snprintf(cur, sizeof cur, "%s", path);
    *direct = 0;
    *mode = -1;
    *dupfd = -1;
    for (int hop = 0; hop <= 40; hop++) {
        struct stat st;
        if ((*dupfd = fd_name(cur)) >= 0 || !strncmp(cur, "/proc/", 6)) {
            *direct = 1;
            snprintf(target, cap, "%s", path);
            return BASE_OK;
        }
        if (lstat(cur, &st) != 0) { /* a new name (or one mkstemp will explain) */
            snprintf(target, cap, "%s", cur);
            return BASE_OK;
        }
        if (S_ISDIR(st.st_mode))
            return base_errf(err, errsz, BASE_EINPUT, "%s: is a directory", path);
        if (!S_ISLNK(st.st_mode)) {
            *direct = !S_ISREG(st.st_mode);
            *mode = (int)(st.st_mode & 07777);
            snprintf(target, cap, "%s", *direct ? path : cur);
            return BASE_OK;
        }
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot read link: %s", path, strerror(errno));
        link[n] = 0;
        const char *slash = strrchr(cur, '/');
        if (link[0] == '/' || !slash) {
            memcpy(cur, link, (size_t)n + 1);
        } else {
            int dirlen = (int)(slash - cur);
            char next[sizeof cur];
            if (snprintf(next, sizeof next, "%.*s/%s", dirlen, cur, link) >= (int)sizeof next)
                return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", path);
            memcpy(cur, next, sizeof cur);
        }
    }
    return base_errf(err, errsz, BASE_EINPUT, "%s: too many levels of symbolic links", path);
}

/* Open a name written through: O_APPEND, no O_CREAT; a socket is connected. */
static int open_direct(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0 || errno != ENXIO)
        return fd;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return -1;
    strcpy(a.sun_path, path);
    int e = errno;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
        errno = e;
    }
    return fd;
}

static int open_temp(base_out *o, int mode, char *err, size_t errsz)
{
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", o->target) >= sizeof o->tmp)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", o->path);
    sigset_t held;
    base_cleanup_hold(&held);
    int fd = mkstemp(o->tmp);
    int e = errno;
    if (fd >= 0)
        o->reg = base_cleanup_add_file(o->tmp);
    base_cleanup_release(&held);
    if (fd < 0) {
        o->tmp[0] = 0;
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot create: %s", o->path, strerror(e));
    }
    /* mkstemp makes the file private (0600): give it the replaced file's
     * mode, or the one a plain fopen would (0666 less the umask). */
    if (mode < 0) {
        mode_t mask = umask(0);
        umask(mask);
        mode = (int)(0666 & ~mask);
    }
    if (fchmod(fd, (mode_t)mode) != 0 || !(o->f = base_wstream(fd, &o->wc))) {
        e = errno;
        close(fd);
        unlink(o->tmp);
        base_cleanup_drop(&o->reg);
        o->tmp[0] = 0;
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot open: %s", o->path, strerror(e));
    }
    return BASE_OK;
}

int base_out_open(base_out *o, const char *path, char *err, size_t errsz)
{
    int mode, rc;
    memset(o, 0, sizeof *o);
    o->reg = -1;
    if (strlen(path) >= sizeof o->path)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", path);
    strcpy(o->path, path);
    int dupfd;
    if ((rc = out_resolve(path, o->target, sizeof o->target, &o->direct, &mode, &dupfd, err, errsz)))
        return rc;
    if (!o->direct)
        return open_temp(o, mode, err, errsz);
    int fd = dupfd >= 0 ? fcntl(dupfd, F_DUPFD_CLOEXEC, 3) : open_direct(o->target);
    if (fd < 0 || !(o->f = base_wstream(fd, &o->wc))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot open: %s", path, strerror(e));
    }
    snprintf(o->tmp, sizeof o->tmp, "%s", o->target);
    return BASE_OK;
}

int base_out_commit(base_out *o, char *err, size_t errsz)
{
    int e = base_wstream_close(o->f, &o->wc, !o->direct);
    o->f = NULL;
    if (o->direct) {
        o->tmp[0] = 0;
        return e ? base_errf(err, errsz, BASE_ERUNTIME, "%s: writing output failed: %s", o->path, strerror(e))
                 : BASE_OK;
    }
    if (e) {
        unlink(o->tmp);
        base_cleanup_drop(&o->reg);
        o->tmp[0] = 0;
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: writing output failed: %s", o->path, strerror(e));
    }
    if (rename(o->tmp, o->target) != 0) {
        e = errno;
        unlink(o->tmp);
        base_cleanup_drop(&o->reg);
        o->tmp[0] = 0;
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot rename into place: %s", o->path, strerror(e));
    }
    base_cleanup_drop(&o->reg);
    o->tmp[0] = 0;
    return BASE_OK;
}

void base_out_abort(base_out *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0] && !o->direct) {
        unlink(o->tmp);
        base_cleanup_drop(&o->reg);
    }
    o->tmp[0] = 0;
}

int base_write_file(const char *path, const char *text, char *err, size_t errsz)
{
    base_out o;
    int rc = base_out_open(&o, path, err, errsz);
    if (rc)
        return rc;
    fputs(text, o.f); /* a failure sticks to o.f: commit reports it */
    return base_out_commit(&o, err, errsz);
}

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a plain file";
}

int base_open_regular(const char *path, size_t max, size_t *size, char *err, size_t errsz)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -base_errf(err, errsz, BASE_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = BASE_OK;
    if (fstat(fd, &st) != 0)
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: is %s, not a regular file", path, file_kind(st.st_mode));
    else if ((unsigned long long)st.st_size > max)
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: too large (%lld bytes; at most %zu MiB)", path,
                       (long long)st.st_size, max >> 20);
    else if (fcntl(fd, F_SETFL, 0) != 0) /* blocking reads from here */
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot read: %s", path, strerror(errno));
    if (rc) {
        close(fd);
        return -rc;
    }
    if (size)
        *size = (size_t)st.st_size;
    return fd;
}

FILE *base_fopen_regular(const char *path, int *status, char *err, size_t errsz)
{
    int fd = base_open_regular(path, BASE_READ_MAX, NULL, err, errsz);
    FILE *f = NULL;
    if (fd < 0) {
        *status = -fd;
        return NULL;
    }
    if (!(f = fdopen(fd, "rb"))) {
        close(fd);
        *status = base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", path);
        return NULL;
    }
    *status = BASE_OK;
    return f;
}

int base_read_file(const char *path, char **out, size_t *len, char *err, size_t errsz)
{
    int rc = BASE_OK;
    size_t size = 0, n = 0;
    int fd = base_open_regular(path, BASE_READ_MAX, &size, err, errsz);
    if (fd < 0)
        return -fd;
    /* The size stat gave, plus room to notice a file that grew past it. */
    size_t cap = size + 4096 + 1;
    char *buf = malloc(cap);
    if (!buf) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", path);
        goto cleanup;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > BASE_READ_MAX + 1) {
                rc = base_errf(err, errsz, BASE_EINPUT, "%s: too large (at most %d MiB)", path,
                               (int)(BASE_READ_MAX >> 20));
                goto cleanup;
            }
            size_t ncap = cap * 2 > BASE_READ_MAX + 2 ? BASE_READ_MAX + 2 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", path);
                goto cleanup;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: read error: %s", path, strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > BASE_READ_MAX) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: too large (at most %d MiB)", path, (int)(BASE_READ_MAX >> 20));
        goto cleanup;
    }
    buf[n] = 0;
    *out = buf;
    buf = NULL;
    if (len)
        *len = n;
cleanup:
    free(buf);
    close(fd);
    return rc;
}
