/* test_http_api.c: every payment-app endpoint and its errors, against a real
 * daemon on a real PostgreSQL database, with a real webhook receiver that
 * verifies each signature: create (auth, validation, idempotency), get, pay
 * (method, states, expiry), void, refund, the payment page, the delivery log
 * and replay, health and metrics. */
#include <string.h>

#include "common/util.h"
#include "payment_testlib.h"

static struct test_daemon daemon_;
static struct receiver hooks;
static char db[512];
static const char *base;

static const char *const auth_hdr[] = {"Authorization: Bearer " PT_TOKEN,
                                       "Content-Type: application/json", NULL};

/* Creates an invoice and returns its number (static buffer). */
static const char *new_invoice(long long amount, long expires_in_ms, const char *desc)
{
    static char number[32];
    char booking[37];
    pt_uuid(booking);
    json_t *inv = NULL;
    CHECK_STATUS(pt_create_invoice(base, booking, amount, "IDR", expires_in_ms, desc, &inv), 201);
    snprintf(number, sizeof number, "%s", json_str(inv, "invoice_number"));
    json_decref(inv);
    return number;
}

/* Waits until the invoice reaches status; returns it (new reference). */
static json_t *wait_status(const char *number, const char *status, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        json_t *inv = NULL;
        CHECK_STATUS(pt_get(base, number, &inv), 200);
        if (strcmp(json_str(inv, "status"), status) == 0)
            return inv;
        json_decref(inv);
        if (now_ms() > end) {
            fprintf(stderr, "invoice %s never became %s\n", number, status);
            exit(1);
        }
        sleep_ms(50);
    }
}

static long post_raw(const char *path, const char *const *headers, const char *body, json_t **out)
{
    char url[300], *resp = NULL;
    snprintf(url, sizeof url, "%s%s", base, path);
    long st = pt_http_full("POST", url, headers, body, NULL, &resp);
    if (out)
        *out = resp ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    return st;
}

static long call(const char *method, const char *path, const char *bearer, json_t *body,
                 json_t **out)
{
    char url[400];
    snprintf(url, sizeof url, "%s%s", base, path);
    return test_http_json(method, url, bearer, body, out);
}

