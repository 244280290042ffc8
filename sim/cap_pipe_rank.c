/* sim/cap_pipe_rank.c -- the Pareto plans under load, ranked again. See
 * sim/cap_pipe_rank.h. */
#include "sim/cap_pipe_rank.h"

#include "base/clock.h"
#include "base/status.h"
#include "model/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOST 0.01 /* a plan losing more of the videos (queue bound, timeout) meets no target */

/* Candidate c of r through the pipeline simulator on workload scenario ws. */
static int run_row(const model_plan_result *r, const model_plan_cand *c, const model_scenario *ws, uint64_t seed,
                   sim_cap_rank_row *row, char *err, size_t errsz)
{
    model_pipe_group g[MODEL_PIPE_MAX_STAGES];
    sim_cap_plan pl;
    for (int i = 0; i < c->ngroups; i++)
        g[i] = r->choice[c->choice[i]].g;
    int rc = sim_cap_plan_make(ws, r->pipe, g, c->ngroups, row->current ? "current" : "given", &pl, err, errsz);
    if (rc)
        return rc;
    snprintf(row->name, sizeof row->name, "%s", pl.name);
    row->single_p95 = c->wall_p95;
    row->single_cost = c->cost_mean;
    rc = sim_cap_pipe_run(&pl, seed, &row->res, err, errsz);
    sim_cap_plan_free(&pl);
    if (!rc)
        row->lost = row->res.all.rejected_fraction + row->res.all.timed_out_fraction;
    return rc;
}

/* The targets under load: the given ones; one the search took from the
 * current plan, from its loaded figures. */
static void targets(sim_cap_rank *k, const model_plan_result *r)
{
    const sim_cap_rank_row *cur = NULL;
    for (int i = 0; i < k->n; i++)
        if (k->row[i].current)
            cur = &k->row[i];
    k->goal = r->goal;
    if (r->goal.p95_from_current)
        k->goal.p95_target_s = cur && cur->res.all.served > 0 ? cur->res.all.latency_p95 : 0;
    if (r->goal.cost_from_current)
        k->goal.max_cost_usd = cur && cur->res.all.served > 0 ? cur->res.all.cost_per_job : 0;
}

static int better(const sim_cap_rank *k, const sim_cap_rank_row *a, const sim_cap_rank_row *b)
{
    double x = 0, y = 0;
    switch (k->goal.objective) {
    case MODEL_PLAN_COST: x = a->res.all.cost_per_day, y = b->res.all.cost_per_day; break;
    case MODEL_PLAN_SPEED: x = a->res.all.latency_p95, y = b->res.all.latency_p95; break;
    case MODEL_PLAN_BALANCED: x = a->score, y = b->score; break;
    }
    if (x != y)
        return x < y;
    if (a->res.all.cost_per_day != b->res.all.cost_per_day)
        return a->res.all.cost_per_day < b->res.all.cost_per_day;
    return a->res.all.latency_p95 < b->res.all.latency_p95;
}

static void rank(sim_cap_rank *k, const model_plan_result *r)
{
    double cmax = 0, pmax = 0, w = k->goal.balanced_weight;
    targets(k, r);
    for (int i = 0; i < k->n; i++) {
        sim_cap_rank_row *x = &k->row[i];
        const sim_cap_result *a = &x->res.all;
        int ok = a->stable && a->served > 0 && x->lost <= MAX_LOST;
        x->meets = ok && (k->goal.p95_target_s <= 0 || a->latency_p95 <= k->goal.p95_target_s) &&
                   (k->goal.max_cost_usd <= 0 || a->cost_per_job <= k->goal.max_cost_usd);
        if (ok) {
            cmax = fmax(cmax, a->cost_per_day);
            pmax = fmax(pmax, a->latency_p95);
        }
    }
    k->best = -1;
    for (int i = 0; i < k->n; i++) {
        sim_cap_rank_row *x = &k->row[i];
        x->score = cmax > 0 && pmax > 0 ? w * x->res.all.cost_per_day / cmax + (1 - w) * x->res.all.latency_p95 / pmax
                                        : 0;
        if (x->meets && (k->best < 0 || better(k, x, &k->row[k->best])))
            k->best = i;
    }
}

static void summarize(sim_cap_rank *k)
{
    const sim_cap_rank_row *b = k->best >= 0 ? &k->row[k->best] : NULL, *s = k->single >= 0 ? &k->row[k->single] : NULL;
    char t[256] = "";
    if (k->goal.p95_target_s > 0)
        snprintf(t, sizeof t, "p95 <= %.4g s", k->goal.p95_target_s);
    if (k->goal.max_cost_usd > 0)
        snprintf(t + strlen(t), sizeof t - strlen(t), "%s$%.4g per video", t[0] ? ", " : "", k->goal.max_cost_usd);
    if (!b) {
        snprintf(k->summary, sizeof k->summary, "under %s no plan meets the targets%s%s%s", k->workload,
                 t[0] ? " (" : "", t, t[0] ? ")" : "");
        return;
    }
    int n = snprintf(k->summary, sizeof k->summary, "best under %s: %s, p95 %.1f s, $%.2f per day ($%.4g per video)",
                     k->workload, b->name, b->res.all.latency_p95, b->res.all.cost_per_day, b->res.all.cost_per_job);
    if (n < 0 || (size_t)n >= sizeof k->summary)
        return;
    if (!s)
        snprintf(k->summary + n, sizeof k->summary - (size_t)n, "; the single-video search recommends none");
    else if (s == b)
        snprintf(k->summary + n, sizeof k->summary - (size_t)n, "; the same plan as the single-video recommendation");
    else
        snprintf(k->summary + n, sizeof k->summary - (size_t)n,
                 "; DIFFERS from the single-video recommendation %s (under load p95 %.1f s, $%.2f per day%s)", s->name,
                 s->res.all.latency_p95, s->res.all.cost_per_day, s->meets ? "" : ", misses the targets");
}

