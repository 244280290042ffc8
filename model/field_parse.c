/* model/field_parse.c -- the scenario fields that are neither a number nor a
 * time (model/dist_parse.h): GPU lists, policies, the frame count, billing
 * names, the 24 hourly rates, the concurrency throughputs. */
#include "model/dist_parse.h"
#include "model/bounds.h"
#include "model/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int model_parse_gpus(model_parse_ctx *c, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    if (!cJSON_IsArray(j))
        return MODEL_PARSE_FAIL(c, "%s: %s: must be an array of GPU counts (got %s)", c->file, path, model_parse_json_type(j));
    int n = cJSON_GetArraySize(j);
    if (n == 0)
        return MODEL_PARSE_FAIL(c, "%s: %s: must not be empty", c->file, path);
    if (n > MODEL_MAX_GPU_LIST)
        return MODEL_PARSE_FAIL(c, "%s: %s: at most %d entries (got %d)", c->file, path, MODEL_MAX_GPU_LIST, n);
    int i = 0;
    for (const cJSON *e = j->child; e; e = e->next, i++) {
        char sub[300];
        double v;
        snprintf(sub, sizeof sub, "%s[%d]", path, i);
        int rc = model_parse_integer(c, e, sub, 1, MODEL_MAX_GPUS, &v);
        if (rc)
            return rc;
        s->gpus[i] = (int)v;
    }
    s->ngpus = model_gpu_list_normalize(s->gpus, n);
    return BASE_OK;
}

int model_parse_policy(model_parse_ctx *c, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    if (!cJSON_IsString(j))
        return MODEL_PARSE_FAIL(c, "%s: %s: must be a string (got %s)", c->file, path, model_parse_json_type(j));
    const char *v = j->valuestring;
    model_policy p;
    if (model_policy_parse(v, &p))
        return MODEL_PARSE_FAIL(c, "%s: %s: must be \"auto\", \"fixed:K\" or \"threshold:FRAMES:K\" with "
                       "1 <= K <= %d (got \"%s\")", c->file, path, MODEL_MAX_GPUS, v);
    model_policy_set(s, &p);
    return BASE_OK;
}

/* job.frames: an integer 1..MODEL_MAX_FRAMES, or a distribution whose mean is. */
int model_parse_frames(model_parse_ctx *c, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    double v;
    int rc;
    if (cJSON_IsNumber(j)) {
        if ((rc = model_parse_integer(c, j, path, 1, MODEL_MAX_FRAMES, &v)))
            return rc;
        s->frames_dist = model_dist_fixed(v);
        return BASE_OK;
    }
    if ((rc = model_parse_dist(c, j, path, &s->frames_dist)))
        return rc;
    if ((rc = model_bounds_dist(&s->frames_dist, (double)MODEL_MAX_FRAMES, "frames", c->file, path, c->err,
                                c->errsz)))
        return rc;
    v = model_dist_mean(&s->frames_dist);
    if (!(v >= 1 && v <= MODEL_MAX_FRAMES))
        return MODEL_PARSE_FAIL(c, "%s: %s: mean must be between 1 and %ld (got %g)", c->file, path,
                    MODEL_MAX_FRAMES, v);
    return BASE_OK;
}

int model_parse_bill(model_parse_ctx *c, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    if (!cJSON_IsString(j))
        return MODEL_PARSE_FAIL(c, "%s: %s: must be a string (got %s)", c->file, path, model_parse_json_type(j));
    if (!strcmp(j->valuestring, "none")) s->concat_billed = MODEL_BILL_NONE;
    else if (!strcmp(j->valuestring, "cpu")) s->concat_billed = MODEL_BILL_CPU;
    else if (!strcmp(j->valuestring, "gpu")) s->concat_billed = MODEL_BILL_GPU;
    else
        return MODEL_PARSE_FAIL(c, "%s: %s: must be \"none\", \"cpu\" or \"gpu\" (got \"%s\")", c->file, path,
                    j->valuestring);
    return BASE_OK;
}

/* workload.rate_per_hour_by_hour: 24 rates >= 0, at least one > 0. */
int model_parse_rate24(model_parse_ctx *c, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    int rc;
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) != 24)
        return MODEL_PARSE_FAIL(c, "%s: %s: must be an array of 24 rates, one per hour of the day (got %s of %d)",
                    c->file, path, model_parse_json_type(j), cJSON_IsArray(j) ? cJSON_GetArraySize(j) : 1);
    int i = 0;
    double sum = 0;
    for (const cJSON *e = j->child; e; e = e->next, i++) {
        char sub[300];
        snprintf(sub, sizeof sub, "%s[%d]", path, i);
        if ((rc = model_parse_ranged(c, e, sub, 0, MODEL_MAX_RATE_PER_HOUR, 0, &s->rate_by_hour[i])))
            return rc;
        sum += s->rate_by_hour[i];
    }
    if (!(sum > 0))
        return MODEL_PARSE_FAIL(c, "%s: %s: at least one hour must have a rate greater than 0", c->file, path);
    s->has_rate_by_hour = 1;
    return BASE_OK;
}

/* An array of 1..MODEL_MAX_INPUTS numbers > 0 into owned storage. */
int model_parse_throughput(model_parse_ctx *c, const cJSON *j, const char *path)
{
    int n = cJSON_IsArray(j) ? cJSON_GetArraySize(j) : 0;
    if (n < 1 || n > MODEL_MAX_INPUTS)
        return MODEL_PARSE_FAIL(c, "%s: %s: must be an array of 1 to %d numbers (got %s)", c->file, path, MODEL_MAX_INPUTS,
                    model_parse_json_type(j));
    double *xs = malloc((size_t)n * sizeof *xs);
    if (!xs)
        return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
    int i = 0, rc;
    for (const cJSON *e = j->child; e; e = e->next, i++) {
        char sub[300];
        snprintf(sub, sizeof sub, "%s[%d]", path, i);
        if ((rc = model_parse_ranged(c, e, sub, 0, MODEL_MAX_INPUTS, 1, &xs[i]))) {
            free(xs);
            return rc;
        }
    }
    if ((rc = model_parse_own(c, xs)))
        return rc;
    c->s->throughput = xs;
    c->s->nthroughput = n;
    return BASE_OK;
}
