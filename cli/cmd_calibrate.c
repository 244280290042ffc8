/* cli/cmd_calibrate.c -- `forkcast calibrate MODE ...`: dispatch to one mode.
 * Each mode is `int cli_calibrate_MODE(int argc, char **argv)` (argv[0] is the
 * mode name) in its own cli/cal_MODE.c and returns an exit status. */
#include "calibrate/av_lazy.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

const cli_command cli_calibrate_modes[] = {
    {"kernels", cli_calibrate_kernels, "per-frame cost of the overlay and framing kernels (cpu, cuda)"},
    {"pipeline", cli_calibrate_pipeline, "decode -> kernel -> encode per frame, where the time goes"},
    {"ffmpeg", cli_calibrate_ffmpeg, "FFmpeg startup, seek vs GOP, decode/encode, concat vs k"},
    {"command", cli_calibrate_command, "time any command at several frame counts, fit a line"},
    {"fit", cli_calibrate_fit, "fit free scenario fields to experiment results (wall, cost, speedup)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast calibrate MODE [ARGS]   (forkcast calibrate MODE --help)\n\n"
               "Measure what a stage really costs; each mode writes a scenario fragment\n"
               "(JSON, -o FILE) that `forkcast advise|model|sim --with FILE` merges.\n\n");
    for (const cli_command *m = cli_calibrate_modes; m->name; m++)
        fprintf(f, "  %-9s %s\n", m->name, m->summary);
}

int cli_cmd_calibrate(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EUSAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    for (const cli_command *m = cli_calibrate_modes; m->name; m++) {
        if (strcmp(argv[1], m->name))
            continue;
        /* The modes that use the FFmpeg libraries load them here (av_lazy). */
        if (strcmp(m->name, "fit") && strcmp(m->name, "command")) {
            char err[600];
            if (cal_av_load(err, sizeof err))
                return cli_fail(CLI_ERUNTIME, "calibrate %s: %s", m->name, err);
        }
        return m->run(argc - 1, argv + 1);
    }
    return cli_usage_error("calibrate: unknown mode '%s' (see forkcast calibrate --help)", argv[1]);
}
