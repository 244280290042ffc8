/* model/chunk.h -- the arithmetic of one chunked job, in one place: how N
 * frames split into M chunks, a chunk's processing time, its download and
 * upload times, billing rounding and the concat's price. The closed form
 * (model/predict.c), the job simulator (sim/job*.c) and the capacity
 * simulator (sim/cap_pool.c) all call these; nothing else writes them.
 *
 * The split: N frames into M chunks as evenly as possible, the first N mod M
 * chunks one frame more. A fractional N (the continuous relaxation of the
 * break-even search) splits evenly, N / M each.
 *
 * A stage group (model_chunk_group) is what one chunked job runs on one GPU
 * type: contiguous stages (their per-frame times, summed), what each
 * container downloads (the job's input, or a handoff from the group before)
 * and what the job uploads in all (a handoff, or the job's output), shared
 * among the chunks by frames. A scenario is a group of one stage:
 * model_chunk_group_of(). For a chunk of n frames of a job of N:
 *   process  = sum over the group's stages of model_dist_sum(per_frame, n)
 *   download = in_mb / download_mb_s              (0 when the bandwidth is 0)
 *   upload   = (out_mb / upload_mb_s / N) * n     (0 when the bandwidth is 0)
 *
 * Billing: a container's billed seconds are its life (less its cold start
 * when billing.includes_cold_start is false) rounded up to the granularity
 * (with 1e-9 granule of tolerance, so a sum that should be an exact multiple
 * is not pushed a granule up) and at least the minimum. The closed form
 * takes the same granularity and minimum into model_billed_moments().
 * The concat is billed for its duration at model_chunk_concat_rate().
 *
 * Everything here is a pure function of its arguments: O(1), no memory, no
 * errors (arguments are checked by the scenario parser). The group borrows
 * its per-frame array. The small ones are inline: the capacity simulator
 * calls them once per chunk (~150 ns of work per job).
 */
#ifndef FORKCAST_MODEL_CHUNK_H
#define FORKCAST_MODEL_CHUNK_H

#include "model/dist.h"
#include "model/scenario.h"

#include <math.h>

#define MODEL_CHUNK_MAX_STAGES 16   /* stages in one group */

/* ---- the split ------------------------------------------------------------ */

typedef struct {
    double base;     /* frames of every chunk: an integer when N is */
    long extra;      /* chunks 0..extra-1 have base + 1 frames; 0 for a fractional N */
    long chunks;     /* M >= 1 */
} model_split;

/* The even split of an integer number of frames (>= 1) into `chunks`
 * (>= 1) chunks. */
static inline model_split model_chunk_split_n(long frames, long chunks)
{
    return (model_split){(double)(frames / chunks), frames % chunks, chunks};
}

/* The same for any frames > 0: an integer splits as above, a fractional
 * count evenly. */
static inline model_split model_chunk_split(double frames, long chunks)
{
    if (floor(frames) == frames && frames < 9e15)
        return model_chunk_split_n((long)frames, chunks);
    return (model_split){frames / (double)chunks, 0, chunks};
}

/* Frames of chunk i (0 <= i < chunks): base + (i < extra). */
static inline double model_chunk_frames(const model_split *sp, long i)
{
    return sp->base + (i < sp->extra ? 1 : 0);
}

/* ---- a stage group ---------------------------------------------------------- */

typedef struct {
    const model_dist *per_frame;   /* [nstages], borrowed: each stage's time per frame */
    int nstages;                   /* 1..MODEL_CHUNK_MAX_STAGES */
    double in_mb;                  /* what each container downloads once */
    double out_mb;                 /* what the job uploads in all */
    double download_mb_s, upload_mb_s; /* 0: no transfer time */
} model_chunk_group;

/* The scenario's one stage: per_frame, input_mb, output_mb, its bandwidths. */
model_chunk_group model_chunk_group_of(const model_scenario *s);

/* The processing time of a chunk of n frames (n may be fractional): one law
 * per stage of the group into out[0..nstages), each model_dist_sum(per_frame,
 * n); the chunk's time is their sum (independent). Returns nstages. */
static inline int model_chunk_process(const model_chunk_group *g, double n, model_dist *out)
{
    for (int i = 0; i < g->nstages; i++)
        out[i] = model_dist_sum(&g->per_frame[i], n);
    return g->nstages;
}

/* One draw of a chunk's processing time: the sum of one model_dist_sample()
 * of each law model_chunk_process() gives, in stage order. */
double model_chunk_process_sample(const model_chunk_group *g, double n, gsl_rng *r);

/* A container's download: in_mb / download_mb_s, 0 without a bandwidth. */
static inline double model_chunk_download_s(const model_chunk_group *g)
{
    return g->download_mb_s > 0 ? g->in_mb / g->download_mb_s : 0;
}

/* The upload per frame of a job of `frames` frames: out_mb / upload_mb_s /
 * frames, 0 without a bandwidth. */
static inline double model_chunk_upload_per_frame_s(const model_chunk_group *g, double frames)
{
    return g->upload_mb_s > 0 ? g->out_mb / g->upload_mb_s / frames : 0;
}

/* The upload of a chunk of n of the job's `frames` frames. */
static inline double model_chunk_upload_s(const model_chunk_group *g, double frames, double n)
{
    return model_chunk_upload_per_frame_s(g, frames) * n;
}

/* ---- billing ---------------------------------------------------------------- */

typedef struct {
    double granularity_s;          /* 0: per second, no rounding */
    double minimum_s;
    int includes_cold_start;       /* 0: a cold start is not billed */
} model_billing;

model_billing model_chunk_billing(const model_scenario *s);

/* The billable part of a container's life: life, less its start when it was
 * a cold start and cold starts are not billed (at most the whole life). */
static inline double model_chunk_billable_s(const model_billing *b, int cold, double life, double start)
{
    if (cold && !b->includes_cold_start)
        return life - (start < life ? start : life);
    return life;
}

/* Billed seconds for x seconds (negative counts as 0): rounded up to the
 * granularity, at least the minimum. */
static inline double model_chunk_billed_s(const model_billing *b, double x)
{
    if (x < 0)
        x = 0;
    if (b->granularity_s > 0) {
        double n = ceil(x / b->granularity_s - 1e-9);
        x = (n > 0 ? n : 0) * b->granularity_s;
    }
    return x > b->minimum_s ? x : b->minimum_s;
}

/* USD per second of concat: 0 (concat_billed none), the CPU rate
 * cores * cpu_per_core_s + mem_gib * mem_per_gib_s (cpu), or
 * model_scenario_rate() (gpu). */
double model_chunk_concat_rate(const model_scenario *s);

#endif
