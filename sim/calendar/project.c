/*
 * project.c - China's statutory public holidays for years without a notice.
 *
 * The rule: the Holidays Regulation (全国年节及纪念日放假办法) as amended by
 * the State Council decision of 12 Nov 2024, in force from 1 Jan 2025
 * (docs/calendar.md cites the text). Art. 2 gives every citizen 13 days:
 * New Year's Day (1 Jan), the Spring Festival (lunar New Year's Eve and the
 * 1st-3rd days of the first lunar month), Qingming (the solar term), Labour
 * Day (1-2 May), Dragon Boat (5th day of the 5th lunar month), Mid-Autumn
 * (15th day of the 8th lunar month) and National Day (1-3 Oct). Art. 6: a
 * holiday falling on a Saturday or Sunday is made up on a working day (补假).
 * Art. 7 lets each year's notice join holidays into longer breaks with
 * adjusted working weekends (调休); those are a decision, not a rule, so a
 * projected year has none and its working-day counts near the long breaks
 * can be off by up to two days (the test compares 2025 and 2026 with their
 * notices block by block).
 *
 * Two readings of Art. 6 that the text leaves open, and why:
 *  - the make-up day is the first weekday after the holiday that is not
 *    itself a day off, where the notices put it when they do not bridge
 *    (2025: Dragon Boat on Sat 31 May, off Mon 2 Jun; 2026: Qingming on
 *    Sun 5 Apr, off Mon 6 Apr);
 *  - a holiday on a day already taken by another one (Mid-Autumn on 1-3 Oct,
 *    as in 2028, 2031, 2039) is made up as well: the 2009 and 2020 notices
 *    did so (Mid-Autumn on 3 Oct 2009 and 1 Oct 2020, both years 8 days off
 *    with 2 adjusted weekends, i.e. 4 net weekdays for 3 + 1 holidays). So a
 *    projected year always has exactly 13 weekdays off.
 *
 * The Chinese calendar comes from lunar-date 3.0 (Debian liblunar-date-dev),
 * a GObject library; this is the only file that includes it, so nothing
 * outside bf_calendar sees GLib. What is taken from it, and why that way:
 *  - lunar -> Gregorian: lunar_date_set_lunar_date() and then
 *    lunar_date_strftime() with "%(year) %(month) %(day)", which prints plain
 *    decimal numbers (g_strdup_printf "%d"): no locale is involved;
 *  - New Year's Eve: the day before the lunar 1st of the first month, which is
 *    by definition the last day of the 12th month whether that has 29 or 30
 *    days (2025-2029 have no 30th); asking the library for "12/30" would fail
 *    in a short month. The library is asked to confirm it with its numeric
 *    keys "%(yue)/%(ri)" ("12/29" or "12/30");
 *  - Qingming: the day the eight-characters (八字) month pillar "%(M8)"
 *    changes in early April. By definition that pillar turns at each of the
 *    twelve jie (节) solar terms, and Qingming is the jie that opens the 辰
 *    month; only a change is looked for, never a text, so the answer does
 *    not depend on the locale or translations (the library translates every
 *    name with gettext). The alternative, finding "Qīngmíng" in
 *    lunar_date_get_holiday(), depends on the locale (it reads 清明 once a
 *    program calls setlocale with a Chinese locale) and, in 3.0, on a
 *    mean-motion formula that puts Qingming 2071 on 4 April instead of 5;
 *    the month pillar comes from the library's table of jie days, which
 *    agrees for every year 2025-2100 with the Hong Kong Observatory's dates
 *    and with lunar-javascript's astronomical computation (checked when this
 *    was written; the unit test pins 2025-2028).
 * Every date is asked at 12:00: the library starts a lunar day at 23:00.
 *
 * lunar-date is not documented as thread-safe (3.0 keeps a static flag for
 * its gettext set-up and a static solar-term cache), so projecting is done
 * once, while a scenario is loaded; the calendar it fills is plain data and
 * queries never call the library.
 */
#include <lunar-date/lunar-date-version.h>
#include <lunar-date/lunar-date.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "borderflow/calendar.h"
#include "borderflow/error.h"

#include "calendar/internal.h"

