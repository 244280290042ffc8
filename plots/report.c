/* plots/report.c -- DIR/report.md and a self-contained DIR/report.html:
 * verdict, table, every chart, assumptions with their sources. See
 * report.h; the two formats are written by report_doc.h. */
#include "plots/report.h"
#include "sim/advise_col.h"
#include "plots/report_doc.h"
#include "plots/report_plan.h"
#include "plots/report_cap.h"
#include "model/output.h"
#include "model/profile.h"
#include "base/cleanup.h"
#include "base/json.h"
#include "base/status.h"
#include "base/proc.h"
#include "sim/montecarlo.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- sources of the scenario's numbers -------------------------------------- */

static const cJSON *json_at(const cJSON *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *j = root;
    for (char *tok = buf, *dot; tok && j; tok = dot ? dot + 1 : NULL) {
        dot = strchr(tok, '.');
        if (dot)
            *dot = 0;
        j = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, tok) : NULL;
    }
    return j;
}

/* A value for people: numbers %.6g, a distribution as "kind(k v, ...)". */
static void describe(const cJSON *j, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    if (!j) {
        snprintf(buf, n, "-");
    } else if (cJSON_IsNumber(j)) {
        snprintf(buf, n, "%.6g", j->valuedouble);
    } else if (cJSON_IsString(j)) {
        snprintf(buf, n, "%s", j->valuestring);
    } else if (cJSON_IsBool(j)) {
        snprintf(buf, n, "%s", cJSON_IsTrue(j) ? "true" : "false");
    } else if (cJSON_IsObject(j) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "dist"))) {
        len += (size_t)snprintf(buf + len, n - len, "%s(", cJSON_GetObjectItemCaseSensitive(j, "dist")->valuestring);
        int first = 1;
        for (const cJSON *c = j->child; c && len < n; c = c->next) {
            if (!strcmp(c->string, "dist") || c->string[0] == '_')
                continue;
            if (cJSON_IsNumber(c))
                len += (size_t)snprintf(buf + len, n - len, "%s%s %.4g", first ? "" : ", ", c->string, c->valuedouble);
            else if (cJSON_IsArray(c))
                len += (size_t)snprintf(buf + len, n - len, "%s%d %s", first ? "" : ", ", cJSON_GetArraySize(c), c->string);
            first = 0;
        }
        if (len < n)
            snprintf(buf + len, n - len, ")");
    } else {
        char *s = cJSON_PrintUnformatted(j);
        snprintf(buf, n, "%s", s ? s : "?");
        free(s);
    }
}

/* "fitted to EXPERIMENTS: median 33.3 [29.5, 37.6], ..." when the scenario's
 * _fit block fitted PATH or one of its parameters; "" otherwise. */
static void fitted(const cJSON *root, const char *path, char *buf, size_t n)
{
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(root, "_fit");
    const cJSON *params = fit ? cJSON_GetObjectItemCaseSensitive(fit, "parameters") : NULL;
    const cJSON *exps = fit ? cJSON_GetObjectItemCaseSensitive(fit, "experiments") : NULL;
    size_t len = 0, plen = strlen(path);
    buf[0] = 0;
    for (const cJSON *p = params ? params->child : NULL; p; p = p->next) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(p, "field");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(p, "ci95");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(p, "value");
        if (!cJSON_IsString(field) || strncmp(field->valuestring, path, plen) ||
            (field->valuestring[plen] && field->valuestring[plen] != '.'))
            continue;
        if (!len)
            len += (size_t)snprintf(buf + len, n - len, "fitted to %s:",
                                    cJSON_IsString(exps) ? exps->valuestring : "experiments");
        const char *leaf = field->valuestring[plen] ? field->valuestring + plen + 1 : "value";
        if (len < n)
            len += (size_t)snprintf(buf + len, n - len, " %s %.4g", leaf, cJSON_IsNumber(val) ? val->valuedouble : NAN);
        if (len < n && cJSON_GetArraySize(ci) == 2)
            len += (size_t)snprintf(buf + len, n - len, " (95%% CI %.4g to %.4g)", cJSON_GetArrayItem(ci, 0)->valuedouble,
                                    cJSON_GetArrayItem(ci, 1)->valuedouble);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "at_bound")) && len < n)
            len += (size_t)snprintf(buf + len, n - len, " [at a bound]");
    }
}

typedef struct {
    cJSON *root;        /* the scenario file's JSON, profiles merged */
    cJSON *file;        /* the scenario file's JSON alone */
    cJSON *prof[16];
    int nprof;
} sources;

