/* tests/test_sim.c -- the chunked-job simulator (sim/job, sim/montecarlo)
 * against the closed-form model, order statistics, hand-computed timelines
 * of each effect, and its own invariants. */
#include "harness.h"
#include "model/evaluate.h"
#include "model/output.h"
#include "base/status.h"
#include "sim/job.h"
#include "sim/mc.h"
#include "sim/montecarlo.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

static char err[1024];

static model_scenario scen(const char *json)
{
    model_scenario s;
    int rc = model_scenario_parse(json, "test.json", &s, err, sizeof err);
    if (rc)
        fprintf(stderr, "parse: %s\n", err);
    CHECK(rc == 0);
    return s;
}

static void set_gpus(model_scenario *s, int from, int to)
{
    s->ngpus = 0;
    for (int k = from; k <= to; k++)
        s->gpus[s->ngpus++] = k;
}

static int run_sim(const model_scenario *s, long R, unsigned threads, uint64_t seed, int flags,
                   model_eval *e, sim_montecarlo_stats *st)
{
    model_opts mo = {0};
    sim_montecarlo_opts o = {.replications = R, .seed = seed, .threads = threads, .flags = flags};
    int rc = sim_montecarlo_eval(s, &mo, &o, e, st, err, sizeof err);
    if (rc)
        fprintf(stderr, "sim: %s\n", err);
    CHECK(rc == 0);
    return rc;
}

static void run_model(const model_scenario *s, model_eval *e)
{
    model_opts mo = {.skip_break_even = 1};
    int rc = model_evaluate(s, &mo, e, err, sizeof err);
    if (rc)
        fprintf(stderr, "model: %s\n", err);
    CHECK(rc == 0);
}

static double bd_sum(const model_breakdown *b)
{
    return b->start + b->request + b->download + b->ffmpeg_start + b->seek + b->process + b->upload +
           b->concat;
}

static char *eval_text(const model_scenario *s, const model_eval *e)
{
    cJSON *j = model_eval_json(s, e);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return t;
}

/* Every distribution kind, warm and cold, uneven splits, rounding, minimum,
 * cold start not billed, concat billed on the CPU. */
static const char *rich_json =
    "{\"job\":{\"frames\":1001,\"input_mb\":30,\"output_mb\":12},"
    "\"stage\":{\"per_frame_s\":{\"dist\":\"normal\",\"mean\":0.02,\"sd\":0.01},"
    "\"ffmpeg_start_s\":{\"dist\":\"gamma\",\"mean\":1.2,\"cv\":0.4},"
    "\"seek_s\":{\"dist\":\"uniform\",\"min\":0.2,\"max\":1.1}},"
    "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":12,\"p95\":30},"
    "\"warm_start_s\":{\"dist\":\"exponential\",\"mean\":0.8},"
    "\"request_s\":{\"dist\":\"weibull\",\"scale\":0.2,\"shape\":1.5},"
    "\"download_mb_s\":40,\"upload_mb_s\":25,\"gpu_per_s\":0.0005,\"cores\":2,\"cpu_per_core_s\":0.00001,"
    "\"mem_gib\":8,\"mem_per_gib_s\":0.000002,"
    "\"billing\":{\"granularity_s\":1,\"minimum_s\":4,\"includes_cold_start\":false},"
    "\"min_containers\":3},"
    "\"parallel\":{\"concat_s\":{\"dist\":\"uniform\",\"min\":1,\"max\":3},"
    "\"concat_per_chunk_s\":{\"dist\":\"gamma\",\"mean\":0.3,\"cv\":0.5},\"concat_billed\":\"cpu\"}}";

/* With the effects off, the event path reproduces the direct path: the same
 * draws in the same order, the same sums. */
static void test_direct_equals_events(void)
{
    model_scenario s = scen(rich_json);
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    sim_job_ws *w = sim_job_ws_new();
    int exact = 1, close = 1;
    for (int k = 1; k <= 16; k++) {
        sim_job *d = NULL, *ev = NULL;
        CHECK(sim_job_new(&s, s.frames, k, 0, &d, err, sizeof err) == 0);
        CHECK(sim_job_new(&s, s.frames, k, SIM_JOB_FORCE_EVENTS, &ev, err, sizeof err) == 0);
        CHECK(!sim_job_uses_events(d) && sim_job_uses_events(ev));
        for (uint64_t r = 0; r < 200; r++) {
            sim_job_result a, b;
            sim_mc_seed_rng(rng, 7, r);
            CHECK(sim_job_run(d, w, rng, NULL, NULL, &a, err, sizeof err) == 0);
            sim_mc_seed_rng(rng, 7, r);
            CHECK(sim_job_run(ev, w, rng, NULL, NULL, &b, err, sizeof err) == 0);
            exact &= a.wall == b.wall && a.cost == b.cost && b.containers == k && !b.failed;
            close &= fabs(bd_sum(&a.bd) - a.wall) <= 1e-9 * a.wall &&
                     fabs(bd_sum(&b.bd) - b.wall) <= 1e-9 * b.wall &&
                     fabs(a.bd.process - b.bd.process) <= 1e-9 * a.bd.process &&
                     fabs(a.bd.start - b.bd.start) <= 1e-9 * a.bd.start;
        }
        sim_job_free(d);
        sim_job_free(ev);
    }
    CHECK(exact);
    CHECK(close);
    sim_job_ws_free(w);
    gsl_rng_free(rng);
    model_scenario_free(&s);
}

