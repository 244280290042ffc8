/* model/plan.c -- the plan search: GPU types, group choices, dropping the
 * dominated ones, every grouping x combination, the current plan. The
 * choice of the recommendation and its words are in model/plan_pick.c, the
 * distributions in model/plan_dist.c. See plan.h. */
#include "model/plan.h"
#include "model/plan_dist.h"
#include "base/clock.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHOICES 32000 /* choice indices are shorts in a candidate */

model_plan_goal model_plan_goal_of(const model_pipeline *pipe)
{
    return (model_plan_goal){pipe->objective, pipe->balanced_weight, pipe->p95_target_s, pipe->max_cost_usd, 0, 0, 0, 0};
}

/* ---- types ------------------------------------------------------------------ */

static int type_index(const model_plan_result *r, const char *name)
{
    for (int t = 0; t < r->ntypes; t++)
        if (!strcmp(r->types[t].name, name))
            return t;
    return -1;
}

static int add_type(model_plan_result *r, const char *name, int considered, char *err, size_t errsz)
{
    model_plan_type *t = &r->types[r->ntypes];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->considered = considered;
    int rc = model_pipeline_type_scenario(r->pipe, r->s, name, &t->s, err, errsz);
    if (!rc)
        r->ntypes++;
    return rc;
}

static int setup_types(model_plan_result *r, char *err, size_t errsz)
{
    const model_pipeline *p = r->pipe;
    r->types = calloc((size_t)(p->ntypes + p->ncurrent), sizeof *r->types);
    if (!r->types)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    int rc;
    for (int t = 0; t < p->ntypes; t++)
        if ((rc = add_type(r, p->type[t].name, 1, err, errsz)))
            return rc;
    for (int g = 0; g < p->ncurrent; g++)
        if (type_index(r, p->current[g].gpu) < 0 && (rc = add_type(r, p->current[g].gpu, 0, err, errsz)))
            return rc;
    return BASE_OK;
}

/* ---- group choices -------------------------------------------------------------- */

static int grow_choices(model_plan_result *r, int n, char *err, size_t errsz)
{
    if (r->nchoice + n > MAX_CHOICES)
        return base_errf(err, errsz, BASE_EINPUT, "%s: the plan search has more than %d group choices (stage "
                         "intervals x GPU types x GPU counts): narrow plan.gpu_types or plan.gpus", r->s->file,
                         MAX_CHOICES);
    model_plan_choice *c = realloc(r->choice, (size_t)(r->nchoice + n) * sizeof *c);
    if (!c)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    r->choice = c;
    return BASE_OK;
}

/* Stages first..last on type t for each of the n GPU counts ks: one choice
 * each, appended (current: flagged as the current plan's own). */
static int eval_choices(model_plan_result *r, int first, int last, int t, const int *ks, int n, int current,
                        char *err, size_t errsz)
{
    model_pipe_group g = {first, last, "", 0};
    model_scenario sg;
    model_prep *prep = NULL;
    snprintf(g.gpu, sizeof g.gpu, "%s", r->types[t].name);
    int rc = model_pipeline_group_scenario(r->pipe, &r->types[t].s, &g, &sg, err, errsz);
    if (rc || (rc = grow_choices(r, n, err, errsz)) || (rc = model_prep_new(&sg, &prep, err, errsz)))
        return rc;
    model_prep_set_exact(prep, r->exact);
    for (int i = 0; i < n; i++) {
        model_plan_choice *c = &r->choice[r->nchoice];
        memset(c, 0, sizeof *c);
        c->g = g;
        c->g.gpus = ks[i];
        c->type = t;
        c->current = current;
        model_job *jb = NULL;
        if ((rc = model_job_new(prep, (double)r->s->frames, ks[i], &jb, err, errsz)))
            break;
        model_job_predict(jb, &c->r);
        rc = plan_dist_table(jb, c, err, errsz);
        model_job_free(jb);
        if (rc)
            break;
        r->nchoice++;
    }
    model_prep_free(prep);
    return rc;
}

