# return_cycle.gp - return cycle time per city (a buyer's return until the
# goods are released back in China), before against after: the mean over
# replications with its 95% confidence interval; longest before at the top.
#
# Data: data/return_cycle.dat (from summary.csv, metric return_cycle_d).
# Columns: 1 rank; 2-4 before mean, low, high; 5-7 after (days); 8 the city.
load 'style.gp'
stats 'data/return_cycle.dat' using 1 nooutput
n = STATS_records
height = 300 + 36 * n
height = height < 800 ? 800 : height

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1600 height 'return_cycle'
    set title "Return cycle time: from a buyer's return until the goods are released in China\nmean days per unit returned to China, with 95% confidence intervals" font ",24"
    set tmargin 6
    set yrange [n - 0.5 : -0.5]
    set ytics 1 scale 0
    set grid xtics noytics
    set xlabel "days"
    set offsets graph 0.05, graph 0.05, 0, 0
    set key outside top center horizontal samplen 2
    plot 'data/return_cycle.dat' using 2:($1 - 0.15):3:4:ytic(8) with xerrorbars pt 7 ps 1.6 lw 2 lc rgb c_before title pb, \
         '' using 5:($1 + 0.15):6:7 with xerrorbars pt 5 ps 1.4 lw 2 lc rgb c_after title pa
}
