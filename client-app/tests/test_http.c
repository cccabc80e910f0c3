/* test_http.c: a real client-app on the test PostgreSQL, driven over HTTP:
 * users, sessions, roles, 404 for others' objects, hostile input, ticket-app
 * unreachable (503 and a FAILED history entry), idempotency, signed
 * notifications (version order, dedupe, stored PDF), rate limiting. */
#include <pthread.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "client_testlib.h"
#include "common/sig.h"
#include "testsupport.h"

#define ADMIN_PW "admin-pass-123"
#define SECRET "notify-secret-for-tests"
#define EV "0b1e0c5a-1d2b-4c3d-9e4f-5a6b7c8d9e0f"
#define S1 "11111111-1111-4111-8111-111111111111"
#define S2 "22222222-2222-4222-8222-222222222222"

static struct test_daemon app;
static char db_uri[512];
static const char *B; /* base URL */

static int start_app(struct test_daemon *d, const char *rate, char *uri, size_t urilen)
{
    if (test_db_create("client", NULL, uri, urilen) < 0)
        return -1;
    char dburl[600], ticket[64], ratev[64];
    snprintf(dburl, sizeof dburl, "DATABASE_URL=%s", uri);
    /* nothing listens there: ticket-app is "down" for the whole test */
    snprintf(ticket, sizeof ticket, "TICKET_APP_URL=http://127.0.0.1:%d", test_free_port());
    snprintf(ratev, sizeof ratev, "RATE_LIMIT_PER_MINUTE=%s", rate);
    const char *env[] = {dburl,
                         ticket,
                         ratev,
                         "TICKET_SERVICE_TOKEN=svc-token",
                         "NOTIFY_SECRET=" SECRET,
                         "ADMIN_PASSWORD=" ADMIN_PW,
                         "TICKET_TIMEOUT_MS=2000",
                         "DB_POOL_SIZE=4",
                         "HTTP_WORKERS=4",
                         "LOG_LEVEL=info",
                         NULL};
    return test_daemon_start(d, "client-app", CLIENT_APP_BIN, "CLIENT_APP_PORT", 0, env);
}

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    if (start_app(&app, "0", db_uri, sizeof db_uri) < 0)
        return -1;
    B = app.base_url;
    return 0;
}

/* 0 if the daemon stopped with exit code 0 (no sanitizer report). */
static int stop_clean(struct test_daemon *d)
{
    int st = test_daemon_stop(d);
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        fprintf(stderr, "%s exited with status %d, log %s\n", d->name, st, d->log_path);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return stop_clean(&app);
}

static long post(const char *path, const char *bearer, const char *body, struct tresp *r)
{
    return tcall(B, "POST", path, bearer, body, NULL, r);
}

static long get(const char *path, const char *bearer, struct tresp *r)
{
    return tcall(B, "GET", path, bearer, NULL, NULL, r);
}

/* Creates a user and logs in; id and token filled. */
static void new_user(const char *name, char id[37], char token[65])
{
    char email[96];
    snprintf(email, sizeof email, "%s@example.com", name);
    assert_int_equal(tuser_create(B, name, email, "password-123", id), 201);
    assert_int_equal(tlogin(B, name, "password-123", token), 201);
}

static void admin_token(char token[65])
{
    assert_int_equal(tlogin(B, "admin", ADMIN_PW, token), 201);
}

