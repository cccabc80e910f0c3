/* test_queue_e2e.c: the waiting room through client-app with the real
 * ticket-app and payment-app: the pass rules of POST /api/bookings
 * (missing, forged, another user's, another event's, expired: 403; a
 * failed attempt keeps the pass, a successful one spends it; leaving
 * drops it), the pre-queue's shuffle at the opening (two openings, two
 * orders; nobody who joined before is behind anybody who joined after;
 * FIFO after), admission at the configured rate (a high one, with a
 * tolerance) in position order, and two client-app instances on one
 * database serving one queue (one admission at the opening, not two;
 * the same positions from both; nobody admitted twice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "client_testlib.h"
#include "common/rand.h"
#include "common/util.h"
#include "queue.h"
#include "test_suite.h"

#define QSECRET "e2e-queue-pass-secret"
#define NUSERS 40
#define PW "queue-pass-word"

static const char *const queue_client_env[] = {"TICKET_ADMIN_TOKEN=" TS_ADMIN_TOKEN,
                                               "QUEUE_PASS_SECRET=" QSECRET, "QUEUE_INTERVAL_MS=50",
                                               NULL};

static struct test_suite suite;
static const char *C, *T;
static char admin_tok[65];
static struct tuser users[NUSERS];

static int setup(void **state)
{
    (void)state;
    const struct test_suite_opts o = {
        .name = "queue", TEST_SUITE_BINARIES, .client_env = queue_client_env};
    if (test_suite_open(&suite, &o, &C, &T, NULL) != 0)
        return -1;
    if (tlogin(C, "admin", TS_ADMIN_PASSWORD, admin_tok) != 201)
        return -1;
    for (int i = 0; i < NUSERS; i++) {
        char name[24];
        snprintf(name, sizeof name, "q%02d", i);
        tuser_new(C, name, PW, &users[i]);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_suite_stop(&suite);
}

static void at(long offset_s, char out[40])
{
    time_t s = time(NULL) + offset_s;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* An event of n seats through client-app's admin route, its sales opening
 * at now + sales_in_s (0: open now), its queue at rate per minute. */
static void queue_event(int n, long sales_in_s, long rate, char ev[37])
{
    char starts[40], sales[40], body[1024], salesm[80] = "";
    at(10 * 86400, starts);
    if (sales_in_s > 0) {
        at(sales_in_s, sales);
        snprintf(salesm, sizeof salesm, ",\"sales_start_at\":\"%s\"", sales);
    }
    snprintf(body, sizeof body,
             "{\"name\":\"Queued\",\"venue\":\"Hall\",\"starts_at\":\"%s\"%s,"
             "\"layout\":{\"sections\":[{\"name\":\"F\",\"rows\":[\"A\"],\"seats_per_row\":%d,"
             "\"price\":1000}]},\"queue\":{\"enabled\":true,\"admit_per_minute\":%ld}}",
             starts, salesm, n, rate);
    struct tresp r;
    tcall(C, "POST", "/api/admin/events", admin_tok, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "create: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(ev, 37, "%s", tstr(&r, "id"));
    json_t *q = json_object_get(r.json, "queue");
    assert_true(json_is_true(json_object_get(q, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(q, "admit_per_minute")), rate);
    assert_int_equal(json_integer_value(json_object_get(q, "pass_ttl_seconds")), 600);
    tresp_free(&r);
}

static long join(const char *base, const struct tuser *u, const char *ev)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/events/%s/queue", ev);
    long st = tcall(base, "POST", path, u->token, NULL, NULL, &r);
    if (st == 200 || st == 201) {
        assert_string_equal(tstr(&r, "event_id"), ev);
        assert_true(uuid_valid(tstr(&r, "id")));
    }
    tresp_free(&r);
    return st;
}

/* GET .../queue/me of u at base into *r (tresp_free it); the status. */
static long me(const char *base, const struct tuser *u, const char *ev, struct tresp *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/events/%s/queue/me", ev);
    return tcall(base, "GET", path, u->token, NULL, NULL, r);
}

/* Waits (up to 10 s) until u is ADMITTED at ev; its pass into pass. */
static void wait_admitted(const struct tuser *u, const char *ev, char pass[QUEUE_PASS_MAX])
{
    for (int i = 0; i < 200; i++) {
        struct tresp r;
        assert_int_equal(me(C, u, ev, &r), 200);
        if (strcmp(tstr(&r, "status"), "ADMITTED") == 0) {
            snprintf(pass, QUEUE_PASS_MAX, "%s", tstr(&r, "pass"));
            assert_true(strlen(pass) > 100);
            assert_non_null(json_string_value(json_object_get(r.json, "pass_expires_at")));
            tresp_free(&r);
            return;
        }
        assert_true(json_is_null(json_object_get(r.json, "pass")));
        tresp_free(&r);
        usleep(50000);
    }
    fail_msg("%s not admitted in 10 s", u->name);
}

/* POST /api/bookings of seat at ev as u with pass (NULL: no header). */
static long book(const struct tuser *u, const char *ev, const char *seat, const char *pass,
                 char *reason, size_t rlen)
{
    char body[256], hdr[QUEUE_PASS_MAX + 32];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev, seat);
    snprintf(hdr, sizeof hdr, "X-Queue-Pass: %s", pass ? pass : "");
    const char *headers[] = {hdr, NULL};
    struct tresp r;
    long st = tcall(C, "POST", "/api/bookings", u->token, body, pass ? headers : NULL, &r);
    if (st == 403)
        assert_string_equal(terr(&r), "QUEUE_PASS_REQUIRED");
    if (reason)
        snprintf(reason, rlen, "%s", tstr(&r, "error.details.reason"));
    tresp_free(&r);
    return st;
}

