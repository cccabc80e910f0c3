/* test_checkin_db.c: check-in against a real PostgreSQL with ticket-app's
 * migrations applied and rows inserted directly in SQL: admitted once, the
 * second scan 409, 20 concurrent scans of one code admit exactly once,
 * cancelled / unpaid / unknown / forged tickets and seats the booking does
 * not hold are INVALID_TICKET, and the count for the stats. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app.h"
#include "checkin_handler.h"
#include "checkin_store.h"
#include "common/log.h"
#include "common/rand.h"
#include "testsupport.h"
#include "ticket_code.h"

#define SECRET "checkin-db-secret"

#define EVENT "e0000000-0000-4000-8000-000000000001"
#define EVENT2 "e0000000-0000-4000-8000-000000000002"
#define B_OK "b0000000-0000-4000-8000-000000000001"      /* CONFIRMED: s1, s2 (+ asked s6) */
#define B_CANCEL "b0000000-0000-4000-8000-000000000002"  /* CANCELLED: s3 */
#define B_PENDING "b0000000-0000-4000-8000-000000000003" /* PENDING_PAYMENT: s4 */
#define B_LATE "b0000000-0000-4000-8000-000000000004"    /* CONFIRMED, cancelled after entry: s5 */
#define B_RACE "b0000000-0000-4000-8000-000000000006"    /* CONFIRMED, cancel racing a scan: s7 */
#define B_OTHER "b0000000-0000-4000-8000-000000000005"   /* CONFIRMED: s6 */
#define B_WRONG "b0000000-0000-4000-8000-000000000007"   /* CONFIRMED: s8, an attendee */
#define S(n) "5e000000-0000-4000-8000-00000000000" #n

static char g_uri[512];
static struct app g_app;

/* clang-format off */
static const char setup_sql[] =
    "INSERT INTO events (id, name, venue, starts_at, currency) VALUES"
    " ('" EVENT "', 'Gate Test', 'Hall', now() + interval '1 day', 'IDR'),"
    " ('" EVENT2 "', 'Other', 'Hall', now() + interval '2 days', 'IDR');"
    "INSERT INTO bookings (id, user_id, event_id, status, currency, seat_count, amount) VALUES"
    " ('" B_OK "', 'u1', '" EVENT "', 'CONFIRMED', 'IDR', 3, 300),"
    " ('" B_CANCEL "', 'u2', '" EVENT "', 'CANCELLED', 'IDR', 1, 100),"
    " ('" B_PENDING "', 'u3', '" EVENT "', 'PENDING_PAYMENT', 'IDR', 1, 100),"
    " ('" B_LATE "', 'u4', '" EVENT "', 'CONFIRMED', 'IDR', 1, 100),"
    " ('" B_OTHER "', 'u5', '" EVENT "', 'CONFIRMED', 'IDR', 1, 100),"
    " ('" B_RACE "', 'u6', '" EVENT "', 'CONFIRMED', 'IDR', 1, 100),"
    " ('" B_WRONG "', 'u7', '" EVENT "', 'CONFIRMED', 'IDR', 1, 100);"
    "INSERT INTO seats (id, event_id, label, section, row, number, price, status, booking_id,"
    "                   held_until) VALUES"
    " ('" S(1) "', '" EVENT "', 'A-1', 'Floor', 'A', 1, 100, 'BOOKED', '" B_OK "', NULL),"
    " ('" S(2) "', '" EVENT "', 'A-2', 'Floor', 'A', 2, 100, 'BOOKED', '" B_OK "', NULL),"
    " ('" S(3) "', '" EVENT "', 'A-3', 'Floor', 'A', 3, 100, 'OPEN', NULL, NULL),"
    " ('" S(4) "', '" EVENT "', 'A-4', 'Floor', 'A', 4, 100, 'ON_GOING', '" B_PENDING "',"
    "  now() + interval '5 minutes'),"
    " ('" S(5) "', '" EVENT "', 'A-5', 'Floor', 'A', 5, 100, 'BOOKED', '" B_LATE "', NULL),"
    " ('" S(6) "', '" EVENT "', 'A-6', 'Floor', 'A', 6, 100, 'BOOKED', '" B_OTHER "', NULL),"
    " ('" S(7) "', '" EVENT "', 'A-7', 'Floor', 'A', 7, 100, 'BOOKED', '" B_RACE "', NULL),"
    " ('" S(8) "', '" EVENT "', 'A-8', 'Floor', 'A', 8, 100, 'BOOKED', '" B_WRONG "', NULL);"
    "INSERT INTO booking_seats (booking_id, seat_id, label, section, price) VALUES"
    " ('" B_OK "', '" S(1) "', 'A-1', 'Floor', 100),"
    " ('" B_OK "', '" S(2) "', 'A-2', 'Floor', 100),"
    " ('" B_OK "', '" S(6) "', 'A-6', 'Floor', 100),"
    " ('" B_CANCEL "', '" S(3) "', 'A-3', 'Floor', 100),"
    " ('" B_PENDING "', '" S(4) "', 'A-4', 'Floor', 100),"
    " ('" B_LATE "', '" S(5) "', 'A-5', 'Floor', 100),"
    " ('" B_OTHER "', '" S(6) "', 'A-6', 'Floor', 100),"
    " ('" B_RACE "', '" S(7) "', 'A-7', 'Floor', 100);"
    "INSERT INTO booking_seats (booking_id, seat_id, label, section, price) VALUES"
    " ('" B_WRONG "', '" S(8) "', 'A-8', 'Floor', 100);"
    "INSERT INTO booking_attendees (booking_id, seat_id, name) VALUES"
    " ('" B_WRONG "', '" S(8) "', 'Siti Rahma');"
    "UPDATE events SET timezone = 'Asia/Jakarta' WHERE id = '" EVENT "';";