/* Drop the choices of [from, to) another of them dominates (plan.h). */
static void prune(model_plan_result *r, int from, int to)
{
    for (int j = from; j < to; j++) {
        model_plan_choice *b = &r->choice[j];
        b->kept = 1;
        for (int i = from; i < to && b->kept; i++) {
            const model_plan_choice *a = &r->choice[i];
            if (i == j || a->r.cost_mean > b->r.cost_mean || a->r.wall_mean > b->r.wall_mean ||
                a->r.wall_p95 > b->r.wall_p95)
                continue;
            if (!plan_dist_dominates(a, b))
                continue;
            /* b equals a when each dominates the other: keep the first */
            int tie = a->r.cost_mean == b->r.cost_mean && plan_dist_dominates(b, a);
            if (!tie || i < j)
                b->kept = 0;
        }
    }
}

/* The GPU counts of gl[0..ngl) type t may use (within its
 * max_containers), into ks; 0 when t is not considered. */
static int type_ks(const model_plan_result *r, int t, const int *gl, int ngl, int *ks)
{
    int n = 0, cap = r->types[t].s.max_containers;
    if (!r->types[t].considered)
        return 0;
    for (int i = 0; i < ngl; i++)
        if (cap <= 0 || gl[i] <= cap)
            ks[n++] = gl[i];
    return n;
}

/* type_ks() for stages first..last: 0 when t lacks a figure for one. */
static int interval_ks(const model_plan_result *r, int first, int last, int t, const int *gl, int ngl, int *ks)
{
    for (int i = first; i <= last; i++)
        if (!model_pipeline_figure(r->pipe, i, r->types[t].name))
            return 0;
    return type_ks(r, t, gl, ngl, ks);
}

/* Every interval of stages x considered type x allowed GPU count. slot[]
 * gets each interval's range of choices. The choices are counted first: a
 * search too large is refused before any is evaluated. */
static int build_choices(model_plan_result *r, int (*slot)[MODEL_PIPE_MAX_STAGES][2], char *err, size_t errsz)
{
    const model_pipeline *p = r->pipe;
    const int *gl = p->ngpus ? p->gpus : r->s->gpus, ngl = p->ngpus ? p->ngpus : r->s->ngpus;
    int ks[MODEL_MAX_GPU_LIST], rc;
    long total = 0;
    for (int first = 0; first < p->nstages; first++)
        for (int last = first; last < p->nstages; last++)
            for (int t = 0; t < r->ntypes; t++)
                total += interval_ks(r, first, last, t, gl, ngl, ks);
    if (total > MAX_CHOICES)
        return base_errf(err, errsz, BASE_EINPUT, "%s: the plan search has %ld group choices (stage intervals x "
                         "GPU types x GPU counts), more than %d: narrow plan.gpu_types or plan.gpus", r->s->file,
                         total, MAX_CHOICES);
    int any_k = 0;
    for (int t = 0; t < r->ntypes; t++)
        any_k |= type_ks(r, t, gl, ngl, ks) > 0;
    for (int first = 0; first < p->nstages; first++)
        for (int last = first; last < p->nstages; last++) {
            slot[first][last][0] = r->nchoice;
            for (int t = 0; t < r->ntypes; t++) {
                int n = interval_ks(r, first, last, t, gl, ngl, ks);
                if (n > 0 && (rc = eval_choices(r, first, last, t, ks, n, 0, err, errsz)))
                    return rc;
            }
            slot[first][last][1] = r->nchoice;
            prune(r, slot[first][last][0], r->nchoice);
        }
    if (!any_k)
        return base_errf(err, errsz, BASE_EINPUT, "%s: plan.gpus: no GPU count to consider: every one exceeds the "
                         "platform.max_containers of every GPU type (empty search space)", r->s->file);
    return BASE_OK;
}

/* ---- candidates ------------------------------------------------------------------ */

static int push_cand(model_plan_result *r, long *cap, const int *idx, int G, double p95, char *err, size_t errsz)
{
    if (r->ncand == *cap) {
        long n = *cap ? 2 * *cap : 1024;
        model_plan_cand *c = realloc(r->cand, (size_t)n * sizeof *c);
        if (!c)
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        r->cand = c;
        *cap = n;
    }
    model_plan_cand *c = &r->cand[r->ncand++];
    memset(c, 0, sizeof *c);
    c->ngroups = G;
    for (int g = 0; g < G; g++) {
        const model_plan_choice *ch = &r->choice[idx[g]];
        c->choice[g] = (short)idx[g];
        c->wall_mean += ch->r.wall_mean;
        c->cost_mean += ch->r.cost_mean;
    }
    c->wall_p95 = p95;
    return BASE_OK;
}