/*
 * lunar-date 3.0.x frees a date's members in lunar_date_free() but leaves the
 * GObject itself to the caller (without g_object_unref() ASan finds 1.7 kB
 * lost per date). Upstream's next version (unreleased 3.1) also frees some of
 * those members in a finalize handler, so the same two calls would free them
 * twice there: check close_date() against a new version before building.
 */
#if LUNAR_DATE_MAJOR_VERSION != 3 || LUNAR_DATE_MINOR_VERSION != 0
#error "lunar-date other than 3.0.x: check how close_date() must release a LunarDate"
#endif

#define N_FESTIVALS   7
#define N_PROJECTABLE (BF_CAL_CN_PROJECT_MAX_YEAR - BF_CAL_CN_PROJECT_MIN_YEAR + 1)
/* 13 statutory days and at most one make-up day for each. */
#define MAX_PROJECTED_OFF (2 * BF_CAL_CN_STATUTORY_DAYS)

/* The holidays of Art. 2 as slots of the statutory list: first slot, days. */
static const struct {
    unsigned first, n;
} festivals[N_FESTIVALS] = {
    {0, 1},  /* New Year's Day */
    {1, 4},  /* Spring Festival */
    {5, 1},  /* Qingming */
    {6, 2},  /* Labour Day */
    {8, 1},  /* Dragon Boat */
    {9, 1},  /* Mid-Autumn */
    {10, 3}, /* National Day */
};

static void close_date(LunarDate *d)
{
    lunar_date_free(d);
    g_object_unref(d);
}

static int library_error(int year, const char *what, GError *err, struct bf_diag *diag)
{
    bf_diag_where(diag, "calendar year %d, statutory holidays", year);
    bf_diag_set(diag, "lunar-date could not compute %s of %d: %s", what, year,
                err != NULL ? err->message : "unexpected answer");
    if (err != NULL)
        g_error_free(err);
    return BF_ERANGE;
}

/* The Gregorian day of lunar year/month/day (a month that is not a leap one). */
static int lunar_to_day(LunarDate *d, int year, int month, int day, const char *what, int32_t *out,
                        struct bf_diag *diag)
{
    GError *err = NULL;
    lunar_date_set_lunar_date(d, (GDateYear)year, (GDateMonth)month, (GDateDay)day, 12, FALSE,
                              &err);
    if (err != NULL)
        return library_error(year, what, err, diag);
    char *s = lunar_date_strftime(d, "%(year) %(month) %(day)");
    int y = 0, m = 0, dd = 0;
    const bool ok = s != NULL && sscanf(s, "%d %d %d", &y, &m, &dd) == 3 && bf_date_valid(y, m, dd);
    g_free(s);
    if (!ok)
        return library_error(year, what, NULL, diag);
    *out = bf_date_from_ymd(y, m, dd);
    return 0;
}

/* Whether `day` is the last day of a 12th lunar month, as the library sees it. */
static int check_eve(LunarDate *d, int year, int32_t day, struct bf_diag *diag)
{
    int y, m, dd;
    bf_date_to_ymd(day, &y, &m, &dd);
    GError *err = NULL;
    lunar_date_set_solar_date(d, (GDateYear)y, (GDateMonth)m, (GDateDay)dd, 12, &err);
    if (err != NULL)
        return library_error(year, "lunar New Year's Eve", err, diag);
    char *s = lunar_date_strftime(d, "%(yue)/%(ri)");
    /* "*12" would be a leap 12th month: its last day is the eve all the same. */
    const bool ok = s != NULL && (strcmp(s, "12/29") == 0 || strcmp(s, "12/30") == 0 ||
                                  strcmp(s, "*12/29") == 0 || strcmp(s, "*12/30") == 0);
    g_free(s);
    return ok ? 0 : library_error(year, "lunar New Year's Eve", NULL, diag);
}

/* The day of the Qingming solar term: where the month pillar changes in 3-7 April
 * (Qingming falls on 4 or 5 April throughout 2025-2100). */
