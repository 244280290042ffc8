/* kernels/kern_impl.h -- internals shared by the kernels/ sources, the CUDA
 * translation unit (kern_cuda.cu) and the GPU check (bench/gpu_check.c).
 * Not a public API: everything outside kernels/ but the GPU check includes
 * kern.h only.
 *
 * Pieces: the pthread pool behind KERN_CPU; the overlay clip rectangle every
 * backend uses; the fixed-point filter taps the CPU and CUDA framing share
 * (so the two agree bit for bit); the reference and CPU kernels; and, with
 * FORKCAST_CUDA, the C entry points of kern_cuda.cu, which work on
 * kern_frames whose data pointers are device pointers.
 */
#ifndef FORKCAST_KERNELS_KERN_IMPL_H
#define FORKCAST_KERNELS_KERN_IMPL_H

#include "kernels/kern.h"

/* Helpers below are shared with the CUDA kernels, which compile them for
 * the device too: one definition of the arithmetic for every backend. */
#ifdef __CUDACC__
#define KERN_HD __host__ __device__
#else
#define KERN_HD
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- thread pool ---------------------------------------------------------
 * threads - 1 workers plus the caller. run() calls fn(arg, job, njobs) once
 * for every job in [0, njobs), spread over the threads, and returns when all
 * are done. One run at a time. Cost per run: two condition-variable round
 * trips (~10-50 us), no thread creation. */
typedef struct kern_pool kern_pool;
kern_pool *kern_pool_new(int threads);
void kern_pool_free(kern_pool *p);
int kern_pool_threads(const kern_pool *p);
void kern_pool_run(kern_pool *p, void (*fn)(void *arg, int job, int njobs), void *arg, int njobs);

/* ---- overlay geometry ----------------------------------------------------
 * The visible part of an overlay of ow x oh placed at (x, y) on a fw x fh
 * frame, x and y already even. Ranges are in overlay coordinates, half-open:
 * luma columns [i0, i1), rows [j0, j1); chroma columns [k0, k1), rows
 * [l0, l1). Returns 0 when nothing is visible. */
typedef struct {
    int x, y;
    int i0, i1, j0, j1;
    int k0, k1, l0, l1;
} kern_ov_clip;
int kern_overlay_clip(int fw, int fh, int ow, int oh, int x, int y, kern_ov_clip *c);

/* The overlay's alpha for chroma sample (k, l): FFmpeg's rule. a is the
 * alpha plane, ls its linesize, owc/ohc the overlay's chroma size. */
KERN_HD static inline int kern_chroma_alpha(const uint8_t *a, int ls, int k, int l, int owc, int ohc)
{
    const uint8_t *p = a + (size_t)(2 * l) * ls + 2 * k;
    if (k + 1 < owc && l + 1 < ohc)
        return (p[0] + p[1] + p[ls] + p[ls + 1]) >> 2;
    int ah = k + 1 < owc ? (p[0] + p[1]) >> 1 : p[0];
    int av = l + 1 < ohc ? (p[0] + p[ls]) >> 1 : p[0];
    return (ah + av) >> 1;
}

/* d*(255-a) + s*a divided by 255 as FFmpeg's FAST_DIV255: ((v+128)*257)>>16,
 * written so 16-bit lanes suffice (v + 128 < 2^16). */
KERN_HD static inline uint8_t kern_blend(int d, int s, int a)
{
    unsigned v = (unsigned)(d * (255 - a) + s * a + 128);
    return (uint8_t)((v + (v >> 8)) >> 8);
}

void kern_overlay_ref(kern_frame *frame, const kern_frame *ov, int x, int y);
void kern_overlay_cpu(kern_pool *pool, kern_frame *frame, const kern_frame *ov, int x, int y);

/* ---- framing taps --------------------------------------------------------
 * One direction of a resize of src_n samples to dst_n: output i reads input
 * pos[i] .. pos[i] + taps - 1 (always inside [0, src_n)) with weights
 * coef[i * taps + k] summing to exactly 1 << KERN_TAP_BITS. Weights of
 * samples beyond the edge are folded onto the edge sample (edge repeat).
 * coef_t is the same matrix transposed (coef_t[k * dst_n + i]) for
 * coalesced GPU reads; coef8 the same rows zero-padded to taps8 (a multiple
 * of 8) for SIMD. taps is even, >= 2, or src_n when that is smaller.
 *
 * Arithmetic, identical on every fast path (CPU portable, AVX2, CUDA):
 *   horizontal  mid = (128 + sum_k src * coef) >> 8         int32 -> int16,
 *               the sample value x 64 (KERN_MID_BITS fraction bits);
 *   vertical    acc = 16 + sum_k kern_mulhrs(mid, coef)     int16 sums
 *               (value x 32), out = clamp(acc >> 5, 0, 255).
 * Bounds: |mid| < 2^15 and every partial sum of acc stays inside int16 for
 * Lanczos-3 and bicubic weights (overshoot < 1.2); the error against exact
 * arithmetic is below 0.2 LSB, so results are within 1 LSB of the double
 * reference. */
