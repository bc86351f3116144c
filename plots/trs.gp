# trs.gp - export clearance and port dwell in the cities first in the
# ranking, before and after, in two panels with their own axes. Left: the
# five segments of export clearance in the manner of the WCO Time Release
# Study (document preparation, rework, risk screening, wait for an
# inspection team, inspection), mean hours per shipment, stacked. Right:
# port dwell from release to departure, mean days per shipment. Port dwell
# is most of the time from arrival at customs to departure: on one scale it
# would hide the clearance segments. Each city's own means; no mean over
# cities is taken.
#
# Data: data/trs.dat (from summary.csv, metrics trs_*_h). One row per bar:
# 1 y; 2 slot (0 before, 1 after); 3-7 the cumulative end of each clearance
# segment (hours); 8 clearance in total (hours); 9 port dwell (hours);
# 10 the label (city and policy).
load 'style.gp'
stats 'data/counts.dat' using (strcol(1) eq "n_top" ? (n = int($2), 0) : 0) nooutput
stats 'data/counts.dat' using (strcol(1) eq "n_cities" ? (n_all = int($2), 0) : 0) nooutput
stats 'data/trs.dat' using 1 nooutput
y_max = STATS_max
# a few rows are drawn as thick as about eight would be, centred
y_pad = y_max < 7 ? (7 - y_max) / 2.0 : 0
stats 'data/trs.dat' using ($8 == $8 ? $8 : 0) nooutput
h_max = STATS_max > 0 ? STATS_max : 1
stats 'data/trs.dat' using ($9 == $9 ? $9 / 24 : 0) nooutput
d_max = STATS_max > 0 ? STATS_max : 1

array seg_title[5] = ["document preparation", "rework of rejected declarations", "risk screening", "wait for an inspection team", "inspection"]
array seg_colour[5] = ["#56B4E9", "#CC79A7", "#E69F00", "#F0E442", "#000000"]
which = n < n_all ? sprintf("the first %d of %d cities by capital released per CNY million exported", n, n_all) : n == 1 ? "the study's city" : sprintf("the %d cities of the study", n)

left = 0.25
w_left = 0.42
gap = 0.04
w_right = 0.25
bot = 0.12
top = 0.76

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'trs'
    set multiplot title sprintf("Export clearance by segment (WCO Time Release Study), hours, and port dwell, days: mean per shipment\n%s, before and after; each city's own means", which) font ",22"
    set yrange [y_max + 0.8 + y_pad : -0.8 - y_pad]
    set ytics 1 scale 0 font ",16"
    set grid xtics noytics
    set tmargin at screen top
    set bmargin at screen bot
    unset key
    # clearance: five segments stacked, the total at the end of the bar
    set lmargin at screen left
    set rmargin at screen left + w_left
    set xrange [0 : h_max * 1.18]
    set xlabel "export clearance, hours per shipment (arrival at customs to release)"
    set title "Export clearance: five segments, hours" font ",20"
    plot for [k = 1:5] 'data/trs.dat' using (column(k + 2)):1:(k == 1 ? 0 : column(k + 1)):(column(k + 2)):($1 - 0.4):($1 + 0.4):ytic(10) with boxxyerror fc rgb seg_colour[k] notitle, \
         '' using 8:1:(sprintf(" %.2f h", $8)) with labels left font ",16" notitle
    # port dwell on its own axis
    set lmargin at screen left + w_left + gap
    set rmargin at screen left + w_left + gap + w_right
    set xrange [0 : d_max * 1.3]
    set format y ""
    set xlabel "port dwell, days per shipment (release to departure)"
    set title "Port dwell, days" font ",20"
    plot 'data/trs.dat' using ($9 / 48):1:(0):($9 / 24):($1 - 0.4):($1 + 0.4):($2 == 0 ? 0xD55E00 : 0x0072B2) with boxxyerror fc rgb variable notitle, \
         '' using ($9 / 24):1:(sprintf(" %.2f d", $9 / 24)) with labels left font ",16" notitle
    set format y "% h"
    # the key of the segments, in a panel of its own across the top
    set lmargin at screen 0.05
    set rmargin at screen 0.95
    set tmargin at screen 0.89
    set bmargin at screen 0.83
    unset title
    unset xlabel
    unset tics
    unset grid
    unset border
    set xrange [0:1]
    set yrange [0:1]
    set key center center horizontal maxrows 1 Left reverse samplen 1.5 width 1 font ",17"
    plot for [k = 1:5] NaN with boxes fc rgb seg_colour[k] title seg_title[k]
    unset multiplot
    set border 3
    set tics
    set grid
}
