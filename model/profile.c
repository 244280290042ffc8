/* model/profile.c -- applying calibration profiles and the record of what
 * they applied. See profile.h for the contracts. */
#include "model/profile.h"
#include "base/status.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what a profile says about itself ----------------------------------- */

typedef struct {
    char covers[32];        /* the profile's: end_to_end, kernel_only, ... or given */
    char source[160];       /* "calibrate command", ...; "" for a hand-written file */
    char device[160];       /* what the measured work ran on: "cpu", a GPU, "unknown", "" */
    const cJSON *machine;   /* _provenance.machine, or NULL */
    const cJSON *fields;    /* per-field records: _provenance.fields, or NULL */
    const cJSON *warnings;  /* _provenance.warnings, or NULL */
    const cJSON *cmd_fit;   /* legacy `calibrate command` "fit" block */
    const cJSON *fit_block; /* "_fit" of `calibrate fit` */
    const char *kstage;     /* kernels: "overlay" / "framing", or NULL */
    int kernel_only;
} pinfo;

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *s = get(o, k);
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* The gpu-run file's reference run: calibration.runs[name == from].result. */
static const cJSON *gpu_run_ref(const cJSON *cal)
{
    const char *from = str(cal, "stage_per_frame_s_from");
    const cJSON *runs = get(cal, "runs");
    for (const cJSON *r = cJSON_IsArray(runs) ? runs->child : NULL; r && from; r = r->next) {
        const char *name = str(r, "name");
        if (name && !strcmp(name, from))
            return get(r, "result");
    }
    return NULL;
}

/* Files written before "_provenance": read what "calibration", "fit" and
 * "_fit" say. */
static void info_legacy(const cJSON *prof, pinfo *pi)
{
    const cJSON *cal = get(prof, "calibration");
    const char *mode = str(cal, "mode");
    if (mode && !strcmp(mode, "gpu-run")) {
        const cJSON *ref = get(gpu_run_ref(cal), "_provenance");
        snprintf(pi->covers, sizeof pi->covers, "end_to_end");
        snprintf(pi->source, sizeof pi->source, "scripts/gpu-run.sh: calibrate pipeline run %s",
                 str(cal, "stage_per_frame_s_from") ? str(cal, "stage_per_frame_s_from") : "?");
        snprintf(pi->device, sizeof pi->device, "%s", str(cal, "gpu") ? str(cal, "gpu") : "unknown");
        pi->machine = get(ref, "machine");
        pi->fields = get(ref, "fields");
        pi->warnings = get(ref, "warnings");
    } else if (mode && (!strcmp(mode, "kernels") || !strcmp(mode, "pipeline"))) {
        pi->kernel_only = !strcmp(mode, "kernels");
        snprintf(pi->covers, sizeof pi->covers, "%s", pi->kernel_only ? "kernel_only" : "end_to_end");
        snprintf(pi->source, sizeof pi->source, "calibrate %s", mode);
        snprintf(pi->device, sizeof pi->device, "%s", str(cal, "device") ? str(cal, "device") : "unknown");
        pi->kstage = str(cal, "stage");
    } else if (mode && !strcmp(mode, "ffmpeg")) {
        snprintf(pi->covers, sizeof pi->covers, "ffmpeg_overheads");
        snprintf(pi->source, sizeof pi->source, "calibrate ffmpeg");
        snprintf(pi->device, sizeof pi->device, "cpu");
    } else if (cJSON_IsObject(get(prof, "fit")) && get(get(prof, "fit"), "per_frame_s")) {
        pi->cmd_fit = get(prof, "fit");
        snprintf(pi->covers, sizeof pi->covers, "end_to_end");
        snprintf(pi->source, sizeof pi->source, "calibrate command");
        snprintf(pi->device, sizeof pi->device, "unknown");
    } else if (cJSON_IsObject(get(prof, "_fit"))) {
        pi->fit_block = get(prof, "_fit");
        snprintf(pi->covers, sizeof pi->covers, "fitted_platform");
        snprintf(pi->source, sizeof pi->source, "calibrate fit");
    }
}

