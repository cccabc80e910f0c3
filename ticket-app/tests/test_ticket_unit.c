/* test_ticket_unit.c: cmocka tests of ticket-app's pure modules: request
 * validation, the layout generator, booking JSON and outcome mapping,
 * notification bodies, payment status mapping, follow-up backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "booking.h"
#include "event.h"
#include "loops.h"
#include "notify.h"
#include "payment_client.h"
#include "seat_store.h"
#include "valid.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define U3 "33333333-3333-4333-8333-333333333333"

static json_t *J(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    return j;
}

/* Parses a booking body; returns 0/-1 and leaves details for inspection. */
static int parse(const char *text, struct booking_request *rq, json_t **details)
{
    json_t *b = J(text);
    *details = json_object();
    int rc = booking_parse_request(b, rq, *details);
    json_decref(b);
    return rc;
}

static void test_booking_request_ok(void **state)
{
    (void)state;
    struct booking_request rq;
    json_t *d;
    assert_int_equal(parse("{\"booking_id\":\"" U1 "\",\"user_id\":\"u-1\",\"event_id\":\"" U2
                           "\",\"seat_ids\":[\"" U3 "\"]}",
                           &rq, &d),
                     0);
    assert_string_equal(rq.booking_id, U1);
    assert_string_equal(rq.origin, "direct");
    assert_int_equal(rq.nseats, 1);
    json_decref(d);
    /* Upper-case ids are accepted and stored lowercase. */
    assert_int_equal(parse("{\"booking_id\":\"AAAAAAAA-1111-4111-8111-111111111111\",\"user_id\":"
                           "\"7\",\"event_id\":\"" U2 "\",\"seat_ids\":[\"" U3
                           "\"],\"origin\":\"waitlist\",\"holder\":\"Ana\"}",
                           &rq, &d),
                     0);
    assert_string_equal(rq.booking_id, "aaaaaaaa-1111-4111-8111-111111111111");
    assert_string_equal(rq.origin, "waitlist");
    assert_string_equal(rq.holder, "Ana");
    json_decref(d);
}

static void expect_bad(const char *text, const char *field)
{
    struct booking_request rq;
    json_t *d;
    assert_int_equal(parse(text, &rq, &d), -1);
    if (!json_object_get(d, field)) {
        char *s = json_dumps(d, 0);
        fail_msg("expected a message for %s, got %s", field, s);
    }
    json_decref(d);
}

static void test_booking_request_bad(void **state)
{
    (void)state;
    expect_bad("{}", "booking_id");
    expect_bad("{\"booking_id\":\"nope\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":[\"" U3 "\"]}",
               "booking_id");
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":[]}",
               "seat_ids");
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":\"" U3 "\"}",
               "seat_ids");
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":[\"" U3 "\",\"33333333-3333-4333-8333-333333333333\"]}",
               "seat_ids");
    /* Duplicates spelled in another case are still duplicates. */
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":[\"aaaaaaaa-3333-4333-8333-333333333333\","
               "\"AAAAAAAA-3333-4333-8333-333333333333\"]}",
               "seat_ids");
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":[1]}",
               "seat_ids");
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"\",\"event_id\":\"" U2
               "\",\"seat_ids\":[\"" U3 "\"]}",
               "user_id");
    expect_bad("{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2
               "\",\"seat_ids\":[\"" U3 "\"],\"origin\":\"other\"}",
               "origin");
    /* Eleven distinct seats. */
    char buf[2048] =
        "{\"booking_id\":\"" U1 "\",\"user_id\":\"u\",\"event_id\":\"" U2 "\",\"seat_ids\":[";
    for (int i = 0; i < 11; i++) {
        char s[64];
        snprintf(s, sizeof s, "%s\"%08d-3333-4333-8333-333333333333\"", i ? "," : "", i);
        strcat(buf, s);
    }
    strcat(buf, "]}");
    expect_bad(buf, "seat_ids");
}

