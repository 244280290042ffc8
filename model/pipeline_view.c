/* model/pipeline_view.c -- what the plan search is given from a pipeline:
 * the platform of a GPU type, a group of stages as one chunked job,
 * per-stage profiles, the checks across them (prices, figures, each type's
 * platform), names, freeing.
 * See pipeline.h. */
#include "model/pipeline.h"
#include "model/bounds.h"
#include "base/json.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) base_errf(err, errsz, BASE_EINPUT, __VA_ARGS__)

/* ---- platforms and groups ----------------------------------------------------- */

/* "FILE: platform.X" in an override's message becomes "FILE: WHERE.X". */
static void rename_path(char *err, size_t errsz, const char *where)
{
    char *at = err ? strstr(err, ": platform.") : NULL;
    if (!at)
        return;
    char tail[1024];
    snprintf(tail, sizeof tail, "%s", at + strlen(": platform."));
    snprintf(at, errsz - (size_t)(at - err), ": %s.%s", where, tail);
}

int model_pipeline_type_scenario(const model_pipeline *p, const model_scenario *s, const char *gpu,
                                 model_scenario *out, char *err, size_t errsz)
{
    const model_pipe_type *t = model_pipeline_type(p, gpu);
    double price = -1;
    *out = *s;
    out->owned = NULL;
    out->nowned = 0;
    out->pipeline = NULL;
    snprintf(out->gpu, sizeof out->gpu, "%s", gpu);
    if (t && t->gpu_per_s >= 0)
        price = t->gpu_per_s;
    else if (!strcmp(gpu, s->gpu))
        price = s->gpu_per_s;
    else
        for (int i = 0; i < p->nprice; i++)
            if (!strcmp(p->price[i].name, gpu))
                price = p->price[i].gpu_per_s;
    if (price < 0)
        return FAIL("%s: no price for GPU type '%s' (not in %s)", s->file, gpu, p->prices_name);
    out->gpu_per_s = price;
    if (t && t->override) {
        int rc = model_scenario_apply(out, t->override, err, errsz);
        if (rc) {
            rename_path(err, errsz, t->where);
            model_scenario_free(out);
            return rc;
        }
    }
    return BASE_OK;
}

/* The sum of independent per-frame laws as one law (pipeline.h). */
static model_dist sum_laws(const model_dist *d, int n)
{
    double fixed = 0, mean = 0, var = 0, shift = 0;
    int nrand = 0, allgamma = 1, last = -1;
    for (int i = 0; i < n; i++) {
        if (model_dist_is_fixed(&d[i])) {
            fixed += model_dist_mean(&d[i]);
            continue;
        }
        nrand++;
        last = i;
        mean += model_dist_mean(&d[i]);
        var += model_dist_var(&d[i]);
        shift += d[i].shift;
        allgamma &= d[i].kind == MODEL_DIST_GAMMA || d[i].kind == MODEL_DIST_EXPONENTIAL;
    }
    if (nrand == 0)
        return model_dist_fixed(fixed);
    model_dist o = d[last];
    if (nrand == 1) {
        o.shift += fixed;
        return o;
    }
    if (allgamma) {
        o = model_dist_gamma_mcv(mean - shift, sqrt(var) / (mean - shift));
        o.shift = shift + fixed;
        return o;
    }
    memset(&o, 0, sizeof o);
    o.kind = MODEL_DIST_NORMAL;
    o.a = mean + fixed;
    o.b = sqrt(var);
    return o;
}

int model_pipeline_group_scenario(const model_pipeline *p, const model_scenario *st, const model_pipe_group *g,
                                  model_scenario *out, char *err, size_t errsz)
{
    model_dist laws[MODEL_PIPE_MAX_STAGES];
    int n = 0;
    if (g->first < 0 || g->last >= p->nstages || g->first > g->last)
        return FAIL("%s: a group must be stages first..last of the pipeline (got %d..%d)", st->file, g->first,
                    g->last);
    for (int i = g->first; i <= g->last; i++) {
        const model_pipe_figure *f = model_pipeline_figure(p, i, g->gpu);
        if (!f)
            return FAIL("%s: stage '%s' has no per_frame_s figure for GPU type '%s'", st->file, p->stage[i].name,
                        g->gpu);
        laws[n++] = f->per_frame;
    }
    double handoff = p->handoff_mb >= 0 ? p->handoff_mb : st->output_mb;
    *out = *st;
    out->per_frame = sum_laws(laws, n);
    out->input_mb = g->first == 0 ? st->input_mb : handoff;
    out->output_mb = g->last == p->nstages - 1 ? st->output_mb : handoff;
    return BASE_OK;
}

