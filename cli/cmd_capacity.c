/* cli/cmd_capacity.c -- `forkcast capacity`: a stream of jobs on an autoscaled
 * GPU pool (sim/capacity.h, docs/capacity.md), one run, a transient run or a
 * pool-size sweep (sim/cap_sweep.h); on a pipeline scenario, a plan's
 * groups as pools in tandem (sim/cap_pipe.h, cli/cap_plan.h). Parses
 * (getopt_long: "--opt V" and "--opt=V"), applies the overrides, calls,
 * prints (cli/cap_print.h). */
#include "cli/cli.h"
#include "cli/cap_plan.h"
#include "cli/cap_print.h"
#include "cli/progress.h"
#include "cli/scenario_args.h"
#include "base/status.h"
#include "model/workload.h"
#include "sim/cap_check.h"
#include "sim/cap_sweep.h"
#include "sim/capacity.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast capacity [FILE] [options]\n\n"
            "Simulate a stream of jobs on an autoscaled pool of GPU containers: latency,\n"
            "queueing, losses, cold starts, utilization and the bill. The workload comes from\n"
            "the scenario's \"workload\" section or --rate; with no FILE, the built-in overlay-e7\n"
            "default (then give --rate and --hours or --jobs). docs/capacity.md has the\n"
            "semantics. Options take \"--opt V\" or \"--opt=V\".\n\n"
            "  --rate PER_HOUR     Poisson arrivals (replaces the scenario's workload source)\n"
            "  --interarrival-cv CV  gaps gamma with this cv at the rate (1: Poisson, > 1 bursty)\n"
            "  --hours H           arrivals for H hours (replaces workload.jobs)\n"
            "  --jobs N            N arrivals (replaces workload.hours)\n"
            "  --warmup N          first N jobs excluded from the statistics\n"
            "  --initial-warm N    containers warm (idle) at t = 0\n"
            "  --max-containers C  pool cap (0: unlimited)\n"
            "  --min-containers M  containers kept warm\n"
            "  --buffer-containers B  extra idle containers while busy\n"
            "  --scaledown S       idle timeout, s\n"
            "  --max-queue N       inputs that may wait at the cap (0: a loss system; unlimited)\n"
            "  --queue-timeout S   a job waiting longer than S s is dropped (0: never)\n"
            "  --max-inputs N      inputs a container serves at once\n"
            "  --throughput LIST   total throughput at 1..max-inputs inputs, e.g. 1,1.7,2.1\n"
            "  --idle-rule R       last_idle, newest or oldest: which idle container goes next\n"
            "  --policy P          fixed:K, auto or threshold:FRAMES:K\n"
            "  --seed S            random seed (default: sim.seed)\n"
            "  --transient [H]     the first H hours (default 1) from t = 0 in time buckets\n"
            "  --buckets N         buckets of --transient (default 12, at most %d)\n"
            "  --series FILE.csv   pool over time: t_s,busy,idle,queue every --series-step s\n"
            "  --series-step S     sample step of --series (default 60)\n"
            "  --sweep max_containers=A..B\n"
            "                      run pool sizes A..B (same seed each); with --p95-target,\n"
            "                      bisect for the smallest meeting it\n"
            "  --p95-target S      latency p95 target for --sweep, s\n"
            "pipelines (a scenario with a pipeline section; every pool option applies to every group):\n"
            "  --plan P            current (pipeline.current, the default), recommended (forkcast\n"
            "                      plan's), 'framing: 4 x H100 -> overlay: 1 x T4' (or\n"
            "                      framing:4xH100,overlay:1xT4), or stage (stage.per_frame_s alone)\n"
            "  --group G:FIELD=V[,FIELD=V...]  one group's pool (G: its number or a stage):\n"
            "                      max_containers, min_containers, buffer_containers,\n"
            "                      scaledown_window_s, max_queue, queue_timeout_s, max_inputs,\n"
            "                      initial_warm, idle_rule (repeatable)\n"
            "%s",
            SIM_CAP_MAX_BUCKETS, cli_scen_help);
}