/* clang-format on */

static int group_setup(void **state)
{
    (void)state;
    const char *dirs[] = {MIGRATIONS_ROOT "/common", MIGRATIONS_ROOT "/ticket", NULL};
    if (test_db_create("ticket_checkin", dirs, g_uri, sizeof g_uri) != 0)
        return -1;
    if (test_db_exec(g_uri, setup_sql) != 0)
        return -1;
    memset(&g_app, 0, sizeof g_app);
    g_app.ticket_code_secret = SECRET;
    g_app.pool = db_pool_create(g_uri, 24);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (g_app.pool)
        db_pool_destroy(g_app.pool);
    return 0;
}

struct scan {
    int status;
    json_t *body;
};

/* POSTs {ticket_code: code, event_id: gate} (gate may be NULL) to the
 * handler, as the server would. */
static struct scan scan_code_at(const char *code, const char *gate)
{
    char body[512];
    if (gate)
        snprintf(body, sizeof body, "{\"ticket_code\":\"%s\",\"event_id\":\"%s\"}", code, gate);
    else
        snprintf(body, sizeof body, "{\"ticket_code\":\"%s\"}", code);
    struct http_req req;
    memset(&req, 0, sizeof req);
    strcpy(req.method, "POST");
    req.path = "/api/checkins";
    req.body = body;
    req.body_len = strlen(body);
    struct http_res res;
    http_res_init(&res);
    checkin_handle_create(&req, &res, &g_app);
    struct scan s = {res.status, res.body ? json_loadb(res.body, res.body_len, 0, NULL) : NULL};
    http_res_cleanup(&res);
    return s;
}

static struct scan scan_code(const char *code)
{
    return scan_code_at(code, NULL);
}

static struct scan scan_ticket(const char *secret, const char *booking, const char *seat)
{
    char code[TICKET_CODE_LEN + 1];
    assert_int_equal(ticket_code_make(secret, booking, seat, code, sizeof code), 0);
    return scan_code(code);
}

