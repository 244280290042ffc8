/* sim/mc_quant.c -- see sim/mc_quant.h. */
#include "sim/mc_quant.h"

#include "base/status.h"
#include "sim/mc_rand.h"

#include <gsl/gsl_statistics_double.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define QNB 1024                 /* bins of a binned interval */
#define QIV 6                    /* intervals per array and pass */
#define QRK 6                    /* ranks per array: lhs and lhs + 1 of each fraction */
#define QSTAGE 32                /* values a thread stages before copying them out */
#define QPASS_MAX 40
#define PILOT_MAX (UINT64_C(1) << 15)
#define FLUSH_AT (UINT64_C(1) << 31) /* a thread's 32-bit bins are flushed before this */
#define SCAN_CHUNK 64            /* values compared before the ones inside are handled */
#define BRACKET_SD 6             /* bracket half-width in the pilot's sd: a miss (p ~ 1e-9) costs a pass */

static const double qf[SIM_QUANT_NF] = {0.50, 0.95, 0.99};

typedef struct {
    uint64_t rank;
    int done;
    double value;
    double lo, hi;          /* open: the piece [lo, hi) known to hold it, */
    uint64_t below, count;  /* with `below` values under lo and `count` in it */
    int stuck;              /* passes in which its piece did not shrink */
} qrank;

typedef struct {
    double lo, hi;          /* [lo, hi) */
    int hist;               /* 1: QNB bins; 0: values kept */
    double *edges;          /* hist: QNB + 1, edges[0] = lo, edges[QNB] = hi */
    double inv;             /* QNB / (hi - lo): the first guess of a bin */
    int wide;               /* an unbounded end: one bin (the last), for its min and max */
    double *buf;            /* kept values: cap, filled through fill */
    size_t cap;
    int sel_done;           /* a rank was selected here: sel_at, value sel_val */
    size_t sel_at;
    double sel_val;
    atomic_size_t fill;
    uint64_t count, below;  /* merged: values inside, values under lo */
    double min, max;        /* merged: of the values inside */
    uint64_t *bins;         /* merged bins */
} qiv;

typedef struct {
    int nrk;
    qrank rk[QRK];
    int at[SIM_QUANT_NF];   /* fraction q: rk[at[q]] and, when delta[q] > 0, rk[at[q] + 1] */
    double delta[SIM_QUANT_NF];
    int niv;
    qiv iv[QIV];
    double out[SIM_QUANT_NF];
} qarr;

typedef struct {            /* one thread's share of one interval */
    uint64_t count, below;
    double min, max;
    uint32_t *bins;
    int nst;
    double st[QSTAGE];
} qtiv;

typedef struct {
    qtiv iv[QIV];
    uint64_t seen;          /* values binned since the last flush (array 0's entry only) */
} qtarr;

struct sim_quant {
    int A;
    uint64_t n, P;
    size_t budget;          /* values kept at once */
    unsigned T;
    int stage;              /* 0 start, 1 pilot done, 2 first full pass done */
    sim_quant_kind kind;    /* the pass running */
    int first_full;         /* this pass is the first full one: count below, min/max */
    int passes;
    qarr *arr;              /* [A] */
    qtarr *t;               /* [T][A] */
    uint32_t *tbins;        /* this pass's thread bins */
    uint64_t *mbins;        /* this pass's merged bins */
    double *kept, *edges;   /* this pass's keep buffers and bin edges */
    size_t kept_peak;
    pthread_mutex_t lock;   /* flushes of thread bins */
};

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

/* The k[q]-th smallest (0-based) of x[0..n) for q < m, permuting x:
 * quickselect on few values; on many, 1024 buckets of [min, max] by a
 * monotone map (so a bucket holds a run of the sorted values) counted once,
 * then per rank quickselect among its bucket's values, moved to the front
 * (~1-2 ns per value and rank against quickselect's ~14). */
static void select_ranks(double *x, size_t n, const size_t *k, int m, double *out)
{
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    double scale = QNB / (hi - lo);
    if (n < 4096 || !(hi > lo) || !isfinite(scale)) {
        for (int q = 0; q < m; q++)
            out[q] = gsl_stats_select(x, 1, n, k[q]);
        return;
    }
    size_t count[QNB] = {0};
#define BUCKET(v) ((v) >= hi ? QNB - 1 : (int)(((v) - lo) * scale) < QNB - 1 ? (int)(((v) - lo) * scale) : QNB - 1)
    for (size_t i = 0; i < n; i++)
        count[BUCKET(x[i])]++;
    for (int q = 0; q < m; q++) {
        size_t below = 0, f = 0;
        int b = 0;
        while (below + count[b] <= k[q])
            below += count[b++];
        for (size_t i = 0; i < n; i++)
            if (BUCKET(x[i]) == b) {
                double t = x[f];
                x[f++] = x[i];
                x[i] = t;
            }
        out[q] = gsl_stats_select(x, 1, f, k[q] - below);
    }
#undef BUCKET
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

/* ---- streaming ------------------------------------------------------------------ */

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));

