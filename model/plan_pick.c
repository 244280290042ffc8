/* model/plan_pick.c -- from the candidates to an answer: targets, the
 * Pareto set, the objective, the runner-up, the closest plans when nothing
 * meets the targets, and the recommendation in words. See plan.h. */
#include "model/plan.h"
#include "model/plan_dist.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int total_gpus(const model_plan_result *r, const model_plan_cand *c)
{
    int n = 0;
    for (int g = 0; g < c->ngroups; g++)
        n += r->choice[c->choice[g]].g.gpus;
    return n;
}

static int cmp3(double a, double b)
{
    return a < b ? -1 : a > b;
}

/* < 0 when a ranks before b under the objective (ties: cost, p95, fewer
 * groups, fewer GPUs, earlier). */
static int rank(const model_plan_result *r, long ia, long ib)
{
    const model_plan_cand *a = &r->cand[ia], *b = &r->cand[ib];
    int c = 0;
    switch (r->goal.objective) {
    case MODEL_PLAN_COST: c = cmp3(a->cost_mean, b->cost_mean); break;
    case MODEL_PLAN_SPEED: c = cmp3(a->wall_p95, b->wall_p95); break;
    case MODEL_PLAN_BALANCED: c = cmp3(a->score, b->score); break;
    }
    if (!c)
        c = cmp3(a->cost_mean, b->cost_mean);
    if (!c)
        c = cmp3(a->wall_p95, b->wall_p95);
    if (!c)
        c = a->ngroups - b->ngroups;
    if (!c)
        c = total_gpus(r, a) - total_gpus(r, b);
    return c ? c : cmp3((double)ia, (double)ib);
}

static const model_plan_result *sort_r;
static int by_cost(const void *x, const void *y)
{
    const model_plan_cand *a = &sort_r->cand[*(const long *)x], *b = &sort_r->cand[*(const long *)y];
    int c = cmp3(a->cost_mean, b->cost_mean);
    if (!c)
        c = cmp3(a->wall_p95, b->wall_p95);
    return c ? c : cmp3((double)*(const long *)x, (double)*(const long *)y);
}

static int meets(const model_plan_goal *g, const model_plan_cand *c)
{
    return (g->p95_target_s <= 0 || c->wall_p95 <= g->p95_target_s) &&
           (g->max_cost_usd <= 0 || c->cost_mean <= g->max_cost_usd);
}

/* The Pareto set: by ascending cost, each plan faster than every cheaper one. */
static int pareto(model_plan_result *r, char *err, size_t errsz)
{
    long *ix = malloc((size_t)r->ncand * sizeof *ix);
    if (!ix)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    for (long i = 0; i < r->ncand; i++)
        ix[i] = i;
    sort_r = r;
    qsort(ix, (size_t)r->ncand, sizeof *ix, by_cost);
    double best = INFINITY;
    int n = 0;
    for (long i = 0; i < r->ncand; i++)
        if (r->cand[ix[i]].wall_p95 < best) {
            best = r->cand[ix[i]].wall_p95;
            r->cand[ix[i]].pareto = 1;
            ix[n++] = ix[i];
        }
    r->pareto = ix;
    r->npareto = n;
    return BASE_OK;
}

/* ---- words ---------------------------------------------------------------------- */

static const char *secs(double v, char *buf, size_t n)
{
    snprintf(buf, n, v < 100 ? "%.1f s" : "%.0f s", v);
    return buf;
}

static const char *usd(double v, char *buf, size_t n)
{
    snprintf(buf, n, "$%.4g", v);
    return buf;
}

void model_plan_describe(const model_plan_result *r, const model_plan_cand *c, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (int g = 0; g < c->ngroups && len < n; g++) {
        const model_plan_choice *ch = &r->choice[c->choice[g]];
        len += (size_t)snprintf(buf + len, n - len, "%s", g ? " -> " : "");
        for (int i = ch->g.first; i <= ch->g.last && len < n; i++)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", i > ch->g.first ? "+" : "", r->pipe->stage[i].name);
        if (len < n)
            len += (size_t)snprintf(buf + len, n - len, ": %d x %s", ch->g.gpus, ch->g.gpu);
    }
}

int model_plan_same(const model_plan_result *r, const model_plan_cand *a, const model_plan_cand *b)
{
    if (a->ngroups != b->ngroups)
        return 0;
    for (int g = 0; g < a->ngroups; g++) {
        const model_plan_choice *x = &r->choice[a->choice[g]], *y = &r->choice[b->choice[g]];
        if (x->g.first != y->g.first || x->g.last != y->g.last || x->g.gpus != y->g.gpus || x->type != y->type)
            return 0;
    }
    return 1;
}

