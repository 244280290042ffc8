/* kernels/kern_cuda.cu -- overlay (three versions) and framing (two) on the
 * GPU, as in llm.c's dev/cuda, and NV12 -> I420:
 *
 *   overlay v1  one thread per output sample, one launch for all three
 *               planes (blockIdx.z = plane); byte loads and stores.
 *   overlay v2  one thread per 4x2 block of luma and the 2x1 chroma samples
 *               under it in U and V; the frame is read and written as
 *               uchar4 / uchar2 on 4-aligned columns, the alpha rows are
 *               read once and reused for chroma. Edge blocks (clipped, or on
 *               the overlay's last chroma row or column) take the v1 path.
 *   framing v1  horizontal pass (one thread per intermediate sample) into a
 *               whole int16 intermediate, then vertical pass (one thread per
 *               output sample); taps read as [output][tap].
 *   framing v2  the same passes with four outputs per thread: taps read
 *               transposed ([tap][output], coalesced), short4 / uchar4
 *               loads and stores.
 *
 * The arithmetic is the CPU fast path's, through the same helpers
 * (kern_blend, kern_chroma_alpha) and the same 14-bit taps, so every
 * version is bit-exact with KERN_CPU. Each kernel's per-thread work is a
 * __host__ __device__ function in kern_cuda_body.cuh (tests/test_cuda_emu.cu
 * runs them on the host over the same grids): the kernels here only compute
 * indices.
 * All launches go to the default stream; the C entry points are declared
 * in kern_cuda.h and (launch configurations, v3, NV12) kern_gpu.h.
 */
#ifndef FORKCAST_CUDA
#define FORKCAST_CUDA 1 /* this file is only ever built with nvcc */
#endif
#include "kernels/kern_cuda.h"
#include "kernels/kern_framing.h"
#include "kernels/kern_gpu.h"
#include "kernels/kern_overlay.h"
#include "kernels/kern_gpu.h"
#include "kernels/kern_cuda_body.cuh"

#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cu_fail(char *err, size_t errsz, const char *what, cudaError_t e)
{
    if (err && errsz)
        snprintf(err, errsz, "CUDA: %s: %s", what, cudaGetErrorString(e));
    return KERN_ERUNTIME;
}

#define CU_TRY(call)                                                                                 \
    do {                                                                                             \
        cudaError_t e_ = (call);                                                                     \
        if (e_ != cudaSuccess)                                                                       \
            return cu_fail(err, errsz, #call, e_);                                                   \
    } while (0)

/* ---- devices, frames, copies -------------------------------------------- */

extern "C" int kern_cu_device_count(void)
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError(); /* clear: no driver or no device is not an error here */
        return 0;
    }
    return n;
}

extern "C" void kern_cu_device_name(char *buf, size_t n)
{
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, 0) == cudaSuccess)
        snprintf(buf, n, "%s (sm_%d%d, %d SMs)", p.name, p.major, p.minor, p.multiProcessorCount);
    else
        snprintf(buf, n, "unknown CUDA device");
}

extern "C" int kern_cu_blocking_sync(char *err, size_t errsz)
{
    CU_TRY(cudaSetDeviceFlags(cudaDeviceScheduleBlockingSync));
    return KERN_OK;
}

static int plane_w(int w, int p) { return p == 1 || p == 2 ? (w + 1) / 2 : w; }
static int plane_h(int h, int p) { return p == 1 || p == 2 ? (h + 1) / 2 : h; }

extern "C" int kern_cu_frame_alloc(kern_frame *f, int w, int h, int with_alpha, char *err, size_t errsz)
{
    memset(f, 0, sizeof *f);
    f->w = w;
    f->h = h;
    for (int p = 0; p < (with_alpha ? 4 : 3); p++) {
        size_t pitch = 0;
        /* One spare column so a 2-byte read at an odd width stays inside. */
        cudaError_t e = cudaMallocPitch((void **)&f->data[p], &pitch, (size_t)plane_w(w, p) + 1,
                                        (size_t)plane_h(h, p));
        if (e != cudaSuccess) {
            kern_cu_frame_free(f);
            return cu_fail(err, errsz, "cudaMallocPitch", e);
        }
        f->linesize[p] = (int)pitch;
    }
    return KERN_OK;
}

extern "C" void kern_cu_frame_free(kern_frame *f)
{
    for (int p = 0; p < 4; p++)
        if (f->data[p])
            cudaFree(f->data[p]);
    memset(f, 0, sizeof *f);
}

