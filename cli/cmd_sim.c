/* cli/cmd_sim.c -- `forkcast sim`: Monte Carlo of the chunked job. */
#include "cli/cli.h"
#include "cli/print_eval.h"
#include "cli/scenario_args.h"
#include "model/output.h"
#include "base/status.h"
#include "sim/montecarlo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: forkcast sim FILE [options]\n\n"
               "Discrete-event Monte Carlo of the chunked job for each GPU count: mean, sd,\n"
               "standard error, p50/p95/p99 of wall time and cost, the critical container's\n"
               "mean phases, and the verdict. Also simulates the effects the closed form omits\n"
               "(shared download link, max_containers, chunks_per_gpu, speculative backups,\n"
               "failures; docs/scenario.md). Replication r draws from a stream of (seed, r):\n"
               "the output is the same for any --threads.\n\n"
               "%s"
               "  --replications R    replications (default: sim.replications, 10000)\n"
               "  --seed S            seed (default: sim.seed, 1)\n"
               "  --threads T         worker threads (default: all cores)\n"
               "  --trace FILE.csv    write replication 0's timeline: k,container,chunk,phase,\n"
               "                      start_s,end_s (container -1: the orchestrator's concat)\n",
               cli_scen_help);
}

/* ---- progress bar: stderr, a terminal, runs over ~1 s ---------------------- */

typedef struct {
    double t0, last;
    int shown, cleared;
} progress;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
    progress *p = ctx;
    double now = mono();
    if (p->cleared || (!p->shown && now - p->t0 < 1.0))
        return;
    if (done < total && now - p->last < 0.1)
        return;
    p->last = now;
    p->shown = 1;
    int width = 40, fill = (int)(width * (double)done / (double)total);
    fprintf(stderr, "\rforkcast sim: [%.*s%*s] %3d%%", fill, "########################################",
            width - fill, "", (int)(100.0 * (double)done / (double)total));
    if (done == total) {
        fprintf(stderr, "\r\033[K");
        p->cleared = 1;
    }
    fflush(stderr);
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

int cli_cmd_sim(int argc, char **argv)
{
    cli_scen_args a;
    model_scenario s;
    model_eval e;
    sim_montecarlo_stats st;
    char err[1024];
    long reps = 0, threads = 0, seed = -1;
    const char *trace = NULL, *v;
    cli_scen_init(&a, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return CLI_OK;
        }
        if (cli_opt_is(argv[i], "--replications")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--replications")) ||
                cli_parse_long("--replications", v, 1, 1099511627775L, &reps)) /* 2^40 - 1: sim/montecarlo.h */
                return CLI_EUSAGE;
            continue;
        }
        if (cli_opt_is(argv[i], "--seed")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--seed")) ||
                cli_parse_long("--seed", v, 0, 9007199254740992L, &seed))
                return CLI_EUSAGE;
            continue;
        }
        if (cli_opt_is(argv[i], "--threads")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--threads")) ||
                cli_parse_long("--threads", v, 1, 1024, &threads))
                return CLI_EUSAGE;
            continue;
        }
        if (cli_opt_is(argv[i], "--trace")) {
            if (!(v = cli_opt_value(argc, argv, &i, "--trace")))
                return CLI_EUSAGE;
            if (!*v)
                return cli_usage_error("--trace: empty file name");
            trace = v;
            continue;
        }
        int t = cli_scen_take(&a, argc, argv, &i);
        if (t < 0)
            return CLI_EUSAGE;
        if (t == 0)
            return cli_usage_error("sim: unknown option '%s' (see --help)", argv[i]);
    }
    int rc = cli_scen_load(&a, &s);
    if (rc)
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
    progress pg = {.t0 = mono()};
    sim_montecarlo_opts o = {
        .replications = reps > 0 ? reps : s.replications,
        .seed = seed >= 0 ? (uint64_t)seed : (uint64_t)s.seed,
        .threads = (unsigned)threads,
        .progress = cli_stderr_is_tty() ? on_progress : NULL,
        .progress_ctx = &pg,
    };
    if ((rc = sim_montecarlo_eval(&s, &a.opts, &o, &e, &st, err, sizeof err)) ||
        (rc = model_eval_check(&s, &e, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (trace) {
        fprintf(out.f, "k,container,chunk,phase,start_s,end_s\n");
        if ((rc = sim_montecarlo_trace(&s, o.seed, 0, 0, trace_row, out.f, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
        out_open = 0;
        if ((rc = base_out_commit(&out, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
    }
    for (int i = 0; i < e.nk; i++)
        if (st.failed[i] > 0)
            fprintf(stderr,
                    "forkcast: warning: %d GPU%s: %ld of %ld jobs failed (a chunk died more than "
                    "max_retries = %d times); their wall and cost count up to the failure\n",
                    e.k[i].gpus, e.k[i].gpus == 1 ? "" : "s", st.failed[i], e.replications, s.max_retries);
    if (a.json)
        rc = emit_json(&s, &e, &st);
    else if (a.csv)
        rc = cli_emit_csv(stdout, &s, &e);
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
