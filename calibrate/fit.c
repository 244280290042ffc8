/* calibrate/fit.c -- weighted nonlinear least squares of scenario fields to
 * experiment results (GSL multifit_nlinear). */
#include "calibrate/fit.h"
#include "calibrate/provenance.h"
#include "model/predict.h"
#include "model/scenario.h"
#include "base/json.h"
#include "base/status.h"
#include "base/text.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD_RESIDUAL 1e3

int cal_json_set_path(cJSON *root, const char *path, double v, char *err, size_t errsz)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *node = root;
    char *save = NULL, *tok = strtok_r(buf, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        cJSON *child = cJSON_GetObjectItemCaseSensitive(node, tok);
        if (!next) {
            cJSON *num = cJSON_CreateNumber(v);
            if (!num)
                return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
            if (child)
                cJSON_ReplaceItemInObjectCaseSensitive(node, tok, num);
            else
                cJSON_AddItemToObject(node, tok, num);
            return BASE_OK;
        }
        if (child && cJSON_IsNumber(child) && next) {
            /* "cold_start_s": 25 with a path into it: not a distribution. */
            return base_errf(err, errsz, BASE_EINPUT, "%s: '%s' is a number, not an object", path, tok);
        }
        if (!child) {
            child = cJSON_AddObjectToObject(node, tok);
            if (!child)
                return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        }
        node = child;
        tok = next;
    }
    return base_errf(err, errsz, BASE_EINPUT, "empty field path");
}

/* ---- the result as JSON ---------------------------------------------------- */

cJSON *cal_fit_json(const cal_fit *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "experiments", f->file);
    cJSON_AddStringToObject(o, "source", f->source);
    cJSON_AddNumberToObject(o, "chi2", f->chi2);
    cJSON_AddNumberToObject(o, "dof", f->dof);
    cJSON_AddBoolToObject(o, "converged", f->converged);
    cJSON_AddNumberToObject(o, "iterations", f->iterations);
    cJSON *ps = cJSON_AddArrayToObject(o, "parameters");
    for (int i = 0; i < f->np; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "field", f->p[i].field);
        cJSON_AddNumberToObject(p, "value", f->p[i].value);
        cJSON_AddBoolToObject(p, "at_bound", f->p[i].at_bound);
        if (f->p[i].has_ci) {
            double ci[2] = {f->p[i].ci_lo, f->p[i].ci_hi};
            cJSON_AddItemToObject(p, "ci95", cJSON_CreateDoubleArray(ci, 2));
        } else {
            cJSON_AddNullToObject(p, "ci95");
        }
        cJSON_AddItemToArray(ps, p);
    }
    cJSON *rs = cJSON_AddArrayToObject(o, "residuals");
    for (int i = 0; i < f->nobs; i++) {
        const cal_fit_obs *ob = &f->obs[i];
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "gpus", ob->gpus);
        cJSON_AddStringToObject(r, "quantity", cal_fit_quantity_name(ob->q));
        cJSON_AddNumberToObject(r, "observed", ob->observed);
        cJSON_AddNumberToObject(r, "predicted", ob->predicted);
        cJSON_AddNumberToObject(r, "error_pct", (ob->predicted / ob->observed - 1) * 100);
        cJSON_AddNumberToObject(r, "sd", ob->sd);
        cJSON_AddItemToArray(rs, r);
    }
    return o;
}

/* The scenario field a parameter path belongs to: its longest prefix that
 * is a field path ("platform.cold_start_s" for "...cold_start_s.median"). */
static void field_of(const char *param, char *buf, size_t n)
{
    snprintf(buf, n, "%s", param);
    for (;;) {
        for (const char *const *f = model_scenario_fields(); *f; f++)
            if (!strcmp(*f, buf))
                return;
        char *dot = strrchr(buf, '.');
        if (!dot) {
            snprintf(buf, n, "%s", param);
            return;
        }
        *dot = 0;
    }
}

