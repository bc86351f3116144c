/*
 * calendar.c - civil dates, simulation time and working-day calendars.
 *
 * Date math is Howard Hinnant's days_from_civil / civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms"): exact integer arithmetic
 * on 400-year eras, valid for every int32_t day number. It uses no libc time
 * functions, whose results depend on the time zone and on the width of
 * time_t, and no tables. Intermediate values are int64_t so that no day
 * number near INT32_MIN/INT32_MAX can overflow.
 *
 * A calendar stores one byte per day (enum bf_day_kind) for the contiguous
 * range of years from the first to the last year that was given data, and
 * one byte per year saying where its data came from (enum
 * bf_cal_year_source: none, a notice, or the statutory projection of
 * project.c). Days of years in the range without data hold the weekends-only
 * kinds, and projected years hold their days like any other, so a walk over
 * the table never has to ask which year a day is in; only the answer "which
 * kinds of year did the days lie in" does, and that is found once per query
 * from the first and last day examined.
 */
#include "borderflow/calendar.h"

#include <stdio.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"

#include "calendar/internal.h"

/* ---- civil dates ---- */

static const char *const weekday_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};
static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                         /* [0, 399] */
    const int64_t mp = m > 2 ? m - 3 : m + 9;                  /* March = 0 */
    const int64_t doy = (153 * mp + 2) / 5 + d - 1;            /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t year_of(int64_t day)
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    return y;
}

static int64_t year_start(int64_t y)
{
    return days_from_civil(y, 1, 1);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_length(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* ISO weekday, 0 = Monday; day 0 (1970-01-01) is a Thursday. */
static int weekday_of(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

bool bf_date_valid(int y, int m, int d)
{
    if (m < 1 || m > 12 || d < 1 || d > month_length(y, m))
        return false;
    const int64_t z = days_from_civil(y, m, d);
    return z >= INT32_MIN && z <= INT32_MAX;
}

int32_t bf_date_from_ymd(int y, int m, int d)
{
    BF_ASSERT(bf_date_valid(y, m, d));
    return (int32_t)days_from_civil(y, m, d);
}

void bf_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int64_t yy;
    civil_from_days(day, &yy, m, d);
    *y = (int)yy; /* |year| < 6 million for any int32_t day */
}

int bf_date_weekday(int32_t day)
{
    return weekday_of(day);
}

int bf_date_days_in_month(int y, int m)
{
    BF_ASSERT(m >= 1 && m <= 12);
    return month_length(y, m);
}

/* Any day, for messages: years outside 0..9999 are printed as they are. */
static const char *format_any(int64_t day, char buf[32])
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, 32, "%04lld-%02d-%02d", (long long)y, m, d);
    return buf;
}

char *bf_date_format(int32_t day, char *buf)
{
    int y, m, d;
    bf_date_to_ymd(day, &y, &m, &d);
    /* Four digits is the contract (and the buffer size); a day outside years
     * 0..9999 here is a caller bug, not something to truncate quietly. */
    BF_ASSERT(y >= 0 && y <= 9999);
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return buf;
}

/* A character for a message: itself if printable ASCII, else \xNN. */
static const char *describe_char(char c, char buf[8])
{
    const unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "\\x%02X", u);
    return buf;
}

int bf_date_parse(const char *s, int32_t *day, struct bf_diag *diag)
{
    BF_ASSERT(day != NULL);
    if (s == NULL) {
        bf_diag_set(diag, "no date given: expected YYYY-MM-DD");
        return BF_EPARSE;
    }
    const size_t len = strlen(s);
    /* Quote at most 40 characters: the input may be arbitrary scenario text. */
    const int shown = len > 40 ? 40 : (int)len;
    const char *more = len > 40 ? "..." : "";
    if (len != 10) {
        bf_diag_set(diag,
                    "'%.*s%s' is not a date: expected exactly 10 characters YYYY-MM-DD, got %zu",
                    shown, s, more, len);
        return BF_EPARSE;
    }
    for (int i = 0; i < 10; i++) {
        const bool dash = i == 4 || i == 7;
        const bool ok = dash ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9');
        if (!ok) {
            char c[8];
            bf_diag_set(diag,
                        "'%s' is not a date: expected %s at position %d of YYYY-MM-DD, found %s", s,
                        dash ? "'-'" : "a digit", i + 1, describe_char(s[i], c));
            return BF_EPARSE;
        }
    }
    const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int m = (s[5] - '0') * 10 + (s[6] - '0');
    const int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12) {
        bf_diag_set(diag, "'%s' is not a date: month %02d is not in 01..12", s, m);
        return BF_EPARSE;
    }
    const int n = month_length(y, m);
    if (d < 1 || d > n) {
        bf_diag_set(diag, "'%s' is not a date: %s %04d has %d days, so the day must be 01..%02d", s,
                    month_names[m - 1], y, n, n);
        return BF_EPARSE;
    }
    *day = (int32_t)days_from_civil(y, m, d);
    return 0;
}

