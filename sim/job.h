/* sim/job.h -- one replication of the chunked job: N frames over k GPUs.
 *
 * The process is DESIGN.md's, phase by phase, as model/predict.h states it,
 * with the split, processing law, transfers, billing rounding and concat
 * rate from model/chunk.h:
 * N frames split into M chunks as evenly as possible (the first N mod M get
 * one more frame); a container is requested, starts (warm for the first
 * min_containers containers launched, cold after), then per chunk it pays
 *   request + download (its first chunk only) + ffmpeg_start
 *   + seek (chunks after the first) + process(n_j) + upload(output * n_j / N);
 * the job ends when the last chunk is done; with M > 1 the orchestrator then
 * concats for concat_s + M * (one draw of concat_per_chunk_s).
 * process(n) is ONE draw of model_dist_sum(per_frame, n), as in the model.
 * Billing per container: its life (launch to exit), less its cold start when
 * billing.includes_cold_start is false, rounded up to the granularity, at
 * least the minimum, times model_scenario_rate(); concat billed for its
 * duration (same rounding) at the CPU or GPU rate, or not at all.
 * With every effect off, M = k and this is exactly the model's process.
 *
 * Effects (docs/scenario.md, section "Simulator effects"):
 *   shared_download_mb_s   downloads share one link, processor sharing: each
 *                          active download runs at min(download_mb_s,
 *                          shared / active), rates recomputed as downloads
 *                          start and end;
 *   max_containers < k     at most that many containers at once; the others'
 *                          chunks wait in the chunk queue;
 *   chunks_per_gpu c       (k > 1 only) M = c * k chunks in a FIFO queue; a
 *                          container that finishes a chunk takes the next one:
 *                          it pays request, ffmpeg_start, seek and upload
 *                          again, but no new start and no new download (it
 *                          keeps the source); a container with no chunk left
 *                          exits;
 *   speculative f          once ceil(f * M) chunks are done (and fewer than
 *                          M), every chunk still running gets one backup copy
 *                          (a free container, or a new one within
 *                          max_containers); the first copy to finish wins, the
 *                          other is cancelled then; both are billed;
 *   failure_rate_per_s     each container dies after an Exp(rate) lifetime
 *                          from its launch; a chunk with no live copy left
 *                          restarts from scratch on a new container, first in
 *                          the queue; its (max_retries + 1)-th death fails the
 *                          job: wall and cost are then counted up to that
 *                          instant, no concat, and `failed` is set.
 *
 * Paths: when k's job has no effect that couples containers, sim_job_run()
 * computes each container's finish time directly (no heap operation at all:
 * ~15-25 ns per container here, most of it the start's draw; when the start
 * is the only random phase the rest is one precomputed constant per class of
 * container). Otherwise it runs the event engine (sim/engine.h) with one
 * event per chunk copy (its finish), plus one pending event for the shared
 * link, one per download start, and one death per container. Both paths
 * draw the same numbers in the same order (per container: start,
 * [lifetime], then per chunk request, ffmpeg_start, seek, process), so with
 * the effects off the event path reproduces the direct path: exactly when a
 * phase besides the start is random, to rounding (~1e-16 relative) when the
 * constant is folded (SIM_JOB_FORCE_EVENTS, for tests).
 *
 * Breakdown (out->bd): the phases of the container that finished the last
 * chunk, summed over all the chunks it ran (cut short where a copy was
 * cancelled); `start` also holds the time before that container was launched
 * (waiting for a slot, a restart after a death, a backup). The phases add
 * up to wall.
 *
 * Ownership: sim_job_new() returns an owned, read-only plan (shareable
 * between threads) that borrows the scenario, which must outlive it;
 * sim_job_ws_new() returns per-thread scratch (engine, arrays that grow on
 * demand and are kept); free each with its _free. Not thread-safe per ws.
 */
#ifndef FORKCAST_SIM_JOB_H
#define FORKCAST_SIM_JOB_H

#include "model/predict.h"
#include "model/scenario.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

