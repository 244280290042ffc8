/* sim/capacity.h -- capacity planning: a stream of jobs on an autoscaled pool
 * of GPU containers, simulated on sim/engine.h (docs/capacity.md).
 *
 * Workload: Poisson arrivals at workload.rate_per_hour, a renewal process
 * with gaps drawn from workload.interarrival_s, a daily profile
 * (rate_per_hour_by_hour, a non-homogeneous Poisson process by thinning) or
 * a trace CSV streamed from disk; job frames drawn from job.frames (rounded,
 * >= 1); arrivals stop after workload.hours or workload.jobs. Each job is
 * split by the policy (fixed:K, threshold:FRAMES:K, auto) into k <= frames
 * chunks (inputs) by model/chunk.h, as the closed form splits it; input i
 * takes
 *   start + request + download + ffmpeg_start + seek (i > 0)
 *   + process(n_i) + upload(output * n_i / N),
 * with process(n) one draw of model_dist_sum(per_frame, n). The start is
 * cold_start_s on a new container, warm_start_s on an idle one, nothing on
 * one already serving (max_inputs > 1), the rest of its cold start on one
 * still booting. After the last chunk, a job with k > 1 concatenates
 * (concat_s + k * one draw of concat_per_chunk_s) off the pool.
 *
 * Pool: at most max_containers live (0: unlimited), each serving up to
 * max_inputs inputs at once; with a non-linear concurrency_throughput the
 * inputs of a container share it (processor sharing: each of n progresses
 * at theta(n) / n). An input goes to an idle container (platform.idle_rule
 * picks which), else one serving with a free slot, else a new container
 * (cold), else waits in one FIFO queue. A job is rejected at arrival when
 * more of its inputs would wait than platform.max_queue allows (0: a loss
 * system), and dropped when one of its inputs has waited queue_timeout_s.
 * max(min_containers, initial_warm) containers are live and warm at t = 0;
 * while any container is busy the pool boots containers up to busy +
 * buffer_containers. An idle container whose scaledown_window_s has run out
 * shuts down as soon as the pool holds more than max(min_containers, busy +
 * buffer). Every live second is billed at the container rate; a container
 * that shuts down in the window has its lifetime (less its cold start when
 * billing.includes_cold_start is false) rounded up to billing.granularity_s,
 * at least billing.minimum_s.
 *
 * The statistics window is the arrival stream's: from the arrival of the
 * first counted job (after workload.warmup_jobs; t = 0 without a warm-up) to
 * the later of the last counted job's departure and workload.hours; the run
 * stops there (idle timers running beyond it are not waited for). Latency
 * and wait figures are over served jobs only. Streaming sums and fixed
 * log-binned GSL histograms (latency, queue wait, lifespan): memory grows
 * with the jobs and containers in the system, never with the jobs
 * simulated, and the system is bounded: a run that would hold more than
 * SIM_CAP_MAX_INPUTS inputs (waiting or in service) or jobs stops there,
 * unstable. Histogram quantiles are within one bin of the empirical
 * quantile: 0.23% relative above 1e-4 s (1000 bins per decade up to 1e8 s),
 * 1e-4 s absolute below.
 *
 * Cost: a few engine events per chunk (arrival, done, scale-down timer;
 * under processor sharing one event per change of a container's inputs,
 * O(max_inputs) each) and one histogram insertion per job; measured in
 * bench/bench_capacity.c. Policy auto costs one closed-form evaluation per
 * distinct frame count (~0.3 ms for four GPU counts), cached in a fixed
 * 16384-entry table.
 *
 * Files: sim/cap_impl.h lists them. The pool-size search is sim/cap_sweep.h.
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

/* Inputs (waiting or in service) and jobs a run holds at most: past either
 * the run stops, unstable (about 250 bytes each: under 300 MB). */
#define SIM_CAP_MAX_INPUTS (1L << 20)

typedef struct sim_cap sim_cap;

