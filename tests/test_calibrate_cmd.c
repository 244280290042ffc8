/* tests/test_calibrate_cmd.c -- the process runner, the line fit, command
 * mode and the FFmpeg helpers (frame index, chunk check, concat) against
 * real processes, real GSL and real FFmpeg on lavfi-made clips. */
#include "tests/harness.h"

#include "calibrate/command_cal.h"
#include "calibrate/ffmpeg_run.h"
#include "calibrate/video_index.h"
#include "base/status.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

static char scratch[4096]; /* private TMPDIR for the whole test */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* ---- line fit ------------------------------------------------------------ */

static void test_line_exact(void)
{
    double x[] = {30, 60, 120, 240}, y[4];
    for (int i = 0; i < 4; i++)
        y[i] = 0.05 + 0.004 * x[i];
    cal_line f;
    CHECK(cal_line_fit(x, y, 4, &f, NULL, 0) == BASE_OK);
    CHECK_NEAR(f.c0, 0.05, 1e-12);
    CHECK_NEAR(f.c1, 0.004, 1e-14);
    CHECK_NEAR(f.r2, 1.0, 1e-12);
    CHECK_NEAR(f.c1_ci[1] - f.c1_ci[0], 0.0, 1e-12);
}

/* Intervals against the textbook formulas computed here by hand. */
static void test_line_noisy(void)
{
    double x[] = {1, 2, 3, 4, 5, 6}, y[] = {2.9, 5.2, 6.8, 9.3, 10.9, 13.2};
    size_t n = 6;
    double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++)
        mx += x[i] / n, my += y[i] / n;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
        syy += (y[i] - my) * (y[i] - my);
    }
    double b = sxy / sxx, a = my - b * mx, ssr = 0;
    for (size_t i = 0; i < n; i++)
        ssr += (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]);
    double s2 = ssr / (n - 2);
    double se_b = sqrt(s2 / sxx), se_a = sqrt(s2 * (1.0 / n + mx * mx / sxx));
    double t = gsl_cdf_tdist_Pinv(0.975, n - 2);
    CHECK_NEAR(t, 2.776445, 1e-6); /* t(0.975, 4) from tables */

    cal_line f;
    CHECK(cal_line_fit(x, y, n, &f, NULL, 0) == BASE_OK);
    CHECK_REL(f.c1, b, 1e-12);
    CHECK_REL(f.c0, a, 1e-12);
    CHECK_REL(f.c1_ci[0], b - t * se_b, 1e-10);
    CHECK_REL(f.c1_ci[1], b + t * se_b, 1e-10);
    CHECK_REL(f.c0_ci[0], a - t * se_a, 1e-10);
    CHECK_REL(f.c0_ci[1], a + t * se_a, 1e-10);
    CHECK_REL(f.r2, 1 - ssr / syy, 1e-12);

    cJSON *j = cal_line_json(&f, "fixed_s", "per_frame_s");
    CHECK_NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "per_frame_s"), "value")->valuedouble,
               b, 1e-12);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "fixed_s"), "ci95")) == 2);
    cJSON_Delete(j);
}

static void test_line_bad(void)
{
    double x[] = {5, 5, 5}, y[] = {1, 2, 3};
    cal_line f;
    char err[256];
    CHECK(cal_line_fit(x, y, 2, &f, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "at least 3") != NULL);
    CHECK(cal_line_fit(x, y, 3, &f, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "distinct") != NULL);
}

/* ---- process runner ------------------------------------------------------ */

