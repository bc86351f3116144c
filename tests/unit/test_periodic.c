/*
 * test_periodic.c - periodic schedules against the 2026 calendar.
 *
 * Dates checked by hand against the 2026 holiday notice: National Day
 * Oct 1-7 off, Sep 20 (Sun) and Oct 10 (Sat) working days.
 */
#include <string.h>

#include "borderflow/periodic.h"

#include "bf_test.h"

static struct bf_calendar cal;

static int setup(void **state)
{
    (void)state;
    bf_calendar_init(&cal);
    return bf_calendar_add_cn_builtin(&cal, NULL);
}

static int teardown(void **state)
{
    (void)state;
    bf_calendar_fini(&cal);
    return 0;
}

static int32_t D(int y, int m, int d)
{
    return bf_date_from_ymd(y, m, d);
}

static void weekly_should_pick_the_next_listed_weekday(void **state)
{
    (void)state;
    /* Sailings Tuesday and Friday at 18:00; time 0 = Monday 2026-01-05 00:00 */
    struct bf_periodic p = {
        .kind = BF_PERIODIC_WEEKLY, .weekday_mask = (1u << 1) | (1u << 4), .at_hour = 18.0};
    assert_int_equal(bf_periodic_check(&p, NULL), 0);
    int32_t ep = D(2026, 1, 5);
    bf_assert_near(bf_periodic_next(&p, ep, &cal, 0.0, NULL), 42.0, 0.0);   /* Tue 18:00 */
    bf_assert_near(bf_periodic_next(&p, ep, &cal, 42.0, NULL), 42.0, 0.0);  /* at or after */
    bf_assert_near(bf_periodic_next(&p, ep, &cal, 42.5, NULL), 114.0, 0.0); /* Fri 18:00 */
    bf_assert_near(bf_periodic_next(&p, ep, &cal, 114.5, NULL), 7 * 24 + 42.0, 0.0);
}

static void monthly_should_move_a_window_on_a_holiday_to_the_next_working_day(void **state)
{
    (void)state;
    int32_t ep = D(2026, 9, 1);
    struct bf_periodic p = {
        .kind = BF_PERIODIC_MONTHLY, .day_of_month = 15, .dayoff = BF_DAYOFF_NEXT, .at_hour = 9.0};
    /* from 2026-09-28: the 15th of October is a Thursday, a working day */
    double t = bf_cal_time_h(ep, D(2026, 9, 28), 0.0);
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t, NULL), bf_cal_time_h(ep, D(2026, 10, 15), 9.0),
                   0.0);
    /* a window on the 1st: 2026-10-01 is National Day, so it opens Thu Oct 8 */
    p.day_of_month = 1;
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t, NULL), bf_cal_time_h(ep, D(2026, 10, 8), 9.0),
                   0.0);
    /* asked on Oct 3, the moved Oct 1 window (Oct 8) is still ahead */
    double t3 = bf_cal_time_h(ep, D(2026, 10, 3), 12.0);
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t3, NULL), bf_cal_time_h(ep, D(2026, 10, 8), 9.0),
                   0.0);
    /* asked after it, the next is Mon 2026-11-02 (Nov 1 is a Sunday) */
    double t9 = bf_cal_time_h(ep, D(2026, 10, 9), 0.0);
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t9, NULL), bf_cal_time_h(ep, D(2026, 11, 2), 9.0),
                   0.0);
}

static void monthly_should_use_the_last_day_of_a_short_month(void **state)
{
    (void)state;
    int32_t ep = D(2026, 4, 1);
    struct bf_periodic p = {.kind = BF_PERIODIC_MONTHLY, .day_of_month = 31, .at_hour = 0.0};
    bf_assert_near(bf_periodic_next(&p, ep, &cal, 0.0, NULL),
                   bf_cal_time_h(ep, D(2026, 4, 30), 0.0), 0.0);
}

