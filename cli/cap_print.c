/* cli/cap_print.c -- `forkcast capacity` output (cli/cap_print.h). */
#include "cli/cap_print.h"

#include "cli/cli.h"
#include "base/csv.h"
#include "model/workload.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* A pool's cap in words ("unlimited" or the count) and its queue bounds
 * (", queue N", ", queue timeout S s" or ""), as both headers print them. */
static void pool_limits(const model_scenario *v, char maxc[32], char q[96])
{
    if (v->max_containers > 0)
        snprintf(maxc, 32, "%d", v->max_containers);
    else
        snprintf(maxc, 32, "unlimited");
    q[0] = 0;
    if (v->has_max_queue)
        snprintf(q, 96, ", queue %ld", v->max_queue);
    if (v->queue_timeout_s > 0)
        snprintf(q + strlen(q), 96 - strlen(q), ", queue timeout %g s", v->queue_timeout_s);
}

static void header(const model_scenario *s)
{
    char pol[64], wl[1200], maxc[32], q[96], inp[96] = "";
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    pool_limits(s, maxc, q);
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

/* ---- pipelines ------------------------------------------------------------------- */

static void pool_words(const model_scenario *v, char *buf, size_t n)
{
    char maxc[32], q[96], inp[96] = "";
    pool_limits(v, maxc, q);
    int m = model_pool_inputs(v);
    if (m > 1)
        snprintf(inp, sizeof inp, ", %d inputs (throughput %g)", m, model_pool_throughput(v, m));
    if (v->initial_warm > v->min_containers)
        snprintf(inp + strlen(inp), sizeof inp - strlen(inp), ", %d warm at t = 0", v->initial_warm);
    snprintf(buf, n, "max %s, min %d, buffer %d, scale-down %g s%s%s, idle rule %s", maxc, v->min_containers,
             v->buffer_containers, v->scaledown_window_s, q, inp, model_idle_rule_name(v->idle_rule));
}

static int lossy(const model_scenario *v)
{
    return v->has_max_queue || v->queue_timeout_s > 0;
}

static void pipe_header(const model_scenario *s, const sim_cap_plan *pl)
{
    char wl[1200];
    model_workload_name(s, wl, sizeof wl);
    printf("%s: %s, seed %lu\n", s->name, wl, s->seed);
    printf("plan: %s (%s%s); each group its own pool\n", pl->name,
           !strcmp(pl->from, "current") ? "pipeline.current" : pl->from,
           !strcmp(pl->from, "recommended") ? " by forkcast plan" : "");
    for (int g = 0; g < pl->n; g++) {
        char pool[512];
        pool_words(&pl->view[g], pool, sizeof pool);
        printf("  group %d  %s at $%.6g/s per container; %s\n", g + 1, pl->label[g],
               model_scenario_rate(&pl->view[g]), pool);
    }
}

void cli_cap_pipe_text(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_result *r)
{
    const sim_cap_result *a = &r->all;
    int lost = 0;
    for (int g = 0; g < pl->n; g++)
        lost |= lossy(&pl->view[g]);
    pipe_header(s, pl);
    printf("\n  %-28s %12s %9s %10s %6s %6s %6s %5s %6s %10s%s\n", "group", "latency mean", "p95", "queue p95",
           "cold", "busy", "idle", "peak", "util", "cost/day", lost ? "    lost" : "");
    for (int g = 0; g < r->n; g++) {
        const sim_cap_result *x = &r->group[g];
        char l[32] = "", cost[32];
        if (lost)
            snprintf(l, sizeof l, "  %5.1f%%", 100 * (x->rejected_fraction + x->timed_out_fraction));
        snprintf(cost, sizeof cost, "$%.2f", x->cost_per_day);
        printf("  %-2d %-25.25s %10.1f s %7.1f s %8.1f s %5.1f%% %6.2f %6.2f %5d %5.1f%% %10s%s%s\n", g + 1,
               pl->label[g], x->latency_mean, x->latency_p95, x->wait_p95, 100 * x->cold_start_fraction,
               x->mean_busy, x->mean_idle, x->peak, 100 * x->utilization, cost, l, x->stable ? "" : "  UNSTABLE");
    }
    printf("  (latency: arrival at the group to its job's end, served jobs; cold: of its inputs; cost at the "
           "group's GPU rate)\n\n");
    printf("end to end: arrival at group 1 to the end of group %d, over the videos served by every group\n", r->n);
    printf("videos        %ld counted of %ld (warm-up %ld), %ld served", a->jobs, a->jobs_total,
           a->jobs_total - a->jobs, a->served);
    if (lost)
        printf(" (%.2f%% rejected, %.2f%% timed out, in any group)", 100 * a->rejected_fraction,
               100 * a->timed_out_fraction);
    printf("\n");
    if (a->served > 0) {
        printf("latency       mean %.1f s   p50 %.1f s   p95 %.1f s   p99 %.1f s\n", a->latency_mean, a->latency_p50,
               a->latency_p95, a->latency_p99);
        printf("queue wait    mean %.2f s   p95 %.2f s (a video's waits in the groups, summed)\n", a->wait_mean,
               a->wait_p95);
    } else {
        printf("latency       - (no video was served)\n");
    }
    printf("cold starts   %.1f%% of inputs, %.1f%% of container starts, %.1f%% of served videos (in any group)\n",
           100 * a->cold_start_fraction, 100 * a->cold_per_container_start, 100 * a->cold_per_job);
    printf("containers    mean busy %.2f   mean idle %.2f   peak %d (all groups at once)\n", a->mean_busy,
           a->mean_idle, a->peak);
    printf("cost          $%.5f per served video   $%.4f per hour   $%.2f per day   (idle containers $%.2f)\n",
           a->cost_per_job, a->cost_per_hour, a->cost_per_day, a->idle_cost_usd);
}

void cli_cap_pipe_csv(const sim_cap_plan *pl, const sim_cap_pipe_result *r)
{
    printf("group,plan,%s\n", csv_head);
    for (int g = 0; g < r->n; g++) {
        printf("%d,", g + 1);
        base_csv_field(stdout, pl->label[g], BASE_CSV_RFC);
        printf(",");
        csv_row(&r->group[g]);
    }
    printf("all,");
    base_csv_field(stdout, pl->name, BASE_CSV_RFC);
    printf(",");
    csv_row(&r->all);
}

int cli_cap_pipe_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_result *r)
{
    return print_json(sim_cap_pipe_json(s, pl, r));
}

