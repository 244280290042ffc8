# plots/capacity.gp -- a stream of jobs over time: job latency per window
# (top) and the pool per window (bottom), both at a readable step.
#
# CSV (forkcast plot capacity): t_s,busy,idle,queue,p50_s,p95_s,p99_s,
#   t_end_s,live_min,live_max,queue_max,latency_mean_s,jobs,series
#   one row per window [t_s, t_end_s); series "pool": busy, idle, queue the
#   means of the window's samples, live_min/live_max (busy + idle) and
#   queue_max their extremes; series "latency": the window's job latency
#   percentiles (p50_s, p99_s may be empty), latency_mean_s and jobs
#   (empty for an --input CSV).
# Variables: plotdir csv out fmt title (common.gp), t0 (the first t_s),
#   step_s (the pool's window), has_lat (2: p50, p95 and p99 per window, 1:
#   p95 per window only (an --input CSV without p50), 0: none), lat_p50, lat_p95, lat_p99 (over the whole
#   run, s; -1 when unknown), lat_window_s (the latency windows' width).

load plotdir.'/plots/common.gp'
set datafile columnheaders
set datafile missing ''

is(s) = strcol('series') eq s
stats csv using (is('pool') ? $1 : NaN) nooutput name 'T'
stats csv using (is('pool') ? $8 : NaN) nooutput name 'E'
hours = E_max - T_min > 3 * 3600
tx(t) = hours ? t / 3600.0 : t / 60.0
mid(a, b) = tx((a + b) / 2)
unit(s) = s >= 3600 ? sprintf('%.3g h', s / 3600.0) : s >= 60 ? sprintf('%.3g min', s / 60.0) : sprintf('%.3g s', s)
set xrange [tx(T_min) : tx(E_max)]
set lmargin at screen 0.09
set rmargin at screen 0.70
set key at screen 0.715, graph 1 left top vertical Left reverse spacing 1.2 samplen 2 width 0 font ',11'
c50 = 0x0072B2; c95 = 0xE69F00; c99 = 0xD55E00
top = has_lat > 0 || lat_p50 >= 0
lat_known = has_lat > 0
if (lat_known) {
    stats csv using (is('latency') ? $6 : NaN) nooutput name 'L95'
    stats csv using (is('latency') && column('p99_s') > 0 ? $7 : NaN) nooutput name 'L99'
}
lhi = (lat_known ? L95_max : 0)
lhi = (lat_known && exists('L99_max') && L99_max > lhi) ? L99_max : lhi
lhi = lat_p99 > lhi ? lat_p99 : lhi

set multiplot title title font ',17'
unset title
if (top) {
    set size 1, 0.40
    set origin 0, 0.52
    set tmargin 0.5
    set bmargin 0.5
    set ylabel 'job latency (s)'
    set xlabel ''
    set format x ''
    set yrange [0 : lhi * 1.15 + 1e-9]
    set style fill transparent solid 0.35 noborder
    if (has_lat == 2) {
        plot csv using (is('latency') ? mid($1, $8) : NaN):5:6 with filledcurves lc rgb c95 \
                 title sprintf('p50 to p95 per %s', unit(lat_window_s)), \
             csv using (is('latency') ? mid($1, $8) : NaN):7 with lines lw 2 lc rgb c99 title 'p99 per window', \
             (lat_p95 >= 0 ? lat_p95 : 1/0) with lines dt 2 lw 1.5 lc rgb c95 \
                 title (lat_p95 >= 0 ? sprintf('p95 over the run: %.1f s', lat_p95) : '')
    } else {
        if (has_lat == 1) {
            plot csv using (is('latency') ? mid($1, $8) : NaN):6 with lines lw 2 lc rgb c95 \
                     title sprintf('p95 per %s', unit(lat_window_s)), \
                 (lat_p50 >= 0 ? lat_p50 : 1/0) with lines dt 2 lw 1.5 lc rgb c50 \
                     title (lat_p50 >= 0 ? sprintf('p50 over the run: %.1f s', lat_p50) : ''), \
                 (lat_p95 >= 0 ? lat_p95 : 1/0) with lines dt 2 lw 1.5 lc rgb c95 \
                     title (lat_p95 >= 0 ? sprintf('p95 over the run: %.1f s', lat_p95) : ''), \
                 (lat_p99 >= 0 ? lat_p99 : 1/0) with lines dt 2 lw 1.5 lc rgb c99 \
                     title (lat_p99 >= 0 ? sprintf('p99 over the run: %.1f s', lat_p99) : '')
        } else {
            plot lat_p50 with lines dt 2 lw 2 lc rgb c50 title sprintf('p50 over the run: %.1f s', lat_p50), \
                 lat_p95 with lines dt 2 lw 2 lc rgb c95 title sprintf('p95 over the run: %.1f s', lat_p95), \
                 lat_p99 with lines dt 2 lw 2 lc rgb c99 \
                     title sprintf('p99 over the run: %.1f s', lat_p99), \
                 NaN with lines lc rgb 'white' title '(per window: needs workload.hours)'
        }
    }
    set format x '%g'
    set size 1, 0.50
    set origin 0, 0.02
    set tmargin 1
    set bmargin 3.5
} else {
    set size 1, 0.92
    set origin 0, 0.02
    set tmargin 1
    set bmargin 3.5
}
set xlabel (hours ? 'time (hours)' : 'time (minutes)')
set ylabel sprintf('containers (mean per %s)', unit(step_s))
set yrange [0 : *]
set style fill solid 0.55 noborder
plot csv using (is('pool') ? mid($1, $8) : NaN):9:10 with filledcurves lc rgb '#e3e3e3' \
         title sprintf('live: min to max per %s', unit(step_s)), \
     csv using (is('pool') ? mid($1, $8) : NaN):($2 + $3) with filledcurves x1 lc rgb 0x56B4E9 title 'idle (warm, billed)', \
     csv using (is('pool') ? mid($1, $8) : NaN):2 with filledcurves x1 lc rgb 0x009E73 title 'busy', \
     csv using (is('pool') ? mid($1, $8) : NaN):4 with lines lw 2 lc rgb 0x000000 title 'chunks queued (mean)', \
     csv using (is('pool') ? mid($1, $8) : NaN):11 with lines lw 1 dt 3 lc rgb 0x000000 title 'chunks queued (max)'
unset multiplot
