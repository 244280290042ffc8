/* model/scenario.c -- scenario JSON: a field table, a strict walk, defaults. */
#include "model/scenario.h"
#include "base/json.h"
#include "base/status.h"
#include "base/text.h"
#include "model/bounds.h"
#include "model/pipeline.h"
#include "model/dist_parse.h"
#include "model/profile.h"
#include "model/workload.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    T_TIME,      /* number or distribution, >= 0 */
    T_FRAMES,    /* integer 1..1e9 or a distribution */
    T_NUM,       /* number in [lo, hi] */
    T_POS,       /* number > 0, <= hi */
    T_INT,       /* integer in [lo, hi] (int) */
    T_LONG,      /* integer in [lo, hi] (long) */
    T_SEED,      /* integer in [0, 2^53] */
    T_BOOL,
    T_STR,       /* string into name[] */
    T_PATH,      /* string, resolved against the file's directory */
    T_GPUS,
    T_BILL,
    T_POLICY,
    T_RATE24,
    T_THROUGHPUT, /* array of numbers > 0 (owned), checked by model/workload.c */
    T_IDLE_RULE,
} ftype;

typedef struct {
    const char *path;
    ftype type;
    size_t off;
    double lo, hi;     /* T_TIME: hi bounds the mean and p99.9 (model/bounds.h) */
    double pos_min;    /* T_NUM: a value above 0 must be at least this */
} field;

#define OFF(f) offsetof(model_scenario, f)
_Static_assert(sizeof ((model_scenario *)0)->gpu == sizeof ((model_scenario *)0)->name,
               "T_STR fields are name-sized");
#define BIG MODEL_PARSE_BIG

static const char *const sections[] = {
    "job", "stage", "platform", "platform.billing", "parallel", "parallel.speculative",
    "sim", "decision", "workload", "pipeline", "plan", NULL,
};

