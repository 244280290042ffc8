/* cli/progress.c -- the progress bar and lines (cli/progress.h). */
#include "cli/progress.h"
#include "cli/opts.h"
#include "base/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BAR_AFTER_S 1.0
#define BAR_EVERY_S 0.1
#define BAR_WIDTH 30

static double interval_from_env(void)
{
    const char *v = getenv("FORKCAST_PROGRESS_S");
    char *end;
    double s = v && *v ? strtod(v, &end) : CLI_PROGRESS_DEFAULT_S;
    if (v && *v && (*end || !isfinite(s) || s < 0))
        s = CLI_PROGRESS_DEFAULT_S;
    return s;
}

void cli_progress_begin(cli_progress *p, const char *task, const char *unit, long steps_total)
{
    memset(p, 0, sizeof *p);
    p->task = task;
    p->unit = unit ? unit : "";
    p->eta = 1;
    p->steps_total = steps_total;
    p->mode = cli_quiet ? 0 : isatty(2) ? 1 : 2;
    p->interval = interval_from_env();
    p->t0 = p->last = base_now_s();
}

/* "D/T UNIT (P%), E s elapsed, about R s left" */
static void status(const cli_progress *p, double now, char *buf, size_t n)
{
    double el = now - p->t0, f = p->total > 0 ? p->done / p->total : 0;
    const char *sep = p->phase[0] ? ": " : "";
    int len = p->total > 0 ? snprintf(buf, n, "%s%s%.0f/%.0f %s (%.0f%%), %.1f s elapsed", p->phase, sep, p->done,
                                      p->total, p->unit, 100 * f, el)
                           : snprintf(buf, n, "%s%s%.0f %s, %.1f s elapsed", p->phase, sep, p->done, p->unit, el);
    double left = f > 0 ? el * (1 - f) / f : 0;
    if (p->eta && f > 0 && f < 1 && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, ", about %.*f s left", left < 10 ? 1 : 0, left);
}

static void draw(cli_progress *p, double now)
{
    char s[320];
    status(p, now, s, sizeof s);
    if (p->mode == 1) {
        int fill = p->total > 0 ? (int)(BAR_WIDTH * p->done / p->total) : 0;
        fill = fill < 0 ? 0 : fill > BAR_WIDTH ? BAR_WIDTH : fill;
        fprintf(stderr, "\rforkcast: %s: [%.*s%*s] %s\033[K", p->task, fill, "##############################",
                BAR_WIDTH - fill, "", s);
    } else {
        fprintf(stderr, "forkcast: %s: %s\n", p->task, s);
    }
    fflush(stderr);
    p->shown = 1;
    p->last = now;
}

void cli_progress_update(cli_progress *p, const char *phase, double done, double total)
{
    if (!p || !p->mode)
        return;
    p->done = done;
    p->total = total;
    snprintf(p->phase, sizeof p->phase, "%s", phase ? phase : "");
    double now = base_now_s();
    if (p->mode == 1) {
        if (now - p->t0 < BAR_AFTER_S || (p->shown && now - p->last < BAR_EVERY_S))
            return;
    } else if (now - p->last < p->interval) {
        return;
    }
    draw(p, now);
}

void cli_progress_end(cli_progress *p)
{
    if (!p || !p->mode || !p->shown)
        return;
    if (p->mode == 1)
        fputs("\r\033[K", stderr);
    else
        fprintf(stderr, "forkcast: %s: done, %.0f %s in %.1f s\n", p->task, p->total > 0 ? p->total : p->done,
                p->unit, base_now_s() - p->t0);
    fflush(stderr);
    p->shown = 0;
}

void cli_progress_count(void *ctx, const char *what, long done, long total)
{
    cli_progress *p = ctx;
    cli_progress_update(p, what, (double)done, (double)(total > 0 ? total : 0));
}

void cli_progress_step(void *ctx, const char *line)
{
    cli_progress *p = ctx;
    p->steps++;
    long done = p->step_starts ? p->steps - 1 : p->steps;
    long total = p->steps_total > p->steps ? p->steps_total : p->steps;
    cli_progress_update(p, p->step_starts ? line : NULL, (double)done, (double)total);
}

void cli_progress_mc(uint64_t done, uint64_t total, void *ctx)
{
    cli_progress *p = ctx;
    double f = total ? (double)done / (double)total : 0, r = (double)p->steps_total;
    if (r > 0) /* the passes' draws as a share of the user's replications */
        cli_progress_update(p, NULL, floor(f * r), r);
    else
        cli_progress_update(p, NULL, (double)done, (double)total);
}

void cli_progress_cap(void *ctx, double done, double total)
{
    cli_progress_update(ctx, NULL, done, total);
}