static void info_read(const cJSON *prof, pinfo *pi)
{
    memset(pi, 0, sizeof *pi);
    snprintf(pi->covers, sizeof pi->covers, "given");
    const cJSON *pv = get(prof, "_provenance");
    if (!cJSON_IsObject(pv)) {
        info_legacy(prof, pi);
    } else {
        const char *c = str(pv, "covers"), *t = str(pv, "tool"), *d = str(pv, "device");
        snprintf(pi->covers, sizeof pi->covers, "%s", c ? c : "given");
        snprintf(pi->source, sizeof pi->source, "%s", t ? t : "");
        snprintf(pi->device, sizeof pi->device, "%s", d ? d : "unknown");
        pi->machine = get(pv, "machine");
        pi->fields = get(pv, "fields");
        pi->warnings = get(pv, "warnings");
        pi->kernel_only = !strcmp(pi->covers, "kernel_only");
        pi->kstage = str(pv, "stage");
        pi->fit_block = get(prof, "_fit");
    }
    if (cJSON_IsObject(get(prof, "kernel_only"))) {
        pi->kernel_only = 1;
        snprintf(pi->covers, sizeof pi->covers, "kernel_only");
    }
}

/* ---- one applied field -------------------------------------------------- */

/* The fitted parameters of `path` in a "_fit" block, with chi2 and dof. */
static cJSON *fit_params(const cJSON *fit, const char *path)
{
    const cJSON *ps = get(fit, "parameters");
    size_t n = strlen(path);
    cJSON *out = NULL, *arr = NULL;
    for (const cJSON *p = cJSON_IsArray(ps) ? ps->child : NULL; p; p = p->next) {
        const char *f = str(p, "field");
        if (!f || strncmp(f, path, n) || (f[n] && f[n] != '.'))
            continue;
        if (!out) {
            out = cJSON_CreateObject();
            const char *ex = str(fit, "experiments");
            cJSON_AddStringToObject(out, "how", "fitted to observations by weighted least squares");
            if (ex)
                cJSON_AddStringToObject(out, "experiments", ex);
            if (cJSON_IsNumber(get(fit, "chi2")))
                cJSON_AddNumberToObject(out, "chi2", get(fit, "chi2")->valuedouble);
            if (cJSON_IsNumber(get(fit, "dof")))
                cJSON_AddNumberToObject(out, "dof", get(fit, "dof")->valuedouble);
            arr = cJSON_AddArrayToObject(out, "parameters");
        }
        cJSON_AddItemToArray(arr, cJSON_Duplicate(p, 1));
    }
    return out;
}

/* The record of how `path` was measured, or NULL when the profile has none. */
static cJSON *field_fit(const pinfo *pi, const char *path)
{
    const cJSON *f = get(pi->fields, path);
    if (f)
        return cJSON_Duplicate(f, 1);
    if (pi->fit_block)
        return fit_params(pi->fit_block, path);
    if (pi->cmd_fit) {
        const char *k = !strcmp(path, "stage.per_frame_s") ? "per_frame_s"
                        : !strcmp(path, "stage.ffmpeg_start_s") ? "fixed_s" : NULL;
        const cJSON *v = k ? get(pi->cmd_fit, k) : NULL;
        if (!v)
            return NULL;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "how", !strcmp(k, "fixed_s") ? "intercept of wall time against frames"
                                                                : "slope of wall time against frames");
        if (get(v, "ci95"))
            cJSON_AddItemToObject(o, "ci95", cJSON_Duplicate(get(v, "ci95"), 1));
        if (cJSON_IsNumber(get(pi->cmd_fit, "r2")))
            cJSON_AddNumberToObject(o, "r2", get(pi->cmd_fit, "r2")->valuedouble);
        return o;
    }
    return NULL;
}

/* Whether `path` was measured (or fitted) by the profile's tool, rather than
 * copied or hand-written. */
static int field_measured(const pinfo *pi, const cJSON *fit)
{
    if (!pi->source[0])
        return 0;
    if (pi->fields || pi->fit_block)
        return fit != NULL;
    return 1; /* legacy calibrate output: everything it wrote it measured */
}

