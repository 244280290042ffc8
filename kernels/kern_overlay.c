/* kernels/kern_overlay.c -- overlay on the CPU: the reference (one sample at a
 * time, FFmpeg's blend_plane written out) and the fast path (vectorisable
 * row loops with 16-bit arithmetic, rows split over the pool). Both are
 * bit-exact with each other and with FFmpeg's overlay filter. */
#include "kernels/kern_overlay.h"

#include <assert.h>

/* Vectorise the row loops at -O2 too, and let x86-64 pick AVX2 at run time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define KERN_VEC __attribute__((optimize("O3"), target_clones("avx2", "default")))
#elif defined(__GNUC__) && !defined(__clang__)
#define KERN_VEC __attribute__((optimize("O3")))
#else
#define KERN_VEC
#endif

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

int kern_overlay_clip(int fw, int fh, int ow, int oh, int x, int y, kern_ov_clip *c)
{
    assert((x & 1) == 0 && (y & 1) == 0);
    c->x = x;
    c->y = y;
    c->i0 = imax(-x, 0);
    c->i1 = imin(ow, fw - x);
    c->j0 = imax(-y, 0);
    c->j1 = imin(oh, fh - y);
    int xc = x / 2, yc = y / 2; /* exact: x, y even */
    c->k0 = imax(-xc, 0);
    c->k1 = imin((ow + 1) / 2, (fw + 1) / 2 - xc);
    c->l0 = imax(-yc, 0);
    c->l1 = imin((oh + 1) / 2, (fh + 1) / 2 - yc);
    return c->i0 < c->i1 && c->j0 < c->j1;
}

void kern_overlay_ref(kern_frame *frame, const kern_frame *ov, int x, int y)
{
    kern_ov_clip c;
    x &= ~1;
    y &= ~1;
    if (!kern_overlay_clip(frame->w, frame->h, ov->w, ov->h, x, y, &c))
        return;
    const uint8_t *A = ov->data[3];
    int als = ov->linesize[3];
    for (int j = c.j0; j < c.j1; j++)
        for (int i = c.i0; i < c.i1; i++) {
            uint8_t *d = frame->data[0] + (size_t)(y + j) * frame->linesize[0] + (x + i);
            int s = ov->data[0][(size_t)j * ov->linesize[0] + i];
            int a = A[(size_t)j * als + i];
            *d = (uint8_t)(((*d * (255 - a) + s * a + 128) * 257) >> 16);
        }
    int owc = (ov->w + 1) / 2, ohc = (ov->h + 1) / 2;
    for (int p = 1; p <= 2; p++)
        for (int l = c.l0; l < c.l1; l++)
            for (int k = c.k0; k < c.k1; k++) {
                uint8_t *d = frame->data[p] + (size_t)(y / 2 + l) * frame->linesize[p] + (x / 2 + k);
                int s = ov->data[p][(size_t)l * ov->linesize[p] + k];
                int a = kern_chroma_alpha(A, als, k, l, owc, ohc);
                *d = (uint8_t)(((*d * (255 - a) + s * a + 128) * 257) >> 16);
            }
}

/* ---- fast path ---------------------------------------------------------- */

KERN_VEC static void blend_luma_row(uint8_t *restrict d, const uint8_t *restrict s,
                                    const uint8_t *restrict a, int n)
{
    for (int i = 0; i < n; i++) {
        uint16_t al = a[i];
        uint16_t v = (uint16_t)(d[i] * (uint16_t)(255 - al) + s[i] * al + 128);
        d[i] = (uint8_t)((uint16_t)(v + (v >> 8)) >> 8);
    }
}

