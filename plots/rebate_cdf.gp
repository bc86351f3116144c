# rebate_cdf.gp - days from departure to the export VAT rebate: the share
# of units whose rebate has been paid within N days, before against after.
# Every city's distribution counts equally (the mean of the cities' curves).
#
# Data: data/rebate_cdf.dat (from distributions.csv, metric days_to_rebate).
# Block 0 columns: 1 day, 2 before, 3 after (share 0-1). Block 1: the day
# each mean curve reaches one half (before, after).
load 'style.gp'
stats 'data/rebate_cdf.dat' index 1 using (mb = $1, ma = $2, 0) nooutput

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'rebate_cdf'
    set title "Days from departure until the export VAT rebate is paid: share of units, %\nthe share of units paid within the number of days (all cities, each city weighted equally)" font ",24"
    set xlabel "days after departure"
    set ylabel "units with the rebate paid, %"
    set yrange [0:100]
    set xrange [0:*]
    set key bottom right reverse Left samplen 3 box lc rgb "#BBBBBB" opaque
    set arrow 1 from graph 0, first 50 to graph 1, first 50 nohead dt 2 lc rgb "#777777"
    plot 'data/rebate_cdf.dat' index 0 using 1:($2 * 100) with lines lw 4 lc rgb c_before title sprintf("%s (median %g days)", pb, mb), \
         '' index 0 using 1:($3 * 100) with lines lw 4 lc rgb c_after title sprintf("%s (median %g days)", pa, ma)
    unset arrow 1
}