static void sources_free(sources *s)
{
    cJSON_Delete(s->root);
    cJSON_Delete(s->file);
    for (int i = 0; i < s->nprof; i++)
        cJSON_Delete(s->prof[i]);
}

static int sources_load(sources *s, const plot_report_spec *r, char *err, size_t errsz)
{
    int rc = BASE_OK;
    memset(s, 0, sizeof *s);
    if (r->scenario_path)
        rc = base_json_load(r->scenario_path, &s->file, err, errsz);
    else
        rc = base_json_parse(model_default_scenario_json, strlen(model_default_scenario_json), "(built-in)",
                             &s->file, err, errsz);
    if (rc)
        return rc;
    if (!(s->root = cJSON_Duplicate(s->file, 1)))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    for (int i = 0; i < r->nprof && i < 16; i++) {
        if ((rc = base_json_load(r->profiles[i], &s->prof[i], err, errsz)))
            return rc;
        s->nprof = i + 1;
        if ((rc = model_scenario_merge(s->root, s->prof[i], r->profiles[i], err, errsz)))
            return rc;
    }
    return BASE_OK;
}

/* Where the value of PATH came from, most specific first. */
static void source_of(const sources *s, const model_scenario *sc, const plot_report_spec *r, const char *path,
                      char *buf, size_t n)
{
    if ((r->frames_given && !strcmp(path, "job.frames")) || (r->per_frame_given && !strcmp(path, "stage.per_frame_s")) ||
        (r->gpus_given && !strcmp(path, "parallel.gpus"))) {
        snprintf(buf, n, "given on the command line");
        return;
    }
    const cJSON *ap = model_profile_entry(sc->applied, path); /* what --with applied */
    if (ap) {
        snprintf(buf, n, "%s%s: %s", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ap, "measured")) ? "calibrated" : "given",
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ap, "kernel_only")) ? " (KERNEL ONLY: decode/encode excluded)" : "",
                 cJSON_GetObjectItemCaseSensitive(ap, "file")->valuestring);
        return;
    }
    char fit[512];
    fitted(s->file, path, fit, sizeof fit);
    if (fit[0]) {
        snprintf(buf, n, "%s", fit);
        return;
    }
    if (json_at(s->file, path))
        snprintf(buf, n, "given: %s", r->scenario_path ? r->scenario_path : "built-in default (data/scenarios/overlay-e7.json)");
    else
        snprintf(buf, n, "default");
}

/* ---- the report ---------------------------------------------------------------- */

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1240px;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.45}"
    "h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd}"
    ".verdict{font-size:1.35em;font-weight:bold;padding:.6em 1em;border-radius:6px}"
    ".verdict.yes{background:#e3f4ec;border-left:8px solid #009E73}"
    ".verdict.no{background:#f1f1f1;border-left:8px solid #777}"
    "table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .8em;border-bottom:1px solid #e4e4e4}"
    "th{background:#f6f6f6}td.r,th.r{text-align:right}td.l,th.l{text-align:left}"
    "img{max-width:100%;height:auto;border:1px solid #eee}figure{margin:1em 0}"
    "figcaption{color:#555;font-size:.9em}";

typedef struct {
    plot_kind kind;
    const char *heading, *answers;
} chart_info;

static const chart_info charts[] = {
    {PLOT_MAP, "Decision map",
     "For any video length and per-frame cost on this platform: the best GPU count, grey where splitting does "
     "not pay; the black line is the break-even. The rings are the experiments as measured on their own "
     "platforms, with what the model projects for them on this one."},
    {PLOT_SPEEDUP, "Speedup and cost against GPU count",
     "How much faster and how much dearer each GPU count is than 1 GPU for this job; blue points must be above "
     "the line, orange points below it; green bands are the beneficial GPU counts."},
    {PLOT_FRAMES, "Wall time and cost against video length",
     "How the answer changes with the number of frames; dots mark where each GPU count starts to pay."},
    {PLOT_BREAKDOWN, "Where the time goes",
     "Mean time of each phase on the slowest container: what splitting can shrink (process) and what it "
     "cannot (start, concat)."},
    {PLOT_GANTT, "One simulated run per GPU count",
     "Each container's phases on a time line, from the simulator's trace."},
    {PLOT_CDF, "Simulated wall-time distribution",
     "The spread of the wall time over simulated runs, p95 marked."},
};

/* DIR, made when missing; one we made is registered to go (if still empty)
 * on a signal: *reg its handle. */
