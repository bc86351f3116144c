/*
 * test_pool.c - entity pools: reuse, generations, growth, limits.
 */
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/pool.h"

#include "bf_test.h"

struct item {
    double x;
    uint32_t tag;
};

static void pool_should_reuse_freed_slots_first(void **state)
{
    (void)state;
    struct bf_pool p;
    assert_int_equal(bf_pool_init(&p, sizeof(struct item), 0), 0);
    uint32_t a, b, c, d;
    assert_int_equal(bf_pool_alloc(&p, &a), 0);
    assert_int_equal(bf_pool_alloc(&p, &b), 0);
    assert_int_equal(bf_pool_alloc(&p, &c), 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(c, 2);
    uint32_t gb = bf_pool_gen(&p, b);
    bf_pool_free(&p, b);
    assert_false(bf_pool_live(&p, b));
    assert_int_equal(bf_pool_gen(&p, b), gb + 1);
    assert_int_equal(bf_pool_alloc(&p, &d), 0);
    assert_int_equal(d, b); /* the freed slot, not a new one */
    assert_true(bf_pool_live(&p, d));
    assert_int_equal(p.top, 3);
    assert_int_equal(p.live, 3);
    bf_pool_fini(&p);
}

static void pool_should_hand_out_zeroed_items(void **state)
{
    (void)state;
    struct bf_pool p;
    assert_int_equal(bf_pool_init(&p, sizeof(struct item), 2), 0);
    uint32_t a;
    assert_int_equal(bf_pool_alloc(&p, &a), 0);
    struct item *it = bf_pool_at(&p, a);
    it->x = 3.5;
    it->tag = 77;
    bf_pool_free(&p, a);
    assert_int_equal(bf_pool_alloc(&p, &a), 0);
    it = bf_pool_at(&p, a);
    bf_assert_near(it->x, 0.0, 0.0);
    assert_int_equal(it->tag, 0);
    bf_pool_fini(&p);
}

static void pool_memory_should_follow_entities_in_flight(void **state)
{
    (void)state;
    /* A million entities created, at most 100 alive at once: the pool never
     * holds more than 100 slots. */
    struct bf_pool p;
    assert_int_equal(bf_pool_init(&p, sizeof(struct item), 0), 0);
    uint32_t ring[100];
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(bf_pool_alloc(&p, &ring[i]), 0);
    for (uint32_t i = 0; i < 1000000; i++) {
        bf_pool_free(&p, ring[i % 100]);
        assert_int_equal(bf_pool_alloc(&p, &ring[i % 100]), 0);
        ((struct item *)bf_pool_at(&p, ring[i % 100]))->tag = i;
    }
    assert_int_equal(p.top, 100);
    assert_int_equal(p.peak, 100);
    assert_true(p.cap <= 128);
    bf_pool_fini(&p);
}

static void pool_should_keep_contents_across_growth(void **state)
{
    (void)state;
    struct bf_pool p;
    assert_int_equal(bf_pool_init(&p, sizeof(struct item), 1), 0);
    for (uint32_t i = 0; i < 10000; i++) {
        uint32_t k;
        assert_int_equal(bf_pool_alloc(&p, &k), 0);
        assert_int_equal(k, i);
        ((struct item *)bf_pool_at(&p, k))->tag = i * 3u;
    }
    for (uint32_t i = 0; i < 10000; i++)
        assert_int_equal(((struct item *)bf_pool_at(&p, i))->tag, i * 3u);
    bf_pool_fini(&p);
}

static void pool_should_refuse_beyond_its_limit(void **state)
{
    (void)state;
    struct bf_pool p;
    assert_int_equal(bf_pool_init(&p, 8, 0), 0);
    p.max_items = 100;
    uint32_t k;
    for (int i = 0; i < 100; i++)
        assert_int_equal(bf_pool_alloc(&p, &k), 0);
    assert_int_equal(bf_pool_alloc(&p, &k), BF_ELIMIT);
    bf_pool_free(&p, 5);
    assert_int_equal(bf_pool_alloc(&p, &k), 0);
    assert_int_equal(k, 5);
    bf_pool_fini(&p);
}

static void pool_should_fail_cleanly_without_memory(void **state)
{
    (void)state;
    struct bf_pool p;
    assert_int_equal(bf_pool_init(&p, 16, 0), 0);
    uint32_t k;
    bf_alloc_fail_at(1, 1);
    assert_int_equal(bf_pool_alloc(&p, &k), BF_ENOMEM);
    bf_alloc_fail_at(2, 1); /* the second array of the growth fails */
    assert_int_equal(bf_pool_alloc(&p, &k), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_int_equal(p.live, 0);
    assert_int_equal(bf_pool_alloc(&p, &k), 0);
    assert_int_equal(k, 0);
    bf_pool_fini(&p);
    bf_alloc_fail_at(1, 1);
    assert_int_equal(bf_pool_init(&p, 16, 10), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_int_equal(bf_alloc_live_bytes(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_should_reuse_freed_slots_first),
        cmocka_unit_test(pool_should_hand_out_zeroed_items),
        cmocka_unit_test(pool_memory_should_follow_entities_in_flight),
        cmocka_unit_test(pool_should_keep_contents_across_growth),
        cmocka_unit_test(pool_should_refuse_beyond_its_limit),
        cmocka_unit_test(pool_should_fail_cleanly_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
