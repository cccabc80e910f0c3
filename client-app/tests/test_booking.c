/* test_booking.c: booking request validation, TicketBooking and
 * notification parsing, the version rule, PDF decoding, the Booking JSON. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "booking.h"

#define EV "0b1e0c5a-1d2b-4c3d-9e4f-5a6b7c8d9e0f"
#define S1 "11111111-1111-4111-8111-111111111111"
#define S2 "22222222-2222-4222-8222-222222222222"
#define BK "33333333-3333-4333-8333-333333333333"
#define US "44444444-4444-4444-8444-444444444444"

static json_t *parse(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    return j;
}

static void request_valid(void **state)
{
    (void)state;
    struct booking_request r;
    json_t *d = NULL;
    json_t *b = parse("{\"event_id\":\"0B1E0C5A-1D2B-4C3D-9E4F-5A6B7C8D9E0F\","
                      "\"seat_ids\":[\"" S1 "\",\"" S2 "\"],\"extra\":1}");
    assert_int_equal(booking_request_parse(b, &r, &d), 0);
    assert_string_equal(r.event_id, EV); /* lowercased */
    assert_int_equal(r.nseats, 2);
    char h1[65], h2[65];
    booking_request_hash(&r, h1);
    json_t *tb = booking_request_ticket_body(&r, BK, US);
    assert_string_equal(json_string_value(json_object_get(tb, "booking_id")), BK);
    assert_int_equal(json_array_size(json_object_get(tb, "seat_ids")), 2);
    json_decref(tb);
    json_t *seats = booking_request_seats(&r);
    assert_true(json_is_null(json_object_get(json_array_get(seats, 0), "label")));
    json_decref(seats);
    json_decref(b);
    b = parse("{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S2 "\",\"" S1 "\"]}");
    assert_int_equal(booking_request_parse(b, &r, &d), 0);
    booking_request_hash(&r, h2);
    assert_string_not_equal(h1, h2);
    json_decref(b);
}

static void request_invalid(void **state)
{
    (void)state;
    struct booking_request r;
    json_t *d = NULL;
    const char *bad[] = {
        "{}",
        "{\"event_id\":\"x\",\"seat_ids\":[\"" S1 "\"]}",
        "{\"event_id\":\"" EV "\",\"seat_ids\":[]}",
        "{\"event_id\":\"" EV "\",\"seat_ids\":\"" S1 "\"}",
        "{\"event_id\":\"" EV "\",\"seat_ids\":[\"" S1 "\",\"" S1 "\"]}",
        "{\"event_id\":\"" EV "\",\"seat_ids\":[\"aaaaaaaa-1111-4111-8111-11111111111a\","
        "\"AAAAAAAA-1111-4111-8111-11111111111A\"]}",
        "{\"event_id\":\"" EV "\",\"seat_ids\":[1]}",
        "{\"event_id\":\"" EV "\",\"seat_ids\":[\"'; DROP TABLE bookings;--\"]}",
        "{\"event_id\":7,\"seat_ids\":[\"" S1 "\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = parse(bad[i]);
        assert_int_equal(booking_request_parse(b, &r, &d), -1);
        assert_non_null(d);
        json_decref(d);
        json_decref(b);
    }
    /* 11 seats */
    json_t *b = json_pack("{s:s, s:[]}", "event_id", EV, "seat_ids");
    for (int i = 0; i < 11; i++) {
        char id[37];
        snprintf(id, sizeof id, "11111111-1111-4111-8111-1111111111%02d", i);
        json_array_append_new(json_object_get(b, "seat_ids"), json_string(id));
    }
    assert_int_equal(booking_request_parse(b, &r, &d), -1);
    json_decref(d);
    json_array_remove(json_object_get(b, "seat_ids"), 0);
    assert_int_equal(booking_request_parse(b, &r, &d), 0);
    assert_int_equal(r.nseats, 10);
    json_decref(b);
}

static void idempotency_keys(void **state)
{
    (void)state;
    assert_true(idem_key_valid("abc-123"));
    assert_false(idem_key_valid(""));
    assert_false(idem_key_valid(NULL));
    assert_false(idem_key_valid("tab\tkey"));
    assert_false(idem_key_valid("caf\xc3\xa9"));
    char k[102];
    memset(k, 'k', 101);
    k[101] = 0;
    assert_false(idem_key_valid(k));
    k[100] = 0;
    assert_true(idem_key_valid(k));
}

