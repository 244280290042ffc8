/* calibrate/ffmpeg_cal.c -- `calibrate ffmpeg`: the run, its shared
 * helpers, and the version, input, startup and decode/encode steps; seek and
 * concat are in ffmpeg_seek_cal.c and ffmpeg_concat_cal.c. See ffmpeg_cal.h
 * and ffmpeg_steps.h. */
#include "calibrate/ffmpeg_cal.h"
#include "calibrate/ffmpeg_run.h"
#include "calibrate/ffmpeg_steps.h"
#include "calibrate/provenance.h"

#include "base/proc.h"
#include "base/status.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <libavformat/avformat.h>

#define DECODE_MAX_FRAMES 600
#define ENCODE_MAX_FRAMES 60

void cal_ffmpeg_opts_default(cal_ffmpeg_opts *o)
{
    *o = (cal_ffmpeg_opts){
        .input = NULL, .width = 1920, .height = 1080, .seconds = 10, .fps = 30, .gop = 60,
        .repeats = 5, .preset = "medium", .timeout_s = 600,
    };
}

/* ---- helpers the steps share ------------------------------------------- */

void cal_ff_progress(const cal_ff_ctx *c, const char *fmt, ...)
{
    if (!c->o->progress)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->o->progress(c->o->progress_ctx, line);
}

void cal_ff_tmp_path(const cal_ff_ctx *c, char *buf, size_t sz, const char *name)
{
    if ((size_t)snprintf(buf, sz, "%s/%s", c->tmp, name) >= sz)
        buf[0] = 0; /* cannot happen: tmp is < 4096 and names are short */
}

cJSON *cal_ff_num_array(const double *x, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(x[i]));
    return a;
}

/* Median of a copy of x (x is left alone). */
double cal_ff_median(const double *x, size_t n)
{
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, x, n * sizeof *s);
    gsl_sort(s, 1, n);
    double m = gsl_stats_median_from_sorted_data(s, 1, n);
    free(s);
    return m;
}

void cal_ff_note(cal_ff_ctx *c, const char *text)
{
    cJSON *notes = cJSON_GetObjectItem(c->cal, "notes");
    cJSON_AddItemToArray(notes, cJSON_CreateString(text));
}

/* ---- steps -------------------------------------------------------------- */

static int step_version(cal_ff_ctx *c, char *err, size_t errsz)
{
    char out[4200], *text = NULL;
    cal_ff_tmp_path(c, out, sizeof out, "version.txt");
    char *argv[] = {CAL_FFMPEG, "-version", NULL};
    base_proc_result pr;
    int rc = base_proc_run(argv, out, c->log, 60, c->o->cancel, &pr, err, errsz);
    if (rc)
        return rc;
    if (pr.how != BASE_PROC_EXITED || pr.code != 0) {
        if (pr.how == BASE_PROC_NOSTART && pr.code == ENOENT)
            return base_errf(err, errsz, BASE_ERUNTIME,
                              CAL_FFMPEG ": not found on PATH (install ffmpeg)");
        char why[512];
        base_proc_describe(&pr, 60, c->log, why, sizeof why);
        return base_errf(err, errsz, BASE_ERUNTIME, CAL_FFMPEG " -version: %s", why);
    }
    char ver[64] = "unknown";
    if (base_read_file(out, &text, NULL, NULL, 0) == BASE_OK)
        sscanf(text, "ffmpeg version %63s", ver);
    free(text);
    cJSON_AddStringToObject(c->cal, "ffmpeg_version", ver);
    cJSON_AddStringToObject(c->cal, "libavformat", LIBAVFORMAT_IDENT);
    return BASE_OK;
}

