/* cli/cmd_capacity.c -- `forkcast capacity`: a stream of jobs on an autoscaled
 * GPU pool (sim/capacity.h, docs/capacity.md), one run or a pool-size sweep
 * (sim/cap_sweep.h). Parses, applies the overrides, calls, prints. */
#include "cli/cli.h"
#include "cli/scenario_args.h"
#include "base/status.h"
#include "model/workload.h"
#include "sim/cap_check.h"
#include "sim/cap_sweep.h"
#include "sim/capacity.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: forkcast capacity [FILE] [options]\n\n"
            "Simulate a stream of jobs on an autoscaled pool of GPU containers: latency,\n"
            "queueing, cold starts, utilization and the bill. The workload comes from the\n"
            "scenario's \"workload\" section or --rate; with no FILE, the built-in overlay-e7\n"
            "default (then give --rate and --hours or --jobs). docs/capacity.md has the\n"
            "semantics.\n\n"
            "  --rate PER_HOUR     Poisson arrivals (replaces the scenario's workload source)\n"
            "  --hours H           arrivals for H hours (replaces workload.jobs)\n"
            "  --jobs N            N arrivals (replaces workload.hours)\n"
            "  --warmup N          first N jobs excluded from the statistics\n"
            "  --max-containers C  pool cap (0: unlimited)\n"
            "  --min-containers M  containers kept warm\n"
            "  --buffer-containers B  extra idle containers while busy\n"
            "  --scaledown S       idle timeout, s\n"
            "  --policy P          fixed:K, auto or threshold:FRAMES:K\n"
            "  --seed S            random seed (default: sim.seed)\n"
            "  --series FILE.csv   pool over time: t_s,busy,idle,queue every --series-step s\n"
            "  --series-step S     sample step of --series (default 60)\n"
            "  --sweep max_containers=A..B\n"
            "                      run pool sizes A..B (same seed each); with --p95-target,\n"
            "                      bisect for the smallest meeting it\n"
            "  --p95-target S      latency p95 target for --sweep, s\n"
            "%s",
            cli_scen_help);
}

typedef struct {
    double rate, hours, scaledown, series_step, p95_target;
    long jobs, warmup, max_c, min_c, buf_c, seed;
    int has_rate, has_hours, has_jobs, has_warmup, has_max, has_min, has_buf, has_scaledown, has_seed;
    int has_policy;
    model_policy policy;
    const char *series;
    int sweep;
    long sweep_a, sweep_b;
} cap_args;

static int parse_policy(const char *v, cap_args *c)
{
    if (model_policy_parse(v, &c->policy))
        return cli_usage_error("--policy: must be auto, fixed:K or threshold:FRAMES:K with 1 <= K <= %d "
                               "(got '%s')", MODEL_MAX_GPUS, v);
    c->has_policy = 1;
    return 0;
}

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