typedef struct {
    double rate, hours, scaledown, series_step, p95_target, timeout, cv, transient;
    long jobs, warmup, max_c, min_c, buf_c, seed, max_q, inputs, warm, buckets;
    int has_rate, has_hours, has_jobs, has_warmup, has_max, has_min, has_buf, has_scaledown, has_seed;
    int has_policy, has_max_q, has_timeout, has_cv, has_inputs, has_warm, has_rule;
    int queue_unlimited;
    model_policy policy;
    model_idle_rule rule;
    double throughput[MODEL_MAX_INPUTS];
    int nthroughput;
    const char *series;
    int sweep;
    long sweep_a, sweep_b;
    const char *plan;                       /* --plan; NULL: current */
    const char *group[CLI_CAP_MAX_GROUP_OPTS];
    int ngroup;
} cap_args;

enum {
    O_RATE = 256, O_CV, O_HOURS, O_JOBS, O_WARMUP, O_WARM, O_MAXC, O_MINC, O_BUFC, O_SCALEDOWN, O_MAXQ,
    O_TIMEOUT, O_INPUTS, O_THROUGHPUT, O_RULE, O_POLICY, O_SEED, O_TRANSIENT, O_BUCKETS, O_SERIES, O_STEP,
    O_SWEEP, O_TARGET, O_PLAN, O_GROUP, O_SHARED, O_SHARED_FLAG, O_NOT_HERE,
};

static const struct option long_opts[] = {
    {"rate", required_argument, NULL, O_RATE},
    {"interarrival-cv", required_argument, NULL, O_CV},
    {"hours", required_argument, NULL, O_HOURS},
    {"jobs", required_argument, NULL, O_JOBS},
    {"warmup", required_argument, NULL, O_WARMUP},
    {"initial-warm", required_argument, NULL, O_WARM},
    {"max-containers", required_argument, NULL, O_MAXC},
    {"min-containers", required_argument, NULL, O_MINC},
    {"buffer-containers", required_argument, NULL, O_BUFC},
    {"scaledown", required_argument, NULL, O_SCALEDOWN},
    {"max-queue", required_argument, NULL, O_MAXQ},
    {"queue-timeout", required_argument, NULL, O_TIMEOUT},
    {"max-inputs", required_argument, NULL, O_INPUTS},
    {"throughput", required_argument, NULL, O_THROUGHPUT},
    {"idle-rule", required_argument, NULL, O_RULE},
    {"policy", required_argument, NULL, O_POLICY},
    {"seed", required_argument, NULL, O_SEED},
    {"transient", optional_argument, NULL, O_TRANSIENT},
    {"buckets", required_argument, NULL, O_BUCKETS},
    {"series", required_argument, NULL, O_SERIES},
    {"series-step", required_argument, NULL, O_STEP},
    {"sweep", required_argument, NULL, O_SWEEP},
    {"p95-target", required_argument, NULL, O_TARGET},
    {"plan", required_argument, NULL, O_PLAN},
    {"group", required_argument, NULL, O_GROUP},
    /* the shared scenario options (cli/scenario_args.h) */
    {"with", required_argument, NULL, O_SHARED},
    {"frames", required_argument, NULL, O_SHARED},
    {"per-frame", required_argument, NULL, O_SHARED},
    {"gpus", required_argument, NULL, O_SHARED},
    {"allow-kernel-only", no_argument, NULL, O_SHARED_FLAG},
    {"json", no_argument, NULL, O_SHARED_FLAG},
    {"csv", no_argument, NULL, O_SHARED_FLAG},
    {"objective", required_argument, NULL, O_NOT_HERE},
    {"usd-per-hour", required_argument, NULL, O_NOT_HERE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_sweep(const char *v, cap_args *c)
{
    const char *key = "max_containers=";
    double a, b;
    if (strncmp(v, key, strlen(key)))
        return cli_usage_error("--sweep: expected max_containers=A..B (got '%s')", v);
    if (cli_parse_range("--sweep", v + strlen(key), 1, 1000000, &a, &b))
        return CLI_EUSAGE;
    if (a != floor(a) || b != floor(b))
        return cli_usage_error("--sweep: pool sizes must be integers (got '%s')", v);
    c->sweep = 1;
    c->sweep_a = (long)a;
    c->sweep_b = (long)b;
    return 0;
}

/* "1,1.7,2.1": 1..MODEL_MAX_INPUTS numbers > 0 (model/workload.c checks the rest). */
static int parse_throughput(const char *v, cap_args *c)
{
    char buf[32];
    c->nthroughput = 0;
    for (const char *p = v;; p++) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof buf || c->nthroughput >= MODEL_MAX_INPUTS)
            return cli_usage_error("--throughput: expected up to %d numbers separated by commas (got '%s')",
                                   MODEL_MAX_INPUTS, v);
        memcpy(buf, p, n);
        buf[n] = 0;
        if (cli_parse_double("--throughput", buf, 1e-9, MODEL_MAX_INPUTS, &c->throughput[c->nthroughput++]))
            return CLI_EUSAGE;
        p += n;
        if (!*p)
            return 0;
    }
}