static int step_input(cal_ff_ctx *c, char *err, size_t errsz)
{
    const cal_ffmpeg_opts *o = c->o;
    int rc;
    cJSON *in = cJSON_AddObjectToObject(c->cal, "input");
    if (!o->input) {
        char src[128], g[16], path[4200];
        cal_ff_tmp_path(c, path, sizeof path, "input.mp4");
        snprintf(src, sizeof src, "testsrc2=size=%dx%d:rate=%d:duration=%g", o->width,
                 o->height, o->fps, o->seconds);
        snprintf(g, sizeof g, "%d", o->gop);
        char *argv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "veryfast",
                        "-g", g, "-keyint_min", g, "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                        "-an", path, NULL};
        cal_ff_progress(c, "generating %s (libx264, GOP %d)", src, o->gop);
        if ((rc = cal_ffmpeg_cli_run("generate test input", argv, c->log, o->timeout_s,
                                     o->cancel, NULL, err, errsz)))
            return rc;
        snprintf(c->gen, sizeof c->gen, "%s", path);
        c->in = c->gen;
        cJSON_AddBoolToObject(in, "generated", 1);
        cJSON_AddStringToObject(in, "source", src);
        cJSON_AddStringToObject(in, "encoder", "libx264 -preset veryfast, fixed GOP");
    } else {
        c->in = o->input;
        cJSON_AddBoolToObject(in, "generated", 0);
        cJSON_AddStringToObject(in, "path", o->input);
    }
    if ((rc = cal_video_load(c->in, &c->v, err, errsz)))
        return rc;
    const cal_video *v = c->v;
    cJSON_AddStringToObject(in, "codec", v->codec);
    cJSON_AddStringToObject(in, "pix_fmt", v->pix_fmt);
    cJSON_AddNumberToObject(in, "width", v->width);
    cJSON_AddNumberToObject(in, "height", v->height);
    cJSON_AddNumberToObject(in, "fps", v->fps);
    cJSON_AddNumberToObject(in, "frames", (double)v->nframes);
    cJSON_AddNumberToObject(in, "keyframes", (double)v->nkeys);
    cJSON_AddNumberToObject(in, "gop", v->gop);
    cJSON_AddNumberToObject(in, "size_mb", v->size_mb);
    return BASE_OK;
}

/* Process startup: one untimed-for-the-fit warm-up (recorded as the first,
 * cold-cache run), then repeats no-op runs; lognormal from log-moments. */
static int step_startup(cal_ff_ctx *c, char *err, size_t errsz)
{
    int R = c->o->repeats, rc = BASE_OK;
    double *x = malloc((size_t)R * sizeof *x), *lx = malloc((size_t)R * sizeof *lx), first;
    char *argv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
                    "-i", "nullsrc=d=0", "-f", "null", "-", NULL};
    if (!x || !lx) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    cal_ff_progress(c, "startup: %d no-op runs", R + 1);
    if ((rc = cal_ffmpeg_cli_run("startup no-op", argv, c->log, c->o->timeout_s, c->o->cancel,
                                 &first, err, errsz)))
        goto cleanup;
    for (int i = 0; i < R; i++) {
        if ((rc = cal_ffmpeg_cli_run("startup no-op", argv, c->log, c->o->timeout_s,
                                     c->o->cancel, &x[i], err, errsz)))
            goto cleanup;
        lx[i] = log(x[i]);
    }
    double mu = gsl_stats_mean(lx, 1, (size_t)R);
    double sigma = R > 1 ? gsl_stats_sd(lx, 1, (size_t)R) : 0.0;
    cal_ffmpeg_result *r = c->r;
    r->start_median_s = exp(mu);
    r->start_fixed = !(sigma > 0);
    r->start_p95_s = r->start_fixed ? r->start_median_s
                                    : exp(mu + gsl_cdf_ugaussian_Pinv(0.95) * sigma);
    assert(r->start_fixed || r->start_p95_s > r->start_median_s);

    cJSON *s = cJSON_AddObjectToObject(c->cal, "startup");
    cJSON_AddStringToObject(s, "command", "ffmpeg -hide_banner -nostdin -loglevel error "
                                          "-f lavfi -i nullsrc=d=0 -f null -");
    cJSON_AddNumberToObject(s, "first_run_s", first);
    cJSON_AddItemToObject(s, "samples_s", cal_ff_num_array(x, (size_t)R));
    gsl_sort(x, 1, (size_t)R);
    cJSON_AddNumberToObject(s, "median_s", gsl_stats_median_from_sorted_data(x, 1, (size_t)R));
    cJSON_AddNumberToObject(s, "p95_s", gsl_stats_quantile_from_sorted_data(x, 1, (size_t)R, 0.95));
    cJSON_AddNumberToObject(s, "min_s", x[0]);
    cJSON_AddNumberToObject(s, "max_s", x[R - 1]);
    cJSON_AddNumberToObject(s, "log_mean", mu);
    cJSON_AddNumberToObject(s, "log_sd", sigma);

