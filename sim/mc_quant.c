/* sim/mc_quant.c -- see sim/mc_quant.h: planning and closing passes (the
 * streaming is sim/mc_quant_scan.c). */
#include "sim/mc_quant_impl.h"

#include "base/status.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QPASS_MAX 40
#define PILOT_MAX (UINT64_C(1) << 15)
#define BRACKET_SD 6             /* bracket half-width in the pilot's sd: a miss (p ~ 1e-9) costs a pass */

static const double qf[SIM_QUANT_NF] = {0.50, 0.95, 0.99};

uint64_t sim_quant_pilot_size(int narrays, size_t budget)
{
    uint64_t p = (budget ? budget : SIM_QUANT_BUDGET) / (uint64_t)(narrays > 0 ? narrays : 1);
    return p < 16 ? 16 : p < PILOT_MAX ? p : PILOT_MAX;
}

/* Ranks lhs = floor(f (n - 1)) and lhs + 1 of each fraction, deduplicated. */
static void ranks_init(qarr *ar, uint64_t n)
{
    ar->nrk = 0;
    for (int q = 0; q < SIM_QUANT_NF; q++) {
        double index = qf[q] * (double)(n - 1);
        uint64_t lhs = (uint64_t)index;
        ar->delta[q] = index - (double)lhs;
        if (ar->nrk == 0 || ar->rk[ar->nrk - 1].rank != lhs)
            ar->rk[ar->nrk++] = (qrank){.rank = lhs};
        ar->at[q] = ar->nrk - 1;
        if (lhs + 1 < n && ar->delta[q] > 0)
            ar->rk[ar->nrk++] = (qrank){.rank = lhs + 1};
    }
}

int sim_quant_new(int narrays, uint64_t n, unsigned threads, size_t budget, sim_quant **out, char *err,
                  size_t errsz)
{
    *out = NULL;
    if (narrays < 1 || n < 1 || threads < 1)
        return base_errf(err, errsz, BASE_EINPUT, "quantiles: %d arrays of %llu values on %u threads",
                          narrays, (unsigned long long)n, threads);
    sim_quant *q = calloc(1, sizeof *q);
    if (!q || !(q->arr = calloc((size_t)narrays, sizeof *q->arr)) ||
        !(q->t = calloc((size_t)narrays * threads, sizeof *q->t)) || pthread_mutex_init(&q->lock, NULL)) {
        if (q) {
            free(q->arr);
            free(q->t);
        }
        free(q);
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    }
    q->A = narrays;
    q->n = n;
    q->T = threads;
    q->budget = budget ? budget : SIM_QUANT_BUDGET;
    q->P = sim_quant_pilot_size(narrays, q->budget);
    for (int a = 0; a < narrays; a++)
        ranks_init(&q->arr[a], n);
    *out = q;
    return BASE_OK;
}

static void pass_free(sim_quant *q)
{
    free(q->tbins);
    free(q->mbins);
    free(q->kept);
    free(q->edges);
    q->tbins = NULL;
    q->mbins = NULL;
    q->kept = q->edges = NULL;
}

void sim_quant_free(sim_quant *q)
{
    if (!q)
        return;
    pass_free(q);
    pthread_mutex_destroy(&q->lock);
    free(q->arr);
    free(q->t);
    free(q);
}

int sim_quant_passes(const sim_quant *q) { return q->passes; }

int sim_quant_bins(const sim_quant *q)
{
    for (int a = 0; a < q->A; a++)
        for (int j = 0; j < q->arr[a].niv; j++)
            if (q->arr[a].iv[j].hist)
                return 1;
    return 0;
}
size_t sim_quant_peak_kept(const sim_quant *q) { return q->kept_peak; }

void sim_quant_get(const sim_quant *q, int a, double out[SIM_QUANT_NF])
{
    for (int f = 0; f < SIM_QUANT_NF; f++)
        out[f] = q->arr[a].out[f];
}

/* ---- planning ------------------------------------------------------------------ */

/* The k[q]-th smallest (0-based) of x[0..n) for the m ascending ranks k[],
 * permuting x: quickselect on few values; on many, 1024 buckets of [min,
 * max] by a monotone map (so a bucket holds a run of the sorted values)
 * counted, the wanted buckets' values gathered in one more pass, and each
 * rank selected among its bucket's (3 passes for any m, against ~14 ns per
 * value and rank for quickselect). */
