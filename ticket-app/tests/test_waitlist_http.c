/* test_waitlist_http.c: the waitlist against a real ticket-app, a real
 * payment-app and a real notification receiver (HOLD_TTL_SECONDS=4):
 * join errors (400/404/409), the offer chain (cancel -> offered with an
 * invoice and booking.created -> expiry -> next -> paid -> FULFILLED), a
 * failed payment passing the seat on, 50 concurrent joins (distinct
 * positions in seq order, then served in that order), two releases of one
 * event at once (first come, first served per seat), a multi-seat release
 * (one offer per seat), and leaving while the offer is being made (the
 * seat is never lost). Every test ends with the invariants checked in the
 * database: no ON_GOING seat without a pending booking, no OPEN seat with
 * someone waiting. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ticket_testlib.h"

#define TTL_S 4

static struct suite S;

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    const char *tenv[] = {"HOLD_TTL_SECONDS=4", "SWEEP_INTERVAL_MS=200", "HTTP_WORKERS=8",
                          "DB_POOL_SIZE=8", NULL};
    return suite_start(&S, NULL, tenv);
}

static int teardown(void **state)
{
    (void)state;
    suite_stop(&S);
    return 0;
}

/* ---- helpers ---- */

/* A fresh event with one row of n seats; seat ids into ids. */
static void new_event(int n, char ev[37], char ids[][37])
{
    char layout[160];
    snprintf(layout, sizeof layout,
             "[{\"name\":\"Floor\",\"rows\":[\"W\"],\"seats_per_row\":%d,\"price\":1000}]", n);
    json_t *seats = tt_create_event(&S, layout, ev);
    assert_non_null(seats);
    assert_int_equal((int)json_array_size(seats), n);
    for (int i = 0; i < n; i++)
        snprintf(ids[i], 37, "%s", tt_str(json_array_get(seats, (size_t)i), "id"));
    json_decref(seats);
}

static long join(const char *user, const char *ev, const char *seat, json_t **out)
{
    json_t *b = json_pack("{s:s, s:s, s:s}", "user_id", user, "event_id", ev, "seat_id", seat);
    long st = tt_call(&S, "POST", "/api/waitlist", TT_SERVICE, b, out);
    json_decref(b);
    return st;
}

static const char *err_code(json_t *o)
{
    return tt_str(json_object_get(o, "error"), "code");
}

/* Books seats for user and returns the booking id (201 expected). */
static void hold(const char *user, const char *ev, const char *const *seats, size_t n, char bid[37],
                 char inv[64])
{
    json_t *out = NULL;
    tt_uuid(bid);
    assert_int_equal(tt_book(&S, bid, user, ev, seats, n, &out), 201);
    if (inv)
        snprintf(inv, 64, "%s", tt_str(out, "invoice_number"));
    json_decref(out);
}

static void pay_and_confirm(const char *bid, const char *inv)
{
    assert_int_equal(tt_pay(&S, inv), 202);
    assert_int_equal(tt_wait_status(&S, bid, "CONFIRMED", 15000), 0);
}

static long cancel(const char *bid)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", bid);
    return tt_call(&S, "POST", path, TT_SERVICE, NULL, NULL);
}

static long leave(const char *user, const char *entry)
{
    char path[256];
    snprintf(path, sizeof path, "/api/waitlist/%s?user_id=%s", entry, user);
    return tt_call(&S, "DELETE", path, TT_SERVICE, NULL, NULL);
}

/* The entry's current JSON (new ref) through GET /api/waitlist. */
static json_t *entry_of(const char *user, const char *entry_id)
{
    char path[160];
    snprintf(path, sizeof path, "/api/waitlist?user_id=%s&limit=500", user);
    json_t *list = NULL;
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &list), 200);
    json_t *found = NULL, *e;
    size_t i;
    json_array_foreach(json_object_get(list, "items"), i, e)
    {
        if (strcmp(tt_str(e, "id"), entry_id) == 0)
            found = json_incref(e);
    }
    json_decref(list);
    assert_non_null(found);
    return found;
}

static long position_of(const char *user, const char *entry_id)
{
    json_t *e = entry_of(user, entry_id);
    json_t *p = json_object_get(e, "position");
    long v = json_is_integer(p) ? (long)json_integer_value(p) : 0;
    json_decref(e);
    return v;
}

