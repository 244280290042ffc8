# plots/gantt.gp -- one simulated run per GPU count: a row per container
# (and one for the concat), its phases as coloured bars against time.
#
# CSV (forkcast plot gantt): k,container,chunk,phase,start_s,end_s,row,
#   phase_index,label   (the `forkcast sim --trace` rows, plus the row they
#   are drawn on, top to bottom, and the phase's index in common.gp's list)
# Variables: plotdir csv out fmt title (common.gp), gpus, rows, tmax,
#   has_other (1: some phase is none of the known ones).

load plotdir.'/plots/common.gp'
set datafile columnheaders

set yrange [rows : -1]
set xrange [0 : tmax * 1.02]
set xlabel 'time since the job was submitted (s)'
set ylabel ''
set ytics font ',11' nomirror scale 0
set xtics nomirror
set grid xtics noytics
set key outside right top vertical title 'phase (in order)' left spacing 1.2
set style fill solid 1.0 noborder
set lmargin 17

# Bars: x from start_s to end_s, 0.7 rows high; labels from the CSV.
plot csv using (($5 + $6) / 2):7:5:6:($7 - 0.35):($7 + 0.35):(pcolor($8)):ytic(stringcolumn(9)) \
         with boxxy fc rgb variable notitle, \
     for [i = 0 : (has_other ? 8 : 7)] NaN with boxes fc rgb pcolor(i) title phasename(i)
