/* kernels/kern_framing.h -- framing internals the CPU and CUDA backends
 * share: the fixed-point filter taps (so the two agree bit for bit), the
 * plan of four tap sets, and the reference and CPU kernels. Internal to
 * kernels/ (and the tests and GPU check); callers use kern_framing() in
 * kern.h, whose overview states the semantics.
 *
 * Ownership: kern_taps_init() and kern_framing_plan_init() fill caller-owned
 * structs whose arrays *_free() releases; they return KERN_OK, or
 * KERN_ERUNTIME when out of memory (nothing left allocated). Frames are
 * borrowed.
 */
#ifndef FORKCAST_KERNELS_KERN_FRAMING_H
#define FORKCAST_KERNELS_KERN_FRAMING_H

#include "kernels/kern.h"
#include "kernels/kern_hostdev.h"
#include "kernels/kern_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One direction of a resize of src_n samples to dst_n: output i reads input
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

#ifdef __cplusplus
}
#endif

#endif
