/*
 * test_calendar.c - civil dates, time conversion, China's holiday calendar
 * and working-day arithmetic.
 *
 * Expected values are worked out by hand (the reasoning sits next to each
 * assertion), not computed with the code under test. Weekdays used below:
 * 2025-01-01 is a Wednesday, 2026-01-01 a Thursday, 2027-01-01 a Friday,
 * 2028-01-01 a Saturday (2028 is a leap year).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/calendar.h"
#include "borderflow/error.h"

#include "bf_test.h"

enum { MON, TUE, WED, THU, FRI, SAT, SUN };

static int32_t ymd(int y, int m, int d)
{
    return bf_date_from_ymd(y, m, d);
}

static enum bf_day_kind kind_of(const struct bf_calendar *cal, int32_t day, int want_rc)
{
    enum bf_day_kind k;
    assert_int_equal(bf_cal_day_kind(cal, day, &k), want_rc);
    return k;
}

static int32_t add_wd(const struct bf_calendar *cal, int32_t day, uint32_t n, int want_rc)
{
    int32_t out = 0;
    assert_int_equal(bf_cal_add_working_days(cal, day, n, &out), want_rc);
    return out;
}

static uint32_t count_wd(const struct bf_calendar *cal, int32_t from, int32_t to, int want_rc)
{
    uint32_t n = 0;
    assert_int_equal(bf_cal_count_working_days(cal, from, to, &n), want_rc);
    return n;
}

static void builtin(struct bf_calendar *cal)
{
    struct bf_diag diag;
    bf_diag_clear(&diag);
    bf_calendar_init(cal);
    assert_int_equal(bf_calendar_add_cn_builtin(cal, &diag), 0);
}

/* ---- civil dates ---- */

static void date_should_number_days_from_1970(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(1970, 2, 1), 31);
    /* Unix times of midnight UTC divided by 86400: 946684800 (2000-01-01),
     * 1767225600 (2026-01-01), -2208988800 (1900-01-01). */
    assert_int_equal(ymd(2000, 1, 1), 10957);
    assert_int_equal(ymd(2026, 1, 1), 20454);
    assert_int_equal(ymd(1900, 1, 1), -25567);
    /* 2026 has 365 days. */
    assert_int_equal(ymd(2027, 1, 1), 20454 + 365);
    int y, m, d;
    bf_date_to_ymd(20454 + 44, &y, &m, &d); /* Jan has 31 days: day 44 of 2026 is Feb 14 */
    assert_int_equal(y, 2026);
    assert_int_equal(m, 2);
    assert_int_equal(d, 14);
}

/*
 * Walks 1600-01-01 .. 2400-12-31 with a naive y/m/d counter (its own month
 * lengths and leap rule) and checks both conversions and the weekday on
 * every day: a check independent of the era arithmetic.
 */
static void date_should_match_naive_day_counter(void **state)
{
    (void)state;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 1600, m = 1, d = 1;
    int32_t day = ymd(1600, 1, 1);
    int wd = bf_date_weekday(day);
    assert_int_equal(wd, SAT); /* 1600-01-01 was a Saturday (400-year cycle: as 2000-01-01) */
    while (y <= 2400) {
        int yy, mm, dd;
        bf_date_to_ymd(day, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            fail_msg("day %d: got %d-%d-%d, expected %d-%d-%d", day, yy, mm, dd, y, m, d);
        if (ymd(y, m, d) != day)
            fail_msg("%d-%d-%d: got day %d, expected %d", y, m, d, ymd(y, m, d), day);
        if (bf_date_weekday(day) != wd)
            fail_msg("day %d: weekday %d, expected %d", day, bf_date_weekday(day), wd);
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int n = m == 2 && leap ? 29 : len[m - 1];
        if (++d > n) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
        day++;
        wd = (wd + 1) % 7;
    }
    /* 1600-01-01 .. 2400-12-31 inclusive is 801 years: 801*365 + leap days
     * (1600..2400 has 201 years divisible by 4, minus 1700,1800,1900,2100,
     * 2200,2300 = 195). */
    assert_int_equal(day - ymd(1600, 1, 1), 801 * 365 + 195);
}

static void date_should_round_trip_at_int32_limits(void **state)
{
    (void)state;
    const int32_t days[] = {INT32_MIN, INT32_MIN + 1, -719468,       -1,       0,
                            1,         2932896,       INT32_MAX - 1, INT32_MAX};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        int y, m, d;
        bf_date_to_ymd(days[i], &y, &m, &d);
        assert_true(bf_date_valid(y, m, d));
        assert_int_equal(bf_date_from_ymd(y, m, d), days[i]);
    }
    /* -719468 is 0000-03-01 (the era origin of the algorithm), 2932896 is
     * 9999-12-31. */
    int y, m, d;
    bf_date_to_ymd(-719468, &y, &m, &d);
    assert_true(y == 0 && m == 3 && d == 1);
    bf_date_to_ymd(2932896, &y, &m, &d);
    assert_true(y == 9999 && m == 12 && d == 31);
    /* One day past INT32_MAX is not representable: not valid. */
    bf_date_to_ymd(INT32_MAX, &y, &m, &d);
    if (d < bf_date_days_in_month(y, m))
        assert_false(bf_date_valid(y, m, d + 1));
    /* Every int32 day in a wide sample round-trips. */
    for (int64_t day = INT32_MIN; day <= INT32_MAX; day += 65537) {
        bf_date_to_ymd((int32_t)day, &y, &m, &d);
        assert_int_equal(bf_date_from_ymd(y, m, d), day);
    }
}

static void date_should_know_leap_years(void **state)
{
    (void)state;
    assert_true(bf_date_valid(2000, 2, 29));  /* divisible by 400 */
    assert_false(bf_date_valid(1900, 2, 29)); /* by 100, not 400 */
    assert_true(bf_date_valid(2024, 2, 29));  /* by 4 */
    assert_false(bf_date_valid(2025, 2, 29));
    assert_false(bf_date_valid(2100, 2, 29));
    assert_int_equal(bf_date_days_in_month(2000, 2), 29);
    assert_int_equal(bf_date_days_in_month(1900, 2), 28);
    assert_int_equal(bf_date_days_in_month(2024, 2), 29);
    assert_int_equal(bf_date_days_in_month(2026, 2), 28);
    assert_int_equal(bf_date_days_in_month(2026, 4), 30);
    assert_int_equal(bf_date_days_in_month(2026, 12), 31);
    assert_false(bf_date_valid(2026, 4, 31));
    assert_false(bf_date_valid(2026, 0, 1));
    assert_false(bf_date_valid(2026, 13, 1));
    assert_false(bf_date_valid(2026, 1, 0));
    assert_false(bf_date_valid(2026, 1, 32));
    /* 2024 has 366 days, 2025 has 365. */
    assert_int_equal(ymd(2025, 1, 1) - ymd(2024, 1, 1), 366);
    assert_int_equal(ymd(2026, 1, 1) - ymd(2025, 1, 1), 365);
}

static void date_should_give_iso_weekdays(void **state)
{
    (void)state;
    assert_int_equal(bf_date_weekday(0), THU);  /* 1970-01-01 */
    assert_int_equal(bf_date_weekday(-1), WED); /* 1969-12-31 */
    assert_int_equal(bf_date_weekday(ymd(1900, 1, 1)), MON);
    assert_int_equal(bf_date_weekday(ymd(2000, 1, 1)), SAT);
    assert_int_equal(bf_date_weekday(ymd(2025, 1, 1)), WED);
    assert_int_equal(bf_date_weekday(ymd(2026, 1, 1)), THU);
    assert_int_equal(bf_date_weekday(ymd(2026, 2, 14)), SAT); /* Jan 1 + 44 days, 44 = 6*7+2 */
    assert_int_equal(bf_date_weekday(ymd(2026, 10, 1)), THU); /* Jan 1 + 273 days, 273 = 39*7 */
    assert_int_equal(bf_date_weekday(ymd(2027, 1, 1)), FRI);
    assert_int_equal(bf_date_weekday(INT32_MIN), (INT32_MIN % 7 + 7 + 3) % 7);
}

static void date_should_parse_valid_dates(void **state)
{
    (void)state;
    struct bf_diag diag;
    bf_diag_clear(&diag);
    int32_t day = -7;
    assert_int_equal(bf_date_parse("2026-02-14", &day, &diag), 0);
    assert_int_equal(day, 20454 + 44);
    assert_int_equal(bf_date_parse("1970-01-01", &day, &diag), 0);
    assert_int_equal(day, 0);
    assert_int_equal(bf_date_parse("2024-02-29", &day, &diag), 0);
    assert_int_equal(day, ymd(2024, 2, 29));
    assert_int_equal(bf_date_parse("0000-01-01", &day, &diag), 0);
    assert_int_equal(day, ymd(0, 1, 1));
    assert_int_equal(bf_date_parse("9999-12-31", &day, &diag), 0);
    assert_int_equal(day, 2932896);
    assert_string_equal(diag.msg, "");
}

static void expect_parse_error(const char *s, const char *part)
{
    struct bf_diag diag;
    bf_diag_clear(&diag);
    int32_t day = 12345;
    assert_int_equal(bf_date_parse(s, &day, &diag), BF_EPARSE);
    assert_int_equal(day, 12345); /* untouched on error */
    if (strstr(diag.msg, part) == NULL)
        fail_msg("parsing '%s': message \"%s\" lacks \"%s\"", s ? s : "(null)", diag.msg, part);
}

static void date_should_reject_malformed_text_with_message(void **state)
{
    (void)state;
    expect_parse_error("2026-2-14", "expected exactly 10 characters YYYY-MM-DD, got 9");
    expect_parse_error("2026-02-14 ", "got 11");
    expect_parse_error("", "got 0");
    expect_parse_error("2026/02/14", "expected '-' at position 5 of YYYY-MM-DD, found '/'");
    expect_parse_error("20260214xx", "expected '-' at position 5");
    expect_parse_error(" 2026-02-1", "expected a digit at position 1 of YYYY-MM-DD, found ' '");
    expect_parse_error("2026-0a-14", "expected a digit at position 7");
    expect_parse_error("2026-02-1\t", "found \\x09");
    expect_parse_error("+026-02-14", "position 1");
    expect_parse_error(NULL, "no date given");
    /* Long input is quoted shortened. */
    expect_parse_error("2026-02-14T00:00:00Z and a lot more text after it, really",
                       "'2026-02-14T00:00:00Z and a lot more text...' is not a date: expected "
                       "exactly 10 characters YYYY-MM-DD, got 57");
}

static void date_should_reject_impossible_dates_with_message(void **state)
{
    (void)state;
    expect_parse_error("2026-02-30", "'2026-02-30' is not a date: February 2026 has 28 days");
    expect_parse_error("2026-02-29", "February 2026 has 28 days, so the day must be 01..28");
    expect_parse_error("1900-02-29", "February 1900 has 28 days");
    expect_parse_error("2026-04-31", "April 2026 has 30 days");
    expect_parse_error("2026-01-00", "January 2026 has 31 days, so the day must be 01..31");
    expect_parse_error("2026-13-01", "'2026-13-01' is not a date: month 13 is not in 01..12");
    expect_parse_error("2026-00-10", "month 00 is not in 01..12");
}

static void date_should_format_yyyy_mm_dd(void **state)
{
    (void)state;
    char buf[11];
    assert_string_equal(bf_date_format(0, buf), "1970-01-01");
    assert_string_equal(bf_date_format(-1, buf), "1969-12-31");
    assert_string_equal(bf_date_format(20454 + 44, buf), "2026-02-14");
    assert_string_equal(bf_date_format(ymd(1900, 1, 1), buf), "1900-01-01");
    assert_string_equal(bf_date_format(ymd(5, 6, 7), buf), "0005-06-07");
    assert_string_equal(bf_date_format(2932896, buf), "9999-12-31");
    assert_ptr_equal(bf_date_format(0, buf), buf);
    /* parse(format(d)) == d */
    for (int32_t day = ymd(1999, 12, 1); day < ymd(2001, 3, 1); day++) {
        int32_t back;
        assert_int_equal(bf_date_parse(bf_date_format(day, buf), &back, NULL), 0);
        assert_int_equal(back, day);
    }
}

/* ---- simulation time ---- */

