/*
 * periodic.h - periodic schedules: daily, given weekdays, a day of each
 * month, or a fixed interval, at an hour of the day.
 *
 * Weekly sailings on set weekdays, daily flights, monthly rebate filing
 * windows, consolidated return shipments. A schedule is plain data; its next
 * occurrence is a pure function of the schedule, the epoch day (date of time
 * 0), the calendar and a time. With `working_days` a schedule occurs only on
 * working days: an occurrence on a day off moves to the next working day
 * (monthly windows) or is skipped (daily and weekly schedules), as `shift`
 * says.
 */
#ifndef BORDERFLOW_PERIODIC_H
#define BORDERFLOW_PERIODIC_H

#include <stdbool.h>
#include <stdint.h>

#include "borderflow/calendar.h"
#include "borderflow/event.h"

enum bf_periodic_kind {
    BF_PERIODIC_DAILY = 0,
    BF_PERIODIC_WEEKLY,     /* weekday_mask: bit 0 = Monday ... bit 6 = Sunday */
    BF_PERIODIC_MONTHLY,    /* day_of_month 1..31 (last day in shorter months) */
    BF_PERIODIC_INTERVAL,   /* every interval_h from phase_h */
    BF_PERIODIC_CONTINUOUS, /* every instant: next(t) = t */
};

enum bf_periodic_dayoff {
    BF_DAYOFF_IGNORE = 0, /* occurs on days off too */
    BF_DAYOFF_SKIP,       /* an occurrence on a day off does not happen */
    BF_DAYOFF_NEXT,       /* it moves to the next working day, same hour */
};

struct bf_periodic {
    enum bf_periodic_kind kind;
    uint8_t weekday_mask;
    uint8_t day_of_month;
    enum bf_periodic_dayoff dayoff; /* not used by INTERVAL and CONTINUOUS */
    double at_hour;                 /* hour of the day, [0, 24) */
    double interval_h, phase_h;
};

/*
 * First occurrence at or after t_h. cal may be NULL when dayoff is IGNORE.
 * *cal_flags (may be NULL) gets the calendar flags of every day examined
 * OR'ed in: BF_CAL_UNKNOWN for a day of a year without data,
 * BF_CAL_PROJECTED for a day of a projected year.
 */
double bf_periodic_next(const struct bf_periodic *p, int32_t epoch_day,
                        const struct bf_calendar *cal, double t_h, int *cal_flags);

/* Checks a schedule; 0 or BF_EINVAL with diag. */
int bf_periodic_check(const struct bf_periodic *p, struct bf_diag *diag);

#endif
