/* cli/scenario_args.c -- shared scenario options and loading. */
#include "cli/scenario_args.h"
#include "cli/cli.h"
#include "base/status.h"
#include "model/bounds.h"
#include "model/profile.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char cli_scen_help[] =
    "  FILE                scenario JSON (docs/scenario.md); none: the built-in overlay-e7\n"
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
    "  --json | --csv      machine-readable output\n"
    "  --quiet             no progress output on stderr (docs/cli.md)\n";

const struct option cli_scen_options[] = {
    {"with", required_argument, NULL, CLI_SO_WITH},
    {"allow-kernel-only", no_argument, NULL, CLI_SO_KERNEL_ONLY},
    {"frames", required_argument, NULL, CLI_SO_FRAMES},
    {"gpus", required_argument, NULL, CLI_SO_GPUS},
    {"per-frame", required_argument, NULL, CLI_SO_PER_FRAME},
    {"objective", required_argument, NULL, CLI_SO_OBJECTIVE},
    {"usd-per-hour", required_argument, NULL, CLI_SO_USD_PER_HOUR},
    {NULL, 0, NULL, 0},
};

static const struct option out_options[] = {CLI_SCEN_OUT_OPTIONS, {NULL, 0, NULL, 0}};

void cli_scen_init(cli_scen_args *a)
{
    memset(a, 0, sizeof *a);
    a->per_frame = -1;
}

int cli_scen_opt(cli_scen_args *a, int id, const char *v)
{
    switch (id) {
    case CLI_SO_JSON: a->json = 1; return 1;
    case CLI_SO_CSV: a->csv = 1; return 1;
    case CLI_SO_KERNEL_ONLY: a->allow_kernel_only = 1; return 1;
    case CLI_SO_WITH:
        if (a->nwith >= CLI_MAX_WITH) {
            cli_usage_error("--with: at most %d profiles", CLI_MAX_WITH);
            return -1;
        }
        a->with[a->nwith++] = v;
        return 1;
    case CLI_SO_FRAMES: return cli_parse_long("--frames", v, 1, MODEL_MAX_FRAMES, &a->frames) ? -1 : 1;
    case CLI_SO_PER_FRAME: return cli_parse_double("--per-frame", v, 0, INFINITY, &a->per_frame) ||
                                   cli_check_field("--per-frame", "stage.per_frame_s", a->per_frame)
                               ? -1
                               : 1;
    case CLI_SO_GPUS:
        return cli_parse_int_list("--gpus", v, 1, MODEL_MAX_GPUS, a->gpus, MODEL_MAX_GPU_LIST, &a->ngpus) ? -1 : 1;
    case CLI_SO_OBJECTIVE:
        if (!strcmp(v, "value-of-time"))
            a->opts.objective = MODEL_OBJ_VALUE_OF_TIME;
        else if (!strcmp(v, "thresholds"))
            a->opts.objective = MODEL_OBJ_THRESHOLDS;
        else {
            cli_usage_error("--objective: must be thresholds or value-of-time (got '%s')", v);
            return -1;
        }
        return 1;
    case CLI_SO_USD_PER_HOUR:
        return cli_parse_double("--usd-per-hour", v, 0, 1e9, &a->opts.usd_per_hour) ? -1 : 1;
    }
    return 0;
}

int cli_scen_file(cli_scen_args *a, const char *arg)
{
    if (a->file) {
        cli_usage_error("unexpected argument '%s' (one scenario file only)", arg);
        return -1;
    }
    a->file = arg;
    return 0;
}

int cli_scen_parse(cli_scen_args *a, const char *cmd, const char *shorts, const struct option *own,
                   cli_scen_take_fn take, void *ctx, int argc, char **argv)
{
    cli_parser p;
    int c, t;
    cli_parser_init(&p, cmd, shorts, own, cli_scen_options);
    while ((c = cli_parser_next(&p, argc, argv)) != CLI_P_END) {
        if (c == CLI_P_ERR)
            return CLI_EUSAGE;
        if (c == CLI_P_HELP)
            return CLI_P_HELP;
        if ((t = take ? take(ctx, c, p.val) : 0) == 0)
            t = c == CLI_P_POS ? (cli_scen_file(a, p.val) ? -1 : 1) : cli_scen_opt(a, c, p.val);
        if (t < 0)
            return CLI_EUSAGE;
        if (t == 0) /* -o where the command has none */
            return cli_unknown_option(cmd, p.name, p.all);
    }
    for (int i = p.rest; i < argc; i++)
        if ((t = take ? take(ctx, CLI_P_POS, argv[i]) : 0) < 0 || (t == 0 && cli_scen_file(a, argv[i])))
            return CLI_EUSAGE;
    return CLI_OK;
}

/* The entry of name (exact) in the shared tables, or NULL. */
static const struct option *find(const char *name, size_t len)
{
    const struct option *tabs[] = {cli_scen_options, out_options};
    for (int t = 0; t < 2; t++)
        for (const struct option *o = tabs[t]; o->name; o++)
            if (strlen(o->name) == len && !strncmp(o->name, name, len))
                return o;
    return NULL;
}

int cli_scen_take(cli_scen_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (arg[0] != '-' || !arg[1])
        return cli_scen_file(a, arg) ? -1 : 1;
    if (strncmp(arg, "--", 2))
        return 0;
    size_t len = strcspn(arg + 2, "=");
    const struct option *o = find(arg + 2, len);
    if (!o)
        return 0;
    const char *v = NULL;
    if (o->has_arg == no_argument) {
        if (arg[2 + len]) {
            cli_usage_error("--%s: takes no value (got '%s')", o->name, arg);
            return -1;
        }
    } else if (arg[2 + len]) {
        v = arg + 3 + len;
    } else if (*i + 1 < argc) {
        v = argv[++*i];
    } else {
        cli_usage_error("--%s: missing value", o->name);
        return -1;
    }
    return cli_scen_opt(a, o->val, v);
}

int cli_scen_load(cli_scen_args *a, model_scenario *s)
{
    char err[1024];
    int rc;
    if (a->json && a->csv)
        return cli_usage_error("--json and --csv exclude each other");
    if (a->opts.objective == MODEL_OBJ_VALUE_OF_TIME && a->opts.usd_per_hour <= 0)
        return cli_usage_error("--objective value-of-time needs --usd-per-hour X (X > 0)");
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
    if ((a->frames > 0 || a->per_frame >= 0 || a->ngpus > 0) && cli_check_overrides(s))
        return CLI_EUSAGE;
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
