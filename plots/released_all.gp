# released_all.gp - small multiples: the working capital the policy releases
# on each day of the window (before - after of the total; line: the paired
# mean, band: its 95% interval) for every city in the order of the ranking,
# all on one scale; dashed: the city's effective date. Of a study of more
# than 48 cities the first 48 are drawn, and the title says so.
#
# Data: data/released_K.dat, K = 1 .. n_panels (data/counts.dat); columns
# as in released.gp.
load 'style.gp'
stats 'data/counts.dat' using (strcol(1) eq "n_panels" ? (n = int($2), 0) : 0) nooutput
stats 'data/counts.dat' using (strcol(1) eq "n_cities" ? (n_all = int($2), 0) : 0) nooutput
cols = n <= 3 ? n : n <= 4 ? 2 : n <= 6 ? 3 : n <= 12 ? 4 : n <= 20 ? 5 : n <= 24 ? 6 : n <= 35 ? 7 : 8
rows = ceil(n * 1.0 / cols)
top_h = n < n_all ? 185.0 : 150.0
bottom_h = cols <= 4 ? 100.0 : 75.0
left = cols <= 4 ? 0.07 : 0.045

# one scale for every panel, set by the mean lines: a day whose interval is
# far wider than the others (few replications) would flatten every line,
# so the bands are cut at the frame
lo = 0
hi = 0
do for [k = 1:n] {
    stats sprintf("data/released_%d.dat", k) using (-$2) nooutput
    lo = min2(lo, STATS_min)
    hi = max2(hi, STATS_max)
}
hi = hi > lo ? hi : lo + 1
div = cny_div(max2(abs(lo), abs(hi)))
unit = cny_unit(max2(abs(lo), abs(hi)))
pad = (hi - lo) * 0.25
n_tics = cols <= 3 ? 8 : cols <= 5 ? 4 : 3

shown = n < n_all ? sprintf("the first %d of %d cities by capital released per CNY million exported;\n%d cities are not shown (the ranking chart and ranking.csv list them)", n, n_all, n_all - n) : n == 1 ? "the study's city" : sprintf("all %d cities by capital released per CNY million exported", n)
panel_font = cols <= 4 ? ",18" : cols <= 6 ? ",15" : ",13"
tic_font = cols <= 4 ? ",15" : cols <= 6 ? ",12" : ",11"
do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'released_all'
    set multiplot layout rows, cols margins left, 0.99, bottom_h / 1080, 1 - top_h / 1080 spacing 0.012, (cols <= 4 ? 0.08 : 0.04) \
        title sprintf("Capital released over time, %s, one scale: %s\nline: before - after of the working capital, mean of the paired replications; band: its 95%% interval (cut at the frame); dashed: the policy takes effect", unit, shown) \
        font ",19"
    unset key
    set xtics font tic_font
    set ytics font tic_font
    do for [k = 1:n] {
        file = sprintf("data/released_%d.dat", k)
        # tic labels on the outer panels only: the scale is the same in all
        call 'timetics.gp' file (n_tics) (k > n - cols ? "%b\n%Y" : "")
        stats file every ::0::0 using (city = strcol(7), rank = $6, eff = strptime("%Y-%m-%d", strcol(5)), 0) nooutput
        set title sprintf("%d. %s", rank, city) font panel_font offset 0, -0.6
        set xdata time
        set timefmt "%Y-%m-%d"
        set yrange [(lo - pad) / div : (hi + pad) / div]
        set format y ((k - 1) % cols == 0 ? "% g" : "")
        set ylabel ((k - 1) % cols == 0 && cols <= 4 ? unit : "")
        set arrow 1 from eff, graph 0 to eff, graph 1 nohead dt 2 lw 1.5 lc rgb "#555555"
        set arrow 2 from graph 0, first 0 to graph 1, first 0 nohead lw 1 lc rgb "#444444"
        plot file using 1:(-$4 / div):(-$3 / div) with filledcurves fc rgb c_after fs transparent solid 0.2 notitle, \
             file using 1:(-$2 / div) with lines lw 2 lc rgb c_after notitle
        unset arrow 1
        unset arrow 2
    }
    unset multiplot
}
