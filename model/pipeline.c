/* model/pipeline.c -- the pipeline and plan sections: parsing and owned
 * copies. The views built from them (type and group platforms, per-stage
 * profiles) and the checks across them are in model/pipeline_view.c. See
 * pipeline.h. */
#include "model/pipeline.h"
#include "model/bounds.h"
#include "model/dist_parse.h"
#include "base/json.h"
#include "base/status.h"
#include "base/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) base_errf(err, errsz, BASE_EINPUT, __VA_ARGS__)

/* Every key of obj is one of keys[] or a "_" comment. */
static int known_keys(const model_scenario *s, const cJSON *obj, const char *path, const char *const *keys,
                      char *err, size_t errsz)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        if (!k->string || k->string[0] == '_')
            continue;
        int ok = 0;
        for (const char *const *q = keys; *q; q++)
            ok |= !strcmp(*q, k->string);
        if (ok)
            continue;
        const char *near = base_did_you_mean(k->string, keys);
        if (near)
            return FAIL("%s: %s.%s: unknown field (did you mean '%s'?)", s->file, path, k->string, near);
        return FAIL("%s: %s.%s: unknown field", s->file, path, k->string);
    }
    return BASE_OK;
}

static int get_num(const model_scenario *s, const cJSON *j, const char *path, double lo, double hi, int open_lo,
                   double *v, char *err, size_t errsz)
{
    if (!cJSON_IsNumber(j))
        return FAIL("%s: %s: must be a number (got %s)", s->file, path, model_parse_json_type(j));
    *v = j->valuedouble;
    if (!isfinite(*v))
        return FAIL("%s: %s: must be finite (got %g)", s->file, path, *v);
    if (open_lo ? !(*v > lo) : !(*v >= lo))
        return FAIL("%s: %s: must be %s %g (got %g)", s->file, path, open_lo ? "greater than" : "at least", lo, *v);
    if (*v > hi)
        return FAIL("%s: %s: must be at most %g (got %g)", s->file, path, hi, *v);
    return BASE_OK;
}

static int get_name(const model_scenario *s, const cJSON *j, const char *path, char *dst, char *err, size_t errsz)
{
    if (!cJSON_IsString(j))
        return FAIL("%s: %s: must be a string (got %s)", s->file, path, model_parse_json_type(j));
    if (!j->valuestring[0])
        return FAIL("%s: %s: must not be empty", s->file, path);
    if (strlen(j->valuestring) >= MODEL_PIPE_NAME || strchr(j->valuestring, ','))
        return FAIL("%s: %s: must be at most %d characters, without commas (got \"%.60s\")", s->file, path,
                    MODEL_PIPE_NAME - 1, j->valuestring);
    snprintf(dst, MODEL_PIPE_NAME, "%s", j->valuestring);
    return BASE_OK;
}

/* ---- the price table ------------------------------------------------------ */

