/* model/workload.c -- the policy grammar and the workload and pool checks. */
#include "model/workload.h"
#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the policy ------------------------------------------------------------ */

int model_policy_parse(const char *v, model_policy *out)
{
    long a = 0, b = 0;
    char tail;
    if (!strcmp(v, "auto")) {
        *out = (model_policy){MODEL_POLICY_AUTO, 0, 0};
    } else if (sscanf(v, "fixed:%ld%c", &a, &tail) == 1 && a >= 1 && a <= MODEL_MAX_GPUS) {
        *out = (model_policy){MODEL_POLICY_FIXED, (int)a, 0};
    } else if (sscanf(v, "threshold:%ld:%ld%c", &a, &b, &tail) == 2 && a >= 1 && a <= MODEL_MAX_FRAMES &&
               b >= 1 && b <= MODEL_MAX_GPUS) {
        *out = (model_policy){MODEL_POLICY_THRESHOLD, (int)b, a};
    } else {
        return -1;
    }
    return 0;
}

model_policy model_policy_of(const model_scenario *s)
{
    return (model_policy){s->policy, s->policy_k, s->policy_frames};
}

void model_policy_set(model_scenario *s, const model_policy *p)
{
    s->policy = p->kind;
    s->policy_k = p->k;
    s->policy_frames = p->frames;
}

void model_policy_name(const model_scenario *s, char *buf, size_t n)
{
    if (s->policy == MODEL_POLICY_AUTO)
        snprintf(buf, n, "auto");
    else if (s->policy == MODEL_POLICY_FIXED)
        snprintf(buf, n, "fixed:%d", s->policy_k);
    else
        snprintf(buf, n, "threshold:%ld:%d", s->policy_frames, s->policy_k);
}

void model_workload_name(const model_scenario *s, char *buf, size_t n)
{
    char len[64] = "";
    if (s->hours > 0)
        snprintf(len, sizeof len, " for %g h", s->hours);
    else if (s->jobs > 0)
        snprintf(len, sizeof len, " for %ld jobs", s->jobs);
    if (s->trace[0]) {
        snprintf(buf, n, "trace %s%s", s->trace, len);
    } else if (s->has_rate_by_hour) {
        double peak = 0, sum = 0;
        for (int h = 0; h < 24; h++) {
            peak = fmax(peak, s->rate_by_hour[h]);
            sum += s->rate_by_hour[h];
        }
        snprintf(buf, n, "daily profile (%g jobs/day, peak %g/h)%s", sum, peak, len);
    } else {
        snprintf(buf, n, "Poisson %g jobs/h%s", s->rate_per_hour, len);
    }
}

/* ---- the checks ------------------------------------------------------------ */

static int fail(char *err, size_t errsz, const model_scenario *s, const char *field, const char *what)
{
    return base_errf(err, errsz, BASE_EINPUT, "%s: %s: %s", s->file, field, what);
}

static int sources(const model_scenario *s)
{
    return (s->rate_per_hour > 0) + (s->has_rate_by_hour != 0) + (s->trace[0] != 0);
}

static int fail_sources(const model_scenario *s, int n, char *err, size_t errsz)
{
    char buf[128];
    snprintf(buf, sizeof buf, "give exactly one of rate_per_hour, rate_per_hour_by_hour, trace (got %d)", n);
    return fail(err, errsz, s, "workload", buf);
}

/* A run length: hours or jobs (a trace is its own), not both. */
static int check_length(const model_scenario *s, char *err, size_t errsz)
{
    if (!s->trace[0] && s->hours == 0 && s->jobs == 0)
        return fail(err, errsz, s, "workload", "give hours or jobs (the run length)");
    if (s->hours > 0 && s->jobs > 0)
        return fail(err, errsz, s, "workload", "give hours or jobs, not both");
    return BASE_OK;
}

int model_pool_check(const model_scenario *s, char *err, size_t errsz)
{
    char buf[256];
    if (s->max_containers < 0 || s->min_containers < 0 || s->buffer_containers < 0)
        return fail(err, errsz, s, "platform", "container counts must not be negative");
    if (s->max_containers > 0 && s->min_containers > s->max_containers) {
        snprintf(buf, sizeof buf, "must be at most max_containers (got %d > %d)", s->min_containers,
                 s->max_containers);
        return fail(err, errsz, s, "platform.min_containers", buf);
    }
    if (s->max_containers > 0 && s->buffer_containers > s->max_containers) {
        snprintf(buf, sizeof buf, "must be at most max_containers (got %d > %d)", s->buffer_containers,
                 s->max_containers);
        return fail(err, errsz, s, "platform.buffer_containers", buf);
    }
    if (!(s->scaledown_window_s >= 0) || !isfinite(s->scaledown_window_s)) {
        snprintf(buf, sizeof buf, "must be a finite number >= 0 (got %g)", s->scaledown_window_s);
        return fail(err, errsz, s, "platform.scaledown_window_s", buf);
    }
    return BASE_OK;
}

int model_workload_check_section(const model_scenario *s, char *err, size_t errsz)
{
    int n = sources(s);
    if (n != 1)
        return fail_sources(s, n, err, errsz);
    return check_length(s, err, errsz);
}

int model_workload_check(const model_scenario *s, char *err, size_t errsz)
{
    char buf[256];
    int n = sources(s), rc;
    if (n == 0)
        return fail(err, errsz, s, "workload",
                    "missing (give rate_per_hour, rate_per_hour_by_hour or trace; or --rate)");
    if (n > 1)
        return fail_sources(s, n, err, errsz);
    if (s->rate_per_hour < 0 || !isfinite(s->rate_per_hour)) {
        snprintf(buf, sizeof buf, "must be greater than 0 (got %g)", s->rate_per_hour);
        return fail(err, errsz, s, "workload.rate_per_hour", buf);
    }
    if (s->hours < 0 || s->jobs < 0 || s->warmup_jobs < 0)
        return fail(err, errsz, s, "workload", "hours, jobs and warmup_jobs must not be negative");
    if ((rc = check_length(s, err, errsz)))
        return rc;
    if (s->jobs > 0 && s->warmup_jobs >= s->jobs) {
        snprintf(buf, sizeof buf, "must be less than jobs (got %ld >= %ld)", s->warmup_jobs, s->jobs);
        return fail(err, errsz, s, "workload.warmup_jobs", buf);
    }
    if ((rc = model_pool_check(s, err, errsz)))
        return rc;
    if ((s->policy == MODEL_POLICY_FIXED || s->policy == MODEL_POLICY_THRESHOLD) &&
        (s->policy_k < 1 || s->policy_k > MODEL_MAX_GPUS))
        return fail(err, errsz, s, "parallel.policy", "K must be between 1 and 4096");
    return BASE_OK;
}
