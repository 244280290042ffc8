/* calibrate/pipeline_av.h -- the FFmpeg side of calibrate/pipeline.c:
 * the generated clip, the input's decoder (on the CPU, or on NVDEC through
 * FFmpeg's CUDA hwaccel), the encoder (libx264 / mpeg4 on the CPU, or
 * h264_nvenc fed CUDA frames). Internal to calibrate/.
 *
 * GPU selection with fallback. cal_pav_open_cuda() makes one CUDA device
 * (FFmpeg's hwcontext on the primary context, the one the CUDA runtime and
 * so kernels/ use, so FFmpeg's frames and the kernels share pointers). The
 * decoder then asks for AV_PIX_FMT_CUDA; when the hwaccel cannot start
 * FFmpeg falls back to its software decoder on its own, so which one ran is
 * known per frame (AVFrame.format). The encoder tries h264_nvenc when asked
 * and, if it is missing or does not open (no NVENC on the card, as H100 and
 * H200), the CPU encoder unless the GPU was required; the reason lands in
 * enc_note / dec_note ("" when nothing fell back).
 *
 * Ownership: cal_pav owns everything in it; cal_pav_close() frees it and
 * is safe on a zeroed or half-opened cal_pav. Errors: BASE_EINPUT for what
 * the input is to blame for, BASE_ERUNTIME otherwise, one line in err.
 */
#ifndef FORKCAST_CALIBRATE_PIPELINE_AV_H
#define FORKCAST_CALIBRATE_PIPELINE_AV_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <signal.h>
#include <stddef.h>

typedef struct {
    AVFormatContext *ic;
    AVCodecContext *dec, *enc;
    AVBufferRef *cuda;          /* FFmpeg CUDA device, NULL when none */
    int vstream, eof_in;
    int dec_hw;                 /* decoder asked for CUDA frames */
    int enc_hw;                 /* encoder takes CUDA frames (NVENC) */
    AVPacket *pkt, *opkt;
    AVFrame *frame, *conv;
    struct SwsContext *sws;
    char dec_note[192], enc_note[192];
} cal_pav;

/* path: lavfi testsrc2 at w x h, 25 fps, `frames` frames, encoded fast
 * with the CPU encoder into an mp4. */
int cal_pav_make_clip(const char *path, int w, int h, long frames, volatile sig_atomic_t *cancel, char *err,
                      size_t errsz);

/* The CUDA device for decoder and encoder. BASE_ERUNTIME with the reason
 * (no driver, no device) in err; p->cuda stays NULL then. */
int cal_pav_open_cuda(cal_pav *p, char *err, size_t errsz);

/* Open path and its best video stream's decoder. hw: ask for NVDEC
 * (needs p->cuda; when the codec has no CUDA hwaccel, dec_note says so and
 * the software decoder runs). */
int cal_pav_open_input(cal_pav *p, const char *path, int codec_threads, int hw, char *err, size_t errsz);

/* The next decoded frame (NULL at the end): yuv420p in host memory, or,
 * from NVDEC, a CUDA frame whose planes are NV12. */
int cal_pav_next_frame(cal_pav *p, AVFrame **got, const char *path, char *err, size_t errsz);

/* hw: 1 try h264_nvenc (fall back to the CPU encoder, reason in enc_note),
 * 2 require it. 0: the CPU encoder (libx264, else mpeg4). fast: x264's
 * ultrafast preset. */
int cal_pav_open_encoder(cal_pav *p, int w, int h, AVRational tb, int codec_threads, int hw, int fast,
                         int global_header, char *err, size_t errsz);

/* A CUDA frame of the encoder's size from its pool (NVENC only), for a
 * kernel to write into; unref it after cal_pav_encode. */
int cal_pav_hw_frame(cal_pav *p, AVFrame *f, char *err, size_t errsz);

/* Send f (NULL: flush) and drain the packets, adding their bytes. */
int cal_pav_encode(cal_pav *p, AVFrame *f, double *bytes, char *err, size_t errsz);

void cal_pav_close(cal_pav *p);

#endif
