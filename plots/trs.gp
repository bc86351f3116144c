# trs.gp - export clearance time per city broken into the segments of the
# WCO Time Release Study, mean hours per shipment, as stacked bars: before
# on the left, after on the right, one scale; longest before at the top.
#
# Data: data/trs.dat (from summary.csv, metrics trs_*_h). Columns: 1 rank;
# 2-7 before, 8-13 after: the cumulative end of each segment (document
# preparation, rework, risk screening, inspection wait, inspection, port
# dwell), hours; 14 the city.
load 'style.gp'
stats 'data/trs.dat' using 1 nooutput
n = STATS_records
stats 'data/trs.dat' using 7 nooutput
m1 = STATS_max
stats 'data/trs.dat' using 13 nooutput
m2 = STATS_max
xmax = (m1 > m2 ? m1 : m2) * 1.15
height = 330 + 40 * n
height = height < 800 ? 800 : height

array seg_title[6] = ["document preparation", "rework of rejected declarations", "risk screening", "wait for an inspection team", "inspection", "port dwell: release to departure"]
array seg_colour[6] = ["#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#009E73"]

left = 0.16
w = 0.39
gap = 0.03
bot = 110.0 / height
top = 1 - 250.0 / height

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1800 height 'trs'
    set multiplot title "Export clearance time by segment (WCO Time Release Study), mean hours per shipment" font ",24"
    set yrange [n - 0.5 : -0.5]
    set xrange [0 : xmax]
    set ytics 1 scale 0
    set grid xtics noytics
    set tmargin at screen top
    set bmargin at screen bot
    set xlabel "hours per shipment"
    do for [p = 0:1] {
        set lmargin at screen left + p * (w + gap)
        set rmargin at screen left + p * (w + gap) + w
        set title (p == 0 ? pb : pa) font ",22"
        o = 1 + 6 * p
        if (p == 0) {
            unset key
            plot for [k = 1:6] 'data/trs.dat' using (column(o + k)):1:(k == 1 ? 0 : column(o + k - 1)):(column(o + k)):($1 - 0.38):($1 + 0.38):ytic(14) with boxxyerror fc rgb seg_colour[k] notitle, \
                 '' using (column(o + 6)):1:(sprintf(" %.0f h", column(o + 6))) with labels left font ",16" notitle
        } else {
            unset key
            set format y ""
            plot for [k = 1:6] 'data/trs.dat' using (column(o + k)):1:(k == 1 ? 0 : column(o + k - 1)):(column(o + k)):($1 - 0.38):($1 + 0.38) with boxxyerror fc rgb seg_colour[k] notitle, \
                 '' using (column(o + 6)):1:(sprintf(" %.0f h", column(o + 6))) with labels left font ",16" notitle
            set format y "%g"
        }
    }
    # the key, in a panel of its own across the top (a key inside a panel
    # is as narrow as the panel)
    set lmargin at screen 0.05
    set rmargin at screen 0.95
    set tmargin at screen 1 - 60.0 / height
    set bmargin at screen 1 - 150.0 / height
    unset title
    unset xlabel
    unset tics
    unset grid
    unset border
    set xrange [0:1]
    set yrange [0:1]
    set key center center horizontal maxrows 2 Left reverse samplen 1.5 width 1
    plot for [k = 1:6] NaN with boxes fc rgb seg_colour[k] title seg_title[k]
    unset multiplot
    set border 3
    set tics
    set grid
}