/* Every combination of the slots' kept choices (kept[g][0..cnt[g])): the
 * last slot varies fastest, so prefix sums are convolved once per change. */
static int enum_grouping(model_plan_result *r, int G, int *const *kept, const int *cnt, long *cap, char *err,
                         size_t errsz)
{
    plan_pmf pre[MODEL_PIPE_MAX_STAGES], empty;
    int d[MODEL_PIPE_MAX_STAGES] = {0}, idx[MODEL_PIPE_MAX_STAGES], rc = BASE_OK, dirty = 0;
    plan_pmf_init(&empty);
    for (int l = 0; l < G; l++)
        plan_pmf_init(&pre[l]);
    for (;;) {
        for (int l = dirty; l < G - 1; l++) {
            idx[l] = kept[l][d[l]];
            if ((rc = plan_pmf_add(&pre[l], l ? &pre[l - 1] : &empty, &r->choice[idx[l]], err, errsz)))
                goto cleanup;
        }
        for (d[G - 1] = 0; d[G - 1] < cnt[G - 1]; d[G - 1]++) {
            idx[G - 1] = kept[G - 1][d[G - 1]];
            const model_plan_choice *last = &r->choice[idx[G - 1]];
            double p95 = plan_pmf_p95(G > 1 ? &pre[G - 2] : &empty, last);
            if ((rc = push_cand(r, cap, idx, G, p95, err, errsz)))
                goto cleanup;
        }
        int l = G - 2;
        while (l >= 0 && ++d[l] == cnt[l])
            d[l--] = 0;
        if (l < 0)
            break;
        dirty = l;
    }
cleanup:
    for (int l = 0; l < G; l++)
        plan_pmf_free(&pre[l]);
    return rc;
}

static int enumerate(model_plan_result *r, int (*slot)[MODEL_PIPE_MAX_STAGES][2], char *err, size_t errsz)
{
    int n = r->pipe->nstages, rc = BASE_OK;
    long cap = 0;
    int *kept[MODEL_PIPE_MAX_STAGES] = {0}, cnt[MODEL_PIPE_MAX_STAGES];
    double total = 0;
    r->enumerated = 0;
    /* the count first: refuse a space too large before any work */
    for (unsigned long mask = 0; mask < (1ul << (n - 1)); mask++) {
        double all = 1, some = 1;
        for (int first = 0, last = 0; last < n; last++) {
            if (last < n - 1 && !(mask >> last & 1))
                continue;
            int a = slot[first][last][0], b = slot[first][last][1], k = 0;
            for (int i = a; i < b; i++)
                k += r->choice[i].kept;
            all *= b - a;
            some *= k;
            first = last + 1;
        }
        r->enumerated += all;
        total += some;
    }
    if (total > MODEL_PLAN_MAX_CANDIDATES)
        return base_errf(err, errsz, BASE_EINPUT, "%s: the plan search has %.3g candidate plans after dropping "
                         "dominated choices (at most %ld): narrow plan.gpu_types or plan.gpus", r->s->file, total,
                         MODEL_PLAN_MAX_CANDIDATES);
    for (unsigned long mask = 0; mask < (1ul << (n - 1)) && !rc; mask++) {
        int G = 0, empty = 0;
        for (int first = 0, last = 0; last < n; last++) {
            if (last < n - 1 && !(mask >> last & 1))
                continue;
            int a = slot[first][last][0], b = slot[first][last][1];
            free(kept[G]);
            kept[G] = malloc((size_t)(b - a + 1) * sizeof **kept);
            if (!kept[G]) {
                rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
                break;
            }
            cnt[G] = 0;
            for (int i = a; i < b; i++)
                if (r->choice[i].kept)
                    kept[G][cnt[G]++] = i;
            empty |= cnt[G] == 0;
            G++;
            first = last + 1;
        }
        if (!rc && !empty)
            rc = enum_grouping(r, G, kept, cnt, &cap, err, errsz);
    }
    for (int g = 0; g < n; g++)
        free(kept[g]);
    if (!rc && r->ncand == 0)
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no plan to consider: no grouping of the stages can run on "
                       "the GPU types considered (empty search space)", r->s->file);
    return rc;
}