/* ---- simulation time ---- */

/* ---- calendars ---- */

static enum bf_day_kind plain_kind(int64_t day)
{
    return weekday_of(day) >= 5 ? BF_DAY_WEEKEND : BF_DAY_WORKDAY;
}

static bool kind_is_working(enum bf_day_kind k)
{
    return k == BF_DAY_WORKDAY || k == BF_DAY_ADJUSTED;
}

static int64_t table_end(const struct bf_calendar *cal)
{
    return (int64_t)cal->first_day + cal->n_days;
}

/* The kind from the table, or by weekday outside it (n_days is 0 when empty). */
static enum bf_day_kind kind_at(const struct bf_calendar *cal, int64_t day)
{
    const int64_t i = day - cal->first_day;
    if (i >= 0 && i < (int64_t)cal->n_days)
        return (enum bf_day_kind)cal->kind[i];
    return plain_kind(day);
}

static bool working_at(const struct bf_calendar *cal, int64_t day)
{
    return kind_is_working(kind_at(cal, day));
}

static enum bf_cal_year_source year_source(const struct bf_calendar *cal, int64_t y)
{
    if (cal->known == NULL || y < cal->first_year || y > cal->last_year)
        return BF_CAL_YEAR_NONE;
    return (enum bf_cal_year_source)cal->known[y - cal->first_year];
}

static bool known_year(const struct bf_calendar *cal, int64_t y)
{
    return year_source(cal, y) == BF_CAL_YEAR_GIVEN;
}

/* The query flags of one year (see BF_CAL_UNKNOWN in calendar.h). */
static int year_flags(const struct bf_calendar *cal, int64_t y)
{
    switch (year_source(cal, y)) {
    case BF_CAL_YEAR_GIVEN:
        return 0;
    case BF_CAL_YEAR_PROJECTED:
        return BF_CAL_PROJECTED;
    default: /* BF_CAL_YEAR_NONE, or a byte the struct's owner wrote badly */
        return BF_CAL_UNKNOWN;
    }
}

/*
 * The OR of the flags of the years of every day in [a, b]. Years outside the
 * table have no data, so only the years in both [a, b] and the table are
 * looked at one by one: no more than the table's years, however long the
 * range (a walk of a billion working days spans millions of years).
 */
static int range_status(const struct bf_calendar *cal, int64_t a, int64_t b)
{
    if (cal->known == NULL)
        return BF_CAL_UNKNOWN;
    const int64_t ya = year_of(a), yb = year_of(b);
    /* A range that misses the table entirely gets here too: then lo > hi. */
    int flags = ya < cal->first_year || yb > cal->last_year ? BF_CAL_UNKNOWN : 0;
    const int64_t lo = ya > cal->first_year ? ya : cal->first_year;
    const int64_t hi = yb < cal->last_year ? yb : cal->last_year;
    for (int64_t y = lo; y <= hi && flags != (BF_CAL_UNKNOWN | BF_CAL_PROJECTED); y++)
        flags |= year_flags(cal, y);
    return flags;
}

static int32_t to_day(int64_t day)
{
    /* Beyond about 5.8 million years from 1970: only a caller asking for an
     * absurd number of working days gets here. */
    BF_ASSERT(day >= INT32_MIN && day <= INT32_MAX);
    return (int32_t)day;
}

void bf_calendar_init(struct bf_calendar *cal)
{
    cal->first_year = 0;
    cal->last_year = 0;
    cal->first_day = 0;
    cal->n_days = 0;
    cal->kind = NULL;
    cal->known = NULL;
}

void bf_calendar_fini(struct bf_calendar *cal)
{
    bf__free(cal->kind);
    bf__free(cal->known);
    bf_calendar_init(cal);
}

bool bf_calendar_year_known(const struct bf_calendar *cal, int year)
{
    return known_year(cal, year);
}

bool bf_calendar_year_projected(const struct bf_calendar *cal, int year)
{
    return year_source(cal, year) == BF_CAL_YEAR_PROJECTED;
}

