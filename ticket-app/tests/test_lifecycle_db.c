/* test_lifecycle_db.c: the lifecycle's table walked against a real
 * PostgreSQL with ticket-app's migrations: every (state, event) pair is
 * applied to a booking in that state and must be allowed (the row's
 * to-state stored) or refused (its code, nothing changed); the guards
 * (checked in, event started, sale window, MAX_SEATS_PER_USER, seats),
 * the one implementations of PAID and INVOICE_ATTACHED in every state,
 * and the races, each run concurrently many times: pay vs expire, cancel
 * vs check-in, cancel vs payment webhook, refund at payment-app vs cancel,
 * two holds of the last seats within the limit, checkout vs the selection
 * lock's expiry (the two-phase hold: HELD; its guards, the sweeper's
 * claim, a lapsed selection's seat offered to its waitlist). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "booking_store.h"
#include "checkin_store.h"
#include "lifecycle_exec.h"
#include "paid_store.h"
#include "seat_store.h"
#include "testsupport.h"

#define EV "e1000000-0000-4000-8000-000000000001"         /* on sale, starts tomorrow */
#define EV_STARTED "e1000000-0000-4000-8000-000000000002" /* started an hour ago */

static char g_uri[512];
static struct db_pool *g_pool;
static int g_seq;

static void next_id(const char *prefix, char out[37])
{
    snprintf(out, 37, "%s-0000-4000-8000-%012d", prefix, ++g_seq);
}

static char *q(const char *sql, const char *p1)
{
    int ok = 0;
    const char *p[] = {p1};
    char *v = test_db_scalar_params(g_uri, sql, p1 ? 1 : 0, p, &ok);
    assert_true(ok);
    return v;
}

static void assert_q(const char *sql, const char *p1, const char *want)
{
    char *v = q(sql, p1);
    if (!v || strcmp(v, want) != 0)
        fail_msg("%s [%s] = %s, wanted %s", sql, p1 ? p1 : "", v ? v : "NULL", want);
    free(v);
}

/* A booking of event ev in state s holding one seat (ON_GOING while
 * pending or held for selection, BOOKED when confirmed, given back
 * otherwise); ids out. A HELD booking has no invoice. */
static void make_booking(const char *ev, enum lc_state s, char id[37], char seat[37])
{
    next_id("b1000000", id);
    next_id("5e100000", seat);
    int pending = s == LC_PENDING_PAYMENT || s == LC_HELD;
    const char *seat_status = pending ? "ON_GOING" : s == LC_CONFIRMED ? "BOOKED" : "OPEN";
    int holds = pending || s == LC_CONFIRMED;
    char holder[48], until[64], invoice[48];
    snprintf(holder, sizeof holder, holds ? "'%s'" : "NULL", id);
    snprintf(until, sizeof until, "%s", pending ? "now() + interval '5 minutes'" : "NULL");
    if (s == LC_HELD)
        snprintf(invoice, sizeof invoice, "NULL");
    else
        snprintf(invoice, sizeof invoice, "'INV-%.12s'", id + 24);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings (id, user_id, event_id, status, currency, seat_count, amount,"
             " invoice_number, expires_at, failure_reason) VALUES ('%s', 'u-%s', '%s', '%s',"
             " 'IDR', 1, 100, %s, now() + interval '5 minutes', %s);"
             "INSERT INTO seats (id, event_id, label, section, row, number, price, status,"
             " booking_id, held_until) VALUES ('%s', '%s', 'L%d', 'S', 'R', %d, 100, '%s', %s,"
             " %s);"
             "INSERT INTO booking_seats (booking_id, seat_id, label, section, price)"
             " VALUES ('%s', '%s', 'L%d', 'S', 100);",
             id, id, ev, lifecycle_state_name(s), invoice,
             s == LC_FAILED ? "'PAYMENT_FAILED'" : "NULL", seat, ev, g_seq, g_seq, seat_status,
             holder, until, id, seat, g_seq);
    assert_int_equal(test_db_exec(g_uri, sql), 0);
}

/* The booking's hold (and its seats') ran out a second ago. */
static void lapse(const char *id)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE bookings SET expires_at = now() - interval '1 second' WHERE id = '%s';"
             "UPDATE seats SET held_until = now() - interval '1 second' WHERE booking_id = '%s'",
             id, id);
    assert_int_equal(test_db_exec(g_uri, sql), 0);
}

static int group_setup(void **state)
{
    (void)state;
    const char *dirs[] = {MIGRATIONS_ROOT "/common", MIGRATIONS_ROOT "/ticket", NULL};
    if (test_db_create("ticket_lifecycle", dirs, g_uri, sizeof g_uri) != 0)
        return -1;
    if (test_db_exec(g_uri, "INSERT INTO events (id, name, venue, starts_at, currency,"
                            " published_at) VALUES"
                            " ('" EV "', 'Walk', 'Hall', now() + interval '1 day', 'IDR', now()),"
                            " ('" EV_STARTED "', 'Started', 'Hall', now() - interval '1 hour',"
                            "  'IDR', now() - interval '1 day')") != 0)
        return -1;
    g_pool = db_pool_create(g_uri, 16);
    return g_pool ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    if (g_pool)
        db_pool_destroy(g_pool);
    return 0;
}

