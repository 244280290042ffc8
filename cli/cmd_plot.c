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
    fprintf(f, "usage: forkcast plot KIND [FILE] -o OUT.png|OUT.svg [--frames A..B] [--per-frame A..B]\n"
               "                      [--points N] [--input CSV] [--threads T] [options]\n\n"
               "Draw one chart with gnuplot (1200x800; PNG by pngcairo or SVG, by the extension of\n"
               "-o) and write the CSV behind it beside it (OUT.csv). Nothing is left behind on\n"
               "failure. No FILE: the built-in overlay-e7 default. Kinds:\n\n");
    for (int k = 0; k < PLOT_NKINDS; k++)
        fprintf(f, "  %-10s %s%s\n", plot_kind_name((plot_kind)k), plot_kind_what((plot_kind)k),
                k == PLOT_CAPACITY ? " (a workload section, or --input)" : "");
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
               "  --with, --gpus, --objective, --usd-per-hour: as in `forkcast advise`\n\n"
               "Scripts: plots/KIND.gp, found under $FORKCAST_DATA, EXE/../share/forkcast or the\n"
               "source tree (docs/plots.md). gnuplot missing or an unwritable directory: exit 1.\n");
}

int cli_cmd_plot(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    plot_opts o = {0};
    plot_kind kind;
    const char *out = NULL, *v;
    char err[1024];
    long n;
    int have_kind = 0, frames_range = 0, pf_range = 0;
    double fa = 0, fb = 0, pa = 0, pb = 0;
    cli_scen_init(&a, 1);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return CLI_OK;
        }
        if (!have_kind && argv[i][0] != '-') {
            if (plot_kind_parse(argv[i], &kind))
                return cli_usage_error("plot: unknown KIND '%s' (speedup, frames, map, gantt, cdf, breakdown, "
                                       "capacity)",
                                       argv[i]);
            have_kind = 1;
        } else if (!strcmp(argv[i], "-o") || cli_opt_is(argv[i], "--output")) {
            if (!(out = cli_opt_value(argc, argv, &i, "-o")))
                return CLI_EUSAGE;
        } else if (cli_opt_is(argv[i], "--frames")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--frames")) ||
                cli_parse_range("--frames", v, 1, (double)MODEL_MAX_FRAMES, &fa, &fb))
                return CLI_EUSAGE;
            frames_range = strstr(v, "..") != NULL;
            a.frames = frames_range ? 0 : (long)fa;
            if (!frames_range && fa != (double)a.frames)
                return cli_usage_error("--frames: expected an integer, got '%s'", v);
        } else if (cli_opt_is(argv[i], "--per-frame")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--per-frame")) ||
                cli_parse_range("--per-frame", v, 0, INFINITY, &pa, &pb))
                return CLI_EUSAGE;
            pf_range = strstr(v, "..") != NULL;
            if (pf_range && pa <= 0)
                return cli_usage_error("--per-frame: a range must start above 0 (got %g)", pa);
            if (!pf_range)
                a.per_frame = pa;
        } else if (cli_opt_is(argv[i], "--points")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--points")) ||
                cli_parse_long("--points", v, 2, PLOT_SWEEP_MAX_POINTS, &n))
                return CLI_EUSAGE;
            o.points = (int)n;
        } else if (cli_opt_is(argv[i], "--threads")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--threads")) || cli_parse_long("--threads", v, 1, 1024, &n))
                return CLI_EUSAGE;
            o.threads = (unsigned)n;
        } else if (cli_opt_is(argv[i], "--replications")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--replications")) ||
                cli_parse_long("--replications", v, 1, 100000000, &n))
                return CLI_EUSAGE;
            o.replications = n;
        } else if (cli_opt_is(argv[i], "--input")) {
            if (!(o.input = cli_opt_value(argc, argv, &i, "--input")))
                return CLI_EUSAGE;
        } else {
            int t = cli_scen_take(&a, argc, argv, &i);
            if (t < 0)
                return CLI_EUSAGE;
            if (t == 0 || a.json || a.csv)
                return cli_usage_error("plot: unknown option '%s' (see --help)", argv[i]);
        }
    }
    if (!have_kind)
        return cli_usage_error("plot: missing KIND (see forkcast plot --help)");
    if (!out)
        return cli_usage_error("plot: missing -o OUT.png|OUT.svg");
    const char *fmt;
    if (plot_format(out, &fmt))
        return cli_usage_error("-o: %s: must end in .png or .svg", out);
    if (frames_range) {
        o.frames_lo = fa;
        o.frames_hi = fb;
    }
    if (pf_range) {
        o.per_frame_lo = pa;
        o.per_frame_hi = pb;
    }
    int rc = cli_scen_load(&a, &s);
    if (rc)
        return rc;
    if (cli_check_grid(&s, frames_range ? fb : 0, pf_range ? pb : -1)) {
        model_scenario_free(&s);
        return CLI_EUSAGE;
    }
    o.opts = a.opts;
    /* A chart of a CSV names a scenario only when one was given. */
    const model_scenario *sp = plot_kind_takes_input(kind) && o.input && !a.file ? NULL : &s;
    if ((rc = plot_chart(kind, sp, &o, out, err, sizeof err)))
        rc = cli_fail(rc, "%s", err);
    model_scenario_free(&s);
    return rc;
}
