/* tests/test_cuda_emu.cu -- the CUDA kernels' per-thread code
 * (kernels/kern_cuda_body.cuh) run on the host over every index of the grids
 * kern_cuda.cu launches, against KERN_CPU: bit-exact for every version, with
 * planes allocated row-exact so ASan (make check builds no CUDA, but a
 * sanitised build of this file can) or a crash shows an out-of-bounds index.
 * Built only when nvcc exists; needs no GPU. What it cannot show: device
 * alignment faults, races between threads, launch limits -- the GPU check
 * (make gpu-check) covers those on a real device. */
#include "tests/harness.h"

#include "kernels/kern_cuda_body.cuh"

#include <stdlib.h>
#include <vector>

/* Rows padded like cudaMallocPitch's (one spare column, 4-aligned), each
 * plane its own allocation. */
static kern_frame *mk(int w, int h, int alpha)
{
    kern_frame *f = (kern_frame *)calloc(1, sizeof *f);
    f->w = w;
    f->h = h;
    for (int p = 0; p < (alpha ? 4 : 3); p++) {
        int pw = (p == 1 || p == 2) ? (w + 1) / 2 : w, ph = (p == 1 || p == 2) ? (h + 1) / 2 : h;
        f->linesize[p] = (pw + 1 + 3) & ~3;
        f->data[p] = (uint8_t *)aligned_alloc(4, ((size_t)f->linesize[p] * ph + 3) & ~(size_t)3);
    }
    return f;
}

static void rm(kern_frame *f)
{
    for (int p = 0; p < 4; p++)
        free(f->data[p]);
    free(f);
}

static long ndiff(const kern_frame *a, const kern_frame *b)
{
    long n = 0;
    for (int p = 0; p < 3; p++) {
        int pw = p ? (a->w + 1) / 2 : a->w, ph = p ? (a->h + 1) / 2 : a->h;
        for (int r = 0; r < ph; r++)
            for (int x = 0; x < pw; x++)
                n += a->data[p][(size_t)r * a->linesize[p] + x] != b->data[p][(size_t)r * b->linesize[p] + x];
    }
    return n;
}

static void test_overlay_versions(void)
{
    kern_pool *pool = kern_pool_new(1);
    static const int cases[][6] = {
        {64, 48, 20, 10, 8, 6},     {65, 49, 21, 11, 7, 9},        {64, 48, 30, 30, -9, -11},
        {64, 48, 30, 30, 50, 40},   {33, 17, 40, 20, -4, -2},      {64, 48, 1, 1, 4, 4},
        {64, 48, 2, 3, 62, 46},     {64, 48, 10, 10, 64, 0},       {1920, 1080, 700, 300, 611, 703},
        {1280, 720, 1280, 720, 0, 0}, {101, 77, 37, 29, -2, -6},   {100, 80, 9, 9, 90, 70},
        {100, 80, 8, 8, 92, 72},    {100, 80, 64, 40, 2, 2},       {100, 80, 64, 40, 6, 4},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int v = 1; v <= 2; v++)
            for (int harsh = 0; harsh < 2; harsh++) {
                const int *k = cases[c];
                kern_frame *a = mk(k[0], k[1], 0), *b = mk(k[0], k[1], 0), *ov = mk(k[2], k[3], 1);
                kern_fill_random(a, 3 + c);
                kern_frame_copy(b, a);
                if (harsh)
                    kern_fill_random(ov, 9 + c);
                else
                    kern_fill_graphic(ov, 2 + c);
                kern_overlay_cpu(pool, a, ov, k[4], k[5]);
                OvArgs A;
                if (ov_args(&A, b, ov, k[4], k[5])) {
                    if (v == 1) { /* grid of ov_v1_kernel: (32, 8) blocks, z = plane */
                        int gx = (A.c.i1 - A.c.i0 + 31) / 32 * 32, gy = (A.c.j1 - A.c.j0 + 7) / 8 * 8;
                        for (int z = 0; z < 3; z++)
                            for (int ty = 0; ty < gy; ty++)
                                for (int tx = 0; tx < gx; tx++)
                                    ov_v1_body(A, z, tx, ty);
                    } else {      /* grid of ov_v2_kernel: (64, 4) blocks */
                        int X0, nx, ny;
                        ov_v2_span(A.c, &X0, &nx, &ny);
                        for (int ty = 0; ty < (ny + 3) / 4 * 4; ty++)
                            for (int tx = 0; tx < (nx + 63) / 64 * 64; tx++)
                                ov_v2_body(A, X0, tx, ty);
                    }
                }
                long d = ndiff(a, b);
                CHECK(d == 0);
                if (d)
                    fprintf(stderr, "overlay v%d case %zu: %ld samples differ\n", v, c, d);
                rm(a);
                rm(b);
                rm(ov);
            }
    kern_pool_free(pool);
}

