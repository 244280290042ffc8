/* model/predict_int.h -- internal to model/predict*.c: the prep, the
 * container classes of one job, and the tables of the fast path
 * (model/predict_fast.c; the semantics are model/predict.h's).
 *
 * Fast path: when the per-frame law is random, the closed form spends its
 * time in the processing law's CDF (GSL's incomplete gamma for a chunk of
 * n gamma frames, ~1 us) called (classes x MODEL_RV_NODES) times per max
 * CDF, thousands of times per job. The fast path computes the same
 * quantities with those CDFs read from verified tables (model/cdftab.h):
 * the overhead sums' CDFs once per prep, each processing law's once per
 * job, and the job's max CDF once per job; the mixing nodes, the classes
 * and every integral, quantile and billing sum are the exact path's. A
 * job takes it when every table it needs verifies (else the exact path);
 * with a fixed per-frame law, or model_prep_set_exact(), never.
 */
#ifndef FORKCAST_MODEL_PREDICT_INT_H
#define FORKCAST_MODEL_PREDICT_INT_H

#include "model/cdftab.h"
#include "model/predict.h"

#include <gsl/gsl_integration.h>

#define MAXCLASS 6
#define CONCAT_CACHE 16
#define PREP_NX 6 /* the overhead sums: over[warm][seek] at 2 warm + seek, nostart[seek] at 4 + seek */

/* An overhead sum's table (when it is used as the mixed CDF) and its
 * quantiles (when it gives the mixing nodes), built on first use. */
typedef struct {
    int built, ok, qdone;
    model_cdftab t;
    double q[MODEL_RV_NODES]; /* at (m + 0.5) / MODEL_RV_NODES, before the mean match */
} prep_xtab;

struct model_prep {
    const model_scenario *s;
    model_rv over[2][2];      /* [warm][seek]: start + request + ffmpeg_start (+ seek) */
    model_rv nostart[2];      /* [seek]: the same without start (cold start not billed) */
    gsl_integration_workspace *ws;
    /* model_predict_means: tables of the above, built on first use, and
     * E[concat] with its expected billing per k. */
    model_rv_table *tab;      /* [0..3] over[warm][seek], [4..5] nostart[seek] */
    int nconcat;
    struct {
        int k;
        double mean, cost;
    } concat[CONCAT_CACHE];
    int exact;                /* model_prep_set_exact */
    prep_xtab xt[PREP_NX];    /* the fast path's */
};

typedef struct {
    int count, warm, seek;
    double frames;
    model_rv_sum wall;   /* container time */
    model_rv_sum bill;   /* billed container time (before rounding) */
    const model_cdftab *gwall, *gbill; /* fast path: the table of the CDF each sum mixes; NULL exact */
    double process_mean, upload;
} klass;

/* A processing law of the job (one per distinct frame count) and its table. */
typedef struct {
    model_dist d;
    int ok;
    double hi;           /* its exact 1 - 1e-12 quantile */
    model_cdftab t;
    double q[MODEL_RV_NODES]; /* its quantiles at (m + 0.5) / MODEL_RV_NODES, from t, when ok */
} fast_law;

typedef struct {
    klass c[MAXCLASS];
    int n;
    /* concat nodes for the wall CDF (mean-matched quantile midpoints) */
    int concat_random;
    double concat_mean, concat_nodes[MODEL_RV_NODES];
    /* fast path */
    int fast, maxt_ok;
    fast_law law[MAXCLASS];
    int nlaw;
    model_cdftab maxt;   /* the max CDF over the classes, when maxt_ok */
} job;

/* prod_c F_c(t)^count_c from the classes (predict.c). */
double predict_classes_max_cdf(double t, const job *j);

/* Fast path (predict_fast.c). predict_fast_sums fills c's wall and bill
 * sums (xw, xb: their overhead sums, y: the processing law) from tables;
 * *ok = 0 when a table it needs does not verify (c is then unusable).
 * predict_fast_max tabulates the job's max CDF (j->maxt_ok = 0 when it does
 * not verify: max_cdf then multiplies the classes' tabulated CDFs). */
int predict_fast_sums(model_prep *p, job *j, klass *c, const model_rv *xw, const model_rv *xb, const model_dist *y,
                      int *ok, char *err, size_t errsz);
int predict_fast_max(job *j, char *err, size_t errsz);
double predict_fast_sum_cdf(const model_rv_sum *s, const model_cdftab *g, double t);
void predict_fast_job_free(job *j);
void predict_fast_prep_free(model_prep *p);

#endif