cJSON *cal_fit_provenance_json(const cal_fit *f)
{
    cJSON *p = cal_prov_new("calibrate fit", "fitted_platform", NULL, 0, NULL);
    if (!p)
        return NULL;
    cJSON_AddStringToObject(p, "experiments", f->file);
    cJSON_AddStringToObject(p, "source", f->source);
    for (int i = 0; i < f->np; i++) {
        const cal_fit_param *q = &f->p[i];
        char field[128];
        field_of(q->field, field, sizeof field);
        cJSON *rec = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "fields"), field);
        if (!rec) {
            rec = cal_prov_field(p, field, "fitted to the observations by weighted least squares on the "
                                           "closed-form model");
            cJSON_AddStringToObject(rec, "experiments", f->file);
            cJSON_AddNumberToObject(rec, "chi2", f->chi2);
            cJSON_AddNumberToObject(rec, "dof", f->dof);
            cJSON_AddArrayToObject(rec, "parameters");
        }
        cJSON *par = cJSON_CreateObject();
        cJSON_AddStringToObject(par, "field", q->field);
        cJSON_AddNumberToObject(par, "value", q->value);
        cJSON_AddBoolToObject(par, "at_bound", q->at_bound);
        if (q->has_ci) {
            double ci[2] = {q->ci_lo, q->ci_hi};
            cJSON_AddItemToObject(par, "ci95", cJSON_CreateDoubleArray(ci, 2));
        } else {
            cJSON_AddNullToObject(par, "ci95");
        }
        cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(rec, "parameters"), par);
        if (q->at_bound)
            cal_prov_warn(p, field, "%s ended at its bound %.4g: the data push it past the range allowed",
                          q->field, q->value);
    }
    if (!f->converged)
        cal_prov_warn(p, NULL, "the fit did not converge after %d iterations", f->iterations);
    if (f->dof <= 0)
        cal_prov_warn(p, NULL, "no degrees of freedom (%d observations, %d parameters): no intervals", f->nobs,
                      f->np);
    return p;
}

/* ---- the fit ------------------------------------------------------------ */

typedef struct {
    cal_fit *f;
    cJSON *work;        /* base + known, params set on each call */
    const char *base_file;
    int fatal;          /* a runtime failure (not a bad parameter point) */
    char *err;
    size_t errsz;
} fitctx;

static int logged(const cal_fit_param *p)
{
    return p->lo > 0;
}

static double to_value(const cal_fit_param *p, double theta)
{
    double v = logged(p) ? exp(theta) : theta;
    return v < p->lo ? p->lo : v > p->hi ? p->hi : v;
}

/* Predict every observation at parameters theta. Returns BASE_OK,
 * BASE_EINPUT for a parameter point the scenario rejects, or a runtime error. */
static int predict_all(fitctx *c, const double *theta, char *err, size_t errsz)
{
    cal_fit *f = c->f;
    model_scenario s;
    model_prep *prep = NULL;
    int rc;
    for (int i = 0; i < f->np; i++)
        if ((rc = cal_json_set_path(c->work, f->p[i].field, to_value(&f->p[i], theta[i]), err, errsz)))
            return rc;
    if ((rc = model_scenario_from_json(c->work, c->base_file, &s, err, errsz)))
        return rc;
    if ((rc = model_prep_new(&s, &prep, err, errsz)))
        goto cleanup;
    model_kresult one;
    if ((rc = model_predict_k(prep, (double)s.frames, 1, &one, err, errsz)))
        goto cleanup;
    for (int i = 0; i < f->nobs; i++) {
        cal_fit_obs *o = &f->obs[i];
        model_kresult r = one;
        if (o->gpus != 1 && (rc = model_predict_k(prep, (double)s.frames, o->gpus, &r, err, errsz)))
            goto cleanup;
        switch (o->q) {
        case CAL_Q_WALL: o->predicted = r.wall_mean; break;
        case CAL_Q_COST: o->predicted = r.cost_mean; break;
        case CAL_Q_SPEEDUP: o->predicted = one.wall_mean / r.wall_mean; break;
        case CAL_Q_COST_RATIO: o->predicted = one.cost_mean > 0 ? r.cost_mean / one.cost_mean : 1; break;
        }
    }
cleanup:
    model_prep_free(prep);
    model_scenario_free(&s);
    return rc;
}