/* (macros: a function passing 32-byte vectors would change the ABI without AVX) */
#define LD4(v, p) memcpy(&(v), (p), sizeof(v))
#define SEL4(m, a, b) ((v4d)(((m) & (v4l)(a)) | (~(m) & (v4l)(b))))

static inline int bin_of(const qiv *iv, double v)
{
    if (iv->wide)
        return QNB - 1;
    double g = (v - iv->lo) * iv->inv;
    int b = g > 0 ? (g < QNB - 1 ? (int)g : QNB - 1) : 0;
    const double *e = iv->edges;
    while (b > 0 && v < e[b])
        b--;
    while (b < QNB - 1 && v >= e[b + 1])
        b++;
    return b;
}

static void stage_flush(qiv *iv, qtiv *ti)
{
    size_t at = atomic_fetch_add_explicit(&iv->fill, (size_t)ti->nst, memory_order_relaxed);
    if (at < iv->cap) {
        size_t m = iv->cap - at < (size_t)ti->nst ? iv->cap - at : (size_t)ti->nst;
        memcpy(iv->buf + at, ti->st, m * sizeof *ti->st);
    }
    ti->nst = 0;
}

static void bins_flush(sim_quant *q, qarr *ar, qtarr *ta)
{
    pthread_mutex_lock(&q->lock);
    for (int j = 0; j < ar->niv; j++)
        if (ar->iv[j].hist)
            for (int b = 0; b < QNB; b++) {
                ar->iv[j].bins[b] += ta->iv[j].bins[b];
                ta->iv[j].bins[b] = 0;
            }
    pthread_mutex_unlock(&q->lock);
    ta->seen = 0;
}

/* v inside iv: counted, and binned (with the min and max that settle ties)
 * or staged to be kept. */
static void inside(qiv *iv, qtiv *ti, double v)
{
    ti->count++;
    if (iv->hist) {
        ti->min = v < ti->min ? v : ti->min;
        ti->max = v > ti->max ? v : ti->max;
        ti->bins[bin_of(iv, v)]++;
    } else {
        ti->st[ti->nst++] = v;
        if (ti->nst == QSTAGE)
            stage_flush(iv, ti);
    }
}

static inline void one(qarr *ar, qtarr *ta, double v)
{
    for (int j = 0; j < ar->niv; j++)
        if (v >= ar->iv[j].lo && v < ar->iv[j].hi) {
            inside(&ar->iv[j], &ta->iv[j], v);
            return;
        }
}

/* One array's values x[0..m) against this pass's niv intervals; with
 * `first` (the first full pass) also the count under each lo. Inlined with
 * niv and first constant, so the bounds live in registers. */
static inline __attribute__((always_inline)) void scan(qarr *ar, qtarr *ta, const double *x, size_t m,
                                                       const int niv, const int first)
{
    v4d lo[QIV], hi[QIV];
    v4l cb[QIV];
    for (int j = 0; j < niv; j++) {
        lo[j] = (v4d){0} + ar->iv[j].lo;
        hi[j] = (v4d){0} + ar->iv[j].hi;
        cb[j] = (v4l){0};
    }
    size_t t = 0;
    double hv[SCAN_CHUNK];
    int hj[SCAN_CHUNK];
    while (t + 4 <= m) {
        /* a chunk: vector compares, the values inside compacted without
         * a branch (few and unpredictable), then handled */
        size_t end = t + SCAN_CHUNK <= m ? t + SCAN_CHUNK : m & ~(size_t)3;
        int nh = 0;
        for (; t < end; t += 4) {
            v4d v;
            LD4(v, x + t);
            v4l idx = (v4l){0}; /* per lane: 1 + the interval holding it, or 0 */
            for (int j = 0; j < niv; j++) {
                v4l under = v < lo[j];
                if (first)
                    cb[j] -= under;
                idx |= ~under & (v < hi[j]) & (j + 1);
            }
            for (int l = 0; l < 4; l++) {
                hv[nh] = v[l];
                hj[nh] = (int)idx[l] - 1;
                nh += idx[l] != 0;
            }
        }
        for (int h = 0; h < nh; h++)
            inside(&ar->iv[hj[h]], &ta->iv[hj[h]], hv[h]);
    }
    for (int j = 0; first && j < niv; j++)
        ta->iv[j].below += (uint64_t)((cb[j][0] + cb[j][1]) + (cb[j][2] + cb[j][3]));
    for (; t < m; t++) {
        double v = x[t];
        for (int j = 0; first && j < niv; j++)
            ta->iv[j].below += v < ar->iv[j].lo;
        one(ar, ta, v);
    }
}

