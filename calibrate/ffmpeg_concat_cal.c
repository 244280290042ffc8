/* calibrate/ffmpeg_concat_cal.c -- the concat step of `calibrate ffmpeg`:
 * what joining k chunk files costs. See ffmpeg_steps.h. */
#include "calibrate/ffmpeg_steps.h"
#include "calibrate/ffmpeg_run.h"

#include "base/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONCAT_TOTAL_GOPS 8 /* split series: k chunks of 8/k GOPs */
#define NCHUNKS 14          /* 8 copies of 1 GOP, 4 of 2 GOPs, 2 of 4 GOPs */

static const int concat_ks[] = {2, 4, 8};
#define NKS ((int)(sizeof concat_ks / sizeof concat_ks[0]))

/* The step's files and samples. Sample j = rep * NKS + ki. */
typedef struct {
    char c1[4200], c2[4200], c4[4200]; /* 1, 2 and 4 GOPs of the input */
    char list[4200], outp[4200];       /* the demuxer's list; the output */
    char path[NCHUNKS][4200];          /* distinct copies, see make_copies */
    const char *src_of[5];             /* [g]: the g-GOP chunk (g = 1, 2, 4) */
    size_t frames_of[5];               /* [g]: its frames */
    double mb_of[5];                   /* [g]: its size */
    size_t n;                          /* samples per series */
    double *xs, *ys, *xf, *yf;         /* [n] k and seconds: split, fixed series */
} concats;

static int copy_file(const char *from, const char *to, char *err, size_t errsz)
{
    char *text = NULL;
    size_t len = 0;
    int rc = base_read_file(from, &text, &len, err, errsz);
    if (rc)
        return BASE_ERUNTIME;
    FILE *f = fopen(to, "wb");
    if (!f || fwrite(text, 1, len, f) != len) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write: %s", to, strerror(errno));
    }
    if (f && fclose(f) != 0 && !rc)
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write: %s", to, strerror(errno));
    free(text);
    return rc;
}

/* Frames of a file we wrote (a failure to read it back is ours: runtime). */
static int frames_in(const char *path, size_t *frames, double *mb, char *err, size_t errsz)
{
    cal_video *cv = NULL;
    if (cal_video_load(path, &cv, err, errsz))
        return BASE_ERUNTIME;
    *frames = cv->nframes;
    if (mb)
        *mb = cv->size_mb;
    cal_video_free(cv);
    return BASE_OK;
}

/* c1: the input's first GOP by stream copy; c2 and c4 by concatenating
 * copies of c1, checked to hold 2 and 4 times its frames. */
static int make_sources(cal_ff_ctx *c, concats *k, char *err, size_t errsz)
{
    int rc;
    size_t L0 = c->v->nframes;
    for (size_t i = 1; i < c->v->nframes; i++)
        if (c->v->key[i]) {
            L0 = i;
            break;
        }
    char l0[32];
    snprintf(l0, sizeof l0, "%zu", L0);
    char *argv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
                    (char *)c->in, "-map", "0:v:0", "-c", "copy", "-frames:v", l0, k->c1, NULL};
    cal_ff_progress(c, "concat: chunks of 1..%d GOPs, k = 2, 4, 8, %d repeats", CONCAT_TOTAL_GOPS,
                    c->o->repeats);
    if ((rc = cal_ffmpeg_cli_run("cut one GOP", argv, c->log, c->o->timeout_s, c->o->cancel, NULL,
                                 err, errsz)))
        return rc;
    const char *two[] = {k->c1, k->c1}, *four[] = {k->c1, k->c1, k->c1, k->c1};
    if ((rc = cal_concat_run(two, 2, k->list, k->c2, c->o->timeout_s, c->o->cancel, NULL, err,
                             errsz)) ||
        (rc = cal_concat_run(four, 4, k->list, k->c4, c->o->timeout_s, c->o->cancel, NULL, err,
                             errsz)))
        return rc;
    k->src_of[1] = k->c1;
    k->src_of[2] = k->c2;
    k->src_of[4] = k->c4;
    for (int g = 1; g <= 4; g *= 2)
        if ((rc = frames_in(k->src_of[g], &k->frames_of[g], &k->mb_of[g], err, errsz)))
            return rc;
    if (k->frames_of[2] != 2 * k->frames_of[1] || k->frames_of[4] != 4 * k->frames_of[1])
        return base_errf(err, errsz, BASE_ERUNTIME,
                         "concat check: chunks of 2 and 4 GOPs have %zu and %zu frames, "
                         "expected %zu and %zu",
                         k->frames_of[2], k->frames_of[4], 2 * k->frames_of[1],
                         4 * k->frames_of[1]);
    return BASE_OK;
}

/* path[0..7]: 1-GOP copies; path[8..11]: 2-GOP; path[12..13]: 4-GOP. Each
 * k's chunks are distinct files. */
static int make_copies(cal_ff_ctx *c, concats *k, char *err, size_t errsz)
{
    int rc;
    for (int i = 0; i < NCHUNKS; i++) {
        char name[32];
        int g = i < 8 ? 1 : i < 12 ? 2 : 4;
        snprintf(name, sizeof name, "chunk%d_%02d.mp4", g, i);
        cal_ff_tmp_path(c, k->path[i], sizeof k->path[i], name);
        if ((rc = copy_file(k->src_of[g], k->path[i], err, errsz)))
            return rc;
    }
    return BASE_OK;
}

/* Time every k of both series, repeats times; the first repeat's outputs
 * must hold every chunk's frames. */