static void cal_time_should_convert_days_and_hours(void **state)
{
    (void)state;
    const int32_t epoch = ymd(2026, 1, 1);
    bf_assert_near(bf_cal_time_h(epoch, epoch, 0.0), 0.0, 0.0);
    bf_assert_near(bf_cal_time_h(epoch, ymd(2026, 1, 2), 6.5), 30.5, 0.0);
    bf_assert_near(bf_cal_time_h(epoch, ymd(2025, 12, 31), 0.0), -24.0, 0.0);
    /* Feb 14 is day 44 of the year: 44 * 24 = 1056 hours. */
    bf_assert_near(bf_cal_time_h(epoch, ymd(2026, 2, 14), 9.0), 1065.0, 0.0);
    /* Far days do not overflow in the subtraction. */
    bf_assert_near(bf_cal_time_h(INT32_MIN, INT32_MAX, 0.0), 4294967295.0 * 24.0, 0.0);
}

static void cal_day_of_should_floor_toward_earlier_day(void **state)
{
    (void)state;
    const int32_t epoch = ymd(2026, 1, 1);
    assert_int_equal(bf_cal_day_of(epoch, 0.0), epoch);
    assert_int_equal(bf_cal_day_of(epoch, 23.999999), epoch);
    assert_int_equal(bf_cal_day_of(epoch, 24.0), epoch + 1);
    assert_int_equal(bf_cal_day_of(epoch, 1065.0), ymd(2026, 2, 14));
    assert_int_equal(bf_cal_day_of(epoch, -0.5), epoch - 1); /* floor, not truncation */
    assert_int_equal(bf_cal_day_of(epoch, -24.0), epoch - 1);
    assert_int_equal(bf_cal_day_of(epoch, -24.000001), epoch - 2);
    /* Round trip for every hour of a year. */
    for (int32_t day = epoch; day < epoch + 365; day++)
        for (int h = 0; h < 24; h++)
            assert_int_equal(bf_cal_day_of(epoch, bf_cal_time_h(epoch, day, h + 0.25)), day);
}

/* ---- China's built-in data ---- */

static void holidays_should_list_builtin_years(void **state)
{
    (void)state;
    int years[4] = {0, 0, 0, 0};
    assert_int_equal(bf_calendar_cn_builtin_years(years, 4), 2);
    assert_int_equal(years[0], 2025);
    assert_int_equal(years[1], 2026);
    assert_int_equal(years[2], 0);
    int one[1] = {0};
    assert_int_equal(bf_calendar_cn_builtin_years(one, 1), 2); /* writes at most max */
    assert_int_equal(one[0], 2025);
    assert_int_equal(bf_calendar_cn_builtin_years(NULL, 0), 2);

    struct bf_calendar cal;
    builtin(&cal);
    assert_false(bf_calendar_year_known(&cal, 2024));
    assert_true(bf_calendar_year_known(&cal, 2025));
    assert_true(bf_calendar_year_known(&cal, 2026));
    assert_false(bf_calendar_year_known(&cal, 2027));
    bf_calendar_fini(&cal);
}

/*
 * The adjusted working days of the notices, each with the weekday worked out
 * by hand from Jan 1 (2025: Wednesday, 2026: Thursday) and the offset
 * (day of year - 1) mod 7; checked with the date code, and then every
 * ADJUSTED day the built-in calendar holds is checked to be a weekend.
 */
static void holidays_should_make_adjusted_days_weekends(void **state)
{
    (void)state;
    static const struct {
        int y, m, d, wd;
    } adj[] = {
        {2025, 1, 26, SUN},  /* offset 25 = 3*7+4: Wed+4 */
        {2025, 2, 8, SAT},   /* 38 = 5*7+3 */
        {2025, 4, 27, SUN},  /* 31+28+31+26 = 116 = 16*7+4 */
        {2025, 9, 28, SUN},  /* 243+27 = 270 = 38*7+4 */
        {2025, 10, 11, SAT}, /* 273+10 = 283 = 40*7+3 */
        {2026, 1, 4, SUN},   /* 3: Thu+3 */
        {2026, 2, 14, SAT},  /* 44 = 6*7+2 */
        {2026, 2, 28, SAT},  /* 58 = 8*7+2 */
        {2026, 5, 9, SAT},   /* 120+8 = 128 = 18*7+2 */
        {2026, 9, 20, SUN},  /* 243+19 = 262 = 37*7+3 */
        {2026, 10, 10, SAT}, /* 273+9 = 282 = 40*7+2 */
    };
    struct bf_calendar cal;
    builtin(&cal);
    for (size_t i = 0; i < sizeof adj / sizeof adj[0]; i++) {
        const int32_t day = ymd(adj[i].y, adj[i].m, adj[i].d);
        assert_int_equal(bf_date_weekday(day), adj[i].wd);
        assert_int_equal(kind_of(&cal, day, 0), BF_DAY_ADJUSTED);
    }
    int n_adjusted = 0;
    for (int32_t day = ymd(2025, 1, 1); day < ymd(2027, 1, 1); day++) {
        if (kind_of(&cal, day, 0) == BF_DAY_ADJUSTED) {
            assert_true(bf_date_weekday(day) >= SAT);
            n_adjusted++;
        }
    }
    assert_int_equal(n_adjusted, 11);
    bf_calendar_fini(&cal);
}

/* Every day of a year has the kind its notice (as listed here) gives it. */
static void check_year(int year, const int (*off)[3], size_t n_off, const int (*work)[3],
                       size_t n_work)
{
    struct bf_calendar cal;
    builtin(&cal);
    char *want = calloc(366, 1);
    assert_non_null(want);
    const int32_t jan1 = ymd(year, 1, 1), next = ymd(year + 1, 1, 1);
    for (int32_t day = jan1; day < next; day++)
        want[day - jan1] = (char)(bf_date_weekday(day) >= SAT ? BF_DAY_WEEKEND : BF_DAY_WORKDAY);
    for (size_t i = 0; i < n_off; i++)
        for (int d = off[i][1]; d <= off[i][2]; d++)
            want[ymd(year, off[i][0], d) - jan1] = BF_DAY_HOLIDAY;
    for (size_t i = 0; i < n_work; i++)
        want[ymd(year, work[i][0], work[i][1]) - jan1] = BF_DAY_ADJUSTED;
    for (int32_t day = jan1; day < next; day++) {
        enum bf_day_kind k = kind_of(&cal, day, 0);
        if ((int)k != want[day - jan1]) {
            char buf[11];
            fail_msg("%s: kind %d, expected %d", bf_date_format(day, buf), (int)k,
                     want[day - jan1]);
        }
        bool working;
        assert_int_equal(bf_cal_is_working_day(&cal, day, &working), 0);
        assert_int_equal(working, k == BF_DAY_WORKDAY || k == BF_DAY_ADJUSTED);
    }
    free(want);
    bf_calendar_fini(&cal);
}

/* {month, first day, last day}; spans crossing a month are split. */
static void holidays_should_classify_every_2026_day_of_the_notice(void **state)
{
    (void)state;
    static const int off[][3] = {
        {1, 1, 3},   {2, 15, 23}, /* New Year; Spring Festival, 9 days */
        {4, 4, 6},   {5, 1, 5},   /* Qingming; Labour Day */
        {6, 19, 21}, {9, 25, 27}, /* Dragon Boat; Mid-Autumn */
        {10, 1, 7},               /* National Day */
    };
    static const int work[][3] = {{1, 4, 0}, {2, 14, 0}, {2, 28, 0},
                                  {5, 9, 0}, {9, 20, 0}, {10, 10, 0}};
    check_year(2026, off, sizeof off / sizeof off[0], work, sizeof work / sizeof work[0]);
    /* Spot checks, by hand: Feb 15 2026 (Sun) is part of the holiday. */
    struct bf_calendar cal;
    builtin(&cal);
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 15), 0), BF_DAY_HOLIDAY);
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 13), 0), BF_DAY_WORKDAY); /* Fri */
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 24), 0), BF_DAY_WORKDAY); /* Tue */
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 21), 0), BF_DAY_HOLIDAY); /* Sat in holiday */
    assert_int_equal(kind_of(&cal, ymd(2026, 3, 7), 0), BF_DAY_WEEKEND);  /* plain Sat */
    bf_calendar_fini(&cal);
}

static void holidays_should_classify_every_2025_day_of_the_notice(void **state)
{
    (void)state;
    static const int off[][3] = {
        {1, 1, 1},   {1, 28, 31}, {2, 1, 4}, /* New Year; Spring Festival 8 days */
        {4, 4, 6},   {5, 1, 5},              /* Qingming; Labour Day */
        {5, 31, 31}, {6, 1, 2},              /* Dragon Boat */
        {10, 1, 8},                          /* National Day + Mid-Autumn, 8 days */
    };
    static const int work[][3] = {{1, 26, 0}, {2, 8, 0}, {4, 27, 0}, {9, 28, 0}, {10, 11, 0}};
    check_year(2025, off, sizeof off / sizeof off[0], work, sizeof work / sizeof work[0]);
}

/* ---- working-day arithmetic on the built-in data ---- */

/*
 * February 2026: Feb 1 is a Sunday (Jan 1 Thu + 31 days, 31 = 4*7+3).
 *   Fri 13 work | Sat 14 ADJUSTED | Sun 15 .. Mon 23 off (9 days) | Tue 24 work
 *   ... Fri 27 work | Sat 28 ADJUSTED.
 */
static void calendar_should_step_over_spring_festival_2026(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    /* Next working day after Fri Feb 13 is Sat Feb 14 (adjusted), not Mon 16. */
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 13), 1, 0), ymd(2026, 2, 14));
    /* After Sat Feb 14: Feb 15-23 off, Tue Feb 24 works. */
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 14), 1, 0), ymd(2026, 2, 24));
    /* 2 after Feb 13: Feb 14 (1), Feb 24 (2). */
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 13), 2, 0), ymd(2026, 2, 24));
    /* 5 after Feb 14: Tue 24 (1), Wed 25 (2), Thu 26 (3), Fri 27 (4), Sat 28 adj. (5). */
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 14), 5, 0), ymd(2026, 2, 28));
    /* 6 after Feb 14: Sun Mar 1 is a plain weekend, so Mon Mar 2 (6). */
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 14), 6, 0), ymd(2026, 3, 2));
    /* n = 0: the day itself if working (Sat 14 adjusted), else the next one. */
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 14), 0, 0), ymd(2026, 2, 14));
    assert_int_equal(add_wd(&cal, ymd(2026, 2, 15), 0, 0), ymd(2026, 2, 24));
    int32_t out;
    assert_int_equal(bf_cal_next_working_day(&cal, ymd(2026, 2, 18), &out), 0);
    assert_int_equal(out, ymd(2026, 2, 24));
    assert_int_equal(bf_cal_next_working_day(&cal, ymd(2026, 2, 13), &out), 0);
    assert_int_equal(out, ymd(2026, 2, 13));
    /* New Year: Wed 2025-12-31; Jan 1-3 2026 off; Sun Jan 4 adjusted. Both
     * years are known, so the walk across the year end is fully known. */
    assert_int_equal(add_wd(&cal, ymd(2025, 12, 31), 1, 0), ymd(2026, 1, 4));
    /* Spring Festival 2025: Sun Jan 26 adjusted, Mon 27 works, Tue Jan 28 -
     * Tue Feb 4 off, Wed Feb 5 works. 2 after Sat Jan 25: Jan 26, Jan 27. */
    assert_int_equal(add_wd(&cal, ymd(2025, 1, 25), 2, 0), ymd(2025, 1, 27));
    assert_int_equal(add_wd(&cal, ymd(2025, 1, 27), 1, 0), ymd(2025, 2, 5));
    bf_calendar_fini(&cal);
}

/*
 * September / October 2026: Sep 1 is a Tuesday (243 = 34*7+5: Thu+5), so Sun
 * Sep 20 (adjusted), Fri 25 - Sun 27 off (Mid-Autumn), Mon 28, Tue 29, Wed 30;
 * Oct 1 is a Thursday, Oct 1-7 off (Thu..Wed), Thu 8, Fri 9, Sat 10
 * (adjusted), Sun 11 weekend, Mon 12.
 */
