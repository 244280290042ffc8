/* sim/cap_json.c -- the capacity run's JSON (sim/capacity.h states the
 * fields; docs/capacity.md what each means). */
#include "sim/cap_impl.h"

#include "model/workload.h"

/* v, or null when !ok (no job to take it over). */
static void num(cJSON *o, const char *key, double v, int ok)
{
    if (ok)
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *sim_cap_header_json(const model_scenario *s)
{
    char pol[64], wl[1200];
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "scenario", s->name);
    cJSON_AddStringToObject(o, "method", "capacity");
    cJSON_AddNumberToObject(o, "seed", (double)s->seed);
    cJSON_AddStringToObject(o, "policy", pol);
    cJSON_AddStringToObject(o, "workload", wl);
    cJSON *p = cJSON_AddObjectToObject(o, "pool");
    cJSON_AddNumberToObject(p, "max_containers", s->max_containers);
    cJSON_AddNumberToObject(p, "min_containers", s->min_containers);
    cJSON_AddNumberToObject(p, "buffer_containers", s->buffer_containers);
    cJSON_AddNumberToObject(p, "scaledown_window_s", s->scaledown_window_s);
    num(p, "max_queue", (double)s->max_queue, s->has_max_queue);
    num(p, "queue_timeout_s", s->queue_timeout_s, s->queue_timeout_s > 0);
    int m = model_pool_inputs(s);
    cJSON_AddNumberToObject(p, "max_inputs", m);
    cJSON *th = cJSON_AddArrayToObject(p, "concurrency_throughput");
    for (int n = 1; th && n <= m; n++)
        cJSON_AddItemToArray(th, cJSON_CreateNumber(model_pool_throughput(s, n)));
    cJSON_AddStringToObject(p, "idle_rule", model_idle_rule_name(s->idle_rule));
    cJSON_AddNumberToObject(p, "initial_warm", s->initial_warm > s->min_containers ? s->initial_warm
                                                                                  : s->min_containers);
    return o;
}

static void add_containers(cJSON *o, const sim_cap_result *r)
{
    cJSON *c = cJSON_AddObjectToObject(o, "containers");
    cJSON_AddNumberToObject(c, "mean_busy", r->mean_busy);
    cJSON_AddNumberToObject(c, "mean_idle", r->mean_idle);
    cJSON_AddNumberToObject(c, "peak", r->peak);
    cJSON *st = cJSON_AddObjectToObject(c, "per_state");
    cJSON_AddNumberToObject(st, "starting", r->state_starting);
    cJSON_AddNumberToObject(st, "busy", r->state_busy);
    cJSON_AddNumberToObject(st, "idle", r->state_idle);
    cJSON_AddNumberToObject(c, "mean_inputs", r->mean_inputs);
    cJSON *l = cJSON_AddObjectToObject(c, "lifespan_s");
    int ended = r->lifespan_ended > 0;
    num(l, "mean", r->lifespan_mean, ended);
    num(l, "p50", r->lifespan_p50, ended);
    num(l, "p95", r->lifespan_p95, ended);
    cJSON_AddNumberToObject(l, "ended", (double)r->lifespan_ended);
    cJSON_AddNumberToObject(l, "alive_at_end", (double)r->alive_at_end);
}

