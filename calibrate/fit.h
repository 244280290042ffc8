/* calibrate/fit.h -- fit scenario parameters to observed experiment results.
 *
 * An experiments file (data/experiments/, docs/calibrate.md) lists
 * observations per GPU count -- any of wall_s, cost_usd, speedup,
 * cost_ratio -- the scenario fields that are known (set as given) and those
 * that are free (fitted), each a JSON path into the scenario such as
 * "platform.cold_start_s.median" with an initial value and bounds.
 *
 * The fit minimises sum_i ((predicted_i - observed_i) / sd_i)^2 with GSL's
 * trust-region nonlinear least squares (gsl_multifit_nlinear, finite-
 * difference Jacobian), predictions from the closed-form model. sd_i is the
 * observation's "sd", else relative_sd[quantity] * |observed| (default 5%).
 * Positive-bounded parameters are fitted in log space, so their 95%
 * intervals (Student t on dof = n - p, covariance scaled by chi2/dof) are
 * multiplicative and stay positive; with dof = 0 there are no intervals.
 *
 * Ownership: cal_fit_load fills a caller-owned cal_fit whose parsed file
 * (.doc) cal_fit_free releases; cal_fit_run returns an owned cJSON scenario
 * and cal_fit_json an owned cJSON tree (cJSON_Delete).
 */
#ifndef FORKCAST_CALIBRATE_FIT_H
#define FORKCAST_CALIBRATE_FIT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define CAL_FIT_MAXP 12
#define CAL_FIT_MAXOBS 64

typedef struct {
    char field[128];
    double init, lo, hi;
    double value, ci_lo, ci_hi;  /* results */
    int has_ci;
    int at_bound;                /* the optimum sits on min or max: no interval */
} cal_fit_param;

typedef enum { CAL_Q_WALL, CAL_Q_COST, CAL_Q_SPEEDUP, CAL_Q_COST_RATIO } cal_fit_quantity;

typedef struct {
    int gpus;
    cal_fit_quantity q;
    double observed, sd, predicted;
} cal_fit_obs;

typedef struct {
    char file[1024];
    char name[128];
    char source[512];
    char scenario[1024];       /* base scenario path (resolved), "" if none */
    cJSON *known;              /* borrowed from `doc`: {"path": value} */
    cJSON *doc;                /* the parsed experiments file; owned */
    cal_fit_param p[CAL_FIT_MAXP];
    int np;
    int free_from_cli;         /* the free list came from --free (cal_fit_set_free) */
    cal_fit_obs obs[CAL_FIT_MAXOBS];
    int nobs;
    double chi2;
    int dof, iterations, converged;
} cal_fit;

const char *cal_fit_quantity_name(cal_fit_quantity q);

int cal_fit_load(const char *path, cal_fit *f, char *err, size_t errsz);
void cal_fit_free(cal_fit *f);
/* Replace the free list: "path=init[:lo:hi],path=..." */
int cal_fit_set_free(cal_fit *f, const char *spec, char *err, size_t errsz);
/* Fit against `base` (a scenario JSON tree, named base_file in messages).
 * Fills f's results and returns the fitted scenario in *out. */
int cal_fit_run(cal_fit *f, const cJSON *base, const char *base_file, cJSON **out, char *err,
                size_t errsz);
/* The fit's results, as `calibrate fit --json` prints them and the fitted
 * scenario's "_fit" block holds them: {"experiments","source","chi2","dof",
 * "converged","iterations","parameters":[{"field","value","at_bound",
 * "ci95":[lo,hi]|null}],"residuals":[{"gpus","quantity","observed",
 * "predicted","error_pct","sd"}]}. */
cJSON *cal_fit_json(const cal_fit *f);
/* The fitted scenario's "_provenance" record (calibrate/provenance.h):
 * covers "fitted_platform", no machine (the observations came from the
 * experiments' platform), per fitted scenario field (a parameter path's
 * longest prefix that is a field: platform.cold_start_s for
 * platform.cold_start_s.median) the parameters with their intervals, chi2
 * and dof; warnings for no convergence, parameters at a bound, no degrees
 * of freedom. Owned cJSON tree. */
cJSON *cal_fit_provenance_json(const cal_fit *f);
/* Set a number at a dotted path in a JSON tree, creating objects on the way. */
int cal_json_set_path(cJSON *root, const char *path, double v, char *err, size_t errsz);

#endif