static void seats_of(const char *ev, char ids[][37], int n)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    for (int i = 0; i < n; i++)
        snprintf(ids[i], 37, "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(r.json, "items"), (size_t)i), "id")));
    tresp_free(&r);
}

/* A number the client database answers (first column, first row). */
static long long dbnum(const char *sql, int n, const char *const *p)
{
    int ok = 1;
    char *v = test_db_scalar_params(suite.client_db, sql, n, p, &ok);
    assert_true(ok);
    long long x = v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return x;
}

static long long seq_of(const char *ev, const struct tuser *u)
{
    const char *p[2] = {ev, u->id};
    return dbnum("SELECT coalesce(seq, -1) FROM queue_tickets WHERE event_id = $1 AND user_id = $2",
                 2, p);
}

static void test_pass_rules(void **state)
{
    (void)state;
    char ev[37], other[37], seats[4][37], reason[32];
    char pa[QUEUE_PASS_MAX], pb[QUEUE_PASS_MAX], pc[QUEUE_PASS_MAX], pa_other[QUEUE_PASS_MAX];
    const struct tuser *a = &users[0], *b = &users[1], *c = &users[2];
    queue_event(4, 0, 60000, ev);
    queue_event(4, 0, 60000, other);
    seats_of(ev, seats, 4);

    /* an event without a queue has no line to join */
    struct tresp r;
    char plain[37], pids[1][37];
    char sbody[512], starts[40];
    at(10 * 86400, starts);
    snprintf(sbody, sizeof sbody,
             "{\"name\":\"Plain\",\"venue\":\"Hall\",\"starts_at\":\"%s\",\"layout\":{\"sections\":"
             "[{\"name\":\"F\",\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":1}]}}",
             starts);
    tevent_new(T, TS_ADMIN_TOKEN, C, sbody, 1, plain, pids);
    assert_int_equal(join(C, a, plain), 409);
    assert_int_equal(me(C, a, ev, &r), 404); /* never joined */
    tresp_free(&r);

    assert_int_equal(join(C, a, ev), 201);
    assert_int_equal(join(C, a, ev), 200); /* the same ticket */
    assert_int_equal(join(C, b, ev), 201);
    assert_int_equal(join(C, c, ev), 201);
    assert_int_equal(join(C, a, other), 201);
    wait_admitted(a, ev, pa);
    wait_admitted(b, ev, pb);
    wait_admitted(c, ev, pc);
    wait_admitted(a, other, pa_other);

    /* the rules, each a 403 with its reason */
    assert_int_equal(book(a, ev, seats[0], NULL, reason, sizeof reason), 403);
    assert_string_equal(reason, "MISSING");
    char forged[QUEUE_PASS_MAX];
    snprintf(forged, sizeof forged, "%s", pa);
    size_t n = strlen(forged);
    forged[n - 1] = forged[n - 1] == 'a' ? 'b' : 'a';
    assert_int_equal(book(a, ev, seats[0], forged, reason, sizeof reason), 403);
    assert_string_equal(reason, "FORGED");
    assert_int_equal(book(a, ev, seats[0], "qp1.not-a-pass", reason, sizeof reason), 403);
    assert_string_equal(reason, "FORGED");
    assert_int_equal(book(a, ev, seats[0], pb, reason, sizeof reason), 403);
    assert_string_equal(reason, "WRONG_USER");
    assert_int_equal(book(a, ev, seats[0], pa_other, reason, sizeof reason), 403);
    assert_string_equal(reason, "WRONG_EVENT");
    /* a genuine pass of a's ticket whose time ran out (signed here with the
     * server's key, as it would have been) */
    char tid[37], expired[QUEUE_PASS_MAX];
    assert_int_equal(queue_pass_verify(QSECRET, pa, a->id, ev, time(NULL), tid), QP_OK);
    assert_int_equal(
        queue_pass_sign(QSECRET, tid, ev, a->id, time(NULL) - 1, expired, sizeof expired), 0);
    assert_int_equal(book(a, ev, seats[0], expired, reason, sizeof reason), 403);
    assert_string_equal(reason, "EXPIRED");
    /* nothing above was recorded as an attempt */
    const char *pu[1] = {a->id};
    assert_int_equal(dbnum("SELECT count(*) FROM bookings WHERE user_id = $1", 1, pu), 0);

    /* the pass buys once */
    assert_int_equal(book(a, ev, seats[0], pa, NULL, 0), 201);
    assert_int_equal(book(a, ev, seats[1], pa, reason, sizeof reason), 403);
    assert_string_equal(reason, "SPENT");
    /* a failed attempt (the seat is a's) keeps b's pass; the next one spends it */
    assert_int_equal(book(b, ev, seats[0], pb, NULL, 0), 409);
    assert_int_equal(book(b, ev, seats[1], pb, NULL, 0), 201);
    assert_int_equal(book(b, ev, seats[2], pb, reason, sizeof reason), 403);
    assert_string_equal(reason, "SPENT");

    /* the pass's time, as the database keeps it: the ticket shows EXPIRED
     * and the pass (still signed for later) no longer buys */
    const char *pe[2] = {ev, c->id};
    assert_int_equal(texec(suite.client_db,
                           "UPDATE queue_tickets SET pass_expires_at = now() - interval '1 s' "
                           " WHERE event_id = $1 AND user_id = $2",
                           2, pe),
                     0);
    assert_int_equal(me(C, c, ev, &r), 200);
    assert_string_equal(tstr(&r, "status"), "EXPIRED");
    assert_true(json_is_null(json_object_get(r.json, "pass")));
    tresp_free(&r);
    assert_int_equal(book(c, ev, seats[2], pc, reason, sizeof reason), 403);
    assert_string_equal(reason, "EXPIRED");
    /* joining again: the back of the line, the same ticket, a new pass */
    char tid_c[37];
    assert_int_equal(queue_pass_verify(QSECRET, pc, c->id, ev, time(NULL), tid_c), QP_OK);
    assert_int_equal(join(C, c, ev), 200);
    wait_admitted(c, ev, pc);
    assert_int_equal(queue_pass_verify(QSECRET, pc, c->id, ev, time(NULL), tid), QP_OK);
    assert_string_equal(tid, tid_c);
    /* leaving drops the pass */
    char path[128];
    snprintf(path, sizeof path, "/api/events/%s/queue/me", ev);
    assert_int_equal(tcall(C, "DELETE", path, c->token, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_int_equal(tcall(C, "DELETE", path, c->token, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_int_equal(me(C, c, ev, &r), 200);
    assert_string_equal(tstr(&r, "status"), "LEFT");
    tresp_free(&r);
    assert_int_equal(book(c, ev, seats[2], pc, reason, sizeof reason), 403);
    assert_string_equal(reason, "LEFT");

    /* the admin's figures; not for users */
    snprintf(path, sizeof path, "/api/events/%s/queue", ev);
    assert_int_equal(tcall(C, "GET", path, a->token, NULL, NULL, &r), 403);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, admin_tok, NULL, NULL, &r), 200);
    json_t *j = r.json;
    assert_int_equal(json_integer_value(json_object_get(j, "waiting")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "admitted")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "expired")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "admit_per_minute")), 60000);
    tresp_free(&r);
    /* turned off: no pass needed any more */
    snprintf(path, sizeof path, "/api/admin/events/%s", ev);
    assert_int_equal(
        tcall(C, "PATCH", path, admin_tok, "{\"queue\":{\"enabled\":false}}", NULL, &r), 200);
    assert_false(json_is_true(json_object_get(json_object_get(r.json, "queue"), "enabled")));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "queue"), "admit_per_minute")),
        60000);
    tresp_free(&r);
    assert_int_equal(book(c, ev, seats[3], NULL, NULL, 0), 201);
    /* bad settings are 400 and change nothing */
    assert_int_equal(
        tcall(C, "PATCH", path, admin_tok, "{\"queue\":{\"admit_per_minute\":0}}", NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    tresp_free(&r);
}

/* Two attempts with one pass at the same moment (threads). */
struct racer {
    const struct tuser *u;
    const char *ev, *seat, *pass;
    long status;
    char reason[32];
};

static void *race_book(void *arg)
{
    struct racer *r = arg;
    r->status = book(r->u, r->ev, r->seat, r->pass, r->reason, sizeof r->reason);
    return NULL;
}

static void test_pass_race_and_replay(void **state)
{
    (void)state;
    enum { N = 5 };
    char ev[37], seats[2 * N + 2][37], pass[N][QUEUE_PASS_MAX];
    queue_event(2 * N + 2, 0, 60000, ev);
    seats_of(ev, seats, 2 * N + 2);
    for (int i = 0; i < N; i++)
        assert_int_equal(join(C, &users[4 + i], ev), 201);
    for (int i = 0; i < N; i++)
        wait_admitted(&users[4 + i], ev, pass[i]);
    /* each pass raced by two attempts for two different seats: one buys */
    for (int i = 0; i < N; i++) {
        struct racer a = {&users[4 + i], ev, seats[2 * i], pass[i], 0, ""};
        struct racer b = {&users[4 + i], ev, seats[2 * i + 1], pass[i], 0, ""};
        pthread_t ta, tb;
        assert_int_equal(pthread_create(&ta, NULL, race_book, &a), 0);
        assert_int_equal(pthread_create(&tb, NULL, race_book, &b), 0);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        assert_int_equal((a.status == 201) + (b.status == 201), 1);
        assert_int_equal((a.status == 403) + (b.status == 403), 1);
        assert_string_equal(a.status == 403 ? a.reason : b.reason, "SPENT");
        const char *p[2] = {ev, users[4 + i].id};
        assert_int_equal(
            dbnum("SELECT count(*) FROM bookings WHERE event_id = $1 AND user_id = $2", 2, p), 1);
    }
    /* an Idempotency-Key's replay answers the first answer again, pass or not */
    struct tuser *u = &users[9];
    char pz[QUEUE_PASS_MAX], body[256], hpass[QUEUE_PASS_MAX + 32];
    assert_int_equal(join(C, u, ev), 201);
    wait_admitted(u, ev, pz);
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev, seats[2 * N]);
    snprintf(hpass, sizeof hpass, "X-Queue-Pass: %s", pz);
    const char *h[] = {hpass, "Idempotency-Key: queue-replay-1", NULL};
    struct tresp r1, r2;
    assert_int_equal(tcall(C, "POST", "/api/bookings", u->token, body, h, &r1), 201);
    assert_int_equal(tcall(C, "POST", "/api/bookings", u->token, body, h, &r2), 201);
    assert_string_equal(tstr(&r1, "id"), tstr(&r2, "id"));
    tresp_free(&r1);
    tresp_free(&r2);
    /* a new key with the spent pass buys nothing */
    const char *h2[] = {hpass, "Idempotency-Key: queue-replay-2", NULL};
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev,
             seats[2 * N + 1]);
    assert_int_equal(tcall(C, "POST", "/api/bookings", u->token, body, h2, &r1), 403);
    assert_string_equal(tstr(&r1, "error.details.reason"), "SPENT");
    tresp_free(&r1);
}

