/* test_http_flow.c: ticket-app against a real payment-app and a real
 * notification receiver: auth and bad input, the full paid path (PDF,
 * notification, check-in once), cancellations, forged and replayed
 * webhooks. Deterministic: every failure rate is 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ticket_code.h"
#include "ticket_testlib.h"

static struct suite S;
static char EV[37], EV2[37];
static json_t *SEATS, *SEATS2;

#define SEAT(i) tt_str(json_array_get(SEATS, (i)), "id")

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    if (suite_start(&S, NULL, NULL) != 0)
        return -1;
    SEATS = tt_create_event(&S,
                            "[{\"name\":\"VIP\",\"rows\":[\"A\"],\"seats_per_row\":10,"
                            "\"price\":500000},{\"name\":\"Regular\",\"rows\":[\"B\",\"C\"],"
                            "\"seats_per_row\":10,\"price\":150000}]",
                            EV);
    SEATS2 = tt_create_event(
        &S, "[{\"name\":\"Hall\",\"rows\":[\"Z\"],\"seats_per_row\":3,\"price\":1000}]", EV2);
    return SEATS && SEATS2 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(SEATS);
    json_decref(SEATS2);
    suite_stop(&S);
    return 0;
}

static long raw(const char *method, const char *path, const char *auth, const char *body)
{
    char url[512], h[256];
    snprintf(url, sizeof url, "%s%s", S.ticket.base_url, path);
    snprintf(h, sizeof h, "Authorization: Bearer %s", auth ? auth : "");
    const char *headers[] = {"Content-Type: application/json", auth ? h : NULL, NULL};
    return test_http(method, url, headers, body, NULL);
}

/* Downloads the PDF at url, rasterises it and decodes every QR code into
 * out. Returns the number decoded, or -1 when pdftoppm/zbarimg are missing. */
static int scan_pdf_qr(const char *url, char out[][TICKET_CODE_LEN + 2], int max)
{
    if (system("command -v pdftoppm >/dev/null 2>&1 && command -v zbarimg >/dev/null 2>&1 && "
               "command -v curl >/dev/null 2>&1") != 0)
        return -1;
    char dir[] = "/tmp/ticket-qr-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char cmd[1024];
    /* curl keeps the binary body intact (test_http's is a C string). */
    snprintf(cmd, sizeof cmd,
             "curl -sf -H 'Authorization: Bearer " TT_SERVICE "' -o %s/t.pdf '%s' && "
             "pdftoppm -r 150 -png %s/t.pdf %s/p >/dev/null 2>&1 && zbarimg -q --raw %s/p*.png "
             "2>/dev/null; rm -rf %s",
             dir, url, dir, dir, dir, dir);
    FILE *z = popen(cmd, "r");
    int n = 0;
    char line[256];
    while (z && fgets(line, sizeof line, z) && n < max) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            snprintf(out[n++], TICKET_CODE_LEN + 2, "%.*s", TICKET_CODE_LEN + 1, line);
    }
    if (z)
        pclose(z);
    return n;
}