static int load_prices(model_pipeline *p, const model_scenario *s, const cJSON *where, char *err, size_t errsz)
{
    char *text = NULL, path[1200];
    const char *src = model_prices_modal_json;
    int rc = BASE_OK;
    snprintf(p->prices_name, sizeof p->prices_name, "data/prices/modal.json (built-in)");
    if (where) {
        if (!cJSON_IsString(where) || !where->valuestring[0])
            return FAIL("%s: plan.prices: must be a file name (got %s)", s->file, model_parse_json_type(where));
        const char *v = where->valuestring, *slash = strrchr(s->file, '/');
        if (v[0] != '/' && slash)
            snprintf(path, sizeof path, "%.*s/%s", (int)(slash - s->file), s->file, v);
        else
            snprintf(path, sizeof path, "%s", v);
        if (base_read_file(path, &text, NULL, err, errsz))
            return FAIL("%s: plan.prices: cannot read %s", s->file, path);
        snprintf(p->prices_name, sizeof p->prices_name, "%.1000s", path);
        src = text;
    }
    cJSON *root = NULL;
    if ((rc = base_json_parse(src, strlen(src), p->prices_name, &root, err, errsz))) {
        free(text);
        return rc;
    }
    const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(root, "gpu_per_s");
    if (!cJSON_IsObject(gpu)) {
        rc = FAIL("%s: plan.prices: %s: must be JSON with a \"gpu_per_s\" object of USD per second by GPU type",
                  s->file, p->prices_name);
        goto cleanup;
    }
    for (const cJSON *e = gpu->child; e; e = e->next) {
        if (!e->string || e->string[0] == '_')
            continue;
        double v = cJSON_IsNumber(e) ? e->valuedouble : -1;
        if (strlen(e->string) >= MODEL_PIPE_NAME || p->nprice >= MODEL_PIPE_MAX_PRICES) {
            rc = FAIL("%s: plan.prices: %s: gpu_per_s.%.40s: at most %d types, names of at most %d characters",
                      s->file, p->prices_name, e->string, MODEL_PIPE_MAX_PRICES, MODEL_PIPE_NAME - 1);
            goto cleanup;
        }
        if (!(v == 0 || (v >= MODEL_MIN_PRICE && v <= MODEL_MAX_PRICE))) {
            char got[64];
            if (cJSON_IsNumber(e))
                snprintf(got, sizeof got, "%g", v);
            else
                snprintf(got, sizeof got, "%s", model_parse_json_type(e));
            rc = FAIL("%s: plan.prices: %s: gpu_per_s.%s: must be 0 or %g to %g USD per second (got %s)", s->file,
                      p->prices_name, e->string, MODEL_MIN_PRICE, MODEL_MAX_PRICE, got);
            goto cleanup;
        }
        snprintf(p->price[p->nprice].name, MODEL_PIPE_NAME, "%s", e->string);
        p->price[p->nprice++].gpu_per_s = e->valuedouble;
    }
cleanup:
    cJSON_Delete(root);
    free(text);
    return rc;
}

/* ---- stages --------------------------------------------------------------- */

static int add_figure(model_pipeline *p, model_scenario *s, model_pipe_stage *st, const char *gpu, const cJSON *j,
                      const char *path, const cJSON *source, char *err, size_t errsz)
{
    if (!gpu[0] || strlen(gpu) >= MODEL_PIPE_NAME || strchr(gpu, ','))
        return FAIL("%s: %s: a GPU type name must be 1 to %d characters, without commas", s->file, path,
                    MODEL_PIPE_NAME - 1);
    if (st->nfig >= MODEL_PIPE_MAX_TYPES)
        return FAIL("%s: %s: at most %d GPU types per stage", s->file, path, MODEL_PIPE_MAX_TYPES);
    model_pipe_figure *f = &st->fig[st->nfig];
    int rc = model_scenario_parse_time(s, j, path, &f->per_frame, err, errsz);
    if (!rc) /* the bounds of stage.per_frame_s (model/bounds.h) */
        rc = model_bounds_per_frame(&f->per_frame, s->frames, s->file, path, err, errsz);
    if (rc)
        return rc;
    snprintf(f->gpu, sizeof f->gpu, "%s", gpu);
    const cJSON *note = cJSON_IsObject(source) ? cJSON_GetObjectItemCaseSensitive(source, gpu) : source;
    if (cJSON_IsString(note))
        snprintf(f->source, sizeof f->source, "%s", note->valuestring);
    else
        snprintf(f->source, sizeof f->source, "%.180s: %.130s", s->file, path);
    st->nfig++;
    (void)p;
    return BASE_OK;
}

