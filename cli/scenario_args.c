/* cli/scenario_args.c -- shared scenario options and loading. */
#include "cli/scenario_args.h"
#include "cli/cli.h"
#include "base/status.h"
#include "model/bounds.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char cli_scen_help[] =
    "  FILE                scenario JSON (docs/scenario.md)\n"
    "  --with PROFILE      merge a calibration profile / scenario fragment (repeatable)\n"
    "  --frames N          override job.frames\n"
    "  --gpus LIST         override parallel.gpus, e.g. 1,2,4,8\n"
    "  --per-frame S       override stage.per_frame_s (seconds, fixed)\n"
    "  --objective O       thresholds (default) or value-of-time\n"
    "  --usd-per-hour X    value of an hour of waiting, for --objective value-of-time\n"
    "  --json | --csv      machine-readable output\n";

void cli_scen_init(cli_scen_args *a, int allow_default)
{
    memset(a, 0, sizeof *a);
    a->per_frame = -1;
    a->allow_default = allow_default;
}

int cli_opt_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && (arg[n] == 0 || arg[n] == '=');
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
    const char *eq = strchr(argv[*i], '=');
    if (eq && !strncmp(argv[*i], "--", 2))
        return eq + 1;
    if (*i + 1 >= argc) {
        cli_usage_error("%s: missing value", name);
        return NULL;
    }
    return argv[++*i];
}

int cli_scen_take(cli_scen_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v;
    if (!strcmp(arg, "--json")) {
        a->json = 1;
        return 1;
    }
    if (!strcmp(arg, "--csv")) {
        a->csv = 1;
        return 1;
    }
    if (cli_opt_is(arg, "--with")) {
        if (!(v = cli_opt_value(argc, argv, i, "--with")))
            return -1;
        if (a->nwith >= CLI_MAX_WITH) {
            cli_usage_error("--with: at most %d profiles", CLI_MAX_WITH);
            return -1;
        }
        a->with[a->nwith++] = v;
        return 1;
    }
    if (cli_opt_is(arg, "--frames")) {
        if (!(v = cli_opt_value(argc, argv, i, "--frames")) ||
            cli_parse_long("--frames", v, 1, MODEL_MAX_FRAMES, &a->frames))
            return -1;
        return 1;
    }
    if (cli_opt_is(arg, "--per-frame")) {
        if (!(v = cli_opt_value(argc, argv, i, "--per-frame")) ||
            cli_parse_double("--per-frame", v, 0, INFINITY, &a->per_frame) ||
            cli_check_field("--per-frame", "stage.per_frame_s", a->per_frame))
            return -1;
        return 1;
    }
    if (cli_opt_is(arg, "--gpus")) {
        if (!(v = cli_opt_value(argc, argv, i, "--gpus")) ||
            cli_parse_int_list("--gpus", v, 1, MODEL_MAX_GPUS, a->gpus, MODEL_MAX_GPU_LIST, &a->ngpus))
            return -1;
        return 1;
    }
    if (cli_opt_is(arg, "--objective")) {
        if (!(v = cli_opt_value(argc, argv, i, "--objective")))
            return -1;
        if (!strcmp(v, "value-of-time"))
            a->opts.objective = MODEL_OBJ_VALUE_OF_TIME;
        else if (!strcmp(v, "thresholds"))
            a->opts.objective = MODEL_OBJ_THRESHOLDS;
        else {
            cli_usage_error("--objective: must be thresholds or value-of-time (got '%s')", v);
            return -1;
        }
        return 1;
    }
    if (cli_opt_is(arg, "--usd-per-hour")) {
        if (!(v = cli_opt_value(argc, argv, i, "--usd-per-hour")) ||
            cli_parse_double("--usd-per-hour", v, 0, 1e9, &a->opts.usd_per_hour))
            return -1;
        return 1;
    }
    if (arg[0] == '-' && arg[1])
        return 0;
    if (a->file) {
        cli_usage_error("unexpected argument '%s' (one scenario file only)", arg);
        return -1;
    }
    a->file = arg;
    return 1;
}

int cli_scen_load(cli_scen_args *a, model_scenario *s)
{
    char err[1024];
    int rc;
    if (a->json && a->csv)
        return cli_usage_error("--json and --csv exclude each other");
    if (a->opts.objective == MODEL_OBJ_VALUE_OF_TIME && a->opts.usd_per_hour <= 0)
        return cli_usage_error("--objective value-of-time needs --usd-per-hour X (X > 0)");
    if (!a->file && !a->allow_default)
        return cli_usage_error("missing scenario FILE (try `forkcast example > s.json`)");
    if (a->file)
        rc = model_scenario_load(a->file, a->with, a->nwith, s, err, sizeof err);
    else
        rc = model_scenario_default(a->with, a->nwith, s, err, sizeof err);
    if (rc)
        return cli_fail(rc, "%s", err);
    if (a->frames > 0) {
        s->frames = a->frames;
        s->frames_dist = model_dist_fixed((double)a->frames);
    }
    if (a->per_frame >= 0)
        s->per_frame = model_dist_fixed(a->per_frame);
    if (a->ngpus > 0) {
        memcpy(s->gpus, a->gpus, sizeof a->gpus);
        s->ngpus = model_gpu_list_normalize(s->gpus, a->ngpus);
    }
    if ((a->frames > 0 || a->per_frame >= 0 || a->ngpus > 0) && cli_check_overrides(s))
        return CLI_EUSAGE;
    return CLI_OK;
}
