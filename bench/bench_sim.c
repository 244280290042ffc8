/* bench/bench_sim.c -- the chunked-job Monte Carlo: CLI wall time, speed per
 * replication against a numpy peer, engine events per second with effects
 * on, peak RSS against R.
 *
 *   build/bench/bench_sim [REPS]     REPS for the in-process timing,
 *                                    default 10000 (the default of sim),
 *                                    best of 50 runs
 *
 * 1. `forkcast sim data/scenarios/overlay-e7.json --gpus 1,2,4,8,16
 *    --replications 10000 --json` as a child process ($FORKCAST, set by
 *    scripts/run-bench.sh; ./forkcast otherwise), 9 runs: median and min wall
 *    (fork/exec and the JSON included), and `forkcast --version` beside it,
 *    the process start alone. Target: under 0.1 s.
 * 2. Whole processes at R = 10^6, one thread: `forkcast sim ... --threads 1`
 *    and the numpy peer (bench/peers/mc_numpy.py --no-check, the same
 *    scenario, k and R, common starts, np.percentile), interleaved, best of
 *    5 each; CPU time (user + sys, wait4) per replication, start-up,
 *    imports and output included. Target: forkcast >= 4x the peer (goal 6x).
 * 3. sim_montecarlo_eval() of the same scenario in this process: REPS
 *    replications per CPU-second on one thread (the unit of the pure-Python
 *    peer bench/peers/mc_overlay.py) and per wall second on all cores, best
 *    of 50; then R = 10^6 on 1 thread and on all cores (best of 5): the
 *    speedup of all cores, and the Monte Carlo alone against numpy's
 *    (mc_numpy.py times its own compute: name=mc_1e6).
 * 4. The event path: overlay-e7 with every effect on (shared link, cap,
 *    chunks_per_gpu 2, backups, failures), engine events per CPU-second.
 * 5. Peak RSS of `forkcast sim` at R = 10^4, 10^6 (one thread) and 10^8
 *    (all cores, ~13 s here; the whole `make bench` takes ~35 s): memory
 *    does not grow with R (sim/montecarlo.h). Exit 1 if R = 10^8 needs
 *    64 MiB more than R = 10^4.
 *
 * Output: human lines and per measurement
 *   BENCH name=N impl=forkcast metric=M value=V
 */
#include "model/scenario.h"
#include "base/status.h"
#include "sim/montecarlo.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

extern char **environ;

#define SCEN "data/scenarios/overlay-e7.json"
#define GPUS "1,2,4,8,16"
#define PEER "bench/peers/mc_numpy.py"
#define PYTHON "/usr/bin/python3"

static double seconds(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    double wall, cpu;   /* seconds: elapsed; user + sys of the child */
    long maxrss_kib;
} child;

/* Run argv (argv[0] a path) with stdout to /dev/null. Returns 0 if it exited 0. */
static int run_child(char **argv, child *c)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double t0 = seconds(CLOCK_MONOTONIC);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid)
        return -1;
    c->wall = seconds(CLOCK_MONOTONIC) - t0;
    c->cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
             1e-6 * (double)ru.ru_stime.tv_usec;
    c->maxrss_kib = ru.ru_maxrss;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* `bin sim SCEN --gpus GPUS --replications R --json [--threads T]` (T = 0:
 * all cores), or `bin --version` for R = 0. */
static int run_sim(const char *bin, long R, int threads, child *c)
{
    char reps[32], th[16];
    snprintf(reps, sizeof reps, "%ld", R);
    snprintf(th, sizeof th, "%d", threads);
    char *sim_argv[] = {(char *)bin, "sim", SCEN, "--gpus", GPUS, "--replications", reps, "--json",
                        threads ? "--threads" : NULL, th, NULL};
    char *ver_argv[] = {(char *)bin, "--version", NULL};
    return run_child(R > 0 ? sim_argv : ver_argv, c);
}

static int bench_cli(const char *bin)
{
    enum { RUNS = 9 };
    double w[RUNS], v[RUNS];
    child c;
    for (int i = 0; i < RUNS; i++) {
        if (run_sim(bin, 10000, 0, &c))
            goto fail;
        w[i] = c.wall;
        if (run_sim(bin, 0, 0, &c))
            goto fail;
        v[i] = c.wall;
    }
    qsort(w, RUNS, sizeof w[0], cmp_double);
    qsort(v, RUNS, sizeof v[0], cmp_double);
    printf("bench_sim: forkcast sim overlay-e7, 10000 replications x k in {%s}: median %.4f s, "
           "min %.4f s wall (%d runs; target < 0.1 s: %s); of which process start (forkcast "
           "--version) median %.4f s\n",
           GPUS, w[RUNS / 2], w[0], RUNS, w[RUNS / 2] < 0.1 ? "met" : "MISSED", v[RUNS / 2]);
    printf("BENCH name=sim_cli impl=forkcast metric=wall_s value=%.6g\n", w[RUNS / 2]);
    return 0;
fail:
    fprintf(stderr, "bench_sim: %s sim failed\n", bin);
    return 1;
}