static void select_ranks(double *x, size_t n, const uint64_t *k, int m, double *out)
{
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    double scale = QNB / (hi - lo), *y = NULL;
    size_t count[QNB] = {0}, off[QNB], fill[QNB], total = 0;
    int bk[QRK];
#define BUCKET(v) ((v) >= hi ? QNB - 1 : (int)(((v) - lo) * scale) < QNB - 1 ? (int)(((v) - lo) * scale) : QNB - 1)
    if (n >= 4096 && hi > lo && isfinite(scale)) {
        for (size_t i = 0; i < n; i++)
            count[BUCKET(x[i])]++;
        size_t below = 0;
        int b = 0;
        for (int q = 0; q < m; q++) { /* ranks ascend: so do their buckets */
            while (below + count[b] <= k[q])
                below += count[b++];
            bk[q] = b;
            if (q == 0 || bk[q - 1] != b) {
                off[b] = total;
                fill[b] = 0;
                total += count[b];
            }
        }
        y = malloc(total * sizeof *y);
    }
    if (!y) { /* few values, one value, or no memory: quickselect on all */
        for (int q = 0; q < m; q++)
            out[q] = gsl_stats_select(x, 1, n, (size_t)k[q]);
        return;
    }
    signed char wanted[QNB];
    memset(wanted, 0, sizeof wanted);
    for (int q = 0; q < m; q++)
        wanted[bk[q]] = 1;
    for (size_t i = 0; i < n; i++) {
        int b = BUCKET(x[i]);
        if (wanted[b])
            y[off[b] + fill[b]++] = x[i];
    }
    size_t before = 0;
    for (int b = 0, q = 0; q < m; b++) {
        while (q < m && bk[q] == b) {
            out[q] = gsl_stats_select(y + off[b], 1, count[b], (size_t)(k[q] - before));
            q++;
        }
        before += count[b];
    }
#undef BUCKET
    free(y);
}

/* Edges of QNB bins over [lo, hi): monotone, edges[0] = lo, edges[QNB] = hi. */
static void set_edges(qiv *iv, double *e)
{
    iv->edges = e;
    for (int b = 0; b <= QNB; b++) {
        double f = (double)b / QNB;
        double v = iv->lo * (1 - f) + iv->hi * f; /* no overflow for finite ends */
        v = v < iv->lo ? iv->lo : v > iv->hi ? iv->hi : v;
        e[b] = b == 0 ? iv->lo : b == QNB ? iv->hi : (v < e[b - 1] ? e[b - 1] : v);
    }
    double w = iv->hi - iv->lo;
    iv->wide = !isfinite(w);
    iv->inv = w > 0 && !iv->wide ? QNB / w : 0;
    for (int b = 0; iv->wide && b < QNB; b++) /* one bin, the last: [lo, hi) */
        e[b] = iv->lo;
}

/* Allocates this pass's buffers for the intervals set in q->arr[*].iv
 * (lo, hi, hist, cap); resets every count. */
static int pass_alloc(sim_quant *q)
{
    size_t nh = 0, nk = 0;
    for (int a = 0; a < q->A; a++)
        for (int j = 0; j < q->arr[a].niv; j++) {
            const qiv *iv = &q->arr[a].iv[j];
            nh += iv->hist;
            nk += iv->hist ? 0 : iv->cap;
        }
    q->tbins = nh ? calloc(nh * QNB * q->T, sizeof *q->tbins) : NULL;
    q->mbins = nh ? calloc(nh * QNB, sizeof *q->mbins) : NULL;
    q->edges = nh ? malloc(nh * (QNB + 1) * sizeof *q->edges) : NULL;
    q->kept = nk ? malloc(nk * sizeof *q->kept) : NULL;
    if ((nh && (!q->tbins || !q->mbins || !q->edges)) || (nk && !q->kept))
        return -1;
    q->kept_peak = nk > q->kept_peak ? nk : q->kept_peak;
    size_t h = 0, k = 0;
    for (int a = 0; a < q->A; a++) {
        qarr *ar = &q->arr[a];
        for (int j = 0; j < ar->niv; j++) {
            qiv *iv = &ar->iv[j];
            iv->count = iv->below = 0;
            iv->min = INFINITY;
            iv->max = -INFINITY;
            atomic_init(&iv->fill, 0);
            iv->nsel = -1;
            if (iv->hist) {
                set_edges(iv, q->edges + h * (QNB + 1));
                iv->bins = q->mbins + h * QNB;
                for (unsigned t = 0; t < q->T; t++)
                    q->t[(size_t)t * q->A + a].iv[j].bins = q->tbins + ((size_t)t * nh + h) * QNB;
                h++;
            } else {
                iv->buf = q->kept + k;
                k += iv->cap;
            }
        }
        for (unsigned t = 0; t < q->T; t++) {
            qtarr *ta = &q->t[(size_t)t * q->A + a];
            ta->seen = 0;
            for (int j = 0; j < ar->niv; j++) {
                qtiv *ti = &ta->iv[j];
                ti->count = ti->below = 0;
                ti->min = INFINITY;
                ti->max = -INFINITY;
                ti->nst = 0;
            }
        }
    }
    return 0;
}

