/* kernels/kern_framing.c -- crop + separable resize on the CPU.
 *
 * Weights: output sample i of a resize from src_n to dst_n is centred at
 * c = (i + 0.5) * src_n / dst_n - 0.5 in the source; when shrinking, the
 * kernel is stretched by the factor src_n / dst_n (as swscale does). The
 * reference applies these weights in double with clamped indices; the
 * plan quantises them to 14 bits (kern_taps) for the CPU fast path and
 * CUDA, whose integer arithmetic kern_framing.h spells out.
 */
#include "kernels/kern_framing.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define KERN_VEC __attribute__((optimize("O3"), target_clones("avx2", "default")))
#elif defined(__GNUC__) && !defined(__clang__)
#define KERN_VEC __attribute__((optimize("O3")))
#else
#define KERN_VEC
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define KERN_X86 1
#include <immintrin.h>
#else
#define KERN_X86 0
#endif

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }
static int iclamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

double kern_filter_radius(kern_filter f) { return f == KERN_BICUBIC ? 2.0 : 3.0; }

double kern_filter_weight(kern_filter f, double d)
{
    d = fabs(d);
    if (f == KERN_BICUBIC) {
        /* Mitchell-Netravali with B = 0, C = 0.6 (swscale's default). */
        if (d < 1)
            return (1.4 * d - 2.4) * d * d + 1.0;
        if (d < 2)
            return ((-0.6 * d + 3.0) * d - 4.8) * d + 2.4;
        return 0;
    }
    if (d < 1e-12)
        return 1.0;
    if (d >= 3.0)
        return 0;
    double x = M_PI * d;
    return 3.0 * sin(x) * sin(x / 3.0) / (x * x);
}

/* Weights of output i: source indices lo .. lo + n - 1 (unclamped), n <= cap,
 * weights normalised to sum 1. Returns n. */
static int weights_for(int i, int src_n, int dst_n, kern_filter f, int *lo, double *w, int cap)
{
    double scale = (double)src_n / dst_n;
    double st = scale > 1 ? scale : 1;
    double R = kern_filter_radius(f) * st;
    double c = (i + 0.5) * scale - 0.5;
    int a = (int)floor(c - R) + 1, b = (int)ceil(c + R) - 1;
    int n = b - a + 1;
    assert(n >= 1 && n <= cap);
    double sum = 0;
    for (int k = 0; k < n; k++) {
        w[k] = kern_filter_weight(f, (a + k - c) / st);
        sum += w[k];
    }
    assert(sum > 0);
    for (int k = 0; k < n; k++)
        w[k] /= sum;
    *lo = a;
    return n;
}

static int taps_cap(int src_n, int dst_n, kern_filter f)
{
    double scale = (double)src_n / dst_n;
    double R = kern_filter_radius(f) * (scale > 1 ? scale : 1);
    return (int)ceil(2 * R) + 2;
}

/* The pshufb form of t (see kern_framing.h), when every block fits. */
static int build_shuffles(kern_taps *t)
{
    int nb = t->dst_n / 8, np = (t->taps + 1) / 2;
    if (t->taps8 != 8 || nb == 0)
        return 0;
    for (int b = 0; b < nb; b++)
        if (t->pos[8 * b + 7] - t->pos[8 * b] + t->taps > 16)
            return 0;
    t->shuf = malloc((size_t)nb * np * 32);
    t->cpair = malloc((size_t)nb * np * 16 * sizeof *t->cpair);
    if (!t->shuf || !t->cpair)
        return -1;
    for (int b = 0; b < nb; b++)
        for (int q = 0; q < np; q++) {
            uint8_t *m = t->shuf + ((size_t)b * np + q) * 32;
            int16_t *c = t->cpair + ((size_t)b * np + q) * 16;
            for (int j = 0; j < 8; j++) {
                /* Output j's int32 lane is j: bytes 4j..4j+3 of the 256 bits,
                 * i.e. 4(j%4) within 128-bit lane j/4 (pshufb stays in lane). */
                int off = t->pos[8 * b + j] - t->pos[8 * b] + 2 * q;
                uint8_t *mj = m + 16 * (j / 4) + 4 * (j % 4);
                mj[0] = (uint8_t)(off & 15);
                mj[1] = 0x80;
                mj[2] = (uint8_t)((off + 1) & 15); /* past taps: weight 0 */
                mj[3] = 0x80;
                c[2 * j] = t->coef8[(size_t)(8 * b + j) * 8 + 2 * q];
                c[2 * j + 1] = t->coef8[(size_t)(8 * b + j) * 8 + 2 * q + 1];
            }
        }
    return 0;
}