/* When the start is the only random phase the direct path folds the rest
 * into one constant: equal to the event path's chained sums to rounding. */
static void test_folded_equals_events(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":1003,\"input_mb\":30,\"output_mb\":12},"
                            "\"stage\":{\"per_frame_s\":0.021,\"ffmpeg_start_s\":1.3,\"seek_s\":0.7},"
                            "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":12,\"p95\":30},"
                            "\"warm_start_s\":0.9,\"request_s\":0.2,\"download_mb_s\":40,\"upload_mb_s\":25,"
                            "\"gpu_per_s\":0.0005,\"min_containers\":2,"
                            "\"billing\":{\"includes_cold_start\":false}},"
                            "\"parallel\":{\"concat_s\":2,\"concat_per_chunk_s\":0.3}}");
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    sim_job_ws *w = sim_job_ws_new();
    int close = 1;
    for (int k = 1; k <= 16; k++) {
        sim_job *d = NULL, *ev = NULL;
        CHECK(sim_job_new(&s, s.frames, k, 0, &d, err, sizeof err) == 0);
        CHECK(sim_job_new(&s, s.frames, k, SIM_JOB_FORCE_EVENTS, &ev, err, sizeof err) == 0);
        for (uint64_t r = 0; r < 100; r++) {
            sim_job_result a, b;
            sim_mc_seed_rng(rng, 3, r);
            CHECK(sim_job_run(d, w, rng, NULL, NULL, &a, err, sizeof err) == 0);
            sim_mc_seed_rng(rng, 3, r);
            CHECK(sim_job_run(ev, w, rng, NULL, NULL, &b, err, sizeof err) == 0);
            close &= fabs(a.wall - b.wall) <= 1e-12 * a.wall && fabs(a.cost - b.cost) <= 1e-12 * a.cost &&
                     fabs(bd_sum(&a.bd) - a.wall) <= 1e-9 * a.wall && fabs(a.bd.start - b.bd.start) <= 1e-9 * a.wall &&
                     fabs(a.bd.seek - b.bd.seek) <= 1e-9 * a.wall && fabs(a.bd.process - b.bd.process) <= 1e-9 * a.wall;
        }
        sim_job_free(d);
        sim_job_free(ev);
    }
    CHECK(close);
    sim_job_ws_free(w);
    gsl_rng_free(rng);
    model_scenario_free(&s);
}

/* The summaries (block moments, quickselect quantiles) against sorting the
 * replications, replayed one by one: quantiles exactly, ties included (the
 * cost, under a 10 s granularity, takes few values), mean and sd to 1e-12. */
static void test_summaries(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":500},\"stage\":{\"per_frame_s\":0.02,\"ffmpeg_start_s\":1},"
                            "\"platform\":{\"cold_start_s\":{\"dist\":\"gamma\",\"mean\":20,\"cv\":0.5},"
                            "\"gpu_per_s\":0.001,\"billing\":{\"granularity_s\":10}},"
                            "\"parallel\":{\"gpus\":[3]}}");
    long Rs[] = {1, 2, 1000, 1001, 20000};
    for (int t = 0; t < 5; t++) {
        long R = Rs[t];
        model_eval e;
        if (run_sim(&s, R, 2, 11, 0, &e, NULL))
            break;
        double *wall = malloc(R * sizeof *wall), *cost = malloc(R * sizeof *cost);
        sim_job *j1 = NULL, *j3 = NULL;
        sim_job_ws *w = sim_job_ws_new();
        gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
        CHECK(sim_job_new(&s, s.frames, 1, 0, &j1, err, sizeof err) == 0);
        CHECK(sim_job_new(&s, s.frames, 3, 0, &j3, err, sizeof err) == 0);
        /* only the start is random: common starts, drawn once for k = 3 */
        CHECK(sim_job_starts_only(j1) && sim_job_starts_only(j3));
        for (long r = 0; r < R; r++) {
            sim_job_result res;
            double st[3];
            sim_mc_seed_rng(rng, 11, (uint64_t)r);
            sim_job_draw_starts(&s, rng, 3, st);
            sim_job_run_starts(j1, w, st, rng, NULL, NULL, &res, err, sizeof err); /* the baseline first */
            sim_job_run_starts(j3, w, st, rng, NULL, NULL, &res, err, sizeof err);
            wall[r] = res.wall;
            cost[r] = res.cost;
        }
        const model_kresult *k = &e.k[0];
        CHECK_REL(k->wall_mean, gsl_stats_mean(wall, 1, R), 1e-12);
        CHECK_REL(k->cost_mean, gsl_stats_mean(cost, 1, R), 1e-12);
        if (R > 1) {
            CHECK_REL(k->wall_sd, gsl_stats_sd(wall, 1, R), 1e-9);
            CHECK_REL(k->cost_sd, gsl_stats_sd(cost, 1, R), 1e-9);
            CHECK_REL(k->wall_se, gsl_stats_sd(wall, 1, R) / sqrt((double)R), 1e-9);
        }
        gsl_sort(wall, 1, R);
        gsl_sort(cost, 1, R);
        CHECK(k->wall_p50 == gsl_stats_quantile_from_sorted_data(wall, 1, R, 0.50));
        CHECK(k->wall_p95 == gsl_stats_quantile_from_sorted_data(wall, 1, R, 0.95));
        CHECK(k->wall_p99 == gsl_stats_quantile_from_sorted_data(wall, 1, R, 0.99));
        CHECK(k->cost_p50 == gsl_stats_quantile_from_sorted_data(cost, 1, R, 0.50));
        CHECK(k->cost_p95 == gsl_stats_quantile_from_sorted_data(cost, 1, R, 0.95));
        CHECK(k->cost_p99 == gsl_stats_quantile_from_sorted_data(cost, 1, R, 0.99));
        sim_job_free(j1);
        sim_job_free(j3);
        sim_job_ws_free(w);
        gsl_rng_free(rng);
        free(wall);
        free(cost);
    }
    model_scenario_free(&s);
}

