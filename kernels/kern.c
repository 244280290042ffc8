/* kernels/kern.c -- frames, the context and the backend switch behind
 * kern_overlay() and kern_framing(). The test material is kern_fill.c. */
#include "kernels/kern_cuda.h"
#include "kernels/kern_framing.h"
#include "kernels/kern_overlay.h"
#include "kernels/kern_pool.h"
#include "base/clock.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct kern_ctx {
    kern_backend backend;
    int threads;
    kern_pool *pool;                /* KERN_CPU */
    kern_framing_plan plan;         /* cached for the last (crop, out, filter) */
    int have_plan;
#ifdef FORKCAST_CUDA
    int cuda_version;
    kern_frame dframe, dov, dsrc, ddst; /* device buffers, grown on demand */
    kern_frame ov_key;              /* the overlay now on the device */
    int ov_valid;
    kern_cu_plan *cplan;            /* device copy of plan */
#endif
};

/* ---- frames ------------------------------------------------------------- */

typedef struct {
    kern_frame f;
    void *block;
} owned_frame;

kern_frame *kern_frame_new(int w, int h, int with_alpha)
{
    if (w < 1 || h < 1 || w > (1 << 15) || h > (1 << 15))
        return NULL;
    owned_frame *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    int cw = (w + 1) / 2, ch = (h + 1) / 2;
    int lsy = (w + 63) & ~63, lsc = (cw + 63) & ~63;
    size_t sizes[4] = {(size_t)lsy * h, (size_t)lsc * ch, (size_t)lsc * ch,
                       with_alpha ? (size_t)lsy * h : 0};
    size_t total = sizes[0] + sizes[1] + sizes[2] + sizes[3];
    if (posix_memalign(&o->block, 64, total) != 0) {
        free(o);
        return NULL;
    }
    uint8_t *p = o->block;
    for (int i = 0; i < 4; i++) {
        o->f.data[i] = sizes[i] ? p : NULL;
        o->f.linesize[i] = sizes[i] ? (i == 0 || i == 3 ? lsy : lsc) : 0;
        p += sizes[i];
    }
    o->f.w = w;
    o->f.h = h;
    return &o->f;
}

void kern_frame_free(kern_frame *f)
{
    if (!f)
        return;
    owned_frame *o = (owned_frame *)f; /* f is the first member */
    free(o->block);
    free(o);
}

int kern_frame_plane_w(const kern_frame *f, int p) { return p == 1 || p == 2 ? (f->w + 1) / 2 : f->w; }
int kern_frame_plane_h(const kern_frame *f, int p) { return p == 1 || p == 2 ? (f->h + 1) / 2 : f->h; }

size_t kern_frame_plane_bytes(const kern_frame *f, int p)
{
    return f->data[p] ? (size_t)kern_frame_plane_w(f, p) * kern_frame_plane_h(f, p) : 0;
}

void kern_frame_copy(kern_frame *dst, const kern_frame *src)
{
    assert(dst->w == src->w && dst->h == src->h);
    for (int p = 0; p < 4; p++) {
        if (!src->data[p] || !dst->data[p])
            continue;
        for (int r = 0; r < kern_frame_plane_h(src, p); r++)
            memcpy(dst->data[p] + (size_t)r * dst->linesize[p], src->data[p] + (size_t)r * src->linesize[p],
                   (size_t)kern_frame_plane_w(src, p));
    }
}

/* ---- names -------------------------------------------------------------- */

static const char *const backend_names[] = {"auto", "ref", "cpu", "cuda"};

const char *kern_backend_name(kern_backend b)
{
    return (unsigned)b < 4 ? backend_names[b] : "?";
}

int kern_backend_parse(const char *s, kern_backend *out)
{
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, backend_names[i])) {
            *out = (kern_backend)i;
            return 0;
        }
    return -1;
}

const char *kern_filter_name(kern_filter f) { return f == KERN_BICUBIC ? "bicubic" : "lanczos"; }

