# plots/plan-gantt.gp -- one simulated run of the current pipeline plan and
# of the recommended one (forkcast plan), job after job: a row per
# container (and one per job's concat), its phases as coloured bars, each
# plan's end marked.
#
# CSV (forkcast plot plan-gantt): lane,group,container,chunk,phase,start_s,
#   end_s,row,phase_index,label  (lane 0 the current plan, 1 the
#   recommended; group: the job within the plan; the sim/job.h trace rows
#   with the job's start added; row top to bottom; phase_index in
#   common.gp's list)
# Variables: plotdir csv out fmt title (common.gp), rows, tmax, has_other,
#   end0 end1 (each plan's wall in this run; < 0: not drawn), row0 row1
#   (each plan's first row), lab0 lab1 (their captions).

load plotdir.'/plots/common.gp'
set datafile columnheaders

set yrange [rows : -1.6]
set xrange [0 : tmax * 1.05]
set xlabel 'time since the video was submitted (s)'
set ylabel ''
set ytics font ',10' nomirror scale 0
set xtics nomirror
set grid xtics noytics
set key outside bottom center horizontal maxrows 2 spacing 1.1 width 2 font ',12'
set style fill solid 1.0 noborder
set lmargin 30
set bmargin 8

if (end0 >= 0) {
    set arrow 1 from first end0, first row0 - 0.6 to first end0, first (end1 >= 0 ? row1 - 1.2 : rows) nohead dt 2 lw 2 lc rgb '#000000' front
    set label 1 lab0 at first 0, first row0 - 1.1 left font ',12' tc rgb '#000000' front
}
if (end1 >= 0) {
    set arrow 2 from first end1, first row1 - 0.6 to first end1, first rows nohead dt 2 lw 2 lc rgb '#009E73' front
    set label 2 lab1 at first 0, first row1 - 1.1 left font ',12' tc rgb '#007A5A' front
}

plot csv using (($6 + $7) / 2):8:6:7:($8 - 0.35):($8 + 0.35):(pcolor($9)):ytic(stringcolumn(10)) \
         with boxxy fc rgb variable notitle, \
     for [i = 0 : (has_other ? 8 : 7)] NaN with boxes fc rgb pcolor(i) title phasename(i)
