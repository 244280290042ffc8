/* bench/gpu_check.h -- the machinery of bench/gpu_check.c (gc_*, in
 * bench/gpu_check_util.c): the run's environment, device checks of frames,
 * CUDA-event timing over rings of buffers, launch sweeps, CPU and transfer
 * peers, and the JSON the run writes. Only for gpu_check; every failure of
 * a CUDA call ends the process with one line (exit 1). */
#ifndef FORKCAST_BENCH_GPU_CHECK_H
#define FORKCAST_BENCH_GPU_CHECK_H

#include "kernels/kern_cuda.h"
#include "kernels/kern_framing.h"
#include "kernels/kern_gpu.h"
#include "kernels/kern_overlay.h"
#include "kernels/kern_pool.h"
#include "kernels/kern_gpu.h"

#include <stdio.h>

#define GC_CK(call)                                                                                  \
    do {                                                                                             \
        cudaError_t e_ = (call);                                                                     \
        if (e_ != cudaSuccess) {                                                                     \
            fprintf(stderr, "gpu_check: %s: %s\n", #call, cudaGetErrorString(e_));                    \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

/* A growing text of JSON values separated by commas. */
typedef struct {
    char *s;
    size_t n, cap;
} gc_buf;

typedef struct {
    int iters, runs, sweep;
    kern_pool *pool;           /* one thread per core, for the CPU peers */
    double d2d;                /* GB/s of the 256 MB device-to-device copy */
    size_t l2;                 /* bytes */
    void *flush;               /* 2 x L2, memset before each timed run */
    int nsizes, sizes[8][2];
    char device_json[1024];
    gc_buf checks, timings, sweeps, cpu, transfers, e2e, targets;
} gc_env;
extern gc_env E;

typedef struct {
    double med, min, max; /* ms per launch over the runs */
    int runs, launches;
} gc_spread;

void gc_kk(int rc, const char *err);
void gc_json_row(gc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gc_json_write(const char *path, int failures);

size_t gc_frame_bytes(int w, int h, int alpha);
/* Ring length for items of `bytes`: at least 4x L2 in all, 2..64. */
int gc_ring_len(size_t bytes);
/* Device frame padding (all: the samples too) set to the poison byte. */
void gc_poison(kern_frame *d, int all);
/* Download d whole; samples differing from want by more than tol, the
 * largest difference, padding bytes no longer poison. */
void gc_compare(const kern_frame *d, const kern_frame *want, int tol, long *bad, int *maxd, long *padbad);

/* launch(arg, i) enqueues launch i (ring slot i % K). Warm-up, then runs x
 * iters launches between CUDA events, each run after the L2 flush. */
typedef void (*gc_launch)(void *arg, int i);
gc_spread gc_time(gc_launch launch, void *arg, int K, int iters, int runs);

typedef struct {
    kern_frame *f, *o;
    int K, version, bx, by, x, y;
} gc_ov_arg;
typedef struct {
    kern_frame *s, *d;
    int K, version, block;
    kern_rect crop;
    kern_cu_plan *cpl;
} gc_fr_arg;
typedef struct {
    kern_frame *d;
    uint8_t *y, *uv;
    int yls, uvls;
} gc_nv12_arg;
void gc_launch_overlay(void *arg, int i);
void gc_launch_framing(void *arg, int i);
void gc_launch_nv12(void *arg, int i);

/* A copy of `bytes` (read + write) per launch through a ring, as a peer. */
gc_spread gc_copy_same_bytes(double bytes);
/* Print and record one timing row; copy may be NULL. */
void gc_row(int W, int H, const char *kernel, const char *detail, int version, const char *cfg, const gc_spread *s,
            double bytes, const gc_spread *copy);
/* Every block shape for a->version; best[] (or the return) the fastest. */
void gc_sweep_overlay(int W, int H, const char *name, gc_ov_arg *a, double bytes, int best[2]);
int gc_sweep_framing(int W, int H, gc_fr_arg *a, double bytes);

void gc_cpu_overlay(int W, int H, const char *name, const kern_frame *hmain, const kern_frame *hov, int x, int y);
void gc_cpu_framing(int W, int H, const kern_frame *hmain, kern_rect crop, kern_frame *out,
                    const kern_framing_plan *pl);
void gc_e2e_overlay(int W, int H, kern_frame *hmain);
void gc_transfers(int W, int H, const kern_frame *hmain, kern_frame *dev);

int gc_sizes_parse(const char *s);
/* Device line on stdout; 1 (with one line on stderr) when there is none. */
int gc_device_open(int probe_only);
void gc_measure_d2d(void);

#endif
