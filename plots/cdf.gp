# plots/cdf.gp -- the distribution of the simulated wall time, one curve per
# GPU count, each p95 marked (a point at 0.95 and a drop to the time axis)
# and given in the key.
#
# CSV (forkcast plot cdf): series,gpus,wall_s,cdf,label
#   "sample": the empirical CDF (thinned to at most 400 steps per k);
#   "p95": the 95th percentile (GSL quantile of the sorted samples).
# Variables: plotdir csv out fmt title (common.gp), gpus, p95s (the p95 of
#   each k in gpus, seconds, space-separated).

load plotdir.'/plots/common.gp'
set datafile columnheaders

is(s) = strcol(1) eq s
set xlabel 'wall time of the job (s)'
set ylabel 'fraction of runs finished by then (CDF)'
set yrange [0 : 1.02]
set ytics 0.1
set ytics add ('p95' 0.95)
# The key outside: an opaque key inside would hide the curves of some k.
set rmargin at screen 0.72
set key at screen 0.74, graph 1 left top vertical Left reverse spacing 1.2 samplen 2.5 font ',12'
set arrow 1 from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 3 lw 1.2 lc rgb '#888888' back

plot for [i = 1 : words(gpus)] csv using ((is('sample') && $2 == word(gpus, i) + 0) ? $3 : NaN):4 \
         with steps lw 2.5 lc rgb kcolor(word(gpus, i) + 0) \
         title sprintf('%s: p95 %s s', gpulabel(word(gpus, i) + 0), word(p95s, i)), \
     csv using (is('p95') ? $3 : NaN):4:(kcolor($2)) with impulses dt 2 lw 1.5 lc rgb variable notitle, \
     csv using (is('p95') ? $3 : NaN):4:(kcolor($2)) with points pt 7 ps 1.8 lc rgb variable notitle, \
     NaN with points pt 7 ps 1.8 lc rgb '#444444' title 'p95 (95% finish sooner)'
