/* sim/job_events.c -- the event path: the job on sim/engine.h when an effect
 * couples its containers (shared link, caps, chunk queue, backups,
 * failures). */
#define HAVE_INLINE 1 /* GSL's switch for inline gsl_rng_uniform & co. */
#include "sim/job_impl.h"

#include "base/status.h"

#include <string.h>

/* ---- event path ----------------------------------------------------------- */

enum { EV_DL_START, EV_DL_DONE, EV_DONE, EV_DEATH };

static void on_dl_start(sim *e, const sim_event *ev, void *ctx);
static void on_dl_done(sim *e, const sim_event *ev, void *ctx);
static void on_done(sim *e, const sim_event *ev, void *ctx);
static void on_death(sim *e, const sim_event *ev, void *ctx);

sim_job_ws *sim_job_ws_new(void)
{
    sim_job_ws *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->eng = sim_new(0);
    if (!w->eng) {
        free(w);
        return NULL;
    }
    sim_on(w->eng, EV_DL_START, on_dl_start, w);
    sim_on(w->eng, EV_DL_DONE, on_dl_done, w);
    sim_on(w->eng, EV_DONE, on_done, w);
    sim_on(w->eng, EV_DEATH, on_death, w);
    return w;
}

void sim_job_ws_free(sim_job_ws *w)
{
    if (!w)
        return;
    sim_free(w->eng);
    free(w->dd);
    free(w->c);
    free(w->h);
    free(w->pq);
    free(w->bq);
    free(w->act);
    free(w);
}

static int grow_chunks(sim_job_ws *w, size_t m)
{
    if (m <= w->hcap)
        return 0;
    size_t n = w->hcap ? w->hcap : 16;
    while (n < m)
        n *= 2;
    chunk_st *h = realloc(w->h, n * sizeof *h);
    if (!h)
        return -1;
    w->h = h;
    int *a[2] = {w->pq, w->bq};
    for (int i = 0; i < 2; i++) {
        int *q = realloc(a[i], n * sizeof *q);
        if (!q)
            return -1;
        a[i] = q;
        if (i == 0) w->pq = q;
        if (i == 1) w->bq = q;
    }
    w->hcap = n;
    return 0;
}

/* Chunk queue: a deque (restarts go first); backup queue: FIFO. */
static void pq_push_back(sim_job_ws *w, int j)
{
    int m = w->j->chunks;
    assert(w->pq_len < m);
    w->pq[(w->pq_head + w->pq_len++) % m] = j;
}

static void pq_push_front(sim_job_ws *w, int j)
{
    int m = w->j->chunks;
    assert(w->pq_len < m);
    w->pq_head = (w->pq_head + m - 1) % m;
    w->pq[w->pq_head] = j;
    w->pq_len++;
}

static int pq_pop(sim_job_ws *w)
{
    assert(w->pq_len > 0);
    int j = w->pq[w->pq_head];
    w->pq_head = (w->pq_head + 1) % w->j->chunks;
    w->pq_len--;
    return j;
}

static int bq_pop(sim_job_ws *w)
{
    assert(w->bq_len > 0);
    int j = w->bq[w->bq_head];
    w->bq_head = (w->bq_head + 1) % w->j->chunks;
    w->bq_len--;
    return j;
}

static int backup_valid(const sim_job_ws *w, int j)
{
    return !w->h[j].done && w->h[j].copies == 1;
}

/* -- the shared link: processor sharing ------------------------------------
 * Every active download runs at the same rate r(n) = min(download_mb_s,
 * shared / n), so they progress together: V, the MB each active download
 * has received on the link's clock, grows at r(n). A download that joined
 * at V0 is done at V = V0 + input_mb; the sizes being equal, downloads end
 * in the order they joined, and only the head's end is ever scheduled.
 * O(1) per start and end; O(active) to drop one from the middle (a copy
 * cancelled or dead while downloading). A container joins at most once, so
 * join order fits an array of one slot per container launched. */

static double ps_rate(const sim_job *j, int n)
{
    double r = j->shared_bw / n;
    return j->per_bw > 0 && j->per_bw < r ? j->per_bw : r;
}

static void ps_advance(sim_job_ws *w, double now)
{
    w->ps_v += w->ps_rate * (now - w->ps_last);
    w->ps_last = now;
}

