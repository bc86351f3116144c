# style.gp - the look shared by every borderflow chart; each chart script
# loads it first. Run the scripts from the charts/ folder: they read
# data/*.dat (prepared by `borderflow plot` from the CSVs one level up) and
# write NAME.png and NAME.svg next to themselves.
#
# Text from the scenario (its name, city and policy names) is never part of
# a script: it is read from the data files as data, and every terminal is
# opened `noenhanced`, so a name is drawn exactly as written.

# The compared pair: the baseline ("before") is vermillion, the compared
# policy ("after") blue, on every chart (Okabe-Ito colours, distinct for
# colour-blind readers and in grey print).
c_before = "#D55E00"
c_after = "#0072B2"
# Capital released (green) or tied up (purple), and intervals that include
# zero (grey): Okabe-Ito colours apart from the pair above.
c_released = "#009E73"
c_tied = "#CC79A7"
c_unclear = "#999999"
c_text = "#222222"
c_grid = "#D9D9D9"

set datafile separator "\t"
set datafile missing "NaN"
set encoding utf8

# The policy names and the scenario, from data/labels.dat (key TAB text).
stats 'data/labels.dat' using (strcol(1) eq "scenario" ? (scenario = strcol(2), 0) : 0) nooutput
stats 'data/labels.dat' using (strcol(1) eq "baseline" ? (pb = strcol(2), 0) : 0) nooutput
stats 'data/labels.dat' using (strcol(1) eq "compared" ? (pa = strcol(2), 0) : 0) nooutput

set border 3 lw 1.5 lc rgb "#555555"
set tics nomirror out scale 0.6 textcolor rgb c_text
set grid lc rgb c_grid lw 1 dt 1
set key textcolor rgb c_text
set style fill solid 1.0 noborder

# CNY on an axis: in millions when the largest magnitude m shown reaches a
# million, else in thousands; the axis label says which (cny_unit).
cny_div(m) = abs(m) >= 1e6 ? 1e6 : 1e3
cny_unit(m) = abs(m) >= 1e6 ? "CNY million" : "CNY thousand"
max2(a, b) = a > b ? a : b
min2(a, b) = a < b ? a : b
