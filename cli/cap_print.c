/* cli/cap_print.c -- `forkcast capacity` output (cli/cap_print.h). */
#include "cli/cap_print.h"

#include "cli/cli.h"
#include "model/workload.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static void header(const model_scenario *s)
{
    char pol[64], wl[1200], maxc[32], q[96] = "", inp[96] = "";
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    if (s->max_containers > 0)
        snprintf(maxc, sizeof maxc, "%d", s->max_containers);
    else
        snprintf(maxc, sizeof maxc, "unlimited");
    if (s->has_max_queue)
        snprintf(q, sizeof q, ", queue %ld", s->max_queue);
    if (s->queue_timeout_s > 0)
        snprintf(q + strlen(q), sizeof q - strlen(q), ", queue timeout %g s", s->queue_timeout_s);
    int m = model_pool_inputs(s);
    if (m > 1)
        snprintf(inp, sizeof inp, ", %d inputs per container (throughput %g at %d)", m,
                 model_pool_throughput(s, m), m);
    printf("%s: %s, policy %s, seed %lu\n", s->name, wl, pol, s->seed);
    printf("pool: max %s, min %d, buffer %d, scale-down %g s%s%s, idle rule %s; $%.6g/s per container\n\n", maxc,
           s->min_containers, s->buffer_containers, s->scaledown_window_s, q, inp,
           model_idle_rule_name(s->idle_rule), model_scenario_rate(s));
}

void cli_cap_warn(const sim_cap_result *r, const char *what)
{
    char note[512];
    sim_cap_stability_note(r, note, sizeof note);
    if (!r->stable)
        fprintf(stderr, "forkcast: warning: %s%s\n", what ? what : "", note);
}

void cli_cap_text(const model_scenario *s, const sim_cap_result *r)
{
    header(s);
    printf("jobs          %ld counted of %ld (warm-up %ld), %.2f GPUs per job\n", r->jobs, r->jobs_total,
           r->jobs_total - r->jobs, r->gpus_per_job_mean);
    if (s->has_max_queue || s->queue_timeout_s > 0)
        printf("served        %ld (%.2f%% rejected at arrival, %.2f%% timed out waiting)\n", r->served,
               100 * r->rejected_fraction, 100 * r->timed_out_fraction);
    if (r->served > 0) {
        printf("latency       mean %.1f s   p50 %.1f s   p95 %.1f s   p99 %.1f s (served jobs)\n", r->latency_mean,
               r->latency_p50, r->latency_p95, r->latency_p99);
        printf("queue wait    mean %.2f s   p95 %.2f s\n", r->wait_mean, r->wait_p95);
    } else {
        printf("latency       - (no job was served)\n");
    }
    printf("cold starts   %.1f%% of inputs (chunks), %.1f%% of container starts (%ld cold, %ld warm), %.1f%% of "
           "served jobs\n", 100 * r->cold_start_fraction, 100 * r->cold_per_container_start, r->cold_starts,
           r->warm_starts, 100 * r->cold_per_job);
    printf("containers    mean busy %.2f   mean idle %.2f   peak %d\n", r->mean_busy, r->mean_idle, r->peak);
    printf("  per state   starting %.2f   serving %.2f   idle %.2f   (inputs in service %.2f)\n", r->state_starting,
           r->state_busy, r->state_idle, r->mean_inputs);
    if (r->lifespan_ended > 0)
        printf("  lifespan    mean %.1f s   p50 %.1f s   p95 %.1f s over %ld shut down; %ld alive at the end\n",
               r->lifespan_mean, r->lifespan_p50, r->lifespan_p95, r->lifespan_ended, r->alive_at_end);
    else
        printf("  lifespan    none shut down; %ld alive at the end\n", r->alive_at_end);
    printf("utilization   %.1f%% of live container time busy\n", 100 * r->utilization);
    if (r->load_per_capacity >= 0)
        printf("load          %.3g erlangs offered, %.1f%% of the pool's capacity%s\n", r->load_erlangs,
               100 * r->load_per_capacity, r->stable ? "" : "  UNSTABLE");
    else
        printf("load          %.3g erlangs offered (unlimited pool)%s\n", r->load_erlangs, r->stable ? "" : "  UNSTABLE");
    printf("cost          $%.5f per served job   $%.4f per hour   $%.2f per day   (idle containers $%.2f)\n",
           r->cost_per_job, r->cost_per_hour, r->cost_per_day, r->idle_cost_usd);
}

