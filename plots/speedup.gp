# plots/speedup.gp -- speedup (left axis) and cost ratio (right axis) against
# the GPU count; the decision thresholds shaded; beneficial GPU counts banded.
#
# Both axes are logarithmic and scaled so that the two thresholds sit on one
# line: the right axis is the left one times max_ratio / min_speedup. Below
# the line the speedup is too small ("too slow"), above it the cost ratio is
# too large ("too expensive"): k is beneficial where its speedup point is
# above the line and its cost point below it.
#
# CSV (forkcast plot speedup): gpus,wall_mean_s,cost_mean_usd,speedup,
#   cost_ratio,beneficial,band_lo,band_hi   (one row per GPU count)
# Variables: plotdir csv out fmt title (common.gp), min_speedup, max_ratio
#   (1 + max_cost_increase), kmax, nbeneficial, frames_now.

load plotdir.'/plots/common.gp'
set datafile columnheaders

c_speed = 0x0072B2
c_cost = 0xD55E00
c_good = 0x009E73
f2 = max_ratio / min_speedup          # right axis = left axis * f2

stats csv using 4 nooutput name 'SP'
stats csv using 5 nooutput name 'CR'
min(a, b) = a < b ? a : b
max(a, b) = a > b ? a : b
ylo = min(min(SP_min, CR_min / f2), min_speedup) / 1.3
yhi = max(max(SP_max, CR_max / f2), min_speedup) * 1.3

set logscale x 2
set logscale y
set logscale y2
set xrange [0.85 : kmax * 1.15]
set yrange [ylo : yhi]
set y2range [ylo * f2 : yhi * f2]
set xlabel 'GPUs (containers the job is split across; log scale)'
set ylabel 'speedup against 1 GPU (×, log scale)' tc rgb c_speed
set y2label 'cost against 1 GPU (×, log scale)' tc rgb c_cost
ratios = '(0.1,0.2,0.3,0.5,0.7,1,1.5,2,3,4,5,7,10,15,20,30,50,70,100,200,300,500,1000)'
eval 'set ytics '.ratios
eval 'set y2tics '.ratios
set ytics nomirror tc rgb c_speed
set y2tics tc rgb c_cost
set ytics add (sprintf('%.3g', min_speedup) min_speedup)
set y2tics add (sprintf('%.3g', max_ratio) max_ratio)
set mytics 1
set my2tics 1
set xtics nomirror
set key outside top center horizontal maxrows 2 width 2

# The threshold line and the region each rule rejects.
set object 1 rect from graph 0, graph 0 to graph 1, first min_speedup fc rgb c_speed fs transparent solid 0.10 noborder behind
set object 2 rect from graph 0, first min_speedup to graph 1, graph 1 fc rgb c_cost fs transparent solid 0.10 noborder behind
set arrow 1 from graph 0, first min_speedup to graph 1, first min_speedup nohead dt 2 lw 1.8 lc rgb '#555555' front
set label 1 sprintf('speedup ≥ %.3g× needed: blue points above the line', min_speedup) at graph 0.01, first min_speedup \
    offset 0.5, 0.8 tc rgb c_speed font ',12' front
set label 2 sprintf('cost ≤ %.3g× allowed: orange points below the line', max_ratio) at graph 0.99, first min_speedup right \
    offset -0.5, -0.8 tc rgb c_cost font ',12' front
if (nbeneficial == 0) {
    set label 3 sprintf('no GPU count is beneficial at %d frames', frames_now) at graph 0.5, graph 0.06 center \
        font ',16' tc rgb '#333333' front
}

plot csv using (($6 > 0) ? $1 : NaN):(ylo):7:8:(ylo):(yhi) with boxxy fs solid 1.0 noborder fc rgb 0xBFE6D9 title 'beneficial GPU counts', \
     csv using 1:4 with linespoints lw 2.5 pt 7 ps 1.2 lc rgb c_speed title 'speedup (left axis)', \
     csv using 1:5 axes x1y2 with linespoints lw 2.5 pt 5 ps 1.1 lc rgb c_cost title 'cost ratio (right axis)', \
     NaN with boxes fs transparent solid 0.25 noborder fc rgb c_speed title 'too slow (speedup rule)', \
     NaN with boxes fs transparent solid 0.25 noborder fc rgb c_cost title 'too expensive (cost rule)'
