/* cli/cmd_plot.c -- `forkcast plot KIND [SCENARIO] -o FILE.png|FILE.svg`. */
#include "cli/cli.h"
#include "cli/scenario_args.h"
#include "plots/chart.h"
#include "plots/sweep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast plot KIND [FILE] -o OUT.png|OUT.svg [--frames A..B] [--per-frame A..B]\n"
               "                      [--points N] [--input CSV] [--threads T] [options]\n\n"
               "Draw one chart with gnuplot (1200x800; PNG by pngcairo or SVG, by the extension of\n"
               "-o) and write the CSV behind it beside it (OUT.csv). Nothing is left behind on\n"
               "failure. No FILE: the built-in overlay-e7 default. Kinds:\n\n");
    for (int k = 0; k < PLOT_NKINDS; k++)
        fprintf(f, "  %-10s %s%s\n", plot_kind_name((plot_kind)k), plot_kind_what((plot_kind)k),
                k == PLOT_CAPACITY ? " (a workload section, or --input)"
                : k >= PLOT_PARETO ? " (the scenario's pipeline; docs/plan.md)" : "");
    fprintf(f, "\n"
               "  -o OUT              output image, .png or .svg (required)\n"
               "  --frames A..B       frame-count axis (frames, map); a single N sets the job's\n"
               "                      frame count (speedup, breakdown)\n"
               "  --per-frame A..B    per-frame cost axis in seconds (map); a single S sets the\n"
               "                      per-frame cost (speedup, frames, breakdown)\n"
               "  --points N          grid points per axis (frames: 80; map: 120 x 90)\n"
               "  --input CSV         draw this CSV instead of simulating: gantt: `forkcast sim\n"
               "                      --trace` (k,container,chunk,phase,start_s,end_s); cdf: k,wall_s\n"
               "                      samples; capacity: `forkcast capacity --series` (t_s,busy,idle,\n"
               "                      queue[,p50_s,p95_s,p99_s]). Without it gantt is replication 0\n"
               "                      of `forkcast sim`, cdf its replications, capacity a run of the\n"
               "                      scenario's workload section\n"
               "  --replications R    cdf: simulated runs per GPU count (default sim.replications)\n"
               "  --threads T         threads for the grids (default: all cores)\n"
               "  --with, --gpus, --objective, --usd-per-hour: as in `forkcast advise`\n"
               "  --quiet             no progress output on stderr\n\n"
               "On success the image's path and the CSV's go to stdout, one a line (as report).\n"
               "Scripts: plots/KIND.gp, found under $FORKCAST_DATA, EXE/../share/forkcast or the\n"
               "source tree (docs/plots.md). gnuplot missing or an unwritable directory: exit 1.\n");
}

/* The paths written, on stdout as `forkcast report` prints its own: the
 * image, then the CSV beside it (OUT with .csv for .png/.svg, plots/chart.h). */
static void print_written(const char *out)
{
    printf("%s\n%.*s.csv\n", out, (int)(strlen(out) - 4), out);
}

enum { O_FRAMES = 256, O_PER_FRAME, O_POINTS, O_THREADS, O_REPS, O_INPUT };

/* --frames and --per-frame take a range or one value here: these entries
 * win over the shared ones (cli/scenario_args.h). */
static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"frames", required_argument, NULL, O_FRAMES},
    {"per-frame", required_argument, NULL, O_PER_FRAME},
    {"points", required_argument, NULL, O_POINTS},
    {"threads", required_argument, NULL, O_THREADS},
    {"replications", required_argument, NULL, O_REPS},
    {"input", required_argument, NULL, O_INPUT},
    {NULL, 0, NULL, 0},
};

typedef struct {
    cli_scen_args *a;
    plot_opts o;
    plot_kind kind;
    const char *out;
    int have_kind, frames_range, pf_range;
    double fa, fb, pa, pb;
} plot_args;

static int take(void *ctx, int c, const char *v)
{
    plot_args *p = ctx;
    long n;
    switch (c) {
    case CLI_P_POS:
        if (p->have_kind)
            return 0; /* the scenario FILE */
        if (plot_kind_parse(v, &p->kind)) {
            cli_usage_error("plot: unknown KIND '%s' (speedup, frames, map, gantt, cdf, breakdown, capacity, "
                            "pareto, plan-gantt)", v);
            return -1;
        }
        p->have_kind = 1;
        return 1;
    case 'o': p->out = v; return 1;
    case O_FRAMES:
        if (cli_parse_range("--frames", v, 1, (double)MODEL_MAX_FRAMES, &p->fa, &p->fb))
            return -1;
        p->frames_range = strstr(v, "..") != NULL;
        p->a->frames = p->frames_range ? 0 : (long)p->fa;
        if (!p->frames_range && p->fa != (double)p->a->frames) {
            cli_usage_error("--frames: expected an integer, got '%s'", v);
            return -1;
        }
        return 1;
    case O_PER_FRAME:
        if (cli_parse_range("--per-frame", v, 0, INFINITY, &p->pa, &p->pb))
            return -1;
        p->pf_range = strstr(v, "..") != NULL;
        if (p->pf_range && p->pa <= 0) {
            cli_usage_error("--per-frame: a range must start above 0 (got %g)", p->pa);
            return -1;
        }
        if (!p->pf_range)
            p->a->per_frame = p->pa;
        return 1;
    case O_POINTS:
        if (cli_parse_long("--points", v, 2, PLOT_SWEEP_MAX_POINTS, &n))
            return -1;
        p->o.points = (int)n;
        return 1;
    case O_THREADS:
        if (cli_parse_long("--threads", v, 1, 1024, &n))
            return -1;
        p->o.threads = (unsigned)n;
        return 1;
    case O_REPS:
        if (cli_parse_long("--replications", v, 1, 100000000, &n))
            return -1;
        p->o.replications = n;
        return 1;
    case O_INPUT: p->o.input = v; return 1;
    }
    return 0;
}

int cli_cmd_plot(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    char err[1024];
    cli_scen_init(&a);
    plot_args p = {.a = &a};
    int rc = cli_scen_parse(&a, "plot", "o:", options, take, &p, argc, argv);
    if (rc == CLI_P_HELP)
        usage(stdout);
    if (rc)
        return rc == CLI_P_HELP ? CLI_OK : rc;
    plot_opts o = p.o;
    plot_kind kind = p.kind;
    const char *out = p.out;
    if (!p.have_kind)
        return cli_usage_error("plot: missing KIND (see forkcast plot --help)");
    if (!out)
        return cli_usage_error("plot: missing -o OUT.png|OUT.svg");
    const char *fmt;
    if (plot_format(out, &fmt))
        return cli_usage_error("-o: %s: must end in .png or .svg", out);
    if (p.frames_range) {
        o.frames_lo = p.fa;
        o.frames_hi = p.fb;
    }
    if (p.pf_range) {
        o.per_frame_lo = p.pa;
        o.per_frame_hi = p.pb;
    }
    if ((rc = cli_scen_load(&a, &s)))
        return rc;
    if (cli_check_grid(&s, p.frames_range ? p.fb : 0, p.pf_range ? p.pb : -1)) {
        model_scenario_free(&s);
        return CLI_EUSAGE;
    }
    o.opts = a.opts;
    /* A chart of a CSV names a scenario only when one was given. */
    const model_scenario *sp = plot_kind_takes_input(kind) && o.input && !a.file ? NULL : &s;
    if ((rc = plot_chart(kind, sp, &o, out, err, sizeof err)))
        rc = cli_fail(rc, "%s", err);
    else
        print_written(out);
    model_scenario_free(&s);
    return rc;
}