/* The users from..to-1 join ev in that order at base. */
static void join_all(const char *base, const char *ev, int from, int to)
{
    for (int i = from; i < to; i++)
        assert_int_equal(join(base, &users[i], ev), 201);
}

/* Waits until every one of users from..to-1 is numbered at ev. */
static void wait_numbered(const char *ev, int from, int to)
{
    for (int k = 0; k < 200; k++) {
        int all = 1;
        for (int i = from; i < to && all; i++)
            all = seq_of(ev, &users[i]) > 0;
        if (all)
            return;
        usleep(50000);
    }
    fail_msg("not numbered in 10 s");
}

/* One opening: users 0..npre-1 join before sales open (in that order),
 * npre..npre+npost-1 after; order[i] receives user i's number. */
static void opening(int npre, int npost, long long *order)
{
    char ev[37];
    queue_event(2, 4, 1, ev); /* one admission a minute: the line stays */
    join_all(C, ev, 0, npre);
    for (int i = 0; i < npre; i++)
        assert_int_equal(seq_of(ev, &users[i]), -1); /* no place before the opening */
    struct tresp r;
    assert_int_equal(me(C, &users[0], ev, &r), 200);
    assert_true(json_is_null(json_object_get(r.json, "position")));
    assert_true(json_integer_value(json_object_get(r.json, "estimated_wait_seconds")) <= 4);
    tresp_free(&r);
    wait_numbered(ev, 0, npre);
    join_all(C, ev, npre, npre + npost);
    wait_numbered(ev, npre, npre + npost);
    long long max_pre = 0;
    for (int i = 0; i < npre + npost; i++) {
        order[i] = seq_of(ev, &users[i]);
        if (i < npre && order[i] > max_pre)
            max_pre = order[i];
    }
    /* everybody who came before the opening is ahead of everybody after;
     * after it, first come first served */
    for (int i = npre; i < npre + npost; i++) {
        assert_true(order[i] > max_pre);
        if (i > npre)
            assert_true(order[i] > order[i - 1]);
    }
    /* the positions the users read follow the numbers */
    const char *pe[1] = {ev};
    long long upto = dbnum("SELECT admitted_upto FROM event_queues WHERE event_id = $1", 1, pe);
    assert_int_equal(dbnum("SELECT admitted_total FROM event_queues WHERE event_id = $1", 1, pe),
                     1);
    for (int i = 0; i < npre + npost; i++) {
        assert_int_equal(me(C, &users[i], ev, &r), 200);
        if (strcmp(tstr(&r, "status"), "WAITING") == 0)
            assert_int_equal(json_integer_value(json_object_get(r.json, "position")),
                             order[i] - upto);
        else
            assert_int_equal(order[i], 1); /* the one admitted: the first */
        tresp_free(&r);
    }
    /* closed, so that it admits nobody during the next tests */
    char path[128];
    snprintf(path, sizeof path, "/api/admin/events/%s", ev);
    assert_int_equal(
        tcall(C, "PATCH", path, admin_tok, "{\"queue\":{\"enabled\":false}}", NULL, &r), 200);
    tresp_free(&r);
}

