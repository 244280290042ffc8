/* kernels/kern.h -- the two pixel kernels of the stages forkcast models:
 * overlay (alpha-composite a graphic onto video) and framing (a moving 9:16
 * crop resized for vertical video), each with three backends behind one call.
 *
 * Frames. A kern_frame is planar YUV420P (data[0..2], data[3] NULL) or
 * YUVA420P (data[3] the full-size alpha plane). Luma and alpha are w x h,
 * chroma is ceil(w/2) x ceil(h/2); row r of plane p starts at
 * data[p] + r * linesize[p], linesize[p] >= the plane's width. Full range of
 * 8-bit values, no colour-space conversion: the kernels move samples only.
 * kern_frame_new() returns an owned frame (rows 64-byte aligned) freed by
 * kern_frame_free(); a caller may also fill a kern_frame by hand to borrow
 * someone else's memory (e.g. an AVFrame's), and then never frees it here.
 *
 * Overlay (kern_overlay). In place on `frame`, with the semantics of
 * FFmpeg's `overlay=x:y:format=yuv420` for a YUV420P main and a YUVA420P
 * overlay with straight alpha: x and y are first rounded down to even (as
 * the filter does), overlay pixel (i, j) lands on (x + i, y + j), parts
 * outside the frame are dropped; luma uses the overlay's alpha directly,
 * chroma the mean of the 2x2 alpha block under it (the 1-D mean, or the
 * sample itself, on the overlay's last chroma row and column, as FFmpeg);
 * each sample becomes (d*(255-a) + s*a) / 255 rounded as FFmpeg's
 * FAST_DIV255. All backends compute exactly this, so they are bit-exact
 * with FFmpeg's overlay filter (whose C and SSE4 paths agree too); the
 * tests compare KERN_CPU with libavfilter and the CUDA code with KERN_CPU.
 * Cost: O(overlay area); the rest of the frame is not touched.
 *
 * Framing (kern_framing). Crops `crop` out of `src` and resizes it to dst's
 * size with a separable Lanczos-3 (or bicubic, B=0 C=0.6, swscale's
 * default) filter: like `crop=w:h:x:y,scale=W:H:flags=lanczos`. Planes are
 * resized independently with pixel centres aligned (chroma sited at the
 * centre of its 2x2 block, swscale's default for yuv420p); samples beyond
 * the crop's edge repeat the edge. crop.x/y/w/h must be even (so the chroma
 * crop is exact) and inside src. The reference computes in double; cpu and
 * cuda use 14-bit taps and 16-bit fixed point (kern_framing.h spells it out)
 * and agree with each other bit for bit and with the reference within 1 LSB.
 * Cost: O(dst area * taps + crop height * dst width * taps).
 *
 * Backends. KERN_REF: plain loops, one thread, the definition of the
 * result. KERN_CPU: precomputed taps, vectorizable loops, rows split over a
 * pthread pool. KERN_CUDA: host frames are uploaded whole, processed, and
 * the result downloaded (pageable memcpy), so kern_times splits upload,
 * kernel and download; only built when nvcc was found (FORKCAST_CUDA) and
 * usable when kern_cuda_available() says a device answers. KERN_AUTO picks
 * CUDA when available, else CPU.
 *
 * Context. kern_ctx_new() returns an owned context (thread pool, cached
 * taps, device buffers) freed by kern_ctx_free(). One context serves one
 * thread at a time. The CUDA backend keeps the last overlay on the device
 * and uploads it again only when the overlay's pointers, size or linesizes
 * change, or after kern_ctx_overlay_changed(): call that after writing new
 * pixels into the same overlay buffers.
 *
 * Errors. Functions return KERN_OK, KERN_ERUNTIME (allocation, thread or
 * CUDA failure) or KERN_EINPUT (bad argument), equal to forkcast's exit
 * statuses, with one line in err (may be NULL). They never print or exit.
 */
#ifndef FORKCAST_KERNELS_KERN_H
#define FORKCAST_KERNELS_KERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { KERN_OK = 0, KERN_ERUNTIME = 1, KERN_EINPUT = 2 };

typedef enum { KERN_AUTO = 0, KERN_REF, KERN_CPU, KERN_CUDA } kern_backend;
typedef enum { KERN_LANCZOS = 0, KERN_BICUBIC } kern_filter;

