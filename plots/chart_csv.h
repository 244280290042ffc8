/* plots/chart_csv.h -- internal to plots/: the CSV writers behind
 * plot_write_csv (chart.h), one per family of kinds. Callers use chart.h.
 *
 * plot_model_csv() writes speedup, frames, map and breakdown from the
 * closed form (chart_model.c); plot_sim_csv() writes gantt, cdf and
 * capacity from o->input or, without it, from the simulator or the
 * scenario's workload (chart_sim.c, chart_cap.c). Each writes a header line and rows to
 * f and adds the variables its script reads to v. Contracts and errors as
 * plot_write_csv's; s is non-NULL unless o->input is set.
 */
#ifndef FORKCAST_PLOTS_CHART_CSV_H
#define FORKCAST_PLOTS_CHART_CSV_H

#include "model/plan.h"
#include "plots/chart.h"

int plot_model_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v,
                   char *err, size_t errsz);
int plot_sim_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v,
                 char *err, size_t errsz);
/* capacity (chart_cap.c): o->input's rows, or the scenario's workload run,
 * aggregated to plot_capacity_step(); called by plot_sim_csv. */
int plot_cap_csv(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz);

/* pareto and plan-gantt (chart_plan.c): the plan search of s's pipeline
 * with its plan section. */
int plot_plan_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v,
                  char *err, size_t errsz);
int plot_plan_search(const model_scenario *s, model_plan_result **out, char *err, size_t errsz);

#endif
