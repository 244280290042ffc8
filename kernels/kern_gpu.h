/* kernels/kern_gpu.h -- what the GPU measurements need beyond kern.h and
 * kern_cuda.h's CUDA entry points: launch configurations for the sweep in
 * bench/gpu_check.c, overlay v3, NVDEC's NV12 frames split into I420, and
 * kern_dstage, the kernel side of a stage whose frames stay on the device
 * between the decoder and the encoder (calibrate/pipeline.c's CUDA path).
 * Everything here exists only with FORKCAST_CUDA (nvcc found at build time);
 * it is implemented in kern_cuda.cu (launches) and kern_dstage.c.
 *
 * Device frames are kern_frames whose planes are device pointers: from
 * kern_cu_frame_alloc (cudaMallocPitch), from kern_dstage_frame, or borrowed
 * from FFmpeg's CUDA frames (AVFrame data/linesize). Launchers are
 * asynchronous on the default stream; kern_dstage calls are synchronous and
 * add the seconds they took to a kern_times (+=, so one kern_times collects
 * a frame's phases). All return KERN_OK, KERN_EINPUT (bad argument, one
 * line in err) or KERN_ERUNTIME (CUDA failure, CUDA's message in err).
 */
#ifndef FORKCAST_KERNELS_KERN_GPU_H
#define FORKCAST_KERNELS_KERN_GPU_H

#include "kernels/kern.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef FORKCAST_CUDA

/* Ask that the device's primary context be made with blocking
 * synchronisation (the host thread sleeps in cudaDeviceSynchronize instead
 * of spinning): the flags FFmpeg's CUDA hwcontext insists on when it shares
 * the primary context, as calibrate/pipeline_av.c does. Call before any
 * CUDA work creates the context; KERN_ERUNTIME (CUDA's reason in err) when
 * it is already active with other flags, and FFmpeg will then refuse it. */
int kern_cu_blocking_sync(char *err, size_t errsz);

/* Versions that kern_cu_overlay_cfg / kern_cu_framing_cfg accept (1..N). */
enum { KERN_CU_OVERLAY_VERSIONS = 3, KERN_CU_FRAMING_VERSIONS = 2 };

/* Overlay with an explicit block shape bx x by threads (0, 0: the
 * version's default; bx * by at most 1024, bx a multiple of 32 is best).
 * Version 3 needs 16-aligned luma and 8-aligned chroma rows in the frame,
 * version 2 4-aligned and 2-aligned rows; a frame that does not have them
 * gets the next lower version. *ran (may be NULL) says which ran. */
int kern_cu_overlay_cfg(int version, int bx, int by, kern_frame *dev_frame, const kern_frame *dev_ov, int x,
                        int y, int *ran, char *err, size_t errsz);

/* Framing with an explicit block of `block` threads (0: default). */
struct kern_cu_plan;
int kern_cu_framing_cfg(int version, int block, const kern_frame *dev_src, kern_rect crop, kern_frame *dev_dst,
                        struct kern_cu_plan *p, char *err, size_t errsz);

/* dst (I420, w x h on the device) <- the NV12 frame (y, yls) + (uv, uvls)
 * of the same size, also on the device. Asynchronous. */
int kern_cu_nv12_to_i420(kern_frame *dev_dst, const uint8_t *y, int yls, const uint8_t *uv, int uvls, char *err,
                         size_t errsz);

/* ---- kern_dstage ---------------------------------------------------------
 * Owned (kern_dstage_new / kern_dstage_free): two device I420 frames
 * (slots 0 and 1), the overlay graphic's device copy (uploaded on first
 * use and again when its pointers or size change; the upload is counted in
 * t->upload_s and upload_bytes), the framing plan and its device taps.
 * version: the CUDA kernel version (0 = the newest). One thread at a time. */
typedef struct kern_dstage kern_dstage;
kern_dstage *kern_dstage_new(int version, char *err, size_t errsz);
void kern_dstage_free(kern_dstage *s);
int kern_dstage_version(const kern_dstage *s);
/* Wait for the device (e.g. for FFmpeg's NVDEC copies before timing). */
int kern_dstage_sync(kern_dstage *s, char *err, size_t errsz);
/* The slot's frame, (re)allocated to w x h; borrowed from s. NULL on error. */
kern_frame *kern_dstage_frame(kern_dstage *s, int slot, int w, int h, char *err, size_t errsz);
/* Host <-> device copies of the three planes (pageable host memory). */
int kern_dstage_upload(kern_dstage *s, kern_frame *dev, const kern_frame *host, kern_times *t, char *err,
                       size_t errsz);
int kern_dstage_download(kern_dstage *s, kern_frame *host, const kern_frame *dev, kern_times *t, char *err,
                         size_t errsz);
/* NV12 device frame -> dev (I420): counted as kernel time. */
int kern_dstage_nv12(kern_dstage *s, kern_frame *dev, const uint8_t *y, int yls, const uint8_t *uv, int uvls,
                     kern_times *t, char *err, size_t errsz);
/* In place on dev: the host graphic ov (YUVA420P) composited at (x, y). */
int kern_dstage_overlay(kern_dstage *s, kern_frame *dev, const kern_frame *ov, int x, int y, kern_times *t,
                        char *err, size_t errsz);
/* dev_dst <- crop of dev_src resized, as kern_framing. */
int kern_dstage_framing(kern_dstage *s, const kern_frame *dev_src, kern_rect crop, kern_frame *dev_dst,
                        kern_filter f, kern_times *t, char *err, size_t errsz);

#endif /* FORKCAST_CUDA */

#ifdef __cplusplus
}
#endif

#endif
