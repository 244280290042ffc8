/* cli/cmd_model.c -- `forkcast model`: the closed form for every GPU count. */
#include "cli/cli.h"
#include "cli/print_eval.h"
#include "cli/scenario_args.h"
#include "model/evaluate.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: forkcast model FILE [options]\n\n"
               "Closed-form prediction (order statistics, numerical convolution) of wall time\n"
               "and cost for each GPU count of the scenario.\n\n");
    fprintf(f, "%s  --no-break-even     skip the break-even search\n", cli_scen_help);
}

int cli_cmd_model(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e;
    char err[1024];
    cli_scen_init(&a, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
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
    if ((rc = model_evaluate(&s, &a.opts, &e, err, sizeof err)) || (rc = model_eval_check(&s, &e, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (a.json)
        rc = cli_emit_json(&s, &e);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e);
    else
        cli_print_eval(stdout, &s, &e, NULL);
cleanup:
    model_scenario_free(&s);
    return rc;
}