static const field fields[] = {
    {"name", T_STR, OFF(name), 0, 0, 0},
    {"job.frames", T_FRAMES, OFF(frames_dist), 0, 0, 0},
    {"job.input_mb", T_NUM, OFF(input_mb), 0, MODEL_MAX_MB, 0},
    {"job.output_mb", T_NUM, OFF(output_mb), 0, MODEL_MAX_MB, 0},
    {"stage.per_frame_s", T_TIME, OFF(per_frame), 0, MODEL_MAX_PER_FRAME_S, 0},
    {"stage.ffmpeg_start_s", T_TIME, OFF(ffmpeg_start), 0, MODEL_MAX_PHASE_S, 0},
    {"stage.seek_s", T_TIME, OFF(seek), 0, MODEL_MAX_PHASE_S, 0},
    {"platform.gpu", T_STR, OFF(gpu), 0, 0, 0},
    {"platform.cold_start_s", T_TIME, OFF(cold_start), 0, MODEL_MAX_PHASE_S, 0},
    {"platform.warm_start_s", T_TIME, OFF(warm_start), 0, MODEL_MAX_PHASE_S, 0},
    {"platform.request_s", T_TIME, OFF(request), 0, MODEL_MAX_PHASE_S, 0},
    {"platform.download_mb_s", T_NUM, OFF(download_mb_s), 0, MODEL_MAX_MB_S, MODEL_MIN_MB_S},
    {"platform.upload_mb_s", T_NUM, OFF(upload_mb_s), 0, MODEL_MAX_MB_S, MODEL_MIN_MB_S},
    {"platform.shared_download_mb_s", T_NUM, OFF(shared_download_mb_s), 0, MODEL_MAX_MB_S, MODEL_MIN_MB_S},
    {"platform.gpu_per_s", T_NUM, OFF(gpu_per_s), 0, MODEL_MAX_PRICE, MODEL_MIN_PRICE},
    {"platform.cpu_per_core_s", T_NUM, OFF(cpu_per_core_s), 0, MODEL_MAX_PRICE, MODEL_MIN_PRICE},
    {"platform.cores", T_NUM, OFF(cores), 0, MODEL_MAX_CORES, 0},
    {"platform.mem_per_gib_s", T_NUM, OFF(mem_per_gib_s), 0, MODEL_MAX_PRICE, MODEL_MIN_PRICE},
    {"platform.mem_gib", T_NUM, OFF(mem_gib), 0, MODEL_MAX_MEM_GIB, 0},
    {"platform.billing.granularity_s", T_NUM, OFF(bill_granularity_s), 0, MODEL_MAX_PHASE_S, 0},
    {"platform.billing.minimum_s", T_NUM, OFF(bill_minimum_s), 0, MODEL_MAX_PHASE_S, 0},
    {"platform.billing.includes_cold_start", T_BOOL, OFF(bill_includes_cold_start), 0, 0, 0},
    {"platform.max_containers", T_INT, OFF(max_containers), 0, MODEL_MAX_CONTAINERS, 0},
    {"platform.min_containers", T_INT, OFF(min_containers), 0, MODEL_MAX_CONTAINERS, 0},
    {"platform.buffer_containers", T_INT, OFF(buffer_containers), 0, MODEL_MAX_CONTAINERS, 0},
    {"platform.scaledown_window_s", T_NUM, OFF(scaledown_window_s), 0, MODEL_MAX_SCALEDOWN_S, 0},
    {"platform.failure_rate_per_s", T_NUM, OFF(failure_rate_per_s), 0, MODEL_MAX_FAILURE_RATE, 0},
    {"platform.max_retries", T_INT, OFF(max_retries), 0, MODEL_MAX_RETRIES, 0},
    {"platform.max_queue", T_LONG, OFF(max_queue), 0, MODEL_MAX_QUEUE, 0},
    {"platform.queue_timeout_s", T_POS, OFF(queue_timeout_s), 0, MODEL_MAX_SCALEDOWN_S, 0},
    {"platform.max_inputs", T_INT, OFF(max_inputs), 1, MODEL_MAX_INPUTS, 0},
    {"platform.concurrency_throughput", T_THROUGHPUT, OFF(throughput), 0, 0, 0},
    {"platform.idle_rule", T_IDLE_RULE, OFF(idle_rule), 0, 0, 0},
    {"parallel.gpus", T_GPUS, OFF(gpus), 0, 0, 0},
    {"parallel.concat_s", T_TIME, OFF(concat), 0, MODEL_MAX_PHASE_S, 0},
    {"parallel.concat_per_chunk_s", T_TIME, OFF(concat_per_chunk), 0, MODEL_MAX_PHASE_S, 0},
    {"parallel.concat_billed", T_BILL, OFF(concat_billed), 0, 0, 0},
    {"parallel.chunks_per_gpu", T_INT, OFF(chunks_per_gpu), 1, MODEL_MAX_CHUNKS_PER_GPU, 0},
    {"parallel.speculative.after_fraction", T_NUM, OFF(speculative_after), 0, 1, 0},
    {"parallel.policy", T_POLICY, OFF(policy), 0, 0, 0},
    {"sim.replications", T_LONG, OFF(replications), 1, MODEL_MAX_REPLICATIONS, 0},
    {"sim.seed", T_SEED, OFF(seed), 0, 0, 0},
    {"decision.min_speedup", T_POS, OFF(min_speedup), 0, MODEL_MAX_DECISION, 0},
    {"decision.max_cost_increase", T_NUM, OFF(max_cost_increase), -1, MODEL_MAX_DECISION, 0},
    {"workload.rate_per_hour", T_POS, OFF(rate_per_hour), 0, MODEL_MAX_RATE_PER_HOUR, 0},
    {"workload.rate_per_hour_by_hour", T_RATE24, OFF(rate_by_hour), 0, 0, 0},
    {"workload.trace", T_PATH, OFF(trace), 0, 0, 0},
    {"workload.hours", T_POS, OFF(hours), 0, MODEL_MAX_HOURS, 0},
    {"workload.jobs", T_LONG, OFF(jobs), 1, MODEL_MAX_JOBS, 0},
    {"workload.warmup_jobs", T_LONG, OFF(warmup_jobs), 0, MODEL_MAX_JOBS, 0},
    {"workload.interarrival_s", T_TIME, OFF(interarrival), 0, MODEL_MAX_PHASE_S, 0},
    {"workload.initial_warm", T_INT, OFF(initial_warm), 0, MODEL_MAX_CONTAINERS, 0},
    {NULL, 0, 0, 0, 0, 0},
};

