/* test_waitlist_e2e.c: the waitlist through client-app with the real
 * ticket-app and payment-app (HOLD_TTL_SECONDS=5): A books and pays; B and
 * C join (positions 1 and 2); A cancels -> B is offered and sees a pending
 * booking with its payment URL in the history (by notification); B lets it
 * expire -> C is offered; C pays -> CONFIRMED with a PDF; D, who joins once
 * the seat is confirmed, keeps waiting. The errors (409/404/400/401) as a
 * user sees them; another user's entry is 404. 50 users joining at once get
 * positions 1..50, each once, in the order the joins took effect. Two
 * releases of one event at once: each seat to the head of its own queue.
 * Leaving at the moment the seat is released does not lose the seat. */
#include <pthread.h>
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
#define TTL_S 5
#define PW "waitlist-password"

static const char *const wl_ticket_env[] = {"HOLD_TTL_SECONDS=5", "SWEEP_INTERVAL_MS=200", NULL};

static struct test_suite suite;
static const char *C, *T, *P; /* base URLs */

static int setup(void **state)
{
    const struct test_suite_opts o = {
        .name = "wl", TEST_SUITE_BINARIES, .ticket_env = wl_ticket_env};
    return test_suite_setup(state, &suite, &o, &C, &T, &P);
}

/* ---- helpers ---- */

static void user_new(struct tuser *u, const char *name)
{
    tuser_new(C, name, PW, u);
}

/* An event with one row of n seats; seat ids into ids. */
static void new_event(int n, char ev[37], char ids[][37])
{
    char body[512];
    snprintf(
        body, sizeof body,
        "{\"name\":\"Waitlist Night\",\"venue\":\"Hall\",\"starts_at\":\"2030-06-01T19:00:00Z\","
        "\"currency\":\"IDR\",\"layout\":{\"sections\":[{\"name\":\"Floor\",\"rows\":[\"A\"],"
        "\"seats_per_row\":%d,\"price\":75000}]}}",
        n);
    tevent_new(T, ADMIN_TOKEN, C, body, n, ev, ids);
}

/* Books seats as u through client-app: 201; booking id and invoice out. */
static void book(const struct tuser *u, const char *ev, const char *const *seats, size_t n,
                 char bid[37], char inv[64])
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_string(seats[i]));
    json_t *b = json_pack("{s:s, s:o}", "event_id", ev, "seat_ids", ids);
    char *text = json_dumps(b, 0);
    struct tresp r;
    assert_int_equal(tcall(C, "POST", "/api/bookings", u->token, text, NULL, &r), 201);
    snprintf(bid, 37, "%s", tstr(&r, "id"));
    if (inv)
        snprintf(inv, 64, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
    free(text);
    json_decref(b);
}

/* Polls u's booking until status (up to timeout_ms; no refresh: the
 * notifications bring it). r keeps the last answer. */
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
    fprintf(stderr, "booking %s of %s never became %s: %ld %s\n", bid, u->name, want, r->status,
            r->body);
    return -1;
}

static long join(const struct tuser *u, const char *ev, const char *seat, struct tresp *r)
{
    char body[160];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_id\":\"%s\"}", ev, seat);
    return tcall(C, "POST", "/api/waitlist", u ? u->token : NULL, body, NULL, r);
}

static long leave(const struct tuser *u, const char *entry)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/waitlist/%s", entry);
    long st = tcall(C, "DELETE", path, u->token, NULL, NULL, &r);
    tresp_free(&r);
    return st;
}

/* u's entry (a copy, new ref) from GET /api/waitlist. */
static json_t *entry_of(const struct tuser *u, const char *entry)
{
    struct tresp r;
    assert_int_equal(tcall(C, "GET", "/api/waitlist?limit=500", u->token, NULL, NULL, &r), 200);
    json_t *found = NULL, *e;
    size_t i;
    json_array_foreach(json_object_get(r.json, "items"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "id")), entry) == 0)
            found = json_deep_copy(e);
    }
    tresp_free(&r);
    return found;
}

/* Waits until u's entry is want; its booking_id into bid (may be NULL). */
static int wait_entry(const struct tuser *u, const char *entry, const char *want, int timeout_ms,
                      char bid[37])
{
    char last[20] = "";
    for (int waited = 0;; waited += 100) {
        json_t *e = entry_of(u, entry);
        assert_non_null(e);
        snprintf(last, sizeof last, "%s", json_string_value(json_object_get(e, "status")));
        if (strcmp(last, want) == 0) {
            if (bid) {
                const char *b = json_string_value(json_object_get(e, "booking_id"));
                snprintf(bid, 37, "%s", b ? b : "");
            }
            json_decref(e);
            return 0;
        }
        json_decref(e);
        if (waited >= timeout_ms)
            break;
        usleep(100 * 1000);
    }
    fprintf(stderr, "entry %s of %s is %s, wanted %s\n", entry, u->name, last, want);
    return -1;
}

