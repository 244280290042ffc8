/* bench/bench_sim.c -- the chunked-job Monte Carlo: CLI wall time, speed per
 * replication, engine events per second with effects on, peak RSS vs R.
 *
 *   build/bench/bench_sim [REPS]     REPS for the per-replication timing,
 *                                    default 10000 (the default of sim),
 *                                    best of 50 runs
 *
 * 1. `forkcast sim data/scenarios/overlay-e7.json --gpus 1,2,4,8,16
 *    --replications 10000 --json` as a child process ($FORKCAST, set by
 *    scripts/run-bench.sh; ./forkcast otherwise), 9 runs: median and min wall
 *    (fork/exec and the JSON included), and `forkcast --version` beside it,
 *    the process start alone. Target: under 0.1 s.
 * 2. sim_montecarlo_eval() of the same scenario in this process, one thread:
 *    replications per CPU-second, the unit of the pure-Python peer
 *    (bench/peers/mc_overlay.py, same scenario, same k, same R, one core);
 *    and with all cores, replications per wall second. Best of 50 runs (the
 *    machine is shared: the best run is the least disturbed).
 * 3. The event path: overlay-e7 with every effect on (shared link, cap,
 *    chunks_per_gpu 2, backups, failures), engine events per CPU-second.
 * 4. Peak RSS of `forkcast sim` at R = 10^4, 10^5, 10^6 (wait4 rusage): the
 *    growth per replication against 2 arrays (wall, cost) x 5 k x 8 bytes
 *    = 80 bytes. Exit 1 if it grows more than 25% faster than that.
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

/* Run `bin sim SCEN --gpus GPUS --replications R --json` (R = 0: `bin
 * --version`, the process start alone) with stdout to /dev/null; wall
 * seconds and peak RSS (KiB). Returns 0 if it exited 0. */
static int run_cli(const char *bin, long R, double *wall, long *maxrss_kib)
{
    char reps[32];
    snprintf(reps, sizeof reps, "%ld", R);
    char *sim_argv[] = {(char *)bin, "sim", SCEN, "--gpus", GPUS, "--replications", reps, "--json", NULL};
    char *ver_argv[] = {(char *)bin, "--version", NULL};
    char **argv = R > 0 ? sim_argv : ver_argv;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double t0 = seconds(CLOCK_MONOTONIC);
    int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid)
        return -1;
    *wall = seconds(CLOCK_MONOTONIC) - t0;
    *maxrss_kib = ru.ru_maxrss;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int bench_cli(const char *bin)
{
    enum { RUNS = 9 };
    double w[RUNS], v[RUNS];
    long rss;
    for (int i = 0; i < RUNS; i++)
        if (run_cli(bin, 10000, &w[i], &rss) || run_cli(bin, 0, &v[i], &rss)) {
            fprintf(stderr, "bench_sim: %s sim failed\n", bin);
            return 1;
        }
    qsort(w, RUNS, sizeof w[0], cmp_double);
    qsort(v, RUNS, sizeof v[0], cmp_double);
    printf("bench_sim: forkcast sim overlay-e7, 10000 replications x k in {%s}: median %.4f s, "
           "min %.4f s wall (%d runs; target < 0.1 s: %s); of which process start (forkcast "
           "--version) median %.4f s\n",
           GPUS, w[RUNS / 2], w[0], RUNS, w[RUNS / 2] < 0.1 ? "met" : "MISSED", v[RUNS / 2]);
    printf("BENCH name=sim_cli impl=forkcast metric=wall_s value=%.6g\n", w[RUNS / 2]);
    return 0;
}

/* R replications of s, `runs` times: best CPU seconds on one thread, best
 * wall seconds on all cores. */
static int bench_reps(model_scenario *s, long R, int runs)
{
    char err[1024];
    model_opts mo = {0};
    model_eval e;
    double best1 = 1e300, bestn = 1e300;
    for (int run = 0; run < runs; run++) { /* one thread, then all cores, interleaved */
        sim_montecarlo_opts o = {.replications = R, .seed = 1, .threads = 1};
        double c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
        if (sim_montecarlo_eval(s, &mo, &o, &e, NULL, err, sizeof err)) {
            fprintf(stderr, "bench_sim: %s\n", err);
            return 1;
        }
        double dt = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
        best1 = dt < best1 ? dt : best1;
        o.threads = 0;
        double w0 = seconds(CLOCK_MONOTONIC);
        if (sim_montecarlo_eval(s, &mo, &o, &e, NULL, err, sizeof err)) {
            fprintf(stderr, "bench_sim: %s\n", err);
            return 1;
        }
        double wt = seconds(CLOCK_MONOTONIC) - w0;
        bestn = wt < bestn ? wt : bestn;
    }
    int containers = 0;
    for (int i = 0; i < s->ngpus; i++)
        containers += s->gpus[i];
    printf("bench_sim: in process, %ld replications (%d containers each), best of %d runs:\n"
           "           one thread %.4f s CPU = %.3f us per replication (%.1f ns per container, summaries "
           "included)\n           all %u cores %.4f s wall = %.3f us per replication\n",
           R, containers, runs, best1, best1 / R * 1e6, best1 / R / containers * 1e9, sim_mc_threads_default(),
           bestn, bestn / R * 1e6);
    printf("           mean wall k=1 %.3f s, k=16 %.3f s\n", e.k[0].wall_mean, e.k[s->ngpus - 1].wall_mean);
    printf("BENCH name=mc_overlay impl=forkcast metric=replications_per_s value=%.6g\n", R / best1);
    printf("BENCH name=mc_overlay_all_cores impl=forkcast metric=replications_per_s value=%.6g\n", R / bestn);
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

static int bench_rss(const char *bin)
{
    static const long Rs[] = {10000, 100000, 1000000};
    long rss[3];
    double w;
    for (int i = 0; i < 3; i++)
        if (run_cli(bin, Rs[i], &w, &rss[i])) {
            fprintf(stderr, "bench_sim: %s sim failed\n", bin);
            return 1;
        }
    double slope = (double)(rss[2] - rss[1]) * 1024 / (double)(Rs[2] - Rs[1]);
    double expect = 2 * 5 * 8.0;
    printf("bench_sim: peak RSS of forkcast sim: R=1e4 %.1f MiB, R=1e5 %.1f MiB, R=1e6 %.1f MiB; growth %.1f "
           "bytes per replication (2 arrays x 5 k x 8 bytes = %.0f): %s\n",
           rss[0] / 1024.0, rss[1] / 1024.0, rss[2] / 1024.0, slope, expect,
           slope <= 1.25 * expect ? "ok" : "TOO MUCH");
    printf("BENCH name=sim_rss impl=forkcast metric=bytes_per_replication value=%.6g\n", slope);
    printf("BENCH name=sim_rss_1e6 impl=forkcast metric=peak_rss_mib value=%.6g\n", rss[2] / 1024.0);
    return slope <= 1.25 * expect ? 0 : 1;
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
        rc = bench_reps(&s, R, 50);
    if (!rc)
        rc = bench_events(&s, R);
    if (!rc)
        rc = bench_rss(bin);
    model_scenario_free(&s);
    return rc;
}