static void test_auth_and_bad_input(void **state)
{
    (void)state;
    const char *ev = "{\"name\":\"x\",\"venue\":\"v\",\"starts_at\":\"2030-01-01T00:00:00Z\"}";
    assert_int_equal(raw("POST", "/api/events", NULL, ev), 401);
    assert_int_equal(raw("POST", "/api/events", "wrong", ev), 401);
    assert_int_equal(raw("POST", "/api/events", TT_SERVICE, ev), 403);
    assert_int_equal(raw("POST", "/api/events", TT_ADMIN, "{not json"), 400);
    assert_int_equal(raw("POST", "/api/events", TT_ADMIN, "{\"name\":\"x\"}"), 400);
    assert_int_equal(raw("GET", "/api/events", NULL, NULL), 200);
    assert_int_equal(raw("GET", "/api/events/not-a-uuid", NULL, NULL), 404);
    assert_int_equal(raw("GET", "/api/events/11111111-1111-4111-8111-111111111111", NULL, NULL),
                     404);
    assert_int_equal(raw("GET", "/api/events?limit=0", NULL, NULL), 400);

    char b[37], path[128];
    tt_uuid(b);
    const char *one[] = {SEAT(0)};
    snprintf(path, sizeof path, "%s", "/api/bookings");
    assert_int_equal(raw("POST", path, NULL, "{}"), 401);
    assert_int_equal(raw("POST", path, TT_SERVICE, "[1,2]"), 400);
    assert_int_equal(raw("POST", path, TT_SERVICE, "{\"booking_id\":5}"), 400);
    /* Unknown event, unknown seat, a seat of another event, duplicates,
     * more than ten seats. */
    assert_int_equal(tt_book(&S, b, "u1", "11111111-1111-4111-8111-111111111111", one, 1, NULL),
                     404);
    const char *ghost[] = {"11111111-1111-4111-8111-111111111111"};
    assert_int_equal(tt_book(&S, b, "u1", EV, ghost, 1, NULL), 404);
    const char *mixed[] = {SEAT(0), tt_str(json_array_get(SEATS2, 0), "id")};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "u1", EV, mixed, 2, &out), 400);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "VALIDATION_FAILED");
    json_decref(out);
    const char *dup[] = {SEAT(0), SEAT(0)};
    assert_int_equal(tt_book(&S, b, "u1", EV, dup, 2, NULL), 400);
    const char *eleven[11];
    for (int i = 0; i < 11; i++)
        eleven[i] = SEAT(i);
    assert_int_equal(tt_book(&S, b, "u1", EV, eleven, 11, NULL), 400);
    /* None of those was recorded, no seat moved. */
    assert_int_equal(tt_q_long(&S, "SELECT count(*) FROM bookings", NULL, NULL), 0);
    assert_int_equal(tt_q_long(&S, "SELECT count(*) FROM seats WHERE status <> 'OPEN'", NULL, NULL),
                     0);
    assert_int_equal(raw("GET", "/api/bookings/nope", TT_SERVICE, NULL), 404);
    assert_int_equal(
        raw("GET", "/api/bookings/11111111-1111-4111-8111-111111111111", TT_SERVICE, NULL), 404);
    /* Webhooks never take a bearer instead of a signature. */
    assert_int_equal(raw("POST", "/webhooks/payment", TT_ADMIN, "{}"), 401);
    /* Check-in with garbage. */
    assert_int_equal(raw("POST", "/api/checkins", TT_ADMIN, "{\"ticket_code\":\"garbage\"}"), 404);
    /* The gate is client-app's too (its staff and admins). */
    assert_int_equal(raw("POST", "/api/checkins", TT_SERVICE, "{\"ticket_code\":\"x\"}"), 404);
    assert_int_equal(raw("POST", "/api/checkins", NULL, "{\"ticket_code\":\"x\"}"), 401);
}