static int ensure_dir(const char *dir, int *created, int *reg, char *err, size_t errsz)
{
    struct stat st;
    sigset_t held;
    base_cleanup_hold(&held);
    *created = mkdir(dir, 0777) == 0;
    int e = errno;
    if (*created)
        *reg = base_cleanup_add_emptydir(dir);
    base_cleanup_release(&held);
    if (!*created && e != EEXIST)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot create directory: %s", dir, strerror(e));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: not a directory", dir);
    if (access(dir, W_OK) != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write: %s", dir, strerror(errno));
    return BASE_OK;
}

/* Every chart it has data for into stage/KIND.png (+ .csv); drawn[k] set. */
static int draw_charts(const model_scenario *s, const plot_report_spec *r, const char *stage, long reps,
                       int *drawn, char *err, size_t errsz)
{
    char path[PATH_MAX];
    int rc;
    for (size_t c = 0; c < sizeof charts / sizeof *charts; c++) {
        plot_kind k = charts[c].kind;
        plot_opts po = r->opts;
        po.replications = reps;
        po.input = k == PLOT_GANTT ? r->trace_csv : k == PLOT_CDF ? r->walls_csv : NULL;
        snprintf(path, sizeof path, "%s/%s.png", stage, plot_kind_name(k));
        if ((rc = plot_chart(k, s, &po, path, err, errsz)))
            return rc;
        drawn[k] = 1;
    }
    return BASE_OK;
}

/* The title, the verdict, the decision rule and the break-even points. */
static void write_verdict(plot_doc *d, const model_scenario *s, const model_opts *mo, const model_eval *e)
{
    char buf[1024], tmp[256];
    snprintf(buf, sizeof buf, "Should %s be split across GPUs?", s->name);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", d->html);
    plot_doc_html(d->html, buf);
    fprintf(d->html, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    plot_doc_heading(d, 1, buf, NULL);

    plot_doc_verdict(d, e->summary, e->parallelize);
    if (e->parallelize)
        plot_doc_parafmt(d, "Split the stage across %d GPUs for a %ld-frame job.", e->best_gpus, e->frames);
    else
        plot_doc_parafmt(d, "Keep the stage on 1 GPU for a %ld-frame job.", e->frames);
    plot_doc_parafmt(d, "Decision rule: a GPU count is beneficial when its speedup is at least %.3gx and its cost at most "
                "%+.0f%% against 1 GPU (decision.min_speedup, decision.max_cost_increase)%s.",
            s->min_speedup, s->max_cost_increase * 100,
            mo->objective == MODEL_OBJ_VALUE_OF_TIME ? "; the verdict minimises cost plus the value of waiting" : "");
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < e->nk; i++) {
        if (e->k[i].gpus == 1)
            continue;
        if (e->break_even[i] > 0)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d GPUs from %s frames", len ? "; " : "",
                                    e->k[i].gpus, model_format_count(e->break_even[i], tmp, sizeof tmp));
        else
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d GPUs never (up to 10^8 frames)", len ? "; " : "",
                                    e->k[i].gpus);
    }
    if (len)
        plot_doc_parafmt(d, "Break-even (the smallest video at which each GPU count becomes beneficial): %s.", buf);
}

/* Predictions per GPU count, the simulated p95 beside the closed form's. */
static void write_table(plot_doc *d, const model_scenario *s, const model_eval *e, const model_eval *sim)
{
    char tmp[256];
    plot_doc_heading(d, 2, "Predictions per GPU count", "table");
    plot_doc_parafmt(d, "%s, %s frames, closed-form model (order statistics of the container times, numerical "
                "convolution; model/predict.h); sim p95: Monte Carlo, %ld replications, seed %lu "
                "(sim/montecarlo.h), as forkcast advise prints it.",
            s->name, model_format_count(e->frames, tmp, sizeof tmp), sim->replications, sim->seed);
    static const char *head[] = {"GPUs", "wall mean", "wall p95", "sim p95", "cost mean", "speedup", "cost change",
                                 "beneficial"};
    plot_doc_table t = {8, "rrrrrrrl"};
    plot_doc_table_head(d, &t, head);
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *k = &e->k[i];
        char c[8][48];
        const char *cells[8];
        snprintf(c[0], sizeof c[0], "%d", k->gpus);
        snprintf(c[1], sizeof c[1], "%.1f s", k->wall_mean);
        snprintf(c[2], sizeof c[2], "%.1f s", k->wall_p95);
        snprintf(c[3], sizeof c[3], "%.1f s", sim->k[i].wall_p95);
        snprintf(c[4], sizeof c[4], "$%.5f", k->cost_mean);
        snprintf(c[5], sizeof c[5], "%.2fx", k->speedup);
        snprintf(c[6], sizeof c[6], "%+.1f%%", (k->cost_ratio - 1) * 100);
        snprintf(c[7], sizeof c[7], "%s", k->gpus == 1 ? "baseline" : k->beneficial ? "yes" : "no");
        for (int j = 0; j < 8; j++)
            cells[j] = c[j];
        plot_doc_table_row(d, &t, cells);
    }
    plot_doc_table_end(d);
}