/* Waits until the entry has status; its booking_id into bid (if not NULL). */
static int wait_entry(const char *user, const char *entry_id, const char *status, int timeout_ms,
                      char bid[37])
{
    int64_t until = now_ms() + timeout_ms;
    char last[20] = "";
    do {
        json_t *e = entry_of(user, entry_id);
        snprintf(last, sizeof last, "%s", tt_str(e, "status"));
        if (strcmp(last, status) == 0) {
            if (bid)
                snprintf(bid, 37, "%s", tt_str(e, "booking_id"));
            json_decref(e);
            return 0;
        }
        json_decref(e);
        sleep_ms(100);
    } while (now_ms() < until);
    fprintf(stderr, "entry %s of %s is %s, wanted %s\n", entry_id, user, last, status);
    return -1;
}

static char *seat_field(const char *seat, const char *col_sql)
{
    return tt_q(&S, col_sql, seat, NULL);
}

/* The seat's status and holding booking. */
static void expect_seat(const char *seat, const char *status, const char *booking)
{
    char *st = seat_field(seat, "SELECT status FROM seats WHERE id = $1");
    char *bk = seat_field(seat, "SELECT booking_id::text FROM seats WHERE id = $1");
    assert_non_null(st);
    assert_string_equal(st, status);
    if (booking) {
        assert_non_null(bk);
        assert_string_equal(bk, booking);
    } else {
        assert_null(bk);
    }
    free(st);
    free(bk);
}

/* The offered booking: PENDING_PAYMENT, origin waitlist, one seat, user;
 * its invoice and booking.created notification arrive. */
static void expect_offer(const char *bid, const char *user, const char *seat)
{
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    int64_t until = now_ms() + 10000;
    json_t *b = NULL;
    for (;;) {
        json_decref(b);
        b = NULL;
        assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &b), 200);
        if (json_is_string(json_object_get(b, "payment_url")) || now_ms() > until)
            break;
        sleep_ms(50);
    }
    assert_string_equal(tt_str(b, "status"), "PENDING_PAYMENT");
    assert_string_equal(tt_str(b, "origin"), "waitlist");
    assert_string_equal(tt_str(b, "user_id"), user);
    assert_int_equal(json_array_size(json_object_get(b, "seats")), 1);
    assert_string_equal(tt_str(json_array_get(json_object_get(b, "seats"), 0), "id"), seat);
    assert_int_equal(strncmp(tt_str(b, "invoice_number"), "INV-", 4), 0);
    assert_true(strlen(tt_str(b, "payment_url")) > 0);
    json_decref(b);
    struct note n;
    assert_true(notes_wait(&S.notes, bid, "booking.created", 10000, &n));
    assert_string_equal(n.status, "PENDING_PAYMENT");
    expect_seat(seat, "ON_GOING", bid);
}

/* The seat's hold runs out now (its booking's own expiry is untouched, so
 * the sweeper leaves it alone: only the lazy rules see it). */
static void run_out(const char *seat)
{
    char *id = tt_q(&S,
                    "UPDATE seats SET held_until = now() - interval '1 second' "
                    "WHERE id = $1 AND status = 'ON_GOING' RETURNING id",
                    seat, NULL);
    assert_non_null(id);
    free(id);
}

/* Invariants that hold whatever happened. */
static void check_invariants(void)
{
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM seats s LEFT JOIN bookings b ON b.id = "
                               "s.booking_id WHERE s.status = 'ON_GOING' AND (b.id IS NULL OR "
                               "b.status <> 'PENDING_PAYMENT')",
                               NULL, NULL),
                     0);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM seats s WHERE s.status = 'OPEN' AND EXISTS "
                               "(SELECT 1 FROM waitlist_entries w WHERE w.seat_id = s.id AND "
                               "w.status = 'WAITING')",
                               NULL, NULL),
                     0);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM waitlist_entries w JOIN bookings b ON b.id = "
                               "w.booking_id WHERE w.status = 'OFFERED' AND b.status <> "
                               "'PENDING_PAYMENT'",
                               NULL, NULL),
                     0);
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM waitlist_entries w JOIN seats s ON s.id = "
                               "w.seat_id WHERE w.status = 'OFFERED' AND s.booking_id IS "
                               "DISTINCT FROM w.booking_id",
                               NULL, NULL),
                     0);
}

/* ---- tests ---- */