/* scan() with constant niv (first passes have at most 3 intervals). */
#define SCAN_CASES                                                                                 \
    switch (ar->niv * 2 + first) {                                                                 \
    case 3: scan(ar, ta, x, m, 1, 1); break;                                                       \
    case 5: scan(ar, ta, x, m, 2, 1); break;                                                       \
    case 7: scan(ar, ta, x, m, 3, 1); break;                                                       \
    case 2: scan(ar, ta, x, m, 1, 0); break;                                                       \
    case 4: scan(ar, ta, x, m, 2, 0); break;                                                       \
    case 6: scan(ar, ta, x, m, 3, 0); break;                                                       \
    case 8: scan(ar, ta, x, m, 4, 0); break;                                                       \
    case 10: scan(ar, ta, x, m, 5, 0); break;                                                      \
    default: scan(ar, ta, x, m, 6, 0); break;                                                      \
    }

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void scan_avx2(qarr *ar, qtarr *ta, const double *x, size_t m, int first)
{
    SCAN_CASES
}
#endif

static void scan_base(qarr *ar, qtarr *ta, const double *x, size_t m, int first) { SCAN_CASES }

#if defined(__x86_64__) && defined(__GNUC__)
/* scan() with AVX-512 masks: the values inside compressed in one
 * instruction, their interval found again when handled. */
__attribute__((target("avx512f"))) static inline __attribute__((always_inline)) void
scan512(qarr *ar, qtarr *ta, const double *x, size_t m, const int niv, const int first)
{
    __m512d lo[QIV], hi[QIV];
    uint64_t cb[QIV] = {0};
    for (int j = 0; j < niv; j++) {
        lo[j] = _mm512_set1_pd(ar->iv[j].lo);
        hi[j] = _mm512_set1_pd(ar->iv[j].hi);
    }
    double hv[SCAN_CHUNK];
    size_t t = 0;
    while (t + 8 <= m) {
        size_t end = t + SCAN_CHUNK <= m ? t + SCAN_CHUNK : m & ~(size_t)7;
        int nh = 0;
        for (; t < end; t += 8) {
            __m512d v = _mm512_loadu_pd(x + t);
            __mmask8 in = 0;
            for (int j = 0; j < niv; j++) {
                __mmask8 under = _mm512_cmp_pd_mask(v, lo[j], _CMP_LT_OQ);
                if (first)
                    cb[j] += (uint64_t)__builtin_popcount((unsigned)under);
                in |= _mm512_mask_cmp_pd_mask((__mmask8)~under, v, hi[j], _CMP_LT_OQ);
            }
            _mm512_mask_compressstoreu_pd(hv + nh, in, v);
            nh += __builtin_popcount((unsigned)in);
        }
        for (int h = 0; h < nh; h++)
            one(ar, ta, hv[h]);
    }
    for (int j = 0; first && j < niv; j++)
        ta->iv[j].below += cb[j];
    for (; t < m; t++) {
        for (int j = 0; first && j < niv; j++)
            ta->iv[j].below += x[t] < ar->iv[j].lo;
        one(ar, ta, x[t]);
    }
}

__attribute__((target("avx512f"))) static void scan_avx512(qarr *ar, qtarr *ta, const double *x, size_t m,
                                                          int first)
{
#define scan scan512
    SCAN_CASES
#undef scan
}
#endif

void sim_quant_add(sim_quant *q, unsigned thread, int a, const double *x, size_t m)
{
    qarr *ar = &q->arr[a];
    qtarr *ta = &q->t[(size_t)thread * q->A + a];
    if (ar->niv == 0)
        return;
    if (ta->seen + m >= FLUSH_AT)
        bins_flush(q, ar, ta);
    ta->seen += m;
#if defined(__x86_64__) && defined(__GNUC__)
    int isa = sim_rand_isa();
    if (isa == 2) {
        scan_avx512(ar, ta, x, m, q->first_full);
        return;
    }
    if (isa == 1) {
        scan_avx2(ar, ta, x, m, q->first_full);
        return;
    }
#endif
    scan_base(ar, ta, x, m, q->first_full);
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
                    stage_flush(iv, ti);
            }
        }
    }
}

/* Rank rk inside interval iv (iv->below values under it): its value, or the
 * smaller piece that holds it. */
static void settle(qiv *iv, qrank *rk)
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
            rk->done = 1;
            if (iv->sel_done && within == iv->sel_at + 1) {
                /* the next order statistic after v: v again if it has more
                 * copies than ranks below it, else the least value above it */
                double v = iv->sel_val, above = INFINITY;
                size_t le = 0;
                for (size_t i = 0; i < fill; i++) {
                    double x = iv->buf[i];
                    le += x <= v;
                    above = x > v && x < above ? x : above;
                }
                rk->value = within < le ? v : above;
            } else {
                size_t kk = (size_t)within;
                select_ranks(iv->buf, fill, &kk, 1, &rk->value);
            }
            iv->sel_done = 1;
            iv->sel_at = (size_t)within;
            iv->sel_val = rk->value;
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
                settle(&ar->iv[j], rk);
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
            settle(iv, rk);
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
