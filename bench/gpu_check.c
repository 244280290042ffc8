/* bench/gpu_check.c -- the CUDA kernels on a real device: correctness against
 * the CPU reference, then speed, as llm.c's dev/cuda does it.
 *
 *   gpu/gpu_check [--sizes WxH,WxH...] [--iters N]     (make gpu-check builds it)
 *
 * Needs only the CUDA runtime (linked statically) and the kernels/ sources:
 * no FFmpeg, GSL or cJSON, so it runs on a bare GPU machine. For each size
 * (default 1920x1080 and 3840x2160):
 *
 *   check   fresh random frames; the device frame's row padding is poisoned
 *           (and the framing output wholly), every sample of every plane is
 *           compared with the CPU reference (overlay: bit-exact; framing:
 *           bit-exact with the CPU fast path and within 1 LSB of the double
 *           reference), and the padding must still hold the poison.
 *   time    each version after warm-up with CUDA events, cycling through a
 *           ring of buffers at least 4x the L2 cache so every frame comes
 *           from DRAM; GB/s counts the bytes the result depends on (each
 *           input read once, each output written once), set against the
 *           device-to-device cudaMemcpy bandwidth measured in the same run
 *           (read + write, 256 MB); frames/s; and the host<->device copies
 *           a frame costs (pageable memory, as kern_overlay does it).
 *
 * Overlays: a full-frame graphic (the bandwidth case) and a lower third
 * (w/2 x h/4). Exit 0 when every check passes, 1 on a mismatch, a CUDA
 * error or no device ("no CUDA device"), 2 on a usage error.
 */
#define FORKCAST_CUDA 1
#include "kernels/kern_impl.h"
#include "base/clock.h"

#include <cuda_runtime_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;