/* Every chart (capacity: its own section). */
static int write_charts(plot_doc *d, const int *drawn, char *err, size_t errsz)
{
    plot_doc_heading(d, 2, "Charts", "charts");
    for (size_t c = 0; c < sizeof charts / sizeof *charts; c++) {
        plot_kind k = charts[c].kind;
        plot_doc_heading(d, 3, charts[c].heading, plot_kind_name(k));
        plot_doc_para(d, charts[c].answers);
        if (drawn[k])
            plot_doc_image(d, plot_kind_name(k), charts[c].heading);
        if (d->err)
            return base_errf(err, errsz, BASE_ERUNTIME, "%s", d->errmsg);
    }
    return BASE_OK;
}

/* The value of scenario field `field` as the report shows it. */
static void field_value(const model_scenario *s, const plot_report_spec *r, const sources *src, const char *field,
                        char *val, size_t n)
{
    if (!strcmp(field, "job.frames") && r->frames_given)
        snprintf(val, n, "%ld", s->frames);
    else if (!strcmp(field, "stage.per_frame_s") && r->per_frame_given)
        snprintf(val, n, "%.6g", model_dist_mean(&s->per_frame));
    else if (!strcmp(field, "parallel.gpus") && r->gpus_given) {
        size_t l = 0;
        for (int g = 0; g < s->ngpus && l < n; g++)
            l += (size_t)snprintf(val + l, n - l, "%s%d", g ? "," : "[", s->gpus[g]);
        if (l < n)
            snprintf(val + l, n - l, "]");
    } else if (model_profile_entry(s->applied, field))
        describe(cJSON_GetObjectItemCaseSensitive(model_profile_entry(s->applied, field), "value"), val, n);
    else
        describe(json_at(src->root, field), val, n);
}

/* Every scenario field that is not at its default, with its source. */
static void write_assumptions(plot_doc *d, const model_scenario *s, const plot_report_spec *r, const sources *src,
                              const model_eval *sim)
{
    plot_doc_heading(d, 2, "Assumptions and where each number came from", "assumptions");
    plot_doc_parafmt(d, "Scenario: %s%s. Sources: fitted (the scenario's _fit block: a weighted least-squares fit to "
                "measured experiments, with 95%% intervals), calibrated (a profile written by forkcast "
                "calibrate), given (a value in a file), default (absent: an omitted overhead is 0).",
            r->scenario_path ? r->scenario_path : "the built-in default (data/scenarios/overlay-e7.json)",
            r->nprof ? ", with profiles merged in order" : "");
    const cJSON *comment = cJSON_GetObjectItemCaseSensitive(src->file, "_comment");
    if (cJSON_IsString(comment))
        plot_doc_parafmt(d, "Scenario note: %s", comment->valuestring);
    static const char *ahead[] = {"field", "value", "source"};
    plot_doc_table at = {3, "lll"};
    plot_doc_table_head(d, &at, ahead);
    const char *const *fields = model_scenario_fields();
    size_t len = 0;
    char absent[2048] = "";
    for (int i = 0; fields[i]; i++) {
        char val[256], from[768];
        source_of(src, s, r, fields[i], from, sizeof from);
        int reps = !strcmp(fields[i], "sim.replications"); /* what this report ran, beside it */
        if (!strcmp(from, "default") && !reps) {
            if (len + strlen(fields[i]) + 3 < sizeof absent)
                len += (size_t)snprintf(absent + len, sizeof absent - len, "%s%s", len ? ", " : "", fields[i]);
            continue;
        }
        field_value(s, r, src, fields[i], val, sizeof val);
        if (reps)
            snprintf(val + strlen(val), sizeof val - strlen(val), "; this report simulated %ld (sim p95, cdf: "
                     "advise's check, min(%d, sim.replications))", sim->replications, SIM_ADVISE_REPS);
        const char *cells[3] = {fields[i], val, from};
        plot_doc_table_row(d, &at, cells);
    }
    plot_doc_table_end(d);
    if (len)
        plot_doc_parafmt(d, "Absent, so at their defaults: %s.", absent);
}