static void calendar_should_step_over_national_day_2026(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    /* 3 after Mon Sep 28: Tue 29 (1), Wed 30 (2), Oct 1-7 off, Thu Oct 8 (3). */
    assert_int_equal(add_wd(&cal, ymd(2026, 9, 28), 3, 0), ymd(2026, 10, 8));
    /* 2 after Thu Oct 8: Fri 9 (1), Sat 10 adjusted (2). */
    assert_int_equal(add_wd(&cal, ymd(2026, 10, 8), 2, 0), ymd(2026, 10, 10));
    /* 3 after Oct 8: Oct 9, Oct 10, (Sun 11 off) Mon Oct 12. */
    assert_int_equal(add_wd(&cal, ymd(2026, 10, 8), 3, 0), ymd(2026, 10, 12));
    /* 1 after Thu Sep 24: Fri 25 - Sun 27 off, Mon Sep 28. */
    assert_int_equal(add_wd(&cal, ymd(2026, 9, 24), 1, 0), ymd(2026, 9, 28));
    /* 10 after Fri Sep 18: Sun 20 (1), Mon 21..Thu 24 (2..5), Mon 28 (6),
     * Tue 29 (7), Wed 30 (8), Thu Oct 8 (9), Fri Oct 9 (10). */
    assert_int_equal(add_wd(&cal, ymd(2026, 9, 18), 10, 0), ymd(2026, 10, 9));
    /* 30 after Wed Sep 30, as a rebate claim might ask: Oct 8, 9, 10 (3),
     * Oct 12-16 (8), 19-23 (13), 26-30 (18), Nov 2-6 (23), Nov 9-13 (28),
     * Mon Nov 16 (29), Tue Nov 17 (30). */
    assert_int_equal(add_wd(&cal, ymd(2026, 9, 30), 30, 0), ymd(2026, 11, 17));
    bf_calendar_fini(&cal);
}

static void calendar_should_treat_sep_20_2026_sunday_as_working(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    const int32_t sep20 = ymd(2026, 9, 20);
    assert_int_equal(bf_date_weekday(sep20), SUN);
    bool working = false;
    assert_int_equal(bf_cal_is_working_day(&cal, sep20, &working), 0);
    assert_true(working);
    /* Sat Sep 19 is a plain weekend: the next working day after Fri 18 is Sun 20. */
    assert_int_equal(kind_of(&cal, ymd(2026, 9, 19), 0), BF_DAY_WEEKEND);
    assert_int_equal(add_wd(&cal, ymd(2026, 9, 18), 1, 0), sep20);
    bf_calendar_fini(&cal);
}

/*
 * Hand counts (weekdays - holidays on weekdays + adjusted days):
 *  Feb 2026: 28 days from Sunday = 4 whole weeks = 20 weekdays; holidays on
 *    weekdays Feb 16-20 and Mon 23 = 6; adjusted Sat 14, Sat 28 = 2 -> 16.
 *  Sep 2026: Tue 1-Fri 4 (4) + 4 weeks x5 ... Mon 28-Wed 30 (3) = 22 weekdays;
 *    Fri 25 off -> 21; Sun 20 adjusted -> 22.
 *  Oct 2026: Thu 1, Fri 2 (2) + 5-9, 12-16, 19-23, 26-30 (20) = 22 weekdays;
 *    Oct 1, 2, 5, 6, 7 off -> 17; Sat 10 adjusted -> 18.
 *  Year 2026: 365 days from Thursday = 52 weeks + Thu Dec 31 = 261 weekdays.
 *    Holidays on weekdays: Jan 1-2 (2), Feb 16-20, 23 (6), Apr 6 (1), May 1,
 *    4, 5 (3), Jun 19 (1), Sep 25 (1), Oct 1, 2, 5, 6, 7 (5) = 19; adjusted 6
 *    -> 261 - 19 + 6 = 248.
 *  Year 2025: 365 days from Wednesday = 261 weekdays. Holidays on weekdays:
 *    Jan 1 (1), Jan 28-31, Feb 3-4 (6), Apr 4 (1), May 1, 2, 5 (3), Jun 2
 *    (1), Oct 1-3, 6-8 (6) = 18; adjusted 5 -> 248.
 */
static void calendar_should_count_working_days_by_hand(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    assert_int_equal(count_wd(&cal, ymd(2026, 2, 1), ymd(2026, 3, 1), 0), 16);
    assert_int_equal(count_wd(&cal, ymd(2026, 9, 1), ymd(2026, 10, 1), 0), 22);
    assert_int_equal(count_wd(&cal, ymd(2026, 10, 1), ymd(2026, 11, 1), 0), 18);
    assert_int_equal(count_wd(&cal, ymd(2026, 1, 1), ymd(2027, 1, 1), 0), 248);
    assert_int_equal(count_wd(&cal, ymd(2025, 1, 1), ymd(2026, 1, 1), 0), 248);
    /* [from, to): the end day is not counted; empty range is 0. */
    assert_int_equal(count_wd(&cal, ymd(2026, 2, 13), ymd(2026, 2, 14), 0), 1);
    assert_int_equal(count_wd(&cal, ymd(2026, 2, 14), ymd(2026, 2, 24), 0), 1);
    assert_int_equal(count_wd(&cal, ymd(2026, 2, 15), ymd(2026, 2, 15), 0), 0);
    /* An empty range touches no day, so even an unknown one is not reported. */
    assert_int_equal(count_wd(&cal, ymd(2030, 1, 1), ymd(2030, 1, 1), 0), 0);
    bf_calendar_fini(&cal);
}

/* ---- unknown years ---- */

/*
 * January 2027 (not in the built-in data): Fri 1, Sat 2, Sun 3, then weeks
 * Mon 4-Fri 8, 11-15, 18-22, 25-29, Sat 30, Sun 31: 1 + 20 = 21 weekdays.
 */
static void calendar_should_fall_back_to_weekends_for_unknown_years(void **state)
{
    (void)state;
    struct bf_calendar empty, cal;
    bf_calendar_init(&empty);
    builtin(&cal);
    const struct bf_calendar *cals[2] = {&empty, &cal};
    for (int i = 0; i < 2; i++) {
        const struct bf_calendar *c = cals[i];
        assert_false(bf_calendar_year_known(c, 2027));
        /* Jan 1 2027 is a Friday: a workday by weekday alone, and reported. */
        assert_int_equal(kind_of(c, ymd(2027, 1, 1), BF_CAL_UNKNOWN), BF_DAY_WORKDAY);
        assert_int_equal(kind_of(c, ymd(2027, 1, 2), BF_CAL_UNKNOWN), BF_DAY_WEEKEND);
        assert_int_equal(kind_of(c, ymd(2024, 10, 1), BF_CAL_UNKNOWN), BF_DAY_WORKDAY); /* Tue */
        bool w = false;
        assert_int_equal(bf_cal_is_working_day(c, ymd(2027, 1, 3), &w), BF_CAL_UNKNOWN);
        assert_false(w);
        /* Fri Jan 1 + 1 -> Mon Jan 4; + 5 -> Fri Jan 8. */
        assert_int_equal(add_wd(c, ymd(2027, 1, 1), 1, BF_CAL_UNKNOWN), ymd(2027, 1, 4));
        assert_int_equal(add_wd(c, ymd(2027, 1, 1), 5, BF_CAL_UNKNOWN), ymd(2027, 1, 8));
        assert_int_equal(count_wd(c, ymd(2027, 1, 1), ymd(2027, 2, 1), BF_CAL_UNKNOWN), 21);
    }
    /* The empty calendar knows nothing: 2026 is weekends only there. Feb
     * 2026 has 20 weekdays; Mon Feb 16 is a workday. */
    assert_false(bf_calendar_year_known(&empty, 2026));
    assert_int_equal(kind_of(&empty, ymd(2026, 2, 16), BF_CAL_UNKNOWN), BF_DAY_WORKDAY);
    assert_int_equal(count_wd(&empty, ymd(2026, 2, 1), ymd(2026, 3, 1), BF_CAL_UNKNOWN), 20);
    assert_int_equal(add_wd(&empty, ymd(2026, 2, 13), 1, BF_CAL_UNKNOWN), ymd(2026, 2, 16));
    bf_calendar_fini(&cal);
    bf_calendar_fini(&empty);
}

static void calendar_should_report_unknown_when_walk_leaves_known_years(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    /* Thu 2026-12-31 + 1: Fri 2027-01-01 by weekday (2027 unknown: reported). */
    assert_int_equal(add_wd(&cal, ymd(2026, 12, 31), 1, BF_CAL_UNKNOWN), ymd(2027, 1, 1));
    /* Wed Dec 30 + 1 = Thu Dec 31: stays in 2026, fully known. */
    assert_int_equal(add_wd(&cal, ymd(2026, 12, 30), 1, 0), ymd(2026, 12, 31));
    /* From Tue 2024-12-31 (2024 unknown): Wed Jan 1 2025 off, Thu Jan 2. For
     * n >= 1 the start day itself is not examined, only Jan 1 and Jan 2,
     * both in known 2025. */
    assert_int_equal(add_wd(&cal, ymd(2024, 12, 31), 1, 0), ymd(2025, 1, 2));
    /* n = 0 examines the day itself: Tue 2024-12-31 is unknown. */
    assert_int_equal(add_wd(&cal, ymd(2024, 12, 31), 0, BF_CAL_UNKNOWN), ymd(2024, 12, 31));
    /* A count that touches 2027: Dec 2026 has Tue 1-Fri 4 (4), 7-11, 14-18,
     * 21-25, 28-31 (4+5+5+5+4) = 23 working days in 2026 + Fri Jan 1 2027. */
    assert_int_equal(count_wd(&cal, ymd(2026, 12, 1), ymd(2027, 1, 1), 0), 23);
    assert_int_equal(count_wd(&cal, ymd(2026, 12, 1), ymd(2027, 1, 2), BF_CAL_UNKNOWN), 24);
    int32_t out;
    assert_int_equal(bf_cal_next_working_day(&cal, ymd(2027, 1, 2), &out), BF_CAL_UNKNOWN);
    assert_int_equal(out, ymd(2027, 1, 4));
    bf_calendar_fini(&cal);
}

/* ---- consistency with a day-by-day reference ---- */

static int32_t reference_add(const struct bf_calendar *cal, int32_t day, uint32_t n)
{
    bool w;
    if (n == 0) {
        for (bf_cal_is_working_day(cal, day, &w); !w; bf_cal_is_working_day(cal, day, &w))
            day++;
        return day;
    }
    while (n > 0) {
        day++;
        bf_cal_is_working_day(cal, day, &w);
        n -= w;
    }
    return day;
}

/* What a query examining days [a, b] must return: 0 if all their years are
 * known, else BF_CAL_PROJECTED for any projected year and BF_CAL_UNKNOWN for
 * any year with neither. */
static int years_status(const struct bf_calendar *cal, int32_t a, int32_t b)
{
    int ya, yb, m, d;
    bf_date_to_ymd(a, &ya, &m, &d);
    bf_date_to_ymd(b, &yb, &m, &d);
    int flags = 0;
    for (int y = ya; y <= yb; y++) {
        if (bf_calendar_year_projected(cal, y))
            flags |= BF_CAL_PROJECTED;
        else if (!bf_calendar_year_known(cal, y))
            flags |= BF_CAL_UNKNOWN;
    }
    return flags;
}

/*
 * Starts around and inside the table (built-in 2025-2026 plus a gap year
 * 2027, a made-up 2028 and a projected 2029) and on an empty calendar, n
 * from 0 to 40 and a few large n: the week-skipping must give what a plain
 * walk gives, counting the days in (start, result] must give n back, and the
 * flags must be those of the years walked through.
 */
static void calendar_should_agree_with_day_by_day_reference(void **state)
{
    (void)state;
    struct bf_calendar cal, empty;
    builtin(&cal);
    bf_calendar_init(&empty);
    const int32_t off_2028[] = {ymd(2028, 3, 1), ymd(2028, 3, 2)};
    assert_int_equal(bf_calendar_set_year(&cal, 2028, off_2028, 2, NULL, 0, NULL), 0);
    assert_int_equal(bf_calendar_project_cn(&cal, 2029, 2029, NULL), 0);
    const struct bf_calendar *cals[2] = {&cal, &empty};
    for (int c = 0; c < 2; c++) {
        for (int32_t start = ymd(2024, 11, 1); start < ymd(2029, 2, 1); start += 3) {
            for (uint32_t n = 0; n <= 40; n++) {
                const int32_t want = reference_add(cals[c], start, n);
                int32_t got;
                const int rc = bf_cal_add_working_days(cals[c], start, n, &got);
                if (got != want)
                    fail_msg("cal %d, start %d, n %u: %d, expected %d", c, start, n, got, want);
                assert_int_equal(rc, years_status(cals[c], n > 0 ? start + 1 : start, got));
                if (n > 0)
                    assert_int_equal(count_wd(cals[c], start + 1, got + 1,
                                              years_status(cals[c], start + 1, got)),
                                     n);
            }
        }
        /* Long walks through and past the table. */
        const int32_t starts[] = {ymd(1990, 5, 5), ymd(2024, 6, 1), ymd(2026, 12, 25)};
        const uint32_t ns[] = {41, 997, 3000};
        for (size_t i = 0; i < 3; i++)
            for (size_t j = 0; j < 3; j++) {
                const int32_t want = reference_add(cals[c], starts[i], ns[j]);
                assert_int_equal(
                    add_wd(cals[c], starts[i], ns[j], years_status(cals[c], starts[i] + 1, want)),
                    want);
            }
    }
    bf_calendar_fini(&cal);
    bf_calendar_fini(&empty);
}

