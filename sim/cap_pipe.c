/* sim/cap_pipe.c -- a pipeline's groups as pools in tandem: the plan's
 * group scenarios, the run (one engine per pool, stepped in time order)
 * and the end-to-end result. See sim/cap_pipe.h. */
#include "sim/cap_pipe.h"
#include "sim/cap_impl.h"

#include "base/status.h"
#include "model/workload.h"

#include <stdlib.h>
#include <string.h>

/* ---- the plan ------------------------------------------------------------------ */

void sim_cap_plan_free(sim_cap_plan *pl)
{
    for (int g = 0; pl->type && g < pl->n; g++)
        model_scenario_free(&pl->type[g]); /* the views share the types' samples */
    free(pl->type);
    free(pl->view);
    pl->type = pl->view = NULL;
    pl->n = 0;
}

static void describe(sim_cap_plan *pl)
{
    size_t len = 0;
    pl->name[0] = 0;
    for (int g = 0; g < pl->n; g++) {
        const model_pipe_group *x = &pl->g[g];
        size_t l = 0;
        char *lb = pl->label[g];
        lb[0] = 0;
        for (int i = x->first; i <= x->last && l < sizeof pl->label[g]; i++)
            l += (size_t)snprintf(lb + l, sizeof pl->label[g] - l, "%s%s", i > x->first ? "+" : "", pl->stage[i]);
        if (l < sizeof pl->label[g])
            snprintf(lb + l, sizeof pl->label[g] - l, ": %d x %s", x->gpus, x->gpu);
        if (len < sizeof pl->name)
            len += (size_t)snprintf(pl->name + len, sizeof pl->name - len, "%s%s", g ? " -> " : "", lb);
    }
}

int sim_cap_plan_make(const model_scenario *s, const model_pipeline *p, const model_pipe_group *g, int n,
                      const char *from, sim_cap_plan *pl, char *err, size_t errsz)
{
    int rc = BASE_OK, next = 0;
    memset(pl, 0, sizeof *pl);
    if (n < 1 || n > p->nstages)
        return base_errf(err, errsz, BASE_EINPUT, "%s: a plan needs 1..%d groups (got %d)", s->file, p->nstages, n);
    for (int i = 0; i < n; i++) {
        if (g[i].first != next || g[i].last < g[i].first || g[i].last >= p->nstages)
            return base_errf(err, errsz, BASE_EINPUT,
                             "%s: group %d: groups take the stages in pipeline order, each once (expected '%s')",
                             s->file, i + 1, next < p->nstages ? p->stage[next].name : "no more stages");
        if (g[i].gpus < 1 || g[i].gpus > MODEL_MAX_GPUS)
            return base_errf(err, errsz, BASE_EINPUT, "%s: group %d: GPU count must be in 1..%d (got %d)", s->file,
                             i + 1, MODEL_MAX_GPUS, g[i].gpus);
        next = g[i].last + 1;
    }
    if (next != p->nstages)
        return base_errf(err, errsz, BASE_EINPUT, "%s: stage '%s' is in no group (every stage, in order)", s->file,
                         p->stage[next].name);
    pl->type = calloc((size_t)n, sizeof *pl->type);
    pl->view = calloc((size_t)n, sizeof *pl->view);
    if (!pl->type || !pl->view) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    pl->nstages = p->nstages;
    for (int i = 0; i < p->nstages; i++)
        snprintf(pl->stage[i], MODEL_PIPE_NAME, "%s", p->stage[i].name);
    snprintf(pl->from, sizeof pl->from, "%s", from ? from : "given");
    for (int i = 0; i < n; i++) {
        pl->g[i] = g[i];
        if ((rc = model_pipeline_type_scenario(p, s, g[i].gpu, &pl->type[i], err, errsz)))
            goto cleanup;
        pl->n = i + 1;
        if ((rc = model_pipeline_group_scenario(p, &pl->type[i], &g[i], &pl->view[i], err, errsz)))
            goto cleanup;
        model_policy_set(&pl->view[i], &(model_policy){.kind = MODEL_POLICY_FIXED, .k = g[i].gpus});
    }
    describe(pl);
    return BASE_OK;
cleanup:
    sim_cap_plan_free(pl);
    return rc;
}

