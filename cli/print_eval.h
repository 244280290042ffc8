/* cli/print_eval.h -- the human-readable result table and verdict, and the
 * JSON/CSV emitters, shared by advise, model and sim. */
#ifndef FORKCAST_CLI_PRINT_EVAL_H
#define FORKCAST_CLI_PRINT_EVAL_H

#include "model/evaluate.h"

#include <stdio.h>

/* Table: one row per k; `sim` (nullable) adds the simulated p95 next to the
 * model's mean. */
void cli_print_eval(FILE *f, const model_scenario *s, const model_eval *e, const model_eval *sim);
/* Print e as JSON (docs/outputs.md) to stdout, or as CSV to f (model/output.h;
 * simcol: advise's simulated columns, from sim or empty); returns CLI_OK or
 * CLI_ERUNTIME. */
int cli_emit_json(const model_scenario *s, const model_eval *e);
int cli_emit_csv(FILE *f, const model_scenario *s, const model_eval *e, int simcol, const model_eval *sim);

#endif