static void test_errors(void **state)
{
    (void)state;
    char ev[37], ev2[37], seats[3][37], other[1][37], bid[37], inv[64];
    new_event(3, ev, seats);
    new_event(1, ev2, other);
    json_t *o = NULL;

    /* bad bodies: 400, nothing stored */
    json_t *b = json_pack("{s:s}", "user_id", "u");
    assert_int_equal(tt_call(&S, "POST", "/api/waitlist", TT_SERVICE, b, &o), 400);
    assert_string_equal(err_code(o), "VALIDATION_FAILED");
    json_decref(b);
    json_decref(o);
    assert_int_equal(join("u", "not-a-uuid", seats[0], &o), 400);
    json_decref(o);
    assert_int_equal(tt_call(&S, "POST", "/api/waitlist", NULL, NULL, NULL), 401);

    /* an OPEN seat: book it */
    assert_int_equal(join("wanda", ev, seats[0], &o), 409);
    assert_string_equal(err_code(o), "SEAT_AVAILABLE");
    json_decref(o);

    /* unknown event / seat, seat of another event */
    assert_int_equal(join("wanda", "00000000-0000-4000-8000-000000000000", seats[0], &o), 404);
    assert_string_equal(err_code(o), "NOT_FOUND");
    json_decref(o);
    assert_int_equal(join("wanda", ev, "00000000-0000-4000-8000-000000000000", &o), 404);
    assert_string_equal(err_code(o), "SEAT_NOT_FOUND");
    json_decref(o);
    assert_int_equal(join("wanda", ev, other[0], &o), 400);
    assert_string_equal(err_code(o), "VALIDATION_FAILED");
    json_decref(o);

    /* held by the caller: 409; by someone else: 201, position 1 */
    const char *s0[] = {seats[0]};
    hold("holder", ev, s0, 1, bid, inv);
    assert_int_equal(join("holder", ev, seats[0], &o), 409);
    assert_string_equal(err_code(o), "SEAT_HELD_BY_YOU");
    json_decref(o);
    assert_int_equal(join("wanda", ev, seats[0], &o), 201);
    assert_string_equal(tt_str(o, "status"), "WAITING");
    assert_int_equal(json_integer_value(json_object_get(o, "position")), 1);
    assert_true(json_is_null(json_object_get(o, "booking_id")));
    assert_string_equal(tt_str(o, "seat_id"), seats[0]);
    assert_string_equal(tt_str(o, "event_id"), ev);
    char wanda_entry[37];
    snprintf(wanda_entry, sizeof wanda_entry, "%s", tt_str(o, "id"));
    json_decref(o);

    /* a second entry for the same seat: 409 ALREADY_WAITING */
    assert_int_equal(join("wanda", ev, seats[0], &o), 409);
    assert_string_equal(err_code(o), "ALREADY_WAITING");
    json_decref(o);
    assert_int_equal(
        tt_q_long(&S, "SELECT count(*) FROM waitlist_entries WHERE user_id = $1", "wanda", NULL),
        1);

    /* list: user_id required; own entries only */
    assert_int_equal(tt_call(&S, "GET", "/api/waitlist", TT_SERVICE, NULL, &o), 400);
    json_decref(o);
    assert_int_equal(
        tt_call(&S, "GET", "/api/waitlist?user_id=wanda&status=nope", TT_SERVICE, NULL, &o), 400);
    json_decref(o);
    assert_int_equal(tt_call(&S, "GET", "/api/waitlist?user_id=wanda", TT_SERVICE, NULL, &o), 200);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
    json_decref(o);
    assert_int_equal(tt_call(&S, "GET", "/api/waitlist?user_id=nobody", TT_SERVICE, NULL, &o), 200);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
    json_decref(o);

    /* leave: someone else's entry is 404, a bad id 404, the owner 204 (twice) */
    assert_int_equal(leave("mallory", wanda_entry), 404);
    assert_int_equal(leave("wanda", "not-a-uuid"), 404);
    assert_int_equal(leave("wanda", "00000000-0000-4000-8000-000000000000"), 404);
    char path[160];
    snprintf(path, sizeof path, "/api/waitlist/%s", wanda_entry);
    assert_int_equal(tt_call(&S, "DELETE", path, TT_SERVICE, NULL, NULL), 400); /* no user_id */
    assert_int_equal(leave("wanda", wanda_entry), 204);
    assert_int_equal(leave("wanda", wanda_entry), 204);
    json_t *e = entry_of("wanda", wanda_entry);
    assert_string_equal(tt_str(e, "status"), "CANCELLED");
    assert_true(json_is_null(json_object_get(e, "position")));
    json_decref(e);
    /* and may join again, at the end of the queue */
    assert_int_equal(join("wanda", ev, seats[0], &o), 201);
    json_decref(o);

    /* a hold that ran out with nobody waiting is available */
    const char *s1[] = {seats[1]};
    char bid1[37];
    hold("late", ev, s1, 1, bid1, NULL);
    run_out(seats[1]);
    assert_int_equal(join("wanda", ev, seats[1], &o), 409);
    assert_string_equal(err_code(o), "SEAT_AVAILABLE");
    json_decref(o);
    /* and with someone waiting it is not: the queue gets it, not a new hold */
    const char *s2[] = {seats[2]};
    char bid2[37];
    hold("late2", ev, s2, 1, bid2, NULL);
    assert_int_equal(join("wanda", ev, seats[2], &o), 201);
    json_decref(o);
    run_out(seats[2]);
    char snatch[37];
    tt_uuid(snatch);
    assert_int_equal(tt_book(&S, snatch, "snatcher", ev, s2, 1, &o), 409);
    assert_string_equal(err_code(o), "SEAT_UNAVAILABLE");
    json_decref(o);
    assert_int_equal(join("third", ev, seats[2], &o), 201); /* joins behind wanda */
    assert_int_equal(json_integer_value(json_object_get(o, "position")), 2);
    json_decref(o);
    cancel(bid);
    cancel(bid1);
    cancel(bid2);
    sleep_ms(300);
    check_invariants();
}

