/* kernels/kern_hostdev.h -- KERN_HD, the qualifier of the inline helpers
 * that the CPU kernels and the CUDA kernels share (kern_overlay.h,
 * kern_framing.h): __host__ __device__ under nvcc, nothing in C, so every
 * backend compiles one definition of the arithmetic. Internal to kernels/.
 */
#ifndef FORKCAST_KERNELS_KERN_HOSTDEV_H
#define FORKCAST_KERNELS_KERN_HOSTDEV_H

#ifdef __CUDACC__
#define KERN_HD __host__ __device__
#else
#define KERN_HD
#endif

#endif