static void test_create_auth_and_validation(void)
{
    char booking[37];
    pt_uuid(booking);
    json_t *body = json_pack("{s:s, s:i, s:s, s:s}", "booking_id", booking, "amount", 1000,
                             "currency", "IDR", "expires_at", "2099-01-01T00:00:00Z");
    json_t *out = NULL;

    /* no token, wrong token */
    CHECK_STATUS(call("POST", "/api/invoices", NULL, body, &out), 401);
    CHECK(strcmp(pt_error_code(out), "UNAUTHENTICATED") == 0);
    json_decref(out);
    CHECK_STATUS(call("POST", "/api/invoices", "wrong-token", body, &out), 401);
    CHECK(strcmp(pt_error_code(out), "UNAUTHENTICATED") == 0);
    json_decref(out);
    CHECK_STATUS(call("POST", "/api/invoices", PT_TOKEN "x", body, &out), 401);
    json_decref(out);
    json_decref(body);

    /* bad amounts: <= 0, absurd, not an integer */
    const long long amounts[] = {0, -1, 1000000000001LL, 9000000000000000000LL};
    for (size_t i = 0; i < 4; i++) {
        pt_uuid(booking);
        CHECK_STATUS(pt_create_invoice(base, booking, amounts[i], "IDR", 60000, NULL, &out), 400);
        CHECK(strcmp(pt_error_code(out), "VALIDATION_FAILED") == 0);
        CHECK(json_object_get(json_object_get(json_object_get(out, "error"), "details"),
                              "amount") != NULL);
        json_decref(out);
    }
    const char *bad_bodies[] = {
        "{\"booking_id\":\"%s\",\"amount\":\"100\",\"currency\":\"IDR\",\"expires_at\":\"2099-01-"
        "01T00:00:00Z\"}",
        "{\"booking_id\":\"%s\",\"amount\":1.5,\"currency\":\"IDR\",\"expires_at\":\"2099-01-01T00:"
        "00:00Z\"}",
        "{\"booking_id\":\"%s\",\"amount\":100,\"currency\":\"idr\",\"expires_at\":\"2099-01-01T00:"
        "00:00Z\"}",
        "{\"booking_id\":\"%s\",\"amount\":100,\"currency\":\"IDR\",\"expires_at\":\"2001-01-01T00:"
        "00:00Z\"}",
        "{\"booking_id\":\"%s\",\"amount\":100,\"currency\":\"IDR\",\"expires_at\":\"soon\"}",
        "{\"booking_id\":\"%s-x\",\"amount\":100,\"currency\":\"IDR\",\"expires_at\":\"2099-01-"
        "01T00:00:00Z\"}",
        "{\"booking_id\":\"%s\",\"amount\":100,\"currency\":\"IDR\"}",
        "{\"booking_id\":\"%s\",\"amount\":100,\"currency\":\"IDR\",\"expires_at\":\"2099-01-01T00:"
        "00:00Z\",\"description\":7}",
    };
    for (size_t i = 0; i < sizeof bad_bodies / sizeof bad_bodies[0]; i++) {
        char text[600];
        pt_uuid(booking);
        snprintf(text, sizeof text, bad_bodies[i], booking);
        CHECK_STATUS(post_raw("/api/invoices", auth_hdr, text, &out), 400);
        CHECK(strcmp(pt_error_code(out), "VALIDATION_FAILED") == 0);
        json_decref(out);
    }
    /* a far expiry (1 year) is refused too */
    pt_uuid(booking);
    CHECK_STATUS(pt_create_invoice(base, booking, 100, "IDR", 365L * 24 * 3600 * 1000, NULL, &out),
                 400);
    json_decref(out);
    /* description over 500 characters */
    char longdesc[600];
    memset(longdesc, 'a', 501);
    longdesc[501] = '\0';
    CHECK_STATUS(pt_create_invoice(base, booking, 100, "IDR", 60000, longdesc, &out), 400);
    json_decref(out);
    /* malformed JSON, not an object */
    CHECK_STATUS(post_raw("/api/invoices", auth_hdr, "{\"booking_id\":", &out), 400);
    CHECK(strcmp(pt_error_code(out), "MALFORMED_JSON") == 0);
    json_decref(out);
    CHECK_STATUS(post_raw("/api/invoices", auth_hdr, "[1,2]", &out), 400);
    json_decref(out);
    /* bytes that are not UTF-8, numbers past any integer, a huge body */
    CHECK_STATUS(post_raw("/api/invoices", auth_hdr, "{\"description\":\"\xff\xfe\"}", &out), 400);
    json_decref(out);
    CHECK_STATUS(
        post_raw("/api/invoices", auth_hdr, "{\"amount\":123456789012345678901234567890}", &out),
        400);
    json_decref(out);
    size_t big = 2 * 1024 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    CHECK_STATUS(post_raw("/api/invoices", auth_hdr, huge, &out), 413);
    json_decref(out);
    free(huge);
    /* nothing of the above was stored */
    CHECK(pt_sql_long(db, "SELECT count(*) FROM invoices") == 0);
    printf("create: auth and validation errors ok\n");
}

