/* cli/args.c -- option value parsers and error printing shared by subcommands. */
#include "cli/cli.h"
#include "base/cleanup.h"
#include "base/status.h"
#include "base/text.h"
#include "model/bounds.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLI_MSG_MAX 4096

/* Every diagnostic is one printable line: whatever the message carries (a
 * key with a newline, a file name with control characters, raw bytes) is
 * escaped (base/text.h). */
static void print_line(const char *msg)
{
    char esc[4 * CLI_MSG_MAX + 1];
    base_escape_line(esc, sizeof esc, msg, strlen(msg));
    fprintf(stderr, "forkcast: %s\n", esc);
}

static void vreport(const char *fmt, va_list ap)
{
    char msg[CLI_MSG_MAX + 1];
    vsnprintf(msg, sizeof msg, fmt, ap);
    print_line(msg);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return CLI_EUSAGE;
}

int cli_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return status;
}

int cli_parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || errno) {
        cli_usage_error("%s: expected an integer, got '%s'", opt, s ? s : "");
        return -1;
    }
    if (v < lo || v > hi) {
        cli_usage_error("%s: must be between %ld and %ld (got %ld)", opt, lo, hi, v);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || errno || !isfinite(v)) {
        cli_usage_error("%s: expected a finite number, got '%s'", opt, s ? s : "");
        return -1;
    }
    if (v < lo || v > hi) {
        if (isinf(lo))
            cli_usage_error("%s: must be at most %g (got %g)", opt, hi, v);
        else if (isinf(hi))
            cli_usage_error("%s: must be at least %g (got %g)", opt, lo, v);
        else
            cli_usage_error("%s: must be between %g and %g (got %g)", opt, lo, hi, v);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_int_list(const char *opt, const char *s, long lo, long hi, int *out, int cap, int *n)
{
    *n = 0;
    if (!s || !*s) {
        cli_usage_error("%s: empty list", opt);
        return -1;
    }
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || (*end && *end != ',')) {
            cli_usage_error("%s: expected a comma-separated list of integers, got '%s'", opt, s);
            return -1;
        }
        if (v < lo || v > hi) {
            cli_usage_error("%s: values must be between %ld and %ld (got %ld)", opt, lo, hi, v);
            return -1;
        }
        if (*n >= cap) {
            cli_usage_error("%s: at most %d values", opt, cap);
            return -1;
        }
        out[(*n)++] = (int)v;
        p = *end ? end + 1 : end;
        if (*end && !*p) {
            cli_usage_error("%s: trailing comma in '%s'", opt, s);
            return -1;
        }
    }
    return 0;
}

int cli_parse_range(const char *opt, const char *s, double lo, double hi, double *a, double *b)
{
    if (!s || !*s) {
        cli_usage_error("%s: expected A..B, got ''", opt);
        return -1;
    }
    const char *dots = strstr(s, "..");
    char buf[64];
    if (!dots)
        return cli_parse_double(opt, s, lo, hi, a) ? -1 : (*b = *a, 0);
    size_t len = (size_t)(dots - s);
    if (len == 0 || len >= sizeof buf) {
        cli_usage_error("%s: expected A..B, got '%s'", opt, s);
        return -1;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    if (cli_parse_double(opt, buf, lo, hi, a) || cli_parse_double(opt, dots + 2, lo, hi, b))
        return -1;
    if (*a > *b) {
        cli_usage_error("%s: range start %g is above its end %g", opt, *a, *b);
        return -1;
    }
    return 0;
}

int cli_write_json(const cJSON *doc, const char *path)
{
    char err[1200];
    char *text = doc ? cJSON_Print(doc) : NULL;
    if (!text)
        return cli_fail(CLI_ERUNTIME, "out of memory");
    int rc = CLI_OK;
    if (!path) {
        printf("%s\n", text);
    } else {
        base_out o;
        rc = base_out_open(&o, path, err, sizeof err);
        if (!rc) {
            fprintf(o.f, "%s\n", text);
            rc = base_out_commit(&o, err, sizeof err);
        }
        if (rc)
            cli_fail(rc, "%s", err);
    }
    free(text);
    return rc;
}

int cli_check_out_dir(const char *path)
{
    char *dup = strdup(path);
    if (!dup)
        return -1;
    int ok = access(dirname(dup), W_OK) == 0;
    free(dup);
    return ok ? 0 : -1;
}

int cli_parse_size(const char *opt, const char *s, int lo, int hi, int even, int *w, int *h)
{
    int a, b, n = 0;
    if (!s || sscanf(s, "%dx%d%n", &a, &b, &n) != 2 || s[n] || a < lo || b < lo || a > hi || b > hi ||
        (even && (a % 2 || b % 2))) {
        cli_usage_error("%s: expected WxH with %ssides from %d to %d (e.g. 1920x1080), got '%s'", opt,
                        even ? "even " : "", lo, hi, s ? s : "");
        return -1;
    }
    *w = a;
    *h = b;
    return 0;
}

/* A calibrate mode's Ctrl-C: base/cleanup.h defers the first signal to this
 * flag; main() ends the process by that signal once the mode has returned. */
static volatile sig_atomic_t cancelled;

volatile sig_atomic_t *cli_cancel_begin(cli_cancel *c)
{
    (void)c;
    base_cleanup_install();
    cancelled = 0;
    base_cleanup_defer(&cancelled);
    return &cancelled;
}

void cli_cancel_end(cli_cancel *c)
{
    (void)c;
    base_cleanup_defer(NULL);
}

int cli_check_field(const char *opt, const char *path, double v)
{
    char err[1024];
    int rc = model_scenario_check_value(path, v, opt, err, sizeof err);
    if (rc)
        cli_fail(rc, "%s", err);
    return rc ? -1 : 0;
}

int cli_check_overrides(const model_scenario *s)
{
    char who[1200], err[1500];
    snprintf(who, sizeof who, "%s with the command-line overrides", s->file);
    int rc = model_bounds_scenario(s, who, err, sizeof err);
    if (rc)
        cli_fail(rc, "%s", err);
    return rc ? -1 : 0;
}

int cli_check_grid(const model_scenario *s, double frames_hi, double per_frame_hi)
{
    if (per_frame_hi >= 0 && cli_check_field("--per-frame", "stage.per_frame_s", per_frame_hi))
        return -1;
    model_scenario corner = *s; /* a borrowed view: never freed */
    if (frames_hi > 0)
        corner.frames = (long)frames_hi;
    if (per_frame_hi >= 0)
        corner.per_frame = model_dist_fixed(per_frame_hi);
    return cli_check_overrides(&corner);
}
