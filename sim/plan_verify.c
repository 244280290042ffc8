/* sim/plan_verify.c -- a plan's groups simulated in turn and summed. See
 * plan_verify.h. */
#include "sim/plan_verify.h"
#include "base/status.h"
#include "sim/job.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    sim_job *job[MODEL_PIPE_MAX_STAGES];
    int n;
    sim_job_ws **ws;   /* per thread */
    double *wall, *cost;
} verify_ctx;

static int one_rep(const sim_mc_rep *rep, void *v)
{
    const verify_ctx *c = v;
    double w = 0, cost = 0;
    for (int g = 0; g < c->n; g++) {
        sim_job_result res;
        int rc = sim_job_run(c->job[g], c->ws[rep->thread], rep->rng, NULL, NULL, &res, rep->err, rep->errsz);
        if (rc)
            return rc;
        w += res.wall;
        cost += res.cost;
    }
    c->wall[rep->r] = w;
    c->cost[rep->r] = cost;
    return BASE_OK;
}

static double zscore(double model, double sim, double se)
{
    if (se > 0)
        return (model - sim) / se;
    return fabs(model - sim) <= 1e-9 * fmax(1, fabs(sim)) ? 0 : (model > sim ? INFINITY : -INFINITY);
}

/* Standard error of the p95 of sorted x[0..n): the order-statistic 95%
 * interval's half-width / 1.96. */
static double p95_se(const double *x, long n)
{
    double sd = 1.959963984540054 * sqrt(n * 0.95 * 0.05);
    long l = (long)floor(n * 0.95 - sd), u = (long)ceil(n * 0.95 + sd);
    l = l < 0 ? 0 : l;
    u = u > n - 1 ? n - 1 : u;
    return (x[u] - x[l]) / (2 * 1.959963984540054);
}

int sim_plan_verify(const model_plan_result *r, const model_plan_cand *c, const sim_plan_verify_opts *o,
                    sim_plan_check *out, char *err, size_t errsz)
{
    verify_ctx ctx = {0};
    model_scenario gs[MODEL_PIPE_MAX_STAGES];
    unsigned T = o->threads ? o->threads : sim_mc_threads_default();
    int rc = BASE_OK;
    char eff[256];
    long R = o->replications;
    memset(out, 0, sizeof *out);
    if (R < 2)
        return base_errf(err, errsz, BASE_EINPUT, "plan --verify: replications: at least 2 (got %ld)", R);
    if ((long)T > R)
        T = (unsigned)R;
    ctx.wall = malloc((size_t)R * sizeof *ctx.wall);
    ctx.cost = malloc((size_t)R * sizeof *ctx.cost);
    ctx.ws = calloc(T, sizeof *ctx.ws);
    if (!ctx.wall || !ctx.cost || !ctx.ws) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (unsigned t = 0; t < T; t++)
        if (!(ctx.ws[t] = sim_job_ws_new())) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
            goto cleanup;
        }
    for (int g = 0; g < c->ngroups; g++) {
        if ((rc = model_plan_group_scenario(r, c, g, &gs[g], err, errsz)) ||
            (rc = sim_job_new(&gs[g], r->s->frames, r->choice[c->choice[g]].g.gpus, 0, &ctx.job[g], err, errsz)))
            goto cleanup;
        ctx.n = g + 1;
        out->effects |= sim_job_effects(&gs[g], eff, sizeof eff) > 0;
    }
    sim_mc_job job = {.replications = (uint64_t)R, .threads = T, .seed = o->seed, .fn = one_rep, .ctx = &ctx};
    if ((rc = sim_mc_run(&job, err, errsz)) ||
        (rc = sim_summarize(ctx.wall, (size_t)R, &out->wall, err, errsz)) ||
        (rc = sim_summarize(ctx.cost, (size_t)R, &out->cost, err, errsz)))
        goto cleanup;
    out->p95_se = p95_se(ctx.wall, R); /* ctx.wall is sorted now */
    out->z_mean = zscore(c->wall_mean, out->wall.mean, out->wall.se);
    out->z_p95 = zscore(c->wall_p95, out->wall.p95, out->p95_se);
    out->z_cost = zscore(c->cost_mean, out->cost.mean, out->cost.se);
cleanup:
    for (int g = 0; g < ctx.n; g++)
        sim_job_free(ctx.job[g]);
    if (ctx.ws)
        for (unsigned t = 0; t < T; t++)
            sim_job_ws_free(ctx.ws[t]);
    free(ctx.ws);
    free(ctx.wall);
    free(ctx.cost);
    return rc;
}