/* sim mean within 3 standard errors of the model's E[wall] and E[cost] for
 * k = 1..16 (plus the model's 1e-6 quadrature tolerance, which is what a
 * noiseless scenario is held to). 6 scenarios x 16 k x 2 means are ~190
 * comparisons, so about 0.5 of them exceed 3 SE by chance alone (seed 1
 * gives one: uniform, k = 5, cost at 4.5 SE; 1.5 SE on the second run, and
 * 40 seeds x 16 k of that scenario show z-scores of sd 1.01, no bias). A
 * mean beyond 3 SE is therefore measured again with 25x
 * the replications on another seed, and must then be within 3 SE: a chance
 * excursion does not repeat, a bias 5x smaller than the first SE does. */
static int beyond(const model_kresult *a, const model_kresult *b, int cost)
{
    double d = cost ? fabs(a->cost_mean - b->cost_mean) - 1e-6 * a->cost_mean
                    : fabs(a->wall_mean - b->wall_mean) - 1e-6 * a->wall_mean;
    return d > 3 * (cost ? b->cost_se : b->wall_se);
}

static void check_vs_model(const char *name, const char *json, long R)
{
    model_scenario s = scen(json);
    set_gpus(&s, 1, 16);
    model_eval m, e, again;
    int flagged[16][2] = {{0}}, nflag = 0;
    run_model(&s, &m);
    if (run_sim(&s, R, 0, 1, 0, &e, NULL))
        goto cleanup;
    for (int i = 0; i < 16; i++) {
        for (int q = 0; q < 2; q++)
            if ((flagged[i][q] = beyond(&m.k[i], &e.k[i], q))) {
                nflag++;
                fprintf(stderr, "test_sim: %s k=%d %s: model %.7g sim %.7g, %.1f SE (%ld replications)\n", name,
                        m.k[i].gpus, q ? "cost" : "wall", q ? m.k[i].cost_mean : m.k[i].wall_mean,
                        q ? e.k[i].cost_mean : e.k[i].wall_mean,
                        q ? fabs(m.k[i].cost_mean - e.k[i].cost_mean) / e.k[i].cost_se
                          : fabs(m.k[i].wall_mean - e.k[i].wall_mean) / e.k[i].wall_se, R);
            }
        /* the phases of the critical container add up to the wall */
        CHECK_REL(bd_sum(&e.k[i].breakdown), e.k[i].wall_mean, 1e-9);
    }
    if (nflag && !run_sim(&s, 25 * R, 0, 2, 0, &again, NULL))
        for (int i = 0; i < 16; i++)
            for (int q = 0; q < 2; q++)
                if (flagged[i][q]) {
                    CHECK(!beyond(&m.k[i], &again.k[i], q));
                    fprintf(stderr, "test_sim: %s k=%d %s again: %.1f SE (%ld replications)\n", name,
                            m.k[i].gpus, q ? "cost" : "wall",
                            q ? fabs(m.k[i].cost_mean - again.k[i].cost_mean) / again.k[i].cost_se
                              : fabs(m.k[i].wall_mean - again.k[i].wall_mean) / again.k[i].wall_se,
                            25 * R);
                }
    fprintf(stderr, "test_sim: %s: sim vs model k=1..16, %d of 32 means beyond 3 SE at first\n", name, nflag);
cleanup:
    model_scenario_free(&s);
}

