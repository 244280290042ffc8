/* cli/cal_kernels.c -- `forkcast calibrate kernels`: per-frame cost of the
 * overlay and framing kernels, written as a scenario fragment. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"

#include "calibrate/kernels_cal.h"
#include "base/status.h"

#include <cjson/cJSON.h>
#include <libavutil/log.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast calibrate kernels [--backend cpu|cuda|auto|ref] [--size WxH] [--frames N]\n"
            "                                  [--stage overlay|framing] [-o FILE] [options]\n\n"
            "Times kern_overlay and kern_framing on generated frames (one call per frame after\n"
            "a warm-up) and writes {\"stage\":{\"per_frame_s\":...},\"calibration\":{...}} for the\n"
            "chosen stage: a gamma distribution with the measured mean and cv. On cuda the\n"
            "time includes the host<->device copies, reported apart in \"calibration\".\n\n"
            "  --backend B        kernel backend (default auto: cuda when a device answers, else cpu)\n"
            "  --size WxH         source frames (default 1920x1080)\n"
            "  --frames N         timed frames per kernel (default 50)\n"
            "  --stage S          whose time goes into stage.per_frame_s: overlay (default) or framing\n"
            "  -o FILE            write the JSON there (atomically); default stdout\n"
            "  --threads N        CPU threads for the cpu backend (default: one per core)\n"
            "  --out-size WxH     framing output (default H x H*16/9: 1080x1920 for 1080p)\n"
            "  --overlay-size WxH overlay graphic (default W/2 x H/4, a lower third)\n"
            "  --filter F         framing filter: lanczos (default) or bicubic\n"
            "  --no-ffmpeg        skip timing FFmpeg's overlay filter and swscale alongside\n"
            "  --quiet            no progress on stderr\n\n"
            "The table goes to stdout with -o, else to stderr (stdout then carries the JSON).\n");
}

static void print_stats(FILE *f, const char *name, const cal_kernel_stats *st, int cuda)
{
    fprintf(f, "%-8s %10.3f %8.3f %8.3f %8.3f %8.3f", name, 1e3 * st->median_s, 1e3 * st->mean_s, 1e3 * st->sd_s,
            1e3 * st->p10_s, 1e3 * st->p90_s);
    if (cuda)
        fprintf(f, " %10.3f %10.3f %11.3f", 1e3 * st->upload_s, 1e3 * st->kernel_s, 1e3 * st->download_s);
    fprintf(f, " %11.1f", st->gbps);
    if (!isnan(st->ff_median_s))
        fprintf(f, " %10.3f %6.2f", 1e3 * st->ff_median_s, st->ff_median_s / st->median_s);
    fputc('\n', f);
}

static void print_header(FILE *f, int cuda, int ff)
{
    fprintf(f, "%-8s %10s %8s %8s %8s %8s", "kernel", "median ms", "mean ms", "sd ms", "p10 ms", "p90 ms");
    if (cuda)
        fprintf(f, " %10s %10s %11s", "upload ms", "kernel ms", "download ms");
    fprintf(f, " %11s%s\n", "kernel GB/s", ff ? "  ffmpeg ms  ratio" : "");
}

enum { O_BACKEND = 256, O_SIZE, O_OUT_SIZE, O_OV_SIZE, O_FRAMES, O_THREADS, O_STAGE, O_FILTER, O_NO_FFMPEG };

static const struct option options[] = {
    {"backend", required_argument, NULL, O_BACKEND},
    {"size", required_argument, NULL, O_SIZE},
    {"frames", required_argument, NULL, O_FRAMES},
    {"stage", required_argument, NULL, O_STAGE},
    {"output", required_argument, NULL, 'o'},
    {"threads", required_argument, NULL, O_THREADS},
    {"out-size", required_argument, NULL, O_OUT_SIZE},
    {"overlay-size", required_argument, NULL, O_OV_SIZE},
    {"filter", required_argument, NULL, O_FILTER},
    {"no-ffmpeg", no_argument, NULL, O_NO_FFMPEG},
    {NULL, 0, NULL, 0},
};

/* One option: 0 ok, else CLI_EUSAGE printed. */
static int take(int c, const char *v, cal_kernels_opts *o, const char **out, const char **stage)
{
    long n;
    switch (c) {
    case O_NO_FFMPEG: o->with_ffmpeg = 0; return 0;
    case O_BACKEND:
        return kern_backend_parse(v, &o->backend)
                   ? cli_usage_error("--backend: expected cpu, cuda, auto or ref, got '%s'", v) : 0;
    case O_SIZE: return cli_parse_size("--size", v, 16, 16384, 0, &o->w, &o->h) ? CLI_EUSAGE : 0;
    case O_OUT_SIZE: return cli_parse_size("--out-size", v, 2, 16384, 0, &o->out_w, &o->out_h) ? CLI_EUSAGE : 0;
    case O_OV_SIZE: return cli_parse_size("--overlay-size", v, 1, 16384, 0, &o->ov_w, &o->ov_h) ? CLI_EUSAGE : 0;
    case O_FRAMES:
        if (cli_parse_long("--frames", v, 1, 1000000, &n))
            return CLI_EUSAGE;
        o->frames = n;
        return 0;
    case O_THREADS:
        if (cli_parse_long("--threads", v, 1, 1024, &n))
            return CLI_EUSAGE;
        o->threads = (int)n;
        return 0;
    case O_STAGE:
        if (strcmp(v, "overlay") && strcmp(v, "framing"))
            return cli_usage_error("--stage: expected overlay or framing, got '%s'", v);
        *stage = v;
        return 0;
    case O_FILTER:
        return kern_filter_parse(v, &o->filter) ? cli_usage_error("--filter: expected lanczos or bicubic, got '%s'", v)
                                                : 0;
    case 'o': *out = v; return 0;
    }
    return cli_usage_error("calibrate kernels: unexpected argument '%s' (see --help)", v);
}

