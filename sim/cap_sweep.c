/* sim/cap_sweep.c -- capacity runs over pool sizes, bisection for a p95 target. */
#include "sim/cap_sweep.h"
#include "base/status.h"

#include <stdlib.h>

/* One capacity run of s at pool size `size`, appended to sw->runs. */
static int run_size(const model_scenario *s, long size, sim_cap_sweep *sw, char *err, size_t errsz)
{
    model_scenario v = *s; /* a borrowed view: s owns any empirical samples */
    v.max_containers = (int)size;
    sim_cap *cap = NULL;
    sim_cap_sweep_point *p = &sw->runs[sw->n];
    p->size = size;
    int rc = sim_cap_new(&v, &cap, err, errsz);
    if (!rc)
        rc = sim_cap_run(cap, v.seed, NULL, &p->r, err, errsz);
    sim_cap_free(cap);
    if (!rc)
        sw->n++;
    return rc;
}

/* The smallest size meeting the target: lo, else hi, else bisect between. */
static int bisect(const model_scenario *s, sim_cap_sweep *sw, char *err, size_t errsz)
{
    int rc = run_size(s, sw->lo, sw, err, errsz);
    if (rc)
        return rc;
    if (sim_cap_sweep_meets(sw, sw->n - 1)) {
        sw->smallest = sw->lo;
        return BASE_OK;
    }
    if (sw->hi == sw->lo)
        return BASE_OK;
    if ((rc = run_size(s, sw->hi, sw, err, errsz)) || !sim_cap_sweep_meets(sw, sw->n - 1))
        return rc;
    long bad = sw->lo, good = sw->hi;
    while (good - bad > 1) {
        long mid = bad + (good - bad) / 2;
        if ((rc = run_size(s, mid, sw, err, errsz)))
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

int sim_cap_sweep_run(const model_scenario *s, const sim_cap_sweep_spec *spec, sim_cap_sweep **out,
                      char *err, size_t errsz)
{
    int rc = BASE_OK;
    long lo = spec->from, hi = spec->to;
    *out = NULL;
    if (lo < s->min_containers)
        lo = s->min_containers;
    if (lo < s->buffer_containers)
        lo = s->buffer_containers;
    if (lo > hi)
        return base_errf(err, errsz, BASE_EINPUT,
                         "--sweep: nothing to run: min_containers %d / buffer_containers %d exceed %ld",
                         s->min_containers, s->buffer_containers, hi);
    int target = spec->p95_target > 0;
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
    sw->p95_target = target ? spec->p95_target : 0;
    sw->smallest = -1;
    if (target)
        rc = bisect(s, sw, err, errsz);
    else
        for (long m = lo; m <= hi && !rc; m++)
            rc = run_size(s, m, sw, err, errsz);
    if (rc)
        goto cleanup;
    qsort(sw->runs, (size_t)sw->n, sizeof *sw->runs, by_size);
    *out = sw;
    return BASE_OK;
cleanup:
    sim_cap_sweep_free(sw);
    return rc;
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
    return sw->runs[i].r.latency_p95 <= sw->p95_target;
}

cJSON *sim_cap_sweep_json(const model_scenario *s, const sim_cap_sweep *sw)
{
    int target = sw->p95_target > 0;
    cJSON *o = sim_cap_header_json(s);
    if (!o)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "pool"), "max_containers");
    cJSON_AddStringToObject(o, "sweep", "max_containers");
    cJSON_AddNumberToObject(o, "from", (double)sw->lo);
    cJSON_AddNumberToObject(o, "to", (double)sw->hi);
    if (target) {
        cJSON_AddNumberToObject(o, "p95_target_s", sw->p95_target);
        if (sw->smallest > 0)
            cJSON_AddNumberToObject(o, "smallest", (double)sw->smallest);
        else
            cJSON_AddNullToObject(o, "smallest");
    }
    cJSON *arr = cJSON_AddArrayToObject(o, "runs");
    for (int i = 0; i < sw->n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "max_containers", (double)sw->runs[i].size);
        if (target)
            cJSON_AddBoolToObject(e, "meets_target", sim_cap_sweep_meets(sw, i));
        sim_cap_result_add_json(e, &sw->runs[i].r);
        cJSON_AddItemToArray(arr, e);
    }
    return o;
}