static long position(const struct tuser *u, const char *entry)
{
    json_t *e = entry_of(u, entry);
    assert_non_null(e);
    json_t *p = json_object_get(e, "position");
    long v = json_is_integer(p) ? (long)json_integer_value(p) : 0;
    json_decref(e);
    return v;
}

/* The offered booking in u's history: PENDING_PAYMENT, origin waitlist
 * (readable at once), and its payment URL (by booking.created: the offer's
 * invoice is made after the offer); invoice number into inv. */
static void expect_offer_in_history(const struct tuser *u, const char *bid, char inv[64])
{
    struct tresp r;
    assert_int_equal(wait_booking(u, bid, "PENDING_PAYMENT", 10000, &r), 0);
    for (int i = 0; i < 100 && !tstr(&r, "payment.invoice_number")[0]; i++) {
        tresp_free(&r);
        usleep(100 * 1000);
        assert_int_equal(wait_booking(u, bid, "PENDING_PAYMENT", 0, &r), 0);
    }
    assert_string_equal(tstr(&r, "origin"), "waitlist");
    assert_string_equal(tstr(&r, "user_id"), u->id);
    assert_int_equal(strncmp(tstr(&r, "payment.invoice_number"), "INV-", 4), 0);
    assert_non_null(strstr(tstr(&r, "payment.payment_url"), "/pay/"));
    assert_int_equal(json_array_size(json_object_get(r.json, "seats")), 1);
    if (inv)
        snprintf(inv, 64, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
    /* and in the list of the user's bookings */
    assert_int_equal(
        tcall(C, "GET", "/api/bookings?status=PENDING_PAYMENT", u->token, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, bid));
    tresp_free(&r);
}

/* The seat's status as ticket-app shows it (malloc'ed), or NULL. */
static char *seat_status(const char *ev, const char *seat)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(T, "GET", path, NULL, NULL, NULL, &r), 200);
    char *st = NULL;
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "id")), seat) == 0)
            st = strdup(json_string_value(json_object_get(it, "status")));
    }
    tresp_free(&r);
    return st;
}

struct leave_arg {
    const struct tuser *u;
    const char *entry;
    long status;
};

static void *leave_run(void *arg)
{
    struct leave_arg *a = arg;
    a->status = leave(a->u, a->entry);
    return NULL;
}

/* ---- tests ---- */

