/* test_db.c: the pool against a real PostgreSQL: bounded waits, prepared
 * statements reused, SQLSTATE outcomes, transactions left open rolled back,
 * and the server going away and coming back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/db.h"
#include "common/util.h"
#include "testsupport.h"

static char uri[512];
static char dbname[128];
static struct db_conn *admin; /* to the "postgres" database */

static const struct db_stmt st_one = {"t_one", "SELECT 1 AS one"};
static const struct db_stmt st_echo = {"t_echo", "SELECT $1::int + 1 AS n, NULL::text AS nothing"};
static const struct db_stmt st_prepared = {
    "t_prepared", "SELECT count(*) AS c FROM pg_prepared_statements WHERE name = $1"};
static const struct db_stmt st_pid = {"t_pid", "SELECT pg_backend_pid() AS pid"};
static const struct db_stmt st_insert = {"t_insert", "INSERT INTO items (id, v) VALUES ($1, $2)"};
static const struct db_stmt st_count = {"t_count", "SELECT count(*) AS c FROM items WHERE id = $1"};
static const struct db_stmt st_bad_syntax = {"t_bad_syntax", "SELEC 1"};
static const struct db_stmt st_no_table = {"t_no_table", "SELECT * FROM no_such_table"};
static const struct db_stmt st_terminate = {
    "t_terminate", "SELECT count(pg_terminate_backend(pid, 5000)) AS n FROM pg_stat_activity"
                   " WHERE datname = $1 AND pid <> pg_backend_pid()"};
static const struct db_stmt st_allow_sql = {
    "t_allow_sql", "SELECT format('ALTER DATABASE %I ALLOW_CONNECTIONS ' || $2, $1::text)"};

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static long scalar_long(struct db_conn *c, const struct db_stmt *s, int n, const char *const *p,
                        const char *col)
{
    PGresult *res;
    enum db_status st = db_exec(c, s, n, p, &res);
    if (st != DB_OK)
        fail_msg("%s: %s (%s)", s->name, db_status_name(st), db_last_error(c));
    long v = atol(db_get(res, 0, col));
    PQclear(res);
    return v;
}

static long backend_pid(struct db_conn *c)
{
    return scalar_long(c, &st_pid, 0, NULL, "pid");
}

static void terminate_backends(const char *db)
{
    const char *p[] = {db};
    scalar_long(admin, &st_terminate, 1, p, "n");
}

static void allow_connections(const char *db, int allow)
{
    const char *p[] = {db, allow ? "true" : "false"};
    PGresult *res;
    assert_int_equal(db_exec(admin, &st_allow_sql, 2, p, &res), DB_OK);
    char *sql = xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    assert_int_equal(db_exec_simple(admin, sql), DB_OK);
    free(sql);
}

static int group_setup(void **state)
{
    (void)state;
    if (test_db_create("common_db", NULL, uri, sizeof uri) != 0)
        return -1;
    snprintf(dbname, sizeof dbname, "%s", strrchr(uri, '/') + 1);
    char admin_uri[512], err[256];
    test_db_uri("postgres", admin_uri, sizeof admin_uri);
    admin = db_connect(admin_uri, err, sizeof err);
    if (!admin) {
        fprintf(stderr, "admin connection: %s\n", err);
        return -1;
    }
    return test_db_exec(uri,
                        "CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL CHECK (v >= 0),"
                        " parent int REFERENCES items (id))");
}

static int group_teardown(void **state)
{
    (void)state;
    db_disconnect(admin);
    return 0;
}

struct waiter {
    struct db_pool *pool;
    int wait_ms;
    struct db_conn *got;
    long waited_ms;
};

static void *wait_for_conn(void *arg)
{
    struct waiter *w = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    w->got = db_acquire(w->pool, w->wait_ms);
    w->waited_ms = elapsed_ms(&t0);
    return NULL;
}

/* db_exec_page: the count from the page's window column, from the count
 * statement past the end or when the list has no such column, and from
 * neither (0); the limit and offset as the last two parameters. */