static int qingming_day(LunarDate *d, int year, int32_t *out, struct bf_diag *diag)
{
    char *prev = NULL;
    int found = 0, changes = 0;
    for (int dom = 3; dom <= 7; dom++) {
        GError *err = NULL;
        lunar_date_set_solar_date(d, (GDateYear)year, G_DATE_APRIL, (GDateDay)dom, 12, &err);
        if (err != NULL) {
            g_free(prev);
            return library_error(year, "the Qingming solar term", err, diag);
        }
        char *m8 = lunar_date_strftime(d, "%(M8)");
        if (prev != NULL && m8 != NULL && strcmp(prev, m8) != 0) {
            found = dom;
            changes++;
        }
        g_free(prev);
        prev = m8;
    }
    g_free(prev);
    if (changes != 1)
        return library_error(year, "the Qingming solar term", NULL, diag);
    *out = bf_date_from_ymd(year, 4, found);
    return 0;
}

/* The 13 statutory days of a year (order of bf_calendar_cn_statutory). */
static int statutory(LunarDate *d, int year, int32_t out[BF_CAL_CN_STATUTORY_DAYS],
                     struct bf_diag *diag)
{
    int32_t new_year = 0, qingming = 0, dragon_boat = 0, mid_autumn = 0;
    int rc = lunar_to_day(d, year, 1, 1, "the lunar New Year", &new_year, diag);
    if (rc == 0)
        rc = check_eve(d, year, new_year - 1, diag);
    if (rc == 0)
        rc = qingming_day(d, year, &qingming, diag);
    if (rc == 0)
        rc = lunar_to_day(d, year, 5, 5, "the Dragon Boat Festival", &dragon_boat, diag);
    if (rc == 0)
        rc = lunar_to_day(d, year, 8, 15, "the Mid-Autumn Festival", &mid_autumn, diag);
    if (rc != 0)
        return rc;
    const int32_t days[BF_CAL_CN_STATUTORY_DAYS] = {
        bf_date_from_ymd(year, 1, 1),
        new_year - 1,
        new_year,
        new_year + 1,
        new_year + 2,
        qingming,
        bf_date_from_ymd(year, 5, 1),
        bf_date_from_ymd(year, 5, 2),
        dragon_boat,
        mid_autumn,
        bf_date_from_ymd(year, 10, 1),
        bf_date_from_ymd(year, 10, 2),
        bf_date_from_ymd(year, 10, 3),
    };
    /* The lunar New Year lies in 21 Jan - 20 Feb, the Dragon Boat in late May
     * - June, Mid-Autumn in 8 Sep - 8 Oct: all of them in `year`. */
    const int32_t jan1 = bf_date_from_ymd(year, 1, 1), next = bf_date_from_ymd(year + 1, 1, 1);
    for (int i = 0; i < BF_CAL_CN_STATUTORY_DAYS; i++) {
        if (days[i] < jan1 || days[i] >= next)
            return library_error(year, "the lunar dates", NULL, diag);
        out[i] = days[i];
    }
    return 0;
}

static int check_years(int first_year, int last_year, struct bf_diag *diag)
{
    if (first_year > last_year) {
        bf_diag_where(diag, "calendar years %d..%d", first_year, last_year);
        bf_diag_set(diag, "first year %d is after last year %d", first_year, last_year);
        return BF_ERANGE;
    }
    const int bad = first_year < BF_CAL_CN_PROJECT_MIN_YEAR  ? first_year
                    : last_year > BF_CAL_CN_PROJECT_MAX_YEAR ? last_year
                                                             : 0;
    if (bad != 0) {
        bf_diag_where(diag, "calendar year %d", bad);
        bf_diag_set(diag,
                    "year %d cannot be projected: the statutory holidays can be projected for "
                    "%d..%d only (the amended Holidays Regulation is in force from 2025, the "
                    "lunar-date tables end with 2100)",
                    bad, BF_CAL_CN_PROJECT_MIN_YEAR, BF_CAL_CN_PROJECT_MAX_YEAR);
        return BF_ERANGE;
    }
    return 0;
}

