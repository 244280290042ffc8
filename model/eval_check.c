/* model/eval_check.c -- the finite-output guard of a model_eval
 * (model/evaluate.h): what no command may print. */
#include "model/evaluate.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *method;
    char *err;
    size_t errsz;
    int rc;
} guard;

/* Fail with "METHOD: K GPUs: QUANTITY is VALUE (a bug: ...)" once. */
static void bad(guard *g, int k, const char *what, double v, const char *why)
{
    if (g->rc)
        return;
    g->rc = base_errf(g->err, g->errsz, BASE_ERUNTIME,
                      "%s: %d GPU%s: %s is %g, %s (a bug, not an input error: please report it with the scenario)",
                      g->method, k, k == 1 ? "" : "s", what, v, why);
}

/* finite and >= 0 */
static void nonneg(guard *g, int k, const char *what, double v)
{
    if (!isfinite(v))
        bad(g, k, what, v, "not a finite number");
    else if (v < 0)
        bad(g, k, what, v, "negative");
}

static void check_k(guard *g, const model_scenario *s, const model_kresult *r, int is_base)
{
    int k = r->gpus;
    const char *names[] = {"wall_s.mean", "wall_s.p50", "wall_s.p95", "wall_s.p99", "wall_s.sd", "wall_s.stderr",
                           "cost_usd.mean", "cost_usd.p50", "cost_usd.p95", "cost_usd.p99", "cost_usd.sd",
                           "cost_usd.stderr"};
    const double vals[] = {r->wall_mean, r->wall_p50, r->wall_p95, r->wall_p99, r->wall_sd, r->wall_se,
                           r->cost_mean, r->cost_p50, r->cost_p95, r->cost_p99, r->cost_sd, r->cost_se};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        nonneg(g, k, names[i], vals[i]);
    const model_breakdown *b = &r->breakdown;
    const char *bn[] = {"breakdown_s.start", "breakdown_s.request", "breakdown_s.download", "breakdown_s.ffmpeg_start",
                        "breakdown_s.seek", "breakdown_s.process", "breakdown_s.upload", "breakdown_s.concat"};
    const double bv[] = {b->start, b->request, b->download, b->ffmpeg_start, b->seek, b->process, b->upload, b->concat};
    /* the breakdown's start absorbs rounding: a hair below 0 is noise */
    double tol = 1e-9 * fmax(1.0, fabs(r->wall_mean));
    for (size_t i = 0; i < sizeof bv / sizeof *bv; i++)
        if (!isfinite(bv[i]) || bv[i] < -tol)
            bad(g, k, bn[i], bv[i], isfinite(bv[i]) ? "negative" : "not a finite number");
    if (!is_base) {
        if (!isfinite(r->speedup) || !(r->speedup > 0))
            bad(g, k, "speedup", r->speedup, "not a positive finite number");
        if (!isfinite(r->cost_ratio) || r->cost_ratio < 0)
            bad(g, k, "cost_ratio", r->cost_ratio, "not a finite number >= 0");
    }
    /* A priced job: a positive rate and at least a nanosecond of billed work
     * on the critical container besides its start (which may go unbilled). */
    double work = b->request + b->download + b->ffmpeg_start + b->seek + b->process + b->upload;
    if (model_scenario_rate(s) > 0 && work >= 1e-9 && !(r->cost_mean > 0))
        bad(g, k, "cost_usd.mean", r->cost_mean, "zero for a priced job");
}

int model_eval_check(const model_scenario *s, const model_eval *e, char *err, size_t errsz)
{
    guard g = {e->method[0] ? e->method : "model", err, errsz, BASE_OK};
    check_k(&g, s, &e->base, 1);
    for (int i = 0; i < e->nk && !g.rc; i++) {
        check_k(&g, s, &e->k[i], e->k[i].gpus == 1);
        if (e->objective == MODEL_OBJ_VALUE_OF_TIME)
            nonneg(&g, e->k[i].gpus, "objective_usd", e->score[i]);
    }
    return g.rc;
}
