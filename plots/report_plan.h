/* plots/report_plan.h -- internal to plots/report.c: the report's "Plan"
 * section for a scenario with a pipeline (model/plan.h): the
 * recommendation against the current plan, why the runner-up lost, the
 * Pareto plans, and the pareto and plan-gantt charts (drawn into the
 * report's staging directory; drawn[] marks them for the move into place).
 * Errors as plot_report_write's. Everything passed in is borrowed. */
#ifndef FORKCAST_PLOTS_REPORT_PLAN_H
#define FORKCAST_PLOTS_REPORT_PLAN_H

#include "plots/chart.h"
#include "plots/report_doc.h"

/* 1 when s has a pipeline section (the report then has a Plan section). */
int plot_report_has_plan(const model_scenario *s);
int plot_report_plan(plot_doc *d, const model_scenario *s, const plot_opts *o, const char *stage, int *drawn,
                     char *err, size_t errsz);

#endif