static int copy_planes(kern_frame *dst, const kern_frame *src, cudaMemcpyKind kind, char *err, size_t errsz)
{
    for (int p = 0; p < 4; p++) {
        if (!src->data[p] || !dst->data[p])
            continue;
        CU_TRY(cudaMemcpy2D(dst->data[p], (size_t)dst->linesize[p], src->data[p], (size_t)src->linesize[p],
                            (size_t)plane_w(src->w, p), (size_t)plane_h(src->h, p), kind));
    }
    return KERN_OK;
}

extern "C" int kern_cu_upload(kern_frame *dev, const kern_frame *host, char *err, size_t errsz)
{
    return copy_planes(dev, host, cudaMemcpyHostToDevice, err, errsz);
}

extern "C" int kern_cu_download(kern_frame *host, const kern_frame *dev, char *err, size_t errsz)
{
    return copy_planes(host, dev, cudaMemcpyDeviceToHost, err, errsz);
}

extern "C" int kern_cu_sync(char *err, size_t errsz)
{
    CU_TRY(cudaDeviceSynchronize());
    return KERN_OK;
}

/* ---- overlay ------------------------------------------------------------ */

static __global__ void ov_v1_kernel(OvArgs a)
{
    ov_v1_body(a, blockIdx.z, blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y * blockDim.y + threadIdx.y);
}

static __global__ void ov_v2_kernel(OvArgs a, int X0)
{
    ov_v2_body(a, X0, blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y * blockDim.y + threadIdx.y);
}

static __global__ void ov_v3_kernel(OvArgs a, int X0)
{
    ov_v3_body(a, X0, blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y * blockDim.y + threadIdx.y);
}

static int bad_block(char *err, size_t errsz, int bx, int by)
{
    if (err && errsz)
        snprintf(err, errsz, "CUDA: block of %dx%d threads: must be 1..1024 threads, by <= 64", bx, by);
    return KERN_EINPUT;
}

static unsigned cdiv(int n, int d) { return (unsigned)((n + d - 1) / d); }

extern "C" int kern_cu_overlay_cfg(int version, int bx, int by, kern_frame *dev_frame, const kern_frame *dev_ov,
                                   int x, int y, int *ran, char *err, size_t errsz)
{
    static const int dflt[4][2] = {{0, 0}, {32, 8}, {64, 4}, {32, 8}};
    if (version < 1 || version > KERN_CU_OVERLAY_VERSIONS) {
        if (err && errsz)
            snprintf(err, errsz, "CUDA: overlay version %d does not exist (1..%d)", version,
                     KERN_CU_OVERLAY_VERSIONS);
        return KERN_EINPUT;
    }
    if (ran)
        *ran = 0;
    OvArgs a;
    if (!ov_args(&a, dev_frame, dev_ov, x, y))
        return KERN_OK;
    /* v2 needs 4-aligned frame rows and 2-aligned overlay rows; v3 16- and
     * 8-aligned frame rows and the same overlay rows. */
    int ov_ok = !(a.ols[0] & 1) && !(a.ols[3] & 1) && !((uintptr_t)a.o[0] & 1) && !((uintptr_t)a.o[3] & 1);
    int al2 = ov_ok && !(a.fls[0] & 3) && !(a.fls[1] & 1) && !(a.fls[2] & 1) && !((uintptr_t)a.f[0] & 3) &&
              !((uintptr_t)a.f[1] & 1) && !((uintptr_t)a.f[2] & 1);
    int al3 = ov_ok && !(a.fls[0] & 15) && !(a.fls[1] & 7) && !(a.fls[2] & 7) && !((uintptr_t)a.f[0] & 15) &&
              !((uintptr_t)a.f[1] & 7) && !((uintptr_t)a.f[2] & 7);
    if (version == 3 && !al3)
        version = 2;
    if (version == 2 && !al2)
        version = 1;
    if (!bx && !by) {
        bx = dflt[version][0];
        by = dflt[version][1];
    }
    if (bx < 1 || by < 1 || by > 64 || bx * by > 1024)
        return bad_block(err, errsz, bx, by);
    dim3 block((unsigned)bx, (unsigned)by);
    if (version >= 2) {
        int X0, nx, ny;
        if (version == 3)
            ov_v3_span(a.c, &X0, &nx, &ny);
        else
            ov_v2_span(a.c, &X0, &nx, &ny);
        dim3 grid(cdiv(nx, bx), cdiv(ny, by));
        if (version == 3)
            ov_v3_kernel<<<grid, block>>>(a, X0);
        else
            ov_v2_kernel<<<grid, block>>>(a, X0);
    } else {
        dim3 grid(cdiv(a.c.i1 - a.c.i0, bx), cdiv(a.c.j1 - a.c.j0, by), 3);
        ov_v1_kernel<<<grid, block>>>(a);
    }
    CU_TRY(cudaGetLastError());
    if (ran)
        *ran = version;
    return KERN_OK;
}