static void keep_all(qarr *ar, uint64_t m)
{
    ar->niv = 1;
    ar->iv[0] = (qiv){.lo = -INFINITY, .hi = INFINITY, .hist = 0, .cap = (size_t)m};
}

/* Pass 1's brackets from the pilot's values y[0..P) (permuted): one per
 * fraction, the order statistics f (P - 1) -/+ (BRACKET_SD sd + 2) found by
 * selection, merged where they meet; each with room for its expected count
 * (n / P times the pilot's) and 6 sd of error, or none for a single value
 * (an atom: binned, settled by min = max). */
static void brackets(sim_quant *q, qarr *ar, double *y, double *expect)
{
    uint64_t P = q->P;
    double lo[SIM_QUANT_NF], hi[SIM_QUANT_NF], v[2 * SIM_QUANT_NF];
    size_t rk[2 * SIM_QUANT_NF];
    for (int f = 0; f < SIM_QUANT_NF; f++) {
        double c = qf[f] * (double)(P - 1), h = BRACKET_SD * sqrt(qf[f] * (1 - qf[f]) * (double)P) + 2;
        rk[2 * f] = c - h <= 0 ? 0 : (size_t)(c - h);
        rk[2 * f + 1] = c + h + 2 >= (double)(P - 1) ? (size_t)P - 1 : (size_t)(c + h + 2);
    }
    select_ranks(y, (size_t)P, rk, 2 * SIM_QUANT_NF, v);
    for (int f = 0; f < SIM_QUANT_NF; f++) {
        lo[f] = v[2 * f];
        hi[f] = nextafter(v[2 * f + 1], INFINITY);
    }
    ar->niv = 0;
    for (int f = 0; f < SIM_QUANT_NF; f++) { /* lo[] ascends with f: merge into the last */
        if (ar->niv > 0 && lo[f] <= ar->iv[ar->niv - 1].hi) {
            qiv *last = &ar->iv[ar->niv - 1];
            last->hi = hi[f] > last->hi ? hi[f] : last->hi;
            last->lo = lo[f] < last->lo ? lo[f] : last->lo;
            continue;
        }
        ar->iv[ar->niv++] = (qiv){.lo = lo[f], .hi = hi[f], .hist = 1};
    }
    uint64_t inside[QIV] = {0};
    for (uint64_t i = 0; i < P; i++)
        for (int j = 0; j < ar->niv; j++)
            inside[j] += y[i] >= ar->iv[j].lo && y[i] < ar->iv[j].hi;
    for (int j = 0; j < ar->niv; j++) {
        qiv *iv = &ar->iv[j];
        if (nextafter(iv->lo, INFINITY) == iv->hi) {
            iv->cap = 0;
            continue;
        }
        /* the bracket's mass is known to ~1 / sqrt(inside) (its ends are
         * pilot order statistics), its count to sqrt(m) more: 6 sd of each */
        double m = (double)inside[j] / (double)P * (double)q->n;
        iv->cap = (size_t)(m * (1 + 6 / sqrt((double)inside[j] + 1)) + 6 * sqrt(m) + 64);
        *expect += (double)iv->cap;
    }
}

/* The open ranks' pieces as this pass's intervals (one per distinct
 * piece): kept while the budget lasts, or when binning made no progress;
 * binned otherwise. */