static int record(cJSON *applied, const pinfo *pi, const char *file, const char *path, const cJSON *value)
{
    for (cJSON *e = applied->child; e; e = e->next)
        if (!strcmp(str(e, "field") ? str(e, "field") : "", path)) {
            cJSON_DetachItemViaPointer(applied, e);
            cJSON_Delete(e);
            break;
        }
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return BASE_ERUNTIME;
    cJSON *fit = field_fit(pi, path);
    int measured = field_measured(pi, fit);
    const char *covers = measured ? pi->covers : "given";
    const char *fc = str(fit, "covers");
    cJSON_AddStringToObject(e, "field", path);
    cJSON_AddItemToObject(e, "value", cJSON_Duplicate(value, 1));
    cJSON_AddStringToObject(e, "file", file);
    cJSON_AddStringToObject(e, "covers", fc && measured ? fc : covers);
    cJSON_AddStringToObject(e, "source", pi->source[0] ? pi->source : "hand-written");
    cJSON_AddBoolToObject(e, "measured", measured);
    if (measured && pi->device[0])
        cJSON_AddStringToObject(e, "device", pi->device);
    cJSON_AddItemToObject(e, "machine", measured && pi->machine ? cJSON_Duplicate(pi->machine, 1)
                                                                : cJSON_CreateNull());
    cJSON_AddItemToObject(e, "fit", fit ? fit : cJSON_CreateNull());
    /* the profile's warnings (about every field), then the field's own */
    cJSON *w = cJSON_AddArrayToObject(e, "warnings");
    const cJSON *fw = get(fit, "warnings");
    for (const cJSON *x = measured && cJSON_IsArray(pi->warnings) ? pi->warnings->child : NULL; x; x = x->next)
        cJSON_AddItemToArray(w, cJSON_Duplicate(x, 1));
    for (const cJSON *x = measured && cJSON_IsArray(fw) ? fw->child : NULL; x; x = x->next)
        cJSON_AddItemToArray(w, cJSON_Duplicate(x, 1));
    cJSON_AddBoolToObject(e, "kernel_only", pi->kernel_only && measured);
    cJSON_AddItemToArray(applied, e);
    /* cJSON's Add* fail silently: the last one missing means memory ran out. */
    return cJSON_GetObjectItemCaseSensitive(e, "kernel_only") ? BASE_OK : BASE_ERUNTIME;
}

/* ---- the merge ---------------------------------------------------------- */

/* A section: a strict prefix of some field path ("platform.billing"). */
static int is_section(const char *path)
{
    size_t n = strlen(path);
    for (const char *const *f = model_scenario_fields(); *f; f++)
        if (!strncmp(*f, path, n) && (*f)[n] == '.')
            return 1;
    return 0;
}

typedef struct {
    const pinfo *pi;
    const char *file;
    cJSON *applied;
    char *err;
    size_t errsz;
} mctx;

static int merge(cJSON *dst, const cJSON *src, const char *prefix, mctx *c)
{
    for (const cJSON *k = src->child; k; k = k->next) {
        if (!k->string || k->string[0] == '_')
            continue;
        if (!*prefix && (!strcmp(k->string, "calibration") || !strcmp(k->string, "fit") ||
                         !strcmp(k->string, "kernel_only")))
            continue;
        char path[256];
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k->string) >= sizeof path)
            return base_errf(c->err, c->errsz, BASE_EINPUT, "%s: %s...: field name too long", c->file, prefix);
        cJSON *mine = cJSON_GetObjectItemCaseSensitive(dst, k->string);
        if (cJSON_IsObject(k) && is_section(path)) {
            if (!cJSON_IsObject(mine)) {
                cJSON *o = cJSON_CreateObject();
                if (!o)
                    return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
                if (mine)
                    cJSON_ReplaceItemInObjectCaseSensitive(dst, k->string, o);
                else
                    cJSON_AddItemToObject(dst, k->string, o);
                mine = o;
            }
            int rc = merge(mine, k, path, c);
            if (rc)
                return rc;
            continue;
        }
        /* A field (or an unknown key, which the parser reports): replaced whole. */
        cJSON *dup = cJSON_Duplicate(k, 1);
        if (!dup)
            return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
        if (mine)
            cJSON_ReplaceItemInObjectCaseSensitive(dst, k->string, dup);
        else
            cJSON_AddItemToObject(dst, k->string, dup);
        if (c->applied && record(c->applied, c->pi, c->file, path, k))
            return base_errf(c->err, c->errsz, BASE_ERUNTIME, "%s: out of memory", c->file);
    }
    return BASE_OK;
}

