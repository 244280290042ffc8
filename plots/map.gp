# plots/map.gp -- the decision map: for every (frame count, per-frame cost),
# the best GPU count on the scenario's platform (grey: splitting does not
# pay), the break-even line, the experiments as measured on their own
# platforms with the model's projection on this one, and the scenario's job.
#
# CSV (forkcast plot map): series,frames,per_frame_s,frames_lo,frames_hi,
#   per_frame_lo,per_frame_hi,best_gpus,speedup,cost_ratio,label,label_x,
#   label_y,measured_gpus,measured_speedup,measured_cost_ratio,note,leader_x,
#   leader_y
#   "cell": one grid cell (edges in frames_lo..hi, per_frame_lo..hi), the
#     verdict's GPU count and that k's speedup and cost ratio (1, 1 if none);
#   "break_even": the smallest frame count at which some k is beneficial at
#     that per-frame cost (best_gpus = that k);
#   "experiment": a data/experiments file: label = what was measured (on
#     its platform), note = the model's projection here (best_gpus, speedup,
#     cost_ratio); "job": the scenario's own job (label = the model here).
#   label_x, label_y: where the label's text starts (placed by forkcast
#     clear of the break-even line, the markers and each other, for this
#     plot area and font); leader_x, leader_y: where a leader line from the
#     marker meets a label placed away from it (empty: the label is beside
#     its marker).
# Variables: plotdir csv out fmt title (common.gp), gpus ('1 2 4 8'),
#   frames_lo, frames_hi, per_frame_lo, per_frame_hi, map_l, map_r, map_b,
#   map_t (the plot area, screen fractions: the labels were placed for it),
#   platform (the scenario's name).

load plotdir.'/plots/common.gp'
set datafile columnheaders

is(s) = strcol(1) eq s
set lmargin at screen map_l
set rmargin at screen map_r
set bmargin at screen map_b
set tmargin at screen map_t
set logscale xy
set xrange [frames_lo : frames_hi]
set yrange [per_frame_lo : per_frame_hi]
set format x '10^{%L}'
set xlabel 'frames in the video (log scale)'
set ylabel 'processing cost per frame (s, log scale)'
set ytics ('1 ms' 0.001, '3 ms' 0.003, '10 ms' 0.01, '30 ms' 0.03, '0.1 s' 0.1, '0.3 s' 0.3, '1 s' 1, '3 s' 3, \
           '10 s' 10, '30 s' 30, '100 s' 100, '0.1 ms' 0.0001, '0.3 ms' 0.0003)
set grid front lc rgb '#ffffff' lw 0.6 dt 3
set key at screen map_r + 0.02, screen map_t left top vertical Left reverse spacing 1.3 width 1 samplen 2
# Label boxes: margins 2, 2 as plots/labels.h assumes (PLOT_LABEL_PAD_*), so a box is where
# forkcast placed it.
set style textbox opaque fc rgb 'white' border lc rgb '#888888' margins 2, 2
set tics out

cellcolor(k) = k > 1 ? kcolor(k) : grey_no
nk = words(gpus)
set label 1 sprintf("Colours, the break-even line and\n'projected': the model on the\nplatform of %s.\n'measured': the experiment on\nits own platform\n(data/experiments).", platform) \
    at screen map_r + 0.02, screen map_t - 0.36 left front font ',11' tc rgb '#333333' noenhanced
text(s) = is('experiment') ? strcol('label')."\n".strcol('note') : strcol('label')
# Cells are drawn 0.3% wider than their edges so antialiasing leaves no seams.
plot csv using (is('cell') ? $2 : NaN):3:($4 / 1.003):($5 * 1.003):($6 / 1.003):($7 * 1.003):(cellcolor($8)) with boxxy fs solid 1.0 noborder fc rgb variable notitle, \
     NaN with boxes fs solid 1.0 noborder fc rgb grey_no title 'not beneficial (keep 1 GPU)', \
     for [i = 1 : nk] (word(gpus, i) + 0 > 1 ? NaN : 1/0) with boxes fs solid 1.0 noborder \
         fc rgb kcolor(word(gpus, i) + 0) title (word(gpus, i) + 0 > 1 ? 'best: '.gpulabel(word(gpus, i) + 0) : ''), \
     csv using (is('break_even') ? $2 : NaN):3 with lines lw 3.5 lc rgb 'black' title 'break-even', \
     csv using ((is('experiment') || is('job')) && column('leader_x') > 0 ? $2 : NaN):3:($18 - $2):($19 - $3) \
         with vectors nohead lw 1.5 lc rgb '#333333' notitle, \
     csv using (is('experiment') ? $2 : NaN):3 with points pt 7 ps 2.0 lc rgb 'white' notitle, \
     csv using (is('experiment') ? $2 : NaN):3 with points pt 6 ps 2.0 lw 3 lc rgb 'black' title 'experiment, as measured', \
     csv using (is('job') ? $2 : NaN):3 with points pt 13 ps 2.4 lc rgb 'white' notitle, \
     csv using (is('job') ? $2 : NaN):3 with points pt 12 ps 2.4 lw 3 lc rgb 'black' title 'this job', \
     csv using (is('experiment') || is('job') ? $12 : NaN):13:(text(0)) with labels left boxed noenhanced font ',11' notitle