static const char *error_code(const struct scan *s)
{
    return json_string_value(json_object_get(json_object_get(s->body, "error"), "code"));
}

static const char *detail(const struct scan *s, const char *key)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(s->body, "error"), "details"), key));
}

static void assert_invalid(struct scan s)
{
    assert_int_equal(s.status, 404);
    assert_string_equal(error_code(&s), "INVALID_TICKET");
    json_decref(s.body);
}

static void assert_invalid_reason(struct scan s, const char *reason)
{
    assert_int_equal(s.status, 404);
    assert_string_equal(error_code(&s), "INVALID_TICKET");
    assert_string_equal(detail(&s, "reason"), reason);
    json_decref(s.body);
}

static void test_admit_once_then_409(void **state)
{
    (void)state;
    struct scan a = scan_ticket(SECRET, B_OK, S(1));
    assert_int_equal(a.status, 200);
    assert_string_equal(json_string_value(json_object_get(a.body, "status")), "ADMITTED");
    assert_string_equal(json_string_value(json_object_get(a.body, "booking_id")), B_OK);
    json_t *seat = json_object_get(a.body, "seat");
    assert_string_equal(json_string_value(json_object_get(seat, "id")), S(1));
    assert_string_equal(json_string_value(json_object_get(seat, "label")), "A-1");
    assert_string_equal(json_string_value(json_object_get(seat, "section")), "Floor");
    const char *at = json_string_value(json_object_get(a.body, "checked_in_at"));
    assert_non_null(at);
    assert_int_equal(strlen(at), 24); /* 2026-11-23T10:00:00.123Z */
    assert_int_equal(at[23], 'Z');

    struct scan b = scan_ticket(SECRET, B_OK, S(1));
    assert_int_equal(b.status, 409);
    assert_string_equal(error_code(&b), "ALREADY_CHECKED_IN");
    assert_string_equal(json_string_value(json_object_get(b.body, "checked_in_at")), at);
    assert_string_equal(json_string_value(json_object_get(b.body, "booking_id")), B_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(b.body, "seat"), "label")), "A-1");
    json_t *details = json_object_get(json_object_get(b.body, "error"), "details");
    assert_int_equal(json_integer_value(json_object_get(details, "scans")), 2);
    printf("first scan 200 at %s, second scan 409 ALREADY_CHECKED_IN\n", at);
    json_decref(a.body);
    json_decref(b.body);
}

#define RACERS 20

static pthread_barrier_t g_barrier;
static char g_race_code[TICKET_CODE_LEN + 1];

static void *racer(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&g_barrier);
    struct scan s = scan_code(g_race_code);
    json_decref(s.body);
    return (void *)(intptr_t)s.status;
}

static void test_concurrent_scans_admit_once(void **state)
{
    (void)state;
    assert_int_equal(ticket_code_make(SECRET, B_OK, S(2), g_race_code, sizeof g_race_code), 0);
    pthread_t t[RACERS];
    pthread_barrier_init(&g_barrier, NULL, RACERS);
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, racer, NULL), 0);
    int ok = 0, already = 0, other = 0;
    for (int i = 0; i < RACERS; i++) {
        void *st;
        pthread_join(t[i], &st);
        int status = (int)(intptr_t)st;
        if (status == 200)
            ok++;
        else if (status == 409)
            already++;
        else
            other++;
    }
    pthread_barrier_destroy(&g_barrier);
    printf("%d concurrent scans: %d ADMITTED, %d ALREADY_CHECKED_IN, %d other\n", RACERS, ok,
           already, other);
    assert_int_equal(ok, 1);
    assert_int_equal(already, RACERS - 1);
    assert_int_equal(other, 0);
    char *n = test_db_scalar(g_uri,
                             "SELECT count(*)::text || '/' || max(scans)::text FROM checkins"
                             " WHERE booking_id = '" B_OK "' AND seat_id = '" S(2) "'",
                             NULL);
    assert_non_null(n);
    assert_string_equal(n, "1/20");
    free(n);
}

