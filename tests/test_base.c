/* tests/test_base.c -- base/: the output-file rules of base_out (new,
 * replaced with its mode, through symbolic links, FIFOs and descriptors
 * written through, directories refused, write failures reported with their
 * reason), RFC 4180 fields (base/csv.h), and the signal cleanup registry
 * (base/cleanup.h) run in forked children that end by a real signal. */
#include "base/cleanup.h"
#include "base/csv.h"
#include "base/proc.h"
#include "base/status.h"
#include "tests/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static char *at(const char *name)
{
    static char buf[8][256];
    static int i;
    char *b = buf[i++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static char *slurp(const char *path)
{
    char *t = NULL;
    char err[256];
    return base_read_file(path, &t, NULL, err, sizeof err) ? NULL : t;
}

/* system() of fmt with every %s replaced by the test folder. */
static int sh(const char *fmt)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, dir, dir, dir);
    return system(cmd);
}

static void test_csv(void)
{
    char b[64];
    CHECK(base_csv_quote(b, sizeof b, "plain", 0) == 5);
    CHECK_STR(b, "plain");
    base_csv_quote(b, sizeof b, "a,b", 0);
    CHECK_STR(b, "\"a,b\"");
    base_csv_quote(b, sizeof b, "a,\"b\"\nc", 0);
    CHECK_STR(b, "\"a,\"\"b\"\"\nc\"");
    base_csv_quote(b, sizeof b, "x\ry", 0);
    CHECK_STR(b, "\"x\ry\"");
    base_csv_quote(b, sizeof b, "a,\"b\"\nc", BASE_CSV_ONELINE);
    CHECK_STR(b, "\"a,\"\"b\"\" c\"");
    base_csv_quote(b, sizeof b, "line\nbreak\t", BASE_CSV_ONELINE); /* no comma or quote: bare */
    CHECK_STR(b, "line break ");
    /* snprintf-like: the length needed, truncated copy */
    CHECK(base_csv_quote(NULL, 0, "\"\"", 0) == 6);
    CHECK(base_csv_quote(b, 4, "a,bcdef", 0) == 9);
    CHECK_STR(b, "\"a,");
    char big[600];
    memset(big, ',', sizeof big - 1);
    big[sizeof big - 1] = 0;
    FILE *f = fopen(at("csv"), "w");
    CHECK(f && base_csv_field(f, big, 0) == 0);
    fclose(f);
    char *t = slurp(at("csv"));
    CHECK(t && strlen(t) == 601 && t[0] == '"' && t[600] == '"');
    free(t);
}

static int write_text(const char *path, const char *text, char *err, size_t errsz)
{
    return base_write_file(path, text, err, errsz);
}

static void test_out_files(void)
{
    char err[512];
    struct stat st;
    /* new, then replaced keeping its mode */
    CHECK(write_text(at("new.txt"), "one\n", err, sizeof err) == BASE_OK);
    chmod(at("new.txt"), 0640);
    CHECK(write_text(at("new.txt"), "two\n", err, sizeof err) == BASE_OK);
    char *t = slurp(at("new.txt"));
    CHECK_STR(t, "two\n");
    free(t);
    CHECK(stat(at("new.txt"), &st) == 0 && (st.st_mode & 0777) == 0640);
    /* a link: stays a link, its target replaced; relative, two hops, dangling end */
    CHECK(symlink("new.txt", at("link.txt")) == 0);
    CHECK(write_text(at("link.txt"), "three\n", err, sizeof err) == BASE_OK);
    CHECK(lstat(at("link.txt"), &st) == 0 && S_ISLNK(st.st_mode));
    t = slurp(at("new.txt"));
    CHECK_STR(t, "three\n");
    free(t);
    mkdir(at("sub"), 0777);
    CHECK(symlink("../hop", at("sub/l")) == 0 && symlink("end.txt", at("hop")) == 0);
    CHECK(write_text(at("sub/l"), "end\n", err, sizeof err) == BASE_OK);
    t = slurp(at("end.txt"));
    CHECK_STR(t, "end\n");
    free(t);
    CHECK(lstat(at("hop"), &st) == 0 && S_ISLNK(st.st_mode));
    /* a loop of links and a directory (or a link to one) are refused */
    CHECK(symlink("loop2", at("loop1")) == 0 && symlink("loop1", at("loop2")) == 0);
    CHECK(write_text(at("loop1"), "x", err, sizeof err) == BASE_EINPUT && strstr(err, "symbolic links"));
    CHECK(write_text(at("sub"), "x", err, sizeof err) == BASE_EINPUT);
    CHECK_STR(strstr(err, "is a directory"), "is a directory");
    CHECK(symlink("sub", at("sublink")) == 0);
    CHECK(write_text(at("sublink"), "x", err, sizeof err) == BASE_EINPUT);
    /* a missing folder: a runtime error naming the path, nothing made */
    CHECK(write_text(at("nodir/x"), "x", err, sizeof err) == BASE_ERUNTIME && strstr(err, "nodir/x"));
    /* no temporary left by any of it */
    CHECK(sh("ls -A %s %s/sub | grep -q '\\.tmp\\.'") != 0);
}

