/* kernels/kern_impl.h -- every internal header of kernels/ at once, for the
 * two translation units that use all of them: the CUDA backend
 * (kern_cuda.cu) and the GPU check (bench/gpu_check.c). It declares nothing
 * itself; other code includes only the topic it needs:
 *
 *   kern_pool.h      the pthread pool behind KERN_CPU
 *   kern_overlay.h   overlay clip, chroma alpha and blend; ref and CPU kernels
 *   kern_framing.h   fixed-point filter taps and plans; ref and CPU kernels
 *   kern_cuda.h      the CUDA backend's C entry points (FORKCAST_CUDA)
 *
 * Not a public API: callers outside kernels/ include kern.h.
 */
#ifndef FORKCAST_KERNELS_KERN_IMPL_H
#define FORKCAST_KERNELS_KERN_IMPL_H

#include "kernels/kern.h"
#include "kernels/kern_cuda.h"
#include "kernels/kern_framing.h"
#include "kernels/kern_overlay.h"
#include "kernels/kern_pool.h"

#endif
