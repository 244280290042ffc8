/* bench/bench_capacity.c -- jobs per second and peak memory of sim/capacity.
 *
 * A stream of k = 1 jobs with simple (fixed) overheads: Poisson arrivals at
 * 12600/h, frames exponential with mean 300 at 25 ms each, cold start 10 s,
 * warm start 1 s, request 0.1 s, at most 50 containers, scale-down 60 s
 * (about 30 busy, some queueing, warm and cold starts both happen).
 * Each size runs in a forked child, so its peak RSS (getrusage of the
 * child, ru_maxrss) is its own; the time is the child's CPU time in
 * sim_cap_run (CLOCK_PROCESS_CPUTIME_ID), wall time beside it.
 * Memory must not grow with the jobs simulated: the 10^6 run's peak RSS is
 * compared with the 10^4 run's.
 *
 *   build/bench/bench_capacity [JOBS...]    default 10000 100000 1000000
 *
 * Output: a human line per size and parseable lines
 *   BENCH name=capacity_N impl=forkcast metric=jobs_per_s|seconds|peak_rss_kb value=V
 * Exit 1 if a run fails or breaks Little's law (1%).
 */
#include "sim/capacity.h"

#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Child: run `jobs` jobs, print the result line, exit 0 or 1. */
static int child(long jobs)
{
    char js[1024], err[1024];
    snprintf(js, sizeof js,
             "{\"name\":\"bench\",\"job\":{\"frames\":{\"dist\":\"exponential\",\"mean\":300}},"
             "\"stage\":{\"per_frame_s\":0.025},"
             "\"platform\":{\"cold_start_s\":10,\"warm_start_s\":1,\"request_s\":0.1,\"gpu_per_s\":0.000164,"
             "\"max_containers\":50,\"scaledown_window_s\":60},"
             "\"parallel\":{\"policy\":\"fixed:1\"},"
             "\"workload\":{\"rate_per_hour\":12600,\"jobs\":%ld}}", jobs);
    model_scenario s;
    sim_cap *c = NULL;
    sim_cap_result r;
    int rc = model_scenario_parse(js, "bench", &s, err, sizeof err);
    if (!rc)
        rc = sim_cap_new(&s, &c, err, sizeof err);
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    if (!rc)
        rc = sim_cap_run(c, 1, NULL, &r, err, sizeof err);
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = now(CLOCK_MONOTONIC) - w0;
    if (rc) {
        fprintf(stderr, "bench_capacity: %s\n", err);
        return 1;
    }
    double little = fabs(r.mean_in_system / (r.arrival_rate * r.latency_mean) - 1);
    printf("%8ld jobs: %.3f s CPU (%.3f s wall), %.2f M jobs/s, %.1f events/job, "
           "latency p95 %.1f s, mean busy %.1f, peak %d, cold %.1f%%, Little %.2g\n",
           jobs, cpu, wall, (double)jobs / cpu / 1e6, (double)r.events / (double)jobs, r.latency_p95,
           r.mean_busy, r.peak, 100 * r.cold_start_fraction, little);
    printf("BENCH name=capacity_%ld impl=forkcast metric=seconds value=%.4f\n", jobs, cpu);
    printf("BENCH name=capacity_%ld impl=forkcast metric=jobs_per_s value=%.0f\n", jobs, (double)jobs / cpu);
    fflush(stdout);
    sim_cap_free(c);
    model_scenario_free(&s);
    return little > 0.01;
}

int main(int argc, char **argv)
{
    long def[] = {10000, 100000, 1000000};
    int n = argc > 1 ? argc - 1 : 3;
    long rss_first = 0, rss_last = 0;
    int fail = 0;
    for (int i = 0; i < n; i++) {
        long jobs = argc > 1 ? atol(argv[i + 1]) : def[i];
        if (jobs < 1) {
            fprintf(stderr, "usage: bench_capacity [JOBS...]\n");
            return 2;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0)
            _exit(child(jobs));
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
            fprintf(stderr, "bench_capacity: the %ld-job run failed\n", jobs);
            fail = 1;
            continue;
        }
        printf("%8ld jobs: peak RSS %ld KiB\n", jobs, ru.ru_maxrss);
        printf("BENCH name=capacity_%ld impl=forkcast metric=peak_rss_kb value=%ld\n", jobs, ru.ru_maxrss);
        if (i == 0)
            rss_first = ru.ru_maxrss;
        rss_last = ru.ru_maxrss;
    }
    if (n > 1 && rss_first > 0)
        printf("peak RSS, last size / first size: %.2fx\n", (double)rss_last / (double)rss_first);
    return fail;
}
