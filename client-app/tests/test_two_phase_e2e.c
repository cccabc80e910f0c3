/* test_two_phase_e2e.c: the two-phase hold through client-app with the
 * real ticket-app and payment-app (SELECTION_TTL_SECONDS=2,
 * HOLD_TTL_SECONDS=60): a selection ("checkout": false) is HELD in the
 * user's history with hold_expires_at and no payment; another user's
 * checkout is 404; the owner's checkout answers PENDING_PAYMENT with the
 * payment and its window, and again the same booking; a selection left
 * alone becomes EXPIRED in the history (ticket-app's notification) and a
 * checkout after it is 409 HOLD_EXPIRED; a HELD selection is cancelled by
 * its owner; the checked-out booking is paid and CONFIRMED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_testlib.h"
#include "common/util.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN
#define PW "two-phase-password"

static const char *const tp_ticket_env[] = {"SELECTION_TTL_SECONDS=2", "HOLD_TTL_SECONDS=60",
                                            "SWEEP_INTERVAL_MS=200", NULL};

static struct test_suite suite;
static const char *C, *T, *P;
static char EV[37], SEATS[6][37];
static struct tuser A, B;

static int setup(void **state)
{
    (void)state;
    const struct test_suite_opts o = {
        .name = "twophase", TEST_SUITE_BINARIES, .ticket_env = tp_ticket_env};
    if (test_suite_open(&suite, &o, &C, &T, &P) != 0)
        return -1;
    tevent_new(T, ADMIN_TOKEN, C,
               "{\"name\":\"Two Phase Night\",\"venue\":\"Hall\",\"starts_at\":"
               "\"2030-06-01T19:00:00Z\",\"currency\":\"IDR\",\"layout\":{\"sections\":[{"
               "\"name\":\"Floor\",\"rows\":[\"A\"],\"seats_per_row\":6,\"price\":50000}]}}",
               6, EV, SEATS);
    tuser_new(C, "tp_alice", PW, &A);
    tuser_new(C, "tp_bob", PW, &B);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_suite_stop(&suite);
}

/* POST /api/bookings {"checkout": false} for seat i as u: the status. */
static long select_seat(const struct tuser *u, int i, struct tresp *r)
{
    char body[256];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"],\"checkout\":false}",
             EV, SEATS[i]);
    return tcall(C, "POST", "/api/bookings", u->token, body, NULL, r);
}

static long checkout(const struct tuser *u, const char *bid, struct tresp *r)
{
    char path[96];
    snprintf(path, sizeof path, "/api/bookings/%s/checkout", bid);
    return tcall(C, "POST", path, u->token, NULL, NULL, r);
}

static double secs_until(const char *t)
{
    int64_t ms = 0;
    assert_int_equal(time_parse_rfc3339(t, &ms), 0);
    return (double)(ms - now_ms()) / 1000.0;
}

/* 1 if the booking's history has an entry of status. */
static int history_has(const struct tresp *r, const char *status)
{
    json_t *h = json_object_get(r->json, "history");
    for (size_t i = 0; i < json_array_size(h); i++) {
        const char *st = json_string_value(json_object_get(json_array_get(h, i), "status"));
        if (st && strcmp(st, status) == 0)
            return 1;
    }
    return 0;
}

static int wait_booking(const struct tuser *u, const char *bid, const char *want, int timeout_ms,
                        struct tresp *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    for (int waited = 0;; waited += 100) {
        tcall(C, "GET", path, u->token, NULL, NULL, r);
        if (r->status == 200 && strcmp(tstr(r, "status"), want) == 0)
            return 0;
        if (waited >= timeout_ms)
            break;
        tresp_free(r);
        usleep(100 * 1000);
    }
    fprintf(stderr, "booking %s never became %s: %ld %s\n", bid, want, r->status, r->body);
    return -1;
}