/* ---- the run -------------------------------------------------------------------- */

typedef struct pipe_run pipe_run;

typedef struct {
    pipe_run *p;
    int g;
} pipe_hook;

struct pipe_run {
    int n;
    sim_cap *cap[SIM_CAP_PIPE_MAX];
    sim_cap_state *st;      /* [n] */
    pipe_hook hook[SIM_CAP_PIPE_MAX];
    int ninit;              /* states initialised (to free) */
    /* end to end, counted videos served by the last group */
    long served, cold_jobs;
    double lat_sum, wait_sum;
    sim_cap_hist lat, wait;
    int peak;               /* most live containers of all pools at once, in the window */
};

/* A group served job b: it arrives at the next group, or leaves the pipeline. */
static void on_served(void *ctx, const sim_cap_job *b, double now)
{
    const pipe_hook *h = ctx;
    pipe_run *p = h->p;
    if (h->g + 1 < p->n) {
        sim_cap_inject(&p->st[h->g + 1], b, now);
        return;
    }
    if (!b->counted)
        return;
    double lat = now - b->origin, w = b->uwait + b->wait;
    p->served++;
    p->lat_sum += lat;
    p->wait_sum += w;
    p->cold_jobs += b->ucold | b->cold;
    sim_cap_hist_add(&p->lat, lat);
    sim_cap_hist_add(&p->wait, w);
}

/* The arrivals are over and no video (counted, once the window is open) is
 * in any group. */
static int drained(const pipe_run *p)
{
    if (!p->st[0].arrivals_done)
        return 0;
    for (int g = 0; g < p->n; g++)
        if ((p->st[g].open ? p->st[g].insys_counted : p->st[g].insys_all) > 0)
            return 0;
    return 1;
}

/* The pool with the earliest pending event (the first on ties), -1 none. */
static int earliest(const pipe_run *p, double *t)
{
    int best = -1;
    *t = INFINITY;
    for (int g = 0; g < p->n; g++) {
        double x = sim_peek(p->st[g].sim);
        if (x < *t) {
            *t = x;
            best = g;
        }
    }
    return best;
}

static int failed(const pipe_run *p)
{
    for (int g = 0; g < p->n; g++)
        if (p->st[g].rc || p->st[g].stop || sim_failed(p->st[g].sim))
            return 1;
    return 0;
}

/* Step the pools in time order until the pipeline drains (then on to the
 * window's end: the later of now and workload.hours), a pool fails or
 * stops; returns the window's end. */
static double step_all(pipe_run *p)
{
    sim_cap_state *st0 = &p->st[0];
    int opened = st0->open, ending = 0;
    double t, t_end = 0, now = 0;
    for (;;) {
        int g = earliest(p, &t);
        if (g < 0 || (ending && t > t_end))
            break;
        sim_step(p->st[g].sim);
        now = t;
        if (failed(p))
            return now;
        if (!opened && st0->open) { /* group 0's warm-up is over: every window opens */
            opened = 1;
            for (int k = 1; k < p->n; k++) {
                sim_cap_advance(&p->st[k], st0->t_w);
                sim_cap_window_open(&p->st[k], st0->t_w);
            }
        }
        if (opened) {
            int live = 0;
            for (int k = 0; k < p->n; k++)
                live += p->st[k].live;
            p->peak = live > p->peak ? live : p->peak;
        }
        if (!ending && drained(p)) {
            ending = 1;
            t_end = isfinite(st0->horizon) ? fmax(now, st0->horizon) : now;
        }
    }
    return ending ? t_end : now;
}

