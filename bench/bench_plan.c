/* bench/bench_plan.c -- `forkcast plan`'s closed-form search and its
 * --verify Monte Carlo on the size: 3 stages x the 9 GPU types of
 * data/prices/modal.json x k in {1, 2, 4, 8, 16, 32}. Goals (issue
 * "Pipelines and plans"): the search under 1 s, --verify at 10^4
 * replications per Pareto plan under 10 s. The stages are the seed's
 * (framing, overlay) and a third (encode, 50 ms/frame on a T4), on the
 * seed's platform (data/scenarios/pipeline-t50-t51.json); their figures on
 * the other types are the T4 figure divided by an assumed speed factor
 * (synthetic: the bench measures the search, not the answer). Two cases:
 * fixed per-frame times (as the measured stages are), and gamma ones with a
 * random concat (the slowest case for the closed form). Each is searched
 * with the closed form's tables (the default) and without them (exact,
 * model_plan_search_ex: the computation before the tables, the peer), in
 * the same run, and the two are compared candidate by candidate. Best of 3
 * (the exact random search, ~15 s: `bench_plan [EXACT_REPS]`, default 1).
 * Prints wall and CPU seconds (the machine's 2 cores are shared) and
 * BENCH lines. */
#include "model/plan.h"
#include "sim/plan_verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static const char *const types[9] = {"T4", "L4", "A10", "L40S", "A100-40GB", "A100-80GB", "H100", "H200", "B200"};
static const double speed[9] = {1.0, 1.3, 1.6, 2.5, 2.8, 3.0, 3.5, 3.8, 4.5};

