/* test_e2e.c: the whole user path through client-app with the real
 * ticket-app and payment-app: register, log in, list events and seats,
 * book, pay at payment-app, see CONFIRMED arrive by notification (no
 * refresh), download the PDF; a taken seat gives 409 and a FAILED entry;
 * another user sees none of it (404); cancel; ticket-app stopped gives 503
 * with a FAILED entry while the stored PDF is still served, and the events
 * and seat maps already seen are served marked stale. The other daemons are
 * reached through their APIs only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_testlib.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN
#define SERVICE_TOKEN TS_SERVICE_TOKEN

static struct test_suite suite;
static const char *C, *T, *P; /* base URLs */

static int setup(void **state)
{
    const struct test_suite_opts o = {.name = "e2e", TEST_SUITE_BINARIES};
    return test_suite_setup(state, &suite, &o, &C, &T, &P);
}

/* Creates an event with one row of n seats at price; id into ev. */
static void create_event(int n, long price, char ev[37])
{
    struct tresp r;
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"E2E Concert\",\"venue\":\"Hall\",\"starts_at\":\"2030-06-01T19:00:00Z\","
             "\"description\":\"end to end\",\"currency\":\"IDR\",\"layout\":{\"sections\":["
             "{\"name\":\"Floor\",\"rows\":[\"A\"],\"seats_per_row\":%d,\"price\":%ld}]}}",
             n, price);
    tcall(T, "POST", "/api/events", ADMIN_TOKEN, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "create event: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(ev, 37, "%s", tstr(&r, "id"));
    tresp_free(&r);
}

/* GET a booking until its status is want (up to 20 s, no refresh). */
static int wait_status(const char *token, const char *bid, const char *want, struct tresp *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    for (int i = 0; i < 200; i++) {
        tcall(C, "GET", path, token, NULL, NULL, r);
        if (r->status == 200 && strcmp(tstr(r, "status"), want) == 0)
            return 0;
        tresp_free(r);
        usleep(100 * 1000);
    }
    tcall(C, "GET", path, token, NULL, NULL, r);
    fprintf(stderr, "booking %s never became %s: %s\n", bid, want, r->body);
    return -1;
}

static long book(const char *token, const char *ev, const char *const *seats, size_t n,
                 const char *const *headers, struct tresp *r)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_string(seats[i]));
    json_t *b = json_pack("{s:s, s:o}", "event_id", ev, "seat_ids", ids);
    char *text = json_dumps(b, 0);
    long st = tcall(C, "POST", "/api/bookings", token, text, headers, r);
    free(text);
    json_decref(b);
    return st;
}

static int history_has(const struct tresp *r, const char *status, const char *source_prefix)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(r->json, "history"), i, h)
    {
        const char *s = json_string_value(json_object_get(h, "status"));
        const char *src = json_string_value(json_object_get(h, "source"));
        if (s && strcmp(s, status) == 0 &&
            (!source_prefix || (src && strncmp(src, source_prefix, strlen(source_prefix)) == 0)))
            return 1;
    }
    return 0;
}