int sim_cap_rank_run(const model_plan_result *r, const sim_cap_rank_opts *o, sim_cap_rank *out, char *err,
                     size_t errsz)
{
    int rc = BASE_OK;
    memset(out, 0, sizeof *out);
    out->o = *o;
    out->best = out->single = -1;
    if (!(o->rate_per_hour > 0 && o->rate_per_hour <= 1e9 && o->hours > 0 && o->hours <= 1e6))
        return base_errf(err, errsz, BASE_EINPUT, "plan --rate: rate in (0, 1e9] per hour and hours in (0, 1e6] "
                                                  "(got %g, %g)", o->rate_per_hour, o->hours);
    model_scenario ws = *r->s; /* a borrowed view with the workload replaced */
    ws.has_workload = 1;
    ws.rate_per_hour = o->rate_per_hour;
    ws.has_rate_by_hour = ws.has_interarrival = 0;
    ws.trace[0] = 0;
    ws.hours = o->hours;
    ws.jobs = ws.warmup_jobs = 0;
    model_workload_name(&ws, out->workload, sizeof out->workload);
    int cur_on_front = -1;
    out->row = calloc((size_t)r->npareto + 1, sizeof *out->row);
    if (!out->row)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    double t0 = base_now_s();
    for (int i = 0; i < r->npareto; i++) {
        sim_cap_rank_row *row = &out->row[out->n];
        const model_plan_cand *c = &r->cand[r->pareto[i]];
        row->cand = r->pareto[i];
        row->pareto = 1;
        row->current = r->has_current && model_plan_same(r, c, &r->current);
        cur_on_front = row->current ? i : cur_on_front;
        if (r->pareto[i] == r->recommended)
            out->single = out->n;
        if ((rc = run_row(r, c, &ws, o->seed, row, err, errsz)))
            goto cleanup;
        out->n++;
    }
    if (r->has_current && cur_on_front < 0) {
        sim_cap_rank_row *row = &out->row[out->n];
        row->cand = -1;
        row->current = 1;
        if ((rc = run_row(r, &r->current, &ws, o->seed, row, err, errsz)))
            goto cleanup;
        out->n++;
    }
    out->run_s = base_now_s() - t0;
    rank(out, r);
    summarize(out);
    return BASE_OK;
cleanup:
    sim_cap_rank_free(out);
    return rc;
}

void sim_cap_rank_free(sim_cap_rank *k)
{
    free(k->row);
    k->row = NULL;
    k->n = 0;
}

static void opt_num(cJSON *o, const char *key, double v)
{
    if (v > 0)
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *sim_cap_rank_json(const sim_cap_rank *k)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "rate_per_hour", k->o.rate_per_hour);
    cJSON_AddNumberToObject(o, "hours", k->o.hours);
    cJSON_AddNumberToObject(o, "seed", (double)k->o.seed);
    cJSON_AddStringToObject(o, "workload", k->workload);
    cJSON_AddStringToObject(o, "objective", model_plan_objective_name(k->goal.objective));
    opt_num(o, "p95_target_s", k->goal.p95_target_s);
    opt_num(o, "max_cost_usd", k->goal.max_cost_usd);
    cJSON *a = cJSON_AddArrayToObject(o, "plans");
    for (int i = 0; a && i < k->n; i++) {
        const sim_cap_rank_row *x = &k->row[i];
        const sim_cap_result *r = &x->res.all;
        int sv = r->served > 0;
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddItemToArray(a, e);
        cJSON_AddStringToObject(e, "plan", x->name);
        cJSON_AddBoolToObject(e, "pareto", x->pareto);
        cJSON_AddBoolToObject(e, "current", x->current);
        cJSON *s = cJSON_AddObjectToObject(e, "single");
        cJSON_AddNumberToObject(s, "wall_p95_s", x->single_p95);
        cJSON_AddNumberToObject(s, "cost_mean_usd", x->single_cost);
        cJSON *l = cJSON_AddObjectToObject(e, "latency_s");
        double q[4] = {r->latency_mean, r->latency_p50, r->latency_p95, r->latency_p99};
        const char *qn[4] = {"mean", "p50", "p95", "p99"};
        for (int j = 0; j < 4; j++)
            if (sv)
                cJSON_AddNumberToObject(l, qn[j], q[j]);
            else
                cJSON_AddNullToObject(l, qn[j]);
        cJSON_AddNumberToObject(e, "cost_per_day_usd", r->cost_per_day);
        if (sv)
            cJSON_AddNumberToObject(e, "cost_per_video_usd", r->cost_per_job);
        else
            cJSON_AddNullToObject(e, "cost_per_video_usd");
        cJSON_AddNumberToObject(e, "lost_fraction", x->lost);
        cJSON_AddBoolToObject(e, "stable", r->stable);
        cJSON_AddBoolToObject(e, "meets_targets", x->meets);
    }
    if (k->best >= 0)
        cJSON_AddStringToObject(o, "best", k->row[k->best].name);
    else
        cJSON_AddNullToObject(o, "best");
    if (k->single >= 0)
        cJSON_AddStringToObject(o, "single_recommended", k->row[k->single].name);
    else
        cJSON_AddNullToObject(o, "single_recommended");
    cJSON_AddBoolToObject(o, "differs", k->best != k->single);
    cJSON_AddStringToObject(o, "summary", k->summary);
    if (!a) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