/* After the active set changed at `now` (advanced already). */
static void ps_resched(sim_job_ws *w, double now)
{
    sim_cancel(w->eng, w->ps_ev);
    w->ps_ev = 0;
    int n = w->act_tail - w->act_head;
    if (n == 0)
        return;
    w->ps_rate = ps_rate(w->j, n);
    int head = w->act[w->act_head];
    double rem = w->j->input_mb - (w->ps_v - w->c[head].v0);
    w->ps_ev = sim_at(w->eng, now + (rem > 0 ? rem / w->ps_rate : 0), EV_DL_DONE, head, 0);
}

static void ps_join(sim_job_ws *w, int ci, double now)
{
    ps_advance(w, now);
    w->c[ci].v0 = w->ps_v;
    w->c[ci].in_dl = 2;
    assert((size_t)w->act_tail < w->acap);
    w->act[w->act_tail++] = ci;
    ps_resched(w, now);
}

static void ps_leave(sim_job_ws *w, int ci, double now)
{
    ps_advance(w, now);
    int i = w->act_head;
    while (i < w->act_tail && w->act[i] != ci)
        i++;
    assert(i < w->act_tail);
    if (i == w->act_head) {
        w->act_head++;
    } else {
        memmove(w->act + i, w->act + i + 1, (size_t)(w->act_tail - i - 1) * sizeof *w->act);
        w->act_tail--;
    }
    w->c[ci].in_dl = 0;
    ps_resched(w, now);
}

/* -- containers ------------------------------------------------------------ */

/* tb[p] known: fill tb[p+1..NPH] from the durations of present phases. */
static void timeline_from(cont *c, int p)
{
    for (int q = p; q < NPH; q++)
        c->tb[q + 1] = c->tb[q] + ((c->present >> q & 1u) ? c->dur[q] : 0.0);
}

/* Emit (trace) and total (sum) the current chunk's phases up to `now`. */
static void account(sim_job_ws *w, int ci, int chunk, double now)
{
    cont *c = &w->c[ci];
    for (int p = 0; p < NPH; p++) {
        if (!(c->present >> p & 1u))
            continue;
        double a = c->tb[p];
        if ((c->in_dl && p > SIM_PH_DOWNLOAD) || (c->in_dl == 1 && p == SIM_PH_DOWNLOAD))
            break;   /* boundaries past the link are not known yet */
        double b = c->in_dl && p == SIM_PH_DOWNLOAD ? now : c->tb[p + 1];
        if (a >= now && b > a)
            break;   /* not begun */
        if (b > now)
            b = now;
        if (a > b)
            a = b;
        c->sum[p] += b - a;
        if (w->trace)
            w->trace(w->tctx, w->j->k, ci, chunk, (sim_job_phase)p, a, b);
    }
}

static void chunk_drop_copy(sim_job_ws *w, int j, int ci)
{
    chunk_st *h = &w->h[j];
    assert(h->copies > 0);
    if (h->cp[0] == ci)
        h->cp[0] = -1;
    else {
        assert(h->cp[1] == ci);
        h->cp[1] = -1;
    }
    h->copies--;
}

/* Stop container ci's current copy at `now` (cancelled or died). */
static void cut(sim_job_ws *w, int ci, double now, sim_job_phase mark)
{
    cont *c = &w->c[ci];
    int j = c->chunk;
    if (j < 0)
        return;
    sim_cancel(w->eng, c->ev);
    c->ev = 0;
    account(w, ci, j, now);
    if (c->in_dl == 2)
        ps_leave(w, ci, now);
    c->in_dl = 0;
    if (w->trace)
        w->trace(w->tctx, w->j->k, ci, j, mark, now, now);
    chunk_drop_copy(w, j, ci);
    c->chunk = -1;
}

static void container_exit(sim_job_ws *w, int ci, double now)
{
    cont *c = &w->c[ci];
    assert(c->alive && c->chunk < 0);
    c->alive = 0;
    w->live--;
    sim_cancel(w->eng, c->death);
    c->death = 0;
    double life = now - c->launch;
    life = model_chunk_billable_s(&w->j->bill, !c->warm, life, c->start);
    c->bill = billed(w->j, life);
}

/* Give chunk j to container ci from time t0 (>= now); with_start: the
 * container's start phase comes first (a new container). */
