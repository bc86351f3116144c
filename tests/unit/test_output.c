/*
 * test_output.c - escaping and quoting of text from scenario files, folder
 * names, the exact headers of the output tables, and the files of
 * `borderflow fit`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- borderflow fit ---- */

/* The ten values e^z of test_fit's hand-worked case, fitted. */
static void fit_ten(struct bf_fit_data *s, struct bf_fit_table *t)
{
    const double z[10] = {-2, -1, -1, 0, 0, 0, 0, 1, 1, 2};
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = exp(z[i]);
    assert_int_equal(bf_fit_data_init(s, x, 10, NULL), 0);
    assert_int_equal(bf_fit_run(s, t, NULL), 0);
}

static char *write_with(int (*w)(FILE *, const struct bf_fit_report *),
                        const struct bf_fit_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(w(f, rep), 0);
    fclose(f);
    return buf;
}

static void fit_files_should_hold_every_family_and_the_best_spec(void **state)
{
    (void)state;
    struct bf_fit_data s;
    struct bf_fit_table t;
    fit_ten(&s, &t);
    const struct bf_fit_report rep = {
        "borderflow test", "dir/a \"b\".csv", "hours, total", "h", &s, &t};
    char *csv = write_with(bf_write_fit_csv, &rep);
    const char *header = "rank,family,fitted,acceptable,best,param1,value1,param2,value2,loglik,"
                         "aic,delta_aic,bic,ks_d,ks_p,ad_a2,unit,spec,note\n";
    assert_memory_equal(csv, header, strlen(header));
    size_t lines = 0, best = 0;
    for (const char *p = csv; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + BF_FIT_FAMILIES);
    /* the first row has the lowest AIC, so a delta of exactly 0 */
    const char *row1 = csv + strlen(header);
    assert_memory_equal(row1, "1,", 2);
    char want[64];
    snprintf(want, sizeof want, ",%.10g,0,", t.r[0].aic);
    assert_non_null(strstr(row1, want));
    /* the empirical table: last, unranked, no likelihood */
    assert_non_null(strstr(csv, "\nNA,empirical,1,1,"));
    assert_non_null(strstr(csv, ",n_values,"));
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        snprintf(want, sizeof want, "%s,1,%d,", bf_dist_kind_name(t.r[i].kind), t.r[i].acceptable);
        char *row = strstr(csv, want);
        assert_non_null(row);
        best += row[strlen(want)] == '1';
    }
    assert_int_equal(best, 1);
    free(csv);

    char *b = write_with(bf_write_fit_best, &rep);
    char line[BF_FIT_SPEC_SIZE + 2];
    snprintf(line, sizeof line, "%s\n", t.r[t.best].spec);
    assert_string_equal(b, line);
    free(b);

    char *j = write_with(bf_write_fit_json, &rep);
    /* the user's text escaped, the sample and where the spec goes */
    assert_non_null(strstr(j, "\"source\": \"dir/a \\\"b\\\".csv\""));
    assert_non_null(strstr(j, "\"n\": 10,"));
    assert_non_null(strstr(j, "\"parameters\": [\"clearance.doc_prep_h\", "));
    snprintf(line, sizeof line, "\"spec\": %s,", t.r[t.best].spec);
    assert_non_null(strstr(j, line));
    free(j);
    bf_fit_data_fini(&s);
}

static void fit_targets_should_be_the_duration_parameters_of_the_unit(void **state)
{
    (void)state;
    char t[64][64];
    const char *hours[] = {"clearance.doc_prep_h",     "clearance.rework_h",
                           "clearance.screening_h",    "clearance.inspect_h",
                           "returns.cbec_clearance_h", "returns.ordinary_clearance_h"};
    assert_int_equal(bf_fit_targets("h", t, 64), 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(t[i], hours[i]);
    const size_t n = bf_fit_targets("d", t, 64);
    int lane = 0, settle = 0;
    for (size_t i = 0; i < n; i++) {
        lane += strcmp(t[i], "lanes.<lane>.transit_d") == 0;
        settle += strcmp(t[i], "channels.<code>.settlement_d") == 0;
        /* working days and amounts are other units */
        assert_null(strstr(t[i], "_wd"));
        assert_null(strstr(t[i], "_cny"));
    }
    assert_int_equal(lane + settle, 2);
    assert_int_equal(bf_fit_targets("d", t, 3), 3);
}

static void fit_folder_should_be_written_whole_or_not_at_all(void **state)
{
    (void)state;
    struct bf_fit_data s;
    struct bf_fit_table t;
    fit_ten(&s, &t);
    const struct bf_fit_report rep = {"borderflow test", "a.csv", "h", "h", &s, &t};
    char dir[] = "/tmp/bf_fit_out_XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct bf_diag d;
    assert_int_equal(bf_output_write_fit(&rep, dir, &d), 0);
    const char *names[] = {"fit.csv", "best.json", "fit.json"};
    char path[256];
    struct stat st;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size > 0);
        snprintf(path, sizeof path, "%s/%s.tmp", dir, names[i]);
        assert_int_not_equal(stat(path, &st), 0);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    /* a folder that is not there: an error, and nothing made */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none", dir);
    assert_int_equal(bf_output_write_fit(&rep, missing, &d), BF_ENOENT);
    assert_non_null(strstr(d.msg, "cannot use"));
    assert_int_not_equal(stat(missing, &st), 0);
    assert_int_equal(rmdir(dir), 0); /* empty: nothing was left behind */
    bf_fit_data_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_field_should_quote_only_when_needed),
        cmocka_unit_test(json_string_should_escape_quotes_controls_and_markup),
        cmocka_unit_test(folder_name_should_not_leave_the_output_directory),
        cmocka_unit_test(delta_files_should_mark_identical_metrics_and_cover_the_window),
        cmocka_unit_test(fit_files_should_hold_every_family_and_the_best_spec),
        cmocka_unit_test(fit_targets_should_be_the_duration_parameters_of_the_unit),
        cmocka_unit_test(fit_folder_should_be_written_whole_or_not_at_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