static void test_paid_path(void **state)
{
    (void)state;
    char b[37], path[160];
    tt_uuid(b);
    const char *seats[] = {SEAT(1), SEAT(2)};
    json_t *out = NULL;
    assert_int_equal(tt_book(&S, b, "user-1", EV, seats, 2, &out), 201);
    assert_string_equal(tt_str(out, "status"), "PENDING_PAYMENT");
    json_int_t want = json_integer_value(json_object_get(json_array_get(SEATS, 1), "price")) +
                      json_integer_value(json_object_get(json_array_get(SEATS, 2), "price"));
    assert_int_equal(json_integer_value(json_object_get(out, "amount")), want);
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tt_str(out, "invoice_number"));
    assert_true(strncmp(inv, "INV-", 4) == 0);
    assert_true(strlen(tt_str(out, "payment_url")) > 0);
    assert_true(strlen(tt_str(out, "expires_at")) > 0);
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(1)), "ON_GOING");

    /* The same booking id again: the stored outcome, the same invoice. */
    assert_int_equal(tt_book(&S, b, "user-1", EV, seats, 2, &out), 201);
    assert_string_equal(tt_str(out, "invoice_number"), inv);
    json_decref(out);
    /* ... but not for another request. */
    assert_int_equal(tt_book(&S, b, "user-2", EV, seats, 2, NULL), 409);
    assert_int_equal(tt_q_long(&S, "SELECT count(*) FROM bookings WHERE id = $1", b, NULL), 1);

    /* Held seats cannot be repriced or deleted, nor the event deleted. */
    snprintf(path, sizeof path, "/api/seats/%s", SEAT(1));
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"price\":1}"), 409);
    assert_int_equal(raw("DELETE", path, TT_ADMIN, NULL), 409);
    snprintf(path, sizeof path, "/api/events/%s", EV);
    assert_int_equal(raw("DELETE", path, TT_ADMIN, NULL), 409);
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"currency\":\"USD\"}"), 409);
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"description\":\"Now with fireworks\"}"), 200);
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", b);
    assert_int_equal(raw("GET", path, TT_SERVICE, NULL), 409);

    assert_int_equal(tt_pay(&S, inv), 202);
    assert_int_equal(tt_wait_status(&S, b, "CONFIRMED", 15000), 0);
    assert_string_equal(tt_seat_status(&S, SEAT(1)), "BOOKED");
    assert_string_equal(tt_seat_status(&S, SEAT(2)), "BOOKED");

    struct note n;
    assert_true(notes_wait(&S.notes, b, "booking.confirmed", 15000, &n));
    assert_true(n.has_pdf);
    assert_string_equal(n.status, "CONFIRMED");

    char url[256], *pdf = NULL;
    snprintf(url, sizeof url, "%s%s", S.ticket.base_url, path);
    const char *auth[] = {"Authorization: Bearer " TT_SERVICE, NULL};
    assert_int_equal(test_http("GET", url, auth, NULL, &pdf), 200);
    assert_non_null(pdf);
    assert_memory_equal(pdf, "%PDF", 4);
    free(pdf);

    /* The ticket code of a seat admits once: read from the PDF's QR code
     * (pdftoppm + zbarimg) when those tools are there, else made here. */
    char code[TICKET_CODE_LEN + 1], body[256];
    assert_int_equal(ticket_code_make(TT_CODE_SECRET, b, SEAT(1), code, sizeof code), 0);
    char scanned[8][TICKET_CODE_LEN + 2];
    int nscanned = scan_pdf_qr(url, scanned, 8);
    if (nscanned >= 0) {
        fprintf(stderr, "QR codes decoded from the PDF: %d\n", nscanned);
        assert_int_equal(nscanned, 2);
        int found = 0;
        for (int i = 0; i < nscanned; i++)
            found |= strcmp(scanned[i], code) == 0;
        assert_true(found); /* the PDF carries exactly this seat's signed code */
    }
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\"}", code);
    assert_int_equal(raw("POST", "/api/checkins", TT_ADMIN, body), 200);
    assert_int_equal(raw("POST", "/api/checkins", TT_ADMIN, body), 409);
    /* A code signed with another secret does not. */
    assert_int_equal(ticket_code_make("another-secret", b, SEAT(2), code, sizeof code), 0);
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\"}", code);
    assert_int_equal(raw("POST", "/api/checkins", TT_ADMIN, body), 404);

    snprintf(path, sizeof path, "/api/events/%s/stats", EV);
    json_t *stats = NULL;
    assert_int_equal(tt_call(&S, "GET", path, TT_ADMIN, NULL, &stats), 200);
    assert_int_equal(json_integer_value(json_object_get(stats, "checked_in")), 1);
    assert_true(json_integer_value(json_object_get(stats, "revenue")) >= 300000);
    assert_true(json_integer_value(json_object_get(json_object_get(stats, "seats"), "booked")) >=
                2);
    json_decref(stats);
}

