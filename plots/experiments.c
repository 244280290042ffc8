/* plots/experiments.c -- the decision map's experiments, as measured. See
 * experiments.h. */
#include "plots/experiments.h"
#include "base/json.h"
#include "base/status.h"

#include <cjson/cJSON.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBS_MAXK 64

typedef struct {
    int k;
    double wall, cost, speedup, cost_ratio; /* NAN when not observed */
} obs_k;

static const cJSON *num_field(const cJSON *o, const char *name)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(j) && isfinite(j->valuedouble) ? j : NULL;
}

static obs_k *obs_slot(obs_k *t, int *n, int k)
{
    for (int i = 0; i < *n; i++)
        if (t[i].k == k)
            return &t[i];
    if (*n == OBS_MAXK)
        return NULL;
    t[*n] = (obs_k){k, NAN, NAN, NAN, NAN};
    return &t[(*n)++];
}

/* The first value of each quantity per GPU count. */
static void take(double *dst, const cJSON *o, const char *name)
{
    const cJSON *j = num_field(o, name);
    if (j && isnan(*dst) && j->valuedouble > 0)
        *dst = j->valuedouble;
}

/* The headline of one parsed experiments file. */
static int exp_from_json(const cJSON *doc, const char *file, plot_exp *e, char *err, size_t errsz)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
    const cJSON *known = cJSON_GetObjectItemCaseSensitive(doc, "known");
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(doc, "observations");
    const cJSON *fr = num_field(known, "job.frames"), *pf = num_field(known, "stage.per_frame_s");
    const cJSON *mc = num_field(known, "platform.min_containers");
    obs_k t[OBS_MAXK];
    int n = 0;
    memset(e, 0, sizeof *e);
    snprintf(e->file, sizeof e->file, "%s", file);
    if (!cJSON_IsString(name) || !*name->valuestring)
        return base_errf(err, errsz, BASE_EINPUT, "%s: name: missing (the map labels an experiment by it)", file);
    if (!fr || fr->valuedouble < 1 || !pf || pf->valuedouble <= 0)
        return base_errf(err, errsz, BASE_EINPUT,
                         "%s: known: needs job.frames >= 1 and stage.per_frame_s > 0 to place it on the map", file);
    sscanf(name->valuestring, "%31s", e->tag);
    e->frames = fr->valuedouble;
    e->per_frame = pf->valuedouble;
    e->min_containers = mc ? (int)mc->valuedouble : -1;
    for (const cJSON *o = cJSON_IsArray(obs) ? obs->child : NULL; o; o = o->next) {
        const cJSON *g = num_field(o, "gpus");
        obs_k *s = g && g->valuedouble >= 1 && g->valuedouble == floor(g->valuedouble) ? obs_slot(t, &n, g->valueint)
                                                                                         : NULL;
        if (!s)
            continue;
        take(&s->wall, o, "wall_s");
        take(&s->cost, o, "cost_usd");
        take(&s->speedup, o, "speedup");
        take(&s->cost_ratio, o, "cost_ratio");
    }
    const obs_k *one = NULL;
    for (int i = 0; i < n; i++)
        if (t[i].k == 1)
            one = &t[i];
    e->speedup = -1;
    for (int i = 0; i < n; i++) {
        double sp = t[i].speedup, cr = t[i].cost_ratio;
        if (t[i].k == 1)
            continue;
        if (isnan(sp) && one && !isnan(one->wall) && !isnan(t[i].wall))
            sp = one->wall / t[i].wall;
        if (isnan(cr) && one && !isnan(one->cost) && !isnan(t[i].cost))
            cr = t[i].cost / one->cost;
        if (!isnan(sp) && sp > e->speedup) {
            e->speedup = sp;
            e->cost_ratio = cr;
            e->gpus = t[i].k;
        }
    }
    if (e->speedup < 0)
        return base_errf(err, errsz, BASE_EINPUT,
                         "%s: observations: no GPU count > 1 with a speedup (or wall_s at it and at 1 GPU)", file);
    return BASE_OK;
}

int plot_exp_load(const char *dir, plot_exp *out, int max, int *n, char *err, size_t errsz)
{
    char pat[1024];
    glob_t g;
    int rc = BASE_OK;
    *n = 0;
    if (snprintf(pat, sizeof pat, "%s/data/experiments/*.json", dir) >= (int)sizeof pat)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", dir);
    int gr = glob(pat, 0, NULL, &g);
    if (gr == GLOB_NOMATCH)
        return BASE_OK;
    if (gr != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot list the experiments", pat);
    for (size_t i = 0; i < g.gl_pathc && *n < max && !rc; i++) {
        cJSON *doc = NULL;
        if ((rc = base_json_load(g.gl_pathv[i], &doc, err, errsz)))
            break;
        if (!(rc = exp_from_json(doc, g.gl_pathv[i], &out[*n], err, errsz)))
            (*n)++;
        cJSON_Delete(doc);
    }
    globfree(&g);
    return rc;
}

void plot_exp_label(const plot_exp *e, char *buf, size_t n)
{
    char warm[32] = "";
    if (e->min_containers >= e->gpus)
        snprintf(warm, sizeof warm, " warm");
    else if (e->min_containers == 0)
        snprintf(warm, sizeof warm, " cold");
    int len = snprintf(buf, n, "%s measured: %.2fx on %d%s GPUs", e->tag, e->speedup, e->gpus, warm);
    if (len > 0 && (size_t)len < n && e->min_containers > 0 && e->min_containers < e->gpus)
        len += snprintf(buf + len, n - (size_t)len, " (%d warm)", e->min_containers);
    if (len > 0 && (size_t)len < n && !isnan(e->cost_ratio))
        snprintf(buf + len, n - (size_t)len, " (cost %.2fx)", e->cost_ratio);
}