static void test_vs_model(void)
{
    check_vs_model("fixed",
                   "{\"job\":{\"frames\":1000,\"input_mb\":25,\"output_mb\":9},"
                   "\"stage\":{\"per_frame_s\":0.0213,\"ffmpeg_start_s\":1.37,\"seek_s\":0.61},"
                   "\"platform\":{\"cold_start_s\":17.3,\"warm_start_s\":0.9,\"request_s\":0.13,"
                   "\"download_mb_s\":45,\"upload_mb_s\":35,\"gpu_per_s\":0.000164,\"cores\":1,"
                   "\"cpu_per_core_s\":0.0000131,\"billing\":{\"granularity_s\":1,\"minimum_s\":25.5},"
                   "\"min_containers\":3},"
                   "\"parallel\":{\"concat_s\":2.1,\"concat_per_chunk_s\":0.33,\"concat_billed\":\"cpu\"}}",
                   50);
    check_vs_model("uniform",
                   "{\"job\":{\"frames\":997,\"input_mb\":10,\"output_mb\":10},"
                   "\"stage\":{\"per_frame_s\":{\"dist\":\"uniform\",\"min\":0.01,\"max\":0.05},"
                   "\"ffmpeg_start_s\":1.5,\"seek_s\":{\"dist\":\"uniform\",\"min\":0.5,\"max\":1.5}},"
                   "\"platform\":{\"cold_start_s\":{\"dist\":\"uniform\",\"min\":10,\"max\":30},"
                   "\"request_s\":0.15,\"download_mb_s\":50,\"upload_mb_s\":50,\"gpu_per_s\":0.000164,"
                   "\"billing\":{\"includes_cold_start\":false}},"
                   "\"parallel\":{\"concat_s\":1,\"concat_per_chunk_s\":{\"dist\":\"uniform\",\"min\":0.1,\"max\":0.4}}}",
                   4000);
    check_vs_model("lognormal",
                   "{\"job\":{\"frames\":300,\"input_mb\":10,\"output_mb\":10},"
                   "\"stage\":{\"per_frame_s\":0.025,\"ffmpeg_start_s\":1.5,\"seek_s\":1},"
                   "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20,\"p95\":40},"
                   "\"request_s\":{\"dist\":\"lognormal\",\"median\":0.1,\"p95\":0.4},"
                   "\"download_mb_s\":50,\"upload_mb_s\":50,\"gpu_per_s\":0.000164},"
                   "\"parallel\":{\"concat_s\":1,\"concat_per_chunk_s\":0.25}}",
                   4000);
    check_vs_model("gamma",
                   "{\"job\":{\"frames\":2000,\"input_mb\":40,\"output_mb\":30},"
                   "\"stage\":{\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.05,\"cv\":0.8},"
                   "\"ffmpeg_start_s\":{\"dist\":\"gamma\",\"mean\":2,\"cv\":0.5},\"seek_s\":0.7},"
                   "\"platform\":{\"cold_start_s\":{\"dist\":\"gamma\",\"mean\":15,\"cv\":0.3},"
                   "\"download_mb_s\":40,\"upload_mb_s\":30,\"gpu_per_s\":0.000222,"
                   "\"billing\":{\"granularity_s\":1,\"minimum_s\":60}},"
                   "\"parallel\":{\"concat_s\":{\"dist\":\"gamma\",\"mean\":3,\"cv\":0.4},"
                   "\"concat_per_chunk_s\":0.5,\"concat_billed\":\"gpu\"}}",
                   4000);
    check_vs_model("two-part", rich_json, 4000);
    /* two random parts without the rest: lognormal cold start + gamma FFmpeg start */
    check_vs_model("two-part-bare",
                   "{\"job\":{\"frames\":4800},\"stage\":{\"per_frame_s\":0.01,"
                   "\"ffmpeg_start_s\":{\"dist\":\"gamma\",\"mean\":3,\"cv\":0.6}},"
                   "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20,\"p95\":45},"
                   "\"warm_start_s\":{\"dist\":\"exponential\",\"mean\":1},\"min_containers\":2,"
                   "\"gpu_per_s\":0.001}}",
                   4000);
}

/* One random part (the cold start), identical containers (no seek), equal
 * chunks: p95 of wall_k = F^-1(0.95^(1/k)) + fixed terms. */
static void test_p95_order_statistic(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":720720,\"input_mb\":20,\"output_mb\":16},"
                            "\"stage\":{\"per_frame_s\":0.0005,\"ffmpeg_start_s\":1.5},"
                            "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":15,\"p95\":35},"
                            "\"request_s\":0.2,\"download_mb_s\":40,\"upload_mb_s\":32},"
                            "\"parallel\":{\"concat_s\":2,\"concat_per_chunk_s\":0.5}}");
    set_gpus(&s, 1, 16);
    model_eval e;
    if (!run_sim(&s, 6000, 0, 3, 0, &e, NULL)) {
        double mu = log(15), sigma = (log(35) - log(15)) / MODEL_Z95;
        for (int k = 1; k <= 16; k++) {
            double fixed = 0.2 + 20.0 / 40 + 1.5 + 720720.0 / k * 0.0005 + 16.0 / 32 / k +
                           (k > 1 ? 2 + 0.5 * k : 0);
            double p95 = gsl_cdf_lognormal_Pinv(pow(0.95, 1.0 / k), mu, sigma) + fixed;
            CHECK_REL(e.k[k - 1].wall_p95, p95, 0.02);
        }
    }
    model_scenario_free(&s);
}

/* Same seed: byte-identical results for 1, 2 and 3 threads; another seed differs. */
static void test_thread_determinism(void)
{
    model_scenario s = scen(rich_json);
    s.max_containers = 6; /* the event path too, for k > 6 */
    s.failure_rate_per_s = 0.002;
    set_gpus(&s, 1, 10);
    model_eval a, b, c, d;
    sim_montecarlo_stats sa, sb;
    run_sim(&s, 3000, 1, 5, 0, &a, &sa);
    run_sim(&s, 3000, 2, 5, 0, &b, &sb);
    run_sim(&s, 3000, 3, 5, 0, &c, NULL);
    run_sim(&s, 3000, 2, 6, 0, &d, NULL);
    char *ta = eval_text(&s, &a), *tb = eval_text(&s, &b), *tc = eval_text(&s, &c), *td = eval_text(&s, &d);
    CHECK_STR(tb, ta);
    CHECK_STR(tc, ta);
    CHECK(strcmp(ta, td) != 0);
    CHECK(memcmp(sa.failed, sb.failed, sizeof sa.failed) == 0);
    CHECK(sa.engine_events == sb.engine_events && sa.engine_events > 0);
    free(ta);
    free(tb);
    free(tc);
    free(td);
    model_scenario_free(&s);
}

/* ---- effects --------------------------------------------------------------- */

typedef struct {
    int n;
    struct row {
        int k, container, chunk;
        sim_job_phase ph;
        double t0, t1;
    } r[4096];
} rows;

static void collect(void *ctx, int k, int container, int chunk, sim_job_phase ph, double t0, double t1)
{
    rows *w = ctx;
    if (w->n < 4096)
        w->r[w->n++] = (struct row){k, container, chunk, ph, t0, t1};
}

