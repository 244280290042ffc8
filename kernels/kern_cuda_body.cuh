/* kernels/kern_cuda_body.cuh -- the per-thread work of the CUDA kernels, as
 * __host__ __device__ functions over plain structs, so the same code runs
 * on the device (kern_cuda.cu launches it) and on the host
 * (tests/test_cuda_emu.cu walks every index of the launch grids and compares
 * with KERN_CPU).
 * Include only from nvcc-compiled files. Internal to kernels/.
 *
 * Overlay: OvArgs carries the frame and overlay planes and the clip
 * (kern_overlay_clip); v1 does one sample, v2 a 4x2 luma block with its two
 * chroma samples (uchar4 / uchar2 on the frame; the overlay read as uchar4
 * when its column is 4-aligned, else uchar2; v1's code on edge blocks), v3
 * a 16x2 luma block with its eight chroma samples (16-byte / 8-byte
 * vectors). Nv12Args: NVDEC's NV12 split into I420. Framing: FrPlane
 * carries one plane's crop, output,
 * intermediate (mstride a multiple of 8 so short4 accesses stay aligned and
 * in bounds) and taps; v1 does one sample per pass, v2 four.
 */
#ifndef FORKCAST_KERNELS_KERN_CUDA_BODY_CUH
#define FORKCAST_KERNELS_KERN_CUDA_BODY_CUH

#include "kernels/kern_framing.h"
#include "kernels/kern_overlay.h"

#include <cuda_runtime.h>
#include <string.h>

struct OvArgs {
    uint8_t *f[3];
    int fls[3];
    const uint8_t *o[4];
    int ols[4];
    kern_ov_clip c;
    int owc, ohc;
};

/* v1: sample (tx, ty) of the visible region of plane `plane`. */
KERN_HD static inline void ov_v1_body(const OvArgs &a, int plane, int tx, int ty)
{
    const kern_ov_clip &c = a.c;
    if (plane == 0) {
        int i = c.i0 + tx, j = c.j0 + ty;
        if (i >= c.i1 || j >= c.j1)
            return;
        uint8_t *d = a.f[0] + (size_t)(c.y + j) * a.fls[0] + (c.x + i);
        *d = kern_blend(*d, a.o[0][(size_t)j * a.ols[0] + i], a.o[3][(size_t)j * a.ols[3] + i]);
    } else {
        int k = c.k0 + tx, l = c.l0 + ty;
        if (k >= c.k1 || l >= c.l1)
            return;
        uint8_t *d = a.f[plane] + (size_t)(c.y / 2 + l) * a.fls[plane] + (c.x / 2 + k);
        int al = kern_chroma_alpha(a.o[3], a.ols[3], k, l, a.owc, a.ohc);
        *d = kern_blend(*d, a.o[plane][(size_t)l * a.ols[plane] + k], al);
    }
}

/* v2: the thread for main-frame luma columns X .. X+3 (X = X0 + 4 tx, a
 * multiple of 4) and chroma row l = l0 + ty (luma rows 2l, 2l+1 of the
 * overlay). */
