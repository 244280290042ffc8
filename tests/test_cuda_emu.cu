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
#include "kernels/kern_gpu.h"

#include <stdlib.h>
#include <vector>

/* Rows padded like cudaMallocPitch's (one spare column, `align`-aligned
 * rows: 4, or 16 for the 16-byte paths of v3), each plane its own
 * allocation. */
static kern_frame *mk_aligned(int w, int h, int alpha, int align)
{
    kern_frame *f = (kern_frame *)calloc(1, sizeof *f);
    f->w = w;
    f->h = h;
    for (int p = 0; p < (alpha ? 4 : 3); p++) {
        int pw = (p == 1 || p == 2) ? (w + 1) / 2 : w, ph = (p == 1 || p == 2) ? (h + 1) / 2 : h;
        f->linesize[p] = (pw + 1 + align - 1) & ~(align - 1);
        f->data[p] = (uint8_t *)aligned_alloc((size_t)align, ((size_t)f->linesize[p] * ph + align - 1) &
                                                                 ~(size_t)(align - 1));
    }
    return f;
}

static kern_frame *mk(int w, int h, int alpha) { return mk_aligned(w, h, alpha, 4); }

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

/* Every index of the grid kern_cu_overlay_cfg launches for version v. */
static void run_overlay_grid(int v, const OvArgs &A)
{
    if (v == 1) { /* grid of ov_v1_kernel: (32, 8) blocks, z = plane */
        int gx = (A.c.i1 - A.c.i0 + 31) / 32 * 32, gy = (A.c.j1 - A.c.j0 + 7) / 8 * 8;
        for (int z = 0; z < 3; z++)
            for (int ty = 0; ty < gy; ty++)
                for (int tx = 0; tx < gx; tx++)
                    ov_v1_body(A, z, tx, ty);
    } else if (v == 2) { /* grid of ov_v2_kernel: (64, 4) blocks */
        int X0, nx, ny;
        ov_v2_span(A.c, &X0, &nx, &ny);
        for (int ty = 0; ty < (ny + 3) / 4 * 4; ty++)
            for (int tx = 0; tx < (nx + 63) / 64 * 64; tx++)
                ov_v2_body(A, X0, tx, ty);
    } else { /* grid of ov_v3_kernel: (32, 8) blocks */
        int X0, nx, ny;
        ov_v3_span(A.c, &X0, &nx, &ny);
        for (int ty = 0; ty < (ny + 7) / 8 * 8; ty++)
            for (int tx = 0; tx < (nx + 31) / 32 * 32; tx++)
                ov_v3_body(A, X0, tx, ty);
    }
}

