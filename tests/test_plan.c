/* tests/test_plan.c -- the plan search (model/plan.h, model/pipeline.h,
 * sim/plan_verify.h): the recommendation against an independent exhaustive
 * enumeration on random pipelines with fixed times, the closed form against
 * the simulator on random pipelines with random overheads, the p95 of a sum
 * against a closed form, one stage against advise, the seed pipeline, and
 * every bad input. */
#include "harness.h"
#include "base/status.h"
#include "model/evaluate.h"
#include "model/pipeline.h"
#include "model/plan.h"
#include "model/predict.h"
#include "sim/plan_verify.h"

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[2048];

static double unif(gsl_rng *g, double a, double b)
{
    return a + (b - a) * gsl_rng_uniform(g);
}

/* Parse text, take its pipeline, search with goal (NULL: the file's). */
static model_plan_result *search_text(const char *text, model_scenario *s, const model_plan_goal *goal)
{
    model_pipeline *p = NULL;
    model_plan_result *r = NULL;
    if (model_scenario_parse(text, "t.json", s, err, sizeof err)) {
        fprintf(stderr, "parse: %s\n", err);
        return NULL;
    }
    if (model_pipeline_for(s, &p, err, sizeof err))
        return NULL;
    model_plan_goal g = goal ? *goal : model_plan_goal_of(p);
    if (model_plan_search(s, p, &g, &r, err, sizeof err)) {
        fprintf(stderr, "search: %s\n", err);
        return NULL;
    }
    return r;
}

/* ---- the wall CDF export ------------------------------------------------------- */

static void test_wall_cdf(void)
{
    model_scenario s;
    model_prep *p = NULL;
    CHECK(model_scenario_load("data/scenarios/framing-t50.json", NULL, 0, &s, err, sizeof err) == 0);
    s.per_frame = model_dist_gamma_mcv(0.68, 0.3);
    CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
    for (int k = 1; k <= 8; k *= 2) {
        model_kresult r;
        double t[3], F[3], lo, hi;
        CHECK(model_predict_k(p, 300, k, &r, err, sizeof err) == 0);
        t[0] = r.wall_p50;
        t[1] = r.wall_p95;
        t[2] = r.wall_p99;
        CHECK(model_predict_wall_cdf(p, 300, k, t, 3, F, &lo, &hi, err, sizeof err) == 0);
        CHECK_NEAR(F[0], 0.50, 1e-6);
        CHECK_NEAR(F[1], 0.95, 1e-6);
        CHECK_NEAR(F[2], 0.99, 1e-6);
        t[0] = lo - 1e-9;
        t[1] = hi;
        CHECK(model_predict_wall_cdf(p, 300, k, t, 2, F, NULL, NULL, err, sizeof err) == 0);
        CHECK(F[0] == 0 && F[1] > 1 - 1e-7);
    }
    model_prep_free(p);
    /* a random concat: the interpolated path (n >= 16) against point by point */
    s.concat_per_chunk = model_dist_gamma_mcv(0.4, 0.5);
    CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
    double t[40], F[40], G, lo, hi;
    CHECK(model_predict_wall_cdf(p, 300, 4, NULL, 0, NULL, &lo, &hi, err, sizeof err) == 0);
    for (int i = 0; i < 40; i++)
        t[i] = lo + (hi - lo) * (i + 0.5) / 40 * 0.5;
    CHECK(model_predict_wall_cdf(p, 300, 4, t, 40, F, NULL, NULL, err, sizeof err) == 0);
    for (int i = 0; i < 40; i++) {
        CHECK(model_predict_wall_cdf(p, 300, 4, &t[i], 1, &G, NULL, NULL, err, sizeof err) == 0);
        CHECK_NEAR(F[i], G, 2e-5);
    }
    model_prep_free(p);
    model_scenario_free(&s);
}

/* ---- brute force: fixed times ---------------------------------------------------- */

typedef struct {
    int nst, nty, nk, frames, minc, cur_n, cur_first[3], cur_last[3], cur_type[3], cur_k[3];
    double pf[3][3];      /* stage x type; < 0: no figure */
    double price[3], cold[3];
    int ks[4];
    double warm, req, ff, seek, concat, cpc, in, out, handoff, dl, ul, gran, minb;
} fcase;

static void fcase_json(const fcase *c, char *buf, size_t n)
{
    size_t l = 0;
    l += (size_t)snprintf(buf + l, n - l,
                          "{\"name\":\"bf\",\"job\":{\"frames\":%d,\"input_mb\":%.17g,\"output_mb\":%.17g},"
                          "\"stage\":{\"ffmpeg_start_s\":%.17g,\"seek_s\":%.17g},"
                          "\"platform\":{\"gpu\":\"G0\",\"cold_start_s\":%.17g,\"warm_start_s\":%.17g,"
                          "\"request_s\":%.17g,\"download_mb_s\":%.17g,\"upload_mb_s\":%.17g,\"gpu_per_s\":%.17g,"
                          "\"cpu_per_core_s\":1e-5,\"cores\":0.5,\"billing\":{\"granularity_s\":%.17g,"
                          "\"minimum_s\":%.17g},\"min_containers\":%d},"
                          "\"parallel\":{\"concat_s\":%.17g,\"concat_per_chunk_s\":%.17g,\"concat_billed\":\"cpu\"},"
                          "\"pipeline\":{\"handoff_mb\":%.17g,\"stages\":[",
                          c->frames, c->in, c->out, c->ff, c->seek, c->cold[0], c->warm, c->req, c->dl, c->ul,
                          c->price[0], c->gran, c->minb, c->minc, c->concat, c->cpc, c->handoff);
    for (int i = 0; i < c->nst; i++) {
        l += (size_t)snprintf(buf + l, n - l, "%s{\"name\":\"s%d\",\"per_frame_s\":{", i ? "," : "", i);
        int first = 1;
        for (int t = 0; t < c->nty; t++)
            if (c->pf[i][t] >= 0) {
                l += (size_t)snprintf(buf + l, n - l, "%s\"G%d\":%.17g", first ? "" : ",", t, c->pf[i][t]);
                first = 0;
            }
        l += (size_t)snprintf(buf + l, n - l, "}}");
    }
    l += (size_t)snprintf(buf + l, n - l, "]");
    if (c->cur_n) {
        l += (size_t)snprintf(buf + l, n - l, ",\"current\":[");
        for (int g = 0; g < c->cur_n; g++) {
            l += (size_t)snprintf(buf + l, n - l, "%s{\"stages\":[", g ? "," : "");
            for (int i = c->cur_first[g]; i <= c->cur_last[g]; i++)
                l += (size_t)snprintf(buf + l, n - l, "%s\"s%d\"", i > c->cur_first[g] ? "," : "", i);
            l += (size_t)snprintf(buf + l, n - l, "],\"gpu\":\"G%d\",\"gpus\":%d}", c->cur_type[g], c->cur_k[g]);
        }
        l += (size_t)snprintf(buf + l, n - l, "]");
    }
    l += (size_t)snprintf(buf + l, n - l, "},\"plan\":{\"gpus\":[");
    for (int i = 0; i < c->nk; i++)
        l += (size_t)snprintf(buf + l, n - l, "%s%d", i ? "," : "", c->ks[i]);
    l += (size_t)snprintf(buf + l, n - l, "],\"gpu_types\":[");
    for (int t = 0; t < c->nty; t++)
        l += (size_t)snprintf(buf + l, n - l, "%s{\"name\":\"G%d\",\"gpu_per_s\":%.17g,\"cold_start_s\":%.17g}",
                              t ? "," : "", t, c->price[t], c->cold[t]);
    snprintf(buf + l, n - l, "]}}");
}

