# ranking.gp - each city's capital released per CNY million of its exports
# under the baseline, best first, with its 95% interval (error bar); green:
# the interval lies above zero, grey: it includes zero, purple: below zero.
# At most 30 rows: of a larger study the first 15 and the last 15, with the
# number of cities left out between them.
#
# Data: data/ranking.dat (from ranking.csv). Block 0, one row per city
# shown: 1 y; 2 rank; 3 capital released per CNY million exported, 4
# ci95_low, 5 ci95_high (CNY); 6 interval (0 above zero, 1 includes zero,
# 2 below zero); 7 the city. Block 1: 1 y of the gap (NaN: none), 2 the
# cities left out, 3 the text.
load 'style.gp'
stats 'data/ranking.dat' index 0 using 1 nooutput
y_max = STATS_max
# a few rows are drawn as thick as about eight would be, centred
y_pad = y_max < 7 ? (7 - y_max) / 2.0 : 0
stats 'data/counts.dat' using (strcol(1) eq "n_cities" ? (n_all = int($2), 0) : 0) nooutput
stats 'data/ranking.dat' index 1 using (gap_y = $1, hidden = $2, gap_text = strcol(3), 0) nooutput
tic_font = y_max > 20 ? ",15" : ",18"
# the x range holds zero, every bar and every whisker
stats 'data/ranking.dat' index 0 using ($4 == $4 ? $4 : $3) nooutput
x_lo = min2(0, STATS_min)
stats 'data/ranking.dat' index 0 using ($5 == $5 ? $5 : $3) nooutput
x_hi = max2(0, STATS_max)
x_hi = x_hi > x_lo ? x_hi : x_lo + 1
x_pad = (x_hi - x_lo) * 0.03
bar_rgb(code) = code == 0 ? 0x009E73 : code == 2 ? 0xCC79A7 : 0x999999
which = hidden > 0 ? sprintf("the first and the last %d of %d cities", (n_all - hidden) / 2, n_all) : n_all == 1 ? "the study's city" : sprintf("all %d cities", n_all)

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'ranking'
    set title sprintf("Capital released per CNY million exported, CNY: %s, best first\nbar: mean of the replications; error bar: its 95%% interval\ngreen: the interval lies above 0; grey: it includes 0; purple: it lies below 0", which) font ",21"
    set tmargin 7
    set bmargin 4
    set yrange [y_max + 0.7 + y_pad : -0.7 - y_pad]
    set ytics 1 scale 0 font tic_font
    set grid xtics noytics
    set xlabel "capital released, CNY per CNY million exported (before - after of working capital / exports before)"
    set xrange [x_lo < 0 ? x_lo - x_pad : 0 : x_hi > 0 ? x_hi + x_pad : 0]
    set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lw 2 lc rgb "#444444" front
    if (hidden > 0) {
        set label 1 gap_text at graph 0.5, first gap_y center font ",18" textcolor rgb "#555555"
        set arrow 2 from graph 0, first gap_y - 0.5 to graph 1, first gap_y - 0.5 nohead dt 2 lc rgb "#999999"
        set arrow 3 from graph 0, first gap_y + 0.5 to graph 1, first gap_y + 0.5 nohead dt 2 lc rgb "#999999"
    }
    unset key
    plot 'data/ranking.dat' index 0 using ($3 / 2):1:($3 < 0 ? $3 : 0):($3 > 0 ? $3 : 0):($1 - 0.36):($1 + 0.36):(bar_rgb($6)):ytic(sprintf("%d. %s", $2, strcol(7))) with boxxyerror fc rgb variable notitle, \
         '' index 0 using 3:1:4:5 with xerrorbars pt 7 ps 0 lw 1.5 lc rgb "#222222" notitle
    unset arrow 1
    unset arrow 2
    unset arrow 3
    unset label 1
}