static void test_out_through(void)
{
    char err[512];
    struct stat st;
    /* a FIFO with a reader (opened first, non-blocking): written through */
    CHECK(mkfifo(at("fifo"), 0600) == 0);
    int rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
    CHECK(rd >= 0);
    base_out o;
    CHECK(base_out_open(&o, at("fifo"), err, sizeof err) == BASE_OK && o.direct);
    fputs("through\n", o.f);
    CHECK(base_out_commit(&o, err, sizeof err) == BASE_OK);
    char buf[64] = "";
    CHECK(read(rd, buf, sizeof buf - 1) == 8);
    CHECK_STR(buf, "through\n");
    close(rd);
    CHECK(lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
    /* abort of a written-through output removes nothing */
    rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
    CHECK(base_out_open(&o, at("fifo"), err, sizeof err) == BASE_OK);
    base_out_abort(&o);
    CHECK(lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
    close(rd);
    /* /dev/fd/N: a dup of N, sharing its offset */
    int fd = open(at("fdfile"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(write(fd, "ab", 2) == 2);
    char name[64];
    snprintf(name, sizeof name, "/dev/fd/%d", fd);
    CHECK(base_out_open(&o, name, err, sizeof err) == BASE_OK && o.direct);
    fputs("cd", o.f);
    CHECK(base_out_commit(&o, err, sizeof err) == BASE_OK);
    CHECK(write(fd, "ef", 2) == 2);
    close(fd);
    char *t = slurp(at("fdfile"));
    CHECK_STR(t, "abcdef");
    free(t);
    /* a failed write keeps its reason: a pipe whose reader has gone */
    int p[2];
    CHECK(pipe(p) == 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    snprintf(name, sizeof name, "/proc/self/fd/%d", p[1]);
    CHECK(base_out_open(&o, name, err, sizeof err) == BASE_OK && o.direct);
    fputs("lost", o.f);
    CHECK(base_out_commit(&o, err, sizeof err) == BASE_ERUNTIME);
    CHECK(strstr(err, "writing output failed: Broken pipe") != NULL);
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
    /* a full device made here (needs CAP_MKNOD; skipped without it) */
    if (mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)) == 0) {
        CHECK(base_out_open(&o, at("full"), err, sizeof err) == BASE_OK && o.direct);
        for (int i = 0; i < 10000; i++)
            fprintf(o.f, "row %d\n", i);
        CHECK(base_out_commit(&o, err, sizeof err) == BASE_ERUNTIME);
        CHECK(strstr(err, "writing output failed: No space left on device") != NULL);
        CHECK(lstat(at("full"), &st) == 0 && S_ISCHR(st.st_mode));
    }
}

/* In a child: register what a run would, then end by sig; the parent
 * checks the child died by sig and nothing registered is left. */
static pid_t run_child(int sig, int defer, pid_t *grandchild)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        /* as in a terminal: under nohup SIGHUP comes ignored, and stays so */
        signal(sig, SIG_DFL);
        base_cleanup_install();
        sigset_t held;
        base_cleanup_hold(&held);
        pid_t g = fork();
        if (g == 0) {
            setpgid(0, 0);
            execlp("sleep", "sleep", "60", (char *)NULL);
            _exit(127);
        }
        setpgid(g, g);
        base_cleanup_add_pgid(g);
        base_cleanup_release(&held);
        int fd = open(at("t.csv.tmp.ABCDEF"), O_WRONLY | O_CREAT, 0644);
        close(fd);
        base_cleanup_add_file(at("t.csv.tmp.ABCDEF"));
        char tree[256];
        char err[256];
        base_tmpdir_at(dir, "forkcast-", tree, sizeof tree, err, sizeof err);
        char deep[400];
        snprintf(deep, sizeof deep, "%s/a/b/c", tree);
        char cmd[1400];
        snprintf(cmd, sizeof cmd, "mkdir -p %s && touch %s/f %s/a/g", deep, deep, tree);
        if (system(cmd) != 0)
            _exit(3);
        mkdir(at("made"), 0777);
        base_cleanup_add_emptydir(at("made"));
        ssize_t w = write(pfd[1], &g, sizeof g);
        (void)w;
        close(pfd[1]);
        volatile sig_atomic_t flag = 0;
        if (defer) {
            base_cleanup_defer(&flag);
            raise(sig);
            /* deferred: nothing removed yet, the flag set, the signal kept */
            struct stat st;
            if (!flag || base_cleanup_caught() != sig || stat(at("t.csv.tmp.ABCDEF"), &st) != 0)
                _exit(4);
            close(open(at("deferred.ok"), O_WRONLY | O_CREAT, 0644)); /* the parent's proof it got here */
            base_cleanup_defer(NULL);
            base_cleanup_exit_if_caught();
            _exit(5);
        }
        raise(sig);
        _exit(6);
    }
    close(pfd[1]);
    *grandchild = -1;
    if (read(pfd[0], grandchild, sizeof *grandchild) != (ssize_t)sizeof *grandchild)
        *grandchild = -1;
    close(pfd[0]);
    return pid;
}

static void check_child(int sig, int defer)
{
    pid_t g;
    pid_t pid = run_child(sig, defer, &g);
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == sig);
    CHECK(defer == (unlink(at("deferred.ok")) == 0));
    if (!WIFSIGNALED(st))
        fprintf(stderr, "  child exited %d (sig %d, defer %d)\n", WEXITSTATUS(st), sig, defer);
    struct stat s;
    CHECK(stat(at("t.csv.tmp.ABCDEF"), &s) != 0);
    CHECK(stat(at("made"), &s) != 0);
    CHECK(sh("ls -d %s/forkcast-* >/dev/null 2>&1") != 0);
    /* the grandchild's group was killed (and reaped by the handler) */
    CHECK(g > 0 && kill(g, 0) != 0 && errno == ESRCH);
}

