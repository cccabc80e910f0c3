/* test_http_two_phase.c: the two-phase hold against real daemons
 * (SELECTION_TTL_SECONDS=2, HOLD_TTL_SECONDS=60): "checkout": false holds
 * for selection (HELD, no invoice, hold_expires_at); checkout within the
 * lock makes the invoice and opens the payment window; a replayed checkout
 * answers the same booking; another user's checkout is 404; the sweeper
 * ends a lapsed selection (seats back) and a checkout after it is 409
 * HOLD_EXPIRED; checkout of a failed booking is 409 NOT_HELD; an event
 * cancelled ends its selections; and a
 * checkout racing the lock's end over HTTP, many times: exactly one of
 * checkout and expiry wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "ticket_testlib.h"

static struct suite S;
static char EV[37];
static json_t *SEATS;

#define SEAT(i) tt_str(json_array_get(SEATS, (i)), "id")

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    const char *tenv[] = {"SELECTION_TTL_SECONDS=2", "HOLD_TTL_SECONDS=60", "SWEEP_INTERVAL_MS=200",
                          NULL};
    if (suite_start(&S, NULL, tenv) != 0)
        return -1;
    SEATS = tt_create_event(
        &S, "[{\"name\":\"Stalls\",\"rows\":[\"S\"],\"seats_per_row\":40,\"price\":900}]", EV);
    return SEATS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(SEATS);
    suite_stop(&S);
    return 0;
}

/* POST /api/bookings with "checkout": false for one seat. */
static long select_seat(const char *b, const char *user, const char *seat, json_t **out)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:[s], s:b}", "booking_id", b, "user_id", user,
                             "event_id", EV, "seat_ids", seat, "checkout", 0);
    long st = tt_call(&S, "POST", "/api/bookings", TT_SERVICE, body, out);
    json_decref(body);
    return st;
}

static long checkout(const char *b, const char *user, json_t **out)
{
    char path[96];
    snprintf(path, sizeof path, "/api/bookings/%s/checkout", b);
    json_t *body = user ? json_pack("{s:s}", "user_id", user) : NULL;
    long st = tt_call(&S, "POST", path, TT_SERVICE, body, out);
    json_decref(body);
    return st;
}

/* Seconds from now to the RFC 3339 time t. */
static double secs_until(const char *t)
{
    int64_t ms = 0;
    assert_int_equal(time_parse_rfc3339(t, &ms), 0);
    return (double)(ms - now_ms()) / 1000.0;
}

static void test_select_then_checkout(void **state)
{
    (void)state;
    char b[37];
    tt_uuid(b);
    json_t *out = NULL;
    assert_int_equal(select_seat(b, "u1", SEAT(0), &out), 201);
    assert_string_equal(tt_str(out, "status"), "HELD");
    assert_true(json_is_null(json_object_get(out, "invoice_number")));
    assert_true(json_is_null(json_object_get(out, "payment_url")));
    double left = secs_until(tt_str(out, "hold_expires_at"));
    assert_true(left > 0.5 && left <= 2.5);
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(0)), "ON_GOING");
    /* the organizer was asked at this step */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE id = $1 AND "
                               "organizer_held_at IS NOT NULL",
                               b, NULL),
                     1);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE id = $1 AND "
                               "invoice_number IS NULL",
                               b, NULL),
                     1);
    /* someone else's checkout: 404, nothing changes */
    assert_int_equal(checkout(b, "intruder", &out), 404);
    json_decref(out);
    /* the owner's: the invoice and the payment window */
    assert_int_equal(checkout(b, "u1", &out), 201);
    assert_string_equal(tt_str(out, "status"), "PENDING_PAYMENT");
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tt_str(out, "invoice_number"));
    assert_true(inv[0] != '\0');
    assert_true(tt_str(out, "payment_url")[0] != '\0');
    assert_true(json_is_null(json_object_get(out, "hold_expires_at")));
    left = secs_until(tt_str(out, "expires_at"));
    assert_true(left > 55 && left <= 61);
    json_decref(out);
    /* the invoice at payment-app expires with the window */
    char path[128];
    snprintf(path, sizeof path, "/api/invoices/%s", inv);
    assert_int_equal(tt_pay_call(&S, "GET", path, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "PENDING");
    left = secs_until(tt_str(out, "expires_at"));
    assert_true(left > 55 && left <= 61);
    json_decref(out);
    /* the seat stays held past the selection's 2 s */
    sleep_ms(2600);
    assert_string_equal(tt_seat_status(&S, SEAT(0)), "ON_GOING");
    /* a retried checkout answers the same booking, nothing new */
    assert_int_equal(checkout(b, "u1", &out), 201);
    assert_string_equal(tt_str(out, "status"), "PENDING_PAYMENT");
    assert_string_equal(tt_str(out, "invoice_number"), inv);
    json_decref(out);
    /* paid: CONFIRMED; a checkout now still answers it */
    assert_int_equal(tt_pay(&S, inv), 202);
    assert_int_equal(tt_wait_status(&S, b, "CONFIRMED", 15000), 0);
    assert_int_equal(checkout(b, "u1", &out), 201);
    assert_string_equal(tt_str(out, "status"), "CONFIRMED");
    json_decref(out);
}

