/* calibrate/fit_load.c -- the experiments file of `forkcast calibrate fit`
 * (calibrate/fit.h): its metadata, free parameters and observations,
 * validated like a scenario (did-you-mean at every level, each field freed
 * once, relative_sd checked), and the --free override. */
#include "calibrate/fit.h"
#include "model/scenario.h"
#include "base/json.h"
#include "base/status.h"
#include "base/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const qnames[] = {"wall_s", "cost_usd", "speedup", "cost_ratio", NULL};

const char *cal_fit_quantity_name(cal_fit_quantity q)
{
    return qnames[q];
}

/* ---- loading ------------------------------------------------------------ */

#define LFAIL(...) (rc = base_errf(err, errsz, BASE_EINPUT, __VA_ARGS__))

/* Every key of object j (but comments) is one of allowed[]; else an input
 * error "FILE: WHERE.KEY: unknown field (did you mean ...?)". */
static int known_keys(const char *file, const char *where, const cJSON *j, const char *const *allowed,
                      char *err, size_t errsz)
{
    for (const cJSON *k = j->child; k; k = k->next) {
        int ok = !k->string || k->string[0] == '_';
        for (int i = 0; !ok && allowed[i]; i++)
            ok = !strcmp(k->string, allowed[i]);
        if (ok)
            continue;
        const char *best = base_did_you_mean(k->string, allowed);
        char list[256] = "";
        for (int i = 0; allowed[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
        if (best)
            return base_errf(err, errsz, BASE_EINPUT, "%s: %s%s%s: unknown field (did you mean '%s'?)", file, where,
                             *where ? "." : "", k->string, best);
        return base_errf(err, errsz, BASE_EINPUT, "%s: %s%s%s: unknown field (expected %s)", file, where,
                         *where ? "." : "", k->string, list);
    }
    return BASE_OK;
}

static int parse_param(const char *file, const cJSON *j, int i, cal_fit_param *p, char *err, size_t errsz)
{
    int rc = BASE_OK;
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(j, "field");
    const cJSON *init = cJSON_GetObjectItemCaseSensitive(j, "init");
    const cJSON *lo = cJSON_GetObjectItemCaseSensitive(j, "min");
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(j, "max");
    static const char *const keys[] = {"field", "init", "min", "max", NULL};
    char where[32];
    memset(p, 0, sizeof *p);
    if (!cJSON_IsObject(j))
        return LFAIL("%s: free[%d]: must be an object {\"field\",\"init\",\"min\",\"max\"}", file, i);
    snprintf(where, sizeof where, "free[%d]", i);
    if ((rc = known_keys(file, where, j, keys, err, errsz)))
        return rc;
    if (!cJSON_IsString(field) || !field->valuestring[0] || strlen(field->valuestring) >= sizeof p->field)
        return LFAIL("%s: free[%d].field: must be a scenario field path string", file, i);
    snprintf(p->field, sizeof p->field, "%s", field->valuestring);
    if (!cJSON_IsNumber(init) || !isfinite(init->valuedouble))
        return LFAIL("%s: free[%d].init: must be a number", file, i);
    p->init = init->valuedouble;
    p->lo = cJSON_IsNumber(lo) ? lo->valuedouble : 0;
    p->hi = cJSON_IsNumber(hi) ? hi->valuedouble : 1e9;
    if ((lo && (!cJSON_IsNumber(lo) || !isfinite(lo->valuedouble))) ||
        (hi && (!cJSON_IsNumber(hi) || !isfinite(hi->valuedouble))))
        return LFAIL("%s: free[%d]: min and max must be finite numbers", file, i);
    if (!(p->lo < p->hi) || p->init < p->lo || p->init > p->hi)
        return LFAIL("%s: free[%d]: need min <= init <= max and min < max (got %g, %g, %g)", file, i, p->lo,
                     p->init, p->hi);
    return rc;
}

static int add_obs(cal_fit *f, int gpus, cal_fit_quantity q, double v, double sd, char *err, size_t errsz)
{
    if (f->nobs >= CAL_FIT_MAXOBS)
        return base_errf(err, errsz, BASE_EINPUT, "%s: observations: at most %d values", f->file,
                          CAL_FIT_MAXOBS);
    f->obs[f->nobs++] = (cal_fit_obs){gpus, q, v, sd, 0};
    return BASE_OK;
}

/* The top level: known keys only; name, source, the base scenario's path
 * (relative to the experiments file) and the known values. */
static int load_meta(cal_fit *f, const char *path, char *err, size_t errsz)
{
    int rc = BASE_OK;
    static const char *const allowed[] = {"name", "source", "scenario", "known", "free", "observations",
                                          "relative_sd", NULL};
    if ((rc = known_keys(path, "", f->doc, allowed, err, errsz)))
        return rc;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(f->doc, "name");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(f->doc, "source");
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(f->doc, "scenario");
    snprintf(f->name, sizeof f->name, "%s", cJSON_IsString(name) ? name->valuestring : path);
    snprintf(f->source, sizeof f->source, "%s", cJSON_IsString(src) ? src->valuestring : "");
    if (scen) {
        if (!cJSON_IsString(scen))
            return LFAIL("%s: scenario: must be a path string", path);
        const char *slash = strrchr(path, '/');
        if (scen->valuestring[0] != '/' && slash)
            snprintf(f->scenario, sizeof f->scenario, "%.*s/%s", (int)(slash - path), path, scen->valuestring);
        else
            snprintf(f->scenario, sizeof f->scenario, "%s", scen->valuestring);
    }
    f->known = cJSON_GetObjectItemCaseSensitive(f->doc, "known");
    if (f->known && !cJSON_IsObject(f->known))
        return LFAIL("%s: known: must be an object {\"field.path\": number}", path);
    for (const cJSON *k = f->known ? f->known->child : NULL; k; k = k->next)
        if ((!cJSON_IsNumber(k) || !isfinite(k->valuedouble)) && k->string[0] != '_')
            return LFAIL("%s: known.%s: must be a finite number", path, k->string);
    return rc;
}

static int load_free(cal_fit *f, const char *path, char *err, size_t errsz)
{
    int rc = BASE_OK;
    const cJSON *free_ = cJSON_GetObjectItemCaseSensitive(f->doc, "free");
    if (free_ && !cJSON_IsArray(free_))
        return LFAIL("%s: free: must be an array of {\"field\",\"init\",\"min\",\"max\"}", path);
    int i = 0;
    for (const cJSON *p = free_ ? free_->child : NULL; p; p = p->next, i++) {
        if (f->np >= CAL_FIT_MAXP)
            return LFAIL("%s: free: at most %d parameters", path, CAL_FIT_MAXP);
        if ((rc = parse_param(path, p, i, &f->p[f->np++], err, errsz)))
            return rc;
        for (int j = 0; j < f->np - 1; j++)
            if (!strcmp(f->p[j].field, f->p[f->np - 1].field))
                return LFAIL("%s: free[%d].field: '%s' is already free (free[%d]): one parameter per field", path,
                             i, f->p[j].field, j);
    }
    return rc;
}

/* observations[i]: every quantity it gives becomes one cal_fit_obs, its sd
 * the observation's own or rel[q] x the value. */
static int parse_obs(cal_fit *f, const char *path, int i, const cJSON *o, const double rel[4], char *err,
                     size_t errsz)
{
    int rc = BASE_OK;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "gpus");
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(o, "sd");
    if (!cJSON_IsObject(o))
        return LFAIL("%s: observations[%d]: must be an object {\"gpus\", \"wall_s\", ...}", path, i);
    if (sd) {
        static const char *const qkeys[] = {"wall_s", "cost_usd", "speedup", "cost_ratio", NULL};
        char where[48];
        snprintf(where, sizeof where, "observations[%d].sd", i);
        if (!cJSON_IsObject(sd))
            return LFAIL("%s: %s: must be an object {\"wall_s\": sd, ...}", path, where);
        if ((rc = known_keys(path, where, sd, qkeys, err, errsz)))
            return rc;
    }
    if (!cJSON_IsNumber(g) || g->valuedouble < 1 || g->valuedouble > MODEL_MAX_GPUS ||
        floor(g->valuedouble) != g->valuedouble)
        return LFAIL("%s: observations[%d].gpus: must be an integer between 1 and %d", path, i, MODEL_MAX_GPUS);
    int any = 0;
    for (const cJSON *k = o->child; k; k = k->next) {
        if (!strcmp(k->string, "gpus") || !strcmp(k->string, "sd") || k->string[0] == '_')
            continue;
        int q = -1;
        for (int t = 0; t < 4; t++)
            if (!strcmp(k->string, qnames[t]))
                q = t;
        if (q < 0) {
            static const char *const keys[] = {"gpus", "sd", "wall_s", "cost_usd", "speedup", "cost_ratio", NULL};
            char where[48];
            snprintf(where, sizeof where, "observations[%d]", i);
            return known_keys(path, where, o, keys, err, errsz);
        }
        if (!cJSON_IsNumber(k) || !(k->valuedouble > 0) || !isfinite(k->valuedouble))
            return LFAIL("%s: observations[%d].%s: must be a number greater than 0", path, i, k->string);
        double s = rel[q] * k->valuedouble;
        const cJSON *sq = sd ? cJSON_GetObjectItemCaseSensitive(sd, qnames[q]) : NULL;
        if (sq) {
            if (!cJSON_IsNumber(sq) || !(sq->valuedouble > 0) || !isfinite(sq->valuedouble))
                return LFAIL("%s: observations[%d].sd.%s: must be a number greater than 0", path, i, qnames[q]);
            s = sq->valuedouble;
        }
        if ((rc = add_obs(f, (int)g->valuedouble, (cal_fit_quantity)q, k->valuedouble, s, err, errsz)))
            return rc;
        any = 1;
    }
    if (!any)
        return LFAIL("%s: observations[%d]: no observed quantity (wall_s, cost_usd, speedup, cost_ratio)", path, i);
    return rc;
}

static int load_observations(cal_fit *f, const char *path, char *err, size_t errsz)
{
    int rc = BASE_OK;
    double rel[4] = {0.05, 0.05, 0.05, 0.05};
    const cJSON *rsd = cJSON_GetObjectItemCaseSensitive(f->doc, "relative_sd");
    if (rsd && !cJSON_IsObject(rsd))
        return LFAIL("%s: relative_sd: must be an object {\"wall_s\": 0.05, ...}", path);
    if (rsd && (rc = known_keys(path, "relative_sd", rsd, qnames, err, errsz)))
        return rc;
    for (int q = 0; q < 4 && rsd; q++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(rsd, qnames[q]);
        if (v && (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || !(v->valuedouble <= 10)))
            return LFAIL("%s: relative_sd.%s: must be a number greater than 0 and at most 10", path, qnames[q]);
        if (v)
            rel[q] = v->valuedouble;
    }
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(f->doc, "observations");
    if (!cJSON_IsArray(obs) || cJSON_GetArraySize(obs) == 0)
        return LFAIL("%s: observations: must be a non-empty array of {\"gpus\", \"wall_s\"|\"cost_usd\"|"
                     "\"speedup\"|\"cost_ratio\"}", path);
    int i = 0;
    for (const cJSON *o = obs->child; o; o = o->next, i++)
        if ((rc = parse_obs(f, path, i, o, rel, err, errsz)))
            return rc;
    return rc;
}

int cal_fit_load(const char *path, cal_fit *f, char *err, size_t errsz)
{
    int rc = BASE_OK;
    memset(f, 0, sizeof *f);
    snprintf(f->file, sizeof f->file, "%s", path);
    if ((rc = base_json_load(path, &f->doc, err, errsz)))
        return rc;
    if (!cJSON_IsObject(f->doc)) {
        LFAIL("%s: must be a JSON object (an experiments file)", path);
        goto cleanup;
    }
    if ((rc = load_meta(f, path, err, errsz)) || (rc = load_free(f, path, err, errsz)) ||
        (rc = load_observations(f, path, err, errsz)))
        goto cleanup;
cleanup:
    if (rc)
        cal_fit_free(f);
    return rc;
}

void cal_fit_free(cal_fit *f)
{
    cJSON_Delete(f->doc);
    f->doc = NULL;
    f->known = NULL;
}

int cal_fit_set_free(cal_fit *f, const char *spec, char *err, size_t errsz)
{
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", spec);
    f->np = 0;
    f->free_from_cli = 1;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (f->np >= CAL_FIT_MAXP)
            return base_errf(err, errsz, BASE_EINPUT, "--free: at most %d parameters", CAL_FIT_MAXP);
        cal_fit_param *p = &f->p[f->np];
        memset(p, 0, sizeof *p);
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || (size_t)(eq - tok) >= sizeof p->field)
            return base_errf(err, errsz, BASE_EINPUT, "--free: expected FIELD=INIT[:MIN:MAX], got '%s'", tok);
        *eq = 0;
        snprintf(p->field, sizeof p->field, "%s", tok);
        p->lo = 0;
        p->hi = 1e9;
        char *end;
        p->init = strtod(eq + 1, &end);
        if (end == eq + 1 || (*end && *end != ':'))
            return base_errf(err, errsz, BASE_EINPUT, "--free: %s: bad initial value '%s'", p->field, eq + 1);
        if (*end == ':') {
            char *e2;
            p->lo = strtod(end + 1, &e2);
            if (*e2 != ':')
                return base_errf(err, errsz, BASE_EINPUT, "--free: %s: expected INIT:MIN:MAX", p->field);
            p->hi = strtod(e2 + 1, &end);
            if (*end)
                return base_errf(err, errsz, BASE_EINPUT, "--free: %s: expected INIT:MIN:MAX", p->field);
        }
        if (!(p->lo < p->hi) || p->init < p->lo || p->init > p->hi || !isfinite(p->init) || !isfinite(p->lo) ||
            !isfinite(p->hi))
            return base_errf(err, errsz, BASE_EINPUT, "--free: %s: need finite MIN <= INIT <= MAX", p->field);
        for (int j = 0; j < f->np; j++)
            if (!strcmp(f->p[j].field, p->field))
                return base_errf(err, errsz, BASE_EINPUT, "--free: %s: given twice (one parameter per field)",
                                 p->field);
        f->np++;
    }
    if (f->np == 0)
        return base_errf(err, errsz, BASE_EINPUT, "--free: no parameters");
    return BASE_OK;
}

