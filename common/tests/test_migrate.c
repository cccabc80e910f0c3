/* test_migrate.c: the migrations runner against a real PostgreSQL: order,
 * once only, idempotent reruns, a failing file rolled back and named, and
 * two runners at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/migrate.h"
#include "testsupport.h"

#define FIX(d) FIXTURES_DIR "/" d

static struct db_conn *fresh_db(const char *prefix, char *uri, size_t urilen)
{
    char err[256];
    assert_int_equal(test_db_create(prefix, NULL, uri, urilen), 0);
    struct db_conn *c = db_connect(uri, err, sizeof err);
    if (!c)
        fail_msg("connect: %s", err);
    return c;
}

static char *scalar(const char *uri, const char *sql)
{
    int ok;
    char *v = test_db_scalar(uri, sql, &ok);
    assert_true(ok);
    return v;
}

static void expect_scalar(const char *uri, const char *sql, const char *want)
{
    char *v = scalar(uri, sql);
    if (!v || strcmp(v, want) != 0)
        fail_msg("%s: got %s, want %s", sql, v ? v : "NULL", want);
    free(v);
}

static void test_apply_once(void **state)
{
    (void)state;
    char uri[512], err[512];
    struct db_conn *c = fresh_db("common_mig", uri, sizeof uri);
    const char *dirs[] = {FIX("mig_ok"), FIX("mig_ok2/"), NULL};
    assert_int_equal(migrate_run(c, dirs, err, sizeof err), 5);
    assert_string_equal(err, "");
    expect_scalar(uri, "SELECT applied_names()", "001,002,010,mig_ok2/001");
    expect_scalar(uri, "SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations",
                  "mig_ok/001_create.sql,mig_ok/002_second.sql,mig_ok/010_tenth.sql,"
                  "mig_ok2/001_more.sql,mig_ok2/002_empty.sql");
    expect_scalar(uri, "SELECT count(*) FROM schema_migrations WHERE applied_at IS NOT NULL", "5");

    /* Rerun: nothing new. */
    assert_int_equal(migrate_run(c, dirs, err, sizeof err), 0);
    expect_scalar(uri, "SELECT applied_names()", "001,002,010,mig_ok2/001");
    /* A later run with a subset changes nothing either. */
    const char *one[] = {FIX("mig_ok"), NULL};
    assert_int_equal(migrate_run(c, one, err, sizeof err), 0);
    /* The advisory lock is released: another session can take it. */
    expect_scalar(uri, "SELECT pg_try_advisory_lock(7596240330396513)", "t");
    db_disconnect(c);
}

static void test_project_migrations(void **state)
{
    (void)state;
    char uri[512], err[512];
    struct db_conn *c = fresh_db("common_mig_proj", uri, sizeof uri);
    const char *dirs[] = {MIGRATIONS_ROOT "/common", NULL};
    assert_true(migrate_run(c, dirs, err, sizeof err) >= 1);
    expect_scalar(uri, "SELECT count(*) FROM schema_migrations WHERE version = 'common/001_outbox.sql'",
                  "1");
    expect_scalar(uri, "SELECT to_regclass('outbox') IS NOT NULL", "t");
    db_disconnect(c);
}

static void test_failure_rolls_back(void **state)
{
    (void)state;
    char uri[512], err[512];
    struct db_conn *c = fresh_db("common_mig_bad", uri, sizeof uri);
    const char *dirs[] = {FIX("mig_bad"), NULL};
    assert_int_equal(migrate_run(c, dirs, err, sizeof err), -1);
    /* The message names the file, the line and the server's reason. */
    assert_non_null(strstr(err, "mig_bad/002_broken.sql:5:"));
    assert_non_null(strstr(err, "no_such_table"));
    assert_non_null(strstr(err, "42P01"));
    /* 001 applied and recorded; 002's table rolled back; 003 not tried. */
    expect_scalar(uri, "SELECT string_agg(version, ',') FROM schema_migrations", "mig_bad/001_fine.sql");
    expect_scalar(uri, "SELECT to_regclass('fine') IS NOT NULL", "t");
    expect_scalar(uri, "SELECT to_regclass('half_done') IS NULL", "t");
    expect_scalar(uri, "SELECT to_regclass('never') IS NULL", "t");
    /* The connection is usable and the lock released. */
    assert_int_equal(PQtransactionStatus(db_pgconn(c)), PQTRANS_IDLE);
    expect_scalar(uri, "SELECT pg_try_advisory_lock(7596240330396513)", "t");
    /* Running again fails the same way, applying nothing twice. */
    assert_int_equal(migrate_run(c, dirs, err, sizeof err), -1);
    assert_non_null(strstr(err, "002_broken.sql"));
    expect_scalar(uri, "SELECT count(*) FROM schema_migrations", "1");
    db_disconnect(c);
}

static void test_missing_dir(void **state)
{
    (void)state;
    char uri[512], err[512];
    struct db_conn *c = fresh_db("common_mig_missing", uri, sizeof uri);
    const char *dirs[] = {FIX("no_such_dir"), NULL};
    assert_int_equal(migrate_run(c, dirs, err, sizeof err), -1);
    assert_non_null(strstr(err, "no_such_dir"));
    const char *none[] = {NULL};
    assert_int_equal(migrate_run(c, none, err, sizeof err), 0);
    assert_int_equal(migrate_run(c, NULL, err, sizeof err), 0);
    assert_int_equal(migrate_run(NULL, none, err, sizeof err), -1);
    db_disconnect(c);
}

struct runner {
    const char *uri;
    int applied;
    char err[512];
};

static void *run_migrations(void *arg)
{
    struct runner *r = arg;
    char err[256];
    struct db_conn *c = db_connect(r->uri, err, sizeof err);
    if (!c) {
        r->applied = -2;
        return NULL;
    }
    const char *dirs[] = {FIX("mig_race"), NULL};
    r->applied = migrate_run(c, dirs, r->err, sizeof r->err);
    db_disconnect(c);
    return NULL;
}

/* Two instances starting at once against an empty database: every file is
 * applied once in all. */
static void test_two_runners(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        char uri[512];
        assert_int_equal(test_db_create("common_mig_race", NULL, uri, sizeof uri), 0);
        struct runner r[2] = {{.uri = uri}, {.uri = uri}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&th[i], NULL, run_migrations, &r[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        if (r[0].applied < 0 || r[1].applied < 0)
            fail_msg("runner failed: %s / %s", r[0].err, r[1].err);
        assert_int_equal(r[0].applied + r[1].applied, 3);
        expect_scalar(uri, "SELECT count(*) FROM race_hits", "2");
        expect_scalar(uri, "SELECT count(*) FROM schema_migrations", "3");
    }
}

int main(void)
{
    test_require_pg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_once),
        cmocka_unit_test(test_project_migrations),
        cmocka_unit_test(test_failure_rolls_back),
        cmocka_unit_test(test_missing_dir),
        cmocka_unit_test(test_two_runners),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
