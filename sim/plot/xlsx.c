/*
 * xlsx.c - results.xlsx: the results folder as an Excel workbook, for the
 * finance teams who work in Excel rather than in CSV files or a browser.
 *
 * Like the report it is built from the folder alone (DESIGN.md, Outputs):
 * every number is a cell of a CSV, written as a number with a format that
 * says its unit, and nothing is computed here but one change of sign (the
 * Daily sheet shows capital released, before - after, which is -mean of
 * daily_delta.csv's after - before). The sheets:
 *
 *   Summary      the study's totals (totals.csv), then the cities in the
 *                order of ranking.csv with their intervals and verdicts
 *   Charts       native Excel charts of the Summary and Daily sheets
 *   Delta        delta.csv
 *   Daily        capital released per day (rows) and city (columns)
 *   Breakdown    breakdown.csv
 *   Assumptions  summary.json's parameters away from the defaults, notes
 *   Run          run.json's main fields, the scenario file and its SHA-256
 *
 * The charts are Excel's own (libxlsxwriter writes their XML), drawn from
 * the sheets' cells, so a user can restyle them or point them elsewhere;
 * pictures of the gnuplot charts were the other choice, and would be
 * neither editable nor traceable to a cell. Text goes in as strings
 * (never as formulas, so a name such as "=cmd|..." stays a name), with
 * bytes that are not UTF-8 replaced: Excel refuses a file with invalid XML.
 *
 * The workbook is written to a fresh temporary file and renamed, and an earlier
 * results.xlsx is removed first, so a failure leaves no file that could be
 * taken for this run's.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "borderflow/alloc.h"
#include "borderflow/fs.h"
#include "borderflow/plot.h"

#include "internal.h"

#define BAR_MAX  30 /* cities in the bar chart */
#define LINE_MAX 6  /* cities in the line chart */

/* The workbook being written and the folder it shows. */
struct book {
    lxw_workbook *wb;
    const struct bf__folder *f;
    const uint32_t *order; /* cities in ranking order */
    lxw_format *title, *head, *text, *cny, *dec1, *share, *count, *general, *date;
    lxw_error err; /* the first error of libxlsxwriter */
    bool nomem;
};

static void keep(struct book *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = e;
}

/* ---- cells ---- */

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void put_text(struct book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
                     lxw_format *fmt)
{
    if (s == NULL || *s == '\0')
        return;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;
    while (u[i] != '\0' && (k = utf8_len(u + i)) > 0)
        i += k;
    if (u[i] == '\0') {
        keep(b, worksheet_write_string(ws, row, col, s, fmt));
        return;
    }
    /* a byte that is not UTF-8 (a hand-edited CSV): U+FFFD, 3 bytes for 1 */
    size_t len = strlen(s);
    char *clean = bf__malloc(3 * len + 1), *w = clean;
    if (clean == NULL) {
        b->nomem = true;
        return;
    }
    for (i = 0; u[i] != '\0';) {
        k = utf8_len(u + i);
        if (k == 0) {
            memcpy(w, "\xef\xbf\xbd", 3);
            w += 3;
            i++;
        } else {
            memcpy(w, s + i, k);
            w += k;
            i += k;
        }
    }
    *w = '\0';
    keep(b, worksheet_write_string(ws, row, col, clean, fmt));
    bf__free(clean);
}

/* A number; nothing for NaN (NA in the CSV: nothing was observed). */
static void put_num(struct book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, double v,
                    lxw_format *fmt)
{
    if (isfinite(v))
        keep(b, worksheet_write_number(ws, row, col, v == 0 ? 0.0 : v, fmt));
}

/* A date "YYYY-MM-DD" as an Excel date; anything else as text. */
static void put_date(struct book *b, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s)
{
    int y, m, d;
    char end;
    if (s != NULL && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 && y >= 1900 && m >= 1 &&
        m <= 12 && d >= 1 && d <= 31) {
        lxw_datetime dt = {.year = y, .month = m, .day = d};
        keep(b, worksheet_write_datetime(ws, row, col, &dt, b->date));
    } else {
        put_text(b, ws, row, col, s, NULL);
    }
}

