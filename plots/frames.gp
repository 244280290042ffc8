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
ktitle(k) = k == 1 ? gpulabel(k) : betitle(k) > 0 ? sprintf('%s: break-even %d frames', gpulabel(k), betitle(k)) \
                                                  : sprintf('%s: no break-even in range', gpulabel(k))

set logscale xy
set xrange [frames_lo : frames_hi]
set format x '10^{%L}'
# One key for both panels, outside on the right: it never covers a line.
set lmargin at screen 0.1
set rmargin at screen 0.68
set key at screen 0.70, screen 0.9 left top vertical Left reverse spacing 1.25 samplen 2.5 width 1 font ',12'
set arrow 1 from frames_now, graph 0 to frames_now, graph 1 nohead dt 3 lw 1.5 lc rgb '#666666' back

# Break-even frame counts above the top border, in the colour of their k:
# each on the lowest of three rows where it is clear of the ones already
# there (graph units; a digit is about 0.011 of the plot's width).
nbe = words(be_frames)
array berow[nbe > 0 ? nbe : 1]
gxof(x) = (log(x) - log(frames_lo)) / (log(frames_hi) - log(frames_lo))
halfw(j) = (strlen(word(be_frames, j)) * 0.011 + 0.01) / 2
clear(j, r) = j == 1 || (sum [i = 1 : j - 1] ((berow[i] == r && abs(gxof(word(be_frames, i) + 0) - gxof(word(be_frames, j) + 0)) \
                                     < halfw(i) + halfw(j)) ? 1 : 0)) == 0
do for [j = 1 : nbe] {
    berow[j] = clear(j, 0) ? 0 : clear(j, 1) ? 1 : 2
}
nrows = 1 + (nbe > 0 ? ((sum [j = 1 : nbe] (berow[j] > 0 ? 1 : 0)) > 0) + ((sum [j = 1 : nbe] (berow[j] > 1 ? 1 : 0)) > 0) : 0)

set multiplot layout 2,1 title title font ',17'
unset title
set tmargin 1.4 + 0.9 * nrows
set bmargin 1.5

do for [j = 1 : nbe] {
    x = word(be_frames, j) + 0; k = word(be_gpus, j) + 0
    set arrow 10 + j from x, word(be_wall, j) + 0 to x, graph 1 nohead dt 2 lw 1.5 lc rgb kcolor(k) back
    set label 10 + j sprintf('%d', x) at x, graph 1 center offset 0, 0.7 + 0.9 * berow[j] font ',11' tc rgb kcolor(k)
}
set ylabel 'mean wall time (s, log scale)'
set xlabel ''
set yrange [wlo : whi]
set format y (whi > 2e5 ? '10^{%L}' : '%g')
plot for [i = 1 : words(gpus)] csv using ((is('curve') && $2 == word(gpus, i) + 0) ? $3 : NaN):4 \
         with lines lw 2.5 lc rgb kcolor(word(gpus, i) + 0) title ktitle(word(gpus, i) + 0), \
     csv using (is('break_even') ? $3 : NaN):4:(kcolor($2)) with points pt 7 ps 1.8 lc rgb variable \
         title 'break-even: beneficial from here on', \
     NaN with lines dt 3 lw 1.5 lc rgb '#666666' title sprintf('this job: %d frames', frames_now)

do for [j = 1 : nbe] {
    unset label 10 + j
    set arrow 10 + j from word(be_frames, j) + 0, word(be_cost, j) + 0 to word(be_frames, j) + 0, graph 1 \
        nohead dt 2 lw 1.5 lc rgb kcolor(word(be_gpus, j) + 0) back
}
unset key
set tmargin 1
set bmargin 3.5
set ylabel 'mean cost per job (USD, log scale)'
set xlabel 'frames in the video (log scale)'
set yrange [clo : chi]
set format y '$%g'
plot for [i = 1 : words(gpus)] csv using ((is('curve') && $2 == word(gpus, i) + 0) ? $3 : NaN):5 \
         with lines lw 2.5 lc rgb kcolor(word(gpus, i) + 0) notitle, \
     csv using (is('break_even') ? $3 : NaN):5:(kcolor($2)) with points pt 7 ps 1.8 lc rgb variable notitle
unset multiplot