static void scenario(char *buf, size_t n, int random)
{
    static const char *names[3] = {"framing", "overlay", "encode"};
    static const double t4[3] = {0.68, 0.025, 0.05};
    size_t l = (size_t)snprintf(
        buf, n,
        "{\"name\":\"bench-plan\",\"job\":{\"frames\":300,\"input_mb\":10,\"output_mb\":10},"
        "\"stage\":{\"ffmpeg_start_s\":1.5,\"seek_s\":1},"
        "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":33.3,\"p95\":47.7},"
        "\"warm_start_s\":{\"dist\":\"gamma\",\"mean\":1.64,\"cv\":0.5},\"request_s\":0.15,"
        "\"download_mb_s\":50,\"upload_mb_s\":50,\"gpu_per_s\":0.000164,\"min_containers\":4},"
        "\"parallel\":{\"concat_s\":1,\"concat_per_chunk_s\":%s},\"pipeline\":{\"stages\":[",
        random ? "{\"dist\":\"gamma\",\"mean\":0.25,\"cv\":0.3}" : "0.25");
    for (int i = 0; i < 3; i++) {
        l += (size_t)snprintf(buf + l, n - l, "%s{\"name\":\"%s\",\"per_frame_s\":{", i ? "," : "", names[i]);
        for (int t = 0; t < 9; t++) {
            double v = t4[i] / speed[t];
            if (random)
                l += (size_t)snprintf(buf + l, n - l, "%s\"%s\":{\"dist\":\"gamma\",\"mean\":%.6g,\"cv\":0.3}",
                                      t ? "," : "", types[t], v);
            else
                l += (size_t)snprintf(buf + l, n - l, "%s\"%s\":%.6g", t ? "," : "", types[t], v);
        }
        l += (size_t)snprintf(buf + l, n - l, "}}");
    }
    snprintf(buf + l, n - l,
             "],\"current\":[{\"stages\":[\"framing\"],\"gpus\":4},{\"stages\":[\"overlay\",\"encode\"]}]},"
             "\"plan\":{\"gpus\":[1,2,4,8,16,32],\"gpu_types\":[\"T4\",\"L4\",\"A10\",\"L40S\",\"A100-40GB\","
             "\"A100-80GB\",\"H100\",\"H200\",\"B200\"]}}");
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The search on s, best of reps (wall and CPU seconds); *keep: the last result. */
static int search(const model_scenario *s, int exact, int reps, double *wall, double *cpu, model_plan_result **keep)
{
    char err[1024];
    *wall = *cpu = 1e9;
    for (int it = 0; it < reps; it++) {
        model_pipeline *p = NULL;
        model_plan_result *r = NULL;
        if (model_pipeline_for(s, &p, err, sizeof err))
            return fprintf(stderr, "bench_plan: %s\n", err), 1;
        model_plan_goal g = model_plan_goal_of(p);
        double t0 = now(), c0 = cpu_now();
        if (model_plan_search_ex(s, p, &g, exact, &r, err, sizeof err))
            return fprintf(stderr, "bench_plan: %s\n", err), 1;
        double t = now() - t0, c = cpu_now() - c0;
        *wall = t < *wall ? t : *wall;
        *cpu = c < *cpu ? c : *cpu;
        model_plan_result_free(*keep);
        *keep = r;
    }
    return 0;
}

static double rel(double a, double b)
{
    return b != 0 ? fabs(a - b) / fabs(b) : fabs(a);
}

/* The fast path against the exact one, candidate by candidate (both
 * searches enumerate in the same order when they keep the same choices). */
static void compare(const char *label, const model_plan_result *f, const model_plan_result *e)
{
    double wm = 0, wp = 0, wc = 0;
    int same = f->ncand == e->ncand && f->npareto == e->npareto && f->recommended == e->recommended;
    for (long i = 0; same && i < f->ncand; i++) {
        same = model_plan_same(f, &f->cand[i], &e->cand[i]);
        wm = fmax(wm, rel(f->cand[i].wall_mean, e->cand[i].wall_mean));
        wp = fmax(wp, rel(f->cand[i].wall_p95, e->cand[i].wall_p95));
        wc = fmax(wc, rel(f->cand[i].cost_mean, e->cand[i].cost_mean));
    }
    printf("plan search, %s: tables vs exact over %ld candidates: %s; worst relative difference: wall mean %.2e, "
           "wall p95 %.2e, cost mean %.2e\n", label, f->ncand, same ? "same candidates, Pareto set and recommendation"
           : "DIFFERENT candidates", wm, wp, wc);
}

static int run(const char *label, int random, int reps, int exact_reps)
{
    static char text[16384];
    char err[1024];
    model_scenario s;
    scenario(text, sizeof text, random);
    if (model_scenario_parse(text, "bench-plan", &s, err, sizeof err)) {
        fprintf(stderr, "bench_plan: %s\n", err);
        return 1;
    }
    const char *tag = random ? "random" : "fixed";
    double best, cbest, ebest = 0, ecbest = 0, vbest = 1e9;
    model_plan_result *keep = NULL, *ekeep = NULL;
    if (search(&s, 0, reps, &best, &cbest, &keep))
        return 1;
    if (exact_reps > 0) {
        if (search(&s, 1, exact_reps, &ebest, &ecbest, &ekeep))
            return 1;
        compare(label, keep, ekeep);
    }
    sim_plan_verify_opts o = {10000, 1, 0};
    for (int it = 0; it < reps; it++) {
        double t0 = now();
        for (int i = 0; i < keep->npareto; i++) {
            sim_plan_check k;
            if (sim_plan_verify(keep, &keep->cand[keep->pareto[i]], &o, &k, err, sizeof err))
                return fprintf(stderr, "bench_plan: %s\n", err), 1;
        }
        double t = now() - t0;
        vbest = t < vbest ? t : vbest;
    }
    printf("plan search, %s: 3 stages x 9 GPU types x k in {1,2,4,8,16,32}: %d group choices, %ld candidates "
           "(%.0f before dropping dominated choices), %d Pareto plans: best of %d %.3f s (CPU %.3f s) (goal < 1 s): "
           "%s\n", label, keep->nchoice, keep->ncand, keep->enumerated, keep->npareto, reps, best, cbest,
           best < 1 ? "ok" : "SLOW");
    if (exact_reps > 0 && random)
        printf("plan search, %s, exact (no tables, model_plan_search_ex): best of %d %.3f s (CPU %.3f s): "
               "the tables %.1fx faster (CPU %.1fx)\n", label, exact_reps, ebest, ecbest, ebest / best,
               ecbest / cbest);
    printf("plan --verify, %s: 10^4 replications x %d Pareto plans: best of %d %.3f s (goal < 10 s): %s\n", label,
           keep->npareto, reps, vbest, vbest < 10 ? "ok" : "SLOW");
    printf("BENCH name=plan_%s impl=forkcast metric=search_s value=%.4f\n", tag, best);
    if (exact_reps > 0 && random) { /* a name of its own: forkcast / exact would print as 0.0x */
        printf("BENCH name=plan_%s_exact impl=forkcast metric=search_s value=%.4f\n", tag, ebest);
        printf("BENCH name=plan_%s impl=forkcast metric=speedup_vs_exact value=%.1f\n", tag, ebest / best);
    }
    printf("BENCH name=plan_%s impl=forkcast metric=verify_s value=%.4f\n", tag, vbest);
    model_plan_result_free(keep);
    model_plan_result_free(ekeep);
    model_scenario_free(&s);
    return 0;
}

int main(int argc, char **argv)
{
    /* bench_plan [EXACT_REPS]: the exact random search (~15 s) once by default;
     * fixed per-frame times take no tables, the comparison shows it */
    int exact_reps = argc > 1 ? atoi(argv[1]) : 1;
    return run("fixed per-frame times", 0, 3, 1) || run("gamma per-frame times, random concat", 1, 3, exact_reps);
}
