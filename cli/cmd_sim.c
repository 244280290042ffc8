/* cli/cmd_sim.c -- `forkcast sim`: Monte Carlo of the chunked job. */
#include "cli/cli.h"
#include "cli/print_eval.h"
#include "cli/progress.h"
#include "cli/scenario_args.h"
#include "model/output.h"
#include "base/status.h"
#include "sim/montecarlo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast sim [FILE] [options]\n\n"
               "Discrete-event Monte Carlo of the chunked job for each GPU count: mean, sd,\n"
               "standard error, p50/p95/p99 of wall time and cost, the critical container's\n"
               "mean phases, and the verdict. Also simulates the effects the closed form omits\n"
               "(shared download link, max_containers, chunks_per_gpu, speculative backups,\n"
               "failures; docs/scenario.md). Replication r draws from a stream of (seed, r):\n"
               "the output is the same for any --threads. No FILE: the built-in overlay-e7\n"
               "default (data/scenarios/overlay-e7.json). A run of more than a few seconds\n"
               "shows its progress on stderr (--quiet: none).\n\n"
               "%s"
               "  --replications R    replications (default: sim.replications, 10000)\n"
               "  --seed S            seed (default: sim.seed, 1)\n"
               "  --threads T         worker threads (default: all cores)\n"
               "  --trace FILE.csv    write replication 0's timeline: k,container,chunk,phase,\n"
               "                      start_s,end_s (container -1: the orchestrator's concat)\n",
               cli_scen_help);
}

/* ---- trace ---------------------------------------------------------------- */

static void trace_row(void *ctx, int k, int container, int chunk, sim_job_phase ph, double t0, double t1)
{
    fprintf((FILE *)ctx, "%d,%d,%d,%s,%.9g,%.9g\n", k, container, chunk, sim_job_phase_name(ph), t0, t1);
}

/* ---- output --------------------------------------------------------------- */

static int emit_json(const model_scenario *s, const model_eval *e, const sim_montecarlo_stats *st)
{
    cJSON *j = model_eval_json(s, e);
    cJSON *res = j ? cJSON_GetObjectItemCaseSensitive(j, "results") : NULL;
    int i = 0;
    for (cJSON *r = res ? res->child : NULL; r; r = r->next, i++) {
        cJSON_AddNumberToObject(r, "containers", st->containers[i]);
        if (s->failure_rate_per_s > 0)
            cJSON_AddNumberToObject(r, "failed_replications", (double)st->failed[i]);
    }
    int rc = cli_write_json(j, NULL);
    cJSON_Delete(j);
    return rc;
}

static void print_notes(const model_eval *e)
{
    printf("\n%ld replications, seed %lu; standard error of the mean wall:", e->replications, e->seed);
    for (int i = 0; i < e->nk; i++)
        printf("%s %d GPU%s %.3g s", i ? "," : "", e->k[i].gpus, e->k[i].gpus == 1 ? "" : "s",
               e->k[i].wall_se);
    printf("\n");
}

typedef struct {
    long reps, threads, seed;   /* 0, 0, -1: the scenario's, all cores, the scenario's */
    const char *trace;
} sim_args;

enum { O_REPS = 256, O_SEED, O_THREADS, O_TRACE };

static const struct option options[] = {
    {"replications", required_argument, NULL, O_REPS},
    {"seed", required_argument, NULL, O_SEED},
    {"threads", required_argument, NULL, O_THREADS},
    {"trace", required_argument, NULL, O_TRACE},
    CLI_SCEN_OUT_OPTIONS,
    {NULL, 0, NULL, 0},
};

/* One option of ours: 1 taken, 0 not ours, -1 error printed. */
static int take(void *ctx, int c, const char *v)
{
    sim_args *o = ctx;
    switch (c) {
    case O_REPS: /* 2^40 - 1: sim/montecarlo.h */
        return cli_parse_long("--replications", v, 1, 1099511627775L, &o->reps) ? -1 : 1;
    case O_SEED: return cli_parse_long("--seed", v, 0, 9007199254740992L, &o->seed) ? -1 : 1;
    case O_THREADS: return cli_parse_long("--threads", v, 1, 1024, &o->threads) ? -1 : 1;
    case O_TRACE:
        if (!*v) {
            cli_usage_error("--trace: empty file name");
            return -1;
        }
        o->trace = v;
        return 1;
    }
    return 0;
}

static void warn_failures(const model_scenario *s, const model_eval *e, const sim_montecarlo_stats *st)
{
    for (int i = 0; i < e->nk; i++)
        if (st->failed[i] > 0)
            fprintf(stderr,
                    "forkcast: warning: %d GPU%s: %ld of %ld jobs failed (a chunk died more than "
                    "max_retries = %d times); their wall and cost count up to the failure\n",
                    e->k[i].gpus, e->k[i].gpus == 1 ? "" : "s", st->failed[i], e->replications, s->max_retries);
}

int cli_cmd_sim(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e;
    sim_montecarlo_stats st;
    char err[1024];
    sim_args o = {0, 0, -1, NULL};
    const char *trace;
    cli_scen_init(&a);
    int rc = cli_scen_parse(&a, "sim", NULL, options, take, &o, argc, argv);
    if (rc == CLI_P_HELP)
        usage(stdout);
    if (rc)
        return rc == CLI_P_HELP ? CLI_OK : rc;
    trace = o.trace;
    if ((rc = cli_scen_load(&a, &s)))
        return rc;

    base_out out = {0};
    int out_open = 0;
    if (trace) {
        /* a path we cannot create is the user's to fix: exit 2, before any work */
        if (base_out_open(&out, trace, err, sizeof err)) {
            rc = cli_fail(CLI_EUSAGE, "--trace: %s", err);
            goto cleanup;
        }
        out_open = 1;
    }
    cli_progress pg;
    sim_montecarlo_opts mo = {
        .replications = o.reps > 0 ? o.reps : s.replications,
        .seed = o.seed >= 0 ? (uint64_t)o.seed : (uint64_t)s.seed,
        .threads = (unsigned)o.threads,
        .progress = cli_progress_mc,
        .progress_ctx = &pg,
    };
    cli_progress_begin(&pg, "sim", "replications", mo.replications);
    rc = sim_montecarlo_eval(&s, &a.opts, &mo, &e, &st, err, sizeof err);
    cli_progress_end(&pg);
    if (!rc)
        rc = model_eval_check(&s, &e, err, sizeof err);
    if (rc) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (trace) {
        fprintf(out.f, "k,container,chunk,phase,start_s,end_s\n");
        if ((rc = sim_montecarlo_trace(&s, mo.seed, 0, 0, trace_row, out.f, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
        out_open = 0;
        if ((rc = base_out_commit(&out, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
    }
    warn_failures(&s, &e, &st);
    if (a.json)
        rc = emit_json(&s, &e, &st);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e, 0, NULL);
    else {
        cli_print_eval(stdout, &s, &e, NULL);
        print_notes(&e);
    }
cleanup:
    if (out_open)
        base_out_abort(&out);
    model_scenario_free(&s);
    return rc;
}