/* ---- per-stage profiles --------------------------------------------------------- */

/* "calibrate MODE on DEVICE (FILE)" from a profile's metadata, or "FILE". */
static void provenance(const cJSON *root, const char *path, char *buf, size_t n)
{
    const cJSON *cal = cJSON_GetObjectItemCaseSensitive(root, "calibration");
    const cJSON *mode = cal ? cJSON_GetObjectItemCaseSensitive(cal, "mode") : NULL;
    const cJSON *dev = cal ? cJSON_GetObjectItemCaseSensitive(cal, "device") : NULL;
    const cJSON *gpu = cal ? cJSON_GetObjectItemCaseSensitive(cal, "gpu") : NULL;
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(root, "fit");
    if (cJSON_IsString(mode))
        snprintf(buf, n, "calibrate %.40s%s%.80s (%.160s)", mode->valuestring,
                 cJSON_IsString(dev) || cJSON_IsString(gpu) ? " on " : "",
                 cJSON_IsString(gpu) ? gpu->valuestring : cJSON_IsString(dev) ? dev->valuestring : "", path);
    else if (fit)
        snprintf(buf, n, "calibrate command (%.200s)", path);
    else
        snprintf(buf, n, "profile %.200s", path);
}

int model_pipeline_stage_profile(model_pipeline *p, const model_scenario *s, const char *stage, const char *gpu,
                                 const char *path, char *err, size_t errsz)
{
    char fpath[1200];
    int rc = BASE_OK, i = model_pipeline_stage_index(p, stage);
    cJSON *root = NULL;
    model_scenario tmp = {0};
    if (i < 0)
        return FAIL("--with %s=%s: unknown stage '%s'", stage, path, stage);
    if (!gpu)
        gpu = s->gpu;
    if (!gpu[0] || strlen(gpu) >= MODEL_PIPE_NAME)
        return FAIL("--with %s@%s=%s: bad GPU type name", stage, gpu, path);
    if ((rc = base_json_load(path, &root, err, errsz)))
        return rc;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "stage");
    const cJSON *pf = st ? cJSON_GetObjectItemCaseSensitive(st, "per_frame_s") : NULL;
    if (!pf) {
        rc = FAIL("%s: stage.per_frame_s: missing (a per-stage profile needs it)", path);
        goto cleanup;
    }
    snprintf(tmp.file, sizeof tmp.file, "%s", path);
    model_dist d;
    if ((rc = model_scenario_parse_time(&tmp, pf, "stage.per_frame_s", &d, err, errsz)) ||
        (rc = model_bounds_per_frame(&d, s->frames, path, "stage.per_frame_s", err, errsz)))
        goto cleanup;
    /* the profile's samples move to the pipeline */
    double **o = realloc(p->owned, (p->nowned + tmp.nowned) * sizeof *o);
    if (!o && tmp.nowned) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    p->owned = o;
    for (size_t a = 0; a < tmp.nowned; a++)
        p->owned[p->nowned++] = tmp.owned[a];
    free(tmp.owned);
    tmp.owned = NULL;
    tmp.nowned = 0;
    model_pipe_stage *sg = &p->stage[i];
    model_pipe_figure *f = NULL;
    for (int a = 0; a < sg->nfig; a++)
        if (!strcmp(sg->fig[a].gpu, gpu))
            f = &sg->fig[a];
    if (!f) {
        if (sg->nfig >= MODEL_PIPE_MAX_TYPES) {
            rc = FAIL("--with %s=%s: stage '%s' has %d GPU types already", stage, path, stage, sg->nfig);
            goto cleanup;
        }
        f = &sg->fig[sg->nfig++];
        snprintf(f->gpu, sizeof f->gpu, "%s", gpu);
    }
    f->per_frame = d;
    snprintf(fpath, sizeof fpath, "%s", path);
    provenance(root, fpath, f->source, sizeof f->source);
cleanup:
    model_scenario_free(&tmp);
    cJSON_Delete(root);
    return rc;
}

/* ---- names and the owned copy ------------------------------------------------------ */

/* ---- checks ----------------------------------------------------------------- */

int model_pipeline_priced(const model_pipeline *p, const model_scenario *s, const char *gpu, const char *where,
                          char *err, size_t errsz)
{
    const model_pipe_type *t = model_pipeline_type(p, gpu);
    if ((t && t->gpu_per_s >= 0) || !strcmp(gpu, s->gpu))
        return BASE_OK;
    for (int i = 0; i < p->nprice; i++)
        if (!strcmp(p->price[i].name, gpu))
            return BASE_OK;
    return FAIL("%s: %s: no price for GPU type '%s' (not in %s; give it as {\"name\": \"%s\", \"gpu_per_s\": "
                "USD} in plan.gpu_types)", s->file, where, gpu, p->prices_name, gpu);
}

