/* model/bounds.c -- value-level and cross-field plausibility checks
 * (model/bounds.h). */
#include "model/bounds.h"
#include "base/status.h"
#include "model/chunk.h"

#include <math.h>
#include <stdio.h>

int model_bounds_dist(const model_dist *d, double max_s, const char *unit, const char *file, const char *path,
                      char *err, size_t errsz)
{
    if (d->kind == MODEL_DIST_EMPIRICAL && d->samples[d->n - 1] > max_s)
        return base_errf(err, errsz, BASE_EINPUT, "%s: %s.samples: each must be at most %g %s (got %g)", file, path,
                         max_s, unit, d->samples[d->n - 1]);
    double m = model_dist_mean(d);
    if (!(m <= max_s))
        return base_errf(err, errsz, BASE_EINPUT, "%s: %s: mean must be at most %g %s (got %g)", file, path, max_s,
                         unit, m);
    if (model_dist_is_fixed(d))
        return BASE_OK;
    double q = model_dist_quantile(d, MODEL_BOUND_QUANTILE);
    if (!(q <= max_s))
        return base_errf(err, errsz, BASE_EINPUT, "%s: %s: p99.9 must be at most %g %s (got %g)", file, path, max_s,
                         unit, q);
    return BASE_OK;
}

/* The largest GPU count a run of s uses. */
static int max_gpus(const model_scenario *s)
{
    int k = 1;
    for (int i = 0; i < s->ngpus; i++)
        k = s->gpus[i] > k ? s->gpus[i] : k;
    if (s->policy != MODEL_POLICY_AUTO && s->policy_k > k)
        k = s->policy_k;
    return k;
}

/* frames x the mean of d at most MODEL_MAX_JOB_S; "WHO: PATH: ..." */
static int job_work(const model_dist *d, long frames, const char *who, const char *path, char *err, size_t errsz)
{
    double work = (double)frames * model_dist_mean(d);
    if (!(work <= MODEL_MAX_JOB_S))
        return base_errf(err, errsz, BASE_EINPUT,
                         "%s: %s: %ld frames at %g s per frame is %g s of processing on one GPU, more than %g s "
                         "(about 3 years)", who, path, frames, model_dist_mean(d), work, MODEL_MAX_JOB_S);
    return BASE_OK;
}

int model_bounds_per_frame(const model_dist *d, long frames, const char *file, const char *path, char *err,
                           size_t errsz)
{
    int rc = model_bounds_dist(d, MODEL_MAX_PER_FRAME_S, "s", file, path, err, errsz);
    return rc ? rc : job_work(d, frames, file, path, err, errsz);
}

int model_bounds_scenario(const model_scenario *s, const char *who, char *err, size_t errsz)
{
    int rc = job_work(&s->per_frame, s->frames, who, "job.frames", err, errsz);
    if (rc)
        return rc;
    model_chunk_group g = model_chunk_group_of(s);
    double dl = model_chunk_download_s(&g), up = model_chunk_upload_per_frame_s(&g, 1); /* all of it */
    if (!(dl <= MODEL_MAX_PHASE_S))
        return base_errf(err, errsz, BASE_EINPUT, "%s: job.input_mb: %g MB at %g MB/s takes %g s per download, "
                         "more than %g s (one day)", who, s->input_mb, s->download_mb_s, dl, MODEL_MAX_PHASE_S);
    if (!(up <= MODEL_MAX_PHASE_S))
        return base_errf(err, errsz, BASE_EINPUT, "%s: job.output_mb: %g MB at %g MB/s takes %g s to upload, "
                         "more than %g s (one day)", who, s->output_mb, s->upload_mb_s, up, MODEL_MAX_PHASE_S);
    if (s->shared_download_mb_s > 0 && !(s->input_mb / s->shared_download_mb_s <= MODEL_MAX_PHASE_S))
        return base_errf(err, errsz, BASE_EINPUT, "%s: platform.shared_download_mb_s: %g MB at %g MB/s takes %g s "
                         "per download, more than %g s (one day)", who, s->input_mb, s->shared_download_mb_s,
                         s->input_mb / s->shared_download_mb_s, MODEL_MAX_PHASE_S);
    /* concat = concat_s + M * one draw of concat_per_chunk, M chunks */
    double m = (double)max_gpus(s) * (s->chunks_per_gpu > 1 ? s->chunks_per_gpu : 1);
    double cm = model_dist_mean(&s->concat) + m * model_dist_mean(&s->concat_per_chunk);
    if (!(cm <= MODEL_MAX_PHASE_S))
        return base_errf(err, errsz, BASE_EINPUT, "%s: parallel.concat_per_chunk_s: the concat of %g chunks takes "
                         "%g s on average, more than %g s (one day)", who, m, cm, MODEL_MAX_PHASE_S);
    return BASE_OK;
}