/* n chroma samples whose alpha is the full 2x2 mean of rows a0, a1. */
KERN_VEC static void blend_chroma_row(uint8_t *restrict du, uint8_t *restrict dv,
                                      const uint8_t *restrict su, const uint8_t *restrict sv,
                                      const uint8_t *restrict a0, const uint8_t *restrict a1, int n)
{
    for (int k = 0; k < n; k++) {
        uint16_t al = (uint16_t)((a0[2 * k] + a0[2 * k + 1] + a1[2 * k] + a1[2 * k + 1]) >> 2);
        uint16_t ia = (uint16_t)(255 - al);
        uint16_t u = (uint16_t)(du[k] * ia + su[k] * al + 128);
        uint16_t v = (uint16_t)(dv[k] * ia + sv[k] * al + 128);
        du[k] = (uint8_t)((uint16_t)(u + (u >> 8)) >> 8);
        dv[k] = (uint8_t)((uint16_t)(v + (v >> 8)) >> 8);
    }
}

typedef struct {
    kern_frame *f;
    const kern_frame *ov;
    kern_ov_clip c;
} ov_job;

static void overlay_job(void *vp, int job, int njobs)
{
    ov_job *J = vp;
    kern_frame *f = J->f;
    const kern_frame *ov = J->ov;
    const kern_ov_clip *c = &J->c;
    const uint8_t *A = ov->data[3];
    int als = ov->linesize[3];
    int owc = (ov->w + 1) / 2, ohc = (ov->h + 1) / 2;
    int xc = c->x / 2, yc = c->y / 2;

    /* This job's share of chroma rows, and the luma rows they cover (the
     * last job also takes any luma row left over by an odd clip). */
    int nl = c->l1 - c->l0;
    int l0 = c->l0 + (int)((long)nl * job / njobs), l1 = c->l0 + (int)((long)nl * (job + 1) / njobs);
    int j0 = job == 0 ? c->j0 : imax(c->j0, 2 * l0);
    int j1 = job == njobs - 1 ? c->j1 : imin(c->j1, 2 * l1);

    int ni = c->i1 - c->i0;
    for (int j = j0; j < j1; j++)
        blend_luma_row(f->data[0] + (size_t)(c->y + j) * f->linesize[0] + c->x + c->i0,
                       ov->data[0] + (size_t)j * ov->linesize[0] + c->i0,
                       A + (size_t)j * als + c->i0, ni);

    for (int l = l0; l < l1; l++) {
        uint8_t *du = f->data[1] + (size_t)(yc + l) * f->linesize[1] + xc;
        uint8_t *dv = f->data[2] + (size_t)(yc + l) * f->linesize[2] + xc;
        const uint8_t *su = ov->data[1] + (size_t)l * ov->linesize[1];
        const uint8_t *sv = ov->data[2] + (size_t)l * ov->linesize[2];
        int k = c->k0;
        if (l + 1 < ohc) {
            /* Full 2x2 mean everywhere but the overlay's last chroma column. */
            int kend = imin(c->k1, owc - 1);
            if (kend > k) {
                const uint8_t *a0 = A + (size_t)(2 * l) * als;
                blend_chroma_row(du + k, dv + k, su + k, sv + k, a0 + 2 * k, a0 + als + 2 * k, kend - k);
                k = kend;
            }
        }
        for (; k < c->k1; k++) {
            int a = kern_chroma_alpha(A, als, k, l, owc, ohc);
            du[k] = kern_blend(du[k], su[k], a);
            dv[k] = kern_blend(dv[k], sv[k], a);
        }
    }
}

void kern_overlay_cpu(kern_pool *pool, kern_frame *frame, const kern_frame *ov, int x, int y)
{
    ov_job J = {frame, ov, {0}};
    if (!kern_overlay_clip(frame->w, frame->h, ov->w, ov->h, x & ~1, y & ~1, &J.c))
        return;
    /* Jobs of at least 16 chroma rows; a few per thread to even out. */
    int rows = J.c.l1 - J.c.l0;
    int njobs = imin(kern_pool_threads(pool) * 4, imax(1, rows / 16));
    kern_pool_run(pool, overlay_job, &J, njobs);
}
