/* base/cleanup.c -- the signal-time cleanup registry. See base/cleanup.h.
 *
 * Everything reachable from the handler is async-signal-safe: atomics on
 * lock-free ints, kill, waitpid, unlinkat, openat, getdents64, rmdir,
 * sigaction, raise, _exit. Slots go FREE -> BUSY (being filled) -> LIVE ->
 * FREE (dropped) or TAKEN (the handler owns it; never reused).
 */
#include "base/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { FREE, BUSY, LIVE, TAKEN };
enum { K_PGID, K_FILE, K_TREE, K_EMPTYDIR, K_NKINDS };

typedef struct {
    atomic_int state;
    int kind;
    pid_t pgid;
    char path[BASE_CLEANUP_PATH];
} slot;

static slot slots[BASE_CLEANUP_SLOTS];
static atomic_int installed, dying;
static volatile sig_atomic_t *_Atomic defer_flag;
static volatile sig_atomic_t caught_sig;
static const int cleanup_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define NSIGS ((int)(sizeof cleanup_sigs / sizeof *cleanup_sigs))

/* ---- removing a tree without malloc or stdio --------------------------------- */

#define TREE_DEPTH 16

static void rm_at(int dfd, const char *name, int depth);

/* Remove everything inside the open folder fd. Entries removed while the
 * folder is read can make getdents skip others, so passes repeat until one
 * finds nothing (at most 8). */
static void rm_contents(int fd, int depth)
{
    char buf[1024] __attribute__((aligned(8)));
    for (int pass = 0; pass < 8; pass++) {
        int seen = 0;
        if (lseek(fd, 0, SEEK_SET) != 0)
            return;
        for (;;) {
            ssize_t n = getdents64(fd, buf, sizeof buf);
            if (n <= 0)
                break;
            for (ssize_t off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *)(buf + off);
                off += d->d_reclen;
                if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                    continue;
                seen = 1;
                rm_at(fd, d->d_name, depth + 1);
            }
        }
        if (!seen)
            return;
    }
}

static void rm_at(int dfd, const char *name, int depth)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return;
    if ((errno != EISDIR && errno != EPERM) || depth >= TREE_DEPTH)
        return;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    rm_contents(fd, depth);
    close(fd);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

void base_remove_tree(const char *path)
{
    if (path && path[0])
        rm_at(AT_FDCWD, path, 0);
}

/* ---- the registry -------------------------------------------------------------- */

static int add(int kind, const char *path, pid_t pgid)
{
    if (path && strlen(path) >= BASE_CLEANUP_PATH)
        return -1;
    for (int i = 0; i < BASE_CLEANUP_SLOTS; i++) {
        int expect = FREE;
        if (!atomic_compare_exchange_strong(&slots[i].state, &expect, BUSY))
            continue;
        slots[i].kind = kind;
        slots[i].pgid = pgid;
        if (path)
            strcpy(slots[i].path, path);
        else
            slots[i].path[0] = 0;
        atomic_store(&slots[i].state, LIVE);
        return i;
    }
    return -1;
}

int base_cleanup_add_file(const char *path) { return add(K_FILE, path, 0); }
int base_cleanup_add_tree(const char *path) { return add(K_TREE, path, 0); }
int base_cleanup_add_emptydir(const char *path) { return add(K_EMPTYDIR, path, 0); }
int base_cleanup_add_pgid(pid_t pgid) { return pgid > 0 ? add(K_PGID, NULL, pgid) : -1; }

void base_cleanup_drop(int *handle)
{
    if (!handle || *handle < 0 || *handle >= BASE_CLEANUP_SLOTS)
        return;
    int expect = LIVE;
    atomic_compare_exchange_strong(&slots[*handle].state, &expect, FREE);
    *handle = -1;
}

void base_cleanup_drop_path(const char *path)
{
    for (int i = 0; path && i < BASE_CLEANUP_SLOTS; i++) {
        if (atomic_load(&slots[i].state) != LIVE || slots[i].kind == K_PGID || strcmp(slots[i].path, path))
            continue;
        int h = i;
        base_cleanup_drop(&h);
        return;
    }
}

/* Groups first (so no child writes into a folder being removed), then files,
 * then trees, then the folders that were to go if empty. */
static void cleanup_now(void)
{
    for (int kind = 0; kind < K_NKINDS; kind++)
        for (int i = BASE_CLEANUP_SLOTS - 1; i >= 0; i--) {
            slot *s = &slots[i];
            int expect = LIVE;
            if (s->kind != kind || !atomic_compare_exchange_strong(&s->state, &expect, TAKEN))
                continue;
            if (kind == K_PGID) {
                kill(-s->pgid, SIGKILL);
                while (waitpid(s->pgid, NULL, 0) < 0 && errno == EINTR)
                    ;
            } else if (kind == K_FILE) {
                unlink(s->path);
            } else if (kind == K_TREE) {
                base_remove_tree(s->path);
            } else {
                rmdir(s->path);
            }
        }
}

/* ---- the handler ------------------------------------------------------------------ */

__attribute__((noreturn)) static void die(int sig)
{
    if (atomic_exchange(&dying, 1))
        for (;;) /* another thread is cleaning up and will end the process */
            pause();
    cleanup_now();
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    int saved = errno;
    volatile sig_atomic_t *flag = atomic_load(&defer_flag);
    if (flag && !caught_sig) {
        caught_sig = sig;
        *flag = 1;
        errno = saved;
        return;
    }
    die(sig);
}

static void sig_set(sigset_t *set)
{
    sigemptyset(set);
    for (int i = 0; i < NSIGS; i++)
        sigaddset(set, cleanup_sigs[i]);
}

int base_cleanup_install(void)
{
    if (atomic_exchange(&installed, 1))
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sig_set(&sa.sa_mask);
    int rc = 0;
    for (int i = 0; i < NSIGS; i++) {
        int sig = cleanup_sigs[i];
        struct sigaction old;
        if (sigaction(sig, NULL, &old) != 0) {
            rc = -1;
            continue;
        }
        if ((sig == SIGHUP || sig == SIGPIPE) && old.sa_handler == SIG_IGN)
            continue;
        if (sigaction(sig, &sa, NULL) != 0)
            rc = -1;
    }
    return rc;
}

void base_cleanup_hold(sigset_t *old)
{
    sigset_t set;
    sig_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void base_cleanup_release(const sigset_t *old) { pthread_sigmask(SIG_SETMASK, old, NULL); }

void base_cleanup_defer(volatile sig_atomic_t *flag) { atomic_store(&defer_flag, flag); }

int base_cleanup_caught(void) { return caught_sig; }

void base_cleanup_exit_if_caught(void)
{
    int sig = caught_sig;
    if (!sig)
        return;
    sigset_t set, old;
    sig_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    die(sig);
}