static double billed(const fcase *c, double x)
{
    if (c->gran > 0)
        x = ceil(x / c->gran - 1e-9) * c->gran;
    return x > c->minb ? x : c->minb;
}

/* Wall and cost of stages a..b on type t with k containers, by hand. */
static int group_by_hand(const fcase *c, int a, int b, int t, int k, double *wall, double *cost)
{
    double pf = 0;
    for (int i = a; i <= b; i++) {
        if (c->pf[i][t] < 0)
            return 0;
        pf += c->pf[i][t];
    }
    double in = a == 0 ? c->in : c->handoff, out = b == c->nst - 1 ? c->out : c->handoff;
    double rate = c->price[t] + 0.5 * 1e-5, crate = 0.5 * 1e-5, mx = 0, sum = 0;
    int N = c->frames;
    for (int i = 0; i < k; i++) {
        int ni = N / k + (i < N % k);
        double x = (i < c->minc ? c->warm : c->cold[t]) + c->req + in / c->dl + c->ff + (i > 0 ? c->seek : 0) +
                   ni * pf + out / c->ul / N * ni;
        mx = x > mx ? x : mx;
        sum += billed(c, x) * rate;
    }
    double cc = k > 1 ? c->concat + k * c->cpc : 0;
    *wall = mx + cc;
    *cost = sum + (k > 1 ? billed(c, cc) * crate : 0);
    return 1;
}

typedef struct {
    double cost, wall;
} bf_plan;

static void bf_enum(const fcase *c, int first, double w, double cost, bf_plan *out, int *n)
{
    if (first == c->nst) {
        out[(*n)++] = (bf_plan){cost, w};
        return;
    }
    for (int last = first; last < c->nst; last++)
        for (int t = 0; t < c->nty; t++)
            for (int ki = 0; ki < c->nk; ki++) {
                double gw, gc;
                if (group_by_hand(c, first, last, t, c->ks[ki], &gw, &gc))
                    bf_enum(c, last + 1, w + gw, cost + gc, out, n);
            }
}

/* The best plan of the enumeration under goal g (the current plan as the
 * default target when given); 0 when none meets the targets. */
static int bf_best(const fcase *c, const bf_plan *pl, int n, model_plan_goal g, bf_plan *best, double *score)
{
    if (c->cur_n) {
        double cw = 0, cc = 0, gw, gc;
        for (int i = 0; i < c->cur_n; i++) {
            group_by_hand(c, c->cur_first[i], c->cur_last[i], c->cur_type[i], c->cur_k[i], &gw, &gc);
            cw += gw;
            cc += gc;
        }
        if (g.objective == MODEL_PLAN_COST && g.p95_target_s <= 0 && !g.p95_none)
            g.p95_target_s = cw;
        if (g.objective == MODEL_PLAN_SPEED && g.max_cost_usd <= 0 && !g.cost_none)
            g.max_cost_usd = cc;
    }
    double cmax = 0, wmax = 0;
    for (int i = 0; i < n; i++) { /* the Pareto set's extremes */
        int dom = 0;
        for (int j = 0; j < n && !dom; j++)
            dom = pl[j].cost <= pl[i].cost && pl[j].wall <= pl[i].wall &&
                  (pl[j].cost < pl[i].cost || pl[j].wall < pl[i].wall);
        if (!dom) {
            cmax = fmax(cmax, pl[i].cost);
            wmax = fmax(wmax, pl[i].wall);
        }
    }
    int found = 0;
    double bk = 0;
    for (int i = 0; i < n; i++) {
        if ((g.p95_target_s > 0 && pl[i].wall > g.p95_target_s) || (g.max_cost_usd > 0 && pl[i].cost > g.max_cost_usd))
            continue;
        double sc = g.balanced_weight * pl[i].cost / cmax + (1 - g.balanced_weight) * pl[i].wall / wmax;
        double k1 = g.objective == MODEL_PLAN_COST ? pl[i].cost : g.objective == MODEL_PLAN_SPEED ? pl[i].wall : sc;
        double k2 = g.objective == MODEL_PLAN_SPEED ? pl[i].cost : g.objective == MODEL_PLAN_COST ? pl[i].wall
                                                                                                 : pl[i].cost;
        double b2 = g.objective == MODEL_PLAN_SPEED ? best->cost : g.objective == MODEL_PLAN_COST ? best->wall
                                                                                                 : best->cost;
        if (!found || k1 < bk || (k1 == bk && k2 < b2)) {
            found = 1;
            bk = k1;
            *best = pl[i];
            *score = sc;
        }
    }
    return found;
}