KERN_HD static inline void ov_v2_body(const OvArgs &a, int X0, int tx, int ty)
{
    const kern_ov_clip &c = a.c;
    int l = c.l0 + ty;
    if (l >= c.l1)
        return;
    int X = X0 + 4 * tx;
    int i = X - c.x;          /* overlay luma column of X, even */
    int k = i / 2;            /* overlay chroma column of X/2 */
    int j = 2 * l;
    if (i >= c.i1 && k >= c.k1)
        return;
    int interior = i >= c.i0 && i + 4 <= c.i1 && j + 2 <= c.j1 && k >= c.k0 && k + 2 <= c.k1 &&
                   k + 2 < a.owc && l + 1 < a.ohc;
    if (!interior) {
        for (int r = 0; r < 2; r++)
            for (int q = 0; q < 4; q++)
                if (i + q >= c.i0 && i + q < c.i1 && j + r >= c.j0 && j + r < c.j1)
                    ov_v1_body(a, 0, i + q - c.i0, j + r - c.j0);
        for (int q = 0; q < 2; q++)
            if (k + q >= c.k0 && k + q < c.k1)
                for (int p = 1; p <= 2; p++)
                    ov_v1_body(a, p, k + q - c.k0, l - c.l0);
        return;
    }
    const uint8_t *A0 = a.o[3] + (size_t)j * a.ols[3] + i, *A1 = A0 + a.ols[3];
    const uint8_t *S0 = a.o[0] + (size_t)j * a.ols[0] + i, *S1 = S0 + a.ols[0];
    uchar4 av0, av1, sv0, sv1;
    if (!(((uintptr_t)A0 | (uintptr_t)A1 | (uintptr_t)S0 | (uintptr_t)S1) & 3)) {
        /* overlay column 4-aligned (x % 4 == 0, as a full-frame graphic) */
        av0 = *(const uchar4 *)A0;
        av1 = *(const uchar4 *)A1;
        sv0 = *(const uchar4 *)S0;
        sv1 = *(const uchar4 *)S1;
    } else {
        /* 2-byte aligned (i even, even pitch): two uchar2 per row */
        uchar2 p0 = *(const uchar2 *)A0, p1 = *(const uchar2 *)(A0 + 2);
        av0 = make_uchar4(p0.x, p0.y, p1.x, p1.y);
        p0 = *(const uchar2 *)A1, p1 = *(const uchar2 *)(A1 + 2);
        av1 = make_uchar4(p0.x, p0.y, p1.x, p1.y);
        p0 = *(const uchar2 *)S0, p1 = *(const uchar2 *)(S0 + 2);
        sv0 = make_uchar4(p0.x, p0.y, p1.x, p1.y);
        p0 = *(const uchar2 *)S1, p1 = *(const uchar2 *)(S1 + 2);
        sv1 = make_uchar4(p0.x, p0.y, p1.x, p1.y);
    }
    uchar4 *D0 = (uchar4 *)(a.f[0] + (size_t)(c.y + j) * a.fls[0] + X);
    uchar4 *D1 = (uchar4 *)((uint8_t *)D0 + a.fls[0]);
    uchar4 d0 = *D0, d1 = *D1;
    d0.x = kern_blend(d0.x, sv0.x, av0.x);
    d0.y = kern_blend(d0.y, sv0.y, av0.y);
    d0.z = kern_blend(d0.z, sv0.z, av0.z);
    d0.w = kern_blend(d0.w, sv0.w, av0.w);
    d1.x = kern_blend(d1.x, sv1.x, av1.x);
    d1.y = kern_blend(d1.y, sv1.y, av1.y);
    d1.z = kern_blend(d1.z, sv1.z, av1.z);
    d1.w = kern_blend(d1.w, sv1.w, av1.w);
    *D0 = d0;
    *D1 = d1;
    /* Chroma: the full 2x2 means (interior blocks only). */
    int al0 = (av0.x + av0.y + av1.x + av1.y) >> 2, al1 = (av0.z + av0.w + av1.z + av1.w) >> 2;
    for (int p = 1; p <= 2; p++) {
        const uint8_t *S = a.o[p] + (size_t)l * a.ols[p] + k;
        uchar2 s2 = (uintptr_t)S & 1 ? make_uchar2(S[0], S[1]) : *(const uchar2 *)S;
        uchar2 *D = (uchar2 *)(a.f[p] + (size_t)(c.y / 2 + l) * a.fls[p] + X / 2);
        uchar2 d = *D;
        d.x = kern_blend(d.x, s2.x, al0);
        d.y = kern_blend(d.y, s2.y, al1);
        *D = d;
    }
}

/* 16 and 8 bytes seen as one vector access or as bytes. */
union KernV16 {
    uint4 v;
    uint8_t b[16];
};
union KernV8 {
    uint2 v;
    uint8_t b[8];
};

/* 16 overlay bytes at p: one 16-byte load when p is 16-aligned, else
 * eight 2-byte loads (p is always 2-aligned: even column, even pitch). */
