# tornado.gp - sensitivity of the result to each sweep: the change in
# financing cost (after - before, summed over all cities) at the sweep's
# lowest and at its highest value, against the scenario as written (the
# vertical line). The widest swing is at the top.
#
# Data: data/tornado.dat (from sweep.csv and delta.csv, metric
# financing_cost_cny). Columns: 1 rank; 2 as written; 3 at the lowest value;
# 4 at the highest value (CNY); 5 the sweep; 6 its lowest value; 7 its
# highest value.
load 'style.gp'
stats 'data/tornado.dat' using 1 nooutput
n = STATS_records
stats 'data/tornado.dat' using 2 nooutput
base = STATS_max / 1e3
height = 380 + 120 * n
c_low = "#56B4E9"
c_high = "#E69F00"
# the end of a bar, and the value at it, on each side of the base
left_of(v) = v / 1e3 < base ? v / 1e3 : NaN
right_of(v) = v / 1e3 >= base ? v / 1e3 : NaN

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1600 height 'tornado'
    set title "Sensitivity of the financing-cost change to each swept parameter\nafter - before, all cities, at the lowest and highest value; line: as written" font ",24"
    set yrange [n - 0.5 : -0.5]
    set ytics 1 scale 0
    set grid xtics noytics
    set offsets graph 0.15, graph 0.15, 0, 0
    set xlabel "financing cost, after - before, summed over all cities (CNY thousand)"
    set bmargin 7
    set key at screen 0.5, screen 0.01 center bottom horizontal samplen 2
    set arrow 1 from first base, graph 0 to first base, graph 1 nohead lw 2 lc rgb "#222222" front
    plot 'data/tornado.dat' using ($3 / 2e3 + base / 2):($1 - 0.17):(base < $3 / 1e3 ? base : $3 / 1e3):(base < $3 / 1e3 ? $3 / 1e3 : base):($1 - 0.34):($1):ytic(5) with boxxyerror fc rgb c_low title "at the lowest value", \
         '' using ($4 / 2e3 + base / 2):($1 + 0.17):(base < $4 / 1e3 ? base : $4 / 1e3):(base < $4 / 1e3 ? $4 / 1e3 : base):($1):($1 + 0.34) with boxxyerror fc rgb c_high title "at the highest value", \
         '' using (left_of($3)):($1 - 0.17):(strcol(6)) with labels right offset -0.5, 0 font ",16" notitle, \
         '' using (right_of($3)):($1 - 0.17):(strcol(6)) with labels left offset 0.5, 0 font ",16" notitle, \
         '' using (left_of($4)):($1 + 0.17):(strcol(7)) with labels right offset -0.5, 0 font ",16" notitle, \
         '' using (right_of($4)):($1 + 0.17):(strcol(7)) with labels left offset 0.5, 0 font ",16" notitle
    unset arrow 1
}
