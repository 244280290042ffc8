# plots/capacity.gp -- a stream of jobs over time: job latency (top) and
# containers busy and idle (warm, billed) and chunks queued (bottom).
#
# CSV (forkcast plot capacity): t_s,busy,idle,queue,p50_s,p95_s,p99_s
#   (the `forkcast capacity --series` columns, one row per sample instant;
#   the percentile columns are filled only when the input has them per
#   window, empty otherwise)
# Variables: plotdir csv out fmt title (common.gp), has_lat (1: per-window
#   percentiles in the CSV), lat_p50, lat_p95, lat_p99 (over the whole run,
#   s; -1 when unknown).

load plotdir.'/plots/common.gp'
set datafile columnheaders
set datafile missing ''

stats csv using 1 nooutput name 'T'
hours = T_max > 3 * 3600
tx(t) = hours ? t / 3600.0 : t / 60.0
set xrange [tx(T_min) : tx(T_max)]
set key outside right top vertical spacing 1.2 width 1
set lmargin 12
set rmargin 34
c50 = 0x0072B2; c95 = 0xE69F00; c99 = 0xD55E00
top = has_lat || lat_p50 >= 0

# Per-window percentiles get half the height; the run's three numbers a strip.
htop = has_lat ? 0.46 : 0.27
if (top) {
    set multiplot title title font ',17'
    unset title
    set size 1, htop
    set origin 0, 0.94 - htop
    set bmargin 0.5
    set tmargin 0.5
    set ylabel (has_lat ? 'job latency (s)' : 'latency (s)')
    set xlabel ''
    set format x ''
    set yrange [0 : *]
    if (lat_p50 >= 0) {
        set arrow 1 from graph 0, first lat_p50 to graph 1, first lat_p50 nohead dt 2 lw 2 lc rgb c50
        set arrow 2 from graph 0, first lat_p95 to graph 1, first lat_p95 nohead dt 2 lw 2 lc rgb c95
        set arrow 3 from graph 0, first lat_p99 to graph 1, first lat_p99 nohead dt 2 lw 2 lc rgb c99
        set yrange [0 : lat_p99 * 1.25]
        if (!has_lat) {
            set ytics (0, sprintf('%.0f', lat_p50) lat_p50, sprintf('%.0f', lat_p95) lat_p95, sprintf('%.0f', lat_p99) lat_p99)
        }
    }
    if (has_lat) {
        plot csv using (tx($1)):5 with lines lw 2.5 lc rgb c50 title 'p50 per window', \
             csv using (tx($1)):6 with lines lw 2.5 lc rgb c95 title 'p95 per window', \
             csv using (tx($1)):7 with lines lw 2.5 lc rgb c99 title 'p99 per window'
    } else {
        plot NaN with lines dt 2 lw 2 lc rgb c50 title sprintf('p50 over the run: %.1f s', lat_p50), \
             NaN with lines dt 2 lw 2 lc rgb c95 title sprintf('p95 over the run: %.1f s', lat_p95), \
             NaN with lines dt 2 lw 2 lc rgb c99 title sprintf('p99 over the run: %.1f s', lat_p99)
    }
    unset arrow
    set ytics auto
    set format x '%g'
    set size 1, 0.94 - htop
    set origin 0, 0
    set tmargin 1
    set bmargin 3.5
}
set xlabel (hours ? 'time (hours)' : 'time (minutes)')
set ylabel 'containers / chunks'
set yrange [0 : *]
set style fill solid 0.55 noborder
plot csv using (tx($1)):($2 + $3) with filledcurves x1 lc rgb 0x56B4E9 title 'idle (warm, billed)', \
     csv using (tx($1)):2 with filledcurves x1 lc rgb 0x009E73 title 'busy', \
     csv using (tx($1)):4 with lines lw 2.5 lc rgb 0x000000 title 'chunks queued'
if (top) { unset multiplot }