static void test_every_pair(void **state)
{
    (void)state;
    struct db_conn *c = db_acquire(g_pool, 5000);
    assert_non_null(c);
    for (int s = LC_PENDING_PAYMENT; s < LC_STATE_COUNT; s++)
        for (int e = 0; e < LC_EVENT_COUNT; e++) {
            const struct lc_transition *t = lifecycle_find((enum lc_state)s, (enum lc_event)e);
            if (t && t->impl != LC_IMPL_EXEC)
                continue; /* run by its own statement: below */
            char id[37], seat[37];
            make_booking(EV, (enum lc_state)s, id, seat);
            if (e == LC_EV_SELECTION_EXPIRE) /* its guard: the selection ran out */
                lapse(id);
            struct lc_outcome o;
            enum db_status st = lifecycle_apply(c, id, (enum lc_event)e, NULL, NULL, &o);
            assert_int_equal(st, DB_OK);
            const char *want =
                lifecycle_state_name(t && t->to != LC_SAME ? t->to : (enum lc_state)s);
            if (o.applied != (t != NULL))
                fail_msg("%s in %s: applied %d", lifecycle_event_name((enum lc_event)e),
                         lifecycle_state_name((enum lc_state)s), o.applied);
            if (!t)
                assert_string_equal(o.refusal,
                                    lifecycle_refusal((enum lc_event)e, (enum lc_state)s));
            assert_q("SELECT status FROM bookings WHERE id = $1", id, want);
            if (t && (t->effects & LC_FX_RELEASE))
                assert_q("SELECT status FROM seats WHERE id = $1", seat, "OPEN");
            if (t && (t->effects & LC_FX_REFUND))
                assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'REFUND'",
                         id, "1");
            if (t && (t->effects & LC_FX_VOID))
                assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'VOID'",
                         id, "1");
            if (t && (t->effects & LC_FX_PAY_WINDOW)) {
                /* the payment window (420 s unless configured) replaces
                 * the selection's 5 minutes, on the seats too */
                assert_q("SELECT (expires_at > now() + interval '6 minutes')::text FROM bookings"
                         " WHERE id = $1",
                         id, "true");
                assert_q("SELECT (s.held_until = b.expires_at AND s.status = 'ON_GOING')::text"
                         " FROM seats s JOIN bookings b ON b.id = s.booking_id WHERE s.id = $1",
                         seat, "true");
            }
            if (t && (t->effects & LC_FX_NOTIFY))
                assert_q("SELECT count(*) FROM outbox WHERE payload::json #>> "
                         "'{data,booking,booking_id}' = $1",
                         id, "1");
        }
    db_release(g_pool, c);
}

static void test_guards(void **state)
{
    (void)state;
    struct db_conn *c = db_acquire(g_pool, 5000);
    struct lc_outcome o;
    char id[37], seat[37];
    /* checked in: nobody cancels, admins neither */
    make_booking(EV, LC_CONFIRMED, id, seat);
    struct checkin_result cr;
    checkin_result_init(&cr);
    assert_int_equal(checkin_store_admit(c, id, seat, EV, &cr), DB_OK);
    assert_int_equal(cr.outcome, CHECKIN_ADMITTED);
    checkin_result_cleanup(&cr);
    for (int e = LC_EV_CANCEL_USER; e <= LC_EV_CANCEL_ADMIN; e++) {
        assert_int_equal(lifecycle_apply(c, id, (enum lc_event)e, NULL, NULL, &o), DB_OK);
        assert_false(o.applied);
        assert_string_equal(o.refusal, "NOT_CANCELLABLE");
        assert_string_equal(o.reason, "CHECKED_IN");
    }
    assert_q("SELECT status FROM seats WHERE id = $1", seat, "BOOKED");
    /* the event started: the user is refused, an admin may */
    make_booking(EV_STARTED, LC_CONFIRMED, id, seat);
    assert_int_equal(lifecycle_apply(c, id, LC_EV_CANCEL_USER, NULL, NULL, &o), DB_OK);
    assert_false(o.applied);
    assert_string_equal(o.reason, "EVENT_STARTED");
    assert_int_equal(lifecycle_apply(c, id, LC_EV_CANCEL_ADMIN, NULL, NULL, &o), DB_OK);
    assert_true(o.applied);
    assert_q("SELECT status FROM bookings WHERE id = $1", id, "CANCELLED");
    /* a refund at payment-app once the event started keeps the seat */
    make_booking(EV_STARTED, LC_CONFIRMED, id, seat);
    assert_int_equal(lifecycle_apply(c, id, LC_EV_REFUNDED, "evt_r1", "invoice.refunded", &o),
                     DB_OK);
    assert_true(o.applied);
    assert_q("SELECT status FROM seats WHERE id = $1", seat, "BOOKED");
    assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'REFUND'", id, "0");
    /* the same webhook again: nothing */
    assert_int_equal(lifecycle_apply(c, id, LC_EV_REFUNDED, "evt_r1", "invoice.refunded", &o),
                     DB_OK);
    assert_true(o.duplicate);
    /* before the start, the seat goes back */
    make_booking(EV, LC_CONFIRMED, id, seat);
    assert_int_equal(lifecycle_apply(c, id, LC_EV_REFUNDED, "evt_r2", "invoice.refunded", &o),
                     DB_OK);
    assert_q("SELECT status FROM seats WHERE id = $1", seat, "OPEN");
    db_release(g_pool, c);
}

static void test_paid_every_state(void **state)
{
    (void)state;
    struct db_conn *c = db_acquire(g_pool, 5000);
    static const enum paid_outcome want[LC_STATE_COUNT] = {[LC_PENDING_PAYMENT] = PAID_CONFIRMED,
                                                           [LC_CONFIRMED] = PAID_ALREADY,
                                                           [LC_FAILED] = PAID_LATE,
                                                           [LC_EXPIRED] = PAID_LATE,
                                                           [LC_CANCELLED] = PAID_LATE,
                                                           [LC_HELD] = PAID_LATE};
    for (int s = LC_PENDING_PAYMENT; s < LC_STATE_COUNT; s++) {
        char id[37], seat[37], evt[64];
        make_booking(EV, (enum lc_state)s, id, seat);
        snprintf(evt, sizeof evt, "evt_paid_%d", s);
        enum paid_outcome po;
        assert_int_equal(paid_store_apply(c, evt, id, "INV-X", &po), DB_OK);
        assert_int_equal(po, want[s]);
        const struct lc_transition *t = lifecycle_find((enum lc_state)s, LC_EV_PAID);
        assert_non_null(t);
        assert_q("SELECT status FROM bookings WHERE id = $1", id,
                 lifecycle_state_name(t->to == LC_SAME ? (enum lc_state)s : t->to));
        assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'REFUND'", id,
                 (t->effects & LC_FX_REFUND) ? "1" : "0");
        assert_int_equal(paid_store_apply(c, evt, id, "INV-X", &po), DB_OK);
        assert_int_equal(po, PAID_DUPLICATE);
    }
    /* INVOICE_ATTACHED in every state */
    for (int s = LC_PENDING_PAYMENT; s < LC_STATE_COUNT; s++) {
        char id[37], seat[37];
        make_booking(EV, (enum lc_state)s, id, seat);
        assert_int_equal(test_db_exec(g_uri, "UPDATE bookings SET invoice_number = NULL"), 0);
        struct booking_attach row = {.id = id, .number = "INV-A", .url = "http://pay/INV-A"};
        assert_int_equal(lifecycle_attach_invoices(c, &row, 1, 0), DB_OK);
        assert_true(row.attached);
        free(row.updated_at);
        const struct lc_transition *t = lifecycle_find((enum lc_state)s, LC_EV_INVOICE_ATTACHED);
        /* CONFIRMED has no row: a paid booking always has its invoice */
        assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'VOID'", id,
                 t && (t->effects & LC_FX_VOID) ? "1" : "0");
    }
    /* ORG_OK and CHECKIN in every state: their statements apply exactly
     * where the table has a row */
    for (int s = LC_PENDING_PAYMENT; s < LC_STATE_COUNT; s++) {
        char id[37], seat[37];
        make_booking(EV, (enum lc_state)s, id, seat);
        assert_int_equal(booking_store_set_organizer_held(c, id), DB_OK);
        assert_q("SELECT (organizer_held_at IS NOT NULL)::text FROM bookings WHERE id = $1", id,
                 lifecycle_find((enum lc_state)s, LC_EV_ORG_OK) ? "true" : "false");
        struct checkin_result cr;
        checkin_result_init(&cr);
        enum db_status st = checkin_store_admit(c, id, seat, EV, &cr);
        int admitted = st == DB_OK && cr.outcome == CHECKIN_ADMITTED;
        checkin_result_cleanup(&cr);
        assert_int_equal(admitted, lifecycle_find((enum lc_state)s, LC_EV_CHECKIN) != NULL);
    }
    db_release(g_pool, c);
}

static int g_selection; /* hold_named holds for selection ("checkout": false) */

/* The HOLD row's guards, in order, through booking_try_hold; names: the
 * attendees' JSON text or NULL. */
static enum try_hold_outcome hold_named(const char *event, const char *user, const char *seat,
                                        long max, const char *names, struct booking *b)
{
    struct booking_request rq;
    memset(&rq, 0, sizeof rq);
    next_id("b2000000", rq.booking_id);
    snprintf(rq.event_id, sizeof rq.event_id, "%s", event);
    snprintf(rq.user_id, sizeof rq.user_id, "%s", user);
    snprintf(rq.seat_ids[0], 37, "%s", seat);
    rq.nseats = 1;
    snprintf(rq.origin, sizeof rq.origin, "direct");
    rq.selection = g_selection;
    struct db_conn *c = db_acquire(g_pool, 5000);
    enum try_hold_outcome out = TRY_SLOW;
    char *lapsed = NULL;
    enum db_status st;
    do
        st = booking_store_try_hold(c, &rq, names, 60, max, 0, &out, b, &lapsed);
    while (st == DB_RETRY);
    assert_int_equal(st, DB_OK);
    free(lapsed);
    db_release(g_pool, c);
    return out;
}

static enum try_hold_outcome hold(const char *event, const char *user, const char *seat, long max,
                                  struct booking *b)
{
    return hold_named(event, user, seat, max, NULL, b);
}

static void add_event(const char *id, const char *extra_cols, const char *extra_vals)
{
    char sql[1024], seat[37];
    snprintf(sql, sizeof sql,
             "INSERT INTO events (id, name, venue, starts_at, currency, published_at%s) VALUES"
             " ('%s', 'G', 'H', now() + interval '1 day', 'IDR', now()%s)",
             extra_cols, id, extra_vals);
    assert_int_equal(test_db_exec(g_uri, sql), 0);
    (void)seat;
}

static void add_seat(const char *event, char seat[37])
{
    char sql[512];
    next_id("5e200000", seat);
    snprintf(sql, sizeof sql,
             "INSERT INTO seats (id, event_id, label, section, row, number, price) VALUES"
             " ('%s', '%s', 'X%d', 'S', 'R', %d, 100)",
             seat, event, g_seq, g_seq);
    assert_int_equal(test_db_exec(g_uri, sql), 0);
}

static void test_hold_guards(void **state)
{
    (void)state;
    static const struct {
        const char *id, *cols, *vals, *code;
    } cases[] = {
        {"e2000000-0000-4000-8000-000000000001", ", cancelled_at", ", now()", "EVENT_CANCELLED"},
        {"e2000000-0000-4000-8000-000000000002", ", sales_start_at", ", now() + interval '1 hour'",
         "SALES_NOT_OPEN"},
        {"e2000000-0000-4000-8000-000000000003", ", sales_end_at", ", now() - interval '1 hour'",
         "SALES_CLOSED"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char seat[37];
        add_event(cases[i].id, cases[i].cols, cases[i].vals);
        add_seat(cases[i].id, seat);
        struct booking b = {0};
        assert_int_equal(hold(cases[i].id, "g1", seat, 10, &b), TRY_REFUSED);
        assert_int_equal(b.state, LC_FAILED);
        assert_string_equal(b.failure_reason, cases[i].code);
        booking_cleanup(&b);
        assert_q("SELECT status FROM seats WHERE id = $1", seat, "OPEN");
    }
    /* a draft is unknown */
    char seat[37];
    add_event("e2000000-0000-4000-8000-000000000004", "", "");
    assert_int_equal(test_db_exec(g_uri, "UPDATE events SET published_at = NULL WHERE id = "
                                         "'e2000000-0000-4000-8000-000000000004'"),
                     0);
    add_seat("e2000000-0000-4000-8000-000000000004", seat);
    struct booking b = {0};
    assert_int_equal(hold("e2000000-0000-4000-8000-000000000004", "g1", seat, 10, &b),
                     TRY_NO_EVENT);
    /* the limit: 2 seats per user; a third is LIMIT_REACHED, a taken seat
     * names itself; every booking has a code of 8 Crockford characters */
    const char *ev = "e2000000-0000-4000-8000-000000000005";
    add_event(ev, "", "");
    char s1[37], s2[37], s3[37];
    add_seat(ev, s1);
    add_seat(ev, s2);
    add_seat(ev, s3);
    assert_int_equal(hold(ev, "lim", s1, 2, &b), TRY_HELD);
    assert_int_equal((int)strlen(b.code), 8);
    assert_int_equal(strspn(b.code, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), 8);
    booking_cleanup(&b);
    assert_int_equal(hold(ev, "lim", s2, 2, &b), TRY_HELD);
    booking_cleanup(&b);
    assert_int_equal(hold(ev, "lim", s3, 2, &b), TRY_REFUSED);
    assert_string_equal(b.failure_reason, "LIMIT_REACHED");
    booking_cleanup(&b);
    assert_int_equal(hold(ev, "other", s1, 2, &b), TRY_REFUSED);
    assert_string_equal(b.failure_reason, "SEAT_UNAVAILABLE");
    char want[64];
    snprintf(want, sizeof want, "[\"%s\"]", s1);
    assert_string_equal(b.unavailable_seats, want);
    booking_cleanup(&b);
    assert_q("SELECT count(DISTINCT code) = count(*) FROM bookings", NULL, "t");

    /* an event that requires a name per seat: without one nothing is
     * stored; with one the attendee is stored with the hold */
    const char *named = "e2000000-0000-4000-8000-000000000006";
    add_event(named, ", attendees_required", ", true");
    char s4[37], names[160];
    add_seat(named, s4);
    assert_int_equal(hold_named(named, "n1", s4, 10, NULL, &b), TRY_NAMES_MISSING);
    assert_int_equal(hold_named(named, "n1", s4, 10, "[]", &b), TRY_NAMES_MISSING);
    assert_q("SELECT count(*)::text FROM bookings WHERE event_id = $1", named, "0");
    assert_q("SELECT status FROM seats WHERE id = $1", s4, "OPEN");
    snprintf(names, sizeof names, "[{\"seat_id\":\"%s\",\"name\":\"Sari Dewi\"}]", s4);
    assert_int_equal(hold_named(named, "n1", s4, 10, names, &b), TRY_HELD);
    assert_q("SELECT name FROM booking_attendees WHERE booking_id = $1", b.id, "Sari Dewi");
    booking_cleanup(&b);

    /* a hold (60 s here) ends at the latest when the event starts */
    const char *soon = "e2000000-0000-4000-8000-0000000000a7";
    assert_int_equal(test_db_exec(g_uri,
                                  "INSERT INTO events (id, name, venue, starts_at, currency,"
                                  " published_at) VALUES ('e2000000-0000-4000-8000-"
                                  "0000000000a7', 'Soon', 'H', now() + interval '20 seconds',"
                                  " 'IDR', now())"),
                     0);
    char s5[37];
    add_seat(soon, s5);
    assert_int_equal(hold(soon, "n2", s5, 10, &b), TRY_HELD);
    assert_q(
        "SELECT (b.expires_at = e.starts_at AND s.held_until = e.starts_at)::text"
        "  FROM bookings b JOIN events e ON e.id = b.event_id JOIN seats s ON s.booking_id = b.id"
        " WHERE b.id = $1",
        b.id, "true");
    booking_cleanup(&b);
    /* so does a selection, and the payment window its checkout opens */
    char s6[37];
    add_seat(soon, s6);
    g_selection = 1;
    assert_int_equal(hold(soon, "n3", s6, 10, &b), TRY_HELD);
    g_selection = 0;
    assert_int_equal(b.state, LC_HELD);
    char held[37];
    snprintf(held, sizeof held, "%s", b.id);
    booking_cleanup(&b);
    struct db_conn *c = db_acquire(g_pool, 5000);
    struct lc_outcome o;
    assert_int_equal(lifecycle_apply(c, held, LC_EV_CHECKOUT, NULL, NULL, &o), DB_OK);
    assert_true(o.applied);
    db_release(g_pool, c);
    assert_q(
        "SELECT (b.status = 'PENDING_PAYMENT' AND b.expires_at = e.starts_at"
        "        AND s.held_until = e.starts_at)::text"
        "  FROM bookings b JOIN events e ON e.id = b.event_id JOIN seats s ON s.booking_id = b.id"
        " WHERE b.id = $1",
        held, "true");
}

/* HOLD_SELECTION: the same statement stores the booking HELD for the TTL
 * given, without an invoice; a HELD booking counts towards the limit; its
 * guards (checkout before the lock ran out, selection expiry after) are
 * read under the row lock. */
static void test_hold_for_selection(void **state)
{
    (void)state;
    const char *ev = "e2000000-0000-4000-8000-000000000007";
    add_event(ev, "", "");
    char s1[37], s2[37], s3[37];
    add_seat(ev, s1);
    add_seat(ev, s2);
    add_seat(ev, s3);
    struct booking b = {0};
    g_selection = 1;
    assert_int_equal(hold(ev, "sel", s1, 2, &b), TRY_HELD);
    g_selection = 0;
    assert_int_equal(b.state, LC_HELD);
    assert_null(b.invoice_number);
    char id[37];
    snprintf(id, sizeof id, "%s", b.id);
    booking_cleanup(&b);
    /* hold_named's TTL is 60 s */
    assert_q("SELECT (expires_at BETWEEN now() + interval '55 seconds' AND now() + interval "
             "'65 seconds' AND status = 'HELD')::text FROM bookings WHERE id = $1",
             id, "true");
    assert_q("SELECT status FROM seats WHERE booking_id = $1", id, "ON_GOING");
    /* the selection counts: a second seat fits the limit of 2, a third not */
    assert_int_equal(hold(ev, "sel", s2, 2, &b), TRY_HELD);
    booking_cleanup(&b);
    assert_int_equal(hold(ev, "sel", s3, 2, &b), TRY_REFUSED);
    assert_string_equal(b.failure_reason, "LIMIT_REACHED");
    booking_cleanup(&b);

    struct db_conn *c = db_acquire(g_pool, 5000);
    struct lc_outcome o;
    /* the lock has not run out: nothing to expire */
    assert_int_equal(lifecycle_apply(c, id, LC_EV_SELECTION_EXPIRE, NULL, NULL, &o), DB_OK);
    assert_false(o.applied);
    assert_string_equal(o.refusal, "");
    assert_q("SELECT status FROM bookings WHERE id = $1", id, "HELD");
    /* it ran out: checkout is refused, HOLD_EXPIRED, and changes nothing */
    lapse(id);
    assert_int_equal(lifecycle_apply(c, id, LC_EV_CHECKOUT, NULL, NULL, &o), DB_OK);
    assert_false(o.applied);
    assert_string_equal(o.refusal, "HOLD_EXPIRED");
    assert_q("SELECT status FROM bookings WHERE id = $1", id, "HELD");
    /* the selection expires: seats back, booking.expired notified */
    assert_int_equal(lifecycle_apply(c, id, LC_EV_SELECTION_EXPIRE, NULL, NULL, &o), DB_OK);
    assert_true(o.applied);
    assert_q("SELECT status FROM bookings WHERE id = $1", id, "EXPIRED");
    assert_q("SELECT status FROM seats WHERE id = $1", s1, "OPEN");
    assert_q("SELECT count(*) FROM outbox WHERE topic = 'booking.expired' AND payload::json #>> "
             "'{data,booking,booking_id}' = $1",
             id, "1");
    /* a lapsed selection's seat goes to its waitlist first: the head of
     * the queue is offered it as a new booking, the seat never OPEN */
    char w_id[37], w_seat[37], w_entry[37], sql[512];
    make_booking(EV, LC_HELD, w_id, w_seat);
    next_id("a1000000", w_entry);
    snprintf(sql, sizeof sql,
             "INSERT INTO waitlist_entries (id, user_id, event_id, seat_id) VALUES"
             " ('%s', 'waiter', '%s', '%s')",
             w_entry, EV, w_seat);
    assert_int_equal(test_db_exec(g_uri, sql), 0);
    lapse(w_id);
    assert_int_equal(lifecycle_apply(c, w_id, LC_EV_SELECTION_EXPIRE, NULL, NULL, &o), DB_OK);
    assert_true(o.applied);
    assert_q("SELECT status FROM bookings WHERE id = $1", w_id, "EXPIRED");
    assert_q("SELECT s.status || ' ' || b.origin || ' ' || b.status || ' ' || b.user_id"
             " FROM seats s JOIN bookings b ON b.id = s.booking_id WHERE s.id = $1",
             w_seat, "ON_GOING waitlist PENDING_PAYMENT waiter");
    assert_q("SELECT status FROM waitlist_entries WHERE id = $1", w_entry, "OFFERED");
    /* a checkout now: HOLD_EXPIRED still */
    assert_int_equal(lifecycle_apply(c, id, LC_EV_CHECKOUT, NULL, NULL, &o), DB_OK);
    assert_false(o.applied);
    assert_string_equal(o.refusal, "HOLD_EXPIRED");
    /* the sweeper's claim finds lapsed selections and says so */
    char b2[37], seat2[37];
    make_booking(EV, LC_HELD, b2, seat2);
    lapse(b2);
    char ids[50][37], invs[50][64];
    enum lc_state states[50];
    int n = booking_store_claim_due(c, 50, 5, ids, invs, states);
    int seen = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(ids[i], b2) == 0) {
            seen = 1;
            assert_int_equal(states[i], LC_HELD);
            assert_string_equal(invs[i], "");
        }
    assert_true(seen);
    db_release(g_pool, c);
}

/* The transitions written in PL/pgSQL keep generic plans (085): a
 * redefinition that drops the setting costs every hold its planning. */
static void test_sql_transitions_plan_generic(void **state)
{
    (void)state;
    static const char *const fns[] = {"booking_try_hold", "booking_apply_paid"};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        assert_q("SELECT string_agg(array_to_string(proconfig, ','), ';') FROM pg_proc "
                 "WHERE proname = $1",
                 fns[i], "plan_cache_mode=force_generic_plan");
}

/* ---- races ---- */

struct racer {
    int kind; /* which side */
    char id[37], seat[37];
    pthread_barrier_t *go;
    int won;
};

enum { R_PAY, R_EXPIRE, R_CANCEL, R_CHECKIN, R_REFUNDED };

static void *race_side(void *arg)
{
    struct racer *r = arg;
    struct db_conn *c = db_acquire(g_pool, 5000);
    pthread_barrier_wait(r->go);
    enum db_status st;
    struct lc_outcome o = {0};
    char evt[80];
    snprintf(evt, sizeof evt, "evt_%d_%s", r->kind, r->id);
    do {
        switch (r->kind) {
        case R_PAY: {
            enum paid_outcome po;
            st = paid_store_apply(c, evt, r->id, "INV-R", &po);
            r->won = st == DB_OK && po == PAID_CONFIRMED;
            break;
        }
        case R_CHECKIN: {
            struct checkin_result cr;
            checkin_result_init(&cr);
            st = checkin_store_admit(c, r->id, r->seat, EV, &cr);
            r->won = st == DB_OK && cr.outcome == CHECKIN_ADMITTED;
            checkin_result_cleanup(&cr);
            if (st == DB_NOT_FOUND)
                st = DB_OK;
            break;
        }
        default:
            st = lifecycle_apply(c, r->id,
                                 r->kind == R_EXPIRE   ? LC_EV_EXPIRE
                                 : r->kind == R_CANCEL ? LC_EV_CANCEL_USER
                                                       : LC_EV_REFUNDED,
                                 r->kind == R_REFUNDED ? evt : NULL, "invoice.refunded", &o);
            r->won = st == DB_OK && o.applied;
        }
    } while (st == DB_RETRY);
    assert_int_equal(st, DB_OK);
    db_release(g_pool, c);
    return NULL;
}

/* Runs sides a and b against one booking made in state from; *wa, *wb
 * tell who applied. */
static void race(enum lc_state from, int a, int b, char id[37], char seat[37], int *wa, int *wb)
{
    make_booking(EV, from, id, seat);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    struct racer ra = {.kind = a, .go = &go}, rb = {.kind = b, .go = &go};
    memcpy(ra.id, id, 37);
    memcpy(rb.id, id, 37);
    memcpy(ra.seat, seat, 37);
    memcpy(rb.seat, seat, 37);
    pthread_t ta, tb;
    pthread_create(&ta, NULL, race_side, &ra);
    pthread_create(&tb, NULL, race_side, &rb);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&go);
    *wa = ra.won;
    *wb = rb.won;
}

#define ROUNDS 25

static void test_race_pay_vs_expire(void **state)
{
    (void)state;
    for (int i = 0; i < ROUNDS; i++) {
        char id[37], seat[37];
        int paid, expired;
        race(LC_PENDING_PAYMENT, R_PAY, R_EXPIRE, id, seat, &paid, &expired);
        assert_int_equal(paid + expired, 1); /* exactly one applies */
        assert_q("SELECT status FROM bookings WHERE id = $1", id, paid ? "CONFIRMED" : "EXPIRED");
        assert_q("SELECT status FROM seats WHERE id = $1", seat, paid ? "BOOKED" : "OPEN");
        /* the money of a payment that lost goes back */
        assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'REFUND'", id,
                 paid ? "0" : "1");
    }
}

static void test_race_cancel_vs_checkin(void **state)
{
    (void)state;
    for (int i = 0; i < ROUNDS; i++) {
        char id[37], seat[37];
        int cancelled, admitted;
        race(LC_CONFIRMED, R_CANCEL, R_CHECKIN, id, seat, &cancelled, &admitted);
        assert_int_equal(cancelled + admitted, 1);
        assert_q("SELECT status FROM bookings WHERE id = $1", id,
                 cancelled ? "CANCELLED" : "CONFIRMED");
        assert_q("SELECT status FROM seats WHERE id = $1", seat, cancelled ? "OPEN" : "BOOKED");
    }
}

static void test_race_cancel_vs_paid(void **state)
{
    (void)state;
    for (int i = 0; i < ROUNDS; i++) {
        char id[37], seat[37];
        int paid, cancelled;
        race(LC_PENDING_PAYMENT, R_PAY, R_CANCEL, id, seat, &paid, &cancelled);
        assert_true(cancelled); /* before or after the payment, the cancel applies */
        assert_q("SELECT status FROM bookings WHERE id = $1", id, "CANCELLED");
        assert_q("SELECT status FROM seats WHERE id = $1", seat, "OPEN");
        /* paid first: the cancel refunds; cancelled first: the late payment does */
        assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'REFUND'", id,
                 "1");
    }
}

static void test_race_refunded_vs_cancel(void **state)
{
    (void)state;
    for (int i = 0; i < ROUNDS; i++) {
        char id[37], seat[37];
        int refunded, cancelled;
        race(LC_CONFIRMED, R_REFUNDED, R_CANCEL, id, seat, &refunded, &cancelled);
        assert_int_equal(refunded + cancelled, 1);
        assert_q("SELECT status FROM bookings WHERE id = $1", id, "CANCELLED");
        assert_q("SELECT status FROM seats WHERE id = $1", seat, "OPEN");
        assert_q("SELECT count(*) FROM followups WHERE booking_id = $1 AND kind = 'REFUND'", id,
                 cancelled ? "1" : "0");
    }
}

struct holder {
    const char *event, *user;
    char seats[2][37];
    pthread_barrier_t *go;
    enum try_hold_outcome out;
};

static void *hold_two(void *arg)
{
    struct holder *h = arg;
    struct booking_request rq;
    memset(&rq, 0, sizeof rq);
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&m);
    next_id("b3000000", rq.booking_id);
    pthread_mutex_unlock(&m);
    snprintf(rq.event_id, sizeof rq.event_id, "%s", h->event);
    snprintf(rq.user_id, sizeof rq.user_id, "%s", h->user);
    memcpy(rq.seat_ids[0], h->seats[0], 37);
    memcpy(rq.seat_ids[1], h->seats[1], 37);
    rq.nseats = 2;
    snprintf(rq.origin, sizeof rq.origin, "direct");
    struct db_conn *c = db_acquire(g_pool, 5000);
    struct booking b = {0};
    char *lapsed = NULL;
    pthread_barrier_wait(h->go);
    enum db_status st;
    do
        st = booking_store_try_hold(c, &rq, NULL, 60, 10, 0, &h->out, &b, &lapsed);
    while (st == DB_RETRY);
    assert_int_equal(st, DB_OK);
    booking_cleanup(&b);
    free(lapsed);
    db_release(g_pool, c);
    return NULL;
}

static void test_race_two_holds_within_limit(void **state)
{
    (void)state;
    for (int i = 0; i < ROUNDS; i++) {
        /* the user holds 8 seats; two holds of 2 more race: one fits */
        char ev[37], user[32];
        next_id("e3000000", ev);
        snprintf(user, sizeof user, "racer%d", i);
        add_event(ev, "", "");
        for (int k = 0; k < 4; k++) {
            char a[37], b2[37];
            add_seat(ev, a);
            add_seat(ev, b2);
            struct holder h = {.event = ev, .user = user};
            memcpy(h.seats[0], a, 37);
            memcpy(h.seats[1], b2, 37);
            pthread_barrier_t go;
            pthread_barrier_init(&go, NULL, 1);
            h.go = &go;
            hold_two(&h);
            pthread_barrier_destroy(&go);
            assert_int_equal(h.out, TRY_HELD);
        }
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        struct holder h1 = {.event = ev, .user = user, .go = &go};
        struct holder h2 = {.event = ev, .user = user, .go = &go};
        add_seat(ev, h1.seats[0]);
        add_seat(ev, h1.seats[1]);
        add_seat(ev, h2.seats[0]);
        add_seat(ev, h2.seats[1]);
        pthread_t t1, t2;
        pthread_create(&t1, NULL, hold_two, &h1);
        pthread_create(&t2, NULL, hold_two, &h2);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        pthread_barrier_destroy(&go);
        assert_int_equal((h1.out == TRY_HELD) + (h2.out == TRY_HELD), 1);
        assert_q("SELECT sum(seat_count) FROM bookings WHERE user_id = $1 AND status = "
                 "'PENDING_PAYMENT'",
                 user, "10");
    }
}

struct sel_racer {
    char id[37];
    int checkout; /* 1: the owner's CHECKOUT; 0: the sweeper's SELECTION_EXPIRE */
    pthread_barrier_t *go;
    int won;
    const char *refusal;
};

static void *sel_side(void *arg)
{
    struct sel_racer *r = arg;
    struct db_conn *c = db_acquire(g_pool, 5000);
    pthread_barrier_wait(r->go);
    struct lc_outcome o = {0};
    enum db_status st;
    if (r->checkout) {
        do
            st = lifecycle_apply(c, r->id, LC_EV_CHECKOUT, NULL, NULL, &o);
        while (st == DB_RETRY);
        assert_int_equal(st, DB_OK);
        r->won = o.applied;
        r->refusal = o.refusal;
    } else {
        /* as the sweeper does: again until it applies or the booking moved */
        for (int i = 0; i < 5000; i++) {
            do
                st = lifecycle_apply(c, r->id, LC_EV_SELECTION_EXPIRE, NULL, NULL, &o);
            while (st == DB_RETRY);
            assert_int_equal(st, DB_OK);
            if (o.applied || o.from != LC_HELD)
                break;
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
        r->won = o.applied;
    }
    db_release(g_pool, c);
    return NULL;
}

#define SEL_ROUNDS 60

/* CHECKOUT against the selection's expiry, the lock running out within a
 * few milliseconds of the race: exactly one applies, and the seat is held
 * for the payment window or given back, never both, never neither. */
static void test_race_checkout_vs_selection_expiry(void **state)
{
    (void)state;
    int checkouts = 0, expiries = 0;
    for (int i = 0; i < SEL_ROUNDS; i++) {
        char id[37], seat[37], sql[256];
        make_booking(EV, LC_HELD, id, seat);
        snprintf(sql, sizeof sql,
                 "UPDATE bookings SET expires_at = clock_timestamp() + interval '%d milliseconds'"
                 " WHERE id = '%s'",
                 (i % 5 - 1) * 3, id);
        assert_int_equal(test_db_exec(g_uri, sql), 0);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        struct sel_racer a = {.checkout = 1, .go = &go}, b = {.checkout = 0, .go = &go};
        memcpy(a.id, id, 37);
        memcpy(b.id, id, 37);
        pthread_t ta, tb;
        pthread_create(&ta, NULL, sel_side, &a);
        pthread_create(&tb, NULL, sel_side, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&go);
        if (a.won + b.won != 1)
            fail_msg("round %d: checkout %d, expiry %d", i, a.won, b.won);
        checkouts += a.won;
        expiries += b.won;
        if (a.won) {
            assert_q("SELECT status FROM bookings WHERE id = $1", id, "PENDING_PAYMENT");
            assert_q("SELECT (status = 'ON_GOING' AND booking_id IS NOT NULL AND held_until > "
                     "now() + interval '6 minutes')::text FROM seats WHERE id = $1",
                     seat, "true");
        } else {
            assert_string_equal(a.refusal, "HOLD_EXPIRED");
            assert_q("SELECT status FROM bookings WHERE id = $1", id, "EXPIRED");
            assert_q("SELECT status || coalesce(booking_id::text, '') FROM seats WHERE id = $1",
                     seat, "OPEN");
        }
    }
    print_message("checkout vs selection expiry: %d rounds, checkout won %d, expiry won %d\n",
                  SEL_ROUNDS, checkouts, expiries);
}

int main(void)
{
    test_require_pg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_guards),
        cmocka_unit_test(test_paid_every_state),
        cmocka_unit_test(test_hold_guards),
        cmocka_unit_test(test_sql_transitions_plan_generic),
        cmocka_unit_test(test_race_pay_vs_expire),
        cmocka_unit_test(test_race_cancel_vs_checkin),
        cmocka_unit_test(test_race_cancel_vs_paid),
        cmocka_unit_test(test_race_refunded_vs_cancel),
        cmocka_unit_test(test_race_two_holds_within_limit),
        cmocka_unit_test(test_hold_for_selection),
        cmocka_unit_test(test_race_checkout_vs_selection_expiry),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
