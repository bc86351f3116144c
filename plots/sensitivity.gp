# sensitivity.gp - which unknowns matter for the capital released by all
# cities, from a sensitivity study. Morris: mu* (mean absolute effect over
# the parameter's range) across, sigma (spread of the effect) up, with the
# 95% interval of mu*; Sobol': first- and total-order shares of the
# variance as bars with their 95% intervals.
#
# Data: data/sensitivity.dat (from sensitivity.csv, city all, metric
# capital_released_cny). Columns: 1 k; 2 parameter; 3 method (morris or
# sobol); 4 a, 5 a_lo, 6 a_hi (mu_star CNY, or first_order); 7 b, 8 b_lo,
# 9 b_hi (sigma CNY, or total_order).
load 'style.gp'
stats 'data/sensitivity.dat' using 1 nooutput
n = STATS_records
stats 'data/sensitivity.dat' using (strcol(3) eq "morris" ? 1 : 0) nooutput
morris = STATS_sum > 0
stats 'data/sensitivity.dat' using (max2(abs($6 == $6 ? $6 : $4), abs($7 == $7 ? $7 : 0))) nooutput
m = STATS_max > 0 ? STATS_max : 1
# Sobol': the largest index or interval end, for the axis
stats 'data/sensitivity.dat' using (max2(max2($6 == $6 ? $6 : 0, $9 == $9 ? $9 : 0), max2($4 == $4 ? $4 : 0, $7 == $7 ? $7 : 0))) nooutput
s_hi = max2(1.05, STATS_max * 1.05)
div = morris ? cny_div(m) : 1
unit = morris ? cny_unit(m) : "share"

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'sensitivity'
    set tmargin 6
    set bmargin 5
    if (morris) {
        set title sprintf("Which unknowns matter for the capital released, all cities (Morris screening, %s)\nmu*: mean absolute effect over the unknown's whole range; sigma: how much that effect varies (interactions, non-linearity)\nwhisker: 95%% bootstrap interval of mu*", unit) font ",22"
        set lmargin 14
        set rmargin 8
        set xlabel sprintf("mu*, %s", unit)
        set ylabel sprintf("sigma, %s", unit)
        set xrange [0 : m / div * 1.25]
        set yrange [0 : *]
        set offsets 0, 0, graph 0.12, 0
        set grid xtics ytics
        unset key
        plot 'data/sensitivity.dat' using ($4 / div):($7 / div):($5 / div):($6 / div) with xerrorbars pt 7 ps 2.5 lw 2 lc rgb c_after notitle, \
             '' using ($4 / div):($7 / div):2 with labels offset 1.2, 1.0 left font ",18" notitle
    } else {
        set title "Which unknowns matter for the capital released, all cities (Sobol' indices)\nshare of its variance over the unknowns' ranges: alone (first order), with interactions (total order)\nwhisker: 95% bootstrap interval; 1 = all of the variance" font ",22"
        set lmargin 44
        set rmargin 6
        set xlabel "share of the variance"
        set xrange [-0.05 : s_hi]
        set bmargin 8
        set arrow 2 from first 1, graph 0 to first 1, graph 1 nohead dt 2 lw 1.5 lc rgb "#777777"
        set yrange [n - 0.5 : -0.5]
        set ytics scale 0 font ",18"
        set grid xtics noytics
        set key bmargin center horizontal font ",20"
        plot 'data/sensitivity.dat' using (($7 == $7 ? $7 : 0) / 2):($1 - 0.2):(0):(($7 == $7 ? $7 : 0)):($1 - 0.38):($1 - 0.02):ytic(2) with boxxyerror fc rgb c_after fs solid 0.85 title "total order", \
             '' using (($4 == $4 ? $4 : 0) / 2):($1 + 0.2):(0):(($4 == $4 ? $4 : 0)):($1 + 0.02):($1 + 0.38) with boxxyerror fc rgb "#56B4E9" fs solid 0.85 title "first order", \
             '' using 7:($1 - 0.2):8:9 with xerrorbars pt -1 lw 2 lc rgb "#222222" notitle, \
             '' using 4:($1 + 0.2):5:6 with xerrorbars pt -1 lw 2 lc rgb "#222222" notitle
        unset arrow 2
    }
}