static void test_exec_page(void **state)
{
    (void)state;
    static const struct db_stmt win = {
        "t_page_win", "SELECT n, count(*) OVER () AS total FROM generate_series(1, $1::int) n"
                      " ORDER BY n LIMIT $2::bigint OFFSET $3::bigint"};
    static const struct db_stmt plain = {"t_page_plain",
                                         "SELECT n FROM generate_series(1, $1::int) n"
                                         " ORDER BY n LIMIT $2::bigint OFFSET $3::bigint"};
    static const struct db_stmt cnt = {"t_page_count", "SELECT $1::int AS c"};
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    assert_non_null(c);
    const char *p[] = {"7"};
    PGresult *r = NULL;
    long total = -1;
    assert_int_equal(db_exec_page(c, &win, &cnt, "total", 1, p, 3, 2, &r, &total), DB_OK);
    assert_int_equal(total, 7);
    assert_int_equal(PQntuples(r), 3);
    assert_string_equal(db_get(r, 0, "n"), "3");
    PQclear(r);
    /* past the end: no row, the count statement answers */
    assert_int_equal(db_exec_page(c, &win, &cnt, "total", 1, p, 3, 50, &r, &total), DB_OK);
    assert_int_equal(PQntuples(r), 0);
    assert_int_equal(total, 7);
    PQclear(r);
    /* no window column: always the count statement */
    assert_int_equal(db_exec_page(c, &plain, &cnt, NULL, 1, p, 5, 0, &r, &total), DB_OK);
    assert_int_equal(PQntuples(r), 5);
    assert_int_equal(total, 7);
    PQclear(r);
    /* neither: 0 */
    assert_int_equal(db_exec_page(c, &win, NULL, "total", 1, p, 3, 50, &r, &total), DB_OK);
    assert_int_equal(total, 0);
    PQclear(r);
    /* an error: no rows, no count */
    const char *bad[] = {"x"};
    assert_int_not_equal(db_exec_page(c, &win, &cnt, "total", 1, bad, 3, 0, &r, &total), DB_OK);
    assert_null(r);
    assert_int_equal(total, 0);
    db_release(pool, c);
    db_pool_destroy(pool);
}

static void test_pool_bounded(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 2);
    struct db_conn *a = db_acquire(pool, 1000), *b = db_acquire(pool, 1000);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(db_acquire(pool, 300));
    long waited = elapsed_ms(&t0);
    assert_true(waited >= 290 && waited < 3000);

    int size, in_use;
    long waits, timeouts;
    db_pool_stats(pool, &size, &in_use, &waits, &timeouts);
    assert_int_equal(size, 2);
    assert_int_equal(in_use, 2);
    assert_int_equal(timeouts, 1);
    assert_true(waits >= 1);

    /* A waiter gets the connection released while it waits. */
    struct waiter w = {pool, 5000, NULL, 0};
    pthread_t th;
    pthread_create(&th, NULL, wait_for_conn, &w);
    usleep(200 * 1000);
    db_release(pool, a);
    pthread_join(th, NULL);
    assert_ptr_equal(w.got, a);
    assert_true(w.waited_ms >= 150 && w.waited_ms < 4000);
    assert_int_equal(scalar_long(w.got, &st_one, 0, NULL, "one"), 1);

    db_release(pool, w.got);
    db_release(pool, b);
    db_release(pool, NULL); /* allowed */
    db_pool_stats(pool, &size, &in_use, &waits, &timeouts);
    assert_int_equal(in_use, 0);
    assert_int_equal(timeouts, 1);
    db_pool_destroy(pool);
}

/* Every pool connection carries statement_timeout and
 * idle_in_transaction_session_timeout: a statement past the first answers
 * DB_UNAVAILABLE (503) soon, a transaction left idle past the second loses
 * its connection, and the next acquire gets a fresh one. */
static void test_pool_timeouts(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    assert_non_null(c);
    PGresult *r = PQexec(db_pgconn(c), "SHOW statement_timeout");
    assert_string_equal(PQgetvalue(r, 0, 0), "30s"); /* the default */
    PQclear(r);
    r = PQexec(db_pgconn(c), "SHOW idle_in_transaction_session_timeout");
    assert_string_equal(PQgetvalue(r, 0, 0), "1min");
    PQclear(r);
    db_release(pool, c);
    db_pool_destroy(pool);

    pool = db_pool_create(uri, 1);
    db_pool_set_timeouts(pool, 200, 500);
    c = db_acquire(pool, 1000);
    assert_non_null(c);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(db_exec_simple(c, "SELECT pg_sleep(3)"), DB_UNAVAILABLE);
    long took = elapsed_ms(&t0);
    assert_true(took >= 150 && took < 2000);
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1); /* still usable */

    assert_int_equal(db_begin(c), DB_OK);
    usleep(1200 * 1000);
    assert_true(db_exec_simple(c, "SELECT 1") != DB_OK); /* the server ended it */
    db_release(pool, c);
    c = db_acquire(pool, 1000);
    assert_non_null(c);
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1);
    db_release(pool, c);
    db_pool_destroy(pool);
}