/* One replication of k's job, its phases in *out. */
static sim_job_result one_job(const model_scenario *s, int k, rows *out)
{
    sim_job *j = NULL;
    sim_job_ws *w = sim_job_ws_new();
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    sim_job_result res = {0};
    if (out)
        out->n = 0;
    CHECK(sim_job_new(s, s->frames, k, 0, &j, err, sizeof err) == 0);
    sim_mc_seed_rng(rng, 1, 0);
    CHECK(sim_job_run(j, w, rng, out ? collect : NULL, out, &res, err, sizeof err) == 0);
    sim_job_free(j);
    sim_job_ws_free(w);
    gsl_rng_free(rng);
    return res;
}

static double phase_len(const rows *w, int container, sim_job_phase ph)
{
    double t = 0;
    for (int i = 0; i < w->n; i++)
        if (w->r[i].container == container && w->r[i].ph == ph)
            t += w->r[i].t1 - w->r[i].t0;
    return t;
}

/* Shared link: k equal downloads starting together each take k*size/capacity;
 * a per-container bandwidth below the fair share caps it; and staggered
 * starts follow processor sharing by hand. */
static void test_shared_download(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":840,\"input_mb\":100,\"output_mb\":0},"
                            "\"stage\":{\"per_frame_s\":0.01,\"ffmpeg_start_s\":1},"
                            "\"platform\":{\"cold_start_s\":5,\"download_mb_s\":1000,"
                            "\"shared_download_mb_s\":50,\"gpu_per_s\":0.001}}");
    for (int k = 1; k <= 8; k++) {
        rows w;
        sim_job_result r = one_job(&s, k, &w);
        CHECK_REL(r.bd.download, k * 100.0 / 50, 1e-9);
        for (int c = 0; c < k; c++)
            CHECK_REL(phase_len(&w, c, SIM_PH_DOWNLOAD), k * 100.0 / 50, 1e-9);
        CHECK_REL(r.wall, 5 + k * 2.0 + 1 + 8.4 / k, 1e-9);
    }
    /* per-container 10 MB/s binds below 50/2 */
    s.download_mb_s = 10;
    CHECK_REL(one_job(&s, 2, NULL).bd.download, 10.0, 1e-9);
    /* Staggered: container 0 warm (0 s), container 1 cold (1 s), 20 MB each
     * over 10 MB/s: 0 alone for 1 s (10 MB), then 5 MB/s each: 0 ends at 3 s;
     * 1 has 10 MB left at 3 s, alone again: ends at 4 s. */
    model_scenario t = scen("{\"job\":{\"frames\":2,\"input_mb\":20},"
                            "\"platform\":{\"cold_start_s\":1,\"warm_start_s\":0,\"min_containers\":1,"
                            "\"shared_download_mb_s\":10}}");
    rows w;
    sim_job_result r = one_job(&t, 2, &w);
    CHECK_REL(phase_len(&w, 0, SIM_PH_DOWNLOAD), 3.0, 1e-9);
    CHECK_REL(phase_len(&w, 1, SIM_PH_DOWNLOAD), 3.0, 1e-9);
    CHECK_REL(r.wall, 4.0, 1e-9);
    model_scenario_free(&t);
    model_scenario_free(&s);
}

/* max_containers 1: one container runs the chunks one after another (one
 * start, one download); 2: two containers, two chunks each. */
static void test_max_containers(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":1000,\"input_mb\":10,\"output_mb\":8},"
                            "\"stage\":{\"per_frame_s\":0.01,\"ffmpeg_start_s\":1.5,\"seek_s\":0.5},"
                            "\"platform\":{\"cold_start_s\":20,\"request_s\":0.1,\"download_mb_s\":10,"
                            "\"upload_mb_s\":4,\"gpu_per_s\":0.001,\"max_containers\":1},"
                            "\"parallel\":{\"concat_s\":3,\"concat_per_chunk_s\":0.5}}");
    int k = 4;
    double chunk = 0.1 + 1.5 + 2.5 + 2.0 / 4; /* request, ffmpeg, 250 frames, upload 2 MB */
    double wall1 = 20 + 1 + 4 * chunk + 3 * 0.5 + 3 + 0.5 * 4;
    rows w;
    sim_job_result r = one_job(&s, k, &w);
    CHECK_REL(r.wall, wall1, 1e-9);
    CHECK(r.containers == 1);
    CHECK_REL(r.cost, (wall1 - 3 - 2) * 0.001, 1e-9);
    /* process phases in chunk order, none overlapping */
    double last = -1;
    int nproc = 0;
    for (int i = 0; i < w.n; i++)
        if (w.r[i].ph == SIM_PH_PROCESS) {
            CHECK(w.r[i].container == 0 && w.r[i].chunk == nproc && w.r[i].t0 >= last);
            last = w.r[i].t1;
            nproc++;
        }
    CHECK(nproc == 4);
    s.max_containers = 2;
    r = one_job(&s, k, NULL);
    /* container 0: chunks 0 and 2; container 1: chunks 1 and 3 (both seek) */
    double c1 = 20 + 1 + chunk + 0.5 + chunk + 0.5;
    CHECK_REL(r.wall, c1 + 3 + 0.5 * 4, 1e-9);
    CHECK(r.containers == 2);
    /* no cap below k: the direct path, the model's numbers */
    s.max_containers = 4;
    sim_job *j = NULL;
    CHECK(sim_job_new(&s, s.frames, 4, 0, &j, err, sizeof err) == 0 && !sim_job_uses_events(j));
    sim_job_free(j);
    model_scenario_free(&s);
}