#define NUM(opt, lo, hi, dst, flag) \
    (cli_parse_double(opt, optarg, lo, hi, dst) ? CLI_EUSAGE : ((flag) = 1, 0))
#define INT(opt, lo, hi, dst, flag) \
    (cli_parse_long(opt, optarg, lo, hi, dst) ? CLI_EUSAGE : ((flag) = 1, 0))

/* One of our options (getopt_long's code `ch`); CLI_OK or CLI_EUSAGE printed. */
static int take(cap_args *c, int ch, int argc, char **argv)
{
    int dummy = 0; /* flags nobody reads */
    (void)dummy;
    switch (ch) {
    case O_RATE:
        if (cli_parse_double("--rate", optarg, -INFINITY, 1e9, &c->rate))
            return CLI_EUSAGE;
        if (!(c->rate > 0))
            return cli_usage_error("--rate: must be greater than 0 jobs per hour (got %g)", c->rate);
        c->has_rate = 1;
        return CLI_OK;
    case O_CV: return NUM("--interarrival-cv", 1e-3, 100, &c->cv, c->has_cv);
    case O_HOURS:
        if (cli_parse_double("--hours", optarg, -INFINITY, 1e6, &c->hours))
            return CLI_EUSAGE;
        if (!(c->hours > 0))
            return cli_usage_error("--hours: must be greater than 0 (got %g)", c->hours);
        c->has_hours = 1;
        return CLI_OK;
    case O_JOBS: return INT("--jobs", 1, 10000000000L, &c->jobs, c->has_jobs);
    case O_WARMUP: return INT("--warmup", 0, 10000000000L, &c->warmup, c->has_warmup);
    case O_WARM: return INT("--initial-warm", 0, 1000000, &c->warm, c->has_warm);
    case O_MAXC: return INT("--max-containers", 0, 1000000, &c->max_c, c->has_max);
    case O_MINC: return INT("--min-containers", 0, 1000000, &c->min_c, c->has_min);
    case O_BUFC: return INT("--buffer-containers", 0, 1000000, &c->buf_c, c->has_buf);
    case O_SCALEDOWN: return NUM("--scaledown", 0, 1e9, &c->scaledown, c->has_scaledown);
    case O_MAXQ:
        if (!strcmp(optarg, "unlimited")) {
            c->queue_unlimited = c->has_max_q = 1;
            return CLI_OK;
        }
        c->queue_unlimited = 0;
        return INT("--max-queue", 0, 1000000000L, &c->max_q, c->has_max_q);
    case O_TIMEOUT: return NUM("--queue-timeout", 0, 1e9, &c->timeout, c->has_timeout);
    case O_INPUTS: return INT("--max-inputs", 1, MODEL_MAX_INPUTS, &c->inputs, c->has_inputs);
    case O_THROUGHPUT: return parse_throughput(optarg, c);
    case O_RULE:
        if (model_idle_rule_parse(optarg, &c->rule))
            return cli_usage_error("--idle-rule: must be last_idle, newest or oldest (got '%s')", optarg);
        c->has_rule = 1;
        return CLI_OK;
    case O_POLICY:
        if (model_policy_parse(optarg, &c->policy))
            return cli_usage_error("--policy: must be auto, fixed:K or threshold:FRAMES:K with 1 <= K <= %d "
                                   "(got '%s')", MODEL_MAX_GPUS, optarg);
        c->has_policy = 1;
        return CLI_OK;
    case O_SEED: return INT("--seed", 0, 9007199254740992L, &c->seed, c->has_seed);
    case O_TRANSIENT: {
        /* an optional value: "--transient=H", or "--transient H" when H is a number */
        const char *v = optarg;
        char *end;
        if (!v && optind < argc && argv[optind][0] != '-' && (strtod(argv[optind], &end), *end == 0))
            v = argv[optind++];
        c->transient = 1;
        if (v && cli_parse_double("--transient", v, 1e-6, 1e6, &c->transient))
            return CLI_EUSAGE;
        return CLI_OK;
    }
    case O_BUCKETS: return INT("--buckets", 1, SIM_CAP_MAX_BUCKETS, &c->buckets, dummy);
    case O_SERIES:
        if (!*optarg)
            return cli_usage_error("--series: empty file name");
        c->series = optarg;
        return CLI_OK;
    case O_STEP: return NUM("--series-step", 1e-6, 1e9, &c->series_step, dummy);
    case O_SWEEP: return parse_sweep(optarg, c);
    case O_TARGET: return NUM("--p95-target", 1e-9, 1e9, &c->p95_target, dummy);
    case O_PLAN:
        if (!*optarg)
            return cli_usage_error("--plan: empty (current, recommended, stage or 'STAGE: K x GPU -> ...')");
        c->plan = optarg;
        return CLI_OK;
    case O_GROUP:
        if (c->ngroup >= CLI_CAP_MAX_GROUP_OPTS)
            return cli_usage_error("--group: at most %d", CLI_CAP_MAX_GROUP_OPTS);
        c->group[c->ngroup++] = optarg;
        return CLI_OK;
    }
    return cli_usage_error("capacity: unknown option (see --help)");
}