static void random_fcase(gsl_rng *g, fcase *c)
{
    memset(c, 0, sizeof *c);
    c->nst = 1 + (int)gsl_rng_uniform_int(g, 3);
    c->nty = 1 + (int)gsl_rng_uniform_int(g, 3);
    static const int pool[] = {1, 2, 3, 4, 6, 8};
    c->nk = 0;
    for (int i = 0; i < 6 && c->nk < 4; i++) /* ascending, unique: as plan.gpus is normalised */
        if (gsl_rng_uniform(g) < 0.5)
            c->ks[c->nk++] = pool[i];
    if (c->nk == 0)
        c->ks[c->nk++] = pool[gsl_rng_uniform_int(g, 6)];
    c->frames = 20 + (int)gsl_rng_uniform_int(g, 400);
    c->minc = (int)gsl_rng_uniform_int(g, 4);
    for (int t = 0; t < c->nty; t++) {
        c->price[t] = unif(g, 1e-4, 1.2e-3);
        c->cold[t] = unif(g, 5, 40);
    }
    for (int i = 0; i < c->nst; i++) {
        int any = 0;
        for (int t = 0; t < c->nty; t++) {
            c->pf[i][t] = gsl_rng_uniform(g) < 0.25 ? -1 : unif(g, 0.005, 0.8);
            any |= c->pf[i][t] >= 0;
        }
        if (!any)
            c->pf[i][gsl_rng_uniform_int(g, c->nty)] = unif(g, 0.005, 0.8);
    }
    c->warm = unif(g, 0.2, 3);
    c->req = unif(g, 0, 0.5);
    c->ff = unif(g, 0, 2);
    c->seek = unif(g, 0, 1.5);
    c->concat = unif(g, 0, 3);
    c->cpc = unif(g, 0, 0.5);
    c->in = unif(g, 1, 50);
    c->out = unif(g, 1, 50);
    c->handoff = unif(g, 1, 50);
    c->dl = unif(g, 20, 200);
    c->ul = unif(g, 20, 200);
    c->gran = gsl_rng_uniform(g) < 0.5 ? 0 : 1;
    c->minb = gsl_rng_uniform(g) < 0.7 ? 0 : unif(g, 0, 60);
    /* a current plan, half the time: every stage alone on a type it can use */
    if (gsl_rng_uniform(g) < 0.5) {
        c->cur_n = c->nst;
        for (int i = 0; i < c->nst; i++) {
            int t = 0;
            while (c->pf[i][t] < 0)
                t++;
            c->cur_first[i] = c->cur_last[i] = i;
            c->cur_type[i] = t;
            c->cur_k[i] = 1 + (int)gsl_rng_uniform_int(g, 3);
        }
    }
}

static void test_brute_force(void)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    static char json[16384];
    static bf_plan pl[200000];
    int compared = 0, infeasible = 0;
    for (int it = 0; it < 120; it++) {
        fcase c;
        random_fcase(g, &c);
        fcase_json(&c, json, sizeof json);
        int n = 0;
        bf_enum(&c, 0, 0, 0, pl, &n);
        double wmin = INFINITY, wmax = 0, cmin = INFINITY, cmax = 0;
        for (int i = 0; i < n; i++) {
            wmin = fmin(wmin, pl[i].wall);
            wmax = fmax(wmax, pl[i].wall);
            cmin = fmin(cmin, pl[i].cost);
            cmax = fmax(cmax, pl[i].cost);
        }
        for (int variant = 0; variant < 9; variant++) {
            model_plan_goal goal = {variant % 3 == 0 ? MODEL_PLAN_COST : variant % 3 == 1 ? MODEL_PLAN_SPEED
                                                                                           : MODEL_PLAN_BALANCED,
                                    unif(g, 0, 1), 0, 0, 0, 0, 0, 0};
            int tv = variant / 3; /* 0: no target, 1: a p95 target, 2: both targets */
            if (tv >= 1)
                goal.p95_target_s = unif(g, wmin * 0.9, wmax);
            if (tv == 2)
                goal.max_cost_usd = unif(g, cmin * 0.9, cmax);
            if (tv == 0 && gsl_rng_uniform(g) < 0.3)
                goal.p95_none = goal.cost_none = 1;
            model_scenario s;
            model_plan_result *r = search_text(json, &s, &goal);
            CHECK(r != NULL);
            if (!r) {
                fprintf(stderr, "case %d: %s\n", it, err);
                model_scenario_free(&s);
                continue;
            }
            bf_plan best = {0, 0};
            double score = 0;
            int found = bf_best(&c, pl, n, goal, &best, &score);
            CHECK(found == (r->recommended >= 0));
            CHECK(r->enumerated == n);
            if (found && r->recommended >= 0) {
                const model_plan_cand *m = &r->cand[r->recommended];
                CHECK_REL(m->cost_mean, best.cost, 1e-9);
                CHECK_REL(m->wall_p95, best.wall, 1e-9);
                CHECK_REL(m->wall_mean, best.wall, 1e-9);
                if (goal.objective == MODEL_PLAN_BALANCED)
                    CHECK_REL(m->score, score, 1e-9);
                compared++;
            } else if (!found) {
                CHECK(r->closest[0] >= 0 && !strncmp(r->summary, "no plan meets", 13));
                if (r->closest[0] < 0 || strncmp(r->summary, "no plan meets", 13))
                    fprintf(stderr, "  case %d/%d: %ld, %s\n", it, variant, r->closest[0], r->summary);
                infeasible++;
            }
            model_plan_result_free(r);
            model_scenario_free(&s);
        }
    }
    CHECK(compared > 500 && infeasible > 10);
    gsl_rng_free(g);
}

/* ---- the p95 of a sum against a closed form ------------------------------------ */

/* Two one-container stages whose walls are c_i + Exp(m_i): the sum's CDF is
 * the hypoexponential's, shifted. */