static void test_layout(void **state)
{
    (void)state;
    long total = 0;
    json_t *d = json_object();
    json_t *l = J("{\"sections\":[{\"name\":\"VIP\",\"rows\":[\"A\",\"B\"],\"seats_per_row\":10,"
                  "\"price\":500},{\"name\":\"Reg\",\"rows\":[\"C\"],\"seats_per_row\":3,"
                  "\"price\":100}]}");
    json_t *rows = event_layout_expand(l, &total, d);
    assert_non_null(rows);
    assert_int_equal(total, 23);
    assert_int_equal(json_array_size(rows), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 2), "row")), "C");
    json_decref(rows);
    json_decref(l);
    json_decref(d);

    const char *bad[] = {
        "{}",
        "{\"sections\":[]}",
        "{\"sections\":[{\"name\":\"A\",\"rows\":[\"A\"],\"seats_per_row\":0,\"price\":1}]}",
        "{\"sections\":[{\"name\":\"A\",\"rows\":[\"A\"],\"seats_per_row\":1001,\"price\":1}]}",
        "{\"sections\":[{\"name\":\"A\",\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":-1}]}",
        "{\"sections\":[{\"name\":\"A\",\"rows\":[\"A-1\"],\"seats_per_row\":1,\"price\":1}]}",
        "{\"sections\":[{\"name\":\"A\",\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":1},"
        "{\"name\":\"B\",\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":1}]}",
        "{\"sections\":[{\"name\":\"A\",\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":1},"
        "{\"name\":\"A\",\"rows\":[\"B\"],\"seats_per_row\":1,\"price\":1}]}",
        "{\"sections\":[{\"rows\":[\"A\"],\"seats_per_row\":1,\"price\":1}]}",
        "{\"sections\":[\"x\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = json_object();
        l = J(bad[i]);
        rows = event_layout_expand(l, &total, d);
        if (rows)
            fail_msg("layout %zu accepted", i);
        assert_true(json_object_size(d) > 0);
        json_decref(l);
        json_decref(d);
    }

    /* 200 rows x 1000 seats > 100000: refused. */
    json_t *rowsarr = json_array();
    for (int i = 0; i < 200; i++) {
        char r[8];
        snprintf(r, sizeof r, "R%d", i);
        json_array_append_new(rowsarr, json_string(r));
    }
    l = json_pack("{s:[{s:s, s:o, s:i, s:i}]}", "sections", "name", "Big", "rows", rowsarr,
                  "seats_per_row", 1000, "price", 1);
    d = json_object();
    assert_null(event_layout_expand(l, &total, d));
    json_decref(l);
    json_decref(d);
}

/* The event's life in a body: zone, sale window, publish. */
static void test_event_life_parse(void **state)
{
    (void)state;
    struct event_input in;
    json_t *d = json_object();
    json_t *b = J("{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\"}");
    assert_int_equal(event_parse_create(b, &in, d), 0);
    assert_string_equal(in.timezone, "UTC");
    assert_int_equal(in.publish, 1);
    assert_false(in.sales_start_set || in.sales_end_set);
    event_input_cleanup(&in);
    json_decref(b);
    json_decref(d);

    d = json_object();
    b = J("{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\","
          "\"timezone\":\"Asia/Jakarta\",\"publish\":false,"
          "\"sales_start_at\":\"2029-12-01T08:00:00+07:00\",\"sales_end_at\":null}");
    assert_int_equal(event_parse_create(b, &in, d), 0);
    assert_string_equal(in.timezone, "Asia/Jakarta");
    assert_int_equal(in.publish, 0);
    assert_true(in.sales_start_set);
    assert_string_equal(in.sales_start_at, "2029-12-01T01:00:00.000Z");
    assert_true(in.sales_end_set); /* null: no bound */
    assert_string_equal(in.sales_end_at, "");
    event_input_cleanup(&in);
    json_decref(b);
    json_decref(d);

    const char *bad[] = {
        "\"timezone\":\"Mars/Base\"",
        "\"timezone\":\"../../../etc/passwd\"",
        "\"timezone\":\"Europe\"", /* a folder, not a zone */
        "\"timezone\":7",
        "\"publish\":\"yes\"",
        "\"sales_end_at\":\"2030-01-02T00:00:00Z\"",   /* after the show */
        "\"sales_start_at\":\"2030-01-01T19:00:00Z\"", /* not before it */
        "\"sales_start_at\":\"2029-12-02T00:00:00Z\",\"sales_end_at\":\"2029-12-01T00:00:00Z\"",
        "\"sales_start_at\":\"soon\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[400];
        snprintf(text, sizeof text,
                 "{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\",%s}",
                 bad[i]);
        d = json_object();
        b = J(text);
        if (event_parse_create(b, &in, d) == 0)
            fail_msg("event body with %s accepted", bad[i]);
        json_decref(b);
        json_decref(d);
    }
    /* PATCH: a zone or a window alone is a change; publish is its own call */
    d = json_object();
    b = J("{\"timezone\":\"America/New_York\"}");
    assert_int_equal(event_parse_patch(b, &in, d), 0);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"sales_end_at\":null}");
    assert_int_equal(event_parse_patch(b, &in, d), 0);
    assert_true(in.sales_end_set);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"publish\":true}");
    assert_int_equal(event_parse_patch(b, &in, d), -1);
    json_decref(b);
    json_decref(d);
}