/* A books and pays; B and C wait; A cancels -> B offered; B lets it
 * expire -> C offered; C pays -> CONFIRMED with a PDF, entry FULFILLED;
 * D joins afterwards and keeps waiting. */
static void test_offer_chain(void **state)
{
    (void)state;
    char ev[37], seat[1][37], a_bid[37], a_inv[64];
    new_event(1, ev, seat);
    const char *s[] = {seat[0]};
    hold("A", ev, s, 1, a_bid, a_inv);
    pay_and_confirm(a_bid, a_inv);

    json_t *o = NULL;
    char eb[37], ec[37], ed[37];
    assert_int_equal(join("B", ev, seat[0], &o), 201);
    assert_int_equal(json_integer_value(json_object_get(o, "position")), 1);
    snprintf(eb, sizeof eb, "%s", tt_str(o, "id"));
    json_decref(o);
    assert_int_equal(join("C", ev, seat[0], &o), 201);
    assert_int_equal(json_integer_value(json_object_get(o, "position")), 2);
    snprintf(ec, sizeof ec, "%s", tt_str(o, "id"));
    json_decref(o);

    assert_int_equal(cancel(a_bid), 200);
    /* in the cancel's transaction: B's entry OFFERED, seat ON_GOING for it */
    char b_bid[37];
    assert_int_equal(wait_entry("B", eb, "OFFERED", 1, b_bid), 0);
    expect_offer(b_bid, "B", seat[0]);
    assert_int_equal(position_of("C", ec), 1);
    fprintf(stderr, "A cancelled: B offered booking %s; C now position 1\n", b_bid);

    /* B lets it expire: the sweeper offers it to C */
    char c_bid[37];
    assert_int_equal(wait_entry("C", ec, "OFFERED", (TTL_S + 10) * 1000, c_bid), 0);
    assert_int_equal(tt_wait_status(&S, b_bid, "EXPIRED", 1000), 0);
    assert_int_equal(wait_entry("B", eb, "EXPIRED", 1000, NULL), 0);
    assert_true(notes_wait(&S.notes, b_bid, "booking.expired", 10000, NULL));
    expect_offer(c_bid, "C", seat[0]);
    fprintf(stderr, "B let it expire: C offered booking %s\n", c_bid);

    /* C pays: CONFIRMED with a PDF, entry FULFILLED */
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", c_bid);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &o), 200);
    char c_inv[64];
    snprintf(c_inv, sizeof c_inv, "%s", tt_str(o, "invoice_number"));
    json_decref(o);
    pay_and_confirm(c_bid, c_inv);
    struct note n;
    assert_true(notes_wait(&S.notes, c_bid, "booking.confirmed", 20000, &n));
    assert_true(n.has_pdf);
    assert_int_equal(wait_entry("C", ec, "FULFILLED", 1000, NULL), 0);
    expect_seat(seat[0], "BOOKED", c_bid);
    fprintf(stderr, "C paid: booking %s CONFIRMED with a PDF\n", c_bid);

    /* D waits with nobody ahead and keeps waiting */
    assert_int_equal(join("D", ev, seat[0], &o), 201);
    assert_int_equal(json_integer_value(json_object_get(o, "position")), 1);
    snprintf(ed, sizeof ed, "%s", tt_str(o, "id"));
    json_decref(o);
    sleep_ms((TTL_S + 1) * 1000);
    json_t *e = entry_of("D", ed);
    assert_string_equal(tt_str(e, "status"), "WAITING");
    assert_int_equal(json_integer_value(json_object_get(e, "position")), 1);
    json_decref(e);
    expect_seat(seat[0], "BOOKED", c_bid);
    /* the offers went through the queue in order, nothing else */
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM bookings WHERE event_id = $1 AND origin = "
                               "'waitlist'",
                               ev, NULL),
                     2);
    check_invariants();
}