static void test_sum_p95(void)
{
    const char *text =
        "{\"job\":{\"frames\":100},\"platform\":{\"cold_start_s\":{\"dist\":\"exponential\",\"mean\":20}},"
        "\"pipeline\":{\"stages\":[{\"name\":\"a\",\"per_frame_s\":{\"T4\":0.1}},"
        "{\"name\":\"b\",\"per_frame_s\":{\"L4\":0.3}}]},"
        "\"plan\":{\"gpus\":[1],\"gpu_types\":[\"T4\",{\"name\":\"L4\",\"cold_start_s\":{\"dist\":"
        "\"exponential\",\"mean\":7}}]}}";
    model_scenario s;
    model_plan_result *r = search_text(text, &s, NULL);
    CHECK(r && r->ncand == 1);
    if (r && r->ncand == 1) {
        double m1 = 20, m2 = 7, c = 10 + 30, lo = 0, hi = 500;
        for (int it = 0; it < 200; it++) {
            double t = 0.5 * (lo + hi);
            double F = 1 - (m1 * exp(-t / m1) - m2 * exp(-t / m2)) / (m1 - m2);
            *(F < 0.95 ? &lo : &hi) = t;
        }
        CHECK_REL(r->cand[0].wall_p95, c + lo, 2e-4); /* the tables' linear interpolation */
        CHECK_REL(r->cand[0].wall_mean, c + m1 + m2, 1e-9);
    }
    model_plan_result_free(r);
    model_scenario_free(&s);
}

/* ---- dominance is about whole distributions ------------------------------------ */

/* s0 on T4 takes 50 s; on L4 (same price) 30 s 96% of the time, else up to
 * 200 s: cheaper, lower mean and p95 alone, but not stochastically smaller.
 * s1 (A10 only) takes 0 s 97% of the time, else up to 100 s. Summed, the
 * L4 plan's p95 lands in the tails (P(both fast) = 0.93), the T4 plan's
 * stays 50 s: both are Pareto plans, so T4 must not be dropped for L4. */
static void test_dominance_in_sums(void)
{
    char text[4096], s0[400] = "", s1[400] = "";
    size_t l0 = 0, l1 = 0;
    for (int i = 0; i < 25; i++)
        l0 += (size_t)snprintf(s0 + l0, sizeof s0 - l0, "30,");
    snprintf(s0 + l0, sizeof s0 - l0, "200");
    for (int i = 0; i < 32; i++)
        l1 += (size_t)snprintf(s1 + l1, sizeof s1 - l1, "0,");
    snprintf(s1 + l1, sizeof s1 - l1, "100");
    snprintf(text, sizeof text,
             "{\"job\":{\"frames\":10},\"platform\":{\"cold_start_s\":50,\"gpu_per_s\":0.001},"
             "\"pipeline\":{\"stages\":[{\"name\":\"s0\",\"per_frame_s\":{\"T4\":0,\"L4\":0}},"
             "{\"name\":\"s1\",\"per_frame_s\":{\"A10\":0}}]},\"plan\":{\"gpus\":[1],\"gpu_types\":[\"T4\","
             "{\"name\":\"L4\",\"gpu_per_s\":0.001,\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[%s]}},"
             "{\"name\":\"A10\",\"gpu_per_s\":0.001,\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[%s]}}]}}",
             s0, s1);
    model_scenario s;
    model_plan_result *r = search_text(text, &s, NULL);
    CHECK(r != NULL);
    int t4 = 0, l4 = 0;
    for (int i = 0; r && i < r->npareto; i++) {
        const model_plan_cand *c = &r->cand[r->pareto[i]];
        const char *g = r->choice[c->choice[0]].g.gpu;
        t4 |= c->ngroups == 2 && !strcmp(g, "T4");
        l4 |= c->ngroups == 2 && !strcmp(g, "L4");
        if (!strcmp(g, "T4"))
            CHECK_NEAR(c->wall_p95, 50, 1e-6);
        else
            CHECK(c->wall_p95 > 60);
    }
    CHECK(t4 && l4);
    model_plan_result_free(r);
    model_scenario_free(&s);
}

/* ---- closed form against the simulator ------------------------------------------- */

static void random_json(gsl_rng *g, char *buf, size_t n)
{
    int nst = 2 + (int)gsl_rng_uniform_int(g, 2);
    size_t l = 0;
    double med = unif(g, 10, 40);
    l += (size_t)snprintf(buf + l, n - l,
                          "{\"name\":\"mc\",\"job\":{\"frames\":%d,\"input_mb\":%.6g,\"output_mb\":%.6g},"
                          "\"stage\":{\"ffmpeg_start_s\":{\"dist\":\"uniform\",\"min\":%.6g,\"max\":%.6g},"
                          "\"seek_s\":{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":0.5}},"
                          "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":%.6g,\"p95\":%.6g},"
                          "\"warm_start_s\":{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":%.6g},"
                          "\"request_s\":{\"dist\":\"exponential\",\"mean\":%.6g},\"download_mb_s\":%.6g,"
                          "\"upload_mb_s\":%.6g,\"gpu_per_s\":0.000164,\"billing\":{\"granularity_s\":%d},"
                          "\"min_containers\":%d},\"parallel\":{\"concat_s\":%.6g,\"concat_per_chunk_s\":"
                          "{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":0.4},\"concat_billed\":\"gpu\"},"
                          "\"pipeline\":{\"stages\":[",
                          100 + (int)gsl_rng_uniform_int(g, 400), unif(g, 5, 50), unif(g, 5, 50), unif(g, 0.3, 1),
                          unif(g, 1, 2.5), unif(g, 0.2, 1.5), med, med * unif(g, 1.15, 1.9), unif(g, 0.5, 3),
                          unif(g, 0.2, 0.8), unif(g, 0.05, 0.3), unif(g, 30, 100), unif(g, 30, 100),
                          (int)gsl_rng_uniform_int(g, 2), (int)gsl_rng_uniform_int(g, 4), unif(g, 0.5, 2),
                          unif(g, 0.1, 0.5));
    for (int i = 0; i < nst; i++) {
        double m = unif(g, 0.01, 0.7);
        if (gsl_rng_uniform(g) < 0.5)
            l += (size_t)snprintf(buf + l, n - l, "%s{\"name\":\"s%d\",\"per_frame_s\":{\"T4\":%.6g,\"L4\":{\"dist\":"
                                  "\"gamma\",\"mean\":%.6g,\"cv\":%.6g}}}", i ? "," : "", i, m, m * 0.8,
                                  unif(g, 0.1, 0.6));
        else
            l += (size_t)snprintf(buf + l, n - l, "%s{\"name\":\"s%d\",\"per_frame_s\":{\"T4\":{\"dist\":\"gamma\","
                                  "\"mean\":%.6g,\"cv\":%.6g}}}", i ? "," : "", i, m, unif(g, 0.1, 0.6));
    }
    snprintf(buf + l, n - l,
             "],\"current\":[{\"stages\":[\"s0\"],\"gpus\":2},{\"stages\":[\"s1\"%s],\"gpus\":1}]},"
             "\"plan\":{\"gpus\":[1,2,4],\"gpu_types\":[\"T4\",{\"name\":\"L4\",\"warm_start_s\":{\"dist\":"
             "\"lognormal\",\"median\":2,\"p95\":4}}]}}",
             nst == 3 ? ",\"s2\"" : "");
}