static int time_concats(cal_ff_ctx *c, concats *k, char *err, size_t errsz)
{
    int rc;
    const char *names[CONCAT_TOTAL_GOPS];
    size_t j = 0;
    for (int rep = 0; rep < c->o->repeats; rep++) {
        for (int ki = 0; ki < NKS; ki++, j++) {
            int nk = concat_ks[ki];
            int first = nk == 8 ? 0 : nk == 4 ? 8 : 12; /* split: k chunks of 8/k GOPs */
            for (int series = 0; series < 2; series++) {
                for (int i = 0; i < nk; i++)
                    names[i] = k->path[series == 0 ? first + i : i];
                double wall;
                if ((rc = cal_concat_run(names, (size_t)nk, k->list, k->outp, c->o->timeout_s,
                                         c->o->cancel, &wall, err, errsz)))
                    return rc;
                if (rep == 0) {
                    size_t want = series == 0 ? 8 * k->frames_of[1] : (size_t)nk * k->frames_of[1];
                    size_t got;
                    if ((rc = frames_in(k->outp, &got, NULL, err, errsz)))
                        return rc;
                    if (got != want)
                        return base_errf(err, errsz, BASE_ERUNTIME,
                                         "concat of %d chunks wrote %zu frames, expected %zu", nk,
                                         got, want);
                }
                remove(k->outp);
                (series == 0 ? k->xs : k->xf)[j] = nk;
                (series == 0 ? k->ys : k->yf)[j] = wall;
            }
        }
    }
    return BASE_OK;
}

/* calibration.concat: both series' points and fits. */
static void concat_json(cal_ff_ctx *c, const concats *k)
{
    const cal_ffmpeg_result *r = c->r;
    cJSON *cc = cJSON_AddObjectToObject(c->cal, "concat");
    cJSON_AddStringToObject(cc, "command", "ffmpeg -f concat -safe 0 -i list.txt -c copy out.mp4 "
                                           "(chunks checked with libavformat first, not timed)");
    cJSON_AddNumberToObject(cc, "gop_frames", (double)k->frames_of[1]);
    cJSON_AddNumberToObject(cc, "gop_mb", k->mb_of[1]);
    for (int series = 0; series < 2; series++) {
        cJSON *s = cJSON_AddObjectToObject(cc, series == 0 ? "split" : "fixed");
        cJSON_AddStringToObject(s, "what", series == 0
                                               ? "k chunks of 8/k GOPs: constant total of 8 GOPs; "
                                                 "gives parallel.concat_s and concat_per_chunk_s"
                                               : "k chunks of 1 GOP each: total grows with k");
        cJSON *pts = cJSON_AddArrayToObject(s, "points");
        for (size_t i = 0; i < k->n; i++) {
            int nk = (int)(series == 0 ? k->xs : k->xf)[i];
            int g = series == 0 ? CONCAT_TOTAL_GOPS / nk : 1;
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "k", nk);
            cJSON_AddNumberToObject(p, "chunk_frames", (double)k->frames_of[g]);
            cJSON_AddNumberToObject(p, "chunk_mb", k->mb_of[g]);
            cJSON_AddNumberToObject(p, "seconds", (series == 0 ? k->ys : k->yf)[i]);
            cJSON_AddItemToArray(pts, p);
        }
        cJSON_AddItemToObject(s, "fit", cal_line_json(series == 0 ? &r->concat_split
                                                                  : &r->concat_fixed,
                                                      "concat_s", "per_chunk_s"));
    }
}

/* Series "split": k chunks of 8/k GOPs (constant total) gives the scenario's
 * line; "fixed": k chunks of 1 GOP, for comparison. */
int cal_ff_step_concat(cal_ff_ctx *c, char *err, size_t errsz)
{
    int rc;
    concats *k = calloc(1, sizeof *k);
    if (!k)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    k->n = (size_t)NKS * (size_t)c->o->repeats;
    k->xs = malloc(k->n * sizeof *k->xs);
    k->ys = malloc(k->n * sizeof *k->ys);
    k->xf = malloc(k->n * sizeof *k->xf);
    k->yf = malloc(k->n * sizeof *k->yf);
    if (!k->xs || !k->ys || !k->xf || !k->yf) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    cal_ff_tmp_path(c, k->c1, sizeof k->c1, "c1.mp4");
    cal_ff_tmp_path(c, k->c2, sizeof k->c2, "c2.mp4");
    cal_ff_tmp_path(c, k->c4, sizeof k->c4, "c4.mp4");
    cal_ff_tmp_path(c, k->list, sizeof k->list, "list.txt");
    cal_ff_tmp_path(c, k->outp, sizeof k->outp, "concat.mp4");
    if ((rc = make_sources(c, k, err, errsz)) || (rc = make_copies(c, k, err, errsz)) ||
        (rc = time_concats(c, k, err, errsz)))
        goto cleanup;
    cal_ffmpeg_result *r = c->r;
    if ((rc = cal_line_fit(k->xs, k->ys, k->n, &r->concat_split, err, errsz)) ||
        (rc = cal_line_fit(k->xf, k->yf, k->n, &r->concat_fixed, err, errsz)))
        goto cleanup;
    r->concat_s = r->concat_split.c0 > 0 ? r->concat_split.c0 : 0.0;
    r->concat_per_chunk_s = r->concat_split.c1 > 0 ? r->concat_split.c1 : 0.0;
    if (r->concat_split.c0 < 0)
        cal_ff_note(c, "concat: negative intercept clamped at 0 in parallel.concat_s");
    if (r->concat_split.c1 < 0)
        cal_ff_note(c, "concat: negative per-chunk slope clamped at 0 in "
                       "parallel.concat_per_chunk_s");
    concat_json(c, k);

cleanup:
    free(k->xs);
    free(k->ys);
    free(k->xf);
    free(k->yf);
    free(k);
    return rc;
}