static void test_select_checkout_pay(void **state)
{
    (void)state;
    struct tresp r;
    assert_int_equal(select_seat(&A, 0, &r), 201);
    assert_string_equal(tstr(&r, "status"), "HELD");
    assert_true(json_is_null(json_object_get(r.json, "payment")));
    double left = secs_until(tstr(&r, "hold_expires_at"));
    assert_true(left > 0.5 && left <= 2.5);
    char bid[37];
    snprintf(bid, sizeof bid, "%s", tstr(&r, "id"));
    tresp_free(&r);
    /* HELD in the history and in the list filtered by it */
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    assert_int_equal(tcall(C, "GET", path, A.token, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "HELD");
    assert_true(history_has(&r, "HELD"));
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/bookings?status=HELD", A.token, NULL, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    tresp_free(&r);
    /* somebody else's checkout: 404 */
    assert_int_equal(checkout(&B, bid, &r), 404);
    tresp_free(&r);
    /* the owner's: the payment and its window */
    assert_int_equal(checkout(&A, bid, &r), 201);
    assert_string_equal(tstr(&r, "status"), "PENDING_PAYMENT");
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tstr(&r, "payment.invoice_number"));
    assert_true(inv[0] != '\0');
    assert_true(tstr(&r, "payment.payment_url")[0] != '\0');
    left = secs_until(tstr(&r, "payment.expires_at"));
    assert_true(left > 55 && left <= 61);
    assert_true(json_is_null(json_object_get(r.json, "hold_expires_at")));
    tresp_free(&r);
    /* a retried checkout: the same booking */
    assert_int_equal(checkout(&A, bid, &r), 201);
    assert_string_equal(tstr(&r, "payment.invoice_number"), inv);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, A.token, NULL, NULL, &r), 200);
    assert_true(history_has(&r, "HELD"));
    assert_true(history_has(&r, "PENDING_PAYMENT"));
    tresp_free(&r);
    /* past the selection's 2 s the seat stays held, then it is paid */
    sleep(3);
    assert_int_equal(tcall(C, "GET", path, A.token, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "PENDING_PAYMENT");
    tresp_free(&r);
    tinvoice_pay(P, inv);
    assert_int_equal(wait_booking(&A, bid, "CONFIRMED", 15000, &r), 0);
    tresp_free(&r);
}

static void test_selection_expires(void **state)
{
    (void)state;
    struct tresp r;
    assert_int_equal(select_seat(&B, 1, &r), 201);
    char bid[37];
    snprintf(bid, sizeof bid, "%s", tstr(&r, "id"));
    tresp_free(&r);
    /* ticket-app's sweeper ends it; its notification reaches the history */
    assert_int_equal(wait_booking(&B, bid, "EXPIRED", 10000, &r), 0);
    assert_true(history_has(&r, "HELD"));
    tresp_free(&r);
    assert_int_equal(checkout(&B, bid, &r), 409);
    assert_string_equal(terr(&r), "HOLD_EXPIRED");
    assert_string_equal(tstr(&r, "booking.status"), "EXPIRED");
    tresp_free(&r);
    /* the seat is open again */
    char path[96];
    snprintf(path, sizeof path, "/api/events/%s/seats", EV);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    int open = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *s = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(s, "id")), SEATS[1]) == 0)
            open = strcmp(json_string_value(json_object_get(s, "status")), "OPEN") == 0;
    }
    assert_true(open);
    tresp_free(&r);
}

static void test_cancel_selection(void **state)
{
    (void)state;
    struct tresp r;
    assert_int_equal(select_seat(&A, 2, &r), 201);
    char bid[37], path[128];
    snprintf(bid, sizeof bid, "%s", tstr(&r, "id"));
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", bid);
    assert_int_equal(tcall(C, "POST", path, A.token, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CANCELLED");
    tresp_free(&r);
    assert_int_equal(checkout(&A, bid, &r), 409);
    assert_string_equal(terr(&r), "NOT_HELD");
    tresp_free(&r);
    /* the seat can be selected again at once */
    assert_int_equal(select_seat(&B, 2, &r), 201);
    tresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_checkout_pay),
        cmocka_unit_test(test_selection_expires),
        cmocka_unit_test(test_cancel_selection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
