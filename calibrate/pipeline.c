/* calibrate/pipeline.c -- decode -> kernel -> encode, timed per phase; the
 * FFmpeg side is in pipeline_av.c, the device side in kernels/kern_dstage.c. */
#include "calibrate/pipeline.h"

#include "base/proc.h"
#include "calibrate/pipeline_av.h"
#include "calibrate/provenance.h"
#include "base/clock.h"
#include "base/status.h"
#include "kernels/kern_gpu.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <libavcodec/version.h>
#include <libavutil/hwcontext.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const phase_names[CAL_PHASES] = {"decode", "upload", "kernel", "download", "encode"};
enum { PH_DECODE, PH_UPLOAD, PH_KERNEL, PH_DOWNLOAD, PH_ENCODE, PH_TOTAL };

const char *cal_pipeline_phase_name(int phase)
{
    return phase >= 0 && phase < CAL_PHASES ? phase_names[phase] : "?";
}

void cal_pipeline_opts_default(cal_pipeline_opts *o)
{
    memset(o, 0, sizeof *o);
    o->stage = "overlay";
    o->gen_w = 1920;
    o->gen_h = 1080;
    o->backend = KERN_AUTO;
    o->filter = KERN_LANCZOS;
}

/* Everything a run holds; released by run_free(). */
typedef struct {
    const cal_pipeline_opts *o;
    cal_pipeline_result *r;
    cal_pav av;
    int overlay, gpu;              /* stage; backend is cuda */
    kern_ctx *ctx;                 /* cpu / ref backends */
#ifdef FORKCAST_CUDA
    kern_dstage *ds;               /* cuda backend */
#endif
    kern_frame *ov;                /* the overlay graphic (host) */
    int ox, oy;
    AVFrame *out, *hwout;          /* host output frame; NVENC's CUDA frame */
    double *ph[CAL_PHASES + 1];    /* per-frame seconds by phase, then total */
    long cap, limit, n;
    char dir[64], clip[128];
    const char *path;
} run_state;

static void rm_tmpdir(run_state *s)
{
    base_tmpdir_remove(s->dir);
    s->dir[0] = s->clip[0] = 0;
}

static void run_free(run_state *s)
{
    for (int i = 0; i <= CAL_PHASES; i++)
        free(s->ph[i]);
    kern_frame_free(s->ov);
    kern_ctx_free(s->ctx);
#ifdef FORKCAST_CUDA
    kern_dstage_free(s->ds);
#endif
    av_frame_free(&s->out);
    av_frame_free(&s->hwout);
    cal_pav_close(&s->av);
    rm_tmpdir(s);
}

