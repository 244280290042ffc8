/* model/dist_parse.c -- scenario JSON values: checked numbers and
 * distribution objects (model/dist_parse.h). */
#include "model/dist_parse.h"
#include "model/bounds.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL MODEL_PARSE_FAIL
#define BIG MODEL_PARSE_BIG

/* ---- numbers ------------------------------------------------------------ */

const char *model_parse_json_type(const cJSON *j)
{
    if (cJSON_IsNumber(j)) return "number";
    if (cJSON_IsString(j)) return "string";
    if (cJSON_IsBool(j)) return "boolean";
    if (cJSON_IsNull(j)) return "null";
    if (cJSON_IsArray(j)) return "array";
    if (cJSON_IsObject(j)) return "object";
    return "invalid";
}

int model_parse_number(model_parse_ctx *c, const cJSON *j, const char *path, double *v)
{
    if (!cJSON_IsNumber(j))
        return FAIL(c, "%s: %s: must be a number (got %s)", c->file, path, model_parse_json_type(j));
    if (!isfinite(j->valuedouble))
        return FAIL(c, "%s: %s: must be finite (got %g)", c->file, path, j->valuedouble);
    *v = j->valuedouble;
    return BASE_OK;
}

int model_parse_ranged(model_parse_ctx *c, const cJSON *j, const char *path, double lo, double hi, int open_lo,
                       double *v)
{
    int rc = model_parse_number(c, j, path, v);
    if (rc)
        return rc;
    if (open_lo ? !(*v > lo) : !(*v >= lo)) {
        if (lo == 0)
            return FAIL(c, "%s: %s: must be %s (got %g)", c->file, path,
                        open_lo ? "greater than 0" : "non-negative", *v);
        return FAIL(c, "%s: %s: must be %s %g (got %g)", c->file, path, open_lo ? "greater than" : "at least",
                    lo, *v);
    }
    if (*v > hi)
        return FAIL(c, "%s: %s: must be at most %g (got %g)", c->file, path, hi, *v);
    return BASE_OK;
}

int model_parse_integer(model_parse_ctx *c, const cJSON *j, const char *path, double lo, double hi, double *v)
{
    int rc = model_parse_number(c, j, path, v);
    if (rc)
        return rc;
    if (floor(*v) != *v)
        return FAIL(c, "%s: %s: must be an integer (got %g)", c->file, path, *v);
    if (*v < lo || *v > hi)
        return FAIL(c, "%s: %s: must be between %.0f and %.0f (got %.0f)", c->file, path, lo, hi, *v);
    return BASE_OK;
}

/* ---- distributions ---------------------------------------------------- */

