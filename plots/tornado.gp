# tornado.gp - sensitivity of the capital released to each sweep: the
# capital released by all cities at the sweep's lowest and at its highest
# value (bars from the scenario as written: the vertical line, its 95%
# interval shaded), each with its own 95% interval (whiskers). The widest
# swing is at the top. Each row names the sweep, its parameter and the
# policy it applies to; each bar its value in short.
#
# Data: data/tornado.dat (from sweep_totals.csv and totals.csv, metric
# capital_released_cny, scope change). Columns: 1 rank; 2-4 as written:
# mean, ci95_low, ci95_high; 5-7 at the lowest value; 8-10 at the highest
# value (CNY); 11 the sweep; 12 the parameter (policy); 13 the lowest value;
# 14 the highest value.
load 'style.gp'
stats 'data/tornado.dat' using 1 nooutput
n = STATS_records
# a few rows are drawn as thick as about six would be, centred
y_pad = n < 6 ? (6 - n) / 2.0 : 0
stats 'data/tornado.dat' every ::0::0 using (base = $2, base_lo = $3, base_hi = $4, 0) nooutput
# the scale: the largest magnitude of a bar end or whisker
ok(v, alt) = v == v ? v : alt
stats 'data/tornado.dat' using (max2(max2(abs(ok($6, $5)), abs(ok($7, $5))), max2(abs(ok($9, $8)), abs(ok($10, $8))))) nooutput
m = max2(STATS_max, abs(base))
m = m > 0 ? m : 1
div = cny_div(m)
unit = cny_unit(m)
# the x range: every bar, whisker and the base, with room for the values
stats 'data/tornado.dat' using (min2(min2(ok($6, $5), ok($9, $8)), base)) nooutput
x_lo = STATS_min / div
stats 'data/tornado.dat' using (max2(max2(ok($7, $5), ok($10, $8)), base)) nooutput
x_hi = STATS_max / div
x_hi = x_hi > x_lo ? x_hi : x_lo + 1
room = (x_hi - x_lo) * 0.42
c_low = "#56B4E9"
c_high = "#E69F00"
# a value's text goes beyond the end of its bar and whisker, on its side
side_lo(v, lo, hi) = v < base ? ok(lo, v) / div : NaN
side_hi(v, lo, hi) = v >= base ? ok(hi, v) / div : NaN

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'tornado'
    set title sprintf("Sensitivity of the capital released to each swept parameter, all cities, %s\nbar: the capital released at the sweep's lowest and highest value; whisker: its 95%% interval\nline: the scenario as written, %.4g (shaded: its 95%% interval); the widest swing at the top", unit, base / div) font ",21"
    set tmargin 7
    set bmargin 7
    set lmargin 48
    set rmargin 4
    set yrange [n - 0.5 + y_pad : -0.5 - y_pad]
    set xrange [x_lo - room : x_hi + room]
    set ytics 1 scale 0 font ",17"
    set grid xtics noytics
    set xlabel sprintf("capital released, before - after of working capital, all cities, %s", unit)
    set key at screen 0.5, screen 0.01 center bottom horizontal samplen 2
    set object 1 rect from first base_lo / div, graph 0 to first base_hi / div, graph 1 fc rgb "#DDDDDD" fs solid 1.0 noborder behind
    set arrow 1 from first base / div, graph 0 to first base / div, graph 1 nohead lw 2 lc rgb "#222222" front
    plot 'data/tornado.dat' using (($5 / div + base / div) / 2):($1 - 0.18):(min2(base, $5) / div):(max2(base, $5) / div):($1 - 0.36):($1):ytic(sprintf("%s\n%s", strcol(11), strcol(12))) with boxxyerror fc rgb c_low title "at the lowest value", \
         '' using (($8 / div + base / div) / 2):($1 + 0.18):(min2(base, $8) / div):(max2(base, $8) / div):($1):($1 + 0.36) with boxxyerror fc rgb c_high title "at the highest value", \
         '' using ($5 / div):($1 - 0.18):($6 / div):($7 / div) with xerrorbars pt 7 ps 0 lw 1.5 lc rgb "#222222" title "95% interval", \
         '' using ($8 / div):($1 + 0.18):($9 / div):($10 / div) with xerrorbars pt 7 ps 0 lw 1.5 lc rgb "#222222" notitle, \
         '' using (side_lo($5, $6, $7)):($1 - 0.18):(strcol(13)) with labels right offset -0.6, 0 font ",16" notitle, \
         '' using (side_hi($5, $6, $7)):($1 - 0.18):(strcol(13)) with labels left offset 0.6, 0 font ",16" notitle, \
         '' using (side_lo($8, $9, $10)):($1 + 0.18):(strcol(14)) with labels right offset -0.6, 0 font ",16" notitle, \
         '' using (side_hi($8, $9, $10)):($1 + 0.18):(strcol(14)) with labels left offset 0.6, 0 font ",16" notitle
    unset arrow 1
    unset object 1
}
