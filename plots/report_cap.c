/* plots/report_cap.c -- the report's Capacity section. See report_cap.h. */
#include "plots/report_cap.h"
#include "base/status.h"
#include "model/workload.h"
#include "sim/capacity.h"

#include <limits.h>
#include <stdio.h>

int plot_report_has_capacity(const model_scenario *s, const char *series_csv)
{
    return s->has_workload || series_csv;
}

static void figure(plot_doc *d, const plot_doc_table *t, const char *name, const char *value, const char *what)
{
    const char *cells[3] = {name, value, what};
    plot_doc_table_row(d, t, cells);
}

/* The key figures of one run of the workload, as forkcast capacity prints them. */
static void write_figures(plot_doc *d, const model_scenario *s, const sim_cap_result *r)
{
    char wl[1200], pol[64], maxc[32], v[160], note[512];
    static const char *head[] = {"figure", "value", "what it is"};
    plot_doc_table t = {3, "lrl"};
    model_workload_name(s, wl, sizeof wl);
    model_policy_name(s, pol, sizeof pol);
    if (s->max_containers > 0)
        snprintf(maxc, sizeof maxc, "%d", s->max_containers);
    else
        snprintf(maxc, sizeof maxc, "unlimited");
    plot_doc_parafmt(d, "A stream of jobs on an autoscaled pool, simulated by forkcast capacity (sim/capacity.h, "
                        "docs/capacity.md): %s, policy %s, seed %lu; pool: at most %s containers, %d kept warm, "
                        "scale-down after %g s idle. %ld jobs counted of %ld (warm-up %ld).",
                     wl, pol, s->seed, maxc, s->min_containers, s->scaledown_window_s, r->jobs, r->jobs_total,
                     r->jobs_total - r->jobs);
    sim_cap_stability_note(r, note, sizeof note);
    if (!r->stable)
        plot_doc_parafmt(d, "Warning: %s", note);
    plot_doc_table_head(d, &t, head);
    if (r->served > 0) {
        snprintf(v, sizeof v, "%.1f s", r->latency_p95);
        figure(d, &t, "p95 latency", v, "95% of served jobs finished within this, from arrival to done");
    } else {
        figure(d, &t, "p95 latency", "-", "no job was served");
    }
    snprintf(v, sizeof v, "%.1f%%", 100 * r->cold_start_fraction);
    figure(d, &t, "cold-start fraction", v, "chunks that waited for a container's cold start");
    snprintf(v, sizeof v, "%.1f%%", 100 * r->utilization);
    figure(d, &t, "utilization", v, "busy share of the live (billed) container time");
    snprintf(v, sizeof v, "$%.2f", r->cost_per_day);
    figure(d, &t, "cost per day", v, "billed containers (and concat) per 24 h of the window");
    if (r->served > 0) {
        snprintf(v, sizeof v, "%.1f s / %.1f s / %.1f s", r->latency_mean, r->latency_p50, r->latency_p99);
        figure(d, &t, "latency mean / p50 / p99", v, "served jobs");
    }
    snprintf(v, sizeof v, "%.2f / %.2f / %d", r->mean_busy, r->mean_idle, r->peak);
    figure(d, &t, "containers busy / idle / peak", v, "time-averaged busy and idle (warm, billed); most live at once");
    snprintf(v, sizeof v, "$%.5f", r->cost_per_job);
    figure(d, &t, "cost per served job", v, "the window's billed cost over its served jobs");
    if (s->has_max_queue || s->queue_timeout_s > 0) {
        snprintf(v, sizeof v, "%.2f%% / %.2f%%", 100 * r->rejected_fraction, 100 * r->timed_out_fraction);
        figure(d, &t, "rejected / timed out", v, "of the counted jobs");
    }
    plot_doc_table_end(d);
}

int plot_report_capacity(plot_doc *d, const model_scenario *s, const plot_opts *o, const char *series_csv,
                         const char *stage, int *drawn, char *err, size_t errsz)
{
    char path[PATH_MAX];
    plot_opts po = *o;
    sim_cap *cap = NULL;
    sim_cap_result res;
    int rc;
    po.input = series_csv;
    snprintf(path, sizeof path, "%s/%s.png", stage, plot_kind_name(PLOT_CAPACITY));
    if ((rc = plot_chart(PLOT_CAPACITY, s, &po, path, err, errsz)))
        return rc;
    drawn[PLOT_CAPACITY] = 1;
    plot_doc_heading(d, 2, "Capacity", "capacity");
    if (series_csv)
        plot_doc_parafmt(d, "The chart is drawn from %s (forkcast capacity --series).%s", series_csv,
                         s->has_workload ? " The figures are the scenario's workload's."
                                         : " The key figures (p95 latency, cold starts, utilization, cost per "
                                           "day) need the scenario's workload section (docs/capacity.md).");
    if (s->has_workload) {
        if ((rc = sim_cap_new(s, &cap, err, errsz)) || (rc = sim_cap_run(cap, s->seed, NULL, &res, err, errsz)))
            goto cleanup;
        write_figures(d, s, &res);
    }
    plot_doc_para(d, "Job latency per window (top: the band is the latency spread of the jobs in each window, "
                     "the dashed lines the run's percentiles) and the pool (bottom: containers busy and idle, "
                     "means per window, the live pool's minimum to maximum behind them, chunks queued). The "
                     "windows are long enough to read a day at a glance (docs/plots.md: 101 to 250 pool "
                     "windows, latency windows of about 20 jobs).");
    plot_doc_image(d, plot_kind_name(PLOT_CAPACITY), "Capacity over time");
    if (d->err)
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s", d->errmsg);
cleanup:
    sim_cap_free(cap);
    return rc;
}