static void check_sim(const model_plan_result *r, const model_plan_cand *c, int *n)
{
    sim_plan_verify_opts o = {20000, 11, 0};
    sim_plan_check k;
    CHECK(sim_plan_verify(r, c, &o, &k, err, sizeof err) == 0);
    char d[512];
    model_plan_describe(r, c, d, sizeof d);
    int ok = fabs(k.z_mean) < 4 && fabs(k.z_p95) < 4 && fabs(k.z_cost) < 4;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: wall %.4f vs %.4f (z %.2f), p95 %.4f vs %.4f (z %.2f), cost %.6g vs %.6g (z %.2f)\n", d,
                c->wall_mean, k.wall.mean, k.z_mean, c->wall_p95, k.wall.p95, k.z_p95, c->cost_mean, k.cost.mean,
                k.z_cost);
    (*n)++;
}

static void test_model_vs_sim(void)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 3);
    static char json[8192];
    int n = 0;
    for (int it = 0; it < 6; it++) {
        random_json(g, json, sizeof json);
        model_scenario s;
        model_plan_goal goal = {MODEL_PLAN_COST, 0.5, 0, 0, 1, 1, 0, 0};
        model_plan_result *r = search_text(json, &s, &goal);
        CHECK(r != NULL);
        if (!r) {
            model_scenario_free(&s);
            continue;
        }
        /* the Pareto front's ends and middle, a plan of the most groups, the current plan */
        long most = 0;
        for (long i = 0; i < r->ncand; i++)
            if (r->cand[i].ngroups > r->cand[most].ngroups)
                most = i;
        check_sim(r, &r->cand[r->pareto[0]], &n);
        check_sim(r, &r->cand[r->pareto[r->npareto / 2]], &n);
        check_sim(r, &r->cand[r->pareto[r->npareto - 1]], &n);
        check_sim(r, &r->cand[most], &n);
        check_sim(r, &r->current, &n);
        model_plan_result_free(r);
        model_scenario_free(&s);
    }
    CHECK(n == 30);
    gsl_rng_free(g);
}

/* ---- the closed form's tables against the exact computation --------------------- */

/* A random per-frame law of kind `kind` with mean m, as JSON. */
static void law_json(gsl_rng *g, int kind, double m, char *buf, size_t n)
{
    double cv = unif(g, 0.1, 0.6);
    switch (kind) {
    case 0: snprintf(buf, n, "{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":%.6g}", m, cv); break;
    case 1: snprintf(buf, n, "{\"dist\":\"lognormal\",\"median\":%.6g,\"p95\":%.6g}", m, m * (1 + cv * 2)); break;
    case 2: snprintf(buf, n, "{\"dist\":\"normal\",\"mean\":%.6g,\"sd\":%.6g}", m, m * cv); break;
    case 3: { /* empirical: 12 samples around m */
        size_t l = (size_t)snprintf(buf, n, "{\"dist\":\"empirical\",\"samples\":[");
        for (int i = 0; i < 12; i++)
            l += (size_t)snprintf(buf + l, n - l, "%s%.6g", i ? "," : "", m * unif(g, 1 - cv, 1 + cv));
        snprintf(buf + l, n - l, "]}");
        break;
    }
    default: snprintf(buf, n, "{\"dist\":\"weibull\",\"scale\":%.6g,\"shape\":%.6g}", m, unif(g, 2, 6)); break;
    }
}

/* A random pipeline with random per-frame laws of every kind (gamma,
 * lognormal, normal, empirical, weibull), random overheads (some of them
 * making a convolution grid, so some classes stay exact), billing with
 * granularity, a minimum and an unbilled cold start, and a random concat. */
static void random_law_json(gsl_rng *g, int it, char *buf, size_t n)
{
    /* 8 frames on up to 8 containers: one frame each, the raw law (kinked when empirical) */
    int nst = 1 + (int)gsl_rng_uniform_int(g, 2), frames = it % 3 == 0 ? 8 : 40 + (int)gsl_rng_uniform_int(g, 300);
    double med = unif(g, 5, 40);
    char ff[128], law[512];
    if (it % 3 == 2) /* two random overheads: the overhead sums are convolution grids */
        snprintf(ff, sizeof ff, "{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":0.3}", unif(g, 0.5, 2));
    else
        snprintf(ff, sizeof ff, "%.6g", unif(g, 0.5, 2));
    size_t l = (size_t)snprintf(
        buf, n,
        "{\"name\":\"fx\",\"job\":{\"frames\":%d,\"input_mb\":%.6g,\"output_mb\":%.6g},"
        "\"stage\":{\"ffmpeg_start_s\":%s,\"seek_s\":%.6g},"
        "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":%.6g,\"p95\":%.6g},"
        "\"warm_start_s\":%s,\"request_s\":0.15,\"download_mb_s\":%.6g,\"upload_mb_s\":%.6g,"
        "\"gpu_per_s\":0.000164,\"billing\":{\"granularity_s\":%d,\"minimum_s\":%.6g,\"includes_cold_start\":%s},"
        "\"min_containers\":%d},\"parallel\":{\"concat_s\":%.6g,\"concat_per_chunk_s\":"
        "{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":0.4},\"concat_billed\":\"cpu\"},"
        "\"pipeline\":{\"stages\":[",
        frames, unif(g, 5, 50), unif(g, 5, 50), ff, unif(g, 0.3, 1), med, med * unif(g, 1.15, 1.9),
        it % 2 ? "{\"dist\":\"gamma\",\"mean\":1.6,\"cv\":0.5}" : "1", unif(g, 30, 100), unif(g, 30, 100),
        (int)gsl_rng_uniform_int(g, 2), gsl_rng_uniform(g) < 0.5 ? 0 : unif(g, 5, 60),
        gsl_rng_uniform(g) < 0.5 ? "true" : "false", (int)gsl_rng_uniform_int(g, 4), unif(g, 0.5, 2),
        unif(g, 0.1, 0.5));
    for (int i = 0; i < nst; i++) {
        law_json(g, (it + i) % 5, unif(g, 0.02, 0.7), law, sizeof law);
        l += (size_t)snprintf(buf + l, n - l, "%s{\"name\":\"s%d\",\"per_frame_s\":{\"T4\":%s,\"L4\":%.6g}}",
                              i ? "," : "", i, law, unif(g, 0.02, 0.5));
    }
    snprintf(buf + l, n - l, "]},\"plan\":{\"gpus\":%s,\"gpu_types\":[\"T4\",\"L4\"]}}",
             it % 3 == 0 ? "[1,4,8]" : "[1,2,4,16]");
}

