/* kernels/kern_overlay.h -- overlay internals every backend shares: the clip
 * rectangle, FFmpeg's chroma alpha and blend arithmetic (inline, also
 * compiled for the device), and the reference and CPU kernels. Internal to
 * kernels/ (and the tests and GPU check); callers use kern_overlay() in
 * kern.h, whose overview states the semantics.
 *
 * Frames are borrowed; the kernels write frame in place and touch only the
 * overlay's visible area. Cost: O(visible overlay area).
 */
#ifndef FORKCAST_KERNELS_KERN_OVERLAY_H
#define FORKCAST_KERNELS_KERN_OVERLAY_H

#include "kernels/kern.h"
#include "kernels/kern_hostdev.h"
#include "kernels/kern_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The visible part of an overlay of ow x oh placed at (x, y) on a fw x fh
 * frame, x and y already even. Ranges are in overlay coordinates, half-open:
 * luma columns [i0, i1), rows [j0, j1); chroma columns [k0, k1), rows
 * [l0, l1). Returns 0 when nothing is visible. */
typedef struct {
    int x, y;
    int i0, i1, j0, j1;
    int k0, k1, l0, l1;
} kern_ov_clip;
int kern_overlay_clip(int fw, int fh, int ow, int oh, int x, int y, kern_ov_clip *c);

/* The overlay's alpha for chroma sample (k, l): FFmpeg's rule. a is the
 * alpha plane, ls its linesize, owc/ohc the overlay's chroma size. */
KERN_HD static inline int kern_chroma_alpha(const uint8_t *a, int ls, int k, int l, int owc, int ohc)
{
    const uint8_t *p = a + (size_t)(2 * l) * ls + 2 * k;
    if (k + 1 < owc && l + 1 < ohc)
        return (p[0] + p[1] + p[ls] + p[ls + 1]) >> 2;
    int ah = k + 1 < owc ? (p[0] + p[1]) >> 1 : p[0];
    int av = l + 1 < ohc ? (p[0] + p[ls]) >> 1 : p[0];
    return (ah + av) >> 1;
}

/* d*(255-a) + s*a divided by 255 as FFmpeg's FAST_DIV255: ((v+128)*257)>>16,
 * written so 16-bit lanes suffice (v + 128 < 2^16). */
KERN_HD static inline uint8_t kern_blend(int d, int s, int a)
{
    unsigned v = (unsigned)(d * (255 - a) + s * a + 128);
    return (uint8_t)((v + (v >> 8)) >> 8);
}

void kern_overlay_ref(kern_frame *frame, const kern_frame *ov, int x, int y);
void kern_overlay_cpu(kern_pool *pool, kern_frame *frame, const kern_frame *ov, int x, int y);

#ifdef __cplusplus
}
#endif

#endif