static void test_event_parse(void **state)
{
    (void)state;
    struct event_input in;
    json_t *d = json_object();
    json_t *b = J("{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00+07:00\"}");
    assert_int_equal(event_parse_create(b, &in, d), 0);
    assert_string_equal(in.starts_at, "2030-01-01T12:00:00.000Z");
    assert_string_equal(in.currency, "IDR");
    assert_null(in.layout_rows);
    event_input_cleanup(&in);
    json_decref(b);
    json_decref(d);

    const char *bad[] = {
        "{\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\"}",
        "{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"tomorrow\"}",
        "{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\",\"currency\":"
        "\"idr\"}",
        "{\"name\":5,\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\"}",
        "{\"name\":\"N\",\"venue\":\"V\",\"starts_at\":\"2030-01-01T19:00:00Z\",\"layout\":5}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = json_object();
        b = J(bad[i]);
        if (event_parse_create(b, &in, d) == 0)
            fail_msg("event body %zu accepted", i);
        json_decref(b);
        json_decref(d);
    }
    /* A 201-byte name. */
    char name[202];
    memset(name, 'x', 201);
    name[201] = '\0';
    b = json_pack("{s:s, s:s, s:s}", "name", name, "venue", "V", "starts_at",
                  "2030-01-01T19:00:00Z");
    d = json_object();
    assert_int_equal(event_parse_create(b, &in, d), -1);
    json_decref(b);
    json_decref(d);

    d = json_object();
    b = J("{}");
    assert_int_equal(event_parse_patch(b, &in, d), -1);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"layout\":{}}");
    assert_int_equal(event_parse_patch(b, &in, d), -1);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"description\":\"\"}");
    assert_int_equal(event_parse_patch(b, &in, d), 0);
    assert_string_equal(in.description, "");
    json_decref(b);
    json_decref(d);
}

static void test_seat_parse(void **state)
{
    (void)state;
    struct seat_input in;
    json_t *d = json_object();
    json_t *b = J("{\"section\":\"S\",\"row\":\"A\",\"number\":3,\"price\":10}");
    assert_int_equal(seat_parse_create(b, &in, d), 0);
    assert_null(in.label);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"section\":\"S\",\"row\":\"A b\",\"number\":3,\"price\":10}");
    assert_int_equal(seat_parse_create(b, &in, d), -1);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"price\":\"10\"}");
    assert_int_equal(seat_parse_patch(b, &in, d), -1);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{}");
    assert_int_equal(seat_parse_patch(b, &in, d), -1);
    json_decref(b);
    json_decref(d);
    d = json_object();
    b = J("{\"label\":\"VIP-1\"}");
    assert_int_equal(seat_parse_patch(b, &in, d), 0);
    assert_string_equal(in.label, "VIP-1");
    json_decref(b);
    json_decref(d);
}