static void test_prepared_reused(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    assert_non_null(c);
    long pid = backend_pid(c);
    for (int i = 0; i < 5; i++) {
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        const char *p[] = {v};
        PGresult *res;
        assert_int_equal(db_exec(c, &st_echo, 1, p, &res), DB_OK);
        assert_int_equal(atoi(db_get(res, 0, "n")), i + 1);
        assert_null(db_get(res, 0, "nothing"));     /* SQL NULL */
        assert_null(db_get(res, 0, "no_such_col")); /* unknown column */
        assert_null(db_get(res, 1, "n"));           /* no such row */
        PQclear(res);
    }
    const char *name[] = {"t_echo"};
    assert_int_equal(scalar_long(c, &st_prepared, 1, name, "c"), 1);
    db_release(pool, c);

    /* Same connection next time, statement still prepared. */
    c = db_acquire(pool, 1000);
    assert_int_equal(backend_pid(c), pid);
    assert_int_equal(scalar_long(c, &st_prepared, 1, name, "c"), 1);

    /* Deallocated behind the pool's back: prepared again, once. */
    assert_int_equal(db_exec_simple(c, "DEALLOCATE ALL"), DB_OK);
    const char *p[] = {"41"};
    assert_int_equal(scalar_long(c, &st_echo, 1, p, "n"), 42);
    assert_int_equal(scalar_long(c, &st_prepared, 1, name, "c"), 1);

    /* Prepared by someone else first under the same name: used as is. */
    assert_int_equal(db_exec_simple(c, "PREPARE t_one AS SELECT 1 AS one"), DB_OK);
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1);
    db_release(pool, c);
    db_pool_destroy(pool);
}

static void test_outcomes(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    PGresult *res = (PGresult *)1;
    const char *ok[] = {"100", "1"};
    assert_int_equal(db_exec(c, &st_insert, 2, ok, &res), DB_OK);
    PQclear(res);
    assert_int_equal(db_exec(c, &st_insert, 2, ok, &res), DB_CONFLICT);
    assert_null(res);
    assert_non_null(strstr(db_last_error(c), "duplicate key"));

    const char *null_v[] = {"101", NULL};
    assert_int_equal(db_exec(c, &st_insert, 2, null_v, &res), DB_INVALID); /* 23502 */
    const char *neg[] = {"102", "-1"};
    assert_int_equal(db_exec(c, &st_insert, 2, neg, &res), DB_INVALID); /* 23514 */
    const char *junk[] = {"abc", "1"};
    assert_int_equal(db_exec(c, &st_insert, 2, junk, &res), DB_INVALID); /* 22P02 */
    const char *big[] = {"99999999999", "1"};
    assert_int_equal(db_exec(c, &st_insert, 2, big, &res), DB_INVALID); /* 22003 */
    assert_int_equal(db_exec_simple(c, "INSERT INTO items (id, v, parent) VALUES (103, 1, 999)"),
                     DB_INVALID); /* 23503 */
    assert_int_equal(db_exec(c, &st_bad_syntax, 0, NULL, &res), DB_ERROR);
    assert_null(res);
    assert_int_equal(db_exec(c, &st_no_table, 0, NULL, &res), DB_ERROR);
    assert_int_equal(db_exec_simple(c, "SELECT 1/0"), DB_INVALID); /* 22012 */
    assert_int_equal(db_exec_simple(c, ""), DB_OK);
    /* The connection is still fine after all that. */
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1);
    /* out may be NULL. */
    assert_int_equal(db_exec(c, &st_one, 0, NULL, NULL), DB_OK);
    db_release(pool, c);

    assert_int_equal(db_exec(NULL, &st_one, 0, NULL, &res), DB_UNAVAILABLE);
    assert_int_equal(db_exec_simple(NULL, "SELECT 1"), DB_UNAVAILABLE);
    assert_non_null(db_last_error(NULL));
    db_pool_destroy(pool);
}