const char *const *model_scenario_fields(void)
{
    static const char *paths[sizeof fields / sizeof fields[0]];
    if (!paths[0])
        for (size_t i = 0; fields[i].path; i++)
            paths[i] = fields[i].path;
    return paths;
}

/* ---- helpers ---------------------------------------------------------- */

static void set_defaults(model_scenario *s, const char *file);

typedef model_parse_ctx ctx;

#define FAIL MODEL_PARSE_FAIL

/* The last component of a path whose parent is `prefix` ("" for top), or NULL. */
static const char *child_of(const char *path, const char *prefix)
{
    size_t lp = strlen(prefix);
    if (lp) {
        if (strncmp(path, prefix, lp) != 0 || path[lp] != '.')
            return NULL;
        path += lp + 1;
    }
    return strchr(path, '.') ? NULL : path;
}

static void suggest(const char *prefix, const char *key, const char *const *cands, size_t stride,
                    const char **best, size_t *bestd)
{
    for (const char *const *p = cands; *p; p = (const char *const *)((const char *)p + stride)) {
        const char *leaf = child_of(*p, prefix);
        if (!leaf)
            continue;
        size_t d = base_edit_distance(key, leaf);
        if (d < *bestd) {
            *bestd = d;
            *best = leaf;
        }
    }
}

static int unknown_field(ctx *c, const char *prefix, const char *key, const char *path)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX;
    suggest(prefix, key, &fields[0].path, sizeof(field), &best, &bestd);
    suggest(prefix, key, sections, sizeof(char *), &best, &bestd);
    if (best && bestd <= base_typo_max(key))
        return FAIL(c, "%s: %s: unknown field (did you mean '%s'?)", c->file, path, best);
    return FAIL(c, "%s: %s: unknown field", c->file, path);
}

/* ---- one field -------------------------------------------------------- */

/* A non-empty string into name[] (T_STR) or trace[] (T_PATH: relative to
 * the file's directory). */
static int parse_string(ctx *c, const field *f, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    if (!cJSON_IsString(j))
        return FAIL(c, "%s: %s: must be a string (got %s)", c->file, path, model_parse_json_type(j));
    char *dst = (char *)s + f->off;
    size_t cap = f->type == T_STR ? sizeof s->name : sizeof s->trace;
    const char *v2 = j->valuestring;
    if (!*v2)
        return FAIL(c, "%s: %s: must not be empty", c->file, path);
    if (f->type == T_PATH && v2[0] != '/' && strchr(c->file, '/')) {
        int dirlen = (int)(strrchr(c->file, '/') - c->file);
        if ((size_t)snprintf(dst, cap, "%.*s/%s", dirlen, c->file, v2) >= cap)
            return FAIL(c, "%s: %s: too long", c->file, path);
    } else if ((size_t)snprintf(dst, cap, "%s", v2) >= cap) {
        return FAIL(c, "%s: %s: too long (at most %zu characters)", c->file, path, cap - 1);
    }
    return BASE_OK;
}

