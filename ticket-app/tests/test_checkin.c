/* test_checkin.c: unit tests of checkin.c (request parsing, JSON) and of the
 * paths of checkin_handler.c that end before the database: bad JSON, a
 * missing or mistyped ticket_code, garbage and forged codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "checkin.h"
#include "checkin_handler.h"
#include "common/log.h"
#include "ticket_code.h"

#define SECRET "checkin-unit-secret"
#define BOOKING "0b6f1a52-7c1e-4a43-9f0e-5b3d2a1c9e77"
#define SEAT "f47ac10b-58cc-4372-a567-0e02b2c3d479"

static int parse(const char *json, char code[TICKET_CODE_LEN + 1], const char **why)
{
    json_t *body = json_loads(json, JSON_ALLOW_NUL, NULL);
    assert_non_null(body);
    char ev[37];
    const char *field = NULL;
    int rc = checkin_parse_request(body, code, ev, &field, why);
    json_decref(body);
    return rc;
}

static void test_parse_request(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], good[TICKET_CODE_LEN + 1], json[512];
    const char *why = NULL;
    assert_int_equal(ticket_code_make(SECRET, BOOKING, SEAT, good, sizeof good), 0);

    snprintf(json, sizeof json, "{\"ticket_code\":\"%s\"}", good);
    assert_int_equal(parse(json, code, &why), 0);
    assert_string_equal(code, good);

    /* What a scanner may add around it is dropped. */
    snprintf(json, sizeof json, "{\"ticket_code\":\" \\t%s\\r\\n\"}", good);
    assert_int_equal(parse(json, code, &why), 0);
    assert_string_equal(code, good);

    /* Too long or with a NUL inside: an empty code, refused later. */
    snprintf(json, sizeof json, "{\"ticket_code\":\"%sX\"}", good);
    assert_int_equal(parse(json, code, &why), 0);
    assert_string_equal(code, "");
    snprintf(json, sizeof json, "{\"ticket_code\":\"%.50s\\u0000%s\"}", good, good + 51);
    assert_int_equal(parse(json, code, &why), 0);
    assert_string_equal(code, "");

    assert_int_equal(parse("{\"ticket_code\":\"\"}", code, &why), 0);
    assert_string_equal(code, "");

    why = NULL;
    assert_int_equal(parse("{}", code, &why), -1);
    assert_string_equal(why, "ticket_code is required");
    assert_int_equal(parse("{\"ticket_code\":null}", code, &why), -1);
    assert_int_equal(parse("{\"ticket_code\":42}", code, &why), -1);
    assert_string_equal(why, "ticket_code must be a string");
    assert_int_equal(parse("{\"ticket_code\":[\"x\"]}", code, &why), -1);
    assert_int_equal(parse("{\"ticket_code\":{}}", code, &why), -1);
    assert_int_equal(parse("[]", code, &why), -1);

    /* The gate's event: a UUID or nothing. */
    char ev[37];
    const char *field = NULL;
    json_t *b = json_pack("{s:s, s:s}", "ticket_code", "x", "event_id",
                          "e0000000-0000-4000-8000-000000000001");
    assert_int_equal(checkin_parse_request(b, code, ev, &field, &why), 0);
    assert_string_equal(ev, "e0000000-0000-4000-8000-000000000001");
    json_decref(b);
    b = json_pack("{s:s, s:i}", "ticket_code", "x", "event_id", 7);
    assert_int_equal(checkin_parse_request(b, code, ev, &field, &why), -1);
    assert_string_equal(field, "event_id");
    json_decref(b);
    b = json_pack("{s:s, s:s}", "ticket_code", "x", "event_id", "nope");
    assert_int_equal(checkin_parse_request(b, code, ev, &field, &why), -1);
    json_decref(b);
}

/* The outcome table: another event first, then cancelled, then paid. */
static void test_decide(void **state)
{
    (void)state;
    const char *E1 = "e1", *E2 = "e2";
    assert_int_equal(checkin_decide(NULL, 0, NULL, E1, 0), CHECKIN_UNKNOWN);
    assert_int_equal(checkin_decide("CONFIRMED", 1, E1, E1, 1), CHECKIN_ADMITTED);
    assert_int_equal(checkin_decide("CONFIRMED", 1, E1, "", 1), CHECKIN_ADMITTED);
    assert_int_equal(checkin_decide("CONFIRMED", 1, E1, NULL, 2), CHECKIN_ALREADY);
    assert_int_equal(checkin_decide("CONFIRMED", 1, E2, E1, 0), CHECKIN_WRONG_EVENT);
    assert_int_equal(checkin_decide("CANCELLED", 0, E2, E1, 0), CHECKIN_WRONG_EVENT);
    assert_int_equal(checkin_decide("CANCELLED", 0, E1, E1, 0), CHECKIN_CANCELLED);
    /* no booking is REFUNDED: a refund cancels its booking (lifecycle.c) */
    assert_int_equal(checkin_decide("PENDING_PAYMENT", 1, E1, E1, 0), CHECKIN_NOT_CONFIRMED);
    assert_int_equal(checkin_decide("CONFIRMED", 0, E1, E1, 0), CHECKIN_NOT_CONFIRMED);
}

