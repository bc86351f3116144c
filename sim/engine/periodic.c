/*
 * periodic.c - next occurrence of a periodic schedule.
 */
#include "borderflow/periodic.h"

#include <math.h>

/* Day-off handling of one candidate day. Returns the day the occurrence
 * really happens on, or -1 to skip it. */
static int64_t apply_dayoff(const struct bf_periodic *p, const struct bf_calendar *cal, int32_t day,
                            int *cal_flags)
{
    if (p->dayoff == BF_DAYOFF_IGNORE)
        return day;
    bool working;
    int rc = bf_cal_is_working_day(cal, day, &working);
    if (working || p->dayoff == BF_DAYOFF_SKIP) {
        if (cal_flags != NULL)
            *cal_flags |= rc;
        return working ? day : -1;
    }
    int32_t next;
    rc |= bf_cal_next_working_day(cal, day, &next);
    if (cal_flags != NULL)
        *cal_flags |= rc;
    return next;
}

/* Nominal occurrence day on or after `day` (before day-off handling). */
static int32_t nominal_on_or_after(const struct bf_periodic *p, int32_t day)
{
    switch (p->kind) {
    case BF_PERIODIC_DAILY:
        return day;
    case BF_PERIODIC_WEEKLY:
        return bf_cal_next_weekday(day, p->weekday_mask);
    case BF_PERIODIC_MONTHLY:
        return bf_cal_next_day_of_month(day, p->day_of_month);
    default:
        BF_ASSERT(0 && "not a calendar schedule");
        return day;
    }
}

double bf_periodic_next(const struct bf_periodic *p, int32_t epoch_day,
                        const struct bf_calendar *cal, double t_h, int *cal_flags)
{
    BF_ASSERT(!isnan(t_h));
    switch (p->kind) {
    case BF_PERIODIC_CONTINUOUS:
        return t_h;
    case BF_PERIODIC_INTERVAL: {
        if (t_h <= p->phase_h)
            return p->phase_h;
        double k = ceil((t_h - p->phase_h) / p->interval_h);
        return p->phase_h + k * p->interval_h;
    }
    default:
        break;
    }
    BF_ASSERT(p->dayoff == BF_DAYOFF_IGNORE || cal != NULL);
    /* A nominal day moved forward by BF_DAYOFF_NEXT can land after a later
     * nominal day, and a skipped one may be followed by another: scan
     * candidates in order. Start from the day before t so that a
     * moved-forward occurrence from an earlier nominal day is not missed;
     * a move spans at most the longest run of days off (under two weeks),
     * so looking back 31 days for monthly and 14 otherwise is enough. */
    int32_t day_t = bf_cal_day_of(epoch_day, t_h);
    int32_t look_back = p->kind == BF_PERIODIC_MONTHLY ? 31 : 14;
    if (p->dayoff != BF_DAYOFF_NEXT)
        look_back = 0;
    double best = (double)INFINITY;
    int32_t d = day_t - look_back;
    for (int guard = 0; guard < 800; guard++) {
        int32_t nom = nominal_on_or_after(p, d);
        int64_t real = apply_dayoff(p, cal, nom, cal_flags);
        if (real >= 0) {
            double t = bf_cal_time_h(epoch_day, (int32_t)real, p->at_hour);
            if (t >= t_h && t < best)
                best = t;
        }
        /* Once a nominal day is past the best found and past t's day, no
         * later nominal day can occur earlier (moves only go forward). */
        if (nom > day_t && bf_cal_time_h(epoch_day, nom, p->at_hour) >= best)
            break;
        d = nom + 1;
    }
    BF_ASSERT(isfinite(best));
    return best;
}

int bf_periodic_check(const struct bf_periodic *p, struct bf_diag *diag)
{
    switch (p->kind) {
    case BF_PERIODIC_DAILY:
    case BF_PERIODIC_CONTINUOUS:
        break;
    case BF_PERIODIC_WEEKLY:
        if ((p->weekday_mask & 0x7f) == 0 || (p->weekday_mask & 0x80) != 0) {
            bf_diag_set(diag, "a weekly schedule needs at least one weekday (Monday to Sunday)");
            return BF_EINVAL;
        }
        break;
    case BF_PERIODIC_MONTHLY:
        if (p->day_of_month < 1 || p->day_of_month > 31) {
            bf_diag_set(diag, "day of the month %d is outside 1..31", (int)p->day_of_month);
            return BF_ERANGE;
        }
        break;
    case BF_PERIODIC_INTERVAL:
        if (!(p->interval_h > 0.0) || !isfinite(p->interval_h) || !isfinite(p->phase_h)) {
            bf_diag_set(diag, "an interval schedule needs a finite interval > 0 hours, got %g",
                        p->interval_h);
            return BF_ERANGE;
        }
        return 0;
    default:
        bf_diag_set(diag, "unknown schedule kind %d", (int)p->kind);
        return BF_EINVAL;
    }
    if (!(p->at_hour >= 0.0 && p->at_hour < 24.0)) {
        bf_diag_set(diag, "hour of the day %g is outside [0, 24)", p->at_hour);
        return BF_ERANGE;
    }
    return 0;
}