static void test_create_idempotent(void)
{
    char booking[37];
    pt_uuid(booking);
    json_t *a = NULL, *b = NULL, *c = NULL;
    CHECK_STATUS(pt_create_invoice(base, booking, 250000, "IDR", 420000, "Rock night, A-1 A-2", &a),
                 201);
    const char *number = json_str(a, "invoice_number");
    CHECK(number && strlen(number) == 16 && strncmp(number, "INV-", 4) == 0);
    CHECK(strcmp(json_str(a, "booking_id"), booking) == 0);
    CHECK(json_integer_value(json_object_get(a, "amount")) == 250000);
    CHECK(strcmp(json_str(a, "currency"), "IDR") == 0);
    CHECK(strcmp(json_str(a, "status"), "PENDING") == 0);
    CHECK(json_is_null(json_object_get(a, "method")));
    CHECK(json_is_null(json_object_get(a, "failure_reason")));
    CHECK(json_is_null(json_object_get(a, "paid_at")));
    CHECK(json_str(a, "created_at") && json_str(a, "expires_at"));
    char want_url[100];
    snprintf(want_url, sizeof want_url, "http://pay.test/pay/%s", number);
    CHECK(strcmp(json_str(a, "payment_url"), want_url) == 0);

    /* same booking again: 200 and the same invoice */
    CHECK_STATUS(pt_create_invoice(base, booking, 250000, "IDR", 420000, "Rock night, A-1 A-2", &b),
                 200);
    CHECK(strcmp(json_str(b, "invoice_number"), number) == 0);
    /* same booking, another amount or currency: 409 */
    CHECK_STATUS(pt_create_invoice(base, booking, 250001, "IDR", 420000, NULL, &c), 409);
    CHECK(strcmp(pt_error_code(c), "IDEMPOTENCY_MISMATCH") == 0);
    json_decref(c);
    CHECK_STATUS(pt_create_invoice(base, booking, 250000, "USD", 420000, NULL, &c), 409);
    CHECK(strcmp(pt_error_code(c), "IDEMPOTENCY_MISMATCH") == 0);
    json_decref(c);
    const char *count_sql = "SELECT count(*) FROM invoices WHERE booking_id = $1";
    CHECK(pt_sql_long_params(db, count_sql, 1, (const char *[]){booking}) == 1);

    /* list, filtered by booking id (service only) */
    char path[200];
    snprintf(path, sizeof path, "/api/invoices?booking_id=%s", booking);
    CHECK_STATUS(call("GET", path, NULL, NULL, &c), 401);
    json_decref(c);
    CHECK_STATUS(call("GET", path, PT_TOKEN, NULL, &c), 200);
    CHECK(json_integer_value(json_object_get(c, "total")) == 1);
    CHECK(strcmp(json_str(json_array_get(json_object_get(c, "items"), 0), "invoice_number"),
                 number) == 0);
    json_decref(c);
    CHECK_STATUS(call("GET", "/api/invoices?status=NOPE", PT_TOKEN, NULL, &c), 400);
    json_decref(c);
    CHECK_STATUS(call("GET", "/api/invoices?booking_id=zzz", PT_TOKEN, NULL, &c), 400);
    json_decref(c);

    /* 20 concurrent-looking repeats still leave one invoice */
    for (int i = 0; i < 20; i++) {
        CHECK_STATUS(pt_create_invoice(base, booking, 250000, "IDR", 420000, NULL, &c), 200);
        json_decref(c);
    }
    CHECK(pt_sql_long_params(db, count_sql, 1, (const char *[]){booking}) == 1);
    json_decref(a);
    json_decref(b);
    printf("create: 201, replay 200 same invoice, mismatch 409 ok\n");
}

static void test_get_and_pay(void)
{
    json_t *out = NULL;
    CHECK_STATUS(pt_get(base, "INV-ZZZZZZZZZZZZ", &out), 404);
    CHECK(strcmp(pt_error_code(out), "NOT_FOUND") == 0);
    json_decref(out);
    CHECK_STATUS(pt_get(base, "not-an-invoice", &out), 404);
    json_decref(out);
    CHECK_STATUS(pt_pay(base, "INV-ZZZZZZZZZZZZ", "card", &out), 404);
    json_decref(out);

    const char *n = new_invoice(150000, 420000, "Jazz evening, B-7");
    char number[32];
    snprintf(number, sizeof number, "%s", n);
    char path[200];
    snprintf(path, sizeof path, "/api/invoices/%s/pay", number);

    /* bad methods */
    CHECK_STATUS(pt_pay(base, number, "cash", &out), 400);
    CHECK(strcmp(pt_error_code(out), "VALIDATION_FAILED") == 0);
    json_decref(out);
    CHECK_STATUS(post_raw(path, auth_hdr + 1, "{}", &out), 400);
    json_decref(out);
    CHECK_STATUS(post_raw(path, auth_hdr + 1, "{\"method\":5}", &out), 400);
    json_decref(out);
    CHECK_STATUS(post_raw(path, auth_hdr + 1, "not json", &out), 400);
    json_decref(out);
    CHECK_STATUS(pt_get(base, number, &out), 200);
    CHECK(strcmp(json_str(out, "status"), "PENDING") == 0);
    json_decref(out);

    /* pay: 202 PROCESSING; with PAYMENT_DELAY_MS=0 it settles at once */
    CHECK_STATUS(pt_pay(base, number, "ewallet", &out), 202);
    CHECK(strcmp(json_str(out, "status"), "PROCESSING") == 0);
    CHECK(strcmp(json_str(out, "method"), "ewallet") == 0);
    json_decref(out);
    json_t *paid = wait_status(number, "PAID", 10000);
    CHECK(json_str(paid, "paid_at") != NULL);
    CHECK(strcmp(json_str(paid, "method"), "ewallet") == 0);
    CHECK(json_is_null(json_object_get(paid, "failure_reason")));
    json_decref(paid);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_FINAL") == 0);
    CHECK(strcmp(json_str(json_object_get(out, "invoice"), "status"), "PAID") == 0);
    json_decref(out);

    /* its webhook: signed, type invoice.paid, invoice as GET shows it */
    CHECK(receiver_wait_acked(&hooks, 1, 10000) == 0);
    struct hook_hit h;
    int64_t end = now_ms() + 10000;
    while (!receiver_find(&hooks, number, "invoice.paid", &h) && now_ms() < end)
        sleep_ms(50);
    CHECK(receiver_find(&hooks, number, "invoice.paid", &h));
    CHECK(h.sig_ok && strcmp(h.status, "PAID") == 0 && strncmp(h.id, "evt_", 4) == 0);
    printf("pay: 400 bad method, 202 PROCESSING, PAID, 409 INVOICE_FINAL, webhook %s ok\n", h.id);
}

