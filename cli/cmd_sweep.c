/* cli/cmd_sweep.c -- `forkcast sweep`: closed-form grids for charts and users. */
#include "cli/cli.h"
#include "cli/scenario_args.h"
#include "plots/sweep.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast sweep [FILE] --frames A..B [--gpus LIST] [--per-frame A..B] [--points N]\n"
               "                      [--threads T] [--csv|--json] [options]\n\n"
               "Closed-form predictions on a grid: N log-spaced frame counts in A..B (rounded to\n"
               "integers, duplicates dropped) x N log-spaced per-frame costs in A..B seconds (or\n"
               "the scenario's own per-frame cost) x the GPU counts. At every point: E[wall],\n"
               "E[cost], speedup and cost ratio against 1 GPU, and the verdict (best GPU count,\n"
               "1 when splitting does not pay). No FILE: the built-in overlay-e7 default.\n\n"
               "  --frames A..B       frame counts (required), 1 <= A <= B\n"
               "  --per-frame A..B    per-frame costs in seconds, 0 < A <= B (fixed at each point)\n"
               "  --points N          points per axis (default 20, at most %d)\n"
               "  --threads T         worker threads (default: all cores)\n"
               "  --with, --gpus, --objective, --usd-per-hour: as in `forkcast advise`\n"
               "  --csv               frames,per_frame_s,gpus,wall_mean_s,cost_mean_usd,speedup,\n"
               "                      cost_ratio,beneficial,best_gpus (one row per point and GPU count)\n"
               "  --json              the same as JSON\n"
               "  --quiet             no progress output on stderr\n",
            PLOT_SWEEP_MAX_POINTS);
}

static void print_table(FILE *f, const model_scenario *s, const plot_sweep *sw)
{
    fprintf(f, "%s: closed-form sweep, %d frame counts x %d per-frame cost%s x %d GPU counts\n", s->name,
            sw->nframes, sw->nper, sw->nper == 1 ? "" : "s", sw->ngpus);
    fprintf(f, "beneficial (*): speedup >= %.3gx and cost change <= %+.0f%% against 1 GPU\n\n", s->min_speedup,
            s->max_cost_increase * 100);
    fprintf(f, "%10s  %9s  %4s", "frames", "s/frame", "best");
    for (int g = 0; g < sw->ngpus; g++) {
        char h[32];
        snprintf(h, sizeof h, "%d GPU%s", sw->gpus[g], sw->gpus[g] == 1 ? "" : "s");
        fprintf(f, "  %15s", h);
    }
    fputc('\n', f);
    for (int i = 0; i < sw->nframes; i++)
        for (int j = 0; j < sw->nper; j++) {
            size_t pt = (size_t)i * sw->nper + j;
            fprintf(f, "%10.0f  %9.4g  %4d", sw->frames[i], sw->per_frame[j], sw->best_gpus[pt]);
            for (int g = 0; g < sw->ngpus; g++) {
                const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                if (c->gpus == 1)
                    fprintf(f, "  %8.1f s wall", c->wall_mean);
                else
                    fprintf(f, "  %6.2fx %+6.0f%%%c", c->speedup, (c->cost_ratio - 1) * 100,
                            c->beneficial ? '*' : ' ');
            }
            fputc('\n', f);
        }
}

enum { O_FRAMES = 256, O_PER_FRAME, O_POINTS, O_THREADS };

/* --frames and --per-frame are ranges here: these entries win over the
 * shared single-value ones (cli/scenario_args.h). */
static const struct option options[] = {
    {"frames", required_argument, NULL, O_FRAMES},
    {"per-frame", required_argument, NULL, O_PER_FRAME},
    {"points", required_argument, NULL, O_POINTS},
    {"threads", required_argument, NULL, O_THREADS},
    CLI_SCEN_OUT_OPTIONS,
    {NULL, 0, NULL, 0},
};

typedef struct {
    plot_sweep_spec spec;
    int have_frames, points;
    long threads;
    double pa, pb;
} sweep_args;

static int take(void *ctx, int c, const char *v)
{
    sweep_args *o = ctx;
    long n;
    switch (c) {
    case O_FRAMES:
        if (cli_parse_range("--frames", v, 1, (double)MODEL_MAX_FRAMES, &o->spec.frames_lo, &o->spec.frames_hi))
            return -1;
        o->have_frames = 1;
        return 1;
    case O_PER_FRAME:
        if (cli_parse_range("--per-frame", v, 1e-9, INFINITY, &o->pa, &o->pb))
            return -1;
        o->spec.per_frame_points = -1; /* set from --points once parsed */
        return 1;
    case O_POINTS:
        if (cli_parse_long("--points", v, 1, PLOT_SWEEP_MAX_POINTS, &n))
            return -1;
        o->points = (int)n;
        return 1;
    case O_THREADS: return cli_parse_long("--threads", v, 1, 1024, &o->threads) ? -1 : 1;
    }
    return 0;
}

int cli_cmd_sweep(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    sweep_args o = {.spec = {.frames_points = 20}, .points = 20};
    plot_sweep_spec spec;
    plot_sweep *sw = NULL;
    char err[1024];
    cli_scen_init(&a);
    int rc = cli_scen_parse(&a, "sweep", NULL, options, take, &o, argc, argv);
    if (rc == CLI_P_HELP)
        usage(stdout);
    if (rc)
        return rc == CLI_P_HELP ? CLI_OK : rc;
    spec = o.spec;
    if (!o.have_frames)
        return cli_usage_error("sweep: --frames A..B is required (see --help)");
    spec.frames_points = o.points;
    if (spec.per_frame_points < 0) {
        spec.per_frame_lo = o.pa;
        spec.per_frame_hi = o.pb;
        spec.per_frame_points = o.points;
    }
    spec.threads = (unsigned)o.threads;
    if ((rc = cli_scen_load(&a, &s)))
        return rc;
    if (cli_check_grid(&s, spec.frames_hi, spec.per_frame_points > 0 ? spec.per_frame_hi : -1)) {
        rc = CLI_EUSAGE;
        goto cleanup;
    }
    spec.opts = a.opts;
    if ((rc = plot_sweep_run(&s, &spec, &sw, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (a.csv)
        rc = plot_sweep_csv(sw, stdout) ? cli_fail(CLI_ERUNTIME, "stdout: write failed") : CLI_OK;
    else if (a.json) {
        cJSON *j = plot_sweep_json(&s, sw);
        rc = cli_write_json(j, NULL);
        cJSON_Delete(j);
    }
    else
        print_table(stdout, &s, sw);
cleanup:
    plot_sweep_free(sw);
    model_scenario_free(&s);
    return rc;
}