static int parse_field(ctx *c, const field *f, const cJSON *j, const char *path)
{
    model_scenario *s = c->s;
    char *base = (char *)s;
    double v;
    int rc;
    switch (f->type) {
    case T_TIME:
        if ((rc = model_parse_dist(c, j, path, (model_dist *)(base + f->off))))
            return rc;
        return model_bounds_dist((model_dist *)(base + f->off), f->hi, "s", c->file, path, c->err, c->errsz);
    case T_FRAMES:
        return model_parse_frames(c, j, path);
    case T_NUM:
        if ((rc = model_parse_ranged(c, j, path, f->lo, f->hi, 0, &v)))
            return rc;
        if (v > 0 && v < f->pos_min)
            return FAIL(c, "%s: %s: must be 0 or at least %g (got %g)", c->file, path, f->pos_min, v);
        *(double *)(base + f->off) = v;
        return BASE_OK;
    case T_POS:
        return model_parse_ranged(c, j, path, f->lo, f->hi, 1, (double *)(base + f->off));
    case T_INT:
        if ((rc = model_parse_integer(c, j, path, f->lo, f->hi, &v)))
            return rc;
        *(int *)(base + f->off) = (int)v;
        return BASE_OK;
    case T_LONG:
        if ((rc = model_parse_integer(c, j, path, f->lo, f->hi, &v)))
            return rc;
        *(long *)(base + f->off) = (long)v;
        return BASE_OK;
    case T_SEED:
        if ((rc = model_parse_integer(c, j, path, 0, 9007199254740992.0, &v)))
            return rc;
        *(unsigned long *)(base + f->off) = (unsigned long)v;
        return BASE_OK;
    case T_BOOL:
        if (!cJSON_IsBool(j))
            return FAIL(c, "%s: %s: must be true or false (got %s)", c->file, path, model_parse_json_type(j));
        *(int *)(base + f->off) = cJSON_IsTrue(j);
        return BASE_OK;
    case T_STR:
    case T_PATH:
        return parse_string(c, f, j, path);
    case T_GPUS:
        return model_parse_gpus(c, j, path);
    case T_BILL:
        return model_parse_bill(c, j, path);
    case T_POLICY:
        return model_parse_policy(c, j, path);
    case T_RATE24:
        return model_parse_rate24(c, j, path);
    case T_THROUGHPUT:
        return model_parse_throughput(c, j, path);
    case T_IDLE_RULE:
        if (!cJSON_IsString(j) || model_idle_rule_parse(j->valuestring, &s->idle_rule))
            return FAIL(c, "%s: %s: must be \"last_idle\", \"newest\" or \"oldest\"", c->file, path);
        return BASE_OK;
    }
    assert(0);
    return BASE_EINPUT;
}

int model_scenario_check_value(const char *path, double v, const char *who, char *err, size_t errsz)
{
    const field *f = NULL;
    for (const field *g = fields; g->path; g++)
        if (!strcmp(g->path, path))
            f = g;
    assert(f && f->type != T_STR && f->type != T_PATH);
    model_scenario tmp;
    set_defaults(&tmp, who);
    ctx c = {who, &tmp, err, errsz};
    cJSON *num = cJSON_CreateNumber(v);
    int rc = num ? parse_field(&c, f, num, path) : base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    cJSON_Delete(num);
    model_scenario_free(&tmp);
    return rc;
}

/* ---- the walk --------------------------------------------------------- */

static int is_section(const char *path)
{
    for (const char *const *p = sections; *p; p++)
        if (!strcmp(*p, path))
            return 1;
    return 0;
}

static int walk(ctx *c, const cJSON *obj, const char *prefix)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        if (!k->string)
            continue;
        if (k->string[0] == '_')
            continue; /* comment */
        if (!*prefix && (!strcmp(k->string, "pipeline") || !strcmp(k->string, "plan")))
            continue; /* model/pipeline.c, after the walk */
        char path[256];
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k->string) >=
            sizeof path)
            return FAIL(c, "%s: %s...: field name too long", c->file, prefix);
        if (is_section(path)) {
            if (!cJSON_IsObject(k))
                return FAIL(c, "%s: %s: must be an object (got %s)", c->file, path, model_parse_json_type(k));
            if (!strcmp(path, "workload"))
                c->s->has_workload = 1;
            if (!strcmp(path, "parallel.speculative"))
                c->s->speculative_after = 0.75;
            int rc = walk(c, k, path);
            if (rc)
                return rc;
            continue;
        }
        const field *f = NULL;
        for (const field *g = fields; g->path; g++)
            if (!strcmp(g->path, path))
                f = g;
        if (!f)
            return unknown_field(c, prefix, k->string, path);
        int rc = parse_field(c, f, k, path);
        if (rc)
            return rc;
    }
    return BASE_OK;
}