/* A payment that fails passes the offered seat to the next in line. */
static void test_failed_payment_passes_on(void **state)
{
    (void)state;
    char ev[37], seat[1][37], a_bid[37];
    new_event(1, ev, seat);
    const char *s[] = {seat[0]};
    hold("A", ev, s, 1, a_bid, NULL);
    json_t *o = NULL;
    char eb[37], ec[37];
    assert_int_equal(join("B", ev, seat[0], &o), 201);
    snprintf(eb, sizeof eb, "%s", tt_str(o, "id"));
    json_decref(o);
    assert_int_equal(join("C", ev, seat[0], &o), 201);
    snprintf(ec, sizeof ec, "%s", tt_str(o, "id"));
    json_decref(o);
    /* A's payment fails (a signed invoice.failed webhook): B is offered */
    char body[512];
    snprintf(
        body, sizeof body,
        "{\"id\":\"evt_wl_fail_a\",\"type\":\"invoice.failed\",\"created_at\":\"2030-01-01T00:"
        "00:00Z\",\"data\":{\"invoice\":{\"booking_id\":\"%s\",\"invoice_number\":\"INV-X\"}}}",
        a_bid);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    assert_int_equal(tt_wait_status(&S, a_bid, "FAILED", 1000), 0);
    char b_bid[37];
    assert_int_equal(wait_entry("B", eb, "OFFERED", 1, b_bid), 0);
    expect_offer(b_bid, "B", seat[0]);
    /* B's payment fails too: C is offered, B's entry EXPIRED */
    snprintf(
        body, sizeof body,
        "{\"id\":\"evt_wl_fail_b\",\"type\":\"invoice.failed\",\"created_at\":\"2030-01-01T00:"
        "00:00Z\",\"data\":{\"invoice\":{\"booking_id\":\"%s\",\"invoice_number\":\"INV-Y\"}}}",
        b_bid);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    char c_bid[37];
    assert_int_equal(wait_entry("C", ec, "OFFERED", 1, c_bid), 0);
    assert_int_equal(wait_entry("B", eb, "EXPIRED", 1, NULL), 0);
    expect_offer(c_bid, "C", seat[0]);
    assert_true(notes_wait(&S.notes, b_bid, "booking.failed", 10000, NULL));
    /* C's offer cancelled (a cancel of the booking): nobody waits, OPEN */
    assert_int_equal(cancel(c_bid), 200);
    assert_int_equal(wait_entry("C", ec, "CANCELLED", 1, NULL), 0);
    expect_seat(seat[0], "OPEN", NULL);
    check_invariants();
}

struct joiner {
    char user[16];
    const char *ev, *seat;
    long status;
    long position;
    char entry[37];
};

static pthread_barrier_t gate;

static void *join_run(void *arg)
{
    struct joiner *j = arg;
    pthread_barrier_wait(&gate);
    json_t *o = NULL;
    j->status = join(j->user, j->ev, j->seat, &o);
    j->position = (long)json_integer_value(json_object_get(o, "position"));
    snprintf(j->entry, sizeof j->entry, "%s", tt_str(o, "id"));
    json_decref(o);
    return NULL;
}

#define NJOIN 50

/* 50 users join one seat at once: positions 1..50, each exactly once, in
 * the order the joins took effect (seq); the seat then goes to them in
 * that order. */
