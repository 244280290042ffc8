/* sim/mc_quant_scan.c -- sim/mc_quant's streaming side: values against
 * the pass's intervals (see sim/mc_quant.h), in vector loops. */
#include "sim/mc_quant_impl.h"

#include "sim/mc_rand.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <math.h>
#include <string.h>

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

void sim_quant_stage_flush(qiv *iv, qtiv *ti)
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
            sim_quant_stage_flush(iv, ti);
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
