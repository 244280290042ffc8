/* cli/cmd_advise.c -- `forkcast advise`: the closed form, checked by a short
 * Monte Carlo run (sim/advise_col.h). */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/print_eval.h"
#include "cli/scenario_args.h"
#include "model/output.h"
#include "sim/advise_col.h"
#include "sim/job.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast advise [FILE] [options]\n\n"
               "Should this stage be split across GPUs? Prints, for each GPU count, mean and p95\n"
               "wall time, mean cost, speedup, cost change and whether it is beneficial; then the\n"
               "verdict and the break-even frame count. With no FILE: the built-in overlay-e7\n"
               "default (data/scenarios/overlay-e7.json). A Monte Carlo run (%d replications, or\n"
               "sim.replications if fewer; seed sim.seed) adds the simulated p95 column and a\n"
               "warning on stderr when its mean wall or cost differs from the model's by more\n"
               "than 3 standard errors (an effect the closed form omits, or a bug).\n\n",
            SIM_ADVISE_REPS);
    fprintf(f, "%s  --no-break-even     skip the break-even search\n", cli_scen_help);
    fprintf(f, "  --no-sim            skip the Monte Carlo check\n");
}

static void warn_disagreement(const model_scenario *s, const model_eval *e, const model_eval *sim)
{
    char eff[256];
    sim_job_effects(s, eff, sizeof eff);
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *m = &e->k[i], *r = &sim->k[i];
        int w = sim_advise_disagree(m->wall_mean, r->wall_mean, r->wall_se);
        int c = sim_advise_disagree(m->cost_mean, r->cost_mean, r->cost_se);
        if (!w && !c)
            continue;
        fprintf(stderr, "forkcast: warning: %d GPU%s: model and simulation disagree by more than 3 "
                        "standard errors:", m->gpus, m->gpus == 1 ? "" : "s");
        if (w)
            fprintf(stderr, " mean wall %.4g s (model) vs %.4g +- %.2g s (sim)", m->wall_mean,
                    r->wall_mean, r->wall_se);
        if (c)
            fprintf(stderr, "%s mean cost $%.5g (model) vs $%.5g +- %.2g (sim)", w ? ";" : "",
                    m->cost_mean, r->cost_mean, r->cost_se);
        fprintf(stderr, " (%s)\n", eff[0] ? eff : "no simulator effect is on");
    }
}

static cJSON *sim_stats(double mean, double p95, double se)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", mean);
    cJSON_AddNumberToObject(o, "p95", p95);
    cJSON_AddNumberToObject(o, "stderr", se);
    return o;
}

/* The model's JSON plus, per result, "sim": the Monte Carlo mean, p95 and
 * standard error of wall and cost. */
static int emit_json_with_sim(const model_scenario *s, const model_eval *e, const model_eval *sim)
{
    cJSON *j = model_eval_json(s, e);
    cJSON *res = j ? cJSON_GetObjectItemCaseSensitive(j, "results") : NULL;
    int i = 0;
    for (cJSON *r = res ? res->child : NULL; r && i < sim->nk; r = r->next, i++) {
        const model_kresult *k = &sim->k[i];
        cJSON *o = cJSON_AddObjectToObject(r, "sim");
        cJSON_AddNumberToObject(o, "replications", (double)sim->replications);
        cJSON_AddItemToObject(o, "wall_s", sim_stats(k->wall_mean, k->wall_p95, k->wall_se));
        cJSON_AddItemToObject(o, "cost_usd", sim_stats(k->cost_mean, k->cost_p95, k->cost_se));
    }
    int rc = cli_write_json(j, NULL);
    cJSON_Delete(j);
    return rc;
}

enum { O_NO_BREAK_EVEN = 256, O_NO_SIM };

static const struct option options[] = {
    {"no-break-even", no_argument, NULL, O_NO_BREAK_EVEN},
    {"no-sim", no_argument, NULL, O_NO_SIM},
    CLI_SCEN_OUT_OPTIONS,
    {NULL, 0, NULL, 0},
};

typedef struct {
    cli_scen_args *a;
    int no_sim;
} advise_args;

static int take(void *ctx, int c, const char *v)
{
    advise_args *o = ctx;
    (void)v;
    if (c == O_NO_BREAK_EVEN)
        o->a->opts.skip_break_even = 1;
    else if (c == O_NO_SIM)
        o->no_sim = 1;
    else
        return 0;
    return 1;
}

int cli_cmd_advise(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e, sim;
    char err[1024];
    int have_sim = 0;
    advise_args o = {&a, 0};
    cli_scen_init(&a);
    int rc = cli_scen_parse(&a, "advise", NULL, options, take, &o, argc, argv);
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
    if (!o.no_sim) {
        if ((rc = sim_advise_col(&s, &a.opts, 0, &sim, err, sizeof err)) ||
            (rc = model_eval_check(&s, &sim, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
        have_sim = 1;
        warn_disagreement(&s, &e, &sim);
    }
    if (a.json)
        rc = have_sim ? emit_json_with_sim(&s, &e, &sim) : cli_emit_json(&s, &e);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e, 1, have_sim ? &sim : NULL);
    else
        cli_print_eval(stdout, &s, &e, have_sim ? &sim : NULL);
cleanup:
    model_scenario_free(&s);
    return rc;
}
