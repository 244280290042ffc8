/* model/evaluate.c -- verdict, objective and break-even search. */
#include "model/evaluate.h"
#include "base/status.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_beneficial(const model_scenario *s, double speedup, double cost_ratio)
{
    return speedup >= s->min_speedup && cost_ratio <= 1 + s->max_cost_increase;
}

static void describe_speed(char *buf, size_t n, double speedup)
{
    if (speedup >= 1.995)
        snprintf(buf, n, "%.2gx faster", speedup);
    else if (speedup >= 1.1)
        snprintf(buf, n, "%.0f%% faster", (speedup - 1) * 100);
    else if (speedup >= 1)
        snprintf(buf, n, "%.1f%% faster", (speedup - 1) * 100);
    else if (1 / speedup - 1 < 0.1)
        snprintf(buf, n, "%.1f%% slower", (1 / speedup - 1) * 100);
    else
        snprintf(buf, n, "%.0f%% slower", (1 / speedup - 1) * 100);
}

static void describe_cost(char *buf, size_t n, double ratio, int beneficial)
{
    double d = (ratio - 1) * 100;
    if (fabs(d) < 0.5)
        snprintf(buf, n, beneficial ? "at the same cost" : "at the same cost");
    else if (beneficial)
        snprintf(buf, n, d > 0 ? "for %.0f%% more" : "for %.0f%% less", fabs(d));
    else
        snprintf(buf, n, d > 0 ? "%.0f%% more expensive" : "%.0f%% cheaper", fabs(d));
}

void model_decide(const model_scenario *s, const model_opts *o, model_eval *e)
{
    const model_kresult *b = &e->base;
    e->objective = o->objective;
    e->usd_per_hour = o->usd_per_hour;
    e->base_score = b->cost_mean + o->usd_per_hour * b->wall_mean / 3600;
    int best = -1, show = -1;
    double best_score = e->base_score;
    for (int i = 0; i < e->nk; i++) {
        model_kresult *r = &e->k[i];
        r->speedup = r->wall_mean > 0 ? b->wall_mean / r->wall_mean : 1;
        r->cost_ratio = b->cost_mean > 0 ? r->cost_mean / b->cost_mean : (r->cost_mean > 0 ? INFINITY : 1);
        r->beneficial = r->gpus > 1 && is_beneficial(s, r->speedup, r->cost_ratio);
        e->score[i] = r->cost_mean + o->usd_per_hour * r->wall_mean / 3600;
        if (r->gpus == 1)
            continue;
        if (o->objective == MODEL_OBJ_VALUE_OF_TIME) {
            if (e->score[i] < best_score) {
                best_score = e->score[i];
                best = i;
            }
        } else if (r->beneficial && (best < 0 || r->speedup > e->k[best].speedup)) {
            best = i;
        }
        if (show < 0 || r->speedup > e->k[show].speedup)
            show = i;
    }
    char speed[64], cost[64];
    e->parallelize = best >= 0;
    e->best_gpus = best >= 0 ? e->k[best].gpus : 1;
    if (o->objective == MODEL_OBJ_VALUE_OF_TIME) {
        if (best >= 0) {
            describe_speed(speed, sizeof speed, e->k[best].speedup);
            describe_cost(cost, sizeof cost, e->k[best].cost_ratio, 1);
            snprintf(e->summary, sizeof e->summary,
                     "BENEFICIAL at $%g/h of waiting: %d GPUs %s %s ($%.4g vs $%.4g per job, cost + time)",
                     o->usd_per_hour, e->best_gpus, speed, cost, best_score, e->base_score);
        } else {
            snprintf(e->summary, sizeof e->summary,
                     "NOT BENEFICIAL at $%g/h of waiting: 1 GPU minimises cost + time ($%.4g per job)",
                     o->usd_per_hour, e->base_score);
        }
        return;
    }
    if (best >= 0) {
        describe_speed(speed, sizeof speed, e->k[best].speedup);
        describe_cost(cost, sizeof cost, e->k[best].cost_ratio, 1);
        snprintf(e->summary, sizeof e->summary, "BENEFICIAL: %d GPUs %s %s", e->best_gpus, speed, cost);
    } else if (show >= 0) {
        describe_speed(speed, sizeof speed, e->k[show].speedup);
        describe_cost(cost, sizeof cost, e->k[show].cost_ratio, 0);
        snprintf(e->summary, sizeof e->summary, "NOT BENEFICIAL: %d GPUs %s, %s", e->k[show].gpus, speed,
                 cost);
    } else {
        snprintf(e->summary, sizeof e->summary, "NOT BENEFICIAL: no GPU count above 1 to compare");
    }
}

