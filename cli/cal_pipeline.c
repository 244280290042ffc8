/* cli/cal_pipeline.c -- `forkcast calibrate pipeline`: decode -> kernel ->
 * encode per frame, the phase table (which device did each phase), and
 * stage.per_frame_s. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"

#include "calibrate/pipeline.h"
#include "base/status.h"

#include <cjson/cJSON.h>
#include <libavutil/log.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast calibrate pipeline --stage overlay|framing [--input FILE] [--frames N]\n"
            "                                   [--backend cpu|cuda|auto|ref] [-o FILE] [options]\n\n"
            "Runs the stage end to end -- decode (libavcodec) -> kernel -> encode (libx264 if\n"
            "present, else mpeg4) -- prints where the time goes per frame (decode, upload,\n"
            "kernel, download, encode) and which device did each, and writes\n"
            "{\"stage\":{\"per_frame_s\":...}} with the whole per-frame cost (gamma: measured\n"
            "mean and cv).\n\n"
            "  --stage S        overlay or framing (required)\n"
            "  --input FILE     video to read (default: a testsrc2 H.264 clip generated in a\n"
            "                   temporary directory and removed afterwards)\n"
            "  --size WxH       size of the generated clip (default 1920x1080; not with --input)\n"
            "  --frames N       frames to process (default: all; generated clip: 60)\n"
            "  --backend B      kernel backend (default auto: cuda when a device answers, else cpu)\n"
            "  --decoder D      auto (default: NVDEC through FFmpeg's CUDA hwaccel when the backend\n"
            "                   is cuda and it starts, else the CPU), cpu, or nvdec (or fail)\n"
            "  --encoder E      auto (default: h264_nvenc when the backend is cuda and the card has\n"
            "                   NVENC, else the CPU encoder), cpu, or nvenc (or fail)\n"
            "  --cuda-version V CUDA kernel version (default 0: the newest)\n"
            "  --threads N      kernel CPU threads (default: one per core)\n"
            "  --codec-threads N decoder and encoder threads (default 0: FFmpeg decides)\n"
            "  --out-size WxH   framing output (default H x H*16/9: 1080x1920 for 1080p)\n"
            "  --filter F       framing filter: lanczos (default) or bicubic\n"
            "  -o FILE          write the JSON there (atomically); default stdout\n"
            "  --quiet          no progress on stderr\n\n"
            "The table goes to stdout with -o, else to stderr (stdout then carries the JSON).\n"
            "Asking for a device this machine lacks (--backend cuda without a CUDA device,\n"
            "--decoder nvdec or --encoder nvenc where they cannot start) fails at once with\n"
            "exit 2; with auto the CPU takes over and the table and JSON say why.\n");
}

static int parse_dev(const char *opt, const char *v, const char *gpu_name, cal_dev *out)
{
    if (!strcmp(v, "auto"))
        *out = CAL_DEV_AUTO;
    else if (!strcmp(v, "cpu"))
        *out = CAL_DEV_CPU;
    else if (!strcmp(v, gpu_name))
        *out = CAL_DEV_GPU;
    else
        return cli_usage_error("%s: expected auto, cpu or %s, got '%s'", opt, gpu_name, v);
    return CLI_OK;
}

enum {
    O_STAGE = 256, O_INPUT, O_SIZE, O_OUT_SIZE, O_FRAMES, O_BACKEND, O_DECODER, O_ENCODER, O_CUDA_VERSION,
    O_THREADS, O_CODEC_THREADS, O_FILTER,
};

static const struct option options[] = {
    {"stage", required_argument, NULL, O_STAGE},
    {"input", required_argument, NULL, 'i'},
    {"size", required_argument, NULL, O_SIZE},
    {"frames", required_argument, NULL, O_FRAMES},
    {"backend", required_argument, NULL, O_BACKEND},
    {"decoder", required_argument, NULL, O_DECODER},
    {"encoder", required_argument, NULL, O_ENCODER},
    {"cuda-version", required_argument, NULL, O_CUDA_VERSION},
    {"threads", required_argument, NULL, O_THREADS},
    {"codec-threads", required_argument, NULL, O_CODEC_THREADS},
    {"out-size", required_argument, NULL, O_OUT_SIZE},
    {"filter", required_argument, NULL, O_FILTER},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

static int take_long(const char *opt, const char *v, long lo, long hi, int *dst)
{
    long n;
    if (cli_parse_long(opt, v, lo, hi, &n))
        return CLI_EUSAGE;
    *dst = (int)n;
    return CLI_OK;
}

/* One option: CLI_OK or CLI_EUSAGE printed. */
static int take(int c, const char *v, cal_pipeline_opts *o, const char **out, int *sized)
{
    long n;
    switch (c) {
    case O_STAGE:
        if (strcmp(v, "overlay") && strcmp(v, "framing"))
            return cli_usage_error("--stage: expected overlay or framing, got '%s'", v);
        o->stage = v;
        return CLI_OK;
    case 'i': o->input = v; return CLI_OK;
    case O_SIZE:
        *sized = 1;
        return cli_parse_size("--size", v, 16, 8192, 0, &o->gen_w, &o->gen_h) ? CLI_EUSAGE : CLI_OK;
    case O_OUT_SIZE: return cli_parse_size("--out-size", v, 2, 8192, 0, &o->out_w, &o->out_h) ? CLI_EUSAGE : CLI_OK;
    case O_FRAMES:
        if (cli_parse_long("--frames", v, 1, 10000000, &n))
            return CLI_EUSAGE;
        o->frames = n;
        return CLI_OK;
    case O_BACKEND:
        return kern_backend_parse(v, &o->backend)
                   ? cli_usage_error("--backend: expected cpu, cuda, auto or ref, got '%s'", v) : CLI_OK;
    case O_DECODER: return parse_dev("--decoder", v, "nvdec", &o->decode_on);
    case O_ENCODER: return parse_dev("--encoder", v, "nvenc", &o->encode_on);
    case O_CUDA_VERSION: return take_long("--cuda-version", v, 0, 3, &o->cuda_version);
    case O_THREADS: return take_long("--threads", v, 1, 1024, &o->threads);
    case O_CODEC_THREADS: return take_long("--codec-threads", v, 0, 1024, &o->codec_threads);
    case O_FILTER:
        return kern_filter_parse(v, &o->filter) ? cli_usage_error("--filter: expected lanczos or bicubic, got '%s'", v)
                                                : CLI_OK;
    case 'o': *out = v; return CLI_OK;
    }
    return cli_usage_error("calibrate pipeline: unexpected argument '%s' (see --help)", v);
}

