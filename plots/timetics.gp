# timetics.gp FILE MAXTICS FORMAT - x tics on the first day of a month, every
# 1, 2, 3, 6, 12 or 24 months (the smallest step giving at most MAXTICS
# tics) over the dates in column 1 of FILE, labelled with strftime FORMAT.
# A step in seconds would drift off the first of the month; these do not.
# Leaves xdata unset (stats cannot run on a time axis) and the x and y
# ranges automatic (stats keeps only points inside them): set them after.
set xdata
set xrange [*:*]
set yrange [*:*]
stats ARG1 using (strptime("%Y-%m-%d", strcol(1))) nooutput
tt_t0 = STATS_min
tt_t1 = STATS_max
tt_y = int(strftime("%Y", tt_t0))
tt_m = int(strftime("%m", tt_t0))
tt_span = (tt_t1 - tt_t0) / 86400.0 / 30.4
tt_step = 24
do for [tt_s in "12 6 3 2 1"] {
    if (tt_span / (tt_s + 0) < ARG2 + 0) {
        tt_step = tt_s + 0
    }
}
set xtics ()
do for [tt_k = 0:int(tt_span / tt_step) + 1] {
    tt_mm = tt_m - 1 + tt_k * tt_step
    tt_t = strptime("%Y-%m-%d", sprintf("%04d-%02d-01", tt_y + tt_mm / 12, tt_mm % 12 + 1))
    if (tt_t >= tt_t0 && tt_t <= tt_t1) {
        set xtics add (strftime(ARG3, tt_t) tt_t)
    }
}