int kern_taps_init(kern_taps *t, int src_n, int dst_n, kern_filter f)
{
    memset(t, 0, sizeof *t);
    assert(src_n >= 1 && dst_n >= 1);
    int cap = taps_cap(src_n, dst_n, f);
    double *w = malloc((size_t)cap * sizeof *w);
    double *fold = malloc((size_t)cap * sizeof *fold);
    int rc = KERN_ERUNTIME;
    if (!w || !fold)
        goto cleanup;
    int T = 0, lo;
    for (int i = 0; i < dst_n; i++)
        T = imax(T, weights_for(i, src_n, dst_n, f, &lo, w, cap));
    T += T & 1;
    if (T > src_n)
        T = src_n;
    t->src_n = src_n;
    t->dst_n = dst_n;
    t->taps = T;
    t->filter = f;
    t->pos = malloc((size_t)dst_n * sizeof *t->pos);
    t->coef = malloc((size_t)dst_n * T * sizeof *t->coef);
    t->coef_t = malloc((size_t)dst_n * T * sizeof *t->coef_t);
    t->taps8 = (T + 7) & ~7;
    t->coef8 = calloc((size_t)dst_n * t->taps8, sizeof *t->coef8);
    if (!t->pos || !t->coef || !t->coef_t || !t->coef8)
        goto cleanup;
    for (int i = 0; i < dst_n; i++) {
        int n = weights_for(i, src_n, dst_n, f, &lo, w, cap);
        int pos = iclamp(lo, 0, src_n - T);
        for (int k = 0; k < T; k++)
            fold[k] = 0;
        for (int k = 0; k < n; k++) {
            int at = iclamp(lo + k, 0, src_n - 1) - pos;
            assert(at >= 0 && at < T);
            fold[at] += w[k];
        }
        int16_t *q = t->coef + (size_t)i * T;
        int sum = 0, big = 0;
        for (int k = 0; k < T; k++) {
            q[k] = (int16_t)lrint(fold[k] * (1 << KERN_TAP_BITS));
            sum += q[k];
            if (fabs(fold[k]) > fabs(fold[big]))
                big = k;
        }
        q[big] = (int16_t)(q[big] + (1 << KERN_TAP_BITS) - sum);
        t->pos[i] = pos;
        for (int k = 0; k < T; k++) {
            t->coef_t[(size_t)k * dst_n + i] = q[k];
            t->coef8[(size_t)i * t->taps8 + k] = q[k];
        }
    }
    if (build_shuffles(t) != 0)
        goto cleanup;
    rc = KERN_OK;
cleanup:
    free(w);
    free(fold);
    if (rc)
        kern_taps_free(t);
    return rc;
}

void kern_taps_free(kern_taps *t)
{
    free(t->pos);
    free(t->coef);
    free(t->coef_t);
    free(t->coef8);
    free(t->shuf);
    free(t->cpair);
    memset(t, 0, sizeof *t);
}