/* Whole processes at 10^6 replications on one core: forkcast and the numpy
 * peer, interleaved, best CPU time of 5 each. */
static int bench_whole(const char *bin)
{
    enum { RUNS = 5 };
    const long R = 1000000;
    char reps[32];
    snprintf(reps, sizeof reps, "%ld", R);
    char *peer_argv[] = {PYTHON, PEER, reps, "--no-check", NULL};
    char *probe_argv[] = {PYTHON, "-c", "import numpy", NULL};
    child c;
    int have_peer = access(PYTHON, X_OK) == 0 && run_child(probe_argv, &c) == 0;
    double fc = 1e300, np = 1e300;
    for (int i = 0; i < RUNS; i++) {
        if (run_sim(bin, R, 1, &c)) {
            fprintf(stderr, "bench_sim: %s sim failed\n", bin);
            return 1;
        }
        fc = c.cpu < fc ? c.cpu : fc;
        if (!have_peer)
            continue;
        if (run_child(peer_argv, &c)) {
            fprintf(stderr, "bench_sim: %s %s failed\n", PYTHON, PEER);
            return 1;
        }
        np = c.cpu < np ? c.cpu : np;
    }
    printf("bench_sim: whole process, %ld replications x k in {%s}, one thread, best of %d (CPU time):\n"
           "           forkcast sim %.3f s = %.4f us per replication\n",
           R, GPUS, RUNS, fc, fc / R * 1e6);
    printf("BENCH name=mc_1e6_process impl=forkcast metric=replications_per_s value=%.6g\n", R / fc);
    if (!have_peer) {
        printf("           numpy peer: skipped (no numpy for %s: make deps)\n", PYTHON);
        return 0;
    }
    double ratio = np / fc;
    printf("           numpy (%s) %.3f s = %.4f us per replication\n"
           "           forkcast / numpy = %.1fx (target >= 4x: %s; goal 6x: %s)\n",
           PEER, np, np / R * 1e6, ratio, ratio >= 4 ? "met" : "MISSED", ratio >= 6 ? "met" : "not met");
    printf("BENCH name=mc_1e6_process impl=numpy metric=replications_per_s value=%.6g\n", R / np);
    return 0;
}

static int eval_once(model_scenario *s, long R, unsigned threads, double *cpu, double *wall,
                     sim_montecarlo_stats *st)
{
    char err[1024];
    model_opts mo = {0};
    model_eval e;
    sim_montecarlo_opts o = {.replications = R, .seed = 1, .threads = threads};
    double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID), w0 = seconds(CLOCK_MONOTONIC);
    if (sim_montecarlo_eval(s, &mo, &o, &e, st, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return 1;
    }
    *cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *wall = seconds(CLOCK_MONOTONIC) - w0;
    return 0;
}

/* R replications of s, `runs` times: best CPU seconds on one thread, best
 * wall seconds on all cores. */
static int bench_reps(model_scenario *s, long R, int runs, const char *name)
{
    double best1 = 1e300, bestn = 1e300, cpun = 0, cpu, wall;
    sim_montecarlo_stats st;
    for (int run = 0; run < runs; run++) { /* one thread, then all cores, interleaved */
        if (eval_once(s, R, 1, &cpu, &wall, &st))
            return 1;
        best1 = cpu < best1 ? cpu : best1;
        if (eval_once(s, R, 0, &cpu, &wall, NULL))
            return 1;
        cpun = wall < bestn ? cpu : cpun;
        bestn = wall < bestn ? wall : bestn;
    }
    int containers = 0;
    for (int i = 0; i < s->ngpus; i++)
        containers += s->gpus[i];
    unsigned T = sim_mc_threads_default();
    printf("bench_sim: in process, %ld replications (%d containers each; %s path, %d passes), best of %d:\n"
           "           one thread %.4f s CPU = %.4f us per replication (%.2f ns per container, summaries "
           "included)\n           all %u cores %.4f s wall = %.4f us per replication: %.2fx one thread "
           "(%.4f s CPU: %.2f cores busy; other load on the machine takes the rest)\n",
           R, containers, st.fast ? "fast" : "general", st.passes, runs, best1, best1 / R * 1e6,
           best1 / R / containers * 1e9, T, bestn, bestn / R * 1e6, best1 / bestn, cpun, cpun / bestn);
    printf("BENCH name=%s impl=forkcast metric=replications_per_s value=%.6g\n", name, R / best1);
    printf("BENCH name=%s_all_cores impl=forkcast metric=replications_per_s value=%.6g\n", name, R / bestn);
    return 0;
}

