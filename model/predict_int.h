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
 * job, each container class's CDF (the mixture over its nodes) and the
 * max over the classes once per job; the mixing nodes, the classes and
 * every integral, quantile and billing sum are the exact path's. A class
 * takes it when the tables it needs verify (else it is exact); the max
 * table needs every class on it; with a fixed per-frame law, or
 * model_prep_set_exact(), no class does.
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
    int built, ok;
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

/* How a sum's CDF is evaluated on the fast path. */
typedef enum {
    FAST_NONE,   /* exact: model_rv_sum_cdf */
    FAST_SHIFT,  /* one node (y fixed, or x a point): g at t - shift */
    FAST_TABLE,  /* the mixture tabulated: tab */
    FAST_MIX,    /* the mixture over the nodes of g (its table did not verify) */
} fast_mode;

typedef struct {
    fast_mode mode;
    const model_cdftab *g;    /* the mixed CDF: an overhead sum's or a processing law's */
    double shift;
    const model_cdftab *tab;  /* FAST_TABLE: own, or the wall's for an identical bill */
    model_cdftab own;
} fast_cdf;

typedef struct {
    int count, warm, seek;
    double frames;
    model_rv_sum wall;   /* container time */
    model_rv_sum bill;   /* billed container time (before rounding) */
    fast_cdf fwall, fbill;
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
    int fast;            /* every class on the fast path */
    fast_law law[MAXCLASS];
    int nlaw;
    int maxt_ok;         /* the max CDF tabulated (fast only) */
    model_cdftab maxt;
} job;

#define PREDICT_LIMIT 400 /* quadrature workspace intervals */

/* Containers of (frames, k) in at most MAXCLASS classes (predict.c). */
typedef struct {
    int count, warm, seek;
    double frames;
} predict_part;
int predict_split(const model_scenario *s, double frames, int k, predict_part *out);
/* The concat of k chunks (owned by the caller) and its expected billed seconds. */
int predict_build_concat(const model_scenario *s, int k, model_rv *c, char *err, size_t errsz);
double predict_concat_billed_s(const model_scenario *s, const model_rv *c, double *e2);

/* prod_c F_c(t)^count_c over the classes (predict.c). */
double predict_classes_max_cdf(double t, const job *j);

/* Fast path (predict_fast.c). predict_fast_sums fills c's wall and bill
 * sums (xw, xb: their overhead sums, y: the processing law) and their
 * fast_cdf; *ok = 0 when a table they need does not verify (c is then to
 * be built exactly). predict_fast_cdf evaluates one. */
int predict_fast_sums(model_prep *p, job *j, klass *c, const model_rv *xw, const model_rv *xb, const model_dist *y,
                      int *ok, char *err, size_t errsz);
double predict_fast_cdf(const fast_cdf *f, const model_rv_sum *s, double t);
/* The max CDF of a fast job as a table over where it rises from 0 to 1
 * (j->maxt_ok = 0 when it does not verify to CLASS_TOL). */
int predict_fast_max(job *j, char *err, size_t errsz);
void predict_fast_job_free(job *j);
void predict_fast_prep_free(model_prep *p);

#endif
