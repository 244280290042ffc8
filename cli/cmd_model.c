/* cli/cmd_model.c -- `forkcast model` and `forkcast advise`: the closed form. */
#include "cli/cli.h"
#include "cli/print_eval.h"
#include "cli/scenario_args.h"
#include "model/output.h"
#include "sim/montecarlo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* advise's Monte Carlo check: at most this many replications (or the
 * scenario's sim.replications if fewer), seed sim.seed, all cores. */
#define ADVISE_SIM_REPS 2000

static void usage(FILE *f, const char *cmd)
{
    if (!strcmp(cmd, "advise"))
        fprintf(f, "usage: forkcast advise [FILE] [options]\n\n"
                   "Should this stage be split across GPUs? Prints, for each GPU count, mean and p95\n"
                   "wall time, mean cost, speedup, cost change and whether it is beneficial; then the\n"
                   "verdict and the break-even frame count. With no FILE: the built-in overlay-e7\n"
                   "default (data/scenarios/overlay-e7.json). A Monte Carlo run (%d replications, or\n"
                   "sim.replications if fewer; seed sim.seed) adds the simulated p95 column and a\n"
                   "warning on stderr when its mean wall or cost differs from the model's by more\n"
                   "than 3 standard errors (an effect the closed form omits, or a bug).\n\n",
                ADVISE_SIM_REPS);
    else
        fprintf(f, "usage: forkcast model FILE [options]\n\n"
                   "Closed-form prediction (order statistics, numerical convolution) of wall time\n"
                   "and cost for each GPU count of the scenario.\n\n");
    fprintf(f, "%s  --no-break-even     skip the break-even search\n", cli_scen_help);
    if (!strcmp(cmd, "advise"))
        fprintf(f, "  --no-sim            skip the Monte Carlo check\n");
}

/* The simulator effects that are on, for the disagreement warning. */
static void effects(const model_scenario *s, char *buf, size_t n)
{
    char part[5][64];
    int np = 0;
    if (s->shared_download_mb_s > 0)
        snprintf(part[np++], sizeof part[0], "shared_download_mb_s %g", s->shared_download_mb_s);
    if (s->max_containers > 0)
        snprintf(part[np++], sizeof part[0], "max_containers %d", s->max_containers);
    if (s->chunks_per_gpu > 1)
        snprintf(part[np++], sizeof part[0], "chunks_per_gpu %d", s->chunks_per_gpu);
    if (s->speculative_after > 0)
        snprintf(part[np++], sizeof part[0], "speculative after_fraction %g", s->speculative_after);
    if (s->failure_rate_per_s > 0)
        snprintf(part[np++], sizeof part[0], "failure_rate_per_s %g", s->failure_rate_per_s);
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < np && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", part[i]);
}

/* Disagreement beyond 3 standard errors (plus the model's quadrature
 * tolerance, 1e-6 relative, so a noiseless scenario does not warn on
 * round-off). */
static int disagree(double model, double sim, double se)
{
    return fabs(model - sim) > 3 * se + 1e-6 * fabs(model);
}

static void warn_disagreement(const model_scenario *s, const model_eval *e, const model_eval *sim)
{
    char eff[256];
    effects(s, eff, sizeof eff);
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *m = &e->k[i], *r = &sim->k[i];
        int w = disagree(m->wall_mean, r->wall_mean, r->wall_se);
        int c = disagree(m->cost_mean, r->cost_mean, r->cost_se);
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

static int run(int argc, char **argv, int is_advise)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e, sim;
    char err[1024];
    int no_sim = !is_advise, have_sim = 0;
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
        if (is_advise && !strcmp(argv[i], "--no-sim")) {
            no_sim = 1;
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
    if (!no_sim) {
        sim_montecarlo_opts so = {
            .replications = s.replications < ADVISE_SIM_REPS ? s.replications : ADVISE_SIM_REPS,
            .seed = s.seed,
        };
        if ((rc = sim_montecarlo_eval(&s, &a.opts, &so, &sim, NULL, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
        have_sim = 1;
        warn_disagreement(&s, &e, &sim);
    }
    if (a.json)
        rc = have_sim ? emit_json_with_sim(&s, &e, &sim) : cli_emit_json(&s, &e);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e);
    else
        cli_print_eval(stdout, &s, &e, have_sim ? &sim : NULL);
cleanup:
    model_scenario_free(&s);
    return rc;
}

int cli_cmd_model(int argc, char **argv) { return run(argc, argv, 0); }
int cli_cmd_advise(int argc, char **argv) { return run(argc, argv, 1); }
