/* bench/gpu_check.c -- the CUDA kernels on a real device: correctness against
 * the CPU reference, then speed, as llm.c's dev/cuda does it.
 *
 *   gpu/gpu_check [--sizes WxH,...] [--iters N] [--runs N] [--no-sweep]
 *                 [--json FILE] [--probe]           (make gpu-check builds it)
 *
 * Needs only the CUDA runtime (linked statically) and the kernels/ sources:
 * no FFmpeg, GSL or cJSON, so it runs on a bare GPU machine. For each size
 * (default 1280x720, 1920x1080, 3840x2160):
 *
 *   check   fresh random frames; the device frame's row padding is poisoned
 *           (the framing and NV12 outputs wholly), every sample of every
 *           plane is compared with the CPU: overlay v1..v3 bit-exact with
 *           the reference, for a full-frame graphic, a lower third and a
 *           lower third at a column that is not 16-aligned (v3's 2-byte
 *           overlay loads); framing v1, v2 bit-exact with the CPU fast path
 *           and within 1 LSB of the double reference; NV12 -> I420 exact;
 *           the padding must still hold the poison.
 *   time    CUDA events around `iters` back-to-back launches, after a
 *           warm-up, `runs` times (median, min, max per launch); the frames
 *           cycle through a ring of buffers at least 4x the L2 cache and a
 *           memset of 2x L2 precedes each run, so every frame comes from
 *           DRAM. GB/s counts the bytes the result depends on (each input
 *           read once, each output written once), set against (a) a 256 MB
 *           device-to-device cudaMemcpy and (b) a copy of the same bytes
 *           through the same kind of ring, both measured in this run.
 *   sweep   every version over block shapes (overlay: 32..1024 threads in
 *           shapes bx x by; framing: 32..1024), 3 runs each; the best shape
 *           is then timed with `runs` runs beside the default one.
 *   also    the CPU kernels (KERN_CPU, one thread per core) on the same
 *           frames; kern_overlay(KERN_CUDA) end to end (pageable upload,
 *           kernel, download); host <-> device copies, pageable and pinned.
 *
 * Output: a table on stdout; --json FILE the same figures as JSON (written
 * to FILE.tmp, renamed when complete). --probe: print the device line and
 * exit. Exit 0 when every check passes, 1 on a mismatch, a CUDA error or no
 * device ("gpu_check: no CUDA device (...)", one line), 2 on a usage error.
 */
#define FORKCAST_CUDA 1
#include "kernels/kern_cuda.h"
#include "kernels/kern_framing.h"
#include "kernels/kern_gpu.h"
#include "kernels/kern_overlay.h"
#include "kernels/kern_pool.h"
#include "kernels/kern_gpu.h"
#include "base/clock.h"
#include "bench/gpu_check.h"

#include <cuda_runtime_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
gc_env E;

static void run_size(int W, int H);

/* ---- checks --------------------------------------------------------------- */

static void report_check(int W, int H, const char *what, int version, long bad, int maxd, long padbad, int tol)
{
    int ok = bad == 0 && padbad == 0;
    printf("  check %-28s v%d %s (max diff %d LSB, tol %d; %ld samples over; %ld padding bytes touched)\n", what,
           version, ok ? "ok" : "FAILED", maxd, tol, bad, padbad);
    failures += !ok;
    gc_json_row(&E.checks, "{\"size\":\"%dx%d\",\"what\":\"%s\",\"version\":%d,\"ok\":%s,\"max_diff_lsb\":%d,"
                "\"tolerance_lsb\":%d,\"samples_over\":%ld,\"padding_touched\":%ld}",
                W, H, what, version, ok ? "true" : "false", maxd, tol, bad, padbad);
}