/* The first error of a pool, prefixed with its group when it is about the pool. */
static int pool_error(const sim_cap_plan *pl, int g, int rc, char *err, size_t errsz)
{
    if (rc && err && strstr(err, "platform.") && pl->n > 1) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", err);
        base_errf(err, errsz, rc, "group %d (%s): %s", g + 1, pl->label[g], msg);
    }
    return rc;
}

static void run_free(pipe_run *p)
{
    for (int g = 0; g < p->ninit; g++)
        sim_cap_state_free(&p->st[g]);
    for (int g = 0; g < p->n; g++)
        sim_cap_free(p->cap[g]);
    free(p->st);
    sim_cap_hist_free(&p->lat);
    sim_cap_hist_free(&p->wait);
}

static int setup(const sim_cap_plan *pl, uint64_t seed, pipe_run *p, char *err, size_t errsz)
{
    int rc;
    memset(p, 0, sizeof *p);
    p->n = pl->n;
    for (int g = 0; g < pl->n; g++)
        if ((rc = sim_cap_new(&pl->view[g], &p->cap[g], err, errsz)))
            return pool_error(pl, g, rc, err, errsz);
    p->st = calloc((size_t)pl->n, sizeof *p->st);
    if (!p->st || sim_cap_hist_init(&p->lat) || sim_cap_hist_init(&p->wait))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    for (int g = 0; g < pl->n; g++) {
        sim_cap_state *r = &p->st[g];
        p->ninit = g + 1;
        if ((rc = sim_cap_state_init(r, p->cap[g], seed, g, g > 0, NULL, err, errsz)))
            return rc;
        r->ext_end = 1;
        p->hook[g] = (pipe_hook){p, g};
        r->served_fn = on_served;
        r->served_ctx = &p->hook[g];
    }
    return BASE_OK;
}

