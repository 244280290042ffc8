/* cli/cli.h -- the forkcast command line: subcommand table and shared helpers.
 *
 * Each subcommand is `int cli_cmd_NAME(int argc, char **argv)` in its own
 * cli/cmd_NAME.c; argv[0] is the subcommand name. It returns the process exit
 * status: 0 ok, 1 runtime failure, 2 usage or input error (CLI_OK,
 * CLI_ERUNTIME, CLI_EUSAGE). Only cli/ prints diagnostics and exits; library
 * code reports through an error buffer (see base/status.h).
 * Results go to stdout, diagnostics to stderr, each error one line starting
 * with "forkcast: ".
 */
#ifndef FORKCAST_CLI_H
#define FORKCAST_CLI_H

#include "cli/opts.h"
#include "model/scenario.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <stddef.h>

enum { CLI_OK = 0, CLI_ERUNTIME = 1, CLI_EUSAGE = 2 };

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

/* The table lives in cli/main.c; NULL-name terminated. */
extern const cli_command cli_commands[];

int cli_cmd_advise(int argc, char **argv);
int cli_cmd_model(int argc, char **argv);
int cli_cmd_sim(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_capacity(int argc, char **argv);
int cli_cmd_plan(int argc, char **argv);
int cli_cmd_calibrate(int argc, char **argv);
int cli_cmd_plot(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_example(int argc, char **argv);

int cli_cmd_completion(int argc, char **argv);

/* calibrate modes (cli/cal_MODE.c), dispatched by cli/cmd_calibrate.c from
 * this table (NULL-name terminated) */
extern const cli_command cli_calibrate_modes[];
int cli_calibrate_fit(int argc, char **argv);
int cli_calibrate_ffmpeg(int argc, char **argv);
int cli_calibrate_command(int argc, char **argv);
int cli_calibrate_kernels(int argc, char **argv);
int cli_calibrate_pipeline(int argc, char **argv);

/* Print "forkcast: MSG\n" to stderr (printf format). Returns CLI_EUSAGE so a
 * caller can `return cli_usage_error(...)`. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, returning the given status. */
int cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Argument parsers; each returns 0 ok or -1 (message already printed,
 * naming OPT). */
int cli_parse_long(const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);
/* "1,2,4,8" -> out[0..*n); values in [lo, hi]; at most cap entries. */
int cli_parse_int_list(const char *opt, const char *s, long lo, long hi, int *out, int cap, int *n);
/* "A..B" (or a single value A, giving A..A) -> *a, *b with lo <= a <= b <= hi. */
int cli_parse_range(const char *opt, const char *s, double lo, double hi, double *a, double *b);

/* Scenario values given on the command line go through the parser's checks
 * (model/bounds.h, one table): cli_check_field() checks v as field `path`
 * ("--per-frame: stage.per_frame_s: must be at most 3600 (got 5000)"),
 * cli_check_overrides() the cross-field bounds of the overridden scenario.
 * 0 ok, -1 with the message printed (status 2). */
int cli_check_field(const char *opt, const char *path, double v);
int cli_check_overrides(const model_scenario *s);
/* A grid's largest corner (forkcast sweep, plot): frames_hi (0: the
 * scenario's) and per_frame_hi (< 0: the scenario's), checked like
 * overrides. */
int cli_check_grid(const model_scenario *s, double frames_hi, double per_frame_hi);

/* Print a JSON document followed by a newline: to stdout when path is NULL,
 * else atomically into path (base_out_*). Returns CLI_OK, or the status
 * with the one-line message already printed. */
int cli_write_json(const cJSON *doc, const char *path);
/* 0 when the folder that will hold path is writable: checked before a long
 * measurement, not instead of the atomic write. */
int cli_check_out_dir(const char *path);

/* "WxH" -> *w, *h with lo <= side <= hi, both even when `even`. */
int cli_parse_size(const char *opt, const char *s, int lo, int hi, int even, int *w, int *h);

/* Ctrl-C for long measurements: between cli_cancel_begin() and
 * cli_cancel_end() the first SIGINT/SIGTERM/SIGHUP only sets the returned
 * flag (library code polls it and cleans up); the process then ends by that
 * signal when the command returns (exit 130/143/129). A second signal
 * cleans up at once (base/cleanup.h). One at a time. */
typedef struct {
    int unused;
} cli_cancel;
volatile sig_atomic_t *cli_cancel_begin(cli_cancel *c);
void cli_cancel_end(cli_cancel *c);
/* Progress of long work: cli/progress.h. */

#endif