static void test_selection_lapses(void **state)
{
    (void)state;
    char b[37];
    tt_uuid(b);
    json_t *out = NULL;
    assert_int_equal(select_seat(b, "u2", SEAT(1), &out), 201);
    json_decref(out);
    /* the sweeper ends it: EXPIRED, the seat OPEN, client-app told */
    assert_int_equal(tt_wait_status(&S, b, "EXPIRED", 10000), 0);
    assert_string_equal(tt_seat_status(&S, SEAT(1)), "OPEN");
    assert_true(notes_wait(&S.notes, b, "booking.expired", 10000, NULL));
    /* a checkout after: 409 HOLD_EXPIRED with the booking */
    assert_int_equal(checkout(b, "u2", &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "HOLD_EXPIRED");
    assert_string_equal(tt_str(json_object_get(out, "booking"), "status"), "EXPIRED");
    json_decref(out);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE id = $1 AND "
                               "invoice_number IS NULL",
                               b, NULL),
                     1);
    /* the seat can be taken again */
    char b2[37];
    tt_uuid(b2);
    assert_int_equal(select_seat(b2, "u3", SEAT(1), &out), 201);
    json_decref(out);
}

static void test_checkout_lapsed_before_sweeper(void **state)
{
    (void)state;
    /* the lock ran out, the sweeper not there yet: refused, and the seats
     * are let go by the refusal itself */
    char b[37];
    tt_uuid(b);
    json_t *out = NULL;
    assert_int_equal(select_seat(b, "u4", SEAT(2), &out), 201);
    json_decref(out);
    assert_int_equal(tt_q_long(&S,
                               "WITH u AS (UPDATE bookings SET expires_at = now() - interval "
                               "'1 second', sweep_after = now() + interval '1 hour' "
                               "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u",
                               b, NULL),
                     1);
    assert_int_equal(checkout(b, NULL, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "HOLD_EXPIRED");
    json_decref(out);
    assert_int_equal(tt_wait_status(&S, b, "EXPIRED", 2000), 0);
    assert_string_equal(tt_seat_status(&S, SEAT(2)), "OPEN");
}

static void test_checkout_not_held(void **state)
{
    (void)state;
    /* a refused hold (the seat is taken) is FAILED: NOT_HELD */
    char a[37], b[37];
    tt_uuid(a);
    tt_uuid(b);
    json_t *out = NULL;
    assert_int_equal(select_seat(a, "u5", SEAT(3), &out), 201);
    json_decref(out);
    assert_int_equal(select_seat(b, "u6", SEAT(3), &out), 409);
    json_decref(out);
    assert_int_equal(checkout(b, "u6", &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "NOT_HELD");
    json_decref(out);
    /* cancelled by its owner: the seat back at once, NOT_HELD after */
    char path[96];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", a);
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "CANCELLED");
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(3)), "OPEN");
    assert_int_equal(checkout(a, "u5", &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "NOT_HELD");
    json_decref(out);
    /* unknown booking: 404 */
    char unknown[37];
    tt_uuid(unknown);
    assert_int_equal(checkout(unknown, NULL, &out), 404);
    json_decref(out);
}