static double rel_diff(double a, double b)
{
    return b != 0 ? fabs(a - b) / fabs(b) : fabs(a);
}

/* The documented tolerance of the tables (docs/plan.md, model/predict.h):
 * mean and p95 wall and mean cost within 1e-6 relative of the exact path. */
#define TABLE_TOL 1e-6

static void test_tables_vs_exact(void)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 17);
    static char json[8192];
    double worst[6] = {0}; /* mean, p95, p50/p99, sd, cost, CDF table */
    int nfast = 0, nrandom = 0, nchoice = 0, ncand = 0;
    for (int it = 0; it < 9; it++) {
        random_law_json(g, it, json, sizeof json);
        model_scenario s;
        model_pipeline *p[2] = {NULL, NULL};
        model_plan_result *r[2] = {NULL, NULL};
        CHECK(model_scenario_parse(json, "t.json", &s, err, sizeof err) == 0);
        for (int e = 0; e < 2; e++) {
            CHECK(model_pipeline_for(&s, &p[e], err, sizeof err) == 0);
            model_plan_goal goal = model_plan_goal_of(p[e]);
            CHECK(model_plan_search_ex(&s, p[e], &goal, e, &r[e], err, sizeof err) == 0);
        }
        const model_plan_result *f = r[0], *x = r[1];
        CHECK(f && x && f->nchoice == x->nchoice);
        for (int i = 0; f && x && i < f->nchoice && i < x->nchoice; i++) {
            const model_kresult *a = &f->choice[i].r, *b = &x->choice[i].r;
            double d[6] = {rel_diff(a->wall_mean, b->wall_mean), rel_diff(a->wall_p95, b->wall_p95),
                           fmax(rel_diff(a->wall_p50, b->wall_p50), rel_diff(a->wall_p99, b->wall_p99)),
                           rel_diff(a->wall_sd, b->wall_sd), rel_diff(a->cost_mean, b->cost_mean), 0};
            for (int t = 0; t < MODEL_PLAN_TAB; t++)
                d[5] = fmax(d[5], fabs(f->choice[i].F[t] - x->choice[i].F[t]));
            CHECK(d[0] <= TABLE_TOL && d[1] <= TABLE_TOL && d[2] <= TABLE_TOL && d[4] <= TABLE_TOL);
            CHECK(d[3] <= TABLE_TOL && d[5] <= TABLE_TOL);
            CHECK(f->choice[i].kept == x->choice[i].kept);
            for (int q = 0; q < 6; q++)
                worst[q] = fmax(worst[q], d[q]);
            nchoice++;
        }
        CHECK(f && x && f->ncand == x->ncand && f->recommended == x->recommended);
        for (long i = 0; f && x && i < f->ncand && i < x->ncand; i++) {
            CHECK(model_plan_same(f, &f->cand[i], &x->cand[i]));
            CHECK_REL(f->cand[i].wall_mean, x->cand[i].wall_mean, TABLE_TOL);
            CHECK_REL(f->cand[i].wall_p95, x->cand[i].wall_p95, TABLE_TOL);
            CHECK_REL(f->cand[i].cost_mean, x->cand[i].cost_mean, TABLE_TOL);
            ncand++;
        }
        /* the tables are in use: each group's job on the fast path but where a law has kinks */
        model_prep *pp = NULL;
        model_job *jb = NULL;
        model_scenario sg;
        for (int i = 0; f && i < f->nchoice; i++) {
            const model_plan_choice *c = &f->choice[i];
            CHECK(model_pipeline_group_scenario(f->pipe, &f->types[c->type].s, &c->g, &sg, err, sizeof err) == 0);
            CHECK(model_prep_new(&sg, &pp, err, sizeof err) == 0);
            CHECK(model_job_new(pp, (double)s.frames, c->g.gpus, &jb, err, sizeof err) == 0);
            nfast += model_job_fast(jb);
            nrandom += !model_dist_is_fixed(&sg.per_frame);
            model_job_free(jb);
            model_prep_free(pp);
            model_scenario_free(&sg);
        }
        model_plan_result_free(r[0]);
        model_plan_result_free(r[1]);
        model_scenario_free(&s);
    }
    fprintf(stderr, "  tables vs exact, %d group choices (%d with a random law, %d of them all on tables), %d "
            "candidates: worst relative difference: wall mean %.2e, p95 %.2e, p50/p99 %.2e, sd %.2e, cost %.2e; "
            "CDF table %.2e absolute\n", nchoice, nrandom, nfast, ncand, worst[0], worst[1], worst[2], worst[3],
            worst[4], worst[5]);
    CHECK(nfast >= nrandom / 2 && nfast < nrandom); /* both paths exercised */
    gsl_rng_free(g);
}