/* ---- break-even --------------------------------------------------------- */

typedef struct {
    model_prep *p;
    const model_scenario *s;
    int k;
    int rc;
    char *err;
    size_t errsz;
} bectx;

/* min(speedup - min_speedup, 1 + max_inc - cost_ratio) at N frames. */
static double margin(bectx *c, double n)
{
    double w1, c1, wk, ck;
    if (c->rc)
        return NAN;
    if ((c->rc = model_predict_means(c->p, n, 1, &w1, &c1, c->err, c->errsz)) ||
        (c->rc = model_predict_means(c->p, n, c->k, &wk, &ck, c->err, c->errsz)))
        return NAN;
    double speedup = w1 / wk;
    double ratio = c1 > 0 ? ck / c1 : (ck > 0 ? INFINITY : 1);
    double a = speedup - c->s->min_speedup, b = 1 + c->s->max_cost_increase - ratio;
    return a < b ? a : b;
}

static double margin_fn(double n, void *ctx)
{
    return margin(ctx, n);
}

int model_break_even(model_prep *p, const model_scenario *s, int k, long *out, char *err, size_t errsz)
{
    bectx c = {p, s, k, BASE_OK, err, errsz};
    *out = -1;
    if (k <= 1) {
        *out = 0;
        return BASE_OK;
    }
    /* Doubling scan for the first N with a non-negative margin. */
    double prev = 0, hit = 0;
    for (double n = 1;; n = fmin(n * 2, (double)MODEL_BREAK_EVEN_MAX)) {
        double m = margin(&c, n);
        if (c.rc)
            return c.rc;
        if (m >= 0) {
            hit = n;
            break;
        }
        if (n >= MODEL_BREAK_EVEN_MAX)
            return BASE_OK; /* none */
        prev = n;
    }
    if (hit == 1) {
        *out = 1;
        return BASE_OK;
    }
    /* Brent on the continuous margin in [prev, hit]. */
    double root = hit;
    double mprev = margin(&c, prev);
    if (c.rc)
        return c.rc;
    if (mprev < 0) {
        gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
        gsl_function fn = {margin_fn, &c};
        if (solver && gsl_root_fsolver_set(solver, &fn, prev, hit) == GSL_SUCCESS) {
            for (int it = 0; it < 100 && !c.rc; it++) {
                if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
                    break;
                double a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver);
                root = b;
                if (b - a < 0.5)
                    break;
            }
        }
        gsl_root_fsolver_free(solver);
        if (c.rc)
            return c.rc;
    }
    /* Integer walk: the smallest N >= 1 with margin >= 0 near the root. */
    long n = (long)ceil(root);
    if (n < 1)
        n = 1;
    if (n > (long)hit)
        n = (long)hit;
    long lo_ok = (long)prev; /* known not beneficial (or 0) */
    while (n < (long)hit && margin(&c, (double)n) < 0 && !c.rc)
        n++;
    while (n - 1 > lo_ok && !c.rc && margin(&c, (double)(n - 1)) >= 0)
        n--;
    if (c.rc)
        return c.rc;
    *out = n;
    return BASE_OK;
}

int model_evaluate(const model_scenario *s, const model_opts *o, model_eval *out, char *err, size_t errsz)
{
    model_prep *p = NULL;
    memset(out, 0, sizeof *out);
    snprintf(out->method, sizeof out->method, "model");
    out->frames = s->frames;
    int rc = model_prep_new(s, &p, err, errsz);
    if (rc)
        return rc;
    if ((rc = model_predict_k(p, (double)s->frames, 1, &out->base, err, errsz)))
        goto cleanup;
    out->nk = s->ngpus;
    for (int i = 0; i < s->ngpus; i++) {
        if (s->gpus[i] == 1)
            out->k[i] = out->base;
        else if ((rc = model_predict_k(p, (double)s->frames, s->gpus[i], &out->k[i], err, errsz)))
            goto cleanup;
        out->break_even[i] = -2;
        if (!o->skip_break_even && (rc = model_break_even(p, s, s->gpus[i], &out->break_even[i], err, errsz)))
            goto cleanup;
    }
    model_decide(s, o, out);
cleanup:
    model_prep_free(p);
    return rc;
}
