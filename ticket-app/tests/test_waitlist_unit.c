/* test_waitlist_unit.c: cmocka tests of the waitlist's pure logic: the join
 * body, who may join which seat, how refusals answer (409/404/400), the
 * entry JSON and its position, what an offered booking's change does to
 * its entry, leave outcomes, and the offer retry delay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/http.h"
#include "waitlist.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"

static int parse(const char *text, struct waitlist_join *j, json_t **details)
{
    json_error_t err;
    json_t *b = json_loads(text, JSON_ALLOW_NUL, &err);
    assert_non_null(b);
    *details = json_object();
    int rc = waitlist_parse_join(b, j, *details);
    json_decref(b);
    return rc;
}

static void test_parse_join(void **state)
{
    (void)state;
    struct waitlist_join j;
    json_t *d;
    assert_int_equal(parse("{\"user_id\":\"alice\",\"event_id\":\"" U1
                           "\",\"seat_id\":\"22222222-2222-4222-8222-22222222222A\"}",
                           &j, &d),
                     0);
    assert_string_equal(j.user_id, "alice");
    assert_string_equal(j.event_id, U1);
    assert_string_equal(j.seat_id, "22222222-2222-4222-8222-22222222222a"); /* lowercased */
    json_decref(d);

    /* every bad field is named */
    assert_int_equal(parse("{\"event_id\":\"nope\",\"seat_id\":5}", &j, &d), -1);
    assert_non_null(json_object_get(d, "user_id"));
    assert_non_null(json_object_get(d, "event_id"));
    assert_non_null(json_object_get(d, "seat_id"));
    json_decref(d);

    /* user_id: not empty, at most 64 bytes, a string */
    assert_int_equal(
        parse("{\"user_id\":\"\",\"event_id\":\"" U1 "\",\"seat_id\":\"" U2 "\"}", &j, &d), -1);
    json_decref(d);
    char big[200];
    memset(big, 'x', 65);
    big[65] = '\0';
    char text[400];
    snprintf(text, sizeof text,
             "{\"user_id\":\"%s\",\"event_id\":\"" U1 "\",\"seat_id\":\"" U2 "\"}", big);
    assert_int_equal(parse(text, &j, &d), -1);
    assert_non_null(json_object_get(d, "user_id"));
    json_decref(d);
    assert_int_equal(
        parse("{\"user_id\":[1],\"event_id\":\"" U1 "\",\"seat_id\":\"" U2 "\"}", &j, &d), -1);
    json_decref(d);
    /* an embedded NUL is not a user id */
    assert_int_equal(
        parse("{\"user_id\":\"a\\u0000b\",\"event_id\":\"" U1 "\",\"seat_id\":\"" U2 "\"}", &j, &d),
        -1);
    json_decref(d);
}

static void test_user_and_status(void **state)
{
    (void)state;
    assert_true(waitlist_user_id_valid("bob"));
    assert_false(waitlist_user_id_valid(NULL));
    assert_false(waitlist_user_id_valid(""));
    assert_false(waitlist_user_id_valid("\xff\xfe"));
    char big[80];
    memset(big, 'u', 64);
    big[64] = '\0';
    assert_true(waitlist_user_id_valid(big));
    big[64] = 'u';
    big[65] = '\0';
    assert_false(waitlist_user_id_valid(big));
    assert_true(waitlist_status_valid("WAITING"));
    assert_true(waitlist_status_valid("FULFILLED"));
    assert_false(waitlist_status_valid("waiting"));
    assert_false(waitlist_status_valid(NULL));
}

static void test_join_check(void **state)
{
    (void)state;
    /* OPEN: book it */
    assert_int_equal(waitlist_join_check("OPEN", 0, 0, NULL, "u"), JOIN_SEAT_AVAILABLE);
    assert_int_equal(waitlist_join_check(NULL, 0, 0, NULL, "u"), JOIN_SEAT_AVAILABLE);
    /* held or sold to someone else: wait */
    assert_int_equal(waitlist_join_check("ON_GOING", 0, 0, "other", "u"), JOIN_OK);
    assert_int_equal(waitlist_join_check("BOOKED", 0, 1, "other", "u"), JOIN_OK);
    /* the caller's own hold or purchase */
    assert_int_equal(waitlist_join_check("ON_GOING", 0, 0, "u", "u"), JOIN_HELD_BY_YOU);
    assert_int_equal(waitlist_join_check("BOOKED", 0, 0, "u", "u"), JOIN_HELD_BY_YOU);
    /* a hold that ran out: free unless people wait (then the queue gets it) */
    assert_int_equal(waitlist_join_check("ON_GOING", 1, 0, "other", "u"), JOIN_SEAT_AVAILABLE);
    assert_int_equal(waitlist_join_check("ON_GOING", 1, 1, "other", "u"), JOIN_OK);
    assert_int_equal(waitlist_join_check("ON_GOING", 1, 0, "u", "u"), JOIN_SEAT_AVAILABLE);
    assert_int_equal(waitlist_join_check("ON_GOING", 1, 1, "u", "u"), JOIN_OK);
}