static void test_shuffle(void **state)
{
    (void)state;
    enum { PRE = 20, POST = 5 };
    long long one[PRE + POST], two[PRE + POST];
    opening(PRE, POST, one);
    opening(PRE, POST, two);
    int same = 1, arrival = 1;
    for (int i = 0; i < PRE; i++) {
        same &= one[i] == two[i];
        arrival &= one[i] == i + 1;
    }
    assert_false(same);    /* two openings, two draws (the same: 1 in 20!) */
    assert_false(arrival); /* and not the order of arrival */
}

static long long stat_of(const char *base, const char *ev, const char *field)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/events/%s/queue", ev);
    assert_int_equal(tcall(base, "GET", path, admin_tok, NULL, NULL, &r), 200);
    long long v = json_integer_value(json_object_get(r.json, field));
    tresp_free(&r);
    return v;
}

/* No ticket still waiting is ahead of one admitted. */
static void assert_in_order(const char *ev)
{
    const char *p[1] = {ev};
    assert_int_equal(dbnum("SELECT count(*) FROM queue_tickets w, queue_tickets a "
                           " WHERE w.event_id = $1 AND a.event_id = $1 "
                           "   AND w.status = 'WAITING' AND a.status = 'ADMITTED' "
                           "   AND w.seq < a.seq",
                           1, p),
                     0);
}

