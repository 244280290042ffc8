/* plots/report_plan.c -- the report's Plan section. See report_plan.h. */
#include "plots/report_plan.h"
#include "plots/chart_csv.h"
#include "base/status.h"
#include "model/pipeline.h"

#include <limits.h>
#include <stdio.h>

int plot_report_has_plan(const model_scenario *s)
{
    return s->pipeline && s->pipeline->has_stages;
}

static void row(plot_doc *d, const plot_doc_table *t, const model_plan_result *r, const model_plan_cand *c,
                const char *role)
{
    char cells[6][512];
    const char *cp[6];
    model_plan_describe(r, c, cells[0], sizeof cells[0]);
    snprintf(cells[1], sizeof cells[1], "%.1f s", c->wall_mean);
    snprintf(cells[2], sizeof cells[2], "%.1f s", c->wall_p95);
    snprintf(cells[3], sizeof cells[3], "$%.5f", c->cost_mean);
    snprintf(cells[4], sizeof cells[4], "%s", c->meets ? "yes" : "no");
    snprintf(cells[5], sizeof cells[5], "%s", role);
    for (int i = 0; i < 6; i++)
        cp[i] = cells[i];
    plot_doc_table_row(d, t, cp);
}

int plot_report_plan(plot_doc *d, const model_scenario *s, const plot_opts *o, const char *stage, int *drawn,
                     char *err, size_t errsz)
{
    static const plot_kind kinds[2] = {PLOT_PARETO, PLOT_PLAN_GANTT};
    char path[PATH_MAX];
    model_plan_result *r = NULL;
    int rc;
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s.png", stage, plot_kind_name(kinds[i]));
        if ((rc = plot_chart(kinds[i], s, o, path, err, errsz)))
            return rc;
        drawn[kinds[i]] = 1;
    }
    if ((rc = plot_plan_search(s, &r, err, errsz)))
        return rc;
    const model_plan_goal *g = &r->goal;
    plot_doc_heading(d, 2, "Plan", "plan");
    plot_doc_verdict(d, r->summary, r->recommended >= 0);
    if (r->why[0])
        plot_doc_para(d, r->why);
    plot_doc_parafmt(d, "forkcast plan: every grouping of the %d stages into contiguous chunked jobs x GPU type x "
                        "containers per job, %ld candidate plans (%.0f before dropping group choices another "
                        "beats on cost and on its whole wall distribution), closed form. Objective %s%s%s; mean "
                        "wall and cost are exact sums over the jobs, the p95 of the sum by numerical "
                        "convolution (docs/plan.md).",
                     r->pipe->nstages, r->ncand, r->enumerated, model_plan_objective_name(g->objective),
                     g->p95_target_s > 0 ? (g->p95_from_current ? ", p95 at most the current plan's"
                                                                : ", with a p95 target") : "",
                     g->max_cost_usd > 0 ? ", with a cost limit" : "");
    static const char *head[] = {"plan (Pareto front, ascending cost)", "wall mean", "wall p95", "cost mean",
                                 "meets the targets", ""};
    plot_doc_table t = {6, "lrrrll"};
    plot_doc_table_head(d, &t, head);
    for (int i = 0; i < r->npareto; i++)
        row(d, &t, r, &r->cand[r->pareto[i]], r->pareto[i] == r->recommended ? "recommended" : "");
    if (r->has_current)
        row(d, &t, r, &r->current, "current");
    plot_doc_table_end(d);
    plot_doc_heading(d, 3, "Every candidate plan", plot_kind_name(PLOT_PARETO));
    plot_doc_para(d, "Mean cost per video against p95 wall time of every candidate plan (grey), the Pareto front "
                     "(blue: the cheapest plan for each p95), the current and recommended plans, the p95 target.");
    plot_doc_image(d, plot_kind_name(PLOT_PARETO), "Pipeline plans: cost against p95");
    plot_doc_heading(d, 3, "The current plan against the recommended one", plot_kind_name(PLOT_PLAN_GANTT));
    plot_doc_para(d, "One simulated run of each (replication 0 of sim.seed, as plan --verify runs it), job after "
                     "job: each container's phases on a time line.");
    plot_doc_image(d, plot_kind_name(PLOT_PLAN_GANTT), "Current and recommended plan, one simulated run");
    model_plan_result_free(r);
    if (d->err)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s", d->errmsg);
    return BASE_OK;
}
