/* test_bg.c: background loops: busy ticks run back to back, idle ones wait
 * idle_ms or a wake, errors back off, and stop interrupts a sleeping tick. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "common/bg.h"
#include "common/util.h"

struct counter {
    atomic_int ticks;
    atomic_int work;     /* ticks that still report work */
    int result_when_idle;
};

static int count_tick(void *arg)
{
    struct counter *c = arg;
    atomic_fetch_add(&c->ticks, 1);
    if (atomic_load(&c->work) > 0) {
        atomic_fetch_sub(&c->work, 1);
        return 1;
    }
    return c->result_when_idle;
}

static void test_busy_then_idle(void **state)
{
    (void)state;
    struct counter c = {.work = 50, .result_when_idle = 0};
    /* Idle for a long time: the 50 busy ticks must not wait for it. */
    struct bg_loop *loop = bg_start("busy", count_tick, &c, 10000);
    int64_t end = mono_ms() + 2000;
    while (atomic_load(&c.ticks) < 51 && mono_ms() < end)
        usleep(1000);
    assert_int_equal(atomic_load(&c.ticks), 51);
    usleep(100 * 1000);
    assert_int_equal(atomic_load(&c.ticks), 51); /* now idle */

    /* A wake runs a tick at once. */
    bg_wake(loop);
    end = mono_ms() + 2000;
    while (atomic_load(&c.ticks) < 52 && mono_ms() < end)
        usleep(1000);
    assert_int_equal(atomic_load(&c.ticks), 52);

    int64_t t0 = mono_ms();
    bg_stop(loop); /* does not wait out the idle period */
    assert_true(mono_ms() - t0 < 1000);
    bg_wake(NULL);
    bg_stop(NULL);
}

static void test_idle_period(void **state)
{
    (void)state;
    struct counter c = {.work = 0, .result_when_idle = 0};
    struct bg_loop *loop = bg_start("idle", count_tick, &c, 50);
    usleep(520 * 1000);
    bg_stop(loop);
    int n = atomic_load(&c.ticks);
    assert_true(n >= 5 && n <= 13);
}

static void test_errors_wait_idle(void **state)
{
    (void)state;
    struct counter c = {.work = 0, .result_when_idle = -1};
    struct bg_loop *loop = bg_start("failing", count_tick, &c, 50);
    usleep(300 * 1000);
    bg_stop(loop);
    int n = atomic_load(&c.ticks);
    assert_true(n >= 3 && n <= 9); /* not a hot loop */
}

static atomic_int sleep_result = -1;
static atomic_int stopping_seen = -1;
static atomic_int slept_ms = -1;

static int long_tick(void *arg)
{
    (void)arg;
    if (atomic_load(&sleep_result) != -1)
        return 0;
    int64_t t0 = mono_ms();
    int r = bg_sleep_ms(10000);
    atomic_store(&slept_ms, (int)(mono_ms() - t0));
    atomic_store(&stopping_seen, bg_stopping());
    atomic_store(&sleep_result, r);
    return 0;
}

static void test_stop_interrupts_sleep(void **state)
{
    (void)state;
    struct bg_loop *loop = bg_start("sleeper", long_tick, NULL, 10);
    usleep(100 * 1000);
    assert_int_equal(bg_stopping(), 0); /* not on a loop thread */
    bg_wake(loop); /* a wake does not cut a tick's sleep short */
    usleep(50 * 1000);
    assert_int_equal(atomic_load(&sleep_result), -1);
    int64_t t0 = mono_ms();
    bg_stop(loop);
    assert_true(mono_ms() - t0 < 2000);
    assert_int_equal(atomic_load(&sleep_result), 1);
    assert_int_equal(atomic_load(&stopping_seen), 1);
    assert_true(atomic_load(&slept_ms) < 5000);
}

static void test_sleep_outside_loop(void **state)
{
    (void)state;
    int64_t t0 = mono_ms();
    assert_int_equal(bg_sleep_ms(30), 0);
    int64_t d = mono_ms() - t0;
    assert_true(d >= 29 && d < 1000);
    assert_int_equal(bg_sleep_ms(-5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_then_idle),
        cmocka_unit_test(test_idle_period),
        cmocka_unit_test(test_errors_wait_idle),
        cmocka_unit_test(test_stop_interrupts_sleep),
        cmocka_unit_test(test_sleep_outside_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