static const struct {
    const char *name;
    model_dist_kind kind;
    const char *keys[3]; /* allowed parameter keys besides dist/shift */
} kinds[] = {
    {"fixed", MODEL_DIST_FIXED, {"value"}},
    {"uniform", MODEL_DIST_UNIFORM, {"min", "max"}},
    {"normal", MODEL_DIST_NORMAL, {"mean", "sd"}},
    {"lognormal", MODEL_DIST_LOGNORMAL, {"median", "p95", "mu"}}, /* or mu/sigma */
    {"gamma", MODEL_DIST_GAMMA, {"mean", "cv"}},
    {"exponential", MODEL_DIST_EXPONENTIAL, {"mean"}},
    {"weibull", MODEL_DIST_WEIBULL, {"scale", "shape"}},
    {"empirical", MODEL_DIST_EMPIRICAL, {"samples"}},
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

int model_parse_own(model_parse_ctx *c, double *arr)
{
    double **n = realloc(c->s->owned, (c->s->nowned + 1) * sizeof *n);
    if (!n) {
        free(arr);
        return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
    }
    c->s->owned = n;
    n[c->s->nowned++] = arr;
    return BASE_OK;
}

/* The required parameter PATH.key, in [lo, hi] ((lo, hi] when open); `why`
 * (or NULL) ends the message of a value out of range. */
static int param(model_parse_ctx *c, const cJSON *j, const char *path, const char *key, double lo, double hi,
                 int open, const char *why, double *out)
{
    char sub[256];
    const cJSON *pj = cJSON_GetObjectItemCaseSensitive(j, key);
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (!pj)
        return FAIL(c, "%s: %s: missing", c->file, sub);
    int rc = model_parse_ranged(c, pj, sub, lo, hi, open, out);
    if (rc == BASE_EINPUT && why && cJSON_IsNumber(pj) && isfinite(pj->valuedouble)) {
        size_t n = strlen(c->err);
        snprintf(c->err + n, c->errsz > n ? c->errsz - n : 0, ": %s", why);
    }
    return rc;
}

#define WHY_SCALE "below a nanosecond a time is 0 (docs/scenario.md, Plausible domains)"
#define WHY_TAIL "a tail this heavy is beyond what the model resolves (docs/scenario.md, Plausible domains)"

/* Every key of the object is dist, shift, a comment or one of kind ki's. */
static int check_keys(model_parse_ctx *c, const cJSON *j, const char *path, int ki)
{
    for (const cJSON *k = j->child; k; k = k->next) {
        if (k->string[0] == '_' || !strcmp(k->string, "dist") || !strcmp(k->string, "shift"))
            continue;
        int ok = 0;
        for (int i = 0; i < 3 && kinds[ki].keys[i]; i++)
            ok |= !strcmp(k->string, kinds[ki].keys[i]);
        if (kinds[ki].kind == MODEL_DIST_LOGNORMAL && !strcmp(k->string, "sigma"))
            ok = 1;
        if (!ok)
            return FAIL(c, "%s: %s.%s: unknown field for a %s distribution", c->file, path, k->string,
                        kinds[ki].name);
    }
    return BASE_OK;
}

/* median and p95, or mu and sigma (not both); sigma at most
 * MODEL_LOGNORMAL_MAX_SIGMA, the median at least MODEL_MIN_SCALE_S. */
static int parse_lognormal(model_parse_ctx *c, const cJSON *j, const char *path, const cJSON *sh, model_dist *d)
{
    int rc;
    double a, b;
    if (cJSON_GetObjectItemCaseSensitive(j, "mu") || cJSON_GetObjectItemCaseSensitive(j, "sigma")) {
        if (cJSON_GetObjectItemCaseSensitive(j, "median") || cJSON_GetObjectItemCaseSensitive(j, "p95"))
            return FAIL(c, "%s: %s: give either median and p95, or mu and sigma, not both", c->file, path);
        if ((rc = param(c, j, path, "mu", log(MODEL_MIN_SCALE_S), BIG, 0,
                        "the median e^mu must be at least 1e-9 s; " WHY_SCALE, &d->a)))
            return rc;
        return param(c, j, path, "sigma", 0, MODEL_LOGNORMAL_MAX_SIGMA, 0, WHY_TAIL, &d->b);
    }
    if ((rc = param(c, j, path, "median", MODEL_MIN_SCALE_S, BIG, 0, WHY_SCALE, &a)) ||
        (rc = param(c, j, path, "p95", 0, BIG, 1, NULL, &b)))
        return rc;
    if (!(b > a))
        return FAIL(c, "%s: %s.p95: must be greater than median (got %g <= %g)", c->file, path, b, a);
    double ratio = exp(MODEL_LOGNORMAL_MAX_SIGMA * MODEL_Z95);
    if (!(b <= a * ratio))
        return FAIL(c, "%s: %s.p95: must be at most %.4g x median (sigma %g) (got %g, %.4g x): %s", c->file, path,
                    ratio, MODEL_LOGNORMAL_MAX_SIGMA, b, b / a, WHY_TAIL);
    *d = model_dist_lognormal_mp(a, b);
    d->shift = sh ? sh->valuedouble : 0;
    return BASE_OK;
}

/* samples: a non-empty array of at most MODEL_EMPIRICAL_MAX_SAMPLES numbers
 * >= 0; a single distinct value is FIXED. */
static int parse_empirical(model_parse_ctx *c, const cJSON *j, const char *path, const cJSON *sh, model_dist *d)
{
    char sub[256];
    int rc;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "samples");
    snprintf(sub, sizeof sub, "%s.samples", path);
    if (!arr)
        return FAIL(c, "%s: %s: missing", c->file, sub);
    if (!cJSON_IsArray(arr))
        return FAIL(c, "%s: %s: must be an array of numbers (got %s)", c->file, sub, model_parse_json_type(arr));
    int n = cJSON_GetArraySize(arr);
    if (n < 1)
        return FAIL(c, "%s: %s: must not be empty", c->file, sub);
    if (n > MODEL_EMPIRICAL_MAX_SAMPLES)
        return FAIL(c, "%s: %s: at most %d samples (got %d)", c->file, sub, MODEL_EMPIRICAL_MAX_SAMPLES, n);
    double *xs = malloc((size_t)n * sizeof *xs);
    if (!xs)
        return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
    int i = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        char esub[300];
        snprintf(esub, sizeof esub, "%s[%d]", sub, i);
        if ((rc = model_parse_ranged(c, e, esub, 0, BIG, 0, &xs[i]))) {
            free(xs);
            return rc;
        }
    }
    gsl_sort(xs, 1, (size_t)n);
    if (xs[0] == xs[n - 1]) { /* one value, however often */
        double only = xs[0];
        free(xs);
        *d = model_dist_fixed(only);
        d->shift = sh ? sh->valuedouble : 0;
        return BASE_OK;
    }
    if ((rc = model_parse_own(c, xs)))
        return rc;
    d->samples = xs;
    d->n = (size_t)n;
    return BASE_OK;
}

