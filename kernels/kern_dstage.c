/* kernels/kern_dstage.c -- kern_dstage (kern_gpu.h): the kernel side of a
 * stage whose frames stay on the device. Each call ends with a device
 * synchronisation, so the host clock around it is the device time of that
 * step; calls add to the caller's kern_times. */
#include "kernels/kern_gpu.h"

#ifdef FORKCAST_CUDA
#include "kernels/kern_cuda.h"
#include "kernels/kern_framing.h"
#include "kernels/kern_gpu.h"
#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kern_dstage {
    int version;
    kern_frame slot[2];         /* device I420 frames, grown on demand */
    kern_frame dov;             /* the overlay graphic on the device */
    kern_frame ov_key;          /* its host source, for change detection */
    int ov_valid;
    kern_framing_plan plan;
    int have_plan;
    kern_cu_plan *cplan;
};

static size_t frame_bytes(const kern_frame *f, int planes)
{
    size_t n = 0;
    for (int p = 0; p < planes; p++)
        n += kern_frame_plane_bytes(f, p);
    return n;
}

static int fit(kern_frame *dev, int w, int h, int alpha, char *err, size_t errsz)
{
    if (dev->data[0] && dev->w == w && dev->h == h && !!dev->data[3] == !!alpha)
        return KERN_OK;
    kern_cu_frame_free(dev);
    return kern_cu_frame_alloc(dev, w, h, alpha, err, errsz);
}

kern_dstage *kern_dstage_new(int version, char *err, size_t errsz)
{
    if (version < 0 || version > KERN_CU_OVERLAY_VERSIONS) {
        if (err && errsz)
            snprintf(err, errsz, "CUDA: kernel version %d does not exist (1..%d)", version,
                     KERN_CU_OVERLAY_VERSIONS);
        return NULL;
    }
    if (!kern_cuda_available()) {
        if (err && errsz)
            snprintf(err, errsz, "backend cuda: %s", kern_cuda_device_name());
        return NULL;
    }
    kern_dstage *s = calloc(1, sizeof *s);
    if (!s) {
        if (err && errsz)
            snprintf(err, errsz, "out of memory");
        return NULL;
    }
    s->version = version ? version : KERN_CU_OVERLAY_VERSIONS;
    return s;
}

void kern_dstage_free(kern_dstage *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++)
        kern_cu_frame_free(&s->slot[i]);
    kern_cu_frame_free(&s->dov);
    kern_cu_plan_free(s->cplan);
    if (s->have_plan)
        kern_framing_plan_free(&s->plan);
    free(s);
}

int kern_dstage_version(const kern_dstage *s) { return s->version; }

int kern_dstage_sync(kern_dstage *s, char *err, size_t errsz)
{
    (void)s;
    return kern_cu_sync(err, errsz);
}

kern_frame *kern_dstage_frame(kern_dstage *s, int slot, int w, int h, char *err, size_t errsz)
{
    if (slot < 0 || slot > 1 || w < 1 || h < 1) {
        if (err && errsz)
            snprintf(err, errsz, "device frame: bad slot %d or size %dx%d", slot, w, h);
        return NULL;
    }
    return fit(&s->slot[slot], w, h, 0, err, errsz) ? NULL : &s->slot[slot];
}

int kern_dstage_upload(kern_dstage *s, kern_frame *dev, const kern_frame *host, kern_times *t, char *err,
                       size_t errsz)
{
    (void)s;
    double t0 = base_now_s();
    kern_frame h = *host;
    h.data[3] = NULL;
    int rc = kern_cu_upload(dev, &h, err, errsz);
    if (rc)
        return rc;
    t->upload_s += base_now_s() - t0;
    t->upload_bytes += frame_bytes(host, 3);
    return KERN_OK;
}

int kern_dstage_download(kern_dstage *s, kern_frame *host, const kern_frame *dev, kern_times *t, char *err,
                         size_t errsz)
{
    (void)s;
    double t0 = base_now_s();
    kern_frame h = *host;
    h.data[3] = NULL;
    int rc = kern_cu_download(&h, dev, err, errsz);
    if (rc)
        return rc;
    t->download_s += base_now_s() - t0;
    t->download_bytes += frame_bytes(host, 3);
    return KERN_OK;
}

