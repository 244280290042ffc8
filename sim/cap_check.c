/* sim/cap_check.c -- the capacity run's finite-output guard (sim/cap_check.h). */
#include "sim/cap_check.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>

static int bad(const char *who, const char *what, double v, const char *why, char *err, size_t errsz)
{
    return base_errf(err, errsz, BASE_ERUNTIME,
                     "capacity%s: %s is %g, %s (a bug, not an input error: please report it with the scenario)", who,
                     what, v, why);
}

static int check(const model_scenario *s, const sim_cap_result *r, const char *who, char *err, size_t errsz)
{
    const struct {
        const char *name;
        double v, hi;   /* hi: upper bound, INFINITY none */
    } q[] = {
        {"latency_s.mean", r->latency_mean, INFINITY},    {"latency_s.p50", r->latency_p50, INFINITY},
        {"latency_s.p95", r->latency_p95, INFINITY},      {"latency_s.p99", r->latency_p99, INFINITY},
        {"queue_wait_s.mean", r->wait_mean, INFINITY},    {"queue_wait_s.p95", r->wait_p95, INFINITY},
        {"cold_start_fraction", r->cold_start_fraction, 1}, {"utilization", r->utilization, 1 + 1e-9},
        {"containers.mean_busy", r->mean_busy, INFINITY}, {"containers.mean_idle", r->mean_idle, INFINITY},
        {"queue_mean", r->mean_queue, INFINITY},          {"gpus_per_job_mean", r->gpus_per_job_mean, INFINITY},
        {"busy_s", r->busy_s, INFINITY},                  {"idle_s", r->idle_s, INFINITY},
        {"billed_container_s", r->billed_s, INFINITY},    {"cost_usd", r->cost_usd, INFINITY},
        {"cost_per_job_usd", r->cost_per_job, INFINITY},  {"cost_per_hour_usd", r->cost_per_hour, INFINITY},
        {"cost_per_day_usd", r->cost_per_day, INFINITY},  {"window_s.start", r->t_start, INFINITY},
        {"window_s.end", r->t_end, INFINITY},             {"window_s", r->window_s, INFINITY},
        {"little.mean_in_system", r->mean_in_system, INFINITY},
        {"little.arrival_rate_per_s", r->arrival_rate, INFINITY},
    };
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        if (!isfinite(q[i].v))
            return bad(who, q[i].name, q[i].v, "not a finite number", err, errsz);
        if (q[i].v < 0)
            return bad(who, q[i].name, q[i].v, "negative", err, errsz);
        if (q[i].v > q[i].hi)
            return bad(who, q[i].name, q[i].v, "above 1", err, errsz);
    }
    if (r->jobs < 0 || r->jobs_total < r->jobs || r->served < 0 || r->served > r->jobs || r->chunks < 0 || r->peak < 0)
        return bad(who, "jobs", (double)r->jobs, "inconsistent with jobs_total, chunks or peak", err, errsz);
    if (r->t_end < r->t_start)
        return bad(who, "window_s.end", r->t_end, "before window_s.start", err, errsz);
    /* A priced pool that billed container time costs something. */
    if (model_scenario_rate(s) > 0 && r->billed_s >= 1e-9) {
        if (!(r->cost_usd > 0))
            return bad(who, "cost_usd", r->cost_usd, "zero for a priced pool", err, errsz);
        if (r->served > 0 && !(r->cost_per_job > 0))
            return bad(who, "cost_per_job_usd", r->cost_per_job, "zero for a priced pool", err, errsz);
        if (r->window_s > 0 && !(r->cost_per_hour > 0))
            return bad(who, "cost_per_hour_usd", r->cost_per_hour, "zero for a priced pool", err, errsz);
    }
    return BASE_OK;
}

int sim_cap_check(const model_scenario *s, const sim_cap_result *r, char *err, size_t errsz)
{
    return check(s, r, "", err, errsz);
}

int sim_cap_sweep_check(const model_scenario *s, const sim_cap_sweep *sw, char *err, size_t errsz)
{
    for (int i = 0; i < sw->n; i++) {
        char who[64];
        snprintf(who, sizeof who, " (max_containers %ld)", sw->runs[i].size);
        int rc = check(s, &sw->runs[i].r, who, err, errsz);
        if (rc)
            return rc;
    }
    return BASE_OK;
}
