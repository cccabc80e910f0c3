/* test_outbox_backoff.c: the retry schedule: first retry within seconds,
 * doubling, capped, jitter within [0.5, 1.5), and an hour and more of
 * retries before the cap would ever give up (it never does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>

#include "common/outbox.h"

static const struct outbox_config cfg = {
    .url = "http://127.0.0.1:1/x",
    .secret = "s",
    .timeout_ms = 5000,
    .retry_base_ms = 1000,
    .retry_max_ms = 600000,
    .batch = 10,
    .lease_ms = 60000,
};

static void test_doubling(void **state)
{
    (void)state;
    assert_int_equal(outbox_backoff_ms(&cfg, 1, 0.5), 1000);
    assert_int_equal(outbox_backoff_ms(&cfg, 2, 0.5), 2000);
    assert_int_equal(outbox_backoff_ms(&cfg, 3, 0.5), 4000);
    assert_int_equal(outbox_backoff_ms(&cfg, 10, 0.5), 512000);
    assert_int_equal(outbox_backoff_ms(&cfg, 11, 0.5), 600000);
    assert_int_equal(outbox_backoff_ms(&cfg, 12, 0.5), 600000);
}

static void test_jitter_bounds(void **state)
{
    (void)state;
    for (int a = 1; a <= 40; a++) {
        long mid = outbox_backoff_ms(&cfg, a, 0.5);
        long lo = outbox_backoff_ms(&cfg, a, 0.0);
        long hi = outbox_backoff_ms(&cfg, a, 0.999999);
        assert_int_equal(lo, mid / 2);
        assert_true(hi < mid + mid / 2);
        assert_true(hi >= mid + mid / 2 - 1);
        for (double j = 0; j < 1; j += 0.01) {
            long d = outbox_backoff_ms(&cfg, a, j);
            assert_true(d >= lo && d <= hi);
        }
    }
    /* Out-of-range jitter is clamped, never a negative or huge delay. */
    assert_int_equal(outbox_backoff_ms(&cfg, 1, -3), 500);
    assert_true(outbox_backoff_ms(&cfg, 1, 7) < 1500);
    assert_int_equal(outbox_backoff_ms(&cfg, 1, NAN), 500);
}

static void test_monotonic_and_capped(void **state)
{
    (void)state;
    for (double j = 0; j < 1; j += 0.25) {
        long prev = 0;
        for (int a = 1; a < 5000; a++) {
            long d = outbox_backoff_ms(&cfg, a, j);
            assert_true(d >= prev);
            assert_true(d <= cfg.retry_max_ms * 3 / 2);
            prev = d;
        }
    }
    /* No overflow however many attempts. */
    assert_int_equal(outbox_backoff_ms(&cfg, INT_MAX, 0.5), 600000);
    assert_int_equal(outbox_backoff_ms(&cfg, 64, 0.5), 600000);
    /* attempts < 1 reads as the first failure. */
    assert_int_equal(outbox_backoff_ms(&cfg, 0, 0.5), 1000);
    assert_int_equal(outbox_backoff_ms(&cfg, -5, 0.5), 1000);
}

static void test_schedule_spans_hours(void **state)
{
    (void)state;
    /* Even with the shortest jitter every time: first retry within a
     * second, and 25 attempts take more than an hour. */
    assert_true(outbox_backoff_ms(&cfg, 1, 0.0) <= 1000);
    long total = 0;
    for (int a = 1; a <= 25; a++)
        total += outbox_backoff_ms(&cfg, a, 0.0);
    assert_true(total > 3600L * 1000);
    /* With the longest jitter the first retry is still within seconds. */
    assert_true(outbox_backoff_ms(&cfg, 1, 0.999) < 1500);
}

static void test_odd_config(void **state)
{
    (void)state;
    struct outbox_config c = cfg;
    c.retry_max_ms = 100; /* a cap under the base: the base wins */
    assert_int_equal(outbox_backoff_ms(&c, 5, 0.5), 1000);
    c.retry_base_ms = 0;
    c.retry_max_ms = 0;
    assert_true(outbox_backoff_ms(&c, 5, 0.5) >= 0);
    c.retry_base_ms = LONG_MAX / 2;
    c.retry_max_ms = LONG_MAX / 2;
    assert_true(outbox_backoff_ms(&c, 30, 0.5) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubling),
        cmocka_unit_test(test_jitter_bounds),
        cmocka_unit_test(test_monotonic_and_capped),
        cmocka_unit_test(test_schedule_spans_hours),
        cmocka_unit_test(test_odd_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