static const char *ticket_booking_json =
    "{\"booking_id\":\"" BK "\",\"user_id\":\"" US "\",\"event_id\":\"" EV "\","
    "\"event_name\":\"Concert\",\"status\":\"PENDING_PAYMENT\",\"failure_reason\":null,"
    "\"seats\":[{\"id\":\"" S1 "\",\"label\":\"A-1\",\"price\":150000,\"section\":\"VIP\"}],"
    "\"amount\":150000,\"currency\":\"IDR\",\"invoice_number\":\"INV-ABCDEFGHIJKL\","
    "\"payment_url\":\"http://localhost:8082/pay/INV-ABCDEFGHIJKL\","
    "\"expires_at\":\"2026-11-23T10:07:00.000Z\",\"origin\":\"direct\",\"version\":2,"
    "\"created_at\":\"2026-11-23T10:00:00.000Z\",\"updated_at\":\"2026-11-23T10:00:00.000Z\"}";

static void ticket_booking_ok(void **state)
{
    (void)state;
    struct ticket_booking tb;
    char err[128];
    json_t *j = parse(ticket_booking_json);
    assert_int_equal(ticket_booking_parse(j, &tb, 0, err, sizeof err), 0);
    assert_string_equal(tb.status, "PENDING_PAYMENT");
    assert_int_equal(tb.state, BS_PENDING_PAYMENT);
    assert_string_equal(tb.amount, "150000");
    assert_string_equal(tb.version, "2");
    assert_int_equal(tb.version_n, 2);
    assert_non_null(strstr(tb.seats_json, "\"label\":\"A-1\""));
    assert_null(strstr(tb.seats_json, "section")); /* only id, label, price kept */
    assert_null(tb.failure_reason);
    ticket_booking_cleanup(&tb);
    json_decref(j);
}

static void ticket_booking_versions(void **state)
{
    (void)state;
    struct ticket_booking tb;
    char err[128];
    json_t *j = parse(ticket_booking_json);
    json_object_del(j, "version");
    /* notifications need a version; synchronous answers default to 1 */
    assert_int_equal(ticket_booking_parse(j, &tb, 0, err, sizeof err), -1);
    assert_int_equal(ticket_booking_parse(j, &tb, 1, err, sizeof err), 0);
    assert_int_equal(tb.version_n, 1);
    ticket_booking_cleanup(&tb);
    json_object_set_new(j, "version", json_integer(0));
    assert_int_equal(ticket_booking_parse(j, &tb, 1, err, sizeof err), -1);
    json_object_set_new(j, "version", json_string("3"));
    assert_int_equal(ticket_booking_parse(j, &tb, 1, err, sizeof err), -1);
    json_decref(j);
    assert_true(booking_version_newer(0, 1));
    assert_true(booking_version_newer(2, 3));
    assert_false(booking_version_newer(3, 3));
    assert_false(booking_version_newer(4, 3));
}

static void ticket_booking_bad(void **state)
{
    (void)state;
    struct ticket_booking tb;
    char err[128];
    const char *members[][2] = {
        {"booking_id", "\"nope\""},  {"status", "\"PAID\""},         {"status", "null"},
        {"failure_reason", "\"X\""}, {"expires_at", "\"tomorrow\""}, {"origin", "\"web\""},
        {"amount", "\"10\""},        {"seats", "[{\"id\":\"x\"}]"},  {"seats", "{}"},
        {"user_id", "\"u\""},
    };
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *j = parse(ticket_booking_json);
        json_object_set_new(j, members[i][0], parse(members[i][1]));
        assert_int_equal(ticket_booking_parse(j, &tb, 1, err, sizeof err), -1);
        assert_true(strlen(err) > 0);
        json_decref(j);
    }
    /* failure_reason only counts for FAILED */
    json_t *j = parse(ticket_booking_json);
    json_object_set_new(j, "failure_reason", json_string("SEAT_UNAVAILABLE"));
    assert_int_equal(ticket_booking_parse(j, &tb, 1, err, sizeof err), 0);
    assert_null(tb.failure_reason);
    ticket_booking_cleanup(&tb);
    json_object_set_new(j, "status", json_string("FAILED"));
    assert_int_equal(ticket_booking_parse(j, &tb, 1, err, sizeof err), 0);
    assert_string_equal(tb.failure_reason, "SEAT_UNAVAILABLE");
    ticket_booking_cleanup(&tb);
    json_decref(j);
    assert_int_equal(ticket_booking_parse(NULL, &tb, 1, err, sizeof err), -1);
}