/* The O(1) table over a range gives what the calendar's walk gives, date
 * and flags, for every start in and around the range (given, adjusted,
 * projected and unknown years, and no calendar at all), short walks and
 * walks that leave the range or last more than a year. */
static void workdays_should_agree_with_the_calendar_walk(void **state)
{
    (void)state;
    struct bf_calendar cal, empty;
    builtin(&cal);
    bf_calendar_init(&empty);
    assert_int_equal(bf_calendar_project_cn(&cal, 2027, 2028, NULL), 0);
    const struct bf_calendar *cals[2] = {&cal, &empty};
    const int32_t first = ymd(2024, 12, 20);
    const uint32_t n_days = (uint32_t)(ymd(2029, 1, 10) - first);
    for (int c = 0; c < 2; c++) {
        struct bf_workdays w;
        assert_int_equal(bf_workdays_init(&w, cals[c], first, n_days), 0);
        uint32_t checked = 0;
        for (int32_t start = first - 10; start < first + (int32_t)n_days + 10; start++) {
            const uint32_t ns[] = {0, 1, 2, 5, 9, 23, 61, 240, 300};
            for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++) {
                int32_t want, got;
                const int want_rc = bf_cal_add_working_days(cals[c], start, ns[j], &want);
                const int rc = bf_workdays_add(&w, start, ns[j], &got);
                if (got != want || rc != want_rc)
                    fail_msg("cal %d, start %d, n %u: %d (flags %d), expected %d (%d)", c, start,
                             ns[j], got, rc, want, want_rc);
                checked++;
            }
        }
        assert_true(checked > 13000);
        /* the range: every working day once, in order */
        assert_true(w.n_wd > 0 && w.n_wd < n_days);
        for (uint32_t r = 1; r < w.n_wd; r++)
            assert_true(w.day_at[r] > w.day_at[r - 1]);
        bf_workdays_fini(&w);
        bf_workdays_fini(&w); /* a second fini is a no-op */
    }
    bf_calendar_fini(&cal);
    bf_calendar_fini(&empty);
}

static void calendar_should_skip_whole_weeks_outside_the_table(void **state)
{
    (void)state;
    struct bf_calendar empty;
    bf_calendar_init(&empty);
    /* From a Thursday, 5 working days later is the next Thursday (Fri, Mon,
     * Tue, Wed, Thu): 5k working days after day 0 is day 7k. */
    assert_int_equal(add_wd(&empty, 0, 5, BF_CAL_UNKNOWN), 7);
    assert_int_equal(add_wd(&empty, 0, 5000, BF_CAL_UNKNOWN), 7000);
    /* Large enough that a day-by-day walk would be slow, small enough to
     * stay below INT32_MAX (2147483647). */
    assert_int_equal(add_wd(&empty, 0, 1500000000u, BF_CAL_UNKNOWN), 2100000000);
    /* With the built-in table in the way: whole weeks up to 2025, the table
     * day by day, whole weeks after it. The result must be a working day
     * with exactly 100000 working days in (day 0, result]. */
    struct bf_calendar cal;
    builtin(&cal);
    const int32_t end = add_wd(&cal, 0, 100000, BF_CAL_UNKNOWN);
    assert_int_equal(count_wd(&cal, 1, end + 1, BF_CAL_UNKNOWN), 100000);
    bool w;
    bf_cal_is_working_day(&cal, end, &w);
    assert_true(w);
    /* The built-in years hold 496 working days instead of 2 x 261 = 522
     * plain weekdays, so the walk ends 26 (plain) working days later than on
     * the empty calendar. */
    const int32_t plain_end = add_wd(&empty, 0, 100000, BF_CAL_UNKNOWN);
    assert_int_equal(count_wd(&empty, plain_end + 1, end + 1, BF_CAL_UNKNOWN), 26);
    bf_calendar_fini(&cal);
    bf_calendar_fini(&empty);
}

/* ---- next day of month, next weekday ---- */

static void cal_next_day_of_month_should_clamp_to_short_months(void **state)
{
    (void)state;
    /* The 31st in April: April has 30 days -> Apr 30. */
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 4, 10), 31), ymd(2026, 4, 30));
    /* On-or-after: Apr 30 itself is the April "31st". */
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 4, 30), 31), ymd(2026, 4, 30));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 5, 1), 31), ymd(2026, 5, 31));
    /* The 30th after Jan 30 2026: Feb 2026 has 28 days -> Feb 28; in 2024
     * (leap) -> Feb 29. */
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 1, 31), 30), ymd(2026, 2, 28));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2024, 1, 31), 30), ymd(2024, 2, 29));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2024, 2, 1), 31), ymd(2024, 2, 29));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2100, 2, 1), 29), ymd(2100, 2, 28));
    /* After Feb 28 2026 the "29th" is Mar 29; on Feb 28 itself it is Feb 28. */
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 2, 28), 29), ymd(2026, 2, 28));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 3, 1), 29), ymd(2026, 3, 29));
}

static void cal_next_day_of_month_should_include_the_day_and_roll_over(void **state)
{
    (void)state;
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 2, 15), 15), ymd(2026, 2, 15));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 2, 16), 15), ymd(2026, 3, 15));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 2, 14), 15), ymd(2026, 2, 15));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 12, 20), 15), ymd(2027, 1, 15));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 12, 31), 1), ymd(2027, 1, 1));
    assert_int_equal(bf_cal_next_day_of_month(ymd(2026, 3, 1), 1), ymd(2026, 3, 1));
}

static void cal_next_weekday_should_find_first_day_in_mask(void **state)
{
    (void)state;
    const int32_t sat = ymd(2026, 2, 14);
    /* Monday only: Sat 14 -> Mon 16. */
    assert_int_equal(bf_cal_next_weekday(sat, 1u << MON), ymd(2026, 2, 16));
    /* Weekend: Sat 14 itself. */
    assert_int_equal(bf_cal_next_weekday(sat, (1u << SAT) | (1u << SUN)), sat);
    /* Friday only, from Sun 15: Fri 20. */
    assert_int_equal(bf_cal_next_weekday(ymd(2026, 2, 15), 1u << FRI), ymd(2026, 2, 20));
    /* Tuesday or Thursday from Wed 18: Thu 19. */
    assert_int_equal(bf_cal_next_weekday(ymd(2026, 2, 18), (1u << TUE) | (1u << THU)),
                     ymd(2026, 2, 19));
    /* Every day. */
    assert_int_equal(bf_cal_next_weekday(sat, 0x7f), sat);
    /* Sunday only from Mon 16: Sun 22 (six days on). */
    assert_int_equal(bf_cal_next_weekday(ymd(2026, 2, 16), 1u << SUN), ymd(2026, 2, 22));
}

/* ---- set_year: validation, growth, replacement ---- */

static void expect_unchanged(const struct bf_calendar *cal, const struct bf_calendar *snap,
                             const uint8_t *kind, const uint8_t *known)
{
    assert_int_equal(cal->first_year, snap->first_year);
    assert_int_equal(cal->last_year, snap->last_year);
    assert_int_equal(cal->first_day, snap->first_day);
    assert_int_equal(cal->n_days, snap->n_days);
    assert_ptr_equal(cal->kind, snap->kind);
    assert_ptr_equal(cal->known, snap->known);
    if (cal->kind != NULL) {
        assert_memory_equal(cal->kind, kind, cal->n_days);
        assert_memory_equal(cal->known, known, (size_t)(cal->last_year - cal->first_year + 1));
    }
}

/* Calls set_year on the built-in calendar, expects rc, a message containing
 * `part`, and the calendar unchanged. */