void sim_cap_result_add_json(cJSON *o, const sim_cap_result *r)
{
    int sv = r->served > 0;
    char note[512];
    cJSON_AddNumberToObject(o, "jobs", (double)r->jobs);
    cJSON *l = cJSON_AddObjectToObject(o, "latency_s");
    num(l, "mean", r->latency_mean, sv);
    num(l, "p50", r->latency_p50, sv);
    num(l, "p95", r->latency_p95, sv);
    num(l, "p99", r->latency_p99, sv);
    cJSON *w = cJSON_AddObjectToObject(o, "queue_wait_s");
    num(w, "mean", r->wait_mean, sv);
    num(w, "p95", r->wait_p95, sv);
    cJSON_AddNumberToObject(o, "cold_start_fraction", r->cold_start_fraction);
    cJSON_AddNumberToObject(o, "utilization", r->utilization);
    add_containers(o, r);
    num(o, "cost_per_job_usd", r->cost_per_job, sv);
    cJSON_AddNumberToObject(o, "cost_per_hour_usd", r->cost_per_hour);
    cJSON_AddNumberToObject(o, "cost_per_day_usd", r->cost_per_day);
    /* extras */
    cJSON_AddNumberToObject(o, "served", (double)r->served);
    cJSON_AddNumberToObject(o, "rejected_fraction", r->rejected_fraction);
    cJSON_AddNumberToObject(o, "timed_out_fraction", r->timed_out_fraction);
    cJSON_AddBoolToObject(o, "stable", r->stable);
    sim_cap_stability_note(r, note, sizeof note);
    if (r->stable)
        cJSON_AddNullToObject(o, "stability");
    else
        cJSON_AddStringToObject(o, "stability", note);
    cJSON *cs = cJSON_AddObjectToObject(o, "cold_starts");
    cJSON_AddNumberToObject(cs, "per_input", r->cold_start_fraction);
    cJSON_AddNumberToObject(cs, "per_container_start", r->cold_per_container_start);
    cJSON_AddNumberToObject(cs, "per_job", r->cold_per_job);
    cJSON_AddNumberToObject(cs, "cold_starts", (double)r->cold_starts);
    cJSON_AddNumberToObject(cs, "warm_starts", (double)r->warm_starts);
    cJSON *ld = cJSON_AddObjectToObject(o, "load");
    cJSON_AddNumberToObject(ld, "erlangs", r->load_erlangs);
    num(ld, "per_capacity", r->load_per_capacity, r->load_per_capacity >= 0);
    cJSON_AddNumberToObject(o, "idle_cost_usd", r->idle_cost_usd);
    cJSON_AddNumberToObject(o, "jobs_total", (double)r->jobs_total);
    cJSON_AddNumberToObject(o, "gpus_per_job_mean", r->gpus_per_job_mean);
    cJSON_AddNumberToObject(o, "queue_mean", r->mean_queue);
    cJSON_AddNumberToObject(o, "billed_container_s", r->billed_s);
    cJSON_AddNumberToObject(o, "cost_usd", r->cost_usd);
    cJSON *win = cJSON_AddObjectToObject(o, "window_s");
    cJSON_AddNumberToObject(win, "start", r->t_start);
    cJSON_AddNumberToObject(win, "end", r->t_end);
    cJSON *lit = cJSON_AddObjectToObject(o, "little");
    cJSON_AddNumberToObject(lit, "mean_in_system", r->mean_in_system);
    cJSON_AddNumberToObject(lit, "arrival_rate_per_s", r->arrival_rate);
    num(lit, "mean_latency_s", r->latency_mean, sv);
    cJSON_AddNumberToObject(lit, "mean_time_in_system_s", r->time_in_system_mean);
    cJSON_AddNumberToObject(o, "events", (double)r->events);
}

cJSON *sim_cap_result_json(const model_scenario *s, const sim_cap_result *r)
{
    cJSON *o = sim_cap_header_json(s);
    if (o)
        sim_cap_result_add_json(o, r);
    return o;
}

cJSON *sim_cap_transient_json(const sim_cap_bucket *b, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) {
        const sim_cap_bucket *k = &b[i];
        int sv = k->served > 0;
        cJSON *e = cJSON_CreateObject();
        if (!e) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddItemToArray(a, e);
        cJSON_AddNumberToObject(e, "start_s", k->start);
        cJSON_AddNumberToObject(e, "end_s", k->end);
        cJSON_AddNumberToObject(e, "arrivals", (double)k->arrivals);
        cJSON_AddNumberToObject(e, "served", (double)k->served);
        cJSON_AddNumberToObject(e, "rejected", (double)k->rejected);
        cJSON_AddNumberToObject(e, "timed_out", (double)k->timed_out);
        num(e, "latency_mean_s", k->latency_mean, sv);
        num(e, "latency_p50_s", k->latency_p50, sv);
        num(e, "latency_p95_s", k->latency_p95, sv);
        num(e, "latency_p99_s", k->latency_p99, sv);
        num(e, "queue_wait_mean_s", k->wait_mean, sv);
        cJSON_AddNumberToObject(e, "cold_start_fraction", k->cold_start_fraction);
        cJSON_AddNumberToObject(e, "mean_live", k->mean_live);
        cJSON_AddNumberToObject(e, "mean_busy", k->mean_busy);
        cJSON_AddNumberToObject(e, "queue_mean", k->mean_queue);
        cJSON *st = cJSON_AddObjectToObject(e, "per_state");
        cJSON_AddNumberToObject(st, "starting", k->state_starting);
        cJSON_AddNumberToObject(st, "busy", k->state_busy);
        cJSON_AddNumberToObject(st, "idle", k->state_idle);
        cJSON_AddNumberToObject(e, "cost_usd", k->cost_usd);
    }
    return a;
}