#define CK(call)                                                                                     \
    do {                                                                                             \
        cudaError_t e_ = (call);                                                                     \
        if (e_ != cudaSuccess) {                                                                     \
            fprintf(stderr, "gpu_check: %s: %s\n", #call, cudaGetErrorString(e_));                    \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static void kk(int rc, const char *err)
{
    if (rc) {
        fprintf(stderr, "gpu_check: %s\n", err);
        exit(1);
    }
}

static int pw(const kern_frame *f, int p) { return p == 1 || p == 2 ? (f->w + 1) / 2 : f->w; }
static int ph(const kern_frame *f, int p) { return p == 1 || p == 2 ? (f->h + 1) / 2 : f->h; }

enum { POISON = 0xA5 };

/* Fill device frame plane padding (and, if all, the samples too) with POISON. */
static void poison(kern_frame *d, int all)
{
    for (int p = 0; p < 3; p++) {
        if (all) {
            CK(cudaMemset(d->data[p], POISON, (size_t)d->linesize[p] * ph(d, p)));
        } else {
            CK(cudaMemset2D(d->data[p] + pw(d, p), (size_t)d->linesize[p], POISON,
                            (size_t)(d->linesize[p] - pw(d, p)), (size_t)ph(d, p)));
        }
    }
}

/* Download d whole (padding included); count samples differing from want
 * by more than tol, the largest difference, and padding bytes not POISON. */
static void compare(const kern_frame *d, const kern_frame *want, int tol, long *bad, int *maxd, long *padbad)
{
    *bad = 0;
    *maxd = 0;
    *padbad = 0;
    for (int p = 0; p < 3; p++) {
        size_t n = (size_t)d->linesize[p] * ph(d, p);
        uint8_t *h = malloc(n);
        if (!h) {
            fprintf(stderr, "gpu_check: out of memory\n");
            exit(1);
        }
        CK(cudaMemcpy(h, d->data[p], n, cudaMemcpyDeviceToHost));
        for (int r = 0; r < ph(d, p); r++) {
            const uint8_t *row = h + (size_t)r * d->linesize[p];
            const uint8_t *ref = want->data[p] + (size_t)r * want->linesize[p];
            for (int x = 0; x < pw(d, p); x++) {
                int e = abs(row[x] - ref[x]);
                *maxd = e > *maxd ? e : *maxd;
                *bad += e > tol;
            }
            for (int x = pw(d, p); x < d->linesize[p]; x++)
                *padbad += row[x] != POISON;
        }
        free(h);
    }
}

static void report_check(const char *what, long bad, int maxd, long padbad, int tol)
{
    int ok = bad == 0 && padbad == 0;
    printf("  check %-34s %s (max diff %d LSB, tol %d; %ld samples over; %ld padding bytes touched)\n", what,
           ok ? "ok" : "FAILED", maxd, tol, bad, padbad);
    failures += !ok;
}

/* Device-to-device copy bandwidth, GB/s counting read + write. */
static double d2d_gbs(size_t bytes, int iters)
{
    void *a, *b;
    cudaEvent_t e0, e1;
    CK(cudaMalloc(&a, bytes));
    CK(cudaMalloc(&b, bytes));
    CK(cudaMemset(a, 1, bytes));
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    for (int i = 0; i < 3; i++)
        CK(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));
    CK(cudaEventRecord(e0, 0));
    for (int i = 0; i < iters; i++)
        CK(cudaMemcpy(i & 1 ? a : b, i & 1 ? b : a, bytes, cudaMemcpyDeviceToDevice));
    CK(cudaEventRecord(e1, 0));
    CK(cudaEventSynchronize(e1));
    float ms;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    CK(cudaFree(a));
    CK(cudaFree(b));
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    return 2.0 * bytes * iters / (ms * 1e-3) / 1e9;
}

/* Pageable host <-> device copy of frame f: seconds each way (median of 5). */
static void transfer_s(const kern_frame *host, kern_frame *dev, double *up, double *down)
{
    char err[256];
    double u[5], d[5];
    kern_frame h = *host;
    h.data[3] = NULL;
    for (int i = 0; i < 5; i++) {
        double t0 = base_now_s();
        kk(kern_cu_upload(dev, &h, err, sizeof err), err);
        double t1 = base_now_s();
        kk(kern_cu_download(&h, dev, err, sizeof err), err);
        u[i] = t1 - t0;
        d[i] = base_now_s() - t1;
    }
    for (int i = 0; i < 5; i++) /* tiny sort for the median */
        for (int j = i + 1; j < 5; j++) {
            if (u[j] < u[i]) { double t = u[i]; u[i] = u[j]; u[j] = t; }
            if (d[j] < d[i]) { double t = d[i]; d[i] = d[j]; d[j] = t; }
        }
    *up = u[2];
    *down = d[2];
}

static size_t frame_bytes(int w, int h, int alpha)
{
    size_t y = (size_t)w * h, c = (size_t)((w + 1) / 2) * ((h + 1) / 2);
    return y + 2 * c + (alpha ? y : 0);
}

static void print_row(const char *what, int version, double ms, double bytes, double d2d)
{
    double gbs = bytes / (ms * 1e-3) / 1e9;
    printf("  %-30s v%d %9.4f ms %9.1f frames/s %8.1f GB/s %6.1f%% of D2D\n", what, version, ms, 1e3 / ms, gbs,
           100 * gbs / d2d);
}

static void run_size(int W, int H, int iters, double d2d, size_t l2)
{
    char err[256];
    printf("\n== %dx%d\n", W, H);

    /* ---- overlay ---- */
    const int ovs[2][2] = {{W, H}, {W / 2, H / 4}};
    const char *ovname[2] = {"overlay full frame", "overlay lower third"};
    kern_frame *hmain = kern_frame_new(W, H, 0), *want = kern_frame_new(W, H, 0);
    kk(!hmain || !want, "out of memory");
    for (int o = 0; o < 2; o++) {
        int ow = ovs[o][0], oh = ovs[o][1];
        int x = o ? ((W - ow) / 2) & ~1 : 0, y = o ? (H - oh - H / 16) & ~1 : 0;
        kern_frame *hov = kern_frame_new(ow, oh, 1);
        kk(!hov, "out of memory");
        kern_fill_graphic(hov, 7 + o);
        /* Random alpha in the middle rows too, so every blend path runs. */
        for (int r = oh / 3; r < oh / 2; r++)
            for (int c = 0; c < ow; c++)
                hov->data[3][(size_t)r * hov->linesize[3] + c] = (uint8_t)((r * 131 + c * 71) >> 2);
        kern_frame dov;
        kk(kern_cu_frame_alloc(&dov, ow, oh, 1, err, sizeof err), err);
        kk(kern_cu_upload(&dov, hov, err, sizeof err), err);
        for (int v = 1; v <= 2; v++) {
            kern_frame dm;
            kern_fill_random(hmain, 100 * o + v);
            kern_frame_copy(want, hmain);
            kern_overlay_ref(want, hov, x, y);
            kk(kern_cu_frame_alloc(&dm, W, H, 0, err, sizeof err), err);
            poison(&dm, 1);
            kk(kern_cu_upload(&dm, hmain, err, sizeof err), err);
            kk(kern_cu_overlay(v, &dm, &dov, x, y, err, sizeof err), err);
            kk(kern_cu_sync(err, sizeof err), err);
            long bad, padbad;
            int maxd;
            compare(&dm, want, 0, &bad, &maxd, &padbad);
            char what[96];
            snprintf(what, sizeof what, "%s v%d vs CPU reference", ovname[o], v);
            report_check(what, bad, maxd, padbad, 0);
            kern_cu_frame_free(&dm);
        }
        /* Timing: a ring of (frame, overlay) pairs >= 4x L2. */
        double bytes_io = (double)ow * oh * 2.5 + 2.0 * ow * oh * 1.5;
        size_t pair = frame_bytes(W, H, 0) + frame_bytes(ow, oh, 1);
        int K = (int)((4 * l2 + pair - 1) / pair);
        K = K < 2 ? 2 : K > 64 ? 64 : K;
        kern_frame *rf = calloc((size_t)K, sizeof *rf), *ro = calloc((size_t)K, sizeof *ro);
        kk(!rf || !ro, "out of memory");
        for (int i = 0; i < K; i++) {
            kk(kern_cu_frame_alloc(&rf[i], W, H, 0, err, sizeof err), err);
            kk(kern_cu_frame_alloc(&ro[i], ow, oh, 1, err, sizeof err), err);
            kk(kern_cu_upload(&rf[i], hmain, err, sizeof err), err);
            kk(kern_cu_upload(&ro[i], hov, err, sizeof err), err);
        }
        cudaEvent_t e0, e1;
        CK(cudaEventCreate(&e0));
        CK(cudaEventCreate(&e1));
        for (int v = 1; v <= 2; v++) {
            for (int i = 0; i < 2 * K; i++)
                kk(kern_cu_overlay(v, &rf[i % K], &ro[i % K], x, y, err, sizeof err), err);
            CK(cudaEventRecord(e0, 0));
            for (int i = 0; i < iters; i++)
                kk(kern_cu_overlay(v, &rf[i % K], &ro[i % K], x, y, err, sizeof err), err);
            CK(cudaEventRecord(e1, 0));
            CK(cudaEventSynchronize(e1));
            float ms;
            CK(cudaEventElapsedTime(&ms, e0, e1));
            char what[96];
            snprintf(what, sizeof what, "%s %dx%d", ovname[o], ow, oh);
            print_row(what, v, ms / iters, bytes_io, d2d);
            if (v == 2 && o == 0) {
                double pct = 100 * bytes_io / (ms / iters * 1e-3) / 1e9 / d2d;
                printf("  target: overlay v2 >= 80%% of D2D bandwidth: %s (%.1f%%)\n", pct >= 80 ? "met" : "NOT met",
                       pct);
            }
        }
        cudaEventDestroy(e0);
        cudaEventDestroy(e1);
        for (int i = 0; i < K; i++) {
            kern_cu_frame_free(&rf[i]);
            kern_cu_frame_free(&ro[i]);
        }
        free(rf);
        free(ro);
        kern_cu_frame_free(&dov);
        kern_frame_free(hov);
    }

    /* End to end through the public API: upload + kernel + download. */
    {
        kern_ctx *ctx = kern_ctx_new(KERN_CUDA, 0, err, sizeof err);
        kk(!ctx, err);
        kern_frame *hov = kern_frame_new(W / 2, H / 4, 1);
        kern_fill_graphic(hov, 3);
        kern_times t, sum = {0};
        int n = 20;
        for (int i = 0; i < n + 3; i++) {
            kk(kern_overlay(ctx, hmain, hov, W / 4, H / 2, &t, err, sizeof err), err);
            if (i >= 3) {
                sum.upload_s += t.upload_s;
                sum.kernel_s += t.kernel_s;
                sum.download_s += t.download_s;
            }
        }
        double tot = (sum.upload_s + sum.kernel_s + sum.download_s) / n;
        printf("  kern_overlay(KERN_CUDA) end to end: %.3f ms/frame = upload %.3f + kernel %.3f + download %.3f "
               "(%.0f frames/s; %.2f MB each way)\n",
               1e3 * tot, 1e3 * sum.upload_s / n, 1e3 * sum.kernel_s / n, 1e3 * sum.download_s / n, 1 / tot,
               t.download_bytes / 1e6);
        kern_frame_free(hov);
        kern_ctx_free(ctx);
    }

    /* ---- framing: WxH -> the 9:16 window resized to H x (H*16/9) ---- */
    int OW = H & ~1, OH = (int)((long)H * 16 / 9) & ~1;
    kern_rect crop = kern_framing_window(W, H, OW, OH, 0, 1, 3, 10);
    kern_frame *hout = kern_frame_new(OW, OH, 0), *fast = kern_frame_new(OW, OH, 0);
    kk(!hout || !fast, "out of memory");
    kern_framing_plan pl;
    kk(kern_framing_plan_init(&pl, crop.w, crop.h, OW, OH, KERN_LANCZOS), "out of memory");
    kern_cu_plan *cpl = kern_cu_plan_new(&pl, err, sizeof err);
    kk(!cpl, err);
    kern_pool *pool = kern_pool_new(4);
    kern_frame dsrc, ddst;
    kk(kern_cu_frame_alloc(&dsrc, W, H, 0, err, sizeof err), err);
    kk(kern_cu_frame_alloc(&ddst, OW, OH, 0, err, sizeof err), err);
    kern_fill_random(hmain, 42);
    kk(kern_cu_upload(&dsrc, hmain, err, sizeof err), err);
    kern_framing_ref(hmain, crop, hout, KERN_LANCZOS);
    kk(kern_framing_cpu(pool, hmain, crop, fast, &pl), "framing cpu");
    for (int v = 1; v <= 2; v++) {
        long bad, padbad;
        int maxd;
        char what[96];
        poison(&ddst, 1);
        kk(kern_cu_framing(v, &dsrc, crop, &ddst, cpl, err, sizeof err), err);
        kk(kern_cu_sync(err, sizeof err), err);
        compare(&ddst, fast, 0, &bad, &maxd, &padbad);
        snprintf(what, sizeof what, "framing v%d vs CPU fast path", v);
        report_check(what, bad, maxd, padbad, 0);
        compare(&ddst, hout, 1, &bad, &maxd, &padbad);
        snprintf(what, sizeof what, "framing v%d vs CPU reference", v);
        report_check(what, bad, maxd, padbad, 1);
    }
    {
        double bytes_io = 1.5 * ((double)crop.w * crop.h + (double)OW * OH);
        size_t per = frame_bytes(W, H, 0) + frame_bytes(OW, OH, 0);
        int K = (int)((4 * l2 + per - 1) / per);
        K = K < 2 ? 2 : K > 64 ? 64 : K;
        kern_frame *rs = calloc((size_t)K, sizeof *rs), *rd = calloc((size_t)K, sizeof *rd);
        kk(!rs || !rd, "out of memory");
        for (int i = 0; i < K; i++) {
            kk(kern_cu_frame_alloc(&rs[i], W, H, 0, err, sizeof err), err);
            kk(kern_cu_frame_alloc(&rd[i], OW, OH, 0, err, sizeof err), err);
            kk(kern_cu_upload(&rs[i], hmain, err, sizeof err), err);
        }
        cudaEvent_t e0, e1;
        CK(cudaEventCreate(&e0));
        CK(cudaEventCreate(&e1));
        for (int v = 1; v <= 2; v++) {
            for (int i = 0; i < 2 * K; i++)
                kk(kern_cu_framing(v, &rs[i % K], crop, &rd[i % K], cpl, err, sizeof err), err);
            CK(cudaEventRecord(e0, 0));
            for (int i = 0; i < iters; i++)
                kk(kern_cu_framing(v, &rs[i % K], crop, &rd[i % K], cpl, err, sizeof err), err);
            CK(cudaEventRecord(e1, 0));
            CK(cudaEventSynchronize(e1));
            float ms;
            CK(cudaEventElapsedTime(&ms, e0, e1));
            char what[96];
            snprintf(what, sizeof what, "framing %dx%d->%dx%d", crop.w, crop.h, OW, OH);
            print_row(what, v, ms / iters, bytes_io, d2d);
        }
        cudaEventDestroy(e0);
        cudaEventDestroy(e1);
        for (int i = 0; i < K; i++) {
            kern_cu_frame_free(&rs[i]);
            kern_cu_frame_free(&rd[i]);
        }
        free(rs);
        free(rd);
    }
    double up, down;
    transfer_s(hmain, &dsrc, &up, &down);
    printf("  transfer per frame (pageable): %dx%d upload %.3f ms (%.1f GB/s), download %.3f ms (%.1f GB/s)\n", W, H,
           1e3 * up, frame_bytes(W, H, 0) / up / 1e9, 1e3 * down, frame_bytes(W, H, 0) / down / 1e9);
    transfer_s(hout, &ddst, &up, &down);
    printf("  transfer per frame (pageable): %dx%d upload %.3f ms, download %.3f ms\n", OW, OH, 1e3 * up, 1e3 * down);
    kern_cu_frame_free(&dsrc);
    kern_cu_frame_free(&ddst);
    kern_cu_plan_free(cpl);
    kern_framing_plan_free(&pl);
    kern_pool_free(pool);
    kern_frame_free(hout);
    kern_frame_free(fast);
    kern_frame_free(hmain);
    kern_frame_free(want);
}

int main(int argc, char **argv)
{
    const char *sizes = "1920x1080,3840x2160";
    int iters = 200;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
            sizes = argv[++i];
        else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
            iters = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: gpu_check [--sizes WxH,WxH...] [--iters N]\n");
            return 0;
        } else {
            fprintf(stderr, "gpu_check: unknown argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (iters < 1) {
        fprintf(stderr, "gpu_check: --iters must be at least 1\n");
        return 2;
    }
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        fprintf(stderr, "gpu_check: no CUDA device (%s)\n", e != cudaSuccess ? cudaGetErrorString(e) : "none found");
        return 1;
    }
    struct cudaDeviceProp p;
    CK(cudaGetDeviceProperties(&p, 0));
    int clk = 0, bus = 0, l2 = 0, rtv = 0, drv = 0;
    cudaDeviceGetAttribute(&clk, cudaDevAttrMemoryClockRate, 0);
    cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, 0);
    cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0);
    cudaRuntimeGetVersion(&rtv);
    cudaDriverGetVersion(&drv);
    double peak = 2.0 * clk * 1e3 * (bus / 8.0) / 1e9;
    printf("gpu_check: %s, sm_%d%d, %d SMs, %.1f GiB, L2 %.0f MB, runtime %d, driver %d\n", p.name, p.major, p.minor,
           p.multiProcessorCount, p.totalGlobalMem / 1073741824.0, l2 / 1e6, rtv, drv);
    double d2d = d2d_gbs((size_t)256 << 20, 20), d2d_small = d2d_gbs((size_t)6 << 20, 200);
    printf("device-to-device cudaMemcpy: %.1f GB/s (256 MB, read+write); %.1f GB/s at 6 MB; "
           "theoretical %.0f GB/s (memory clock x bus width)\n",
           d2d, d2d_small, peak);
    const char *s = sizes;
    while (*s) {
        int W, H, used;
        if (sscanf(s, "%dx%d%n", &W, &H, &used) != 2 || W < 64 || H < 64 || W > 16384 || H > 16384) {
            fprintf(stderr, "gpu_check: --sizes: expected WxH[,WxH...] of at least 64x64, got '%s'\n", s);
            return 2;
        }
        run_size(W, H, iters, d2d, (size_t)(l2 > 0 ? l2 : 64 << 20));
        s += used;
        if (*s == ',')
            s++;
    }
    printf("\ngpu_check: %s (%d check%s failed)\n", failures ? "FAILED" : "all checks passed", failures,
           failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