/* The scenario's _fit block, when it has one: the experiments and residuals. */
static void write_fit(plot_doc *d, const sources *src)
{
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(src->file, "_fit");
    if (!cJSON_IsObject(fit))
        return;
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(fit, "source");
    const cJSON *chi2 = cJSON_GetObjectItemCaseSensitive(fit, "chi2"), *dof = cJSON_GetObjectItemCaseSensitive(fit, "dof");
    plot_doc_heading(d, 3, "The fit", "fit");
    plot_doc_parafmt(d, "Experiments: %s. Source: %s. chi2 %.3g with %d degrees of freedom%s.",
            cJSON_IsString(cJSON_GetObjectItemCaseSensitive(fit, "experiments"))
                ? cJSON_GetObjectItemCaseSensitive(fit, "experiments")->valuestring : "-",
            cJSON_IsString(source) ? source->valuestring : "-", cJSON_IsNumber(chi2) ? chi2->valuedouble : NAN,
            cJSON_IsNumber(dof) ? dof->valueint : 0,
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fit, "converged")) ? ", converged" : ", NOT converged");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(fit, "residuals");
    if (cJSON_GetArraySize(res) <= 0)
        return;
    static const char *rhead[] = {"GPUs", "quantity", "observed", "predicted", "error"};
    plot_doc_table rt = {5, "rlrrr"};
    plot_doc_table_head(d, &rt, rhead);
    for (const cJSON *x = res->child; x; x = x->next) {
        char c[5][64];
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(x, "gpus"), *q = cJSON_GetObjectItemCaseSensitive(x, "quantity"),
                    *o = cJSON_GetObjectItemCaseSensitive(x, "observed"), *p = cJSON_GetObjectItemCaseSensitive(x, "predicted"),
                    *ep = cJSON_GetObjectItemCaseSensitive(x, "error_pct");
        snprintf(c[0], sizeof c[0], "%d", cJSON_IsNumber(g) ? g->valueint : 0);
        snprintf(c[1], sizeof c[1], "%s", cJSON_IsString(q) ? q->valuestring : "-");
        snprintf(c[2], sizeof c[2], "%.5g", cJSON_IsNumber(o) ? o->valuedouble : NAN);
        snprintf(c[3], sizeof c[3], "%.5g", cJSON_IsNumber(p) ? p->valuedouble : NAN);
        snprintf(c[4], sizeof c[4], "%+.1f%%", cJSON_IsNumber(ep) ? ep->valuedouble : NAN);
        const char *cells[5] = {c[0], c[1], c[2], c[3], c[4]};
        plot_doc_table_row(d, &rt, cells);
    }
    plot_doc_table_end(d);
}

/* What the --with profiles applied: one line per field, as on stderr. */
static void write_applied(plot_doc *d, const model_scenario *s)
{
    char line[2048];
    if (!s->applied || !s->applied->child)
        return;
    plot_doc_heading(d, 2, "Profiles applied", "profiles");
    plot_doc_para(d, "Each field a --with profile gave replaced the scenario's value whole. Per field: the value "
                     "applied, the file, what the calibration covered, its fit and the machine it was measured on.");
    for (const cJSON *e = s->applied->child; e; e = e->next) {
        model_profile_line(e, s, line, sizeof line);
        plot_doc_para(d, line);
    }
}

static void write_method(plot_doc *d, const model_eval *sim)
{
    char tmp[256];
    plot_doc_heading(d, 2, "How this report was made", "method");
    time_t now = time(NULL);
    struct tm tmv;
    strftime(tmp, sizeof tmp, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tmv));
    plot_doc_parafmt(d, "forkcast report, %s. Predictions: the closed-form model (wall-time percentiles exact up to "
                "quadrature; costs by billing rules); simulated p95, gantt and cdf: the discrete-event Monte Carlo "
                "(%ld replications, seed %lu; the gantt is replication 0). Charts: gnuplot from the CSV files "
                "beside each PNG (docs/plots.md lists their columns). This HTML file is self-contained: the charts "
                "are inlined.",
            tmp, sim->replications, sim->seed);
    fputs("</body>\n</html>\n", d->html);
}