static int bench_events(model_scenario *base, long R)
{
    char err[1024];
    model_opts mo = {0};
    model_eval e;
    sim_montecarlo_stats st;
    model_scenario s = *base; /* a borrowed view: field writes only */
    s.shared_download_mb_s = 100;
    s.max_containers = 12;
    s.chunks_per_gpu = 2;
    s.speculative_after = 0.75;
    s.failure_rate_per_s = 0.001;
    sim_montecarlo_opts o = {.replications = R, .seed = 1, .threads = 1};
    double c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    if (sim_montecarlo_eval(&s, &mo, &o, &e, &st, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return 1;
    }
    double dt = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
    printf("bench_sim: every effect on, one thread: %ld replications in %.3f s CPU, %llu engine events: "
           "%.2f M events/s, %.2f us per replication\n",
           R, dt, (unsigned long long)st.engine_events, st.engine_events / dt / 1e6, dt / R * 1e6);
    printf("BENCH name=sim_effects impl=forkcast metric=events_per_s value=%.6g\n", st.engine_events / dt);
    return 0;
}

/* Peak RSS at R = 10^4, 10^6 (one thread) and 10^8 (all cores). */
static int bench_rss(const char *bin)
{
    static const long Rs[] = {10000, 1000000, 100000000};
    static const int th[] = {1, 1, 0};
    child c[3];
    for (int i = 0; i < 3; i++)
        if (run_sim(bin, Rs[i], th[i], &c[i])) {
            fprintf(stderr, "bench_sim: %s sim failed\n", bin);
            return 1;
        }
    double d = (c[2].maxrss_kib - c[0].maxrss_kib) / 1024.0;
    int flat = d < 64;
    printf("bench_sim: peak RSS of forkcast sim: R=1e4 %.1f MiB, R=1e6 %.1f MiB, R=1e8 %.1f MiB (all cores, "
           "%.1f s wall, %.1f s CPU): %+.1f MiB from 1e4 to 1e8 (%s; 80 bytes per replication would be "
           "7.6 GiB)\n",
           c[0].maxrss_kib / 1024.0, c[1].maxrss_kib / 1024.0, c[2].maxrss_kib / 1024.0, c[2].wall, c[2].cpu, d,
           flat ? "flat" : "GROWS");
    printf("BENCH name=sim_rss_1e4 impl=forkcast metric=peak_rss_mib value=%.6g\n", c[0].maxrss_kib / 1024.0);
    printf("BENCH name=sim_rss_1e6 impl=forkcast metric=peak_rss_mib value=%.6g\n", c[1].maxrss_kib / 1024.0);
    printf("BENCH name=sim_rss_1e8 impl=forkcast metric=peak_rss_mib value=%.6g\n", c[2].maxrss_kib / 1024.0);
    printf("BENCH name=sim_1e8 impl=forkcast metric=replications_per_s value=%.6g\n", Rs[2] / c[2].wall);
    return flat ? 0 : 1;
}

int main(int argc, char **argv)
{
    long R = argc > 1 ? atol(argv[1]) : 10000;
    if (R < 100 || R > 100000000) {
        fprintf(stderr, "usage: bench_sim [REPS]   (100 .. 1e8)\n");
        return 2;
    }
    const char *bin = getenv("FORKCAST");
    if (!bin || !*bin)
        bin = "./forkcast";
    char err[1024];
    model_scenario s;
    if (model_scenario_load(SCEN, NULL, 0, &s, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s (run from the repository root)\n", err);
        return 1;
    }
    static const int gpus[] = {1, 2, 4, 8, 16};
    memcpy(s.gpus, gpus, sizeof gpus);
    s.ngpus = 5;
    int rc = bench_cli(bin);
    if (!rc)
        rc = bench_whole(bin);
    if (!rc)
        rc = bench_reps(&s, R, 50, "mc_overlay");
    if (!rc)
        rc = bench_reps(&s, 1000000, 5, "mc_1e6");
    if (!rc)
        rc = bench_events(&s, R);
    if (!rc)
        rc = bench_rss(bin);
    model_scenario_free(&s);
    return rc;
}