static void assign(sim_job_ws *w, int ci, int j, double t0, int with_start)
{
    const sim_job *J = w->j;
    const model_scenario *s = J->s;
    cont *c = &w->c[ci];
    chunk_st *h = &w->h[j];
    assert(h->copies < 2 && !h->done);
    h->cp[h->cp[0] < 0 ? 0 : 1] = ci;
    h->copies++;
    c->chunk = j;
    int big = j < J->extra;
    c->present = (1u << SIM_PH_REQUEST) | (1u << SIM_PH_FFMPEG_START) | (1u << SIM_PH_PROCESS) |
                 (1u << SIM_PH_UPLOAD);
    c->dur[SIM_PH_START] = with_start ? c->start : 0;
    if (with_start)
        c->present |= 1u << SIM_PH_START;
    c->dur[SIM_PH_REQUEST] = draw(&s->request, w->rng);
    c->dur[SIM_PH_DOWNLOAD] = J->dl;
    if (!c->has_input)
        c->present |= 1u << SIM_PH_DOWNLOAD;
    c->dur[SIM_PH_FFMPEG_START] = draw(&s->ffmpeg_start, w->rng);
    c->dur[SIM_PH_SEEK] = j > 0 ? draw(&s->seek, w->rng) : 0;
    if (j > 0)
        c->present |= 1u << SIM_PH_SEEK;
    c->dur[SIM_PH_PROCESS] = draw(&J->proc[big], w->rng);
    c->dur[SIM_PH_UPLOAD] = J->up[big];
    c->tb[0] = t0;
    if (J->shared && !c->has_input) {
        c->tb[1] = c->tb[0] + c->dur[SIM_PH_START];
        c->tb[2] = c->tb[1] + c->dur[SIM_PH_REQUEST];
        c->in_dl = 1;
        c->ev = sim_at(w->eng, c->tb[2], EV_DL_START, ci, j);
    } else {
        timeline_from(c, 0);
        c->in_dl = 0;
        c->ev = sim_at(w->eng, c->tb[NPH], EV_DONE, ci, j);
    }
}

/* A new container for chunk j at `now`. May move w->c. */
static void launch(sim_job_ws *w, int j, double now)
{
    const sim_job *J = w->j;
    if (grow((void **)&w->c, &w->ccap, (size_t)w->nc + 1, sizeof *w->c) ||
        grow((void **)&w->act, &w->acap, (size_t)w->nc + 1, sizeof *w->act)) {
        w->oom = 1;
        sim_stop(w->eng);
        return;
    }
    int ci = w->nc++;
    cont *c = &w->c[ci];
    memset(c, 0, sizeof *c);
    c->chunk = -1;
    c->launch = now;
    c->warm = ci < J->minc;
    c->start = draw(c->warm ? &J->s->warm_start : &J->s->cold_start, w->rng);
    c->alive = 1;
    w->live++;
    if (J->fail_mean > 0)
        c->death = sim_at(w->eng, now + model_ran_exp(w->rng, J->fail_mean), EV_DEATH, ci, 0);
    assign(w, ci, j, now, 1);
}

/* Start containers for waiting work while slots are free. */
static void ensure_launch(sim_job_ws *w, double now)
{
    while (w->pq_len > 0 && w->live < w->j->pool && !w->oom)
        launch(w, pq_pop(w), now);
    while (w->bq_len > 0 && w->live < w->j->cap && !w->oom) {
        int j = bq_pop(w);
        if (backup_valid(w, j)) {
            w->h[j].backed = 1;
            launch(w, j, now);
        }
    }
}

/* A free container takes the next chunk, else a backup; 0 if none. */
static int take_task(sim_job_ws *w, int ci, double now)
{
    if (w->pq_len > 0) {
        assign(w, ci, pq_pop(w), now, 0);
        return 1;
    }
    while (w->bq_len > 0) {
        int j = bq_pop(w);
        if (backup_valid(w, j)) {
            assign(w, ci, j, now, 0);
            return 1;
        }
    }
    return 0;
}

/* The job is over at `now` (done or failed): stop every container. */
static void finish(sim_job_ws *w, double now, int crit, int failed)
{
    for (int i = 0; i < w->nc; i++)
        if (w->c[i].alive) {
            cut(w, i, now, SIM_PH_CANCELLED);
            container_exit(w, i, now);
        }
    w->t_end = now;
    w->crit = crit;
    w->failed = failed;
    w->ended = 1;
    sim_stop(w->eng);
}

static void on_dl_start(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    int ci = ev->a;
    cont *c = &w->c[ci];
    assert(c->in_dl == 1 && c->chunk == ev->b);
    c->ev = 0;
    ps_join(w, ci, ev->t);
}