/* One overlay case checked with every version. */
static void check_overlay(int W, int H, const char *name, const kern_frame *hov, const kern_frame *dov, int x,
                          int y, kern_frame *hmain, kern_frame *want)
{
    char err[256];
    for (int v = 1; v <= KERN_CU_OVERLAY_VERSIONS; v++) {
        kern_frame dm;
        int ran = 0;
        kern_fill_random(hmain, (uint64_t)(1000 * W + 10 * v + x));
        kern_frame_copy(want, hmain);
        kern_overlay_ref(want, hov, x, y);
        gc_kk(kern_cu_frame_alloc(&dm, W, H, 0, err, sizeof err), err);
        gc_poison(&dm, 1);
        gc_kk(kern_cu_upload(&dm, hmain, err, sizeof err), err);
        gc_kk(kern_cu_overlay_cfg(v, 0, 0, &dm, dov, x, y, &ran, err, sizeof err), err);
        gc_kk(kern_cu_sync(err, sizeof err), err);
        long bad, padbad;
        int maxd;
        gc_compare(&dm, want, 0, &bad, &maxd, &padbad);
        if (ran != v) {
            printf("  note: %s v%d ran as v%d (alignment)\n", name, v, ran);
            bad += 1;
        }
        report_check(W, H, name, v, bad, maxd, padbad, 0);
        kern_cu_frame_free(&dm);
    }
}

static void check_nv12(int W, int H, kern_frame *hmain)
{
    char err[256];
    int cw = (W + 1) / 2, ch = (H + 1) / 2;
    size_t yls = ((size_t)W + 255) & ~(size_t)255, uvls = ((size_t)2 * cw + 255) & ~(size_t)255;
    uint8_t *hy = malloc(yls * H), *huv = malloc(uvls * ch), *dy, *duv;
    gc_kk(!hy || !huv, "out of memory");
    kern_fill_random(hmain, 77);
    for (int r = 0; r < H; r++)
        memcpy(hy + r * yls, hmain->data[0] + (size_t)r * hmain->linesize[0], (size_t)W);
    for (int r = 0; r < ch; r++)
        for (int k = 0; k < cw; k++) {
            huv[r * uvls + 2 * k] = hmain->data[1][(size_t)r * hmain->linesize[1] + k];
            huv[r * uvls + 2 * k + 1] = hmain->data[2][(size_t)r * hmain->linesize[2] + k];
        }
    GC_CK(cudaMalloc((void **)&dy, yls * H));
    GC_CK(cudaMalloc((void **)&duv, uvls * ch));
    GC_CK(cudaMemcpy(dy, hy, yls * H, cudaMemcpyHostToDevice));
    GC_CK(cudaMemcpy(duv, huv, uvls * ch, cudaMemcpyHostToDevice));
    kern_frame d;
    gc_kk(kern_cu_frame_alloc(&d, W, H, 0, err, sizeof err), err);
    gc_poison(&d, 1);
    gc_kk(kern_cu_nv12_to_i420(&d, dy, (int)yls, duv, (int)uvls, err, sizeof err), err);
    gc_kk(kern_cu_sync(err, sizeof err), err);
    long bad, padbad;
    int maxd;
    gc_compare(&d, hmain, 0, &bad, &maxd, &padbad);
    report_check(W, H, "nv12 -> i420", 1, bad, maxd, padbad, 0);
    /* time it: one frame's worth, L2-resident after the first (a small
     * share of a frame's cost either way) */
    gc_nv12_arg a = {&d, dy, duv, (int)yls, (int)uvls};
    gc_spread s = gc_time(gc_launch_nv12, &a, 1, E.iters, E.runs);
    gc_row(W, H, "nv12 -> i420", "", 1, "32x8", &s, 3.0 * W * H, NULL);
    kern_cu_frame_free(&d);
    cudaFree(dy);
    cudaFree(duv);
    free(hy);
    free(huv);
}

/* ---- overlay timing ------------------------------------------------------- */

