/* plots/report_cap.h -- internal to plots/report.c: the report's
 * "Capacity" section, present exactly when the scenario has a workload
 * section or the report is given a --series CSV.
 *
 * With a workload: one run of it (sim/capacity.h, the scenario's seed: the
 * figures `forkcast capacity SCENARIO` prints) for the key figures -- p95
 * latency, the cold-start fraction, utilization, cost per day, then p50/p99,
 * jobs, containers and cost per job -- and the capacity chart
 * (plots/chart_cap.c: the same runs). With only --series: the chart of
 * that file and a line saying the figures need a workload. The chart is
 * drawn into the report's staging directory; drawn[] marks it for the move
 * into place. Errors as plot_report_write's. Everything passed in is
 * borrowed. Cost: one capacity run for the figures, the chart's three.
 */
#ifndef FORKCAST_PLOTS_REPORT_CAP_H
#define FORKCAST_PLOTS_REPORT_CAP_H

#include "plots/chart.h"
#include "plots/report_doc.h"

int plot_report_has_capacity(const model_scenario *s, const char *series_csv);
int plot_report_capacity(plot_doc *d, const model_scenario *s, const plot_opts *o, const char *series_csv,
                         const char *stage, int *drawn, char *err, size_t errsz);

#endif