/* The end-to-end figures from the groups' (sim/cap_pipe.h). */
static int fill_all(pipe_run *p, sim_cap_pipe_result *out, char *err, size_t errsz)
{
    sim_cap_result *a = &out->all, *g0 = &out->group[0];
    const sim_cap_state *s0 = &p->st[0];
    sim_cap_hist life;
    long started = 0, cold_in = 0;
    double life_sum = 0, area_insys = 0, tis = 0;
    if (sim_cap_hist_init(&life))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    memset(a, 0, sizeof *a);
    a->jobs = g0->jobs;
    a->jobs_total = g0->jobs_total;
    a->t_start = g0->t_start;
    a->t_end = g0->t_end;
    a->window_s = g0->window_s;
    a->stable = 1;
    for (int g = 0; g < p->n; g++) {
        const sim_cap_result *r = &out->group[g];
        const sim_cap_state *st = &p->st[g];
        a->rejected += r->rejected;
        a->timed_out += r->timed_out;
        a->chunks += r->chunks;
        a->cold_starts += r->cold_starts;
        a->warm_starts += r->warm_starts;
        a->busy_s += r->busy_s;
        a->idle_s += r->idle_s;
        a->mean_busy += r->mean_busy;
        a->mean_idle += r->mean_idle;
        a->state_starting += r->state_starting;
        a->state_busy += r->state_busy;
        a->state_idle += r->state_idle;
        a->mean_inputs += r->mean_inputs;
        a->mean_queue += r->mean_queue;
        a->lifespan_ended += r->lifespan_ended;
        a->alive_at_end += r->alive_at_end;
        a->gpus_per_job_mean += r->gpus_per_job_mean;
        a->billed_s += r->billed_s;
        a->cost_usd += r->cost_usd;
        a->idle_cost_usd += r->idle_cost_usd;
        a->load_erlangs += r->load_erlangs;
        a->events += r->events;
        a->stable &= r->stable;
        if (r->stopped && !a->stopped) {
            a->stopped = 1;
            a->stop_queue = r->stop_queue;
            a->stop_inputs = r->stop_inputs;
        }
        started += st->started;
        cold_in += st->cold_inputs;
        life_sum += st->life_sum;
        area_insys += st->area_insys;
        tis += st->tis_sum;
        gsl_histogram_add(life.h, st->life.h);
        life.min = fmin(life.min, st->life.min);
        life.max = fmax(life.max, st->life.max);
        life.n += st->life.n;
    }
    double n = (double)a->jobs, w = a->window_s, adm = (double)(s0->counted - s0->rejected), sv;
    a->served = p->served;
    sv = (double)a->served;
    a->rejected_fraction = (double)a->rejected / n;
    a->timed_out_fraction = (double)a->timed_out / n;
    a->latency_mean = sv > 0 ? p->lat_sum / sv : 0;
    a->wait_mean = sv > 0 ? p->wait_sum / sv : 0;
    a->cold_per_job = sv > 0 ? (double)p->cold_jobs / sv : 0;
    double pr[3] = {0.50, 0.95, 0.99}, q[3];
    int rc = BASE_OK;
    if (sim_cap_hist_quantiles(&p->lat, pr, q, 3)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "latency histogram failed");
        goto cleanup;
    }
    a->latency_p50 = q[0];
    a->latency_p95 = q[1];
    a->latency_p99 = q[2];
    if (sim_cap_hist_quantiles(&p->wait, pr + 1, &a->wait_p95, 1) || sim_cap_hist_quantiles(&life, pr, q, 2)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "histogram failed");
        goto cleanup;
    }
    a->lifespan_mean = a->lifespan_ended ? life_sum / (double)a->lifespan_ended : 0;
    a->lifespan_p50 = q[0];
    a->lifespan_p95 = q[1];
    a->cold_start_fraction = started > 0 ? (double)cold_in / (double)started : 0;
    long starts = a->cold_starts + a->warm_starts;
    a->cold_per_container_start = starts > 0 ? (double)a->cold_starts / (double)starts : 0;
    a->utilization = a->busy_s + a->idle_s > 0 ? a->busy_s / (a->busy_s + a->idle_s) : 0;
    a->peak = p->peak;
    a->cost_per_job = sv > 0 ? a->cost_usd / sv : 0;
    a->cost_per_hour = w > 0 ? a->cost_usd / w * 3600 : 0;
    a->cost_per_day = a->cost_per_hour * 24;
    a->load_per_capacity = -1;
    if (w > 0) {
        a->mean_in_system = area_insys / w;
        a->arrival_rate = adm / w;
    }
    a->time_in_system_mean = adm > 0 ? tis / adm : 0;
cleanup:
    sim_cap_hist_free(&life);
    return rc;
}

int sim_cap_pipe_run(const sim_cap_plan *pl, uint64_t seed, sim_cap_pipe_result *out, char *err, size_t errsz)
{
    pipe_run p;
    memset(out, 0, sizeof *out);
    int rc = setup(pl, seed, &p, err, errsz);
    if (rc)
        goto cleanup;
    double t_end = step_all(&p);
    for (int g = 0; g < p.n && !rc; g++) {
        if (p.st[g].rc)
            rc = pool_error(pl, g, p.st[g].rc, err, errsz);
        else if (sim_failed(p.st[g].sim))
            rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory (event list)");
    }
    if (rc)
        goto cleanup;
    const model_scenario *s = &pl->view[0];
    sim_cap_state *st0 = &p.st[0];
    if (!st0->open) {
        if (failed(&p))
            rc = base_errf(err, errsz, BASE_EINPUT,
                           "%s: the pipeline is unstable: %ld inputs in a pool before the warm-up of %ld jobs ended",
                           s->file, SIM_CAP_MAX_INPUTS, s->warmup_jobs);
        else
            rc = base_errf(err, errsz, BASE_EINPUT,
                           "%s: workload.warmup_jobs: every job was warm-up (%ld arrived, warmup_jobs %ld)", s->file,
                           st0->arrived, s->warmup_jobs);
        goto cleanup;
    }
    if (st0->counted == 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: workload: no job arrived in the run (%g h)", s->file, s->hours);
        goto cleanup;
    }
    out->n = p.n;
    for (int g = 0; g < p.n && !rc; g++) {
        sim_cap_state *r = &p.st[g];
        sim_cap_advance(r, t_end);
        sim_cap_window_close(r, t_end);
        r->arrivals_done = 1; /* for the offered load's span: the arrival stream is over */
        rc = sim_cap_result_fill(r, &out->group[g], NULL, err, errsz);
    }
    if (!rc)
        rc = fill_all(&p, out, err, errsz);
cleanup:
    run_free(&p);
    return rc;
}

