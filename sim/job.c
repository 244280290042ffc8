/* sim/job.c -- the chunked job's plan: what sim_job_new() computes once per
 * (scenario, frames, k), and which simulator effects apply (sim/job_impl.h
 * lists the files of the module). */
#define HAVE_INLINE 1 /* GSL's switch for inline gsl_rng_uniform & co. */
#include "sim/job_impl.h"

#include "base/status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- plan --------------------------------------------------------------- */

int sim_job_new(const model_scenario *s, long frames, int k, int flags, sim_job **out, char *err,
                size_t errsz)
{
    if (k < 1 || k > MODEL_MAX_GPUS)
        return base_errf(err, errsz, BASE_EINPUT, "sim: gpus: must be in 1..%d (got %d)",
                          MODEL_MAX_GPUS, k);
    if (frames < 1)
        return base_errf(err, errsz, BASE_EINPUT, "sim: frames: must be at least 1 (got %ld)", frames);
    sim_job *j = calloc(1, sizeof *j);
    if (!j)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    j->s = s;
    j->k = k;
    long m = k > 1 ? (long)k * s->chunks_per_gpu : 1;
    j->chunks = (int)m;
    j->cap = s->max_containers > 0 ? s->max_containers : INT_MAX;
    j->pool = k < j->cap ? k : j->cap;
    model_split sp = model_chunk_split_n(frames, m);
    j->extra = (int)sp.extra;
    model_chunk_group grp = model_chunk_group_of(s);
    for (int big = 0; big < 2; big++) {
        double n = sp.base + big;   /* chunks j < extra have base + 1 */
        model_dist pd[MODEL_CHUNK_MAX_STAGES];
        int np = model_chunk_process(&grp, n, pd);
        assert(np == 1);
        (void)np;
        j->proc[big] = pd[0];
        j->up[big] = model_chunk_upload_s(&grp, (double)frames, n);
    }
    j->input_mb = s->input_mb;
    j->per_bw = s->download_mb_s;
    j->shared_bw = s->shared_download_mb_s;
    j->shared = s->shared_download_mb_s > 0 && s->input_mb > 0;
    if (j->shared) /* the direct path's download: alone on the shared link */
        grp.download_mb_s = s->download_mb_s > 0 ? fmin(s->download_mb_s, s->shared_download_mb_s)
                                                 : s->shared_download_mb_s;
    j->dl = model_chunk_download_s(&grp);
    if (s->speculative_after > 0 && j->chunks > 1) {
        long c = (long)ceil(s->speculative_after * j->chunks - 1e-9);
        j->spec_count = c < 1 ? 1 : c < j->chunks ? (int)c : 0;
    }
    j->fail_mean = s->failure_rate_per_s > 0 ? 1.0 / s->failure_rate_per_s : 0;
    j->max_retries = s->max_retries;
    j->minc = s->min_containers;
    j->rate = model_scenario_rate(s);
    j->crate = model_chunk_concat_rate(s);
    j->bill = model_chunk_billing(s);
    /* FIXED kinds only: those draw nothing, so folding skips no draw */
    j->folded = s->request.kind == MODEL_DIST_FIXED && s->ffmpeg_start.kind == MODEL_DIST_FIXED &&
                s->seek.kind == MODEL_DIST_FIXED && j->proc[0].kind == MODEL_DIST_FIXED &&
                j->proc[1].kind == MODEL_DIST_FIXED;
    j->rq = model_dist_mean(&s->request);
    j->ff = model_dist_mean(&s->ffmpeg_start);
    j->sk = model_dist_mean(&s->seek);
    for (int big = 0; big < 2; big++) {
        j->pr[big] = model_dist_mean(&j->proc[big]);
        for (int sk = 0; sk < 2; sk++)
            j->rest[sk][big] = j->rq + j->dl + j->ff + (sk ? j->sk : 0) + j->pr[big] + j->up[big];
    }
    for (int i = 0; i < k; i++)
        j->rest_sum += j->rest[i > 0][i < j->extra];
    j->events = (flags & SIM_JOB_FORCE_EVENTS) || j->fail_mean > 0 || j->spec_count > 0 ||
                j->cap < k || j->chunks > k || (j->shared && k > 1);
    *out = j;
    return BASE_OK;
}

int sim_job_effects(const model_scenario *s, char *buf, size_t n)
{
    char part[5][64];
    int np = 0;
    if (s->shared_download_mb_s > 0)
        snprintf(part[np++], sizeof part[0], "shared_download_mb_s %g", s->shared_download_mb_s);
    if (s->max_containers > 0)
        snprintf(part[np++], sizeof part[0], "max_containers %d", s->max_containers);
    if (s->chunks_per_gpu > 1)
        snprintf(part[np++], sizeof part[0], "chunks_per_gpu %d", s->chunks_per_gpu);
    if (s->speculative_after > 0)
        snprintf(part[np++], sizeof part[0], "speculative after_fraction %g", s->speculative_after);
    if (s->failure_rate_per_s > 0)
        snprintf(part[np++], sizeof part[0], "failure_rate_per_s %g", s->failure_rate_per_s);
    size_t o = 0;
    if (n > 0)
        buf[0] = 0;
    for (int i = 0; i < np && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", part[i]);
    return np;
}

void sim_job_free(sim_job *j) { free(j); }
int sim_job_uses_events(const sim_job *j) { return j->events; }
int sim_job_chunks(const sim_job *j) { return j->chunks; }

const char *sim_job_phase_name(sim_job_phase p)
{
    static const char *const names[] = {"start",  "request", "download", "ffmpeg_start", "seek",
                                        "process", "upload", "concat",   "cancelled",    "died"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}
