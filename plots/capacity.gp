# plots/capacity.gp -- a stream of jobs over time: job latency percentiles
# (top) and containers busy, idle (warm, billed) and jobs queued (bottom).
#
# CSV (forkcast plot capacity): t_s,busy,idle,queue,p50_s,p95_s,p99_s
#   (`forkcast capacity --series`; one row per time window ending at t_s;
#   an empty percentile: no job finished in that window)
# Variables: plotdir csv out fmt title (common.gp).

load plotdir.'/plots/common.gp'
set datafile columnheaders
set datafile missing ''

stats csv using 1 nooutput name 'T'
hours = T_max > 3 * 3600
tx(t) = hours ? t / 3600.0 : t / 60.0
set xrange [tx(T_min) : tx(T_max)]
set key outside right top vertical spacing 1.2 width 1
set lmargin 12
set rmargin 28

set multiplot layout 2,1 title title font ',17'
unset title
set ylabel 'job latency (s)'
set xlabel ''
set format x ''
set yrange [0 : *]
plot csv using (tx($1)):5 with lines lw 2.5 lc rgb 0x0072B2 title 'p50', \
     csv using (tx($1)):6 with lines lw 2.5 lc rgb 0xE69F00 title 'p95', \
     csv using (tx($1)):7 with lines lw 2.5 lc rgb 0xD55E00 title 'p99'

set format x '%g'
set xlabel (hours ? 'time (hours)' : 'time (minutes)')
set ylabel 'containers / jobs'
set style fill solid 0.55 noborder
plot csv using (tx($1)):($2 + $3) with filledcurves x1 lc rgb 0x56B4E9 title 'idle (warm, billed)', \
     csv using (tx($1)):2 with filledcurves x1 lc rgb 0x009E73 title 'busy', \
     csv using (tx($1)):4 with lines lw 2.5 lc rgb 0x000000 title 'jobs queued'
unset multiplot