static char *make_pdf_b64(size_t size)
{
    unsigned char *pdf = calloc(1, size);
    memcpy(pdf, "%PDF-1.4\n", 9);
    size_t n = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(n);
    sodium_bin2base64(b64, n, pdf, size, sodium_base64_VARIANT_ORIGINAL);
    free(pdf);
    return b64;
}

static void notification_ok(void **state)
{
    (void)state;
    struct notification n;
    char err[160];
    char *b64 = make_pdf_b64(1000);
    json_t *j = json_pack("{s:s, s:s, s:s, s:{s:o, s:s}}", "id", "ntf_1", "type",
                          "booking.confirmed", "created_at", "2026-11-23T10:00:00Z", "data",
                          "booking", parse(ticket_booking_json), "ticket_pdf_base64", b64);
    json_object_set_new(json_object_get(json_object_get(j, "data"), "booking"), "status",
                        json_string("CONFIRMED"));
    assert_int_equal(notification_parse(j, &n, err, sizeof err), 0);
    assert_string_equal(n.id, "ntf_1");
    assert_string_equal(n.booking.status, "CONFIRMED");
    assert_non_null(n.pdf_base64);
    unsigned char *pdf;
    size_t len;
    assert_int_equal(booking_pdf_decode(n.pdf_base64, n.pdf_base64_len, &pdf, &len), 0);
    assert_int_equal(len, 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    free(pdf);
    notification_cleanup(&n);
    json_decref(j);
    free(b64);
}

static void notification_bad(void **state)
{
    (void)state;
    struct notification n;
    char err[160];
    const char *bad[] = {
        "[]",
        "{\"type\":\"booking.confirmed\",\"data\":{}}",
        "{\"id\":\"n1\",\"type\":\"booking.paid\",\"data\":{}}",
        "{\"id\":\"n1\",\"type\":\"booking.failed\"}",
        "{\"id\":\"n1\",\"type\":\"booking.failed\",\"data\":{\"booking\":{}}}",
        "{\"id\":\"\",\"type\":\"booking.failed\",\"data\":{}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = parse(bad[i]);
        assert_int_equal(notification_parse(j, &n, err, sizeof err), -1);
        json_decref(j);
    }
    /* a notification must say whose booking it is */
    json_t *b = parse(ticket_booking_json);
    json_object_del(b, "user_id");
    json_t *j = json_pack("{s:s, s:s, s:{s:o}}", "id", "n2", "type", "booking.created", "data",
                          "booking", b);
    assert_int_equal(notification_parse(j, &n, err, sizeof err), -1);
    json_decref(j);
    assert_true(notification_type_known("booking.expired"));
    assert_false(notification_type_known("booking.paid"));
}

static void pdf_decode_limits(void **state)
{
    (void)state;
    unsigned char *pdf;
    size_t len;
    assert_int_equal(booking_pdf_decode("!!!!", 4, &pdf, &len), -1);
    assert_int_equal(booking_pdf_decode("aGVsbG8gd29ybGQ=", 16, &pdf, &len), -1); /* not a PDF */
    assert_int_equal(booking_pdf_decode("", 0, &pdf, &len), -1);
    char *big = make_pdf_b64(BOOKING_PDF_MAX + 1);
    assert_int_equal(booking_pdf_decode(big, strlen(big), &pdf, &len), -1);
    free(big);
    big = make_pdf_b64(BOOKING_PDF_MAX);
    assert_int_equal(booking_pdf_decode(big, strlen(big), &pdf, &len), 0);
    assert_int_equal(len, BOOKING_PDF_MAX);
    free(pdf);
    free(big);
    /* base64 split over lines is accepted */
    assert_int_equal(booking_pdf_decode("JVBERi0x\nLjQK", 13, &pdf, &len), 0);
    assert_int_equal(len, 9);
    free(pdf);
}

static void booking_json(void **state)
{
    (void)state;
    struct booking_view v = {BK,
                             US,
                             EV,
                             "Concert",
                             "REQUESTED",
                             NULL,
                             "[{\"id\":\"" S1 "\",\"label\":null,\"price\":null}]",
                             NULL,
                             NULL,
                             NULL,
                             NULL,
                             NULL,
                             "direct",
                             "2026-11-23T10:00:00.000Z",
                             "2026-11-23T10:00:00.000Z",
                             "7K3M9Q2X",
                             "{\"" S1 "\":{\"name\":\"Siti\",\"id_number\":null}}"};
    json_t *j = booking_to_json(&v);
    assert_string_equal(json_string_value(json_object_get(j, "code")), "7K3M9Q2X");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(j, "seats"), 0), "attendee"), "name")),
        "Siti");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "PENDING_PAYMENT");
    assert_true(json_is_null(json_object_get(j, "payment")));
    assert_true(json_is_null(json_object_get(j, "ticket_url")));
    assert_true(json_is_null(json_object_get(j, "amount")));
    assert_int_equal(json_array_size(json_object_get(j, "seats")), 1);
    const char *keys[] = {
        "id",       "user_id", "event_id",   "seats",  "status",     "failure_reason", "amount",
        "currency", "payment", "ticket_url", "origin", "created_at", "updated_at"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(j, keys[i]));
    json_decref(j);

    v.status = "CONFIRMED";
    v.failure_reason = "SEAT_UNAVAILABLE"; /* ignored unless FAILED */
    v.amount = "150000";
    v.currency = "IDR";
    v.invoice_number = "INV-ABCDEFGHIJKL";
    v.payment_url = "http://x/pay/INV-ABCDEFGHIJKL";
    v.payment_expires_at = "2026-11-23T10:07:00.000Z";
    j = booking_to_json(&v);
    assert_string_equal(json_string_value(json_object_get(j, "ticket_url")),
                        "/api/bookings/" BK "/ticket.pdf");
    assert_int_equal(json_integer_value(json_object_get(j, "amount")), 150000);
    assert_true(json_is_null(json_object_get(j, "failure_reason")));
    json_t *p = json_object_get(j, "payment");
    assert_string_equal(json_string_value(json_object_get(p, "invoice_number")),
                        "INV-ABCDEFGHIJKL");
    assert_non_null(json_object_get(p, "expires_at"));
    json_decref(j);

    v.status = "FAILED";
    j = booking_to_json(&v);
    assert_string_equal(json_string_value(json_object_get(j, "failure_reason")),
                        "SEAT_UNAVAILABLE");
    json_decref(j);
    assert_string_equal(booking_public_status("EXPIRED"), "EXPIRED");
}