static void set_defaults(model_scenario *s, const char *file)
{
    memset(s, 0, sizeof *s);
    snprintf(s->file, sizeof s->file, "%s", file);
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    size_t n = strcspn(b, ".");
    snprintf(s->name, sizeof s->name, "%.*s", (int)(n < sizeof s->name ? n : sizeof s->name - 1), b);
    s->frames_dist = model_dist_fixed(0);
    s->per_frame = s->ffmpeg_start = s->seek = model_dist_fixed(0);
    s->cold_start = s->warm_start = s->request = model_dist_fixed(0);
    snprintf(s->gpu, sizeof s->gpu, "T4");
    s->concat = s->concat_per_chunk = model_dist_fixed(0);
    s->bill_includes_cold_start = 1;
    s->max_retries = 3;
    static const int def_gpus[] = {1, 2, 4, 8};
    memcpy(s->gpus, def_gpus, sizeof def_gpus);
    s->ngpus = 4;
    s->concat_billed = MODEL_BILL_NONE;
    s->chunks_per_gpu = 1;
    s->policy = MODEL_POLICY_AUTO;
    s->replications = 10000;
    s->seed = 1;
    s->min_speedup = 1.2;
    s->max_cost_increase = 0.25;
}

/* 1 when root.section.key is given. */
static int given(const cJSON *root, const char *section, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, section), key) != NULL;
}

static int cross_check(ctx *c, const cJSON *root)
{
    model_scenario *s = c->s;
    s->has_max_queue = given(root, "platform", "max_queue");
    s->has_interarrival = given(root, "workload", "interarrival_s");
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(root, "job");
    if (!job || !cJSON_GetObjectItemCaseSensitive(job, "frames"))
        return FAIL(c, "%s: job.frames: missing (the number of frames in the video)", c->file);
    s->frames = lround(model_dist_mean(&s->frames_dist));
    if (s->frames < 1)
        s->frames = 1;
    int rc = model_pool_check(s, c->err, c->errsz);
    if (rc)
        return rc;
    if (s->speculative_after >= 1)
        return FAIL(c, "%s: parallel.speculative.after_fraction: must be below 1 (at 1 no chunk is left "
                       "running to back up; 0 turns backups off) (got %g)", c->file, s->speculative_after);
    if (s->has_workload && (rc = model_workload_check_section(s, c->err, c->errsz)))
        return rc;
    return model_bounds_scenario(s, c->file, c->err, c->errsz);
}

int model_scenario_from_json(const cJSON *root, const char *file, model_scenario *out, char *err,
                             size_t errsz)
{
    set_defaults(out, file);
    ctx c = {file, out, err, errsz};
    int rc;
    if (!cJSON_IsObject(root)) {
        rc = FAIL(&c, "%s: must be a JSON object (got %s)", file, model_parse_json_type(root));
        goto cleanup;
    }
    if ((rc = walk(&c, root, "")))
        goto cleanup;
    if ((rc = cross_check(&c, root)))
        goto cleanup;
    if ((rc = model_pipeline_parse(root, out, err, errsz)))
        goto cleanup;
    return BASE_OK;
cleanup:
    model_scenario_free(out);
    return rc;
}

int model_scenario_parse(const char *text, const char *file, model_scenario *out, char *err, size_t errsz)
{
    cJSON *root;
    int rc = base_json_parse(text, strlen(text), file, &root, err, errsz);
    if (rc) {
        set_defaults(out, file);
        return rc;
    }
    rc = model_scenario_from_json(root, file, out, err, errsz);
    cJSON_Delete(root);
    return rc;
}

