/* kernels/kern_fill.c -- synthetic frames for the tests, the benches, the
 * GPU check and `calibrate kernels` (kern_fill_* in kern.h): deterministic
 * in their seed or index, no global state. Not used by the kernels
 * themselves. */
#include "kernels/kern.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

void kern_fill_random(kern_frame *f, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (int p = 0; p < 4; p++) {
        if (!f->data[p])
            continue;
        int pw = kern_frame_plane_w(f, p), ph = kern_frame_plane_h(f, p);
        for (int r = 0; r < ph; r++) {
            uint8_t *row = f->data[p] + (size_t)r * f->linesize[p];
            for (int x = 0; x < pw; x++)
                row[x] = (uint8_t)(xorshift(&s) >> 56);
        }
    }
}

/* Separable: O(w + h) sines per plane, then one add per sample. */
void kern_fill_pattern(kern_frame *f, long index)
{
    int w = f->w, h = f->h, n = w > h ? w : h;
    double ph = index * 0.05;
    double *tx = malloc((size_t)n * sizeof *tx), *ty = malloc((size_t)n * sizeof *ty);
    if (!tx || !ty) { /* a test pattern only: fall back to flat grey */
        for (int p = 0; p < 3; p++)
            for (int r = 0; r < kern_frame_plane_h(f, p); r++)
                memset(f->data[p] + (size_t)r * f->linesize[p], 128, (size_t)kern_frame_plane_w(f, p));
        goto cleanup;
    }
    for (int x = 0; x < w; x++)
        tx[x] = 60 * sin(6.283 * x / w + ph);
    for (int r = 0; r < h; r++)
        ty[r] = 128 + 40 * cos(6.283 * 2 * r / h - ph);
    int sx = (int)((7 * index) % w);
    for (int r = 0; r < h; r++) {
        uint8_t *row = f->data[0] + (size_t)r * f->linesize[0];
        int block = r > h / 3 && r < h / 2;
        for (int x = 0; x < w; x++) {
            double v = tx[x] + ty[r];
            /* Text-like detail: a moving block of fine stripes. */
            int bx = x + sx >= w ? x + sx - w : x + sx;
            if (block && bx > w / 3 && bx < w / 2)
                v = (bx / 2 + r / 3) % 3 ? 235 : 16;
            row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    for (int p = 1; p <= 2; p++) {
        int cw = kern_frame_plane_w(f, p), chh = kern_frame_plane_h(f, p);
        for (int x = 0; x < cw; x++)
            tx[x] = p == 1 ? 100 * sin(6.283 * x / cw + ph) : 0;
        for (int r = 0; r < chh; r++)
            ty[r] = 128 + (p == 2 ? 100 * sin(6.283 * r / chh + 2 * ph) : 0);
        for (int r = 0; r < chh; r++) {
            uint8_t *row = f->data[p] + (size_t)r * f->linesize[p];
            for (int x = 0; x < cw; x++)
                row[x] = (uint8_t)(tx[x] + ty[r]);
        }
    }
cleanup:
    if (f->data[3])
        for (int r = 0; r < h; r++)
            memset(f->data[3] + (size_t)r * f->linesize[3], 255, (size_t)w);
    free(tx);
    free(ty);
}

void kern_fill_graphic(kern_frame *ov, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 7;
    int w = ov->w, h = ov->h;
    double border = (w < h ? w : h) / 6.0;
    if (border < 1.5)
        border = 1.5;
    double rad = border * 2; /* corner radius */
    int base_y = 40 + (int)(xorshift(&s) % 160), base_u = (int)(xorshift(&s) % 256),
        base_v = (int)(xorshift(&s) % 256);
    for (int r = 0; r < h; r++)
        for (int x = 0; x < w; x++) {
            /* Distance inside a rounded rectangle inset by half a pixel. */
            double dx = fmin(x + 0.5, w - x - 0.5), dy = fmin(r + 0.5, h - r - 0.5);
            double d = fmin(dx, dy);
            if (dx < rad && dy < rad)
                d = rad - hypot(rad - dx, rad - dy);
            double a = (d - 0.5) / border;
            a = a < 0 ? 0 : a > 1 ? 1 : a;
            a = a * a * (3 - 2 * a); /* smoothstep */
            ov->data[3][(size_t)r * ov->linesize[3] + x] = (uint8_t)lrint(255 * a);
            int tex = (int)(xorshift(&s) >> 60); /* 0..15 of grain */
            int yv = base_y + (x * 60) / w + tex;
            ov->data[0][(size_t)r * ov->linesize[0] + x] = (uint8_t)(yv > 255 ? 255 : yv);
        }
    for (int r = 0; r < (h + 1) / 2; r++)
        for (int x = 0; x < (w + 1) / 2; x++) {
            ov->data[1][(size_t)r * ov->linesize[1] + x] = (uint8_t)(base_u + x * 2);
            ov->data[2][(size_t)r * ov->linesize[2] + x] = (uint8_t)(base_v + r * 3);
        }
}