static int wait_invoice(const char *number, const char *status, int timeout_ms)
{
    char path[128];
    snprintf(path, sizeof path, "/api/invoices/%s", number);
    int64_t until = now_ms() + timeout_ms;
    do {
        json_t *inv = NULL;
        tt_pay_call(&S, "GET", path, NULL, &inv);
        int ok = strcmp(tt_str(inv, "status"), status) == 0;
        json_decref(inv);
        if (ok)
            return 0;
        sleep_ms(100);
    } while (now_ms() < until);
    return -1;
}

static void test_cancellations(void **state)
{
    (void)state;
    char b[37], path[160], inv[64];
    json_t *out = NULL;
    /* Pending: cancelled, seats released, invoice voided. */
    tt_uuid(b);
    const char *seats[] = {SEAT(3), SEAT(4)};
    assert_int_equal(tt_book(&S, b, "user-3", EV, seats, 2, &out), 201);
    snprintf(inv, sizeof inv, "%s", tt_str(out, "invoice_number"));
    json_decref(out);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b);
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "CANCELLED");
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(3)), "OPEN");
    assert_string_equal(tt_seat_status(&S, SEAT(4)), "OPEN");
    assert_int_equal(wait_invoice(inv, "VOID", 10000), 0);
    assert_true(notes_wait(&S.notes, b, "booking.cancelled", 10000, NULL));
    /* Again: the same answer, nothing new. */
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, NULL), 200);

    /* Confirmed: cancelled, refunded, its tickets no longer admit. */
    tt_uuid(b);
    const char *one[] = {SEAT(5)};
    assert_int_equal(tt_book(&S, b, "user-4", EV, one, 1, &out), 201);
    snprintf(inv, sizeof inv, "%s", tt_str(out, "invoice_number"));
    json_decref(out);
    assert_int_equal(tt_pay(&S, inv), 202);
    assert_int_equal(tt_wait_status(&S, b, "CONFIRMED", 15000), 0);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b);
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, NULL), 200);
    assert_string_equal(tt_seat_status(&S, SEAT(5)), "OPEN");
    assert_int_equal(wait_invoice(inv, "REFUNDED", 10000), 0);
    char code[TICKET_CODE_LEN + 1], body[256];
    ticket_code_make(TT_CODE_SECRET, b, SEAT(5), code, sizeof code);
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\"}", code);
    assert_int_equal(raw("POST", "/api/checkins", TT_ADMIN, body), 404);
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", b);
    assert_int_equal(raw("GET", path, TT_SERVICE, NULL), 409);

    /* A failed attempt cannot be cancelled. */
    char f[37];
    tt_uuid(f);
    assert_int_equal(tt_book(&S, f, "user-5", EV, one, 1, NULL), 201);
    tt_uuid(b);
    assert_int_equal(tt_book(&S, b, "user-6", EV, one, 1, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "SEAT_UNAVAILABLE");
    assert_string_equal(tt_str(out, "failure_reason"), "SEAT_UNAVAILABLE");
    json_decref(out);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b);
    assert_int_equal(tt_call(&S, "POST", path, TT_SERVICE, NULL, &out), 409);
    assert_string_equal(tt_str(json_object_get(out, "error"), "code"), "NOT_CANCELLABLE");
    json_decref(out);
}

/* A payment-app webhook body for invoice inv of booking b. */
static void payment_event(char *out, size_t len, const char *evt, const char *type,
                          const char *status, const char *inv, const char *b)
{
    snprintf(out, len,
             "{\"id\":\"%s\",\"type\":\"%s\",\"created_at\":\"2030-01-01T00:00:00Z\","
             "\"data\":{\"invoice\":{\"invoice_number\":\"%s\",\"booking_id\":\"%s\","
             "\"status\":\"%s\"}}}",
             evt, type, inv, b, status);
}