static void test_event_cancelled_ends_selection(void **state)
{
    (void)state;
    /* an event cancelled ends the selections of it too (seats back,
     * holder told) */
    char ev[37], b[37], path[96];
    json_t *seats = tt_create_event(
        &S, "[{\"name\":\"Box\",\"rows\":[\"B\"],\"seats_per_row\":2,\"price\":500}]", ev);
    assert_non_null(seats);
    tt_uuid(b);
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:[s], s:b}", "booking_id", b, "user_id", "u7", "event_id", ev,
                  "seat_ids", tt_str(json_array_get(seats, 0), "id"), "checkout", 0);
    json_t *out = NULL;
    assert_int_equal(tt_call(&S, "POST", "/api/bookings", TT_SERVICE, body, &out), 201);
    json_decref(body);
    json_decref(out);
    snprintf(path, sizeof path, "/api/events/%s/cancel", ev);
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, NULL, &out), 200);
    json_decref(out);
    assert_int_equal(tt_wait_status(&S, b, "CANCELLED", 10000), 0);
    assert_string_equal(tt_seat_status(&S, tt_str(json_array_get(seats, 0), "id")), "OPEN");
    assert_true(notes_wait(&S.notes, b, "booking.cancelled", 10000, NULL));
    json_decref(seats);
}

#define RACE_ROUNDS 12

/* The owner checks out just as the 2 s lock ends, the sweeper passing
 * every 200 ms: whoever wins, the booking ends in one consistent state. */
static void test_race_checkout_vs_expiry(void **state)
{
    (void)state;
    int won = 0, lost = 0;
    for (int i = 0; i < RACE_ROUNDS; i++) {
        char b[37];
        tt_uuid(b);
        const char *seat = SEAT(10 + i);
        json_t *out = NULL;
        assert_int_equal(select_seat(b, "racer", seat, &out), 201);
        double left = secs_until(tt_str(out, "hold_expires_at"));
        json_decref(out);
        /* aim within +-150 ms of the lock's end */
        long aim = (long)(left * 1000) - 150 + (i % 4) * 100;
        if (aim > 0)
            sleep_ms(aim);
        long st = checkout(b, "racer", &out);
        if (st == 201) {
            won++;
            assert_string_equal(tt_str(out, "status"), "PENDING_PAYMENT");
        } else {
            lost++;
            assert_int_equal(st, 409);
            assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "HOLD_EXPIRED");
        }
        json_decref(out);
        sleep_ms(500); /* the sweeper's turn */
        char *bs = tt_q(&S, "SELECT status FROM bookings WHERE id = $1", b, NULL);
        assert_string_equal(bs, st == 201 ? "PENDING_PAYMENT" : "EXPIRED");
        free(bs);
        assert_string_equal(tt_seat_status(&S, seat), st == 201 ? "ON_GOING" : "OPEN");
        if (st == 201)
            assert_int_equal(tt_q_long(&S,
                                       "SELECT count(*) FROM seats s JOIN bookings b ON "
                                       "b.id = s.booking_id WHERE s.id = $1 AND "
                                       "s.held_until = b.expires_at AND b.invoice_number IS "
                                       "NOT NULL",
                                       seat, NULL),
                             1);
    }
    print_message("checkout at the lock's end over HTTP: %d rounds, %d checked out, %d expired\n",
                  RACE_ROUNDS, won, lost);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_then_checkout),
        cmocka_unit_test(test_selection_lapses),
        cmocka_unit_test(test_checkout_lapsed_before_sweeper),
        cmocka_unit_test(test_checkout_not_held),
        cmocka_unit_test(test_event_cancelled_ends_selection),
        cmocka_unit_test(test_race_checkout_vs_expiry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