/* A second pay while PROCESSING answers 202 with the same invoice: the
 * invoice is made to stay PROCESSING by pushing its job's due time out. */
static void test_pay_twice_while_processing(void)
{
    char number[32];
    snprintf(number, sizeof number, "%s", new_invoice(5000, 420000, "x"));
    char path[200];
    /* Hold settlement back: a trigger makes the job the pay creates due in
     * an hour, until the test releases it. */
    json_t *out = NULL;
    CHECK(test_db_exec(db, "CREATE OR REPLACE FUNCTION hold_job() RETURNS trigger AS $$ "
                           "BEGIN NEW.due_at := now() + interval '1 hour'; RETURN NEW; END $$ "
                           "LANGUAGE plpgsql") == 0);
    CHECK(test_db_exec(db, "CREATE TRIGGER hold_job BEFORE INSERT ON payment_jobs "
                           "FOR EACH ROW EXECUTE FUNCTION hold_job()") == 0);
    CHECK_STATUS(pt_pay(base, number, "bank_transfer", &out), 202);
    CHECK(strcmp(json_str(out, "status"), "PROCESSING") == 0);
    json_decref(out);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 202);
    CHECK(strcmp(json_str(out, "status"), "PROCESSING") == 0);
    CHECK(strcmp(json_str(out, "invoice_number"), number) == 0);
    CHECK(strcmp(json_str(out, "method"), "bank_transfer") == 0); /* the first choice stands */
    json_decref(out);
    /* void and refund refuse a PROCESSING invoice */
    snprintf(path, sizeof path, "/api/invoices/%s/void", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_NOT_PENDING") == 0);
    json_decref(out);
    snprintf(path, sizeof path, "/api/invoices/%s/refund", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_NOT_PAID") == 0);
    json_decref(out);
    CHECK(test_db_exec(db, "DROP TRIGGER hold_job ON payment_jobs") == 0);
    /* release it: due now */
    CHECK(pt_exec_params(db, "UPDATE payment_jobs SET due_at = now() WHERE invoice_number = $1", 1,
                         (const char *[]){number}) == 0);
    json_decref(wait_status(number, "PAID", 10000));
    CHECK(pt_sql_long_params(db,
                             "SELECT count(*) FROM outbox WHERE payload::json->'data'->'invoice'->>"
                             "'invoice_number' = $1",
                             1, (const char *[]){number}) == 1);
    printf("pay while PROCESSING: 202 same invoice, first method kept, settled once ok\n");
}

static void test_void_and_refund(void)
{
    json_t *out = NULL;
    char number[32], path[200];
    snprintf(number, sizeof number, "%s", new_invoice(7000, 420000, "to void"));

    snprintf(path, sizeof path, "/api/invoices/%s/void", number);
    CHECK_STATUS(call("POST", path, NULL, NULL, &out), 401);
    json_decref(out);
    CHECK_STATUS(call("POST", "/api/invoices/INV-ZZZZZZZZZZZZ/void", PT_TOKEN, NULL, &out), 404);
    json_decref(out);
    /* refund of a PENDING invoice: 409 */
    snprintf(path, sizeof path, "/api/invoices/%s/refund", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_NOT_PAID") == 0);
    json_decref(out);
    snprintf(path, sizeof path, "/api/invoices/%s/void", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 200);
    CHECK(strcmp(json_str(out, "status"), "VOID") == 0);
    json_decref(out);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 200); /* idempotent */
    CHECK(strcmp(json_str(out, "status"), "VOID") == 0);
    json_decref(out);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_FINAL") == 0);
    json_decref(out);

    /* refund: only from PAID, idempotent, with an invoice.refunded webhook */
    snprintf(number, sizeof number, "%s", new_invoice(9000, 420000, "to refund"));
    CHECK_STATUS(pt_pay(base, number, "card", &out), 202);
    json_decref(out);
    json_decref(wait_status(number, "PAID", 10000));
    snprintf(path, sizeof path, "/api/invoices/%s/void", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_NOT_PENDING") == 0);
    json_decref(out);
    snprintf(path, sizeof path, "/api/invoices/%s/refund", number);
    CHECK_STATUS(call("POST", path, NULL, NULL, &out), 401);
    json_decref(out);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 200);
    CHECK(strcmp(json_str(out, "status"), "REFUNDED") == 0);
    CHECK(json_str(out, "paid_at") != NULL);
    json_decref(out);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 200);
    CHECK(strcmp(json_str(out, "status"), "REFUNDED") == 0);
    json_decref(out);
    CHECK_STATUS(call("POST", "/api/invoices/INV-ZZZZZZZZZZZZ/refund", PT_TOKEN, NULL, &out), 404);
    json_decref(out);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_FINAL") == 0);
    json_decref(out);
    struct hook_hit h;
    int64_t end = now_ms() + 10000;
    while (!receiver_find(&hooks, number, "invoice.refunded", &h) && now_ms() < end)
        sleep_ms(50);
    CHECK(receiver_find(&hooks, number, "invoice.refunded", &h));
    CHECK(strcmp(h.status, "REFUNDED") == 0);
    CHECK(pt_sql_long_params(db,
                             "SELECT count(*) FROM outbox WHERE topic = 'invoice.refunded' AND "
                             "payload::json->'data'->'invoice'->>'invoice_number' = $1",
                             1, (const char *[]){number}) == 1);
    printf("void/refund: 401, 404, 409 wrong state, 200 idempotent, refunded webhook ok\n");
}