/* The pool options (every group of a pipeline gets them too). */
static void apply_pool(const cap_args *c, model_scenario *s)
{
    if (c->has_max)
        s->max_containers = (int)c->max_c;
    if (c->has_min)
        s->min_containers = (int)c->min_c;
    if (c->has_buf)
        s->buffer_containers = (int)c->buf_c;
    if (c->has_scaledown)
        s->scaledown_window_s = c->scaledown;
    if (c->has_warm)
        s->initial_warm = (int)c->warm;
    if (c->has_max_q) {
        s->has_max_queue = !c->queue_unlimited;
        s->max_queue = c->max_q;
    }
    if (c->has_timeout)
        s->queue_timeout_s = c->timeout;
    if (c->has_inputs)
        s->max_inputs = (int)c->inputs;
    if (c->nthroughput) {
        s->throughput = c->throughput;
        s->nthroughput = c->nthroughput;
    }
    if (c->has_rule)
        s->idle_rule = c->rule;
}

/* The overrides; the library validates the result. */
static int apply(cap_args *c, model_scenario *s)
{
    if (c->has_hours && c->has_jobs)
        return cli_usage_error("--hours and --jobs exclude each other");
    if (c->has_rate) {
        s->has_workload = 1;
        s->rate_per_hour = c->rate;
        s->has_rate_by_hour = s->has_interarrival = 0;
        s->trace[0] = 0;
    }
    if (c->has_cv) {
        if (!(s->rate_per_hour > 0))
            return cli_usage_error("--interarrival-cv needs a rate (--rate or workload.rate_per_hour)");
        s->interarrival = model_dist_gamma_mcv(3600 / s->rate_per_hour, c->cv);
        s->has_interarrival = 1;
        s->rate_per_hour = 0;
    }
    if (c->has_hours) {
        s->hours = c->hours;
        s->jobs = 0;
    }
    if (c->has_jobs) {
        s->jobs = c->jobs;
        s->hours = 0;
    }
    if (c->has_warmup)
        s->warmup_jobs = c->warmup;
    apply_pool(c, s);
    if (c->has_max && s->max_containers > 0 && s->min_containers > s->max_containers)
        return cli_usage_error("--max-containers %d is below min_containers %d", s->max_containers,
                               s->min_containers);
    if (c->has_seed)
        s->seed = (unsigned long)c->seed;
    if (c->has_policy)
        model_policy_set(s, &c->policy);
    if (c->transient > 0) {
        s->hours = c->transient;
        s->jobs = 0;
        s->warmup_jobs = 0; /* a transient starts at t = 0 */
    }
    return CLI_OK;
}