static void test_valid(void **state)
{
    (void)state;
    char out[37];
    assert_int_equal(valid_uuid_norm("ABCDEF01-1111-4111-8111-111111111111", out), 0);
    assert_string_equal(out, "abcdef01-1111-4111-8111-111111111111");
    assert_int_equal(valid_uuid_norm("ABCDEF01-1111-4111-8111-11111111111", out), -1);
    assert_int_equal(valid_uuid_norm(NULL, out), -1);
    assert_int_equal(valid_uuid_norm("x' OR 1=1 --", out), -1);
    assert_true(valid_currency("IDR"));
    assert_false(valid_currency("ID"));
    assert_false(valid_currency("idr"));
    json_t *d = json_object();
    json_t *o = json_pack("{s:s#}", "k", "a\xff", (int)2);
    const char *s = NULL;
    assert_int_equal(valid_string(o, "k", 1, 10, &s, d), -1);
    json_decref(o);
    json_decref(d);
    char lit[200];
    const char ids[2][37] = {U1, U2};
    seat_ids_literal(ids, 2, lit, sizeof lit);
    assert_string_equal(lit, "{" U1 "," U2 "}");
}

static struct booking sample(const char *status, const char *reason)
{
    static struct booking_seat seats[1];
    seats[0] = (struct booking_seat){"s1", "A-1", "VIP", 100};
    struct booking b = {0};
    b.id = U1;
    b.user_id = "u";
    b.event_id = U2;
    b.status = (char *)status;
    b.state = lifecycle_state_parse(status);
    b.failure_reason = (char *)reason;
    b.currency = "IDR";
    b.origin = "direct";
    b.version = 3;
    b.amount = 100;
    b.seats = seats;
    b.nseats = 1;
    return b;
}

static void test_booking_outcome(void **state)
{
    (void)state;
    const char *code;
    struct booking b = sample("PENDING_PAYMENT", NULL);
    assert_int_equal(booking_outcome_http(&b, &code), 201);
    assert_null(code);
    b = sample("FAILED", "SEAT_UNAVAILABLE");
    assert_int_equal(booking_outcome_http(&b, &code), 409);
    assert_string_equal(code, "SEAT_UNAVAILABLE");
    b = sample("FAILED", "HOLD_REJECTED");
    assert_int_equal(booking_outcome_http(&b, &code), 409);
    assert_string_equal(code, "HOLD_REJECTED");
    b = sample("FAILED", "TICKET_SERVICE_UNAVAILABLE");
    assert_int_equal(booking_outcome_http(&b, &code), 503);
    b = sample("FAILED", "PAYMENT_FAILED");
    assert_int_equal(booking_outcome_http(&b, &code), 201);
    b = sample("EXPIRED", NULL);
    assert_int_equal(booking_outcome_http(&b, &code), 201);

    assert_string_equal(lifecycle_notify_type(LC_CONFIRMED, 0), "booking.confirmed");
    assert_string_equal(lifecycle_notify_type(LC_CANCELLED, 0), "booking.cancelled");
    assert_string_equal(lifecycle_notify_type(LC_EXPIRED, 0), "booking.expired");
    assert_string_equal(lifecycle_notify_type(LC_FAILED, 0), "booking.failed");
    assert_null(lifecycle_notify_type(LC_PENDING_PAYMENT, 0));
    assert_string_equal(lifecycle_notify_type(LC_PENDING_PAYMENT, 1), "booking.created");
    assert_non_null(lifecycle_find(LC_CONFIRMED, LC_EV_CANCEL_USER));
    assert_non_null(lifecycle_find(LC_PENDING_PAYMENT, LC_EV_CANCEL_USER));
    assert_null(lifecycle_find(LC_EXPIRED, LC_EV_CANCEL_USER));
    assert_null(lifecycle_find(LC_CANCELLED, LC_EV_CANCEL_USER));
    assert_null(lifecycle_find(LC_NEW, LC_EV_CANCEL_USER));

    char id[64];
    booking_notify_id(U1, 3, id, sizeof id);
    assert_string_equal(id, "ntf_1111111111114111811111111111111100000003");
}