cleanup:
    free(x);
    free(lx);
    return rc;
}

/* "bench: utime=%fs stime=%fs rtime=%fs" from ffmpeg -benchmark's log. */
static int bench_rtime(const char *log, double *rtime, char *err, size_t errsz)
{
    char *text = NULL;
    int rc = base_read_file(log, &text, NULL, err, errsz);
    if (rc)
        return BASE_ERUNTIME;
    const char *p = strstr(text, "bench: utime=");
    double u, s;
    if (!p || sscanf(p, "bench: utime=%lfs stime=%lfs rtime=%lfs", &u, &s, rtime) != 3)
        rc = base_errf(err, errsz, BASE_ERUNTIME, "ffmpeg -benchmark: no 'bench:' line in its log");
    free(text);
    return rc;
}

static int step_codec(cal_ff_ctx *c, char *err, size_t errsz)
{
    int rc = BASE_OK, runs = c->o->repeats < 3 ? c->o->repeats : 3;
    size_t nd = c->v->nframes < DECODE_MAX_FRAMES ? c->v->nframes : DECODE_MAX_FRAMES;
    size_t ne = c->v->nframes < ENCODE_MAX_FRAMES ? c->v->nframes : ENCODE_MAX_FRAMES;
    double drt[3], ert[3];
    char ndf[32], nef[32];
    snprintf(ndf, sizeof ndf, "%zu", nd);
    snprintf(nef, sizeof nef, "%zu", ne);
    const char *preset = c->o->preset ? c->o->preset : "medium";
    char *dargv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-nostats", "-benchmark", "-i",
                     (char *)c->in, "-map", "0:v:0", "-frames:v", ndf, "-f", "null", "-", NULL};
    char *eargv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-nostats", "-benchmark", "-i",
                     (char *)c->in, "-map", "0:v:0", "-frames:v", nef, "-c:v", "libx264",
                     "-preset", (char *)preset, "-f", "null", "-", NULL};
    cal_ff_progress(c, "decode %zu frames, encode %zu frames (libx264 %s), %d runs each", nd, ne,
                    preset, runs);
    for (int i = 0; i < runs; i++) {
        if ((rc = cal_ffmpeg_cli_run("decode -benchmark", dargv, c->log, c->o->timeout_s,
                                     c->o->cancel, NULL, err, errsz)) ||
            (rc = bench_rtime(c->log, &drt[i], err, errsz)))
            return rc;
        if ((rc = cal_ffmpeg_cli_run("encode -benchmark", eargv, c->log, c->o->timeout_s,
                                     c->o->cancel, NULL, err, errsz)) ||
            (rc = bench_rtime(c->log, &ert[i], err, errsz)))
            return rc;
    }
    cal_ffmpeg_result *r = c->r;
    r->decode_per_frame_s = cal_ff_median(drt, (size_t)runs) / (double)nd;
    double enc = cal_ff_median(ert, (size_t)runs) / (double)ne - r->decode_per_frame_s;
    r->encode_per_frame_s = enc > 0 ? enc : 0.0;

    cJSON *d = cJSON_AddObjectToObject(c->cal, "decode");
    cJSON_AddStringToObject(d, "command", "ffmpeg -benchmark -i IN -map 0:v:0 -frames:v N -f null -");
    cJSON_AddNumberToObject(d, "frames", (double)nd);
    cJSON_AddItemToObject(d, "rtime_s", cal_ff_num_array(drt, (size_t)runs));
    cJSON_AddNumberToObject(d, "per_frame_s", r->decode_per_frame_s);
    cJSON *e = cJSON_AddObjectToObject(c->cal, "encode");
    cJSON_AddStringToObject(e, "command", "ffmpeg -benchmark -i IN -map 0:v:0 -frames:v N "
                                          "-c:v libx264 -preset P -f null -");
    cJSON_AddStringToObject(e, "preset", preset);
    cJSON_AddNumberToObject(e, "frames", (double)ne);
    cJSON_AddItemToObject(e, "rtime_s", cal_ff_num_array(ert, (size_t)runs));
    cJSON_AddNumberToObject(e, "per_frame_s", r->encode_per_frame_s);
    cJSON_AddStringToObject(e, "note", "per_frame_s = rtime/N - decode per_frame_s "
                                       "(decode + encode together: the sum)");
    if (r->has_seek_lib)
        cJSON_AddNumberToObject(c->cal, "seek_lib_per_frame_over_decode",
                                r->seek_lib.c1 / r->decode_per_frame_s);
    return BASE_OK;
}

