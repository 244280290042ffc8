/* sim/job_direct.c -- the direct path: each container's finish computed in
 * turn, no event at all (no effect couples the containers), and the
 * dispatch of sim_job_run() between it and the event path. */
#define HAVE_INLINE 1 /* GSL's switch for inline gsl_rng_uniform & co. */
#include "sim/job_impl.h"

#include "base/status.h"

/* ---- direct path -------------------------------------------------------- */

void sim_job_direct_run(const sim_job *j, direct_draws *d, gsl_rng *rng, const double *given,
                        sim_job_trace_fn trace, void *tctx, sim_job_result *out)
{
    const model_scenario *s = j->s;
    const model_dist *cold = &s->cold_start, *warm_d = &s->warm_start, *req = &s->request,
                     *ffm = &s->ffmpeg_start, *seek = &s->seek;
    const double dl = j->dl;
    const int round = j->bill.granularity_s > 0 || j->bill.minimum_s > 0, k = j->k, minc = j->minc,
              extra = j->extra, bill_cold = j->bill.includes_cold_start;
    double tmax = -INFINITY, bill = 0;
    int imax = 0;
    if (given && !trace && !round) {
        /* common starts, no rounding: the critical container by class of
         * rest (first, big chunks, small chunks), the bill as sums */
        int e = extra < k ? extra : k, w = minc < k ? minc : k;
        tmax = given[0] + j->rest[0][0 < extra];
        for (int i = 1; i < e; i++) {
            double t = given[i] + j->rest[1][1];
            imax = t > tmax ? i : imax;
            tmax = t > tmax ? t : tmax;
        }
        for (int i = e > 1 ? e : 1; i < k; i++) {
            double t = given[i] + j->rest[1][0];
            imax = t > tmax ? i : imax;
            tmax = t > tmax ? t : tmax;
        }
        double sw = 0, sc = 0;
        for (int i = 0; i < w; i++)
            sw += given[i];
        for (int i = w; i < k; i++)
            sc += given[i];
        bill = j->rest_sum + sw + (bill_cold ? sc : 0);
        d[imax] = (direct_draws){given[imax], j->rq, j->ff, imax > 0 ? j->sk : 0, j->pr[imax < extra]};
        goto done;
    }
    if (j->folded && !trace) {
        /* only the start is random: t = start + a constant per class (the
         * sum in another order than the event path's: equal to ~1e-16) */
        for (int i = 0; i < k; i++) {
            int warm = i < minc;
            double st = given ? given[i] : draw(warm ? warm_d : cold, rng);
            double t = st + j->rest[i > 0][i < extra];
            double b = model_chunk_billable_s(&j->bill, !warm, t, st);
            d[i].st = st;
            bill += round ? billed(j, b) : b;
            imax = t > tmax ? i : imax;
            tmax = t > tmax ? t : tmax;
        }
        int big = imax < extra;
        d[imax] = (direct_draws){d[imax].st, j->rq, j->ff, imax > 0 ? j->sk : 0, j->pr[big]};
        goto done;
    }
    for (int i = 0; i < k; i++) {
        int warm = i < minc, big = i < extra;
        double st = given ? given[i] : draw(warm ? warm_d : cold, rng);
        double rq = draw(req, rng);
        double ff = draw(ffm, rng);
        double sk = i > 0 ? draw(seek, rng) : 0;
        double pr = draw(&j->proc[big], rng);
        d[i] = (direct_draws){st, rq, ff, sk, pr};
        /* The event path's chain of boundaries, from 0: the same sums. */
        double t = st + rq;
        t += dl;
        t += ff;
        t += sk;
        t += pr;
        t += j->up[big];
        double b = model_chunk_billable_s(&j->bill, !warm, t, st);
        bill += round ? billed(j, b) : b;
        imax = t > tmax ? i : imax;
        tmax = t > tmax ? t : tmax;
    }
done:;
    const direct_draws *m = &d[imax];
    double concat = 0, ccost = 0;
    if (j->chunks > 1)
        draw_concat(j, rng, &concat, &ccost);
    out->wall = tmax + concat;
    out->cost = bill * j->rate + ccost;
    out->bd = (model_breakdown){m->st, m->rq, dl, m->ff, m->sk, m->pr, j->up[imax < extra], concat};
    out->failed = 0;
    out->containers = k;
    out->events = 0;
    if (trace) {
        for (int i = 0; i < k; i++) {
            double ph[NPH] = {d[i].st, d[i].rq, dl, d[i].ff, d[i].sk, d[i].pr, j->up[i < extra]}, a = 0;
            for (int p = 0; p < NPH; p++) {
                if (p == SIM_PH_SEEK && i == 0)
                    continue;
                trace(tctx, k, i, i, (sim_job_phase)p, a, a + ph[p]);
                a += ph[p];
            }
        }
        if (j->chunks > 1)
            trace(tctx, k, -1, -1, SIM_PH_CONCAT, tmax, tmax + concat);
    }
}

int sim_job_run(const sim_job *j, sim_job_ws *w, gsl_rng *rng, sim_job_trace_fn trace, void *tctx,
                sim_job_result *out, char *err, size_t errsz)
{
    if (!j->events) {
        if (grow((void **)&w->dd, &w->ddcap, (size_t)j->k, sizeof *w->dd))
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        sim_job_direct_run(j, w->dd, rng, NULL, trace, tctx, out);
        return BASE_OK;
    }
    return sim_job_events_run(j, w, rng, trace, tctx, out, err, errsz);
}