/* Set each path of one group (the known values, or the free parameters at
 * their initial values) into work and parse it as a scenario named `label`:
 * a bad path or value is then the experiments file's error ("EXP: known:
 * PATH: problem", "EXP: free[1].field: ..."), not the base scenario's. */
static int check_group(const cal_fit *f, cJSON *work, int known, char *err, size_t errsz)
{
    char label[1100], e2[900];
    int rc = BASE_OK, i = 0;
    const char *who = known ? "known" : "free";
    if (known || !f->free_from_cli)
        snprintf(label, sizeof label, "%s: %s", f->file, who);
    else
        snprintf(label, sizeof label, "--free");
    if (known) {
        for (const cJSON *k = f->known ? f->known->child : NULL; k; k = k->next)
            if (k->string[0] != '_' && (rc = cal_json_set_path(work, k->string, k->valuedouble, e2, sizeof e2)))
                return base_errf(err, errsz, rc, "%s: %s", label, e2);
    } else {
        for (i = 0; i < f->np; i++)
            if ((rc = cal_json_set_path(work, f->p[i].field, f->p[i].init, e2, sizeof e2))) {
                if (f->free_from_cli)
                    return base_errf(err, errsz, rc, "--free: %s", e2);
                return base_errf(err, errsz, rc, "%s: free[%d].field: %s", f->file, i, e2);
            }
    }
    model_scenario s;
    if ((rc = model_scenario_from_json(work, label, &s, err, errsz)))
        return rc;
    model_scenario_free(&s);
    return BASE_OK;
}

/* The base alone (its own errors name it), then the known values, then the
 * free parameters, each group blamed on its own source. A free field that is
 * also known is refused: the fit would overwrite the known value. */
static int check_paths(const cal_fit *f, const cJSON *base, const char *base_file, char *err, size_t errsz)
{
    model_scenario s;
    int rc = model_scenario_from_json(base, base_file, &s, err, errsz);
    if (rc)
        return rc;
    model_scenario_free(&s);
    for (int i = 0; i < f->np; i++)
        if (f->known && cJSON_GetObjectItemCaseSensitive(f->known, f->p[i].field))
            return base_errf(err, errsz, BASE_EINPUT, "%s: free[%d].field: '%s' is also in known (a field is "
                             "either known or free)", f->file, i, f->p[i].field);
    cJSON *work = cJSON_Duplicate(base, 1);
    if (!work)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if (!(rc = check_group(f, work, 1, err, errsz)))
        rc = check_group(f, work, 0, err, errsz);
    cJSON_Delete(work);
    return rc;
}

static int residuals(const gsl_vector *x, void *data, gsl_vector *fv)
{
    fitctx *c = data;
    char err[512];
    int rc = predict_all(c, x->data, err, sizeof err);
    if (rc == BASE_ERUNTIME) {
        c->fatal = 1;
        base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s", err);
        return GSL_EFAILED;
    }
    for (int i = 0; i < c->f->nobs; i++) {
        const cal_fit_obs *o = &c->f->obs[i];
        gsl_vector_set(fv, (size_t)i, rc ? BAD_RESIDUAL : (o->predicted - o->observed) / o->sd);
    }
    return GSL_SUCCESS;
}