/* Checks one year's data without touching the calendar. */
static int validate_year(const struct bf__cal_year *yr, struct bf_diag *diag)
{
    const int year = yr->year;
    if (year < BF_CAL_MIN_YEAR || year > BF_CAL_MAX_YEAR) {
        bf_diag_where(diag, "calendar year %d", year);
        bf_diag_set(diag, "year %d is outside the years a calendar can hold (%d..%d)", year,
                    BF_CAL_MIN_YEAR, BF_CAL_MAX_YEAR);
        return BF_ERANGE;
    }
    if ((yr->n_off > 0 && yr->off == NULL) || (yr->n_work > 0 && yr->work == NULL)) {
        bf_diag_where(diag, "calendar year %d", year);
        bf_diag_set(diag,
                    "year %d: %zu days off and %zu adjusted working days announced, but a "
                    "list is missing",
                    year, yr->n_off, yr->n_work);
        return BF_EINVAL;
    }
    const int64_t lo = year_start(year), hi = year_start(year + 1);
    /* Which days of the year are off: makes the off/work clash check linear. */
    uint8_t off[366] = {0};
    char buf[32];
    for (size_t i = 0; i < yr->n_off; i++) {
        const int64_t day = yr->off[i];
        if (day < lo || day >= hi) {
            bf_diag_where(diag, "calendar year %d, off[%zu]", year, i);
            bf_diag_set(diag,
                        "day off %s is not in %d: every date given for a year must lie in "
                        "that year",
                        format_any(day, buf), year);
            return BF_ERANGE;
        }
        off[day - lo] = 1;
    }
    for (size_t i = 0; i < yr->n_work; i++) {
        const int64_t day = yr->work[i];
        if (day < lo || day >= hi) {
            bf_diag_where(diag, "calendar year %d, work[%zu]", year, i);
            bf_diag_set(diag,
                        "adjusted working day %s is not in %d: every date given for a year "
                        "must lie in that year",
                        format_any(day, buf), year);
            return BF_ERANGE;
        }
        const int wd = weekday_of(day);
        if (wd < 5) {
            bf_diag_where(diag, "calendar year %d, work[%zu]", year, i);
            bf_diag_set(diag,
                        "adjusted working day %s is a %s: only a Saturday or Sunday can be "
                        "made a working day",
                        format_any(day, buf), weekday_names[wd]);
            return BF_EINVAL;
        }
        if (off[day - lo]) {
            bf_diag_where(diag, "calendar year %d, work[%zu]", year, i);
            bf_diag_set(diag,
                        "%s is given both as a day off and as an adjusted working day: a day "
                        "can be only one of them",
                        format_any(day, buf));
            return BF_EINVAL;
        }
    }
    return 0;
}

/*
 * Makes the table cover years [y_lo, y_hi]. New years get weekends-only kinds
 * and are not known, so what every query answers is unchanged. Fresh arrays
 * and a copy rather than bf__realloc: growing at the front would need a
 * memmove anyway, and if the second allocation fails the first is simply
 * freed, leaving the calendar untouched (two reallocs could not be undone).
 */
static int reserve_years(struct bf_calendar *cal, int y_lo, int y_hi, struct bf_diag *diag)
{
    int first = y_lo, last = y_hi;
    if (cal->kind != NULL) {
        if (cal->first_year <= y_lo && y_hi <= cal->last_year)
            return 0;
        first = cal->first_year < y_lo ? cal->first_year : y_lo;
        last = cal->last_year > y_hi ? cal->last_year : y_hi;
    }
    const int64_t d0 = year_start(first), d1 = year_start(last + 1);
    const size_t n_days = (size_t)(d1 - d0), n_years = (size_t)(last - first + 1);
    uint8_t *kind = bf__malloc(n_days);
    uint8_t *known = kind != NULL ? bf__calloc(n_years, 1) : NULL;
    if (known == NULL) {
        bf__free(kind);
        bf_diag_where(diag, "calendar years %d..%d", first, last);
        bf_diag_set(diag, "out of memory for the calendar of years %d..%d", first, last);
        return BF_ENOMEM;
    }
    /* Weekends only everywhere, starting from the weekday of d0. */
    for (size_t i = 0, wd = (size_t)weekday_of(d0); i < n_days; i++, wd = wd == 6 ? 0 : wd + 1)
        kind[i] = (uint8_t)(wd >= 5 ? BF_DAY_WEEKEND : BF_DAY_WORKDAY);
    if (cal->kind != NULL) {
        memcpy(kind + (cal->first_day - d0), cal->kind, cal->n_days);
        memcpy(known + (cal->first_year - first), cal->known,
               (size_t)(cal->last_year - cal->first_year + 1));
    }
    bf__free(cal->kind);
    bf__free(cal->known);
    cal->first_year = first;
    cal->last_year = last;
    cal->first_day = (int32_t)d0;
    cal->n_days = (uint32_t)n_days;
    cal->kind = kind;
    cal->known = known;
    return 0;
}