/* ---- --sweep max_containers=A..B -------------------------------------------------- */

typedef struct {
    const sim_cap_plan *pl;
    sim_cap_pipe_result *runs; /* by seq */
    int cap;
} pipe_sweep_ctx;

static int sweep_one(void *v, long size, int seq, sim_cap_result *out, char *err, size_t errsz)
{
    pipe_sweep_ctx *c = v;
    sim_cap_plan pl = *c->pl; /* a view: the same scenarios, caps replaced in copies */
    model_scenario views[SIM_CAP_PIPE_MAX];
    if (seq >= c->cap) {
        int n = c->cap ? 2 * c->cap : 16;
        sim_cap_pipe_result *a = realloc(c->runs, (size_t)n * sizeof *a);
        if (!a)
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        c->runs = a;
        c->cap = n;
    }
    for (int g = 0; g < pl.n; g++) {
        views[g] = c->pl->view[g];
        if (!pl.own_max[g])
            views[g].max_containers = (int)size;
    }
    pl.view = views;
    int rc = sim_cap_pipe_run(&pl, pl.view[0].seed, &c->runs[seq], err, errsz);
    if (!rc)
        *out = c->runs[seq].all;
    return rc;
}

int sim_cap_pipe_sweep_run(const sim_cap_plan *pl, const sim_cap_sweep_spec *spec, sim_cap_pipe_sweep *out,
                           char *err, size_t errsz)
{
    pipe_sweep_ctx c = {pl, NULL, 0};
    long lo = spec->from, hi = spec->to;
    int swept = 0, rc;
    memset(out, 0, sizeof *out);
    for (int g = 0; g < pl->n; g++) {
        const model_scenario *v = &pl->view[g];
        if (pl->own_max[g])
            continue;
        swept = 1;
        lo = lo > v->min_containers ? lo : v->min_containers;
        lo = lo > v->buffer_containers ? lo : v->buffer_containers;
        lo = lo > v->initial_warm ? lo : v->initial_warm;
    }
    if (!swept)
        return base_errf(err, errsz, BASE_EINPUT,
                         "--sweep: nothing to sweep: every group has its own max_containers (--group)");
    if (lo > hi)
        return base_errf(err, errsz, BASE_EINPUT,
                         "--sweep: nothing to run: a group's min_containers / buffer_containers / initial_warm "
                         "exceed %ld", hi);
    if ((rc = sim_cap_sweep_run_fn(lo, hi, spec->p95_target, sweep_one, &c, &out->sw, err, errsz))) {
        free(c.runs);
        return rc;
    }
    /* the groups in the order of sw->runs (ascending size) */
    out->group = malloc((size_t)(out->sw->n ? out->sw->n : 1) * sizeof *out->group);
    if (!out->group) {
        free(c.runs);
        sim_cap_pipe_sweep_free(out);
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    }
    for (int i = 0; i < out->sw->n; i++)
        out->group[i] = c.runs[out->sw->runs[i].seq];
    free(c.runs);
    return BASE_OK;
}

void sim_cap_pipe_sweep_free(sim_cap_pipe_sweep *ps)
{
    sim_cap_sweep_free(ps->sw);
    free(ps->group);
    ps->sw = NULL;
    ps->group = NULL;
}