/* Every status name parses back to its enum; unknown strings, NULL and the
 * wrong case do not; REQUESTED is known but not a public status. */
static void status_table(void **state)
{
    (void)state;
    for (int i = BS_UNKNOWN + 1; i < BS_COUNT; i++) {
        const char *name = booking_status_name((enum booking_status)i);
        assert_non_null(name);
        assert_int_equal(booking_status_parse(name), i);
        assert_int_equal(booking_status_valid(name), i != BS_REQUESTED);
    }
    assert_string_equal(booking_status_name(BS_CONFIRMED), "CONFIRMED");
    assert_null(booking_status_name(BS_UNKNOWN));
    assert_null(booking_status_name(BS_COUNT));
    assert_int_equal(booking_status_parse(NULL), BS_UNKNOWN);
    assert_int_equal(booking_status_parse("confirmed"), BS_UNKNOWN);
    assert_int_equal(booking_status_parse("HELD"), BS_HELD);
    assert_int_equal(booking_status_parse("HELD?"), BS_UNKNOWN);
    assert_false(booking_status_valid(NULL));
    assert_string_equal(booking_public_status("REQUESTED"), "PENDING_PAYMENT");
    assert_null(booking_public_status(NULL));
}

/* ticket_booking_json with status/failure_reason replaced (new reference). */
static json_t *tb_with(const char *status, const char *reason)
{
    json_t *j = parse(ticket_booking_json);
    json_object_set_new(j, "status", json_string(status));
    json_object_set_new(j, "failure_reason", reason ? json_string(reason) : json_null());
    return j;
}

/* The error-answer shape: error + fields at the top + under "booking". */
static json_t *error_reply(const char *code, json_t *booking)
{
    json_t *r = json_deep_copy(booking);
    json_object_set_new(r, "error", json_pack("{s:s, s:s}", "code", code, "message", "m"));
    json_object_set_new(r, "booking", booking);
    return r;
}

