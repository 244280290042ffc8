/* bench/gpu_check_util.c -- gc_* (bench/gpu_check.h) for bench/gpu_check.c. */
#define FORKCAST_CUDA 1
#include "bench/gpu_check.h"
#include "base/clock.h"

#include <cuda_runtime_api.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { POISON = 0xA5 };

void gc_kk(int rc, const char *err)
{
    if (rc) {
        fprintf(stderr, "gpu_check: %s\n", err);
        exit(1);
    }
}

/* ---- JSON ----------------------------------------------------------------- */

void gc_json_row(gc_buf *b, const char *fmt, ...)
{
    char row[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(row, sizeof row, fmt, ap);
    va_end(ap);
    gc_kk(n < 0 || n >= (int)sizeof row, "JSON row too long");
    if (b->n + (size_t)n + 3 > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 8192;
        while (cap < b->n + (size_t)n + 3)
            cap *= 2;
        char *s = realloc(b->s, cap);
        gc_kk(!s, "out of memory");
        b->s = s;
        b->cap = cap;
    }
    if (b->n)
        b->s[b->n++] = ',';
    memcpy(b->s + b->n, row, (size_t)n + 1);
    b->n += (size_t)n;
}

/* s as a JSON string body (quotes and backslashes escaped, controls dropped). */
static void json_str(char *out, size_t n, const char *s)
{
    size_t k = 0;
    for (; *s && k + 3 < n; s++) {
        if (*s == '"' || *s == '\\')
            out[k++] = '\\';
        if ((unsigned char)*s >= 0x20)
            out[k++] = *s;
    }
    out[k] = 0;
}

int gc_json_write(const char *path, int failures)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "gpu_check: %s: cannot write\n", tmp);
        return 1;
    }
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "{\"tool\":\"gpu_check\",\"when\":\"%s\",\"ok\":%s,\"failures\":%d,\"iters\":%d,\"runs\":%d,"
            "\"timing\":\"CUDA events around iters back-to-back launches, after a warm-up, runs times; ring of "
            "buffers >= 4x L2, L2 flushed (2x L2 memset) before each run; ms are per launch (median, min, max "
            "over runs)\",\"bytes_are\":\"each input read once, each output written once\",\"device\":%s,",
            when, failures ? "false" : "true", failures, E.iters, E.runs, E.device_json);
    const char *names[] = {"checks", "timings", "sweep", "cpu", "transfers", "end_to_end", "targets"};
    gc_buf *bufs[] = {&E.checks, &E.timings, &E.sweeps, &E.cpu, &E.transfers, &E.e2e, &E.targets};
    for (int i = 0; i < 7; i++)
        fprintf(f, "%s\"%s\":[%s]", i ? "," : "", names[i], bufs[i]->s ? bufs[i]->s : "");
    fprintf(f, "}\n");
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "gpu_check: %s: cannot write\n", path);
        unlink(tmp);
        return 1;
    }
    return 0;
}

/* ---- frames ----------------------------------------------------------------- */

static int pw(const kern_frame *f, int p) { return p == 1 || p == 2 ? (f->w + 1) / 2 : f->w; }
static int ph(const kern_frame *f, int p) { return p == 1 || p == 2 ? (f->h + 1) / 2 : f->h; }

size_t gc_frame_bytes(int w, int h, int alpha)
{
    size_t y = (size_t)w * h, c = (size_t)((w + 1) / 2) * ((h + 1) / 2);
    return y + 2 * c + (alpha ? y : 0);
}

int gc_ring_len(size_t bytes)
{
    int K = (int)((4 * E.l2 + bytes - 1) / bytes);
    return K < 2 ? 2 : K > 64 ? 64 : K;
}

void gc_poison(kern_frame *d, int all)
{
    for (int p = 0; p < 3; p++) {
        if (all)
            GC_CK(cudaMemset(d->data[p], POISON, (size_t)d->linesize[p] * ph(d, p)));
        else
            GC_CK(cudaMemset2D(d->data[p] + pw(d, p), (size_t)d->linesize[p], POISON,
                               (size_t)(d->linesize[p] - pw(d, p)), (size_t)ph(d, p)));
    }
}