static void on_dl_done(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    int ci = ev->a;
    w->ps_ev = 0;
    ps_leave(w, ci, ev->t);
    cont *c = &w->c[ci];
    c->has_input = 1;
    c->dur[SIM_PH_DOWNLOAD] = ev->t - c->tb[SIM_PH_DOWNLOAD];
    c->tb[SIM_PH_DOWNLOAD + 1] = ev->t;
    timeline_from(c, SIM_PH_DOWNLOAD + 1);
    c->ev = sim_at(w->eng, c->tb[NPH], EV_DONE, ci, c->chunk);
}

static void on_done(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    const sim_job *J = w->j;
    int ci = ev->a, j = ev->b;
    double now = ev->t;
    cont *c = &w->c[ci];
    assert(c->chunk == j && !w->h[j].done);
    c->ev = 0;
    account(w, ci, j, now);
    c->has_input = 1;
    chunk_drop_copy(w, j, ci);
    c->chunk = -1;
    chunk_st *h = &w->h[j];
    h->done = 1;
    w->ndone++;
    int other = h->cp[0] >= 0 ? h->cp[0] : h->cp[1];
    if (other >= 0) {   /* the losing copy stops now; its container exits */
        cut(w, other, now, SIM_PH_CANCELLED);
        container_exit(w, other, now);
    }
    if (w->ndone == J->chunks) {
        finish(w, now, ci, 0);
        return;
    }
    if (J->spec_count > 0 && !w->triggered && w->ndone >= J->spec_count) {
        w->triggered = 1;
        for (int q = 0; q < J->chunks; q++)
            if (backup_valid(w, q) && !w->h[q].backed) {
                w->h[q].backed = 1;
                w->bq[(w->bq_head + w->bq_len++) % J->chunks] = q;
            }
    }
    if (!take_task(w, ci, now))
        container_exit(w, ci, now);
    ensure_launch(w, now);
}

static void on_death(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    int ci = ev->a;
    double now = ev->t;
    cont *c = &w->c[ci];
    assert(c->alive && c->chunk >= 0);
    c->death = 0;
    int j = c->chunk;
    cut(w, ci, now, SIM_PH_DIED);
    container_exit(w, ci, now);
    chunk_st *h = &w->h[j];
    if (h->copies == 0) {
        if (++h->retries > w->j->max_retries) {
            finish(w, now, ci, 1);
            return;
        }
        pq_push_front(w, j);
    }
    ensure_launch(w, now);
}

int sim_job_events_run(const sim_job *J, sim_job_ws *w, gsl_rng *rng, sim_job_trace_fn trace, void *tctx,
                       sim_job_result *out, char *err, size_t errsz)
{
    int m = J->chunks;
    if (grow_chunks(w, (size_t)m) || grow((void **)&w->c, &w->ccap, (size_t)m + 1, sizeof *w->c) ||
        grow((void **)&w->act, &w->acap, (size_t)m + 1, sizeof *w->act))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    sim_reset(w->eng);
    w->j = J;
    w->rng = rng;
    w->trace = trace;
    w->tctx = tctx;
    w->nc = w->live = w->ndone = w->triggered = w->ended = w->failed = w->oom = 0;
    w->crit = -1;
    w->pq_head = w->pq_len = w->bq_head = w->bq_len = w->act_head = w->act_tail = 0;
    w->t_end = w->ps_v = w->ps_last = w->ps_rate = 0;
    w->ps_ev = 0;
    for (int q = 0; q < m; q++) {
        w->h[q] = (chunk_st){.cp = {-1, -1}};
        pq_push_back(w, q);
    }
    ensure_launch(w, 0);
    int rc = sim_run(w->eng);
    if (rc || w->oom || sim_failed(w->eng))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    assert(w->ended && w->crit >= 0);
    if (!w->ended)
        return base_errf(err, errsz, BASE_ERUNTIME, "sim: job stalled (internal error)");
    double bill = 0;
    for (int i = 0; i < w->nc; i++)
        bill += w->c[i].bill;
    double concat = 0, ccost = 0;
    if (m > 1 && !w->failed)
        draw_concat(J, rng, &concat, &ccost);
    const cont *c = &w->c[w->crit];
    out->wall = w->t_end + concat;
    out->cost = bill * J->rate + ccost;
    out->bd = (model_breakdown){c->launch + c->sum[0], c->sum[1], c->sum[2], c->sum[3],
                                c->sum[4],            c->sum[5], c->sum[6], concat};
    out->failed = w->failed;
    out->containers = w->nc;
    out->events = sim_executed(w->eng);
    if (trace && m > 1 && !w->failed)
        trace(tctx, J->k, -1, -1, SIM_PH_CONCAT, w->t_end, w->t_end + concat);
    return BASE_OK;
}
