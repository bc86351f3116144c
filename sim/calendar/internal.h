/*
 * internal.h - what calendar.c shares with holidays.c. Not installed.
 */
#ifndef BORDERFLOW_SIM_CALENDAR_INTERNAL_H
#define BORDERFLOW_SIM_CALENDAR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "borderflow/calendar.h"

/* One year's data, as bf_calendar_set_year() takes it. */
struct bf__cal_year {
    int year;
    const int32_t *off; /* days off (holidays) */
    size_t n_off;
    const int32_t *work; /* adjusted working days (Saturdays or Sundays) */
    size_t n_work;
    /* What the year becomes: BF_CAL_YEAR_GIVEN for a notice, or
     * BF_CAL_YEAR_PROJECTED for the statutory projection (project.c). */
    enum bf_cal_year_source source;
};

/*
 * bf_calendar_set_year() for several years at once: all of them are validated
 * and the table grown once before anything is written, so on any error the
 * calendar is unchanged (adding them one by one could leave the first years
 * in place when a later one runs out of memory). A year given twice: the last
 * entry wins. Each year's known[] byte becomes its `source`. Returns 0,
 * BF_EINVAL/BF_ERANGE with diag, or BF_ENOMEM.
 */
int bf__calendar_set_years(struct bf_calendar *cal, const struct bf__cal_year *years,
                           size_t n_years, struct bf_diag *diag);

#endif