/* ---- runs ------------------------------------------------------------------ */

static void series_row(double t, int busy, int idle, int queue, void *ctx)
{
    fprintf(ctx, "%.9g,%d,%d,%d\n", t, busy, idle, queue);
}

static int one_run(const model_scenario *s, const cap_args *c, sim_cap_bucket *bk, int nbk, sim_cap_result *r)
{
    char err[1024];
    sim_cap *cap = NULL;
    base_out out;
    int have_out = 0;
    int rc = sim_cap_new(s, &cap, err, sizeof err);
    if (rc)
        return cli_fail(rc, "%s", err);
    sim_cap_series ser = {c->series_step > 0 ? c->series_step : 60, series_row, NULL};
    cli_progress pg;
    cli_progress_begin(&pg, "capacity", s->hours > 0 ? "simulated s" : "jobs", 0);
    sim_cap_opts o = {.series = c->series ? &ser : NULL, .buckets = nbk, .bucket = bk,
                      .progress = cli_progress_cap, .progress_ctx = &pg};
    if (c->series) {
        if ((rc = base_out_open(&out, c->series, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
        have_out = 1;
        ser.ctx = out.f;
        fprintf(out.f, "t_s,busy,idle,queue\n");
    }
    rc = sim_cap_run_opts(cap, s->seed, &o, r, err, sizeof err);
    cli_progress_end(&pg);
    if (!rc)
        rc = sim_cap_check(s, r, err, sizeof err);
    if (rc) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (have_out) {
        have_out = 0;
        if ((rc = base_out_commit(&out, err, sizeof err)))
            rc = cli_fail(rc, "%s", err);
    }
cleanup:
    if (have_out)
        base_out_abort(&out);
    sim_cap_free(cap);
    return rc;
}

static int sweep(const model_scenario *s, const cap_args *c, int json, int csv)
{
    char err[1024], what[64];
    sim_cap_sweep *sw = NULL;
    sim_cap_sweep_spec spec = {c->sweep_a, c->sweep_b, c->p95_target};
    int rc = sim_cap_sweep_run(s, &spec, &sw, err, sizeof err);
    if (rc || (rc = sim_cap_sweep_check(s, sw, err, sizeof err)))
        return sim_cap_sweep_free(sw), cli_fail(rc, "%s", err);
    if (json)
        rc = cli_cap_sweep_json(s, sw);
    else if (csv)
        cli_cap_sweep_csv(sw);
    else
        cli_cap_sweep_text(s, sw);
    fflush(stdout);
    for (int i = 0; i < sw->n; i++) {
        snprintf(what, sizeof what, "max_containers %ld: ", sw->runs[i].size);
        cli_cap_warn(&sw->runs[i].r, what);
    }
    sim_cap_sweep_free(sw);
    return rc;
}

static int check_combinations(const cap_args *c)
{
    if (c->p95_target > 0 && !c->sweep)
        return cli_usage_error("--p95-target needs --sweep max_containers=A..B");
    if (c->sweep && c->series)
        return cli_usage_error("--series does not go with --sweep (run one pool size)");
    if (c->sweep && c->has_max)
        return cli_usage_error("--sweep max_containers=A..B and --max-containers exclude each other");
    if (c->series_step > 0 && !c->series)
        return cli_usage_error("--series-step needs --series FILE.csv");
    if (c->transient > 0 && (c->sweep || c->has_hours || c->has_jobs || c->has_warmup))
        return cli_usage_error("--transient H sets the run length from t = 0: it excludes --sweep, --hours, "
                               "--jobs and --warmup");
    if (c->buckets > 0 && !(c->transient > 0))
        return cli_usage_error("--buckets needs --transient");
    return CLI_OK;
}

/* ---- pipelines ---------------------------------------------------------------- */

/* What a pipeline run does not take: one line, CLI_EUSAGE. */
static int pipe_combinations(const cap_args *c, const cli_scen_args *a)
{
    const char *bad = c->has_policy ? "--policy (the plan fixes each group's GPU count)"
                      : c->transient > 0 ? "--transient"
                      : c->series ? "--series"
                      : a->per_frame >= 0 ? "--per-frame (a plan takes pipeline.stages' figures)"
                      : a->ngpus > 0 ? "--gpus (the plan fixes each group's GPU count)"
                      : NULL;
    if (bad)
        return cli_usage_error("capacity: %s does not apply to a pipeline (single-stage runs only; --plan stage "
                               "runs stage.per_frame_s alone)", bad);
    return CLI_OK;
}

static int pipe_sweep(const model_scenario *s, const cap_args *c, const sim_cap_plan *pl, int json, int csv)
{
    char err[1024], what[64];
    sim_cap_pipe_sweep ps;
    sim_cap_sweep_spec spec = {c->sweep_a, c->sweep_b, c->p95_target};
    int rc = sim_cap_pipe_sweep_run(pl, &spec, &ps, err, sizeof err);
    if (rc)
        return cli_fail(rc, "%s", err);
    if (json)
        rc = cli_cap_pipe_sweep_json(s, pl, &ps);
    else if (csv)
        cli_cap_pipe_sweep_csv(&ps);
    else
        cli_cap_pipe_sweep_text(s, pl, &ps);
    fflush(stdout);
    for (int i = 0; i < ps.sw->n; i++) {
        snprintf(what, sizeof what, "max_containers %ld: ", ps.sw->runs[i].size);
        cli_cap_pipe_warn(pl, &ps.group[i], what);
    }
    sim_cap_pipe_sweep_free(&ps);
    return rc;
}

/* A plan's groups as pools in tandem: resolve the plan, give every group
 * the pool options, then its own (--group), run or sweep, print. */
static int pipe_cmd(const model_scenario *s, const cap_args *c, const cli_scen_args *a)
{
    char err[1024];
    sim_cap_plan pl;
    sim_cap_pipe_result *r = NULL;
    int rc = pipe_combinations(c, a);
    if (rc || (rc = cli_cap_plan_resolve(s, c->plan, &pl)))
        return rc;
    for (int g = 0; g < pl.n; g++)
        apply_pool(c, &pl.view[g]);
    if ((rc = cli_cap_group_apply(&pl, c->group, c->ngroup)))
        goto cleanup;
    if (c->sweep) {
        rc = pipe_sweep(s, c, &pl, a->json, a->csv);
        goto cleanup;
    }
    if (!(r = malloc(sizeof *r))) {
        rc = cli_fail(CLI_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = sim_cap_pipe_run(&pl, s->seed, r, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (a->json)
        rc = cli_cap_pipe_json(s, &pl, r);
    else if (a->csv)
        cli_cap_pipe_csv(&pl, r);
    else
        cli_cap_pipe_text(s, &pl, r);
    fflush(stdout);
    cli_cap_pipe_warn(&pl, r, NULL);
cleanup:
    free(r);
    sim_cap_plan_free(&pl);
    return rc;
}

/* getopt_long over argv; the shared scenario options go to cli_scen_take(). */
static int parse(int argc, char **argv, cli_scen_args *a, cap_args *c, int *help)
{
    int ch, idx;
    opterr = 0;
    optind = 0;
    while ((ch = cli_getopt_long(argc, argv, "-h", long_opts, &idx)) != -1) {
        if (ch == 'h') {
            *help = 1;
            return CLI_OK;
        }
        if (ch == '?') {
            const char *bad = argv[optind - 1], *eq = strchr(bad, '=');
            if (optopt >= O_RATE && eq) /* a flag of ours given a value */
                return cli_usage_error("%.*s: takes no value (got '%s')", (int)(eq - bad), bad, bad);
            if (optopt >= O_RATE) /* a long option of ours without its value */
                return cli_usage_error("%s: missing value", bad);
            return cli_unknown_option("capacity", bad, long_opts);
        }
        if (ch == O_NOT_HERE)
            return cli_usage_error("capacity: --%s does not apply (policy auto uses the decision thresholds)",
                                   long_opts[idx].name);
        if (ch == 1 || ch == O_SHARED || ch == O_SHARED_FLAG) {
            char name[64];
            snprintf(name, sizeof name, "--%s", ch == 1 ? "" : long_opts[idx].name);
            char *v[2] = {ch == 1 ? optarg : name, optarg};
            int i = 0;
            int t = cli_scen_take(a, ch == O_SHARED ? 2 : 1, v, &i);
            if (t < 0)
                return CLI_EUSAGE;
            if (t == 0)
                return cli_usage_error("capacity: unknown option '%s' (see --help)", v[0]);
            continue;
        }
        if (take(c, ch, argc, argv))
            return CLI_EUSAGE;
    }
    return check_combinations(c);
}

int cli_cmd_capacity(int argc, char **argv)
{
    cli_scen_args a;
    cap_args c;
    model_scenario s;
    int help = 0;
    cli_scen_init(&a);
    memset(&c, 0, sizeof c);
    int rc = parse(argc, argv, &a, &c, &help);
    if (rc || help) {
        if (help)
            usage(stdout);
        return rc;
    }
    if ((rc = cli_scen_load(&a, &s)))
        return rc;
    int piped = s.pipeline && s.pipeline->has_stages && !(c.plan && !strcmp(c.plan, "stage"));
    if (!piped && ((c.plan && strcmp(c.plan, "stage")) || c.ngroup)) {
        if (c.plan && !strcmp(c.plan, "stage"))
            rc = cli_usage_error("--group does not apply with --plan stage (one stage, one pool)");
        else
            rc = cli_usage_error("%s: %s needs a pipeline section (pipeline.stages)", s.file,
                                 c.ngroup ? "--group" : "--plan");
        goto cleanup;
    }
    if (piped && (rc = pipe_combinations(&c, &a)))
        goto cleanup;
    if ((rc = apply(&c, &s)))
        goto cleanup;
    if (piped) {
        rc = pipe_cmd(&s, &c, &a);
        goto cleanup;
    }
    if (c.sweep) {
        rc = sweep(&s, &c, a.json, a.csv);
        goto cleanup;
    }
    int nbk = c.transient > 0 ? (c.buckets > 0 ? (int)c.buckets : 12) : 0;
    sim_cap_bucket bk[SIM_CAP_MAX_BUCKETS];
    sim_cap_result r;
    if ((rc = one_run(&s, &c, bk, nbk, &r)))
        goto cleanup;
    if (a.json)
        rc = cli_cap_json(&s, &r, nbk ? bk : NULL, nbk);
    else if (a.csv && nbk)
        cli_cap_transient_csv(bk, nbk);
    else if (a.csv)
        cli_cap_csv(&r);
    else if (nbk)
        cli_cap_transient_text(&s, &r, bk, nbk);
    else
        cli_cap_text(&s, &r);
    fflush(stdout);
    cli_cap_warn(&r, NULL);
cleanup:
    model_scenario_free(&s);
    return rc;
}