static void test_overlay_versions(void)
{
    kern_pool *pool = kern_pool_new(1);
    /* frame w, h, overlay w, h, x, y: clipped on every side, odd sizes,
     * tiny overlays, overlays ending on and just past a 16-column block,
     * x not a multiple of 4 or 16 (the overlay's unaligned-load paths). */
    static const int cases[][6] = {
        {64, 48, 20, 10, 8, 6},     {65, 49, 21, 11, 7, 9},        {64, 48, 30, 30, -9, -11},
        {64, 48, 30, 30, 50, 40},   {33, 17, 40, 20, -4, -2},      {64, 48, 1, 1, 4, 4},
        {64, 48, 2, 3, 62, 46},     {64, 48, 10, 10, 64, 0},       {1920, 1080, 700, 300, 611, 703},
        {1280, 720, 1280, 720, 0, 0}, {101, 77, 37, 29, -2, -6},   {100, 80, 9, 9, 90, 70},
        {100, 80, 8, 8, 92, 72},    {100, 80, 64, 40, 2, 2},       {100, 80, 64, 40, 6, 4},
        {128, 64, 64, 32, 16, 8},   {128, 64, 64, 32, 24, 8},      {128, 64, 48, 32, 10, 6},
        {130, 66, 66, 34, 32, 16},  {128, 64, 17, 33, 111, 31},    {160, 90, 160, 90, 0, 0},
        {161, 91, 161, 91, 0, 0},   {200, 100, 100, 26, 50, 68},   {48, 32, 48, 32, -16, -8},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int v = 1; v <= KERN_CU_OVERLAY_VERSIONS; v++)
            for (int harsh = 0; harsh < 2; harsh++) {
                const int *k = cases[c];
                int al = v == 3 ? 16 : 4; /* v3's launcher needs 16-aligned frame rows */
                kern_frame *a = mk_aligned(k[0], k[1], 0, al), *b = mk_aligned(k[0], k[1], 0, al);
                kern_frame *ov = mk_aligned(k[2], k[3], 1, al);
                kern_fill_random(a, 3 + c);
                kern_frame_copy(b, a);
                if (harsh)
                    kern_fill_random(ov, 9 + c);
                else
                    kern_fill_graphic(ov, 2 + c);
                kern_overlay_cpu(pool, a, ov, k[4], k[5]);
                OvArgs A;
                if (ov_args(&A, b, ov, k[4], k[5]))
                    run_overlay_grid(v, A);
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

/* v3 reads the overlay through 16-byte loads only where its rows are
 * 16-aligned at that column: an overlay whose planes start 2 bytes into
 * 16-aligned rows takes the 2-byte path for every block, and must give the
 * same result. */
static void test_overlay_v3_unaligned_overlay(void)
{
    kern_pool *pool = kern_pool_new(1);
    kern_frame *a = mk_aligned(256, 64, 0, 16), *b = mk_aligned(256, 64, 0, 16);
    kern_frame *ov = mk_aligned(160, 40, 1, 16);
    kern_fill_random(a, 5);
    kern_frame_copy(b, a);
    kern_fill_random(ov, 6);
    kern_frame shifted = *ov; /* a 158 x 40 view starting at column 2 */
    shifted.w = 158;
    shifted.data[0] += 2;
    shifted.data[3] += 2;
    shifted.data[1] += 1;
    shifted.data[2] += 1;
    kern_overlay_cpu(pool, a, &shifted, 32, 12);
    OvArgs A;
    CHECK(ov_args(&A, b, &shifted, 32, 12));
    run_overlay_grid(3, A);
    CHECK(ndiff(a, b) == 0);
    rm(a);
    rm(b);
    rm(ov);
    kern_pool_free(pool);
}

/* NV12 -> I420 over nv12_kernel's grid ((32, 8) blocks of 16-column
 * threads), against the plain deinterleave, for odd and even sizes. */
static void test_nv12(void)
{
    static const int sizes[][2] = {{64, 48}, {65, 49}, {17, 3}, {1, 1}, {250, 30}, {1920, 1080}};
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
        int w = sizes[c][0], h = sizes[c][1], cw = (w + 1) / 2, ch = (h + 1) / 2;
        int yls = (w + 15) & ~15, uvls = (2 * cw + 15) & ~15;
        uint8_t *y = (uint8_t *)aligned_alloc(16, (size_t)yls * h), *uv = (uint8_t *)aligned_alloc(16, (size_t)uvls * ch);
        uint64_t st = 88172645463325252ull + c;
        for (size_t i = 0; i < (size_t)yls * h; i++)
            y[i] = (uint8_t)((st ^= st << 13, st ^= st >> 7, st ^= st << 17) >> 24);
        for (size_t i = 0; i < (size_t)uvls * ch; i++)
            uv[i] = (uint8_t)((st ^= st << 13, st ^= st >> 7, st ^= st << 17) >> 24);
        kern_frame *want = mk(w, h, 0), *got = mk_aligned(w, h, 0, 16);
        for (int r = 0; r < h; r++)
            memcpy(want->data[0] + (size_t)r * want->linesize[0], y + (size_t)r * yls, (size_t)w);
        for (int r = 0; r < ch; r++)
            for (int k = 0; k < cw; k++) {
                want->data[1][(size_t)r * want->linesize[1] + k] = uv[(size_t)r * uvls + 2 * k];
                want->data[2][(size_t)r * want->linesize[2] + k] = uv[(size_t)r * uvls + 2 * k + 1];
            }
        Nv12Args A;
        memset(&A, 0, sizeof A);
        A.y = y;
        A.uv = uv;
        A.yls = yls;
        A.uvls = uvls;
        for (int p = 0; p < 3; p++) {
            A.d[p] = got->data[p];
            A.dls[p] = got->linesize[p];
        }
        A.w = w;
        A.h = h;
        int gx = (w + 16 * 32 - 1) / (16 * 32) * 32, gy = (ch + 7) / 8 * 8;
        for (int ty = 0; ty < gy; ty++)
            for (int tx = 0; tx < gx; tx++)
                nv12_body(A, tx, ty);
        long d = ndiff(want, got);
        CHECK(d == 0);
        if (d)
            fprintf(stderr, "nv12 %dx%d: %ld samples differ\n", w, h, d);
        rm(want);
        rm(got);
        free(y);
        free(uv);
    }
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

TEST_MAIN(test_overlay_versions, test_overlay_v3_unaligned_overlay, test_nv12, test_framing_versions)