void gc_compare(const kern_frame *d, const kern_frame *want, int tol, long *bad, int *maxd, long *padbad)
{
    *bad = 0;
    *maxd = 0;
    *padbad = 0;
    for (int p = 0; p < 3; p++) {
        size_t n = (size_t)d->linesize[p] * ph(d, p);
        uint8_t *h = malloc(n);
        gc_kk(!h, "out of memory");
        GC_CK(cudaMemcpy(h, d->data[p], n, cudaMemcpyDeviceToHost));
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

/* ---- timing ----------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

gc_spread gc_time(gc_launch launch, void *arg, int K, int iters, int runs)
{
    cudaEvent_t e0, e1;
    double ms[100];
    GC_CK(cudaEventCreate(&e0));
    GC_CK(cudaEventCreate(&e1));
    int warm = 2 * K > 20 ? 2 * K : 20, i = 0;
    for (; i < warm; i++)
        launch(arg, i);
    for (int r = 0; r < runs; r++) {
        GC_CK(cudaMemsetAsync(E.flush, r & 0xff, 2 * E.l2, 0));
        GC_CK(cudaEventRecord(e0, 0));
        for (int k = 0; k < iters; k++, i++)
            launch(arg, i);
        GC_CK(cudaEventRecord(e1, 0));
        GC_CK(cudaEventSynchronize(e1));
        float t;
        GC_CK(cudaEventElapsedTime(&t, e0, e1));
        ms[r] = t / iters;
    }
    GC_CK(cudaGetLastError());
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    qsort(ms, (size_t)runs, sizeof ms[0], cmp_double);
    gc_spread s = {runs & 1 ? ms[runs / 2] : 0.5 * (ms[runs / 2 - 1] + ms[runs / 2]), ms[0], ms[runs - 1], runs,
                   iters};
    return s;
}

void gc_launch_overlay(void *arg, int i)
{
    gc_ov_arg *a = arg;
    char err[256];
    int ran;
    gc_kk(kern_cu_overlay_cfg(a->version, a->bx, a->by, &a->f[i % a->K], &a->o[i % a->K], a->x, a->y, &ran, err,
                              sizeof err),
          err);
}

void gc_launch_framing(void *arg, int i)
{
    gc_fr_arg *a = arg;
    char err[256];
    gc_kk(kern_cu_framing_cfg(a->version, a->block, &a->s[i % a->K], a->crop, &a->d[i % a->K], a->cpl, err,
                              sizeof err),
          err);
}

void gc_launch_nv12(void *arg, int i)
{
    gc_nv12_arg *a = arg;
    char err[256];
    (void)i;
    gc_kk(kern_cu_nv12_to_i420(a->d, a->y, a->yls, a->uv, a->uvls, err, sizeof err), err);
}

typedef struct {
    uint8_t **src, **dst;
    size_t bytes;
    int K;
} copy_arg;

static void launch_copy(void *arg, int i)
{
    copy_arg *a = arg;
    GC_CK(cudaMemcpyAsync(a->dst[i % a->K], a->src[i % a->K], a->bytes, cudaMemcpyDeviceToDevice, 0));
}

gc_spread gc_copy_same_bytes(double bytes)
{
    copy_arg a = {NULL, NULL, (size_t)(bytes / 2), 0};
    a.K = gc_ring_len(2 * a.bytes);
    a.src = calloc((size_t)a.K, sizeof *a.src);
    a.dst = calloc((size_t)a.K, sizeof *a.dst);
    gc_kk(!a.src || !a.dst, "out of memory");
    for (int i = 0; i < a.K; i++) {
        GC_CK(cudaMalloc((void **)&a.src[i], a.bytes));
        GC_CK(cudaMalloc((void **)&a.dst[i], a.bytes));
        GC_CK(cudaMemset(a.src[i], i, a.bytes));
    }
    gc_spread s = gc_time(launch_copy, &a, a.K, E.iters, E.runs);
    for (int i = 0; i < a.K; i++) {
        cudaFree(a.src[i]);
        cudaFree(a.dst[i]);
    }
    free(a.src);
    free(a.dst);
    return s;
}

void gc_row(int W, int H, const char *kernel, const char *detail, int version, const char *cfg, const gc_spread *s,
            double bytes, const gc_spread *copy)
{
    double gbs = bytes / (s->med * 1e-3) / 1e9;
    double cgbs = copy ? bytes / (copy->med * 1e-3) / 1e9 : 0;
    printf("  %-27s v%d %-8s %8.4f ms [%.4f..%.4f] %7.1f GB/s %5.1f%% of D2D", kernel, version, cfg, s->med,
           s->min, s->max, gbs, 100 * gbs / E.d2d);
    if (copy)
        printf(", %5.1f%% of a same-bytes copy", 100 * gbs / cgbs);
    printf("\n");
    gc_json_row(&E.timings, "{\"size\":\"%dx%d\",\"kernel\":\"%s\",\"detail\":\"%s\",\"version\":%d,\"block\":\"%s\","
                "\"ms_median\":%.6f,\"ms_min\":%.6f,\"ms_max\":%.6f,\"runs\":%d,\"launches_per_run\":%d,"
                "\"bytes\":%.0f,\"gbs\":%.2f,\"fraction_of_d2d\":%.4f,\"copy_same_bytes_ms\":%.6f,"
                "\"fraction_of_copy_same_bytes\":%.4f}",
                W, H, kernel, detail, version, cfg, s->med, s->min, s->max, s->runs, s->launches, bytes, gbs,
                gbs / E.d2d, copy ? copy->med : 0, copy ? gbs / cgbs : 0);
}

/* ---- sweeps ------------------------------------------------------------------ */

void gc_sweep_overlay(int W, int H, const char *name, gc_ov_arg *a, double bytes, int best[2])
{
    static const int shapes[][2] = {{32, 1},  {32, 2},  {32, 4},   {32, 8},  {32, 16}, {32, 32}, {64, 1},
                                    {64, 2},  {64, 4},  {64, 8},   {64, 16}, {128, 1}, {128, 2}, {128, 4},
                                    {128, 8}, {256, 1}, {256, 2},  {256, 4}, {512, 1}, {512, 2}, {1024, 1}};
    double bms = 1e30;
    printf("  sweep %s v%d:", name, a->version);
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        a->bx = shapes[k][0];
        a->by = shapes[k][1];
        gc_spread s = gc_time(gc_launch_overlay, a, a->K, E.iters / 4 > 10 ? E.iters / 4 : 10, 3);
        printf(" %dx%d %.1f", a->bx, a->by, bytes / (s.med * 1e-3) / 1e9);
        gc_json_row(&E.sweeps, "{\"size\":\"%dx%d\",\"kernel\":\"%s\",\"version\":%d,\"block\":\"%dx%d\","
                    "\"ms_median\":%.6f,\"ms_min\":%.6f,\"ms_max\":%.6f,\"gbs\":%.2f}",
                    W, H, name, a->version, a->bx, a->by, s.med, s.min, s.max, bytes / (s.med * 1e-3) / 1e9);
        if (s.med < bms) {
            bms = s.med;
            best[0] = a->bx;
            best[1] = a->by;
        }
    }
    printf(" GB/s; best %dx%d\n", best[0], best[1]);
}

int gc_sweep_framing(int W, int H, gc_fr_arg *a, double bytes)
{
    static const int blocks[] = {32, 64, 128, 256, 512, 1024};
    double bms = 1e30;
    int best = 0;
    printf("  sweep framing v%d:", a->version);
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        a->block = blocks[k];
        gc_spread s = gc_time(gc_launch_framing, a, a->K, E.iters / 4 > 10 ? E.iters / 4 : 10, 3);
        printf(" %d %.1f", a->block, bytes / (s.med * 1e-3) / 1e9);
        gc_json_row(&E.sweeps, "{\"size\":\"%dx%d\",\"kernel\":\"framing\",\"version\":%d,\"block\":\"%d\","
                    "\"ms_median\":%.6f,\"ms_min\":%.6f,\"ms_max\":%.6f,\"gbs\":%.2f}",
                    W, H, a->version, a->block, s.med, s.min, s.max, bytes / (s.med * 1e-3) / 1e9);
        if (s.med < bms) {
            bms = s.med;
            best = a->block;
        }
    }
    printf(" GB/s; best %d\n", best);
    return best;
}

