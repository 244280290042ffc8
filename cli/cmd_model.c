/* cli/cmd_model.c -- `forkcast model`: the closed form for every GPU count. */
#include "cli/cli.h"
#include "cli/print_eval.h"
#include "cli/scenario_args.h"
#include "model/evaluate.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast model [FILE] [options]\n\n"
               "Closed-form prediction (order statistics, numerical convolution) of wall time\n"
               "and cost for each GPU count of the scenario. No FILE: the built-in overlay-e7\n"
               "default (data/scenarios/overlay-e7.json).\n\n");
    fprintf(f, "%s  --no-break-even     skip the break-even search\n", cli_scen_help);
}

enum { O_NO_BREAK_EVEN = 256 };

static const struct option options[] = {
    {"no-break-even", no_argument, NULL, O_NO_BREAK_EVEN},
    CLI_SCEN_OUT_OPTIONS,
    {NULL, 0, NULL, 0},
};

static int take(void *ctx, int c, const char *v)
{
    (void)v;
    if (c != O_NO_BREAK_EVEN)
        return 0;
    ((cli_scen_args *)ctx)->opts.skip_break_even = 1;
    return 1;
}

int cli_cmd_model(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e;
    char err[1024];
    cli_scen_init(&a);
    int rc = cli_scen_parse(&a, "model", NULL, options, take, &a, argc, argv);
    if (rc == CLI_P_HELP)
        usage(stdout);
    if (rc)
        return rc == CLI_P_HELP ? CLI_OK : rc;
    if ((rc = cli_scen_load(&a, &s)))
        return rc;
    if ((rc = model_evaluate(&s, &a.opts, &e, err, sizeof err)) || (rc = model_eval_check(&s, &e, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (a.json)
        rc = cli_emit_json(&s, &e);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e, 0, NULL);
    else
        cli_print_eval(stdout, &s, &e, NULL);
cleanup:
    model_scenario_free(&s);
    return rc;
}