/* CLI_OK, CLI_EUSAGE printed, or -1 after --help. */
static int parse(int argc, char **argv, cal_kernels_opts *o, const char **out, const char **stage)
{
    cli_parser p;
    cli_parser_init(&p, "calibrate kernels", "o:", options, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        if (c == CLI_P_ERR)
            return CLI_EUSAGE;
        if (c == CLI_P_HELP) {
            usage(stdout);
            return -1;
        }
        if (take(c, p.val, o, out, stage))
            return CLI_EUSAGE;
    }
    if (p.rest < argc)
        return cli_usage_error("calibrate kernels: unexpected argument '%s' (see --help)", argv[p.rest]);
    return CLI_OK;
}

int cli_calibrate_kernels(int argc, char **argv)
{
    cal_kernels_opts o;
    cal_kernels_opts_default(&o);
    const char *out = NULL, *stage = "overlay";
    int rc = parse(argc, argv, &o, &out, &stage);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (o.ov_w > o.w || o.ov_h > o.h)
        return cli_usage_error("--overlay-size: %dx%d does not fit in %dx%d", o.ov_w, o.ov_h, o.w, o.h);

    cli_cancel cancel;
    volatile sig_atomic_t *interrupted = cli_cancel_begin(&cancel);
    o.cancel = interrupted;
    av_log_set_level(AV_LOG_QUIET); /* errors reach the user as our one line */
    cli_progress pg;
    cli_progress_begin(&pg, "calibrate kernels", "frames", 0);
    o.progress = cli_progress_count;
    o.progress_arg = &pg;

    char err[512];
    cal_kernels_result r;
    rc = cal_kernels_run(&o, &r, err, sizeof err);
    cli_progress_end(&pg);
    cli_cancel_end(&cancel);
    if (rc)
        return cli_fail(rc, "calibrate kernels: %s", err);

    FILE *tf = out ? stdout : stderr;
    int cuda = r.opts.backend == KERN_CUDA;
    fprintf(tf, "calibrate kernels: backend %s (%s), %d thread%s, %dx%d, %ld frames\n",
            kern_backend_name(r.opts.backend), r.device, r.opts.threads, r.opts.threads == 1 ? "" : "s", r.opts.w,
            r.opts.h, r.overlay.n);
    fprintf(tf, "  overlay %dx%d at (%d,%d); framing %dx%d window -> %dx%d %s\n", r.opts.ov_w, r.opts.ov_h, r.ov_x,
            r.ov_y, kern_framing_window(r.opts.w, r.opts.h, r.opts.out_w, r.opts.out_h, 0, 1, 0, 1).w,
            kern_framing_window(r.opts.w, r.opts.h, r.opts.out_w, r.opts.out_h, 0, 1, 0, 1).h, r.opts.out_w,
            r.opts.out_h, kern_filter_name(r.opts.filter));
    print_header(tf, cuda, o.with_ffmpeg);
    print_stats(tf, "overlay", &r.overlay, cuda);
    print_stats(tf, "framing", &r.framing, cuda);
    if (cuda)
        fprintf(tf, "transfer per frame: overlay %.2f MB up, %.2f MB down; framing %.2f MB up, %.2f MB down\n",
                r.overlay.upload_bytes / 1e6, r.overlay.download_bytes / 1e6, r.framing.upload_bytes / 1e6,
                r.framing.download_bytes / 1e6);
    if (o.with_ffmpeg)
        fprintf(tf, "ratio = FFmpeg / ours (> 1: ours faster); FFmpeg: libavfilter overlay, swscale\n");

    cJSON *j = cal_kernels_json(&r, stage);
    if (!j)
        return cli_fail(CLI_ERUNTIME, "calibrate kernels: out of memory");
    rc = cli_write_json(j, out);
    cJSON_Delete(j);
    if (rc)
        return rc;
    if (out)
        fprintf(tf, "wrote %s (stage.per_frame_s from %s)\n", out, stage);
    return CLI_OK;
}
