/* test_http_failures.c: the failure outcomes against real daemons: a
 * payment that fails (PAYMENT_FAILURE_RATE=1), the organizer refusing
 * (ORGANIZER_FAILURE_RATE=1), payment-app unreachable. Each one leaves the
 * seats OPEN and the attempt stored with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ticket_testlib.h"

static struct suite S;
static char EV[37];
static json_t *SEATS;

#define SEAT(i) tt_str(json_array_get(SEATS, (i)), "id")

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    const char *penv[] = {"PAYMENT_FAILURE_RATE=1", NULL};
    if (suite_start(&S, penv, NULL) != 0)
        return -1;
    SEATS = tt_create_event(
        &S, "[{\"name\":\"Stalls\",\"rows\":[\"A\"],\"seats_per_row\":6,\"price\":2500}]", EV);
    return SEATS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(SEATS);
    suite_stop(&S);
    return 0;
}

static long open_seats(void)
{
    return tt_q_long(&S, "SELECT count(*) FROM seats WHERE event_id = $1 AND status = 'OPEN'", EV,
                     NULL);
}

static void test_payment_fails(void **state)
{
    (void)state;
    char b[37];
    tt_uuid(b);
    const char *seats[] = {SEAT(0), SEAT(1)};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "u", EV, seats, 2, &out), 201);
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tt_str(out, "invoice_number"));
    json_decref(out);
    assert_int_equal(open_seats(), 4);
    /* the organizer's acceptance is stored with the invoice */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE id = $1 AND "
                               "organizer_held_at IS NOT NULL AND invoice_number IS NOT NULL",
                               b, NULL),
                     1);
    assert_int_equal(tt_pay(&S, inv), 202);
    assert_int_equal(tt_wait_status(&S, b, "FAILED", 15000), 0);
    assert_int_equal(open_seats(), 6);
    char *reason = tt_q(&S, "SELECT failure_reason FROM bookings WHERE id = $1", b, NULL);
    assert_string_equal(reason, "PAYMENT_FAILED");
    free(reason);
    struct note n;
    assert_true(notes_wait(&S.notes, b, "booking.failed", 10000, &n));
    assert_string_equal(n.status, "FAILED");
}

static void test_organizer_refuses(void **state)
{
    (void)state;
    const char *tenv[] = {"ORGANIZER_FAILURE_RATE=1", NULL};
    assert_int_equal(suite_restart_ticket(&S, tenv), 0);
    char b[37];
    tt_uuid(b);
    const char *seats[] = {SEAT(2), SEAT(3)};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "u", EV, seats, 2, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "HOLD_REJECTED");
    assert_string_equal(tt_str(out, "status"), "FAILED");
    assert_string_equal(tt_str(out, "failure_reason"), "HOLD_REJECTED");
    assert_string_equal(tt_str(json_object_get(out, "booking"), "failure_reason"), "HOLD_REJECTED");
    json_decref(out);
    assert_int_equal(open_seats(), 6);
    /* The replay answers the same. */
    assert_int_equal(tt_book(&S, b, "u", EV, seats, 2, NULL), 409);
    /* The organizer refused before any invoice was asked for. */
    char *inv = tt_q(&S, "SELECT invoice_number FROM bookings WHERE id = $1", b, NULL);
    assert_null(inv);
    /* nothing to release at the organizer */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM followups WHERE booking_id = $1 AND "
                               "kind = 'ORG_RELEASE'",
                               b, NULL),
                     0);
}

static void test_payment_app_down(void **state)
{
    (void)state;
    suite_stop_payment(&S);
    assert_int_equal(suite_restart_ticket(&S, NULL), 0);
    char b[37];
    tt_uuid(b);
    const char *seats[] = {SEAT(4)};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "u", EV, seats, 1, &out), 503);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "SERVICE_UNAVAILABLE");
    assert_string_equal(tt_str(out, "failure_reason"), "TICKET_SERVICE_UNAVAILABLE");
    json_decref(out);
    assert_int_equal(open_seats(), 6);
    /* The replay answers the same, and the seat is free for others. */
    assert_int_equal(tt_book(&S, b, "u", EV, seats, 1, NULL), 503);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = "
                               "'VOID' AND status = 'PENDING'",
                               b, NULL),
                     1);
    /* The organizer had accepted before the invoice failed: its hold is
     * released too. */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM followups WHERE booking_id = $1 AND "
                               "kind = 'ORG_RELEASE'",
                               b, NULL),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payment_fails),
        cmocka_unit_test(test_organizer_refuses),
        cmocka_unit_test(test_payment_app_down),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