/* ---- peers: CPU kernels, end to end, transfers ------------------------------- */

static void median_ms(double *x, int n, gc_spread *s)
{
    qsort(x, (size_t)n, sizeof x[0], cmp_double);
    s->med = 1e3 * x[n / 2];
    s->min = 1e3 * x[0];
    s->max = 1e3 * x[n - 1];
    s->runs = n;
    s->launches = 1;
}

static void cpu_row(int W, int H, const char *kernel, const gc_spread *s)
{
    printf("  cpu %-29s %8.3f ms [%.3f..%.3f] (KERN_CPU, %d threads)\n", kernel, s->med, s->min, s->max,
           kern_pool_threads(E.pool));
    gc_json_row(&E.cpu, "{\"size\":\"%dx%d\",\"kernel\":\"%s\",\"threads\":%d,\"ms_median\":%.6f,\"ms_min\":%.6f,"
                "\"ms_max\":%.6f,\"runs\":%d}",
                W, H, kernel, kern_pool_threads(E.pool), s->med, s->min, s->max, s->runs);
}

void gc_cpu_overlay(int W, int H, const char *name, const kern_frame *hmain, const kern_frame *hov, int x, int y)
{
    kern_frame *f = kern_frame_new(W, H, 0);
    gc_kk(!f, "out of memory");
    kern_frame_copy(f, hmain);
    double t[15];
    gc_spread s;
    for (int i = 0; i < 17; i++) {
        double t0 = base_now_s();
        kern_overlay_cpu(E.pool, f, hov, x, y);
        if (i >= 2)
            t[i - 2] = base_now_s() - t0;
    }
    median_ms(t, 15, &s);
    cpu_row(W, H, name, &s);
    kern_frame_free(f);
}