/* The sections of prof to apply: the profile itself, then (allowed) its
 * kernel_only section. */
static int merge_profile(cJSON *root, const cJSON *prof, const char *file, const pinfo *pi, unsigned flags,
                         cJSON *applied, char *err, size_t errsz)
{
    mctx c = {pi, file, applied, err, errsz};
    int rc = merge(root, prof, "", &c);
    const cJSON *ko = get(prof, "kernel_only");
    if (!rc && (flags & MODEL_PROFILE_ALLOW_KERNEL_ONLY) && cJSON_IsObject(ko))
        rc = merge(root, ko, "", &c);
    return rc;
}

int model_scenario_merge(cJSON *root, const cJSON *prof, const char *file, char *err, size_t errsz)
{
    if (!cJSON_IsObject(prof))
        return base_errf(err, errsz, BASE_EINPUT, "%s: a profile must be a JSON object", file);
    pinfo pi;
    info_read(prof, &pi);
    return merge_profile(root, prof, file, &pi, 0, NULL, err, errsz);
}

static int refuse_kernel_only(const char *file, const pinfo *pi, char *err, size_t errsz)
{
    return base_errf(err, errsz, BASE_EINPUT,
                     "%s: a kernel-only profile (calibrate kernels: the %s kernel alone, decode and encode "
                     "excluded) would become the stage's whole per-frame cost; measure the stage end to end "
                     "with calibrate pipeline or calibrate command, or pass --allow-kernel-only to apply it "
                     "anyway",
                     file, pi->kstage ? pi->kstage : "overlay or framing");
}

int model_profile_apply(cJSON *root, const cJSON *prof, const char *file, unsigned flags, cJSON *applied,
                        char *err, size_t errsz)
{
    if (!cJSON_IsObject(prof))
        return base_errf(err, errsz, BASE_EINPUT, "%s: a profile must be a JSON object (got %s)", file,
                         cJSON_IsArray(prof) ? "an array" : "a scalar");
    pinfo pi;
    info_read(prof, &pi);
    if (pi.kernel_only && !(flags & MODEL_PROFILE_ALLOW_KERNEL_ONLY))
        return refuse_kernel_only(file, &pi, err, errsz);
    /* The profile's own fields, checked against the schema in a minimal
     * scenario, so that errors name the profile. */
    cJSON *probe = cJSON_Parse("{\"job\":{\"frames\":1}}");
    model_scenario tmp;
    int rc = probe ? merge_profile(probe, prof, file, &pi, flags, NULL, err, errsz)
                   : base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if (!rc) {
        rc = model_scenario_from_json(probe, file, &tmp, err, errsz);
        if (!rc)
            model_scenario_free(&tmp);
    }
    cJSON_Delete(probe);
    if (rc)
        return rc;
    return merge_profile(root, prof, file, &pi, flags, applied, err, errsz);
}

/* ---- the record --------------------------------------------------------- */

const cJSON *model_profile_entry(const cJSON *applied, const char *field)
{
    for (const cJSON *e = cJSON_IsArray(applied) ? applied->child : NULL; e; e = e->next)
        if (str(e, "field") && !strcmp(str(e, "field"), field))
            return e;
    return NULL;
}

void model_profile_overridden(cJSON *applied, const char *field, const char *by)
{
    cJSON *e = (cJSON *)model_profile_entry(applied, field);
    if (!e)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(e, "overridden_by");
    cJSON_AddStringToObject(e, "overridden_by", by);
}

const char *model_profile_covers_text(const char *covers)
{
    static const char *const map[][2] = {
        {"end_to_end", "end to end"},
        {"kernel_only", "kernel only"},
        {"ffmpeg_overheads", "FFmpeg overheads"},
        {"fitted_platform", "fitted platform"},
        {"given", "given, not measured"},
    };
    for (size_t i = 0; covers && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(covers, map[i][0]))
            return map[i][1];
    return covers ? covers : "?";
}