/* Parse text, apply the profiles, parse the result. */
static int load_text(const char *text, size_t len, const char *file, const char *const *profiles, int nprof,
                     unsigned flags, model_scenario *out, char *err, size_t errsz)
{
    cJSON *root = NULL, *prof = NULL, *applied = NULL;
    set_defaults(out, file);
    int rc = base_json_parse(text, len, file, &root, err, errsz);
    if (rc)
        return rc;
    if (nprof > 0 && !(applied = cJSON_CreateArray())) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (int i = 0; i < nprof; i++) {
        if ((rc = base_json_load(profiles[i], &prof, err, errsz)))
            goto cleanup;
        if ((rc = model_profile_apply(root, prof, profiles[i], flags, applied, err, errsz)))
            goto cleanup;
        cJSON_Delete(prof);
        prof = NULL;
    }
    if ((rc = model_scenario_from_json(root, file, out, err, errsz))) {
        /* Each profile parsed alone: the problem is in the combination. */
        size_t n = strlen(err);
        for (int i = 0; i < nprof && n + 1 < errsz; i++)
            n += (size_t)snprintf(err + n, errsz - n, "%s%s", i ? ", " : " (with --with ", profiles[i]);
        if (nprof && n + 1 < errsz)
            snprintf(err + n, errsz - n, ")");
        goto cleanup;
    }
    out->applied = applied;
    applied = NULL;
cleanup:
    cJSON_Delete(applied);
    cJSON_Delete(prof);
    cJSON_Delete(root);
    return rc;
}

int model_scenario_load_flags(const char *path, const char *const *profiles, int nprof, unsigned flags,
                              model_scenario *out, char *err, size_t errsz)
{
    char *text = NULL;
    size_t len = 0;
    int rc = base_read_file(path, &text, &len, err, errsz);
    if (rc) {
        set_defaults(out, path);
        return rc == BASE_ERUNTIME ? rc : BASE_EINPUT;
    }
    rc = load_text(text, len, path, profiles, nprof, flags, out, err, errsz);
    free(text);
    return rc;
}

int model_scenario_load(const char *path, const char *const *profiles, int nprof, model_scenario *out,
                        char *err, size_t errsz)
{
    return model_scenario_load_flags(path, profiles, nprof, 0, out, err, errsz);
}

int model_scenario_default_flags(const char *const *profiles, int nprof, unsigned flags, model_scenario *out,
                                 char *err, size_t errsz)
{
    return load_text(model_default_scenario_json, strlen(model_default_scenario_json), "(built-in overlay-e7)",
                     profiles, nprof, flags, out, err, errsz);
}

int model_scenario_default(const char *const *profiles, int nprof, model_scenario *out, char *err,
                           size_t errsz)
{
    return model_scenario_default_flags(profiles, nprof, 0, out, err, errsz);
}

int model_scenario_parse_time(model_scenario *s, const cJSON *j, const char *path, model_dist *d, char *err,
                              size_t errsz)
{
    ctx c = {s->file, s, err, errsz};
    return model_parse_dist(&c, j, path, d);
}

int model_scenario_apply(model_scenario *s, const cJSON *fragment, char *err, size_t errsz)
{
    ctx c = {s->file, s, err, errsz};
    int rc = walk(&c, fragment, "");
    return rc ? rc : model_pool_check(s, err, errsz);
}

void model_scenario_free(model_scenario *s)
{
    model_pipeline_free(s->pipeline);
    s->pipeline = NULL;
    for (size_t i = 0; i < s->nowned; i++)
        free(s->owned[i]);
    free(s->owned);
    s->owned = NULL;
    s->nowned = 0;
    cJSON_Delete(s->applied);
    s->applied = NULL;
}

int model_gpu_list_normalize(int *g, int n)
{
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && g[b - 1] > g[b]; b--) {
            int t = g[b];
            g[b] = g[b - 1];
            g[b - 1] = t;
        }
    int m = 0;
    for (int a = 0; a < n; a++)
        if (m == 0 || g[m - 1] != g[a])
            g[m++] = g[a];
    return m;
}

double model_scenario_rate(const model_scenario *s)
{
    return s->gpu_per_s + s->cores * s->cpu_per_core_s + s->mem_gib * s->mem_per_gib_s;
}