static void plan_open(sim_quant *q)
{
    size_t left = q->budget;
    for (int a = 0; a < q->A; a++) {
        qarr *ar = &q->arr[a];
        ar->niv = 0;
        for (int r = 0; r < ar->nrk; r++) {
            const qrank *rk = &ar->rk[r];
            if (rk->done || (ar->niv > 0 && ar->iv[ar->niv - 1].lo == rk->lo))
                continue;
            int fits = rk->count <= left;
            int keep = fits || rk->stuck >= 2 || q->passes >= QPASS_MAX - 1;
            if (fits)
                left -= (size_t)rk->count;
            ar->iv[ar->niv++] = (qiv){.lo = rk->lo, .hi = rk->hi, .hist = !keep,
                                      .cap = keep ? (size_t)rk->count : 0};
        }
    }
}

int sim_quant_begin(sim_quant *q, uint64_t *reps, char *err, size_t errsz)
{
    pass_free(q);
    q->first_full = 0;
    if (q->stage == 0) {
        int all = q->n <= q->P;
        for (int a = 0; a < q->A; a++)
            keep_all(&q->arr[a], all ? q->n : q->P);
        q->kind = all ? SIM_QUANT_FULL : SIM_QUANT_PILOT;
        q->first_full = all;
        *reps = all ? q->n : q->P;
    } else if (q->stage == 1) {
        q->kind = SIM_QUANT_FULL;
        q->first_full = 1;
        *reps = q->n;
    } else {
        int open = 0;
        for (int a = 0; a < q->A; a++)
            for (int r = 0; r < q->arr[a].nrk; r++)
                open += !q->arr[a].rk[r].done;
        if (!open)
            return q->kind = SIM_QUANT_DONE;
        plan_open(q);
        q->kind = SIM_QUANT_FULL;
        *reps = q->n;
    }
    if (pass_alloc(q)) {
        pass_free(q);
        base_errf(err, errsz, BASE_ERUNTIME, "out of memory (quantile pass)");
        return -1;
    }
    q->passes++;
    return q->kind;
}

/* ---- closing a pass ---------------------------------------------------------------- */

static void merge(sim_quant *q)
{
    for (int a = 0; a < q->A; a++) {
        qarr *ar = &q->arr[a];
        for (unsigned t = 0; t < q->T; t++) {
            qtarr *ta = &q->t[(size_t)t * q->A + a];
            for (int j = 0; j < ar->niv; j++) {
                qiv *iv = &ar->iv[j];
                qtiv *ti = &ta->iv[j];
                iv->count += ti->count;
                iv->below += ti->below;
                iv->min = ti->min < iv->min ? ti->min : iv->min;
                iv->max = ti->max > iv->max ? ti->max : iv->max;
                if (iv->hist)
                    for (int b = 0; b < QNB; b++)
                        iv->bins[b] += ti->bins[b];
                else if (ti->nst)
                    sim_quant_stage_flush(iv, ti);
            }
        }
    }
}

/* Rank rk inside interval iv (iv->below values under it): its value, or the
 * smaller piece that holds it. */
static void settle(qarr *ar, qiv *iv, qrank *rk)
{
    uint64_t within = rk->rank - iv->below;
    double lo = rk->lo, hi = rk->hi;
    if (iv->min == iv->max) {
        rk->done = 1;
        rk->value = iv->min;
        return;
    }
    if (!iv->hist) {
        size_t fill = atomic_load(&iv->fill);
        if (fill <= iv->cap) {
            if (iv->nsel < 0) { /* every open rank of the array inside: one selection */
                iv->nsel = 0;
                for (int r = 0; r < ar->nrk; r++) {
                    const qrank *x = &ar->rk[r];
                    if (!x->done && x->rank >= iv->below && x->rank - iv->below < fill)
                        iv->selk[iv->nsel++] = x->rank - iv->below;
                }
                select_ranks(iv->buf, fill, iv->selk, iv->nsel, iv->selv);
            }
            for (int q = 0; q < iv->nsel; q++)
                if (iv->selk[q] == within)
                    rk->value = iv->selv[q];
            rk->done = 1;
            return;
        }
        *rk = (qrank){.rank = rk->rank, .lo = iv->lo, .hi = iv->hi, .below = iv->below, .count = iv->count};
    } else {
        uint64_t cum = 0;
        int b = 0;
        while (b < QNB - 1 && within >= cum + iv->bins[b])
            cum += iv->bins[b++];
        /* the bin, within the values' range: finite even when the
         * interval was not (an outer gap, binned as one) */
        double blo = iv->edges[b], bhi = iv->edges[b + 1], top = nextafter(iv->max, INFINITY);
        *rk = (qrank){.rank = rk->rank, .lo = blo > iv->min ? blo : iv->min, .hi = bhi < top ? bhi : top,
                      .below = iv->below + cum, .count = iv->bins[b], .stuck = rk->stuck};
    }
    rk->stuck = rk->lo == lo && rk->hi == hi ? rk->stuck + 1 : 0;
}