static void users_crud_and_errors(void **state)
{
    (void)state;
    struct tresp r;
    char id[37], tok[65], adm[65], path[128];

    assert_int_equal(post("/api/users", NULL,
                          "{\"username\":\"alice\",\"email\":\"Alice@Example.com\","
                          "\"password\":\"wonderland\",\"full_name\":\"Alice A.\"}",
                          &r),
                     201);
    assert_string_equal(tstr(&r, "username"), "alice");
    assert_string_equal(tstr(&r, "role"), "user");
    assert_string_equal(tstr(&r, "full_name"), "Alice A.");
    assert_true(strlen(tstr(&r, "created_at")) > 0);
    assert_null(strstr(r.body, "argon2"));
    assert_null(json_object_get(r.json, "password"));
    snprintf(id, sizeof id, "%s", tstr(&r, "id"));
    tresp_free(&r);

    /* taken, case-insensitively */
    post("/api/users", NULL,
         "{\"username\":\"ALICE\",\"email\":\"x@example.com\",\"password\":\"wonderland\"}", &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(terr(&r), "USERNAME_TAKEN");
    tresp_free(&r);
    post("/api/users", NULL,
         "{\"username\":\"alice2\",\"email\":\"alice@EXAMPLE.com\",\"password\":\"wonderland\"}",
         &r);
    assert_int_equal(r.status, 409);
    assert_string_equal(terr(&r), "EMAIL_TAKEN");
    tresp_free(&r);

    /* validation, with details per field */
    post("/api/users", NULL, "{\"username\":\"a\",\"email\":\"nope\",\"password\":\"short\"}", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
    assert_non_null(json_object_get(details, "username"));
    assert_non_null(json_object_get(details, "email"));
    assert_non_null(json_object_get(details, "password"));
    tresp_free(&r);
    post("/api/users", NULL, "{\"username\":", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(terr(&r), "MALFORMED_JSON");
    tresp_free(&r);
    post("/api/users", NULL, "[1,2]", &r);
    assert_int_equal(r.status, 400);
    tresp_free(&r);
    /* anyone may not make themselves admin */
    post("/api/users", NULL,
         "{\"username\":\"mallory\",\"email\":\"m@example.com\",\"password\":\"password-1\","
         "\"role\":\"admin\"}",
         &r);
    assert_int_equal(r.status, 403);
    tresp_free(&r);

    /* log in by username and by email (any case) */
    assert_int_equal(tlogin(B, "alice", "wonderland", tok), 201);
    assert_int_equal(strlen(tok), 64);
    assert_int_equal(tlogin(B, "ALICE@example.COM", "wonderland", NULL), 201);
    post("/api/sessions", NULL, "{\"login\":\"alice\",\"password\":\"wrong-password\"}", &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(terr(&r), "INVALID_CREDENTIALS");
    tresp_free(&r);
    post("/api/sessions", NULL, "{\"login\":\"nobody\",\"password\":\"wrong-password\"}", &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(terr(&r), "INVALID_CREDENTIALS");
    tresp_free(&r);
    post("/api/sessions", NULL, "{\"login\":\"alice\"}", &r);
    assert_int_equal(r.status, 400);
    tresp_free(&r);
    post("/api/sessions", NULL, "{\"login\":\"alice\",\"password\":\"wonderland\"}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(tstr(&r, "user.username"), "alice");
    assert_true(strlen(tstr(&r, "expires_at")) > 0);
    tresp_free(&r);

    /* me, own id */
    assert_int_equal(get("/api/users/me", tok, &r), 200);
    assert_string_equal(tstr(&r, "id"), id);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/users/%s", id);
    assert_int_equal(get(path, tok, &r), 200);
    tresp_free(&r);
    assert_int_equal(tcall(B, "PATCH", path, tok, "{\"full_name\":\"Alice Liddell\"}", NULL, &r),
                     200);
    assert_string_equal(tstr(&r, "full_name"), "Alice Liddell");
    tresp_free(&r);
    assert_int_equal(tcall(B, "PATCH", path, tok, "{\"role\":\"admin\"}", NULL, &r), 403);
    assert_string_equal(terr(&r), "FORBIDDEN");
    tresp_free(&r);
    assert_int_equal(tcall(B, "PATCH", path, tok, "{\"email\":\"bad\"}", NULL, &r), 400);
    tresp_free(&r);
    assert_int_equal(tcall(B, "PATCH", path, tok, "{\"username\":\"other\"}", NULL, &r), 400);
    tresp_free(&r);

    /* no token, bad tokens */
    assert_int_equal(get("/api/users/me", NULL, &r), 401);
    assert_string_equal(terr(&r), "UNAUTHENTICATED");
    tresp_free(&r);
    assert_int_equal(get("/api/users/me", "not-a-token", &r), 401);
    tresp_free(&r);
    assert_int_equal(get("/api/users/me",
                         "0000000000000000000000000000000000000000000000000000000000000000", &r),
                     401);
    tresp_free(&r);

    /* someone else's user: 404, never 403 */
    char bid[37], btok[65];
    new_user("bob", bid, btok);
    assert_int_equal(get(path, btok, &r), 404);
    assert_string_equal(terr(&r), "NOT_FOUND");
    tresp_free(&r);
    assert_int_equal(tcall(B, "PATCH", path, btok, "{\"full_name\":\"x\"}", NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(B, "DELETE", path, btok, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(get("/api/users/not-a-uuid", btok, &r), 404);
    tresp_free(&r);
    assert_int_equal(get("/api/users", btok, &r), 403);
    tresp_free(&r);

    /* admin sees and changes everyone */
    admin_token(adm);
    assert_int_equal(get("/api/users?limit=2", adm, &r), 200);
    assert_true(json_integer_value(json_object_get(r.json, "total")) >= 3);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(r.json, "limit")), 2);
    assert_null(strstr(r.body, "argon2"));
    tresp_free(&r);
    assert_int_equal(get("/api/users?limit=0", adm, &r), 400);
    tresp_free(&r);
    assert_int_equal(get(path, adm, &r), 200);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/users/%s", bid);
    assert_int_equal(tcall(B, "PATCH", path, adm, "{\"role\":\"admin\"}", NULL, &r), 200);
    assert_string_equal(tstr(&r, "role"), "admin");
    tresp_free(&r);
    /* bob is admin now: his token gets the list */
    assert_int_equal(get("/api/users", btok, &r), 200);
    tresp_free(&r);
    /* email taken on PATCH */
    assert_int_equal(tcall(B, "PATCH", path, btok, "{\"email\":\"ALICE@example.com\"}", NULL, &r),
                     409);
    assert_string_equal(terr(&r), "EMAIL_TAKEN");
    tresp_free(&r);
    /* an admin may create admins, and delete anyone */
    assert_int_equal(post("/api/users", adm,
                          "{\"username\":\"root2\",\"email\":\"root2@example.com\","
                          "\"password\":\"password-1\",\"role\":\"admin\"}",
                          &r),
                     201);
    assert_string_equal(tstr(&r, "role"), "admin");
    snprintf(path, sizeof path, "/api/users/%s", tstr(&r, "id"));
    tresp_free(&r);
    assert_int_equal(tcall(B, "DELETE", path, adm, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_int_equal(get(path, adm, &r), 404);
    tresp_free(&r);
}

static void password_change_and_logout_revoke(void **state)
{
    (void)state;
    struct tresp r;
    char id[37], t1[65], t2[65], path[128];
    new_user("carol", id, t1);
    assert_int_equal(tlogin(B, "carol", "password-123", t2), 201);
    /* logout kills only that token */
    assert_int_equal(tcall(B, "DELETE", "/api/sessions/current", t1, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_int_equal(get("/api/users/me", t1, &r), 401);
    tresp_free(&r);
    assert_int_equal(tcall(B, "DELETE", "/api/sessions/current", t1, NULL, NULL, &r), 401);
    tresp_free(&r);
    assert_int_equal(get("/api/users/me", t2, &r), 200);
    tresp_free(&r);
    /* a new password ends every session */
    snprintf(path, sizeof path, "/api/users/%s", id);
    assert_int_equal(tcall(B, "PATCH", path, t2, "{\"password\":\"new-password-9\"}", NULL, &r),
                     200);
    tresp_free(&r);
    assert_int_equal(get("/api/users/me", t2, &r), 401);
    tresp_free(&r);
    assert_int_equal(tlogin(B, "carol", "password-123", NULL), 401);
    assert_int_equal(tlogin(B, "carol", "new-password-9", t1), 201);
    /* deleting the user ends its sessions, frees the name */
    assert_int_equal(tcall(B, "DELETE", path, t1, NULL, NULL, &r), 204);
    tresp_free(&r);
    assert_int_equal(get("/api/users/me", t1, &r), 401);
    tresp_free(&r);
    assert_int_equal(tlogin(B, "carol", "new-password-9", NULL), 401);
    assert_int_equal(tuser_create(B, "carol", "carol@example.com", "password-456", NULL), 201);
    /* the token is stored only hashed */
    char *n = test_db_scalar_params(db_uri, "SELECT count(*) FROM sessions WHERE token_hash = $1",
                                    1, (const char *[]){t2}, NULL);
    assert_string_equal(n, "0");
    free(n);
}

static void hostile_strings(void **state)
{
    (void)state;
    struct tresp r;
    char id[37], tok[65], path[128];
    new_user("hostile", id, tok);
    snprintf(path, sizeof path, "/api/users/%s", id);
    const char *names[] = {"Robert'); DROP TABLE users;--",
                           "\" OR 1=1 --",
                           "<script>alert(1)</script>",
                           "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x8e\xab",
                           "%s%s%n%x",
                           "\\\\ backslash"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_t *b = json_pack("{s:s}", "full_name", names[i]);
        char *text = json_dumps(b, 0);
        assert_int_equal(tcall(B, "PATCH", path, tok, text, NULL, &r), 200);
        tresp_free(&r);
        assert_int_equal(get("/api/users/me", tok, &r), 200);
        assert_string_equal(tstr(&r, "full_name"), names[i]);
        tresp_free(&r);
        free(text);
        json_decref(b);
    }
    char *n = test_db_scalar(db_uri, "SELECT count(*) > 0 FROM users", NULL);
    assert_string_equal(n, "t");
    free(n);
    /* SQL-looking usernames are refused, as are long ones */
    post("/api/users", NULL,
         "{\"username\":\"x' OR '1'='1\",\"email\":\"h1@example.com\",\"password\":\"password-1\"}",
         &r);
    assert_int_equal(r.status, 400);
    tresp_free(&r);
    char big[400];
    memset(big, 'n', 101);
    big[101] = 0;
    char body[600];
    snprintf(body, sizeof body, "{\"full_name\":\"%s\"}", big);
    assert_int_equal(tcall(B, "PATCH", path, tok, body, NULL, &r), 400);
    tresp_free(&r);
    /* not UTF-8, embedded NUL */
    assert_int_equal(tcall(B, "PATCH", path, tok, "{\"full_name\":\"bad \xff\xfe\"}", NULL, &r),
                     400);
    tresp_free(&r);
    assert_int_equal(tcall(B, "PATCH", path, tok, "{\"full_name\":\"nul\\u0000x\"}", NULL, &r),
                     400);
    tresp_free(&r);
    /* over 1 MiB: 413 */
    size_t sz = 1100 * 1024;
    char *huge = malloc(sz + 64);
    strcpy(huge, "{\"full_name\":\"");
    memset(huge + 14, 'a', sz);
    strcpy(huge + 14 + sz, "\"}");
    assert_int_equal(tcall(B, "PATCH", path, tok, huge, NULL, &r), 413);
    tresp_free(&r);
    free(huge);
    /* the daemon is still fine */
    assert_int_equal(get("/healthz", NULL, &r), 200);
    tresp_free(&r);
}

static void bookings_with_ticket_app_down(void **state)
{
    (void)state;
    struct tresp r;
    char id[37], tok[65], oid[37], otok[65], adm[65], path[160];
    new_user("dave", id, tok);
    new_user("eve", oid, otok);
    const char *req = "{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S1 "\",\"" S2 "\"]}";

    /* validation failures are 400 and not recorded */
    post("/api/bookings", tok, "{\"event_id\":\"" EV "\",\"seat_ids\":[]}", &r);
    assert_int_equal(r.status, 400);
    tresp_free(&r);
    post("/api/bookings", tok, "{\"event_id\":\"x\",\"seat_ids\":[\"" S1 "\"]}", &r);
    assert_int_equal(r.status, 400);
    tresp_free(&r);
    post("/api/bookings", NULL, req, &r);
    assert_int_equal(r.status, 401);
    tresp_free(&r);

    post("/api/bookings", tok, req, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(terr(&r), "TICKET_SERVICE_UNAVAILABLE");
    assert_string_equal(tstr(&r, "booking.status"), "FAILED");
    assert_string_equal(tstr(&r, "booking.failure_reason"), "TICKET_SERVICE_UNAVAILABLE");
    assert_string_equal(tstr(&r, "booking.user_id"), id);
    assert_string_equal(tstr(&r, "booking.origin"), "direct");
    char bid[37];
    snprintf(bid, sizeof bid, "%s", tstr(&r, "booking.id"));
    tresp_free(&r);

    assert_int_equal(get("/api/bookings", tok, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    json_t *b0 = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(b0, "status")), "FAILED");
    assert_int_equal(json_array_size(json_object_get(b0, "seats")), 2);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    assert_int_equal(get(path, tok, &r), 200);
    json_t *hist = json_object_get(r.json, "history");
    assert_int_equal(json_array_size(hist), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 0), "status")),
                        "REQUESTED");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 1), "status")),
                        "FAILED");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 1), "reason")),
                        "TICKET_SERVICE_UNAVAILABLE");
    tresp_free(&r);

    /* filters */
    assert_int_equal(get("/api/bookings?status=FAILED", tok, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    tresp_free(&r);
    assert_int_equal(get("/api/bookings?status=CONFIRMED", tok, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    tresp_free(&r);
    assert_int_equal(get("/api/bookings?status=BOGUS", tok, &r), 400);
    tresp_free(&r);
    assert_int_equal(get("/api/bookings?limit=501", tok, &r), 400);
    tresp_free(&r);

    /* someone else: 404 everywhere; admin: sees it */
    assert_int_equal(get(path, otok, &r), 404);
    tresp_free(&r);
    assert_int_equal(get("/api/bookings", otok, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", bid);
    assert_int_equal(get(path, otok, &r), 404);
    tresp_free(&r);
    assert_int_equal(get(path, tok, &r), 409);
    assert_string_equal(terr(&r), "TICKET_NOT_READY");
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", bid);
    assert_int_equal(post(path, otok, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(post(path, tok, NULL, &r), 503);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/refresh", bid);
    assert_int_equal(post(path, otok, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(post(path, tok, NULL, &r), 503);
    tresp_free(&r);
    admin_token(adm);
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    assert_int_equal(get(path, adm, &r), 200);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings?user_id=%s", id);
    assert_int_equal(get(path, adm, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    tresp_free(&r);
    assert_int_equal(get("/api/bookings?user_id=nope", adm, &r), 400);
    tresp_free(&r);

    /* events read through: 503 while ticket-app is down */
    assert_int_equal(get("/api/events", NULL, &r), 503);
    assert_string_equal(terr(&r), "SERVICE_UNAVAILABLE");
    tresp_free(&r);
    assert_int_equal(get("/api/events/" EV "/seats", NULL, &r), 503);
    tresp_free(&r);
    assert_int_equal(get("/api/events/nope", NULL, &r), 404);
    tresp_free(&r);
}

static void idempotency_key_replays(void **state)
{
    (void)state;
    struct tresp r1, r2, r3;
    char id[37], tok[65], otok[65], oid[37];
    new_user("frank", id, tok);
    new_user("grace", oid, otok);
    const char *req = "{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S1 "\"]}";
    const char *hk[] = {"Idempotency-Key: key-1", NULL};
    tcall(B, "POST", "/api/bookings", tok, req, hk, &r1);
    tcall(B, "POST", "/api/bookings", tok, req, hk, &r2);
    assert_int_equal(r1.status, 503);
    assert_int_equal(r2.status, 503);
    assert_string_equal(tstr(&r1, "booking.id"), tstr(&r2, "booking.id"));
    assert_string_equal(r1.body, r2.body);
    tresp_free(&r1);
    tresp_free(&r2);
    assert_int_equal(get("/api/bookings", tok, &r3), 200);
    assert_int_equal(json_integer_value(json_object_get(r3.json, "total")), 1);
    tresp_free(&r3);
    /* the same key for another request */
    tcall(B, "POST", "/api/bookings", tok, "{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S2 "\"]}",
          hk, &r1);
    assert_int_equal(r1.status, 409);
    assert_string_equal(terr(&r1), "IDEMPOTENCY_KEY_REUSED");
    tresp_free(&r1);
    /* keys are per user */
    tcall(B, "POST", "/api/bookings", otok, req, hk, &r1);
    assert_int_equal(r1.status, 503);
    tresp_free(&r1);
    const char *bad[] = {"Idempotency-Key: \x01\x02", NULL};
    tcall(B, "POST", "/api/bookings", tok, req, bad, &r1);
    assert_int_equal(r1.status, 400);
    tresp_free(&r1);
}

static void expired_session(void **state)
{
    (void)state;
    struct tresp r;
    char id[37], tok[65];
    new_user("judy", id, tok);
    assert_int_equal(get("/api/users/me", tok, &r), 200);
    tresp_free(&r);
    assert_int_equal(texec(db_uri,
                           "UPDATE sessions SET expires_at = now() - interval '1 second' "
                           "WHERE user_id = $1",
                           1, (const char *[]){id}),
                     0);
    assert_int_equal(get("/api/users/me", tok, &r), 401);
    tresp_free(&r);
}

struct dup_arg {
    const char *token;
    struct tresp r;
};

static void *dup_post(void *p)
{
    struct dup_arg *a = p;
    const char *hk[] = {"Idempotency-Key: concurrent-key", NULL};
    tcall(B, "POST", "/api/bookings", a->token,
          "{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S1 "\"]}", hk, &a->r);
    return NULL;
}

static void idempotency_concurrent(void **state)
{
    (void)state;
    char id[37], tok[65];
    struct tresp r;
    new_user("mallet", id, tok);
    enum { N = 8 };
    pthread_t th[N];
    struct dup_arg args[N];
    for (int i = 0; i < N; i++) {
        args[i].token = tok;
        pthread_create(&th[i], NULL, dup_post, &args[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    /* Each twin gets the first answer (replayed) or, while the first still
     * runs, 409 IDEMPOTENCY_IN_PROGRESS with Retry-After; one booking. */
    const char *first = NULL;
    for (int i = 0; i < N; i++) {
        if (args[i].r.status == 409) {
            assert_string_equal(terr(&args[i].r), "IDEMPOTENCY_IN_PROGRESS");
            assert_string_equal(args[i].r.retry_after, "1");
            continue;
        }
        assert_int_equal(args[i].r.status, 503);
        if (!first)
            first = tstr(&args[i].r, "booking.id");
        assert_string_equal(tstr(&args[i].r, "booking.id"), first);
    }
    assert_non_null(first);
    for (int i = 0; i < N; i++)
        tresp_free(&args[i].r);
    assert_int_equal(get("/api/bookings", tok, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
    tresp_free(&r);
}

/* A twin of an Idempotency-Key whose first request is still running is
 * answered at once (409 IDEMPOTENCY_IN_PROGRESS, Retry-After), not after
 * waiting on a worker for the first; once the first has answered, the
 * twin gets that answer. The first request is made to look unfinished by
 * clearing its stored answer and extending its lock. */
static void idempotency_twin_answered_at_once(void **state)
{
    (void)state;
    char id[37], tok[65];
    struct tresp r1, r2;
    new_user("twin", id, tok);
    const char *req = "{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S1 "\"]}";
    const char *hk[] = {"Idempotency-Key: twin-key", NULL};
    assert_int_equal(tcall(B, "POST", "/api/bookings", tok, req, hk, &r1), 503);
    assert_int_equal(texec(db_uri,
                           "UPDATE idempotency_keys SET status_code = NULL, response = NULL, "
                           "locked_until = now() + interval '1 minute' WHERE user_id = $1",
                           1, (const char *[]){id}),
                     0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(tcall(B, "POST", "/api/bookings", tok, req, hk, &r2), 409);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_string_equal(terr(&r2), "IDEMPOTENCY_IN_PROGRESS");
    assert_string_equal(r2.retry_after, "1");
    if (ms > 1000) /* the lock lasts TICKET_TIMEOUT_MS + 5 s: 7 s here */
        fail_msg("the twin waited %ld ms", ms);
    tresp_free(&r2);
    /* the first finishes: its answer is the twin's */
    const char *p[2] = {id, r1.body};
    assert_int_equal(texec(db_uri,
                           "UPDATE idempotency_keys SET status_code = 503, response = $2 "
                           "WHERE user_id = $1",
                           2, p),
                     0);
    assert_int_equal(tcall(B, "POST", "/api/bookings", tok, req, hk, &r2), 503);
    assert_string_equal(r2.body, r1.body);
    tresp_free(&r1);
    tresp_free(&r2);
}

/* POSTs a signed notification; returns the status. */
static long notify(const char *secret, const char *type, const char *nid, json_t *booking,
                   const char *pdf_b64)
{
    json_t *data = json_pack("{s:O}", "booking", booking);
    if (pdf_b64)
        json_object_set_new(data, "ticket_pdf_base64", json_string(pdf_b64));
    json_t *n = json_pack("{s:s, s:s, s:s, s:o}", "id", nid, "type", type, "created_at",
                          "2026-11-23T10:00:00.000Z", "data", data);
    char *body = json_dumps(n, JSON_COMPACT);
    char sig[SIG_HEADER_MAX], hdr[SIG_HEADER_MAX + 32];
    sig_sign(secret, body, strlen(body), (long)time(NULL), sig, sizeof sig);
    snprintf(hdr, sizeof hdr, "X-Signature: %s", sig);
    const char *h[] = {hdr, NULL};
    struct tresp r;
    long st = tcall(B, "POST", "/internal/notifications", NULL, body, h, &r);
    tresp_free(&r);
    free(body);
    json_decref(n);
    return st;
}

static json_t *ticket_booking(const char *bid, const char *uid, const char *status, int version)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:[{s:s, s:s, s:i}], s:i, s:s, s:s, s:s, "
                     "s:s, s:s, s:i}",
                     "booking_id", bid, "user_id", uid, "event_id", EV, "event_name", "Concert",
                     "status", status, "failure_reason", "seats", "id", S1, "label", "A-1", "price",
                     150000, "amount", 150000, "currency", "IDR", "invoice_number",
                     "INV-ABCDEFGHIJKL", "payment_url",
                     "http://localhost:8082/pay/INV-ABCDEFGHIJKL", "expires_at",
                     "2030-01-01T00:07:00.000Z", "origin", "waitlist", "version", version);
}

static void notifications(void **state)
{
    (void)state;
    struct tresp r;
    char id[37], tok[65], oid[37], otok[65], bid[37] = "55555555-5555-4555-8555-555555555555";
    char path[160];
    new_user("heidi", id, tok);
    new_user("ivan", oid, otok);

    json_t *tb = ticket_booking(bid, id, "PENDING_PAYMENT", 1);
    /* bad signature, wrong secret, no signature */
    assert_int_equal(notify("wrong-secret", "booking.created", "ntf_a", tb, NULL), 401);
    assert_int_equal(tcall(B, "POST", "/internal/notifications", NULL, "{}", NULL, &r), 401);
    tresp_free(&r);
    /* a waitlist offer creates the booking in the user's history */
    assert_int_equal(notify(SECRET, "booking.created", "ntf_a", tb, NULL), 204);
    assert_int_equal(notify(SECRET, "booking.created", "ntf_a", tb, NULL), 204);
    json_decref(tb);
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    assert_int_equal(get(path, tok, &r), 200);
    assert_string_equal(tstr(&r, "status"), "PENDING_PAYMENT");
    assert_string_equal(tstr(&r, "origin"), "waitlist");
    assert_string_equal(tstr(&r, "payment.invoice_number"), "INV-ABCDEFGHIJKL");
    assert_int_equal(json_array_size(json_object_get(r.json, "history")), 1);
    tresp_free(&r);
    assert_int_equal(get(path, otok, &r), 404);
    tresp_free(&r);

    /* confirmed (version 3) with the PDF, then a late version 2 is ignored */
    const char pdf[] = "%PDF-1.4\n% test ticket\n%%EOF\n";
    char b64[128];
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)pdf, sizeof pdf - 1,
                      sodium_base64_VARIANT_ORIGINAL);
    tb = ticket_booking(bid, id, "CONFIRMED", 3);
    assert_int_equal(notify(SECRET, "booking.confirmed", "ntf_c", tb, b64), 204);
    json_decref(tb);
    tb = ticket_booking(bid, id, "EXPIRED", 2);
    assert_int_equal(notify(SECRET, "booking.expired", "ntf_b", tb, NULL), 204);
    json_decref(tb);
    assert_int_equal(get(path, tok, &r), 200);
    assert_string_equal(tstr(&r, "status"), "CONFIRMED");
    char turl[128];
    snprintf(turl, sizeof turl, "/api/bookings/%s/ticket.pdf", bid);
    assert_string_equal(tstr(&r, "ticket_url"), turl);
    assert_int_equal(json_array_size(json_object_get(r.json, "history")), 2);
    tresp_free(&r);
    /* the PDF is served with ticket-app down */
    assert_int_equal(get(turl, tok, &r), 200);
    assert_int_equal(r.len, sizeof pdf - 1);
    assert_memory_equal(r.body, "%PDF-", 5);
    assert_string_equal(r.content_type, "application/pdf");
    tresp_free(&r);
    assert_int_equal(get(turl, otok, &r), 404);
    tresp_free(&r);

    /* malformed notifications: 400; unknown types are acknowledged */
    tb = ticket_booking("nope", id, "CONFIRMED", 4);
    assert_int_equal(notify(SECRET, "booking.confirmed", "ntf_d", tb, NULL), 400);
    json_decref(tb);
    tb = ticket_booking(bid, id, "CONFIRMED", 5);
    assert_int_equal(notify(SECRET, "booking.renamed", "ntf_e", tb, NULL), 204);
    json_decref(tb);
    /* an unknown user: acknowledged, nothing created */
    tb = ticket_booking("66666666-6666-4666-8666-666666666666",
                        "77777777-7777-4777-8777-777777777777", "PENDING_PAYMENT", 1);
    assert_int_equal(notify(SECRET, "booking.created", "ntf_f", tb, NULL), 204);
    json_decref(tb);
    char *n = test_db_scalar(db_uri,
                             "SELECT count(*) FROM bookings WHERE id = "
                             "'66666666-6666-4666-8666-666666666666'",
                             NULL);
    assert_string_equal(n, "0");
    free(n);
    n = test_db_scalar(db_uri, "SELECT count(*) FROM processed_notifications", NULL);
    assert_string_equal(n, "4");
    free(n);
    /* a user id ticket-app accepted from its caller that cannot be ours (not
     * a UUID): acknowledged, or ticket-app would retry it for ever; nothing
     * created (was 400) */
    tb = ticket_booking("88888888-8888-4888-8888-888888888888", "u-1", "PENDING_PAYMENT", 1);
    assert_int_equal(notify(SECRET, "booking.created", "ntf_g", tb, NULL), 204);
    json_decref(tb);
    n = test_db_scalar(db_uri,
                       "SELECT count(*) FROM bookings WHERE id = "
                       "'88888888-8888-4888-8888-888888888888'",
                       NULL);
    assert_string_equal(n, "0");
    free(n);
}

static void metrics_and_health(void **state)
{
    (void)state;
    struct tresp r;
    assert_int_equal(get("/metrics", NULL, &r), 200);
    assert_non_null(strstr(r.body, "client_notifications_total"));
    tresp_free(&r);
    assert_int_equal(get("/healthz", NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(get("/nope", NULL, &r), 404);
    tresp_free(&r);
}

static void rate_limit(void **state)
{
    (void)state;
    struct test_daemon d;
    char uri[512];
    struct tresp r;
    assert_int_equal(start_app(&d, "5", uri, sizeof uri), 0);
    const char *base = d.base_url;
    int ok = 0, limited = 0;
    for (int i = 0; i < 8; i++) {
        tcall(base, "GET", "/api/users/me", NULL, NULL, NULL, &r);
        if (r.status == 429) {
            limited++;
            assert_string_equal(terr(&r), "RATE_LIMITED");
            assert_true(atoi(r.retry_after) >= 1);
        } else {
            ok++;
        }
        tresp_free(&r);
    }
    assert_int_equal(ok, 5);
    assert_int_equal(limited, 3);
    /* health and metrics are exempt */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tcall(base, "GET", "/healthz", NULL, NULL, NULL, &r), 200);
        tresp_free(&r);
    }
    assert_int_equal(tcall(base, "GET", "/metrics", NULL, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "client_rate_limited_total 3"));
    tresp_free(&r);
    assert_int_equal(stop_clean(&d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(users_crud_and_errors),
        cmocka_unit_test(password_change_and_logout_revoke),
        cmocka_unit_test(hostile_strings),
        cmocka_unit_test(bookings_with_ticket_app_down),
        cmocka_unit_test(idempotency_key_replays),
        cmocka_unit_test(idempotency_concurrent),
        cmocka_unit_test(idempotency_twin_answered_at_once),
        cmocka_unit_test(expired_session),
        cmocka_unit_test(notifications),
        cmocka_unit_test(metrics_and_health),
        cmocka_unit_test(rate_limit),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