static void time_overlay(int W, int H, const char *name, int ow, int oh, int x, int y, const kern_frame *hmain,
                         const kern_frame *hov, int target)
{
    char err[256];
    double bytes = (double)ow * oh * 2.5 + 2.0 * ow * oh * 1.5;
    size_t pair = gc_frame_bytes(W, H, 0) + gc_frame_bytes(ow, oh, 1);
    int K = gc_ring_len(pair);
    gc_ov_arg a = {calloc((size_t)K, sizeof(kern_frame)), calloc((size_t)K, sizeof(kern_frame)), K, 0, 0, 0, x, y};
    gc_kk(!a.f || !a.o, "out of memory");
    for (int i = 0; i < K; i++) {
        gc_kk(kern_cu_frame_alloc(&a.f[i], W, H, 0, err, sizeof err), err);
        gc_kk(kern_cu_frame_alloc(&a.o[i], ow, oh, 1, err, sizeof err), err);
        gc_kk(kern_cu_upload(&a.f[i], hmain, err, sizeof err), err);
        gc_kk(kern_cu_upload(&a.o[i], hov, err, sizeof err), err);
    }
    gc_spread copy = gc_copy_same_bytes(bytes);
    char ovs[32];
    snprintf(ovs, sizeof ovs, "%dx%d at %d,%d", ow, oh, x, y);
    for (int v = 1; v <= KERN_CU_OVERLAY_VERSIONS; v++) {
        a.version = v;
        int best[2] = {0, 0};
        if (E.sweep)
            gc_sweep_overlay(W, H, name, &a, bytes, best);
        a.bx = a.by = 0;
        gc_spread s = gc_time(gc_launch_overlay, &a, K, E.iters, E.runs);
        gc_row(W, H, name, ovs, v, "default", &s, bytes, &copy);
        double frac = bytes / (s.med * 1e-3) / 1e9 / E.d2d;
        if (best[0]) {
            char cfg[32];
            snprintf(cfg, sizeof cfg, "%dx%d", best[0], best[1]);
            a.bx = best[0];
            a.by = best[1];
            gc_spread sb = gc_time(gc_launch_overlay, &a, K, E.iters, E.runs);
            gc_row(W, H, name, ovs, v, cfg, &sb, bytes, &copy);
            double fb = bytes / (sb.med * 1e-3) / 1e9 / E.d2d;
            frac = fb > frac ? fb : frac;
        }
        if (target && v == KERN_CU_OVERLAY_VERSIONS) {
            printf("  target: overlay v%d >= 80%% of D2D bandwidth at %dx%d: %s (%.1f%%)\n", v, W, H,
                   frac >= 0.8 ? "met" : "NOT met", 100 * frac);
            gc_json_row(&E.targets, "{\"size\":\"%dx%d\",\"what\":\"overlay v%d full frame, best block\","
                        "\"fraction_of_d2d\":%.4f,\"target\":0.8,\"met\":%s}", W, H, v, frac,
                        frac >= 0.8 ? "true" : "false");
        }
    }
    for (int i = 0; i < K; i++) {
        kern_cu_frame_free(&a.f[i]);
        kern_cu_frame_free(&a.o[i]);
    }
    free(a.f);
    free(a.o);
}

/* ---- framing -------------------------------------------------------------- */