static void offer_chain(void **state)
{
    (void)state;
    struct tuser A, B, Cu, D, E;
    user_new(&A, "ann");
    user_new(&B, "ben");
    user_new(&Cu, "cat");
    user_new(&D, "dan");
    user_new(&E, "eve");
    char ev[37], seats[2][37], a_bid[37], a_inv[64];
    new_event(2, ev, seats);
    struct tresp r;

    /* an OPEN seat: book it instead */
    assert_int_equal(join(&B, ev, seats[0], &r), 409);
    assert_string_equal(terr(&r), "SEAT_AVAILABLE");
    tresp_free(&r);

    /* A books and pays */
    const char *s[] = {seats[0]};
    book(&A, ev, s, 1, a_bid, a_inv);
    tinvoice_pay(P, a_inv);
    assert_int_equal(wait_booking(&A, a_bid, "CONFIRMED", 15000, &r), 0);
    tresp_free(&r);

    /* errors as a user sees them */
    assert_int_equal(join(NULL, ev, seats[0], &r), 401);
    tresp_free(&r);
    assert_int_equal(tcall(C, "POST", "/api/waitlist", B.token, "{\"event_id\":1}", NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    tresp_free(&r);
    assert_int_equal(join(&B, ev, "00000000-0000-4000-8000-000000000000", &r), 404);
    tresp_free(&r);
    assert_int_equal(join(&B, "00000000-0000-4000-8000-000000000000", seats[0], &r), 404);
    tresp_free(&r);
    assert_int_equal(join(&A, ev, seats[0], &r), 409);
    assert_string_equal(terr(&r), "SEAT_HELD_BY_YOU");
    tresp_free(&r);

    /* B and C join: positions 1 and 2 */
    char eb[37], ec[37], ed[37];
    assert_int_equal(join(&B, ev, seats[0], &r), 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "position")), 1);
    assert_string_equal(tstr(&r, "status"), "WAITING");
    snprintf(eb, sizeof eb, "%s", tstr(&r, "id"));
    tresp_free(&r);
    assert_int_equal(join(&Cu, ev, seats[0], &r), 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "position")), 2);
    snprintf(ec, sizeof ec, "%s", tstr(&r, "id"));
    tresp_free(&r);
    assert_int_equal(join(&B, ev, seats[0], &r), 409);
    assert_string_equal(terr(&r), "ALREADY_WAITING");
    tresp_free(&r);
    fprintf(stderr, "B joined at position 1, C at position 2\n");

    /* others' entries: invisible and 404 */
    assert_null(entry_of(&Cu, eb));
    assert_int_equal(leave(&Cu, eb), 404);
    assert_int_equal(leave(&Cu, "not-a-uuid"), 404);
    assert_int_equal(position(&B, eb), 1);

    /* A cancels: B is offered and sees a pending booking with its payment URL */
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", a_bid);
    assert_int_equal(tcall(C, "POST", path, A.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    char b_bid[37], b_inv[64];
    assert_int_equal(wait_entry(&B, eb, "OFFERED", 5000, b_bid), 0);
    expect_offer_in_history(&B, b_bid, b_inv);
    char *st = seat_status(ev, seats[0]);
    assert_string_equal(st, "ON_GOING");
    free(st);
    assert_int_equal(position(&Cu, ec), 1);
    fprintf(stderr, "A cancelled: B offered %s (%s), C now position 1\n", b_bid, b_inv);

    /* B lets it expire: C is offered; B's history shows EXPIRED */
    char c_bid[37], c_inv[64];
    assert_int_equal(wait_entry(&Cu, ec, "OFFERED", (TTL_S + 10) * 1000, c_bid), 0);
    expect_offer_in_history(&Cu, c_bid, c_inv);
    assert_int_equal(wait_booking(&B, b_bid, "EXPIRED", 10000, &r), 0);
    tresp_free(&r);
    assert_int_equal(wait_entry(&B, eb, "EXPIRED", 0, NULL), 0);
    fprintf(stderr, "B let it expire: C offered %s (%s)\n", c_bid, c_inv);

    /* C pays: CONFIRMED with a PDF */
    tinvoice_pay(P, c_inv);
    assert_int_equal(wait_booking(&Cu, c_bid, "CONFIRMED", 15000, &r), 0);
    snprintf(path, sizeof path, "%s", tstr(&r, "ticket_url"));
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, Cu.token, NULL, NULL, &r), 200);
    assert_true(r.len > 100);
    assert_memory_equal(r.body, "%PDF", 4);
    fprintf(stderr, "C paid: CONFIRMED, ticket PDF %zu bytes\n", r.len);
    tresp_free(&r);
    assert_int_equal(wait_entry(&Cu, ec, "FULFILLED", 5000, NULL), 0);
    assert_int_equal(leave(&Cu, ec), 409); /* paid: cancel the booking instead */

    /* D joins with nobody ahead and keeps waiting */
    assert_int_equal(join(&D, ev, seats[0], &r), 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "position")), 1);
    snprintf(ed, sizeof ed, "%s", tstr(&r, "id"));
    tresp_free(&r);
    sleep(TTL_S + 1);
    json_t *e = entry_of(&D, ed);
    assert_string_equal(json_string_value(json_object_get(e, "status")), "WAITING");
    assert_int_equal(json_integer_value(json_object_get(e, "position")), 1);
    json_decref(e);
    st = seat_status(ev, seats[0]);
    assert_string_equal(st, "BOOKED");
    free(st);
    fprintf(stderr, "D joined after C paid: still WAITING at position 1 after %d s\n", TTL_S + 1);

    /* leaving at the moment the seat is released: E books seat 2, D waits
     * for it and leaves when E cancels; the seat is not lost: OPEN */
    const char *s2[] = {seats[1]};
    char e_bid[37], ed2[37];
    book(&E, ev, s2, 1, e_bid, NULL);
    assert_int_equal(join(&D, ev, seats[1], &r), 201);
    snprintf(ed2, sizeof ed2, "%s", tstr(&r, "id"));
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", e_bid);
    struct leave_arg la = {&D, ed2, 0};
    pthread_t lt;
    assert_int_equal(pthread_create(&lt, NULL, leave_run, &la), 0);
    assert_int_equal(tcall(C, "POST", path, E.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    pthread_join(lt, NULL);
    assert_int_equal(la.status, 204);
    assert_int_equal(wait_entry(&D, ed2, "CANCELLED", 0, NULL), 0);
    for (int i = 0; i < 50; i++) {
        st = seat_status(ev, seats[1]);
        int open = strcmp(st, "OPEN") == 0;
        free(st);
        if (open)
            break;
        usleep(100 * 1000);
    }
    st = seat_status(ev, seats[1]);
    assert_string_equal(st, "OPEN");
    free(st);
}

#define NJOIN 50

struct joiner {
    struct tuser u;
    const char *ev, *seat;
    long status, position;
    char entry[37];
};

static pthread_barrier_t gate;

static void *join_run(void *arg)
{
    struct joiner *j = arg;
    struct tresp r;
    pthread_barrier_wait(&gate);
    j->status = join(&j->u, j->ev, j->seat, &r);
    j->position = (long)json_integer_value(json_object_get(r.json, "position"));
    snprintf(j->entry, sizeof j->entry, "%s", tstr(&r, "id"));
    tresp_free(&r);
    return NULL;
}

static void concurrent_joins(void **state)
{
    (void)state;
    struct tuser owner;
    user_new(&owner, "owner");
    char ev[37], seat[1][37], bid[37], inv[64];
    new_event(1, ev, seat);
    const char *s[] = {seat[0]};
    book(&owner, ev, s, 1, bid, inv);
    tinvoice_pay(P, inv);
    struct tresp r;
    assert_int_equal(wait_booking(&owner, bid, "CONFIRMED", 15000, &r), 0);
    tresp_free(&r);

    static struct joiner js[NJOIN];
    for (int i = 0; i < NJOIN; i++) {
        char name[24];
        snprintf(name, sizeof name, "fan%02d", i);
        memset(&js[i], 0, sizeof js[i]);
        user_new(&js[i].u, name);
        js[i].ev = ev;
        js[i].seat = seat[0];
    }
    pthread_t th[NJOIN];
    pthread_barrier_init(&gate, NULL, NJOIN);
    for (int i = 0; i < NJOIN; i++)
        assert_int_equal(pthread_create(&th[i], NULL, join_run, &js[i]), 0);
    for (int i = 0; i < NJOIN; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&gate);

    int seen[NJOIN + 1] = {0}, by_pos[NJOIN + 1];
    for (int i = 0; i < NJOIN; i++) {
        assert_int_equal(js[i].status, 201);
        assert_true(js[i].position >= 1 && js[i].position <= NJOIN);
        seen[js[i].position]++;
        by_pos[js[i].position] = i;
        /* the answered position is the one the entry keeps */
        assert_int_equal(position(&js[i].u, js[i].entry), js[i].position);
    }
    for (int p = 1; p <= NJOIN; p++)
        assert_int_equal(seen[p], 1);
    fprintf(stderr, "%d users joined at once through client-app: positions 1..%d, each once\n",
            NJOIN, NJOIN);

    /* the seat goes to position 1, then (position 1 leaves) to position 2 */
    char path[128], o1[37], o2[37];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", bid);
    assert_int_equal(tcall(C, "POST", path, owner.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    struct joiner *first = &js[by_pos[1]], *second = &js[by_pos[2]];
    assert_int_equal(wait_entry(&first->u, first->entry, "OFFERED", 5000, o1), 0);
    expect_offer_in_history(&first->u, o1, NULL);
    assert_int_equal(leave(&first->u, first->entry), 204);
    assert_int_equal(wait_entry(&second->u, second->entry, "OFFERED", 5000, o2), 0);
    assert_int_equal(wait_booking(&first->u, o1, "CANCELLED", 10000, &r), 0);
    tresp_free(&r);
    assert_int_equal(position(&js[by_pos[3]].u, js[by_pos[3]].entry), 1);
}

struct cancel_arg {
    const struct tuser *u;
    const char *bid;
    long status;
};

static void *cancel_run(void *arg)
{
    struct cancel_arg *a = arg;
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", a->bid);
    pthread_barrier_wait(&gate);
    a->status = tcall(C, "POST", path, a->u->token, NULL, NULL, &r);
    tresp_free(&r);
    return NULL;
}

/* Two seats of one event released at once, their queues holding the same
 * users in opposite orders: each seat goes to the head of its own queue. */
static void concurrent_releases(void **state)
{
    (void)state;
    struct tuser x1, x2, q[3];
    user_new(&x1, "xone");
    user_new(&x2, "xtwo");
    const char *names[] = {"qua", "qub", "quc"};
    for (int i = 0; i < 3; i++)
        user_new(&q[i], names[i]);
    char ev[37], seats[2][37], b1[37], b2[37];
    new_event(2, ev, seats);
    const char *s1[] = {seats[0]}, *s2[] = {seats[1]};
    book(&x1, ev, s1, 1, b1, NULL);
    book(&x2, ev, s2, 1, b2, NULL);
    char e1[3][37], e2[3][37];
    struct tresp r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(join(&q[i], ev, seats[0], &r), 201);
        snprintf(e1[i], 37, "%s", tstr(&r, "id"));
        tresp_free(&r);
        assert_int_equal(join(&q[2 - i], ev, seats[1], &r), 201);
        snprintf(e2[2 - i], 37, "%s", tstr(&r, "id"));
        tresp_free(&r);
    }
    struct cancel_arg a[2] = {{&x1, b1, 0}, {&x2, b2, 0}};
    pthread_t th[2];
    pthread_barrier_init(&gate, NULL, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, cancel_run, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&gate);
    assert_int_equal(a[0].status, 200);
    assert_int_equal(a[1].status, 200);
    char o1[37], o2[37];
    assert_int_equal(wait_entry(&q[0], e1[0], "OFFERED", 5000, o1), 0); /* seat 1: qua */
    assert_int_equal(wait_entry(&q[2], e2[2], "OFFERED", 5000, o2), 0); /* seat 2: quc */
    assert_int_equal(wait_entry(&q[1], e1[1], "WAITING", 0, NULL), 0);
    assert_int_equal(wait_entry(&q[1], e2[1], "WAITING", 0, NULL), 0);
    assert_int_equal(position(&q[1], e1[1]), 1);
    assert_int_equal(position(&q[1], e2[1]), 1);
    expect_offer_in_history(&q[0], o1, NULL);
    expect_offer_in_history(&q[2], o2, NULL);
    fprintf(stderr, "two releases at once: seat 1 to its first (qua), seat 2 to its first (quc)\n");
}

/* The offered booking is readable at client-app as soon as the entry
 * names it, before (here: without) ticket-app's booking.created
 * notification: a suite of its own whose ticket-app notifies nobody. */
static void offer_readable_at_once(void **state)
{
    (void)state;
    static const char *const no_retry_env[] = {"HOLD_TTL_SECONDS=60", NULL};
    struct test_suite quiet;
    const struct test_suite_opts o = {
        .name = "wl_quiet", TEST_SUITE_BINARIES, .ticket_env = no_retry_env, .no_notifications = 1};
    assert_int_equal(test_suite_start(&quiet, &o), 0);
    const char *c0 = C, *t0 = T, *p0 = P;
    C = quiet.C;
    T = quiet.T;
    P = quiet.P;

    struct tuser A, B;
    user_new(&A, "quiet_ann");
    user_new(&B, "quiet_ben");
    char ev[37], seats[1][37], a_bid[37], eb[37], b_bid[37], path[128];
    new_event(1, ev, seats);
    const char *s[] = {seats[0]};
    book(&A, ev, s, 1, a_bid, NULL);
    struct tresp r;
    assert_int_equal(join(&B, ev, seats[0], &r), 201);
    snprintf(eb, sizeof eb, "%s", tstr(&r, "id"));
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", a_bid);
    assert_int_equal(tcall(C, "POST", path, A.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(wait_entry(&B, eb, "OFFERED", 10000, b_bid), 0);
    assert_int_equal((int)strlen(b_bid), 36);
    /* at once: no notification will ever bring it */
    snprintf(path, sizeof path, "/api/bookings/%s", b_bid);
    assert_int_equal(tcall(C, "GET", path, B.token, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "status"), "PENDING_PAYMENT");
    assert_string_equal(tstr(&r, "origin"), "waitlist");
    assert_string_equal(tstr(&r, "user_id"), B.id);
    assert_string_equal(tstr(&r, "event_id"), ev);
    tresp_free(&r);
    /* and it stays readable, in B's list too; not to A */
    assert_int_equal(tcall(C, "GET", path, B.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/bookings", B.token, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, b_bid));
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, A.token, NULL, NULL, &r), 404);
    tresp_free(&r);

    C = c0;
    T = t0;
    P = p0;
    assert_int_equal(test_suite_stop(&quiet), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offer_chain),
        cmocka_unit_test(concurrent_joins),
        cmocka_unit_test(concurrent_releases),
        cmocka_unit_test(offer_readable_at_once),
    };
    return cmocka_run_group_tests(tests, setup, test_suite_teardown);
}