static void test_webhooks(void **state)
{
    (void)state;
    char b[37], body[1024], evt[64];
    json_t *out = NULL;
    tt_uuid(b);
    const char *one[] = {SEAT(6)};
    assert_int_equal(tt_book(&S, b, "user-7", EV, one, 1, &out), 201);
    char inv[64];
    snprintf(inv, sizeof inv, "%s", tt_str(out, "invoice_number"));
    long version = (long)json_integer_value(json_object_get(out, "version"));
    json_decref(out);

    snprintf(evt, sizeof evt, "evt_test_%ld", (long)now_ms());
    payment_event(body, sizeof body, evt, "invoice.paid", "PAID", inv, b);
    /* Forged: wrong secret, stale, missing, garbage. */
    assert_int_equal(
        tt_webhook(
            &S, body, 0,
            "t=1700000000,v1=0000000000000000000000000000000000000000000000000000000000000000"),
        401);
    assert_int_equal(tt_webhook(&S, body, (long)time(NULL) - 1000, NULL), 401);
    assert_int_equal(tt_webhook(&S, body, (long)time(NULL) + 1000, NULL), 401);
    assert_int_equal(tt_webhook(&S, body, 0, "garbage"), 401);
    assert_int_equal(tt_webhook(&S, body, 0, ""), 401);
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s", b);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "PENDING_PAYMENT");
    assert_int_equal(json_integer_value(json_object_get(out, "version")), version);
    json_decref(out);
    assert_int_equal(
        tt_q_long(&S, "SELECT count(*) FROM processed_events WHERE id = $1", evt, NULL), 0);

    /* A signed invoice.failed, delivered twice: applied once. */
    snprintf(evt, sizeof evt, "evt_fail_%ld", (long)now_ms());
    payment_event(body, sizeof body, evt, "invoice.failed", "FAILED", inv, b);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "FAILED");
    assert_string_equal(tt_str(out, "failure_reason"), "PAYMENT_FAILED");
    long v2 = (long)json_integer_value(json_object_get(out, "version"));
    assert_int_equal(v2, version + 1);
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(6)), "OPEN");
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &out), 200);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), v2);
    json_decref(out);
    assert_int_equal(
        tt_q_long(&S, "SELECT count(*) FROM processed_events WHERE id = $1", evt, NULL), 1);
    assert_true(notes_wait(&S.notes, b, "booking.failed", 10000, NULL));
    assert_int_equal(notes_count(&S.notes, b, "booking.failed"), 1);

    /* invoice.paid for a booking that is no longer waiting (FAILED above):
     * not confirmed (the one-call path leaves it to the general path), the
     * money goes back; delivered twice, recorded once. */
    snprintf(evt, sizeof evt, "evt_latepaid_%ld", (long)now_ms());
    payment_event(body, sizeof body, evt, "invoice.paid", "PAID", inv, b);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    assert_int_equal(tt_call(&S, "GET", path, TT_SERVICE, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "FAILED");
    assert_int_equal(json_integer_value(json_object_get(out, "version")), v2);
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(6)), "OPEN");
    assert_int_equal(tt_q_long(&S,
                               "SELECT count(*) FROM followups WHERE booking_id = $1 AND "
                               "kind = 'REFUND'",
                               b, NULL),
                     1);

    /* invoice.paid for a booking waiting with its seats held, delivered
     * twice: confirmed once (booking_apply_paid), seats BOOKED, the ticket
     * rendered and announced once. */
    char b2[37], inv2[64];
    tt_uuid(b2);
    const char *seven[] = {SEAT(7)};
    assert_int_equal(tt_book(&S, b2, "user-7", EV, seven, 1, &out), 201);
    snprintf(inv2, sizeof inv2, "%s", tt_str(out, "invoice_number"));
    long v3 = (long)json_integer_value(json_object_get(out, "version"));
    json_decref(out);
    snprintf(evt, sizeof evt, "evt_paid2_%ld", (long)now_ms());
    payment_event(body, sizeof body, evt, "invoice.paid", "PAID", inv2, b2);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    assert_int_equal(tt_webhook(&S, body, 0, NULL), 204);
    char path2[128];
    snprintf(path2, sizeof path2, "/api/bookings/%s", b2);
    assert_int_equal(tt_call(&S, "GET", path2, TT_SERVICE, NULL, &out), 200);
    assert_string_equal(tt_str(out, "status"), "CONFIRMED");
    assert_int_equal(json_integer_value(json_object_get(out, "version")), v3 + 1);
    json_decref(out);
    assert_string_equal(tt_seat_status(&S, SEAT(7)), "BOOKED");
    assert_int_equal(
        tt_q_long(&S, "SELECT count(*) FROM processed_events WHERE id = $1", evt, NULL), 1);
    assert_true(notes_wait(&S.notes, b2, "booking.confirmed", 15000, NULL));
    assert_int_equal(notes_count(&S.notes, b2, "booking.confirmed"), 1);

    /* Signed but not a payment event: 400, nothing recorded. */
    assert_int_equal(tt_webhook(&S, "{\"type\":\"invoice.paid\"}", 0, NULL), 400);
    assert_int_equal(tt_webhook(&S, "not json", 0, NULL), 400);
    assert_int_equal(S.notes.bad_sigs, 0);

    /* The refusals (five here, one in the bad-input test) and the
     * duplicates show in /metrics. */
    char url[256], *m = NULL;
    snprintf(url, sizeof url, "%s/metrics", S.ticket.base_url);
    assert_int_equal(test_http("GET", url, NULL, NULL, &m), 200);
    assert_non_null(strstr(m, "ticket_payment_webhooks_total{result=\"refused\"} 6"));
    assert_non_null(strstr(m, "ticket_payment_webhooks_total{result=\"duplicate\"} 3"));
    assert_non_null(strstr(m, "ticket_booking_attempts_total{outcome=\"held\"}"));
    free(m);
}

