/* cli/main.c -- `forkcast SUBCOMMAND ...`: the subcommand table and dispatch. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

const cli_command cli_commands[] = {
    {"advise",    cli_cmd_advise,    "should this stage be split? verdict, table, break-even (main job)"},
    {"model",     cli_cmd_model,     "closed-form prediction of wall time and cost per GPU count"},
    {"sim",       cli_cmd_sim,       "Monte Carlo simulation: tails (p95/p99) and effects the closed form omits"},
    {"capacity",  cli_cmd_capacity,  "a stream of jobs on an autoscaled GPU pool: latency, pool size, bill"},
    {"sweep",     cli_cmd_sweep,     "closed-form grids over frame counts, per-frame costs and GPU counts"},
    {"plot",      cli_cmd_plot,      "charts (gnuplot): speedup, frames, map, gantt, cdf, breakdown, capacity"},
    {"report",    cli_cmd_report,    "Markdown and self-contained HTML report with every chart"},
    {"example",   cli_cmd_example,   "print a complete, commented scenario with every field"},
    {"calibrate", cli_cmd_calibrate, "measure a stage: kernels, ffmpeg, pipeline, command, fit"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: forkcast SUBCOMMAND [ARGS]   (forkcast SUBCOMMAND --help for details)\n\n"
               "Should this video stage be split into chunks across N GPU containers?\n\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\nExit status: 0 ok, 1 runtime failure, 2 usage or input error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EUSAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("forkcast 0.1\n");
        return CLI_OK;
    }
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->run(argc - 1, argv + 1);
    return cli_usage_error("unknown subcommand '%s' (see forkcast --help)", argv[1]);
}