static void expect_set_year_error(int year, const int32_t *off, size_t n_off, const int32_t *work,
                                  size_t n_work, int rc, const char *part)
{
    struct bf_calendar cal;
    builtin(&cal);
    const struct bf_calendar snap = cal;
    uint8_t *kind = malloc(cal.n_days), *known = malloc(2);
    assert_non_null(kind);
    assert_non_null(known);
    memcpy(kind, cal.kind, cal.n_days);
    memcpy(known, cal.known, 2);
    struct bf_diag diag;
    bf_diag_clear(&diag);
    assert_int_equal(bf_calendar_set_year(&cal, year, off, n_off, work, n_work, &diag), rc);
    if (strstr(diag.msg, part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", diag.msg, part);
    assert_true(diag.where[0] != '\0');
    expect_unchanged(&cal, &snap, kind, known);
    free(kind);
    free(known);
    bf_calendar_fini(&cal);
}

static void calendar_set_year_should_reject_adjusted_weekday(void **state)
{
    (void)state;
    /* Mon 2026-02-16 cannot be an adjusted working day. */
    const int32_t work[] = {ymd(2026, 2, 14), ymd(2026, 2, 16)};
    expect_set_year_error(2026, NULL, 0, work, 2, BF_EINVAL,
                          "adjusted working day 2026-02-16 is a Monday: only a Saturday or "
                          "Sunday can be made a working day");
    /* Also into a new year: nothing is added. */
    const int32_t work27[] = {ymd(2027, 1, 1)}; /* Friday */
    expect_set_year_error(2027, NULL, 0, work27, 1, BF_EINVAL, "2027-01-01 is a Friday");
}

static void calendar_set_year_should_reject_date_outside_year(void **state)
{
    (void)state;
    const int32_t off[] = {ymd(2026, 12, 31), ymd(2027, 1, 1)};
    expect_set_year_error(2026, off, 2, NULL, 0, BF_ERANGE,
                          "day off 2027-01-01 is not in 2026: every date given for a year must "
                          "lie in that year");
    const int32_t work[] = {ymd(2025, 12, 27)}; /* a Saturday, but of 2025 */
    expect_set_year_error(2026, NULL, 0, work, 1, BF_ERANGE,
                          "adjusted working day 2025-12-27 is not in 2026");
    /* A day number far outside the date range still gets a readable message. */
    const int32_t far[] = {INT32_MIN};
    expect_set_year_error(2026, far, 1, NULL, 0, BF_ERANGE, "is not in 2026");
}

static void calendar_set_year_should_reject_day_both_off_and_work(void **state)
{
    (void)state;
    const int32_t off[] = {ymd(2026, 2, 14), ymd(2026, 2, 15)};
    const int32_t work[] = {ymd(2026, 2, 28), ymd(2026, 2, 14)};
    expect_set_year_error(2026, off, 2, work, 2, BF_EINVAL,
                          "2026-02-14 is given both as a day off and as an adjusted working day");
}

static void calendar_set_year_should_reject_year_outside_supported_range(void **state)
{
    (void)state;
    expect_set_year_error(1969, NULL, 0, NULL, 0, BF_ERANGE,
                          "year 1969 is outside the years a calendar can hold (1970..2199)");
    expect_set_year_error(2200, NULL, 0, NULL, 0, BF_ERANGE, "year 2200");
}

static void calendar_set_year_should_reject_missing_list(void **state)
{
    (void)state;
    expect_set_year_error(2027, NULL, 3, NULL, 0, BF_EINVAL, "a list is missing");
    expect_set_year_error(2027, NULL, 0, NULL, 1, BF_EINVAL, "a list is missing");
}

static void calendar_set_year_should_accept_days_off_on_weekends(void **state)
{
    (void)state;
    struct bf_calendar cal;
    bf_calendar_init(&cal);
    /* Sat 2026-01-03 given as off: allowed, and it is a holiday day. Duplicates are harmless. */
    const int32_t off[] = {ymd(2026, 1, 3), ymd(2026, 1, 3), ymd(2026, 1, 2)};
    assert_int_equal(bf_calendar_set_year(&cal, 2026, off, 3, NULL, 0, NULL), 0);
    assert_int_equal(kind_of(&cal, ymd(2026, 1, 3), 0), BF_DAY_HOLIDAY);
    assert_int_equal(kind_of(&cal, ymd(2026, 1, 2), 0), BF_DAY_HOLIDAY);
    assert_int_equal(kind_of(&cal, ymd(2026, 1, 4), 0), BF_DAY_WEEKEND);
    /* A year with no data at all is known and weekends only. */
    assert_int_equal(bf_calendar_set_year(&cal, 2030, NULL, 0, NULL, 0, NULL), 0);
    assert_true(bf_calendar_year_known(&cal, 2030));
    assert_int_equal(kind_of(&cal, ymd(2030, 1, 1), 0), BF_DAY_WORKDAY);
    /* Bounds of the supported years. */
    assert_int_equal(bf_calendar_set_year(&cal, BF_CAL_MIN_YEAR, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(bf_calendar_set_year(&cal, BF_CAL_MAX_YEAR, NULL, 0, NULL, 0, NULL), 0);
    assert_int_equal(cal.first_year, 1970);
    assert_int_equal(cal.last_year, 2199);
    assert_int_equal(cal.first_day, 0);
    assert_int_equal(cal.n_days, ymd(2200, 1, 1));
    assert_true(bf_calendar_year_known(&cal, 1970));
    assert_false(bf_calendar_year_known(&cal, 1971));
    assert_int_equal(kind_of(&cal, ymd(2026, 1, 3), 0), BF_DAY_HOLIDAY); /* kept on growth */
    bf_calendar_fini(&cal);
}

/* 2027 is not in the notices; these days are made up for the test. Jan 1
 * 2027 is a Friday, Sat Jan 9 is worked. */
static void calendar_should_grow_for_a_later_year(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    const int32_t off[] = {ymd(2027, 1, 1)};
    const int32_t work[] = {ymd(2027, 1, 9)};
    assert_int_equal(bf_date_weekday(work[0]), SAT);
    struct bf_diag diag;
    bf_diag_clear(&diag);
    assert_int_equal(bf_calendar_set_year(&cal, 2027, off, 1, work, 1, &diag), 0);
    assert_true(bf_calendar_year_known(&cal, 2027));
    assert_int_equal(cal.first_year, 2025);
    assert_int_equal(cal.last_year, 2027);
    assert_int_equal(cal.n_days, 365 + 365 + 365);
    assert_int_equal(kind_of(&cal, ymd(2027, 1, 1), 0), BF_DAY_HOLIDAY);
    assert_int_equal(kind_of(&cal, ymd(2027, 1, 9), 0), BF_DAY_ADJUSTED);
    assert_int_equal(kind_of(&cal, ymd(2027, 1, 4), 0), BF_DAY_WORKDAY);
    /* Thu 2026-12-31 + 1: Fri Jan 1 off, Sat 2, Sun 3 -> Mon Jan 4, now known. */
    assert_int_equal(add_wd(&cal, ymd(2026, 12, 31), 1, 0), ymd(2027, 1, 4));
    /* Earlier data kept. */
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 14), 0), BF_DAY_ADJUSTED);
    assert_int_equal(kind_of(&cal, ymd(2025, 10, 8), 0), BF_DAY_HOLIDAY);
    assert_int_equal(count_wd(&cal, ymd(2026, 1, 1), ymd(2027, 1, 1), 0), 248);
    /* 2028 and later still unknown. */
    assert_int_equal(kind_of(&cal, ymd(2028, 1, 3), BF_CAL_UNKNOWN), BF_DAY_WORKDAY);
    bf_calendar_fini(&cal);
}

static void calendar_should_grow_for_an_earlier_year_and_leave_gaps_unknown(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    /* Made up: 2022 with Mon Oct 3 off. */
    const int32_t off[] = {ymd(2022, 10, 3)};
    assert_int_equal(bf_calendar_set_year(&cal, 2022, off, 1, NULL, 0, NULL), 0);
    assert_int_equal(cal.first_year, 2022);
    assert_int_equal(cal.last_year, 2026);
    assert_int_equal(cal.first_day, ymd(2022, 1, 1));
    assert_true(bf_calendar_year_known(&cal, 2022));
    /* 2023 and 2024 lie in the table but have no data. */
    assert_false(bf_calendar_year_known(&cal, 2023));
    assert_false(bf_calendar_year_known(&cal, 2024));
    assert_int_equal(kind_of(&cal, ymd(2024, 10, 1), BF_CAL_UNKNOWN), BF_DAY_WORKDAY);
    assert_int_equal(kind_of(&cal, ymd(2024, 10, 5), BF_CAL_UNKNOWN), BF_DAY_WEEKEND);
    assert_int_equal(kind_of(&cal, ymd(2022, 10, 3), 0), BF_DAY_HOLIDAY);
    /* The 2025/2026 data moved with the table. */
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 14), 0), BF_DAY_ADJUSTED);
    assert_int_equal(kind_of(&cal, ymd(2025, 1, 28), 0), BF_DAY_HOLIDAY);
    assert_int_equal(count_wd(&cal, ymd(2025, 1, 1), ymd(2027, 1, 1), 0), 496);
    /* A walk from known 2022 through the gap reports the gap. Fri 2022-12-30
     * + 1 = Mon 2023-01-02. */
    assert_int_equal(add_wd(&cal, ymd(2022, 12, 30), 1, BF_CAL_UNKNOWN), ymd(2023, 1, 2));
    /* Counting over known 2025 only is still clean. */
    assert_int_equal(count_wd(&cal, ymd(2025, 2, 1), ymd(2025, 3, 1), 0), 20 - 2 + 1);
    /* (Feb 2025: Sat 1 .. Fri 28 = 20 weekdays; Feb 3-4 off; Sat Feb 8 adjusted.) */
    bf_calendar_fini(&cal);
}

static void calendar_set_year_should_replace_previous_data(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    /* Replace 2026 with a single made-up day off, Mon Mar 2. */
    const int32_t off[] = {ymd(2026, 3, 2)};
    assert_int_equal(bf_calendar_set_year(&cal, 2026, off, 1, NULL, 0, NULL), 0);
    assert_int_equal(kind_of(&cal, ymd(2026, 3, 2), 0), BF_DAY_HOLIDAY);
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 16), 0), BF_DAY_WORKDAY);
    assert_int_equal(kind_of(&cal, ymd(2026, 2, 14), 0), BF_DAY_WEEKEND);
    assert_int_equal(kind_of(&cal, ymd(2026, 10, 1), 0), BF_DAY_WORKDAY);
    /* 261 weekdays - 1. 2025 untouched. */
    assert_int_equal(count_wd(&cal, ymd(2026, 1, 1), ymd(2027, 1, 1), 0), 260);
    assert_int_equal(count_wd(&cal, ymd(2025, 1, 1), ymd(2026, 1, 1), 0), 248);
    /* Putting the built-in data back restores it. */
    assert_int_equal(bf_calendar_add_cn_builtin(&cal, NULL), 0);
    assert_int_equal(count_wd(&cal, ymd(2026, 1, 1), ymd(2027, 1, 1), 0), 248);
    assert_int_equal(kind_of(&cal, ymd(2026, 3, 2), 0), BF_DAY_WORKDAY);
    bf_calendar_fini(&cal);
}

/* ---- projected years: statutory holidays without a notice ---- */

static void project(struct bf_calendar *cal, int first_year, int last_year)
{
    struct bf_diag diag;
    bf_diag_clear(&diag);
    const int rc = bf_calendar_project_cn(cal, first_year, last_year, &diag);
    if (rc != 0)
        fail_msg("projecting %d..%d: %s (%s)", first_year, last_year, diag.msg, bf_err_name(rc));
}

static bool working(const struct bf_calendar *cal, int32_t day)
{
    bool w = false;
    bf_cal_is_working_day(cal, day, &w);
    return w;
}

/* {month, day} pairs of one year as day numbers. */
static void days_of(int year, const int (*md)[2], size_t n, int32_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = ymd(year, md[i][0], md[i][1]);
}

/*
 * The 13 statutory days in the order of Art. 2. The lunar dates are the
 * published ones: lunar New Year 2025-01-29, 2026-02-17, 2027-02-06,
 * 2028-01-26, 2030-02-03; Dragon Boat 2025-05-31, 2026-06-19 (inside the
 * notices' breaks), 2027-06-09, 2028-05-28; Mid-Autumn 2025-10-06,
 * 2026-09-25, 2027-09-15, 2028-10-03. Qingming 2025-04-04, 2026-04-05,
 * 2027-04-05, 2028-04-04 (Hong Kong Observatory's solar-term tables). New
 * Year's Eve is the day before the lunar New Year: the 12th lunar month
 * ends on its 29th in 2025-2029 (no "大年三十" in those years) and on its
 * 30th before 2030-02-03.
 */
static void statutory_should_give_the_published_dates_in_the_order_of_the_regulation(void **state)
{
    (void)state;
    static const struct {
        int year;
        int md[BF_CAL_CN_STATUTORY_DAYS][2];
    } want[] = {
        {2025,
         {{1, 1},
          {1, 28},
          {1, 29},
          {1, 30},
          {1, 31},
          {4, 4},
          {5, 1},
          {5, 2},
          {5, 31},
          {10, 6},
          {10, 1},
          {10, 2},
          {10, 3}}},
        {2026,
         {{1, 1},
          {2, 16},
          {2, 17},
          {2, 18},
          {2, 19},
          {4, 5},
          {5, 1},
          {5, 2},
          {6, 19},
          {9, 25},
          {10, 1},
          {10, 2},
          {10, 3}}},
        {2027,
         {{1, 1},
          {2, 5},
          {2, 6},
          {2, 7},
          {2, 8},
          {4, 5},
          {5, 1},
          {5, 2},
          {6, 9},
          {9, 15},
          {10, 1},
          {10, 2},
          {10, 3}}},
        /* Mid-Autumn on National Day's 3 Oct: the day appears twice. */
        {2028,
         {{1, 1},
          {1, 25},
          {1, 26},
          {1, 27},
          {1, 28},
          {4, 4},
          {5, 1},
          {5, 2},
          {5, 28},
          {10, 3},
          {10, 1},
          {10, 2},
          {10, 3}}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int32_t expect[BF_CAL_CN_STATUTORY_DAYS], got[BF_CAL_CN_STATUTORY_DAYS];
        days_of(want[i].year, want[i].md, BF_CAL_CN_STATUTORY_DAYS, expect);
        size_t n = 0;
        struct bf_diag diag;
        bf_diag_clear(&diag);
        assert_int_equal(
            bf_calendar_cn_statutory(want[i].year, got, BF_CAL_CN_STATUTORY_DAYS, &n, &diag), 0);
        assert_int_equal(n, 13);
        for (size_t k = 0; k < BF_CAL_CN_STATUTORY_DAYS; k++)
            if (got[k] != expect[k]) {
                char a[11], b[11];
                fail_msg("%d, day [%zu]: %s, expected %s", want[i].year, k,
                         bf_date_format(got[k], a), bf_date_format(expect[k], b));
            }
    }
    /* A 30-day 12th month: the eve is its 30th, 2030-02-02. */
    int32_t d30[BF_CAL_CN_STATUTORY_DAYS];
    size_t n = 0;
    assert_int_equal(bf_calendar_cn_statutory(2030, d30, BF_CAL_CN_STATUTORY_DAYS, &n, NULL), 0);
    assert_int_equal(d30[1], ymd(2030, 2, 2));
    assert_int_equal(d30[2], ymd(2030, 2, 3));
    /* At most max days are written; *n is always the full count. */
    int32_t two[3] = {-1, -1, -1};
    assert_int_equal(bf_calendar_cn_statutory(2027, two, 2, &n, NULL), 0);
    assert_int_equal(n, 13);
    assert_int_equal(two[0], ymd(2027, 1, 1));
    assert_int_equal(two[1], ymd(2027, 2, 5));
    assert_int_equal(two[2], -1);
    n = 0;
    assert_int_equal(bf_calendar_cn_statutory(2027, NULL, 0, &n, NULL), 0);
    assert_int_equal(n, 13);
}

/* Every statutory day the library computes for 2025 and 2026 is a day off in
 * that year's notice. */
static void statutory_should_fall_on_days_off_of_the_2025_and_2026_notices(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    for (int year = 2025; year <= 2026; year++) {
        int32_t days[BF_CAL_CN_STATUTORY_DAYS];
        size_t n = 0;
        assert_int_equal(bf_calendar_cn_statutory(year, days, BF_CAL_CN_STATUTORY_DAYS, &n, NULL),
                         0);
        for (size_t k = 0; k < n; k++)
            if (kind_of(&cal, days[k], 0) != BF_DAY_HOLIDAY) {
                char buf[11];
                fail_msg("statutory day %s is not off in the notice", bf_date_format(days[k], buf));
            }
    }
    bf_calendar_fini(&cal);
}

static void statutory_should_reject_years_outside_the_rule_and_the_library(void **state)
{
    (void)state;
    const int bad[] = {2024, 1970, 2101, 2199, -5};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t days[2] = {7, 7};
        size_t n = 99;
        struct bf_diag diag;
        bf_diag_clear(&diag);
        assert_int_equal(bf_calendar_cn_statutory(bad[i], days, 2, &n, &diag), BF_ERANGE);
        assert_int_equal(n, 99); /* untouched */
        assert_int_equal(days[0], 7);
        assert_true(diag.where[0] != '\0');
        if (strstr(diag.msg, "cannot be projected: the statutory holidays can be projected for "
                             "2025..2100 only") == NULL)
            fail_msg("year %d: message \"%s\"", bad[i], diag.msg);
    }
}