/* ---- the run ------------------------------------------------------------ */

void cal_ffmpeg_result_free(cal_ffmpeg_result *r)
{
    if (!r)
        return;
    cJSON_Delete(r->calibration);
    free(r);
}

int cal_ffmpeg_run(const cal_ffmpeg_opts *o, cal_ffmpeg_result **out, char *err, size_t errsz)
{
    int rc = BASE_OK;
    cal_ff_ctx c = {.o = o};
    *out = NULL;
    if (o->repeats < 1)
        return base_errf(err, errsz, BASE_EINPUT, "--repeats: must be at least 1 (got %d)",
                          o->repeats);
    if (!o->input && (o->width < 16 || o->height < 16 || o->width % 2 || o->height % 2 ||
                      o->fps < 1 || o->gop < 1 || !(o->seconds > 0) ||
                      o->seconds * o->fps < 2))
        return base_errf(err, errsz, BASE_EINPUT,
                          "test input: need even sizes >= 16, fps >= 1, gop >= 1 and at least 2 "
                          "frames (got %dx%d, %d fps, gop %d, %g s)",
                          o->width, o->height, o->fps, o->gop, o->seconds);
    if (o->input) { /* fail fast on a bad file, before any run */
        cal_video *v = NULL;
        if ((rc = cal_video_load(o->input, &v, err, errsz)))
            return rc;
        cal_video_free(v);
    }
    c.r = calloc(1, sizeof *c.r);
    if (!c.r || !(c.r->calibration = cJSON_CreateObject())) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    c.cal = c.r->calibration;
    cJSON_AddStringToObject(c.cal, "mode", "ffmpeg");
    cJSON_AddNumberToObject(c.cal, "repeats", o->repeats);
    cJSON_AddArrayToObject(c.cal, "notes");
    if ((rc = base_tmpdir_new(c.tmp, sizeof c.tmp, err, errsz)))
        goto cleanup;
    cal_ff_tmp_path(&c, c.log, sizeof c.log, "ffmpeg.log");
    if ((rc = step_version(&c, err, errsz)) || (rc = step_input(&c, err, errsz)) ||
        (rc = step_startup(&c, err, errsz)) || (rc = cal_ff_step_seek(&c, err, errsz)) ||
        (rc = step_codec(&c, err, errsz)) || (rc = cal_ff_step_concat(&c, err, errsz)))
        goto cleanup;
    *out = c.r;
    c.r = NULL;

cleanup:
    base_tmpdir_remove(c.tmp);
    cal_video_free(c.v);
    cal_ffmpeg_result_free(c.r);
    return rc;
}

static cJSON *dist_fixed(double v)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "dist", "fixed");
    cJSON_AddNumberToObject(d, "value", v);
    return d;
}