static void test_booking_json(void **state)
{
    (void)state;
    struct booking b = sample("CONFIRMED", NULL);
    b.has_ticket = 1;
    json_t *j = booking_json(&b);
    assert_string_equal(json_string_value(json_object_get(j, "ticket_url")),
                        "/api/bookings/" U1 "/ticket.pdf");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
    assert_true(json_is_null(json_object_get(j, "invoice_number")));
    assert_int_equal(json_array_size(json_object_get(j, "seats")), 1);
    json_decref(j);
    /* Cancelled: the stored PDF is no longer offered. */
    b = sample("CANCELLED", NULL);
    b.has_ticket = 1;
    j = booking_json(&b);
    assert_true(json_is_null(json_object_get(j, "ticket_url")));
    json_decref(j);

    char nid[64];
    b = sample("CONFIRMED", NULL);
    char *p = notify_payload(&b, "booking.confirmed", "JVBERi0=", 0, nid, sizeof nid);
    json_error_t err;
    j = json_loads(p, 0, &err);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "id")), nid);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "booking.confirmed");
    assert_string_equal(json_string_value(json_object_get(j, "created_at")),
                        "1970-01-01T00:00:00.000Z");
    json_t *data = json_object_get(j, "data");
    assert_string_equal(json_string_value(json_object_get(data, "ticket_pdf_base64")), "JVBERi0=");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(data, "booking"), "status")),
        "CONFIRMED");
    json_decref(j);
    free(p);
}

static void test_invoice_description(void **state)
{
    (void)state;
    struct booking_seat seats[2] = {{"a", "A-1", "S", 1}, {"b", "A-2", "S", 1}};
    char *d = booking_invoice_description("Show", seats, 2);
    assert_string_equal(d, "Show: A-1, A-2");
    free(d);
    /* 199 ASCII bytes then a 2-byte character straddling the cap. */
    char name[260];
    memset(name, 'x', 199);
    strcpy(name + 199, "\xc3\xa9 tail");
    d = booking_invoice_description(name, seats, 1);
    assert_true(strlen(d) <= 200);
    assert_int_equal(strlen(d), 199);
    free(d);
}

static void test_payment_mapping(void **state)
{
    (void)state;
    assert_int_equal(payment_result_from_status(200), PAY_OK);
    assert_int_equal(payment_result_from_status(201), PAY_OK);
    assert_int_equal(payment_result_from_status(409), PAY_CONFLICT);
    assert_int_equal(payment_result_from_status(404), PAY_NOT_FOUND);
    assert_int_equal(payment_result_from_status(0), PAY_RETRY);
    assert_int_equal(payment_result_from_status(503), PAY_RETRY);
    assert_int_equal(payment_result_from_status(429), PAY_RETRY);
    assert_int_equal(payment_result_from_status(400), PAY_REJECTED);
    assert_int_equal(payment_result_from_status(401), PAY_REJECTED);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(followup_backoff_ms(1, 0.5), 1000);
    assert_int_equal(followup_backoff_ms(2, 0.5), 2000);
    assert_int_equal(followup_backoff_ms(4, 0.5), 8000);
    assert_int_equal(followup_backoff_ms(40, 0.5), 600000);
    assert_int_equal(followup_backoff_ms(1, 0.0), 500);
    assert_true(followup_backoff_ms(100, 0.999) < 900000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booking_request_ok),
        cmocka_unit_test(test_booking_request_bad),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_event_parse),
        cmocka_unit_test(test_event_life_parse),
        cmocka_unit_test(test_seat_parse),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_booking_outcome),
        cmocka_unit_test(test_booking_json),
        cmocka_unit_test(test_invoice_description),
        cmocka_unit_test(test_payment_mapping),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