static void framing(int W, int H, kern_frame *hmain)
{
    char err[256];
    int OW = H & ~1, OH = (int)((long)H * 16 / 9) & ~1;
    kern_rect crop = kern_framing_window(W, H, OW, OH, 0, 1, 3, 10);
    kern_frame *hout = kern_frame_new(OW, OH, 0), *fast = kern_frame_new(OW, OH, 0);
    gc_kk(!hout || !fast, "out of memory");
    kern_framing_plan pl;
    gc_kk(kern_framing_plan_init(&pl, crop.w, crop.h, OW, OH, KERN_LANCZOS), "out of memory");
    kern_cu_plan *cpl = kern_cu_plan_new(&pl, err, sizeof err);
    gc_kk(!cpl, err);
    kern_frame dsrc, ddst;
    gc_kk(kern_cu_frame_alloc(&dsrc, W, H, 0, err, sizeof err), err);
    gc_kk(kern_cu_frame_alloc(&ddst, OW, OH, 0, err, sizeof err), err);
    kern_fill_random(hmain, 42);
    gc_kk(kern_cu_upload(&dsrc, hmain, err, sizeof err), err);
    kern_framing_ref(hmain, crop, hout, KERN_LANCZOS);
    gc_kk(kern_framing_cpu(E.pool, hmain, crop, fast, &pl), "framing cpu");
    for (int v = 1; v <= KERN_CU_FRAMING_VERSIONS; v++) {
        long bad, padbad;
        int maxd;
        gc_poison(&ddst, 1);
        gc_kk(kern_cu_framing_cfg(v, 0, &dsrc, crop, &ddst, cpl, err, sizeof err), err);
        gc_kk(kern_cu_sync(err, sizeof err), err);
        gc_compare(&ddst, fast, 0, &bad, &maxd, &padbad);
        report_check(W, H, "framing vs CPU fast path", v, bad, maxd, padbad, 0);
        gc_compare(&ddst, hout, 1, &bad, &maxd, &padbad);
        report_check(W, H, "framing vs CPU reference", v, bad, maxd, padbad, 1);
    }
    double bytes = 1.5 * ((double)crop.w * crop.h + (double)OW * OH);
    int K = gc_ring_len(gc_frame_bytes(W, H, 0) + gc_frame_bytes(OW, OH, 0));
    gc_fr_arg a = {calloc((size_t)K, sizeof(kern_frame)), calloc((size_t)K, sizeof(kern_frame)), K, 0, 0, crop, cpl};
    gc_kk(!a.s || !a.d, "out of memory");
    for (int i = 0; i < K; i++) {
        gc_kk(kern_cu_frame_alloc(&a.s[i], W, H, 0, err, sizeof err), err);
        gc_kk(kern_cu_frame_alloc(&a.d[i], OW, OH, 0, err, sizeof err), err);
        gc_kk(kern_cu_upload(&a.s[i], hmain, err, sizeof err), err);
    }
    gc_spread copy = gc_copy_same_bytes(bytes);
    char what[64];
    snprintf(what, sizeof what, "%dx%d->%dx%d", crop.w, crop.h, OW, OH);
    for (int v = 1; v <= KERN_CU_FRAMING_VERSIONS; v++) {
        a.version = v;
        int best = E.sweep ? gc_sweep_framing(W, H, &a, bytes) : 0;
        a.block = 0;
        gc_spread s = gc_time(gc_launch_framing, &a, K, E.iters, E.runs);
        gc_row(W, H, "framing", what, v, "default", &s, bytes, &copy);
        if (best) {
            char cfg[16];
            snprintf(cfg, sizeof cfg, "%d", best);
            a.block = best;
            s = gc_time(gc_launch_framing, &a, K, E.iters, E.runs);
            gc_row(W, H, "framing", what, v, cfg, &s, bytes, &copy);
        }
    }
    for (int i = 0; i < K; i++) {
        kern_cu_frame_free(&a.s[i]);
        kern_cu_frame_free(&a.d[i]);
    }
    free(a.s);
    free(a.d);
    gc_cpu_framing(W, H, hmain, crop, fast, &pl);
    gc_transfers(W, H, hmain, &dsrc);
    kern_cu_frame_free(&dsrc);
    kern_cu_frame_free(&ddst);
    kern_cu_plan_free(cpl);
    kern_framing_plan_free(&pl);
    kern_frame_free(hout);
    kern_frame_free(fast);
}