static void test_admission_rate(void **state)
{
    (void)state;
    enum { N = 40, RATE = 600 }; /* ten a second */
    char ev[37];
    queue_event(2, 3, RATE, ev);
    join_all(C, ev, 0, N);
    while (stat_of(C, ev, "admitted_total") == 0)
        usleep(20000);
    int64_t t0 = mono_ms();
    long long a0 = stat_of(C, ev, "admitted_total");
    usleep(2000000);
    long long a1 = stat_of(C, ev, "admitted_total");
    int64_t t1 = mono_ms();
    assert_in_order(ev);
    double expect = (double)(t1 - t0) / 1000.0 * RATE / 60.0; /* about 20 */
    double got = (double)(a1 - a0);
    fprintf(stderr, "admitted %.0f in %.2f s at %d a minute (expected %.1f)\n", got,
            (double)(t1 - t0) / 1000.0, RATE, expect);
    assert_true(got >= expect * 0.75 - 1 && got <= expect * 1.25 + 2);
    /* and all of them, each once */
    for (int i = 0; i < 200 && stat_of(C, ev, "admitted_total") < N; i++)
        usleep(50000);
    const char *p[1] = {ev};
    assert_int_equal(stat_of(C, ev, "admitted_total"), N);
    assert_int_equal(stat_of(C, ev, "waiting"), 0);
    assert_int_equal(
        dbnum("SELECT count(*) FROM queue_tickets WHERE event_id = $1 AND status = 'ADMITTED'", 1,
              p),
        N);
}

