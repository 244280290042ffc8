/* model/plan_dist.h -- internal to model/plan*.c: a group choice's wall
 * distribution as a table, stochastic dominance between two, the p95 of a
 * sum of independent group walls by numerical convolution (plan_dist.c);
 * and the choice of the recommendation with its words (plan_pick.c).
 *
 * Table: MODEL_PLAN_TAB points of the group's wall CDF (model_predict_wall_cdf,
 * the closed form's own) uniformly over [max(lo, mean - 8 sd), min(hi, mean
 * + 12 sd)] of its support; linear between points, 0 below the first, 1
 * above the last (the mass beyond the range, at most a few 1e-6 for the
 * distributions of a scenario, sits at the ends). A wall whose range is
 * below 1e-9 s of its mean is a point.
 *
 * Sums: a prefix (the first groups of a plan) is a pmf of atoms on a grid
 * of step H = (sum of the random groups' table ranges) / PLAN_CELLS, each
 * atom's mass spread evenly over its cell; adding a group re-bins the
 * prefix to the new step and convolves it with the group's cell masses
 * (CDF differences at the cell edges: the midpoint rule, error O(H^2)).
 * The p95 of prefix + last group solves sum_j m_j F_last(t - x_j) = 0.95
 * (GSL Brent) with the last group's table exact. One group alone: its p95
 * from model_predict_k. Costs: a table MODEL_PLAN_TAB CDF evaluations; a
 * prefix step O(cells^2); a p95 ~20 x cells table lookups.
 *
 * The pmf owns its array (plan_pmf_free); everything else is borrowed.
 */
#ifndef FORKCAST_MODEL_PLAN_DIST_H
#define FORKCAST_MODEL_PLAN_DIST_H

#include "model/plan.h"

#define PLAN_CELLS 384

typedef struct {
    int empty;       /* no group yet */
    int point;       /* all groups so far are points: the value is x0 */
    double x0, h;    /* atom j at x0 + j h, its mass spread over [x - h/2, x + h/2] */
    double span;     /* sum of the random groups' table ranges */
    double *m;       /* [n] masses, owned */
    int n, cap;
} plan_pmf;

/* Fill c's table from its group's job (c->r already set). */
int plan_dist_table(model_job *jb, model_plan_choice *c, char *err, size_t errsz);
/* F of c's wall at x (the table; a point's step). */
double plan_dist_cdf(const model_plan_choice *c, double x);
/* 1 when a's wall is stochastically at most b's (F_a >= F_b everywhere, to 1e-12). */
int plan_dist_dominates(const model_plan_choice *a, const model_plan_choice *b);

void plan_pmf_init(plan_pmf *p);
void plan_pmf_free(plan_pmf *p);
/* out = prefix + c (prefix may be empty); out must not be prefix. */
int plan_pmf_add(plan_pmf *out, const plan_pmf *prefix, const model_plan_choice *c, char *err, size_t errsz);
/* The p95 of prefix + last (prefix may be empty). */
double plan_pmf_p95(const plan_pmf *prefix, const model_plan_choice *last);

/* Targets, Pareto set, balanced scores, recommended, runner-up, closest,
 * summary and why (plan.h) from r's candidates and current plan. */
int plan_pick(model_plan_result *r, char *err, size_t errsz);

#endif
