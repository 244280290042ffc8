/* cli/progress.h -- progress of long work on stderr, one mechanism for
 * every subcommand (docs/cli.md):
 *   - stderr a terminal: a live bar, redrawn at most every 0.1 s, shown once
 *     the work has run 1 s, erased at the end;
 *   - otherwise (logs, CI): plain lines "forkcast: TASK: [PHASE: ]D/T UNIT
 *     (P%), E s elapsed, about R s left", at most one every
 *     FORKCAST_PROGRESS_S seconds (default 5; the first after that long, so a
 *     short run prints nothing), and "forkcast: TASK: done ..." at the end
 *     when any line was printed;
 *   - --quiet (cli_quiet, cli/opts.h): nothing.
 * A progress is driven by cli_progress_update() or by one of the adapters
 * below, handed to a library as its callback with the progress as context.
 * Costs: one clock read per update. Not thread-safe: one caller thread
 * (sim's worker 0 alone calls back, sim/mc.h).
 */
#ifndef FORKCAST_CLI_PROGRESS_H
#define FORKCAST_CLI_PROGRESS_H

#include <stdint.h>

#define CLI_PROGRESS_DEFAULT_S 5.0

typedef struct {
    const char *task;      /* "sim", "calibrate ffmpeg" */
    const char *unit;      /* "replications", "runs", "phases" */
    int mode;              /* 0 off, 1 bar, 2 lines */
    int eta;               /* 1: estimate the time left (equal-cost steps) */
    int step_starts;       /* cli_progress_step: 1 a call starts a step, 0 ends one */
    int shown;             /* something was printed */
    double t0, last, interval;
    double done, total;
    long steps, steps_total; /* cli_progress_step's count, its expected total */
    char phase[160];
} cli_progress;

/* Start: the mode from cli_quiet, isatty(2) and FORKCAST_PROGRESS_S.
 * steps_total: the steps cli_progress_step expects, or the replications of
 * cli_progress_mc (0 otherwise). */
void cli_progress_begin(cli_progress *p, const char *task, const char *unit, long steps_total);
/* done of total units (total > 0) in `phase` (NULL: none); rate-limited. */
void cli_progress_update(cli_progress *p, const char *phase, double done, double total);
/* Erase the bar, or print the "done" line when lines were printed. */
void cli_progress_end(cli_progress *p);

/* Adapters, ctx a cli_progress: calibrate kernels/pipeline's (what, done,
 * total); calibrate ffmpeg/command's one line per step (the line is the
 * phase when step_starts); sim's Monte Carlo (done, total), shown as that
 * share of steps_total (the replications asked for) when it is set: the
 * library counts the draws of every pass. */
void cli_progress_count(void *ctx, const char *what, long done, long total);
void cli_progress_step(void *ctx, const char *line);
void cli_progress_mc(uint64_t done, uint64_t total, void *ctx);
/* capacity's (done, total) (sim/capacity.h). */
void cli_progress_cap(void *ctx, double done, double total);

#endif
