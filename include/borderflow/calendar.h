/*
 * calendar.h - civil dates, weekends, China's public holidays and adjusted
 * working days, working-day arithmetic.
 *
 * Dates are int32_t day numbers: days since 1970-01-01 (day 0 is a
 * Thursday), proleptic Gregorian. Simulation time is a double in hours since
 * the horizon start; bf_cal_time_h()/bf_cal_day_of() convert given the
 * horizon's first day (the "epoch day").
 *
 * A struct bf_calendar knows the holidays of a range of years. Years it has
 * data for are "known"; on a day outside them the calendar falls back to
 * weekends only (Saturday and Sunday off) and every query that touched such a
 * day says so through its return value (BF_CAL_UNKNOWN), so the caller can
 * report it instead of treating the day silently as a plain weekday.
 *
 * The built-in data (2025 and 2026) comes from the State Council General
 * Office notices on holiday arrangements (see holidays.c and
 * docs/calendar.md); a scenario can replace it or add later years.
 *
 * A year without a notice can instead be *projected* from the statutory
 * rules (bf_calendar_project_cn): the public holidays the Holidays
 * Regulation fixes, made up on the next weekdays when they fall on a
 * weekend. The adjusted working weekends of a notice cannot be projected, so
 * a projected year is an estimate; queries that touched one say so with
 * BF_CAL_PROJECTED, and a notice given later for the year replaces it.
 */
#ifndef BORDERFLOW_CALENDAR_H
#define BORDERFLOW_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "borderflow/error.h"

/*
 * What a query reports about the days it examined, as bit flags: 0 if every
 * day lies in a known year, else the OR of
 *  - BF_CAL_UNKNOWN: a day of a year without data (weekends only there);
 *  - BF_CAL_PROJECTED: a day of a projected year (statutory holidays and
 *    their make-up days, but none of a notice's adjusted working weekends).
 * A walk from a projected year into one without data returns both. The
 * values are positive and never collide with the negative BF_E* codes; test
 * a flag with `rc & BF_CAL_UNKNOWN`, not `rc == BF_CAL_UNKNOWN`.
 */
#define BF_CAL_UNKNOWN   1
#define BF_CAL_PROJECTED 2

/* Earliest and latest years a calendar may hold data for. */
#define BF_CAL_MIN_YEAR 1970
#define BF_CAL_MAX_YEAR 2199

/* ---- civil dates (pure) ---- */

/* Day number of y-m-d. The caller guarantees a valid date (see bf_date_valid). */
int32_t bf_date_from_ymd(int y, int m, int d);
void bf_date_to_ymd(int32_t day, int *y, int *m, int *d);
bool bf_date_valid(int y, int m, int d);
/* 0 = Monday ... 6 = Sunday (ISO 8601). */
int bf_date_weekday(int32_t day);
int bf_date_days_in_month(int y, int m);
/*
 * Parses exactly "YYYY-MM-DD" (no surrounding text). Returns 0, or BF_EPARSE
 * with a message in diag naming what is wrong.
 */
int bf_date_parse(const char *s, int32_t *day, struct bf_diag *diag);
/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). Returns buf. */
char *bf_date_format(int32_t day, char *buf);

/* ---- simulation time ---- */

/* Hours since the start (00:00) of epoch_day to 00:00 of day, plus hour_of_day. */
static inline double bf_cal_time_h(int32_t epoch_day, int32_t day, double hour_of_day)
{
    return (double)((int64_t)day - epoch_day) * 24.0 + hour_of_day;
}

/* The day containing time t_h (floor). Inline: the model asks it for every
 * booking, millions of times a run. */
static inline int32_t bf_cal_day_of(int32_t epoch_day, double t_h)
{
    const double q = t_h / 24.0;
    /* NaN fails both comparisons; the bounds keep the conversion defined. */
    BF_ASSERT(q > -4294967296.0 && q < 4294967296.0);
    int64_t k = (int64_t)q; /* truncates toward zero; floor() would need libm */
    if ((double)k > q)
        k--;
    const int64_t day = epoch_day + k;
    BF_ASSERT(day >= INT32_MIN && day <= INT32_MAX);
    return (int32_t)day;
}

/* ---- calendars with holidays ---- */

enum bf_day_kind {
    BF_DAY_WORKDAY = 0,  /* an ordinary Monday-Friday */
    BF_DAY_WEEKEND = 1,  /* an ordinary Saturday or Sunday */
    BF_DAY_HOLIDAY = 2,  /* a public holiday (off), whatever the weekday */
    BF_DAY_ADJUSTED = 3, /* a weekend day made a working day (调休) */
};

