/* bench/bench_capacity.c -- jobs per second and peak memory of sim/capacity.
 *
 * A stream of k = 1 jobs with simple (fixed) overheads: Poisson arrivals at
 * 12600/h, frames exponential with mean 300 at 25 ms each, cold start 10 s,
 * warm start 1 s, request 0.1 s, at most 50 containers, scale-down 60 s
 * (about 30 busy, some queueing, warm and cold starts both happen): the
 * capacity_N lines. The capacity_all_N lines run the same stream with every
 * pool and workload field of issue 14 on: gamma gaps of cv 2 (a renewal
 * process), max_queue 50 with a 30 s queue timeout, 2 inputs per
 * container with throughput [1, 1.6] (processor sharing), idle rule newest,
 * 10 containers warm at t = 0, at most 20 containers (capacity 32 for
 * about 30 erlangs: queueing, some losses).
 * The capacity_pipe_N lines run the same stream through a pipeline of two
 * groups (sim/cap_pipe.h), each its own pool of at most 50 containers
 * with a 60 s scale-down: the first stage as above, then a second of 10 ms
 * a frame (about 30 and 12 busy): two pools' events plus the step over the
 * pools, per video.
 * Each size runs in a forked child, so its peak RSS (getrusage of the
 * child, ru_maxrss) is its own; the time is the child's CPU time in
 * sim_cap_run (CLOCK_PROCESS_CPUTIME_ID), wall time beside it.
 * Memory must not grow with the jobs simulated: the 10^6 run's peak RSS is
 * compared with the 10^4 run's.
 *
 *   build/bench/bench_capacity [JOBS...]    default 10000 100000 1000000
 *                                           (the all-fields case at the last size)
 *
 * Output: a human line per size and parseable lines
 *   BENCH name=capacity_N impl=forkcast metric=jobs_per_s|seconds|peak_rss_kb value=V
 * Exit 1 if a run fails, is unstable or breaks Little's law (1%).
 */
#include "sim/cap_pipe.h"
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

enum { PLAIN, ALL, PIPE };
static const char *const names[] = {"capacity", "capacity_all", "capacity_pipe"};
static const char *const what[] = {"", " (all fields)", " (pipeline, 2 groups)"};

/* The pipeline case: the plain stream through stages a then b. */
static int pipe_child(long jobs)
{
    char js[2048], err[1024];
    snprintf(js, sizeof js,
             "{\"name\":\"bench\",\"job\":{\"frames\":{\"dist\":\"exponential\",\"mean\":300}},"
             "\"stage\":{\"per_frame_s\":0.025},"
             "\"platform\":{\"gpu\":\"T4\",\"cold_start_s\":10,\"warm_start_s\":1,\"request_s\":0.1,"
             "\"gpu_per_s\":0.000164,\"max_containers\":50,\"scaledown_window_s\":60},"
             "\"workload\":{\"rate_per_hour\":12600,\"jobs\":%ld},"
             "\"pipeline\":{\"stages\":[{\"name\":\"a\",\"per_frame_s\":0.025},{\"name\":\"b\",\"per_frame_s\":0.01}],"
             "\"current\":[{\"stages\":[\"a\"],\"gpus\":1},{\"stages\":[\"b\"],\"gpus\":1}]}}",
             jobs);
    model_scenario s;
    sim_cap_plan pl = {0};
    sim_cap_pipe_result *r = malloc(sizeof *r);
    int rc = r ? model_scenario_parse(js, "bench", &s, err, sizeof err) : -1;
    if (!rc)
        rc = sim_cap_plan_make(&s, s.pipeline, s.pipeline->current, s.pipeline->ncurrent, "current", &pl, err,
                               sizeof err);
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    if (!rc)
        rc = sim_cap_pipe_run(&pl, 1, r, err, sizeof err);
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = now(CLOCK_MONOTONIC) - w0;
    if (rc) {
        fprintf(stderr, "bench_capacity: %s\n", r ? err : "out of memory");
        return 1;
    }
    const sim_cap_result *a = &r->all;
    double little = fabs(a->mean_in_system / (a->arrival_rate * a->time_in_system_mean) - 1);
    printf("%8ld jobs%s: %.3f s CPU (%.3f s wall), %.2f M jobs/s, %.1f events/job, latency p95 %.1f s, "
           "mean busy %.1f + %.1f, peak %d, Little %.2g\n", jobs, what[PIPE], cpu, wall, (double)jobs / cpu / 1e6,
           (double)a->events / (double)jobs, a->latency_p95, r->group[0].mean_busy, r->group[1].mean_busy, a->peak,
           little);
    printf("BENCH name=%s_%ld impl=forkcast metric=seconds value=%.4f\n", names[PIPE], jobs, cpu);
    printf("BENCH name=%s_%ld impl=forkcast metric=jobs_per_s value=%.0f\n", names[PIPE], jobs, (double)jobs / cpu);
    fflush(stdout);
    int bad = little > 0.01 || !a->stable;
    sim_cap_plan_free(&pl);
    model_scenario_free(&s);
    free(r);
    return bad;
}