static void test_transactions(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    const char *row[] = {"200", "1"}, *id[] = {"200"};

    /* Committed. */
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec(c, &st_insert, 2, row, NULL), DB_OK);
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(scalar_long(c, &st_count, 1, id, "c"), 1);

    /* Rolled back explicitly. */
    const char *row2[] = {"201", "1"}, *id2[] = {"201"};
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec(c, &st_insert, 2, row2, NULL), DB_OK);
    db_rollback(c);
    assert_int_equal(scalar_long(c, &st_count, 1, id2, "c"), 0);

    /* A failed transaction does not commit. */
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec(c, &st_insert, 2, row2, NULL), DB_OK);
    assert_int_equal(db_exec(c, &st_insert, 2, row, NULL), DB_CONFLICT);
    assert_int_not_equal(db_commit(c), DB_OK);
    assert_int_equal(PQtransactionStatus(db_pgconn(c)), PQTRANS_IDLE);
    assert_int_equal(scalar_long(c, &st_count, 1, id2, "c"), 0);
    db_release(pool, c);
    db_pool_destroy(pool);
}

/* A user that forgets its transaction, failed or open, does not pass it on. */
static void test_release_rolls_back(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 1);
    const char *row[] = {"300", "1"}, *id[] = {"300"};

    struct db_conn *c = db_acquire(pool, 1000);
    long pid = backend_pid(c);
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec(c, &st_insert, 2, row, NULL), DB_OK);
    assert_int_equal(db_exec(c, &st_bad_syntax, 0, NULL, NULL), DB_ERROR);
    assert_int_equal(PQtransactionStatus(db_pgconn(c)), PQTRANS_INERROR);
    db_release(pool, c);

    c = db_acquire(pool, 1000);
    assert_int_equal(PQtransactionStatus(db_pgconn(c)), PQTRANS_IDLE);
    assert_int_equal(backend_pid(c), pid); /* same connection, cleaned */
    assert_int_equal(scalar_long(c, &st_count, 1, id, "c"), 0);

    /* Open, not failed: rolled back too. */
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec(c, &st_insert, 2, row, NULL), DB_OK);
    db_release(pool, c);
    c = db_acquire(pool, 1000);
    assert_int_equal(PQtransactionStatus(db_pgconn(c)), PQTRANS_IDLE);
    assert_int_equal(scalar_long(c, &st_count, 1, id, "c"), 0);
    /* And the next user's work is its own. */
    assert_int_equal(db_exec(c, &st_insert, 2, row, NULL), DB_OK);
    assert_int_equal(scalar_long(c, &st_count, 1, id, "c"), 1);
    db_release(pool, c);
    db_pool_destroy(pool);
}

/* pg_terminate_backend while the connections sit in the pool: the next
 * acquire notices and reconnects. */
static void test_backend_terminated_idle(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 2);
    struct db_conn *a = db_acquire(pool, 1000), *b = db_acquire(pool, 1000);
    long pa = backend_pid(a), pb = backend_pid(b);
    db_release(pool, a);
    db_release(pool, b);

    terminate_backends(dbname);

    for (int i = 0; i < 2; i++) {
        struct db_conn *c = db_acquire(pool, 1000);
        assert_non_null(c);
        long p = backend_pid(c); /* works first time */
        assert_true(p != pa && p != pb);
        assert_int_equal(scalar_long(c, &st_echo, 1, (const char *[]){"1"}, "n"), 2);
        db_release(pool, c);
    }
    db_pool_destroy(pool);
}

/* Terminated while in use: the statement says UNAVAILABLE, the connection
 * is replaced before its next use. */
static void test_backend_terminated_in_use(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 1);
    struct db_conn *c = db_acquire(pool, 1000);
    long pid = backend_pid(c);
    terminate_backends(dbname);
    PGresult *res;
    assert_int_equal(db_exec(c, &st_one, 0, NULL, &res), DB_UNAVAILABLE);
    assert_null(res);
    db_release(pool, c);

    c = db_acquire(pool, 1000);
    assert_non_null(c);
    assert_true(backend_pid(c) != pid);
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1);
    db_release(pool, c);

    /* Same inside a transaction. */
    c = db_acquire(pool, 1000);
    assert_int_equal(db_begin(c), DB_OK);
    terminate_backends(dbname);
    assert_int_equal(db_exec(c, &st_one, 0, NULL, NULL), DB_UNAVAILABLE);
    assert_int_equal(db_commit(c), DB_UNAVAILABLE);
    db_release(pool, c);
    c = db_acquire(pool, 1000);
    assert_non_null(c);
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1);
    db_release(pool, c);
    db_pool_destroy(pool);
}