/* chunks_per_gpu 4 under a heavy-tailed per-chunk time: per-frame gamma
 * with cv sqrt(4000), so a chunk of 4000 frames takes Exp(100 s) and one of
 * 1000 frames Gamma(0.25) (cv 2). From a queue, the containers that draw
 * short chunks take the rest: p95 wall falls by more than 10% (one chunk per GPU: p95 of the
 * max of 4 Exp(100) = 100 ln(1/(1 - 0.95^(1/4))) = 436 s plus overheads). */
static void test_chunks_per_gpu(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":16000},"
                            "\"stage\":{\"ffmpeg_start_s\":1,\"seek_s\":0.5},"
                            "\"platform\":{\"cold_start_s\":5,\"gpu_per_s\":0.001},"
                            "\"parallel\":{\"gpus\":[4]}}");
    /* cv sqrt(4000) is outside the scenario bounds (cv at most 4,
     * model/bounds.h), so the law is set directly: the library takes it. */
    s.per_frame = model_dist_gamma_mcv(0.025, 63.245553);
    model_eval one, four;
    sim_montecarlo_stats st;
    run_sim(&s, 4000, 0, 1, 0, &one, NULL);
    CHECK_REL(one.k[0].wall_p95, 100 * log(1 / (1 - pow(0.95, 0.25))) + 5 + 1 + 0.5, 0.05);
    s.chunks_per_gpu = 4;
    run_sim(&s, 4000, 0, 1, 0, &four, &st);
    CHECK(four.k[0].wall_p95 < 0.9 * one.k[0].wall_p95);
    CHECK(st.events[0] && st.containers[0] == 4);
    CHECK_REL(bd_sum(&four.k[0].breakdown), four.k[0].wall_mean, 1e-9);
    fprintf(stderr, "test_sim: chunks_per_gpu 1 -> 4: p95 wall %.1f -> %.1f s\n", one.k[0].wall_p95,
            four.k[0].wall_p95);
    model_scenario_free(&s);
}

/* failure_rate_per_s 0 changes no number; a positive rate follows the
 * restart closed form E[T_total] = (e^{lambda T} - 1) / lambda and the job
 * fails with probability (1 - e^{-lambda T})^(retries + 1). */
static void test_failures(void)
{
    const char *base = "{\"job\":{\"frames\":1200,\"input_mb\":10},"
                       "\"stage\":{\"per_frame_s\":0.02,\"ffmpeg_start_s\":1},"
                       "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":8,\"p95\":20},"
                       "\"download_mb_s\":20,\"shared_download_mb_s\":40,\"max_containers\":3,"
                       "\"gpu_per_s\":0.001%s}}";
    char j1[1024], j2[1024];
    snprintf(j1, sizeof j1, base, "");
    snprintf(j2, sizeof j2, base, ",\"failure_rate_per_s\":0,\"max_retries\":9");
    model_scenario a = scen(j1), b = scen(j2);
    model_eval ea, eb;
    run_sim(&a, 1000, 2, 1, 0, &ea, NULL);
    run_sim(&b, 1000, 2, 1, 0, &eb, NULL);
    char *ta = eval_text(&a, &ea), *tb = eval_text(&b, &eb);
    CHECK_STR(tb, ta);
    free(ta);
    free(tb);
    model_scenario_free(&a);
    model_scenario_free(&b);

    /* k = 1, T = 2 + 1 + 7 = 10 s fixed, lambda = 0.05 */
    model_scenario s = scen("{\"job\":{\"frames\":700},\"stage\":{\"per_frame_s\":0.01,\"ffmpeg_start_s\":1},"
                            "\"platform\":{\"cold_start_s\":2,\"gpu_per_s\":0.001,"
                            "\"failure_rate_per_s\":0.05,\"max_retries\":1000},"
                            "\"parallel\":{\"gpus\":[1]}}");
    double lam = 0.05, T = 10, mean = (exp(lam * T) - 1) / lam;
    model_eval e;
    sim_montecarlo_stats st;
    if (!run_sim(&s, 20000, 0, 1, 0, &e, &st)) {
        CHECK_NEAR(e.k[0].wall_mean, mean, 3 * e.k[0].wall_se);
        CHECK_NEAR(e.k[0].cost_mean, mean * 0.001, 3 * e.k[0].cost_se);
        CHECK(st.failed[0] == 0);
        CHECK(e.k[0].wall_p50 > T - 1e-9);
    }
    s.max_retries = 2;
    if (!run_sim(&s, 20000, 0, 1, 0, &e, &st)) {
        double p = pow(1 - exp(-lam * T), 3), f = (double)st.failed[0] / 20000;
        CHECK_NEAR(f, p, 3 * sqrt(p * (1 - p) / 20000));
    }
    /* k > 1 with failures: cost and wall rise, phases still add up */
    s.max_retries = 3;
    set_gpus(&s, 1, 8);
    model_eval off;
    model_scenario s0 = s;
    s0.failure_rate_per_s = 0;
    run_sim(&s0, 2000, 0, 1, 0, &off, NULL);
    if (!run_sim(&s, 2000, 0, 1, 0, &e, &st))
        for (int i = 0; i < 8; i++) {
            CHECK(e.k[i].cost_mean > off.k[i].cost_mean);
            CHECK(e.k[i].wall_mean > off.k[i].wall_mean);
            CHECK_REL(bd_sum(&e.k[i].breakdown), e.k[i].wall_mean, 1e-9);
        }
    model_scenario_free(&s);
}

