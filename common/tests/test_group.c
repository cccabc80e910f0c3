/* test_group.c: grouped writes: every item is written exactly once, by a
 * write that returned before its caller did; no write carries more than
 * max, nor more writes at once than inflight; a caller alone is written at
 * once; callers arriving while the writes run go together in the next. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "common/group.h"

struct item {
    int id;
    atomic_int written; /* times a write carried it */
    int returned_after_write;
};

struct ctx {
    int max, inflight;
    atomic_int writes, largest, in_write, most_in_write;
    int bad_size; /* a write of none or of more than max: never */
    int sleep_us;
};

static void write_fn(void *c, void **items, int n)
{
    struct ctx *ctx = c;
    int now = atomic_fetch_add(&ctx->in_write, 1) + 1;
    int most = atomic_load(&ctx->most_in_write);
    while (now > most && !atomic_compare_exchange_weak(&ctx->most_in_write, &most, now))
        ;
    if (n < 1 || n > ctx->max)
        ctx->bad_size = 1; /* asserted on the main thread */
    int largest = atomic_load(&ctx->largest);
    while (n > largest && !atomic_compare_exchange_weak(&ctx->largest, &largest, n))
        ;
    if (ctx->sleep_us)
        usleep((useconds_t)ctx->sleep_us);
    for (int i = 0; i < n; i++)
        atomic_fetch_add(&((struct item *)items[i])->written, 1);
    atomic_fetch_add(&ctx->writes, 1);
    atomic_fetch_sub(&ctx->in_write, 1);
}

static void test_alone_is_written_at_once(void **state)
{
    (void)state;
    struct ctx ctx = {.max = 8, .inflight = 1};
    struct group *g = group_create(8, 1, write_fn, &ctx);
    struct item it = {.id = 1};
    group_run(g, &it);
    assert_int_equal(atomic_load(&it.written), 1);
    assert_int_equal(atomic_load(&ctx.writes), 1);
    long w, n;
    group_counts(g, &w, &n);
    assert_int_equal(w, 1);
    assert_int_equal(n, 1);
    group_destroy(g);
}

#define THREADS 32
#define PER_THREAD 50

struct worker {
    struct group *g;
    struct item items[PER_THREAD];
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        group_run(w->g, &w->items[i]);
        w->items[i].returned_after_write = atomic_load(&w->items[i].written) == 1;
    }
    return NULL;
}

static void concurrent_callers(int inflight)
{
    struct ctx ctx = {.max = 5, .inflight = inflight, .sleep_us = 200};
    struct group *g = group_create(5, inflight, write_fn, &ctx);
    static struct worker ws[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        ws[t].g = g;
        for (int i = 0; i < PER_THREAD; i++)
            ws[t].items[i] = (struct item){.id = t * PER_THREAD + i};
        pthread_create(&th[t], NULL, run_worker, &ws[t]);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            assert_int_equal(atomic_load(&ws[t].items[i].written), 1);
            assert_true(ws[t].items[i].returned_after_write);
        }
    /* never more writes at once than inflight; 32 callers fill them all */
    assert_int_equal(atomic_load(&ctx.most_in_write), inflight);
    assert_false(ctx.bad_size);
    assert_int_equal(atomic_load(&ctx.largest), 5); /* 32 callers, writes of 200 us */
    long w, n;
    group_counts(g, &w, &n);
    assert_int_equal(n, THREADS * PER_THREAD);
    assert_int_equal(w, atomic_load(&ctx.writes));
    assert_true(w < THREADS * PER_THREAD / 2);
    group_destroy(g);
}

static void test_concurrent_callers_grouped(void **state)
{
    (void)state;
    concurrent_callers(1);
}

static void test_concurrent_writes_bounded(void **state)
{
    (void)state;
    concurrent_callers(3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alone_is_written_at_once),
        cmocka_unit_test(test_concurrent_callers_grouped),
        cmocka_unit_test(test_concurrent_writes_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
