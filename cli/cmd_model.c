/* cli/cmd_model.c -- `forkcast model` and `forkcast advise`: the closed form. */
#include "cli/cli.h"
#include "cli/print_eval.h"
#include "cli/scenario_args.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f, const char *cmd)
{
    if (!strcmp(cmd, "advise"))
        fprintf(f, "usage: forkcast advise [FILE] [options]\n\n"
                   "Should this stage be split across GPUs? Prints, for each GPU count, mean and p95\n"
                   "wall time, mean cost, speedup, cost change and whether it is beneficial; then the\n"
                   "verdict and the break-even frame count. With no FILE: the built-in overlay-e7\n"
                   "default (data/scenarios/overlay-e7.json).\n\n");
    else
        fprintf(f, "usage: forkcast model FILE [options]\n\n"
                   "Closed-form prediction (order statistics, numerical convolution) of wall time\n"
                   "and cost for each GPU count of the scenario.\n\n");
    fprintf(f, "%s  --no-break-even     skip the break-even search\n", cli_scen_help);
}

static int run(int argc, char **argv, int is_advise)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e;
    char err[1024];
    cli_scen_init(&a, is_advise);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, argv[0]);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--no-break-even")) {
            a.opts.skip_break_even = 1;
            continue;
        }
        int t = cli_scen_take(&a, argc, argv, &i);
        if (t < 0)
            return CLI_EUSAGE;
        if (t == 0)
            return cli_usage_error("%s: unknown option '%s' (see --help)", argv[0], argv[i]);
    }
    int rc = cli_scen_load(&a, &s);
    if (rc)
        return rc;
    rc = model_evaluate(&s, &a.opts, &e, err, sizeof err);
    if (rc) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (a.json)
        rc = cli_emit_json(stdout, &s, &e);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e);
    else
        cli_print_eval(stdout, &s, &e, NULL);
cleanup:
    model_scenario_free(&s);
    return rc;
}

int cli_cmd_model(int argc, char **argv) { return run(argc, argv, 0); }
int cli_cmd_advise(int argc, char **argv) { return run(argc, argv, 1); }
