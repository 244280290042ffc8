/* sim/capacity.h -- capacity planning: a stream of jobs on an autoscaled pool
 * of GPU containers, simulated on sim/engine.h (docs/capacity.md).
 *
 * Workload: Poisson arrivals at workload.rate_per_hour, a daily profile
 * (rate_per_hour_by_hour, a non-homogeneous Poisson process by thinning) or
 * a trace CSV streamed from disk; job frames drawn from job.frames (rounded,
 * >= 1); arrivals stop after workload.hours or workload.jobs and the jobs in
 * the system then run to completion. Each job is split by the policy
 * (fixed:K, threshold:FRAMES:K, auto) into k <= frames chunks by
 * model/chunk.h, as the closed form splits it; chunk i takes
 *   start + request + download + ffmpeg_start + seek (i > 0)
 *   + process(n_i) + upload(output * n_i / N),
 * with process(n) one draw of model_dist_sum(per_frame, n). The start is
 * warm_start_s on a live idle container, cold_start_s on a new one. After
 * the last chunk, a job with k > 1 concatenates (concat_s + k * one draw of
 * concat_per_chunk_s) off the pool.
 *
 * Pool: at most max_containers live (0: unlimited); a chunk takes the most
 * recently idle container, else a new one (cold), else waits in one FIFO
 * queue. min_containers are live (idle, warm) from t = 0; while any
 * container is busy the pool boots containers up to busy +
 * buffer_containers. An idle container whose scaledown_window_s has run out
 * shuts down as soon as the pool holds more than that target. Every live
 * second is billed at the container rate; each container's lifetime (less
 * its cold start when billing.includes_cold_start is false) is rounded up to
 * billing.granularity_s, at least billing.minimum_s.
 *
 * Statistics cover the window from the arrival of the first counted job
 * (after workload.warmup_jobs; t = 0 when there is no warm-up) to the end:
 * the later of the last job's completion, the last scale-down and
 * workload.hours. Streaming sums and two fixed log-binned GSL histograms
 * (latency, queue wait): memory grows with the jobs and containers in the
 * system, never with the jobs simulated. Histogram quantiles are within one
 * bin of the empirical quantile: 0.23% relative above 1e-4 s (1000 bins per
 * decade up to 1e8 s), 1e-4 s absolute below.
 *
 * Cost: a few engine events per chunk (arrival, done, scale-down timer) and
 * one histogram insertion per job; measured in bench/bench_capacity.c.
 * Policy auto costs one closed-form evaluation per distinct frame count
 * (~0.3 ms for four GPU counts), cached in a fixed 16384-entry table.
 *
 * Files: sim/capacity.c (this interface), sim/cap_pool.c (one run: the pool
 * and its events), sim/cap_trace.c (the trace reader), sim/cap_hist.c (the
 * histograms); sim/cap_impl.h is their private header. The pool-size search
 * is sim/cap_sweep.h.
 *
 * Ownership: sim_cap_new() returns an owned object freed by sim_cap_free();
 * it borrows the scenario, which must outlive it and not change. One object
 * runs one simulation at a time (not thread-safe); runs are reproducible
 * from the seed.
 */
#ifndef FORKCAST_SIM_CAPACITY_H
#define FORKCAST_SIM_CAPACITY_H

#include "model/scenario.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_cap sim_cap;

typedef struct {
    long jobs;                 /* counted jobs (arrived after the warm-up) */
    long jobs_total;           /* every job that arrived */
    long chunks;               /* chunks of counted jobs */
    double latency_mean, latency_p50, latency_p95, latency_p99; /* arrival to done, s */
    double wait_mean, wait_p95;   /* arrival until the job's last chunk got a container, s */
    double cold_start_fraction;   /* of counted jobs' chunks */
    double utilization;           /* busy / live container-seconds */
    double mean_busy, mean_idle;  /* time-averaged containers; idle = live - busy */
    double mean_queue;            /* time-averaged chunks waiting */
    int peak;                     /* most live containers at once */
    double gpus_per_job_mean;     /* mean k of counted jobs */
    double busy_s, idle_s;        /* container-seconds in the window */
    double billed_s;              /* billed container-seconds in the window */
    double cost_usd;              /* billed_s * rate + concat billing of counted jobs */
    double cost_per_job, cost_per_hour, cost_per_day;
    double t_start, t_end, window_s;  /* the statistics window, s */
    double mean_in_system;        /* L: time-averaged counted jobs in the system */
    double arrival_rate;          /* lambda: counted jobs / window_s, per s */
    uint64_t events;              /* engine events run */
} sim_cap_result;

/* Called once per sample instant t = 0, step, 2 step, ... <= t_end with the
 * pool state after every event at or before t. */
typedef void (*sim_cap_series_fn)(double t, int busy, int idle, int queue, void *ctx);

typedef struct {
    double step;          /* s, > 0 */
    sim_cap_series_fn fn;
    void *ctx;
} sim_cap_series;

/* Validate what a capacity run needs beyond the scenario parser (a workload
 * and its run length, pool bounds, warm-up < jobs, the trace file: readable,
 * non-empty, arrival_s ascending, frames >= 1), read the trace once through
 * (O(1) memory) and prepare the policy. BASE_EINPUT with a one-line
 * "FILE: FIELD: problem" message on bad input. */
int sim_cap_new(const model_scenario *s, sim_cap **out, char *err, size_t errsz);
void sim_cap_free(sim_cap *c);

/* The GPU count the scenario's policy gives a job of `frames` frames
 * (1 <= k <= frames). For auto: the verdict of model_decide() over the
 * scenario's GPU counts <= frames under the decision thresholds, so either 1
 * or a k the model calls beneficial. BASE_ERUNTIME if the model fails. */
int sim_cap_pick_k(sim_cap *c, long frames, int *k, char *err, size_t errsz);

/* Run the whole workload with `seed` (arrivals and frames from one stream,
 * service times from another, both from sim/mc.h's seeding); `series` may be
 * NULL. BASE_EINPUT when no job is left after the warm-up (or the trace
 * changed under us), BASE_ERUNTIME when out of memory. */
int sim_cap_run(sim_cap *c, uint64_t seed, const sim_cap_series *series, sim_cap_result *out,
                char *err, size_t errsz);

/* JSON (docs/capacity.md; field names are a contract: add, never rename).
 * sim_cap_header_json(): {"scenario","method":"capacity","seed","policy",
 * "workload","pool":{max_containers,min_containers,buffer_containers,
 * scaledown_window_s}} of the scenario as run. sim_cap_result_add_json()
 * adds a result's fields to an object: "jobs","latency_s":{mean,p50,p95,
 * p99},"queue_wait_s":{mean,p95},"cold_start_fraction","utilization",
 * "containers":{mean_busy,mean_idle,peak},"cost_per_job_usd",
 * "cost_per_hour_usd","cost_per_day_usd", then the extras "jobs_total",
 * "gpus_per_job_mean","queue_mean","billed_container_s","cost_usd",
 * "window_s":{start,end},"little":{mean_in_system,arrival_rate_per_s,
 * mean_latency_s},"events". sim_cap_result_json() is the two together: one
 * run's document. Owned trees (cJSON_Delete); NULL when out of memory. */
cJSON *sim_cap_header_json(const model_scenario *s);
void sim_cap_result_add_json(cJSON *o, const sim_cap_result *r);
cJSON *sim_cap_result_json(const model_scenario *s, const sim_cap_result *r);

#endif
