/* model/bounds.h -- the plausible domain of a scenario, stated once.
 *
 * Every bound the parser (model/scenario.c, model/dist_parse.c) and the
 * command-line overrides (cli/, through model_scenario_check_value and
 * model_bounds_scenario) apply is a constant here, with its reason; the
 * field table in model/scenario.c and the kind table in model/dist_parse.c
 * use these names, and docs/scenario.md ("Plausible domains") lists them.
 * Inside the domain every distribution's sampler, CDF, quantile, mean and
 * variance are finite and accurate, the model's convolution resolves every
 * sum of phases (model/rv.h: its grid needs at most MODEL_RV_GRID_MAX
 * points when each part's span/IQR ratio, q(1-1e-10)-q(1e-10) over
 * q(.75)-q(.25), is at most 16384), and every command ends in bounded time
 * with finite numbers. Outside it: one line "FILE: FIELD: problem (got X)",
 * status BASE_EINPUT.
 */
#ifndef FORKCAST_MODEL_BOUNDS_H
#define FORKCAST_MODEL_BOUNDS_H

#include "model/dist.h"
#include "model/scenario.h"

#include <stddef.h>

/* ---- any one phase ---------------------------------------------------- */
/* Mean and p99.9 of any one phase (a start, a request, the FFmpeg start, a
 * seek, a concat): a day. Beyond, the job is not a serverless call. */
#define MODEL_MAX_PHASE_S 86400.0
/* Mean and p99.9 of one frame's processing: an hour. */
#define MODEL_MAX_PER_FRAME_S 3600.0
#define MODEL_BOUND_QUANTILE 0.999
/* The scale of a distribution (lognormal median, gamma and exponential
 * mean, Weibull scale): at least a nanosecond. A smaller random time is 0
 * for every purpose; keeping it off the denormals keeps its CDF, its grid
 * and its products with prices in normal doubles. */
#define MODEL_MIN_SCALE_S 1e-9

/* ---- the shape of each kind --------------------------------------------- */
/* span/IQR ratio at the bound, against the 16384 the grid resolves: */
#define MODEL_LOGNORMAL_MAX_SIGMA 1.6   /* 10113; p95 at most 13.9 x median, CV 3.5 */
#define MODEL_GAMMA_MAX_CV 4.0          /* 2950 (cv 5: 39064) */
#define MODEL_GAMMA_MIN_CV 1e-3         /* shape 10^6; a chunk of 10^9 frames is shape 10^15,
                                           still accurate (model/dist.h, Temme) */
#define MODEL_WEIBULL_MIN_SHAPE 0.3     /* 11754 (0.25: 76251); CV 5.4 */
#define MODEL_WEIBULL_MAX_SHAPE 1000.0  /* CV 0.13%: a fixed time in all but name */
/* Samples of an empirical distribution: each at most the phase bound; at
 * most this many (its mean is O(n)). */
#define MODEL_EMPIRICAL_MAX_SAMPLES 100000

/* ---- the job ------------------------------------------------------------ */
/* frames x mean per-frame time, the job on one GPU: about 3 years. */
#define MODEL_MAX_JOB_S 1e8
/* job.input_mb, output_mb: 10 TB. */
#define MODEL_MAX_MB 1e7
/* A bandwidth, MB/s: 0 (no transfer time) or 1 kB/s .. 1 TB/s; and a
 * transfer (a download, the whole upload) is a phase: at most a day. */
#define MODEL_MIN_MB_S 1e-3
#define MODEL_MAX_MB_S 1e6
/* A price, USD per second (GPU, core, GiB): 0 or 1e-12 .. 1 ($3600/h, far
 * above any GPU listed). */
#define MODEL_MIN_PRICE 1e-12
#define MODEL_MAX_PRICE 1.0
#define MODEL_MAX_CORES 4096
#define MODEL_MAX_MEM_GIB 1e5

/* ---- the platform, the run, the decision, the workload --------------------- */
#define MODEL_MAX_CONTAINERS 1000000     /* max/min/buffer containers: a pool of a million */
#define MODEL_MAX_SCALEDOWN_S 1e9        /* idle timeout: "never" for any run (31 years) */
#define MODEL_MAX_FAILURE_RATE 1.0       /* per second: a container dying within a second on
                                            average already finishes no job */
#define MODEL_MAX_RETRIES 1000
#define MODEL_MAX_CHUNKS_PER_GPU 1024
#define MODEL_MAX_REPLICATIONS 1e9       /* sim.replications; --replications allows 2^40 - 1 */
#define MODEL_MAX_DECISION 1e6           /* min_speedup, max_cost_increase */
#define MODEL_MAX_RATE_PER_HOUR 1e9      /* arrivals: ~280 000 per second */
#define MODEL_MAX_HOURS 1e6              /* a run of 114 years of arrivals */
#define MODEL_MAX_JOBS 1e10
#define MODEL_MAX_QUEUE 1e9              /* platform.max_queue: jobs waiting */

/* The value-level checks of a parsed time (after its parameters passed the
 * kind's bounds): mean and p99.9 at most max_s, empirical samples at most
 * max_s each. "FILE: PATH: mean must be at most 86400 s (got 1e+05)". */
int model_bounds_dist(const model_dist *d, double max_s, const char *unit, const char *file, const char *path,
                      char *err, size_t errsz);
/* A per-frame cost: d within MODEL_MAX_PER_FRAME_S (model_bounds_dist), and
 * frames of it at most MODEL_MAX_JOB_S of work on one GPU. For a stage's
 * figure in a pipeline or a per-stage profile; "FILE: PATH: ...". */
int model_bounds_per_frame(const model_dist *d, long frames, const char *file, const char *path, char *err,
                           size_t errsz);
/* The cross-field bounds of a whole scenario, run by the parser and again
 * after command-line overrides (`who` names the input in messages): the
 * job's work, each transfer, the concat at the largest GPU count. */
int model_bounds_scenario(const model_scenario *s, const char *who, char *err, size_t errsz);

#endif