static void test_proc_outcomes(void)
{
    base_proc_result r;
    char err[256], why[512], log[4200];
    snprintf(log, sizeof log, "%s/log.txt", scratch);

    char *ex3[] = {"sh", "-c", "echo first >&2; echo 'last words' >&2; exit 3", NULL};
    CHECK(base_proc_run(ex3, NULL, log, 30, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(r.how == BASE_PROC_EXITED && r.code == 3);
    base_proc_describe(&r, 30, log, why, sizeof why);
    CHECK_STR(why, "exited with status 3: last words");

    char *nope[] = {"/nonexistent/forkcast-no-such-program", NULL};
    CHECK(base_proc_run(nope, NULL, NULL, 30, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(r.how == BASE_PROC_NOSTART && r.code == ENOENT);

    char *sig[] = {"sh", "-c", "kill -TERM $$", NULL};
    CHECK(base_proc_run(sig, NULL, NULL, 30, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(r.how == BASE_PROC_SIGNALED && r.code == SIGTERM);

    /* stdout goes to the given file */
    char outp[4200], *text = NULL;
    snprintf(outp, sizeof outp, "%s/out.txt", scratch);
    char *echo[] = {"echo", "hello", NULL};
    CHECK(base_proc_run(echo, outp, NULL, 30, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(r.how == BASE_PROC_EXITED && r.code == 0 && r.wall_s > 0);
    CHECK(base_read_file(outp, &text, NULL, NULL, 0) == BASE_OK);
    CHECK_STR(text, "hello\n");
    free(text);
    remove(outp);
    remove(log);
}

/* 1 when the pid written in pidf is gone or a zombie awaiting init. */
static int child_gone(const char *pidf)
{
    char *text = NULL, stat_path[64], state = 'X';
    if (base_read_file(pidf, &text, NULL, NULL, 0) != BASE_OK)
        return 0;
    long pid = strtol(text, NULL, 10);
    free(text);
    remove(pidf);
    if (pid <= 0)
        return 0;
    snprintf(stat_path, sizeof stat_path, "/proc/%ld/stat", pid);
    for (int i = 0; i < 100; i++) { /* let init reap it */
        FILE *f = fopen(stat_path, "r");
        state = 'X';
        if (f) {
            if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
                state = '?';
            fclose(f);
        }
        if (state == 'X' || state == 'Z')
            return 1;
        usleep(10000);
    }
    return 0;
}

/* A hanging run is killed with its whole group; so are background strays of
 * a run that exited. */
static void test_proc_kills_group(void)
{
    base_proc_result r;
    char err[256], pidf[4200], cmd[4400];
    snprintf(pidf, sizeof pidf, "%s/child.pid", scratch);
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; wait", pidf);
    char *argv[] = {"sh", "-c", cmd, NULL};
    CHECK(base_proc_run(argv, NULL, NULL, 0.5, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(r.how == BASE_PROC_TIMEOUT);
    CHECK(r.wall_s >= 0.5 && r.wall_s < 10);
    CHECK(child_gone(pidf));

    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; exit 0", pidf);
    CHECK(base_proc_run(argv, NULL, NULL, 30, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(r.how == BASE_PROC_EXITED && r.code == 0 && r.wall_s < 10);
    CHECK(child_gone(pidf));
}

static volatile sig_atomic_t cancel_flag;
static void on_alarm(int s)
{
    (void)s;
    cancel_flag = 1;
}

/* Ctrl-C in the CLI sets a flag from a signal handler; the runner must notice
 * it mid-run, kill the child and report "interrupted". */
static void test_proc_cancel(void)
{
    base_proc_result r;
    char err[256] = "";
    char *argv[] = {"sleep", "30", NULL};
    cancel_flag = 1;
    CHECK(base_proc_run(argv, NULL, NULL, 60, &cancel_flag, &r, err, sizeof err) ==
          BASE_ERUNTIME);
    CHECK_STR(err, "interrupted");

    cancel_flag = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 200000}};
    setitimer(ITIMER_REAL, &it, NULL);
    err[0] = 0;
    CHECK(base_proc_run(argv, NULL, NULL, 60, &cancel_flag, &r, err, sizeof err) ==
          BASE_ERUNTIME);
    CHECK_STR(err, "interrupted");
    signal(SIGALRM, SIG_DFL);
}

/* ---- command mode -------------------------------------------------------- */

static void test_command_substitution(void)
{
    char err[512];
    int frames[] = {7, 9};
    /* fails unless {frames} became 7 or 9 and {output} is a writable path */
    char *argv[] = {"sh", "-c",
                    "{ test {frames} -eq 7 || test {frames} -eq 9; } && echo x > {output} && "
                    "test -s {output} && test {input} = /dev/null",
                    NULL};
    cal_command_opts o = {.argv = argv, .argc = 3, .frames = frames, .nframes = 2, .repeats = 2,
                          .timeout_s = 30, .input = "/dev/null", .output_ext = "txt"};
    cal_command_result *r = NULL;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_OK);
    if (!r) {
        fprintf(stderr, "  (%s)\n", err);
        return;
    }
    CHECK(r->n == 4);
    CHECK(r->frames[0] == 7 && r->frames[1] == 9 && r->frames[2] == 7 && r->frames[3] == 9);
    for (size_t i = 0; i < r->n; i++)
        CHECK(r->seconds[i] > 0);
    CHECK(count_entries(scratch) == 0); /* temp dir and outputs removed */

    cJSON *j = cal_command_result_json(r, &o);
    const cJSON *st = cJSON_GetObjectItem(j, "stage"), *fit = cJSON_GetObjectItem(j, "fit");
    CHECK(cJSON_GetArraySize(j) == 3 && cJSON_GetArraySize(st) == 2 &&
          cJSON_GetArraySize(fit) == 4);
    /* the record: end to end, the template, both fields with the line's fit */
    const cJSON *pv = cJSON_GetObjectItem(j, "_provenance");
    CHECK(pv && !strcmp(cJSON_GetObjectItem(pv, "covers")->valuestring, "end_to_end"));
    CHECK(pv && cJSON_GetArraySize(cJSON_GetObjectItem(pv, "command")) == 3);
    const cJSON *pf = pv ? cJSON_GetObjectItem(cJSON_GetObjectItem(pv, "fields"), "stage.per_frame_s") : NULL;
    CHECK(pf && cJSON_GetObjectItem(pf, "value")->valuedouble == r->fit.c1);
    CHECK(pf && cJSON_GetObjectItem(pf, "r2")->valuedouble == r->fit.r2);
    CHECK(pv && cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(pv, "machine"), "cpu")));
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(fit, "points")) == 4);
    CHECK_NEAR(cJSON_GetObjectItem(st, "ffmpeg_start_s")->valuedouble, r->fixed_s, 0);
    CHECK(r->fixed_s >= 0 && r->per_frame_s >= 0);
    cJSON_Delete(j);
    cal_command_result_free(r);
}

static void test_command_errors(void)
{
    char err[512];
    cal_command_result *r = NULL;
    int frames[] = {30, 60}, zero[] = {30, 0}, same[] = {40, 40};
    char *fail[] = {"sh", "-c", "test {frames} -lt 50", NULL};
    cal_command_opts o = {.argv = fail, .argc = 3, .frames = frames, .nframes = 2, .repeats = 2,
                          .timeout_s = 30};
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT && !r);
    CHECK(strstr(err, "command 'sh' at frames=60: exited with status 1") != NULL);

    char *in[] = {"cat", "{input}", NULL};
    o.argv = in;
    o.argc = 2;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "{input}") != NULL);

    /* no {frames}: refused before any run, whatever else is right */
    char *nof[] = {"sh", "-c", "sleep 0", NULL};
    o.argv = nof;
    o.argc = 3;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT && !r);
    CHECK(strstr(err, "{frames}") != NULL && strchr(err, '\n') == NULL);

    char *ok[] = {"true", NULL};
    o.argv = ok;
    o.argc = 1;
    o.frames = zero;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    o.frames = same;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    o.frames = frames;
    o.nframes = 0;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    o.nframes = 2;
    o.repeats = 1; /* 2 runs: no interval */
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    o.repeats = 0;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    o.repeats = 2;
    o.argc = 0;
    CHECK(cal_command_run(&o, &r, err, sizeof err) == BASE_EINPUT);
    CHECK(count_entries(scratch) == 0);
}

/* ---- FFmpeg helpers ------------------------------------------------------ */

/* testsrc2 clip: size WxH, 10 fps, 2 s, GOP gop. */
static int make_clip(const char *path, const char *size, int gop)
{
    char src[128], g[16], err[256];
    snprintf(src, sizeof src, "testsrc2=size=%s:rate=10:duration=2", size);
    snprintf(g, sizeof g, "%d", gop);
    char *argv[] = {"ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f",
                    "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast", "-g", g,
                    "-keyint_min", g, "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                    (char *)path, NULL};
    base_proc_result r;
    return base_proc_run(argv, NULL, NULL, 60, NULL, &r, err, sizeof err) == BASE_OK &&
           r.how == BASE_PROC_EXITED && r.code == 0;
}

static void test_video_load(void)
{
    char a[4200], junk[4200], err[512];
    snprintf(a, sizeof a, "%s/a.mp4", scratch);
    snprintf(junk, sizeof junk, "%s/junk.mp4", scratch);
    CHECK(make_clip(a, "160x120", 5));
    cal_video *v = NULL;
    CHECK(cal_video_load(a, &v, err, sizeof err) == BASE_OK);
    if (v) { /* 2 s at 10 fps, a keyframe every 5 frames */
        CHECK(v->nframes == 20);
        CHECK(v->nkeys == 4);
        CHECK(v->gop == 5);
        CHECK(v->width == 160 && v->height == 120);
        CHECK_NEAR(v->fps, 10, 1e-9);
        CHECK_STR(v->codec, "h264");
        CHECK(v->key[0] && v->key[5] && !v->key[4]);
        CHECK_NEAR(v->t[10] - v->t[0], 1.0, 1e-6);
    }
    cal_video_free(v);

    CHECK(base_write_file(junk, "this is not a video\n", NULL, 0) == BASE_OK);
    CHECK(cal_video_load(junk, &v, err, sizeof err) == BASE_EINPUT && !v);
    CHECK(strstr(err, junk) == err);
    CHECK(cal_video_load("/nonexistent/x.mp4", &v, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "cannot open") != NULL);
    CHECK(cal_video_load(scratch, &v, err, sizeof err) == BASE_EINPUT); /* a folder */
    remove(a);
    remove(junk);
}

static void test_concat(void)
{
    char a[4200], b[4200], big[4200], list[4200], out[4200], err[1024];
    snprintf(a, sizeof a, "%s/a.mp4", scratch);
    snprintf(b, sizeof b, "%s/b.mp4", scratch);
    snprintf(big, sizeof big, "%s/big.mp4", scratch);
    snprintf(list, sizeof list, "%s/list.txt", scratch);
    snprintf(out, sizeof out, "%s/out.mp4", scratch);
    CHECK(make_clip(a, "160x120", 10));
    CHECK(make_clip(b, "160x120", 10));
    CHECK(make_clip(big, "320x240", 10));

    const char *good[] = {a, b, a};
    double wall = 0;
    CHECK(cal_concat_run(good, 3, list, out, 60, NULL, &wall, err, sizeof err) == BASE_OK);
    CHECK(wall > 0);
    cal_video *v = NULL;
    CHECK(cal_video_load(out, &v, err, sizeof err) == BASE_OK);
    CHECK(v && v->nframes == 60 && v->width == 160);
    cal_video_free(v);
    remove(out);

    /* 160x120 then 320x240: ffmpeg would exit 0 with a broken file; refuse */
    const char *bad[] = {a, big};
    CHECK(cal_concat_run(bad, 2, list, out, 60, NULL, &wall, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "320x240") && strstr(err, "160x120") && strstr(err, "does not match"));
    CHECK(!file_exists(out));
    CHECK(cal_chunks_check(good, 3, err, sizeof err) == BASE_OK);

    /* a quote in a chunk's path survives the list file's quoting */
    char qdir[4200], qa[4300];
    snprintf(qdir, sizeof qdir, "%s/it's", scratch);
    snprintf(qa, sizeof qa, "%s/a.mp4", qdir);
    CHECK(mkdir(qdir, 0700) == 0 && rename(a, qa) == 0);
    const char *quoted[] = {qa, b};
    CHECK(cal_concat_run(quoted, 2, list, out, 60, NULL, &wall, err, sizeof err) == BASE_OK);
    CHECK(cal_video_load(out, &v, err, sizeof err) == BASE_OK && v && v->nframes == 40);
    cal_video_free(v);
    remove(out);
    rename(qa, a);
    rmdir(qdir);
    remove(a);
    remove(b);
    remove(big);
    remove(list);
}

static void setup(void)
{
    gsl_set_error_handler_off();
    snprintf(scratch, sizeof scratch, "/tmp/forkcast-test-cal-XXXXXX");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        exit(1);
    }
    setenv("TMPDIR", scratch, 1);
}

static void teardown(void)
{
    CHECK(count_entries(scratch) == 0);
    base_tmpdir_remove(scratch);
}

TEST_MAIN(setup, test_line_exact, test_line_noisy, test_line_bad, test_proc_outcomes,
          test_proc_kills_group, test_proc_cancel, test_command_substitution,
          test_command_errors, test_video_load, test_concat, teardown)