int kern_filter_parse(const char *s, kern_filter *out)
{
    if (s && !strcmp(s, "lanczos"))
        *out = KERN_LANCZOS;
    else if (s && !strcmp(s, "bicubic"))
        *out = KERN_BICUBIC;
    else
        return -1;
    return 0;
}

/* ---- CUDA presence ------------------------------------------------------ */

static int cuda_probe = -1; /* -1 not asked yet */
static char cuda_name[256] = "no CUDA device";

int kern_cuda_available(void)
{
    if (cuda_probe < 0) {
#ifdef FORKCAST_CUDA
        cuda_probe = kern_cu_device_count() > 0;
        if (cuda_probe)
            kern_cu_device_name(cuda_name, sizeof cuda_name);
#else
        cuda_probe = 0;
        snprintf(cuda_name, sizeof cuda_name, "built without CUDA");
#endif
    }
    return cuda_probe;
}

const char *kern_cuda_device_name(void)
{
    kern_cuda_available();
    return cuda_name;
}

/* ---- context ------------------------------------------------------------ */

kern_ctx *kern_ctx_new(kern_backend backend, int threads, char *err, size_t errsz)
{
    if (backend == KERN_AUTO)
        backend = kern_cuda_available() ? KERN_CUDA : KERN_CPU;
    if (backend == KERN_CUDA && !kern_cuda_available()) {
        if (err && errsz)
            snprintf(err, errsz, "backend cuda: %s", kern_cuda_device_name());
        return NULL;
    }
    if ((unsigned)backend > KERN_CUDA) {
        if (err && errsz)
            snprintf(err, errsz, "unknown backend %d", (int)backend);
        return NULL;
    }
    kern_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        goto oom;
    ctx->backend = backend;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    ctx->threads = backend == KERN_CPU ? threads : 1;
#ifdef FORKCAST_CUDA
    ctx->cuda_version = 2;
#endif
    if (backend == KERN_CPU && !(ctx->pool = kern_pool_new(threads)))
        goto oom;
    return ctx;
oom:
    free(ctx);
    if (err && errsz)
        snprintf(err, errsz, "kernels: out of memory or threads");
    return NULL;
}

void kern_ctx_free(kern_ctx *ctx)
{
    if (!ctx)
        return;
    kern_pool_free(ctx->pool);
    if (ctx->have_plan)
        kern_framing_plan_free(&ctx->plan);
#ifdef FORKCAST_CUDA
    kern_cu_frame_free(&ctx->dframe);
    kern_cu_frame_free(&ctx->dov);
    kern_cu_frame_free(&ctx->dsrc);
    kern_cu_frame_free(&ctx->ddst);
    kern_cu_plan_free(ctx->cplan);
#endif
    free(ctx);
}

kern_backend kern_ctx_backend(const kern_ctx *ctx) { return ctx->backend; }
int kern_ctx_threads(const kern_ctx *ctx) { return ctx->threads; }

int kern_ctx_set_cuda_version(kern_ctx *ctx, int version)
{
    if (version != 1 && version != 2)
        return -1;
#ifdef FORKCAST_CUDA
    ctx->cuda_version = version;
#else
    (void)ctx;
#endif
    return 0;
}

void kern_ctx_overlay_changed(kern_ctx *ctx)
{
#ifdef FORKCAST_CUDA
    ctx->ov_valid = 0;
#else
    (void)ctx;
#endif
}

/* ---- dispatch ----------------------------------------------------------- */

static int input_error(char *err, size_t errsz, const char *what)
{
    if (err && errsz)
        snprintf(err, errsz, "%s", what);
    return KERN_EINPUT;
}

#ifdef FORKCAST_CUDA
/* Make *dev a device frame of w x h (alpha as asked), reallocating on change. */
static int dev_frame_fit(kern_frame *dev, int w, int h, int alpha, char *err, size_t errsz)
{
    if (dev->data[0] && dev->w == w && dev->h == h && !!dev->data[3] == !!alpha)
        return KERN_OK;
    kern_cu_frame_free(dev);
    return kern_cu_frame_alloc(dev, w, h, alpha, err, errsz);
}