static void test_expiry(void)
{
    json_t *out = NULL;
    /* the sweeper: expires within about a second, then invoice.expired */
    char number[32];
    snprintf(number, sizeof number, "%s", new_invoice(1234, 1200, "short"));
    json_decref(wait_status(number, "EXPIRED", 8000));
    CHECK_STATUS(pt_pay(base, number, "card", &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_EXPIRED") == 0);
    json_decref(out);
    struct hook_hit h;
    int64_t end = now_ms() + 10000;
    while (!receiver_find(&hooks, number, "invoice.expired", &h) && now_ms() < end)
        sleep_ms(50);
    CHECK(receiver_find(&hooks, number, "invoice.expired", &h));
    CHECK(strcmp(h.status, "EXPIRED") == 0);

    /* a pay that arrives after expires_at but before the sweeper: 409
     * INVOICE_EXPIRED, and the invoice is expired (one event only) */
    snprintf(number, sizeof number, "%s", new_invoice(1234, 600000, "late payer"));
    CHECK(pt_exec_params(db,
                         "UPDATE invoices SET expires_at = now() - interval '1 second' "
                         "WHERE invoice_number = $1",
                         1, (const char *[]){number}) == 0);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_EXPIRED") == 0);
    CHECK(strcmp(json_str(json_object_get(out, "invoice"), "status"), "EXPIRED") == 0);
    json_decref(out);
    CHECK_STATUS(pt_get(base, number, &out), 200);
    CHECK(strcmp(json_str(out, "status"), "EXPIRED") == 0);
    json_decref(out);
    sleep_ms(600); /* give the sweeper a turn: it must not add a second event */
    CHECK(pt_sql_long_params(db,
                             "SELECT count(*) FROM outbox WHERE topic = 'invoice.expired' AND "
                             "payload::json->'data'->'invoice'->>'invoice_number' = $1",
                             1, (const char *[]){number}) == 1);
    /* void of an expired invoice is refused like any non-PENDING one */
    char path[200];
    snprintf(path, sizeof path, "/api/invoices/%s/void", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_NOT_PENDING") == 0);
    json_decref(out);
    printf("expiry: sweeper EXPIRED + webhook, late pay 409 INVOICE_EXPIRED, one event ok\n");
}

static void test_page(void)
{
    char number[32], url[300], *headers = NULL, *html = NULL;
    snprintf(number, sizeof number, "%s",
             new_invoice(1250000, 420000, "<script>alert(1)</script> Rock & Roll"));
    snprintf(url, sizeof url, "%s/pay/%s", base, number);
    CHECK_STATUS(pt_http_full("GET", url, NULL, NULL, &headers, &html), 200);
    CHECK(strcasestr(headers, "content-type: text/html") != NULL);
    CHECK(strcasestr(headers, "content-security-policy: default-src 'none'; script-src 'nonce-") !=
          NULL);
    CHECK(strcasestr(headers, "x-content-type-options: nosniff") != NULL);
    CHECK(strstr(html, "IDR 1,250,000") != NULL);
    CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; Rock &amp; Roll") != NULL);
    CHECK(strstr(html, "<script>alert") == NULL);
    CHECK(strstr(html, "value=\"card\"") && strstr(html, "value=\"bank_transfer\"") &&
          strstr(html, "value=\"ewallet\""));
    CHECK(strstr(html, "name=\"viewport\"") != NULL);
    /* the nonce in the header is the one on the script */
    const char *p = strcasestr(headers, "'nonce-") + 7;
    char nonce[64] = {0}, tag[120];
    size_t k = strcspn(p, "'");
    CHECK(k > 0 && k < sizeof nonce);
    memcpy(nonce, p, k);
    snprintf(tag, sizeof tag, "<script nonce=\"%s\">", nonce);
    CHECK(strstr(html, tag) != NULL);
    free(headers);
    free(html);

    /* a second load gets another nonce */
    char *headers2 = NULL;
    CHECK_STATUS(pt_http_full("GET", url, NULL, NULL, &headers2, NULL), 200);
    CHECK(strstr(headers2, nonce) == NULL);
    free(headers2);

    snprintf(url, sizeof url, "%s/pay/INV-ZZZZZZZZZZZZ", base);
    CHECK_STATUS(pt_http_full("GET", url, NULL, NULL, &headers, &html), 404);
    CHECK(strcasestr(headers, "content-type: text/html") != NULL);
    CHECK(strstr(html, "Invoice not found") != NULL);
    free(headers);
    free(html);
    snprintf(url, sizeof url, "%s/pay/%%3Cscript%%3E", base);
    CHECK_STATUS(pt_http_full("GET", url, NULL, NULL, NULL, &html), 404);
    CHECK(strstr(html, "<script>") == NULL);
    free(html);
    printf("page: 200 html escaped, CSP nonce, 404 page ok\n");
}

static void test_deliveries(void)
{
    json_t *out = NULL;
    CHECK_STATUS(call("GET", "/api/webhook-deliveries", NULL, NULL, &out), 401);
    json_decref(out);
    CHECK_STATUS(call("GET", "/api/webhook-deliveries", "nope", NULL, &out), 401);
    json_decref(out);
    CHECK_STATUS(call("GET", "/api/webhook-deliveries?status=bogus", PT_TOKEN, NULL, &out), 400);
    json_decref(out);
    CHECK_STATUS(call("GET", "/api/webhook-deliveries?limit=0", PT_TOKEN, NULL, &out), 400);
    json_decref(out);
    CHECK_STATUS(call("GET", "/api/webhook-deliveries?limit=501", PT_TOKEN, NULL, &out), 400);
    json_decref(out);

    /* wait until everything so far is delivered, then list */
    CHECK(pt_wait_sql(db, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", "0", 15000) ==
          0);
    long events = pt_sql_long(db, "SELECT count(*) FROM outbox");
    CHECK(events >= 5);
    CHECK_STATUS(
        call("GET", "/api/webhook-deliveries?status=delivered&limit=2", PT_TOKEN, NULL, &out), 200);
    CHECK(json_integer_value(json_object_get(out, "total")) == events);
    CHECK(json_array_size(json_object_get(out, "items")) == 2);
    CHECK(json_integer_value(json_object_get(out, "limit")) == 2);
    json_t *first = json_array_get(json_object_get(out, "items"), 0);
    char id[64];
    snprintf(id, sizeof id, "%s", json_str(first, "id"));
    CHECK(json_integer_value(json_object_get(first, "attempts")) >= 1);
    json_decref(out);
    CHECK_STATUS(call("GET", "/api/webhook-deliveries?status=pending", PT_TOKEN, NULL, &out), 200);
    CHECK(json_integer_value(json_object_get(out, "total")) == 0);
    json_decref(out);

    char path[200];
    snprintf(path, sizeof path, "/api/webhook-deliveries/%s", id);
    CHECK_STATUS(call("GET", path, NULL, NULL, &out), 401);
    json_decref(out);
    CHECK_STATUS(call("GET", path, PT_TOKEN, NULL, &out), 200);
    CHECK(strcmp(json_str(out, "id"), id) == 0);
    CHECK(json_str(out, "delivered_at") != NULL);
    json_t *log = json_object_get(out, "attempt_log");
    CHECK(json_array_size(log) >= 1);
    CHECK(json_integer_value(
              json_object_get(json_array_get(log, json_array_size(log) - 1), "status")) == 204);
    CHECK(json_is_object(json_object_get(out, "payload")));
    json_decref(out);
    CHECK_STATUS(call("GET", "/api/webhook-deliveries/evt_nope", PT_TOKEN, NULL, &out), 404);
    json_decref(out);

    /* replay: sent again with the same id and body */
    size_t before = receiver_hits(&hooks);
    snprintf(path, sizeof path, "/api/webhook-deliveries/%s/replay", id);
    CHECK_STATUS(call("POST", path, NULL, NULL, &out), 401);
    json_decref(out);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 202);
    json_decref(out);
    CHECK_STATUS(call("POST", "/api/webhook-deliveries/evt_nope/replay", PT_TOKEN, NULL, &out),
                 404);
    json_decref(out);
    int64_t end = now_ms() + 10000;
    int seen = 0;
    while (!seen && now_ms() < end) {
        pthread_mutex_lock(&hooks.lock);
        for (size_t i = before; i < hooks.n; i++)
            if (strcmp(hooks.hits[i].id, id) == 0)
                seen = 1;
        pthread_mutex_unlock(&hooks.lock);
        sleep_ms(50);
    }
    CHECK(seen);
    /* both copies carry identical bodies */
    const char *b1 = NULL, *b2 = NULL;
    pthread_mutex_lock(&hooks.lock);
    for (size_t i = 0; i < hooks.n; i++) {
        if (strcmp(hooks.hits[i].id, id) != 0)
            continue;
        if (!b1)
            b1 = hooks.hits[i].body;
        else
            b2 = hooks.hits[i].body;
    }
    CHECK(b1 && b2 && strcmp(b1, b2) == 0);
    pthread_mutex_unlock(&hooks.lock);
    printf("deliveries: list/paging/filter, detail with attempts, replay same id ok\n");
}

static void test_health_metrics(void)
{
    char url[200], *body = NULL;
    snprintf(url, sizeof url, "%s/healthz", base);
    CHECK_STATUS(test_http("GET", url, NULL, NULL, &body), 200);
    free(body);
    snprintf(url, sizeof url, "%s/metrics", base);
    CHECK_STATUS(test_http("GET", url, NULL, NULL, &body), 200);
    CHECK(strstr(body, "payment_settlements_total{outcome=\"paid\"}") != NULL);
    CHECK(strstr(body, "payment_invoices{status=\"PAID\"}") != NULL);
    CHECK(strstr(body, "payment_webhooks_undelivered") != NULL);
    free(body);
    /* no bad signature ever reached the receiver */
    CHECK(receiver_bad_sigs(&hooks) == 0);
    printf("healthz, metrics ok\n");
}

/* ALTER DATABASE takes no parameters: the server quotes the name (format
 * %I) and the statement it returns runs as is. 0 or -1. */
static int allow_connections(const char *admin, const char *name, int allow)
{
    char *stmt = test_db_scalar_params(
        admin,
        allow ? "SELECT format('ALTER DATABASE %I ALLOW_CONNECTIONS true', $1::text)"
              : "SELECT format('ALTER DATABASE %I ALLOW_CONNECTIONS false', $1::text)",
        1, (const char *[]){name}, NULL);
    int rc = stmt ? test_db_exec(admin, stmt) : -1;
    free(stmt);
    return rc;
}

/* The database goes away under the daemon (connections refused, its
 * sessions killed) and comes back: 503 meanwhile, never a crash, then
 * everything answers again. */
static void test_database_gone(void)
{
    char number[32], admin[600], url[300];
    snprintf(number, sizeof number, "%s", new_invoice(4444, 420000, "outage"));
    const char *name = strrchr(db, '/') + 1;
    snprintf(admin, sizeof admin, "%.*spostgres", (int)(name - db), db);
    CHECK(allow_connections(admin, name, 0) == 0);
    CHECK(pt_sql_long_params(admin,
                             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE datname = $1",
                             1, (const char *[]){name}) >= 0);

    json_t *out = NULL;
    snprintf(url, sizeof url, "%s/healthz", base);
    CHECK_STATUS(test_http("GET", url, NULL, NULL, NULL), 503);
    CHECK_STATUS(pt_get(base, number, &out), 503);
    CHECK(strcmp(pt_error_code(out), "SERVICE_UNAVAILABLE") == 0);
    json_decref(out);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 503);
    json_decref(out);
    char booking[37];
    pt_uuid(booking);
    CHECK_STATUS(pt_create_invoice(base, booking, 100, "IDR", 60000, NULL, &out), 503);
    json_decref(out);
    snprintf(url, sizeof url, "%s/pay/%s", base, number);
    CHECK_STATUS(pt_http_full("GET", url, NULL, NULL, NULL, NULL), 503);
    sleep_ms(500); /* the loops meet the outage too */

    CHECK(allow_connections(admin, name, 1) == 0);
    CHECK(test_wait_healthy(base, 10000) == 0);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 202);
    json_decref(out);
    json_decref(wait_status(number, "PAID", 10000));
    printf("database gone: 503 everywhere, no crash, recovers and settles ok\n");
}

/* A daemon with PAYMENT_FAILURE_RATE=1 on the same database: FAILED with a
 * reason, invoice.failed, then pay/refund refused. Also shows a restart on
 * an existing database. */
static void test_failed_settlement(void)
{
    CHECK(pt_stop(&daemon_) == 0);
    const char *extra[] = {"PAYMENT_FAILURE_RATE=1", "PAYMENT_PUBLIC_URL=http://pay.test/", NULL};
    CHECK(pt_start(&daemon_, "payment-app-fail", db, hooks.rx.url, extra) == 0);
    base = daemon_.base_url;
    char number[32];
    json_t *out = NULL;
    snprintf(number, sizeof number, "%s", new_invoice(3000, 420000, "will fail"));
    CHECK_STATUS(pt_pay(base, number, "card", &out), 202);
    json_decref(out);
    json_t *inv = wait_status(number, "FAILED", 10000);
    const char *reason = json_str(inv, "failure_reason");
    CHECK(reason &&
          (strcmp(reason, "CARD_DECLINED") == 0 || strcmp(reason, "INSUFFICIENT_FUNDS") == 0 ||
           strcmp(reason, "CARD_EXPIRED") == 0));
    CHECK(json_is_null(json_object_get(inv, "paid_at")));
    json_decref(inv);
    CHECK_STATUS(pt_pay(base, number, "card", &out), 409);
    CHECK(strcmp(pt_error_code(out), "INVOICE_FINAL") == 0);
    json_decref(out);
    char path[200];
    snprintf(path, sizeof path, "/api/invoices/%s/refund", number);
    CHECK_STATUS(call("POST", path, PT_TOKEN, NULL, &out), 409);
    json_decref(out);
    struct hook_hit h;
    int64_t end = now_ms() + 10000;
    while (!receiver_find(&hooks, number, "invoice.failed", &h) && now_ms() < end)
        sleep_ms(50);
    CHECK(receiver_find(&hooks, number, "invoice.failed", &h));
    CHECK(strcmp(h.status, "FAILED") == 0 && h.reason[0]);
    printf("failed settlement: FAILED %s, invoice.failed, 409 afterwards ok\n", h.reason);
}

int main(void)
{
    test_require_pg();
    CHECK(pt_db_create("payment_api", db, sizeof db) == 0);
    CHECK(receiver_start(&hooks, 0) == 0);
    const char *extra[] = {"PAYMENT_PUBLIC_URL=http://pay.test", NULL};
    CHECK(pt_start(&daemon_, "payment-app", db, hooks.rx.url, extra) == 0);
    base = daemon_.base_url;

    test_create_auth_and_validation();
    test_create_idempotent();
    test_get_and_pay();
    test_pay_twice_while_processing();
    test_void_and_refund();
    test_expiry();
    test_page();
    test_deliveries();
    test_health_metrics();
    test_database_gone();
    test_failed_settlement();

    CHECK(pt_stop(&daemon_) == 0);
    receiver_stop(&hooks);
    printf("payment_http_api: all passed\n");
    return 0;
}