/* A notice's holiday block: the days from its first adjusted working day or
 * day off to its last, and what the notice adds beyond the projection. */
struct block {
    const char *holiday;
    int from_m, from_d, to_m, to_d;
    int bridges;  /* weekdays off in the notice, working in the projection */
    int adjusted; /* weekend days worked in the notice (调休) */
};

/*
 * Projects `year` onto an empty calendar and compares it with the built-in
 * notice: every projected day off is off in the notice; in each block the
 * notice's extra weekdays off equal its adjusted working days (and the
 * numbers worked out by hand); the days whose working status differs are
 * exactly `diff`; both give `working_days` over the year.
 */
static void compare_with_notice(int year, const struct block *blocks, size_t n_blocks,
                                const int (*diff)[2], size_t n_diff, uint32_t working_days)
{
    struct bf_calendar notice, proj;
    builtin(&notice);
    bf_calendar_init(&proj);
    project(&proj, year, year);
    assert_true(bf_calendar_year_projected(&proj, year));
    assert_false(bf_calendar_year_known(&proj, year));
    const int32_t jan1 = ymd(year, 1, 1), next = ymd(year + 1, 1, 1);
    char buf[11];
    for (int32_t day = jan1; day < next; day++)
        if (kind_of(&proj, day, BF_CAL_PROJECTED) == BF_DAY_HOLIDAY &&
            kind_of(&notice, day, 0) != BF_DAY_HOLIDAY)
            fail_msg("projected day off %s is not off in the notice", bf_date_format(day, buf));
    for (size_t i = 0; i < n_blocks; i++) {
        const struct block *b = &blocks[i];
        int bridges = 0, adjusted = 0;
        for (int32_t day = ymd(year, b->from_m, b->from_d); day <= ymd(year, b->to_m, b->to_d);
             day++) {
            bridges += !working(&notice, day) && working(&proj, day);
            adjusted += kind_of(&notice, day, 0) == BF_DAY_ADJUSTED;
        }
        if (bridges != b->bridges || adjusted != b->adjusted || bridges != adjusted)
            fail_msg("%d %s: %d bridge days and %d adjusted days, expected %d and %d", year,
                     b->holiday, bridges, adjusted, b->bridges, b->adjusted);
    }
    size_t k = 0;
    for (int32_t day = jan1; day < next; day++) {
        if (working(&notice, day) == working(&proj, day))
            continue;
        if (k >= n_diff || day != ymd(year, diff[k][0], diff[k][1]))
            fail_msg("%s: working %d in the notice, %d projected, not listed",
                     bf_date_format(day, buf), working(&notice, day), working(&proj, day));
        k++;
    }
    assert_int_equal(k, n_diff);
    assert_int_equal(count_wd(&notice, jan1, next, 0), working_days);
    assert_int_equal(count_wd(&proj, jan1, next, BF_CAL_PROJECTED), working_days);
    bf_calendar_fini(&notice);
    bf_calendar_fini(&proj);
}

/*
 * 2026 projected: Jan 1 (Thu); Feb 16-19 (Mon-Thu); Qingming Sun Apr 5 ->
 * made up Mon Apr 6; May 1 (Fri), Sat May 2 -> Mon May 4; Jun 19 (Fri); Sep
 * 25 (Fri); Oct 1-2 (Thu, Fri), Sat Oct 3 -> Mon Oct 5. 13 weekdays off, so
 * 261 - 13 = 248 working days, as under the notice.
 * The notice differs on its bridge days and adjusted working days only:
 *   New Year:        Fri Jan 2 off, Sun Jan 4 worked
 *   Spring Festival: Fri Feb 20, Mon Feb 23 off; Sat Feb 14, Sat Feb 28 worked
 *   Qingming:        none (Apr 4-6 = Sat, Sun and the make-up Mon)
 *   Labour Day:      Tue May 5 off, Sat May 9 worked
 *   Dragon Boat, Mid-Autumn: none (Fri + weekend)
 *   National Day:    Tue Oct 6, Wed Oct 7 off; Sun Sep 20, Sat Oct 10 worked
 * (The National Day block Sep 20 - Oct 10 holds the Mid-Autumn one, which
 * adds nothing to either count.)
 */
static void projection_should_match_2026_notice_but_for_bridges_and_adjusted_days(void **state)
{
    (void)state;
    static const struct block blocks[] = {
        {"New Year", 1, 1, 1, 4, 1, 1},        {"Spring Festival", 2, 14, 2, 28, 2, 2},
        {"Qingming", 4, 4, 4, 6, 0, 0},        {"Labour Day", 5, 1, 5, 9, 1, 1},
        {"Dragon Boat", 6, 19, 6, 21, 0, 0},   {"Mid-Autumn", 9, 25, 9, 27, 0, 0},
        {"National Day", 9, 20, 10, 10, 2, 2},
    };
    static const int diff[][2] = {
        {1, 2}, {1, 4}, {2, 14}, {2, 20}, {2, 23}, {2, 28},
        {5, 5}, {5, 9}, {9, 20}, {10, 6}, {10, 7}, {10, 10},
    };
    compare_with_notice(2026, blocks, sizeof blocks / sizeof blocks[0], diff,
                        sizeof diff / sizeof diff[0], 248);
}

/*
 * 2025 projected: Jan 1 (Wed); Jan 28-31 (Tue-Fri); Apr 4 (Fri); May 1-2
 * (Thu, Fri); Dragon Boat Sat May 31 -> made up Mon Jun 2; Oct 1-3 (Wed-Fri);
 * Mid-Autumn Mon Oct 6. 13 weekdays off: 261 - 13 = 248, as the notice.
 * The notice's extra days:
 *   Spring Festival: Mon Feb 3, Tue Feb 4 off; Sun Jan 26, Sat Feb 8 worked
 *   Labour Day:      Mon May 5 off; Sun Apr 27 worked
 *   National Day + Mid-Autumn: Tue Oct 7, Wed Oct 8 off; Sun Sep 28, Sat
 *                    Oct 11 worked
 * New Year, Qingming (Apr 4-6 = Fri + weekend) and Dragon Boat (May 31 -
 * Jun 2, the make-up Monday included) add nothing.
 */
static void projection_should_match_2025_notice_but_for_bridges_and_adjusted_days(void **state)
{
    (void)state;
    static const struct block blocks[] = {
        {"New Year", 1, 1, 1, 1, 0, 0},     {"Spring Festival", 1, 26, 2, 8, 2, 2},
        {"Qingming", 4, 4, 4, 6, 0, 0},     {"Labour Day", 4, 27, 5, 5, 1, 1},
        {"Dragon Boat", 5, 31, 6, 2, 0, 0}, {"National Day + Mid-Autumn", 9, 28, 10, 11, 2, 2},
    };
    static const int diff[][2] = {
        {1, 26}, {2, 3}, {2, 4}, {2, 8}, {4, 27}, {5, 5}, {9, 28}, {10, 7}, {10, 8}, {10, 11},
    };
    compare_with_notice(2025, blocks, sizeof blocks / sizeof blocks[0], diff,
                        sizeof diff / sizeof diff[0], 248);
}

/*
 * The caveat of docs/calendar.md, worked out: 2026 National Day under the
 * notice is Oct 1-7 off, Thu 8, Fri 9, Sat 10 (adjusted) worked; projected,
 * Oct 1-2 off, Sat 3, Sun 4, Mon 5 (made up) off, Tue 6 worked. 3 working
 * days after Wed Sep 30: Oct 10 vs Oct 8; working days in Oct 1-8: 1 (Oct 8)
 * vs 3 (Oct 6, 7, 8). Over the whole block (Sep 20 - Oct 10) both count 11:
 * Sep 20 (adj.), 21-24, 28-30, Oct 8, 9, 10 vs Sep 21-24, 28-30, Oct 6-9
 * (Fri Sep 25 is Mid-Autumn in both).
 */
static void projection_should_be_off_by_up_to_two_days_near_a_long_break(void **state)
{
    (void)state;
    struct bf_calendar notice, proj;
    builtin(&notice);
    bf_calendar_init(&proj);
    project(&proj, 2026, 2026);
    assert_int_equal(add_wd(&notice, ymd(2026, 9, 30), 3, 0), ymd(2026, 10, 10));
    assert_int_equal(add_wd(&proj, ymd(2026, 9, 30), 3, BF_CAL_PROJECTED), ymd(2026, 10, 8));
    assert_int_equal(count_wd(&notice, ymd(2026, 10, 1), ymd(2026, 10, 9), 0), 1);
    assert_int_equal(count_wd(&proj, ymd(2026, 10, 1), ymd(2026, 10, 9), BF_CAL_PROJECTED), 3);
    assert_int_equal(count_wd(&notice, ymd(2026, 9, 20), ymd(2026, 10, 11), 0), 11);
    assert_int_equal(count_wd(&proj, ymd(2026, 9, 20), ymd(2026, 10, 11), BF_CAL_PROJECTED), 11);
    bf_calendar_fini(&notice);
    bf_calendar_fini(&proj);
}

/* Checks every day of a projected year: HOLIDAY on the listed days, the
 * weekday's plain kind elsewhere, and BF_CAL_PROJECTED for each. */
static void check_projected_year(const struct bf_calendar *cal, int year, const int (*off)[2],
                                 size_t n_off)
{
    const int32_t jan1 = ymd(year, 1, 1), next = ymd(year + 1, 1, 1);
    size_t k = 0;
    for (int32_t day = jan1; day < next; day++) {
        const bool listed = k < n_off && day == ymd(year, off[k][0], off[k][1]);
        const enum bf_day_kind want = listed                        ? BF_DAY_HOLIDAY
                                      : bf_date_weekday(day) >= SAT ? BF_DAY_WEEKEND
                                                                    : BF_DAY_WORKDAY;
        const enum bf_day_kind got = kind_of(cal, day, BF_CAL_PROJECTED);
        if (got != want) {
            char buf[11];
            fail_msg("%s: kind %d, expected %d", bf_date_format(day, buf), (int)got, (int)want);
        }
        k += listed;
    }
    assert_int_equal(k, n_off);
}

/*
 * 2027 by hand (Jan 1 is a Friday; weekday of a day = Fri + (day of year - 1)
 * mod 7):
 *   New Year        Fri Jan 1
 *   Spring Festival Fri Feb 5 (eve, lunar 12/29) - Mon Feb 8 (lunar 1/3):
 *                   Sat Feb 6 and Sun Feb 7 made up on Tue Feb 9, Wed Feb 10
 *   Qingming        Mon Apr 5 (offset 94 = 13*7+3)
 *   Labour Day      Sat May 1, Sun May 2 -> Mon May 3, Tue May 4
 *   Dragon Boat     Wed Jun 9 (lunar 5/5; offset 159 = 22*7+5)
 *   Mid-Autumn      Wed Sep 15 (lunar 8/15; offset 257 = 36*7+5)
 *   National Day    Fri Oct 1 - Sun Oct 3 -> Mon Oct 4, Tue Oct 5
 * 19 days off, 13 of them weekdays; no adjusted weekend. 2027 has 261
 * weekdays (52 weeks + Fri Dec 31), so 248 working days.
 */