static void test_concurrent_joins(void **state)
{
    (void)state;
    char ev[37], seat[1][37], a_bid[37], a_inv[64];
    new_event(1, ev, seat);
    const char *s[] = {seat[0]};
    hold("owner", ev, s, 1, a_bid, a_inv);
    pay_and_confirm(a_bid, a_inv);

    struct joiner js[NJOIN];
    pthread_t th[NJOIN];
    pthread_barrier_init(&gate, NULL, NJOIN);
    for (int i = 0; i < NJOIN; i++) {
        memset(&js[i], 0, sizeof js[i]);
        snprintf(js[i].user, sizeof js[i].user, "j%02d", i);
        js[i].ev = ev;
        js[i].seat = seat[0];
        assert_int_equal(pthread_create(&th[i], NULL, join_run, &js[i]), 0);
    }
    for (int i = 0; i < NJOIN; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&gate);

    int seen[NJOIN + 1] = {0};
    for (int i = 0; i < NJOIN; i++) {
        assert_int_equal(js[i].status, 201);
        assert_true(js[i].position >= 1 && js[i].position <= NJOIN);
        seen[js[i].position]++;
        /* the position answered is the entry's rank in seq order */
        char rank[24];
        snprintf(rank, sizeof rank, "%ld", js[i].position);
        assert_int_equal(tt_q_long(&S,
                                   "SELECT count(*) FROM waitlist_entries w, waitlist_entries me "
                                   "WHERE me.id = $1 AND w.seat_id = me.seat_id AND w.seq <= "
                                   "me.seq",
                                   js[i].entry, NULL),
                         js[i].position);
        assert_int_equal(position_of(js[i].user, js[i].entry), js[i].position);
    }
    for (int p = 1; p <= NJOIN; p++)
        assert_int_equal(seen[p], 1);
    fprintf(stderr, "%d concurrent joins: positions 1..%d, each once, in seq order\n", NJOIN,
            NJOIN);

    /* served in that order: the holder cancels, then each offered user in
     * turn leaves (withdrawing the offer): the next position is offered */
    int by_pos[NJOIN + 1];
    for (int i = 0; i < NJOIN; i++)
        by_pos[js[i].position] = i;
    assert_int_equal(cancel(a_bid), 200);
    for (int p = 1; p <= 5; p++) {
        struct joiner *j = &js[by_pos[p]];
        char bid[37];
        assert_int_equal(wait_entry(j->user, j->entry, "OFFERED", 1, bid), 0);
        expect_seat(seat[0], "ON_GOING", bid);
        struct joiner *next = &js[by_pos[p + 1]];
        assert_int_equal(position_of(next->user, next->entry), 1);
        assert_int_equal(leave(j->user, j->entry), 204);
        assert_int_equal(tt_wait_status(&S, bid, "CANCELLED", 1000), 0);
    }
    /* everyone else leaves: the seat ends OPEN */
    for (int p = 6; p <= NJOIN; p++)
        assert_int_equal(leave(js[by_pos[p]].user, js[by_pos[p]].entry), 204);
    expect_seat(seat[0], "OPEN", NULL);
    check_invariants();
}

struct canceller {
    char bid[37];
    long status;
};

static void *cancel_run(void *arg)
{
    struct canceller *c = arg;
    pthread_barrier_wait(&gate);
    c->status = cancel(c->bid);
    return NULL;
}

/* Cancels the bookings at once (one thread each). */
static void cancel_together(struct canceller *cs, int n)
{
    pthread_t th[8];
    pthread_barrier_init(&gate, NULL, (unsigned)n);
    for (int i = 0; i < n; i++)
        assert_int_equal(pthread_create(&th[i], NULL, cancel_run, &cs[i]), 0);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&gate);
    for (int i = 0; i < n; i++)
        assert_int_equal(cs[i].status, 200);
}

#define NQ 4

/* Two seats of one event, each with its own queue of the same four users
 * in opposite orders; releases of both happen at once, round after round
 * (cancels, then the sweeper's expiry of both offers in one pass): each
 * seat goes to the head of its own queue every time. A two-seat booking
 * cancelled hands each seat to its own queue as a one-seat offer. */
