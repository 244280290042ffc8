/* sim/cap_sweep.c -- capacity runs over pool sizes, bisection for a p95 target. */
#include "sim/cap_sweep.h"
#include "base/status.h"

#include <stdlib.h>

typedef struct {
    sim_cap_sweep_fn fn;
    void *ctx;
} sweep_run;

/* One run at pool size `size`, appended to sw->runs. */
static int run_size(const sweep_run *u, long size, sim_cap_sweep *sw, char *err, size_t errsz)
{
    sim_cap_sweep_point *p = &sw->runs[sw->n];
    p->size = size;
    p->seq = sw->n;
    int rc = u->fn(u->ctx, size, sw->n, &p->r, err, errsz);
    if (!rc)
        sw->n++;
    return rc;
}

/* The capacity run of scenario ctx at max_containers `size`. */
static int cap_run(void *ctx, long size, int seq, sim_cap_result *out, char *err, size_t errsz)
{
    model_scenario v = *(const model_scenario *)ctx; /* a borrowed view: s owns any empirical samples */
    v.max_containers = (int)size;
    sim_cap *cap = NULL;
    (void)seq;
    int rc = sim_cap_new(&v, &cap, err, errsz);
    if (!rc)
        rc = sim_cap_run(cap, v.seed, NULL, out, err, errsz);
    sim_cap_free(cap);
    return rc;
}

/* The smallest size meeting the target: lo, else hi, else bisect between. */
static int bisect(const sweep_run *u, sim_cap_sweep *sw, char *err, size_t errsz)
{
    int rc = run_size(u, sw->lo, sw, err, errsz);
    if (rc)
        return rc;
    if (sim_cap_sweep_meets(sw, sw->n - 1)) {
        sw->smallest = sw->lo;
        return BASE_OK;
    }
    if (sw->hi == sw->lo)
        return BASE_OK;
    if ((rc = run_size(u, sw->hi, sw, err, errsz)) || !sim_cap_sweep_meets(sw, sw->n - 1))
        return rc;
    long bad = sw->lo, good = sw->hi;
    while (good - bad > 1) {
        long mid = bad + (good - bad) / 2;
        if ((rc = run_size(u, mid, sw, err, errsz)))
            return rc;
        if (sim_cap_sweep_meets(sw, sw->n - 1))
            good = mid;
        else
            bad = mid;
    }
    sw->smallest = good;
    return BASE_OK;
}

static int by_size(const void *a, const void *b)
{
    long x = ((const sim_cap_sweep_point *)a)->size, y = ((const sim_cap_sweep_point *)b)->size;
    return (x > y) - (x < y);
}

int sim_cap_sweep_run_fn(long lo, long hi, double p95_target, sim_cap_sweep_fn fn, void *ctx, sim_cap_sweep **out,
                         char *err, size_t errsz)
{
    int rc = BASE_OK, target = p95_target > 0;
    sweep_run u = {fn, ctx};
    *out = NULL;
    if (!target && hi - lo + 1 > SIM_CAP_SWEEP_MAX_RUNS)
        return base_errf(err, errsz, BASE_EINPUT, "--sweep: at most %d sizes without --p95-target (got %ld)",
                         SIM_CAP_SWEEP_MAX_RUNS, hi - lo + 1);
    sim_cap_sweep *sw = calloc(1, sizeof *sw);
    if (!sw || !(sw->runs = calloc(SIM_CAP_SWEEP_MAX_RUNS, sizeof *sw->runs))) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    sw->lo = lo;
    sw->hi = hi;
    sw->p95_target = target ? p95_target : 0;
    sw->smallest = -1;
    if (target)
        rc = bisect(&u, sw, err, errsz);
    else
        for (long m = lo; m <= hi && !rc; m++)
            rc = run_size(&u, m, sw, err, errsz);
    if (rc)
        goto cleanup;
    qsort(sw->runs, (size_t)sw->n, sizeof *sw->runs, by_size);
    *out = sw;
    return BASE_OK;
cleanup:
    sim_cap_sweep_free(sw);
    return rc;
}

int sim_cap_sweep_run(const model_scenario *s, const sim_cap_sweep_spec *spec, sim_cap_sweep **out,
                      char *err, size_t errsz)
{
    long lo = spec->from, hi = spec->to;
    *out = NULL;
    if (lo < s->min_containers)
        lo = s->min_containers;
    if (lo < s->buffer_containers)
        lo = s->buffer_containers;
    if (lo < s->initial_warm)
        lo = s->initial_warm;
    if (lo > hi)
        return base_errf(err, errsz, BASE_EINPUT,
                         "--sweep: nothing to run: min_containers %d / buffer_containers %d / initial_warm %d "
                         "exceed %ld", s->min_containers, s->buffer_containers, s->initial_warm, hi);
    return sim_cap_sweep_run_fn(lo, hi, spec->p95_target, cap_run, (void *)s, out, err, errsz);
}

void sim_cap_sweep_free(sim_cap_sweep *sw)
{
    if (!sw)
        return;
    free(sw->runs);
    free(sw);
}

int sim_cap_sweep_meets(const sim_cap_sweep *sw, int i)
{
    const sim_cap_result *r = &sw->runs[i].r;
    return r->stable && r->served > 0 && r->latency_p95 <= sw->p95_target;
}

cJSON *sim_cap_sweep_add_json(cJSON *o, const sim_cap_sweep *sw)
{
    cJSON_AddStringToObject(o, "sweep", "max_containers");
    cJSON_AddNumberToObject(o, "from", (double)sw->lo);
    cJSON_AddNumberToObject(o, "to", (double)sw->hi);
    if (sw->p95_target > 0) {
        cJSON_AddNumberToObject(o, "p95_target_s", sw->p95_target);
        if (sw->smallest > 0)
            cJSON_AddNumberToObject(o, "smallest", (double)sw->smallest);
        else
            cJSON_AddNullToObject(o, "smallest");
    }
    return cJSON_AddArrayToObject(o, "runs");
}

cJSON *sim_cap_sweep_run_json(cJSON *runs, const sim_cap_sweep *sw, int i)
{
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    cJSON_AddItemToArray(runs, e);
    cJSON_AddNumberToObject(e, "max_containers", (double)sw->runs[i].size);
    if (sw->p95_target > 0)
        cJSON_AddBoolToObject(e, "meets_target", sim_cap_sweep_meets(sw, i));
    sim_cap_result_add_json(e, &sw->runs[i].r);
    return e;
}

cJSON *sim_cap_sweep_json(const model_scenario *s, const sim_cap_sweep *sw)
{
    cJSON *o = sim_cap_header_json(s);
    if (!o)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "pool"), "max_containers");
    cJSON *runs = sim_cap_sweep_add_json(o, sw);
    for (int i = 0; runs && i < sw->n; i++)
        if (!sim_cap_sweep_run_json(runs, sw, i))
            runs = NULL;
    if (!runs) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
