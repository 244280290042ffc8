/* cli/main.c -- `forkcast SUBCOMMAND ...`: the subcommand table, dispatch,
 * and what every command shares at its end: stdout checked (a failed write
 * is one line and exit 1, whatever the command) and the signal cleanup of
 * base/cleanup.h (installed before any command runs). */
#include "cli/cli.h"
#include "base/cleanup.h"
#include "base/status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const cli_command cli_commands[] = {
    {"advise",    cli_cmd_advise,    "should this stage be split? verdict, table, break-even (main job)"},
    {"model",     cli_cmd_model,     "closed-form prediction of wall time and cost per GPU count"},
    {"sim",       cli_cmd_sim,       "Monte Carlo simulation: tails (p95/p99) and effects the closed form omits"},
    {"plan",      cli_cmd_plan,      "pipeline plans: which stages in which chunked jobs, on which GPU type, how many"},
    {"capacity",  cli_cmd_capacity,  "a stream of jobs on an autoscaled GPU pool: latency, pool size, bill"},
    {"sweep",     cli_cmd_sweep,     "closed-form grids over frame counts, per-frame costs and GPU counts"},
    {"plot",      cli_cmd_plot,      "charts (gnuplot): speedup, frames, map, gantt, cdf, breakdown, capacity"},
    {"report",    cli_cmd_report,    "Markdown and self-contained HTML report with every chart"},
    {"example",   cli_cmd_example,   "print a complete, commented scenario with every field"},
    {"calibrate", cli_cmd_calibrate, "measure a stage: kernels, ffmpeg, pipeline, command, fit"},
    {"completion", cli_cmd_completion, "the bash completion script: source <(forkcast completion)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast SUBCOMMAND [ARGS]   (forkcast SUBCOMMAND --help for details)\n\n"
               "Should this video stage be split into chunks across N GPU containers?\n\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-11s %s\n", c->name, c->summary);
    fprintf(f, "\nEvery subcommand takes --help and --quiet (no progress on stderr); options are\n"
               "\"--opt V\" or \"--opt=V\", by their full names (docs/cli.md).\n\n"
               "Exit status: 0 ok, 1 runtime failure, 2 usage or input error.\n");
}

static int dispatch(int argc, char **argv)
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

/* stdout is a base_wstream on descriptor 1 (line-buffered on a terminal),
 * so a failed write keeps its reason. At the end it is flushed and closed:
 * a command that succeeded but whose output did not all arrive exits 1 with
 * one line; one that failed keeps its status and its own line. */
static base_wcookie out_cookie;
static FILE *plain_stdout; /* glibc's own, put back once ours is closed */

static void checked_stdout(void)
{
    FILE *f = base_wstream(1, &out_cookie);
    if (!f)
        return; /* out of memory: the plain stdout, checked below all the same */
    if (isatty(1))
        setvbuf(f, NULL, _IOLBF, BUFSIZ);
    plain_stdout = stdout;
    stdout = f; /* glibc's stdout is an ordinary variable */
}

static int finish_stdout(int rc)
{
    int e;
    if (plain_stdout) {
        e = base_wstream_close(stdout, &out_cookie, 0);
        stdout = plain_stdout;
    } else {
        errno = 0;
        e = fflush(stdout) != 0 || ferror(stdout) ? (errno ? errno : EIO) : 0;
    }
    if (e && rc == CLI_OK)
        rc = cli_fail(CLI_ERUNTIME, "writing output failed: %s", strerror(e));
    return rc;
}

int main(int argc, char **argv)
{
    if (base_cleanup_install() != 0)
        return cli_fail(CLI_ERUNTIME, "cannot install signal handlers");
    checked_stdout();
    int rc = finish_stdout(dispatch(argc, argv));
    fflush(stderr);
    base_cleanup_exit_if_caught(); /* a signal a calibrate mode deferred: end by it */
    return rc;
}