static void test_not_admissible(void **state)
{
    (void)state;
    assert_invalid_reason(scan_ticket(SECRET, B_CANCEL, S(3)), "CANCELLED");
    assert_invalid_reason(scan_ticket(SECRET, B_PENDING, S(4)), "NOT_CONFIRMED");
    /* Unknown booking and seat, correctly signed. */
    assert_invalid(scan_ticket(SECRET, "b0000000-0000-4000-8000-0000000000ff",
                               "5e000000-0000-4000-8000-0000000000ff"));
    /* A seat of the event that is not in the booking. */
    assert_invalid(scan_ticket(SECRET, B_OK, S(5)));
    /* A seat the booking asked for but another booking holds. */
    assert_invalid(scan_ticket(SECRET, B_OK, S(6)));
    struct scan s = scan_ticket(SECRET, B_OTHER, S(6));
    assert_int_equal(s.status, 200);
    json_decref(s.body);
    /* Forged: the right ids signed with another secret. */
    assert_invalid(scan_ticket("not the secret", B_OK, S(1)));
    assert_invalid(scan_code("TK1.garbage"));
    char *n = test_db_scalar(g_uri,
                             "SELECT count(*) FROM checkins WHERE booking_id IN ('" B_CANCEL
                             "', '" B_PENDING "')",
                             NULL);
    assert_string_equal(n, "0");
    free(n);
}

static void test_cancelled_after_entry(void **state)
{
    (void)state;
    struct scan s = scan_ticket(SECRET, B_LATE, S(5));
    assert_int_equal(s.status, 200);
    json_decref(s.body);
    assert_int_equal(
        test_db_exec(g_uri, "BEGIN;"
                            "UPDATE bookings SET status = 'CANCELLED' WHERE id = '" B_LATE "';"
                            "UPDATE seats SET status = 'OPEN', booking_id = NULL"
                            " WHERE id = '" S(5) "';"
                                                 "COMMIT;"),
        0);
    assert_invalid_reason(scan_ticket(SECRET, B_LATE, S(5)), "CANCELLED");
}

static void *scan_race_ticket(void *arg)
{
    (void)arg;
    struct scan *s = malloc(sizeof *s);
    *s = scan_ticket(SECRET, B_RACE, S(7));
    return s;
}

/* A cancellation holding the booking row when the scan comes: the scan
 * waits for it, then sees the booking cancelled and refuses. */
static void test_scan_waits_for_a_racing_cancel(void **state)
{
    (void)state;
    char err[256];
    struct db_conn *c = db_connect(g_uri, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec_simple(c, "UPDATE bookings SET status = 'CANCELLED'"
                                       " WHERE id = '" B_RACE "';"
                                       "UPDATE seats SET status = 'OPEN', booking_id = NULL"
                                       " WHERE id = '" S(7) "'"),
                     DB_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, scan_race_ticket, NULL), 0);
    usleep(300 * 1000); /* the scan is now blocked on the booking row */
    assert_int_equal(db_commit(c), DB_OK);
    void *out;
    pthread_join(t, &out);
    struct scan *s = out;
    assert_invalid(*s);
    free(s);
    db_disconnect(c);
    char *n = test_db_scalar(g_uri, "SELECT count(*) FROM checkins WHERE booking_id = '" B_RACE "'",
                             NULL);
    assert_string_equal(n, "0");
    free(n);
}

/* A real ticket at the gate of another event: 409 WRONG_EVENT naming the
 * ticket's event, nothing recorded; at its own gate it admits, and every
 * answer names the event. */