/* Where the data of a year in a calendar's table comes from (its known[] byte). */
enum bf_cal_year_source {
    BF_CAL_YEAR_NONE = 0,      /* none: weekends only, queries report BF_CAL_UNKNOWN */
    BF_CAL_YEAR_GIVEN = 1,     /* a notice: built-in or given by a scenario */
    BF_CAL_YEAR_PROJECTED = 2, /* projected from the statutory rules: BF_CAL_PROJECTED */
};

struct bf_calendar {
    int first_year, last_year; /* range of years with holiday data; 0,0 = none */
    int32_t first_day;         /* day number of first_year-01-01 */
    uint32_t n_days;           /* days covered by kind[] */
    uint8_t *kind;             /* enum bf_day_kind per day of the known years */
    uint8_t *known;            /* per year in [first_year, last_year]: enum bf_cal_year_source */
};

/*
 * An empty calendar: weekends only, no known year. Cannot fail.
 * bf_calendar_fini() frees what later calls allocated.
 */
void bf_calendar_init(struct bf_calendar *cal);
void bf_calendar_fini(struct bf_calendar *cal);

/*
 * Declares holiday data for one year: the days off (holidays) and the
 * adjusted working days (weekend days that are working days). Every date must
 * lie in `year`; an off day that is already a weekend is allowed (it stays
 * off), an adjusted working day must be a Saturday or Sunday. Replaces any
 * data the year had, projected or not: the year is then known and no longer
 * projected (a notice wins). Returns 0, BF_EINVAL/BF_ERANGE with diag, or
 * BF_ENOMEM.
 */
int bf_calendar_set_year(struct bf_calendar *cal, int year, const int32_t *off, size_t n_off,
                         const int32_t *work, size_t n_work, struct bf_diag *diag);

/* Adds the built-in official data for China, 2025 and 2026. */
int bf_calendar_add_cn_builtin(struct bf_calendar *cal, struct bf_diag *diag);

/* Number of built-in years and their values (for docs and the CLI). */
size_t bf_calendar_cn_builtin_years(int *years, size_t max);

/* Whether the year has data from a notice (built-in or scenario); false for a
 * projected year. */
bool bf_calendar_year_known(const struct bf_calendar *cal, int year);

/* Whether the year holds projected statutory holidays (and no notice). */
bool bf_calendar_year_projected(const struct bf_calendar *cal, int year);

/* ---- projection of the statutory holidays (China) ---- */

/*
 * The years that can be projected. The rules are those of the Holidays
 * Regulation (全国年节及纪念日放假办法) as amended by the State Council on
 * 12 Nov 2024, in force from 1 Jan 2025: earlier years had other rules, so
 * projecting them with these would be wrong. The lunar dates come from
 * lunar-date 3.0, whose tables end with 2100.
 */
#define BF_CAL_CN_PROJECT_MIN_YEAR 2025
#define BF_CAL_CN_PROJECT_MAX_YEAR 2100

/* Statutory holiday days per year (Art. 2 as amended: 1 + 4 + 1 + 2 + 1 + 1 + 3). */
#define BF_CAL_CN_STATUTORY_DAYS 13

/*
 * The statutory public holidays of `year`, before the make-up rule, in the
 * order of the Regulation (Art. 2):
 *   [0]      New Year's Day, 1 Jan
 *   [1..4]   Spring Festival: lunar New Year's Eve (the last day of the 12th
 *            lunar month, a 29th or a 30th), and the 1st, 2nd, 3rd days of
 *            the first lunar month
 *   [5]      Qingming, the day of the Qingming solar term
 *   [6..7]   Labour Day, 1-2 May
 *   [8]      Dragon Boat, the 5th day of the 5th lunar month
 *   [9]      Mid-Autumn, the 15th day of the 8th lunar month
 *   [10..12] National Day, 1-3 Oct
 * A day appears twice when two holidays fall on it (Mid-Autumn on one of
 * 1-3 Oct, as on 2028-10-03). Writes at most `max` days into `days` (which
 * may be NULL when max is 0) and sets *n to BF_CAL_CN_STATUTORY_DAYS; on
 * error neither is touched.
 * Calls the lunar-date library, which is not known to be thread-safe: call
 * it from one thread at a time. Returns 0, or BF_ERANGE with diag for a year
 * outside BF_CAL_CN_PROJECT_MIN_YEAR..BF_CAL_CN_PROJECT_MAX_YEAR or one the
 * library cannot compute.
 */
int bf_calendar_cn_statutory(int year, int32_t *days, size_t max, size_t *n, struct bf_diag *diag);