static size_t frame_bytes(const kern_frame *f, int with_alpha)
{
    size_t n = 0;
    for (int p = 0; p < (with_alpha ? 4 : 3); p++)
        n += kern_frame_plane_bytes(f, p);
    return n;
}

static int overlay_cuda(kern_ctx *ctx, kern_frame *frame, const kern_frame *ov, int x, int y,
                        kern_times *t, char *err, size_t errsz)
{
    int rc;
    double t0 = base_now_s();
    if ((rc = dev_frame_fit(&ctx->dframe, frame->w, frame->h, 0, err, errsz)))
        return rc;
    int same = ctx->ov_valid && ctx->ov_key.w == ov->w && ctx->ov_key.h == ov->h &&
               !memcmp(ctx->ov_key.data, ov->data, sizeof ov->data) &&
               !memcmp(ctx->ov_key.linesize, ov->linesize, sizeof ov->linesize);
    if (!same) {
        ctx->ov_valid = 0;
        if ((rc = dev_frame_fit(&ctx->dov, ov->w, ov->h, 1, err, errsz)) ||
            (rc = kern_cu_upload(&ctx->dov, ov, err, errsz)))
            return rc;
        ctx->ov_key = *ov;
        ctx->ov_valid = 1;
        t->upload_bytes += frame_bytes(ov, 1);
    }
    kern_frame host = *frame;
    host.data[3] = NULL;
    if ((rc = kern_cu_upload(&ctx->dframe, &host, err, errsz)))
        return rc;
    t->upload_bytes += frame_bytes(frame, 0);
    double t1 = base_now_s();
    if ((rc = kern_cu_overlay(ctx->cuda_version, &ctx->dframe, &ctx->dov, x & ~1, y & ~1, err, errsz)) ||
        (rc = kern_cu_sync(err, errsz)))
        return rc;
    double t2 = base_now_s();
    if ((rc = kern_cu_download(&host, &ctx->dframe, err, errsz)))
        return rc;
    t->download_bytes += frame_bytes(frame, 0);
    double t3 = base_now_s();
    t->upload_s = t1 - t0;
    t->kernel_s = t2 - t1;
    t->download_s = t3 - t2;
    return KERN_OK;
}
#endif

int kern_overlay(kern_ctx *ctx, kern_frame *frame, const kern_frame *ov, int x, int y, kern_times *t,
                 char *err, size_t errsz)
{
    kern_times dummy;
    if (!t)
        t = &dummy;
    memset(t, 0, sizeof *t);
    if (!frame || !ov || !frame->data[0] || !frame->data[1] || !frame->data[2] || !ov->data[0] ||
        !ov->data[1] || !ov->data[2])
        return input_error(err, errsz, "overlay: missing plane");
    if (!ov->data[3])
        return input_error(err, errsz, "overlay: the overlay has no alpha plane (YUVA420P needed)");
    if (frame->w < 1 || frame->h < 1 || ov->w < 1 || ov->h < 1)
        return input_error(err, errsz, "overlay: empty frame");
    double t0 = base_now_s();
    switch (ctx->backend) {
    case KERN_REF:
        kern_overlay_ref(frame, ov, x, y);
        break;
    case KERN_CPU:
        kern_overlay_cpu(ctx->pool, frame, ov, x, y);
        break;
    case KERN_CUDA:
#ifdef FORKCAST_CUDA
        return overlay_cuda(ctx, frame, ov, x, y, t, err, errsz);
#endif
    default:
        return input_error(err, errsz, "overlay: backend not available");
    }
    t->kernel_s = base_now_s() - t0;
    return KERN_OK;
}