static void test_concurrent_releases(void **state)
{
    (void)state;
    char ev[37], seats[4][37], x1[37], x2[37];
    new_event(4, ev, seats);
    const char *s1[] = {seats[0]}, *s2[] = {seats[1]};
    hold("X1", ev, s1, 1, x1, NULL);
    hold("X2", ev, s2, 1, x2, NULL);
    const char *users[NQ] = {"q1", "q2", "q3", "q4"};
    char e1[NQ][37], e2[NQ][37];
    json_t *o = NULL;
    for (int i = 0; i < NQ; i++) {
        assert_int_equal(join(users[i], ev, seats[0], &o), 201);
        snprintf(e1[i], 37, "%s", tt_str(o, "id"));
        json_decref(o);
        assert_int_equal(join(users[NQ - 1 - i], ev, seats[1], &o), 201);
        snprintf(e2[NQ - 1 - i], 37, "%s", tt_str(o, "id"));
        json_decref(o);
    }
    /* round 1: both holders cancel at once */
    struct canceller cs[2];
    snprintf(cs[0].bid, 37, "%s", x1);
    snprintf(cs[1].bid, 37, "%s", x2);
    cancel_together(cs, 2);
    char o1[37], o2[37];
    assert_int_equal(wait_entry(users[0], e1[0], "OFFERED", 1, o1), 0); /* seat 1: q1 */
    assert_int_equal(wait_entry(users[3], e2[3], "OFFERED", 1, o2), 0); /* seat 2: q4 */
    expect_seat(seats[0], "ON_GOING", o1);
    expect_seat(seats[1], "ON_GOING", o2);
    /* round 2: both offers cancelled at once */
    snprintf(cs[0].bid, 37, "%s", o1);
    snprintf(cs[1].bid, 37, "%s", o2);
    cancel_together(cs, 2);
    assert_int_equal(wait_entry(users[1], e1[1], "OFFERED", 1, o1), 0); /* seat 1: q2 */
    assert_int_equal(wait_entry(users[2], e2[2], "OFFERED", 1, o2), 0); /* seat 2: q3 */
    /* round 3: both offers run out together; the sweeper releases both */
    char *hit = tt_q(&S,
                     "UPDATE bookings SET expires_at = now() - interval '1 second' "
                     "WHERE event_id = $1 AND status = 'PENDING_PAYMENT' AND origin = 'waitlist' "
                     "RETURNING id",
                     ev, NULL);
    assert_non_null(hit);
    free(hit);
    assert_int_equal(wait_entry(users[2], e1[2], "OFFERED", 5000, o1), 0); /* seat 1: q3 */
    assert_int_equal(wait_entry(users[1], e2[1], "OFFERED", 5000, o2), 0); /* seat 2: q2 */
    assert_int_equal(wait_entry(users[1], e1[1], "EXPIRED", 1, NULL), 0);
    assert_int_equal(wait_entry(users[2], e2[2], "EXPIRED", 1, NULL), 0);
    expect_offer(o1, users[2], seats[0]);
    expect_offer(o2, users[1], seats[1]);
    /* the entries a user holds for the other seat are untouched */
    assert_int_equal(wait_entry(users[0], e2[0], "WAITING", 1, NULL), 0);
    assert_int_equal(wait_entry(users[3], e1[3], "WAITING", 1, NULL), 0);
    assert_int_equal(position_of(users[3], e1[3]), 1);
    assert_int_equal(position_of(users[0], e2[0]), 1);

    /* a two-seat booking: each seat to its own queue, one offer each */
    const char *both[] = {seats[2], seats[3]};
    char y[37], ey1[37], ey2[37];
    hold("Y", ev, both, 2, y, NULL);
    assert_int_equal(join("r1", ev, seats[2], &o), 201);
    snprintf(ey1, sizeof ey1, "%s", tt_str(o, "id"));
    json_decref(o);
    assert_int_equal(join("r2", ev, seats[3], &o), 201);
    snprintf(ey2, sizeof ey2, "%s", tt_str(o, "id"));
    json_decref(o);
    assert_int_equal(cancel(y), 200);
    char oy1[37], oy2[37];
    assert_int_equal(wait_entry("r1", ey1, "OFFERED", 1, oy1), 0);
    assert_int_equal(wait_entry("r2", ey2, "OFFERED", 1, oy2), 0);
    assert_string_not_equal(oy1, oy2);
    expect_offer(oy1, "r1", seats[2]);
    expect_offer(oy2, "r2", seats[3]);
    check_invariants();
}

struct leaver {
    const char *user, *entry;
    long status;
};

static void *leave_run(void *arg)
{
    struct leaver *l = arg;
    pthread_barrier_wait(&gate);
    l->status = leave(l->user, l->entry);
    return NULL;
}

static void *cancel_one(void *arg)
{
    struct canceller *c = arg;
    pthread_barrier_wait(&gate);
    c->status = cancel(c->bid);
    return NULL;
}

#define ROUNDS 12

/* B leaves at the moment A's cancellation offers B the seat: whichever
 * commits first, B ends CANCELLED and the seat goes on to C (odd rounds)
 * or back to OPEN when nobody else waits (even rounds); never ON_GOING
 * without a pending booking. An OFFERED entry left on purpose withdraws
 * its booking. */
