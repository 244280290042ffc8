/* cli/cmd_report.c -- `forkcast report [SCENARIO] -o DIR`. */
#include "cli/cli.h"
#include "cli/scenario_args.h"
#include "plots/report.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast report [FILE] -o DIR [--trace CSV] [--walls CSV] [--series CSV] [options]\n\n"
               "Write DIR/report.md and a self-contained DIR/report.html (charts inlined, no external\n"
               "resource): the verdict first, then the table per GPU count (with the simulated p95,\n"
               "as `forkcast advise` prints it), every chart, and the\n"
               "assumptions with where each number came from (fitted, calibrated, given, default).\n"
               "The charts (PNG) and the CSV behind each are written to DIR too. DIR is created if\n"
               "missing. No FILE: the built-in overlay-e7 default.\n\n"
               "  -o DIR              output directory (required)\n"
               "  --trace CSV         gantt from this `forkcast sim --trace` output (default: simulate)\n"
               "  --walls CSV         cdf from these k,wall_s samples (default: simulate)\n"
               "  --series CSV        capacity from this `forkcast capacity --series` output (default:\n"
               "                      run the scenario's workload section; none: not drawn)\n"
               "  --threads T         threads for the grids (default: all cores)\n"
               "  --with, --frames, --gpus, --per-frame, --objective, --usd-per-hour: as in\n"
               "                      `forkcast advise`\n"
               "  --quiet             no progress output on stderr\n\n"
               "On success the paths of report.html and report.md go to stdout, one a line.\n"
               "gnuplot missing or DIR not writable: exit 1, no report file written.\n");
}

enum { O_TRACE = 256, O_WALLS, O_SERIES, O_THREADS };

static const struct option options[] = {
    {"output", required_argument, NULL, 'o'},
    {"trace", required_argument, NULL, O_TRACE},
    {"walls", required_argument, NULL, O_WALLS},
    {"series", required_argument, NULL, O_SERIES},
    {"threads", required_argument, NULL, O_THREADS},
    {NULL, 0, NULL, 0},
};

typedef struct {
    plot_report_spec *r;
    const char *dir;
} report_args;

static int take(void *ctx, int c, const char *v)
{
    report_args *o = ctx;
    long n;
    switch (c) {
    case 'o': o->dir = v; return 1;
    case O_TRACE: o->r->trace_csv = v; return 1;
    case O_WALLS: o->r->walls_csv = v; return 1;
    case O_SERIES: o->r->series_csv = v; return 1;
    case O_THREADS:
        if (cli_parse_long("--threads", v, 1, 1024, &n))
            return -1;
        o->r->opts.threads = (unsigned)n;
        return 1;
    }
    return 0;
}

int cli_cmd_report(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    plot_report_spec r = {0};
    report_args o = {&r, NULL};
    char err[1024];
    cli_scen_init(&a);
    int rc = cli_scen_parse(&a, "report", "o:", options, take, &o, argc, argv);
    if (rc == CLI_P_HELP)
        usage(stdout);
    if (rc)
        return rc == CLI_P_HELP ? CLI_OK : rc;
    const char *dir = o.dir;
    if (!dir || !*dir)
        return cli_usage_error("report: missing -o DIR");
    if ((rc = cli_scen_load(&a, &s)))
        return rc;
    r.opts.opts = a.opts;
    r.scenario_path = a.file;
    r.profiles = a.with;
    r.nprof = a.nwith;
    r.frames_given = a.frames > 0;
    r.per_frame_given = a.per_frame >= 0;
    r.gpus_given = a.ngpus > 0;
    if ((rc = plot_report_write(&s, &r, dir, err, sizeof err)))
        rc = cli_fail(rc, "%s", err);
    else
        printf("%s/report.html\n%s/report.md\n", dir, dir);
    model_scenario_free(&s);
    return rc;
}
