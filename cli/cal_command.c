/* cli/cal_command.c -- `forkcast calibrate command`: time any stage at
 * several frame counts and fit t = fixed + per_frame * frames. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"

#include "calibrate/command_cal.h"
#include "calibrate/video_index.h"
#include "base/status.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#define MAX_FRAME_COUNTS 64

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast calibrate command [--frames 30,60,120,240] [--repeats R]\n"
            "                                 [--timeout S] [--input FILE] [--output-ext EXT]\n"
            "                                 [-o FILE] -- CMD ARGS...\n\n"
            "Run CMD (fork/exec, no shell unless you write `sh -c '...'`) repeats times at each\n"
            "frame count, time each run (CLOCK_MONOTONIC wall time), and fit\n"
            "  seconds = fixed + per_frame * frames   (gsl_fit_linear, 95%% Student-t intervals).\n"
            "In the arguments {frames} becomes the frame count, {input} the --input file and\n"
            "{output} a fresh temp path per run (TMP/out-N.EXT, removed after the run).\n\n"
            "  --frames LIST   frame counts, each >= 1, two or more distinct (default 30,60,120,240,\n"
            "                  with --input of N < 240 frames: N/8,N/4,N/2,N)\n"
            "  --repeats R     runs per frame count (default 3); frames x repeats >= 3\n"
            "  --timeout S     seconds per run before its process group is killed (default 600)\n"
            "  --input FILE    video for {input}; must be a readable video file\n"
            "  --output-ext E  extension of {output} (default mp4)\n"
            "  --quiet         no progress on stderr (by default: runs done, time left)\n"
            "  -o FILE         write the JSON there (atomically) and the table to stdout;\n"
            "                  without -o the JSON goes to stdout and the table to stderr\n\n"
            "Writes {\"stage\":{\"per_frame_s\":b,\"ffmpeg_start_s\":a},\"fit\":{\"per_frame_s\":\n"
            "{\"value\":b,\"ci95\":[lo,hi]},\"fixed_s\":{...},\"r2\":r,\"points\":[...]},\n"
            "\"_provenance\":{...}} (end to end, the machine, the warnings); a negative fitted\n"
            "value is clamped at 0 in \"stage\" (noted on stderr). Warned on stderr and in the\n"
            "profile: r2 < 0.95, a per-frame interval reaching 0, a fixed cost above the\n"
            "per-frame part at the largest count. A command without {frames}, or a run that\n"
            "exits non-zero, cannot start or times out, is an input error (exit 2); nothing\n"
            "is written.\n");
}

static void print_table(FILE *f, const cal_command_result *r, const int *frames, size_t nframes)
{
    fprintf(f, "%8s %6s %12s %12s %12s\n", "frames", "runs", "median_s", "fit_s", "resid_s");
    for (size_t i = 0; i < nframes; i++) {
        double s[1024];
        size_t m = 0;
        for (size_t j = 0; j < r->n && m < 1024; j++)
            if (r->frames[j] == frames[i])
                s[m++] = r->seconds[j];
        int dup = 0;
        for (size_t k = 0; k < i; k++)
            dup |= frames[k] == frames[i];
        if (dup || m == 0)
            continue;
        /* median by insertion sort: m is small */
        for (size_t a = 1; a < m; a++)
            for (size_t b = a; b > 0 && s[b - 1] > s[b]; b--) {
                double t = s[b];
                s[b] = s[b - 1];
                s[b - 1] = t;
            }
        double med = m % 2 ? s[m / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
        double fit = r->fit.c0 + r->fit.c1 * frames[i];
        fprintf(f, "%8d %6zu %12.6f %12.6f %12.6f\n", frames[i], m, med, fit, med - fit);
    }
    fprintf(f, "per_frame_s %.6g  95%% [%.6g, %.6g]\n", r->fit.c1, r->fit.c1_ci[0],
            r->fit.c1_ci[1]);
    fprintf(f, "fixed_s     %.6g  95%% [%.6g, %.6g]\n", r->fit.c0, r->fit.c0_ci[0],
            r->fit.c0_ci[1]);
    fprintf(f, "r2          %.6f  (%zu runs)\n", r->fit.r2, r->n);
}

/* The default counts for an input of n < 240 frames: n/8, n/4, n/2, n (the
 * same factor-8 span as 30..240), the distinct ones that are >= 1. */
static void default_frames_for(long n, int *frames, int *nframes)
{
    *nframes = 0;
    for (int d = 8; d >= 1; d /= 2) {
        int f = (int)(n / d);
        if (f >= 1 && (*nframes == 0 || frames[*nframes - 1] != f))
            frames[(*nframes)++] = f;
    }
}

enum { O_FRAMES = 256, O_REPEATS, O_TIMEOUT, O_INPUT, O_EXT };