/* The parameters of kind d->kind (shift already in d), each within the
 * kind's bounds (model/bounds.h). */
static int parse_params(model_parse_ctx *c, const cJSON *j, const char *path, const cJSON *sh, model_dist *d)
{
    int rc = BASE_OK;
    double a, b;
    switch (d->kind) {
    case MODEL_DIST_FIXED:
        return param(c, j, path, "value", 0, BIG, 0, NULL, &d->a);
    case MODEL_DIST_UNIFORM:
        if ((rc = param(c, j, path, "min", 0, BIG, 0, NULL, &d->a)) ||
            (rc = param(c, j, path, "max", 0, BIG, 0, NULL, &d->b)))
            return rc;
        if (d->b < d->a)
            return FAIL(c, "%s: %s.max: must be at least min (got %g < %g)", c->file, path, d->b, d->a);
        return BASE_OK;
    case MODEL_DIST_NORMAL:
        if ((rc = param(c, j, path, "mean", 0, BIG, 0, NULL, &d->a)))
            return rc;
        return param(c, j, path, "sd", 0, BIG, 0, NULL, &d->b);
    case MODEL_DIST_LOGNORMAL:
        return parse_lognormal(c, j, path, sh, d);
    case MODEL_DIST_GAMMA:
        if ((rc = param(c, j, path, "mean", MODEL_MIN_SCALE_S, BIG, 0, WHY_SCALE, &a)) ||
            (rc = param(c, j, path, "cv", MODEL_GAMMA_MIN_CV, MODEL_GAMMA_MAX_CV, 0,
                        "the model resolves a gamma from cv 0.001 (use a fixed time below) to cv 4 (a heavier "
                        "tail is beyond it; docs/scenario.md, Plausible domains)", &b)))
            return rc;
        *d = model_dist_gamma_mcv(a, b);
        d->shift = sh ? sh->valuedouble : 0;
        return BASE_OK;
    case MODEL_DIST_EXPONENTIAL:
        return param(c, j, path, "mean", MODEL_MIN_SCALE_S, BIG, 0, WHY_SCALE, &d->a);
    case MODEL_DIST_WEIBULL:
        if ((rc = param(c, j, path, "scale", MODEL_MIN_SCALE_S, BIG, 0, WHY_SCALE, &d->a)))
            return rc;
        return param(c, j, path, "shape", MODEL_WEIBULL_MIN_SHAPE, MODEL_WEIBULL_MAX_SHAPE, 0,
                     "the model resolves a Weibull from shape 0.3 (a heavier tail is beyond it) to 1000 (a fixed "
                     "time in all but name; docs/scenario.md, Plausible domains)", &d->b);
    case MODEL_DIST_EMPIRICAL:
        return parse_empirical(c, j, path, sh, d);
    }
    return rc;
}

int model_parse_dist(model_parse_ctx *c, const cJSON *j, const char *path, model_dist *d)
{
    char sub[256];
    int rc;
    double v;
    memset(d, 0, sizeof *d);
    if (cJSON_IsNumber(j)) {
        if ((rc = model_parse_ranged(c, j, path, 0, BIG, 0, &v)))
            return rc;
        *d = model_dist_fixed(v);
        return BASE_OK;
    }
    if (!cJSON_IsObject(j))
        return FAIL(c, "%s: %s: must be a number or a distribution object (got %s)", c->file, path,
                    model_parse_json_type(j));
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "dist");
    if (!kind)
        return FAIL(c, "%s: %s.dist: missing (one of fixed, uniform, normal, lognormal, gamma, "
                       "exponential, weibull, empirical)", c->file, path);
    if (!cJSON_IsString(kind))
        return FAIL(c, "%s: %s.dist: must be a string (got %s)", c->file, path, model_parse_json_type(kind));
    int ki = -1;
    for (int i = 0; i < NKINDS; i++)
        if (!strcmp(kind->valuestring, kinds[i].name))
            ki = i;
    if (ki < 0)
        return FAIL(c, "%s: %s.dist: unknown distribution '%s' (one of fixed, uniform, normal, "
                       "lognormal, gamma, exponential, weibull, empirical)",
                    c->file, path, kind->valuestring);
    d->kind = kinds[ki].kind;
    if ((rc = check_keys(c, j, path, ki)))
        return rc;
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(j, "shift");
    if (sh) {
        snprintf(sub, sizeof sub, "%s.shift", path);
        if ((rc = model_parse_ranged(c, sh, sub, 0, BIG, 0, &d->shift)))
            return rc;
    }
    return parse_params(c, j, path, sh, d);
}