/* The number format of a unit as the CSVs name them. */
static lxw_format *unit_format(const struct book *b, const char *unit)
{
    if (strncmp(unit, "CNY", 3) == 0) /* CNY, CNY a year, CNY per CNY million exported */
        return b->cny;
    if (strcmp(unit, "share") == 0)
        return b->share;
    if (strcmp(unit, "d") == 0 || strcmp(unit, "h") == 0 || strcmp(unit, "wd") == 0)
        return b->dec1;
    if (strcmp(unit, "shipments") == 0 || strcmp(unit, "units") == 0 || strcmp(unit, "cities") == 0)
        return b->count;
    return b->general;
}

/* A header row: bold, wrapped, with column widths. */
struct head {
    const char *text;
    double width;
};

static void put_head(struct book *b, lxw_worksheet *ws, uint32_t row, const struct head *h,
                     uint16_t n)
{
    for (uint16_t c = 0; c < n; c++) {
        put_text(b, ws, row, c, h[c].text, b->head);
        keep(b, worksheet_set_column(ws, c, c, h[c].width, NULL));
    }
}

static lxw_worksheet *add_sheet(struct book *b, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    if (ws == NULL)
        b->nomem = true; /* the names are fixed and valid: only memory fails */
    return ws;
}

/* ---- Summary ---- */

/* The study's totals, in the order of the report's headline. */
static const struct {
    const char *metric, *scope, *label;
} headline[] = {
    {"capital_released_cny", "change", "capital released (working capital before - after)"},
    {"capital_released_share", "change", "share of the working capital before"},
    {"wc_avg_cny", "before", "working capital before (mean of the window)"},
    {"capital_released_per_m", "change", "capital released per CNY million exported"},
    {"financing_saving_annual_cny", "change", "financing saving a year"},
    {"released_rebate_receivable_cny", "change", "of which: export VAT rebate receivable"},
    {"released_stock_abroad_cny", "change", "of which: stock abroad (transit, overseas warehouse)"},
    {"released_returning_cny", "change", "of which: goods on their way back to China"},
    {"released_receivables_cny", "change", "of which: trade receivables"},
    {"cities_released_above_zero", "count", "cities whose interval lies above zero"},
    {"cities_released_below_zero", "count", "cities whose interval lies below zero"},
    {"cities_released_unclear", "count", "cities whose interval includes zero"},
};
#define N_HEADLINE (sizeof headline / sizeof headline[0])

/* Where the city table of the Summary starts: the Charts sheet points
 * at it. */
struct summary_at {
    uint32_t first; /* row of the first city */
};

static const struct head city_head[] = {
    {"rank", 6},
    {"city", 16},
    {"中文名", 9},
    {"class", 7},
    {"effective date", 12},
    {"capital released, CNY", 16},
    {"95% low, CNY", 14},
    {"95% high, CNY", 14},
    {"capital released per CNY million exported, CNY", 26},
    {"95% low, CNY per million", 14},
    {"95% high, CNY per million", 14},
    {"interval of capital released", 15},
    {"exports before, CNY", 16},
    {"days to rebate before, d", 11},
    {"days to rebate after, d", 11},
};
#define N_CITY_HEAD ((uint16_t)(sizeof city_head / sizeof city_head[0]))