static const char csv_head[] =
    "jobs,latency_mean_s,latency_p50_s,latency_p95_s,latency_p99_s,queue_wait_mean_s,queue_wait_p95_s,"
    "cold_start_fraction,utilization,containers_mean_busy,containers_mean_idle,containers_peak,"
    "cost_per_job_usd,cost_per_hour_usd,cost_per_day_usd,gpus_per_job_mean,served,rejected_fraction,"
    "timed_out_fraction,cold_per_container_start,lifespan_mean_s,state_starting,state_busy,state_idle,"
    "load_erlangs,stable";

static void csv_row(const sim_cap_result *r)
{
    printf("%ld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%.6g,%.6g,%.6g,%.6g,%ld,%.6g,%.6g,%.6g,%.6g,"
           "%.6g,%.6g,%.6g,%.6g,%s\n",
           r->jobs, r->latency_mean, r->latency_p50, r->latency_p95, r->latency_p99, r->wait_mean, r->wait_p95,
           r->cold_start_fraction, r->utilization, r->mean_busy, r->mean_idle, r->peak, r->cost_per_job,
           r->cost_per_hour, r->cost_per_day, r->gpus_per_job_mean, r->served, r->rejected_fraction,
           r->timed_out_fraction, r->cold_per_container_start, r->lifespan_mean, r->state_starting, r->state_busy,
           r->state_idle, r->load_erlangs, r->stable ? "true" : "false");
}

void cli_cap_csv(const sim_cap_result *r)
{
    printf("%s\n", csv_head);
    csv_row(r);
}

static int print_json(cJSON *o)
{
    if (!o)
        return cli_fail(CLI_ERUNTIME, "out of memory");
    int rc = cli_write_json(o, NULL);
    cJSON_Delete(o);
    return rc;
}

int cli_cap_json(const model_scenario *s, const sim_cap_result *r, const sim_cap_bucket *bk, int nbk)
{
    cJSON *o = sim_cap_result_json(s, r);
    if (o && bk) {
        cJSON *t = cJSON_AddObjectToObject(o, "transient");
        cJSON_AddNumberToObject(t, "horizon_s", nbk > 0 ? bk[nbk - 1].end : 0);
        cJSON_AddNumberToObject(t, "bucket_s", nbk > 0 ? bk[0].end - bk[0].start : 0);
        cJSON *a = sim_cap_transient_json(bk, nbk);
        if (!t || !a) {
            cJSON_Delete(a);
            cJSON_Delete(o);
            o = NULL;
        } else {
            cJSON_AddItemToObject(t, "buckets", a);
        }
    }
    return print_json(o);
}