int kern_dstage_nv12(kern_dstage *s, kern_frame *dev, const uint8_t *y, int yls, const uint8_t *uv, int uvls,
                     kern_times *t, char *err, size_t errsz)
{
    (void)s;
    double t0 = base_now_s();
    int rc = kern_cu_nv12_to_i420(dev, y, yls, uv, uvls, err, errsz);
    if (!rc)
        rc = kern_cu_sync(err, errsz);
    if (!rc)
        t->kernel_s += base_now_s() - t0;
    return rc;
}

int kern_dstage_overlay(kern_dstage *s, kern_frame *dev, const kern_frame *ov, int x, int y, kern_times *t,
                        char *err, size_t errsz)
{
    int rc;
    if (!ov || !ov->data[0] || !ov->data[1] || !ov->data[2] || !ov->data[3] || ov->w < 1 || ov->h < 1) {
        if (err && errsz)
            snprintf(err, errsz, "overlay: the overlay needs four planes (YUVA420P)");
        return KERN_EINPUT;
    }
    int same = s->ov_valid && s->ov_key.w == ov->w && s->ov_key.h == ov->h &&
               !memcmp(s->ov_key.data, ov->data, sizeof ov->data) &&
               !memcmp(s->ov_key.linesize, ov->linesize, sizeof ov->linesize);
    if (!same) {
        double t0 = base_now_s();
        s->ov_valid = 0;
        if ((rc = fit(&s->dov, ov->w, ov->h, 1, err, errsz)) || (rc = kern_cu_upload(&s->dov, ov, err, errsz)))
            return rc;
        s->ov_key = *ov;
        s->ov_valid = 1;
        t->upload_s += base_now_s() - t0;
        t->upload_bytes += frame_bytes(ov, 4);
    }
    double t1 = base_now_s();
    int v = s->version > KERN_CU_OVERLAY_VERSIONS ? KERN_CU_OVERLAY_VERSIONS : s->version;
    if ((rc = kern_cu_overlay_cfg(v, 0, 0, dev, &s->dov, x & ~1, y & ~1, NULL, err, errsz)) ||
        (rc = kern_cu_sync(err, errsz)))
        return rc;
    t->kernel_s += base_now_s() - t1;
    return KERN_OK;
}

int kern_dstage_framing(kern_dstage *s, const kern_frame *dev_src, kern_rect crop, kern_frame *dev_dst,
                        kern_filter f, kern_times *t, char *err, size_t errsz)
{
    int rc = kern_framing_check(dev_src, crop, dev_dst, err, errsz);
    if (rc)
        return rc;
    double t0 = base_now_s();
    kern_framing_plan *pl = &s->plan;
    if (!s->have_plan || pl->crop_w != crop.w || pl->crop_h != crop.h || pl->out_w != dev_dst->w ||
        pl->out_h != dev_dst->h || pl->filter != f) {
        if (s->have_plan)
            kern_framing_plan_free(pl);
        kern_cu_plan_free(s->cplan);
        s->cplan = NULL;
        s->have_plan = 0;
        if (kern_framing_plan_init(pl, crop.w, crop.h, dev_dst->w, dev_dst->h, f)) {
            if (err && errsz)
                snprintf(err, errsz, "framing: out of memory");
            return KERN_ERUNTIME;
        }
        s->have_plan = 1;
        if (!(s->cplan = kern_cu_plan_new(pl, err, errsz)))
            return KERN_ERUNTIME;
    }
    int v = s->version > KERN_CU_FRAMING_VERSIONS ? KERN_CU_FRAMING_VERSIONS : s->version;
    if ((rc = kern_cu_framing(v, dev_src, crop, dev_dst, s->cplan, err, errsz)) || (rc = kern_cu_sync(err, errsz)))
        return rc;
    t->kernel_s += base_now_s() - t0;
    return KERN_OK;
}

#else
typedef int kern_dstage_needs_cuda; /* ISO C: a translation unit is not empty */
#endif
