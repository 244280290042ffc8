/* plots/chart.c -- the chart kinds, and one chart as CSV + image written
 * all or nothing. See chart.h. */
#include "plots/chart.h"
#include "plots/chart_csv.h"
#include "base/status.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name, *what;
    int input;                       /* 1: draws a CSV given with --input, else runs a simulation;
                                      * 2: a plan chart (chart_plan.c) */
} kinds[PLOT_NKINDS] = {
    [PLOT_SPEEDUP] = {"speedup", "speedup and cost ratio against GPU count", 0},
    [PLOT_FRAMES] = {"frames", "wall time and cost against frame count", 0},
    [PLOT_MAP] = {"map", "decision map: best GPU count by frame count and per-frame cost", 0},
    [PLOT_GANTT] = {"gantt", "one simulated run per GPU count, phases per container", 1},
    [PLOT_CDF] = {"cdf", "distribution of simulated wall time per GPU count", 1},
    [PLOT_BREAKDOWN] = {"breakdown", "mean phase times on the critical container", 0},
    [PLOT_CAPACITY] = {"capacity", "latency percentiles and containers in use over time", 1},
    [PLOT_PARETO] = {"pareto", "pipeline plans: mean cost against p95 wall, the Pareto front, current and recommended", 2},
    [PLOT_PLAN_GANTT] = {"plan-gantt", "one simulated run of the current and the recommended pipeline plan", 2},
};

const char *plot_kind_name(plot_kind k)
{
    assert(k >= 0 && k < PLOT_NKINDS);
    return kinds[k].name;
}

const char *plot_kind_what(plot_kind k)
{
    assert(k >= 0 && k < PLOT_NKINDS);
    return kinds[k].what;
}

int plot_kind_takes_input(plot_kind k)
{
    assert(k >= 0 && k < PLOT_NKINDS);
    return kinds[k].input == 1;
}

int plot_kind_parse(const char *name, plot_kind *out)
{
    for (int k = 0; k < PLOT_NKINDS; k++)
        if (!strcmp(name, kinds[k].name)) {
            *out = (plot_kind)k;
            return 0;
        }
    return -1;
}

void plot_title(plot_kind kind, const model_scenario *s, char *buf, size_t n)
{
    const char *name = s ? s->name : "";
    switch (kind) {
    case PLOT_SPEEDUP: snprintf(buf, n, "%s, %ld frames: speedup and cost against 1 GPU", name, s ? s->frames : 0); break;
    case PLOT_FRAMES: snprintf(buf, n, "%s: mean wall time and cost against video length", name); break;
    case PLOT_MAP: snprintf(buf, n, "%s: split or not? best GPU count by video length and cost per frame", name); break;
    case PLOT_BREAKDOWN: snprintf(buf, n, "%s, %ld frames: where the time goes (slowest container, mean)", name, s ? s->frames : 0); break;
    case PLOT_GANTT: snprintf(buf, n, "%s%sone simulated run per GPU count", name, *name ? ": " : ""); break;
    case PLOT_CDF: snprintf(buf, n, "%s%ssimulated wall time distribution per GPU count", name, *name ? ": " : ""); break;
    case PLOT_CAPACITY: snprintf(buf, n, "%s%slatency and containers over time", name, *name ? ": " : ""); break;
    case PLOT_PARETO: snprintf(buf, n, "%s: pipeline plans, mean cost against p95 wall time", name); break;
    case PLOT_PLAN_GANTT: snprintf(buf, n, "%s: current and recommended plan, one simulated run", name); break;
    case PLOT_NKINDS: buf[0] = 0; break;
    }
}

int plot_write_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                   size_t errsz)
{
    if (!o->input && !s)
        return base_errf(err, errsz, BASE_EINPUT, "%s: needs a scenario", kinds[kind].name);
    assert(kind >= 0 && kind < PLOT_NKINDS);
    if (kinds[kind].input == 2)
        return plot_plan_csv(kind, s, o, f, v, err, errsz);
    return kinds[kind].input ? plot_sim_csv(kind, s, o, f, v, err, errsz)
                             : plot_model_csv(kind, s, o, f, v, err, errsz);
}

/* ---- one chart ----------------------------------------------------------------- */

int plot_format(const char *out, const char **fmt)
{
    const char *dot = strrchr(out, '.');
    const char *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash))
        return -1;
    if (!strcmp(dot, ".png"))
        *fmt = "png";
    else if (!strcmp(dot, ".svg"))
        *fmt = "svg";
    else
        return -1;
    return 0;
}

static int is_dir_writable(const char *path, char *err, size_t errsz)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (strlen(path) >= sizeof dir)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", path);
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = 0;
    }
    if (access(dir, W_OK) != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write to directory %s: %s", path, dir,
                          strerror(errno));
    return BASE_OK;
}

int plot_chart(plot_kind kind, const model_scenario *s, const plot_opts *o, const char *out, char *err,
               size_t errsz)
{
    const char *fmt;
    char csvpath[PATH_MAX];
    base_out co = {0}, io = {0};
    plot_vars v = {.buf = ""};
    int rc, copen = 0, iopen = 0;
    if (plot_format(out, &fmt))
        return base_errf(err, errsz, BASE_EINPUT, "%s: the output must end in .png or .svg", out);
    size_t base = strlen(out) - 4;
    if (base + 5 > sizeof csvpath)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", out);
    memcpy(csvpath, out, base);
    strcpy(csvpath + base, ".csv");
    if ((rc = is_dir_writable(out, err, errsz)))
        return rc;
    /* Both files go to temporary names first; renamed only if gnuplot succeeds. */
    if ((rc = base_out_open(&co, csvpath, err, errsz)))
        goto cleanup;
    copen = 1;
    if ((rc = plot_write_csv(kind, s, o, co.f, &v, err, errsz)))
        goto cleanup;
    if (fflush(co.f) != 0 || ferror(co.f)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: write failed", csvpath);
        goto cleanup;
    }
    /* gnuplot writes the image into io.tmp (the same inode io.f holds), then
     * base_out_commit fsyncs and renames it. */
    if ((rc = base_out_open(&io, out, err, errsz)))
        goto cleanup;
    iopen = 1;
    char title[512];
    plot_title(kind, s, title, sizeof title);
    plot_var_str(&v, "title", title);
    if ((rc = plot_render(kinds[kind].name, co.tmp, io.tmp, fmt, &v, err, errsz)))
        goto cleanup;
    iopen = 0;
    if ((rc = base_out_commit(&io, err, errsz)))
        goto cleanup;
    copen = 0;
    if ((rc = base_out_commit(&co, err, errsz))) {
        if (!io.direct)
            unlink(io.target); /* the image just renamed there (a link's target; never a device) */
        goto cleanup;
    }
cleanup:
    if (iopen)
        base_out_abort(&io);
    if (copen)
        base_out_abort(&co);
    return rc;
}
