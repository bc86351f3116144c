/*
 * test_event.c - the event list and the engine's clock and dispatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/event.h"

#include "bf_test.h"

static void queue_should_pop_in_time_order(void **state)
{
    (void)state;
    struct bf_event_queue q;
    assert_int_equal(bf_event_queue_init(&q, 0), 0);
    const double t[] = {5.0, 1.0, 4.0, 2.0, 3.0, 0.5, 10.0, 7.5};
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(bf_event_queue_push(&q, t[i], 0, i, NULL), 0);
    const double want[] = {0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 7.5, 10.0};
    struct bf_event ev;
    for (int i = 0; i < 8; i++) {
        assert_true(bf_event_queue_pop(&q, &ev));
        bf_assert_near(ev.t_h, want[i], 0.0);
    }
    assert_false(bf_event_queue_pop(&q, &ev));
    bf_event_queue_fini(&q);
}

static void queue_should_run_equal_times_in_scheduling_order(void **state)
{
    (void)state;
    struct bf_event_queue q;
    assert_int_equal(bf_event_queue_init(&q, 4), 0);
    /* 1000 events at three distinct times, interleaved: within each time the
     * entities must come out in the order they were pushed. */
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(bf_event_queue_push(&q, (double)(i % 3), 0, i, NULL), 0);
    struct bf_event ev;
    uint32_t last[3] = {0, 0, 0};
    int first[3] = {1, 1, 1};
    double prev_t = -1.0;
    size_t n = 0;
    while (bf_event_queue_pop(&q, &ev)) {
        int k = (int)ev.t_h;
        assert_true(ev.t_h >= prev_t);
        prev_t = ev.t_h;
        assert_int_equal(ev.entity % 3, (uint32_t)k);
        if (!first[k])
            assert_true(ev.entity > last[k]);
        first[k] = 0;
        last[k] = ev.entity;
        n++;
    }
    assert_int_equal(n, 1000);
    bf_event_queue_fini(&q);
}

static void queue_should_skip_cancelled_events(void **state)
{
    (void)state;
    struct bf_event_queue q;
    assert_int_equal(bf_event_queue_init(&q, 0), 0);
    uint64_t id[10];
    for (uint32_t i = 0; i < 10; i++)
        assert_int_equal(bf_event_queue_push(&q, (double)i, 0, i, &id[i]), 0);
    assert_int_equal(bf_event_queue_cancel(&q, id[0]), 0); /* the head */
    assert_int_equal(bf_event_queue_cancel(&q, id[4]), 0);
    assert_int_equal(bf_event_queue_cancel(&q, id[9]), 0);         /* the tail */
    assert_int_equal(bf_event_queue_cancel(&q, id[4]), BF_EINVAL); /* twice */
    assert_int_equal(bf_event_queue_cancel(&q, 0), BF_EINVAL);
    assert_int_equal(bf_event_queue_cancel(&q, 12345), BF_EINVAL); /* never issued */
    assert_int_equal(bf_event_queue_size(&q), 7);
    bf_assert_near(bf_event_queue_peek_t(&q), 1.0, 0.0);
    const uint32_t want[] = {1, 2, 3, 5, 6, 7, 8};
    struct bf_event ev;
    for (int i = 0; i < 7; i++) {
        assert_true(bf_event_queue_pop(&q, &ev));
        assert_int_equal(ev.entity, want[i]);
    }
    assert_false(bf_event_queue_pop(&q, &ev));
    assert_int_equal(q.n_cancelled, 0);
    bf_event_queue_fini(&q);
}

static void queue_should_cancel_many_events(void **state)
{
    (void)state;
    /* Exercises growth and backward-shift deletion of the cancel set. */
    struct bf_event_queue q;
    assert_int_equal(bf_event_queue_init(&q, 0), 0);
    enum { N = 5000 };
    static uint64_t id[N];
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(bf_event_queue_push(&q, (double)((i * 7919u) % N), 0, i, &id[i]), 0);
    for (uint32_t i = 0; i < N; i += 3)
        assert_int_equal(bf_event_queue_cancel(&q, id[i]), 0);
    struct bf_event ev;
    size_t n = 0;
    double prev = -1.0;
    while (bf_event_queue_pop(&q, &ev)) {
        assert_true(ev.entity % 3 != 0);
        assert_true(ev.t_h >= prev);
        prev = ev.t_h;
        n++;
    }
    assert_int_equal(n, N - (N + 2) / 3);
    bf_event_queue_fini(&q);
}