/* "FUSE overlay into framing: 4 x T4, p95 61.6 s (now 70.6 s), $0.0375 per video (now $0.038)". */
static void summarize(model_plan_result *r, const model_plan_cand *c)
{
    char d[384], a[32], b[32], x[32], y[32], head[448];
    const model_pipeline *p = r->pipe;
    const model_plan_choice *c0 = &r->choice[c->choice[0]];
    model_plan_describe(r, c, d, sizeof d);
    if (r->has_current && model_plan_same(r, c, &r->current)) {
        snprintf(head, sizeof head, "KEEP the current plan: %s", d);
    } else if (c->ngroups == 1 && c0->g.last > c0->g.first) {
        size_t len = (size_t)snprintf(head, sizeof head, "FUSE ");
        for (int i = c0->g.first + 1; i <= c0->g.last && len < sizeof head; i++)
            len += (size_t)snprintf(head + len, sizeof head - len, "%s%s", i == c0->g.first + 1 ? "" :
                                    i == c0->g.last ? " and " : ", ", p->stage[i].name);
        if (len < sizeof head)
            snprintf(head + len, sizeof head - len, " into %s: %d x %s", p->stage[c0->g.first].name, c0->g.gpus,
                     c0->g.gpu);
    } else if (c->ngroups == 1) {
        snprintf(head, sizeof head, "RUN %s on %d x %s", p->stage[c0->g.first].name, c0->g.gpus, c0->g.gpu);
    } else {
        snprintf(head, sizeof head, "SPLIT into %d jobs: %s", c->ngroups, d);
    }
    if (r->has_current)
        snprintf(r->summary, sizeof r->summary, "%s, p95 %s (now %s), %s per video (now %s)", head,
                 secs(c->wall_p95, a, sizeof a), secs(r->current.wall_p95, b, sizeof b), usd(c->cost_mean, x, sizeof x),
                 usd(r->current.cost_mean, y, sizeof y));
    else
        snprintf(r->summary, sizeof r->summary, "%s, p95 %s, %s per video", head, secs(c->wall_p95, a, sizeof a),
                 usd(c->cost_mean, x, sizeof x));
}

/* Why the runner-up lost, and (cost with a p95 target) what the cheapest plan misses. */
static void explain(model_plan_result *r)
{
    char d[384], a[32], b[32], x[32], y[32];
    size_t len = 0;
    r->why[0] = 0;
    const model_plan_cand *w = &r->cand[r->recommended];
    if (r->runner_up >= 0) {
        const model_plan_cand *u = &r->cand[r->runner_up];
        double dc = u->cost_mean - w->cost_mean, dt = u->wall_p95 - w->wall_p95;
        model_plan_describe(r, u, d, sizeof d);
        len += (size_t)snprintf(r->why, sizeof r->why, "runner-up: %.300s (p95 %s, %s): ", d, secs(u->wall_p95, a, sizeof a),
                                usd(u->cost_mean, x, sizeof x));
        if (r->goal.objective == MODEL_PLAN_COST)
            len += (size_t)snprintf(r->why + len, sizeof r->why - len, "%s (%.1f%%) more per video%s%s%s", usd(dc, y, sizeof y),
                                    w->cost_mean > 0 ? 100 * dc / w->cost_mean : 0, dt < 0 ? ", though " : "",
                                    dt < 0 ? secs(-dt, b, sizeof b) : "", dt < 0 ? " faster at p95" : "");
        else if (r->goal.objective == MODEL_PLAN_SPEED)
            len += (size_t)snprintf(r->why + len, sizeof r->why - len, "p95 %s slower%s%s%s", secs(dt, b, sizeof b),
                                    dc < 0 ? ", though " : "", dc < 0 ? usd(-dc, y, sizeof y) : "", dc < 0 ? " cheaper" : "");
        else
            len += (size_t)snprintf(r->why + len, sizeof r->why - len, "balanced score %.4f against %.4f (w = %g)", u->score,
                                    w->score, r->goal.balanced_weight);
    }
    if (r->goal.objective == MODEL_PLAN_COST && r->goal.p95_target_s > 0 && len < sizeof r->why) {
        const model_plan_cand *ch = &r->cand[r->pareto[0]];
        if (!ch->meets) {
            model_plan_describe(r, ch, d, sizeof d);
            snprintf(r->why + len, sizeof r->why - len, "%sthe cheapest plan, %.300s (%s), misses the p95 target (%s > %s)",
                     len ? "; " : "", d, usd(ch->cost_mean, x, sizeof x), secs(ch->wall_p95, a, sizeof a),
                     secs(r->goal.p95_target_s, b, sizeof b));
        }
    }
}