int kern_framing_plan_init(kern_framing_plan *pl, int crop_w, int crop_h, int out_w, int out_h,
                           kern_filter f)
{
    memset(pl, 0, sizeof *pl);
    pl->crop_w = crop_w;
    pl->crop_h = crop_h;
    pl->out_w = out_w;
    pl->out_h = out_h;
    pl->filter = f;
    if (kern_taps_init(&pl->t[0], crop_w, out_w, f) || kern_taps_init(&pl->t[1], crop_h, out_h, f) ||
        kern_taps_init(&pl->t[2], crop_w / 2, (out_w + 1) / 2, f) ||
        kern_taps_init(&pl->t[3], crop_h / 2, (out_h + 1) / 2, f)) {
        kern_framing_plan_free(pl);
        return KERN_ERUNTIME;
    }
#if KERN_X86
    pl->simd = __builtin_cpu_supports("avx2");
#endif
    return KERN_OK;
}

void kern_framing_plan_free(kern_framing_plan *pl)
{
    for (int i = 0; i < 4; i++)
        kern_taps_free(&pl->t[i]);
}

size_t kern_framing_mid_elems(const kern_framing_plan *pl)
{
    return (size_t)pl->crop_h * pl->out_w + 2 * (size_t)(pl->crop_h / 2) * ((pl->out_w + 1) / 2);
}

int kern_framing_check(const kern_frame *src, kern_rect crop, const kern_frame *dst, char *err,
                       size_t errsz)
{
    const char *why = NULL;
    if (!src || !dst || !src->data[0] || !src->data[1] || !src->data[2] || !dst->data[0] ||
        !dst->data[1] || !dst->data[2])
        why = "missing plane";
    else if (dst->w < 2 || dst->h < 2)
        why = "output smaller than 2x2";
    else if ((crop.x | crop.y | crop.w | crop.h) & 1)
        why = "crop x, y, w, h must be even";
    else if (crop.w < 2 || crop.h < 2 || crop.x < 0 || crop.y < 0 || crop.x > src->w - crop.w ||
             crop.y > src->h - crop.h)
        why = "crop outside the frame";
    if (!why)
        return KERN_OK;
    if (err && errsz)
        snprintf(err, errsz, "framing: %s (crop %dx%d+%d+%d of %dx%d)", why, crop.w, crop.h, crop.x,
                 crop.y, src ? src->w : 0, src ? src->h : 0);
    return KERN_EINPUT;
}

/* ---- reference ---------------------------------------------------------- */

