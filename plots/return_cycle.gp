# return_cycle.gp - return cycle time per city (a buyer's return until the
# goods are released back in China), before against after: the mean over
# replications with its 95% confidence interval; the axis starts at zero.
# Longest before at the top; at most 30 rows: of a larger study the 15
# longest and the 15 shortest, with the number left out between them.
#
# Data: data/return_cycle.dat (from summary.csv, metric return_cycle_d).
# Block 0: 1 y; 2-4 before mean, low, high; 5-7 after (days); 8 the city.
# Block 1: 1 y of the gap (NaN: none), 2 the cities left out, 3 the text.
load 'style.gp'
stats 'data/return_cycle.dat' index 0 using 1 nooutput
y_max = STATS_max
# a few rows are drawn as thick as about eight would be, centred
y_pad = y_max < 7 ? (7 - y_max) / 2.0 : 0
n = STATS_records
stats 'data/return_cycle.dat' index 1 using (gap_y = $1, hidden = $2, gap_text = strcol(3), 0) nooutput
tic_font = y_max > 20 ? ",15" : ",18"
which = hidden > 0 ? sprintf("the first and the last 15 of %d cities by the before mean", n + hidden) : n == 1 ? "the study's city" : sprintf("%d cities", n)

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'return_cycle'
    set title sprintf("Return cycle time, days: from a buyer's return until the goods are released in China\n%s, longest before at the top\npoint: mean days per unit returned to China; whisker: its 95%% confidence interval", which) font ",21"
    set tmargin 7
    set bmargin 4
    set yrange [y_max + 0.7 + y_pad : -0.7 - y_pad]
    set xrange [0 : *]
    set ytics 1 scale 0 font tic_font
    set grid xtics noytics
    set xlabel "days from the buyer's return to release in China"
    set offsets 0, graph 0.05, 0, 0
    set key inside top left vertical Left reverse samplen 2 box lc rgb "#BBBBBB" opaque
    if (hidden > 0) {
        set label 1 gap_text at graph 0.02, first gap_y left font ",18" textcolor rgb "#555555"
        set arrow 2 from graph 0, first gap_y - 0.5 to graph 1, first gap_y - 0.5 nohead dt 2 lc rgb "#999999"
        set arrow 3 from graph 0, first gap_y + 0.5 to graph 1, first gap_y + 0.5 nohead dt 2 lc rgb "#999999"
    }
    plot 'data/return_cycle.dat' index 0 using 2:($1 - 0.17):3:4:ytic(8) with xerrorbars pt 7 ps 1.6 lw 2 lc rgb c_before title pb, \
         '' index 0 using 5:($1 + 0.17):6:7 with xerrorbars pt 5 ps 1.4 lw 2 lc rgb c_after title pa
    unset arrow 2
    unset arrow 3
    unset label 1
}