void gc_cpu_framing(int W, int H, const kern_frame *hmain, kern_rect crop, kern_frame *out,
                    const kern_framing_plan *pl)
{
    double t[15];
    gc_spread s;
    for (int i = 0; i < 17; i++) {
        double t0 = base_now_s();
        gc_kk(kern_framing_cpu(E.pool, hmain, crop, out, pl), "framing cpu");
        if (i >= 2)
            t[i - 2] = base_now_s() - t0;
    }
    median_ms(t, 15, &s);
    cpu_row(W, H, "framing", &s);
}

void gc_e2e_overlay(int W, int H, kern_frame *hmain)
{
    char err[256];
    kern_ctx *ctx = kern_ctx_new(KERN_CUDA, 0, err, sizeof err);
    gc_kk(!ctx, err);
    kern_frame *hov = kern_frame_new(W / 2, H / 4, 1);
    gc_kk(!hov, "out of memory");
    kern_fill_graphic(hov, 3);
    kern_times t, sum = {0};
    int n = 20;
    for (int i = 0; i < n + 3; i++) {
        gc_kk(kern_overlay(ctx, hmain, hov, W / 4, H / 2, &t, err, sizeof err), err);
        if (i >= 3) {
            sum.upload_s += t.upload_s;
            sum.kernel_s += t.kernel_s;
            sum.download_s += t.download_s;
        }
    }
    double tot = (sum.upload_s + sum.kernel_s + sum.download_s) / n;
    printf("  kern_overlay(KERN_CUDA) end to end: %.3f ms/frame = upload %.3f + kernel %.3f + download %.3f "
           "(pageable; %.2f MB each way)\n",
           1e3 * tot, 1e3 * sum.upload_s / n, 1e3 * sum.kernel_s / n, 1e3 * sum.download_s / n,
           t.download_bytes / 1e6);
    gc_json_row(&E.e2e, "{\"size\":\"%dx%d\",\"what\":\"kern_overlay(KERN_CUDA), lower third, pageable host frames\","
                "\"frames\":%d,\"ms_total\":%.6f,\"ms_upload\":%.6f,\"ms_kernel\":%.6f,\"ms_download\":%.6f,"
                "\"mb_each_way\":%.4f}",
                W, H, n, 1e3 * tot, 1e3 * sum.upload_s / n, 1e3 * sum.kernel_s / n, 1e3 * sum.download_s / n,
                t.download_bytes / 1e6);
    kern_frame_free(hov);
    kern_ctx_free(ctx);
}