/* One plane: sw x sh samples at s (linesize sls) -> dw x dh at d. */
static void ref_plane(const uint8_t *s, int sls, int sw, int sh, uint8_t *d, int dls, int dw, int dh,
                      kern_filter f)
{
    int capw = taps_cap(sw, dw, f), caph = taps_cap(sh, dh, f);
    double *mid = malloc((size_t)sh * dw * sizeof *mid);
    double *w = malloc((size_t)(capw > caph ? capw : caph) * sizeof *w);
    if (!mid || !w) {
        /* The reference has no error path: out of memory is fatal. */
        fprintf(stderr, "kern_framing_ref: out of memory\n");
        abort();
    }
    for (int x = 0; x < dw; x++) {
        int lo, n = weights_for(x, sw, dw, f, &lo, w, capw);
        for (int r = 0; r < sh; r++) {
            double acc = 0;
            for (int k = 0; k < n; k++)
                acc += w[k] * s[(size_t)r * sls + iclamp(lo + k, 0, sw - 1)];
            mid[(size_t)r * dw + x] = acc;
        }
    }
    for (int y = 0; y < dh; y++) {
        int lo, n = weights_for(y, sh, dh, f, &lo, w, caph);
        for (int x = 0; x < dw; x++) {
            double acc = 0;
            for (int k = 0; k < n; k++)
                acc += w[k] * mid[(size_t)iclamp(lo + k, 0, sh - 1) * dw + x];
            double v = floor(acc + 0.5);
            d[(size_t)y * dls + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(mid);
    free(w);
}

void kern_framing_ref(const kern_frame *src, kern_rect crop, kern_frame *dst, kern_filter f)
{
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;
        const uint8_t *s = src->data[p] + (size_t)(crop.y >> sh) * src->linesize[p] + (crop.x >> sh);
        int dw = p ? (dst->w + 1) / 2 : dst->w, dh = p ? (dst->h + 1) / 2 : dst->h;
        ref_plane(s, src->linesize[p], crop.w >> sh, crop.h >> sh, dst->data[p], dst->linesize[p], dw,
                  dh, f);
    }
}

/* ---- fast path ----------------------------------------------------------
 * Portable loops first (any CPU; the compiler vectorises the vertical one),
 * then AVX2 versions of the same integer arithmetic (kern_framing.h): the
 * horizontal pass sums tap pairs exactly in int32 with pmaddwd (through a
 * pshufb gather when 8 outputs read 16 inputs at most), the vertical one is
 * pmulhrsw + 16-bit adds, so both give identical bytes. */

static void hrow_c(const uint8_t *restrict s, int16_t *restrict m, const kern_taps *t)
{
    const int T = t->taps;
    for (int x = 0; x < t->dst_n; x++) {
        const uint8_t *p = s + t->pos[x];
        const int16_t *q = t->coef + (size_t)x * T;
        int acc = 1 << (KERN_TAP_BITS - KERN_MID_BITS - 1);
        for (int k = 0; k < T; k++)
            acc += p[k] * q[k];
        m[x] = (int16_t)(acc >> (KERN_TAP_BITS - KERN_MID_BITS));
    }
}

enum { VCHUNK = 512 };

/* Output row d[0..n) from the T intermediate rows rows[k] + off. */
KERN_VEC static void vrow_c(const int16_t *const *rows, int off, int n, const int16_t *c, int T, uint8_t *d)
{
    int16_t acc[VCHUNK];
    for (int x0 = 0; x0 < n; x0 += VCHUNK) {
        int w = imin(VCHUNK, n - x0);
        for (int x = 0; x < w; x++)
            acc[x] = 1 << (KERN_OUT_BITS - 1);
        for (int k = 0; k < T; k++) {
            const int16_t *restrict r = rows[k] + off + x0;
            int16_t ck = c[k];
            for (int x = 0; x < w; x++)
                acc[x] = (int16_t)(acc[x] + kern_mulhrs(r[x], ck));
        }
        for (int x = 0; x < w; x++)
            d[x0 + x] = kern_out_clamp(acc[x]);
    }
}

#if KERN_X86
/* 8 outputs from x with the pshufb form: block x / 8. */
__attribute__((target("avx2"))) static inline __m256i hblock_shuf(const uint8_t *s, const kern_taps *t, int x)
{
    int b = x / 8, np = (t->taps + 1) / 2;
    __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(s + t->pos[x])));
    const __m256i *m = (const __m256i *)(t->shuf + (size_t)b * np * 32);
    const __m256i *c = (const __m256i *)(t->cpair + (size_t)b * np * 16);
    __m256i acc = _mm256_madd_epi16(_mm256_shuffle_epi8(v, _mm256_loadu_si256(m)), _mm256_loadu_si256(c));
    for (int q = 1; q < np; q++)
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_shuffle_epi8(v, _mm256_loadu_si256(m + q)),
                                                      _mm256_loadu_si256(c + q)));
    return acc;
}

/* 8 outputs from x, general form: per output, groups of 8 taps, then a
 * horizontal reduction. Lane order of the result: x .. x+7. */
__attribute__((target("avx2"))) static inline __m256i hblock_any(const uint8_t *s, const kern_taps *t, int x)
{
    const int T8 = t->taps8;
    __m256i p[4];
    for (int j = 0; j < 4; j++) {
        const int16_t *c = t->coef8 + (size_t)(x + 2 * j) * T8;
        const uint8_t *s0 = s + t->pos[x + 2 * j], *s1 = s + t->pos[x + 2 * j + 1];
        __m256i acc = _mm256_setzero_si256();
        for (int k = 0; k < T8; k += 8) {
            /* 8 samples of output x+2j in the low lane, of x+2j+1 in the high. */
            __m128i v = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(s0 + k)),
                                           _mm_loadl_epi64((const __m128i *)(s1 + k)));
            __m256i cc = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(c + T8 + k)),
                                          _mm_loadu_si128((const __m128i *)(c + k)));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_cvtepu8_epi16(v), cc));
        }
        p[j] = acc;
    }
    /* lane 0 ends as outputs x, x+2, x+4, x+6, lane 1 as the odd ones */
    __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
    return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* s must be readable for pos[x] + max(16, taps8) bytes (the caller pads
 * the row). Outputs past the last whole block of 8 are made by the last
 * 8-wide window again (same values), so n >= 8 needs no scalar tail. */