/* No candidate meets the targets: the nearest ones and the line saying so. */
static void nothing_meets(model_plan_result *r)
{
    const model_plan_goal *g = &r->goal;
    long fast = -1, cheap = -1;
    for (long i = 0; i < r->ncand; i++) {
        const model_plan_cand *c = &r->cand[i];
        int in_budget = g->max_cost_usd <= 0 || c->cost_mean <= g->max_cost_usd;
        int in_time = g->p95_target_s <= 0 || c->wall_p95 <= g->p95_target_s;
        if (in_budget && (fast < 0 || c->wall_p95 < r->cand[fast].wall_p95))
            fast = i;
        if (in_time && (cheap < 0 || c->cost_mean < r->cand[cheap].cost_mean))
            cheap = i;
    }
    if (fast < 0 && cheap < 0) /* neither target alone is met: the fastest and the cheapest */
        for (long i = 0; i < r->ncand; i++) {
            if (fast < 0 || r->cand[i].wall_p95 < r->cand[fast].wall_p95)
                fast = i;
            if (cheap < 0 || r->cand[i].cost_mean < r->cand[cheap].cost_mean)
                cheap = i;
        }
    /* first the fastest within the budget (a p95 target) or the cheapest
     * (a cost limit alone); then the other one, when different */
    long first = g->p95_target_s > 0 ? fast : cheap, second = g->p95_target_s > 0 ? cheap : fast;
    if (first < 0)
        first = second, second = -1;
    r->closest[0] = first;
    r->closest[1] = g->p95_target_s > 0 && g->max_cost_usd > 0 && second != first ? second : -1;
    char t[96] = "", d[384], a[32], x[32];
    size_t len = 0;
    if (g->p95_target_s > 0)
        len += (size_t)snprintf(t + len, sizeof t - len, "p95 <= %g s", g->p95_target_s);
    if (g->max_cost_usd > 0)
        snprintf(t + len, sizeof t - len, "%scost <= $%g", len ? " and " : "", g->max_cost_usd);
    const model_plan_cand *c = &r->cand[r->closest[0]];
    model_plan_describe(r, c, d, sizeof d);
    snprintf(r->summary, sizeof r->summary, "no plan meets %s: closest %s, p95 %s, %s per video", t, d,
             secs(c->wall_p95, a, sizeof a), usd(c->cost_mean, x, sizeof x));
}

int plan_pick(model_plan_result *r, char *err, size_t errsz)
{
    int rc = pareto(r, err, errsz);
    if (rc)
        return rc;
    model_plan_goal *goal = &r->goal;
    goal->p95_from_current = goal->cost_from_current = 0;
    if (r->has_current && goal->objective == MODEL_PLAN_COST && goal->p95_target_s <= 0 && !goal->p95_none) {
        goal->p95_target_s = r->current.wall_p95;
        goal->p95_from_current = 1;
    }
    if (r->has_current && goal->objective == MODEL_PLAN_SPEED && goal->max_cost_usd <= 0 && !goal->cost_none) {
        goal->max_cost_usd = r->current.cost_mean;
        goal->cost_from_current = 1;
    }
    r->cost_max = r->p95_max = 0;
    for (int i = 0; i < r->npareto; i++) {
        r->cost_max = fmax(r->cost_max, r->cand[r->pareto[i]].cost_mean);
        r->p95_max = fmax(r->p95_max, r->cand[r->pareto[i]].wall_p95);
    }
    double w = r->goal.balanced_weight;
    for (long i = 0; i < r->ncand; i++) {
        model_plan_cand *c = &r->cand[i];
        c->meets = (unsigned char)meets(&r->goal, c);
        c->score = r->goal.objective != MODEL_PLAN_BALANCED ? 0 :
                   w * (r->cost_max > 0 ? c->cost_mean / r->cost_max : 0) +
                   (1 - w) * (r->p95_max > 0 ? c->wall_p95 / r->p95_max : 0);
    }
    if (r->has_current) {
        r->current.meets = (unsigned char)meets(&r->goal, &r->current);
        r->current.score = r->goal.objective != MODEL_PLAN_BALANCED ? 0 :
                           w * (r->cost_max > 0 ? r->current.cost_mean / r->cost_max : 0) +
                           (1 - w) * (r->p95_max > 0 ? r->current.wall_p95 / r->p95_max : 0);
    }
    r->recommended = r->runner_up = -1;
    for (long i = 0; i < r->ncand; i++) {
        if (!r->cand[i].meets)
            continue;
        if (r->recommended < 0 || rank(r, i, r->recommended) < 0) {
            r->runner_up = r->recommended;
            r->recommended = i;
        } else if (r->runner_up < 0 || rank(r, i, r->runner_up) < 0) {
            r->runner_up = i;
        }
    }
    if (r->recommended < 0) {
        nothing_meets(r);
        r->why[0] = 0;
        return BASE_OK;
    }
    summarize(r, &r->cand[r->recommended]);
    explain(r);
    return BASE_OK;
}
