/*
 * test_resource.c - limited capacity, FIFO waiting, statistics.
 */
#include "borderflow/alloc.h"
#include "borderflow/resource.h"

#include "bf_test.h"

static void resource_should_grant_while_capacity_lasts(void **state)
{
    (void)state;
    struct bf_resource r;
    assert_int_equal(bf_resource_init(&r, 2, 0.0), 0);
    bool g;
    assert_int_equal(bf_resource_acquire(&r, 0.0, 10, &g), 0);
    assert_true(g);
    assert_int_equal(bf_resource_acquire(&r, 0.0, 11, &g), 0);
    assert_true(g);
    assert_int_equal(bf_resource_acquire(&r, 1.0, 12, &g), 0);
    assert_false(g);
    assert_int_equal(bf_resource_queue_length(&r), 1);
    bf_resource_fini(&r);
}

static void resource_should_serve_waiters_first_in_first_out(void **state)
{
    (void)state;
    struct bf_resource r;
    assert_int_equal(bf_resource_init(&r, 1, 0.0), 0);
    bool g;
    assert_int_equal(bf_resource_acquire(&r, 0.0, 1, &g), 0);
    for (uint32_t e = 2; e <= 40; e++) { /* grows the ring past 16 */
        assert_int_equal(bf_resource_acquire(&r, (double)e, e, &g), 0);
        assert_false(g);
    }
    uint32_t next;
    double w;
    for (uint32_t e = 2; e <= 40; e++) {
        assert_true(bf_resource_release(&r, 100.0, &next, &w));
        assert_int_equal(next, e);
        bf_assert_near(w, 100.0 - (double)e, 1e-12);
    }
    assert_false(bf_resource_release(&r, 100.0, &next, &w));
    assert_int_equal(r.busy, 0);
    bf_resource_fini(&r);
}

static void resource_should_not_let_newcomers_overtake_waiters(void **state)
{
    (void)state;
    struct bf_resource r;
    assert_int_equal(bf_resource_init(&r, 0, 0.0), 0); /* closed */
    bool g;
    assert_int_equal(bf_resource_acquire(&r, 1.0, 5, &g), 0);
    assert_false(g);
    bf_resource_set_capacity(&r, 2.0, 1);
    /* capacity is free but 5 is waiting: a newcomer queues behind it */
    assert_int_equal(bf_resource_acquire(&r, 2.0, 6, &g), 0);
    assert_false(g);
    uint32_t next;
    double w;
    assert_true(bf_resource_grant_next(&r, 2.0, &next, &w));
    assert_int_equal(next, 5);
    bf_assert_near(w, 1.0, 0.0);
    assert_false(bf_resource_grant_next(&r, 2.0, &next, &w)); /* full again */
    bf_resource_fini(&r);
}

static void resource_should_measure_time_weighted_statistics(void **state)
{
    (void)state;
    /* Capacity 2 on [0, 10]. Busy: 1 on [0,2), 2 on [2,6), 1 on [6,8), 0 on
     * [8,10] -> busy area 2 + 8 + 2 = 12, utilisation 12 / 20 = 0.6.
     * Queue: 1 on [4,6) (entity 3 waits 2 h) -> mean queue 2 / 10 = 0.2.
     * Grants 3, one of them waited 2 h -> mean wait 2/3 h. */
    struct bf_resource r;
    assert_int_equal(bf_resource_init(&r, 2, 0.0), 0);
    bool g;
    uint32_t next;
    double w;
    assert_int_equal(bf_resource_acquire(&r, 0.0, 1, &g), 0);
    assert_int_equal(bf_resource_acquire(&r, 2.0, 2, &g), 0);
    assert_int_equal(bf_resource_acquire(&r, 4.0, 3, &g), 0);
    assert_false(g);
    assert_true(bf_resource_release(&r, 6.0, &next, &w)); /* 1 leaves, 3 starts */
    assert_int_equal(next, 3);
    assert_false(bf_resource_release(&r, 6.0, &next, &w)); /* 2 leaves */
    assert_false(bf_resource_release(&r, 8.0, &next, &w)); /* 3 leaves */
    bf_assert_near(bf_resource_utilisation(&r, 10.0), 0.6, 1e-12);
    bf_assert_near(bf_resource_mean_queue(&r, 10.0), 0.2, 1e-12);
    bf_assert_near(bf_resource_mean_wait(&r), 2.0 / 3.0, 1e-12);
    assert_int_equal(r.n_granted, 3);
    assert_int_equal(r.n_waited, 1);
    bf_assert_near(r.wait_max_h, 2.0, 0.0);
    bf_resource_fini(&r);
}

static void resource_should_let_busy_units_finish_after_capacity_drops(void **state)
{
    (void)state;
    /* A shift ends while two inspections are under way: both finish, and a
     * waiter is not started until capacity returns. */
    struct bf_resource r;
    assert_int_equal(bf_resource_init(&r, 2, 0.0), 0);
    bool g;
    uint32_t next;
    double w;
    assert_int_equal(bf_resource_acquire(&r, 0.0, 1, &g), 0);
    assert_int_equal(bf_resource_acquire(&r, 0.0, 2, &g), 0);
    assert_int_equal(bf_resource_acquire(&r, 1.0, 3, &g), 0);
    bf_resource_set_capacity(&r, 2.0, 0);
    assert_false(bf_resource_release(&r, 3.0, &next, &w));
    assert_false(bf_resource_release(&r, 4.0, &next, &w));
    assert_int_equal(r.busy, 0);
    bf_resource_set_capacity(&r, 10.0, 2);
    assert_true(bf_resource_grant_next(&r, 10.0, &next, &w));
    assert_int_equal(next, 3);
    bf_assert_near(w, 9.0, 0.0);
    bf_resource_fini(&r);
}

static void resource_should_fail_cleanly_without_memory(void **state)
{
    (void)state;
    struct bf_resource r;
    bf_alloc_fail_at(2, 1);
    assert_int_equal(bf_resource_init(&r, 1, 0.0), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_int_equal(bf_resource_init(&r, 1, 0.0), 0);
    bool g;
    assert_int_equal(bf_resource_acquire(&r, 0.0, 0, &g), 0);
    for (uint32_t e = 1; e <= 16; e++)
        assert_int_equal(bf_resource_acquire(&r, 0.0, e, &g), 0);
    bf_alloc_fail_at(1, 1);
    assert_int_equal(bf_resource_acquire(&r, 0.0, 17, &g), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_int_equal(bf_resource_queue_length(&r), 16);
    bf_resource_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resource_should_grant_while_capacity_lasts),
        cmocka_unit_test(resource_should_serve_waiters_first_in_first_out),
        cmocka_unit_test(resource_should_not_let_newcomers_overtake_waiters),
        cmocka_unit_test(resource_should_measure_time_weighted_statistics),
        cmocka_unit_test(resource_should_let_busy_units_finish_after_capacity_drops),
        cmocka_unit_test(resource_should_fail_cleanly_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