/* Writes a validated year into a table that covers it. Cannot fail. */
static void apply_year(struct bf_calendar *cal, const struct bf__cal_year *yr)
{
    const int64_t lo = year_start(yr->year), hi = year_start(yr->year + 1);
    uint8_t *k = cal->kind + (lo - cal->first_day);
    /* Replace, not merge: start again from weekends only. */
    for (int64_t day = lo; day < hi; day++)
        k[day - lo] = (uint8_t)plain_kind(day);
    /* An off day on a weekend becomes HOLIDAY too: it is part of the holiday
     * as the notice announces it, and it is off either way. */
    for (size_t i = 0; i < yr->n_off; i++)
        k[yr->off[i] - lo] = BF_DAY_HOLIDAY;
    for (size_t i = 0; i < yr->n_work; i++)
        k[yr->work[i] - lo] = BF_DAY_ADJUSTED;
    cal->known[yr->year - cal->first_year] = (uint8_t)yr->source;
}

int bf__calendar_set_years(struct bf_calendar *cal, const struct bf__cal_year *years,
                           size_t n_years, struct bf_diag *diag)
{
    if (n_years == 0)
        return 0;
    int y_lo = years[0].year, y_hi = years[0].year;
    for (size_t i = 0; i < n_years; i++) {
        /* Only this layer builds these; "no data" is not something to write. */
        BF_ASSERT(years[i].source == BF_CAL_YEAR_GIVEN || years[i].source == BF_CAL_YEAR_PROJECTED);
        const int rc = validate_year(&years[i], diag);
        if (rc != 0)
            return rc;
        y_lo = years[i].year < y_lo ? years[i].year : y_lo;
        y_hi = years[i].year > y_hi ? years[i].year : y_hi;
    }
    const int rc = reserve_years(cal, y_lo, y_hi, diag);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n_years; i++)
        apply_year(cal, &years[i]);
    return 0;
}

int bf_calendar_set_year(struct bf_calendar *cal, int year, const int32_t *off, size_t n_off,
                         const int32_t *work, size_t n_work, struct bf_diag *diag)
{
    const struct bf__cal_year yr = {year, off, n_off, work, n_work, BF_CAL_YEAR_GIVEN};
    return bf__calendar_set_years(cal, &yr, 1, diag);
}

/* ---- queries (pure on a const calendar) ---- */

int bf_cal_day_kind(const struct bf_calendar *cal, int32_t day, enum bf_day_kind *kind)
{
    *kind = kind_at(cal, day);
    return year_flags(cal, year_of(day));
}

int bf_cal_is_working_day(const struct bf_calendar *cal, int32_t day, bool *working)
{
    *working = working_at(cal, day);
    return year_flags(cal, year_of(day));
}

/* First working day on or after day; never more than the table's length + 2
 * steps, since outside the table at most a weekend separates working days. */
static int64_t next_working(const struct bf_calendar *cal, int64_t day)
{
    while (!working_at(cal, day))
        day++;
    return day;
}

int bf_cal_next_working_day(const struct bf_calendar *cal, int32_t day, int32_t *out)
{
    const int64_t d = next_working(cal, day);
    *out = to_day(d);
    return range_status(cal, day, d);
}

int bf_cal_add_working_days(const struct bf_calendar *cal, int32_t day, uint32_t n, int32_t *out)
{
    if (n == 0)
        return bf_cal_next_working_day(cal, day, out);
    const int64_t lo = cal->first_day, hi = table_end(cal);
    int64_t d = day;
    uint64_t left = n;
    while (left > 0) {
        /* Outside the table every 7 consecutive days hold exactly 5 working
         * days, so whole weeks can be skipped at once as long as at least one
         * working day is still to be found beyond them. This keeps a large n
         * (or a start far from the known years) from walking day by day; in
         * the table the walk is one byte per day. */
        if (left > 5) {
            int64_t weeks = (int64_t)((left - 1) / 5);
            if (d + 1 < lo) {
                const int64_t room = (lo - 1 - d) / 7; /* days d+1 .. d+7w stay < lo */
                weeks = weeks < room ? weeks : room;
            } else if (d + 1 < hi) {
                weeks = 0;
            }
            d += 7 * weeks;
            left -= 5 * (uint64_t)weeks;
        }
        d++;
        if (working_at(cal, d))
            left--;
    }
    *out = to_day(d);
    return range_status(cal, (int64_t)day + 1, d);
}