/* ---- the line ----------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t n, len;
} sbuf;

__attribute__((format(printf, 2, 3))) static void put(sbuf *b, const char *fmt, ...)
{
    if (b->len + 1 >= b->n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->buf + b->len, b->n - b->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        b->len += (size_t)w < b->n - b->len ? (size_t)w : b->n - b->len - 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* Per-frame costs read best in ms/frame; other times in s. */
static int per_frame_field(const char *field)
{
    return ends_with(field, "per_frame_s");
}

/* A time in seconds: "_s" but not a rate (MB/s, USD/s, per core-s, per GiB-s). */
static int time_field(const char *field)
{
    return ends_with(field, "_s") && !ends_with(field, "mb_s") && !ends_with(field, "per_s") &&
           !ends_with(field, "per_core_s") && !ends_with(field, "per_gib_s");
}

static int is_time_key(const char *k)
{
    static const char *const t[] = {"value", "mean", "median", "p95", "min", "max", "sd", "scale", "shift", NULL};
    for (int i = 0; t[i]; i++)
        if (!strcmp(k, t[i]))
            return 1;
    return 0;
}

/* A measured time to 3 digits (ms when asked); anything else as given. */
static void put_num(sbuf *b, double v, int ms)
{
    put(b, "%.3g", ms ? 1e3 * v : v);
}

static void put_plain(sbuf *b, double v)
{
    put(b, "%.6g", v);
}

/* A value with its unit: "27.1 ms/frame", "1.5 s", "gamma(mean 25 ms, cv
 * 0.1) per frame", "lognormal(median 1.5 s, p95 2.5 s)". */
static void put_value(sbuf *b, const char *field, const cJSON *v)
{
    int ms = per_frame_field(field);
    int time = time_field(field);
    if (cJSON_IsNumber(v)) {
        if (time)
            put_num(b, v->valuedouble, ms);
        else
            put_plain(b, v->valuedouble);
        put(b, "%s", ms ? " ms/frame" : time ? " s" : "");
    } else if (cJSON_IsString(v)) {
        put(b, "\"%s\"", v->valuestring);
    } else if (cJSON_IsBool(v)) {
        put(b, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsObject(v) && str(v, "dist")) {
        put(b, "%s(", str(v, "dist"));
        int first = 1;
        for (const cJSON *c = v->child; c; c = c->next) {
            if (!strcmp(c->string, "dist") || c->string[0] == '_')
                continue;
            put(b, "%s%s ", first ? "" : ", ", c->string);
            if (cJSON_IsNumber(c)) {
                if (time && is_time_key(c->string))
                    put_num(b, c->valuedouble, ms);
                else
                    put_plain(b, c->valuedouble);
                if (time && is_time_key(c->string))
                    put(b, "%s", ms ? " ms" : " s");
            } else if (cJSON_IsArray(c)) {
                put(b, "[%d values]", cJSON_GetArraySize(c));
            }
            first = 0;
        }
        put(b, ")%s", ms ? " per frame" : "");
    } else {
        char *t = cJSON_PrintUnformatted(v);
        put(b, "%s", t ? t : "?");
        free(t);
    }
}

static int ci_of(const cJSON *o, double ci[2])
{
    const cJSON *a = get(o, "ci95");
    if (cJSON_GetArraySize(a) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(a, 1)))
        return 0;
    ci[0] = cJSON_GetArrayItem(a, 0)->valuedouble;
    ci[1] = cJSON_GetArrayItem(a, 1)->valuedouble;
    return 1;
}