static void daily_should_skip_days_off_and_run_on_adjusted_working_days(void **state)
{
    (void)state;
    int32_t ep = D(2026, 9, 1);
    struct bf_periodic p = {.kind = BF_PERIODIC_DAILY, .dayoff = BF_DAYOFF_SKIP, .at_hour = 18.0};
    /* Sat 2026-09-19 19:00 -> Sun 2026-09-20 is a working day (adjusted) */
    double t = bf_cal_time_h(ep, D(2026, 9, 19), 19.0);
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t, NULL), bf_cal_time_h(ep, D(2026, 9, 20), 18.0),
                   0.0);
    /* Wed 2026-09-30 after 18:00 -> Oct 1-7 off -> Thu 2026-10-08 */
    t = bf_cal_time_h(ep, D(2026, 9, 30), 18.5);
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t, NULL), bf_cal_time_h(ep, D(2026, 10, 8), 18.0),
                   0.0);
    /* without day-off handling it is the next calendar day */
    p.dayoff = BF_DAYOFF_IGNORE;
    bf_assert_near(bf_periodic_next(&p, ep, &cal, t, NULL), bf_cal_time_h(ep, D(2026, 10, 1), 18.0),
                   0.0);
}

static void schedule_should_report_days_outside_known_years(void **state)
{
    (void)state;
    int32_t ep = D(2027, 1, 1);
    struct bf_periodic p = {.kind = BF_PERIODIC_DAILY, .dayoff = BF_DAYOFF_SKIP, .at_hour = 9.0};
    int flags = 0;
    /* 2027-01-01 is a Friday; without 2027 data it counts as a working day
     * and the lookup says so */
    bf_assert_near(bf_periodic_next(&p, ep, &cal, 0.0, &flags), 9.0, 0.0);
    assert_int_equal(flags, BF_CAL_UNKNOWN);
}

static void interval_and_continuous_should_follow_their_definition(void **state)
{
    (void)state;
    struct bf_periodic p = {.kind = BF_PERIODIC_INTERVAL, .interval_h = 6.0, .phase_h = 1.0};
    assert_int_equal(bf_periodic_check(&p, NULL), 0);
    bf_assert_near(bf_periodic_next(&p, 0, NULL, 0.0, NULL), 1.0, 0.0);
    bf_assert_near(bf_periodic_next(&p, 0, NULL, 1.0, NULL), 1.0, 0.0);
    bf_assert_near(bf_periodic_next(&p, 0, NULL, 1.5, NULL), 7.0, 0.0);
    bf_assert_near(bf_periodic_next(&p, 0, NULL, 13.0, NULL), 13.0, 0.0);
    struct bf_periodic c = {.kind = BF_PERIODIC_CONTINUOUS};
    bf_assert_near(bf_periodic_next(&c, 0, NULL, 12.345, NULL), 12.345, 0.0);
}

static void check_should_reject_impossible_schedules(void **state)
{
    (void)state;
    struct bf_diag d;
    struct bf_periodic w = {.kind = BF_PERIODIC_WEEKLY, .weekday_mask = 0};
    assert_int_equal(bf_periodic_check(&w, &d), BF_EINVAL);
    assert_non_null(strstr(d.msg, "weekday"));
    struct bf_periodic m = {.kind = BF_PERIODIC_MONTHLY, .day_of_month = 32};
    assert_int_equal(bf_periodic_check(&m, &d), BF_ERANGE);
    assert_non_null(strstr(d.msg, "32"));
    struct bf_periodic h = {.kind = BF_PERIODIC_DAILY, .at_hour = 24.0};
    assert_int_equal(bf_periodic_check(&h, &d), BF_ERANGE);
    struct bf_periodic i = {.kind = BF_PERIODIC_INTERVAL, .interval_h = 0.0};
    assert_int_equal(bf_periodic_check(&i, &d), BF_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weekly_should_pick_the_next_listed_weekday),
        cmocka_unit_test(monthly_should_move_a_window_on_a_holiday_to_the_next_working_day),
        cmocka_unit_test(monthly_should_use_the_last_day_of_a_short_month),
        cmocka_unit_test(daily_should_skip_days_off_and_run_on_adjusted_working_days),
        cmocka_unit_test(schedule_should_report_days_outside_known_years),
        cmocka_unit_test(interval_and_continuous_should_follow_their_definition),
        cmocka_unit_test(check_should_reject_impossible_schedules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