/* Make ctx->plan fit (crop, out, filter). */
static int plan_fit(kern_ctx *ctx, kern_rect crop, const kern_frame *dst, kern_filter f, char *err,
                    size_t errsz)
{
    kern_framing_plan *pl = &ctx->plan;
    if (ctx->have_plan && pl->crop_w == crop.w && pl->crop_h == crop.h && pl->out_w == dst->w &&
        pl->out_h == dst->h && pl->filter == f)
        return KERN_OK;
    if (ctx->have_plan)
        kern_framing_plan_free(pl);
    ctx->have_plan = 0;
#ifdef FORKCAST_CUDA
    kern_cu_plan_free(ctx->cplan);
    ctx->cplan = NULL;
#endif
    if (kern_framing_plan_init(pl, crop.w, crop.h, dst->w, dst->h, f)) {
        if (err && errsz)
            snprintf(err, errsz, "framing: out of memory");
        return KERN_ERUNTIME;
    }
    ctx->have_plan = 1;
    return KERN_OK;
}

int kern_framing(kern_ctx *ctx, const kern_frame *src, kern_rect crop, kern_frame *dst,
                 kern_filter filter, kern_times *t, char *err, size_t errsz)
{
    kern_times dummy;
    if (!t)
        t = &dummy;
    memset(t, 0, sizeof *t);
    int rc = kern_framing_check(src, crop, dst, err, errsz);
    if (rc)
        return rc;
    if (filter != KERN_LANCZOS && filter != KERN_BICUBIC)
        return input_error(err, errsz, "framing: unknown filter");
    double t0 = base_now_s();
    if (ctx->backend == KERN_REF) {
        kern_framing_ref(src, crop, dst, filter);
        t->kernel_s = base_now_s() - t0;
        return KERN_OK;
    }
    if ((rc = plan_fit(ctx, crop, dst, filter, err, errsz)))
        return rc;
    if (ctx->backend == KERN_CPU) {
        if (kern_framing_cpu(ctx->pool, src, crop, dst, &ctx->plan)) {
            if (err && errsz)
                snprintf(err, errsz, "framing: out of memory");
            return KERN_ERUNTIME;
        }
        t->kernel_s = base_now_s() - t0;
        return KERN_OK;
    }
#ifdef FORKCAST_CUDA
    if (ctx->backend == KERN_CUDA) {
        if (!ctx->cplan && !(ctx->cplan = kern_cu_plan_new(&ctx->plan, err, errsz)))
            return KERN_ERUNTIME;
        kern_frame hs = *src, hd = *dst;
        hs.data[3] = hd.data[3] = NULL;
        if ((rc = dev_frame_fit(&ctx->dsrc, src->w, src->h, 0, err, errsz)) ||
            (rc = dev_frame_fit(&ctx->ddst, dst->w, dst->h, 0, err, errsz)) ||
            (rc = kern_cu_upload(&ctx->dsrc, &hs, err, errsz)))
            return rc;
        t->upload_bytes = frame_bytes(src, 0);
        double t1 = base_now_s();
        if ((rc = kern_cu_framing(ctx->cuda_version, &ctx->dsrc, crop, &ctx->ddst, ctx->cplan, err,
                                  errsz)) ||
            (rc = kern_cu_sync(err, errsz)))
            return rc;
        double t2 = base_now_s();
        if ((rc = kern_cu_download(&hd, &ctx->ddst, err, errsz)))
            return rc;
        t->download_bytes = frame_bytes(dst, 0);
        t->upload_s = t1 - t0;
        t->kernel_s = t2 - t1;
        t->download_s = base_now_s() - t2;
        return KERN_OK;
    }
#endif
    return input_error(err, errsz, "framing: backend not available");
}

kern_rect kern_framing_window(int src_w, int src_h, int out_w, int out_h, double start, double end,
                              long i, long n)
{
    kern_rect r;
    /* Largest out_w:out_h window inside src, even sides. */
    double ar = (double)out_w / out_h;
    int h = src_h & ~1, w = (int)lrint(h * ar) & ~1;
    if (w > src_w) {
        w = src_w & ~1;
        h = (int)lrint(w / ar) & ~1;
    }
    if (w < 2)
        w = 2;
    if (h < 2)
        h = 2;
    double f = n > 1 ? start + (end - start) * (double)i / (double)(n - 1) : start;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    int room = src_w - w > 0 ? src_w - w : 0;
    r.w = w;
    r.h = h;
    r.x = (int)floor(f * room) & ~1;
    r.y = ((src_h - h) / 2) & ~1;
    return r;
}