typedef struct {
    long jobs;                 /* counted jobs: arrived after the warm-up */
    long jobs_total;           /* every job that arrived */
    long served, rejected, timed_out; /* of the counted jobs */
    double rejected_fraction, timed_out_fraction; /* of the counted jobs */
    long chunks;               /* chunks (inputs) of counted jobs */
    /* served jobs only: */
    double latency_mean, latency_p50, latency_p95, latency_p99; /* arrival to done, s */
    double wait_mean, wait_p95;   /* arrival until the job's last chunk got a container, s */
    double cold_start_fraction;   /* per input: counted inputs started that waited for a cold start */
    double cold_per_container_start; /* cold starts / (cold + warm container starts) */
    double cold_per_job;          /* served jobs with at least one cold input */
    long cold_starts, warm_starts; /* container starts for counted inputs */
    double utilization;           /* busy / live container-seconds */
    double mean_busy, mean_idle;  /* time-averaged containers; idle = live - busy */
    double state_starting, state_busy, state_idle; /* per state: in a cold start, serving, idle */
    double mean_inputs;           /* time-averaged inputs in service */
    double mean_queue;            /* time-averaged chunks waiting */
    int peak;                     /* most live containers at once */
    double lifespan_mean, lifespan_p50, lifespan_p95; /* containers that shut down in the window, s */
    long lifespan_ended, alive_at_end;
    double gpus_per_job_mean;     /* mean k of counted jobs */
    double busy_s, idle_s;        /* container-seconds in the window */
    double billed_s;              /* billed container-seconds in the window */
    double cost_usd;              /* billed_s * rate + concat billing of counted jobs */
    double idle_cost_usd;         /* idle_s * rate: what the idle (warm) pool costs */
    double cost_per_job, cost_per_hour, cost_per_day; /* per served job; per window hour */
    double t_start, t_end, window_s;  /* the statistics window, s */
    double mean_in_system;        /* L: time-averaged admitted counted jobs in the system */
    double arrival_rate;          /* lambda: admitted counted jobs / window_s, per s */
    double time_in_system_mean;   /* W: admitted jobs (served: latency; timed out: until dropped), s */
    double load_erlangs;          /* offered load: arrival rate * mean input time * inputs per job */
    double load_per_capacity;     /* load_erlangs / (max_containers * theta(max_inputs)); -1 unlimited */
    int stable;                   /* 0: stopped at the bound, or load_per_capacity >= 1 with an
                                     unlimited queue and no timeout */
    int stopped;                  /* 1: the run stopped at SIM_CAP_MAX_INPUTS */
    long stop_queue, stop_inputs; /* stopped: chunks waiting and in service then */
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

#define SIM_CAP_MAX_BUCKETS 60

/* One transient bucket [start, end): jobs by their arrival in it, time
 * averages over it. */
typedef struct {
    double start, end;
    long arrivals, served, rejected, timed_out;
    double latency_mean, latency_p50, latency_p95, latency_p99, wait_mean; /* served jobs that arrived in it */
    double cold_start_fraction;   /* their inputs */
    double mean_live, mean_busy, mean_queue;
    double state_starting, state_busy, state_idle;
    double cost_usd;              /* live container-seconds * rate (rounding is the run's) */
} sim_cap_bucket;

typedef struct {
    const sim_cap_series *series; /* NULL: none */
    int buckets;                  /* transient: 1..SIM_CAP_MAX_BUCKETS buckets over [0, hours]; 0 none */
    sim_cap_bucket *bucket;       /* [buckets], filled by the run */
    /* Progress, optional: every 4096 arrivals, (simulated s, workload.hours
     * in s) or, without hours, (arrivals, workload.jobs), from the run's thread. */
    void (*progress)(void *ctx, double done, double total);
    void *progress_ctx;
} sim_cap_opts;

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
 * changed under us), BASE_ERUNTIME when out of memory. sim_cap_run_opts()
 * is the same with options (o may be NULL); a transient run needs
 * workload.hours and no warm-up (BASE_EINPUT otherwise). */
int sim_cap_run(sim_cap *c, uint64_t seed, const sim_cap_series *series, sim_cap_result *out,
                char *err, size_t errsz);
int sim_cap_run_opts(sim_cap *c, uint64_t seed, const sim_cap_opts *o, sim_cap_result *out, char *err,
                     size_t errsz);

/* The stability warning of a result in one line ("" when stable). */
void sim_cap_stability_note(const sim_cap_result *r, char *buf, size_t n);

/* JSON (docs/capacity.md; field names are a contract: add, never rename).
 * sim_cap_header_json(): {"scenario","method":"capacity","seed","policy",
 * "workload","pool":{max_containers,min_containers,buffer_containers,
 * scaledown_window_s,max_queue,queue_timeout_s,max_inputs,
 * concurrency_throughput,idle_rule,initial_warm}} of the scenario as run.
 * sim_cap_result_add_json() adds a result's fields to an object: "jobs",
 * "latency_s":{mean,p50,p95,p99},"queue_wait_s":{mean,p95},
 * "cold_start_fraction","utilization","containers":{mean_busy,mean_idle,
 * peak,per_state,mean_inputs,lifespan_s},"cost_per_job_usd",
 * "cost_per_hour_usd","cost_per_day_usd", then "served",
 * "rejected_fraction","timed_out_fraction","stable","stability",
 * "cold_starts","load","idle_cost_usd", "jobs_total","gpus_per_job_mean",
 * "queue_mean","billed_container_s","cost_usd","window_s":{start,end},
 * "little":{...},"events". sim_cap_result_json() is the two together: one
 * run's document; sim_cap_transient_json() the buckets as an array. Owned
 * trees (cJSON_Delete); NULL when out of memory. */
cJSON *sim_cap_header_json(const model_scenario *s);
void sim_cap_result_add_json(cJSON *o, const sim_cap_result *r);
cJSON *sim_cap_result_json(const model_scenario *s, const sim_cap_result *r);
cJSON *sim_cap_transient_json(const sim_cap_bucket *b, int n);

#endif