/* The FFmpeg-overheads record: how each field came out, with its fit. */
static cJSON *ffmpeg_prov(const cal_ffmpeg_result *r)
{
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(r->calibration, "ffmpeg_version");
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(r->calibration, "repeats");
    const cJSON *notes = cJSON_GetObjectItemCaseSensitive(r->calibration, "notes");
    cJSON *p = cal_prov_new("calibrate ffmpeg", "ffmpeg_overheads", "cpu", 1,
                            cJSON_IsString(ver) ? ver->valuestring : NULL);
    if (!p)
        return NULL;
    cJSON *f = cal_prov_field(p, "stage.ffmpeg_start_s",
                              "lognormal from the log mean and sd of the ffmpeg process start runs "
                              "(nullsrc to null, after one warm-up run)");
    cal_prov_fit(f, r->start_median_s, NULL, -1, cJSON_IsNumber(rep) ? (long)rep->valuedouble : 0);
    f = cal_prov_field(p, "stage.seek_s",
                       "uniform between the CLI seek line (seconds against frames since the keyframe, "
                       "minus a no-seek run) at 0 and at GOP-1 frames");
    if (r->has_seek_cli) {
        cal_prov_fit(f, 0.5 * (r->seek_min_s + r->seek_max_s), NULL, r->seek_cli.r2, (long)r->seek_cli.n);
        cJSON_AddItemToObject(f, "per_frame_ci95", cJSON_CreateDoubleArray(r->seek_cli.c1_ci, 2));
    }
    f = cal_prov_field(p, "parallel.concat_s",
                       "intercept of concat seconds against k = 2, 4, 8 chunks of 8 GOPs in all (stream copy)");
    cal_prov_fit(f, r->concat_split.c0, r->concat_split.c0_ci, r->concat_split.r2, (long)r->concat_split.n);
    f = cal_prov_field(p, "parallel.concat_per_chunk_s",
                       "slope of concat seconds against k = 2, 4, 8 chunks of 8 GOPs in all (stream copy)");
    cal_prov_fit(f, r->concat_split.c1, r->concat_split.c1_ci, r->concat_split.r2, (long)r->concat_split.n);
    /* A note naming a field concerns that field (notes are "...: ... in stage.seek_s"). */
    static const char *const named[] = {"stage.ffmpeg_start_s", "stage.seek_s", "parallel.concat_s",
                                        "parallel.concat_per_chunk_s"};
    for (const cJSON *n = cJSON_IsArray(notes) ? notes->child : NULL; n; n = n->next) {
        int hit = 0;
        for (size_t i = 0; cJSON_IsString(n) && i < sizeof named / sizeof named[0]; i++) {
            const char *at = strstr(n->valuestring, named[i]);
            size_t l = strlen(named[i]);
            if (at && (at[l] == 0 || at[l] == ' ' || at[l] == ',' || at[l] == ';' || at[l] == ')')) {
                cal_prov_warn(p, named[i], "%s", n->valuestring);
                hit = 1;
            }
        }
        if (cJSON_IsString(n) && !hit)
            cal_prov_warn(p, NULL, "%s", n->valuestring);
    }
    return p;
}

cJSON *cal_ffmpeg_result_json(const cal_ffmpeg_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *stage = cJSON_AddObjectToObject(root, "stage");
    if (r->start_fixed) {
        cJSON_AddItemToObject(stage, "ffmpeg_start_s", dist_fixed(r->start_median_s));
    } else {
        cJSON *d = cJSON_AddObjectToObject(stage, "ffmpeg_start_s");
        cJSON_AddStringToObject(d, "dist", "lognormal");
        cJSON_AddNumberToObject(d, "median", r->start_median_s);
        cJSON_AddNumberToObject(d, "p95", r->start_p95_s);
    }
    if (r->seek_max_s > r->seek_min_s) {
        cJSON *d = cJSON_AddObjectToObject(stage, "seek_s");
        cJSON_AddStringToObject(d, "dist", "uniform");
        cJSON_AddNumberToObject(d, "min", r->seek_min_s);
        cJSON_AddNumberToObject(d, "max", r->seek_max_s);
    } else {
        cJSON_AddItemToObject(stage, "seek_s", dist_fixed(r->seek_min_s));
    }
    cJSON *par = cJSON_AddObjectToObject(root, "parallel");
    cJSON_AddNumberToObject(par, "concat_s", r->concat_s);
    cJSON_AddNumberToObject(par, "concat_per_chunk_s", r->concat_per_chunk_s);
    cJSON_AddItemToObject(root, "calibration", cJSON_Duplicate(r->calibration, 1));
    cJSON_AddItemToObject(root, "_provenance", ffmpeg_prov(r));
    return root;
}
