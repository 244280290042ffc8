/* kernels/framing.c -- crop + separable resize on the CPU.
 *
 * Weights: output sample i of a resize from src_n to dst_n is centred at
 * c = (i + 0.5) * src_n / dst_n - 0.5 in the source; when shrinking, the
 * kernel is stretched by the factor src_n / dst_n (as swscale does). The
 * reference applies these weights in double with clamped indices; the
 * plan quantises them to 14 bits (kern_taps) for the CPU fast path and
 * CUDA: horizontal pass to int16 with 6 fraction bits, vertical pass in
 * int32, round half up, clamp to [0, 255].
 */
#include "kernels/kern_impl.h"

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
    if (!t->pos || !t->coef || !t->coef_t)
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
        for (int k = 0; k < T; k++)
            t->coef_t[(size_t)k * dst_n + i] = q[k];
    }
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

/* ---- fast path ---------------------------------------------------------- */

#define HROW(T)                                                                                  \
    static inline void hrow_##T(const uint8_t *restrict s, int16_t *restrict m, int n,            \
                                const int32_t *restrict pos, const int16_t *restrict c)          \
    {                                                                                            \
        for (int x = 0; x < n; x++) {                                                            \
            const uint8_t *p = s + pos[x];                                                       \
            const int16_t *q = c + (size_t)x * T;                                                \
            int acc = 1 << (KERN_TAP_BITS - KERN_MID_BITS - 1);                                  \
            for (int k = 0; k < T; k++)                                                          \
                acc += p[k] * q[k];                                                              \
            m[x] = (int16_t)(acc >> (KERN_TAP_BITS - KERN_MID_BITS));                            \
        }                                                                                        \
    }
HROW(4)
HROW(6)
HROW(8)

static void hrow_any(const uint8_t *restrict s, int16_t *restrict m, int n, const int32_t *restrict pos,
                     const int16_t *restrict c, int T)
{
    for (int x = 0; x < n; x++) {
        const uint8_t *p = s + pos[x];
        const int16_t *q = c + (size_t)x * T;
        int acc = 1 << (KERN_TAP_BITS - KERN_MID_BITS - 1);
        for (int k = 0; k < T; k++)
            acc += p[k] * q[k];
        m[x] = (int16_t)(acc >> (KERN_TAP_BITS - KERN_MID_BITS));
    }
}

KERN_VEC static void hrow(const uint8_t *s, int16_t *m, const kern_taps *t)
{
    switch (t->taps) {
    case 4: hrow_4(s, m, t->dst_n, t->pos, t->coef); break;
    case 6: hrow_6(s, m, t->dst_n, t->pos, t->coef); break;
    case 8: hrow_8(s, m, t->dst_n, t->pos, t->coef); break;
    default: hrow_any(s, m, t->dst_n, t->pos, t->coef, t->taps); break;
    }
}

enum { VCHUNK = 512 };

/* Output row from T intermediate rows starting at m0 (stride n). */
KERN_VEC static void vrow(const int16_t *m0, size_t stride, int n, const int16_t *c, int T, uint8_t *d)
{
    const int shift = KERN_TAP_BITS + KERN_MID_BITS;
    int32_t acc[VCHUNK];
    for (int x0 = 0; x0 < n; x0 += VCHUNK) {
        int w = imin(VCHUNK, n - x0);
        for (int x = 0; x < w; x++)
            acc[x] = 1 << (shift - 1);
        for (int k = 0; k < T; k++) {
            const int16_t *restrict r = m0 + (size_t)k * stride + x0;
            int32_t ck = c[k];
            for (int x = 0; x < w; x++)
                acc[x] += r[x] * ck;
        }
        for (int x = 0; x < w; x++) {
            int v = acc[x] >> shift;
            d[x0 + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

typedef struct {
    const kern_frame *src;
    kern_rect crop;
    kern_frame *dst;
    const kern_framing_plan *pl;
    int16_t *mid[3];
} fr_job;

static void h_job(void *vp, int job, int njobs)
{
    fr_job *J = vp;
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;
        const kern_taps *t = &J->pl->t[p ? 2 : 0];
        int rows = J->crop.h >> sh;
        int r0 = (int)((long)rows * job / njobs), r1 = (int)((long)rows * (job + 1) / njobs);
        const uint8_t *s = J->src->data[p] + (size_t)(J->crop.y >> sh) * J->src->linesize[p] +
                           (J->crop.x >> sh);
        for (int r = r0; r < r1; r++)
            hrow(s + (size_t)r * J->src->linesize[p], J->mid[p] + (size_t)r * t->dst_n, t);
    }
}

static void v_job(void *vp, int job, int njobs)
{
    fr_job *J = vp;
    for (int p = 0; p < 3; p++) {
        const kern_taps *th = &J->pl->t[p ? 2 : 0], *tv = &J->pl->t[p ? 3 : 1];
        int rows = tv->dst_n, n = th->dst_n;
        int y0 = (int)((long)rows * job / njobs), y1 = (int)((long)rows * (job + 1) / njobs);
        for (int y = y0; y < y1; y++)
            vrow(J->mid[p] + (size_t)tv->pos[y] * n, (size_t)n, n, tv->coef + (size_t)y * tv->taps,
                 tv->taps, J->dst->data[p] + (size_t)y * J->dst->linesize[p]);
    }
}

void kern_framing_cpu(kern_pool *pool, const kern_frame *src, kern_rect crop, kern_frame *dst,
                      const kern_framing_plan *pl, int16_t *mid)
{
    assert(pl->crop_w == crop.w && pl->crop_h == crop.h && pl->out_w == dst->w && pl->out_h == dst->h);
    fr_job J = {src, crop, dst, pl, {mid, NULL, NULL}};
    J.mid[1] = mid + (size_t)crop.h * pl->out_w;
    J.mid[2] = J.mid[1] + (size_t)(crop.h / 2) * ((pl->out_w + 1) / 2);
    int nt = kern_pool_threads(pool);
    int nh = imax(1, imin(nt * 4, crop.h / 32)), nv = imax(1, imin(nt * 4, dst->h / 32));
    kern_pool_run(pool, h_job, &J, nh);
    kern_pool_run(pool, v_job, &J, nv);
}
