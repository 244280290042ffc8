/* cli/cap_print.h -- what `forkcast capacity` prints (cli/cmd_capacity.c):
 * one run, a transient run's buckets and a sweep, as text, CSV or JSON
 * (docs/capacity.md has the fields). Only cli/ includes this. Everything
 * borrows its arguments; the JSON printers return the command's status. */
#ifndef FORKCAST_CLI_CAP_PRINT_H
#define FORKCAST_CLI_CAP_PRINT_H

#include "model/scenario.h"
#include "sim/cap_pipe.h"
#include "sim/cap_sweep.h"
#include "sim/capacity.h"

void cli_cap_text(const model_scenario *s, const sim_cap_result *r);
void cli_cap_csv(const sim_cap_result *r);
int cli_cap_json(const model_scenario *s, const sim_cap_result *r, const sim_cap_bucket *bk, int nbk);

void cli_cap_transient_text(const model_scenario *s, const sim_cap_result *r, const sim_cap_bucket *bk, int nbk);
void cli_cap_transient_csv(const sim_cap_bucket *bk, int nbk);

void cli_cap_sweep_text(const model_scenario *s, const sim_cap_sweep *sw);
void cli_cap_sweep_csv(const sim_cap_sweep *sw);
int cli_cap_sweep_json(const model_scenario *s, const sim_cap_sweep *sw);

/* "forkcast: warning: unstable: ..." on stderr for each unstable run. */
void cli_cap_warn(const sim_cap_result *r, const char *what);

/* A pipeline (sim/cap_pipe.h): each group's pool and figures, then end to
 * end; the sweep of a cap over the groups. The warning names each unstable
 * group ("what" prefixes it: a sweep's size). */
void cli_cap_pipe_text(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_result *r);
void cli_cap_pipe_csv(const sim_cap_plan *pl, const sim_cap_pipe_result *r);
int cli_cap_pipe_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_result *r);
void cli_cap_pipe_sweep_text(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_sweep *ps);
void cli_cap_pipe_sweep_csv(const sim_cap_pipe_sweep *ps);
int cli_cap_pipe_sweep_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_sweep *ps);
void cli_cap_pipe_warn(const sim_cap_plan *pl, const sim_cap_pipe_result *r, const char *what);

#endif