extern "C" int kern_cu_overlay(int version, kern_frame *dev_frame, const kern_frame *dev_ov, int x, int y,
                               char *err, size_t errsz)
{
    return kern_cu_overlay_cfg(version, 0, 0, dev_frame, dev_ov, x, y, NULL, err, errsz);
}

/* ---- NV12 -> I420 ------------------------------------------------------- */

static __global__ void nv12_kernel(Nv12Args a)
{
    nv12_body(a, blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y * blockDim.y + threadIdx.y);
}

extern "C" int kern_cu_nv12_to_i420(kern_frame *dev_dst, const uint8_t *y, int yls, const uint8_t *uv, int uvls,
                                    char *err, size_t errsz)
{
    Nv12Args a;
    memset(&a, 0, sizeof a);
    a.y = y;
    a.uv = uv;
    a.yls = yls;
    a.uvls = uvls;
    for (int p = 0; p < 3; p++) {
        a.d[p] = dev_dst->data[p];
        a.dls[p] = dev_dst->linesize[p];
    }
    a.w = dev_dst->w;
    a.h = dev_dst->h;
    if (!y || !uv || !a.d[0] || !a.d[1] || !a.d[2] || a.w < 1 || a.h < 1) {
        if (err && errsz)
            snprintf(err, errsz, "nv12: missing plane or empty frame");
        return KERN_EINPUT;
    }
    dim3 block(32, 8), grid(cdiv(a.w, 16 * 32), cdiv((a.h + 1) / 2, 8));
    nv12_kernel<<<grid, block>>>(a);
    CU_TRY(cudaGetLastError());
    return KERN_OK;
}

/* ---- framing ------------------------------------------------------------ */

static __global__ void fr_h_v1_kernel(FrArgs a)
{
    fr_h_v1_body(a.p[blockIdx.z], blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y);
}
static __global__ void fr_v_v1_kernel(FrArgs a)
{
    fr_v_v1_body(a.p[blockIdx.z], blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y);
}
static __global__ void fr_h_v2_kernel(FrArgs a)
{
    fr_h_v2_body(a.p[blockIdx.z], blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y);
}
static __global__ void fr_v_v2_kernel(FrArgs a)
{
    fr_v_v2_body(a.p[blockIdx.z], blockIdx.x * blockDim.x + threadIdx.x, blockIdx.y);
}

struct kern_cu_plan {
    int crop_w, crop_h, out_w, out_h;
    struct {
        int32_t *pos;
        int16_t *coef, *coef_t;
        int taps;
    } t[4];
    int16_t *mid;
    size_t mid_off[3];
    int mstride[3];
};

extern "C" void kern_cu_plan_free(kern_cu_plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < 4; i++) {
        cudaFree(p->t[i].pos);
        cudaFree(p->t[i].coef);
        cudaFree(p->t[i].coef_t);
    }
    cudaFree(p->mid);
    free(p);
}