static int check_opts(const cal_pipeline_opts *o, int *overlay, char *err, size_t errsz)
{
    const char *stage = o->stage ? o->stage : "";
    *overlay = !strcmp(stage, "overlay");
    if (!*overlay && strcmp(stage, "framing"))
        return base_errf(err, errsz, BASE_EINPUT, "stage: must be overlay or framing (got '%s')", stage);
    if (o->frames < 0)
        return base_errf(err, errsz, BASE_EINPUT, "frames: must be at least 1");
    if (o->input && access(o->input, R_OK) != 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot open: %s", o->input, strerror(errno));
    if (!o->input && (o->gen_w < 16 || o->gen_h < 16 || o->gen_w > 8192 || o->gen_h > 8192))
        return base_errf(err, errsz, BASE_EINPUT, "size: must be between 16x16 and 8192x8192");
    if (o->out_w < 0 || o->out_h < 0 || (o->out_w && o->out_w < 2) || (o->out_h && o->out_h < 2))
        return base_errf(err, errsz, BASE_EINPUT, "out size: must be at least 2x2");
    int want_gpu = o->decode_on == CAL_DEV_GPU || o->encode_on == CAL_DEV_GPU;
    if (want_gpu && o->backend != KERN_CUDA && o->backend != KERN_AUTO)
        return base_errf(err, errsz, BASE_EINPUT, "--decoder nvdec / --encoder nvenc need --backend cuda");
    if ((o->backend == KERN_CUDA || want_gpu) && !kern_cuda_available())
        return base_errf(err, errsz, BASE_EINPUT, "backend cuda: %s", kern_cuda_device_name());
#ifdef FORKCAST_CUDA
    if (o->cuda_version < 0 || o->cuda_version > KERN_CU_OVERLAY_VERSIONS)
        return base_errf(err, errsz, BASE_EINPUT, "cuda version: must be 0..%d", KERN_CU_OVERLAY_VERSIONS);
#endif
    return BASE_OK;
}

/* The input: o->input, or a generated clip in a private temporary dir. */
static int prepare_input(run_state *s, char *err, size_t errsz)
{
    const cal_pipeline_opts *o = s->o;
    cal_pipeline_result *r = s->r;
    s->path = o->input;
    s->limit = o->frames;
    if (s->path) {
        snprintf(r->input, sizeof r->input, "%s", s->path);
        return BASE_OK;
    }
    if (!s->limit)
        s->limit = 60;
    const char *tmp = getenv("TMPDIR");
    int rc = base_tmpdir_at(tmp && *tmp ? tmp : "/tmp", "forkcast-pipe-", s->dir, sizeof s->dir, err, errsz);
    if (rc)
        return rc;
    snprintf(s->clip, sizeof s->clip, "%s/testsrc2.mp4", s->dir);
    rc = cal_pav_make_clip(s->clip, o->gen_w, o->gen_h, s->limit, o->cancel, err, errsz);
    if (rc)
        return rc;
    s->path = s->clip;
    r->generated = 1;
    snprintf(r->input, sizeof r->input, "(generated) testsrc2 %dx%d, %ld frames, 25 fps", o->gen_w, o->gen_h,
             s->limit);
    return BASE_OK;
}

/* FFmpeg's CUDA device (when a GPU phase may run), decoder and encoder. */
static int open_codecs(run_state *s, char *err, size_t errsz)
{
    const cal_pipeline_opts *o = s->o;
    cal_pipeline_result *r = s->r;
    int hw_dec = s->gpu && o->decode_on != CAL_DEV_CPU, hw_enc = s->gpu && o->encode_on != CAL_DEV_CPU;
    int rc;
    char why[192];
#ifdef FORKCAST_CUDA
    /* FFmpeg shares the primary context only if it has these flags. */
    if (hw_dec || hw_enc)
        kern_cu_blocking_sync(why, sizeof why);
#endif
    if ((hw_dec || hw_enc) && cal_pav_open_cuda(&s->av, why, sizeof why)) {
        if (o->decode_on == CAL_DEV_GPU || o->encode_on == CAL_DEV_GPU)
            return base_errf(err, errsz, BASE_EINPUT, "%s", why);
        snprintf(hw_dec ? r->dec_note : r->enc_note, sizeof r->dec_note, "%s", why);
        if (hw_dec && hw_enc)
            snprintf(r->enc_note, sizeof r->enc_note, "%s", why);
        hw_dec = hw_enc = 0;
    }
    if ((rc = cal_pav_open_input(&s->av, s->path, o->codec_threads, hw_dec, err, errsz)))
        return rc;
    if (s->av.dec_note[0]) {
        if (o->decode_on == CAL_DEV_GPU)
            return base_errf(err, errsz, BASE_EINPUT, "--decoder nvdec: %s", s->av.dec_note);
        snprintf(r->dec_note, sizeof r->dec_note, "%s", s->av.dec_note);
    }
    AVStream *vs = s->av.ic->streams[s->av.vstream];
    r->in_w = s->av.dec->width;
    r->in_h = s->av.dec->height;
    snprintf(r->decoder, sizeof r->decoder, "%s", s->av.dec->codec->name);
    if (!s->limit)
        s->limit = vs->nb_frames > 0 ? vs->nb_frames : 0; /* 0: unknown, read to the end */
    if (s->overlay) {
        r->out_w = r->in_w;
        r->out_h = r->in_h;
    } else {
        r->out_w = o->out_w;
        r->out_h = o->out_h;
        if (!r->out_w || !r->out_h)
            cal_framing_out_default(r->in_w, r->in_h, &r->out_w, &r->out_h);
    }
    r->opts.out_w = r->out_w;
    r->opts.out_h = r->out_h;
    AVRational tb = vs->avg_frame_rate.num > 0 ? av_inv_q(vs->avg_frame_rate) : (AVRational){1, 25};
    int want = !hw_enc ? 0 : o->encode_on == CAL_DEV_GPU ? 2 : 1;
    if ((rc = cal_pav_open_encoder(&s->av, r->out_w, r->out_h, tb, o->codec_threads, want, 0, 0, err, errsz)))
        return rc == BASE_ERUNTIME && want == 2 ? BASE_EINPUT : rc;
    if (s->av.enc_note[0])
        snprintf(r->enc_note, sizeof r->enc_note, "%s", s->av.enc_note);
    snprintf(r->encoder, sizeof r->encoder, "%s", s->av.enc->codec->name);
    return BASE_OK;
}

/* The overlay graphic, the kernel context or device stage, the output
 * frames and the per-frame sample arrays. */
static int setup_kernels(run_state *s, char *err, size_t errsz)
{
    const cal_pipeline_opts *o = s->o;
    cal_pipeline_result *r = s->r;
    char kerr[256];
    int ret;
    if (s->overlay) {
        int ow = 0, oh = 0;
        cal_overlay_place(r->in_w, r->in_h, &ow, &oh, &s->ox, &s->oy);
        if (!(s->ov = kern_frame_new(ow, oh, 1)))
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        kern_fill_graphic(s->ov, 1);
    }
#ifdef FORKCAST_CUDA
    if (s->gpu) {
        if (!(s->ds = kern_dstage_new(o->cuda_version, kerr, sizeof kerr)))
            return base_errf(err, errsz, BASE_ERUNTIME, "%s", kerr);
        r->cuda_version = kern_dstage_version(s->ds);
        r->opts.threads = 0;
        snprintf(r->device, sizeof r->device, "%s", kern_cuda_device_name());
    }
#endif
    if (!s->gpu) {
        if (!(s->ctx = kern_ctx_new(o->backend, o->threads, kerr, sizeof kerr)))
            return base_errf(err, errsz, BASE_ERUNTIME, "%s", kerr);
        r->opts.threads = kern_ctx_threads(s->ctx);
        snprintf(r->device, sizeof r->device, "cpu");
    }
    if (!(s->out = av_frame_alloc()) || !(s->hwout = av_frame_alloc()))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if (!s->av.enc_hw) {
        s->out->width = r->out_w;
        s->out->height = r->out_h;
        s->out->format = AV_PIX_FMT_YUV420P;
        if ((ret = av_frame_get_buffer(s->out, 0)) < 0)
            return base_errf(err, errsz, BASE_ERUNTIME, "output frame: out of memory");
    }
    s->cap = s->limit > 0 ? s->limit : 1024;
    for (int i = 0; i <= CAL_PHASES; i++)
        if (!(s->ph[i] = malloc((size_t)s->cap * sizeof *s->ph[i])))
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    return BASE_OK;
}

static kern_frame wrap(AVFrame *f)
{
    kern_frame k = {f->width, f->height, {f->data[0], f->data[1], f->data[2], NULL},
                    {f->linesize[0], f->linesize[1], f->linesize[2], 0}};
    return k;
}

/* The kernel on the CPU (or ref): into s->out, which goes to the encoder. */
static int frame_cpu(run_state *s, AVFrame *f, kern_times *kt, AVFrame **enc_in, char *err, size_t errsz)
{
    char kerr[256];
    int rc;
    /* One output frame, reused (a fresh buffer per frame would cost page
     * faults that FFmpeg's frame pools do not pay); writable again once the
     * encoder has let go of it. */
    if (av_frame_make_writable(s->out) < 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "output frame: out of memory");
    kern_frame src = wrap(f), dst = wrap(s->out);
    if (s->overlay) {
        /* In place on a copy of the decoded frame, which the decoder may
         * still reference: FFmpeg's overlay filter copies the same way. */
        kern_frame_copy(&dst, &src);
        rc = kern_overlay(s->ctx, &dst, s->ov, s->ox, s->oy, kt, kerr, sizeof kerr);
    } else {
        kern_rect c = kern_framing_window(s->r->in_w, s->r->in_h, s->r->out_w, s->r->out_h, 0, 1, s->n,
                                          s->limit > 0 ? s->limit : 250);
        rc = kern_framing(s->ctx, &src, c, &dst, s->o->filter, kt, kerr, sizeof kerr);
    }
    if (rc)
        return base_errf(err, errsz, rc, "%s", kerr);
    *enc_in = s->out;
    return BASE_OK;
}

#ifdef FORKCAST_CUDA
/* The kernel on the device: the decoded frame (CUDA NV12, or host I420
 * uploaded) into the output (NVENC's CUDA frame, or slot 1 downloaded into
 * s->out for the CPU encoder). */
static int frame_gpu(run_state *s, AVFrame *f, kern_times *kt, AVFrame **enc_in, char *err, size_t errsz)
{
    cal_pipeline_result *r = s->r;
    char kerr[256];
    int rc, hw_in = f->format == AV_PIX_FMT_CUDA;
    kern_frame *dst, hwdst, host;
    av_frame_unref(s->hwout);
    if (s->av.enc_hw) {
        if ((rc = cal_pav_hw_frame(&s->av, s->hwout, err, errsz)))
            return rc;
        hwdst = wrap(s->hwout);
        dst = &hwdst;
    } else if (!(dst = kern_dstage_frame(s->ds, 1, r->out_w, r->out_h, kerr, sizeof kerr))) {
        return base_errf(err, errsz, BASE_ERUNTIME, "%s", kerr);
    }
    /* The source on the device: for overlay, straight into dst. */
    kern_frame *src = s->overlay ? dst : kern_dstage_frame(s->ds, 0, r->in_w, r->in_h, kerr, sizeof kerr);
    if (!src)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s", kerr);
    if (hw_in) {
        rc = kern_dstage_nv12(s->ds, src, f->data[0], f->linesize[0], f->data[1], f->linesize[1], kt, kerr,
                              sizeof kerr);
    } else {
        host = wrap(f);
        rc = kern_dstage_upload(s->ds, src, &host, kt, kerr, sizeof kerr);
    }
    if (!rc && s->overlay) {
        rc = kern_dstage_overlay(s->ds, dst, s->ov, s->ox, s->oy, kt, kerr, sizeof kerr);
    } else if (!rc) {
        kern_rect c = kern_framing_window(r->in_w, r->in_h, r->out_w, r->out_h, 0, 1, s->n,
                                          s->limit > 0 ? s->limit : 250);
        rc = kern_dstage_framing(s->ds, src, c, dst, s->o->filter, kt, kerr, sizeof kerr);
    }
    if (!rc && !s->av.enc_hw) {
        if (av_frame_make_writable(s->out) < 0)
            return base_errf(err, errsz, BASE_ERUNTIME, "output frame: out of memory");
        host = wrap(s->out);
        rc = kern_dstage_download(s->ds, &host, dst, kt, kerr, sizeof kerr);
    }
    if (rc)
        return base_errf(err, errsz, rc, "%s", kerr);
    *enc_in = s->av.enc_hw ? s->hwout : s->out;
    return BASE_OK;
}
#endif

/* The device of each phase, from the first frame. */
static void set_devices(run_state *s, const AVFrame *first)
{
    cal_pipeline_result *r = s->r;
    int hw_in = first->format == AV_PIX_FMT_CUDA;
    r->phase_dev[PH_DECODE] = hw_in ? "nvdec" : "cpu";
    r->phase_dev[PH_UPLOAD] = s->gpu && !hw_in ? "pcie" : "none";
    r->phase_dev[PH_KERNEL] = s->gpu ? "cuda" : "cpu";
    r->phase_dev[PH_DOWNLOAD] = s->gpu && !s->av.enc_hw ? "pcie" : "none";
    r->phase_dev[PH_ENCODE] = s->av.enc_hw ? "nvenc" : "cpu";
}

static int grow(run_state *s, char *err, size_t errsz)
{
    for (int i = 0; i <= CAL_PHASES; i++) {
        double *p = realloc(s->ph[i], (size_t)s->cap * 2 * sizeof *p);
        if (!p)
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        s->ph[i] = p;
    }
    s->cap *= 2;
    return BASE_OK;
}

/* The first frame fixes the devices; NVDEC required but not started fails. */
static int first_frame(run_state *s, const AVFrame *f, char *err, size_t errsz)
{
    cal_pipeline_result *r = s->r;
    set_devices(s, f);
    if (!s->av.dec_hw || f->format == AV_PIX_FMT_CUDA)
        return BASE_OK;
    if (s->o->decode_on == CAL_DEV_GPU)
        return base_errf(err, errsz, BASE_EINPUT, "--decoder nvdec: NVDEC did not start for %s (FFmpeg fell "
                         "back to its software decoder)", r->decoder);
    snprintf(r->dec_note, sizeof r->dec_note, "NVDEC did not start for %s; FFmpeg's software decoder ran",
             r->decoder);
    return BASE_OK;
}

/* One frame through decode -> kernel -> encode; *done at the end. */
static int one_frame(run_state *s, int *done, char *err, size_t errsz)
{
    cal_pipeline_result *r = s->r;
    AVFrame *f, *enc_in = NULL;
    kern_times kt = {0};
    int rc;
    double t0 = base_now_s();
    if ((rc = cal_pav_next_frame(&s->av, &f, s->path, err, errsz)))
        return rc;
    if ((*done = !f))
        return BASE_OK;
    if (s->n == 0 && (rc = first_frame(s, f, err, errsz)))
        return rc;
#ifdef FORKCAST_CUDA
    char kerr[256];
    if (s->gpu && f->format == AV_PIX_FMT_CUDA && (rc = kern_dstage_sync(s->ds, kerr, sizeof kerr)))
        return base_errf(err, errsz, rc, "%s", kerr);
    double t1 = base_now_s();
    rc = s->gpu ? frame_gpu(s, f, &kt, &enc_in, err, errsz) : frame_cpu(s, f, &kt, &enc_in, err, errsz);
#else
    double t1 = base_now_s();
    rc = frame_cpu(s, f, &kt, &enc_in, err, errsz);
#endif
    if (rc)
        return rc;
    double t2 = base_now_s();
    enc_in->pts = s->n;
    enc_in->pict_type = AV_PICTURE_TYPE_NONE;
    if ((rc = cal_pav_encode(&s->av, enc_in, &r->out_bytes, err, errsz)))
        return rc;
    double t3 = base_now_s();
    if (s->n >= s->cap && (rc = grow(s, err, errsz)))
        return rc;
    /* kernel phase: what kern_times does not attribute to transfers */
    double v[CAL_PHASES] = {t1 - t0, kt.upload_s, (t2 - t1) - kt.upload_s - kt.download_s, kt.download_s, t3 - t2};
    for (int i = 0; i < CAL_PHASES; i++)
        s->ph[i][s->n] = v[i];
    s->ph[PH_TOTAL][s->n] = t3 - t0;
    r->upload_bytes += (double)kt.upload_bytes;
    r->download_bytes += (double)kt.download_bytes;
    s->n++;
    return BASE_OK;
}

/* Frames until the limit or the end, the encoder's flush, the statistics. */
static int run_frames(run_state *s, char *err, size_t errsz)
{
    const cal_pipeline_opts *o = s->o;
    cal_pipeline_result *r = s->r;
    double wall0 = base_now_s();
    int rc, done = 0;
    while (!(s->limit > 0 && s->n >= s->limit)) {
        if (o->cancel && *o->cancel)
            return base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
        if ((rc = one_frame(s, &done, err, errsz)))
            return rc;
        if (done)
            break;
        if (o->progress)
            o->progress(o->progress_arg, o->stage, s->n, s->limit);
    }
    long n = s->n;
    if (n == 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no decodable video frames", s->path);
    double t4 = base_now_s();
    if ((rc = cal_pav_encode(&s->av, NULL, &r->out_bytes, err, errsz)))
        return rc;
    /* The encoder's flush, spread evenly over the frames. */
    double flush = (base_now_s() - t4) / n;
    r->wall_s = base_now_s() - wall0;
    for (long i = 0; i < n; i++) {
        s->ph[PH_ENCODE][i] += flush;
        s->ph[PH_TOTAL][i] += flush;
    }
    double *sum[CAL_PHASES] = {&r->decode_s, &r->upload_s, &r->kernel_s, &r->download_s, &r->encode_s};
    for (int i = 0; i < CAL_PHASES; i++) {
        for (long k = 0; k < n; k++)
            *sum[i] += s->ph[i][k];
        cal_stats_summarise(s->ph[i], n, &r->phase[i]);
        r->phase[i].ff_median_s = NAN;
    }
    r->frames = n;
    r->upload_bytes /= n;
    r->download_bytes /= n;
    cal_stats_summarise(s->ph[PH_TOTAL], n, &r->per_frame);
    r->per_frame.ff_median_s = NAN;
    return BASE_OK;
}

int cal_pipeline_run(const cal_pipeline_opts *o, cal_pipeline_result *r, char *err, size_t errsz)
{
    memset(r, 0, sizeof *r);
    r->opts = *o;
    run_state s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.r = r;
    int rc = check_opts(o, &s.overlay, err, errsz);
    if (rc)
        return rc;
    r->opts.backend = o->backend == KERN_AUTO ? (kern_cuda_available() ? KERN_CUDA : KERN_CPU) : o->backend;
    s.gpu = r->opts.backend == KERN_CUDA;
    for (int i = 0; i < CAL_PHASES; i++)
        r->phase_dev[i] = "none";
    if (!(rc = prepare_input(&s, err, errsz)) && !(rc = open_codecs(&s, err, errsz)) &&
        !(rc = setup_kernels(&s, err, errsz)))
        rc = run_frames(&s, err, errsz);
    run_free(&s);
    return rc;
}

/* {"decode": x, ...} of one statistic of every phase, in ms. */
static void add_phase_ms(cJSON *obj, const char *name, const cal_pipeline_result *r, size_t off)
{
    cJSON *o = cJSON_AddObjectToObject(obj, name);
    for (int i = 0; i < CAL_PHASES; i++)
        cJSON_AddNumberToObject(o, phase_names[i], 1e3 * *(const double *)((const char *)&r->phase[i] + off));
}

/* The GPU-side fields: devices, fallbacks, spreads, transfers. */
static void add_breakdown(cJSON *cal, const cal_pipeline_result *r)
{
    cJSON *dev = cJSON_AddObjectToObject(cal, "devices");
    for (int i = 0; i < CAL_PHASES; i++)
        cJSON_AddStringToObject(dev, phase_names[i], r->phase_dev[i] ? r->phase_dev[i] : "none");
    if (r->dec_note[0] || r->enc_note[0]) {
        cJSON *fb = cJSON_AddObjectToObject(cal, "fallbacks");
        if (r->dec_note[0])
            cJSON_AddStringToObject(fb, "decode", r->dec_note);
        if (r->enc_note[0])
            cJSON_AddStringToObject(fb, "encode", r->enc_note);
    }
    cJSON *sp = cJSON_AddObjectToObject(cal, "per_frame_ms_spread");
    add_phase_ms(sp, "median", r, offsetof(cal_kernel_stats, median_s));
    add_phase_ms(sp, "p10", r, offsetof(cal_kernel_stats, p10_s));
    add_phase_ms(sp, "p90", r, offsetof(cal_kernel_stats, p90_s));
    add_phase_ms(sp, "sd", r, offsetof(cal_kernel_stats, sd_s));
    if (r->opts.backend == KERN_CUDA) {
        cJSON_AddNumberToObject(cal, "cuda_kernel_version", r->cuda_version);
        cJSON_AddNumberToObject(cal, "upload_mb_per_frame", r->upload_bytes / 1e6);
        cJSON_AddNumberToObject(cal, "download_mb_per_frame", r->download_bytes / 1e6);
    }
}

/* The end-to-end record: the device, which did each phase, the figure's
 * interval, the FFmpeg libraries' version. */
static cJSON *pipeline_prov(const cal_pipeline_result *r)
{
    int cuda = r->opts.backend == KERN_CUDA;
    cJSON *p = cal_prov_new("calibrate pipeline", "end_to_end", cuda ? r->device : "cpu", 1,
                            "libavcodec " AV_STRINGIFY(LIBAVCODEC_VERSION));
    if (!p)
        return NULL;
    cJSON_AddStringToObject(p, "stage", r->opts.stage);
    char how[320];
    size_t len = (size_t)snprintf(how, sizeof how, "decode + upload + kernel + download + encode of one frame (");
    for (int i = 0, first = 1; i < CAL_PHASES && len < sizeof how; i++) {
        const char *d = r->phase_dev[i] ? r->phase_dev[i] : "none";
        if (strcmp(d, "none"))
            len += (size_t)snprintf(how + len, sizeof how - len, "%s%s on %s", first ? "" : ", ", phase_names[i], d);
        first &= !strcmp(d, "none");
    }
    if (len < sizeof how)
        snprintf(how + len, sizeof how - len, "), mean of %ld frames of %.200s", r->frames, r->input);
    double ci[2];
    cal_prov_mean_ci(r->per_frame.mean_s, r->per_frame.sd_s, r->frames, ci);
    cJSON *f = cal_prov_field(p, "stage.per_frame_s", how);
    cal_prov_fit(f, r->per_frame.mean_s, ci, -1, r->frames);
    cJSON_AddNumberToObject(f, "p10_s", r->per_frame.p10_s);
    cJSON_AddNumberToObject(f, "p90_s", r->per_frame.p90_s);
    if (r->dec_note[0])
        cal_prov_warn(p, NULL, "decode fell back to the CPU: %s", r->dec_note);
    if (r->enc_note[0])
        cal_prov_warn(p, NULL, "encode fell back to the CPU: %s", r->enc_note);
    return p;
}

cJSON *cal_pipeline_json(const cal_pipeline_result *r)
{
    cJSON *root = cJSON_CreateObject(), *stg, *cal, *ms, *share;
    char buf[64];
    if (!root)
        return NULL;
    double n = (double)r->frames, tot = r->decode_s + r->upload_s + r->kernel_s + r->download_s + r->encode_s;
    stg = cJSON_AddObjectToObject(root, "stage");
    cJSON_AddItemToObject(stg, "per_frame_s", cal_per_frame_dist(r->per_frame.mean_s, r->per_frame.sd_s));
    cal = cJSON_AddObjectToObject(root, "calibration");
    cJSON_AddStringToObject(cal, "mode", "pipeline");
    cJSON_AddStringToObject(cal, "stage", r->opts.stage);
    cJSON_AddStringToObject(cal, "input", r->input);
    cJSON_AddBoolToObject(cal, "generated_input", r->generated);
    cJSON_AddNumberToObject(cal, "frames", n);
    snprintf(buf, sizeof buf, "%dx%d", r->in_w, r->in_h);
    cJSON_AddStringToObject(cal, "size", buf);
    snprintf(buf, sizeof buf, "%dx%d", r->out_w, r->out_h);
    cJSON_AddStringToObject(cal, "output_size", buf);
    cJSON_AddStringToObject(cal, "decoder", r->decoder);
    cJSON_AddStringToObject(cal, "encoder", r->encoder);
    cJSON_AddStringToObject(cal, "backend", kern_backend_name(r->opts.backend));
    cJSON_AddStringToObject(cal, "device", r->device);
    cJSON_AddNumberToObject(cal, "kernel_threads", r->opts.threads);
    cJSON_AddNumberToObject(cal, "codec_threads", r->opts.codec_threads);
    cJSON_AddStringToObject(cal, "per_frame_s_is", "decode + upload + kernel + download + encode, one frame");
    ms = cJSON_AddObjectToObject(cal, "per_frame_ms");
    share = cJSON_AddObjectToObject(cal, "share");
    double v[CAL_PHASES] = {r->decode_s, r->upload_s, r->kernel_s, r->download_s, r->encode_s};
    for (int i = 0; i < CAL_PHASES; i++) {
        cJSON_AddNumberToObject(ms, phase_names[i], 1e3 * v[i] / n);
        cJSON_AddNumberToObject(share, phase_names[i], tot > 0 ? v[i] / tot : 0);
    }
    cJSON_AddNumberToObject(ms, "total", 1e3 * tot / n);
    cJSON_AddNumberToObject(cal, "median_s", r->per_frame.median_s);
    cJSON_AddNumberToObject(cal, "p10_s", r->per_frame.p10_s);
    cJSON_AddNumberToObject(cal, "p90_s", r->per_frame.p90_s);
    cJSON_AddNumberToObject(cal, "wall_s", r->wall_s);
    add_breakdown(cal, r);
    cJSON_AddNumberToObject(cal, "output_mb_per_frame", r->out_bytes / n / 1e6);
    cJSON_AddItemToObject(root, "_provenance", pipeline_prov(r));
    if (!cJSON_GetObjectItem(stg, "per_frame_s") || !cJSON_GetObjectItem(cal, "output_mb_per_frame") ||
        !cJSON_GetObjectItem(root, "_provenance")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
