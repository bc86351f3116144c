/*
 * holidays.c - China's official public holidays and adjusted working days.
 *
 * Source: the State Council General Office notices on holiday arrangements
 * (国务院办公厅关于部分节假日安排的通知), one per year, published through
 * Xinhua in the November before:
 *   2025: notice of 2024-11-12, e.g. https://m.gmw.cn/2024-11/12/content_1303894933.htm
 *   2026: notice of 2025-11-04, e.g. https://politics.gmw.cn/2025-11/04/content_38391083.htm
 * Transcribed as in the domain fact sheet (section 9) and docs/calendar.md;
 * tests/unit/test_calendar.c checks every day of both years against its own
 * copy of the notices and that every adjusted working day is a Saturday or
 * Sunday.
 *
 * The tables keep the notices' shape (holiday, first day, last day) rather
 * than a flat list of dates, so that they can be read against the notice
 * line by line; they are expanded into day numbers when added.
 *
 * 2027 is not here: its notice was not found (it is normally published in
 * November 2026). A scenario that needs it supplies the year itself; until
 * then the calendar treats 2027 as weekends only and reports so, or, once
 * projected (project.c), holds its statutory holidays and reports that.
 */
#include "borderflow/calendar.h"
#include "borderflow/error.h"

#include "calendar/internal.h"

/* Days off, from one month/day to another (inclusive) of the same year. */
struct off_span {
    const char *holiday;
    uint8_t from_month, from_day, to_month, to_day;
};

/* An adjusted working day (a Saturday or Sunday worked, 调休). */
struct work_day {
    const char *holiday; /* the holiday it makes up for */
    uint8_t month, day;
};

struct cn_year {
    int year;
    const struct off_span *off;
    size_t n_off;
    const struct work_day *work;
    size_t n_work;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* 2025: notice of 2024-11-12. */
static const struct off_span off_2025[] = {
    {"New Year", 1, 1, 1, 1},     {"Spring Festival", 1, 28, 2, 4}, /* 8 days */
    {"Qingming", 4, 4, 4, 6},     {"Labour Day", 5, 1, 5, 5},
    {"Dragon Boat", 5, 31, 6, 2}, {"National Day + Mid-Autumn", 10, 1, 10, 8}, /* 8 days */
};
static const struct work_day work_2025[] = {
    {"Spring Festival", 1, 26},            /* Sunday */
    {"Spring Festival", 2, 8},             /* Saturday */
    {"Labour Day", 4, 27},                 /* Sunday */
    {"National Day + Mid-Autumn", 9, 28},  /* Sunday */
    {"National Day + Mid-Autumn", 10, 11}, /* Saturday */
};

/* 2026: notice of 2025-11-04. */
static const struct off_span off_2026[] = {
    {"New Year", 1, 1, 1, 3},     {"Spring Festival", 2, 15, 2, 23}, /* 9 days */
    {"Qingming", 4, 4, 4, 6},     {"Labour Day", 5, 1, 5, 5},        {"Dragon Boat", 6, 19, 6, 21},
    {"Mid-Autumn", 9, 25, 9, 27}, {"National Day", 10, 1, 10, 7},
};
static const struct work_day work_2026[] = {
    {"New Year", 1, 4},         /* Sunday */
    {"Spring Festival", 2, 14}, /* Saturday */
    {"Spring Festival", 2, 28}, /* Saturday */
    {"Labour Day", 5, 9},       /* Saturday */
    {"National Day", 9, 20},    /* Sunday */
    {"National Day", 10, 10},   /* Saturday */
};

static const struct cn_year cn_years[] = {
    {2025, off_2025, COUNT(off_2025), work_2025, COUNT(work_2025)},
    {2026, off_2026, COUNT(off_2026), work_2026, COUNT(work_2026)},
};

#define N_CN_YEARS COUNT(cn_years)
/* Bounds for the expanded lists; a notice has about 30 days off. */
#define MAX_OFF  64
#define MAX_WORK 16

int bf_calendar_add_cn_builtin(struct bf_calendar *cal, struct bf_diag *diag)
{
    int32_t off[N_CN_YEARS][MAX_OFF];
    int32_t work[N_CN_YEARS][MAX_WORK];
    struct bf__cal_year years[N_CN_YEARS];
    for (size_t i = 0; i < N_CN_YEARS; i++) {
        const struct cn_year *cy = &cn_years[i];
        size_t n_off = 0;
        for (size_t j = 0; j < cy->n_off; j++) {
            const struct off_span *s = &cy->off[j];
            const int32_t first = bf_date_from_ymd(cy->year, s->from_month, s->from_day);
            const int32_t last = bf_date_from_ymd(cy->year, s->to_month, s->to_day);
            BF_ASSERT(first <= last && (size_t)(last - first) < MAX_OFF - n_off);
            for (int32_t day = first; day <= last; day++)
                off[i][n_off++] = day;
        }
        BF_ASSERT(cy->n_work <= MAX_WORK);
        for (size_t j = 0; j < cy->n_work; j++)
            work[i][j] = bf_date_from_ymd(cy->year, cy->work[j].month, cy->work[j].day);
        years[i] =
            (struct bf__cal_year){cy->year, off[i], n_off, work[i], cy->n_work, BF_CAL_YEAR_GIVEN};
    }
    /* All years in one step, so that running out of memory adds none. */
    return bf__calendar_set_years(cal, years, N_CN_YEARS, diag);
}

size_t bf_calendar_cn_builtin_years(int *years, size_t max)
{
    for (size_t i = 0; i < N_CN_YEARS && i < max; i++)
        years[i] = cn_years[i].year;
    return N_CN_YEARS;
}
