/* model/output.c -- result JSON (cJSON) and CSV (fields per RFC 4180). */
#include "model/output.h"
#include "base/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *stats(double mean, double p50, double p95, double p99, double sd, double se, int sim)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", mean);
    cJSON_AddNumberToObject(o, "p50", p50);
    cJSON_AddNumberToObject(o, "p95", p95);
    cJSON_AddNumberToObject(o, "p99", p99);
    cJSON_AddNumberToObject(o, "sd", sd);
    if (sim)
        cJSON_AddNumberToObject(o, "stderr", se);
    return o;
}

static cJSON *breakdown(const model_breakdown *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "start", b->start);
    cJSON_AddNumberToObject(o, "request", b->request);
    cJSON_AddNumberToObject(o, "download", b->download);
    cJSON_AddNumberToObject(o, "ffmpeg_start", b->ffmpeg_start);
    cJSON_AddNumberToObject(o, "seek", b->seek);
    cJSON_AddNumberToObject(o, "process", b->process);
    cJSON_AddNumberToObject(o, "upload", b->upload);
    cJSON_AddNumberToObject(o, "concat", b->concat);
    return o;
}

cJSON *model_eval_json(const model_scenario *s, const model_eval *e)
{
    int sim = !strcmp(e->method, "sim");
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", s->name);
    cJSON_AddStringToObject(root, "method", e->method);
    cJSON_AddNumberToObject(root, "frames", (double)e->frames);
    if (sim) {
        cJSON_AddNumberToObject(root, "replications", (double)e->replications);
        cJSON_AddNumberToObject(root, "seed", (double)e->seed);
    }
    cJSON *res = cJSON_AddArrayToObject(root, "results");
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *r = &e->k[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "gpus", r->gpus);
        cJSON_AddItemToObject(o, "wall_s",
                              stats(r->wall_mean, r->wall_p50, r->wall_p95, r->wall_p99, r->wall_sd, r->wall_se, sim));
        cJSON_AddItemToObject(o, "cost_usd",
                              stats(r->cost_mean, r->cost_p50, r->cost_p95, r->cost_p99, r->cost_sd, r->cost_se, sim));
        cJSON_AddNumberToObject(o, "speedup", r->speedup);
        cJSON_AddNumberToObject(o, "cost_ratio", r->cost_ratio);
        cJSON_AddBoolToObject(o, "beneficial", r->beneficial);
        if (e->objective == MODEL_OBJ_VALUE_OF_TIME)
            cJSON_AddNumberToObject(o, "objective_usd", e->score[i]);
        cJSON_AddItemToObject(o, "breakdown_s", breakdown(&r->breakdown));
        cJSON_AddItemToArray(res, o);
    }
    cJSON *v = cJSON_AddObjectToObject(root, "verdict");
    cJSON_AddBoolToObject(v, "parallelize", e->parallelize);
    cJSON_AddNumberToObject(v, "best_gpus", e->best_gpus);
    cJSON_AddStringToObject(v, "summary", e->summary);
    if (e->objective == MODEL_OBJ_VALUE_OF_TIME) {
        cJSON_AddStringToObject(v, "objective", "value-of-time");
        cJSON_AddNumberToObject(v, "usd_per_hour", e->usd_per_hour);
    } else {
        cJSON_AddStringToObject(v, "objective", "thresholds");
    }
    cJSON_AddNumberToObject(v, "min_speedup", s->min_speedup);
    cJSON_AddNumberToObject(v, "max_cost_increase", s->max_cost_increase);
    cJSON *be = cJSON_AddObjectToObject(root, "break_even_frames");
    for (int i = 0; i < e->nk; i++) {
        char key[16];
        if (e->k[i].gpus == 1 || e->break_even[i] == -2)
            continue;
        snprintf(key, sizeof key, "%d", e->k[i].gpus);
        if (e->break_even[i] < 0)
            cJSON_AddNullToObject(be, key);
        else
            cJSON_AddNumberToObject(be, key, (double)e->break_even[i]);
    }
    if (s->applied) /* what --with applied (model/profile.h); absent without profiles */
        cJSON_AddItemToObject(root, "applied_profiles", cJSON_Duplicate(s->applied, 1));
    return root;
}

/* One CSV; `simcol` adds sim_replications,sim_wall_p95_s (from sim, or empty). */
static char *eval_csv(const model_scenario *s, const model_eval *e, int simcol, const model_eval *sim)
{
    /* The scenario name is the user's: quoted per RFC 4180 (base/csv.h). */
    size_t nq = base_csv_quote(NULL, 0, s->name, BASE_CSV_RFC);
    char *name = malloc(nq + 1), *buf = NULL;
    size_t cap = 512 + (size_t)e->nk * (512 + nq);
    if (!name || !(buf = malloc(cap))) {
        free(name);
        return NULL;
    }
    base_csv_quote(name, nq + 1, s->name, BASE_CSV_RFC);
    size_t n = (size_t)snprintf(buf, cap,
                                "scenario,method,frames,gpus,wall_mean_s,wall_p50_s,wall_p95_s,wall_p99_s,"
                                "wall_stderr_s,cost_mean_usd,cost_p95_usd,speedup,cost_ratio,beneficial,"
                                "break_even_frames%s\n", simcol ? ",sim_replications,sim_wall_p95_s" : "");
    int is_sim = !strcmp(e->method, "sim");
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *r = &e->k[i];
        char be[32] = "", se[32] = "", sc[64] = "";
        if (r->gpus > 1 && e->break_even[i] >= 0)
            snprintf(be, sizeof be, "%ld", e->break_even[i]);
        if (is_sim)
            snprintf(se, sizeof se, "%.4g", r->wall_se);
        if (simcol && sim)
            snprintf(sc, sizeof sc, ",%ld,%.6g", sim->replications, sim->k[i].wall_p95);
        else if (simcol)
            snprintf(sc, sizeof sc, ",,");
        n += (size_t)snprintf(buf + n, cap - n, "%s,%s,%ld,%d,%.6g,%.6g,%.6g,%.6g,%s,%.6g,%.6g,%.6g,%.6g,%d,%s%s\n",
                              name, e->method, e->frames, r->gpus, r->wall_mean, r->wall_p50, r->wall_p95,
                              r->wall_p99, se, r->cost_mean, r->cost_p95, r->speedup, r->cost_ratio,
                              r->beneficial, be, sc);
    }
    free(name);
    return buf;
}

char *model_eval_csv(const model_scenario *s, const model_eval *e)
{
    return eval_csv(s, e, 0, NULL);
}

char *model_eval_csv_sim(const model_scenario *s, const model_eval *e, const model_eval *sim)
{
    return eval_csv(s, e, 1, sim);
}

const char *model_format_count(long n, char *buf, size_t sz)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%ld", n);
    size_t len = strlen(raw), o = 0, start = raw[0] == '-';
    for (size_t i = 0; i < len && o + 2 < sz; i++) {
        if (i > start && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = 0;
    return buf;
}
