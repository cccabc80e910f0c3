/* test_http_lifecycle.c: issue 14's symptoms replayed through the HTTP API
 * against a real ticket-app and payment-app, each with the answer the
 * contract names: a ticket scanned at the gate cannot be cancelled; a
 * refund made at payment-app cancels the booking and frees its seat; one
 * user cannot hold more than MAX_SEATS_PER_USER; SEAT_UNAVAILABLE names
 * the seat; an event cancelled cancels its bookings (paid ones refunded,
 * holders notified) and stops its sale; once an event started its owner
 * cannot cancel, an admin can. (A payment started in time: see
 * test_http_expiry.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ticket_code.h"
#include "ticket_testlib.h"

static struct suite S;
static char EV[37];
static json_t *SEATS;

#define SEAT(i) tt_str(json_array_get(SEATS, (i)), "id")

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    const char *tenv[] = {"MAX_SEATS_PER_USER=3", NULL};
    if (suite_start(&S, NULL, tenv) != 0)
        return -1;
    SEATS = tt_create_event(
        &S, "[{\"name\":\"Stalls\",\"rows\":[\"A\"],\"seats_per_row\":12,\"price\":2500}]", EV);
    return SEATS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(SEATS);
    suite_stop(&S);
    return 0;
}

/* Books one seat of event ev for user and pays: CONFIRMED. inv gets the
 * invoice number. */
static void book_paid(const char *ev, const char *user, const char *seat, char b[37], char inv[64])
{
    tt_uuid(b);
    const char *seats[] = {seat};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, user, ev, seats, 1, &out), 201);
    snprintf(inv, 64, "%s", tt_str(out, "invoice_number"));
    json_decref(out);
    assert_int_equal(tt_pay(&S, inv), 202);
    assert_int_equal(tt_wait_status(&S, b, "CONFIRMED", 15000), 0);
}

static long cancel(const char *b, const char *bearer, json_t **out)
{
    char path[96];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b);
    return tt_call(&S, "POST", path, bearer, NULL, out);
}

static const char *err_reason(json_t *o)
{
    return tt_str(json_object_get(json_object_get(o, "error"), "details"), "reason");
}

static void test_checked_in_not_cancellable(void **state)
{
    (void)state;
    char b[37], inv[64], code[TICKET_CODE_LEN + 1];
    book_paid(EV, "gate-user", SEAT(0), b, inv);
    assert_int_equal(ticket_code_make(TT_CODE_SECRET, b, SEAT(0), code, sizeof code), 0);
    json_t *body = json_pack("{s:s, s:s}", "ticket_code", code, "event_id", EV), *out = NULL;
    assert_int_equal(tt_call(&S, "POST", "/api/checkins", TT_ADMIN, body, &out), 200);
    json_decref(body);
    json_decref(out);
    /* the owner (through client-app's token) and an admin are both refused */
    const char *bearers[] = {TT_SERVICE, TT_ADMIN};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(cancel(b, bearers[i], &out), 409);
        assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "NOT_CANCELLABLE");
        assert_string_equal(err_reason(out), "CHECKED_IN");
        json_decref(out);
    }
    assert_string_equal(tt_seat_status(&S, SEAT(0)), "BOOKED");
    char *inv_status = NULL;
    char path[96];
    snprintf(path, sizeof path, "/api/invoices/%s", inv);
    assert_int_equal(tt_pay_call(&S, "GET", path, NULL, &out), 200);
    inv_status = strdup(tt_str(out, "status"));
    json_decref(out);
    assert_string_equal(inv_status, "PAID");
    free(inv_status);
}

static void test_refund_at_payment_app(void **state)
{
    (void)state;
    char b[37], inv[64];
    book_paid(EV, "refund-user", SEAT(1), b, inv);
    char path[96];
    snprintf(path, sizeof path, "/api/invoices/%s/refund", inv);
    json_t *out = NULL;
    assert_int_equal(tt_pay_call(&S, "POST", path, NULL, &out), 200);
    json_decref(out);
    assert_int_equal(tt_wait_status(&S, b, "CANCELLED", 15000), 0);
    assert_string_equal(tt_seat_status(&S, SEAT(1)), "OPEN");
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", b);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, NULL), 409);
    assert_true(notes_wait(&S.notes, b, "booking.cancelled", 10000, NULL));
    /* ticket-app asked for no second refund */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = "
                               "'REFUND'",
                               b, NULL),
                     0);
    /* cancelling it now answers the cancelled booking */
    assert_int_equal(cancel(b, TT_SERVICE, &out), 200);
    assert_string_equal(tt_str(out, "status"), "CANCELLED");
    json_decref(out);
}

static void test_limit_reached(void **state)
{
    (void)state;
    char b[37];
    tt_uuid(b);
    const char *three[] = {SEAT(2), SEAT(3), SEAT(4)};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "greedy", EV, three, 3, &out), 201);
    assert_int_equal((int)strlen(tt_str(out, "code")), 8);
    json_decref(out);
    tt_uuid(b);
    const char *one[] = {SEAT(5)};
    assert_int_equal(tt_book(&S, b, "greedy", EV, one, 1, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "LIMIT_REACHED");
    assert_string_equal(tt_str(out, "status"), "FAILED");
    assert_string_equal(tt_str(out, "failure_reason"), "LIMIT_REACHED");
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(5)), "OPEN");
    /* another user is not limited by it */
    tt_uuid(b);
    assert_int_equal(tt_book(&S, b, "modest", EV, one, 1, &out), 201);
    json_decref(out);
}

