# released.gp - the working capital the policy releases on each day of the
# window in the cities first in the ranking (capital released per CNY
# million exported, ranking.csv): before - after of the total working
# capital, that is daily_delta.csv's after - before with its sign reversed.
# Line: the paired mean over replications; band: its 95% interval; one
# panel per city, all on one scale; dashed: the day the policy takes effect
# in the city.
#
# Data: data/released_K.dat, K = 1 .. n_top (data/counts.dat), from
# daily_delta.csv (component total). Columns: 1 date; 2 mean, 3 ci95_low,
# 4 ci95_high of after - before (CNY); 5 the effective date (cities.csv);
# 6 the rank; 7 the city.
load 'style.gp'
stats 'data/counts.dat' using (strcol(1) eq "n_top" ? (n = int($2), 0) : 0) nooutput
stats 'data/counts.dat' using (strcol(1) eq "n_cities" ? (n_all = int($2), 0) : 0) nooutput
cols = n <= 3 ? n : 3
rows = ceil(n * 1.0 / cols)

# one scale for every panel, set by the mean lines: released = -(after -
# before). A day whose interval is far wider than the others (few
# replications) would flatten every line, so the bands are cut at the frame.
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
pad = (hi - lo) * 0.35
call 'timetics.gp' "data/released_1.dat" (cols == 1 ? 12 : cols == 2 ? 8 : 6) "%b\n%Y"

which = n < n_all ? sprintf("the first %d of %d cities", n, n_all) : n == 1 ? "the study's city" : sprintf("the %d cities of the study", n)
do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'released'
    set multiplot layout rows, cols margins 0.07, 0.98, (rows == 1 ? 0.13 : 0.08), 0.80 spacing 0.05, 0.16 \
        title sprintf("Capital released by the policy over time, %s: %s by capital released per CNY million exported\nline: before - after of the working capital, mean of the paired replications; band: its 95%% interval (cut at the frame)\nabove 0: capital released; dashed: the day the policy takes effect in the city", unit, which) \
        font ",20"
    unset key
    do for [k = 1:n] {
        file = sprintf("data/released_%d.dat", k)
        set xdata
        stats file every ::0::0 using (city = strcol(7), rank = $6, eff = strptime("%Y-%m-%d", strcol(5)), 0) nooutput
        set title sprintf("%d. %s", rank, city) font ",20"
        set xdata time
        set timefmt "%Y-%m-%d"
        set yrange [(lo - pad) / div : (hi + pad) / div]
        set ylabel (k % cols == 1 || cols == 1 ? unit : "")
        set arrow 1 from eff, graph 0 to eff, graph 1 nohead dt 2 lw 2 lc rgb "#555555"
        set arrow 2 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb "#444444"
        plot file using 1:(-$4 / div):(-$3 / div) with filledcurves fc rgb c_after fs transparent solid 0.2 notitle, \
             file using 1:(-$2 / div) with lines lw 3 lc rgb c_after notitle
        unset arrow 1
        unset arrow 2
    }
    unset multiplot
}