KERN_HD static inline KernV16 ov_load16(const uint8_t *p)
{
    KernV16 r;
    if (!((uintptr_t)p & 15)) {
        r.v = *(const uint4 *)p;
    } else {
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
        for (int q = 0; q < 8; q++) {
            uchar2 t = *(const uchar2 *)(p + 2 * q);
            r.b[2 * q] = t.x;
            r.b[2 * q + 1] = t.y;
        }
    }
    return r;
}

/* v3: the thread for main-frame luma columns X .. X+15 (X = X0 + 16 tx, a
 * multiple of 16), luma rows 2l, 2l+1 of the overlay (l = l0 + ty) and the
 * 8 chroma samples of row l under them in U and V. The frame is read and
 * written as 16-byte (luma) and 8-byte (chroma) vectors, so the launcher
 * needs 16-aligned luma rows and 8-aligned chroma rows; the overlay's luma
 * and alpha as 16-byte vectors where its rows are 16-aligned at that column
 * (ov_load16), its chroma as 8 bytes. Edge blocks (clipped, or touching the
 * overlay's last chroma row or column) take v1's per-sample code. */
KERN_HD static inline void ov_v3_body(const OvArgs &a, int X0, int tx, int ty)
{
    const kern_ov_clip &c = a.c;
    int l = c.l0 + ty;
    if (l >= c.l1)
        return;
    int X = X0 + 16 * tx;
    int i = X - c.x, k = i / 2, j = 2 * l;
    if (i >= c.i1 && k >= c.k1)
        return;
    int interior = i >= c.i0 && i + 16 <= c.i1 && j + 2 <= c.j1 && k >= c.k0 && k + 8 <= c.k1 && k + 8 < a.owc &&
                   l + 1 < a.ohc;
    if (!interior) {
        for (int r = 0; r < 2; r++)
            for (int q = 0; q < 16; q++)
                if (i + q >= c.i0 && i + q < c.i1 && j + r >= c.j0 && j + r < c.j1)
                    ov_v1_body(a, 0, i + q - c.i0, j + r - c.j0);
        for (int q = 0; q < 8; q++)
            if (k + q >= c.k0 && k + q < c.k1)
                for (int p = 1; p <= 2; p++)
                    ov_v1_body(a, p, k + q - c.k0, l - c.l0);
        return;
    }
    const uint8_t *A0 = a.o[3] + (size_t)j * a.ols[3] + i, *S0 = a.o[0] + (size_t)j * a.ols[0] + i;
    KernV16 a0 = ov_load16(A0), a1 = ov_load16(A0 + a.ols[3]);
    KernV16 s0 = ov_load16(S0), s1 = ov_load16(S0 + a.ols[0]);
    uint4 *D0 = (uint4 *)(a.f[0] + (size_t)(c.y + j) * a.fls[0] + X);
    uint4 *D1 = (uint4 *)((uint8_t *)D0 + a.fls[0]);
    KernV16 d0, d1;
    d0.v = *D0;
    d1.v = *D1;
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int q = 0; q < 16; q++) {
        d0.b[q] = kern_blend(d0.b[q], s0.b[q], a0.b[q]);
        d1.b[q] = kern_blend(d1.b[q], s1.b[q], a1.b[q]);
    }
    *D0 = d0.v;
    *D1 = d1.v;
    /* Chroma: the full 2x2 means (interior blocks only). */
    uint8_t al[8];
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
    for (int q = 0; q < 8; q++)
        al[q] = (uint8_t)((a0.b[2 * q] + a0.b[2 * q + 1] + a1.b[2 * q] + a1.b[2 * q + 1]) >> 2);
    for (int p = 1; p <= 2; p++) {
        const uint8_t *S = a.o[p] + (size_t)l * a.ols[p] + k;
        KernV8 sv, dv;
        if (!((uintptr_t)S & 7)) {
            sv.v = *(const uint2 *)S;
        } else {
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
            for (int q = 0; q < 8; q++)
                sv.b[q] = S[q];
        }
        uint2 *D = (uint2 *)(a.f[p] + (size_t)(c.y / 2 + l) * a.fls[p] + X / 2);
        dv.v = *D;
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
        for (int q = 0; q < 8; q++)
            dv.b[q] = kern_blend(dv.b[q], sv.b[q], al[q]);
        *D = dv.v;
    }
}