static void projection_should_give_2027_worked_out_by_hand(void **state)
{
    (void)state;
    static const int off[][2] = {
        {1, 1}, {2, 5}, {2, 6}, {2, 7},  {2, 8},  {2, 9},  {2, 10}, {4, 5},  {5, 1},  {5, 2},
        {5, 3}, {5, 4}, {6, 9}, {9, 15}, {10, 1}, {10, 2}, {10, 3}, {10, 4}, {10, 5},
    };
    assert_int_equal(bf_date_weekday(ymd(2027, 2, 5)), FRI);
    assert_int_equal(bf_date_weekday(ymd(2027, 4, 5)), MON);
    assert_int_equal(bf_date_weekday(ymd(2027, 5, 1)), SAT);
    assert_int_equal(bf_date_weekday(ymd(2027, 6, 9)), WED);
    assert_int_equal(bf_date_weekday(ymd(2027, 9, 15)), WED);
    assert_int_equal(bf_date_weekday(ymd(2027, 10, 1)), FRI);
    struct bf_calendar cal;
    builtin(&cal);
    project(&cal, 2027, 2027);
    assert_true(bf_calendar_year_projected(&cal, 2027));
    assert_false(bf_calendar_year_known(&cal, 2027));
    assert_false(bf_calendar_year_projected(&cal, 2026)); /* a notice's year */
    assert_false(bf_calendar_year_projected(&cal, 2028));
    check_projected_year(&cal, 2027, off, sizeof off / sizeof off[0]);
    assert_int_equal(count_wd(&cal, ymd(2027, 1, 1), ymd(2028, 1, 1), BF_CAL_PROJECTED), 248);
    /* The Spring Festival break: Thu Feb 4 works, Feb 5-10 off, Thu Feb 11. */
    assert_int_equal(add_wd(&cal, ymd(2027, 2, 4), 1, BF_CAL_PROJECTED), ymd(2027, 2, 11));
    int32_t out;
    assert_int_equal(bf_cal_next_working_day(&cal, ymd(2027, 2, 5), &out), BF_CAL_PROJECTED);
    assert_int_equal(out, ymd(2027, 2, 11));
    bf_calendar_fini(&cal);
}

/*
 * 2028 (Jan 1 a Saturday, leap year): Mid-Autumn (lunar 8/15) is Tue Oct 3,
 * the third day of National Day (Sun Oct 1 - Tue Oct 3). Both are made up:
 * Sun Oct 1 on Wed Oct 4, the doubled Oct 3 on Thu Oct 5 (as the 2009 and
 * 2020 notices counted a Mid-Autumn on National Day), Fri Oct 6 works. Also
 * New Year on Sat Jan 1 -> Mon Jan 3, Dragon Boat on Sun May 28 -> Mon May
 * 29; Spring Festival Tue Jan 25 - Fri Jan 28, Qingming Tue Apr 4, Labour
 * Day Mon May 1 - Tue May 2 need no make-up. 13 weekdays off; 2028 has 260
 * weekdays (52 weeks + Sat Dec 30, Sun Dec 31): 247 working days.
 */
static void projection_should_make_up_mid_autumn_on_national_day_2028(void **state)
{
    (void)state;
    static const int off[][2] = {
        {1, 1}, {1, 3},  {1, 25}, {1, 26}, {1, 27}, {1, 28}, {4, 4},  {5, 1},
        {5, 2}, {5, 28}, {5, 29}, {10, 1}, {10, 2}, {10, 3}, {10, 4}, {10, 5},
    };
    assert_int_equal(bf_date_weekday(ymd(2028, 1, 1)), SAT);
    assert_int_equal(bf_date_weekday(ymd(2028, 5, 28)), SUN);
    assert_int_equal(bf_date_weekday(ymd(2028, 10, 1)), SUN);
    struct bf_calendar cal;
    bf_calendar_init(&cal);
    project(&cal, 2028, 2028);
    check_projected_year(&cal, 2028, off, sizeof off / sizeof off[0]);
    assert_int_equal(count_wd(&cal, ymd(2028, 1, 1), ymd(2029, 1, 1), BF_CAL_PROJECTED), 247);
    bf_calendar_fini(&cal);
}

/* Weekdays in [a, b), counted one by one. */
static uint32_t weekdays(int32_t a, int32_t b)
{
    uint32_t n = 0;
    for (int32_t d = a; d < b; d++)
        n += bf_date_weekday(d) < SAT;
    return n;
}

/*
 * Over the whole range: each year holds its 13 statutory days as days off,
 * Qingming on Apr 4 or 5, the Spring Festival as eve + three days in late
 * January or February, and, made-up days included, exactly 13 weekdays off
 * and no adjusted day.
 */
static void projection_should_give_13_weekdays_off_in_every_year_it_covers(void **state)
{
    (void)state;
    struct bf_calendar cal;
    bf_calendar_init(&cal);
    project(&cal, BF_CAL_CN_PROJECT_MIN_YEAR, BF_CAL_CN_PROJECT_MAX_YEAR);
    assert_int_equal(cal.first_year, 2025);
    assert_int_equal(cal.last_year, 2100);
    for (int year = 2025; year <= 2100; year++) {
        assert_true(bf_calendar_year_projected(&cal, year));
        const int32_t jan1 = ymd(year, 1, 1), next = ymd(year + 1, 1, 1);
        const uint32_t n = count_wd(&cal, jan1, next, BF_CAL_PROJECTED);
        if (n != weekdays(jan1, next) - 13)
            fail_msg("%d: %u working days, %u weekdays", year, n, weekdays(jan1, next));
        int32_t days[BF_CAL_CN_STATUTORY_DAYS];
        size_t k = 0;
        assert_int_equal(bf_calendar_cn_statutory(year, days, BF_CAL_CN_STATUTORY_DAYS, &k, NULL),
                         0);
        for (size_t i = 0; i < k; i++)
            assert_int_equal(kind_of(&cal, days[i], BF_CAL_PROJECTED), BF_DAY_HOLIDAY);
        assert_true(days[5] == ymd(year, 4, 4) || days[5] == ymd(year, 4, 5));
        assert_true(days[1] >= ymd(year, 1, 20) && days[1] <= ymd(year, 2, 19));
        for (int i = 2; i <= 4; i++)
            assert_int_equal(days[i], days[1] + (i - 1));
        for (int32_t day = jan1; day < next; day++)
            assert_int_not_equal(kind_of(&cal, day, BF_CAL_PROJECTED), BF_DAY_ADJUSTED);
    }
    bf_calendar_fini(&cal);
}

/*
 * A notice wins: projecting leaves the built-in 2025 and 2026 as they are,
 * and a scenario's notice for 2027 given after projecting replaces the
 * projection (the year becomes known, not projected) and survives a second
 * projection. The 2027 notice here is made up: Feb 5-11 off, Sat Feb 20
 * worked, nothing else (so National Day's Mon Oct 4 is a workday again).
 */