/* A sale moved at ticket-app itself (not through client-app): the next
 * read of the event brings the queue's opening in step. */
static void test_sales_moved(void **state)
{
    (void)state;
    char ev[37], path[128], body[128], sales[40];
    queue_event(2, 3600, 600, ev);
    assert_int_equal(join(C, &users[3], ev), 201);
    usleep(300000);
    assert_int_equal(seq_of(ev, &users[3]), -1); /* an hour to go */
    at(2, sales);
    snprintf(path, sizeof path, "/api/events/%s", ev);
    snprintf(body, sizeof body, "{\"sales_start_at\":\"%s\"}", sales);
    struct tresp r;
    assert_int_equal(tcall(T, "PATCH", path, TS_ADMIN_TOKEN, body, NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(json_object_get(r.json, "queue"), "enabled")));
    tresp_free(&r);
    wait_numbered(ev, 3, 4);
    char pass[QUEUE_PASS_MAX];
    wait_admitted(&users[3], ev, pass);
    /* the event cancelled: its line closes; deleted: the line goes too */
    snprintf(path, sizeof path, "/api/admin/events/%s/cancel", ev);
    assert_int_equal(tcall(C, "POST", path, admin_tok, NULL, NULL, &r), 200);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s/queue", ev);
    assert_int_equal(tcall(C, "GET", path, admin_tok, NULL, NULL, &r), 200);
    assert_false(json_is_true(json_object_get(r.json, "enabled")));
    tresp_free(&r);
    assert_int_equal(join(C, &users[4], ev), 409);
    snprintf(path, sizeof path, "/api/admin/events/%s", ev);
    assert_int_equal(tcall(C, "DELETE", path, admin_tok, NULL, NULL, &r), 204);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s/queue", ev);
    assert_int_equal(tcall(C, "GET", path, admin_tok, NULL, NULL, &r), 404);
    tresp_free(&r);
}