/* After the first full pass: each rank in its gap or bracket. */
static void locate_first(sim_quant *q, qarr *ar)
{
    for (int r = 0; r < ar->nrk; r++) {
        qrank *rk = &ar->rk[r];
        uint64_t pos = 0;
        double prev = -INFINITY; /* the outer gaps are unbounded: see settle() */
        int j = 0;
        for (; j <= ar->niv; j++) {
            double glo = prev, ghi = j < ar->niv ? ar->iv[j].lo : INFINITY;
            uint64_t gap = j < ar->niv ? ar->iv[j].below - pos : q->n - pos;
            if (rk->rank < pos + gap) {
                *rk = (qrank){.rank = rk->rank, .lo = glo, .hi = ghi, .below = pos, .count = gap};
                break;
            }
            pos += gap;
            if (j < ar->niv && rk->rank < pos + ar->iv[j].count) {
                settle(ar, &ar->iv[j], rk);
                break;
            }
            pos += j < ar->niv ? ar->iv[j].count : 0;
            prev = j < ar->niv ? ar->iv[j].hi : prev;
        }
    }
}

static int pilot_end(sim_quant *q, char *err, size_t errsz)
{
    double expect = 0;
    for (int a = 0; a < q->A; a++) {
        qiv *iv = &q->arr[a].iv[0];
        if (atomic_load(&iv->fill) != q->P)
            return base_errf(err, errsz, BASE_ERUNTIME, "quantiles: the pilot got %zu values of %llu",
                              atomic_load(&iv->fill), (unsigned long long)q->P);
        brackets(q, &q->arr[a], iv->buf, &expect);
    }
    int keep = expect <= (double)q->budget;
    for (int a = 0; a < q->A; a++)
        for (int j = 0; j < q->arr[a].niv; j++) {
            qiv *iv = &q->arr[a].iv[j];
            iv->hist = !keep || iv->cap == 0;
            iv->cap = iv->hist ? 0 : iv->cap;
        }
    q->stage = 1;
    return BASE_OK;
}

int sim_quant_end(sim_quant *q, char *err, size_t errsz)
{
    merge(q);
    if (q->kind == SIM_QUANT_PILOT)
        return pilot_end(q, err, errsz);
    for (int a = 0; a < q->A; a++) {
        qarr *ar = &q->arr[a];
        if (q->first_full) {
            locate_first(q, ar);
            continue;
        }
        for (int r = 0; r < ar->nrk; r++) {
            qrank *rk = &ar->rk[r];
            if (rk->done)
                continue;
            int j = 0;
            while (j < ar->niv - 1 && ar->iv[j].lo != rk->lo)
                j++;
            qiv *iv = &ar->iv[j];
            if (iv->lo != rk->lo || iv->count != rk->count)
                return base_errf(err, errsz, BASE_ERUNTIME,
                                  "quantiles: a pass counted %llu values where the last counted %llu "
                                  "(a replay that is not deterministic)",
                                  (unsigned long long)iv->count, (unsigned long long)rk->count);
            iv->below = rk->below;
            settle(ar, iv, rk);
        }
    }
    q->stage = 2;
    for (int a = 0; a < q->A; a++) {
        qarr *ar = &q->arr[a];
        for (int f = 0; f < SIM_QUANT_NF; f++) {
            const qrank *x = &ar->rk[ar->at[f]];
            double d = ar->delta[f];
            double y = d > 0 && ar->at[f] + 1 < ar->nrk ? ar->rk[ar->at[f] + 1].value : x->value;
            ar->out[f] = (1 - d) * x->value + d * y;
        }
    }
    return BASE_OK;
}
