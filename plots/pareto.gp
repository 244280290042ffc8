# plots/pareto.gp -- pipeline plans (forkcast plan): every candidate plan's
# mean cost per video against its p95 wall time as a faint point, the
# Pareto front (the cheapest plan for each p95) as a staircase, the current
# and the recommended plan marked and labelled, the p95 target drawn.
#
# CSV (forkcast plot pareto): series,cost_usd,wall_p95_s,wall_mean_s,label,
#   label_x,label_y,leader_x,leader_y
#   "candidate": every candidate plan; "front": the Pareto plans by
#   ascending cost; "current", "recommended" (or "closest" when no plan
#   meets the targets): one row each, with its label, where forkcast placed
#   it (clear of the points, the front, the target lines and each other:
#   plots/labels.h) and, when away from its marker, a leader's end.
# Variables: plotdir csv out fmt title (common.gp), logx, logy (1: log
#   axis), xlo xhi ylo yhi (the ranges, room for the labels on the right),
#   par_l par_r par_b par_t (the plot area, screen fractions: the labels
#   were placed for it), p95_target (0: none), target_label, max_cost (0:
#   none), has_current. The target and the cost limit are named in the key.

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
set lmargin at screen par_l
set rmargin at screen par_r
set bmargin at screen par_b
set tmargin at screen par_t
set key at screen 0.5, screen 0.02 center bottom horizontal maxrows 2 spacing 1.2 width 2 font ',12'
set xrange [xlo : xhi]
set yrange [ylo : yhi]
# Label boxes: font ',11' and margins 2, 2 as plots/labels.h assumes.
set style textbox opaque fc rgb 'white' border lc rgb '#888888' margins 2, 2
if (p95_target > 0) {
    set arrow 1 from graph 0, first p95_target to graph 1, first p95_target nohead dt 2 lw 2 lc rgb '#D55E00' front
}
if (max_cost > 0) {
    set arrow 2 from first max_cost, graph 0 to first max_cost, graph 1 nohead dt 2 lw 2 lc rgb '#CC79A7' front
}
placed(s) = is(s) && strcol('label_x') ne ''
led(s) = is(s) && column('leader_x') > 0

plot csv using (is('candidate') ? $2 : NaN):3 with points pt 7 ps 1.0 lc rgb '#80888888' title 'candidate plans', \
     csv using (is('front') ? $2 : NaN):3 with steps lw 2.5 lc rgb '#0072B2' notitle, \
     csv using (is('front') ? $2 : NaN):3 with points pt 7 ps 1.3 lc rgb '#0072B2' title 'Pareto front (cheapest for its p95)', \
     csv using ((led('current') || led('recommended') || led('closest')) ? $2 : NaN):3:($8 - $2):($9 - $3) \
         with vectors nohead lw 1.5 lc rgb '#333333' notitle, \
     csv using (is('current') ? $2 : NaN):3 with points pt 5 ps 2.4 lc rgb '#000000' title (has_current ? 'current plan' : ''), \
     csv using ((is('recommended') || is('closest')) ? $2 : NaN):3 with points pt 9 ps 3 lc rgb '#009E73' title 'recommended', \
     (p95_target > 0 ? NaN : 1/0) with lines dt 2 lw 2 lc rgb '#D55E00' title (p95_target > 0 ? sprintf('%s %.3g s', target_label, p95_target) : ''), \
     (max_cost > 0 ? NaN : 1/0) with lines dt 2 lw 2 lc rgb '#CC79A7' title (max_cost > 0 ? sprintf('cost limit $%.4g', max_cost) : ''), \
     csv using (placed('current') ? $6 : NaN):7:5 with labels left boxed noenhanced font ',11' tc rgb '#000000' notitle, \
     csv using ((placed('recommended') || placed('closest')) ? $6 : NaN):7:5 with labels left boxed noenhanced \
         font ',11' tc rgb '#007A5A' notitle
