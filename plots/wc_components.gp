# wc_components.gp - the mean working capital of the window, all cities,
# before and after, as two stacked bars of its four disjoint components
# (goods abroad, goods returning to China, trade receivables, the export VAT
# rebate receivable). A segment tall enough is labelled with its amount on
# the bar, every one in the legend; the total stands above each bar.
#
# Data: data/wc_components.dat (from totals.csv, scopes before and after).
# Block 0, one row per component: 1 k; 2 before, 3 where its segment starts
# in the before bar; 4 after, 5 its start in the after bar (CNY); 6 the
# metric; 7 its label. Block 1: working capital before and after
# (wc_avg_cny) and the capital released with its interval (CNY).
load 'style.gp'
stats 'data/wc_components.dat' index 1 using (wb = $1, wa = $2, rel = $3, rel_lo = $4, rel_hi = $5, 0) nooutput
stats 'data/wc_components.dat' index 0 using (max2($3 + $2, $5 + $4)) nooutput
top = max2(STATS_max, max2(wb == wb ? wb : 0, wa == wa ? wa : 0))
top = top > 0 ? top : 1
div = cny_div(top)
unit = cny_unit(top)
array seg_colour[4] = ["#56B4E9", "#F0E442", "#E69F00", "#009E73"]
seg_rgb(k) = k == 0 ? 0x56B4E9 : k == 1 ? 0xF0E442 : k == 2 ? 0xE69F00 : 0x009E73
# the legend names each component with its amounts
stats 'data/wc_components.dat' index 0 using (0) nooutput
array seg_key[4]
do for [k = 0:3] {
    stats 'data/wc_components.dat' index 0 every ::k::k using (seg_key[k + 1] = sprintf("%s: %.3g → %.3g", strcol(7), $2 / div, $4 / div), 0) nooutput
}
# a segment is labelled on the bar when it is at least 3.5% of the axis
# high, else beside the bar (left of the first, right of the second)
big(v) = v >= 0.035 * top * 1.12

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'wc_components'
    # the title in a multiplot, centred on the image rather than on the bars
    set multiplot title sprintf("Working capital by component, all cities, %s: mean of the window's days\n%s: %.4g, %s: %.4g; the difference is the capital released: %.4g (95%% interval %.4g to %.4g)", unit, pb, wb / div, pa, wa / div, rel / div, rel_lo / div, rel_hi / div) font ",22"
    set tmargin 5
    set rmargin 66
    set xrange [-0.6 : 1.6]
    set yrange [0 : top * 1.12 / div]
    set xtics (pb 0, pa 1) scale 0 font ",22"
    set grid ytics noxtics
    set ylabel sprintf("working capital, %s", unit)
    set key at screen 0.99, graph 0.95 right top Left reverse samplen 1.5 spacing 1.4 title sprintf("component (%s, %s → %s)", unit, pb, pa) font ",18"
    plot for [k = 4:1:-1] 'data/wc_components.dat' index 0 every ::(k - 1)::(k - 1) using (0):(($3 + $2 / 2) / div):(-0.3):(0.3):($3 / div):(($3 + $2) / div) with boxxyerror fc rgb seg_colour[k] title seg_key[k], \
         'data/wc_components.dat' index 0 using (1):(($5 + $4 / 2) / div):(0.7):(1.3):($5 / div):(($5 + $4) / div):(seg_rgb($1)) with boxxyerror fc rgb variable notitle, \
         '' index 0 using (0):(big($2) ? ($3 + $2 / 2) / div : NaN):(sprintf("%.3g", $2 / div)) with labels font ",20" notitle, \
         '' index 0 using (1):(big($4) ? ($5 + $4 / 2) / div : NaN):(sprintf("%.3g", $4 / div)) with labels font ",20" notitle, \
         '' index 0 using (-0.33):(big($2) ? NaN : ($3 + $2 / 2) / div):(sprintf("%.3g", $2 / div)) with labels right font ",17" notitle, \
         '' index 0 using (1.33):(big($4) ? NaN : ($5 + $4 / 2) / div):(sprintf("%.3g", $4 / div)) with labels left font ",17" notitle, \
         '' index 1 using (0):($1 / div):(sprintf("%.4g", $1 / div)) with labels offset 0, 1 font ",22" notitle, \
         '' index 1 using (1):($2 / div):(sprintf("%.4g", $2 / div)) with labels offset 0, 1 font ",22" notitle
    unset multiplot
}