__attribute__((target("avx2"))) static void hrow_avx2(const uint8_t *s, int16_t *m, const kern_taps *t)
{
    const int n = t->dst_n;
    const __m256i round = _mm256_set1_epi32(1 << (KERN_TAP_BITS - KERN_MID_BITS - 1));
    if (n < 8) {
        hrow_c(s, m, t);
        return;
    }
    for (int x = 0;; x += 8) {
        if (x + 8 > n)
            x = n - 8;
        __m256i h = t->shuf && x % 8 == 0 ? hblock_shuf(s, t, x) : hblock_any(s, t, x);
        h = _mm256_srai_epi32(_mm256_add_epi32(h, round), KERN_TAP_BITS - KERN_MID_BITS);
        _mm_storeu_si128((__m128i *)(m + x),
                         _mm_packs_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1)));
        if (x + 8 >= n)
            break;
    }
}

/* rows[k] readable for n int16s; n >= 32 handled wholly in SIMD (the last
 * window overlaps the one before it). 16-bit lanes throughout: pmulhrsw is
 * kern_mulhrs, the int16 sums cannot overflow (kern_framing.h). */
__attribute__((target("avx2"), always_inline)) static inline void
vrow_avx2_t(const int16_t *const *rows, const int16_t *c, int T, int n, uint8_t *d)
{
    enum { MAXT = 64 };
    __m256i cc[MAXT];
    for (int k = 0; k < T; k++)
        cc[k] = _mm256_set1_epi16(c[k]);
    const __m256i round = _mm256_set1_epi16(1 << (KERN_OUT_BITS - 1));
    for (int x = 0;; x += 32) {
        if (x + 32 > n)
            x = n - 32;
        __m256i a0 = round, a1 = round;
        for (int k = 0; k < T; k++) {
            a0 = _mm256_add_epi16(a0, _mm256_mulhrs_epi16(_mm256_loadu_si256((const __m256i *)(rows[k] + x)), cc[k]));
            a1 = _mm256_add_epi16(a1, _mm256_mulhrs_epi16(_mm256_loadu_si256((const __m256i *)(rows[k] + x + 16)),
                                                          cc[k]));
        }
        __m256i p = _mm256_packus_epi16(_mm256_srai_epi16(a0, KERN_OUT_BITS), _mm256_srai_epi16(a1, KERN_OUT_BITS));
        _mm256_storeu_si256((__m256i *)(d + x), _mm256_permute4x64_epi64(p, 0xD8));
        if (x + 32 >= n)
            break;
    }
}

__attribute__((target("avx2"))) static void vrow_avx2(const int16_t *const *rows, int n, const int16_t *c, int T,
                                                      uint8_t *d)
{
    if (n < 32 || T > 64)
        vrow_c(rows, 0, n, c, T, d);
    else if (T == 6) /* Lanczos-3 and bicubic upscaling: constant loops */
        vrow_avx2_t(rows, c, 6, n, d);
    else if (T == 4)
        vrow_avx2_t(rows, c, 4, n, d);
    else
        vrow_avx2_t(rows, c, T, n, d);
}
#endif

typedef struct {
    const kern_frame *src;
    kern_rect crop;
    kern_frame *dst;
    const kern_framing_plan *pl;
    int failed;         /* set by a job that could not get its scratch */
} fr_job;