static void expect_refusal(enum waitlist_join_outcome out, int status, const char *code)
{
    struct http_res res;
    http_res_init(&res);
    waitlist_join_refuse(&res, out);
    assert_int_equal(res.status, status);
    json_t *b = json_loadb(res.body, res.body_len, 0, NULL);
    assert_non_null(b);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "error"), "code")),
                        code);
    json_decref(b);
    http_res_cleanup(&res);
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refusal(JOIN_NO_EVENT, 404, "NOT_FOUND");
    expect_refusal(JOIN_NO_SEAT, 404, "SEAT_NOT_FOUND");
    expect_refusal(JOIN_FOREIGN_SEAT, 400, "VALIDATION_FAILED");
    expect_refusal(JOIN_SEAT_AVAILABLE, 409, "SEAT_AVAILABLE");
    expect_refusal(JOIN_HELD_BY_YOU, 409, "SEAT_HELD_BY_YOU");
    expect_refusal(JOIN_ALREADY_WAITING, 409, "ALREADY_WAITING");
}

static void test_entry_json(void **state)
{
    (void)state;
    struct waitlist_entry e = {.id = U1,
                               .user_id = "alice",
                               .event_id = U2,
                               .event_name = "Show",
                               .seat_id = U1,
                               .seat_label = "A-1",
                               .status = "WAITING",
                               .booking_id = NULL,
                               .created_at = "2030-01-01T00:00:00.000Z",
                               .updated_at = "2030-01-01T00:00:00.000Z",
                               .position = 3};
    json_t *j = waitlist_entry_json(&e);
    assert_string_equal(json_string_value(json_object_get(j, "id")), U1);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "WAITING");
    assert_int_equal(json_integer_value(json_object_get(j, "position")), 3);
    assert_true(json_is_null(json_object_get(j, "booking_id")));
    assert_string_equal(json_string_value(json_object_get(j, "seat_label")), "A-1");
    assert_non_null(json_object_get(j, "created_at"));
    json_decref(j);
    /* position is null once the entry is not waiting */
    e.status = "OFFERED";
    e.booking_id = U2;
    e.position = 0;
    j = waitlist_entry_json(&e);
    assert_true(json_is_null(json_object_get(j, "position")));
    assert_string_equal(json_string_value(json_object_get(j, "booking_id")), U2);
    json_decref(j);
    e.position = 4; /* even if a stale figure is passed */
    j = waitlist_entry_json(&e);
    assert_true(json_is_null(json_object_get(j, "position")));
    json_decref(j);
}

static void test_status_after(void **state)
{
    (void)state;
    assert_string_equal(waitlist_status_after(LC_CONFIRMED), "FULFILLED");
    assert_string_equal(waitlist_status_after(LC_EXPIRED), "EXPIRED");
    assert_string_equal(waitlist_status_after(LC_FAILED), "EXPIRED");
    assert_string_equal(waitlist_status_after(LC_CANCELLED), "CANCELLED");
    assert_null(waitlist_status_after(LC_PENDING_PAYMENT));
    assert_null(waitlist_status_after(LC_NEW));
}

static void test_leave_outcome(void **state)
{
    (void)state;
    assert_int_equal(waitlist_leave_outcome_for("OFFERED"), LEAVE_OFFERED);
    assert_int_equal(waitlist_leave_outcome_for("FULFILLED"), LEAVE_FULFILLED);
    assert_int_equal(waitlist_leave_outcome_for("CANCELLED"), LEAVE_LEFT);
    assert_int_equal(waitlist_leave_outcome_for("EXPIRED"), LEAVE_LEFT);
    assert_int_equal(waitlist_leave_outcome_for(NULL), LEAVE_NOT_FOUND);
}

static void test_retry(void **state)
{
    (void)state;
    assert_int_equal(waitlist_offer_retry_ms(1, 0.5), 250);
    assert_int_equal(waitlist_offer_retry_ms(2, 0.5), 500);
    assert_int_equal(waitlist_offer_retry_ms(4, 0.5), 2000);
    assert_int_equal(waitlist_offer_retry_ms(40, 0.5), 2000); /* capped: the hold runs */
    assert_true(waitlist_offer_retry_ms(40, 0.0) >= 1000);
    assert_true(waitlist_offer_retry_ms(40, 0.999) < 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_join),    cmocka_unit_test(test_user_and_status),
        cmocka_unit_test(test_join_check),    cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_entry_json),    cmocka_unit_test(test_status_after),
        cmocka_unit_test(test_leave_outcome), cmocka_unit_test(test_retry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
