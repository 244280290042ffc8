/* cli/scenario_args.h -- the options every scenario-reading subcommand shares
 * (advise, model, sim, sweep, plot, report, capacity):
 *   [FILE] --with PROFILE (repeatable) --allow-kernel-only --frames N
 *   --gpus LIST --per-frame S --objective thresholds|value-of-time
 *   --usd-per-hour X, and (CLI_SCEN_OUT_OPTIONS) --json --csv
 * cli_scen_options is their getopt_long table (cli/opts.h); cli_scen_opt()
 * takes one of them by its id, cli_scen_file() the FILE. Without FILE every
 * command reads the built-in overlay-e7 default. cli_scen_take() is the same
 * for one argv element (capacity's loop); cli_scen_parse() the whole loop.
 * cli_scen_load() loads the scenario (or the built-in default when no
 * FILE), applies the overrides and prints on stderr one line per field a
 * profile applied ("forkcast: applied FIELD = VALUE from FILE (how it was
 * measured)", model/profile.h), so stdout stays parseable. The scenario it
 * fills is owned by the caller: model_scenario_free() it.
 */
#ifndef FORKCAST_CLI_SCENARIO_ARGS_H
#define FORKCAST_CLI_SCENARIO_ARGS_H

#include "cli/opts.h"
#include "model/evaluate.h"
#include "model/scenario.h"

#include <stdio.h>

#define CLI_MAX_WITH 16

typedef struct {
    const char *file;
    const char *with[CLI_MAX_WITH];
    int nwith;
    int allow_kernel_only; /* --allow-kernel-only: apply kernel-only profiles */
    long frames;        /* 0: from the file */
    double per_frame;   /* < 0: from the file */
    int gpus[MODEL_MAX_GPU_LIST];
    int ngpus;          /* 0: from the file */
    int json, csv;
    model_opts opts;
} cli_scen_args;

/* getopt_long ids of the shared options. */
enum {
    CLI_SO_WITH = 0x5300, CLI_SO_KERNEL_ONLY, CLI_SO_FRAMES, CLI_SO_GPUS, CLI_SO_PER_FRAME, CLI_SO_OBJECTIVE,
    CLI_SO_USD_PER_HOUR, CLI_SO_JSON, CLI_SO_CSV,
};
/* The shared options but --json/--csv (not every command has them),
 * zero-ended; a command's own entry of the same name goes first and wins. */
extern const struct option cli_scen_options[];
#define CLI_SCEN_OUT_OPTIONS \
    {"json", no_argument, NULL, CLI_SO_JSON}, {"csv", no_argument, NULL, CLI_SO_CSV}

void cli_scen_init(cli_scen_args *a);
/* One shared option by id with its value: 1 taken, 0 not ours, -1 error printed. */
int cli_scen_opt(cli_scen_args *a, int id, const char *val);
/* The FILE argument: 0, or -1 (a second one) printed. */
int cli_scen_file(cli_scen_args *a, const char *arg);
/* The same for one argument argv[*i] ("--opt V", "--opt=V", FILE): 1
 * consumed (i advanced past any value), 0 not ours, -1 error printed. */
int cli_scen_take(cli_scen_args *a, int argc, char **argv, int *i);
/* A scenario command's whole parse: argv through cli_parser with the
 * command's own table `own` (it may repeat a shared name: its entry wins),
 * then cli_scen_options, and its short options `shorts` ("o:" or NULL). Each option or positional goes first to
 * take(ctx, c, val) (1 taken, 0 not its own, -1 error printed); what it
 * leaves goes to cli_scen_opt() or, a positional, cli_scen_file(); the
 * arguments after "--" are positionals too. Returns CLI_OK, CLI_EUSAGE
 * (printed) or CLI_P_HELP (-h/--help: the caller prints its usage). */
typedef int (*cli_scen_take_fn)(void *ctx, int c, const char *val);
int cli_scen_parse(cli_scen_args *a, const char *cmd, const char *shorts, const struct option *own,
                   cli_scen_take_fn take, void *ctx, int argc, char **argv);
int cli_scen_load(cli_scen_args *a, model_scenario *s);
/* The applied-profile lines of s (none without profiles), one per field. */
void cli_print_applied(FILE *f, const model_scenario *s);
/* Help text for the shared options. */
extern const char cli_scen_help[];

#endif