static void classify_answers(void **state)
{
    (void)state;
    struct ticket_booking tb;
    int have = 0;
    const char *code = NULL;
    json_t *reply;

    /* transport failure, 5xx without a body, unexpected statuses */
    assert_int_equal(booking_classify(-1, 0, NULL, BK, &tb, &have, &code), OUT_UNAVAILABLE);
    assert_int_equal(have, 0);
    assert_int_equal(booking_classify(0, 502, NULL, BK, &tb, &have, &code), OUT_UNAVAILABLE);
    assert_int_equal(booking_classify(0, 401, NULL, BK, &tb, &have, &code), OUT_UNAVAILABLE);
    assert_int_equal(booking_classify(0, 302, NULL, BK, &tb, &have, &code), OUT_UNAVAILABLE);

    /* 201 held */
    reply = tb_with("PENDING_PAYMENT", NULL);
    assert_int_equal(booking_classify(0, 201, reply, BK, &tb, &have, &code), OUT_HELD);
    assert_int_equal(have, 1);
    assert_string_equal(tb.invoice_number, "INV-ABCDEFGHIJKL");
    ticket_booking_cleanup(&tb);
    /* ... but for another booking id it is unusable */
    assert_int_equal(
        booking_classify(0, 201, reply, "99999999-9999-4999-8999-999999999999", &tb, &have, &code),
        OUT_UNAVAILABLE);
    assert_int_equal(have, 0);
    json_decref(reply);

    /* 409: the code from the error, the booking from under "booking" */
    reply = error_reply("HOLD_REJECTED", tb_with("FAILED", "HOLD_REJECTED"));
    json_object_del(reply, "booking_id"); /* only the nested copy is usable */
    assert_int_equal(booking_classify(0, 409, reply, BK, &tb, &have, &code), OUT_REFUSED);
    assert_string_equal(code, "HOLD_REJECTED");
    assert_int_equal(have, 1);
    assert_string_equal(tb.failure_reason, "HOLD_REJECTED");
    ticket_booking_cleanup(&tb);
    json_decref(reply);
    /* 409 with an unknown code and no booking: SEAT_UNAVAILABLE */
    reply = parse("{\"error\":{\"code\":\"BOOKING_ID_REUSED\",\"message\":\"x\"}}");
    assert_int_equal(booking_classify(0, 409, reply, BK, &tb, &have, &code), OUT_REFUSED);
    assert_string_equal(code, "SEAT_UNAVAILABLE");
    assert_int_equal(have, 0);
    json_decref(reply);
    /* a 201 that says FAILED is a refusal; with no reason, SEAT_UNAVAILABLE */
    reply = tb_with("FAILED", NULL);
    assert_int_equal(booking_classify(0, 201, reply, BK, &tb, &have, &code), OUT_REFUSED);
    assert_string_equal(code, "SEAT_UNAVAILABLE");
    ticket_booking_cleanup(&tb);
    json_decref(reply);

    /* 503 from ticket-app (payment-app down there): unavailable, booking kept */
    reply = error_reply("SERVICE_UNAVAILABLE", tb_with("FAILED", "TICKET_SERVICE_UNAVAILABLE"));
    assert_int_equal(booking_classify(0, 503, reply, BK, &tb, &have, &code), OUT_UNAVAILABLE);
    assert_int_equal(have, 1);
    ticket_booking_cleanup(&tb);
    json_decref(reply);
    reply = tb_with("FAILED", "TICKET_SERVICE_UNAVAILABLE");
    assert_int_equal(booking_classify(0, 201, reply, BK, &tb, &have, &code), OUT_UNAVAILABLE);
    ticket_booking_cleanup(&tb);
    json_decref(reply);

    /* invalid requests */
    reply = parse("{\"error\":{\"code\":\"SEAT_NOT_FOUND\",\"message\":\"x\"}}");
    assert_int_equal(booking_classify(0, 404, reply, BK, &tb, &have, &code), OUT_INVALID);
    assert_int_equal(booking_classify(0, 400, reply, BK, &tb, &have, &code), OUT_INVALID);
    assert_int_equal(booking_classify(0, 422, NULL, BK, &tb, &have, &code), OUT_INVALID);
    json_decref(reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_valid),
        cmocka_unit_test(request_invalid),
        cmocka_unit_test(idempotency_keys),
        cmocka_unit_test(ticket_booking_ok),
        cmocka_unit_test(ticket_booking_versions),
        cmocka_unit_test(ticket_booking_bad),
        cmocka_unit_test(notification_ok),
        cmocka_unit_test(notification_bad),
        cmocka_unit_test(pdf_decode_limits),
        cmocka_unit_test(booking_json),
        cmocka_unit_test(status_table),
        cmocka_unit_test(classify_answers),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