static void test_leave_while_offered(void **state)
{
    (void)state;
    char ev[37], seats[ROUNDS][37];
    new_event(ROUNDS, ev, seats);
    int offered_first = 0;
    for (int r = 0; r < ROUNDS; r++) {
        const char *s[] = {seats[r]};
        char a[37];
        hold("A", ev, s, 1, a, NULL);
        json_t *o = NULL;
        char eb[37], ec[37] = "";
        assert_int_equal(join("B", ev, seats[r], &o), 201);
        snprintf(eb, sizeof eb, "%s", tt_str(o, "id"));
        json_decref(o);
        int with_c = r % 2 == 1;
        if (with_c) {
            assert_int_equal(join("C", ev, seats[r], &o), 201);
            snprintf(ec, sizeof ec, "%s", tt_str(o, "id"));
            json_decref(o);
        }
        struct canceller c = {.status = 0};
        snprintf(c.bid, sizeof c.bid, "%s", a);
        struct leaver l = {.user = "B", .entry = eb};
        pthread_t t1, t2;
        pthread_barrier_init(&gate, NULL, 2);
        assert_int_equal(pthread_create(&t1, NULL, cancel_one, &c), 0);
        assert_int_equal(pthread_create(&t2, NULL, leave_run, &l), 0);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        pthread_barrier_destroy(&gate);
        assert_int_equal(c.status, 200);
        assert_int_equal(l.status, 204);
        json_t *e = entry_of("B", eb);
        assert_string_equal(tt_str(e, "status"), "CANCELLED");
        if (json_is_string(json_object_get(e, "booking_id"))) {
            offered_first++; /* the offer was made, then withdrawn */
            assert_int_equal(tt_wait_status(&S, tt_str(e, "booking_id"), "CANCELLED", 1000), 0);
        }
        json_decref(e);
        if (with_c) {
            char cb[37];
            assert_int_equal(wait_entry("C", ec, "OFFERED", 1, cb), 0);
            expect_seat(seats[r], "ON_GOING", cb);
            assert_int_equal(leave("C", ec), 204); /* leaving an offer withdraws it */
            assert_int_equal(tt_wait_status(&S, cb, "CANCELLED", 1000), 0);
            assert_true(notes_wait(&S.notes, cb, "booking.cancelled", 10000, NULL));
        }
        expect_seat(seats[r], "OPEN", NULL);
        check_invariants();
    }
    fprintf(stderr,
            "leave during release: %d of %d rounds the offer came first and was withdrawn\n",
            offered_first, ROUNDS);
}

/* Leaving after paying is refused: the seat is cancelled through the booking. */
static void test_leave_fulfilled(void **state)
{
    (void)state;
    char ev[37], seat[1][37], a[37];
    new_event(1, ev, seat);
    const char *s[] = {seat[0]};
    hold("A", ev, s, 1, a, NULL);
    json_t *o = NULL;
    char eb[37];
    assert_int_equal(join("B", ev, seat[0], &o), 201);
    snprintf(eb, sizeof eb, "%s", tt_str(o, "id"));
    json_decref(o);
    assert_int_equal(cancel(a), 200);
    char bid[37];
    assert_int_equal(wait_entry("B", eb, "OFFERED", 1, bid), 0);
    expect_offer(bid, "B", seat[0]);
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &o), 200);
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tt_str(o, "invoice_number"));
    json_decref(o);
    pay_and_confirm(bid, inv);
    assert_int_equal(wait_entry("B", eb, "FULFILLED", 1000, NULL), 0);
    snprintf(path, sizeof path, "/api/waitlist/%s?user_id=B", eb);
    assert_int_equal(tt_call(&S, "DELETE", path, TT_SERVICE, NULL, &o), 409);
    assert_string_equal(err_code(o), "ENTRY_FULFILLED");
    json_decref(o);
    expect_seat(seat[0], "BOOKED", bid);
    /* B, who holds it now, cannot wait for it */
    assert_int_equal(join("B", ev, seat[0], &o), 409);
    assert_string_equal(err_code(o), "SEAT_HELD_BY_YOU");
    json_decref(o);
    check_invariants();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_offer_chain),
        cmocka_unit_test(test_failed_payment_passes_on),
        cmocka_unit_test(test_concurrent_joins),
        cmocka_unit_test(test_concurrent_releases),
        cmocka_unit_test(test_leave_while_offered),
        cmocka_unit_test(test_leave_fulfilled),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