/* stage/KIND.{png,csv} -> dir/ for every drawn chart. */
static int move_charts(const char *stage, const char *dir, const int *drawn, char *err, size_t errsz)
{
    for (int k = 0; k < PLOT_NKINDS; k++)
        for (int ext = 0; drawn[k] && ext < 2; ext++) {
            char from[PATH_MAX + 16], to[PATH_MAX + 16];
            snprintf(from, sizeof from, "%s/%s.%s", stage, plot_kind_name((plot_kind)k), ext ? "csv" : "png");
            snprintf(to, sizeof to, "%s/%s.%s", dir, plot_kind_name((plot_kind)k), ext ? "csv" : "png");
            if (rename(from, to) != 0)
                return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot rename into place: %s", to, strerror(errno));
        }
    return BASE_OK;
}

int plot_report_write(const model_scenario *s, const plot_report_spec *r, const char *dir, char *err, size_t errsz)
{
    int rc;
    model_eval *e = malloc(sizeof *e), *sim = NULL;
    sources src = {0};
    base_out md = {0}, html = {0};
    int mdopen = 0, htmlopen = 0, created = 0, dirreg = -1;
    sigset_t held;
    int drawn[PLOT_NKINDS] = {0};
    char path[PATH_MAX], stage[PATH_MAX] = "";
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if ((rc = ensure_dir(dir, &created, &dirreg, err, errsz)) || (rc = sources_load(&src, r, err, errsz)))
        goto cleanup;
    /* Charts are drawn into a private directory inside DIR (removed on a
     * signal too: base/cleanup.h) and moved into place with the report's own
     * files only when everything succeeded. */
    if ((rc = base_tmpdir_at(dir, ".forkcast-report-", stage, sizeof stage, err, errsz)))
        goto cleanup;
    model_opts mo = r->opts.opts;
    mo.skip_break_even = 0;
    if ((rc = model_evaluate(s, &mo, e, err, errsz)) || (rc = model_eval_check(s, e, err, errsz)))
        goto cleanup;
    /* The simulated p95 column and the cdf chart: advise's Monte Carlo check. */
    long reps = sim_advise_reps(s);
    if (!(sim = malloc(sizeof *sim))) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = sim_advise_col(s, &mo, r->opts.threads, sim, err, errsz)) || (rc = model_eval_check(s, sim, err, errsz)))
        goto cleanup;
    /* Charts first: nothing of the report is written if gnuplot fails. */
    if ((rc = draw_charts(s, r, stage, reps, drawn, err, errsz)))
        goto cleanup;

    snprintf(path, sizeof path, "%s/report.md", dir);
    if ((rc = base_out_open(&md, path, err, errsz)))
        goto cleanup;
    mdopen = 1;
    snprintf(path, sizeof path, "%s/report.html", dir);
    if ((rc = base_out_open(&html, path, err, errsz)))
        goto cleanup;
    htmlopen = 1;
    plot_doc d = {md.f, html.f, stage, 0, ""};
    write_verdict(&d, s, &mo, e);
    write_table(&d, s, e, sim);
    write_applied(&d, s);
    if (plot_report_has_plan(s) && (rc = plot_report_plan(&d, s, &r->opts, stage, drawn, err, errsz)))
        goto cleanup;
    if (plot_report_has_capacity(s, r->series_csv) &&
        (rc = plot_report_capacity(&d, s, &r->opts, r->series_csv, stage, drawn, err, errsz)))
        goto cleanup;
    if ((rc = write_charts(&d, drawn, err, errsz)))
        goto cleanup;
    write_assumptions(&d, s, r, &src, sim);
    write_fit(&d, &src);
    write_method(&d, sim);

    /* Move the charts into DIR, then the report files, with the signals
     * held: a signal ends the run before this or after it, never between. */
    base_cleanup_hold(&held);
    if (!(rc = move_charts(stage, dir, drawn, err, errsz))) {
        htmlopen = 0;
        if (!(rc = base_out_commit(&html, err, errsz))) {
            mdopen = 0;
            rc = base_out_commit(&md, err, errsz);
        }
    }
    base_cleanup_release(&held);
cleanup:
    if (htmlopen)
        base_out_abort(&html);
    if (mdopen)
        base_out_abort(&md);
    base_tmpdir_remove(stage);
    if (rc && created)
        rmdir(dir); /* only if we made it and it is empty */
    base_cleanup_drop(&dirreg);
    sources_free(&src);
    free(sim);
    free(e);
    return rc;
}