/* Output rows [y0, y1) of plane p. Intermediate rows are made on demand
 * into a ring of R = taps rows (source row r in slot r % R): the vertical
 * taps of consecutive output rows start at non-decreasing positions, so each
 * source row is filtered once per job and the working set stays in cache. */
static int plane_rows(const fr_job *J, int p, int y0, int y1)
{
    int sh = p ? 1 : 0;
    const kern_taps *th = &J->pl->t[p ? 2 : 0], *tv = &J->pl->t[p ? 3 : 1];
    const int R = tv->taps, n = th->dst_n, w = J->crop.w >> sh;
    const uint8_t *s = J->src->data[p] + (size_t)(J->crop.y >> sh) * J->src->linesize[p] + (J->crop.x >> sh);
    size_t ls = (size_t)J->src->linesize[p];
    /* ring rows padded to a multiple of 16 samples; pad: a copy of one source
     * row readable taps8 samples past any pos (SIMD reads whole groups of 8). */
    size_t rstride = ((size_t)n + 15) & ~(size_t)15;
    int16_t *ring = malloc((size_t)R * rstride * sizeof *ring);
    const int16_t **rows = malloc((size_t)R * sizeof *rows);
    uint8_t *pad = J->pl->simd ? malloc((size_t)w + (size_t)th->taps8 + 32) : NULL;
    if (!ring || !rows || (J->pl->simd && !pad)) {
        free(ring);
        free(rows);
        free(pad);
        return -1;
    }
    int next = y0 < y1 ? tv->pos[y0] : 0; /* next source row to filter */
    for (int y = y0; y < y1; y++) {
        int p0 = tv->pos[y];
        /* pos never decreases, so the ring holds exactly rows p0 .. p0+R-1 below. */
        assert(p0 + R <= tv->src_n && (y == y0 || p0 >= tv->pos[y - 1]));
        if (next < p0)
            next = p0;
        for (; next < p0 + R; next++) {
            int16_t *m = ring + (size_t)(next % R) * rstride;
            const uint8_t *row = s + (size_t)next * ls;
#if KERN_X86
            if (pad) {
                memcpy(pad, row, (size_t)w);
                memset(pad + w, 0, (size_t)th->taps8 + 32);
                hrow_avx2(pad, m, th);
                continue;
            }
#endif
            hrow_c(row, m, th);
        }
        for (int k = 0; k < R; k++)
            rows[k] = ring + (size_t)((p0 + k) % R) * rstride;
        const int16_t *c = tv->coef + (size_t)y * R;
        uint8_t *d = J->dst->data[p] + (size_t)y * J->dst->linesize[p];
#if KERN_X86
        if (J->pl->simd) {
            vrow_avx2(rows, n, c, R, d);
            continue;
        }
#endif
        vrow_c(rows, 0, n, c, R, d);
    }
    free(ring);
    free(rows);
    free(pad);
    return 0;
}

/* Job j: its share of the output rows of every plane. */
static void fr_job_run(void *vp, int job, int njobs)
{
    fr_job *J = vp;
    for (int p = 0; p < 3; p++) {
        int rows = J->pl->t[p ? 3 : 1].dst_n;
        int y0 = (int)((long)rows * job / njobs), y1 = (int)((long)rows * (job + 1) / njobs);
        if (plane_rows(J, p, y0, y1) != 0)
            __atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
    }
}

int kern_framing_cpu(kern_pool *pool, const kern_frame *src, kern_rect crop, kern_frame *dst,
                     const kern_framing_plan *pl)
{
    assert(pl->crop_w == crop.w && pl->crop_h == crop.h && pl->out_w == dst->w && pl->out_h == dst->h);
    fr_job J = {src, crop, dst, pl, 0};
    int nt = kern_pool_threads(pool);
    int njobs = nt == 1 ? 1 : imax(1, imin(nt * 2, dst->h / 64));
    kern_pool_run(pool, fr_job_run, &J, njobs);
    return J.failed ? KERN_ERUNTIME : KERN_OK;
}