void cli_cap_transient_text(const model_scenario *s, const sim_cap_result *r, const sim_cap_bucket *bk, int nbk)
{
    header(s);
    printf("transient from t = 0 (%d containers warm), %d buckets of %g s; jobs by their arrival bucket\n\n",
           s->initial_warm > s->min_containers ? s->initial_warm : s->min_containers, nbk,
           nbk > 0 ? bk[0].end - bk[0].start : 0);
    printf("   from s     to s  arrived  served  rejected  timed_out  latency mean  p95        cold    live    "
           "starting  serving  idle    queue    cost\n");
    for (int i = 0; i < nbk; i++) {
        const sim_cap_bucket *b = &bk[i];
        char lat[64] = "        -            -";
        if (b->served > 0)
            snprintf(lat, sizeof lat, "%9.1f s  %9.1f s", b->latency_mean, b->latency_p95);
        printf("%9.0f %8.0f  %7ld  %6ld  %8ld  %9ld  %s  %5.1f%%  %6.2f  %8.2f  %7.2f  %6.2f  %7.2f  $%.4f\n",
               b->start, b->end, b->arrivals, b->served, b->rejected, b->timed_out, lat,
               100 * b->cold_start_fraction, b->mean_live, b->state_starting, b->state_busy, b->state_idle,
               b->mean_queue, b->cost_usd);
    }
    printf("\nwhole run: %ld jobs, latency mean %.1f s, p95 %.1f s, cold starts %.1f%% of inputs, $%.4f\n", r->jobs,
           r->latency_mean, r->latency_p95, 100 * r->cold_start_fraction, r->cost_usd);
}

void cli_cap_transient_csv(const sim_cap_bucket *bk, int nbk)
{
    printf("start_s,end_s,arrivals,served,rejected,timed_out,latency_mean_s,latency_p95_s,queue_wait_mean_s,"
           "cold_start_fraction,mean_live,mean_busy,queue_mean,state_starting,state_busy,state_idle,cost_usd\n");
    for (int i = 0; i < nbk; i++) {
        const sim_cap_bucket *b = &bk[i];
        printf("%.9g,%.9g,%ld,%ld,%ld,%ld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", b->start, b->end,
               b->arrivals, b->served, b->rejected, b->timed_out, b->latency_mean, b->latency_p95, b->wait_mean,
               b->cold_start_fraction, b->mean_live, b->mean_busy, b->mean_queue, b->state_starting, b->state_busy,
               b->state_idle, b->cost_usd);
    }
}

void cli_cap_sweep_csv(const sim_cap_sweep *sw)
{
    int target = sw->p95_target > 0;
    printf("max_containers,meets_target,%s\n", csv_head);
    for (int i = 0; i < sw->n; i++) {
        printf("%ld,%s,", sw->runs[i].size, !target ? "" : sim_cap_sweep_meets(sw, i) ? "true" : "false");
        csv_row(&sw->runs[i].r);
    }
}

int cli_cap_sweep_json(const model_scenario *s, const sim_cap_sweep *sw)
{
    return print_json(sim_cap_sweep_json(s, sw));
}

void cli_cap_sweep_text(const model_scenario *s, const sim_cap_sweep *sw)
{
    int target = sw->p95_target > 0, lossy = s->has_max_queue || s->queue_timeout_s > 0;
    char pol[64], wl[1200];
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    printf("%s: %s, policy %s, seed %lu\n", s->name, wl, pol, s->seed);
    if (target)
        printf("sweep max_containers %ld..%ld for latency p95 <= %g s (bisection, same seed)\n\n", sw->lo, sw->hi,
               sw->p95_target);
    else
        printf("sweep max_containers %ld..%ld (same seed)\n\n", sw->lo, sw->hi);
    printf(" max  latency mean   p95      queue p95  cold    util    peak  cost/day%s%s\n",
           lossy ? "    lost" : "", target ? "   target" : "");
    for (int i = 0; i < sw->n; i++) {
        const sim_cap_result *r = &sw->runs[i].r;
        char lost[32] = "";
        if (lossy)
            snprintf(lost, sizeof lost, "  %5.1f%%", 100 * (r->rejected_fraction + r->timed_out_fraction));
        printf("%4ld  %9.1f s %8.1f s %8.1f s  %5.1f%%  %5.1f%%  %4d  $%8.2f%s%s%s\n", sw->runs[i].size,
               r->latency_mean, r->latency_p95, r->wait_p95, 100 * r->cold_start_fraction, 100 * r->utilization,
               r->peak, r->cost_per_day, lost, !target ? "" : sim_cap_sweep_meets(sw, i) ? "   met" : "   missed",
               r->stable ? "" : "   unstable");
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