/* ---- one stage = advise ----------------------------------------------------------- */

static void check_one_stage(const char *path)
{
    model_scenario s;
    model_eval e;
    model_opts mo = {.skip_break_even = 1};
    model_pipeline *p = NULL;
    model_plan_result *r = NULL;
    CHECK(model_scenario_load(path, NULL, 0, &s, err, sizeof err) == 0);
    CHECK(model_evaluate(&s, &mo, &e, err, sizeof err) == 0);
    CHECK(model_pipeline_for(&s, &p, err, sizeof err) == 0);
    model_plan_goal goal = model_plan_goal_of(p);
    CHECK(model_plan_search(&s, p, &goal, &r, err, sizeof err) == 0);
    CHECK(r && r->ncand == e.nk);
    for (long i = 0; r && i < r->ncand; i++) {
        const model_plan_cand *c = &r->cand[i];
        int k = r->choice[c->choice[0]].g.gpus, found = 0;
        for (int j = 0; j < e.nk; j++)
            if (e.k[j].gpus == k) {
                CHECK_REL(c->wall_mean, e.k[j].wall_mean, 1e-9);
                CHECK_REL(c->wall_p95, e.k[j].wall_p95, 1e-9);
                CHECK_REL(c->cost_mean, e.k[j].cost_mean, 1e-9);
                found = 1;
            }
        CHECK(found && c->ngroups == 1);
    }
    model_plan_result_free(r);
    model_scenario_free(&s);
}

static void test_one_stage(void)
{
    check_one_stage("data/scenarios/overlay-e7.json");
    check_one_stage("data/scenarios/framing-t50.json");
    check_one_stage("data/scenarios/framing-h100-10k.json");
}

/* ---- the seed pipeline ------------------------------------------------------------- */

static void test_seed(void)
{
    model_scenario s, f;
    model_eval e;
    model_opts mo = {.skip_break_even = 1};
    model_pipeline *p = NULL;
    model_plan_result *r = NULL;
    CHECK(model_scenario_load("data/scenarios/pipeline-t50-t51.json", NULL, 0, &s, err, sizeof err) == 0);
    CHECK(model_scenario_load("data/scenarios/framing-t50.json", NULL, 0, &f, err, sizeof err) == 0);
    CHECK(model_evaluate(&f, &mo, &e, err, sizeof err) == 0);
    CHECK(model_pipeline_for(&s, &p, err, sizeof err) == 0);
    model_plan_goal goal = model_plan_goal_of(p);
    CHECK(goal.objective == MODEL_PLAN_COST && goal.p95_target_s == 0 && goal.max_cost_usd == 0);
    CHECK(model_plan_search(&s, p, &goal, &r, err, sizeof err) == 0);
    CHECK(r && r->recommended >= 0 && r->has_current);
    if (r && r->recommended >= 0) {
        const model_plan_cand *w = &r->cand[r->recommended];
        const model_plan_choice *g = &r->choice[w->choice[0]];
        CHECK(w->ngroups == 1 && g->g.first == 0 && g->g.last == 1); /* fused */
        CHECK(w->cost_mean < r->current.cost_mean && w->wall_p95 < r->current.wall_p95);
        CHECK(!strncmp(r->summary, "FUSE overlay into framing:", 26));
        /* the fused plan costs framing alone (same type and k) plus overlay's work */
        double overlay_work = 300 * 0.025 * r->types[g->type].s.gpu_per_s;
        for (int j = 0; j < e.nk; j++)
            if (e.k[j].gpus == g->g.gpus && !strcmp(g->g.gpu, "T4"))
                CHECK_REL(w->cost_mean - e.k[j].cost_mean, overlay_work, 0.10);
        CHECK(!strcmp(g->g.gpu, "T4"));
    }
    model_plan_result_free(r);
    model_scenario_free(&s);
    model_scenario_free(&f);
}

/* ---- group laws -------------------------------------------------------------------- */

static void test_group_law(void)
{
    const char *text =
        "{\"job\":{\"frames\":100,\"input_mb\":20,\"output_mb\":30},\"pipeline\":{\"handoff_mb\":7,\"stages\":["
        "{\"name\":\"a\",\"per_frame_s\":0.1},"
        "{\"name\":\"b\",\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.2,\"cv\":0.5}},"
        "{\"name\":\"c\",\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.3,\"cv\":0.2,\"shift\":0.01}},"
        "{\"name\":\"d\",\"per_frame_s\":{\"dist\":\"lognormal\",\"median\":0.1,\"p95\":0.2}}]}}";
    model_scenario s, sg;
    CHECK(model_scenario_parse(text, "g.json", &s, err, sizeof err) == 0);
    const model_pipeline *p = s.pipeline;
    model_pipe_group g = {0, 0, "T4", 1};
    CHECK(model_pipeline_group_scenario(p, &s, &g, &sg, err, sizeof err) == 0);
    CHECK(sg.per_frame.kind == MODEL_DIST_FIXED && sg.input_mb == 20 && sg.output_mb == 7);
    g = (model_pipe_group){0, 1, "T4", 1}; /* fixed + gamma: the gamma shifted */
    CHECK(model_pipeline_group_scenario(p, &s, &g, &sg, err, sizeof err) == 0);
    CHECK(sg.per_frame.kind == MODEL_DIST_GAMMA);
    CHECK_REL(model_dist_mean(&sg.per_frame), 0.3, 1e-12);
    CHECK_REL(model_dist_var(&sg.per_frame), 0.01, 1e-12);
    g = (model_pipe_group){1, 2, "T4", 1}; /* gamma + gamma: summed moments */
    CHECK(model_pipeline_group_scenario(p, &s, &g, &sg, err, sizeof err) == 0);
    CHECK(sg.per_frame.kind == MODEL_DIST_GAMMA && sg.input_mb == 7 && sg.output_mb == 7);
    CHECK_REL(model_dist_mean(&sg.per_frame), 0.51, 1e-12);
    CHECK_REL(model_dist_var(&sg.per_frame), 0.01 + 0.0036, 1e-12);
    g = (model_pipe_group){1, 3, "T4", 1}; /* with a lognormal: a normal */
    CHECK(model_pipeline_group_scenario(p, &s, &g, &sg, err, sizeof err) == 0);
    model_dist ln = p->stage[3].fig[0].per_frame;
    CHECK(sg.per_frame.kind == MODEL_DIST_NORMAL && sg.output_mb == 30);
    CHECK_REL(sg.per_frame.a, 0.51 + model_dist_mean(&ln), 1e-12);
    CHECK_REL(sg.per_frame.b * sg.per_frame.b, 0.0136 + model_dist_var(&ln), 1e-12);
    model_scenario_free(&s);
}

