# cash_top.gp - cumulative cash position of the cities that gain most (the
# largest financing-cost saving), before against after: the mean over
# replications (line) and the band between their 5th and 95th percentiles.
#
# Data: data/cash_top_K.dat, K = 1 .. n_top (data/counts.dat), from
# daily_cash.csv. Columns: 1 date; 2-4 before mean, p05, p95; 5-7 after
# mean, p05, p95 (CNY); 8 the day the compared policy takes effect in the
# city (cities.csv); 9 the city.
load 'style.gp'
stats 'data/counts.dat' using (strcol(1) eq "n_top" ? (n = $2, 0) : 0) nooutput
cols = n > 1 ? 2 : 1
rows = n > 2 ? 2 : 1
height = rows == 1 ? 850 : 1300
# every city has the same days
call 'timetics.gp' "data/cash_top_1.dat" 9 "%b\n%Y"

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1800 height 'cash_top'
    set multiplot layout rows, cols margins 0.07, 0.98, 130.0 / height, 1 - 190.0 / height spacing 0.07, 200.0 / height \
        title "Cumulative cash position, CNY million: the cities with the largest financing-cost saving\nline: mean of the replications; band: 5% to 95% of them; dashed: the policy takes effect" \
        font ",24"
    do for [k = 1:n] {
        file = sprintf("data/cash_top_%d.dat", k)
        set xdata
        stats file every ::0::0 using (city = strcol(9), eff = strptime("%Y-%m-%d", strcol(8)), 0) nooutput
        set title city font ",22"
        set xdata time
        set timefmt "%Y-%m-%d"
        set ylabel "CNY million"
        set arrow 1 from eff, graph 0 to eff, graph 1 nohead dt 2 lw 2 lc rgb "#555555"
        if (k == 1) {
            set key top left reverse Left samplen 2 opaque box lc rgb "#BBBBBB"
        } else {
            unset key
        }
        plot file using 1:($3 / 1e6):($4 / 1e6) with filledcurves fc rgb c_before fs transparent solid 0.15 notitle, \
             file using 1:($6 / 1e6):($7 / 1e6) with filledcurves fc rgb c_after fs transparent solid 0.15 notitle, \
             file using 1:($2 / 1e6) with lines lw 3 lc rgb c_before title pb, \
             file using 1:($5 / 1e6) with lines lw 3 lc rgb c_after title pa
        unset arrow 1
    }
    unset multiplot
}