static int parse_stage(model_pipeline *p, model_scenario *s, const cJSON *j, int i, char *err, size_t errsz)
{
    static const char *const keys[] = {"name", "per_frame_s", NULL};
    char path[160], sub[MODEL_PIPE_NAME + 200];
    model_pipe_stage *st = &p->stage[i];
    snprintf(path, sizeof path, "pipeline.stages[%d]", i);
    if (!cJSON_IsObject(j))
        return FAIL("%s: %s: must be an object {\"name\", \"per_frame_s\"} (got %s)", s->file, path, model_parse_json_type(j));
    int rc = known_keys(s, j, path, keys, err, errsz);
    if (rc)
        return rc;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(j, "per_frame_s");
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(j, "_source");
    snprintf(sub, sizeof sub, "%s.name", path);
    if (!name)
        return FAIL("%s: %s: missing", s->file, sub);
    if ((rc = get_name(s, name, sub, st->name, err, errsz)))
        return rc;
    for (int a = 0; a < i; a++)
        if (!strcmp(p->stage[a].name, st->name))
            return FAIL("%s: %s: '%s' is already the name of pipeline.stages[%d]", s->file, sub, st->name, a);
    snprintf(sub, sizeof sub, "%s.per_frame_s", path);
    if (!pf)
        return FAIL("%s: %s: missing (a time for platform.gpu, or an object keyed by GPU type)", s->file, sub);
    if (cJSON_IsNumber(pf) || (cJSON_IsObject(pf) && cJSON_GetObjectItemCaseSensitive(pf, "dist")))
        return add_figure(p, s, st, s->gpu, pf, sub, source, err, errsz);
    if (!cJSON_IsObject(pf))
        return FAIL("%s: %s: must be a time or an object keyed by GPU type (got %s)", s->file, sub, model_parse_json_type(pf));
    for (const cJSON *e = pf->child; e; e = e->next) {
        char fpath[MODEL_PIPE_NAME + 260];
        if (!e->string || e->string[0] == '_')
            continue;
        snprintf(fpath, sizeof fpath, "%s.%s", sub, e->string);
        for (int a = 0; a < st->nfig; a++)
            if (!strcmp(st->fig[a].gpu, e->string))
                return FAIL("%s: %s: given twice", s->file, fpath);
        if ((rc = add_figure(p, s, st, e->string, e, fpath, source, err, errsz)))
            return rc;
    }
    if (st->nfig == 0)
        return FAIL("%s: %s: no GPU type given (e.g. {\"T4\": 0.025})", s->file, sub);
    return BASE_OK;
}

static int parse_stages(model_pipeline *p, model_scenario *s, const cJSON *j, char *err, size_t errsz)
{
    if (!j)
        return FAIL("%s: pipeline.stages: missing (the ordered list of stages)", s->file);
    if (!cJSON_IsArray(j))
        return FAIL("%s: pipeline.stages: must be an array of stages (got %s)", s->file, model_parse_json_type(j));
    int n = cJSON_GetArraySize(j);
    if (n < 1 || n > MODEL_PIPE_MAX_STAGES)
        return FAIL("%s: pipeline.stages: must hold 1 to %d stages (got %d)", s->file, MODEL_PIPE_MAX_STAGES, n);
    p->stage = calloc((size_t)n, sizeof *p->stage);
    if (!p->stage)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    p->nstages = n;
    p->has_stages = 1;
    int i = 0, rc;
    for (const cJSON *e = j->child; e; e = e->next, i++)
        if ((rc = parse_stage(p, s, e, i, err, errsz)))
            return rc;
    return BASE_OK;
}

/* ---- the current plan ----------------------------------------------------- */

