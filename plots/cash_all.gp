# cash_all.gp - small multiples: the cumulative cash position of every city,
# before against after (mean line, 5-95% band of replications), all panels
# on one scale so cities can be compared at a glance.
#
# Data: data/cash_K.dat, K = 1 .. n_cities (data/counts.dat), in the order
# of cities.csv; columns as in cash_top.gp.
load 'style.gp'
stats 'data/counts.dat' using (strcol(1) eq "n_cities" ? (n = $2, 0) : 0) nooutput
cols = n <= 3 ? n : n <= 4 ? 2 : n <= 9 ? 3 : n <= 16 ? 4 : n <= 30 ? 5 : 6
rows = ceil(n / cols)
panel_h = 320
top_h = 160
height = top_h + rows * panel_h

# one scale for every panel
ymin = 0
ymax = 0
do for [k = 1:n] {
    file = sprintf("data/cash_%d.dat", k)
    stats file using ($3 / 1e6) nooutput
    ymin = STATS_min < ymin ? STATS_min : ymin
    stats file using ($6 / 1e6) nooutput
    ymin = STATS_min < ymin ? STATS_min : ymin
    stats file using ($4 / 1e6) nooutput
    ymax = STATS_max > ymax ? STATS_max : ymax
    stats file using ($7 / 1e6) nooutput
    ymax = STATS_max > ymax ? STATS_max : ymax
}
pad = (ymax - ymin) * 0.05
# every city has the same days
call 'timetics.gp' "data/cash_1.dat" 3 "%b %Y"

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1800 height 'cash_all'
    set multiplot layout rows, cols margins 0.06, 0.99, 60.0 / height, 1 - (top_h + 10.0) / height spacing 0.04, 90.0 / height \
        title sprintf("Cumulative cash position of every city, CNY million (one scale for all)\n%s: vermillion, %s: blue; line: mean; band: 5%% to 95%% of replications", pb, pa) \
        font ",24"
    unset key
    do for [k = 1:n] {
        file = sprintf("data/cash_%d.dat", k)
        set xdata
        set yrange [*:*]
        stats file every ::0::0 using (city = strcol(9), 0) nooutput
        set yrange [ymin - pad : ymax + pad]
        set title city font ",16" offset 0, -0.4
        set xdata time
        set timefmt "%Y-%m-%d"
        set xtics font ",11"
        set ytics font ",11"
        set format y "%.0f"
        plot file using 1:($3 / 1e6):($4 / 1e6) with filledcurves fc rgb c_before fs transparent solid 0.15 notitle, \
             file using 1:($6 / 1e6):($7 / 1e6) with filledcurves fc rgb c_after fs transparent solid 0.15 notitle, \
             file using 1:($2 / 1e6) with lines lw 2 lc rgb c_before notitle, \
             file using 1:($5 / 1e6) with lines lw 2 lc rgb c_after notitle
    }
    unset multiplot
}