/*
 * Projects China's statutory holidays into every year of [first_year,
 * last_year] that has no data yet (neither built-in nor from a scenario) and
 * marks those years projected; a year with data, or already projected, is
 * left exactly as it is (a notice wins). In a projected year:
 *  - the statutory days (bf_calendar_cn_statutory) are days off (HOLIDAY),
 *    also when they fall on a weekend;
 *  - Art. 6: each statutory day on a Saturday or Sunday, or on a day already
 *    taken by another holiday, is made up (补假) on the first weekday after
 *    its holiday that is not itself a day off (HOLIDAY too);
 *  - Art. 7: there are no adjusted working weekends (调休): each year's
 *    notice sets them and they cannot be projected. Working-day counts near
 *    the long breaks can therefore be off by up to two days. Over a whole
 *    year a projected year has its weekdays - 13 working days, as 2025 and
 *    2026 have under their notices.
 * All years are computed before anything is written: on error the calendar
 * is unchanged. Calls the lunar-date library (one thread at a time, e.g.
 * while a scenario is loaded); queries afterwards are table lookups only.
 * Returns 0, BF_ERANGE with diag (first_year > last_year, a year outside
 * BF_CAL_CN_PROJECT_MIN_YEAR..BF_CAL_CN_PROJECT_MAX_YEAR, or one the library
 * cannot compute), or BF_ENOMEM.
 */
int bf_calendar_project_cn(struct bf_calendar *cal, int first_year, int last_year,
                           struct bf_diag *diag);

/* ---- queries (pure table lookups on a const calendar) ---- */

/* Kind of a day; returns 0, or the flags of its year (see BF_CAL_UNKNOWN):
 * BF_CAL_UNKNOWN if the year has no data (then *kind is WEEKEND or WORKDAY by
 * weekday alone), BF_CAL_PROJECTED if it is projected. */
int bf_cal_day_kind(const struct bf_calendar *cal, int32_t day, enum bf_day_kind *kind);

/* Whether a day is a working day; same return convention. */
int bf_cal_is_working_day(const struct bf_calendar *cal, int32_t day, bool *working);

/*
 * The n-th working day strictly after `day` (n >= 1); for n == 0, `day`
 * itself if it is a working day, else the next working day. 0, or the OR of
 * the flags of the years of the days examined (BF_CAL_UNKNOWN: some day was
 * in a year without data; BF_CAL_PROJECTED: some day was in a projected year).
 */
int bf_cal_add_working_days(const struct bf_calendar *cal, int32_t day, uint32_t n, int32_t *out);

/* The first working day on or after `day`. 0 or flags, as above. */
int bf_cal_next_working_day(const struct bf_calendar *cal, int32_t day, int32_t *out);

/*
 * Next occurrence of a day of the month on or after `day` (dom 1..31). In a
 * month shorter than dom, the month's last day is used (a window "on the 31st"
 * falls on 30 April). Pure; cannot fail.
 */
int32_t bf_cal_next_day_of_month(int32_t day, int dom);

/*
 * Next day on or after `day` whose weekday is in mask (bit 0 = Monday ...
 * bit 6 = Sunday). mask must be nonzero (asserted).
 */
int32_t bf_cal_next_weekday(int32_t day, uint8_t mask);

/* Working days in [from, to) (to >= from). 0 or flags, as above. */
int bf_cal_count_working_days(const struct bf_calendar *cal, int32_t from, int32_t to,
                              uint32_t *count);

/*
 * Working-day arithmetic in O(1) over a range of days -- a run's horizon --
 * for the model, which asks it for every rebate claim: the rank of each day
 * among the range's working days and the day of each rank, built once from
 * the calendar. bf_workdays_add gives exactly what bf_cal_add_working_days
 * gives, flags included (test_calendar compares them day by day); outside
 * the range, or for a walk longer than a year, it asks the calendar.
 */
struct bf_workdays {
    const struct bf_calendar *cal;
    int32_t first;   /* first day of the range */
    uint32_t n;      /* its days */
    uint32_t *rank;  /* [n + 1]: working days in [first, first + i) */
    int32_t *day_at; /* [n_wd]: the working days of the range, in order */
    uint32_t n_wd;
    uint8_t *flags; /* [n]: the query flags of each day's year */
};

/* 0 or BF_ENOMEM. cal must outlive w. fini frees; on a zeroed struct it is a
 * no-op. */
int bf_workdays_init(struct bf_workdays *w, const struct bf_calendar *cal, int32_t first,
                     uint32_t n);
void bf_workdays_fini(struct bf_workdays *w);
/* bf_cal_add_working_days(w->cal, day, n, out), the same result. */
int bf_workdays_add(const struct bf_workdays *w, int32_t day, uint32_t n, int32_t *out);

#endif
