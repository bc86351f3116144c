# waterfall.gp - how the four disjoint components of working capital add up
# to the capital released (before - after of the window's mean working
# capital, all cities): each component's bar starts where the one before it
# ended, the total's from zero; bar: the mean over replications, whisker:
# its 95% interval at the end of the bar. Green: released, purple: tied up.
#
# Data: data/waterfall.dat (from totals.csv, scope change). Columns: 1 k
# (0-3 components, 4 the total); 2 mean, 3 ci95_low, 4 ci95_high (CNY);
# 5 where the bar starts (CNY); 6 1 for the total; 7 the metric; 8 its label.
load 'style.gp'
stats 'data/waterfall.dat' using (max2(max2(abs($5 + $2), abs($5 + ($3 == $3 ? $3 : $2))), abs($5 + ($4 == $4 ? $4 : $2)))) nooutput
m = STATS_max > 0 ? STATS_max : 1
div = cny_div(m)
unit = cny_unit(m)
# the y range: zero, every bar end and whisker, and room for the labels
stats 'data/waterfall.dat' using (min2(min2($5, $5 + $2), $5 + ($3 == $3 ? $3 : $2))) nooutput
y_lo = min2(0, STATS_min)
stats 'data/waterfall.dat' using (max2(max2($5, $5 + $2), $5 + ($4 == $4 ? $4 : $2))) nooutput
y_hi = max2(0, STATS_max)
y_hi = y_hi > y_lo ? y_hi : y_lo + 1
y_pad = (y_hi - y_lo) * 0.12
stats 'data/waterfall.dat' using ($6 == 1 ? (total = $2, total_lo = $3, total_hi = $4, 0) : 0) nooutput
# as numbers for `lc rgb variable`: c_released, c_tied and a darker green
bar_colour(k, v) = k == 4 ? 0x00664A : v >= 0 ? 0x009E73 : 0xCC79A7
# a bar's end, and a label just beyond the end of bar and whisker
end_of(s, v) = (s + v) / div
label_y(s, v, lo, hi) = v >= 0 ? (s + (hi == hi ? hi : v)) / div : (s + (lo == lo ? lo : v)) / div

# whiskers as vectors with a bar at each end (yerrorbars would mark the mean)
set style arrow 8 heads size screen 0.008, 90 lw 2 lc rgb "#222222"

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'waterfall'
    set title sprintf("Capital released by component, all cities, %s: %.4g %s (95%% interval %.4g to %.4g)\nbefore - after of the window's mean working capital; bar: mean of the replications; whisker: its 95%% interval\ngreen: capital released; purple: capital tied up; each bar starts where the one before it ends", unit, total / div, unit, total_lo / div, total_hi / div) font ",22"
    set tmargin 7
    set bmargin 4
    set lmargin 14
    set xrange [-0.6 : 4.6]
    set xtics scale 0 font ",20"
    set grid ytics noxtics
    set ylabel sprintf("capital released, %s", unit)
    set yrange [(y_lo < 0 ? y_lo - y_pad : 0) / div : (y_hi > 0 ? y_hi + y_pad : 0) / div]
    set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 2 lc rgb "#444444" front
    unset key
    plot 'data/waterfall.dat' using 1:(end_of($5, $2 / 2)):($1 - 0.32):($1 + 0.32):($5 / div):(end_of($5, $2)):(bar_colour($1, $2)):xtic(8) with boxxyerror fc rgb variable notitle, \
         '' using ($1 + 0.32):(end_of($5, $2)):(0.36):(0) every ::0::3 with vectors nohead dt 3 lw 1.5 lc rgb "#777777" notitle, \
         '' using 1:(($5 + $3) / div):(0):(($4 - $3) / div) with vectors arrowstyle 8 notitle, \
         '' using 1:($2 >= 0 ? label_y($5, $2, $3, $4) : NaN):(sprintf("%+.3g", $2 / div)) with labels offset 0, 1.1 font ",20" notitle, \
         '' using 1:($2 < 0 ? label_y($5, $2, $3, $4) : NaN):(sprintf("%+.3g", $2 / div)) with labels offset 0, -1.1 font ",20" notitle
    unset arrow 1
}