/* ---- bad input -------------------------------------------------------------------- */

static const char *base_json =
    "{\"job\":{\"frames\":300},\"platform\":{\"max_containers\":%s},"
    "\"pipeline\":{\"stages\":[{\"name\":\"framing\",\"per_frame_s\":{%s}},"
    "{\"name\":\"overlay\",\"per_frame_s\":{\"T4\":0.025}}],\"current\":[%s]},\"plan\":{%s}}";

static void bad(const char *maxc, const char *fr, const char *cur, const char *plan, const char *needle)
{
    char text[4096];
    model_scenario s;
    snprintf(text, sizeof text, base_json, maxc, fr, cur, plan);
    int rc = model_scenario_parse(text, "bad.json", &s, err, sizeof err);
    model_pipeline *p = NULL;
    model_plan_result *r = NULL;
    if (rc == 0 && model_pipeline_for(&s, &p, err, sizeof err) == 0) {
        model_plan_goal g = model_plan_goal_of(p);
        rc = model_plan_search(&s, p, &g, &r, err, sizeof err);
    }
    CHECK(rc == BASE_EINPUT && strstr(err, needle) && !strchr(err, '\n') && !strncmp(err, "bad.json: ", 10));
    if (!(rc == BASE_EINPUT && strstr(err, needle)))
        fprintf(stderr, "  expected '%s', got rc %d: %s\n", needle, rc, err);
    model_plan_result_free(r);
    model_scenario_free(&s);
}

static void test_bad_input(void)
{
    const char *cur = "{\"stages\":[\"framing\"],\"gpus\":4},{\"stages\":[\"overlay\"]}";
    const char *fr = "\"T4\":0.68";
    bad("0", fr, "{\"stages\":[\"framing\"]},{\"stages\":[\"overly\"]}", "",
        "pipeline.current[1].stages[0]: unknown stage 'overly' (did you mean 'overlay'?)");
    bad("0", fr, "{\"stages\":[\"overlay\"]},{\"stages\":[\"framing\"]}", "", "pipeline.current[0].stages[0]: expected 'framing'");
    bad("0", fr, "{\"stages\":[\"framing\"]}", "", "pipeline.current: stage 'overlay' is in no group");
    bad("0", fr, cur, "\"gpu_types\":[\"T4\",\"X100\"]", "plan.gpu_types[1]: no price for GPU type 'X100'");
    bad("0", fr, "{\"stages\":[\"framing\"],\"gpu\":\"Z9\"},{\"stages\":[\"overlay\"]}", "",
        "pipeline.current[0].gpu: no price for GPU type 'Z9'");
    bad("0", fr, cur, "\"gpu_types\":[\"H100\"]", "stage 'framing' has no figure for any GPU type considered (H100)");
    bad("0", fr, "{\"stages\":[\"framing\",\"overlay\"],\"gpu\":\"H100\"}", "\"gpu_types\":[\"T4\",\"H100\"]",
        "pipeline.current[0].gpu: stage 'framing' has no per_frame_s figure for GPU type 'H100'");
    bad("4", fr, cur, "\"gpus\":[8,16]", "empty search space");
    bad("0", fr, cur, "\"objective\":\"cheap\"", "plan.objective: must be");
    bad("0", fr, cur, "\"balanced_weight\":1.5", "plan.balanced_weight: must be at most 1");
    bad("0", fr, cur, "\"p95_targt_s\":10", "plan.p95_targt_s: unknown field (did you mean 'p95_target_s'?)");
    bad("0", fr, cur, "\"gpu_types\":[{\"name\":\"L4\",\"cold_strt_s\":3}]",
        "plan.gpu_types[0].cold_strt_s: unknown field (did you mean 'cold_start_s'?)");
    bad("0", fr, cur, "\"gpu_types\":[\"T4\",\"T4\"]", "plan.gpu_types[1]: GPU type 'T4' is listed twice");
    bad("0", "\"T4\":-1", cur, "", "pipeline.stages[0].per_frame_s.T4: must be non-negative");
    bad("0", "", cur, "", "pipeline.stages[0].per_frame_s: no GPU type given");
    bad("0", fr, cur, "\"prices\":\"no-such-file.json\"", "plan.prices: cannot read");
}

/* A target no plan meets: an answer with the closest plans, not an error. */
static void test_unmet_targets(void)
{
    model_scenario s;
    model_plan_goal goal = {MODEL_PLAN_COST, 0.5, 1, 0, 0, 0, 0, 0};
    model_plan_result *r = NULL;
    model_pipeline *p = NULL;
    CHECK(model_scenario_load("data/scenarios/pipeline-t50-t51.json", NULL, 0, &s, err, sizeof err) == 0);
    CHECK(model_pipeline_for(&s, &p, err, sizeof err) == 0);
    CHECK(model_plan_search(&s, p, &goal, &r, err, sizeof err) == 0);
    CHECK(r && r->recommended < 0 && r->closest[0] >= 0 && strstr(r->summary, "no plan meets p95 <= 1 s"));
    if (r && r->closest[0] >= 0) /* the fastest plan is the closest to a p95 target */
        for (long i = 0; i < r->ncand; i++)
            CHECK(r->cand[i].wall_p95 >= r->cand[r->closest[0]].wall_p95);
    model_plan_result_free(r);
    model_scenario_free(&s);
}

TEST_MAIN(test_tables_vs_exact, test_wall_cdf, test_group_law, test_sum_p95, test_dominance_in_sums, test_one_stage, test_seed, test_bad_input, test_unmet_targets,
          test_brute_force, test_model_vs_sim)