static void user_path(void **state)
{
    (void)state;
    struct tresp r;
    char ev[37], aid[37], atok[65], bid_[37], btok[65], path[160];
    char seats[5][37];

    create_event(5, 150000, ev);
    assert_int_equal(tuser_create(C, "alice", "alice@example.com", "alice-password", aid), 201);
    assert_int_equal(tuser_create(C, "bob", "bob@example.com", "bob-password", bid_), 201);
    assert_int_equal(tlogin(C, "alice", "alice-password", atok), 201);
    assert_int_equal(tlogin(C, "bob@example.com", "bob-password", btok), 201);

    /* events and seats through client-app, anonymously */
    assert_int_equal(tcall(C, "GET", "/api/events", NULL, NULL, NULL, &r), 200);
    assert_true(strstr(r.body, ev) != NULL);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s", ev);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "name"), "E2E Concert");
    tresp_free(&r);
    assert_int_equal(
        tcall(C, "GET", "/api/events/00000000-0000-4000-8000-000000000000", NULL, NULL, NULL, &r),
        404);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *s = json_array_get(items, i);
        assert_string_equal(json_string_value(json_object_get(s, "status")), "OPEN");
        snprintf(seats[i], 37, "%s", json_string_value(json_object_get(s, "id")));
    }
    tresp_free(&r);

    /* book two seats */
    const char *two[] = {seats[0], seats[1]};
    assert_int_equal(book(atok, ev, two, 2, NULL, &r), 201);
    assert_string_equal(tstr(&r, "status"), "PENDING_PAYMENT");
    assert_string_equal(tstr(&r, "user_id"), aid);
    assert_string_equal(tstr(&r, "origin"), "direct");
    assert_int_equal(json_integer_value(json_object_get(r.json, "amount")), 300000);
    assert_string_equal(tstr(&r, "currency"), "IDR");
    assert_int_equal(json_array_size(json_object_get(r.json, "seats")), 2);
    char bk[37], inv[64];
    snprintf(bk, sizeof bk, "%s", tstr(&r, "id"));
    snprintf(inv, sizeof inv, "%s", tstr(&r, "payment.invoice_number"));
    assert_int_equal(strncmp(inv, "INV-", 4), 0);
    assert_true(strlen(tstr(&r, "payment.payment_url")) > 0);
    assert_true(strlen(tstr(&r, "payment.expires_at")) > 0);
    assert_true(json_is_null(json_object_get(r.json, "ticket_url")));
    tresp_free(&r);

    /* held seats show ON_GOING */
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "ON_GOING"));
    tresp_free(&r);

    /* the PDF is not ready before payment */
    char pdfpath[160];
    snprintf(pdfpath, sizeof pdfpath, "/api/bookings/%s/ticket.pdf", bk);
    assert_int_equal(tcall(C, "GET", pdfpath, atok, NULL, NULL, &r), 409);
    assert_string_equal(terr(&r), "TICKET_NOT_READY");
    tresp_free(&r);

    /* pay at payment-app; CONFIRMED arrives by notification, no refresh */
    char paypath[128];
    snprintf(paypath, sizeof paypath, "/api/invoices/%s/pay", inv);
    tcall(P, "POST", paypath, NULL, "{\"method\":\"card\"}", NULL, &r);
    assert_int_equal(r.status, 202);
    tresp_free(&r);
    assert_int_equal(wait_status(atok, bk, "CONFIRMED", &r), 0);
    assert_true(history_has(&r, "CONFIRMED", "notification:"));
    assert_true(history_has(&r, "PENDING_PAYMENT", "ticket-app"));
    assert_true(history_has(&r, "REQUESTED", "request"));
    assert_string_equal(tstr(&r, "ticket_url"), pdfpath);
    tresp_free(&r);

    /* the PDF, stored by client-app */
    assert_int_equal(tcall(C, "GET", pdfpath, atok, NULL, NULL, &r), 200);
    assert_true(r.len > 100);
    assert_memory_equal(r.body, "%PDF", 4);
    assert_string_equal(r.content_type, "application/pdf");
    tresp_free(&r);
    char *stored = test_db_scalar_params(
        suite.client_db, "SELECT length(ticket_pdf) > 100 FROM bookings WHERE id = $1", 1,
        (const char *[]){bk}, NULL);
    assert_string_equal(stored, "t");
    free(stored);

    /* a taken seat: 409 and a FAILED entry in bob's history */
    const char *taken[] = {seats[1], seats[2]};
    assert_int_equal(book(btok, ev, taken, 2, NULL, &r), 409);
    assert_string_equal(terr(&r), "SEAT_UNAVAILABLE");
    assert_string_equal(tstr(&r, "booking.status"), "FAILED");
    assert_string_equal(tstr(&r, "booking.failure_reason"), "SEAT_UNAVAILABLE");
    /* refused by client-app itself (alice's seat was said taken a moment
     * ago): ticket-app never saw this attempt; the history says who refused */
    char refused[37], rpath[160];
    snprintf(refused, sizeof refused, "%s", tstr(&r, "booking.id"));
    tresp_free(&r);
    snprintf(rpath, sizeof rpath, "/api/bookings/%s", refused);
    assert_int_equal(tcall(T, "GET", rpath, SERVICE_TOKEN, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", rpath, btok, NULL, NULL, &r), 200);
    assert_true(history_has(&r, "REQUESTED", "request"));
    assert_true(history_has(&r, "FAILED", "client-app"));
    assert_string_equal(tstr(&r, "event_name"), "E2E Concert");
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/bookings?status=FAILED", btok, NULL, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    tresp_free(&r);
    /* nothing stays held: seat 2 is still OPEN */
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    items = json_object_get(r.json, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *s = json_array_get(items, i);
        const char *id = json_string_value(json_object_get(s, "id"));
        const char *st = json_string_value(json_object_get(s, "status"));
        if (strcmp(id, seats[0]) == 0 || strcmp(id, seats[1]) == 0)
            assert_string_equal(st, "BOOKED");
        else
            assert_string_equal(st, "OPEN");
    }
    tresp_free(&r);

    /* bob sees none of alice's */
    char bpath[160];
    snprintf(bpath, sizeof bpath, "/api/bookings/%s", bk);
    assert_int_equal(tcall(C, "GET", bpath, btok, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", pdfpath, btok, NULL, NULL, &r), 404);
    tresp_free(&r);
    snprintf(bpath, sizeof bpath, "/api/bookings/%s/cancel", bk);
    assert_int_equal(tcall(C, "POST", bpath, btok, NULL, NULL, &r), 404);
    tresp_free(&r);
    snprintf(bpath, sizeof bpath, "/api/bookings/%s/refresh", bk);
    assert_int_equal(tcall(C, "POST", bpath, btok, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/bookings", btok, NULL, NULL, &r), 200);
    assert_null(strstr(r.body, bk));
    tresp_free(&r);

    /* refresh by the owner agrees */
    assert_int_equal(tcall(C, "POST", bpath, atok, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CONFIRMED");
    tresp_free(&r);

    /* idempotent booking, then cancel it */
    const char *one[] = {seats[3]};
    const char *hk[] = {"Idempotency-Key: e2e-key-1", NULL};
    assert_int_equal(book(btok, ev, one, 1, hk, &r), 201);
    char bk2[37];
    snprintf(bk2, sizeof bk2, "%s", tstr(&r, "id"));
    tresp_free(&r);
    assert_int_equal(book(btok, ev, one, 1, hk, &r), 201);
    assert_string_equal(tstr(&r, "id"), bk2);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/bookings", btok, NULL, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 2);
    tresp_free(&r);
    snprintf(bpath, sizeof bpath, "/api/bookings/%s/cancel", bk2);
    assert_int_equal(tcall(C, "POST", bpath, btok, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CANCELLED");
    tresp_free(&r);
    /* a seat given back is free at once: client-app forgot it was taken */
    assert_int_equal(book(atok, ev, one, 1, NULL, &r), 201);
    tresp_free(&r);
    /* cancelling a failed booking */
    assert_int_equal(tcall(C, "GET", "/api/bookings?status=FAILED", btok, NULL, NULL, &r), 200);
    char failed_id[37];
    snprintf(failed_id, sizeof failed_id, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")));
    tresp_free(&r);
    snprintf(bpath, sizeof bpath, "/api/bookings/%s/cancel", failed_id);
    assert_int_equal(tcall(C, "POST", bpath, btok, NULL, NULL, &r), 409);
    assert_string_equal(terr(&r), "NOT_CANCELLABLE");
    tresp_free(&r);

    /* refresh reconciles a stale local copy from ticket-app (newer version) */
    assert_int_equal(texec(suite.client_db,
                           "UPDATE bookings SET status = 'PENDING_PAYMENT', version = 0, "
                           "ticket_pdf = NULL WHERE id = $1",
                           1, (const char *[]){bk}),
                     0);
    snprintf(bpath, sizeof bpath, "/api/bookings/%s/refresh", bk);
    assert_int_equal(tcall(C, "POST", bpath, atok, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CONFIRMED");
    assert_true(history_has(&r, "CONFIRMED", "refresh"));
    tresp_free(&r);
    /* a confirmed booking without a stored PDF fetches it once and keeps it */
    assert_int_equal(tcall(C, "GET", pdfpath, atok, NULL, NULL, &r), 200);
    assert_memory_equal(r.body, "%PDF", 4);
    tresp_free(&r);
    stored = test_db_scalar_params(suite.client_db,
                                   "SELECT ticket_pdf IS NOT NULL FROM bookings WHERE id = $1", 1,
                                   (const char *[]){bk}, NULL);
    assert_string_equal(stored, "t");
    free(stored);

    /* attempts left REQUESTED by a request that died are settled in the
     * background: from ticket-app's state if it knows them, else FAILED */
    assert_int_equal(texec(suite.client_db,
                           "UPDATE bookings SET status = 'REQUESTED', version = 0, "
                           "created_at = now() - interval '1 hour' WHERE id = $1",
                           1, (const char *[]){bk}),
                     0);
    assert_int_equal(
        texec(suite.client_db,
              "INSERT INTO bookings (id, user_id, event_id, status, seats, created_at) "
              "VALUES ('99999999-9999-4999-8999-999999999999', $1, $2, 'REQUESTED', "
              "'[]', now() - interval '1 hour')",
              2, (const char *[]){aid, ev}),
        0);
    assert_int_equal(wait_status(atok, bk, "CONFIRMED", &r), 0);
    assert_true(history_has(&r, "CONFIRMED", "reconcile"));
    tresp_free(&r);
    assert_int_equal(wait_status(atok, "99999999-9999-4999-8999-999999999999", "FAILED", &r), 0);
    assert_string_equal(tstr(&r, "failure_reason"), "TICKET_SERVICE_UNAVAILABLE");
    assert_true(history_has(&r, "FAILED", "reconcile"));
    tresp_free(&r);

    /* ten seats in one booking: the ticket PDF still fits in a notification */
    char ev10[37], ten_ids[10][37], bk10[37], inv10[64], pdf10[160];
    const char *ten[10];
    create_event(10, 50000, ev10);
    snprintf(path, sizeof path, "/api/events/%s/seats", ev10);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 10);
    for (size_t i = 0; i < 10; i++) {
        snprintf(ten_ids[i], 37, "%s",
                 json_string_value(
                     json_object_get(json_array_get(json_object_get(r.json, "items"), i), "id")));
        ten[i] = ten_ids[i];
    }
    tresp_free(&r);
    assert_int_equal(book(atok, ev10, ten, 10, NULL, &r), 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "amount")), 500000);
    snprintf(bk10, sizeof bk10, "%s", tstr(&r, "id"));
    snprintf(inv10, sizeof inv10, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
    snprintf(paypath, sizeof paypath, "/api/invoices/%s/pay", inv10);
    assert_int_equal(tcall(P, "POST", paypath, NULL, "{\"method\":\"ewallet\"}", NULL, &r), 202);
    tresp_free(&r);
    assert_int_equal(wait_status(atok, bk10, "CONFIRMED", &r), 0);
    tresp_free(&r);
    const char *len_sql = "SELECT length(ticket_pdf) FROM bookings WHERE id = $1";
    char *len10 = NULL;
    for (int i = 0; i < 50 && !(len10 = test_db_scalar_params(suite.client_db, len_sql, 1,
                                                              (const char *[]){bk10}, NULL));
         i++)
        usleep(100 * 1000);
    assert_non_null(len10);
    fprintf(stderr, "10-seat ticket PDF stored by notification: %s bytes\n", len10);
    free(len10);
    snprintf(pdf10, sizeof pdf10, "/api/bookings/%s/ticket.pdf", bk10);
    assert_int_equal(tcall(C, "GET", pdf10, atok, NULL, NULL, &r), 200);
    assert_memory_equal(r.body, "%PDF", 4);
    tresp_free(&r);

    /* ticket-app stopped: 503 with a FAILED entry; the stored PDF still served */
    test_daemon_stop(&suite.ticket);
    const char *last[] = {seats[4]};
    assert_int_equal(book(btok, ev, last, 1, NULL, &r), 503);
    assert_string_equal(tstr(&r, "booking.status"), "FAILED");
    assert_string_equal(tstr(&r, "booking.failure_reason"), "TICKET_SERVICE_UNAVAILABLE");
    char bk3[37];
    snprintf(bk3, sizeof bk3, "%s", tstr(&r, "booking.id"));
    tresp_free(&r);
    snprintf(bpath, sizeof bpath, "/api/bookings/%s", bk3);
    assert_int_equal(tcall(C, "GET", bpath, btok, NULL, NULL, &r), 200);
    assert_true(history_has(&r, "FAILED", NULL));
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", pdfpath, atok, NULL, NULL, &r), 200);
    assert_memory_equal(r.body, "%PDF", 4);
    tresp_free(&r);
    /* events and seat maps already seen are still served, marked stale */
    assert_int_equal(tcall(C, "GET", "/api/events", NULL, NULL, NULL, &r), 200);
    assert_true(strstr(r.body, ev) != NULL);
    assert_true(json_is_true(json_object_get(r.json, "stale")));
    assert_string_equal(r.warning, "110 - \"Response is Stale\"");
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s", ev);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "name"), "E2E Concert");
    assert_true(json_is_true(json_object_get(r.json, "stale")));
    assert_non_null(tstr(&r, "stale_since"));
    assert_true(r.warning[0] != '\0');
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 5);
    assert_true(json_is_true(json_object_get(r.json, "stale")));
    assert_true(r.warning[0] != '\0');
    tresp_free(&r);
    /* what was never seen cannot be: 503 */
    assert_int_equal(tcall(C, "GET", "/api/events?when=past", NULL, NULL, NULL, &r), 503);
    tresp_free(&r);
    /* ticket-app back: fresh answers again, not marked */
    assert_int_equal(test_suite_restart_ticket(&suite), 0);
    assert_int_equal(tcall(C, "GET", "/api/events", NULL, NULL, NULL, &r), 200);
    assert_null(json_object_get(r.json, "stale"));
    assert_string_equal(r.warning, "");
    tresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(user_path)};
    return cmocka_run_group_tests(tests, setup, test_suite_teardown);
}