void cli_cap_pipe_warn(const sim_cap_plan *pl, const sim_cap_pipe_result *r, const char *what)
{
    char who[512];
    for (int g = 0; g < r->n; g++) {
        snprintf(who, sizeof who, "%sgroup %d (%s): ", what ? what : "", g + 1, pl->label[g]);
        cli_cap_warn(&r->group[g], who);
    }
}

void cli_cap_pipe_sweep_text(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_sweep *ps)
{
    const sim_cap_sweep *sw = ps->sw;
    int target = sw->p95_target > 0, lost = 0;
    for (int g = 0; g < pl->n; g++)
        lost |= lossy(&pl->view[g]);
    pipe_header(s, pl);
    printf("sweep max_containers %ld..%ld of every group%s", sw->lo, sw->hi,
           target ? "" : " (same seed)");
    for (int g = 0; g < pl->n; g++)
        if (pl->own_max[g])
            printf("%s%d", g == 0 || !pl->own_max[g - 1] ? " but group " : ", ", g + 1);
    if (target)
        printf(" for end-to-end latency p95 <= %g s (bisection, same seed)", sw->p95_target);
    printf("\n\n max  latency mean   p95      queue p95  cold/video   cost/day  peaks%s%s\n", lost ? "    lost" : "",
           target ? "   target" : "");
    for (int i = 0; i < sw->n; i++) {
        const sim_cap_result *e = &sw->runs[i].r;
        char peaks[128] = "", l[32] = "", cost[32];
        size_t len = 0;
        snprintf(cost, sizeof cost, "$%.2f", e->cost_per_day);
        for (int g = 0; g < ps->group[i].n && len < sizeof peaks; g++)
            len += (size_t)snprintf(peaks + len, sizeof peaks - len, "%s%d", g ? "/" : "", ps->group[i].group[g].peak);
        if (lost)
            snprintf(l, sizeof l, "  %5.1f%%", 100 * (e->rejected_fraction + e->timed_out_fraction));
        printf("%4ld  %9.1f s %8.1f s %8.1f s  %8.1f%%  %10s  %-8s%s%s%s\n", sw->runs[i].size, e->latency_mean,
               e->latency_p95, e->wait_p95, 100 * e->cold_per_job, cost, peaks, l,
               !target ? "" : sim_cap_sweep_meets(sw, i) ? "   met" : "   missed", e->stable ? "" : "   unstable");
    }
    if (target) {
        if (sw->smallest > 0)
            printf("\nsmallest cap meeting p95 <= %g s end to end: %ld container%s per group\n", sw->p95_target,
                   sw->smallest, sw->smallest == 1 ? "" : "s");
        else
            printf("\nno cap in %ld..%ld meets p95 <= %g s end to end\n", sw->lo, sw->hi, sw->p95_target);
    }
}

void cli_cap_pipe_sweep_csv(const sim_cap_pipe_sweep *ps)
{
    cli_cap_sweep_csv(ps->sw);
}

int cli_cap_pipe_sweep_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_sweep *ps)
{
    return print_json(sim_cap_pipe_sweep_json(s, pl, ps));
}