static int parse_group(model_pipeline *p, model_scenario *s, const cJSON *j, int gi, int *next, char *err,
                       size_t errsz)
{
    static const char *const keys[] = {"stages", "gpu", "gpus", NULL};
    char path[64], sub[160];
    model_pipe_group *g = &p->current[gi];
    snprintf(path, sizeof path, "pipeline.current[%d]", gi);
    if (!cJSON_IsObject(j))
        return FAIL("%s: %s: must be an object {\"stages\", \"gpu\", \"gpus\"} (got %s)", s->file, path, model_parse_json_type(j));
    int rc = known_keys(s, j, path, keys, err, errsz);
    if (rc)
        return rc;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "stages");
    const cJSON *gpu = cJSON_GetObjectItemCaseSensitive(j, "gpu"), *k = cJSON_GetObjectItemCaseSensitive(j, "gpus");
    if (!cJSON_IsArray(st) || cJSON_GetArraySize(st) < 1)
        return FAIL("%s: %s.stages: must be a non-empty array of stage names (got %s)", s->file, path,
                    st ? model_parse_json_type(st) : "nothing");
    const char *names[MODEL_PIPE_MAX_STAGES + 1];
    for (int a = 0; a < p->nstages; a++)
        names[a] = p->stage[a].name;
    names[p->nstages] = NULL;
    int si = 0;
    for (const cJSON *e = st->child; e; e = e->next, si++) {
        snprintf(sub, sizeof sub, "%s.stages[%d]", path, si);
        if (!cJSON_IsString(e))
            return FAIL("%s: %s: must be a stage name (got %s)", s->file, sub, model_parse_json_type(e));
        int idx = model_pipeline_stage_index(p, e->valuestring);
        if (idx < 0) {
            const char *near = base_did_you_mean(e->valuestring, names);
            if (near)
                return FAIL("%s: %s: unknown stage '%s' (did you mean '%s'?)", s->file, sub, e->valuestring, near);
            return FAIL("%s: %s: unknown stage '%s' (pipeline.stages has no such name)", s->file, sub, e->valuestring);
        }
        if (idx != *next)
            return FAIL("%s: %s: expected '%s' (groups take the stages in pipeline order, each once; got '%s')",
                        s->file, sub, *next < p->nstages ? p->stage[*next].name : "no more stages", e->valuestring);
        if (si == 0)
            g->first = idx;
        g->last = idx;
        (*next)++;
    }
    snprintf(g->gpu, sizeof g->gpu, "%.47s", s->gpu);
    snprintf(sub, sizeof sub, "%s.gpu", path);
    if (gpu && (rc = get_name(s, gpu, sub, g->gpu, err, errsz)))
        return rc;
    double v = 1;
    snprintf(sub, sizeof sub, "%s.gpus", path);
    if (k && ((rc = get_num(s, k, sub, 1, MODEL_MAX_GPUS, 0, &v, err, errsz))))
        return rc;
    if (floor(v) != v)
        return FAIL("%s: %s: must be an integer (got %g)", s->file, sub, v);
    g->gpus = (int)v;
    return BASE_OK;
}

static int parse_current(model_pipeline *p, model_scenario *s, const cJSON *j, char *err, size_t errsz)
{
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) < 1)
        return FAIL("%s: pipeline.current: must be a non-empty array of groups (got %s)", s->file, model_parse_json_type(j));
    if (cJSON_GetArraySize(j) > p->nstages)
        return FAIL("%s: pipeline.current: more groups (%d) than stages (%d)", s->file, cJSON_GetArraySize(j),
                    p->nstages);
    int next = 0, gi = 0, rc;
    for (const cJSON *e = j->child; e; e = e->next, gi++)
        if ((rc = parse_group(p, s, e, gi, &next, err, errsz)))
            return rc;
    p->ncurrent = gi;
    if (next < p->nstages)
        return FAIL("%s: pipeline.current: stage '%s' is in no group (every stage, in order)", s->file,
                    p->stage[next].name);
    return BASE_OK;
}

/* ---- the plan section -------------------------------------------------------- */

static int add_type(model_pipeline *p, const model_scenario *s, const char *name, const char *where, char *err,
                    size_t errsz)
{
    if (model_pipeline_type(p, name))
        return FAIL("%s: %s: GPU type '%s' is listed twice", s->file, where, name);
    if (p->ntypes >= MODEL_PIPE_MAX_TYPES)
        return FAIL("%s: %s: at most %d GPU types", s->file, where, MODEL_PIPE_MAX_TYPES);
    model_pipe_type *t = &p->type[p->ntypes++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->where, sizeof t->where, "%s", where);
    t->gpu_per_s = -1;
    return BASE_OK;
}