extern "C" kern_cu_plan *kern_cu_plan_new(const kern_framing_plan *pl, char *err, size_t errsz)
{
    kern_cu_plan *p = (kern_cu_plan *)calloc(1, sizeof *p);
    if (!p) {
        if (err && errsz)
            snprintf(err, errsz, "framing: out of memory");
        return NULL;
    }
    p->crop_w = pl->crop_w;
    p->crop_h = pl->crop_h;
    p->out_w = pl->out_w;
    p->out_h = pl->out_h;
    cudaError_t e = cudaSuccess;
    const char *what = "cudaMalloc";
    for (int i = 0; i < 4 && e == cudaSuccess; i++) {
        const kern_taps *t = &pl->t[i];
        size_t nc = (size_t)t->dst_n * t->taps * sizeof(int16_t);
        p->t[i].taps = t->taps;
        if ((e = cudaMalloc((void **)&p->t[i].pos, (size_t)t->dst_n * sizeof(int32_t))) != cudaSuccess ||
            (e = cudaMalloc((void **)&p->t[i].coef, nc)) != cudaSuccess ||
            (e = cudaMalloc((void **)&p->t[i].coef_t, nc)) != cudaSuccess)
            break;
        what = "cudaMemcpy";
        if ((e = cudaMemcpy(p->t[i].pos, t->pos, (size_t)t->dst_n * sizeof(int32_t), cudaMemcpyHostToDevice)) !=
                cudaSuccess ||
            (e = cudaMemcpy(p->t[i].coef, t->coef, nc, cudaMemcpyHostToDevice)) != cudaSuccess ||
            (e = cudaMemcpy(p->t[i].coef_t, t->coef_t, nc, cudaMemcpyHostToDevice)) != cudaSuccess)
            break;
        what = "cudaMalloc";
    }
    if (e == cudaSuccess) {
        size_t off = 0;
        for (int q = 0; q < 3; q++) {
            int dw = q ? (pl->out_w + 1) / 2 : pl->out_w, sh = q ? pl->crop_h / 2 : pl->crop_h;
            p->mstride[q] = (dw + 7) & ~7;
            p->mid_off[q] = off;
            off += (size_t)p->mstride[q] * sh;
        }
        e = cudaMalloc((void **)&p->mid, off * sizeof(int16_t));
    }
    if (e != cudaSuccess) {
        cu_fail(err, errsz, what, e);
        kern_cu_plan_free(p);
        return NULL;
    }
    return p;
}

extern "C" int kern_cu_framing_cfg(int version, int bs, const kern_frame *src, kern_rect crop, kern_frame *dst,
                                   kern_cu_plan *pl, char *err, size_t errsz)
{
    if (version < 1 || version > KERN_CU_FRAMING_VERSIONS) {
        if (err && errsz)
            snprintf(err, errsz, "CUDA: framing version %d does not exist (1..%d)", version,
                     KERN_CU_FRAMING_VERSIONS);
        return KERN_EINPUT;
    }
    if (!bs)
        bs = version == 2 ? 64 : 128;
    if (bs < 1 || bs > 1024)
        return bad_block(err, errsz, bs, 1);
    if (crop.w != pl->crop_w || crop.h != pl->crop_h || dst->w != pl->out_w || dst->h != pl->out_h) {
        if (err && errsz)
            snprintf(err, errsz, "framing: plan does not match the crop or output size");
        return KERN_EINPUT;
    }
    FrArgs a;
    memset(&a, 0, sizeof a);
    for (int q = 0; q < 3; q++) {
        int sh = q ? 1 : 0;
        FrPlane &P = a.p[q];
        P.src = src->data[q] + (size_t)(crop.y >> sh) * src->linesize[q] + (crop.x >> sh);
        P.sls = src->linesize[q];
        P.sw = crop.w >> sh;
        P.sh = crop.h >> sh;
        P.dst = dst->data[q];
        P.dls = dst->linesize[q];
        P.dw = q ? (dst->w + 1) / 2 : dst->w;
        P.dh = q ? (dst->h + 1) / 2 : dst->h;
        P.mid = pl->mid + pl->mid_off[q];
        P.mstride = pl->mstride[q];
        P.hpos = pl->t[q ? 2 : 0].pos;
        P.hcoef = pl->t[q ? 2 : 0].coef;
        P.hcoef_t = pl->t[q ? 2 : 0].coef_t;
        P.hT = pl->t[q ? 2 : 0].taps;
        P.vpos = pl->t[q ? 3 : 1].pos;
        P.vcoef = pl->t[q ? 3 : 1].coef;
        P.vT = pl->t[q ? 3 : 1].taps;
    }
    /* Grids sized for luma; chroma threads past their plane return. */
    const FrPlane &L = a.p[0];
    int nx = version == 2 ? (L.dw + 3) / 4 : L.dw;
    dim3 block((unsigned)bs), gh(cdiv(nx, bs), (unsigned)L.sh, 3), gv(cdiv(nx, bs), (unsigned)L.dh, 3);
    if (version == 2) {
        fr_h_v2_kernel<<<gh, block>>>(a);
        fr_v_v2_kernel<<<gv, block>>>(a);
    } else {
        fr_h_v1_kernel<<<gh, block>>>(a);
        fr_v_v1_kernel<<<gv, block>>>(a);
    }
    CU_TRY(cudaGetLastError());
    return KERN_OK;
}

extern "C" int kern_cu_framing(int version, const kern_frame *src, kern_rect crop, kern_frame *dst,
                               kern_cu_plan *pl, char *err, size_t errsz)
{
    return kern_cu_framing_cfg(version, 0, src, crop, dst, pl, err, errsz);
}
