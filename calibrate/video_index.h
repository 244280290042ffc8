/* calibrate/video_index.h -- a video file's frame index: every video packet's
 * timestamp and keyframe flag, in display order, read with libavformat.
 *
 * cal_video_load() demuxes the whole file once (no decode but of the first
 * frame, to prove the stream decodes) and sorts the packets by pts, so
 * t[i] and key[i] describe the i-th frame shown. The calibrate ffmpeg mode
 * picks seek targets and checks concat outputs with it; calibrate command
 * checks its --input with it.
 *
 * Ownership: cal_video_load() returns an owned cal_video freed by
 * cal_video_free(); the path is borrowed. Errors: BASE_EINPUT "PATH: ..."
 * for a missing, unreadable or non-video file, BASE_ERUNTIME when out of
 * memory; one line in err.
 */
#ifndef FORKCAST_CALIBRATE_VIDEO_INDEX_H
#define FORKCAST_CALIBRATE_VIDEO_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char codec[32];     /* "h264" */
    char pix_fmt[32];   /* "yuv420p" */
    int width, height;
    int tb_num, tb_den; /* video stream time base */
    double fps;         /* average frame rate */
    double size_mb;     /* file size, 10^6 bytes */
    size_t nframes;     /* video packets */
    size_t nkeys;       /* keyframes among them */
    int gop;            /* median keyframe distance in frames (nframes if 1 key) */
    int64_t *pts;       /* [nframes] stream pts, ascending (display order) */
    double *t;          /* [nframes] seconds since the file's start time */
    unsigned char *key; /* [nframes] 1 at keyframes */
} cal_video;

/* Open path, index every video packet and decode the first frame.
 * BASE_EINPUT "PATH: ..." when the file is missing, not a media file, has no
 * video stream, no keyframe or no decodable frame. Cost: one demux pass. */
int cal_video_load(const char *path, cal_video **out, char *err, size_t errsz);
void cal_video_free(cal_video *v);

#endif