/* pipeline.current: its groups evaluated (reusing a choice when the search
 * made the same one) and summed as any candidate. */
static int eval_current(model_plan_result *r, char *err, size_t errsz)
{
    const model_pipeline *p = r->pipe;
    int idx[MODEL_PIPE_MAX_STAGES], rc;
    if (!p->ncurrent)
        return BASE_OK;
    for (int g = 0; g < p->ncurrent; g++) {
        const model_pipe_group *cg = &p->current[g];
        int t = type_index(r, cg->gpu);
        idx[g] = -1;
        for (int i = 0; i < r->nchoice && idx[g] < 0; i++) {
            const model_plan_choice *c = &r->choice[i];
            if (c->g.first == cg->first && c->g.last == cg->last && c->type == t && c->g.gpus == cg->gpus)
                idx[g] = i;
        }
        if (idx[g] < 0) {
            if ((rc = eval_choices(r, cg->first, cg->last, t, &cg->gpus, 1, 1, err, errsz)))
                return rc;
            idx[g] = r->nchoice - 1;
        }
    }
    plan_pmf pre[MODEL_PIPE_MAX_STAGES], empty;
    plan_pmf_init(&empty);
    int G = p->ncurrent;
    rc = BASE_OK;
    for (int l = 0; l < G; l++)
        plan_pmf_init(&pre[l]);
    for (int l = 0; l < G - 1 && !rc; l++)
        rc = plan_pmf_add(&pre[l], l ? &pre[l - 1] : &empty, &r->choice[idx[l]], err, errsz);
    if (!rc) {
        long cap = r->ncand + 1, n0 = r->ncand;
        double p95 = plan_pmf_p95(G > 1 ? &pre[G - 2] : &empty, &r->choice[idx[G - 1]]);
        /* push_cand appends; take the entry back out as the current plan */
        if (!(rc = push_cand(r, &cap, idx, G, p95, err, errsz))) {
            r->current = r->cand[n0];
            r->ncand = n0;
            r->has_current = 1;
        }
    }
    for (int l = 0; l < G; l++)
        plan_pmf_free(&pre[l]);
    return rc;
}

int model_plan_search(const model_scenario *s, model_pipeline *pipe, const model_plan_goal *goal,
                      model_plan_result **out, char *err, size_t errsz)
{
    return model_plan_search_ex(s, pipe, goal, 0, out, err, errsz);
}

int model_plan_search_ex(const model_scenario *s, model_pipeline *pipe, const model_plan_goal *goal, int exact,
                         model_plan_result **out, char *err, size_t errsz)
{
    double t0 = base_now_s();
    int rc;
    int(*slot)[MODEL_PIPE_MAX_STAGES][2] = NULL;
    model_plan_result *r = calloc(1, sizeof *r);
    if (!r) {
        model_pipeline_free(pipe);
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    }
    r->s = s;
    r->pipe = pipe;
    r->goal = *goal;
    r->exact = exact;
    r->recommended = r->runner_up = r->closest[0] = r->closest[1] = -1;
    slot = calloc(MODEL_PIPE_MAX_STAGES, sizeof *slot);
    if (!slot) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = setup_types(r, err, errsz)) || (rc = build_choices(r, slot, err, errsz)) ||
        (rc = enumerate(r, slot, err, errsz)) || (rc = eval_current(r, err, errsz)) ||
        (rc = plan_pick(r, err, errsz)))
        goto cleanup;
    r->search_s = base_now_s() - t0;
    free(slot);
    *out = r;
    return BASE_OK;
cleanup:
    free(slot);
    model_plan_result_free(r);
    return rc;
}

void model_plan_result_free(model_plan_result *r)
{
    if (!r)
        return;
    for (int t = 0; t < r->ntypes; t++)
        model_scenario_free(&r->types[t].s);
    free(r->types);
    free(r->choice);
    free(r->cand);
    free(r->pareto);
    model_pipeline_free(r->pipe);
    free(r);
}

int model_plan_group_scenario(const model_plan_result *r, const model_plan_cand *c, int gi, model_scenario *out,
                              char *err, size_t errsz)
{
    const model_plan_choice *ch = &r->choice[c->choice[gi]];
    return model_pipeline_group_scenario(r->pipe, &r->types[ch->type].s, &ch->g, out, err, errsz);
}
