/* bench/bench_sweep.c -- a 200 x 200 grid (frame counts 10..10^6 x per-frame
 * costs 1 ms..10 s, log-spaced) x 8 GPU counts (1,2,3,4,6,8,12,16) of
 * closed-form predictions with the verdict at every point, on the built-in
 * default scenario (overlay-e7), through plot_sweep_run() on all online
 * cores. Target: under 2 s on a 2-core machine.
 *
 * Before timing, model_predict_means is checked against model_predict_k (the
 * reference) on 200 random (frames, per-frame, k) from the grid's ranges
 * (fresh draws each run): exit 1 if any E[wall] or E[cost] differs by more
 * than 1e-6 relative. The reference's own time per prediction on those
 * points is reported as a peer.
 *
 *   build/bench/bench_sweep [POINTS]     points per axis (default 200)
 *
 * Output: human lines, then
 *   BENCH name=sweep200 impl=forkcast metric=seconds value=V
 *   BENCH name=predict impl=forkcast|model_predict_k metric=us_per_prediction value=V
 */
#include "model/predict.h"
#include "base/status.h"
#include "plots/sweep.h"
#include "sim/mc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    char err[1024];
    int points = argc > 1 ? atoi(argv[1]) : 200, rc = 1;
    model_scenario s;
    model_prep *ref = NULL;
    plot_sweep *sw = NULL;
    if (points < 1 || points > PLOT_SWEEP_MAX_POINTS) {
        fprintf(stderr, "usage: bench_sweep [POINTS 1..%d]\n", PLOT_SWEEP_MAX_POINTS);
        return 2;
    }
    if (model_scenario_default(NULL, 0, &s, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        return 1;
    }
    int gpus[] = {1, 2, 3, 4, 6, 8, 12, 16};
    for (int i = 0; i < 8; i++)
        s.gpus[i] = gpus[i];
    s.ngpus = 8;

    /* Check: model_predict_means vs model_predict_k on random points. */
    if (model_prep_new(&s, &ref, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        goto cleanup;
    }
    srand((unsigned)time(NULL));
    double worst = 0, t_ref = 0, t_fast = 0;
    int nchk = 200;
    for (int i = 0; i < nchk; i++) {
        double frames = round(pow(10, 1 + 5 * (double)rand() / RAND_MAX));
        double pf = pow(10, -3 + 4 * (double)rand() / RAND_MAX);
        int k = gpus[rand() % 8];
        model_kresult r;
        double w, c, t0 = now();
        s.per_frame = model_dist_fixed(pf);
        if (model_predict_k(ref, frames, k, &r, err, sizeof err)) {
            fprintf(stderr, "bench_sweep: %s\n", err);
            goto cleanup;
        }
        double t1 = now();
        if (model_predict_means(ref, frames, k, &w, &c, err, sizeof err)) {
            fprintf(stderr, "bench_sweep: %s\n", err);
            goto cleanup;
        }
        t_fast += now() - t1;
        t_ref += t1 - t0;
        double e = fmax(fabs(w - r.wall_mean) / r.wall_mean, fabs(c - r.cost_mean) / r.cost_mean);
        if (e > worst)
            worst = e;
        if (e > 1e-6) {
            fprintf(stderr, "bench_sweep: model_predict_means off model_predict_k at %.0f frames, %g s/frame, k=%d: "
                            "wall %.9g vs %.9g, cost %.9g vs %.9g\n",
                    frames, pf, k, w, r.wall_mean, c, r.cost_mean);
            goto cleanup;
        }
    }
    printf("check: %d random points, model_predict_means vs model_predict_k: worst relative error %.2e\n", nchk, worst);

    plot_sweep_spec spec = {.frames_lo = 10, .frames_hi = 1e6, .frames_points = points,
                            .per_frame_lo = 0.001, .per_frame_hi = 10, .per_frame_points = points};
    double t0 = now();
    if (plot_sweep_run(&s, &spec, &sw, err, sizeof err)) {
        fprintf(stderr, "bench_sweep: %s\n", err);
        goto cleanup;
    }
    double dt = now() - t0;
    long npt = (long)sw->nframes * sw->nper, yes = 0;
    for (long p = 0; p < npt; p++)
        yes += sw->best_gpus[p] > 1;
    printf("sweep: %d x %d points x %d GPU counts = %ld predictions + verdicts in %.3f s on %u threads "
           "(%.2f us per prediction-thread); splitting pays at %.1f%% of the points\n",
           sw->nframes, sw->nper, sw->ngpus, npt * sw->ngpus, dt, sim_mc_threads_default(),
           dt * sim_mc_threads_default() / (double)(npt * sw->ngpus) * 1e6, 100.0 * (double)yes / (double)npt);
    printf("BENCH name=sweep%d impl=forkcast metric=seconds value=%.4f\n", points, dt);
    printf("BENCH name=predict impl=model_predict_means metric=us_per_prediction value=%.3f\n", t_fast / nchk * 1e6);
    printf("BENCH name=predict impl=model_predict_k metric=us_per_prediction value=%.3f\n", t_ref / nchk * 1e6);
    rc = points == 200 && dt > 2.0 ? (fprintf(stderr, "bench_sweep: over the 2 s target\n"), 1) : 0;
cleanup:
    plot_sweep_free(sw);
    model_prep_free(ref);
    model_scenario_free(&s);
    return rc;
}