/* client_queue_total{event="admitted"} of the instance at base. */
static long long admitted_metric(const char *base)
{
    struct tresp r;
    assert_int_equal(tcall(base, "GET", "/metrics", NULL, NULL, NULL, &r), 200);
    const char *m = strstr(r.body, "client_queue_total{event=\"admitted\"} ");
    assert_non_null(m);
    long long v = strtoll(m + strlen("client_queue_total{event=\"admitted\"} "), NULL, 10);
    tresp_free(&r);
    return v;
}

static void test_two_instances(void **state)
{
    (void)state;
    struct test_daemon second;
    assert_int_equal(test_daemon_start(&second, "client-app-2", CLIENT_APP_BIN, "CLIENT_APP_PORT",
                                       0, suite.env[0]),
                     0);
    const char *C2 = second.base_url;
    long long m0 = admitted_metric(C) + admitted_metric(C2);
    char ev[37];
    queue_event(2, 3, 1, ev);
    /* half the crowd at each instance, alternating */
    for (int i = 0; i < NUSERS; i++)
        assert_int_equal(join(i % 2 ? C2 : C, &users[i], ev), 201);
    assert_int_equal(join(C2, &users[0], ev), 200); /* the same ticket from the other */
    wait_numbered(ev, 0, NUSERS);
    usleep(300000); /* several steps of both instances after the opening */
    /* one admission at one a minute, not one per instance */
    assert_int_equal(stat_of(C, ev, "admitted_total"), 1);
    assert_int_equal(stat_of(C2, ev, "admitted"), 1);
    /* the same positions from both, each place once */
    int seen[NUSERS + 1] = {0};
    for (int i = 0; i < NUSERS; i++) {
        struct tresp r1, r2;
        assert_int_equal(me(C, &users[i], ev, &r1), 200);
        assert_int_equal(me(C2, &users[i], ev, &r2), 200);
        assert_string_equal(tstr(&r1, "status"), tstr(&r2, "status"));
        json_int_t p1 = json_integer_value(json_object_get(r1.json, "position"));
        json_int_t p2 = json_integer_value(json_object_get(r2.json, "position"));
        assert_int_equal(p1, p2);
        assert_true(p1 >= 0 && p1 < NUSERS);
        seen[p1]++;
        tresp_free(&r1);
        tresp_free(&r2);
    }
    for (int p = 0; p < NUSERS; p++)
        assert_int_equal(seen[p], 1); /* 0 (the admitted one), 1..NUSERS-1 */
    /* faster now: both instances step the queue; each ticket admitted once */
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/admin/events/%s", ev);
    assert_int_equal(
        tcall(C2, "PATCH", path, admin_tok, "{\"queue\":{\"admit_per_minute\":1200}}", NULL, &r),
        200);
    tresp_free(&r);
    for (int i = 0; i < 200 && stat_of(C, ev, "admitted_total") < NUSERS; i++)
        usleep(50000);
    usleep(300000);
    assert_int_equal(stat_of(C, ev, "admitted_total"), NUSERS);
    assert_int_equal(stat_of(C2, ev, "admitted"), NUSERS);
    assert_in_order(ev);
    /* what the two instances counted admitting adds up to the crowd */
    assert_int_equal(admitted_metric(C) + admitted_metric(C2) - m0, NUSERS);
    assert_int_equal(test_daemon_stop(&second), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass_rules),  cmocka_unit_test(test_pass_race_and_replay),
        cmocka_unit_test(test_shuffle),     cmocka_unit_test(test_admission_rate),
        cmocka_unit_test(test_sales_moved), cmocka_unit_test(test_two_instances),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
