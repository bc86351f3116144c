# delta.gp - per city, the change after - before in peak working capital,
# financing cost and net present value, with the paired 95% interval;
# cities sorted by financing-cost saving, largest at the top.
#
# Data: data/delta.dat (from delta.csv). Columns: 1 rank (0 = top); 2-4 peak
# working capital delta, low, high; 5-7 financing cost; 8-10 NPV (CNY);
# 11 the city.
load 'style.gp'
stats 'data/counts.dat' using (strcol(1) eq "n_cities" ? (n = $2, 0) : 0) nooutput
height = 330 + 36 * n
height = height < 800 ? 800 : height
c_bar = c_after

# a round tic step giving about four intervals over r
nice(r) = (e_ = 10 ** floor(log10(r / 4.0)), f_ = r / 4.0 / e_, (f_ < 1.5 ? 1 : f_ < 3.5 ? 2 : f_ < 7.5 ? 5 : 10) * e_)

# per panel, a range that holds 0, every bar and every whisker
array xlo[3]
array xhi[3]
array xstep[3]
do for [p = 0:2] {
    c = 2 + 3 * p
    stats 'data/delta.dat' using (column(c + 1) / 1e3) nooutput
    lo = STATS_min < 0 ? STATS_min : 0
    stats 'data/delta.dat' using (column(c + 2) / 1e3) nooutput
    hi = STATS_max > 0 ? STATS_max : 0
    hi = hi > lo ? hi : lo + 1
    xstep[p + 1] = nice(hi - lo)
    xlo[p + 1] = floor(lo / xstep[p + 1]) * xstep[p + 1]
    xhi[p + 1] = ceil(hi / xstep[p + 1]) * xstep[p + 1]
}

left = 0.15
w = 0.255
gap = 0.03
bot = 110.0 / height
top = 1 - 200.0 / height

do for [fmt in "png svg"] {
    call 'term.gp' fmt 1800 height 'delta'
    set multiplot title sprintf("Change per city when %s replaces %s (after - before), CNY thousand\nbar: mean of the paired replications; whisker: its 95%% confidence interval", pa, pb) font ",24"
    set yrange [n - 0.5 : -0.5]
    set ytics 1 scale 0
    set grid xtics noytics
    unset key
    set tmargin at screen top
    set bmargin at screen bot
    set xlabel "change, CNY thousand"
    do for [p = 0:2] {
        c = 2 + 3 * p
        set xrange [xlo[p + 1] : xhi[p + 1]]
        set xtics xstep[p + 1]
        set lmargin at screen left + p * (w + gap)
        set rmargin at screen left + p * (w + gap) + w
        if (p == 0) { set title "Peak working capital\n(below 0: less capital needed)" font ",20" }
        if (p == 1) { set title "Financing cost\n(below 0: a saving)" font ",20" }
        if (p == 2) { set title "Net present value\n(above 0: a gain)" font ",20" }
        set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lw 2 lc rgb "#444444" front
        if (p == 0) {
            plot 'data/delta.dat' using (column(c) / 2e3):1:(column(c) < 0 ? column(c) / 1e3 : 0):(column(c) > 0 ? column(c) / 1e3 : 0):($1 - 0.35):($1 + 0.35):ytic(11) with boxxyerror fc rgb c_bar notitle, \
                 '' using (column(c) / 1e3):1:(column(c + 1) / 1e3):(column(c + 2) / 1e3) with xerrorbars pt 7 ps 0.5 lw 1.5 lc rgb "#222222" notitle
        } else {
            set format y ""
            plot 'data/delta.dat' using (column(c) / 2e3):1:(column(c) < 0 ? column(c) / 1e3 : 0):(column(c) > 0 ? column(c) / 1e3 : 0):($1 - 0.35):($1 + 0.35) with boxxyerror fc rgb c_bar notitle, \
                 '' using (column(c) / 1e3):1:(column(c + 1) / 1e3):(column(c + 2) / 1e3) with xerrorbars pt 7 ps 0.5 lw 1.5 lc rgb "#222222" notitle
            set format y "%g"
        }
        unset arrow 1
    }
    unset multiplot
}
