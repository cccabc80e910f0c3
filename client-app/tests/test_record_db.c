/* test_record_db.c: booking attempts and answers stored (booking_store.c)
 * against the test PostgreSQL: attempts are recorded by one statement,
 * atomic for all it carries, a refusal here with both its history entries
 * in order; an answer applies only over an older version, with its history
 * entry; a booking reads back with its history in one statement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking_store.h"
#include "common/db.h"
#include "testsupport.h"

#define USER "0000aaaa-0000-4000-8000-000000000001"
#define NOBODY "0000aaaa-0000-4000-8000-0000000000ff"
#define EV "0000eeee-0000-4000-8000-000000000001"

static char g_uri[512];
static struct db_pool *g_pool;

static int count(const char *sql)
{
    char *v = test_db_scalar(g_uri, sql, NULL);
    int n = v ? atoi(v) : -1;
    free(v);
    return n;
}

static void uuid_of(char out[37], int tag, int k)
{
    snprintf(out, 37, "%08x-0000-4000-8000-%012d", tag, k);
}

static struct booking_record rec_of(const char *id, const char *user, int refused)
{
    return (struct booking_record){.id = id,
                                   .user_id = user,
                                   .event_id = EV,
                                   .seats_json = "[{\"id\":\"s1\",\"label\":null,\"price\":null}]",
                                   .refused = refused,
                                   .event_name = refused ? "Concert" : NULL,
                                   .amount = refused ? 150000 : -1};
}

static void test_group_is_one_atomic_statement(void **state)
{
    (void)state;
    char a[37], b[37], c[37];
    uuid_of(a, 1, 1);
    uuid_of(b, 1, 2);
    uuid_of(c, 1, 3);
    struct booking_record rows[3] = {rec_of(a, USER, 0), rec_of(b, USER, 1), rec_of(c, USER, 0)};
    struct db_conn *conn = db_acquire(g_pool, 2000);
    PGresult *res = NULL;
    assert_int_equal(booking_store_record(conn, rows, 3, &res), DB_OK);
    assert_int_equal(PQntuples(res), 3);
    PQclear(res);
    assert_int_equal(count("SELECT count(*) FROM bookings WHERE id::text LIKE '00000001-%' AND "
                           "status = 'REQUESTED'"),
                     2);
    assert_int_equal(count("SELECT count(*) FROM bookings WHERE id = '00000001-0000-4000-8000-"
                           "000000000002' AND status = 'FAILED' AND failure_reason = "
                           "'SEAT_UNAVAILABLE' AND amount = 150000 AND event_name = 'Concert'"),
                     1);
    /* the refusal's history: the request, then the refusal, in that order */
    char *h = test_db_scalar(g_uri,
                             "SELECT string_agg(status || '/' || source, ',' ORDER BY id) FROM "
                             "booking_events WHERE booking_id = "
                             "'00000001-0000-4000-8000-000000000002'",
                             NULL);
    assert_string_equal(h, "REQUESTED/request,FAILED/client-app");
    free(h);

    /* an unknown user in a group: nothing of the group is stored */
    char d[37], e[37];
    uuid_of(d, 2, 1);
    uuid_of(e, 2, 2);
    struct booking_record bad[2] = {rec_of(d, USER, 0), rec_of(e, NOBODY, 0)};
    assert_int_equal(booking_store_record(conn, bad, 2, &res), DB_INVALID);
    assert_null(res);
    assert_int_equal(count("SELECT count(*) FROM bookings WHERE id::text LIKE '00000002-%'"), 0);
    db_release(g_pool, conn);
}

static struct ticket_booking answer_of(const char *id, const char *version, const char *status)
{
    struct ticket_booking tb = {.booking_id = id,
                                .status = status,
                                .currency = "IDR",
                                .invoice_number = "INV-1",
                                .payment_url = "http://pay/INV-1",
                                .event_name = "Concert",
                                .code = "ABCD2345"};
    snprintf(tb.amount, sizeof tb.amount, "150000");
    snprintf(tb.version, sizeof tb.version, "%s", version);
    return tb;
}

static void test_answers_apply_when_newer(void **state)
{
    (void)state;
    char a[37], b[37];
    uuid_of(a, 3, 1);
    uuid_of(b, 3, 2);
    struct booking_record rows[2] = {rec_of(a, USER, 0), rec_of(b, USER, 0)};
    struct db_conn *conn = db_acquire(g_pool, 2000);
    PGresult *res = NULL;
    assert_int_equal(booking_store_record(conn, rows, 2, &res), DB_OK);
    PQclear(res);
    /* a is at version 5 already: its answer at version 2 is not applied */
    assert_int_equal(test_db_exec(g_uri, "UPDATE bookings SET version = 5 WHERE id = "
                                         "'00000003-0000-4000-8000-000000000001'"),
                     0);
    struct ticket_booking ta = answer_of(a, "2", "PENDING_PAYMENT"),
                          tb = answer_of(b, "2", "PENDING_PAYMENT");
    PGresult *res2 = NULL;
    assert_int_equal(booking_store_apply_answer(conn, &tb, "ticket-app", &res2), DB_OK);
    assert_string_equal(db_get(res2, 0, "id"), b);
    assert_string_equal(db_get(res2, 0, "status"), "PENDING_PAYMENT");
    assert_string_equal(db_get(res2, 0, "invoice_number"), "INV-1");
    PQclear(res2);
    assert_int_equal(booking_store_apply_answer(conn, &ta, "ticket-app", &res), DB_NOT_FOUND);
    assert_int_equal(booking_store_apply_answer(conn, &tb, "ticket-app", &res), DB_NOT_FOUND);

    /* read back with its history, in one statement */
    assert_int_equal(booking_store_get_with_history(conn, b, USER, &res), DB_OK);
    json_t *h = json_loads(db_get(res, 0, "history"), 0, NULL);
    assert_int_equal(json_array_size(h), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "status")),
                        "REQUESTED");
    assert_true(json_is_null(json_object_get(json_array_get(h, 0), "version")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "source")),
                        "ticket-app");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 1), "version")), 2);
    json_decref(h);
    PQclear(res);
    assert_int_equal(booking_store_get_with_history(conn, b, NOBODY, &res), DB_NOT_FOUND);
    db_release(g_pool, conn);
}

static int setup(void **state)
{
    (void)state;
    const char *dirs[] = {"common", "client", NULL};
    if (test_db_create("client_record", dirs, g_uri, sizeof g_uri) != 0)
        return -1;
    if (test_db_exec(g_uri, "INSERT INTO users (id, username, email, password_hash) VALUES "
                            "('" USER "', 'alice', 'alice@example.com', 'x')") != 0)
        return -1;
    g_pool = db_pool_create(g_uri, 8);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    db_pool_destroy(g_pool);
    return 0;
}

int main(void)
{
    test_require_pg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_is_one_atomic_statement),
        cmocka_unit_test(test_answers_apply_when_newer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
