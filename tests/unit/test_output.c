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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_field_should_quote_only_when_needed),
        cmocka_unit_test(json_string_should_escape_quotes_controls_and_markup),
        cmocka_unit_test(folder_name_should_not_leave_the_output_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