/* Backups once half the chunks are done, chunks of Exp(10 s) (per-frame
 * gamma, cv sqrt(1000)): a backup races the memoryless rest of its chunk,
 * so p99 wall falls and the cost rises (the backup is paid until the race
 * ends, E[min] = 5.9 s here, against the 4.1 s it saves its rival). */
static void test_speculative(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":8000},"
                            "\"platform\":{\"cold_start_s\":2,\"gpu_per_s\":0.001},"
                            "\"parallel\":{\"gpus\":[8]}}");
    s.per_frame = model_dist_gamma_mcv(0.01, 31.622777); /* beyond the parser's cv 4: set directly */
    model_eval off, on;
    sim_montecarlo_stats st;
    run_sim(&s, 4000, 0, 1, 0, &off, NULL);
    s.speculative_after = 0.5;
    run_sim(&s, 4000, 0, 1, 0, &on, &st);
    CHECK(on.k[0].wall_p99 < off.k[0].wall_p99);
    CHECK(on.k[0].cost_mean > off.k[0].cost_mean + 3 * off.k[0].cost_se);
    CHECK(st.containers[0] > 8);
    CHECK_REL(bd_sum(&on.k[0].breakdown), on.k[0].wall_mean, 1e-9);
    fprintf(stderr, "test_sim: speculative 0.5: p99 wall %.1f -> %.1f s, cost $%.4f -> $%.4f, %.2f containers\n",
            off.k[0].wall_p99, on.k[0].wall_p99, off.k[0].cost_mean, on.k[0].cost_mean, st.containers[0]);
    /* By hand, backups that lose: 4 chunks of 1 frame (1 s), cold start 1 s,
     * seek 100 s. Chunk 0 is done at 2 s (no seek): a quarter done, so
     * chunks 1-3 get backups; container 0 takes chunk 1's (no start, no
     * download: ends at 103), two new containers chunk 2's and 3's (end at
     * 104). The first copies win at 102; the backups are billed to 102. */
    model_scenario t = scen("{\"job\":{\"frames\":4},\"stage\":{\"per_frame_s\":1,\"seek_s\":100},"
                            "\"platform\":{\"cold_start_s\":1,\"gpu_per_s\":1},"
                            "\"parallel\":{\"speculative\":{\"after_fraction\":0.25}}}");
    sim_job_result r = one_job(&t, 4, NULL);
    CHECK_REL(r.wall, 102, 1e-12);
    CHECK_REL(r.cost, 4 * 102 + 2 * 100, 1e-12);
    CHECK(r.containers == 6);
    t.speculative_after = 0;
    r = one_job(&t, 4, NULL);
    CHECK_REL(r.cost, 2 + 3 * 102, 1e-12);
    model_scenario_free(&t);
    /* By hand, a backup that wins: container 0 warm (0 s), container 1 cold
     * (1000 s), 10 s chunks. Chunk 0 is done at 10 s; container 0 takes
     * chunk 1's backup and ends it at 20 s; container 1 is cancelled in its
     * start. Without backups: 1010 s. */
    t = scen("{\"job\":{\"frames\":2},\"stage\":{\"per_frame_s\":10},"
             "\"platform\":{\"cold_start_s\":1000,\"warm_start_s\":0,\"min_containers\":1,\"gpu_per_s\":1},"
             "\"parallel\":{\"speculative\":{\"after_fraction\":0.5}}}");
    rows w;
    r = one_job(&t, 2, &w);
    CHECK_REL(r.wall, 20, 1e-12);
    CHECK_REL(r.cost, 40, 1e-12);
    CHECK(r.containers == 2);
    CHECK_REL(r.bd.process, 20, 1e-12); /* container 0 ran both chunks */
    int cancelled = 0;
    for (int i = 0; i < w.n; i++)
        cancelled += w.r[i].ph == SIM_PH_CANCELLED && w.r[i].container == 1 && w.r[i].t0 == 20;
    CHECK(cancelled == 1);
    t.speculative_after = 0;
    CHECK_REL(one_job(&t, 2, NULL).wall, 1010, 1e-12);
    model_scenario_free(&t);
    model_scenario_free(&s);
}

/* The trace of replication 0 replays the Monte Carlo: contiguous phases per
 * container, and for a noiseless scenario its end + concat is the wall. */
static void test_trace(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":1000,\"input_mb\":25,\"output_mb\":9},"
                            "\"stage\":{\"per_frame_s\":0.0213,\"ffmpeg_start_s\":1.37,\"seek_s\":0.61},"
                            "\"platform\":{\"cold_start_s\":17.3,\"warm_start_s\":0.9,\"request_s\":0.13,"
                            "\"download_mb_s\":45,\"upload_mb_s\":35,\"min_containers\":1},"
                            "\"parallel\":{\"gpus\":[2,3],\"concat_s\":2.1,\"concat_per_chunk_s\":0.33}}");
    static rows w;
    w.n = 0;
    CHECK(sim_montecarlo_trace(&s, 1, 0, 0, collect, &w, err, sizeof err) == 0);
    model_eval e;
    run_sim(&s, 10, 1, 1, 0, &e, NULL);
    int ks[] = {1, 2, 3};
    for (int q = 0; q < 3; q++) {
        double end = 0, concat = 0;
        int n = 0;
        for (int i = 0; i < w.n; i++) {
            const struct row *r = &w.r[i];
            if (r->k != ks[q])
                continue;
            n++;
            CHECK(r->t1 >= r->t0);
            if (r->ph == SIM_PH_CONCAT)
                concat = r->t1 - r->t0;
            else if (r->t1 > end)
                end = r->t1;
            /* contiguous: each phase starts where the container's previous ended */
            if (i > 0 && w.r[i - 1].k == r->k && w.r[i - 1].container == r->container && r->ph != SIM_PH_CONCAT)
                CHECK_NEAR(r->t0, w.r[i - 1].t1, 1e-12);
        }
        /* phases per container: start request download ffmpeg [seek] process upload */
        CHECK(n == 6 * ks[q] + (ks[q] - 1) + (ks[q] > 1));
        double wall = ks[q] == 1 ? e.base.wall_mean : e.k[q - 1].wall_mean;
        CHECK_REL(end + concat, wall, 1e-12);
    }
    model_scenario_free(&s);
}