/* The database refuses connections for a while (as during a restart):
 * acquire answers NULL at once, and the pool recovers by itself. */
static void test_database_away_and_back(void **state)
{
    (void)state;
    char own[512];
    assert_int_equal(test_db_create("common_db_away", NULL, own, sizeof own), 0);
    const char *name = strrchr(own, '/') + 1;
    struct db_pool *pool = db_pool_create(own, 2);
    struct db_conn *c = db_acquire(pool, 1000);
    assert_non_null(c);
    db_release(pool, c);

    allow_connections(name, 0);
    terminate_backends(name);

    for (int i = 0; i < 3; i++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        c = db_acquire(pool, 1000);
        assert_null(c);
        assert_true(elapsed_ms(&t0) < 2000);
        assert_int_equal(db_exec(c, &st_one, 0, NULL, NULL), DB_UNAVAILABLE);
    }
    int in_use;
    db_pool_stats(pool, NULL, &in_use, NULL, NULL);
    assert_int_equal(in_use, 0); /* failed attempts give their slot back */

    char err[256];
    assert_null(db_connect(own, err, sizeof err));
    assert_true(strlen(err) > 0);

    allow_connections(name, 1);
    c = db_acquire(pool, 1000);
    assert_non_null(c);
    assert_int_equal(scalar_long(c, &st_one, 0, NULL, "one"), 1);
    db_release(pool, c);
    db_pool_destroy(pool);
}

static void test_unreachable_server(void **state)
{
    (void)state;
    char bad[128], err[256] = "";
    snprintf(bad, sizeof bad, "postgresql://127.0.0.1:%d/x?connect_timeout=2", test_free_port());
    assert_null(db_connect(bad, err, sizeof err));
    assert_true(strlen(err) > 0);
    struct db_pool *pool = db_pool_create(bad, 2);
    assert_null(db_acquire(pool, 100));
    int in_use;
    db_pool_stats(pool, NULL, &in_use, NULL, NULL);
    assert_int_equal(in_use, 0);
    db_pool_destroy(pool);
}

struct hammer {
    struct db_pool *pool;
    int errors;
    long pids[8];
    int npids;
};

static void *hammer_run(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < 150; i++) {
        struct db_conn *c = db_acquire(h->pool, 10000);
        if (!c) {
            h->errors++;
            continue;
        }
        PGresult *res;
        if (db_exec(c, &st_pid, 0, NULL, &res) != DB_OK) {
            h->errors++;
        } else {
            long pid = atol(db_get(res, 0, "pid"));
            int seen = 0;
            for (int k = 0; k < h->npids; k++)
                seen |= h->pids[k] == pid;
            if (!seen && h->npids < 8)
                h->pids[h->npids++] = pid;
            PQclear(res);
        }
        db_release(h->pool, c);
    }
    return NULL;
}

/* Many threads, few connections: no errors, never more backends than the
 * pool's size. */
static void test_concurrent(void **state)
{
    (void)state;
    struct db_pool *pool = db_pool_create(uri, 3);
    struct hammer h[8];
    pthread_t th[8];
    for (int i = 0; i < 8; i++) {
        h[i] = (struct hammer){.pool = pool};
        pthread_create(&th[i], NULL, hammer_run, &h[i]);
    }
    long all[64];
    int nall = 0, errors = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        errors += h[i].errors;
        for (int k = 0; k < h[i].npids; k++) {
            int seen = 0;
            for (int j = 0; j < nall; j++)
                seen |= all[j] == h[i].pids[k];
            if (!seen)
                all[nall++] = h[i].pids[k];
        }
    }
    assert_int_equal(errors, 0);
    assert_true(nall >= 1 && nall <= 3);
    int in_use;
    db_pool_stats(pool, NULL, &in_use, NULL, NULL);
    assert_int_equal(in_use, 0);
    db_pool_destroy(pool);
}

int main(void)
{
    test_require_pg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_bounded),
        cmocka_unit_test(test_exec_page),
        cmocka_unit_test(test_prepared_reused),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_release_rolls_back),
        cmocka_unit_test(test_backend_terminated_idle),
        cmocka_unit_test(test_backend_terminated_in_use),
        cmocka_unit_test(test_database_away_and_back),
        cmocka_unit_test(test_unreachable_server),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_pool_timeouts),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