static void queue_should_report_out_of_memory_unchanged(void **state)
{
    (void)state;
    struct bf_event_queue q;
    assert_int_equal(bf_event_queue_init(&q, 0), 0);
    for (uint32_t i = 0; i < 64; i++)
        assert_int_equal(bf_event_queue_push(&q, (double)i, 0, i, NULL), 0);
    bf_alloc_fail_at(1, 1);
    assert_int_equal(bf_event_queue_push(&q, 100.0, 0, 64, NULL), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_int_equal(bf_event_queue_size(&q), 64);
    struct bf_event ev;
    assert_true(bf_event_queue_pop(&q, &ev));
    assert_int_equal(ev.entity, 0);
    bf_event_queue_fini(&q);
}

/* A reference for the queue: every event pushed, with the order it must
 * come out in -- (time, sequence) -- found by a linear scan. */
struct ref_ev {
    double t;
    uint64_t seq;
    bool out;
};

/*
 * Pushes and pops interleaved as a simulation makes them -- now the time of
 * the last pop, events from now on, most within days, some years ahead
 * (beyond the ring of day buckets), many at equal times, at the current
 * time and on the current day -- with cancels: every pop must be the
 * reference's next event, whichever of the day's heap, a bucket or the far
 * heap holds it.
 */
static void queue_should_keep_time_order_across_days_and_the_far_heap(void **state)
{
    (void)state;
    enum { N = 20000 };
    static struct ref_ev ref[N + 1];
    struct bf_event_queue q;
    assert_int_equal(bf_event_queue_init(&q, 0), 0);
    uint64_t x = 12345;
    double now = 0.0;
    size_t pushed = 0, popped = 0, cancelled = 0, most_ring = 0, most_far = 0;
    while (popped + cancelled < N) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        const unsigned r = (unsigned)(x >> 33);
        if (pushed < N && (r % 3 != 0 || popped + cancelled == pushed)) {
            double dt;
            switch (r % 7) {
            case 0:
                dt = 0.0;
                break; /* now */
            case 1:
                dt = (double)(r % 5);
                break; /* today, hours */
            case 2:
                dt = 24.0 * (double)(r % 40);
                break; /* whole days */
            case 3:
                dt = 24.0 * 1024.0 + (double)(r % 9000);
                break; /* beyond the ring */
            case 4:
                dt = 24.0 * 3000.0 * (double)(r % 4);
                break; /* far, equal */
            default:
                dt = (double)(r % 2000) * 0.37;
                break;
            }
            uint64_t id;
            assert_int_equal(bf_event_queue_push(&q, now + dt, 0, (uint32_t)pushed, &id), 0);
            assert_int_equal(id, pushed + 1);
            ref[pushed] = (struct ref_ev){.t = now + dt, .seq = id};
            pushed++;
            /* now and then cancel a pending event */
            if (r % 11 == 0) {
                size_t k = (size_t)(r % pushed);
                if (!ref[k].out) {
                    assert_int_equal(bf_event_queue_cancel(&q, ref[k].seq), 0);
                    ref[k].out = true;
                    cancelled++;
                }
            }
        } else {
            size_t best = SIZE_MAX;
            for (size_t k = 0; k < pushed; k++)
                if (!ref[k].out && (best == SIZE_MAX || ref[k].t < ref[best].t ||
                                    (ref[k].t == ref[best].t && ref[k].seq < ref[best].seq)))
                    best = k;
            assert_true(best != SIZE_MAX);
            struct bf_event ev;
            assert_true(bf_event_queue_pop(&q, &ev));
            if (ev.seq != ref[best].seq)
                fail_msg("pop %zu: seq %llu at %g, expected %llu at %g", popped,
                         (unsigned long long)ev.seq, ev.t_h, (unsigned long long)ref[best].seq,
                         ref[best].t);
            ref[best].out = true;
            now = ev.t_h;
            popped++;
        }
        assert_int_equal(bf_event_queue_size(&q), pushed - popped - cancelled);
        most_ring = q.n_ring > most_ring ? q.n_ring : most_ring;
        most_far = q.n_far > most_far ? q.n_far : most_far;
    }
    assert_true(most_ring > 100 && most_far > 100); /* all three levels were used */
    struct bf_event ev;
    assert_false(bf_event_queue_pop(&q, &ev));
    assert_true(q.n_far == 0 && q.n_ring == 0);
    bf_event_queue_fini(&q);
}

/* ---- engine ---- */

struct rec {
    double t[32];
    uint32_t ent[32];
    int kind[32];
    int n;
    uint64_t to_cancel;
};