int model_pipeline_check(const model_pipeline *p, const model_scenario *s, char *err, size_t errsz)
{
    int rc;
    for (int t = 0; t < p->ntypes; t++) {
        model_scenario tmp;
        if ((rc = model_pipeline_priced(p, s, p->type[t].name, p->type[t].where, err, errsz)))
            return rc;
        /* the type's own fields, checked now (messages name plan.gpu_types[i]),
         * then the cross-field bounds on its platform and the handoff's transfers */
        if ((rc = model_pipeline_type_scenario(p, s, p->type[t].name, &tmp, err, errsz)))
            return rc;
        char who[1200];
        snprintf(who, sizeof who, "%.1000s: %s (%s)", s->file, p->type[t].where, p->type[t].name);
        double h = p->handoff_mb >= 0 ? p->handoff_mb : s->output_mb;
        if (!(rc = model_bounds_scenario(&tmp, who, err, errsz)) &&
            ((tmp.download_mb_s > 0 && !(h / tmp.download_mb_s <= MODEL_MAX_PHASE_S)) ||
             (tmp.upload_mb_s > 0 && !(h / tmp.upload_mb_s <= MODEL_MAX_PHASE_S))))
            rc = FAIL("%s: pipeline.handoff_mb: %g MB between groups takes more than %g s (one day) to move at "
                      "%g MB/s down, %g MB/s up", who, h, MODEL_MAX_PHASE_S, tmp.download_mb_s, tmp.upload_mb_s);
        model_scenario_free(&tmp);
        if (rc)
            return rc;
    }
    for (int i = 0; i < p->nstages; i++) {
        int any = 0;
        for (int t = 0; t < p->ntypes; t++)
            any |= model_pipeline_figure(p, i, p->type[t].name) != NULL;
        if (any)
            continue;
        char list[512] = "";
        size_t len = 0;
        for (int t = 0; t < p->ntypes && len < sizeof list; t++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", t ? ", " : "", p->type[t].name);
        return FAIL("%s: pipeline.stages[%d].per_frame_s: stage '%s' has no figure for any GPU type considered "
                    "(%s)", s->file, i, p->stage[i].name, list);
    }
    for (int g = 0; g < p->ncurrent; g++) {
        const model_pipe_group *c = &p->current[g];
        char where[64];
        snprintf(where, sizeof where, "pipeline.current[%d].gpu", g);
        if ((rc = model_pipeline_priced(p, s, c->gpu, where, err, errsz)))
            return rc;
        for (int i = c->first; i <= c->last; i++)
            if (!model_pipeline_figure(p, i, c->gpu))
                return FAIL("%s: %s: stage '%s' has no per_frame_s figure for GPU type '%s'", s->file, where,
                            p->stage[i].name, c->gpu);
    }
    return BASE_OK;
}

void model_pipeline_free(model_pipeline *p)
{
    if (!p)
        return;
    for (int t = 0; t < p->ntypes; t++)
        cJSON_Delete(p->type[t].override);
    for (size_t i = 0; i < p->nowned; i++)
        free(p->owned[i]);
    free(p->owned);
    free(p->stage);
    free(p);
}

int model_pipeline_stage_index(const model_pipeline *p, const char *name)
{
    for (int i = 0; i < p->nstages; i++)
        if (!strcmp(p->stage[i].name, name))
            return i;
    return -1;
}

const model_pipe_figure *model_pipeline_figure(const model_pipeline *p, int i, const char *gpu)
{
    for (int f = 0; f < p->stage[i].nfig; f++)
        if (!strcmp(p->stage[i].fig[f].gpu, gpu))
            return &p->stage[i].fig[f];
    return NULL;
}

const model_pipe_type *model_pipeline_type(const model_pipeline *p, const char *gpu)
{
    for (int t = 0; t < p->ntypes; t++)
        if (!strcmp(p->type[t].name, gpu))
            return &p->type[t];
    return NULL;
}

const char *model_plan_objective_name(model_plan_objective o)
{
    return o == MODEL_PLAN_SPEED ? "speed" : o == MODEL_PLAN_BALANCED ? "balanced" : "cost";
}

int model_plan_objective_parse(const char *s, model_plan_objective *o)
{
    if (!strcmp(s, "cost"))
        *o = MODEL_PLAN_COST;
    else if (!strcmp(s, "speed"))
        *o = MODEL_PLAN_SPEED;
    else if (!strcmp(s, "balanced"))
        *o = MODEL_PLAN_BALANCED;
    else
        return -1;
    return 0;
}
