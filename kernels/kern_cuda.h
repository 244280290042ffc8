/* kernels/kern_cuda.h -- the C entry points of the CUDA backend
 * (kern_cuda.cu), declared only when built with FORKCAST_CUDA. Internal to
 * kernels/ (and the GPU check); callers use kern.h, whose KERN_CUDA backend
 * calls these.
 *
 * Every function is synchronous unless it says otherwise, returns KERN_OK or
 * KERN_ERUNTIME and leaves the CUDA error text in err. Device frames are
 * kern_frames whose planes come from cudaMallocPitch.
 */
#ifndef FORKCAST_KERNELS_KERN_CUDA_H
#define FORKCAST_KERNELS_KERN_CUDA_H

#include "kernels/kern.h"
#include "kernels/kern_framing.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef FORKCAST_CUDA
int kern_cu_device_count(void);
void kern_cu_device_name(char *buf, size_t n);
int kern_cu_frame_alloc(kern_frame *f, int w, int h, int with_alpha, char *err, size_t errsz);
void kern_cu_frame_free(kern_frame *f);
int kern_cu_upload(kern_frame *dev, const kern_frame *host, char *err, size_t errsz);
int kern_cu_download(kern_frame *host, const kern_frame *dev, char *err, size_t errsz);
int kern_cu_sync(char *err, size_t errsz);

/* Asynchronous launch on the default stream; version 1 or 2. */
int kern_cu_overlay(int version, kern_frame *dev_frame, const kern_frame *dev_ov, int x, int y,
                    char *err, size_t errsz);

/* Device copies of a plan's taps (both layouts) and the intermediate. */
typedef struct kern_cu_plan kern_cu_plan;
kern_cu_plan *kern_cu_plan_new(const kern_framing_plan *pl, char *err, size_t errsz);
void kern_cu_plan_free(kern_cu_plan *p);
/* Asynchronous launch (horizontal then vertical pass per plane). */
int kern_cu_framing(int version, const kern_frame *dev_src, kern_rect crop, kern_frame *dev_dst,
                    kern_cu_plan *p, char *err, size_t errsz);
#endif

#ifdef __cplusplus
}
#endif

#endif
