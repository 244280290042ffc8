/* calibrate/pipeline.h -- what a whole stage costs per frame: decode
 * (libavcodec) -> kernel (kern_overlay or kern_framing, any backend) ->
 * encode (libavcodec: libx264 when present, else mpeg4), with the time of
 * each phase, so the table answers "where is the time spent".
 *
 * Backend cuda: the frames stay on the GPU where they can (kern_dstage,
 * kernels/kern_gpu.h). Decode on NVDEC through FFmpeg's CUDA hwaccel when
 * decode_on allows it, else on the CPU and uploaded; the kernel on the
 * device (NVDEC's NV12 split into I420 is counted as kernel time: it is the
 * copy the CPU path makes too); encode on NVENC (h264_nvenc, fed CUDA
 * frames) when encode_on allows it and the card has one, else downloaded
 * and encoded on the CPU. Each fallback is recorded with its reason
 * (dec_note, enc_note) and phase_dev says which device did each phase.
 *
 * Input: a file (any container/codec libavformat reads; frames not in
 * yuv420p are converted by swscale inside the decode phase), or, when none
 * is given, a testsrc2 clip generated with libavfilter + libavcodec into a
 * private temporary directory that is removed again, also on error or
 * interruption. Encoded packets are counted and dropped (no muxing).
 *
 * Timing: one thread drives the pipeline, so the phases add up to the wall
 * time: decode = demux + decode (+ convert), upload/kernel/download as
 * kern_times reports them (KERN_CPU: kernel only; it includes the copy that
 * makes a decoded frame writable, as FFmpeg's overlay filter does), encode
 * = send + receive. Encoders buffer (x264 lookahead): the final flush is
 * spread evenly over the frames, so the per-frame totals sum to the wall
 * time but their spread is understated by that amount. Codec threads: as
 * asked (0 = FFmpeg's automatic choice); with more than one, x264's worker
 * threads keep encoding earlier frames while this thread decodes and runs
 * the kernel, so on a small machine those phases also pay for sharing the
 * cores (--codec-threads 1 gives a clean split, a slower total).
 *
 * Errors: BASE_EINPUT for a missing, unreadable, non-media or video-less
 * input and bad options, and for a device the options require that this
 * machine lacks (backend cuda without a CUDA device, decode_on/encode_on
 * CAL_DEV_GPU without NVDEC/NVENC): checked before any work, so such a run
 * fails at once; BASE_ERUNTIME otherwise ("interrupted" when
 * *cancel became non-zero; it is polled once per frame). Results borrow
 * nothing; cal_pipeline_result owns no heap memory.
 */
#ifndef FORKCAST_CALIBRATE_PIPELINE_H
#define FORKCAST_CALIBRATE_PIPELINE_H

#include <signal.h>
#include <stddef.h>

#include "calibrate/kernels_cal.h"
#include "kernels/kern.h"

struct cJSON;

/* Where a codec phase runs: AUTO = on the GPU when the backend is cuda and
 * the card can, else on the CPU; CPU; GPU = on the GPU or fail. */
typedef enum { CAL_DEV_AUTO = 0, CAL_DEV_CPU, CAL_DEV_GPU } cal_dev;

/* Phases in table and JSON order: decode, upload, kernel, download, encode. */
enum { CAL_PHASES = 5 };
const char *cal_pipeline_phase_name(int phase);

typedef struct {
    const char *stage;          /* "overlay" or "framing" */
    const char *input;          /* NULL: generate a clip */
    int gen_w, gen_h;           /* generated clip size (1920x1080) */
    long frames;                /* frames to process: 0 = all of the input
                                   (generated: 60) */
    kern_backend backend;
    int threads;                /* kernel CPU threads, 0 = one per core */
    int codec_threads;          /* decoder / encoder threads, 0 = auto */
    int out_w, out_h;           /* framing output; 0 = H x H*16/9 (even) */
    kern_filter filter;
    cal_dev decode_on, encode_on;
    int cuda_version;           /* CUDA kernel version, 0 = the newest */
    volatile sig_atomic_t *cancel;
    void (*progress)(void *arg, const char *what, long done, long total);
    void *progress_arg;
} cal_pipeline_opts;

void cal_pipeline_opts_default(cal_pipeline_opts *o);

typedef struct {
    cal_pipeline_opts opts;     /* as run; backend and threads resolved */
    char input[1024];           /* the file read ("(generated) ..." if so) */
    int generated;
    char decoder[32], encoder[32], device[256];
    int in_w, in_h, out_w, out_h;
    long frames;
    /* Totals over all frames, seconds; per-frame = total / frames. */
    double decode_s, upload_s, kernel_s, download_s, encode_s, wall_s;
    double upload_bytes, download_bytes; /* per frame */
    double out_bytes;                    /* encoded, all frames */
    cal_kernel_stats per_frame;          /* per-frame totals */
    cal_kernel_stats phase[CAL_PHASES];  /* per-frame spread of each phase */
    /* Who did each phase: "cpu", "nvdec", "cuda", "nvenc", "pcie" (a host
     * <-> device copy) or "none" (nothing to do); static strings. */
    const char *phase_dev[CAL_PHASES];
    char dec_note[192], enc_note[192];   /* why a GPU phase fell back, or "" */
    int cuda_version;                    /* kernel version run (cuda) or 0 */
} cal_pipeline_result;

int cal_pipeline_run(const cal_pipeline_opts *o, cal_pipeline_result *r, char *err, size_t errsz);
/* The scenario fragment; owned cJSON tree (cJSON_Delete) or NULL. */
struct cJSON *cal_pipeline_json(const cal_pipeline_result *r);

#endif
