# plots/pareto.gp -- pipeline plans (forkcast plan): every candidate plan's
# mean cost per video against its p95 wall time as a faint point, the
# Pareto front (the cheapest plan for each p95) as a staircase, the current
# and the recommended plan marked and labelled, the p95 target drawn.
#
# CSV (forkcast plot pareto): series,cost_usd,wall_p95_s,wall_mean_s,label
#   "candidate": every candidate plan; "front": the Pareto plans by
#   ascending cost; "current", "recommended" (or "closest" when no plan
#   meets the targets): one row each, with its label.
# Variables: plotdir csv out fmt title (common.gp), logx, logy (1: log
#   axis), xlo xhi ylo yhi (the ranges, room for the labels on the right),
#   p95_target (0: none), target_label, max_cost (0: none), has_current.

load plotdir.'/plots/common.gp'
set datafile columnheaders

is(s) = strcol(1) eq s
set xlabel 'mean cost per video (USD)'
set ylabel 'p95 wall time of the whole pipeline (s)'
set format x '$%g'
if (logx) {
    set logscale x
    set xtics ()
    do for [e = -6 : 3] {
        set xtics add (sprintf('$%g', 10.0**e) 10.0**e, sprintf('$%g', 2 * 10.0**e) 2 * 10.0**e, \
                       sprintf('$%g', 3 * 10.0**e) 3 * 10.0**e, \
                       sprintf('$%g', 5 * 10.0**e) 5 * 10.0**e)
    }
}
if (logy) { set logscale y; set mytics 10 }
set grid xtics ytics lc rgb '#e4e4e4'
set key outside bottom center horizontal spacing 1.2 width 2
set xrange [xlo : xhi]
set yrange [ylo : yhi]
set style textbox opaque fc rgb 'white' noborder margins 2, 1
if (p95_target > 0) {
    set arrow 1 from graph 0, first p95_target to graph 1, first p95_target nohead dt 2 lw 2 lc rgb '#D55E00' front
    set label 1 sprintf('%s %.3g s', target_label, p95_target) at graph 0.995, first p95_target right \
        offset 0, 0.7 font ',12' tc rgb '#D55E00' front
}
if (max_cost > 0) {
    set arrow 2 from first max_cost, graph 0 to first max_cost, graph 1 nohead dt 2 lw 2 lc rgb '#CC79A7' front
    set label 2 sprintf('cost limit $%.4g', max_cost) at first max_cost, graph 0.98 left offset 0.5, 0 \
        font ',12' tc rgb '#CC79A7' front
}

plot csv using (is('candidate') ? $2 : NaN):3 with points pt 7 ps 1.0 lc rgb '#80888888' title 'candidate plans', \
     csv using (is('front') ? $2 : NaN):3 with steps lw 2.5 lc rgb '#0072B2' notitle, \
     csv using (is('front') ? $2 : NaN):3 with points pt 7 ps 1.3 lc rgb '#0072B2' title 'Pareto front (cheapest for its p95)', \
     csv using (is('current') ? $2 : NaN):3 with points pt 5 ps 2.4 lc rgb '#000000' title (has_current ? 'current plan' : ''), \
     csv using ((is('recommended') || is('closest')) ? $2 : NaN):3 with points pt 9 ps 3 lc rgb '#009E73' title 'recommended', \
     csv using (is('current') ? $2 : NaN):3:5 with labels boxed left offset char 2, 1.5 font ',12' tc rgb '#000000' notitle, \
     csv using ((is('recommended') || is('closest')) ? $2 : NaN):3:5 with labels left offset char 1.5, -2.2 \
         font ',12' tc rgb '#007A5A' notitle