/* Child: run `jobs` jobs (every new field on when `all`), print the result
 * line, exit 0 or 1. */
static int child(long jobs, int all)
{
    char js[1024], err[1024];
    snprintf(js, sizeof js,
             "{\"name\":\"bench\",\"job\":{\"frames\":{\"dist\":\"exponential\",\"mean\":300}},"
             "\"stage\":{\"per_frame_s\":0.025},"
             "\"platform\":{\"cold_start_s\":10,\"warm_start_s\":1,\"request_s\":0.1,\"gpu_per_s\":0.000164,"
             "\"max_containers\":%d,\"scaledown_window_s\":60%s},"
             "\"parallel\":{\"policy\":\"fixed:1\"},"
             "\"workload\":{%s,\"jobs\":%ld}}",
             all ? 20 : 50,
             all ? ",\"max_queue\":50,\"queue_timeout_s\":30,\"max_inputs\":2,"
                   "\"concurrency_throughput\":[1,1.6],\"idle_rule\":\"newest\"" : "",
             all ? "\"interarrival_s\":{\"dist\":\"gamma\",\"mean\":0.2857142857142857,\"cv\":2},"
                   "\"initial_warm\":10" : "\"rate_per_hour\":12600",
             jobs);
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
    const char *name = all ? "capacity_all" : "capacity";
    double little = fabs(r.mean_in_system / (r.arrival_rate * r.time_in_system_mean) - 1);
    printf("%8ld jobs%s: %.3f s CPU (%.3f s wall), %.2f M jobs/s, %.1f events/job, "
           "latency p95 %.1f s, mean busy %.1f, peak %d, cold %.1f%%, lost %.1f%%, Little %.2g\n",
           jobs, all ? " (all fields)" : "", cpu, wall, (double)jobs / cpu / 1e6, (double)r.events / (double)jobs,
           r.latency_p95, r.mean_busy, r.peak, 100 * r.cold_start_fraction,
           100 * (r.rejected_fraction + r.timed_out_fraction), little);
    printf("BENCH name=%s_%ld impl=forkcast metric=seconds value=%.4f\n", name, jobs, cpu);
    printf("BENCH name=%s_%ld impl=forkcast metric=jobs_per_s value=%.0f\n", name, jobs, (double)jobs / cpu);
    fflush(stdout);
    sim_cap_free(c);
    model_scenario_free(&s);
    return little > 0.01 || !r.stable;
}

/* Run the case `mode` of `jobs` jobs in a fork; its peak RSS into *rss. 0 ok. */
static int fork_run(long jobs, int mode, long *rss)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0)
        _exit(mode == PIPE ? pipe_child(jobs) : child(jobs, mode == ALL));
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "bench_capacity: the %ld-job run%s failed\n", jobs, what[mode]);
        return 1;
    }
    printf("%8ld jobs%s: peak RSS %ld KiB\n", jobs, what[mode], ru.ru_maxrss);
    printf("BENCH name=%s_%ld impl=forkcast metric=peak_rss_kb value=%ld\n", names[mode], jobs, ru.ru_maxrss);
    *rss = ru.ru_maxrss;
    return 0;
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
        long rss;
        if (fork_run(jobs, PLAIN, &rss)) {
            fail = 1;
            continue;
        }
        if (i == 0)
            rss_first = rss;
        rss_last = rss;
        if (i == n - 1 && (fork_run(jobs, ALL, &rss) || fork_run(jobs, PIPE, &rss)))
            fail = 1;
    }
    if (n > 1 && rss_first > 0)
        printf("peak RSS, last size / first size: %.2fx\n", (double)rss_last / (double)rss_first);
    return fail;
}