/* argv -> o and *out; CLI_OK, CLI_EUSAGE, or -1 after --help. */
static int parse_args(int argc, char **argv, cal_pipeline_opts *o, const char **out)
{
    int sized = 0;
    cli_parser p;
    cli_parser_init(&p, "calibrate pipeline", "i:o:", options, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        if (c == CLI_P_ERR)
            return CLI_EUSAGE;
        if (c == CLI_P_HELP) {
            usage(stdout);
            return -1;
        }
        if (take(c, p.val, o, out, &sized))
            return CLI_EUSAGE;
    }
    if (p.rest < argc)
        return cli_usage_error("calibrate pipeline: unexpected argument '%s' (see --help)", argv[p.rest]);
    if (!o->stage)
        return cli_usage_error("calibrate pipeline: --stage overlay|framing is required (see --help)");
    if (sized && o->input)
        return cli_usage_error("calibrate pipeline: --size sets the generated clip; it does not apply to --input");
    return CLI_OK;
}

static void print_table(FILE *tf, const cal_pipeline_result *r)
{
    double n = (double)r->frames;
    double v[CAL_PHASES] = {r->decode_s, r->upload_s, r->kernel_s, r->download_s, r->encode_s};
    double tot = 0;
    for (int i = 0; i < CAL_PHASES; i++)
        tot += v[i];
    fprintf(tf, "calibrate pipeline: %s, %s\n", r->opts.stage, r->input);
    fprintf(tf, "  %dx%d -> %dx%d, %ld frames; decoder %s, encoder %s; kernel backend %s (%s)", r->in_w, r->in_h,
            r->out_w, r->out_h, r->frames, r->decoder, r->encoder, kern_backend_name(r->opts.backend), r->device);
    if (r->opts.backend == KERN_CUDA)
        fprintf(tf, ", kernel v%d\n", r->cuda_version);
    else
        fprintf(tf, ", %d thread%s\n", r->opts.threads, r->opts.threads == 1 ? "" : "s");
    if (r->dec_note[0])
        fprintf(tf, "  decode fell back to the CPU: %s\n", r->dec_note);
    if (r->enc_note[0])
        fprintf(tf, "  encode fell back to the CPU: %s\n", r->enc_note);
    fprintf(tf, "%-9s %10s %7s  %-6s %9s %9s\n", "phase", "ms/frame", "share", "device", "median", "p90");
    for (int i = 0; i < CAL_PHASES; i++)
        fprintf(tf, "%-9s %10.3f %6.1f%%  %-6s %9.3f %9.3f\n", cal_pipeline_phase_name(i), 1e3 * v[i] / n,
                tot > 0 ? 100 * v[i] / tot : 0, r->phase_dev[i], 1e3 * r->phase[i].median_s,
                1e3 * r->phase[i].p90_s);
    fprintf(tf, "%-9s %10.3f %6.1f%%   (median %.3f, p10 %.3f, p90 %.3f ms; %.2f fps)\n", "total", 1e3 * tot / n, 100.0,
            1e3 * r->per_frame.median_s, 1e3 * r->per_frame.p10_s, 1e3 * r->per_frame.p90_s, n / r->wall_s);
    if (r->opts.backend == KERN_CUDA)
        fprintf(tf, "transfer per frame: %.2f MB up, %.2f MB down\n", r->upload_bytes / 1e6, r->download_bytes / 1e6);
}

int cli_calibrate_pipeline(int argc, char **argv)
{
    cal_pipeline_opts o;
    cal_pipeline_opts_default(&o);
    o.stage = NULL;
    const char *out = NULL;
    int rc = parse_args(argc, argv, &o, &out);
    if (rc)
        return rc < 0 ? CLI_OK : rc;

    cli_cancel cancel;
    volatile sig_atomic_t *interrupted = cli_cancel_begin(&cancel);
    o.cancel = interrupted;
    av_log_set_level(AV_LOG_QUIET); /* errors reach the user as our one line */
    cli_progress pg;
    cli_progress_begin(&pg, "calibrate pipeline", "frames", 0);
    o.progress = cli_progress_count;
    o.progress_arg = &pg;

    char err[1200];
    cal_pipeline_result r;
    rc = cal_pipeline_run(&o, &r, err, sizeof err);
    cli_progress_end(&pg);
    cli_cancel_end(&cancel);
    if (rc)
        return cli_fail(rc, "%s", err);

    FILE *tf = out ? stdout : stderr;
    print_table(tf, &r);
    cJSON *j = cal_pipeline_json(&r);
    if (!j)
        return cli_fail(CLI_ERUNTIME, "calibrate pipeline: out of memory");
    rc = cli_write_json(j, out);
    cJSON_Delete(j);
    if (rc)
        return rc;
    if (out)
        fprintf(tf, "wrote %s\n", out);
    return CLI_OK;
}