/* v3's launch geometry: main columns [X0, X0 + 16 nx), chroma rows [l0, l1). */
static inline void ov_v3_span(const kern_ov_clip &c, int *X0, int *nx, int *ny)
{
    *X0 = (c.x + c.i0) & ~15;
    *nx = (c.x + c.i1 - *X0 + 15) / 16;
    *ny = c.l1 - c.l0;
}

/* v2's launch geometry: main columns [X0, X0 + 4 nx), chroma rows [l0, l1). */
static inline void ov_v2_span(const kern_ov_clip &c, int *X0, int *nx, int *ny)
{
    *X0 = (c.x + c.i0) & ~3;
    *nx = (c.x + c.i1 - *X0 + 3) / 4;
    *ny = c.l1 - c.l0;
}

static inline int ov_args(OvArgs *a, kern_frame *f, const kern_frame *ov, int x, int y)
{
    memset(a, 0, sizeof *a);
    if (!kern_overlay_clip(f->w, f->h, ov->w, ov->h, x & ~1, y & ~1, &a->c))
        return 0;
    for (int p = 0; p < 3; p++) {
        a->f[p] = f->data[p];
        a->fls[p] = f->linesize[p];
    }
    for (int p = 0; p < 4; p++) {
        a->o[p] = ov->data[p];
        a->ols[p] = ov->linesize[p];
    }
    a->owc = (ov->w + 1) / 2;
    a->ohc = (ov->h + 1) / 2;
    return 1;
}

/* NV12 (a luma plane and an interleaved UV plane, as NVDEC delivers) into
 * the three planes of an I420 frame of the same w x h. */
struct Nv12Args {
    const uint8_t *y, *uv;
    int yls, uvls;
    uint8_t *d[3];
    int dls[3];
    int w, h;
};

/* Thread (tx, ty): luma rows 2 ty, 2 ty + 1, columns 16 tx .. 16 tx + 15,
 * and chroma row ty, columns 8 tx .. 8 tx + 7; 16-byte loads and stores
 * (8-byte chroma stores) where aligned and inside, else bytes. */
KERN_HD static inline void nv12_body(const Nv12Args &a, int tx, int ty)
{
    int cw = (a.w + 1) / 2, ch = (a.h + 1) / 2, X = 16 * tx, k = 8 * tx;
    if (ty >= ch || X >= a.w)
        return;
    for (int r = 0; r < 2 && 2 * ty + r < a.h; r++) {
        const uint8_t *s = a.y + (size_t)(2 * ty + r) * a.yls + X;
        uint8_t *d = a.d[0] + (size_t)(2 * ty + r) * a.dls[0] + X;
        if (X + 16 <= a.w && !(((uintptr_t)s | (uintptr_t)d) & 15))
            *(uint4 *)d = *(const uint4 *)s;
        else
            for (int q = 0; q < 16 && X + q < a.w; q++)
                d[q] = s[q];
    }
    const uint8_t *s = a.uv + (size_t)ty * a.uvls + 2 * k;
    uint8_t *u = a.d[1] + (size_t)ty * a.dls[1] + k, *v = a.d[2] + (size_t)ty * a.dls[2] + k;
    if (k + 8 <= cw && !((uintptr_t)s & 15) && !(((uintptr_t)u | (uintptr_t)v) & 7)) {
        KernV16 in;
        KernV8 ou, ov;
        in.v = *(const uint4 *)s;
#ifdef __CUDA_ARCH__
#pragma unroll
#endif
        for (int q = 0; q < 8; q++) {
            ou.b[q] = in.b[2 * q];
            ov.b[q] = in.b[2 * q + 1];
        }
        *(uint2 *)u = ou.v;
        *(uint2 *)v = ov.v;
    } else {
        for (int q = 0; q < 8 && k + q < cw; q++) {
            u[q] = s[2 * q];
            v[q] = s[2 * q + 1];
        }
    }
}

struct FrPlane {
    const uint8_t *src;   /* crop origin */
    int sls, sw, sh;      /* crop size */
    uint8_t *dst;
    int dls, dw, dh;
    int16_t *mid;         /* sh rows of mstride */
    int mstride;
    const int32_t *hpos, *vpos;
    const int16_t *hcoef, *hcoef_t, *vcoef;
    int hT, vT;
};

