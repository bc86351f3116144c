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