static void test_cleanup(void)
{
    check_child(SIGTERM, 0);
    check_child(SIGINT, 0);
    check_child(SIGHUP, 0);
    check_child(SIGINT, 1);
    /* an emptydir that is not empty stays */
    pid_t g;
    struct stat s;
    mkdir(at("made"), 0777);
    close(open(at("made/mine"), O_WRONLY | O_CREAT, 0644));
    pid_t pid = run_child(SIGTERM, 0, &g);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));
    CHECK(stat(at("made/mine"), &s) == 0);
    /* base_remove_tree outside a handler: nested, with a link it must not follow */
    mkdir(at("keep"), 0777);
    CHECK(sh("cd %s && mkdir -p rt/x/y && touch rt/x/y/z keep/k && ln -s ../keep rt/x/k") == 0);
    base_remove_tree(at("rt"));
    CHECK(stat(at("rt"), &s) != 0);
    CHECK(stat(at("keep/k"), &s) == 0);
    /* slots are reused: more registrations than slots, each dropped */
    for (int i = 0; i < 3 * BASE_CLEANUP_SLOTS; i++) {
        int h = base_cleanup_add_file("/nonexistent/x");
        CHECK(h >= 0);
        base_cleanup_drop(&h);
        CHECK(h == -1);
    }
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/forkcast-test-base-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static void teardown(void)
{
    base_remove_tree(dir);
}

TEST_MAIN(setup, test_csv, test_out_files, test_out_through, test_cleanup, teardown)