int cal_fit_run(cal_fit *f, const cJSON *base, const char *base_file, cJSON **out, char *err, size_t errsz)
{
    int rc = BASE_OK;
    size_t n = (size_t)f->nobs, p = (size_t)f->np;
    gsl_multifit_nlinear_workspace *w = NULL;
    gsl_matrix *cov = NULL;
    gsl_vector *x0 = NULL;
    fitctx c = {f, cJSON_Duplicate(base, 1), base_file, 0, err, errsz};
    *out = NULL;
    gsl_set_error_handler_off();
    if (!c.work)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if ((rc = check_paths(f, base, base_file, err, errsz)))
        goto cleanup;
    for (const cJSON *k = f->known ? f->known->child : NULL; k; k = k->next)
        if (k->string[0] != '_' && (rc = cal_json_set_path(c.work, k->string, k->valuedouble, err, errsz)))
            goto cleanup;
    if (p == 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no free parameters (\"free\" in the file or --free)",
                        f->file);
        goto cleanup;
    }
    if (n < p) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: %zu observations cannot determine %zu free parameters",
                        f->file, n, p);
        goto cleanup;
    }
    x0 = gsl_vector_alloc(p);
    for (size_t i = 0; i < p; i++)
        gsl_vector_set(x0, i, logged(&f->p[i]) ? log(f->p[i].init) : f->p[i].init);
    /* The initial point must be a valid scenario: that catches bad paths. */
    if ((rc = predict_all(&c, x0->data, err, errsz)))
        goto cleanup;

    gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = NULL, .fvv = NULL, .n = n, .p = p, .params = &c};
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, p);
    cov = gsl_matrix_alloc(p, p);
    if (!w || !cov || !x0) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    gsl_multifit_nlinear_init(x0, &fdf, w);
    int info = 0;
    int status = gsl_multifit_nlinear_driver(200, 1e-10, 1e-10, 1e-10, NULL, NULL, &info, w);
    if (c.fatal) {
        rc = BASE_ERUNTIME;
        goto cleanup;
    }
    f->converged = status == GSL_SUCCESS;
    f->iterations = (int)gsl_multifit_nlinear_niter(w);
    gsl_vector *x = gsl_multifit_nlinear_position(w);
    gsl_vector *res = gsl_multifit_nlinear_residual(w);
    double chi2;
    gsl_blas_ddot(res, res, &chi2);
    f->chi2 = chi2;
    f->dof = (int)(n - p);
    gsl_matrix *J = gsl_multifit_nlinear_jac(w);
    int cov_ok = gsl_multifit_nlinear_covar(J, 0.0, cov) == GSL_SUCCESS;
    double scale = f->dof > 0 ? chi2 / f->dof : 0;
    double t = f->dof > 0 ? gsl_cdf_tdist_Pinv(0.975, f->dof) : 0;
    for (size_t i = 0; i < p; i++) {
        cal_fit_param *q = &f->p[i];
        double th = gsl_vector_get(x, i);
        q->value = to_value(q, th);
        q->at_bound = q->value <= q->lo * (1 + 1e-9) || q->value >= q->hi * (1 - 1e-9);
        q->has_ci = cov_ok && f->dof > 0 && !q->at_bound && isfinite(gsl_matrix_get(cov, i, i));
        if (q->has_ci) {
            /* Scaled by chi2/dof, but never narrower than the stated sds imply. */
            double half = t * sqrt(gsl_matrix_get(cov, i, i) * (scale > 1 ? scale : 1));
            q->ci_lo = logged(q) ? exp(th - half) : th - half;
            q->ci_hi = logged(q) ? exp(th + half) : th + half;
        }
    }
    /* Final predictions at the solution, and the fitted scenario. */
    if ((rc = predict_all(&c, x->data, err, errsz)))
        goto cleanup;
    *out = c.work;
    c.work = NULL;
cleanup:
    cJSON_Delete(c.work);
    if (w)
        gsl_multifit_nlinear_free(w);
    gsl_matrix_free(cov);
    gsl_vector_free(x0);
    return rc;
}