static void run_size(int W, int H)
{
    char err[256];
    printf("\n== %dx%d\n", W, H);
    kern_frame *hmain = kern_frame_new(W, H, 0), *want = kern_frame_new(W, H, 0);
    gc_kk(!hmain || !want, "out of memory");
    /* full frame, lower third (as calibrate/ places it), lower third 2 columns off 16-alignment */
    const char *names[3] = {"overlay full frame", "overlay lower third", "overlay lower third x%16=2"};
    int ow3 = W / 2 & ~1, oh3 = H / 4 & ~1, x3 = ((W - ow3) / 2) & ~15, y3 = (H - oh3 - H / 16) & ~1;
    const int cs[3][4] = {{W, H, 0, 0}, {ow3, oh3, x3, y3}, {ow3, oh3, x3 + 2, y3}};
    for (int o = 0; o < 3; o++) {
        int ow = cs[o][0], oh = cs[o][1], x = cs[o][2], y = cs[o][3];
        kern_frame *hov = kern_frame_new(ow, oh, 1);
        gc_kk(!hov, "out of memory");
        kern_fill_graphic(hov, 7 + o);
        /* Random alpha in the middle rows too, so every blend path runs. */
        for (int r = oh / 3; r < oh / 2; r++)
            for (int c = 0; c < ow; c++)
                hov->data[3][(size_t)r * hov->linesize[3] + c] = (uint8_t)((r * 131 + c * 71) >> 2);
        kern_frame dov;
        gc_kk(kern_cu_frame_alloc(&dov, ow, oh, 1, err, sizeof err), err);
        gc_kk(kern_cu_upload(&dov, hov, err, sizeof err), err);
        check_overlay(W, H, names[o], hov, &dov, x, y, hmain, want);
        time_overlay(W, H, names[o], ow, oh, x, y, hmain, hov, o == 0);
        gc_cpu_overlay(W, H, names[o], hmain, hov, x, y);
        kern_cu_frame_free(&dov);
        kern_frame_free(hov);
    }
    gc_e2e_overlay(W, H, hmain);
    check_nv12(W, H, hmain);
    framing(W, H, hmain);
    kern_frame_free(hmain);
    kern_frame_free(want);
}

int main(int argc, char **argv)
{
    const char *sizes = "1280x720,1920x1080,3840x2160", *json = NULL;
    int probe = 0;
    E.iters = 200;
    E.runs = 7;
    E.sweep = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--sizes") && v)
            sizes = argv[++i];
        else if (!strcmp(a, "--iters") && v)
            E.iters = atoi(argv[++i]);
        else if (!strcmp(a, "--runs") && v)
            E.runs = atoi(argv[++i]);
        else if (!strcmp(a, "--json") && v)
            json = argv[++i];
        else if (!strcmp(a, "--no-sweep"))
            E.sweep = 0;
        else if (!strcmp(a, "--probe"))
            probe = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: gpu_check [--sizes WxH,...] [--iters N] [--runs N] [--no-sweep] [--json FILE] [--probe]\n");
            return 0;
        } else {
            fprintf(stderr, "gpu_check: unknown argument '%s' (see --help)\n", a);
            return 2;
        }
    }
    if (E.iters < 1 || E.iters > 100000 || E.runs < 1 || E.runs > 100) {
        fprintf(stderr, "gpu_check: --iters must be 1..100000 and --runs 1..100\n");
        return 2;
    }
    if (gc_sizes_parse(sizes))
        return 2;
    if (gc_device_open(probe))
        return 1;
    if (probe)
        return 0;
    E.pool = kern_pool_new((int)sysconf(_SC_NPROCESSORS_ONLN));
    gc_kk(!E.pool, "out of memory");
    gc_measure_d2d();
    for (int i = 0; i < E.nsizes; i++)
        run_size(E.sizes[i][0], E.sizes[i][1]);
    printf("\ngpu_check: %s (%d check%s failed)\n", failures ? "FAILED" : "all checks passed", failures,
           failures == 1 ? "" : "s");
    if (json && gc_json_write(json, failures))
        return 1;
    kern_pool_free(E.pool);
    return failures ? 1 : 0;
}