static void projection_should_yield_to_a_notice(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    project(&cal, 2025, 2028);
    assert_true(bf_calendar_year_known(&cal, 2025));
    assert_true(bf_calendar_year_known(&cal, 2026));
    assert_false(bf_calendar_year_projected(&cal, 2026));
    assert_int_equal(kind_of(&cal, ymd(2026, 1, 2), 0), BF_DAY_HOLIDAY);  /* the bridge Friday */
    assert_int_equal(kind_of(&cal, ymd(2026, 1, 4), 0), BF_DAY_ADJUSTED); /* kept */
    assert_int_equal(count_wd(&cal, ymd(2026, 1, 1), ymd(2027, 1, 1), 0), 248);
    assert_int_equal(kind_of(&cal, ymd(2027, 10, 4), BF_CAL_PROJECTED), BF_DAY_HOLIDAY);

    const int32_t off[] = {ymd(2027, 2, 5), ymd(2027, 2, 6),  ymd(2027, 2, 7), ymd(2027, 2, 8),
                           ymd(2027, 2, 9), ymd(2027, 2, 10), ymd(2027, 2, 11)};
    const int32_t work[] = {ymd(2027, 2, 20)};
    assert_int_equal(bf_date_weekday(work[0]), SAT);
    assert_int_equal(bf_calendar_set_year(&cal, 2027, off, 7, work, 1, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        assert_true(bf_calendar_year_known(&cal, 2027));
        assert_false(bf_calendar_year_projected(&cal, 2027));
        assert_int_equal(kind_of(&cal, ymd(2027, 2, 11), 0), BF_DAY_HOLIDAY);
        assert_int_equal(kind_of(&cal, ymd(2027, 2, 20), 0), BF_DAY_ADJUSTED);
        assert_int_equal(kind_of(&cal, ymd(2027, 1, 1), 0), BF_DAY_WORKDAY); /* replaced */
        assert_int_equal(kind_of(&cal, ymd(2027, 10, 4), 0), BF_DAY_WORKDAY);
        /* 261 weekdays - Feb 5, 8, 9, 10, 11 + Sat Feb 20. */
        assert_int_equal(count_wd(&cal, ymd(2027, 1, 1), ymd(2028, 1, 1), 0), 257);
        project(&cal, 2027, 2028); /* the second pass checks this changed nothing */
    }
    assert_true(bf_calendar_year_projected(&cal, 2028));

    /* The built-in notices added after a projection win too. */
    struct bf_calendar early;
    bf_calendar_init(&early);
    project(&early, 2025, 2026);
    assert_int_equal(kind_of(&early, ymd(2026, 1, 2), BF_CAL_PROJECTED), BF_DAY_WORKDAY);
    assert_int_equal(bf_calendar_add_cn_builtin(&early, NULL), 0);
    assert_true(bf_calendar_year_known(&early, 2026));
    assert_false(bf_calendar_year_projected(&early, 2026));
    assert_int_equal(kind_of(&early, ymd(2026, 1, 2), 0), BF_DAY_HOLIDAY);
    bf_calendar_fini(&early);
    bf_calendar_fini(&cal);
}

/*
 * Walks over year ends, built-in 2025/2026 and (if projected) 2027, 2028
 * without data:
 *  - from Mon 2026-12-28, 4 working days: Tue 29, Wed 30, Thu 31, then Fri
 *    Jan 1 2027 is New Year, Sat 2, Sun 3, Mon Jan 4 (4);
 *  - unprojected, Fri Jan 1 is a plain workday: it is the 4th;
 *  - from Thu 2027-12-30, 2: Fri Dec 31 (1), Mon 2028-01-03 (2), with 2028
 *    weekends only: both flags;
 *  - from 2026-12-28, 300: 3 in 2026, 248 in 2027 (to Fri Dec 31, a working
 *    day), then 49 in weekends-only 2028 from Mon Jan 3: 9 weeks (45) end on
 *    Fri Mar 3, then Mon 6, Tue 7, Wed 8, Thu Mar 9 (49).
 */
static void calendar_should_flag_walks_through_projected_years(void **state)
{
    (void)state;
    struct bf_calendar cal, plain;
    builtin(&cal);
    builtin(&plain);
    project(&cal, 2027, 2027);
    assert_int_equal(add_wd(&cal, ymd(2026, 12, 28), 4, BF_CAL_PROJECTED), ymd(2027, 1, 4));
    assert_int_equal(add_wd(&plain, ymd(2026, 12, 28), 4, BF_CAL_UNKNOWN), ymd(2027, 1, 1));
    /* Staying in 2026 is clean either way. */
    assert_int_equal(add_wd(&cal, ymd(2026, 12, 28), 3, 0), ymd(2026, 12, 31));
    assert_int_equal(add_wd(&cal, ymd(2027, 12, 30), 2, BF_CAL_UNKNOWN | BF_CAL_PROJECTED),
                     ymd(2028, 1, 3));
    assert_int_equal(add_wd(&cal, ymd(2026, 12, 28), 300, BF_CAL_UNKNOWN | BF_CAL_PROJECTED),
                     ymd(2028, 3, 9));
    /* Counts and single days carry the same flags. Dec 2026 has 23 working
     * days (see the unknown-years test). */
    assert_int_equal(count_wd(&cal, ymd(2026, 12, 1), ymd(2028, 1, 1), BF_CAL_PROJECTED), 23 + 248);
    assert_int_equal(
        count_wd(&cal, ymd(2027, 12, 31), ymd(2028, 1, 4), BF_CAL_UNKNOWN | BF_CAL_PROJECTED), 2);
    assert_int_equal(kind_of(&cal, ymd(2027, 2, 6), BF_CAL_PROJECTED), BF_DAY_HOLIDAY);
    assert_int_equal(kind_of(&cal, ymd(2028, 1, 1), BF_CAL_UNKNOWN), BF_DAY_WEEKEND);
    bool w = true;
    assert_int_equal(bf_cal_is_working_day(&cal, ymd(2027, 1, 1), &w), BF_CAL_PROJECTED);
    assert_false(w);
    /* A walk from before the table, over the built-in and projected years. */
    assert_int_equal(add_wd(&cal, ymd(2024, 12, 30), 2, BF_CAL_UNKNOWN), ymd(2025, 1, 2));
    int32_t got;
    const int rc = bf_cal_add_working_days(&cal, ymd(2024, 12, 1), 1000, &got);
    assert_int_equal(rc, BF_CAL_UNKNOWN | BF_CAL_PROJECTED);
    bf_calendar_fini(&cal);
    bf_calendar_fini(&plain);
}

/* Bad ranges: BF_ERANGE with a message, the calendar unchanged (nothing of a
 * range is written when any of its years is refused). */
static void expect_project_error(int first_year, int last_year, const char *part)
{
    struct bf_calendar cal;
    builtin(&cal);
    const struct bf_calendar snap = cal;
    uint8_t *kind = malloc(cal.n_days), *known = malloc(2);
    assert_non_null(kind);
    assert_non_null(known);
    memcpy(kind, cal.kind, cal.n_days);
    memcpy(known, cal.known, 2);
    struct bf_diag diag;
    bf_diag_clear(&diag);
    assert_int_equal(bf_calendar_project_cn(&cal, first_year, last_year, &diag), BF_ERANGE);
    if (strstr(diag.msg, part) == NULL)
        fail_msg("projecting %d..%d: message \"%s\" lacks \"%s\"", first_year, last_year, diag.msg,
                 part);
    assert_true(diag.where[0] != '\0');
    expect_unchanged(&cal, &snap, kind, known);
    free(kind);
    free(known);
    bf_calendar_fini(&cal);

    struct bf_calendar empty;
    bf_calendar_init(&empty);
    assert_int_equal(bf_calendar_project_cn(&empty, first_year, last_year, NULL), BF_ERANGE);
    assert_null(empty.kind);
    assert_null(empty.known);
}

static void projection_should_reject_years_it_cannot_project(void **state)
{
    (void)state;
    expect_project_error(2024, 2027,
                         "year 2024 cannot be projected: the statutory holidays can be projected "
                         "for 2025..2100 only (the amended Holidays Regulation is in force from "
                         "2025, the lunar-date tables end with 2100)");
    expect_project_error(2027, 2101, "year 2101 cannot be projected");
    expect_project_error(1969, 1969, "year 1969 cannot be projected");
    expect_project_error(2200, 2200, "year 2200 cannot be projected");
    expect_project_error(2028, 2027, "first year 2028 is after last year 2027");
}

/* ---- memory ---- */

static void calendar_set_year_should_not_allocate_inside_its_range(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    bf_alloc_fail_at(1, 1);
    const int32_t off[] = {ymd(2025, 3, 3)};
    const int rc = bf_calendar_set_year(&cal, 2025, off, 1, NULL, 0, NULL);
    const uint64_t n = bf_alloc_count();
    bf_alloc_fail_at(0, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 0);
    assert_int_equal(kind_of(&cal, ymd(2025, 3, 3), 0), BF_DAY_HOLIDAY);
    bf_calendar_fini(&cal);
}

static void calendar_should_fail_cleanly_when_allocation_fails(void **state)
{
    (void)state;
    struct bf_diag diag;
    const int32_t off[] = {ymd(2027, 1, 1)};

    /* An empty calendar stays empty. */
    struct bf_calendar cal;
    bf_calendar_init(&cal);
    bf_alloc_fail_at(1, 1);
    int rc = bf_calendar_set_year(&cal, 2027, off, 1, NULL, 0, &diag);
    bf_alloc_fail_at(0, 0);
    assert_int_equal(rc, BF_ENOMEM);
    assert_null(cal.kind);
    assert_null(cal.known);
    assert_int_equal(cal.n_days, 0);
    assert_false(bf_calendar_year_known(&cal, 2027));
    assert_true(strstr(diag.msg, "out of memory") != NULL);

    /* Every allocation point of the built-in data, one at a time (the
     * second failing checks the first is freed: ASan reports a leak). */
    uint64_t points = 0;
    for (uint64_t k = 1;; k++) {
        bf_alloc_fail_at(k, 0);
        rc = bf_calendar_add_cn_builtin(&cal, &diag);
        bf_alloc_fail_at(0, 0);
        if (rc == 0)
            break;
        assert_int_equal(rc, BF_ENOMEM);
        assert_null(cal.kind);
        assert_false(bf_calendar_year_known(&cal, 2025));
        assert_false(bf_calendar_year_known(&cal, 2026));
        points++;
    }
    assert_int_equal(points, 2); /* the day table and the year flags */
    assert_true(bf_calendar_year_known(&cal, 2025));
    assert_true(bf_calendar_year_known(&cal, 2026));

    /* Growing a filled calendar: unchanged on failure, at either point. */
    const struct bf_calendar snap = cal;
    uint8_t *kind = malloc(cal.n_days), *known = malloc(2);
    assert_non_null(kind);
    assert_non_null(known);
    memcpy(kind, cal.kind, cal.n_days);
    memcpy(known, cal.known, 2);
    for (uint64_t k = 1; k <= 2; k++) {
        bf_alloc_fail_at(k, 1);
        rc = bf_calendar_set_year(&cal, 2027, off, 1, NULL, 0, &diag);
        bf_alloc_fail_at(0, 0);
        assert_int_equal(rc, BF_ENOMEM);
        expect_unchanged(&cal, &snap, kind, known);
        assert_false(bf_calendar_year_known(&cal, 2027));
        assert_int_equal(kind_of(&cal, ymd(2026, 2, 14), 0), BF_DAY_ADJUSTED);
    }
    free(kind);
    free(known);
    /* Disarmed, the same call works. */
    assert_int_equal(bf_calendar_set_year(&cal, 2027, off, 1, NULL, 0, &diag), 0);
    assert_true(bf_calendar_year_known(&cal, 2027));
    bf_calendar_fini(&cal);
    assert_int_equal(bf_alloc_live_bytes(), 0);
}

/* Projecting grows the table like set_year: on a failure at either
 * allocation point the calendar is unchanged and no year is projected. */
static void projection_should_fail_cleanly_when_allocation_fails(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    const struct bf_calendar snap = cal;
    uint8_t *kind = malloc(cal.n_days), *known = malloc(2);
    assert_non_null(kind);
    assert_non_null(known);
    memcpy(kind, cal.kind, cal.n_days);
    memcpy(known, cal.known, 2);
    struct bf_diag diag;
    uint64_t points = 0;
    for (uint64_t k = 1;; k++) {
        bf_diag_clear(&diag);
        bf_alloc_fail_at(k, 0);
        const int rc = bf_calendar_project_cn(&cal, 2027, 2028, &diag);
        bf_alloc_fail_at(0, 0);
        if (rc == 0)
            break;
        assert_int_equal(rc, BF_ENOMEM);
        assert_true(strstr(diag.msg, "out of memory") != NULL);
        expect_unchanged(&cal, &snap, kind, known);
        assert_false(bf_calendar_year_projected(&cal, 2027));
        points++;
    }
    assert_int_equal(points, 2); /* the day table and the year flags */
    assert_true(bf_calendar_year_projected(&cal, 2027));
    assert_true(bf_calendar_year_projected(&cal, 2028));
    free(kind);
    free(known);
    bf_calendar_fini(&cal);
    assert_int_equal(bf_alloc_live_bytes(), 0);
}

static void calendar_fini_should_reset_to_empty(void **state)
{
    (void)state;
    struct bf_calendar cal;
    builtin(&cal);
    bf_calendar_fini(&cal);
    assert_null(cal.kind);
    assert_null(cal.known);
    assert_int_equal(cal.n_days, 0);
    assert_false(bf_calendar_year_known(&cal, 2026));
    bf_calendar_fini(&cal); /* twice is harmless */
    /* Usable again after fini. */
    assert_int_equal(bf_calendar_add_cn_builtin(&cal, NULL), 0);
    assert_true(bf_calendar_year_known(&cal, 2026));
    bf_calendar_fini(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_should_number_days_from_1970),
        cmocka_unit_test(date_should_match_naive_day_counter),
        cmocka_unit_test(date_should_round_trip_at_int32_limits),
        cmocka_unit_test(date_should_know_leap_years),
        cmocka_unit_test(date_should_give_iso_weekdays),
        cmocka_unit_test(date_should_parse_valid_dates),
        cmocka_unit_test(date_should_reject_malformed_text_with_message),
        cmocka_unit_test(date_should_reject_impossible_dates_with_message),
        cmocka_unit_test(date_should_format_yyyy_mm_dd),
        cmocka_unit_test(cal_time_should_convert_days_and_hours),
        cmocka_unit_test(cal_day_of_should_floor_toward_earlier_day),
        cmocka_unit_test(holidays_should_list_builtin_years),
        cmocka_unit_test(holidays_should_make_adjusted_days_weekends),
        cmocka_unit_test(holidays_should_classify_every_2026_day_of_the_notice),
        cmocka_unit_test(holidays_should_classify_every_2025_day_of_the_notice),
        cmocka_unit_test(calendar_should_step_over_spring_festival_2026),
        cmocka_unit_test(calendar_should_step_over_national_day_2026),
        cmocka_unit_test(calendar_should_treat_sep_20_2026_sunday_as_working),
        cmocka_unit_test(calendar_should_count_working_days_by_hand),
        cmocka_unit_test(calendar_should_fall_back_to_weekends_for_unknown_years),
        cmocka_unit_test(calendar_should_report_unknown_when_walk_leaves_known_years),
        cmocka_unit_test(statutory_should_give_the_published_dates_in_the_order_of_the_regulation),
        cmocka_unit_test(statutory_should_fall_on_days_off_of_the_2025_and_2026_notices),
        cmocka_unit_test(statutory_should_reject_years_outside_the_rule_and_the_library),
        cmocka_unit_test(projection_should_match_2026_notice_but_for_bridges_and_adjusted_days),
        cmocka_unit_test(projection_should_match_2025_notice_but_for_bridges_and_adjusted_days),
        cmocka_unit_test(projection_should_be_off_by_up_to_two_days_near_a_long_break),
        cmocka_unit_test(projection_should_give_2027_worked_out_by_hand),
        cmocka_unit_test(projection_should_make_up_mid_autumn_on_national_day_2028),
        cmocka_unit_test(projection_should_give_13_weekdays_off_in_every_year_it_covers),
        cmocka_unit_test(projection_should_yield_to_a_notice),
        cmocka_unit_test(calendar_should_flag_walks_through_projected_years),
        cmocka_unit_test(projection_should_reject_years_it_cannot_project),
        cmocka_unit_test(calendar_should_agree_with_day_by_day_reference),
        cmocka_unit_test(workdays_should_agree_with_the_calendar_walk),
        cmocka_unit_test(calendar_should_skip_whole_weeks_outside_the_table),
        cmocka_unit_test(cal_next_day_of_month_should_clamp_to_short_months),
        cmocka_unit_test(cal_next_day_of_month_should_include_the_day_and_roll_over),
        cmocka_unit_test(cal_next_weekday_should_find_first_day_in_mask),
        cmocka_unit_test(calendar_set_year_should_reject_adjusted_weekday),
        cmocka_unit_test(calendar_set_year_should_reject_date_outside_year),
        cmocka_unit_test(calendar_set_year_should_reject_day_both_off_and_work),
        cmocka_unit_test(calendar_set_year_should_reject_year_outside_supported_range),
        cmocka_unit_test(calendar_set_year_should_reject_missing_list),
        cmocka_unit_test(calendar_set_year_should_accept_days_off_on_weekends),
        cmocka_unit_test(calendar_should_grow_for_a_later_year),
        cmocka_unit_test(calendar_should_grow_for_an_earlier_year_and_leave_gaps_unknown),
        cmocka_unit_test(calendar_set_year_should_replace_previous_data),
        cmocka_unit_test(calendar_set_year_should_not_allocate_inside_its_range),
        cmocka_unit_test(calendar_should_fail_cleanly_when_allocation_fails),
        cmocka_unit_test(projection_should_fail_cleanly_when_allocation_fails),
        cmocka_unit_test(calendar_fini_should_reset_to_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
