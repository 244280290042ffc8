/* bench/bench_advise.c -- `forkcast advise` on the built-in default: the
 * whole process (spawned, as a user runs it) and model_evaluate in-process.
 * Goal (issue: cost model): under 50 ms wall. Prints BENCH lines. */
#include "model/evaluate.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void)
{
    const char *bin = getenv("FORKCAST");
    enum { RUNS = 30 };
    double t[RUNS];
    char err[512];
    model_scenario s;
    if (model_scenario_default(NULL, 0, &s, err, sizeof err)) {
        fprintf(stderr, "bench_advise: %s\n", err);
        return 1;
    }
    model_opts o = {0};
    model_eval e;
    for (int i = 0; i < RUNS; i++) {
        double t0 = now();
        if (model_evaluate(&s, &o, &e, err, sizeof err)) {
            fprintf(stderr, "bench_advise: %s\n", err);
            return 1;
        }
        t[i] = now() - t0;
    }
    gsl_sort(t, 1, RUNS);
    double inproc = gsl_stats_median_from_sorted_data(t, 1, RUNS) * 1e3;
    printf("advise default, in-process model_evaluate (4 GPU counts + break-even): median %.2f ms over %d runs\n",
           inproc, RUNS);
    printf("BENCH name=advise impl=forkcast metric=inprocess_ms value=%.3f\n", inproc);
    if (bin) {
        char *argv[] = {(char *)bin, "advise", NULL};
        for (int i = 0; i < RUNS; i++) {
            pid_t pid;
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
            double t0 = now();
            if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) != 0) {
                fprintf(stderr, "bench_advise: cannot run %s\n", bin);
                return 1;
            }
            int st;
            waitpid(pid, &st, 0);
            t[i] = now() - t0;
            posix_spawn_file_actions_destroy(&fa);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "bench_advise: forkcast advise failed\n");
                return 1;
            }
        }
        gsl_sort(t, 1, RUNS);
        double whole = gsl_stats_median_from_sorted_data(t, 1, RUNS) * 1e3;
        printf("advise default, whole process `forkcast advise`: median %.2f ms (goal < 50 ms): %s\n", whole,
               whole < 50 ? "ok" : "SLOW");
        printf("BENCH name=advise impl=forkcast metric=process_ms value=%.3f\n", whole);
    }
    model_scenario_free(&s);
    return 0;
}
