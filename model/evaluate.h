/* model/evaluate.h -- from per-k predictions to an answer: speedup, cost
 * ratio, beneficial flags, the verdict, break-even frame counts.
 *
 * speedup_k = E[wall_1]/E[wall_k], cost_ratio_k = E[cost_k]/E[cost_1];
 * k is beneficial when speedup >= decision.min_speedup and cost_ratio <=
 * 1 + decision.max_cost_increase. The verdict (objective THRESHOLDS) picks
 * the beneficial k with the largest speedup (ties: fewer GPUs); with
 * VALUE_OF_TIME it picks the k minimising E[cost] + usd_per_hour*E[wall]/3600.
 *
 * Break-even for k: the smallest integer N in [1, 10^8] at which k is
 * beneficial, or -1 (JSON null) if none. Found by a doubling scan of N, GSL
 * Brent on the continuous margin min(speedup - min, 1 + max_inc - cost_ratio)
 * in the first bracket where it turns non-negative (fractional N: an even
 * split), then an integer walk to the exact smallest N. Assumes the margin
 * changes sign once inside that bracket.
 *
 * model_eval is a plain value (no owned memory). The same struct carries the
 * simulator's results (method "sim"); model_decide() fills the derived fields
 * for either.
 */
#ifndef FORKCAST_MODEL_EVALUATE_H
#define FORKCAST_MODEL_EVALUATE_H

#include "model/predict.h"
#include "model/scenario.h"

#define MODEL_BREAK_EVEN_MAX 100000000L

typedef enum { MODEL_OBJ_THRESHOLDS, MODEL_OBJ_VALUE_OF_TIME } model_objective;

typedef struct {
    model_objective objective;
    double usd_per_hour;      /* VALUE_OF_TIME */
    int skip_break_even;      /* leave break_even[] at -2 ("not computed") */
} model_opts;

typedef struct {
    char method[8];                    /* "model" or "sim" */
    long replications;                 /* sim only */
    unsigned long seed;                /* sim only */
    long frames;
    int nk;
    model_kresult k[MODEL_MAX_GPU_LIST]; /* the scenario's GPU counts, ascending */
    model_kresult base;                /* k = 1, the reference */
    double score[MODEL_MAX_GPU_LIST];  /* VALUE_OF_TIME: cost + time value, USD */
    double base_score;
    long break_even[MODEL_MAX_GPU_LIST]; /* -1 none up to 10^8, -2 not computed, 0 for k = 1 */
    int parallelize, best_gpus;
    model_objective objective;
    double usd_per_hour;
    char summary[256];
} model_eval;

/* Closed form for every k of the scenario (frames = s->frames). */
int model_evaluate(const model_scenario *s, const model_opts *o, model_eval *out, char *err, size_t errsz);

/* Fill speedup, cost_ratio, beneficial, score, verdict and summary from
 * out->k[] and out->base. */
void model_decide(const model_scenario *s, const model_opts *o, model_eval *e);

/* The finite-output guard (model/eval_check.c), run on every model_eval
 * before it is printed (model or sim): every time and cost finite and >= 0
 * (the breakdown to 1e-9 relative), speedup and cost ratio finite, a priced
 * job (positive rate, at least 1 ns of billed work besides the start) with
 * a positive cost. A result that fails is a bug: BASE_ERUNTIME, one line
 * naming the method, the GPU count and the quantity. O(GPU counts). */
int model_eval_check(const model_scenario *s, const model_eval *e, char *err, size_t errsz);

/* Break-even frame count for k (see above). */
int model_break_even(model_prep *p, const model_scenario *s, int k, long *out, char *err, size_t errsz);

#endif
