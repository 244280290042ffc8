/* cli/scenario_args.c -- shared scenario options and loading. */
#include "cli/scenario_args.h"
#include "cli/cli.h"
#include "base/status.h"
#include "model/profile.h"

#include <stdio.h>
#include <string.h>

const char cli_scen_help[] =
    "  FILE                scenario JSON (docs/scenario.md)\n"
    "  --with PROFILE      apply a calibration profile / scenario fragment (repeatable):\n"
    "                      each field it gives replaces the scenario's value whole;\n"
    "                      one line per applied field on stderr says how it was measured\n"
    "  --allow-kernel-only apply a kernel-only profile (calibrate kernels: decode and\n"
    "                      encode excluded) as the stage's per-frame cost, labelled so\n"
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
    if (!strcmp(arg, "--allow-kernel-only")) {
        a->allow_kernel_only = 1;
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
            cli_parse_double("--per-frame", v, 0, 1e6, &a->per_frame))
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
    unsigned flags = a->allow_kernel_only ? MODEL_PROFILE_ALLOW_KERNEL_ONLY : 0;
    if (a->file)
        rc = model_scenario_load_flags(a->file, a->with, a->nwith, flags, s, err, sizeof err);
    else
        rc = model_scenario_default_flags(a->with, a->nwith, flags, s, err, sizeof err);
    if (rc)
        return cli_fail(rc, "%s", err);
    if (a->frames > 0) {
        s->frames = a->frames;
        s->frames_dist = model_dist_fixed((double)a->frames);
        model_profile_overridden(s->applied, "job.frames", "--frames");
    }
    if (a->per_frame >= 0) {
        s->per_frame = model_dist_fixed(a->per_frame);
        model_profile_overridden(s->applied, "stage.per_frame_s", "--per-frame");
    }
    if (a->ngpus > 0) {
        memcpy(s->gpus, a->gpus, sizeof a->gpus);
        s->ngpus = model_gpu_list_normalize(s->gpus, a->ngpus);
        model_profile_overridden(s->applied, "parallel.gpus", "--gpus");
    }
    cli_print_applied(stderr, s);
    return CLI_OK;
}

/* Measured fields one line each; a file's unmeasured fields (a fitted
 * scenario copies its whole base) one line each up to
 * CLI_APPLIED_GIVEN_LINES, else one line naming them. */
#define CLI_APPLIED_GIVEN_LINES 3

static int is_measured(const cJSON *e)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "measured"));
}

static const char *file_of(const cJSON *e)
{
    return cJSON_GetObjectItemCaseSensitive(e, "file")->valuestring;
}

void cli_print_applied(FILE *f, const model_scenario *s)
{
    char line[2048];
    const cJSON *first = s->applied ? s->applied->child : NULL;
    for (const cJSON *e = first; e; e = e->next) {
        int given = 0, earlier = 0;
        for (const cJSON *g = first; g; g = g->next)
            if (!is_measured(g) && !strcmp(file_of(g), file_of(e))) {
                given++;
                earlier |= g != e && given == 1; /* an earlier given entry of this file */
            }
        if (is_measured(e) || given <= CLI_APPLIED_GIVEN_LINES) {
            model_profile_line(e, s, line, sizeof line);
            fprintf(f, "forkcast: applied %s\n", line);
        } else if (!earlier) { /* the file's first given entry: the summary */
            size_t len = 0;
            for (const cJSON *g = first; g && len + 80 < sizeof line; g = g->next)
                if (!is_measured(g) && !strcmp(file_of(g), file_of(e)))
                    len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", len ? ", " : "",
                                            cJSON_GetObjectItemCaseSensitive(g, "field")->valuestring);
            fprintf(f, "forkcast: applied %d fields as given in %s, not measured (--json lists their values): %s\n",
                    given, file_of(e), line);
        }
    }
}