static void transfer_row(int W, int H, const char *dir, const char *mem, double *t, size_t bytes)
{
    gc_spread s;
    median_ms(t, 7, &s);
    double gbs = bytes / (s.med * 1e-3) / 1e9;
    printf("  transfer %-8s %-8s %8.3f ms [%.3f..%.3f] %6.1f GB/s (%.2f MB)\n", dir, mem, s.med, s.min, s.max, gbs,
           bytes / 1e6);
    gc_json_row(&E.transfers, "{\"size\":\"%dx%d\",\"direction\":\"%s\",\"host_memory\":\"%s\",\"bytes\":%zu,"
                "\"ms_median\":%.6f,\"ms_min\":%.6f,\"ms_max\":%.6f,\"gbs\":%.2f}",
                W, H, dir, mem, bytes, s.med, s.min, s.max, gbs);
}

/* One frame (three planes) each way: pageable as kern_cu_upload does it,
 * and pinned (cudaHostAlloc) as a pipeline with its own buffers could. */
void gc_transfers(int W, int H, const kern_frame *hmain, kern_frame *dev)
{
    char err[256];
    double up[7], down[7];
    size_t bytes = gc_frame_bytes(W, H, 0);
    kern_frame h = *hmain;
    h.data[3] = NULL;
    for (int i = 0; i < 7; i++) {
        double t0 = base_now_s();
        gc_kk(kern_cu_upload(dev, &h, err, sizeof err), err);
        double t1 = base_now_s();
        gc_kk(kern_cu_download(&h, dev, err, sizeof err), err);
        up[i] = t1 - t0;
        down[i] = base_now_s() - t1;
    }
    transfer_row(W, H, "upload", "pageable", up, bytes);
    transfer_row(W, H, "download", "pageable", down, bytes);
    uint8_t *pin, *d;
    GC_CK(cudaHostAlloc((void **)&pin, bytes, cudaHostAllocDefault));
    GC_CK(cudaMalloc((void **)&d, bytes));
    memset(pin, 1, bytes);
    for (int i = 0; i < 7; i++) {
        double t0 = base_now_s();
        GC_CK(cudaMemcpy(d, pin, bytes, cudaMemcpyHostToDevice));
        double t1 = base_now_s();
        GC_CK(cudaMemcpy(pin, d, bytes, cudaMemcpyDeviceToHost));
        up[i] = t1 - t0;
        down[i] = base_now_s() - t1;
    }
    transfer_row(W, H, "upload", "pinned", up, bytes);
    transfer_row(W, H, "download", "pinned", down, bytes);
    cudaFreeHost(pin);
    cudaFree(d);
}

/* ---- device, sizes, the copy ceiling ---------------------------------------- */

int gc_sizes_parse(const char *s)
{
    E.nsizes = 0;
    while (*s) {
        int W, H, used;
        if (E.nsizes >= 8 || sscanf(s, "%dx%d%n", &W, &H, &used) != 2 || W < 64 || H < 64 || W > 8192 ||
            H > 8192) {
            fprintf(stderr, "gpu_check: --sizes: expected up to 8 WxH of 64x64 .. 8192x8192, got '%s'\n", s);
            return 1;
        }
        E.sizes[E.nsizes][0] = W;
        E.sizes[E.nsizes][1] = H;
        E.nsizes++;
        s += used;
        if (*s == ',')
            s++;
    }
    return E.nsizes ? 0 : (fprintf(stderr, "gpu_check: --sizes: empty\n"), 1);
}

