/*
 * test_output.c - escaping and quoting of text from scenario files, folder
 * names, and the exact headers of the output tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/output.h"

#include "bf_test.h"

/* Runs fn(f) on a memory stream and returns what it wrote (static). */
static const char *capture_str(void (*fn)(FILE *, const char *), const char *arg)
{
    static char buf[1024];
    memset(buf, 0, sizeof buf);
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    fn(f, arg);
    fclose(f);
    return buf;
}

static void csv_field_should_quote_only_when_needed(void **state)
{
    (void)state;
    assert_string_equal(capture_str(bf_csv_field, "Shanghai"), "Shanghai");
    assert_string_equal(capture_str(bf_csv_field, "Xi'an"), "Xi'an");
    assert_string_equal(capture_str(bf_csv_field, "a,b"), "\"a,b\"");
    assert_string_equal(capture_str(bf_csv_field, "say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_string_equal(capture_str(bf_csv_field, "two\nlines"), "\"two\nlines\"");
}

static void json_string_should_escape_quotes_controls_and_markup(void **state)
{
    (void)state;
    assert_string_equal(capture_str(bf_json_string, "plain"), "\"plain\"");
    assert_string_equal(capture_str(bf_json_string, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_string_equal(capture_str(bf_json_string, "<script>"), "\"\\u003cscript\\u003e\"");
    assert_string_equal(capture_str(bf_json_string, "x\ty\x01"), "\"x\\ty\\u0001\"");
    assert_string_equal(capture_str(bf_json_string, "上海"), "\"上海\"");
}

static void folder_name_should_not_leave_the_output_directory(void **state)
{
    (void)state;
    char out[64];
    bf_output_folder_name("default", out, sizeof out);
    assert_string_equal(out, "default");
    bf_output_folder_name("../../etc/passwd", out, sizeof out);
    assert_string_equal(out, "_._.._etc_passwd");
    bf_output_folder_name("a/b\\c\"d<e>", out, sizeof out);
    assert_string_equal(out, "a_b_c_d_e_");
    bf_output_folder_name(".hidden", out, sizeof out);
    assert_string_equal(out, "_hidden");
    bf_output_folder_name("", out, sizeof out);
    assert_string_equal(out, "_");
    bf_output_folder_name("深圳 study", out, sizeof out);
    assert_string_equal(out, "深圳_study");
}

/* A tiny study through the batch, its delta.csv and daily_delta.csv read
 * back: an identical metric says so instead of printing a variance
 * reduction, the released capital is before - after, the daily deltas
 * cover the window. */
static void delta_files_should_mark_identical_metrics_and_cover_the_window(void **state)
{
    (void)state;
    static const char *text =
        "{\"name\": \"t\", \"horizon\": {\"window\": {\"start\": \"2026-03-01\", \"end\": "
        "\"2026-03-31\"}, \"warmup_days\": 30, \"tail_days\": 60}, \"replications\": 2,"
        " \"cities\": [{\"name\": \"A\", \"shipments_per_day\": 3}],"
        " \"policies\": {\"before\": {}, \"after\": {\"effective_date\": \"2026-02-01\","
        " \"channels\": {\"9810\": {\"trigger_adoption\": 1}}}}}";
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    assert_int_equal(bf_scenario_load_text("t.json", text, strlen(text), &sc, &pb), 0);
    bf_problems_fini(&pb);
    struct bf_batch_options o = {.jobs = 1, .seed = -1};
    struct bf_results r;
    struct bf_diag d;
    bf_diag_clear(&d);
    assert_int_equal(bf_batch_run(&sc, &o, &r, &d), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(bf_write_delta_csv(f, &r), 0);
    fclose(f);
    assert_non_null(strstr(buf, "city,metric,unit,before,after,delta,ci95_low,ci95_high,"
                                "variance_reduction,note\n"));
    /* the same shipments in both runs: identical, no variance reduction */
    assert_non_null(strstr(buf, "\nA,shipments,shipments,"));
    const char *row = strstr(buf, "\nA,shipments,shipments,");
    const char *eol = strchr(row + 1, '\n');
    assert_true(eol - row > 10 && strncmp(eol - 11, ",,identical", 11) == 0);
    const struct bf_paired *cr = bf_results_delta(&r, 0, 0, BF_DX_capital_released_cny);
    assert_true(cr->mean_diff > 0.0 && !cr->identical);
    assert_non_null(strstr(buf, "\nA,capital_released_per_m,CNY per CNY million exported,"));
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(bf_write_daily_delta_csv(f, &r), 0);
    fclose(f);
    /* header + 31 days x 4 components */
    size_t lines = 0;
    for (const char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 31 * BF_WC_COUNT);
    assert_non_null(strstr(buf, "\nA,2026-03-31,total,"));
    assert_null(strstr(buf, "2026-04-01"));
    free(buf);
    bf_results_fini(&r);
    bf_scenario_fini(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_field_should_quote_only_when_needed),
        cmocka_unit_test(json_string_should_escape_quotes_controls_and_markup),
        cmocka_unit_test(folder_name_should_not_leave_the_output_directory),
        cmocka_unit_test(delta_files_should_mark_identical_metrics_and_cover_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