static int parse_type(model_pipeline *p, model_scenario *s, const cJSON *e, int i, char *err, size_t errsz)
{
    char where[64], sub[128], name[MODEL_PIPE_NAME];
    snprintf(where, sizeof where, "plan.gpu_types[%d]", i);
    if (cJSON_IsString(e)) {
        int rc = get_name(s, e, where, name, err, errsz);
        return rc ? rc : add_type(p, s, name, where, err, errsz);
    }
    if (!cJSON_IsObject(e))
        return FAIL("%s: %s: must be a GPU type name or {\"name\", platform fields...} (got %s)", s->file, where,
                    model_parse_json_type(e));
    snprintf(sub, sizeof sub, "%s.name", where);
    const cJSON *nj = cJSON_GetObjectItemCaseSensitive(e, "name");
    if (!nj)
        return FAIL("%s: %s: missing", s->file, sub);
    int rc = get_name(s, nj, sub, name, err, errsz);
    if (rc || (rc = add_type(p, s, name, where, err, errsz)))
        return rc;
    model_pipe_type *t = &p->type[p->ntypes - 1];
    cJSON *plat = cJSON_Duplicate(e, 1), *frag = cJSON_CreateObject();
    if (!plat || !frag) {
        cJSON_Delete(plat);
        cJSON_Delete(frag);
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(plat, "name");
    cJSON_AddItemToObject(frag, "platform", plat);
    t->override = frag;
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(e, "gpu_per_s");
    snprintf(sub, sizeof sub, "%s.gpu_per_s", where);
    if (price && (rc = get_num(s, price, sub, 0, 1e300, 0, &t->gpu_per_s, err, errsz)))
        return rc;
    return BASE_OK;
}

static int parse_plan(model_pipeline *p, model_scenario *s, const cJSON *j, char *err, size_t errsz)
{
    static const char *const keys[] = {"gpu_types", "gpus", "objective", "balanced_weight", "p95_target_s",
                                       "max_cost_usd", "prices", NULL};
    if (!cJSON_IsObject(j))
        return FAIL("%s: plan: must be an object (got %s)", s->file, model_parse_json_type(j));
    int rc = known_keys(s, j, "plan", keys, err, errsz);
    if (rc)
        return rc;
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(j, "gpu_types");
    if (types) {
        if (!cJSON_IsArray(types) || cJSON_GetArraySize(types) < 1)
            return FAIL("%s: plan.gpu_types: must be a non-empty array of GPU types (got %s)", s->file,
                        model_parse_json_type(types));
        int i = 0;
        for (const cJSON *e = types->child; e; e = e->next, i++)
            if ((rc = parse_type(p, s, e, i, err, errsz)))
                return rc;
        p->types_given = 1;
    }
    const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(j, "gpus");
    if (gpus) {
        int n = cJSON_IsArray(gpus) ? cJSON_GetArraySize(gpus) : 0;
        if (n < 1 || n > MODEL_MAX_GPU_LIST)
            return FAIL("%s: plan.gpus: must be an array of 1 to %d container counts (got %s)", s->file,
                        MODEL_MAX_GPU_LIST, model_parse_json_type(gpus));
        int i = 0;
        for (const cJSON *e = gpus->child; e; e = e->next, i++) {
            char sub[64];
            double v;
            snprintf(sub, sizeof sub, "plan.gpus[%d]", i);
            if ((rc = get_num(s, e, sub, 1, MODEL_MAX_GPUS, 0, &v, err, errsz)))
                return rc;
            if (floor(v) != v)
                return FAIL("%s: %s: must be an integer (got %g)", s->file, sub, v);
            p->gpus[i] = (int)v;
        }
        p->ngpus = model_gpu_list_normalize(p->gpus, n);
    }
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(j, "objective");
    if (obj && (!cJSON_IsString(obj) || model_plan_objective_parse(obj->valuestring, &p->objective)))
        return FAIL("%s: plan.objective: must be \"cost\", \"speed\" or \"balanced\" (got %s%s%s)", s->file,
                    cJSON_IsString(obj) ? "\"" : "", cJSON_IsString(obj) ? obj->valuestring : model_parse_json_type(obj),
                    cJSON_IsString(obj) ? "\"" : "");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "balanced_weight");
    if (w && (rc = get_num(s, w, "plan.balanced_weight", 0, 1, 0, &p->balanced_weight, err, errsz)))
        return rc;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "p95_target_s");
    if (t && (rc = get_num(s, t, "plan.p95_target_s", 0, 1e9, 1, &p->p95_target_s, err, errsz)))
        return rc;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "max_cost_usd");
    if (c && (rc = get_num(s, c, "plan.max_cost_usd", 0, 1e9, 1, &p->max_cost_usd, err, errsz)))
        return rc;
    return BASE_OK;
}

