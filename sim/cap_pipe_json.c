/* sim/cap_pipe_json.c -- a pipeline capacity run's JSON and its sweep's
 * (sim/cap_pipe.h states the fields; docs/capacity.md what each means). */
#include "sim/cap_pipe.h"

#include "model/workload.h"

static cJSON *header(const model_scenario *s, const sim_cap_plan *pl)
{
    char wl[1200];
    model_workload_name(s, wl, sizeof wl);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "scenario", s->name);
    cJSON_AddStringToObject(o, "method", "capacity");
    cJSON_AddBoolToObject(o, "pipeline", 1);
    cJSON_AddNumberToObject(o, "seed", (double)s->seed);
    cJSON_AddStringToObject(o, "workload", wl);
    cJSON *p = cJSON_AddObjectToObject(o, "plan");
    cJSON_AddStringToObject(p, "plan", pl->name);
    cJSON_AddStringToObject(p, "from", pl->from);
    cJSON_AddNumberToObject(p, "groups", pl->n);
    return o;
}

/* Group g of the plan: what it runs, its pool, and (r non-NULL) its result. */
static cJSON *group_json(const sim_cap_plan *pl, int g, const sim_cap_result *r)
{
    const model_scenario *v = &pl->view[g];
    cJSON *h = sim_cap_header_json(v), *e = cJSON_CreateObject();
    if (!h || !e) {
        cJSON_Delete(h);
        cJSON_Delete(e);
        return NULL;
    }
    cJSON_AddNumberToObject(e, "group", g + 1);
    cJSON *st = cJSON_AddArrayToObject(e, "stages");
    for (int i = pl->g[g].first; st && i <= pl->g[g].last; i++)
        cJSON_AddItemToArray(st, cJSON_CreateString(pl->stage[i]));
    cJSON_AddStringToObject(e, "gpu", pl->g[g].gpu);
    cJSON_AddNumberToObject(e, "gpus", pl->g[g].gpus);
    cJSON_AddNumberToObject(e, "rate_usd_per_s", model_scenario_rate(v));
    cJSON_AddItemToObject(e, "policy", cJSON_DetachItemFromObjectCaseSensitive(h, "policy"));
    cJSON_AddItemToObject(e, "pool", cJSON_DetachItemFromObjectCaseSensitive(h, "pool"));
    cJSON_Delete(h);
    if (r)
        sim_cap_result_add_json(e, r);
    return e;
}

/* The plan's groups with their results; size > 0: a sweep's run, whose
 * swept groups had that cap. */
static int add_groups(cJSON *o, const sim_cap_plan *pl, const sim_cap_pipe_result *r, long size)
{
    cJSON *a = cJSON_AddArrayToObject(o, "groups");
    if (!a)
        return -1;
    for (int g = 0; g < pl->n; g++) {
        cJSON *e = group_json(pl, g, r ? &r->group[g] : NULL);
        if (!e)
            return -1;
        cJSON_AddItemToArray(a, e);
        if (size > 0 && !pl->own_max[g])
            cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "pool"), "max_containers",
                                                   cJSON_CreateNumber((double)size));
    }
    return 0;
}

cJSON *sim_cap_pipe_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_result *r)
{
    cJSON *o = header(s, pl);
    if (!o)
        return NULL;
    sim_cap_result_add_json(o, &r->all);
    if (add_groups(o, pl, r, 0)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *sim_cap_pipe_sweep_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_sweep *ps)
{
    const sim_cap_sweep *sw = ps->sw;
    cJSON *o = header(s, pl);
    if (!o)
        return NULL;
    cJSON *arr = sim_cap_sweep_add_json(o, sw);
    for (int i = 0; arr && i < sw->n; i++) {
        cJSON *e = sim_cap_sweep_run_json(arr, sw, i);
        if (!e || add_groups(e, pl, &ps->group[i], sw->runs[i].size)) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    if (!arr) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