int gc_device_open(int probe_only)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        fprintf(stderr, "gpu_check: no CUDA device (%s)\n", e != cudaSuccess ? cudaGetErrorString(e) : "none found");
        return 1;
    }
    struct cudaDeviceProp p;
    GC_CK(cudaGetDeviceProperties(&p, 0));
    int mclk = 0, bus = 0, l2 = 0, rtv = 0, drv = 0, sclk = 0;
    cudaDeviceGetAttribute(&mclk, cudaDevAttrMemoryClockRate, 0);
    cudaDeviceGetAttribute(&sclk, cudaDevAttrClockRate, 0);
    cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, 0);
    cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, 0);
    cudaRuntimeGetVersion(&rtv);
    cudaDriverGetVersion(&drv);
    double peak = 2.0 * mclk * 1e3 * (bus / 8.0) / 1e9;
    printf("gpu_check: %s, sm_%d%d, %d SMs, %.1f GiB, L2 %.0f MB, runtime %d, driver API %d\n", p.name, p.major,
           p.minor, p.multiProcessorCount, p.totalGlobalMem / 1073741824.0, l2 / 1e6, rtv, drv);
    if (probe_only)
        return 0;
    char name[512];
    json_str(name, sizeof name, p.name);
    snprintf(E.device_json, sizeof E.device_json,
             "{\"name\":\"%s\",\"compute_capability\":\"%d.%d\",\"sms\":%d,\"memory_gib\":%.2f,\"l2_bytes\":%d,"
             "\"memory_clock_khz\":%d,\"sm_clock_khz\":%d,\"bus_width_bits\":%d,\"theoretical_gbs\":%.1f,"
             "\"cuda_runtime\":%d,\"cuda_driver_api\":%d}",
             name, p.major, p.minor, p.multiProcessorCount, p.totalGlobalMem / 1073741824.0, l2, mclk, sclk, bus,
             peak, rtv, drv);
    E.l2 = l2 > 0 ? (size_t)l2 : (size_t)64 << 20;
    GC_CK(cudaMalloc(&E.flush, 2 * E.l2));
    return 0;
}

typedef struct {
    void *a, *b;
    size_t bytes;
} d2d_arg;

static void launch_d2d(void *arg, int i)
{
    d2d_arg *a = arg;
    GC_CK(cudaMemcpyAsync(i & 1 ? a->a : a->b, i & 1 ? a->b : a->a, a->bytes, cudaMemcpyDeviceToDevice, 0));
}

void gc_measure_d2d(void)
{
    d2d_arg a = {NULL, NULL, (size_t)256 << 20};
    GC_CK(cudaMalloc(&a.a, a.bytes));
    GC_CK(cudaMalloc(&a.b, a.bytes));
    GC_CK(cudaMemset(a.a, 1, a.bytes));
    GC_CK(cudaMemset(a.b, 2, a.bytes));
    gc_spread s = gc_time(launch_d2d, &a, 2, 20, E.runs);
    E.d2d = 2.0 * a.bytes / (s.med * 1e-3) / 1e9;
    printf("device-to-device cudaMemcpy: %.1f GB/s (256 MB, read + write; %.3f ms [%.3f..%.3f])\n", E.d2d, s.med,
           s.min, s.max);
    gc_json_row(&E.timings, "{\"size\":\"-\",\"kernel\":\"d2d cudaMemcpy 256 MB\",\"detail\":\"the copy ceiling\","
                "\"version\":0,\"block\":\"-\",\"ms_median\":%.6f,\"ms_min\":%.6f,\"ms_max\":%.6f,\"runs\":%d,"
                "\"launches_per_run\":%d,\"bytes\":%.0f,\"gbs\":%.2f,\"fraction_of_d2d\":1}",
                s.med, s.min, s.max, s.runs, s.launches, 2.0 * a.bytes, E.d2d);
    cudaFree(a.a);
    cudaFree(a.b);
}