typedef struct {
    int w, h;          /* luma size, >= 1 */
    uint8_t *data[4];  /* Y, U, V, and A (YUVA420P) or NULL (YUV420P) */
    int linesize[4];   /* bytes from one row to the next */
} kern_frame;

typedef struct {
    int x, y, w, h;    /* luma pixels; all even for kern_framing */
} kern_rect;

/* Seconds spent in one call, by phase (upload/download 0 on CPU backends),
 * and the bytes copied each way between host and device. */
typedef struct {
    double upload_s, kernel_s, download_s;
    size_t upload_bytes, download_bytes;
} kern_times;

typedef struct kern_ctx kern_ctx;

/* Frames. with_alpha: 1 for YUVA420P. Pixels are uninitialised. NULL when
 * out of memory or w, h < 1. */
kern_frame *kern_frame_new(int w, int h, int with_alpha);
void kern_frame_free(kern_frame *f);
/* Plane p's size in samples: w x h for luma and alpha, ceil(w/2) x
 * ceil(h/2) for chroma (p = 1, 2). */
int kern_frame_plane_w(const kern_frame *f, int p);
int kern_frame_plane_h(const kern_frame *f, int p);
/* Bytes of plane p's visible samples (0 when absent). */
size_t kern_frame_plane_bytes(const kern_frame *f, int p);
/* Copy the visible samples of every plane of src into dst (same w, h). */
void kern_frame_copy(kern_frame *dst, const kern_frame *src);

/* Backends. */
const char *kern_backend_name(kern_backend b);           /* "ref", "cpu", ... */
int kern_backend_parse(const char *s, kern_backend *out); /* 0 ok, -1 unknown */
const char *kern_filter_name(kern_filter f);
int kern_filter_parse(const char *s, kern_filter *out);
/* 1 when built with CUDA and at least one device answers, else 0. The first
 * call initialises the CUDA runtime (tens to hundreds of ms). */
int kern_cuda_available(void);
/* "NVIDIA H100 80GB HBM3" or a reason there is none; static storage. */
const char *kern_cuda_device_name(void);

/* threads: CPU threads for KERN_CPU, 0 = one per online core. KERN_AUTO
 * is resolved here; asking for KERN_CUDA without a device is KERN_EINPUT. */
kern_ctx *kern_ctx_new(kern_backend backend, int threads, char *err, size_t errsz);
void kern_ctx_free(kern_ctx *ctx);
kern_backend kern_ctx_backend(const kern_ctx *ctx);
int kern_ctx_threads(const kern_ctx *ctx);
/* CUDA kernel version, as llm.c's dev/cuda: 1 simple, 2 coalesced and
 * vectorised (the default). Returns -1 for a version that does not exist. */
int kern_ctx_set_cuda_version(kern_ctx *ctx, int version);
void kern_ctx_overlay_changed(kern_ctx *ctx);

/* In place: frame (YUV420P; an alpha plane, if any, is ignored and kept)
 * gets ov (YUVA420P) composited at (x, y). t may be NULL. */
int kern_overlay(kern_ctx *ctx, kern_frame *frame, const kern_frame *ov, int x, int y,
                 kern_times *t, char *err, size_t errsz);

/* dst (YUV420P, any size >= 2x2) <- crop of src resized. t may be NULL. */
int kern_framing(kern_ctx *ctx, const kern_frame *src, kern_rect crop, kern_frame *dst,
                 kern_filter filter, kern_times *t, char *err, size_t errsz);

/* The crop window of frame i of n along a straight pan: the largest even
 * window with the aspect out_w:out_h that fits in src, vertically centred,
 * whose left edge moves linearly from start to end (0 = flush left,
 * 1 = flush right of the room left beside the window), rounded down to
 * even. n = 1 uses start. */
kern_rect kern_framing_window(int src_w, int src_h, int out_w, int out_h, double start,
                              double end, long i, long n);

/* Test material (kern_fill.c), deterministic in seed (xorshift; no global
 * state): random samples everywhere, or a smooth moving gradient with text-like
 * detail (the frame "lavfi testsrc2" would give, roughly), and a graphic
 * with a soft straight-alpha edge: a rounded box, opaque inside, ramping to
 * transparent over its border, alpha 0 at the frame's edge. */
void kern_fill_random(kern_frame *f, uint64_t seed);
void kern_fill_pattern(kern_frame *f, long index);
void kern_fill_graphic(kern_frame *ov, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif
