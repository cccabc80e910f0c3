/* test_account_e2e.c: events' life and accounts through client-app with the
 * real ticket-app and payment-app: the event list (upcoming by default,
 * soonest first; past; all; drafts for admins only; seatless events not
 * for sale), publishing through the admin proxy, a postponement reaching
 * the holder (event.changed recorded, the stored ticket replaced by the
 * re-rendered one); closing accounts (pending bookings cancelled and their
 * seats released and invoices voided; upcoming tickets refuse unless
 * cancel_bookings=true, then refunded); the last admin kept, also when two
 * admins demote each other at the same moment. */
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
#include <pthread.h>

#include "client_testlib.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN

static const char *const acct_client_env[] = {"TICKET_ADMIN_TOKEN=" TS_ADMIN_TOKEN, NULL};

static struct test_suite suite;
static const char *C, *T, *P; /* base URLs */
static char admin_tok[65];    /* the seeded admin's session */

static int setup(void **state)
{
    const struct test_suite_opts o = {
        .name = "acct", TEST_SUITE_BINARIES, .client_env = acct_client_env};
    if (test_suite_setup(state, &suite, &o, &C, &T, &P) != 0)
        return -1;
    return tlogin(C, "admin", TS_ADMIN_PASSWORD, admin_tok) == 201 ? 0 : -1;
}

/* An RFC 3339 UTC time at now + offset_s. */
static void at(long offset_s, char out[40])
{
    time_t s = time(NULL) + offset_s;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Creates an event through client-app's admin proxy: n seats (0: none),
 * starting at now + offset_s, published or a draft; its id into ev. */
static void create_event(const char *name, long offset_s, int n, int publish, char ev[37])
{
    char starts[40], body[1024], layout[256] = "";
    at(offset_s, starts);
    if (n > 0)
        snprintf(layout, sizeof layout,
                 ",\"layout\":{\"sections\":[{\"name\":\"Floor\",\"rows\":[\"A\"],"
                 "\"seats_per_row\":%d,\"price\":100000}]}",
                 n);
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"venue\":\"Hall\",\"starts_at\":\"%s\",\"timezone\":"
             "\"Asia/Jakarta\",\"publish\":%s%s}",
             name, starts, publish ? "true" : "false", layout);
    struct tresp r;
    tcall(C, "POST", "/api/admin/events", admin_tok, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "create event: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(ev, 37, "%s", tstr(&r, "id"));
    tresp_free(&r);
}

/* The position (1-based) of event id in a list answer, 0 if absent. */
static int pos(const struct tresp *r, const char *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "items"), i, e)
    {
        const char *x = json_string_value(json_object_get(e, "id"));
        if (x && strcmp(x, id) == 0)
            return (int)i + 1;
    }
    return 0;
}

static void seat_ids(const char *ev, char out[][37], size_t n)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(C, "GET", path, admin_tok, NULL, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= n);
    for (size_t i = 0; i < n; i++)
        snprintf(out[i], 37, "%s",
                 json_string_value(json_object_get(json_array_get(items, i), "id")));
    tresp_free(&r);
}

static void test_event_lists(void **state)
{
    (void)state;
    char sooner[37], later[37], past[37], draft[37], seatless[37], path[128];
    create_event("Later", 2 * 86400, 2, 1, later);
    create_event("Sooner", 86400, 2, 1, sooner);
    create_event("Past", -86400, 2, 1, past);
    create_event("Draft", 86400 + 60, 2, 0, draft);
    create_event("Seatless", 86400 + 120, 0, 1, seatless);

    struct tresp r;
    assert_int_equal(tcall(C, "GET", "/api/events?limit=500", NULL, NULL, NULL, &r), 200);
    int a = pos(&r, sooner), b = pos(&r, later);
    assert_true(a > 0 && b > a); /* soonest first */
    assert_int_equal(pos(&r, past), 0);
    assert_int_equal(pos(&r, draft), 0);
    assert_int_equal(pos(&r, seatless), 0);
    json_t *e = json_array_get(json_object_get(r.json, "items"), (size_t)a - 1);
    assert_string_equal(json_string_value(json_object_get(e, "timezone")), "Asia/Jakarta");
    assert_non_null(strstr(json_string_value(json_object_get(e, "starts_at_local")), "+07:00"));
    assert_string_equal(json_string_value(json_object_get(e, "status")), "ON_SALE");
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/events?limit=500&when=past", NULL, NULL, NULL, &r), 200);
    assert_true(pos(&r, past) > 0);
    assert_int_equal(pos(&r, sooner), 0);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/events?limit=500&when=all", NULL, NULL, NULL, &r), 200);
    assert_true(pos(&r, past) > 0 && pos(&r, past) < pos(&r, sooner));
    assert_true(pos(&r, seatless) > 0);
    assert_int_equal(pos(&r, draft), 0);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/events?when=soon", NULL, NULL, NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    tresp_free(&r);

    /* the draft: 404 to anyone, a user too; there for the admin */
    char uid[37], utok[65];
    assert_int_equal(tuser_create(C, "lister", "lister@example.com", "lister-password", uid), 201);
    assert_int_equal(tlogin(C, "lister", "lister-password", utok), 201);
    snprintf(path, sizeof path, "/api/events/%s", draft);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, utok, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, admin_tok, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "DRAFT");
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/events?limit=500", admin_tok, NULL, NULL, &r), 200);
    assert_true(pos(&r, draft) > 0);
    tresp_free(&r);

    /* published through the admin proxy: a user may not */
    snprintf(path, sizeof path, "/api/admin/events/%s/publish", draft);
    assert_int_equal(tcall(C, "POST", path, utok, NULL, NULL, &r), 403);
    tresp_free(&r);
    assert_int_equal(tcall(C, "POST", path, admin_tok, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "ON_SALE");
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/events?limit=500", NULL, NULL, NULL, &r), 200);
    int d = pos(&r, draft);
    assert_true(d > pos(&r, sooner) && d < pos(&r, later));
    tresp_free(&r);

    /* cancelled through the admin proxy: off the list, CANCELLED to all */
    snprintf(path, sizeof path, "/api/admin/events/%s/cancel", later);
    assert_int_equal(tcall(C, "POST", path, utok, NULL, NULL, &r), 403);
    tresp_free(&r);
    assert_int_equal(tcall(C, "POST", path, admin_tok, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CANCELLED");
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/events?limit=500", NULL, NULL, NULL, &r), 200);
    assert_int_equal(pos(&r, later), 0);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s", later);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CANCELLED");
    tresp_free(&r);
}

/* Books seats (ids) for token; the booking id into bid; the answer kept
 * in r (tresp_free it). */
static long book(const char *token, const char *ev, const char *seat, char bid[37], struct tresp *r)
{
    char body[256];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev, seat);
    long st = tcall(C, "POST", "/api/bookings", token, body, NULL, r);
    snprintf(bid, 37, "%s", tstr(r, "id"));
    return st;
}

static int wait_status(const char *token, const char *bid, const char *want)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    for (int i = 0; i < 200; i++) {
        tcall(C, "GET", path, token, NULL, NULL, &r);
        int ok = r.status == 200 && strcmp(tstr(&r, "status"), want) == 0;
        tresp_free(&r);
        if (ok)
            return 0;
        usleep(100 * 1000);
    }
    return -1;
}

/* Books one seat and pays it; waits for the ticket at client-app. */
static void book_paid(const char *token, const char *ev, const char *seat, char bid[37])
{
    struct tresp r;
    assert_int_equal(book(token, ev, seat, bid, &r), 201);
    char path[160];
    snprintf(path, sizeof path, "/api/invoices/%s/pay", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
    assert_int_equal(tcall(P, "POST", path, NULL, "{\"method\":\"card\"}", NULL, &r), 202);
    tresp_free(&r);
    assert_int_equal(wait_status(token, bid, "CONFIRMED"), 0);
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", bid);
    for (int i = 0; i < 100; i++) {
        tcall(C, "GET", path, token, NULL, NULL, &r);
        long st = r.status;
        tresp_free(&r);
        if (st == 200)
            return;
        usleep(100 * 1000);
    }
    fail_msg("no ticket for %s", bid);
}

static long count_sql(const char *uri, const char *sql, const char *p1)
{
    const char *p[] = {p1};
    int ok = 0;
    char *v = test_db_scalar_params(uri, sql, 1, p, &ok);
    long n = ok && v ? atol(v) : -1;
    free(v);
    return n;
}

/* Booking id's status at ticket-app, through its API (service token), 1
 * if it is want. */
static int ticket_booking_is(const char *id, const char *want)
{
    char path[96];
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s", id);
    int is = tcall(T, "GET", path, TS_SERVICE_TOKEN, NULL, NULL, &r) == 200 &&
             strcmp(tstr(&r, "status"), want) == 0;
    tresp_free(&r);
    return is;
}

/* Seats of event ev not OPEN at ticket-app (only seat, when not NULL). */
static long seats_not_open(const char *ev, const char *seat)
{
    char path[96];
    struct tresp r;
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(T, "GET", path, NULL, NULL, NULL, &r), 200);
    long n = 0;
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (seat && strcmp(json_string_value(json_object_get(it, "id")), seat) != 0)
            continue;
        n += strcmp(json_string_value(json_object_get(it, "status")), "OPEN") != 0;
    }
    tresp_free(&r);
    return n;
}

/* Waits up to 10 s until payment-app's invoice at path (its API, service
 * token; a single invoice or a list of one) has status want; 1 if so. */
static int invoice_becomes(const char *path, const char *want)
{
    for (int i = 0; i < 100; i++) {
        struct tresp r;
        const char *st = "";
        if (tcall(P, "GET", path, TS_PAY_TOKEN, NULL, NULL, &r) == 200) {
            json_t *items = json_object_get(r.json, "items");
            json_t *inv = items ? json_array_get(items, 0) : r.json;
            const char *v = json_string_value(json_object_get(inv, "status"));
            st = v ? v : "";
        }
        int done = strcmp(st, want) == 0;
        tresp_free(&r);
        if (done)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

static void test_postponement_reaches_holder(void **state)
{
    (void)state;
    char ev[37], seats[1][37], uid[37], tok[65], bid[37], path[160];
    create_event("Moving show", 5 * 86400, 2, 1, ev);
    seat_ids(ev, seats, 1);
    assert_int_equal(tuser_create(C, "holder", "holder@example.com", "holder-password", uid), 201);
    assert_int_equal(tlogin(C, "holder", "holder-password", tok), 201);
    book_paid(tok, ev, seats[0], bid);
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", bid);
    assert_int_equal(tcall(C, "GET", path, tok, NULL, NULL, &r), 200);
    char *before = malloc(r.len);
    size_t before_len = r.len;
    memcpy(before, r.body, r.len);
    tresp_free(&r);

    char starts[40], body[128];
    at(12 * 86400, starts);
    snprintf(body, sizeof body, "{\"starts_at\":\"%s\"}", starts);
    snprintf(path, sizeof path, "/api/admin/events/%s", ev);
    assert_int_equal(tcall(C, "PATCH", path, admin_tok, body, NULL, &r), 200);
    tresp_free(&r);

    /* the notice arrives at client-app, then the new ticket replaces the old */
    int told = 0, replaced = 0;
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", bid);
    for (int i = 0; i < 150 && !(told && replaced); i++) {
        told = count_sql(suite.client_db,
                         "SELECT count(*) FROM processed_notifications "
                         "WHERE type = 'event.changed' AND booking_id = $1::uuid",
                         bid) == 1;
        tcall(C, "GET", path, tok, NULL, NULL, &r);
        replaced =
            r.status == 200 && (r.len != before_len || memcmp(r.body, before, before_len) != 0);
        tresp_free(&r);
        if (!(told && replaced))
            usleep(100 * 1000);
    }
    free(before);
    assert_true(told);
    assert_true(replaced);
    assert_int_equal(wait_status(tok, bid, "CONFIRMED"), 0);
    /* the holder's inbox tells it, with the new local time */
    assert_int_equal(tcall(C, "GET", "/api/notifications?limit=50", tok, NULL, NULL, &r), 200);
    int in_inbox = 0;
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(r.json, "items"), i, n)
    {
        const char *kind = json_string_value(json_object_get(n, "kind"));
        const char *b = json_string_value(json_object_get(n, "booking_id"));
        if (kind && b && strcmp(kind, "event.changed") == 0 && strcmp(b, bid) == 0)
            in_inbox = 1;
    }
    tresp_free(&r);
    assert_true(in_inbox);
}

static void test_delete_account(void **state)
{
    (void)state;
    char ev[37], seats[4][37], uid[37], tok[65], pending[37], paid[37], path[160];
    create_event("Goodbye show", 3 * 86400, 4, 1, ev);
    seat_ids(ev, seats, 4);
    assert_int_equal(tuser_create(C, "leaver", "leaver@example.com", "leaver-password", uid), 201);
    assert_int_equal(tlogin(C, "leaver", "leaver-password", tok), 201);

    /* only a pending booking: cancelled with the account, seat released,
     * invoice voided */
    struct tresp r;
    assert_int_equal(book(tok, ev, seats[0], pending, &r), 201);
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
    char uid2[37], tok2[65];
    assert_int_equal(tuser_create(C, "leaver2", "leaver2@example.com", "leaver2-password", uid2),
                     201);
    assert_int_equal(tlogin(C, "leaver2", "leaver2-password", tok2), 201);
    /* someone else cannot delete it */
    snprintf(path, sizeof path, "/api/users/%s", uid);
    assert_int_equal(tcall(C, "DELETE", path, tok2, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "DELETE", path, tok, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_true(ticket_booking_is(pending, "CANCELLED"));
    assert_int_equal(seats_not_open(ev, seats[0]), 0);
    snprintf(path, sizeof path, "/api/invoices/%s", inv);
    assert_true(invoice_becomes(path, "VOID"));
    assert_int_equal(
        count_sql(suite.client_db,
                  "SELECT count(*) FROM bookings WHERE id = $1::uuid AND status = 'CANCELLED'",
                  pending),
        1);
    /* the session ended with the account */
    assert_int_equal(tcall(C, "GET", "/api/users/me", tok, NULL, NULL, &r), 401);
    tresp_free(&r);

    /* an upcoming ticket refuses, nothing changes; cancel_bookings=true
     * cancels and refunds it first */
    book_paid(tok2, ev, seats[1], paid);
    char pend2[37];
    assert_int_equal(book(tok2, ev, seats[2], pend2, &r), 201);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/users/%s", uid2);
    assert_int_equal(tcall(C, "DELETE", path, tok2, NULL, NULL, &r), 409);
    assert_string_equal(terr(&r), "HAS_UPCOMING_TICKETS");
    json_t *ids = json_object_get(json_object_get(json_object_get(r.json, "error"), "details"),
                                  "booking_ids");
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), paid);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/users/me", tok2, NULL, NULL, &r), 200);
    tresp_free(&r);
    assert_true(ticket_booking_is(pend2, "PENDING_PAYMENT"));
    snprintf(path, sizeof path, "/api/users/%s?cancel_bookings=true", uid2);
    assert_int_equal(tcall(C, "DELETE", path, admin_tok, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_true(ticket_booking_is(paid, "CANCELLED"));
    assert_true(ticket_booking_is(pend2, "CANCELLED"));
    snprintf(path, sizeof path, "/api/invoices?booking_id=%s", paid);
    assert_true(invoice_becomes(path, "REFUNDED"));
    assert_int_equal(seats_not_open(ev, NULL), 0);
    snprintf(path, sizeof path, "/api/users/%s", uid2);
    assert_int_equal(tcall(C, "GET", path, admin_tok, NULL, NULL, &r), 404);
    tresp_free(&r);

    /* a ticket of an event that has started does not hold the account */
    char old_ev[37], old_seat[1][37], uid3[37], tok3[65], old_b[37];
    create_event("Soon over", 3, 1, 1, old_ev);
    seat_ids(old_ev, old_seat, 1);
    assert_int_equal(tuser_create(C, "veteran", "veteran@example.com", "veteran-password", uid3),
                     201);
    assert_int_equal(tlogin(C, "veteran", "veteran-password", tok3), 201);
    book_paid(tok3, old_ev, old_seat[0], old_b);
    sleep(4); /* the event starts */
    snprintf(path, sizeof path, "/api/users/%s", uid3);
    assert_int_equal(tcall(C, "DELETE", path, tok3, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_true(ticket_booking_is(old_b, "CONFIRMED"));
}

/* Admins live now (client db). */
static long admins(void)
{
    int ok = 0;
    char *v = test_db_scalar(
        suite.client_db, "SELECT count(*) FROM users WHERE role = 'admin' AND deleted_at IS NULL",
        &ok);
    long n = ok && v ? atol(v) : -1;
    free(v);
    return n;
}

/* One admin acting on another (demotion: PATCH role user; or DELETE). */
struct demote {
    const char *token, *target;
    long status;
    int delete;
};

static void *demote_run(void *arg)
{
    struct demote *d = arg;
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/users/%s", d->target);
    d->status = d->delete ? tcall(C, "DELETE", path, d->token, NULL, NULL, &r)
                          : tcall(C, "PATCH", path, d->token, "{\"role\":\"user\"}", NULL, &r);
    tresp_free(&r);
    return NULL;
}

/* Runs a and b at the same moment. */
static void race(struct demote *a, struct demote *b)
{
    pthread_t ta, tb;
    pthread_create(&ta, NULL, demote_run, a);
    pthread_create(&tb, NULL, demote_run, b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

static void test_last_admin(void **state)
{
    (void)state;
    char seed_id[37], x[37], y[37], xt[65], yt[65], path[128];
    struct tresp r;
    assert_int_equal(tcall(C, "GET", "/api/users/me", admin_tok, NULL, NULL, &r), 200);
    snprintf(seed_id, sizeof seed_id, "%s", tstr(&r, "id"));
    tresp_free(&r);
    assert_int_equal(admins(), 1);
    /* the only admin: no demotion, no deletion */
    snprintf(path, sizeof path, "/api/users/%s", seed_id);
    assert_int_equal(tcall(C, "PATCH", path, admin_tok, "{\"role\":\"user\"}", NULL, &r), 409);
    assert_string_equal(terr(&r), "LAST_ADMIN");
    tresp_free(&r);
    assert_int_equal(tcall(C, "PATCH", path, admin_tok, "{\"role\":\"staff\"}", NULL, &r), 409);
    tresp_free(&r);
    assert_int_equal(tcall(C, "DELETE", path, admin_tok, NULL, NULL, &r), 409);
    assert_string_equal(terr(&r), "LAST_ADMIN");
    tresp_free(&r);
    /* other changes of the last admin still apply */
    assert_int_equal(tcall(C, "PATCH", path, admin_tok,
                           "{\"full_name\":\"Chief\",\"role\":\"admin\"}", NULL, &r),
                     200);
    tresp_free(&r);
    assert_int_equal(admins(), 1);

    /* two more admins; the seeded one may go now */
    assert_int_equal(tuser_create(C, "adm_x", "adm_x@example.com", "adm-x-password", x), 201);
    assert_int_equal(tuser_create(C, "adm_y", "adm_y@example.com", "adm-y-password", y), 201);
    const char *ids[] = {x, y};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/api/users/%s", ids[i]);
        assert_int_equal(tcall(C, "PATCH", path, admin_tok, "{\"role\":\"admin\"}", NULL, &r), 200);
        tresp_free(&r);
    }
    assert_int_equal(tlogin(C, "adm_x", "adm-x-password", xt), 201);
    assert_int_equal(tlogin(C, "adm_y", "adm-y-password", yt), 201);
    snprintf(path, sizeof path, "/api/users/%s", seed_id);
    assert_int_equal(tcall(C, "PATCH", path, xt, "{\"role\":\"user\"}", NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(admins(), 2);

    /* x and y demote each other at the same moment, many times: one
     * admin always stays; the survivor promotes the other back */
    int refused = 0;
    for (int round = 0; round < 25; round++) {
        struct demote a = {xt, y, 0, 0}, b = {yt, x, 0, 0};
        race(&a, &b);
        assert_int_equal(admins(), 1);
        /* one succeeded, the other was refused (LAST_ADMIN) or, demoted
         * before its request was checked, was no admin any more (another
         * user's account is then 404 to it) */
        assert_true((a.status == 200) != (b.status == 200));
        long other = a.status == 200 ? b.status : a.status;
        if (other != 409 && other != 404)
            fprintf(stderr, "round %d: %ld and %ld\n", round, a.status, b.status);
        assert_true(other == 409 || other == 404);
        refused += other == 409;
        const char *survivor_tok = a.status == 200 ? xt : yt;
        const char *back = a.status == 200 ? y : x;
        snprintf(path, sizeof path, "/api/users/%s", back);
        assert_int_equal(tcall(C, "PATCH", path, survivor_tok, "{\"role\":\"admin\"}", NULL, &r),
                         200);
        tresp_free(&r);
        assert_int_equal(admins(), 2);
    }
    fprintf(stderr, "demotion races: 25, refused LAST_ADMIN: %d, 404 (already demoted): %d\n",
            refused, 25 - refused);
    /* and deleting each other at once: one account stays, an admin */
    struct demote a = {xt, y, 0, 1}, b = {yt, x, 0, 1};
    race(&a, &b);
    assert_int_equal(admins(), 1);
    assert_true((a.status == 204) != (b.status == 204));
    long other = a.status == 204 ? b.status : a.status;
    assert_true(other == 409 || other == 401); /* refused, or its session ended first */
    /* the survivor cannot delete itself */
    const char *st = a.status == 204 ? xt : yt, *sid = a.status == 204 ? x : y;
    snprintf(path, sizeof path, "/api/users/%s", sid);
    assert_int_equal(tcall(C, "DELETE", path, st, NULL, NULL, &r), 409);
    assert_string_equal(terr(&r), "LAST_ADMIN");
    tresp_free(&r);
    assert_int_equal(admins(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_lists),
        cmocka_unit_test(test_postponement_reaches_holder),
        cmocka_unit_test(test_delete_account),
        cmocka_unit_test(test_last_admin),
    };
    return cmocka_run_group_tests(tests, setup, test_suite_teardown);
}