static void test_framing_versions(void)
{
    kern_pool *pool = kern_pool_new(1);
    static const int cases[][8] = {
        {1920, 1080, 608, 1080, 656, 0, 1080, 1920}, {320, 180, 102, 180, 40, 0, 90, 160},
        {96, 64, 40, 30, 10, 12, 77, 51},            {64, 64, 64, 64, 0, 0, 64, 64},
        {32, 32, 4, 4, 14, 14, 40, 30},              {200, 100, 46, 80, 20, 10, 91, 161},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int f = 0; f < 2; f++)
            for (int v = 1; v <= 2; v++) {
                const int *k = cases[c];
                kern_rect crop = {k[4], k[5], k[2], k[3]};
                kern_framing_plan pl;
                CHECK(kern_framing_plan_init(&pl, k[2], k[3], k[6], k[7], (kern_filter)f) == KERN_OK);
                kern_frame *src = mk(k[0], k[1], 0), *a = mk(k[6], k[7], 0), *b = mk(k[6], k[7], 0);
                kern_fill_random(src, 77 + c);
                CHECK(kern_framing_cpu(pool, src, crop, a, &pl) == KERN_OK);
                FrArgs A;
                memset(&A, 0, sizeof A);
                std::vector<int16_t *> mids;
                for (int q = 0; q < 3; q++) { /* as kern_cu_framing fills them */
                    int sh = q ? 1 : 0;
                    FrPlane &P = A.p[q];
                    P.src = src->data[q] + (size_t)(crop.y >> sh) * src->linesize[q] + (crop.x >> sh);
                    P.sls = src->linesize[q];
                    P.sw = crop.w >> sh;
                    P.sh = crop.h >> sh;
                    P.dst = b->data[q];
                    P.dls = b->linesize[q];
                    P.dw = q ? (b->w + 1) / 2 : b->w;
                    P.dh = q ? (b->h + 1) / 2 : b->h;
                    P.mstride = (P.dw + 7) & ~7;
                    P.mid = (int16_t *)aligned_alloc(16, ((size_t)P.mstride * P.sh * 2 + 15) & ~(size_t)15);
                    mids.push_back(P.mid);
                    const kern_taps *th = &pl.t[q ? 2 : 0], *tv = &pl.t[q ? 3 : 1];
                    P.hpos = th->pos;
                    P.hcoef = th->coef;
                    P.hcoef_t = th->coef_t;
                    P.hT = th->taps;
                    P.vpos = tv->pos;
                    P.vcoef = tv->coef;
                    P.vT = tv->taps;
                }
                const FrPlane &L = A.p[0];
                if (v == 1) { /* 128-wide blocks, grid y = rows, z = plane */
                    int gx = (L.dw + 127) / 128 * 128;
                    for (int z = 0; z < 3; z++)
                        for (int y = 0; y < L.sh; y++)
                            for (int x = 0; x < gx; x++)
                                fr_h_v1_body(A.p[z], x, y);
                    for (int z = 0; z < 3; z++)
                        for (int y = 0; y < L.dh; y++)
                            for (int x = 0; x < gx; x++)
                                fr_v_v1_body(A.p[z], x, y);
                } else {      /* 64-wide blocks of 4-output threads */
                    int gx = ((L.dw + 3) / 4 + 63) / 64 * 64;
                    for (int z = 0; z < 3; z++)
                        for (int y = 0; y < L.sh; y++)
                            for (int x = 0; x < gx; x++)
                                fr_h_v2_body(A.p[z], x, y);
                    for (int z = 0; z < 3; z++)
                        for (int y = 0; y < L.dh; y++)
                            for (int x = 0; x < gx; x++)
                                fr_v_v2_body(A.p[z], x, y);
                }
                long d = ndiff(a, b);
                CHECK(d == 0);
                if (d)
                    fprintf(stderr, "framing v%d filter %d case %zu: %ld samples differ\n", v, f, c, d);
                for (size_t m = 0; m < mids.size(); m++)
                    free(mids[m]);
                kern_framing_plan_free(&pl);
                rm(src);
                rm(a);
                rm(b);
            }
    kern_pool_free(pool);
}

TEST_MAIN(test_overlay_versions, test_framing_versions)
