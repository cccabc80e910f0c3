/* test_people_e2e.c: the people around a sale, through client-app with the
 * real ticket-app and payment-app: the staff role (the gate and nothing
 * else), the gate (ADMITTED, ALREADY_CHECKED_IN, WRONG_EVENT naming the
 * ticket's event, a cancelled booking's ticket refused with reason
 * CANCELLED, the check-in list with counts). */
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
#include <sodium.h>

#include "client_testlib.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN
#define CODE_SECRET "e2e-code-secret" /* test_suite's TICKET_CODE_SECRET */
#define ADMIN_PW TS_ADMIN_PASSWORD
#define PW "people-password"

static const char *const people_client_env[] = {"TICKET_ADMIN_TOKEN=" TS_ADMIN_TOKEN, NULL};
static const char *const people_ticket_env[] = {"HOLD_TTL_SECONDS=5", "SWEEP_INTERVAL_MS=200",
                                                NULL};

static struct test_suite suite;
static const char *C, *T, *P; /* base URLs */
static char admin_token[65];

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    if (sodium_init() < 0)
        return -1;
    const struct test_suite_opts o = {.name = "people",
                                      TEST_SUITE_BINARIES,
                                      .client_env = people_client_env,
                                      .ticket_env = people_ticket_env};
    if (test_suite_start(&suite, &o) != 0)
        return -1;
    C = suite.C;
    T = suite.T;
    P = suite.P;
    if (tlogin(C, "admin", ADMIN_PW, admin_token) != 201)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_suite_stop(&suite);
}

/* ---- helpers ---- */

struct user {
    char name[24];
    char id[37];
    char token[65];
};

static void user_new(struct user *u, const char *name)
{
    char email[64];
    snprintf(u->name, sizeof u->name, "%s", name);
    snprintf(email, sizeof email, "%s@example.com", name);
    assert_int_equal(tuser_create(C, name, email, PW, u->id), 201);
    assert_int_equal(tlogin(C, name, PW, u->token), 201);
}

/* An event with one row of n seats named name; seat ids into ids. */
static void new_event(const char *name, int n, char ev[37], char ids[][37])
{
    struct tresp r;
    char body[640], path[96];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"venue\":\"Hall\",\"starts_at\":\"2030-06-01T12:30:00Z\","
             "\"timezone\":\"Asia/Jakarta\",\"currency\":\"IDR\",\"layout\":{\"sections\":"
             "[{\"name\":\"Floor\",\"rows\":[\"A\"],\"seats_per_row\":%d,\"price\":75000}]}}",
             name, n);
    assert_int_equal(tcall(T, "POST", "/api/events", ADMIN_TOKEN, body, NULL, &r), 201);
    snprintf(ev, 37, "%s", tstr(&r, "id"));
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal((int)json_array_size(items), n);
    for (int i = 0; i < n; i++)
        snprintf(ids[i], 37, "%s",
                 json_string_value(json_object_get(json_array_get(items, (size_t)i), "id")));
    tresp_free(&r);
}

/* Books one seat as u: 201; booking id and invoice out. */
static void book(const struct user *u, const char *ev, const char *seat, char bid[37], char inv[64])
{
    char body[256];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev, seat);
    struct tresp r;
    assert_int_equal(tcall(C, "POST", "/api/bookings", u->token, body, NULL, &r), 201);
    snprintf(bid, 37, "%s", tstr(&r, "id"));
    if (inv)
        snprintf(inv, 64, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
}

static void pay_invoice(const char *inv)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/invoices/%s/pay", inv);
    assert_int_equal(tcall(P, "POST", path, NULL, "{\"method\":\"card\"}", NULL, &r), 202);
    tresp_free(&r);
}

/* Polls u's booking until status (up to timeout_ms). */
static void wait_booking(const struct user *u, const char *bid, const char *want, int timeout_ms)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    for (int waited = 0;; waited += 100) {
        tcall(C, "GET", path, u->token, NULL, NULL, &r);
        if (r.status == 200 && strcmp(tstr(&r, "status"), want) == 0) {
            tresp_free(&r);
            return;
        }
        if (waited >= timeout_ms)
            break;
        tresp_free(&r);
        usleep(100 * 1000);
    }
    fprintf(stderr, "booking %s never became %s: %ld %s\n", bid, want, r.status, r.body);
    tresp_free(&r);
    fail();
}

/* A paid booking of one seat: its id. */
static void book_and_pay(const struct user *u, const char *ev, const char *seat, char bid[37])
{
    char inv[64];
    book(u, ev, seat, bid, inv);
    pay_invoice(inv);
    wait_booking(u, bid, "CONFIRMED", 15000);
}

/* The code printed on the ticket of (booking, seat) (ticket-app/src/ticket_code.h). */
static void ticket_code(const char *booking, const char *seat, char out[111])
{
    char msg[80];
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];
    snprintf(msg, sizeof msg, "TK1.%s.%s", booking, seat);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)CODE_SECRET, strlen(CODE_SECRET));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, 111, "%s.%.32s", msg, hex);
}

static long scan(const char *token, const char *code, const char *gate, struct tresp *r)
{
    char body[400];
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\",\"event_id\":\"%s\"}", code, gate);
    return tcall(C, "POST", "/api/checkins", token, body, NULL, r);
}

/* A user made staff by the admin. */
static void staff_new(struct user *u, const char *name)
{
    user_new(u, name);
    char path[96];
    struct tresp r;
    snprintf(path, sizeof path, "/api/users/%s", u->id);
    assert_int_equal(tcall(C, "PATCH", path, admin_token, "{\"role\":\"staff\"}", NULL, &r), 200);
    assert_string_equal(tstr(&r, "role"), "staff");
    tresp_free(&r);
}