static void summary_sheet(struct book *b, struct summary_at *at)
{
    const struct bf__folder *f = b->f;
    lxw_worksheet *ws = add_sheet(b, "Summary");
    if (ws == NULL)
        return;
    char title[512];
    if (f->has_compare)
        snprintf(title, sizeof title, "%s: the working capital the policy releases, %s against %s",
                 f->scenario, f->compared, f->baseline);
    else
        snprintf(title, sizeof title, "%s: %s alone, nothing compared", f->scenario, f->baseline);
    put_text(b, ws, 0, 0, title, b->title);
    /* the totals' label spans the city table's first five columns, so
     * that their numbers fall under its CNY columns */
    keep(b, worksheet_merge_range(ws, 1, 0, 1, 4, "study total (totals.csv)", b->head));
    static const char *const total_head[] = {"value", "95% low", "95% high", "unit",
                                             "totals.csv metric (scope)"};
    for (uint16_t c = 0; c < 5; c++)
        put_text(b, ws, 1, (uint16_t)(5 + c), total_head[c], b->head);
    uint32_t row = 2;
    for (size_t i = 0; i < N_HEADLINE; i++) {
        const struct bf__total *t = bf__folder_total(f, headline[i].metric, headline[i].scope);
        if (t == NULL)
            continue; /* one policy: no change to show */
        lxw_format *fmt = unit_format(b, t->unit);
        keep(b, worksheet_merge_range(ws, row, 0, row, 4, headline[i].label, NULL));
        put_num(b, ws, row, 5, t->mean, fmt);
        put_num(b, ws, row, 6, t->lo, fmt);
        put_num(b, ws, row, 7, t->hi, fmt);
        put_text(b, ws, row, 8, t->unit, NULL);
        char key[128];
        snprintf(key, sizeof key, "%s (%s)", t->metric, t->scope);
        put_text(b, ws, row, 9, key, NULL);
        row++;
    }
    if (!f->has_compare)
        put_text(b, ws, row++, 0, "one policy: nothing compared, no capital released", NULL);
    row++;
    put_text(b, ws, row++, 0, "Cities by capital released per CNY million exported (ranking.csv)",
             b->title);
    uint32_t head_row = row;
    put_head(b, ws, head_row, city_head, N_CITY_HEAD);
    keep(b, worksheet_set_row(ws, head_row, 45, NULL));
    at->first = head_row + 1;
    int m_rebate = bf_metric_find("days_to_rebate");
    for (uint32_t i = 0; i < f->n_cities; i++) {
        const struct bf__rank *k = &f->rank[i];
        const struct bf__city *c = &f->city[k->city];
        uint32_t r = at->first + i;
        if (f->has_compare)
            put_num(b, ws, r, 0, (double)(i + 1), b->count);
        put_text(b, ws, r, 1, c->name, NULL);
        put_text(b, ws, r, 2, c->name_zh, NULL);
        put_text(b, ws, r, 3, c->cls, NULL);
        put_date(b, ws, r, 4, c->effective_date);
        put_num(b, ws, r, 5, k->released, b->cny);
        put_num(b, ws, r, 6, k->released_lo, b->cny);
        put_num(b, ws, r, 7, k->released_hi, b->cny);
        put_num(b, ws, r, 8, k->per_m, b->cny);
        put_num(b, ws, r, 9, k->per_m_lo, b->cny);
        put_num(b, ws, r, 10, k->per_m_hi, b->cny);
        if (f->has_compare)
            put_text(b, ws, r, 11, k->interval, NULL);
        put_num(b, ws, r, 12, k->exports, b->cny);
        if (m_rebate >= 0) {
            const struct bf__delta *d = bf__folder_delta(f, k->city, m_rebate);
            put_num(b, ws, r, 13, d->before, b->dec1);
            put_num(b, ws, r, 14, d->after, b->dec1);
        }
    }
    /* the headline and the city table's header stay in view (rows only:
     * a frozen column would cut the totals' merged labels) */
    worksheet_freeze_panes(ws, head_row + 1, 0);
    uint32_t last = f->n_cities > 0 ? at->first + f->n_cities - 1 : head_row;
    keep(b, worksheet_autofilter(ws, head_row, 0, last, N_CITY_HEAD - 1));
    worksheet_activate(ws);
}

/* ---- CSV tables: Delta, Breakdown ---- */

enum kind { TEXT, BY_UNIT, DEC1 };

struct column {
    const char *csv; /* column of the CSV, also the sheet's header */
    enum kind kind;  /* BY_UNIT: the number format of the row's "unit" */
    double width;
};

#define TABLE_MAX_COLS 12

/* A CSV read before the workbook is begun, so that a missing or damaged
 * file stops everything before any of it is written. */
struct table {
    const char *sheet;
    const struct column *cols;
    int n, col[TABLE_MAX_COLS], unit;
    struct bf__csv t;
};

static const struct column delta_cols[] = {
    {"city", TEXT, 16},        {"metric", TEXT, 26},       {"unit", TEXT, 12},
    {"before", BY_UNIT, 14},   {"after", BY_UNIT, 14},     {"delta", BY_UNIT, 14},
    {"ci95_low", BY_UNIT, 14}, {"ci95_high", BY_UNIT, 14}, {"variance_reduction", DEC1, 12},
    {"note", TEXT, 10}};
static const struct column breakdown_cols[] = {
    {"city", TEXT, 16},    {"policy", TEXT, 10},      {"dimension", TEXT, 10},
    {"value", TEXT, 10},   {"metric", TEXT, 20},      {"unit", TEXT, 12},
    {"mean", BY_UNIT, 14}, {"ci95_low", BY_UNIT, 14}, {"ci95_high", BY_UNIT, 14},
    {"n", BY_UNIT, 6}};

