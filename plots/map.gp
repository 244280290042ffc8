# plots/map.gp -- the decision map: for every (frame count, per-frame cost),
# the best GPU count (grey: splitting does not pay), the break-even line,
# and the reference experiments E7 and T50 (and the scenario's own job).
#
# CSV (forkcast plot map): series,frames,per_frame_s,frames_lo,frames_hi,
#   per_frame_lo,per_frame_hi,best_gpus,speedup,cost_ratio,label
#   "cell": one grid cell (edges in frames_lo..hi, per_frame_lo..hi), the
#     verdict's GPU count and that k's speedup and cost ratio (1, 1 if none);
#   "break_even": the smallest frame count at which some k is beneficial at
#     that per-frame cost (best_gpus = that k);
#   "marker": an experiment or the scenario's job, with the model's verdict.
# Variables: plotdir csv out fmt title (common.gp), gpus ('1 2 4 8'),
#   frames_lo, frames_hi, per_frame_lo, per_frame_hi.

load plotdir.'/plots/common.gp'
set datafile columnheaders

is(s) = strcol(1) eq s
set logscale xy
set xrange [frames_lo : frames_hi]
set yrange [per_frame_lo : per_frame_hi]
set format x '10^{%L}'
set xlabel 'frames in the video (log scale)'
set ylabel 'processing cost per frame (s, log scale)'
set ytics ('1 ms' 0.001, '3 ms' 0.003, '10 ms' 0.01, '30 ms' 0.03, '0.1 s' 0.1, '0.3 s' 0.3, '1 s' 1, '3 s' 3, \
           '10 s' 10, '30 s' 30, '100 s' 100, '0.1 ms' 0.0001, '0.3 ms' 0.0003)
set grid front lc rgb '#ffffff' lw 0.6 dt 3
set key outside right top vertical spacing 1.3 width 1 samplen 2
set style textbox opaque fc rgb 'white' border lc rgb '#888888'
set tics out

cellcolor(k) = k > 1 ? kcolor(k) : grey_no
nk = words(gpus)
# Cells are drawn 0.3% wider than their edges so antialiasing leaves no seams.
plot csv using (is('cell') ? $2 : NaN):3:($4 / 1.003):($5 * 1.003):($6 / 1.003):($7 * 1.003):(cellcolor($8)) with boxxy fs solid 1.0 noborder fc rgb variable notitle, \
     NaN with boxes fs solid 1.0 noborder fc rgb grey_no title 'not beneficial (1 GPU)', \
     for [i = 1 : nk] (word(gpus, i) + 0 > 1 ? NaN : 1/0) with boxes fs solid 1.0 noborder \
         fc rgb kcolor(word(gpus, i) + 0) title (word(gpus, i) + 0 > 1 ? 'best: '.gpulabel(word(gpus, i) + 0) : ''), \
     csv using (is('break_even') ? $2 : NaN):3 with lines lw 3.5 lc rgb 'black' title 'break-even', \
     csv using (is('marker') ? $2 : NaN):3 with points pt 7 ps 2.6 lc rgb 'black' notitle, \
     csv using (is('marker') ? $2 : NaN):3 with points pt 7 ps 1.5 lc rgb 'white' notitle, \
     NaN with points pt 7 ps 2 lc rgb 'black' title 'experiments', \
     csv using (is('marker') ? $2 : NaN):3:11 with labels left offset 1.6, 0 boxed font ',12' notitle
