# plots/common.gp -- terminal, fonts and colours shared by every chart.
#
# Loaded first by each plots/KIND.gp. Variables (set with gnuplot -e, as
# `forkcast plot` does):
#   out    output file (required)
#   fmt    'png' (pngcairo) or 'svg'; default 'png'
#   csv    the chart's CSV (required by the chart scripts)
#   title  chart title; default ''
# Every chart is 1200x800 on a white background.
#
# Colours. GPU counts (the same k has the same colour on every chart):
# Okabe-Ito, k = 2^j gets okabe(j) (1 black, 2 orange, 4 sky blue, 8 bluish
# green, 16 blue, 32 vermillion, 64 reddish purple, then again); any other k
# gets a light tint of the colour of the power of two below it. Phases
# (gantt, breakdown): Paul Tol's "muted" scheme, distinct from the k colours.
# Both schemes are colour-blind safe.

if (!exists("fmt")) fmt = 'png'
if (!exists("title")) title = ''
if (fmt eq 'svg') {
    set terminal svg size 1200,800 dynamic enhanced font 'Sans,14' background rgb 'white'
} else {
    set terminal pngcairo size 1200,800 enhanced font 'Sans,14' background rgb 'white'
}
set output out
set datafile separator ','
set encoding utf8
set border lw 1.2
set grid lc rgb '#dddddd' lw 1
set title title font ',17'

okabe(j) = (j % 7 == 0) ? 0x000000 : (j % 7 == 1) ? 0xE69F00 : (j % 7 == 2) ? 0x56B4E9 : \
           (j % 7 == 3) ? 0x009E73 : (j % 7 == 4) ? 0x0072B2 : (j % 7 == 5) ? 0xD55E00 : 0xCC79A7
ilog2(k) = int(floor(log(k) / log(2) + 1e-9))
chan(c, s) = int((c >> s) & 255)
tint(c) = (int(chan(c, 16) * 0.45 + 140) << 16) | (int(chan(c, 8) * 0.45 + 140) << 8) | int(chan(c, 0) * 0.45 + 140)
kcolor(k) = (k == 2 ** ilog2(k)) ? okabe(ilog2(k)) : tint(okabe(ilog2(k)))
gpulabel(k) = sprintf('%d GPU%s', k, k == 1 ? '' : 's')

# Phases, in the order of the phase_index column of gantt/breakdown CSVs.
phases = 'start request download ffmpeg_start seek process upload concat other'
phasename(i) = (i == 0) ? 'container start' : (i == 1) ? 'request' : (i == 2) ? 'download' : \
               (i == 3) ? 'ffmpeg start' : (i == 4) ? 'seek' : (i == 5) ? 'process' : (i == 6) ? 'upload' : \
               (i == 7) ? 'concat' : 'other'
pcolor(i) = (i == 0) ? 0xCC6677 : (i == 1) ? 0x882255 : (i == 2) ? 0x88CCEE : (i == 3) ? 0xDDCC77 : \
            (i == 4) ? 0x999933 : (i == 5) ? 0x332288 : (i == 6) ? 0x44AA99 : (i == 7) ? 0xAA4499 : 0xBBBBBB

grey_no = 0xBBBBBB   # "not beneficial"
