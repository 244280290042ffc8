/* calibrate/av_lazy.h -- load the FFmpeg libraries on demand (see
 * calibrate/av_lazy.c for why). Call cal_av_load() before the first libav
 * call of a calibrate mode: it returns BASE_ERUNTIME with a one-line message
 * when a library is missing. Idempotent and thread-safe. */
#ifndef FORKCAST_CALIBRATE_AV_LAZY_H
#define FORKCAST_CALIBRATE_AV_LAZY_H

#include <stddef.h>

int cal_av_load(char *err, size_t errsz);

#endif