static int table_load(struct table *x, const char *dir, const char *file, const char *sheet,
                      const struct column *cols, int n, struct bf_diag *diag)
{
    const char *names[TABLE_MAX_COLS];
    x->sheet = sheet;
    x->cols = cols;
    x->n = n;
    for (int i = 0; i < n; i++)
        names[i] = cols[i].csv;
    int rc = bf__csv_open(dir, file, names, n, x->col, &x->t, diag);
    if (rc == 0 && (rc = bf__csv_need(&x->t, "unit", &x->unit, diag)) != 0)
        bf__csv_fini(&x->t);
    return rc;
}

/* The CSV as a table: text as text, numbers as numbers in the format of
 * their row's unit, a header that stays in view and filters. */
static void table_sheet(struct book *b, const struct table *x)
{
    lxw_worksheet *ws = add_sheet(b, x->sheet);
    if (ws == NULL)
        return;
    for (int i = 0; i < x->n; i++) {
        put_text(b, ws, 0, (uint16_t)i, x->cols[i].csv, b->head);
        keep(b, worksheet_set_column(ws, (uint16_t)i, (uint16_t)i, x->cols[i].width, NULL));
    }
    const struct bf__csv *t = &x->t;
    for (size_t r = 0; r < t->n_rows && b->err == LXW_NO_ERROR && !b->nomem; r++) {
        lxw_format *fmt = unit_format(b, bf__csv_get(t, r, x->unit));
        uint32_t row = (uint32_t)r + 1;
        for (int i = 0; i < x->n; i++) {
            if (x->cols[i].kind == TEXT)
                put_text(b, ws, row, (uint16_t)i, bf__csv_get(t, r, x->col[i]), NULL);
            else
                put_num(b, ws, row, (uint16_t)i, bf__csv_num(t, r, x->col[i]),
                        x->cols[i].kind == DEC1 ? b->dec1 : fmt);
        }
    }
    worksheet_freeze_panes(ws, 1, 1);
    keep(b, worksheet_autofilter(ws, 0, 0, (lxw_row_t)t->n_rows, (lxw_col_t)(x->n - 1)));
}

/* ---- Daily ---- */

#define DAILY_FIRST 3     /* first row of data: title, English names, Chinese names */
#define DAILY_MAX   16000 /* cities shown: Excel has 16384 columns */

/* daily_delta.csv and the window's dates, read before the workbook is
 * begun (the Charts sheet needs the number of days). */
struct daily {
    struct bf__csv t;
    int col[4];
    const char **dates; /* [n], pointers into t */
    uint32_t n;
};

