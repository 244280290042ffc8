# plots/frames.gp -- mean wall time (top) and mean cost (bottom) against the
# frame count, one line per GPU count, break-even points marked and labelled.
#
# CSV (forkcast plot frames): series,gpus,frames,wall_mean_s,cost_mean_usd,label
#   series "curve": the model at log-spaced frame counts, rows grouped by gpus;
#   series "break_even": the smallest frame count at which that k is
#   beneficial (model_break_even), with the model's wall and cost there.
# Variables: plotdir csv out fmt title (common.gp), gpus ('1 2 4 8'),
#   frames_lo, frames_hi, frames_now (the scenario's frame count),
#   be_frames, be_gpus, be_wall, be_cost (the break-even points inside the
#   frame range, space-separated), no_break_even (GPU counts without one in
#   range, '' if none).

load plotdir.'/plots/common.gp'
set datafile columnheaders

is(s) = strcol(1) eq s
stats csv using (is('curve') ? $4 : NaN) nooutput name 'W'
stats csv using (is('curve') ? $5 : NaN) nooutput name 'C'
wlo = W_min / 3; whi = W_max * 3
clo = C_min / 3; chi = C_max * 3

# Key title of k: its break-even frame count when there is one in range.
betitle(k) = sum [j = 1 : words(be_gpus)] (word(be_gpus, j) + 0 == k ? word(be_frames, j) + 0 : 0)
ktitle(k) = k == 1 ? gpulabel(k) : betitle(k) > 0 ? sprintf('%s (break-even %d frames)', gpulabel(k), betitle(k)) \
                                                  : sprintf('%s (no break-even in range)', gpulabel(k))

set logscale xy
set xrange [frames_lo : frames_hi]
set format x '10^{%L}'
set key inside left top vertical spacing 1.2 width 1 opaque box lc rgb '#cccccc'
set lmargin 13
set rmargin 4
set arrow 1 from frames_now, graph 0 to frames_now, graph 1 nohead dt 3 lw 1.5 lc rgb '#666666' back
set label 1 sprintf('this job: %d frames', frames_now) at frames_now, graph 0.03 rotate by 90 left offset -0.7, 0 \
    font ',11' tc rgb '#444444'

set multiplot layout 2,1 title title font ',17'
unset title
set tmargin 2.2
set bmargin 1.5

# Break-even: a dashed drop from the top border to the point, the frame
# count above the border in the colour of its k (staggered in two rows).
do for [j = 1 : words(be_frames)] {
    x = word(be_frames, j) + 0; k = word(be_gpus, j) + 0
    set arrow 10 + j from x, word(be_wall, j) + 0 to x, graph 1 nohead dt 2 lw 1.5 lc rgb kcolor(k) back
    set label 10 + j sprintf('%d', x) at x, graph 1 center offset 0, (j % 2 ? 0.7 : 1.6) font ',11' tc rgb kcolor(k)
}
set ylabel 'mean wall time (s, log scale)'
set xlabel ''
set yrange [wlo : whi]
set format y (whi > 2e5 ? '10^{%L}' : '%g')
plot for [i = 1 : words(gpus)] csv using ((is('curve') && $2 == word(gpus, i) + 0) ? $3 : NaN):4 \
         with lines lw 2.5 lc rgb kcolor(word(gpus, i) + 0) title ktitle(word(gpus, i) + 0), \
     csv using (is('break_even') ? $3 : NaN):4:(kcolor($2)) with points pt 7 ps 1.8 lc rgb variable \
         title 'break-even: beneficial from here on'

do for [j = 1 : words(be_frames)] {
    unset label 10 + j
    set arrow 10 + j from word(be_frames, j) + 0, word(be_cost, j) + 0 to word(be_frames, j) + 0, graph 1 \
        nohead dt 2 lw 1.5 lc rgb kcolor(word(be_gpus, j) + 0) back
}
set tmargin 1
set bmargin 3.5
set ylabel 'mean cost per job (USD, log scale)'
set xlabel 'frames in the video (log scale)'
set yrange [clo : chi]
set format y '$%g'
plot for [i = 1 : words(gpus)] csv using ((is('curve') && $2 == word(gpus, i) + 0) ? $3 : NaN):5 \
         with lines lw 2.5 lc rgb kcolor(word(gpus, i) + 0) title gpulabel(word(gpus, i) + 0), \
     csv using (is('break_even') ? $3 : NaN):5:(kcolor($2)) with points pt 7 ps 1.8 lc rgb variable title 'break-even'
unset multiplot