/* ---- tests ---- */

/* Staff work the gate and nothing else; users and anonymous callers do not
 * reach the gate; only an admin gives the role. */
static void test_staff_role(void **state)
{
    (void)state;
    struct user s, u;
    staff_new(&s, "gatekeeper");
    user_new(&u, "plainuser");
    struct tresp r;
    char path[96];
    snprintf(path, sizeof path, "/api/users/%s", u.id);
    assert_int_equal(tcall(C, "PATCH", path, u.token, "{\"role\":\"staff\"}", NULL, &r), 403);
    tresp_free(&r);
    assert_int_equal(tcall(C, "PATCH", path, admin_token, "{\"role\":\"boss\"}", NULL, &r), 400);
    tresp_free(&r);

    assert_int_equal(tcall(C, "GET", "/api/users/me", s.token, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "role"), "staff");
    tresp_free(&r);
    static const char *const denied[][2] = {
        {"GET", "/api/bookings"},  {"POST", "/api/bookings"}, {"GET", "/api/waitlist"},
        {"POST", "/api/waitlist"}, {"GET", "/api/users"},     {"POST", "/api/admin/events"},
    };
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        const char *b = strcmp(denied[i][0], "GET") == 0 ? NULL : "{}";
        long st = tcall(C, denied[i][0], denied[i][1], s.token, b, NULL, &r);
        if (st != 403)
            fprintf(stderr, "%s %s: %ld %s\n", denied[i][0], denied[i][1], st, r.body);
        assert_int_equal(st, 403);
        assert_string_equal(terr(&r), "FORBIDDEN");
        tresp_free(&r);
    }
    const char *gate = "e0000000-0000-4000-8000-0000000000ee";
    assert_int_equal(scan(u.token, "TK1.x", gate, &r), 403);
    tresp_free(&r);
    assert_int_equal(scan(NULL, "TK1.x", gate, &r), 401);
    tresp_free(&r);
    assert_int_equal(
        tcall(C, "POST", "/api/checkins", s.token, "{\"ticket_code\":\"x\"}", NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    tresp_free(&r);
    /* Staff reach the gate (an unknown event there is 404). */
    assert_int_equal(scan(s.token, "TK1.x", gate, &r), 404);
    tresp_free(&r);
    printf("staff: /api/users/me 200, 6 other calls 403, the gate reached\n");
}

/* A paid ticket at its gate: ADMITTED, then ALREADY_CHECKED_IN; at another
 * event's gate WRONG_EVENT naming its event; a cancelled booking's ticket
 * INVALID_TICKET reason CANCELLED; the list counts what came in. */
static void test_gate(void **state)
{
    (void)state;
    struct user s, u;
    staff_new(&s, "gatestaff");
    user_new(&u, "concertgoer");
    char ev1[37], ev2[37], seats1[3][37], seats2[1][37];
    new_event("Gate Night", 3, ev1, seats1);
    new_event("Other Night", 1, ev2, seats2);
    char b1[37], b2[37], code[111], code2[111];
    book_and_pay(&u, ev1, seats1[0], b1);
    book_and_pay(&u, ev1, seats1[1], b2);
    ticket_code(b1, seats1[0], code);
    ticket_code(b2, seats1[1], code2);

    struct tresp r;
    assert_int_equal(scan(s.token, code, ev2, &r), 409);
    assert_string_equal(terr(&r), "WRONG_EVENT");
    assert_string_equal(tstr(&r, "error.details.event_id"), ev1);
    assert_string_equal(tstr(&r, "error.details.name"), "Gate Night");
    assert_string_equal(tstr(&r, "error.details.starts_at_local"), "2030-06-01T19:30:00+07:00");
    assert_string_equal(tstr(&r, "event.name"), "Other Night");
    printf("WRONG_EVENT: %s\n", r.body);
    tresp_free(&r);

    assert_int_equal(scan(s.token, code, ev1, &r), 200);
    assert_string_equal(tstr(&r, "status"), "ADMITTED");
    assert_string_equal(tstr(&r, "seat.label"), "A-1");
    assert_string_equal(tstr(&r, "event.name"), "Gate Night");
    printf("ADMITTED: %s\n", r.body);
    tresp_free(&r);
    assert_int_equal(scan(admin_token, code, ev1, &r), 409);
    assert_string_equal(terr(&r), "ALREADY_CHECKED_IN");
    assert_string_equal(tstr(&r, "event.name"), "Gate Night");
    tresp_free(&r);

    /* The second booking is cancelled (refunded): its ticket no longer admits. */
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b2);
    assert_int_equal(tcall(C, "POST", path, u.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(scan(s.token, code2, ev1, &r), 404);
    assert_string_equal(terr(&r), "INVALID_TICKET");
    assert_string_equal(tstr(&r, "error.details.reason"), "CANCELLED");
    assert_string_equal(tstr(&r, "event.name"), "Gate Night");
    tresp_free(&r);

    snprintf(path, sizeof path, "/api/events/%s/checkins", ev1);
    assert_int_equal(tcall(C, "GET", path, s.token, NULL, NULL, &r), 200);
    json_t *counts = json_object_get(r.json, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "checked_in")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "tickets")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    printf("check-in list: %s\n", r.body);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, u.token, NULL, NULL, &r), 403);
    tresp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_staff_role),
        cmocka_unit_test(test_gate),
    };
    return cmocka_run_group_tests_name("client_people_e2e", tests, setup, teardown);
}