int bf_calendar_cn_statutory(int year, int32_t *days, size_t max, size_t *n, struct bf_diag *diag)
{
    int rc = check_years(year, year, diag);
    if (rc != 0)
        return rc;
    int32_t stat[BF_CAL_CN_STATUTORY_DAYS];
    LunarDate *d = lunar_date_new();
    rc = statutory(d, year, stat, diag);
    close_date(d);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < max && i < BF_CAL_CN_STATUTORY_DAYS; i++)
        days[i] = stat[i];
    *n = BF_CAL_CN_STATUTORY_DAYS;
    return 0;
}

/*
 * Art. 6 on a year's statutory days: writes every day off (the statutory
 * days and their make-up days) into off[] and returns how many. Holidays are
 * taken in order of their first day (ties: order of Art. 2); each statutory
 * day on a weekend, or on a day an earlier holiday already took, is made up
 * on the first weekday after its holiday's last day that is neither a
 * statutory day nor a make-up day already given. All statutory days are
 * marked first, so a make-up day never lands on a later holiday.
 */
static size_t with_make_up(int year, const int32_t stat[BF_CAL_CN_STATUTORY_DAYS],
                           int32_t off[MAX_PROJECTED_OFF])
{
    const int32_t jan1 = bf_date_from_ymd(year, 1, 1), next = bf_date_from_ymd(year + 1, 1, 1);
    uint8_t is_off[366] = {0}, taken[366] = {0};
    for (int i = 0; i < BF_CAL_CN_STATUTORY_DAYS; i++)
        is_off[stat[i] - jan1] = 1;

    int order[N_FESTIVALS];
    for (int i = 0; i < N_FESTIVALS; i++) {
        int j = i;
        for (; j > 0 && stat[festivals[order[j - 1]].first] > stat[festivals[i].first]; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (int k = 0; k < N_FESTIVALS; k++) {
        const unsigned first = festivals[order[k]].first, n = festivals[order[k]].n;
        int owed = 0;
        for (unsigned i = first; i < first + n; i++) {
            const int32_t day = stat[i];
            if (bf_date_weekday(day) >= 5 || taken[day - jan1])
                owed++;
            taken[day - jan1] = 1;
        }
        /* The latest holiday ends by 8 Oct and owes at most 3 days, so the
         * make-up days stay in the year. */
        for (int32_t day = stat[first + n - 1] + 1; owed > 0; day++) {
            BF_ASSERT(day < next);
            if (bf_date_weekday(day) < 5 && !is_off[day - jan1]) {
                is_off[day - jan1] = 1;
                owed--;
            }
        }
    }
    size_t n_off = 0;
    for (int32_t day = jan1; day < next; day++)
        if (is_off[day - jan1]) {
            BF_ASSERT(n_off < MAX_PROJECTED_OFF);
            off[n_off++] = day;
        }
    return n_off;
}

int bf_calendar_project_cn(struct bf_calendar *cal, int first_year, int last_year,
                           struct bf_diag *diag)
{
    int rc = check_years(first_year, last_year, diag);
    if (rc != 0)
        return rc;
    /* Every year is computed into these before the calendar is touched, so an
     * error (the library's, or memory in bf__calendar_set_years) changes
     * nothing. About 12 kB for the full range; no allocation to fail. */
    _Static_assert(N_PROJECTABLE <= 100, "stack buffers sized for about a century");
    int32_t off[N_PROJECTABLE][MAX_PROJECTED_OFF];
    struct bf__cal_year years[N_PROJECTABLE];
    size_t n_years = 0;
    LunarDate *d = NULL; /* only if some year needs it: its set-up parses a key file */
    for (int year = first_year; year <= last_year; year++) {
        if (bf_calendar_year_known(cal, year) || bf_calendar_year_projected(cal, year))
            continue; /* a notice wins; a projected year would come out the same */
        if (d == NULL)
            d = lunar_date_new();
        int32_t stat[BF_CAL_CN_STATUTORY_DAYS];
        rc = statutory(d, year, stat, diag);
        if (rc != 0)
            break;
        const size_t n_off = with_make_up(year, stat, off[n_years]);
        years[n_years] =
            (struct bf__cal_year){year, off[n_years], n_off, NULL, 0, BF_CAL_YEAR_PROJECTED};
        n_years++;
    }
    if (d != NULL)
        close_date(d);
    if (rc != 0)
        return rc;
    return bf__calendar_set_years(cal, years, n_years, diag);
}
