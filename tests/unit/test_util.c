/*
 * test_util.c - error codes, diagnostics, the allocation hook.
 */
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"

#include "bf_test.h"

static void strerror_should_name_every_code(void **state)
{
    (void)state;
    assert_string_equal(bf_strerror(BF_ENOMEM), "out of memory");
    assert_string_equal(bf_err_name(BF_ENOMEM), "BF_ENOMEM");
    assert_string_equal(bf_err_name(BF_EPARSE), "BF_EPARSE");
    assert_string_equal(bf_strerror(0), "success");
    assert_string_equal(bf_strerror(12345), "unknown error");
    assert_true(BF_EINVAL < 0 && BF_EMPI < 0);
}

static void diag_should_truncate_and_terminate(void **state)
{
    (void)state;
    struct bf_diag d;
    bf_diag_clear(&d);
    assert_string_equal(d.msg, "");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    bf_diag_set(&d, "%s", big);
    assert_int_equal(strlen(d.msg), sizeof d.msg - 1);
    bf_diag_where(&d, "%s:%d:%d", "a.json", 3, 14);
    assert_string_equal(d.where, "a.json:3:14");
    bf_diag_set(NULL, "ignored"); /* a NULL diag is allowed */
}

static void allocator_should_fail_the_nth_allocation(void **state)
{
    (void)state;
    bf_alloc_fail_at(3, 0);
    void *a = bf__malloc(10), *b = bf__malloc(10), *c = bf__malloc(10), *d = bf__malloc(10);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);     /* the third */
    assert_non_null(d); /* not sticky */
    assert_int_equal(bf_alloc_count(), 4);
    bf__free(a);
    bf__free(b);
    bf__free(d);
    bf_alloc_fail_at(1, 1);
    assert_null(bf__malloc(1));
    assert_null(bf__calloc(2, 2));
    assert_null(bf__strdup("x"));
    bf_alloc_fail_at(0, 0);
    assert_int_equal(bf_alloc_live_bytes(), 0);
}

static void allocator_should_enforce_the_byte_budget(void **state)
{
    (void)state;
    bf_alloc_set_limit(1000);
    void *a = bf__malloc(600);
    assert_non_null(a);
    assert_null(bf__malloc(600)); /* 1200 > 1000 */
    a = bf__realloc(a, 900);
    assert_non_null(a);
    assert_null(bf__realloc(a, 1100)); /* a stays valid */
    assert_int_equal(bf_alloc_live_bytes(), 900);
    bf__free(a);
    bf_alloc_set_limit(0);
    assert_int_equal(bf_alloc_live_bytes(), 0);
    assert_true(bf_alloc_peak_bytes() >= 900);
}

static void allocator_should_keep_contents_on_realloc(void **state)
{
    (void)state;
    char *p = bf__malloc(4);
    memcpy(p, "abc", 4);
    p = bf__realloc(p, 4096);
    assert_string_equal(p, "abc");
    char *q = bf__calloc(8, 8);
    for (int i = 0; i < 64; i++)
        assert_int_equal(q[i], 0);
    bf__free(p);
    bf__free(q);
    bf__free(NULL);
    assert_null(bf__calloc(SIZE_MAX / 2, 4)); /* overflow is refused */
}

static void text_escape_should_show_control_characters_as_json_escapes(void **state)
{
    (void)state;
    char out[64];
    /* ESC, BEL, DEL and the C1 CSI (U+009B, UTF-8 C2 9B): a terminal would
     * act on them; shown as JSON writes them */
    assert_string_equal(bf_text_escape("a\x1b[2Jb\a\x7f", out, sizeof out),
                        "a\\u001b[2Jb\\u0007\\u007f");
    assert_string_equal(bf_text_escape("x\xc2\x9b"
                                       "31m",
                                       out, sizeof out),
                        "x\\u009b31m");
    /* the rest as it is: Chinese, Latin-1 letters (U+00E9 is C3 A9), quotes */
    assert_string_equal(bf_text_escape("杭州 caf\xc3\xa9 'q'", out, sizeof out),
                        "杭州 caf\xc3\xa9 'q'");
    /* cut before an escape that does not fit, always terminated */
    assert_string_equal(bf_text_escape("ab\x1b", out, 8), "ab");
    assert_string_equal(bf_text_escape("abcdefghij", out, 4), "abc");
    assert_string_equal(bf_text_escape("", out, sizeof out), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strerror_should_name_every_code),
        cmocka_unit_test(diag_should_truncate_and_terminate),
        cmocka_unit_test(allocator_should_fail_the_nth_allocation),
        cmocka_unit_test(allocator_should_enforce_the_byte_budget),
        cmocka_unit_test(allocator_should_keep_contents_on_realloc),
        cmocka_unit_test(text_escape_should_show_control_characters_as_json_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
