/* bench/bench_proc_run.c -- what the calibration process runner adds to a
 * measured run. base_proc_run (fork/exec, own process group, exec-error pipe,
 * pidfd wait, output files) against two peers timed in the same process:
 * posix_spawnp + waitpid (the least a runner can do) and system(3) (one
 * extra shell). Rows: `true` (pure overhead), `sleep 0.05` (bias on a known
 * duration), and the lateness of a timeout kill of `sleep 10` at 0.1 s. */
#include "calibrate/command_cal.h"
#include "base/clock.h"
#include "base/proc.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

extern char **environ;

static double run_cal(char *const argv[], double timeout)
{
    base_proc_result r;
    char err[256];
    if (base_proc_run(argv, NULL, NULL, timeout, NULL, &r, err, sizeof err) != 0) {
        fprintf(stderr, "bench_proc_run: %s\n", err);
        exit(1);
    }
    return r.wall_s;
}

static double run_spawn(char *const argv[])
{
    pid_t pid;
    int st;
    double t0 = base_now_s();
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
        perror("posix_spawnp");
        exit(1);
    }
    waitpid(pid, &st, 0);
    return base_now_s() - t0;
}

static double run_system(const char *cmd)
{
    double t0 = base_now_s();
    if (system(cmd) != 0)
        fprintf(stderr, "bench_proc_run: system(%s) failed\n", cmd);
    return base_now_s() - t0;
}

static void row(const char *what, const char *who, double *x, size_t n, double minus)
{
    for (size_t i = 0; i < n; i++)
        x[i] -= minus;
    gsl_sort(x, 1, n);
    printf("%-22s %-22s %6zu %12.1f %12.1f %12.1f\n", what, who, n,
           1e6 * gsl_stats_median_from_sorted_data(x, 1, n),
           1e6 * gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95), 1e6 * x[0]);
}

int main(void)
{
    enum { N_TRUE = 300, N_SLEEP = 20, N_KILL = 10 };
    static double a[N_TRUE], b[N_TRUE], c[N_TRUE];
    char *tru[] = {"true", NULL}, *slp[] = {"sleep", "0.05", NULL}, *hang[] = {"sleep", "10", NULL};

    printf("bench_proc_run: wall time per run in microseconds (rows in the same process)\n");
    printf("%-22s %-22s %6s %12s %12s %12s\n", "what", "runner", "runs", "median_us", "p95_us",
           "min_us");
    for (int i = 0; i < N_TRUE; i++) { /* interleaved so drift hits all three */
        a[i] = run_cal(tru, 30);
        b[i] = run_spawn(tru);
        c[i] = run_system("true");
    }
    row("true", "base_proc_run", a, N_TRUE, 0);
    row("true", "posix_spawnp+waitpid", b, N_TRUE, 0);
    row("true", "system(3)", c, N_TRUE, 0);

    for (int i = 0; i < N_SLEEP; i++) {
        a[i] = run_cal(slp, 30);
        b[i] = run_spawn(slp);
    }
    row("sleep 0.05 - 0.05 s", "base_proc_run", a, N_SLEEP, 0.05);
    row("sleep 0.05 - 0.05 s", "posix_spawnp+waitpid", b, N_SLEEP, 0.05);

    for (int i = 0; i < N_KILL; i++)
        a[i] = run_cal(hang, 0.1);
    row("timeout 0.1 s: late by", "base_proc_run", a, N_KILL, 0.1);
    return 0;
}
