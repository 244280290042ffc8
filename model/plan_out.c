/* model/plan_out.c -- a plan search as JSON (the shape docs/plan.md gives) and as CSV
 * (every candidate). See plan_out.h. */
#include "model/plan_out.h"
#include "base/csv.h"

#include <stdio.h>
#include <stdlib.h>

cJSON *model_plan_cand_json(const model_plan_result *r, const model_plan_cand *c)
{
    char d[512];
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    model_plan_describe(r, c, d, sizeof d);
    cJSON_AddStringToObject(o, "plan", d);
    cJSON *gs = cJSON_AddArrayToObject(o, "groups");
    for (int g = 0; g < c->ngroups; g++) {
        const model_plan_choice *ch = &r->choice[c->choice[g]];
        cJSON *gj = cJSON_CreateObject(), *st = cJSON_AddArrayToObject(gj, "stages");
        for (int i = ch->g.first; i <= ch->g.last; i++)
            cJSON_AddItemToArray(st, cJSON_CreateString(r->pipe->stage[i].name));
        cJSON_AddStringToObject(gj, "gpu", ch->g.gpu);
        cJSON_AddNumberToObject(gj, "gpus", ch->g.gpus);
        cJSON *w = cJSON_AddObjectToObject(gj, "wall_s");
        cJSON_AddNumberToObject(w, "mean", ch->r.wall_mean);
        cJSON_AddNumberToObject(w, "p95", ch->r.wall_p95);
        cJSON_AddObjectToObject(gj, "cost_usd");
        cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(gj, "cost_usd"), "mean", ch->r.cost_mean);
        cJSON_AddItemToArray(gs, gj);
    }
    cJSON *w = cJSON_AddObjectToObject(o, "wall_s");
    cJSON_AddNumberToObject(w, "mean", c->wall_mean);
    cJSON_AddNumberToObject(w, "p95", c->wall_p95);
    cJSON *cu = cJSON_AddObjectToObject(o, "cost_usd");
    cJSON_AddNumberToObject(cu, "mean", c->cost_mean);
    cJSON_AddBoolToObject(o, "pareto", c->pareto);
    cJSON_AddBoolToObject(o, "meets_targets", c->meets);
    if (r->goal.objective == MODEL_PLAN_BALANCED)
        cJSON_AddNumberToObject(o, "score", c->score);
    return o;
}

static void add_target(cJSON *o, const char *name, double v)
{
    if (v > 0)
        cJSON_AddNumberToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

static cJSON *stages_json(const model_plan_result *r)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < r->pipe->nstages; i++) {
        const model_pipe_stage *st = &r->pipe->stage[i];
        cJSON *o = cJSON_CreateObject(), *pf = cJSON_AddObjectToObject(o, "per_frame_s");
        cJSON *src = cJSON_AddObjectToObject(o, "source");
        cJSON_AddStringToObject(o, "name", st->name);
        for (int f = 0; f < st->nfig; f++) {
            cJSON_AddNumberToObject(pf, st->fig[f].gpu, model_dist_mean(&st->fig[f].per_frame));
            cJSON_AddStringToObject(src, st->fig[f].gpu, st->fig[f].source);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

cJSON *model_plan_json(const model_plan_result *r)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    const model_plan_goal *g = &r->goal;
    cJSON_AddStringToObject(j, "scenario", r->s->name);
    cJSON_AddStringToObject(j, "method", "plan");
    cJSON_AddStringToObject(j, "objective", model_plan_objective_name(g->objective));
    if (g->objective == MODEL_PLAN_BALANCED)
        cJSON_AddNumberToObject(j, "balanced_weight", g->balanced_weight);
    cJSON *t = cJSON_AddObjectToObject(j, "targets");
    add_target(t, "p95_s", g->p95_target_s);
    add_target(t, "max_cost_usd", g->max_cost_usd);
    cJSON_AddStringToObject(t, "p95_from", g->p95_target_s <= 0 ? "none" : g->p95_from_current ? "current" : "given");
    cJSON_AddStringToObject(t, "max_cost_from", g->max_cost_usd <= 0 ? "none" : g->cost_from_current ? "current"
                                                                                                    : "given");
    cJSON_AddNumberToObject(j, "frames", (double)r->s->frames);
    cJSON_AddItemToObject(j, "stages", stages_json(r));
    cJSON *types = cJSON_AddArrayToObject(j, "gpu_types");
    for (int i = 0; i < r->ntypes; i++)
        if (r->types[i].considered)
            cJSON_AddItemToArray(types, cJSON_CreateString(r->types[i].name));
    cJSON_AddNumberToObject(j, "candidates", (double)r->ncand);
    cJSON_AddNumberToObject(j, "enumerated", r->enumerated);
    cJSON_AddNumberToObject(j, "search_s", r->search_s);
    cJSON *plans = cJSON_AddArrayToObject(j, "plans");
    for (int i = 0; i < r->npareto; i++)
        cJSON_AddItemToArray(plans, model_plan_cand_json(r, &r->cand[r->pareto[i]]));
    if (r->recommended >= 0)
        cJSON_AddItemToObject(j, "recommended", model_plan_cand_json(r, &r->cand[r->recommended]));
    else
        cJSON_AddNullToObject(j, "recommended");
    if (r->runner_up >= 0)
        cJSON_AddItemToObject(j, "runner_up", model_plan_cand_json(r, &r->cand[r->runner_up]));
    else
        cJSON_AddNullToObject(j, "runner_up");
    if (r->has_current)
        cJSON_AddItemToObject(j, "current", model_plan_cand_json(r, &r->current));
    else
        cJSON_AddNullToObject(j, "current");
    cJSON *cl = cJSON_AddArrayToObject(j, "closest");
    for (int i = 0; i < 2; i++)
        if (r->closest[i] >= 0)
            cJSON_AddItemToArray(cl, model_plan_cand_json(r, &r->cand[r->closest[i]]));
    cJSON_AddStringToObject(j, "summary", r->summary);
    cJSON_AddStringToObject(j, "why", r->why);
    return j;
}

static int csv_row(FILE *f, const model_plan_result *r, const model_plan_cand *c, const char *role)
{
    char d[512];
    model_plan_describe(r, c, d, sizeof d);
    int e = base_csv_field(f, r->s->name, BASE_CSV_RFC) | (fputc(',', f) == EOF) |
            base_csv_field(f, d, BASE_CSV_RFC);
    e |= fprintf(f, ",%d,%.9g,%.9g,%.9g,%d,%d,%s\n", c->ngroups, c->wall_mean, c->wall_p95, c->cost_mean, c->pareto,
                 c->meets, role) < 0;
    return e;
}

int model_plan_csv(FILE *f, const model_plan_result *r)
{
    int e = fprintf(f, "scenario,plan,groups,wall_mean_s,wall_p95_s,cost_mean_usd,pareto,meets_targets,role\n") < 0;
    for (long i = 0; i < r->ncand && !e; i++)
        e |= csv_row(f, r, &r->cand[i], i == r->recommended ? "recommended" : i == r->runner_up ? "runner_up"
                                                                                                : "candidate");
    if (r->has_current && !e)
        e |= csv_row(f, r, &r->current, "current");
    return e ? -1 : 0;
}