enum { KERN_TAP_BITS = 14, KERN_MID_BITS = 6, KERN_OUT_BITS = 5 };

/* x86's pmulhrsw and CUDA's equivalent: (a*b + 2^14) >> 15, as int16. */
KERN_HD static inline int16_t kern_mulhrs(int16_t a, int16_t b)
{
    return (int16_t)(((int32_t)a * b + (1 << 14)) >> 15);
}

/* The vertical pass's end: acc (value x 32, rounding included) to a sample. */
KERN_HD static inline uint8_t kern_out_clamp(int acc)
{
    int v = acc >> KERN_OUT_BITS;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}
typedef struct {
    int src_n, dst_n, taps, taps8;
    kern_filter filter;
    int32_t *pos;
    int16_t *coef, *coef_t, *coef8;
    /* Byte-shuffle form for SIMD when every 8 consecutive outputs read at
     * most 16 consecutive inputs (upscaling, taps <= 8), else NULL: for
     * block b (outputs 8b .. 8b+7) and tap pair q < taps8/2, shuf holds
     * the 32-byte pshufb mask that gathers inputs (2q, 2q+1) of each output
     * from the 16 bytes at pos[8b], and cpair their weights. */
    uint8_t *shuf;
    int16_t *cpair;
} kern_taps;
int kern_taps_init(kern_taps *t, int src_n, int dst_n, kern_filter f);
void kern_taps_free(kern_taps *t);
/* The continuous weight at distance d (in source samples, unstretched). */
double kern_filter_weight(kern_filter f, double d);
double kern_filter_radius(kern_filter f);

/* Four tap sets: luma horizontal, luma vertical, chroma horizontal, chroma
 * vertical, for one (crop size, output size, filter). */
typedef struct {
    int crop_w, crop_h, out_w, out_h;
    kern_filter filter;
    kern_taps t[4];
    int simd;           /* 1: AVX2 loops (set by init when the CPU has AVX2);
                           0: the portable loops. Same results either way. */
} kern_framing_plan;
int kern_framing_plan_init(kern_framing_plan *pl, int crop_w, int crop_h, int out_w, int out_h,
                           kern_filter f);
void kern_framing_plan_free(kern_framing_plan *pl);
/* Elements of a whole int16 intermediate (crop rows x output width) for all
 * three planes, as the CUDA passes keep it. */
size_t kern_framing_mid_elems(const kern_framing_plan *pl);

void kern_framing_ref(const kern_frame *src, kern_rect crop, kern_frame *dst, kern_filter f);
/* Output rows split over the pool; each job filters the source rows it needs
 * into a ring of `taps` rows (a few KB, allocated per job). KERN_OK, or
 * KERN_ERUNTIME when that scratch could not be had. */
int kern_framing_cpu(kern_pool *pool, const kern_frame *src, kern_rect crop, kern_frame *dst,
                     const kern_framing_plan *pl);

/* Check arguments shared by every backend; 0 or KERN_EINPUT with err. */
int kern_framing_check(const kern_frame *src, kern_rect crop, const kern_frame *dst, char *err,
                       size_t errsz);

/* ---- CUDA (kern_cuda.cu) -------------------------------------------------
 * Every function is synchronous unless it says otherwise, returns KERN_OK or
 * KERN_ERUNTIME and leaves the CUDA error text in err. Device frames are
 * kern_frames whose planes come from cudaMallocPitch. */
#ifdef FORKCAST_CUDA
int kern_cu_device_count(void);
void kern_cu_device_name(char *buf, size_t n);
int kern_cu_frame_alloc(kern_frame *f, int w, int h, int with_alpha, char *err, size_t errsz);
void kern_cu_frame_free(kern_frame *f);
int kern_cu_upload(kern_frame *dev, const kern_frame *host, char *err, size_t errsz);
int kern_cu_download(kern_frame *host, const kern_frame *dev, char *err, size_t errsz);
int kern_cu_sync(char *err, size_t errsz);

/* Asynchronous launch on the default stream; version 1 or 2. */
int kern_cu_overlay(int version, kern_frame *dev_frame, const kern_frame *dev_ov, int x, int y,
                    char *err, size_t errsz);

/* Device copies of a plan's taps (both layouts) and the intermediate. */
typedef struct kern_cu_plan kern_cu_plan;
kern_cu_plan *kern_cu_plan_new(const kern_framing_plan *pl, char *err, size_t errsz);
void kern_cu_plan_free(kern_cu_plan *p);
/* Asynchronous launch (horizontal then vertical pass per plane). */
int kern_cu_framing(int version, const kern_frame *dev_src, kern_rect crop, kern_frame *dev_dst,
                    kern_cu_plan *p, char *err, size_t errsz);
#endif

#ifdef __cplusplus
}
#endif

#endif