int32_t bf_cal_next_day_of_month(int32_t day, int dom)
{
    BF_ASSERT(dom >= 1 && dom <= 31);
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    int want = dom < month_length(y, m) ? dom : month_length(y, m);
    if (d > want) {
        if (++m > 12) {
            m = 1;
            y++;
        }
        want = dom < month_length(y, m) ? dom : month_length(y, m);
    }
    return to_day(days_from_civil(y, m, want));
}

int32_t bf_cal_next_weekday(int32_t day, uint8_t mask)
{
    /* Bit 7 names no weekday: a mask of only that bit would never match. */
    BF_ASSERT((mask & 0x7f) != 0);
    int64_t d = day;
    while (!(mask & (1u << weekday_of(d))))
        d++;
    return to_day(d);
}

/* Working days in [a, b) by weekday alone. */
static int64_t plain_working_days(int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    const int64_t weeks = (b - a) / 7;
    int64_t n = weeks * 5;
    for (int64_t d = a + weeks * 7; d < b; d++)
        n += weekday_of(d) < 5;
    return n;
}

int bf_cal_count_working_days(const struct bf_calendar *cal, int32_t from, int32_t to,
                              uint32_t *count)
{
    BF_ASSERT(to >= from);
    const int64_t lo = cal->first_day, hi = table_end(cal);
    int64_t n = 0;
    if (cal->n_days == 0) {
        n = plain_working_days(from, to);
    } else {
        /* Before the table, in it (one byte per day), after it. */
        n += plain_working_days(from, to < lo ? to : lo);
        const int64_t a = from > lo ? from : lo, b = to < hi ? to : hi;
        for (int64_t d = a; d < b; d++)
            n += kind_is_working((enum bf_day_kind)cal->kind[d - lo]);
        n += plain_working_days(from > hi ? from : hi, to);
    }
    *count = (uint32_t)n; /* n <= to - from < 2^32 */
    return from < to ? range_status(cal, from, (int64_t)to - 1) : 0;
}

/* ---- working-day arithmetic over a range ---- */

int bf_workdays_init(struct bf_workdays *w, const struct bf_calendar *cal, int32_t first,
                     uint32_t n)
{
    memset(w, 0, sizeof *w);
    w->cal = cal;
    w->first = first;
    w->n = n;
    w->rank = bf__malloc(((size_t)n + 1) * sizeof *w->rank);
    w->day_at = bf__malloc(((size_t)n + 1) * sizeof *w->day_at);
    w->flags = bf__malloc(((size_t)n + 1) * sizeof *w->flags);
    if (w->rank == NULL || w->day_at == NULL || w->flags == NULL) {
        bf_workdays_fini(w);
        return BF_ENOMEM;
    }
    uint32_t r = 0;
    for (uint32_t i = 0; i < n; i++) {
        const int64_t day = (int64_t)first + i;
        w->rank[i] = r;
        w->flags[i] = (uint8_t)year_flags(cal, year_of(day));
        if (working_at(cal, day))
            w->day_at[r++] = to_day(day);
    }
    w->rank[n] = r;
    w->n_wd = r;
    return 0;
}

void bf_workdays_fini(struct bf_workdays *w)
{
    bf__free(w->rank);
    bf__free(w->day_at);
    bf__free(w->flags);
    memset(w, 0, sizeof *w);
}

int bf_workdays_add(const struct bf_workdays *w, int32_t day, uint32_t n, int32_t *out)
{
    /* the walk starts at day (n = 0) or the day after; the answer is the
     * working day of rank rank(start) + n - 1 (or + 0) */
    const int64_t start = n == 0 ? (int64_t)day : (int64_t)day + 1;
    const int64_t i = start - w->first;
    if (i >= 0 && i < (int64_t)w->n) {
        const uint64_t r = (uint64_t)w->rank[i] + (n == 0 ? 0 : n - 1);
        if (r < w->n_wd) {
            const int32_t d = w->day_at[r];
            /* a range shorter than a year spans at most two years: those of
             * its ends, whose flags give the range's */
            if ((int64_t)d - start < 365) {
                *out = d;
                return w->flags[i] | w->flags[d - w->first];
            }
        }
    }
    return bf_cal_add_working_days(w->cal, day, n, out);
}
