/* cli/scenario_args.h -- the options every scenario-reading subcommand shares
 * (advise, model, sim, sweep, plot, report):
 *   [FILE] --with PROFILE (repeatable) --allow-kernel-only --frames N
 *   --gpus LIST --per-frame S
 *   --json --csv --objective thresholds|value-of-time --usd-per-hour X
 * cli_scen_take() consumes one of them at argv[*i] (both "--opt V" and
 * "--opt=V"); cli_scen_load() loads the scenario (or the built-in default
 * when no FILE), applies the overrides and prints on stderr one line per
 * field a profile applied ("forkcast: applied FIELD = VALUE from FILE
 * (how it was measured)", model/profile.h), so stdout stays parseable. The scenario it fills is owned by
 * the caller: model_scenario_free() it.
 */
#ifndef FORKCAST_CLI_SCENARIO_ARGS_H
#define FORKCAST_CLI_SCENARIO_ARGS_H

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
    int allow_default;  /* no FILE means the built-in default */
    model_opts opts;
} cli_scen_args;

void cli_scen_init(cli_scen_args *a, int allow_default);
/* 1 consumed (i advanced past any value), 0 not ours, -1 error printed. */
int cli_scen_take(cli_scen_args *a, int argc, char **argv, int *i);
/* Value of "--opt V" / "--opt=V" at argv[*i]; NULL and a message if missing. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* 1 if argv[*i] is --name or --name=...; */
int cli_opt_is(const char *arg, const char *name);
int cli_scen_load(cli_scen_args *a, model_scenario *s);
/* The applied-profile lines of s (none without profiles), one per field. */
void cli_print_applied(FILE *f, const model_scenario *s);
/* Help text for the shared options. */
extern const char cli_scen_help[];

#endif