enum { SIM_JOB_FORCE_EVENTS = 1 }; /* sim_job_new flags: event path even with effects off */

typedef enum {
    SIM_PH_START,
    SIM_PH_REQUEST,
    SIM_PH_DOWNLOAD,
    SIM_PH_FFMPEG_START,
    SIM_PH_SEEK,
    SIM_PH_PROCESS,
    SIM_PH_UPLOAD,
    SIM_PH_CONCAT,
    SIM_PH_CANCELLED,   /* zero-length mark: this copy lost, or the job ended */
    SIM_PH_DIED,        /* zero-length mark: the container died here */
} sim_job_phase;

/* "start", "request", ..., "concat", "cancelled", "died". */
const char *sim_job_phase_name(sim_job_phase p);

typedef struct {
    double wall, cost;
    model_breakdown bd;   /* see above; bd.concat is this job's concat */
    int failed;           /* a chunk died max_retries + 1 times */
    int containers;       /* containers launched */
    uint64_t events;      /* engine events run (0 on the direct path) */
} sim_job_result;

/* One phase of one container on one chunk (container -1, chunk -1: concat).
 * Rows come per container in time order, containers in completion order. */
typedef void (*sim_job_trace_fn)(void *ctx, int k, int container, int chunk, sim_job_phase ph,
                                 double t0, double t1);

typedef struct sim_job sim_job;
typedef struct sim_job_ws sim_job_ws;

/* Plan k GPUs for `frames` frames (>= 1) of scenario s (borrowed). flags:
 * 0 or SIM_JOB_FORCE_EVENTS. Errors: BASE_EINPUT for k < 1, BASE_ERUNTIME
 * out of memory. */
int sim_job_new(const model_scenario *s, long frames, int k, int flags, sim_job **out, char *err,
                size_t errsz);
void sim_job_free(sim_job *j);

/* The simulator effects of s the closed form omits (the list above; a
 * max_containers counts whatever its value), as "shared_download_mb_s 300,
 * max_containers 6, ..." into buf ("" when none, truncated to n). Returns
 * how many are on. */
int sim_job_effects(const model_scenario *s, char *buf, size_t n);

/* 1 when this job runs on the event engine (an effect applies to it). */
int sim_job_uses_events(const sim_job *j);
/* Chunks M of this job. */
int sim_job_chunks(const sim_job *j);

sim_job_ws *sim_job_ws_new(void);   /* NULL when out of memory */
void sim_job_ws_free(sim_job_ws *w);

/* Run one replication, drawing only from rng. trace (nullable) receives every
 * phase. Returns BASE_OK, or BASE_ERUNTIME (out of memory growing ws). */
int sim_job_run(const sim_job *j, sim_job_ws *w, gsl_rng *rng, sim_job_trace_fn trace, void *tctx,
                sim_job_result *out, char *err, size_t errsz);

/* Common random numbers across GPU counts (sim/montecarlo.c). When
 * sim_job_starts_only(j) -- the direct path, the start the only random
 * phase (request, FFmpeg start, seek and per-frame time fixed; no effect) --
 * a replication of j is a function of its k starts and its concat draws.
 * sim_job_draw_starts() draws n starts in container order (warm for i <
 * min_containers, cold after): the draws sim_job_run() would make for its
 * first n containers (a lognormal's exp from libmvec, model/vexp.h: equal
 * to ~1e-15); sim_job_run_starts() is sim_job_run() on the
 * first k of them (st[0..k)), drawing only the concat from rng. */
int sim_job_starts_only(const sim_job *j);
const model_scenario *sim_job_scenario(const sim_job *j);   /* the borrowed scenario */
void sim_job_draw_starts(const model_scenario *s, gsl_rng *rng, int n, double *st);
int sim_job_run_starts(const sim_job *j, sim_job_ws *w, const double *st, gsl_rng *rng,
                       sim_job_trace_fn trace, void *tctx, sim_job_result *out, char *err, size_t errsz);

#endif
