# plots/breakdown.gp -- stacked bars: mean time per phase on the critical
# (slowest) container, one bar per GPU count, the total wall time on top.
#
# CSV (forkcast plot breakdown): gpus,start,request,download,ffmpeg_start,
#   seek,process,upload,concat,wall_mean_s   (seconds; the phases add up to
#   wall_mean_s: start absorbs the order-statistic excess of the slowest start)
# Variables: plotdir csv out fmt title (common.gp), gpus.

load plotdir.'/plots/common.gp'
set datafile columnheaders

stats csv using 10 nooutput name 'W'
set style data histograms
set style histogram rowstacked gap 1.2
set style fill solid 1.0 border lc rgb 'white'
set boxwidth 0.6
set yrange [0 : W_max * 1.15]
set ylabel 'mean time on the slowest container (s)'
set xlabel 'GPUs the job is split across'
set key outside right top vertical reverse invert Left spacing 1.3 title 'phase (top to bottom)' left
set grid noxtics ytics
set xtics nomirror
set ytics nomirror

plot for [i = 2 : 9] csv using i:xtic(gpulabel($1)) lc rgb pcolor(i - 2) title phasename(i - 2), \
     csv using ($0):10:(sprintf('%.1f s', $10)) with labels offset 0, 0.9 font ',13' notitle
