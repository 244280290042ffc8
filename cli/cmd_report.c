/* cli/cmd_report.c -- `forkcast report [SCENARIO] -o DIR`. */
#include "cli/cli.h"
#include "cli/scenario_args.h"
#include "plots/report.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: forkcast report [FILE] -o DIR [--trace CSV] [--walls CSV] [--series CSV] [options]\n\n"
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
               "                      `forkcast advise`\n\n"
               "gnuplot missing or DIR not writable: exit 1, no report file written.\n");
}

int cli_cmd_report(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    plot_report_spec r = {0};
    const char *dir = NULL, *v;
    char err[1024];
    long n;
    cli_scen_init(&a, 1);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "-o") || cli_opt_is(argv[i], "--output")) {
            if (!(dir = cli_opt_value(argc, argv, &i, "-o")))
                return CLI_EUSAGE;
        } else if (cli_opt_is(argv[i], "--trace")) {
            if (!(r.trace_csv = cli_opt_value(argc, argv, &i, "--trace")))
                return CLI_EUSAGE;
        } else if (cli_opt_is(argv[i], "--walls")) {
            if (!(r.walls_csv = cli_opt_value(argc, argv, &i, "--walls")))
                return CLI_EUSAGE;
        } else if (cli_opt_is(argv[i], "--series")) {
            if (!(r.series_csv = cli_opt_value(argc, argv, &i, "--series")))
                return CLI_EUSAGE;
        } else if (cli_opt_is(argv[i], "--threads")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--threads")) || cli_parse_long("--threads", v, 1, 1024, &n))
                return CLI_EUSAGE;
            r.opts.threads = (unsigned)n;
        } else {
            int t = cli_scen_take(&a, argc, argv, &i);
            if (t < 0)
                return CLI_EUSAGE;
            if (t == 0 || a.json || a.csv)
                return cli_usage_error("report: unknown option '%s' (see --help)", argv[i]);
        }
    }
    if (!dir || !*dir)
        return cli_usage_error("report: missing -o DIR");
    int rc = cli_scen_load(&a, &s);
    if (rc)
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