static void test_json(void **state)
{
    (void)state;
    struct checkin_result r;
    checkin_result_init(&r);
    r.outcome = CHECKIN_ADMITTED;
    strcpy(r.booking_id, BOOKING);
    strcpy(r.seat_id, SEAT);
    r.label = strdup("A-12");
    r.section = strdup("VIP");
    r.checked_in_at = strdup("2026-11-21T19:01:02.345Z");
    r.scans = 3;

    json_t *j = checkin_admitted_json(&r);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"attendee\":null,\"booking_code\":null,\"booking_id\":\"" BOOKING
                           "\",\"checked_in_at\":"
                           "\"2026-11-21T19:01:02.345Z\",\"event\":null,\"seat\":{\"id\":\"" SEAT
                           "\",\"label\":\"A-12\",\"section\":\"VIP\"},\"status\":\"ADMITTED\"}");
    free(s);
    json_decref(j);

    j = checkin_refusal_extra(&r, NULL);
    s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"attendee\":null,\"booking_code\":null,\"booking_id\":\"" BOOKING
                           "\",\"checked_in_at\":"
                           "\"2026-11-21T19:01:02.345Z\",\"event\":null,\"seat\":{\"id\":\"" SEAT
                           "\",\"label\":\"A-12\",\"section\":\"VIP\"}}");
    free(s);
    json_decref(j);

    j = checkin_already_details(&r);
    s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"checked_in_at\":\"2026-11-21T19:01:02.345Z\",\"scans\":3}");
    free(s);
    json_decref(j);

    /* Absent strings come out as null, not as a crash. */
    free(r.label);
    r.label = NULL;
    j = checkin_seat_json(&r);
    assert_true(json_is_null(json_object_get(j, "label")));
    json_decref(j);

    checkin_result_cleanup(&r);
    assert_null(r.label);
    assert_null(r.section);
    assert_null(r.checked_in_at);
}

/* Calls the handler with body; returns the status, *code the error code
 * (static copy, "" if none). No pool: these paths must not need one. */
static int call(const char *body, const char *content_type, char code[64])
{
    struct app app;
    memset(&app, 0, sizeof app);
    app.ticket_code_secret = SECRET;
    struct http_req req;
    memset(&req, 0, sizeof req);
    strcpy(req.method, "POST");
    req.path = "/api/checkins";
    req.body = strdup(body);
    req.body_len = strlen(body);
    struct kv hdr = {"Content-Type", (char *)content_type};
    if (content_type) {
        req.headers = &hdr;
        req.nheaders = 1;
    }
    struct http_res res;
    http_res_init(&res);
    checkin_handle_create(&req, &res, &app);
    int status = res.status;
    code[0] = '\0';
    json_t *j = res.body ? json_loadb(res.body, res.body_len, 0, NULL) : NULL;
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    if (c)
        snprintf(code, 64, "%s", c);
    json_decref(j);
    http_res_cleanup(&res);
    free(req.body);
    return status;
}

static void test_handler_refuses_before_the_database(void **state)
{
    (void)state;
    char code[64], good[TICKET_CODE_LEN + 1], forged[TICKET_CODE_LEN + 1], body[1024];

    assert_int_equal(call("not json", "application/json", code), 400);
    assert_string_equal(code, "MALFORMED_JSON");
    assert_int_equal(call("{}", "application/json", code), 400);
    assert_string_equal(code, "VALIDATION_FAILED");
    assert_int_equal(call("{\"ticket_code\":12}", NULL, code), 400);
    assert_string_equal(code, "VALIDATION_FAILED");

    static const char *const garbage[] = {
        "{\"ticket_code\":\"\"}",
        "{\"ticket_code\":\"hello\"}",
        "{\"ticket_code\":\"TK1.\"}",
        "{\"ticket_code\":\"\\u00e9\\u00e9\\u00e9\"}",
        "{\"ticket_code\":\"'; DROP TABLE checkins; --\"}",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        assert_int_equal(call(garbage[i], "application/json", code), 404);
        assert_string_equal(code, "INVALID_TICKET");
    }

    /* Well formed, signed with another secret. */
    assert_int_equal(ticket_code_make("another secret", BOOKING, SEAT, forged, sizeof forged), 0);
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\"}", forged);
    assert_int_equal(call(body, "application/json", code), 404);
    assert_string_equal(code, "INVALID_TICKET");

    /* One character of a good code changed. */
    assert_int_equal(ticket_code_make(SECRET, BOOKING, SEAT, good, sizeof good), 0);
    good[60] = good[60] == '0' ? '1' : '0';
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\"}", good);
    assert_int_equal(call(body, "application/json", code), 404);

    /* A huge string. */
    size_t n = 512 * 1024;
    char *huge = malloc(n + 32);
    strcpy(huge, "{\"ticket_code\":\"");
    memset(huge + 16, 'A', n);
    strcpy(huge + 16 + n, "\"}");
    assert_int_equal(call(huge, "application/json", code), 404);
    assert_string_equal(code, "INVALID_TICKET");
    free(huge);
}

int main(void)
{
    log_init("ticket_checkin_unit", LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_request),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_handler_refuses_before_the_database),
    };
    return cmocka_run_group_tests_name("ticket_checkin_unit", tests, NULL, NULL);
}