/* The default types: platform.gpu, then each figure's type in order. */
static int default_types(model_pipeline *p, const model_scenario *s, char *err, size_t errsz)
{
    int rc = add_type(p, s, s->gpu, "platform.gpu", err, errsz);
    for (int i = 0; !rc && i < p->nstages; i++)
        for (int f = 0; !rc && f < p->stage[i].nfig; f++) {
            const char *g = p->stage[i].fig[f].gpu;
            if (model_pipeline_type(p, g))
                continue;
            char where[MODEL_PIPE_NAME + 64];
            snprintf(where, sizeof where, "pipeline.stages[%d].per_frame_s.%s", i, g);
            rc = add_type(p, s, g, where, err, errsz);
        }
    return rc;
}

int model_pipeline_parse(const cJSON *root, model_scenario *s, char *err, size_t errsz)
{
    static const char *const pkeys[] = {"stages", "handoff_mb", "current", NULL};
    const cJSON *pj = cJSON_GetObjectItemCaseSensitive(root, "pipeline");
    const cJSON *plj = cJSON_GetObjectItemCaseSensitive(root, "plan");
    if (!pj && !plj)
        return BASE_OK;
    if (strlen(s->gpu) >= MODEL_PIPE_NAME || strchr(s->gpu, ','))
        return FAIL("%s: platform.gpu: must be at most %d characters, without commas (got \"%.60s\")", s->file,
                    MODEL_PIPE_NAME - 1, s->gpu);
    model_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    s->pipeline = p; /* owned by s from here on, also on failure */
    p->handoff_mb = -1;
    p->objective = MODEL_PLAN_COST;
    p->balanced_weight = 0.5;
    int rc = load_prices(p, s, plj && cJSON_IsObject(plj) ? cJSON_GetObjectItemCaseSensitive(plj, "prices") : NULL,
                         err, errsz);
    if (rc)
        return rc;
    if (pj) {
        if (!cJSON_IsObject(pj))
            return FAIL("%s: pipeline: must be an object (got %s)", s->file, model_parse_json_type(pj));
        if ((rc = known_keys(s, pj, "pipeline", pkeys, err, errsz)) ||
            (rc = parse_stages(p, s, cJSON_GetObjectItemCaseSensitive(pj, "stages"), err, errsz)))
            return rc;
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(pj, "handoff_mb");
        if (h && (rc = get_num(s, h, "pipeline.handoff_mb", 0, MODEL_MAX_MB, 0, &p->handoff_mb, err, errsz)))
            return rc;
        const cJSON *cur = cJSON_GetObjectItemCaseSensitive(pj, "current");
        if (cur && (rc = parse_current(p, s, cur, err, errsz)))
            return rc;
    }
    if (plj && (rc = parse_plan(p, s, plj, err, errsz)))
        return rc;
    if (!p->types_given && p->has_stages && (rc = default_types(p, s, err, errsz)))
        return rc;
    if (p->has_stages)
        return model_pipeline_check(p, s, err, errsz);
    model_pipeline *one = NULL; /* a plan section alone: the one-stage pipeline's checks */
    if (!(rc = model_pipeline_for(s, &one, err, errsz)))
        rc = model_pipeline_check(one, s, err, errsz);
    model_pipeline_free(one);
    return rc;
}

/* ---- copies ----------------------------------------------------------------- */