struct FrArgs {
    FrPlane p[3];
};

KERN_HD static inline int16_t fr_h_one(const FrPlane &P, int x, int r, int transposed)
{
    const uint8_t *s = P.src + (size_t)r * P.sls + P.hpos[x];
    int acc = 1 << (KERN_TAP_BITS - KERN_MID_BITS - 1);
    for (int k = 0; k < P.hT; k++)
        acc += s[k] * (transposed ? P.hcoef_t[(size_t)k * P.dw + x] : P.hcoef[(size_t)x * P.hT + k]);
    return (int16_t)(acc >> (KERN_TAP_BITS - KERN_MID_BITS));
}

KERN_HD static inline void fr_h_v1_body(const FrPlane &P, int x, int r)
{
    if (x >= P.dw || r >= P.sh)
        return;
    P.mid[(size_t)r * P.mstride + x] = fr_h_one(P, x, r, 0);
}

KERN_HD static inline void fr_v_v1_body(const FrPlane &P, int x, int y)
{
    if (x >= P.dw || y >= P.dh)
        return;
    const int16_t *m = P.mid + (size_t)P.vpos[y] * P.mstride + x;
    const int16_t *c = P.vcoef + (size_t)y * P.vT;
    int16_t acc = 1 << (KERN_OUT_BITS - 1);
    for (int k = 0; k < P.vT; k++)
        acc = (int16_t)(acc + kern_mulhrs(m[(size_t)k * P.mstride], c[k]));
    P.dst[(size_t)y * P.dls + x] = kern_out_clamp(acc);
}

/* v2: outputs 4 q .. 4 q + 3 of row r (mstride is a multiple of 8). */
KERN_HD static inline void fr_h_v2_body(const FrPlane &P, int q, int r)
{
    int x = 4 * q;
    if (x >= P.dw || r >= P.sh)
        return;
    int16_t *m = P.mid + (size_t)r * P.mstride + x;
    if (x + 4 <= P.dw) {
        short4 v;
        v.x = fr_h_one(P, x, r, 1);
        v.y = fr_h_one(P, x + 1, r, 1);
        v.z = fr_h_one(P, x + 2, r, 1);
        v.w = fr_h_one(P, x + 3, r, 1);
        *(short4 *)m = v;
    } else {
        for (int i = 0; x + i < P.dw; i++)
            m[i] = fr_h_one(P, x + i, r, 1);
    }
}

KERN_HD static inline void fr_v_v2_body(const FrPlane &P, int q, int y)
{
    int x = 4 * q;
    if (x >= P.dw || y >= P.dh)
        return;
    const int16_t *m = P.mid + (size_t)P.vpos[y] * P.mstride + x;
    const int16_t *c = P.vcoef + (size_t)y * P.vT;
    int16_t a0 = 1 << (KERN_OUT_BITS - 1), a1 = a0, a2 = a0, a3 = a0;
    for (int k = 0; k < P.vT; k++) {
        short4 v = *(const short4 *)(m + (size_t)k * P.mstride); /* padded stride: in bounds */
        int16_t ck = c[k];
        a0 = (int16_t)(a0 + kern_mulhrs(v.x, ck));
        a1 = (int16_t)(a1 + kern_mulhrs(v.y, ck));
        a2 = (int16_t)(a2 + kern_mulhrs(v.z, ck));
        a3 = (int16_t)(a3 + kern_mulhrs(v.w, ck));
    }
    uint8_t *d = P.dst + (size_t)y * P.dls + x;
    if (x + 4 <= P.dw && !((uintptr_t)d & 3)) {
        *(uchar4 *)d = make_uchar4(kern_out_clamp(a0), kern_out_clamp(a1), kern_out_clamp(a2), kern_out_clamp(a3));
    } else {
        int16_t a[4] = {a0, a1, a2, a3};
        for (int i = 0; i < 4 && x + i < P.dw; i++)
            d[i] = kern_out_clamp(a[i]);
    }
}

#endif
