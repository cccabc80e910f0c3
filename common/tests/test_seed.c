/* test_seed.c: http test of SEED_FILE in service_main: a real daemon
 * (demo_daemon.c) runs the file after its migrations at every start (the
 * seed is idempotent, so a second start changes nothing), and refuses to
 * start when the file is missing or fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport.h"

#ifndef DEMO_DAEMON_BIN
#error DEMO_DAEMON_BIN must name the demo daemon
#endif
#ifndef FIXTURES_DIR
#error FIXTURES_DIR must name common/tests/fixtures
#endif

static char db_uri[512];

static int setup(void **state)
{
    (void)state;
    return test_db_create("seed", NULL, db_uri, sizeof db_uri) == 0 ? 0 : -1;
}

/* Starts the demo daemon with SEED_FILE=seed; 0 if it became healthy (and
 * was then stopped cleanly), -1 if it did not start. */
static int start_with_seed(const char *seed)
{
    char url_env[600], seed_env[600];
    snprintf(url_env, sizeof url_env, "DATABASE_URL=%s", db_uri);
    snprintf(seed_env, sizeof seed_env, "SEED_FILE=%s", seed);
    const char *env[] = {url_env, seed_env, "DB_STARTUP_WAIT_S=5", NULL};
    struct test_daemon d;
    if (test_daemon_start(&d, "demo-seed", DEMO_DAEMON_BIN, "DEMO_APP_PORT", 0, env) != 0)
        return -1;
    assert_int_equal(test_daemon_stop(&d), 0);
    return 0;
}

static char *scalar(const char *sql)
{
    int ok = 1;
    char *v = test_db_scalar(db_uri, sql, &ok);
    assert_true(ok);
    return v;
}

static void test_seed_applied_and_idempotent(void **state)
{
    (void)state;
    assert_int_equal(start_with_seed(FIXTURES_DIR "/seed/ok.sql"), 0);
    char *n = scalar("SELECT count(*) FROM seed_demo");
    assert_string_equal(n, "2");
    free(n);
    /* A change made after the first start survives the second run of the
     * seed: ON CONFLICT DO NOTHING leaves existing rows alone. */
    assert_int_equal(test_db_exec(db_uri, "UPDATE seed_demo SET name = 'changed' WHERE id = 1"), 0);
    assert_int_equal(start_with_seed(FIXTURES_DIR "/seed/ok.sql"), 0);
    n = scalar("SELECT count(*) || ':' || string_agg(name, ',' ORDER BY id) FROM seed_demo");
    assert_string_equal(n, "2:changed,beta");
    free(n);
}

static void test_seed_failure_stops_start(void **state)
{
    (void)state;
    fprintf(stderr, "(two start-up failures follow, on purpose)\n");
    assert_int_equal(start_with_seed(FIXTURES_DIR "/seed/bad.sql"), -1);
    assert_int_equal(start_with_seed(FIXTURES_DIR "/seed/missing.sql"), -1);
}

int main(void)
{
    test_require_pg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_applied_and_idempotent),
        cmocka_unit_test(test_seed_failure_stops_start),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