static int on_a(struct bf_engine *e, uint32_t entity, void *ctx)
{
    struct rec *r = ctx;
    r->t[r->n] = e->now_h;
    r->ent[r->n] = entity;
    r->kind[r->n++] = 0;
    if (entity == 1) {
        /* schedule at the current time: runs after everything already at
         * this time (FIFO by sequence) */
        assert_int_equal(bf_engine_in(e, 0.0, 1, 100, NULL), 0);
    }
    if (entity == 2)
        assert_int_equal(bf_engine_cancel(e, r->to_cancel), 0);
    return 0;
}

static int on_b(struct bf_engine *e, uint32_t entity, void *ctx)
{
    struct rec *r = ctx;
    r->t[r->n] = e->now_h;
    r->ent[r->n] = entity;
    r->kind[r->n++] = 1;
    return entity == 666 ? BF_EIO : 0;
}

static bf_event_fn *const handlers[] = {on_a, on_b};

static void engine_should_dispatch_by_kind_in_order(void **state)
{
    (void)state;
    struct rec r = {0};
    struct bf_engine e;
    assert_int_equal(bf_engine_init(&e, handlers, 2, &r, 0), 0);
    assert_int_equal(bf_engine_at(&e, 2.0, 0, 1, NULL), 0);
    assert_int_equal(bf_engine_at(&e, 2.0, 1, 7, NULL), 0);
    assert_int_equal(bf_engine_at(&e, 1.0, 0, 2, NULL), 0);
    assert_int_equal(bf_engine_at(&e, 3.0, 1, 8, &r.to_cancel), 0);
    assert_int_equal(bf_engine_at(&e, 4.0, 1, 9, NULL), 0);
    assert_int_equal(bf_engine_run(&e, 3.5), 0);
    /* 1.0 A(2) cancels B(8); 2.0 A(1) then B(7) then B(100) scheduled by A(1) */
    assert_int_equal(r.n, 4);
    assert_int_equal(r.ent[0], 2);
    assert_int_equal(r.ent[1], 1);
    assert_int_equal(r.ent[2], 7);
    assert_int_equal(r.ent[3], 100);
    bf_assert_near(r.t[3], 2.0, 0.0);
    bf_assert_near(e.now_h, 3.5, 0.0); /* the clock stands at until */
    assert_int_equal(bf_engine_run(&e, (double)INFINITY), 0);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.ent[4], 9);
    bf_assert_near(e.now_h, 4.0, 0.0);
    assert_int_equal(e.n_dispatched, 5);
    bf_engine_fini(&e);
}

static void engine_should_stop_on_handler_error(void **state)
{
    (void)state;
    struct rec r = {0};
    struct bf_engine e;
    assert_int_equal(bf_engine_init(&e, handlers, 2, &r, 0), 0);
    assert_int_equal(bf_engine_at(&e, 1.0, 1, 666, NULL), 0);
    assert_int_equal(bf_engine_at(&e, 2.0, 1, 5, NULL), 0);
    assert_int_equal(bf_engine_run(&e, (double)INFINITY), BF_EIO);
    assert_int_equal(r.n, 1);
    bf_assert_near(e.now_h, 1.0, 0.0);
    bf_engine_fini(&e);
}

static void engine_should_write_one_trace_line_per_event(void **state)
{
    (void)state;
    struct rec r = {0};
    struct bf_engine e;
    static const char *const names[] = {"alpha", "beta"};
    char buf[512] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    assert_int_equal(bf_engine_init(&e, handlers, 2, &r, 0), 0);
    bf_engine_trace_file(&e, f, names);
    assert_int_equal(bf_engine_at(&e, 0.25, 1, 3, NULL), 0);
    assert_int_equal(bf_engine_at(&e, 1.5, 0, 4, NULL), 0);
    assert_int_equal(bf_engine_run(&e, (double)INFINITY), 0);
    fclose(f);
    assert_string_equal(buf, "0.250000\tbeta\t3\n1.500000\talpha\t4\n");
    bf_engine_fini(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_should_pop_in_time_order),
        cmocka_unit_test(queue_should_run_equal_times_in_scheduling_order),
        cmocka_unit_test(queue_should_skip_cancelled_events),
        cmocka_unit_test(queue_should_cancel_many_events),
        cmocka_unit_test(queue_should_keep_time_order_across_days_and_the_far_heap),
        cmocka_unit_test(queue_should_report_out_of_memory_unchanged),
        cmocka_unit_test(engine_should_dispatch_by_kind_in_order),
        cmocka_unit_test(engine_should_stop_on_handler_error),
        cmocka_unit_test(engine_should_write_one_trace_line_per_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