/* One option of ours at argv[*i]: 1 taken, 0 not ours, -1 error printed. */
static int take(cap_args *c, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v;
#define VALUE(name) if (!(v = cli_opt_value(argc, argv, i, name))) return -1
    if (cli_opt_is(arg, "--rate")) {
        VALUE("--rate");
        if (cli_parse_double("--rate", v, -INFINITY, 1e9, &c->rate))
            return -1;
        if (!(c->rate > 0)) {
            cli_usage_error("--rate: must be greater than 0 jobs per hour (got %g)", c->rate);
            return -1;
        }
        c->has_rate = 1;
    } else if (cli_opt_is(arg, "--hours")) {
        VALUE("--hours");
        if (cli_parse_double("--hours", v, -INFINITY, 1e6, &c->hours))
            return -1;
        if (!(c->hours > 0)) {
            cli_usage_error("--hours: must be greater than 0 (got %g)", c->hours);
            return -1;
        }
        c->has_hours = 1;
    } else if (cli_opt_is(arg, "--jobs")) {
        VALUE("--jobs");
        if (cli_parse_long("--jobs", v, 1, 10000000000L, &c->jobs))
            return -1;
        c->has_jobs = 1;
    } else if (cli_opt_is(arg, "--warmup")) {
        VALUE("--warmup");
        if (cli_parse_long("--warmup", v, 0, 10000000000L, &c->warmup))
            return -1;
        c->has_warmup = 1;
    } else if (cli_opt_is(arg, "--max-containers")) {
        VALUE("--max-containers");
        if (cli_parse_long("--max-containers", v, 0, 1000000, &c->max_c))
            return -1;
        c->has_max = 1;
    } else if (cli_opt_is(arg, "--min-containers")) {
        VALUE("--min-containers");
        if (cli_parse_long("--min-containers", v, 0, 1000000, &c->min_c))
            return -1;
        c->has_min = 1;
    } else if (cli_opt_is(arg, "--buffer-containers")) {
        VALUE("--buffer-containers");
        if (cli_parse_long("--buffer-containers", v, 0, 1000000, &c->buf_c))
            return -1;
        c->has_buf = 1;
    } else if (cli_opt_is(arg, "--scaledown")) {
        VALUE("--scaledown");
        if (cli_parse_double("--scaledown", v, 0, 1e9, &c->scaledown))
            return -1;
        c->has_scaledown = 1;
    } else if (cli_opt_is(arg, "--seed")) {
        VALUE("--seed");
        if (cli_parse_long("--seed", v, 0, 9007199254740992L, &c->seed))
            return -1;
        c->has_seed = 1;
    } else if (cli_opt_is(arg, "--policy")) {
        VALUE("--policy");
        if (parse_policy(v, c))
            return -1;
    } else if (cli_opt_is(arg, "--series")) {
        VALUE("--series");
        if (!*v) {
            cli_usage_error("--series: empty file name");
            return -1;
        }
        c->series = v;
    } else if (cli_opt_is(arg, "--series-step")) {
        VALUE("--series-step");
        if (cli_parse_double("--series-step", v, 1e-6, 1e9, &c->series_step))
            return -1;
    } else if (cli_opt_is(arg, "--sweep")) {
        VALUE("--sweep");
        if (parse_sweep(v, c))
            return -1;
    } else if (cli_opt_is(arg, "--p95-target")) {
        VALUE("--p95-target");
        if (cli_parse_double("--p95-target", v, 1e-9, 1e9, &c->p95_target))
            return -1;
    } else {
        return 0;
    }
#undef VALUE
    return 1;
}