/* Common random numbers: sim_job_draw_starts() draws what sim_job_run()
 * draws for its starts (warm and cold; the lognormal's exp vectorised, so
 * to 1e-14); replication r of the Monte Carlo gives container i
 * the same start for every k; the trace replays a random replication
 * exactly (R = 1: the means are that replication); and a scenario with
 * another random phase is not starts-only. */
static void test_common_starts(void)
{
    const char *json = "{\"job\":{\"frames\":900,\"input_mb\":20},"
                       "\"stage\":{\"per_frame_s\":0.03,\"ffmpeg_start_s\":1.2,\"seek_s\":0.4},"
                       "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":30,\"p95\":50,"
                       "\"shift\":2},\"warm_start_s\":{\"dist\":\"uniform\",\"min\":0.5,\"max\":2},"
                       "\"min_containers\":2,\"download_mb_s\":40,\"gpu_per_s\":0.0002},"
                       "\"parallel\":{\"gpus\":[2,5],\"concat_s\":1,"
                       "\"concat_per_chunk_s\":{\"dist\":\"gamma\",\"mean\":0.3,\"cv\":0.5}}}";
    model_scenario s = scen(json);
    sim_job *j5 = NULL;
    sim_job_ws *w = sim_job_ws_new();
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    CHECK(sim_job_new(&s, s.frames, 5, 0, &j5, err, sizeof err) == 0);
    CHECK(sim_job_starts_only(j5));
    int same = 1;
    for (uint64_t r = 0; r < 200; r++) {
        sim_job_result a, b;
        double st[5];
        sim_mc_seed_rng(rng, 3, r);
        sim_job_run(j5, w, rng, NULL, NULL, &a, err, sizeof err);
        sim_mc_seed_rng(rng, 3, r);
        sim_job_draw_starts(&s, rng, 5, st);
        sim_job_run_starts(j5, w, st, rng, NULL, NULL, &b, err, sizeof err);
        /* the same draws; the lognormal's exp vectorised (4 ulp) */
        same &= fabs(a.wall - b.wall) <= 1e-14 * a.wall && fabs(a.cost - b.cost) <= 1e-14 * a.cost &&
                fabs(a.bd.start - b.bd.start) <= 1e-14 * a.bd.start;
    }
    CHECK(same);

    static rows t;
    t.n = 0;
    CHECK(sim_montecarlo_trace(&s, 9, 0, 0, collect, &t, err, sizeof err) == 0);
    double start[3][5] = {{0}}; /* [k = 1, 2, 5][container] */
    double end[3] = {0}, concat[3] = {0};
    for (int i = 0; i < t.n; i++) {
        const struct row *r = &t.r[i];
        int q = r->k == 1 ? 0 : r->k == 2 ? 1 : 2;
        if (r->ph == SIM_PH_START)
            start[q][r->container] = r->t1 - r->t0;
        if (r->ph == SIM_PH_CONCAT)
            concat[q] = r->t1 - r->t0;
        else if (r->t1 > end[q])
            end[q] = r->t1;
    }
    CHECK(start[0][0] > 0 && start[2][4] > 2);
    CHECK(start[1][0] == start[0][0] && start[2][0] == start[0][0]);
    CHECK(start[2][1] == start[1][1] && start[2][1] >= 0.5 && start[2][1] <= 2); /* warm */
    CHECK(start[2][2] != start[2][3]);
    model_eval e;
    run_sim(&s, 1, 1, 9, 0, &e, NULL);
    CHECK_REL(end[0], e.base.wall_mean, 1e-12);
    CHECK_REL(end[1] + concat[1], e.k[0].wall_mean, 1e-12);
    CHECK_REL(end[2] + concat[2], e.k[1].wall_mean, 1e-12);
    CHECK(concat[1] > 1 && concat[2] > 1); /* concat_s + M x a gamma draw */

    s.seek = model_dist_lognormal_mp(0.4, 0.8);
    sim_job *jr = NULL;
    CHECK(sim_job_new(&s, s.frames, 5, 0, &jr, err, sizeof err) == 0);
    CHECK(!sim_job_starts_only(jr));
    sim_job_free(jr);
    sim_job_free(j5);
    sim_job_ws_free(w);
    gsl_rng_free(rng);
    model_scenario_free(&s);
}

TEST_MAIN(test_direct_equals_events, test_folded_equals_events, test_summaries, test_vs_model, test_p95_order_statistic, test_thread_determinism,
          test_shared_download, test_max_containers, test_chunks_per_gpu, test_failures, test_speculative,
          test_trace, test_common_starts)
