/* test_ratelimit.c: token bucket arithmetic and the sharded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "ratelimit.h"

static void bucket_allows_capacity_then_limits(void **state)
{
    (void)state;
    struct tbucket b;
    long retry = 0;
    tbucket_init(&b, 5, 1000);
    for (int i = 0; i < 5; i++)
        assert_int_equal(tbucket_take(&b, 5, 1000, &retry), 1);
    assert_int_equal(tbucket_take(&b, 5, 1000, &retry), 0);
    /* 5 per minute: one token every 12 s */
    assert_int_equal(retry, 12);
}

static void bucket_refills_continuously(void **state)
{
    (void)state;
    struct tbucket b;
    long retry = 0;
    tbucket_init(&b, 60, 0);
    for (int i = 0; i < 60; i++)
        assert_int_equal(tbucket_take(&b, 60, 0, NULL), 1);
    assert_int_equal(tbucket_take(&b, 60, 500, &retry), 0);
    assert_int_equal(retry, 1); /* half a token missing: 0.5 s, rounded up */
    assert_int_equal(tbucket_take(&b, 60, 1000, &retry), 1);
    assert_int_equal(tbucket_take(&b, 60, 1000, &retry), 0);
    /* never above capacity after a long pause */
    assert_int_equal(tbucket_full(&b, 60, 10000000), 1);
    assert_int_equal(tbucket_take(&b, 60, 10000000, NULL), 1);
    assert_true(b.tokens <= 59.0 + 1e-9);
}

static void bucket_ignores_clock_going_back(void **state)
{
    (void)state;
    struct tbucket b;
    tbucket_init(&b, 1, 5000);
    assert_int_equal(tbucket_take(&b, 1, 5000, NULL), 1);
    assert_int_equal(tbucket_take(&b, 1, 1000, NULL), 0);
    assert_int_equal(b.last_ms, 5000);
}

static void bucket_retry_after_large_capacity(void **state)
{
    (void)state;
    struct tbucket b;
    long retry = 0;
    tbucket_init(&b, 1000000, 0);
    b.tokens = 0;
    assert_int_equal(tbucket_take(&b, 1000000, 0, &retry), 0);
    assert_int_equal(retry, 1);
}

static void table_keys_are_independent(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_create(2, 1000);
    long retry = 0;
    assert_int_equal(ratelimit_take(rl, "ip:1", 0, &retry), 1);
    assert_int_equal(ratelimit_take(rl, "ip:1", 0, &retry), 1);
    assert_int_equal(ratelimit_take(rl, "ip:1", 0, &retry), 0);
    assert_int_equal(retry, 30);
    assert_int_equal(ratelimit_take(rl, "ip:2", 0, &retry), 1);
    assert_int_equal(ratelimit_size(rl), 2);
    ratelimit_destroy(rl);
}

static void table_evicts_full_buckets(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_create(60, 100000);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(ratelimit_take(rl, key, 0, NULL), 1);
    }
    assert_int_equal(ratelimit_size(rl), 5000);
    /* after 0.5 s nobody is full again */
    assert_int_equal(ratelimit_evict(rl, 500), 0);
    /* after a second every bucket has its token back */
    assert_int_equal(ratelimit_evict(rl, 1000), 5000);
    assert_int_equal(ratelimit_size(rl), 0);
    ratelimit_destroy(rl);
}

static void table_bounded_memory(void **state)
{
    (void)state;
    /* 64 keys at most (one per shard): past that, new keys pass untracked */
    struct ratelimit *rl = ratelimit_create(1, 64);
    char key[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(ratelimit_take(rl, key, 0, NULL), 1);
    }
    assert_true(ratelimit_size(rl) <= 64);
    ratelimit_destroy(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_allows_capacity_then_limits),
        cmocka_unit_test(bucket_refills_continuously),
        cmocka_unit_test(bucket_ignores_clock_going_back),
        cmocka_unit_test(bucket_retry_after_large_capacity),
        cmocka_unit_test(table_keys_are_independent),
        cmocka_unit_test(table_evicts_full_buckets),
        cmocka_unit_test(table_bounded_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