int model_pipeline_for(const model_scenario *s, model_pipeline **out, char *err, size_t errsz)
{
    const model_pipeline *src = s->pipeline;
    model_pipeline *p = calloc(1, sizeof *p);
    int rc = BASE_OK;
    if (!p)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if (src) {
        *p = *src;
        p->owned = NULL;
        p->nowned = 0;
        p->stage = NULL;
        for (int t = 0; t < p->ntypes; t++)
            p->type[t].override = NULL;
        for (int t = 0; t < p->ntypes; t++)
            if (src->type[t].override && !(p->type[t].override = cJSON_Duplicate(src->type[t].override, 1))) {
                rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
                goto cleanup;
            }
    } else {
        p->handoff_mb = -1;
        p->objective = MODEL_PLAN_COST;
        p->balanced_weight = 0.5;
        if ((rc = load_prices(p, s, NULL, err, errsz)))
            goto cleanup;
    }
    int n = src && src->has_stages ? src->nstages : 1;
    if (!(p->stage = calloc((size_t)n, sizeof *p->stage))) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if (src && src->has_stages) {
        memcpy(p->stage, src->stage, (size_t)n * sizeof *p->stage);
    } else {
        /* the scenario's one stage, on platform.gpu */
        p->has_stages = 0;
        p->nstages = 1;
        p->ncurrent = 0;
        snprintf(p->stage[0].name, sizeof p->stage[0].name, "%.*s", MODEL_PIPE_NAME - 1, s->name);
        p->stage[0].nfig = 1;
        snprintf(p->stage[0].fig[0].gpu, MODEL_PIPE_NAME, "%.47s", s->gpu);
        p->stage[0].fig[0].per_frame = s->per_frame;
        snprintf(p->stage[0].fig[0].source, sizeof p->stage[0].fig[0].source, "%.280s: stage.per_frame_s", s->file);
        if (!p->types_given) {
            p->ntypes = 1;
            memset(&p->type[0], 0, sizeof p->type[0]);
            snprintf(p->type[0].name, MODEL_PIPE_NAME, "%.47s", s->gpu);
            snprintf(p->type[0].where, sizeof p->type[0].where, "platform.gpu");
            p->type[0].gpu_per_s = -1;
        }
    }
    *out = p;
    return BASE_OK;
cleanup:
    model_pipeline_free(p);
    return rc;
}

int model_pipeline_set_types(model_pipeline *p, const model_scenario *s, const char *list, const char *opt,
                             char *err, size_t errsz)
{
    model_pipe_type old[MODEL_PIPE_MAX_TYPES];
    int nold = p->ntypes, rc = BASE_OK;
    memcpy(old, p->type, sizeof old);
    p->ntypes = 0;
    for (const char *a = list; *a;) {
        size_t n = strcspn(a, ",");
        char name[MODEL_PIPE_NAME];
        if (n == 0 || n >= sizeof name) {
            rc = FAIL("%s: expected a comma-separated list of GPU type names (got '%s')", opt, list);
            goto cleanup;
        }
        snprintf(name, sizeof name, "%.*s", (int)n, a);
        if (model_pipeline_type(p, name)) {
            rc = FAIL("%s: GPU type '%s' is listed twice", opt, name);
            goto cleanup;
        }
        int found = -1;
        for (int t = 0; t < nold; t++)
            if (!strcmp(old[t].name, name))
                found = t;
        if (found >= 0) {
            p->type[p->ntypes] = old[found];
            old[found].override = NULL; /* moved */
            p->ntypes++;
        } else if ((rc = add_type(p, s, name, opt, err, errsz))) {
            goto cleanup;
        }
        if ((rc = model_pipeline_priced(p, s, name, opt, err, errsz)))
            goto cleanup;
        a += n + (a[n] == ',');
    }
    if (p->ntypes == 0)
        rc = FAIL("%s: empty list", opt);
    p->types_given = 1;
cleanup:
    for (int t = 0; t < nold; t++)
        cJSON_Delete(old[t].override);
    return rc;
}
