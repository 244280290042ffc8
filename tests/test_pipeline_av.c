/* tests/test_pipeline_av.c -- calibrate/pipeline_av.c's GPU selection and
 * its CPU fallbacks, on a machine with or without a GPU: FFmpeg's CUDA
 * device either opens or fails with one line; without it, asking the
 * decoder for NVDEC runs the software decoder, asking for NVENC falls back
 * to the CPU encoder with the reason recorded, and requiring NVENC fails.
 * The frames decoded and encoded are counted against the clip made. */
#include "tests/harness.h"

#include "calibrate/pipeline_av.h"
#include "base/status.h"

#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], clip[128];

static void make_clip(void)
{
    char err[256];
    snprintf(dir, sizeof dir, "/tmp/forkcast-test-pav-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(clip, sizeof clip, "%s/c.mp4", dir);
    int rc = cal_pav_make_clip(clip, 96, 64, 7, NULL, err, sizeof err);
    CHECK(rc == BASE_OK);
    if (rc)
        fprintf(stderr, "make_clip: %s\n", err);
}

static void test_cuda_device(void)
{
    cal_pav p;
    char err[256] = "";
    memset(&p, 0, sizeof p);
    int rc = cal_pav_open_cuda(&p, err, sizeof err);
    if (rc == BASE_OK) { /* a GPU machine */
        CHECK(p.cuda != NULL);
    } else {
        CHECK(rc == BASE_ERUNTIME);
        CHECK(p.cuda == NULL);
        CHECK(strstr(err, "CUDA") != NULL);
        CHECK(strchr(err, '\n') == NULL);
    }
    cal_pav_close(&p);
    cal_pav_close(&p); /* twice: safe */
}

/* No CUDA device given: NVDEC asked for, the software decoder runs; NVENC
 * asked for, the CPU encoder takes over and says why. */
static void test_fallbacks(void)
{
    cal_pav p;
    char err[256] = "";
    double bytes = 0;
    memset(&p, 0, sizeof p);
    CHECK(cal_pav_open_input(&p, clip, 1, 1, err, sizeof err) == BASE_OK);
    CHECK(p.dec_hw == 0);
    CHECK(cal_pav_open_encoder(&p, 96, 64, (AVRational){1, 25}, 1, 1, 1, 0, err, sizeof err) == BASE_OK);
    CHECK(p.enc_hw == 0);
    CHECK(strstr(p.enc_note, "h264_nvenc") != NULL);
    CHECK(p.enc && strcmp(p.enc->codec->name, "h264_nvenc") != 0);
    long n = 0;
    AVFrame *f;
    while (cal_pav_next_frame(&p, &f, clip, err, sizeof err) == BASE_OK && f) {
        CHECK(f->format == AV_PIX_FMT_YUV420P);
        CHECK(f->width == 96 && f->height == 64);
        f->pts = n++;
        f->pict_type = AV_PICTURE_TYPE_NONE;
        CHECK(cal_pav_encode(&p, f, &bytes, err, sizeof err) == BASE_OK);
    }
    CHECK(n == 7);
    CHECK(cal_pav_encode(&p, NULL, &bytes, err, sizeof err) == BASE_OK);
    CHECK(bytes > 0);
    cal_pav_close(&p);
}

static void test_nvenc_required(void)
{
    cal_pav p;
    char err[256] = "";
    memset(&p, 0, sizeof p);
    CHECK(cal_pav_open_input(&p, clip, 1, 0, err, sizeof err) == BASE_OK);
    int rc = cal_pav_open_encoder(&p, 96, 64, (AVRational){1, 25}, 1, 2, 0, 0, err, sizeof err);
    CHECK(rc == BASE_ERUNTIME);
    CHECK(strstr(err, "nvenc") != NULL);
    CHECK(p.enc == NULL);
    cal_pav_close(&p);
}

static void test_not_video(void)
{
    cal_pav p;
    char err[256] = "", path[160];
    memset(&p, 0, sizeof p);
    snprintf(path, sizeof path, "%s/text.mp4", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("not a video\n", f);
        fclose(f);
    }
    CHECK(cal_pav_open_input(&p, path, 0, 1, err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, path) != NULL);
    cal_pav_close(&p);
    unlink(path);
}

static void cleanup(void)
{
    unlink(clip);
    CHECK(rmdir(dir) == 0);
}

static void setup(void)
{
    av_log_set_level(AV_LOG_QUIET);
    make_clip();
}

TEST_MAIN(setup, test_cuda_device, test_fallbacks, test_nvenc_required, test_not_video, cleanup)