/* ", r² 0.89", ", chi² 4.8 on 4 dof, median 33.3 [29.5, 37.6]", ", n 60". */
static void put_fit(sbuf *b, const cJSON *fit)
{
    if (cJSON_IsNumber(get(fit, "r2")))
        put(b, ", r\u00b2 %.3g", get(fit, "r2")->valuedouble);
    if (cJSON_IsNumber(get(fit, "n")))
        put(b, ", %d samples", get(fit, "n")->valueint);
    if (cJSON_IsNumber(get(fit, "chi2")))
        put(b, ", chi\u00b2 %.3g on %d dof", get(fit, "chi2")->valuedouble,
            cJSON_IsNumber(get(fit, "dof")) ? get(fit, "dof")->valueint : 0);
    const cJSON *ps = get(fit, "parameters");
    for (const cJSON *p = cJSON_IsArray(ps) ? ps->child : NULL; p; p = p->next) {
        const char *f = str(p, "field");
        const char *leaf = f && strrchr(f, '.') ? strrchr(f, '.') + 1 : f ? f : "?";
        double ci[2];
        put(b, ", %s %.4g", leaf, cJSON_IsNumber(get(p, "value")) ? get(p, "value")->valuedouble : NAN);
        if (ci_of(p, ci))
            put(b, " [%.4g, %.4g]", ci[0], ci[1]);
        else if (cJSON_IsTrue(get(p, "at_bound")))
            put(b, " (at its bound)");
    }
}

static int is_gpu_name(const char *d)
{
    return d && *d && strcmp(d, "cpu") && strcmp(d, "unknown");
}

/* "measured on NVIDIA H200" / "measured on Intel Xeon (no GPU)" / ... */
static void put_machine(sbuf *b, const cJSON *e)
{
    const char *dev = str(e, "device");
    const cJSON *m = get(e, "machine");
    const char *cpu = str(m, "cpu"), *gpu = str(m, "gpu");
    if (is_gpu_name(dev)) {
        put(b, ", measured on %s", dev);
        if (cpu)
            put(b, " (host CPU %s)", cpu);
        return;
    }
    if (!cpu) {
        put(b, "%s, machine not recorded", dev && !strcmp(dev, "cpu") ? ", measured on a CPU" : "");
        return;
    }
    put(b, ", measured on %s", cpu);
    if (!gpu)
        put(b, ", no GPU");
    else if (dev && !strcmp(dev, "unknown"))
        put(b, ", GPU %s present, use unknown", gpu);
    else
        put(b, ", GPU %s not used", gpu);
}

void model_profile_line(const cJSON *e, const model_scenario *s, char *buf, size_t n)
{
    sbuf b = {buf, n, 0};
    if (!n)
        return;
    buf[0] = 0;
    const char *field = str(e, "field") ? str(e, "field") : "?";
    const cJSON *fit = get(e, "fit");
    const char *covers = str(e, "covers");
    int measured = cJSON_IsTrue(get(e, "measured"));
    double ci[2];
    put(&b, "%s = ", field);
    put_value(&b, field, get(e, "value"));
    if (ci_of(fit, ci)) {
        int ms = per_frame_field(field), dist = cJSON_IsObject(get(e, "value"));
        put(&b, "%s[", dist ? ", mean in " : " ");
        put_num(&b, ci[0], ms);
        put(&b, ", ");
        put_num(&b, ci[1], ms);
        put(&b, "]%s", dist ? (ms ? " ms" : " s") : "");
    }
    put(&b, " from %s (", str(e, "file") ? str(e, "file") : "?");
    if (!measured) {
        put(&b, "given, not measured");
    } else {
        put(&b, "%s, %s", str(e, "source") ? str(e, "source") : "?", model_profile_covers_text(covers));
        put_fit(&b, fit);
        if (covers && !strcmp(covers, "fitted_platform")) {
            const char *ex = str(fit, "experiments");
            put(&b, ", fitted to %s's observations, not measured on this machine", ex ? ex : "experiments");
        } else {
            put_machine(&b, e);
            const char *dev = str(e, "device");
            if (per_frame_field(field) && s && s->gpu_per_s > 0) {
                if (!is_gpu_name(dev) || !strcasestr(dev, s->gpu))
                    put(&b, "; not on the scenario's %s", s->gpu);
            }
        }
    }
    put(&b, ")");
    if (cJSON_IsTrue(get(e, "kernel_only")))
        put(&b, "; KERNEL ONLY: decode/encode excluded");
    const cJSON *w = get(e, "warnings");
    for (const cJSON *x = cJSON_IsArray(w) ? w->child : NULL; x; x = x->next)
        if (cJSON_IsString(x))
            put(&b, "; warning: %s", x->valuestring);
    if (str(e, "overridden_by"))
        put(&b, "; overridden by %s", str(e, "overridden_by"));
}