static void test_wrong_event(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1];
    assert_int_equal(ticket_code_make(SECRET, B_WRONG, S(8), code, sizeof code), 0);
    struct scan s = scan_code_at(code, EVENT2);
    assert_int_equal(s.status, 409);
    assert_string_equal(error_code(&s), "WRONG_EVENT");
    assert_string_equal(detail(&s, "event_id"), EVENT);
    assert_string_equal(detail(&s, "name"), "Gate Test");
    const char *local = detail(&s, "starts_at_local");
    assert_non_null(local);
    assert_string_equal(local + 19, "+07:00"); /* Asia/Jakarta */
    assert_string_equal(json_string_value(json_object_get(json_object_get(s.body, "event"), "id")),
                        EVENT2);
    printf("WRONG_EVENT: ticket of %s at %s\n", detail(&s, "name"), local);
    json_decref(s.body);
    char *n = test_db_scalar(
        g_uri, "SELECT count(*) FROM checkins WHERE booking_id = '" B_WRONG "'", NULL);
    assert_string_equal(n, "0");
    free(n);

    s = scan_code_at(code, EVENT);
    assert_int_equal(s.status, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s.body, "event"), "name")), "Gate Test");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s.body, "attendee"), "name")),
        "Siti Rahma");
    json_decref(s.body);

    /* A forged code at a gate names the gate's event; an unknown gate is 404. */
    s = scan_code_at("TK1.garbage", EVENT2);
    assert_int_equal(s.status, 404);
    assert_string_equal(detail(&s, "reason"), "UNKNOWN");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s.body, "event"), "name")), "Other");
    json_decref(s.body);
    s = scan_code_at(code, "e0000000-0000-4000-8000-0000000000ff");
    assert_int_equal(s.status, 404);
    assert_string_equal(error_code(&s), "NOT_FOUND");
    json_decref(s.body);
}

static void test_list(void **state)
{
    (void)state;
    char err[256];
    struct db_conn *c = db_connect(g_uri, err, sizeof err);
    assert_non_null(c);
    json_t *doc = NULL;
    assert_int_equal(checkin_store_list(c, EVENT, 2, 0, &doc), DB_OK);
    json_t *counts = json_object_get(doc, "counts");
    /* confirmed seats: B_OK's 3, B_OTHER's, B_RACE's... as the rows say */
    long checked = (long)json_integer_value(json_object_get(counts, "checked_in"));
    assert_true(checked >= 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "total")), checked);
    assert_int_equal(json_array_size(json_object_get(doc, "items")), checked < 2 ? checked : 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "event"), "name")),
                        "Gate Test");
    char *text = json_dumps(counts, JSON_COMPACT);
    printf("check-in list counts: %s\n", text);
    free(text);
    json_decref(doc);
    assert_int_equal(checkin_store_list(c, "e0000000-0000-4000-8000-0000000000ff", 10, 0, &doc),
                     DB_NOT_FOUND);
    db_disconnect(c);
}

static void test_count(void **state)
{
    (void)state;
    char err[256];
    struct db_conn *c = db_connect(g_uri, err, sizeof err);
    assert_non_null(c);
    long n = -1;
    /* S(1), S(2), S(6), S(8) and S(5) (its booking cancelled since) were let in. */
    assert_int_equal(checkin_store_count(c, EVENT, &n), DB_OK);
    assert_int_equal(n, 5); /* and S(8), at its own gate */
    assert_int_equal(checkin_store_count(c, EVENT2, &n), DB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(checkin_store_count(c, "not-a-uuid", &n), DB_INVALID);
    db_disconnect(c);
    printf("checked in for the event: 4\n");
}

int main(void)
{
    test_require_pg();
    rand_init();
    log_init("ticket_checkin_db", LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admit_once_then_409),
        cmocka_unit_test(test_concurrent_scans_admit_once),
        cmocka_unit_test(test_not_admissible),
        cmocka_unit_test(test_cancelled_after_entry),
        cmocka_unit_test(test_scan_waits_for_a_racing_cancel),
        cmocka_unit_test(test_wrong_event),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests_name("ticket_checkin_db", tests, group_setup, group_teardown);
}