static const struct option options[] = {
    {"frames", required_argument, NULL, O_FRAMES},
    {"repeats", required_argument, NULL, O_REPEATS},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"input", required_argument, NULL, O_INPUT},
    {"output-ext", required_argument, NULL, O_EXT},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

int cli_calibrate_command(int argc, char **argv)
{
    int frames[MAX_FRAME_COUNTS] = {30, 60, 120, 240};
    int nframes = 4, frames_given = 0;
    long repeats = 3;
    double timeout = 600;
    const char *input = NULL, *out = NULL, *ext = "mp4";
    char **cmd = NULL;
    int cmdc = 0, seen_sep = 0;
    char err[1024];

    cli_parser p;
    cli_parser_init(&p, "calibrate command", "o:", options, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        const char *v = p.val;
        int bad = 0;
        switch (c) {
        case CLI_P_ERR: return CLI_EUSAGE;
        case CLI_P_HELP: usage(stdout); return CLI_OK;
        case CLI_P_POS: return cli_usage_error("calibrate command: put the command after -- (got '%s')", v);
        case O_FRAMES:
            bad = cli_parse_int_list("--frames", v, 1, 1000000000, frames, MAX_FRAME_COUNTS, &nframes);
            frames_given = 1;
            break;
        case O_REPEATS: bad = cli_parse_long("--repeats", v, 1, 1000, &repeats); break;
        case O_TIMEOUT: bad = cli_parse_double("--timeout", v, 0.001, 1e6, &timeout); break;
        case O_INPUT: input = v; break;
        case O_EXT: ext = v; break;
        case 'o': out = v; break;
        }
        if (bad)
            return CLI_EUSAGE;
        if (!*v && (c == O_INPUT || c == O_EXT || c == 'o'))
            return cli_usage_error("calibrate command: %s needs a value", p.name);
    }
    seen_sep = p.dashdash;
    cmd = argv + p.rest;
    cmdc = argc - p.rest;
    if (!seen_sep || cmdc < 1 || !cmd[0][0])
        return cli_usage_error("calibrate command: no command given after -- "
                               "(forkcast calibrate command [OPTIONS] -- CMD ARGS...)");
    if (out && cli_check_out_dir(out))
        return cli_usage_error("%s: cannot write there", out);

    gsl_set_error_handler_off();
    long in_frames = 0;
    if (input) { /* the stage's input must be a video we can read */
        cal_video *v = NULL;
        int rc = cal_video_load(input, &v, err, sizeof err);
        in_frames = v ? (long)v->nframes : 0;
        cal_video_free(v);
        if (rc)
            return cli_fail(rc, "%s", err);
    }
    if (!frames_given && in_frames > 0 && in_frames < 240)
        default_frames_for(in_frames, frames, &nframes);

    cli_cancel cancel;
    volatile sig_atomic_t *interrupted = cli_cancel_begin(&cancel);
    cli_progress pg;
    cli_progress_begin(&pg, "calibrate command", "runs", (long)nframes * repeats);

    cal_command_opts o = {
        .argv = cmd, .argc = cmdc, .frames = frames, .nframes = (size_t)nframes,
        .repeats = (int)repeats, .timeout_s = timeout, .input = input, .input_frames = in_frames, .output_ext = ext,
        .cancel = interrupted,
        .progress = cli_progress_step, /* one line per run done */
        .progress_ctx = &pg,
    };
    cal_command_result *r = NULL;
    cJSON *doc = NULL;
    int rc = cal_command_run(&o, &r, err, sizeof err);
    cli_progress_end(&pg);
    cli_cancel_end(&cancel);
    if (rc) {
        cli_fail(rc, "%s", err);
        goto cleanup;
    }
    doc = cal_command_result_json(r, &o);
    if (!doc) {
        rc = cli_fail(CLI_ERUNTIME, "calibrate command: out of memory");
        goto cleanup;
    }
    if (r->fixed_clamped)
        fprintf(stderr, "forkcast: note: fitted fixed cost %.6g s is negative; "
                        "stage.ffmpeg_start_s clamped at 0\n", r->fit.c0);
    if (r->per_frame_clamped)
        fprintf(stderr, "forkcast: note: fitted per-frame cost %.6g s is negative; "
                        "stage.per_frame_s clamped at 0\n", r->fit.c1);
    for (int w = 0; w < r->nwarn; w++)
        fprintf(stderr, "forkcast: warning: %s\n", r->warn[w]);
    if ((rc = cli_write_json(doc, out)))
        goto cleanup;
    print_table(out ? stdout : stderr, r, frames, (size_t)nframes);

cleanup:
    cJSON_Delete(doc);
    cal_command_result_free(r);
    return rc;
}
