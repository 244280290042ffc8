/* cli/cal_ffmpeg.c -- `forkcast calibrate ffmpeg`: FFmpeg startup, seek,
 * decode/encode and concat costs on this machine. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"

#include "calibrate/ffmpeg_cal.h"
#include "base/status.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast calibrate ffmpeg [--input FILE] [--repeats R] [-o FILE]\n"
            "                                [--size WxH] [--seconds S] [--fps F] [--gop G]\n"
            "                                [--preset P] [--timeout S] [--quiet]\n\n"
            "Measure what FFmpeg itself costs a chunked stage, with the ffmpeg on PATH and\n"
            "libavformat in-process:\n"
            "  startup  no-op runs (-f lavfi -i nullsrc=d=0 -f null -)  -> stage.ffmpeg_start_s\n"
            "  seek     -ss T -i IN at positions in three GOPs minus a no-seek run, fitted\n"
            "           against frames since the keyframe; the same seek in-process\n"
            "                                                        -> stage.seek_s (uniform)\n"
            "  decode / encode per frame (-benchmark, -f null -, libx264 -preset P)\n"
            "  concat   -f concat -safe 0 -c copy of k = 2, 4, 8 chunks (8 GOPs in all)\n"
            "                         -> parallel.concat_s + parallel.concat_per_chunk_s * k\n\n"
            "  --input FILE   video to measure (default: generate a testsrc2/libx264 clip\n"
            "                 of --size 1920x1080, --seconds 10, --fps 30, --gop 60 in a temp dir)\n"
            "  --repeats R    runs per measured point (default 5)\n"
            "  --preset P     libx264 preset of the encode test (default medium)\n"
            "  --timeout S    seconds allowed per ffmpeg run (default 600)\n"
            "  -o FILE        write the JSON there (atomically) and a summary to stdout;\n"
            "                 without -o the JSON goes to stdout and the summary to stderr\n"
            "  --quiet        no progress on stderr (by default: the phase being measured)\n\n"
            "Output: {\"stage\":{...},\"parallel\":{...},\"calibration\":{every point and fit with\n"
            "95%% intervals, ffmpeg version, input}}. \"calibration\" is ignored by merging.\n");
}

static void print_line(FILE *f, const char *what, const cal_line *l, const char *c0,
                       const char *c1)
{
    fprintf(f, "%-14s %s %.6g [%.6g, %.6g]  %s %.6g [%.6g, %.6g]  r2 %.3f\n", what, c0, l->c0,
            l->c0_ci[0], l->c0_ci[1], c1, l->c1, l->c1_ci[0], l->c1_ci[1], l->r2);
}

static void print_summary(FILE *f, const cal_ffmpeg_result *r)
{
    const cJSON *cal = r->calibration, *in = cJSON_GetObjectItem(cal, "input");
    const cJSON *ver = cJSON_GetObjectItem(cal, "ffmpeg_version");
    fprintf(f, "ffmpeg %s; input %dx%d %s, %d frames, GOP %d\n",
            cJSON_IsString(ver) ? ver->valuestring : "?",
            cJSON_GetObjectItem(in, "width")->valueint,
            cJSON_GetObjectItem(in, "height")->valueint,
            cJSON_GetObjectItem(in, "codec")->valuestring,
            cJSON_GetObjectItem(in, "frames")->valueint,
            cJSON_GetObjectItem(in, "gop")->valueint);
    if (r->start_fixed)
        fprintf(f, "%-14s fixed %.6g s\n", "startup", r->start_median_s);
    else
        fprintf(f, "%-14s lognormal median %.6g s, p95 %.6g s\n", "startup", r->start_median_s,
                r->start_p95_s);
    if (r->has_seek_cli)
        print_line(f, "seek (CLI)", &r->seek_cli, "lookup_s", "per_frame_s");
    if (r->has_seek_lib)
        print_line(f, "seek (libav)", &r->seek_lib, "lookup_s", "per_frame_s");
    fprintf(f, "%-14s uniform %.6g .. %.6g s\n", "stage.seek_s", r->seek_min_s, r->seek_max_s);
    fprintf(f, "%-14s %.6g s/frame; encode %.6g s/frame\n", "decode", r->decode_per_frame_s,
            r->encode_per_frame_s);
    print_line(f, "concat (split)", &r->concat_split, "concat_s", "per_chunk_s");
    print_line(f, "concat (1 GOP)", &r->concat_fixed, "concat_s", "per_chunk_s");
}

enum { O_REPEATS = 256, O_GOP, O_FPS, O_SECONDS, O_TIMEOUT, O_SIZE, O_INPUT, O_PRESET };

static const struct option options[] = {
    {"input", required_argument, NULL, O_INPUT},
    {"repeats", required_argument, NULL, O_REPEATS},
    {"output", required_argument, NULL, 'o'},
    {"size", required_argument, NULL, O_SIZE},
    {"seconds", required_argument, NULL, O_SECONDS},
    {"fps", required_argument, NULL, O_FPS},
    {"gop", required_argument, NULL, O_GOP},
    {"preset", required_argument, NULL, O_PRESET},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {NULL, 0, NULL, 0},
};

int cli_calibrate_ffmpeg(int argc, char **argv)
{
    cal_ffmpeg_opts o;
    cal_ffmpeg_opts_default(&o);
    const char *out = NULL;
    char err[1024];
    long l;

    cli_parser p;
    cli_parser_init(&p, "calibrate ffmpeg", "o:", options, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        const char *v = p.val;
        int bad = 0;
        switch (c) {
        case CLI_P_ERR: return CLI_EUSAGE;
        case CLI_P_HELP: usage(stdout); return CLI_OK;
        case CLI_P_POS: return cli_usage_error("calibrate ffmpeg: unexpected argument '%s' (see --help)", v);
        case O_REPEATS: bad = cli_parse_long("--repeats", v, 1, 1000, &l); o.repeats = (int)l; break;
        case O_GOP: bad = cli_parse_long("--gop", v, 1, 100000, &l); o.gop = (int)l; break;
        case O_FPS: bad = cli_parse_long("--fps", v, 1, 1000, &l); o.fps = (int)l; break;
        case O_SECONDS: bad = cli_parse_double("--seconds", v, 0.001, 86400, &o.seconds); break;
        case O_TIMEOUT: bad = cli_parse_double("--timeout", v, 0.001, 1e6, &o.timeout_s); break;
        case O_SIZE: bad = cli_parse_size("--size", v, 16, 16384, 1, &o.width, &o.height); break;
        case O_INPUT: o.input = v; break;
        case O_PRESET: o.preset = v; break;
        case 'o': out = v; break;
        }
        if (bad)
            return CLI_EUSAGE;
        if (!*v && (c == O_INPUT || c == O_PRESET || c == 'o'))
            return cli_usage_error("calibrate ffmpeg: %s needs a value", p.name);
    }
    if (p.rest < argc)
        return cli_usage_error("calibrate ffmpeg: unexpected argument '%s' (see --help)", argv[p.rest]);
    if (out && cli_check_out_dir(out))
        return cli_usage_error("%s: cannot write there", out);

    gsl_set_error_handler_off();
    cli_cancel cancel;
    volatile sig_atomic_t *interrupted = cli_cancel_begin(&cancel);
    o.cancel = interrupted;
    cli_progress pg;
    cli_progress_begin(&pg, "calibrate ffmpeg", "phases", o.input ? 4 : 5);
    pg.step_starts = 1; /* each line starts a phase: generate?, startup, seek, codec, concat */
    pg.eta = 0;         /* the phases take very different times */
    o.progress = cli_progress_step;
    o.progress_ctx = &pg;

    cal_ffmpeg_result *r = NULL;
    cJSON *doc = NULL;
    int rc = cal_ffmpeg_run(&o, &r, err, sizeof err);
    cli_progress_end(&pg);
    cli_cancel_end(&cancel);
    if (rc) {
        cli_fail(rc, "%s", err);
        goto cleanup;
    }
    doc = cal_ffmpeg_result_json(r);
    if (!doc) {
        rc = cli_fail(CLI_ERUNTIME, "calibrate ffmpeg: out of memory");
        goto cleanup;
    }
    if ((rc = cli_write_json(doc, out)))
        goto cleanup;
    print_summary(out ? stdout : stderr, r);

cleanup:
    cJSON_Delete(doc);
    cal_ffmpeg_result_free(r);
    return rc;
}
