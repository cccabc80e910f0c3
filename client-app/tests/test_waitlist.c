/* test_waitlist.c: client-app's waitlist logic: request validation, the
 * body and paths sent to ticket-app, and how ticket-app's answers are
 * passed on (refusals as they are, an unreachable or misconfigured
 * ticket-app as 503). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/http.h"
#include "waitlist.h"

#define EV "0b1e0c5a-1d2b-4c3d-9e4f-5a6b7c8d9e0f"
#define S1 "11111111-1111-4111-8111-111111111111"
#define US "44444444-4444-4444-8444-444444444444"

static int parse(const char *text, struct waitlist_request *r, json_t **details)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    int rc = waitlist_request_parse(j, r, details);
    json_decref(j);
    return rc;
}

static void request_valid(void **state)
{
    (void)state;
    struct waitlist_request r;
    json_t *d = NULL;
    assert_int_equal(parse("{\"event_id\":\"" EV "\",\"seat_id\":\"11111111-1111-4111-8111-"
                           "11111111111A\"}",
                           &r, &d),
                     0);
    assert_null(d);
    assert_string_equal(r.event_id, EV);
    assert_string_equal(r.seat_id, "11111111-1111-4111-8111-11111111111a");
    json_t *b = waitlist_ticket_body(&r, US);
    assert_string_equal(json_string_value(json_object_get(b, "user_id")), US);
    assert_string_equal(json_string_value(json_object_get(b, "seat_id")), r.seat_id);
    assert_string_equal(json_string_value(json_object_get(b, "event_id")), EV);
    json_decref(b);
}

static void request_invalid(void **state)
{
    (void)state;
    struct waitlist_request r;
    json_t *d = NULL;
    assert_int_equal(parse("{}", &r, &d), -1);
    assert_non_null(json_object_get(d, "event_id"));
    assert_non_null(json_object_get(d, "seat_id"));
    json_decref(d);
    assert_int_equal(parse("{\"event_id\":5,\"seat_id\":\"" S1 "x\"}", &r, &d), -1);
    assert_int_equal(json_object_size(d), 2);
    json_decref(d);
    /* a user id in the body is not taken: the session decides who joins */
    assert_int_equal(
        parse("{\"event_id\":\"" EV "\",\"seat_id\":\"" S1 "\",\"user_id\":\"x\"}", &r, &d), 0);
    json_t *b = waitlist_ticket_body(&r, US);
    assert_string_equal(json_string_value(json_object_get(b, "user_id")), US);
    json_decref(b);
}

static void paths(void **state)
{
    (void)state;
    char p[256];
    assert_int_equal(waitlist_list_path(p, sizeof p, US, NULL, 50, 0), 0);
    assert_string_equal(p, "/api/waitlist?user_id=" US "&limit=50&offset=0");
    assert_int_equal(waitlist_list_path(p, sizeof p, US, "WAITING", 10, 20), 0);
    assert_string_equal(p, "/api/waitlist?user_id=" US "&limit=10&offset=20&status=WAITING");
    assert_int_equal(waitlist_list_path(p, sizeof p, US, "WAITING&x=1", 10, 20), -1);
    assert_int_equal(waitlist_list_path(p, sizeof p, "not-a-uuid", NULL, 10, 20), -1);
    assert_int_equal(waitlist_list_path(p, 20, US, NULL, 10, 20), -1); /* does not fit */
    assert_int_equal(waitlist_leave_path(p, sizeof p, S1, US), 0);
    assert_string_equal(p, "/api/waitlist/" S1 "?user_id=" US);
    assert_int_equal(waitlist_leave_path(p, sizeof p, "../x", US), -1);
    assert_int_equal(waitlist_leave_path(p, sizeof p, S1, "u"), -1);
    assert_true(waitlist_status_valid("OFFERED"));
    assert_false(waitlist_status_valid("offered"));
    assert_false(waitlist_status_valid(NULL));
}

/* Passes (status, reply text) on; returns the answered status, code into
 * code (or ""). */
static int pass(int rc, long status, const char *reply_text, char code[40])
{
    struct http_res res;
    http_res_init(&res);
    json_t *reply = reply_text ? json_loads(reply_text, 0, NULL) : NULL;
    int out = waitlist_pass_on(&res, rc, status, reply);
    assert_int_equal(res.status, out);
    code[0] = '\0';
    json_t *b = res.body_len ? json_loadb(res.body, res.body_len, 0, NULL) : NULL;
    const char *c = json_string_value(json_object_get(json_object_get(b, "error"), "code"));
    if (c)
        snprintf(code, 40, "%s", c);
    json_decref(b);
    http_res_cleanup(&res);
    return out;
}

static void pass_on(void **state)
{
    (void)state;
    char code[40];
    assert_int_equal(pass(0, 201, "{\"id\":\"" S1 "\",\"position\":1}", code), 201);
    assert_int_equal(pass(0, 200, "{\"items\":[]}", code), 200);
    assert_int_equal(pass(0, 204, NULL, code), 204);
    assert_int_equal(
        pass(0, 409, "{\"error\":{\"code\":\"SEAT_AVAILABLE\",\"message\":\"m\"}}", code), 409);
    assert_string_equal(code, "SEAT_AVAILABLE");
    assert_int_equal(
        pass(0, 409, "{\"error\":{\"code\":\"ALREADY_WAITING\",\"message\":\"m\"}}", code), 409);
    assert_string_equal(code, "ALREADY_WAITING");
    assert_int_equal(pass(0, 404, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"m\"}}", code),
                     404);
    assert_int_equal(pass(0, 404, NULL, code), 404); /* no body: a code is made up */
    assert_string_equal(code, "NOT_FOUND");
    /* not the user's fault */
    assert_int_equal(pass(-1, 0, NULL, code), 503);
    assert_string_equal(code, "SERVICE_UNAVAILABLE");
    assert_int_equal(pass(0, 500, "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"m\"}}", code),
                     503);
    assert_int_equal(pass(0, 401, "{\"error\":{\"code\":\"UNAUTHENTICATED\"}}", code), 503);
    assert_int_equal(pass(0, 403, NULL, code), 503);
    assert_int_equal(pass(0, 201, NULL, code), 503); /* a 201 without a body */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_valid),
        cmocka_unit_test(request_invalid),
        cmocka_unit_test(paths),
        cmocka_unit_test(pass_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
