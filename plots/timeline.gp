# timeline.gp - a Gantt chart of sample overseas-warehouse (9810) shipments
# of the city that gains most: each shipment under each policy (the same
# shipments: common random numbers), from creation to its last milestone,
# milestones marked; the dashed line is the day the compared policy takes
# effect in the city.
#
# Data: data/timeline.dat (from timeline.csv). Block 0, one row per bar:
# 1 row, 2 first day, 3 last day, 4 policy (0 before, 1 after), 5 label.
# Blocks 1-9, one per milestone: 1 row, 2 day. Block 10: the effective day.
# Days are counted from the run's start (labels.dat run_start, from
# summary.json horizon.run_start), as in timeline.csv; the axis shows dates.
load 'style.gp'
stats 'data/labels.dat' using (strcol(1) eq "top_city" ? (city = strcol(2), 0) : 0) nooutput
stats 'data/labels.dat' using (strcol(1) eq "run_start" ? (start = strcol(2), 0) : 0) nooutput
t0 = strptime("%Y-%m-%d", start)
at(day) = t0 + day * 86400
stats 'data/timeline.dat' index 0 using 1 nooutput
n = STATS_records
stats 'data/timeline.dat' index 10 using (eff = $1, 0) nooutput
stats 'data/timeline.dat' index 0 using 2 nooutput
first = STATS_min
stats 'data/timeline.dat' index 0 using 3 nooutput
last = STATS_max
first = eff == eff && eff < first ? eff : first
span = last - first

array ms_title[9] = ["created", "declared to customs", "released by customs", "departed China", "arrived abroad", "in the warehouse", "first unit sold", "rebate paid", "last unit settled"]
array ms_pt[9] = [6, 2, 1, 9, 11, 5, 4, 7, 13]
array ms_colour[9] = ["#222222", "#222222", "#222222", "#222222", "#222222", "#222222", "#222222", "#009E73", "#222222"]
array ms_ps[9] = [1.8, 1.8, 1.8, 2.2, 2.2, 2.0, 2.0, 3.2, 2.4]

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1920 1080 'timeline'
    set title sprintf("Sample overseas-warehouse (9810) shipments in %s, dates: %s against %s\nthe same shipments under both policies (common random numbers); dashed: the policy takes effect in the city", city, pb, pa) font ",22"
    set tmargin 6
    set yrange [n - 0.5 : -0.5]
    set ytics 1 scale 0 font ",17"
    set grid xtics noytics
    set xdata time
    set format x (span > 200 ? "%b\n%Y" : "%d %b\n%Y")
    set xrange [at(first - 0.03 * span - 1) : at(last + 0.03 * span + 1)]
    set xlabel "date"
    set key outside right top vertical Left reverse samplen 1.5 spacing 1.2
    if (eff == eff) {
        set arrow 1 from at(eff), graph 0 to at(eff), graph 1 nohead dt 2 lw 2 lc rgb "#555555"
    }
    plot 'data/timeline.dat' index 0 using (at($2)):1:ytic(5) with points pt 7 ps 0 lc rgb "#FFFFFFFF" notitle, \
         '' index 0 using (at(($2 + $3) / 2)):($4 == 0 ? $1 : NaN):(at($2)):(at($3)):($1 - 0.2):($1 + 0.2) with boxxyerror fc rgb c_before fs transparent solid 0.5 title pb, \
         '' index 0 using (at(($2 + $3) / 2)):($4 == 1 ? $1 : NaN):(at($2)):(at($3)):($1 - 0.2):($1 + 0.2) with boxxyerror fc rgb c_after fs transparent solid 0.5 title pa, \
         for [m = 1:9] '' index m using (at($2)):1 with points pt ms_pt[m] ps ms_ps[m] lw 2 lc rgb ms_colour[m] title ms_title[m]
    unset arrow 1
}