static void test_admin_crud(void **state)
{
    (void)state;
    json_t *ev = NULL, *seat = NULL;
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s}", "name", "Train JKT-BDG", "venue", "Gambir", "starts_at",
                  "2030-02-01T07:00:00+07:00", "description", "Carriages by class");
    assert_int_equal(tt_call(&S, "POST", "/api/events", TT_ADMIN, body, &ev), 201);
    json_decref(body);
    assert_string_equal(tt_str(ev, "starts_at"), "2030-02-01T00:00:00.000Z");
    assert_string_equal(tt_str(ev, "currency"), "IDR");
    char id[37], path[128], sid[37];
    snprintf(id, sizeof id, "%s", tt_str(ev, "id"));
    json_decref(ev);

    snprintf(path, sizeof path, "/api/events/%s/seats", id);
    body = json_pack("{s:s, s:s, s:i, s:i}", "section", "Executive", "row", "E1", "number", 4,
                     "price", 350000);
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, body, &seat), 201);
    assert_string_equal(tt_str(seat, "label"), "E1-4");
    assert_string_equal(tt_str(seat, "status"), "OPEN");
    snprintf(sid, sizeof sid, "%s", tt_str(seat, "id"));
    json_decref(seat);
    assert_int_equal(tt_call(&S, "POST", path, TT_ADMIN, body, NULL), 409); /* same label */
    json_decref(body);
    assert_int_equal(raw("POST", "/api/events/11111111-1111-4111-8111-111111111111/seats", TT_ADMIN,
                         "{\"section\":\"S\",\"row\":\"A\",\"number\":1,\"price\":1}"),
                     404);

    snprintf(path, sizeof path, "/api/seats/%s", sid);
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"price\":400000,\"label\":\"E1-04\"}"), 200);
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"price\":-5}"), 400);
    assert_int_equal(tt_q_long(&S, "SELECT price FROM seats WHERE id = $1", sid, NULL), 400000);
    assert_int_equal(raw("DELETE", path, TT_ADMIN, NULL), 204);
    assert_int_equal(raw("DELETE", path, TT_ADMIN, NULL), 404);
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"price\":1}"), 404);

    snprintf(path, sizeof path, "/api/events/%s", id);
    assert_int_equal(raw("PATCH", path, TT_ADMIN, "{\"currency\":\"USD\",\"name\":\"Argo\"}"), 200);
    assert_int_equal(tt_call(&S, "GET", path, NULL, NULL, &ev), 200);
    assert_string_equal(tt_str(ev, "currency"), "USD");
    assert_string_equal(tt_str(ev, "name"), "Argo");
    json_decref(ev);
    snprintf(path, sizeof path, "/api/events/%s/stats", id);
    assert_int_equal(tt_call(&S, "GET", path, TT_ADMIN, NULL, &ev), 200);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "seats"), "total")), 0);
    json_decref(ev);
    assert_int_equal(tt_call(&S, "GET", path, NULL, NULL, NULL), 401);
    snprintf(path, sizeof path, "/api/events/%s", id);
    assert_int_equal(raw("DELETE", path, TT_ADMIN, NULL), 204);
    assert_int_equal(raw("GET", path, NULL, NULL), 404);

    json_t *list = NULL;
    assert_int_equal(tt_call(&S, "GET", "/api/events?limit=1&offset=0", NULL, NULL, &list), 200);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    assert_true(json_integer_value(json_object_get(list, "total")) >= 2);
    json_decref(list);
}