/* Apply the overrides; the library validates the result. */
static int apply(const cap_args *c, model_scenario *s)
{
    if (c->has_hours && c->has_jobs)
        return cli_usage_error("--hours and --jobs exclude each other");
    if (c->has_rate) {
        s->has_workload = 1;
        s->rate_per_hour = c->rate;
        s->has_rate_by_hour = 0;
        s->trace[0] = 0;
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
    if (c->has_max)
        s->max_containers = (int)c->max_c;
    if (c->has_min)
        s->min_containers = (int)c->min_c;
    if (c->has_buf)
        s->buffer_containers = (int)c->buf_c;
    if (c->has_max && s->max_containers > 0 && s->min_containers > s->max_containers)
        return cli_usage_error("--max-containers %d is below min_containers %d", s->max_containers,
                               s->min_containers);
    if (c->has_scaledown)
        s->scaledown_window_s = c->scaledown;
    if (c->has_seed)
        s->seed = (unsigned long)c->seed;
    if (c->has_policy)
        model_policy_set(s, &c->policy);
    return CLI_OK;
}

/* ---- output ---------------------------------------------------------------- */

static int print_json(cJSON *o)
{
    if (!o)
        return cli_fail(CLI_ERUNTIME, "out of memory");
    int rc = cli_write_json(o, NULL);
    cJSON_Delete(o);
    return rc;
}

static const char csv_head[] =
    "jobs,latency_mean_s,latency_p50_s,latency_p95_s,latency_p99_s,queue_wait_mean_s,queue_wait_p95_s,"
    "cold_start_fraction,utilization,containers_mean_busy,containers_mean_idle,containers_peak,"
    "cost_per_job_usd,cost_per_hour_usd,cost_per_day_usd,gpus_per_job_mean";

static void csv_row(const sim_cap_result *r)
{
    printf("%ld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%.6g,%.6g,%.6g,%.6g\n", r->jobs,
           r->latency_mean, r->latency_p50, r->latency_p95, r->latency_p99, r->wait_mean, r->wait_p95,
           r->cold_start_fraction, r->utilization, r->mean_busy, r->mean_idle, r->peak, r->cost_per_job,
           r->cost_per_hour, r->cost_per_day, r->gpus_per_job_mean);
}

static void print_text(const model_scenario *s, const sim_cap_result *r)
{
    char pol[64], wl[1200], maxc[32];
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    if (s->max_containers > 0)
        snprintf(maxc, sizeof maxc, "%d", s->max_containers);
    else
        snprintf(maxc, sizeof maxc, "unlimited");
    printf("%s: %s, policy %s, seed %lu\n", s->name, wl, pol, s->seed);
    printf("pool: max %s, min %d, buffer %d, scale-down %g s; $%.6g/s per container\n\n", maxc,
           s->min_containers, s->buffer_containers, s->scaledown_window_s, model_scenario_rate(s));
    printf("jobs          %ld counted of %ld (warm-up %ld), %.2f GPUs per job\n", r->jobs, r->jobs_total,
           r->jobs_total - r->jobs, r->gpus_per_job_mean);
    printf("latency       mean %.1f s   p50 %.1f s   p95 %.1f s   p99 %.1f s\n", r->latency_mean,
           r->latency_p50, r->latency_p95, r->latency_p99);
    printf("queue wait    mean %.2f s   p95 %.2f s\n", r->wait_mean, r->wait_p95);
    printf("cold starts   %.1f%% of chunks\n", 100 * r->cold_start_fraction);
    printf("containers    mean busy %.2f   mean idle %.2f   peak %d\n", r->mean_busy, r->mean_idle, r->peak);
    printf("utilization   %.1f%% of live container time busy\n", 100 * r->utilization);
    printf("cost          $%.5f per job   $%.4f per hour   $%.2f per day\n", r->cost_per_job, r->cost_per_hour,
           r->cost_per_day);
}

static void print_sweep_csv(const sim_cap_sweep *sw)
{
    int target = sw->p95_target > 0;
    printf("max_containers,meets_target,%s\n", csv_head);
    for (int i = 0; i < sw->n; i++) {
        printf("%ld,%s,", sw->runs[i].size, !target ? "" : sim_cap_sweep_meets(sw, i) ? "true" : "false");
        csv_row(&sw->runs[i].r);
    }
}

static void print_sweep_text(const model_scenario *s, const sim_cap_sweep *sw)
{
    int target = sw->p95_target > 0;
    char pol[64], wl[1200];
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    printf("%s: %s, policy %s, seed %lu\n", s->name, wl, pol, s->seed);
    if (target)
        printf("sweep max_containers %ld..%ld for latency p95 <= %g s (bisection, same seed)\n\n", sw->lo, sw->hi,
               sw->p95_target);
    else
        printf("sweep max_containers %ld..%ld (same seed)\n\n", sw->lo, sw->hi);
    printf(" max  latency mean   p95      queue p95  cold    util    peak  cost/day%s\n",
           target ? "   target" : "");
    for (int i = 0; i < sw->n; i++) {
        const sim_cap_result *r = &sw->runs[i].r;
        printf("%4ld  %9.1f s %8.1f s %8.1f s  %5.1f%%  %5.1f%%  %4d  $%8.2f%s\n", sw->runs[i].size,
               r->latency_mean, r->latency_p95, r->wait_p95, 100 * r->cold_start_fraction,
               100 * r->utilization, r->peak, r->cost_per_day,
               !target ? "" : sim_cap_sweep_meets(sw, i) ? "   met" : "   missed");
    }
    if (target) {
        long best = sw->smallest;
        if (best > 0)
            printf("\nsmallest pool meeting p95 <= %g s: %ld container%s\n", sw->p95_target, best,
                   best == 1 ? "" : "s");
        else
            printf("\nno pool size in %ld..%ld meets p95 <= %g s\n", sw->lo, sw->hi, sw->p95_target);
    }
}

/* ---- runs ------------------------------------------------------------------ */

static void series_row(double t, int busy, int idle, int queue, void *ctx)
{
    fprintf(ctx, "%.9g,%d,%d,%d\n", t, busy, idle, queue);
}

static int one_run(const model_scenario *s, const cap_args *c, sim_cap_result *r)
{
    char err[1024];
    sim_cap *cap = NULL;
    base_out out;
    int have_out = 0;
    int rc = sim_cap_new(s, &cap, err, sizeof err);
    if (rc)
        return cli_fail(rc, "%s", err);
    sim_cap_series ser = {c->series_step > 0 ? c->series_step : 60, series_row, NULL};
    if (c->series) {
        if ((rc = base_out_open(&out, c->series, err, sizeof err))) {
            rc = cli_fail(rc, "%s", err);
            goto cleanup;
        }
        have_out = 1;
        ser.ctx = out.f;
        fprintf(out.f, "t_s,busy,idle,queue\n");
    }
    if ((rc = sim_cap_run(cap, s->seed, c->series ? &ser : NULL, r, err, sizeof err)) || (rc = sim_cap_check(s, r, err, sizeof err))) {
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
    char err[1024];
    sim_cap_sweep *sw = NULL;
    sim_cap_sweep_spec spec = {c->sweep_a, c->sweep_b, c->p95_target};
    int rc = sim_cap_sweep_run(s, &spec, &sw, err, sizeof err);
    if (rc || (rc = sim_cap_sweep_check(s, sw, err, sizeof err)))
        return sim_cap_sweep_free(sw), cli_fail(rc, "%s", err);
    if (json)
        rc = print_json(sim_cap_sweep_json(s, sw));
    else if (csv)
        print_sweep_csv(sw);
    else
        print_sweep_text(s, sw);
    sim_cap_sweep_free(sw);
    return rc;
}

int cli_cmd_capacity(int argc, char **argv)
{
    cli_scen_args a;
    cap_args c;
    model_scenario s;
    cli_scen_init(&a, 1);
    memset(&c, 0, sizeof c);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return CLI_OK;
        }
        int t = take(&c, argc, argv, &i);
        if (t < 0)
            return CLI_EUSAGE;
        if (t == 0 && (cli_opt_is(argv[i], "--objective") || cli_opt_is(argv[i], "--usd-per-hour")))
            return cli_usage_error("capacity: %s does not apply (policy auto uses the decision thresholds)",
                                   argv[i]);
        if (t == 0 && (t = cli_scen_take(&a, argc, argv, &i)) < 0)
            return CLI_EUSAGE;
        if (t == 0)
            return cli_usage_error("capacity: unknown option '%s' (see --help)", argv[i]);
    }
    if (c.p95_target > 0 && !c.sweep)
        return cli_usage_error("--p95-target needs --sweep max_containers=A..B");
    if (c.sweep && c.series)
        return cli_usage_error("--series does not go with --sweep (run one pool size)");
    if (c.sweep && c.has_max)
        return cli_usage_error("--sweep max_containers=A..B and --max-containers exclude each other");
    if (c.series_step > 0 && !c.series)
        return cli_usage_error("--series-step needs --series FILE.csv");
    int rc = cli_scen_load(&a, &s);
    if (rc)
        return rc;
    if ((rc = apply(&c, &s)))
        goto cleanup;
    if (c.sweep) {
        rc = sweep(&s, &c, a.json, a.csv);
        goto cleanup;
    }
    sim_cap_result r;
    if ((rc = one_run(&s, &c, &r)))
        goto cleanup;
    if (a.json) {
        rc = print_json(sim_cap_result_json(&s, &r));
    } else if (a.csv) {
        printf("%s\n", csv_head);
        csv_row(&r);
    } else {
        print_text(&s, &r);
    }
cleanup:
    model_scenario_free(&s);
    return rc;
}