static int cmp_date(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

static int daily_load(struct daily *x, const char *dir, struct bf_diag *diag)
{
    static const char *const names[] = {"city", "date", "component", "mean"};
    int rc = bf__csv_open(dir, "daily_delta.csv", names, 4, x->col, &x->t, diag);
    if (rc != 0)
        return rc;
    x->dates = bf__calloc(x->t.n_rows + 1, sizeof *x->dates);
    if (x->dates == NULL) {
        bf__csv_fini(&x->t);
        return BF_ENOMEM;
    }
    /* the window's dates: those of the first city (every city has them
     * all), in the file's order, which is the calendar's */
    const char *first = NULL;
    for (size_t r = 0; r < x->t.n_rows; r++) {
        if (strcmp(bf__csv_get(&x->t, r, x->col[2]), "total") != 0)
            continue;
        const char *city = bf__csv_get(&x->t, r, x->col[0]);
        if (first == NULL)
            first = city;
        if (strcmp(city, first) != 0)
            break;
        const char *date = bf__csv_get(&x->t, r, x->col[1]);
        if (x->n == 0 || strcmp(x->dates[x->n - 1], date) < 0)
            x->dates[x->n++] = date;
    }
    return 0;
}

static void daily_fini(struct daily *x)
{
    bf__free(x->dates);
    bf__csv_fini(&x->t);
}

/*
 * Capital released at the end of each day of the window: one row per
 * date, one column per city in ranking order, -mean of the component
 * "total" of daily_delta.csv (which is after - before).
 */
static void daily_sheet(struct book *b, const struct daily *x)
{
    const struct bf__folder *f = b->f;
    const struct bf__csv *t = &x->t;
    uint16_t *pos = bf__calloc((size_t)f->n_cities + 1, sizeof *pos);
    if (pos == NULL) {
        b->nomem = true;
        return;
    }
    lxw_worksheet *ws = add_sheet(b, "Daily");
    if (ws == NULL)
        goto out;
    put_text(b, ws, 0, 0,
             "Capital released, CNY, at the end of each day: working capital before - after "
             "(-mean of daily_delta.csv, component total); cities in ranking order",
             b->title);
    put_text(b, ws, 1, 0, "date", b->head);
    put_text(b, ws, 2, 0, "中文名", b->head);
    keep(b, worksheet_set_column(ws, 0, 0, 12, NULL));
    uint32_t n_cols = f->n_cities < DAILY_MAX ? f->n_cities : DAILY_MAX;
    for (uint32_t i = 0; i < n_cols; i++) {
        const struct bf__city *c = &f->city[b->order[i]];
        pos[b->order[i]] = (uint16_t)(i + 1);
        put_text(b, ws, 1, (uint16_t)(i + 1), c->name, b->head);
        put_text(b, ws, 2, (uint16_t)(i + 1), c->name_zh, b->head);
    }
    if (n_cols > 0)
        keep(b, worksheet_set_column(ws, 1, (lxw_col_t)n_cols, 14, b->cny));
    for (uint32_t d = 0; d < x->n; d++)
        put_date(b, ws, DAILY_FIRST + d, 0, x->dates[d]);
    int city = -1;
    uint32_t next = 0; /* a city's rows come in date order: try the next date first */
    for (size_t r = 0; r < t->n_rows && b->err == LXW_NO_ERROR && !b->nomem; r++) {
        if (strcmp(bf__csv_get(t, r, x->col[2]), "total") != 0)
            continue;
        const char *name = bf__csv_get(t, r, x->col[0]);
        if (city < 0 || strcmp(f->city[city].name, name) != 0) {
            city = bf__folder_city(f, name);
            next = 0;
        }
        if (city < 0 || pos[city] == 0)
            continue; /* not in cities.csv, or past Excel's last column */
        const char *date = bf__csv_get(t, r, x->col[1]);
        uint32_t d = next;
        if (d >= x->n || strcmp(x->dates[d], date) != 0) {
            const char **hit = bsearch(date, x->dates, x->n, sizeof *x->dates, cmp_date);
            if (hit == NULL)
                continue;
            d = (uint32_t)(hit - x->dates);
        }
        next = d + 1;
        put_num(b, ws, DAILY_FIRST + d, pos[city], -bf__csv_num(t, r, x->col[3]), b->cny);
    }
    worksheet_freeze_panes(ws, DAILY_FIRST, 1);
out:
    bf__free(pos);
}

/* ---- Charts ---- */

static void charts_sheet(struct book *b, const struct summary_at *at, uint32_t n_days)
{
    const struct bf__folder *f = b->f;
    lxw_worksheet *ws = add_sheet(b, "Charts");
    if (ws == NULL)
        return;
    if (!f->has_compare || f->n_cities == 0) {
        put_text(b, ws, 0, 0, "one policy: nothing compared, no charts", NULL);
        return;
    }
    put_text(b, ws, 0, 0,
             "Excel charts of the Summary sheet (cities ranked) and of the Daily sheet "
             "(capital released over time); the numbers are those sheets' cells",
             NULL);
    uint32_t n_bar = f->n_cities < BAR_MAX ? f->n_cities : BAR_MAX;
    lxw_chart *bar = workbook_add_chart(b->wb, LXW_CHART_BAR);
    if (bar == NULL) {
        b->nomem = true;
        return;
    }
    lxw_chart_series *s = chart_add_series(bar, NULL, NULL);
    if (s == NULL) {
        b->nomem = true;
        return;
    }
    chart_series_set_categories(s, "Summary", at->first, 1, at->first + n_bar - 1, 1);
    chart_series_set_values(s, "Summary", at->first, 8, at->first + n_bar - 1, 8);
    chart_series_set_name(s, "capital released per CNY million exported");
    char title[160];
    if (n_bar < f->n_cities)
        snprintf(title, sizeof title,
                 "Capital released per CNY million exported: the top %u of %u cities", n_bar,
                 f->n_cities);
    else
        snprintf(title, sizeof title, "Capital released per CNY million exported, by city");
    chart_title_set_name(bar, title);
    /* in a bar chart libxlsxwriter's y_axis is the categories' (vertical)
     * and x_axis the values' */
    chart_axis_set_reverse(bar->y_axis);      /* the first of ranking.csv on top */
    chart_axis_set_crossing_max(bar->y_axis); /* and the values' axis below */
    chart_axis_set_name(bar->x_axis, "CNY per CNY million exported");
    chart_axis_set_num_format(bar->x_axis, "#,##0");
    chart_legend_set_position(bar, LXW_CHART_LEGEND_NONE);
    /* about 20 pixels a city, so that every name shows */
    double bar_h = 120.0 + 20.0 * (double)n_bar;
    lxw_chart_options bo = {.x_offset = 0, .y_offset = 0, .x_scale = 1.8, .y_scale = bar_h / 288.0};
    keep(b, worksheet_insert_chart_opt(ws, 2, 1, bar, &bo));

    if (n_days == 0)
        return;
    uint32_t n_line = f->n_cities < LINE_MAX ? f->n_cities : LINE_MAX;
    lxw_chart *line = workbook_add_chart(b->wb, LXW_CHART_LINE);
    if (line == NULL) {
        b->nomem = true;
        return;
    }
    uint32_t last = DAILY_FIRST + n_days - 1;
    for (uint32_t i = 0; i < n_line; i++) {
        s = chart_add_series(line, NULL, NULL);
        if (s == NULL) {
            b->nomem = true;
            return;
        }
        lxw_col_t c = (lxw_col_t)(i + 1);
        chart_series_set_categories(s, "Daily", DAILY_FIRST, 0, last, 0);
        chart_series_set_values(s, "Daily", DAILY_FIRST, c, last, c);
        chart_series_set_name_range(s, "Daily", 1, c);
    }
    if (n_line < f->n_cities)
        snprintf(title, sizeof title, "Capital released over time, CNY: the top %u cities", n_line);
    else
        snprintf(title, sizeof title, "Capital released over time, CNY, by city");
    chart_title_set_name(line, title);
    chart_axis_set_name(line->y_axis, "capital released, CNY");
    chart_axis_set_num_format(line->y_axis, "#,##0");
    chart_axis_set_num_format(line->x_axis, "yyyy-mm-dd");
    chart_legend_set_position(line, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options lo = {.x_scale = 1.8, .y_scale = 1.6};
    /* below the bar chart: rows are 20 pixels high */
    uint32_t line_row = 2 + (uint32_t)(bar_h / 20.0) + 3;
    keep(b, worksheet_insert_chart_opt(ws, line_row, 1, line, &lo));
}

/* ---- Assumptions, Run ---- */

static void assumptions_sheet(struct book *b)
{
    const cJSON *sum = b->f->summary;
    lxw_worksheet *ws = add_sheet(b, "Assumptions");
    if (ws == NULL)
        return;
    static const struct head head[] = {{"policy", 10}, {"parameter", 28},
                                       {"value", 30},  {"default", 30},
                                       {"unit", 14},   {"source (docs/sources.md)", 30},
                                       {"cities", 8}};
    put_head(b, ws, 0, head, 7);
    uint32_t row = 1;
    const cJSON *pol;
    cJSON_ArrayForEach(pol, cJSON_GetObjectItemCaseSensitive(sum, "assumptions"))
    {
        const cJSON *a;
        cJSON_ArrayForEach(a, pol)
        {
            put_text(b, ws, row, 0, pol->string, NULL);
            put_text(b, ws, row, 1, bf_json_str(a, "parameter"), NULL);
            put_text(b, ws, row, 2, bf_json_str(a, "value"), NULL);
            put_text(b, ws, row, 3, bf_json_str(a, "default"), NULL);
            put_text(b, ws, row, 4, bf_json_str(a, "unit"), NULL);
            put_text(b, ws, row, 5, bf_json_str(a, "source"), NULL);
            put_num(b, ws, row, 6, bf_json_num(a, "cities"), b->count);
            row++;
        }
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (row == 1)
        put_text(b, ws, row++, 0, "none: every parameter keeps its built-in default", NULL);
    else
        keep(b, worksheet_autofilter(ws, 0, 0, row - 1, 6));
    row++;
    put_text(b, ws, row++, 0, "policy", b->head);
    put_text(b, ws, row - 1, 1, "description (summary.json policy_descriptions)", b->head);
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(sum, "policy_descriptions");
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(sum, "policies"))
    {
        if (!cJSON_IsString(p))
            continue;
        put_text(b, ws, row, 0, p->valuestring, NULL);
        put_text(b, ws, row, 1, bf_json_str(desc, p->valuestring), NULL);
        row++;
    }
    row++;
    put_text(b, ws, row++, 0, "scenario notes (summary.json notes)", b->head);
    const cJSON *note;
    cJSON_ArrayForEach(note, cJSON_GetObjectItemCaseSensitive(sum, "notes"))
    {
        if (cJSON_IsString(note))
            put_text(b, ws, row++, 0, note->valuestring, NULL);
    }
}

/* An identifier as text: Excel keeps 15 significant digits of a number. */
static void put_seed(struct book *b, lxw_worksheet *ws, uint32_t row, double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.0f", v);
    put_text(b, ws, row, 1, buf, NULL);
}

static void run_sheet(struct book *b)
{
    const struct bf__folder *f = b->f;
    lxw_worksheet *ws = add_sheet(b, "Run");
    if (ws == NULL)
        return;
    static const struct head head[] = {{"field", 26}, {"value", 70}, {"from", 14}};
    put_head(b, ws, 0, head, 3);
    uint32_t row = 1;
    static const char *const from_summary[] = {"scenario", "description", "scenario_file",
                                               "scenario_sha256"};
    for (size_t i = 0; i < sizeof from_summary / sizeof from_summary[0]; i++) {
        put_text(b, ws, row, 0, from_summary[i], NULL);
        put_text(b, ws, row, 1, bf_json_str(f->summary, from_summary[i]), NULL);
        put_text(b, ws, row++, 2, "summary.json", NULL);
    }
    if (f->run == NULL) {
        put_text(b, ws, row, 0, "run.json", NULL);
        put_text(b, ws, row, 1, "not written yet: the run had not finished", NULL);
        return;
    }
    /* strings and numbers of run.json, in its order */
    static const char *const keys[] = {"borderflow_version",
                                       "seed",
                                       "replications",
                                       "jobs",
                                       "ranks",
                                       "cities",
                                       "policies",
                                       "sweep_points",
                                       "work_items",
                                       "events",
                                       "started",
                                       "finished",
                                       "calendar_years",
                                       "calendar_projected_years",
                                       "plots"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->run, keys[i]);
        if (!cJSON_IsString(v) && !cJSON_IsNumber(v))
            continue;
        put_text(b, ws, row, 0, keys[i], NULL);
        if (cJSON_IsString(v))
            put_text(b, ws, row, 1, v->valuestring, NULL);
        else if (i == 1) /* the seed, up to 2^53: more digits than Excel shows */
            put_seed(b, ws, row, v->valuedouble);
        else
            put_num(b, ws, row, 1, v->valuedouble, b->count);
        put_text(b, ws, row++, 2, "run.json", NULL);
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(f->run, "warnings"))
    {
        if (!cJSON_IsString(w))
            continue;
        put_text(b, ws, row, 0, "warning", NULL);
        put_text(b, ws, row, 1, w->valuestring, b->text);
        put_text(b, ws, row++, 2, "run.json", NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
}

/* ---- the workbook ---- */

static lxw_format *format(struct book *b, const char *num)
{
    lxw_format *x = workbook_add_format(b->wb);
    if (x == NULL) {
        b->nomem = true;
        return NULL;
    }
    if (num != NULL)
        format_set_num_format(x, num);
    return x;
}

static void formats(struct book *b)
{
    b->title = format(b, NULL);
    b->head = format(b, NULL);
    b->text = format(b, NULL);
    b->cny = format(b, "#,##0");
    b->dec1 = format(b, "#,##0.0");
    b->share = format(b, "0.00%");
    b->count = format(b, "#,##0");
    b->general = format(b, "General");
    b->date = format(b, "yyyy-mm-dd");
    if (b->nomem)
        return;
    format_set_bold(b->title);
    format_set_font_size(b->title, 12);
    format_set_bold(b->head);
    format_set_text_wrap(b->head);
    format_set_align(b->head, LXW_ALIGN_VERTICAL_TOP);
    format_set_bottom(b->head, LXW_BORDER_THIN);
    format_set_text_wrap(b->text);
}

int bf_workbook_write(const char *dir, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    char path[BF_PATH_MAX], tmp[BF_PATH_MAX] = "";
    int rc = bf_dir_check(dir, diag);
    if (rc == 0)
        rc = bf_path_join(path, sizeof path, dir, "results.xlsx", diag);
    if (rc != 0)
        return rc;
    /* a workbook of an earlier run must not outlive a failure to write this one */
    if (remove(path) != 0 && errno != ENOENT) {
        bf_diag_set(diag, "cannot remove the old '%s': %s", path, strerror(errno));
        return BF_EIO;
    }
    /* everything is read before the workbook is begun */
    struct bf__folder fo;
    if ((rc = bf__folder_load(dir, &fo, diag)) != 0)
        return rc;
    struct table delta = {0}, breakdown = {0};
    struct daily daily = {0};
    uint32_t *order = bf__malloc(((size_t)fo.n_cities + 1) * sizeof *order);
    struct book b = {.f = &fo, .order = order};
    if (order == NULL) {
        rc = BF_ENOMEM;
        goto out;
    }
    bf__folder_rank(&fo, order);
    if ((rc = table_load(&delta, dir, "delta.csv", "Delta", delta_cols,
                         (int)(sizeof delta_cols / sizeof delta_cols[0]), diag)) != 0 ||
        (rc = table_load(&breakdown, dir, "breakdown.csv", "Breakdown", breakdown_cols,
                         (int)(sizeof breakdown_cols / sizeof breakdown_cols[0]), diag)) != 0 ||
        (rc = daily_load(&daily, dir, diag)) != 0)
        goto out;

    /* libxlsxwriter's temporary files go next to the workbook rather than
     * into /tmp, which may be small or held in memory */
    lxw_workbook_options wo = {.tmpdir = fo.dir};
    /* the workbook goes to a fresh file of a random name (fs.h: a link
     * planted in the folder is never written through), renamed when done;
     * libxlsxwriter opens it again by name and writes it whole */
    FILE *hold = bf_temp_create(dir, "results.xlsx", tmp, sizeof tmp, &rc, diag);
    if (hold == NULL)
        goto out;
    fclose(hold);
    b.wb = workbook_new_opt(tmp, &wo);
    if (b.wb == NULL) {
        remove(tmp);
        rc = BF_ENOMEM;
        goto out;
    }
    char title[256];
    snprintf(title, sizeof title, "borderflow results: %s", fo.scenario);
    char comments[] = "written by borderflow from its results folder (docs/report.md, The "
                      "workbook)";
    lxw_doc_properties props = {.title = title, .comments = comments};
    keep(&b, workbook_set_properties(b.wb, &props));
    formats(&b);
    /* the tabs in the order they are added */
    struct summary_at at = {0};
    summary_sheet(&b, &at);
    charts_sheet(&b, &at, daily.n);
    table_sheet(&b, &delta);
    daily_sheet(&b, &daily);
    table_sheet(&b, &breakdown);
    assumptions_sheet(&b);
    run_sheet(&b);
    if (b.nomem || b.err != LXW_NO_ERROR) {
        /* nothing is written before workbook_close: free it unwritten
         * (lxw_workbook_free, in workbook.h, is what workbook_close ends with) */
        lxw_workbook_free(b.wb);
        remove(tmp);
        rc = b.nomem ? BF_ENOMEM : BF_EIO;
        bf_diag_set(diag, "cannot build '%s': %s", path,
                    b.nomem ? "out of memory" : lxw_strerror(b.err));
        goto out;
    }
    errno = 0;
    lxw_error e = workbook_close(b.wb); /* writes the file, and frees the workbook */
    if (e != LXW_NO_ERROR) {
        int err = errno;
        remove(tmp);
        bf_diag_set(diag, "could not write '%s' (%s): %s", path,
                    err != 0 ? strerror(err) : "disk full?", lxw_strerror(e));
        rc = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? BF_ENOMEM : BF_EIO;
        goto out;
    }
    if (rename(tmp, path) != 0) {
        bf_diag_set(diag, "cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        rc = BF_EIO;
    }
out:
    daily_fini(&daily);
    bf__csv_fini(&breakdown.t);
    bf__csv_fini(&delta.t);
    bf__free(order);
    bf__folder_fini(&fo);
    return rc;
}