static void test_seat_unavailable_names_seat(void **state)
{
    (void)state;
    char b[37];
    tt_uuid(b);
    const char *seats[] = {SEAT(2), SEAT(6)}; /* SEAT(2) is held above */
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "late", EV, seats, 2, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "SEAT_UNAVAILABLE");
    json_t *ids =
        json_object_get(json_object_get(json_object_get(out, "error"), "details"), "seat_ids");
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), SEAT(2));
    json_decref(out);
    /* a replay answers the same */
    assert_int_equal(tt_book(&S, b, "late", EV, seats, 2, &out), 409);
    ids = json_object_get(json_object_get(json_object_get(out, "error"), "details"), "seat_ids");
    assert_int_equal(json_array_size(ids), 1);
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(6)), "OPEN");
}

static void test_event_cancel(void **state)
{
    (void)state;
    char ev[37];
    json_t *seats = tt_create_event(
        &S, "[{\"name\":\"Floor\",\"rows\":[\"B\"],\"seats_per_row\":4,\"price\":1000}]", ev);
    assert_non_null(seats);
    const char *s0 = tt_str(json_array_get(seats, 0), "id");
    const char *s1 = tt_str(json_array_get(seats, 1), "id");
    const char *s2 = tt_str(json_array_get(seats, 2), "id");
    char paid[37], paid_inv[64], pending[37];
    book_paid(ev, "fan1", s0, paid, paid_inv);
    tt_uuid(pending);
    const char *one[] = {s1};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, pending, "fan2", ev, one, 1, &out), 201);
    char pending_inv[64];
    snprintf(pending_inv, sizeof pending_inv, "%s", tt_str(out, "invoice_number"));
    json_decref(out);

    char path[96];
    snprintf(path, sizeof path, "/api/events/%s/cancel", ev);
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, NULL), 403);
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, NULL, &out), 200);
    assert_string_equal(tt_str(out, "id"), ev);
    json_decref(out);
    assert_int_equal(tt_wait_status(&S, paid, "CANCELLED", 1000), 0);
    assert_int_equal(tt_wait_status(&S, pending, "CANCELLED", 1000), 0);
    assert_true(notes_wait(&S.notes, paid, "booking.cancelled", 10000, NULL));
    assert_true(notes_wait(&S.notes, pending, "booking.cancelled", 10000, NULL));
    /* the money goes back, the open invoice is voided */
    int64_t until = now_ms() + 15000;
    char *st_paid = NULL, *st_pending = NULL;
    for (;;) {
        snprintf(path, sizeof path, "/api/invoices/%s", paid_inv);
        tt_pay_call(&S, "GET", path, NULL, &out);
        free(st_paid);
        st_paid = strdup(tt_str(out, "status"));
        json_decref(out);
        snprintf(path, sizeof path, "/api/invoices/%s", pending_inv);
        tt_pay_call(&S, "GET", path, NULL, &out);
        free(st_pending);
        st_pending = strdup(tt_str(out, "status"));
        json_decref(out);
        if ((strcmp(st_paid, "REFUNDED") == 0 && strcmp(st_pending, "VOID") == 0) ||
            now_ms() > until)
            break;
        sleep_ms(200);
    }
    assert_string_equal(st_paid, "REFUNDED");
    assert_string_equal(st_pending, "VOID");
    free(st_paid);
    free(st_pending);
    /* no more sales */
    char b[37];
    tt_uuid(b);
    const char *other[] = {s2};
    assert_int_equal(tt_book(&S, b, "fan3", ev, other, 1, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "EVENT_CANCELLED");
    json_decref(out);
    json_decref(seats);
}

static void test_event_started(void **state)
{
    (void)state;
    char ev[37];
    json_t *seats = tt_create_event(
        &S, "[{\"name\":\"Pit\",\"rows\":[\"C\"],\"seats_per_row\":2,\"price\":1000}]", ev);
    assert_non_null(seats);
    const char *s0 = tt_str(json_array_get(seats, 0), "id");
    char b[37], inv[64];
    book_paid(ev, "late-fan", s0, b, inv);
    free(tt_q(&S,
              "UPDATE events SET starts_at = now() - interval '1 hour' WHERE id = $1 "
              "RETURNING id",
              ev, NULL));
    json_t *out = NULL;
    /* the owner may not cancel once the event started */
    assert_int_equal(cancel(b, TT_SERVICE, &out), 409);
    assert_string_equal(err_reason(out), "EVENT_STARTED");
    json_decref(out);
    /* an admin may (client-app says so with the service token) */
    char path[96];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b);
    json_t *by = json_pack("{s:s}", "by", "admin");
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, by, &out), 200);
    json_decref(by);
    assert_string_equal(tt_str(out, "status"), "CANCELLED");
    json_decref(out);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = "
                               "'REFUND'",
                               b, NULL),
                     1);
    json_decref(seats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checked_in_not_cancellable),
        cmocka_unit_test(test_refund_at_payment_app),
        cmocka_unit_test(test_limit_reached),
        cmocka_unit_test(test_seat_unavailable_names_seat),
        cmocka_unit_test(test_event_cancel),
        cmocka_unit_test(test_event_started),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