/* Odd bodies on every writing endpoint: a 4xx each time, never a 5xx or
 * a crash, and nothing changes. */
static void test_garbage_bodies(void **state)
{
    (void)state;
    long before = tt_q_long(&S, "SELECT count(*) FROM bookings", NULL, NULL);
    char seat_path[128], ev_path[128], seats_path[128];
    snprintf(seat_path, sizeof seat_path, "/api/seats/%s", SEAT(9));
    snprintf(ev_path, sizeof ev_path, "/api/events/%s", EV);
    snprintf(seats_path, sizeof seats_path, "/api/events/%s/seats", EV);
    const char *paths[][2] = {{"POST", "/api/events"},   {"PATCH", ev_path},
                              {"POST", seats_path},      {"PATCH", seat_path},
                              {"POST", "/api/bookings"}, {"POST", "/api/checkins"}};
    const char *bodies[] = {
        "",
        "null",
        "\"str\"",
        "{\"name\":null,\"price\":1e400}",
        "{\"price\":99999999999999999999999}",
        "{\"seat_ids\":[[[[[]]]]],\"booking_id\":{}}",
        "{\"name\":\"\\u0000\",\"venue\":\"x\",\"starts_at\":\"2030-01-01T00:00:00Z\"}",
        "{\"layout\":{\"sections\":[{\"name\":\"a\",\"rows\":[\"A\"],"
        "\"seats_per_row\":1000,\"price\":1}]},\"label\":7,\"ticket_code\":[]}",
        "{\"booking_id\":\"11111111-1111-4111-8111-111111111111\",\"user_id\":\"u\","
        "\"event_id\":\"11111111-1111-4111-8111-111111111111\",\"seat_ids\":[null]}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    };
    for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++)
        for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
            long st = raw(paths[p][0], paths[p][1], TT_ADMIN, bodies[b]);
            if (st < 400 || st >= 500)
                fail_msg("%s %s with body %zu answered %ld", paths[p][0], paths[p][1], b, st);
        }
    char url[256];
    snprintf(url, sizeof url, "%s/healthz", S.ticket.base_url);
    assert_int_equal(test_http("GET", url, NULL, NULL, NULL), 200);
    assert_int_equal(tt_q_long(&S, "SELECT count(*) FROM bookings", NULL, NULL), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_and_bad_input), cmocka_unit_test(test_admin_crud),
        cmocka_unit_test(test_garbage_bodies),     cmocka_unit_test(test_paid_path),
        cmocka_unit_test(test_cancellations),      cmocka_unit_test(test_webhooks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
