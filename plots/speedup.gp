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
set key outside top center horizontal maxcols 2 width 1 font ',12' samplen 2.5

# The threshold line and the region each rule rejects. The rules are named
# in the key and the verdict in the title, never on the plot, so no line
# can run through them.
set object 1 rect from graph 0, graph 0 to graph 1, first min_speedup fc rgb c_speed fs transparent solid 0.10 noborder behind
set object 2 rect from graph 0, first min_speedup to graph 1, graph 1 fc rgb c_cost fs transparent solid 0.10 noborder behind
set arrow 1 from graph 0, first min_speedup to graph 1, first min_speedup nohead dt 2 lw 1.8 lc rgb '#555555' front
if (nbeneficial == 0) {
    set title title."\n{/=13 no GPU count is beneficial at ".sprintf('%d', frames_now)." frames}"
}

# Key entries fill rows of two: the series on the left, the rules on the right.
plot csv using (($6 > 0) ? $1 : NaN):(ylo):7:8:(ylo):(yhi) with boxxy fs solid 1.0 noborder fc rgb 0xBFE6D9 title 'beneficial GPU counts', \
     NaN with boxes fs transparent solid 0.25 noborder fc rgb c_speed \
         title sprintf('too slow: speedup < %.3g× (blue must be above the line)', min_speedup), \
     csv using 1:4 with linespoints lw 2.5 pt 7 ps 1.2 lc rgb c_speed title 'speedup (left axis)', \
     NaN with boxes fs transparent solid 0.25 noborder fc rgb c_cost \
         title sprintf('too expensive: cost > %.3g× (orange must be below it)', max_ratio), \
     csv using 1:5 axes x1y2 with linespoints lw 2.5 pt 5 ps 1.1 lc rgb c_cost title 'cost ratio (right axis)', \
     NaN with lines dt 2 lw 1.8 lc rgb '#555555' title 'both thresholds on one line (axes scaled so)'
