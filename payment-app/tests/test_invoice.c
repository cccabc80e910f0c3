/* test_invoice.c: unit tests of payment-app/src/invoice.c: the transition
 * table, the answers to changes that did not apply, create validation, JSON
 * mapping, webhook payloads, invoice numbers and money formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/rand.h"
#include "common/util.h"
#include "invoice.h"

#define NOW_MS 1795032000000LL /* 2026-11-18T20:00:00Z */
#define MAX_TTL_MS (7LL * 24 * 3600 * 1000)

static void test_status_names(void **state)
{
    (void)state;
    for (int i = 0; i < INVOICE_STATUS_COUNT; i++) {
        enum invoice_status st;
        assert_int_equal(invoice_status_parse(invoice_status_name((enum invoice_status)i), &st), 0);
        assert_int_equal(st, i);
    }
    enum invoice_status st;
    assert_int_equal(invoice_status_parse("paid", &st), -1);
    assert_int_equal(invoice_status_parse("", &st), -1);
    assert_int_equal(invoice_status_parse(NULL, &st), -1);
    assert_string_equal(invoice_status_name(INVOICE_STATUS_COUNT), "UNKNOWN");
    assert_false(invoice_status_final(INVOICE_PENDING));
    assert_false(invoice_status_final(INVOICE_PROCESSING));
    assert_true(invoice_status_final(INVOICE_PAID));
    assert_true(invoice_status_final(INVOICE_FAILED));
    assert_true(invoice_status_final(INVOICE_EXPIRED));
    assert_true(invoice_status_final(INVOICE_VOID));
    assert_true(invoice_status_final(INVOICE_REFUNDED));
}

/* The whole table: exactly these six pairs are allowed. */
static void test_transition_table(void **state)
{
    (void)state;
    static const struct {
        enum invoice_status from;
        enum invoice_action act;
        enum invoice_status to;
    } allowed[] = {
        {INVOICE_PENDING, INVOICE_ACT_PAY, INVOICE_PROCESSING},
        {INVOICE_PROCESSING, INVOICE_ACT_SETTLE_PAID, INVOICE_PAID},
        {INVOICE_PROCESSING, INVOICE_ACT_SETTLE_FAILED, INVOICE_FAILED},
        {INVOICE_PENDING, INVOICE_ACT_EXPIRE, INVOICE_EXPIRED},
        {INVOICE_PENDING, INVOICE_ACT_VOID, INVOICE_VOID},
        {INVOICE_PAID, INVOICE_ACT_REFUND, INVOICE_REFUNDED},
    };
    int count = 0;
    for (int s = 0; s < INVOICE_STATUS_COUNT; s++) {
        for (int a = 0; a < INVOICE_ACT_COUNT; a++) {
            enum invoice_status to = INVOICE_STATUS_COUNT;
            int ok = invoice_transition((enum invoice_status)s, (enum invoice_action)a, &to);
            int expect = 0;
            enum invoice_status expect_to = INVOICE_STATUS_COUNT;
            for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
                if ((int)allowed[i].from == s && (int)allowed[i].act == a) {
                    expect = 1;
                    expect_to = allowed[i].to;
                }
            }
            assert_int_equal(ok, expect);
            if (ok) {
                assert_int_equal(to, expect_to);
                count++;
            }
        }
    }
    assert_int_equal(count, 6);
    /* Nothing leaves a final status. */
    for (int s = INVOICE_PAID; s < INVOICE_STATUS_COUNT; s++)
        for (int a = 0; a < INVOICE_ACT_COUNT; a++)
            if (!(s == INVOICE_PAID && a == INVOICE_ACT_REFUND))
                assert_false(
                    invoice_transition((enum invoice_status)s, (enum invoice_action)a, NULL));
    assert_false(invoice_transition(INVOICE_PENDING, INVOICE_ACT_COUNT, NULL));
    /* the statuses the store's conditional updates are given come from
     * the same table */
    for (int a = 0; a < INVOICE_ACT_COUNT; a++) {
        const char *from = NULL, *to = NULL;
        assert_int_equal(invoice_action_states((enum invoice_action)a, &from, &to), 0);
        enum invoice_status f, t;
        assert_int_equal(invoice_status_parse(from, &f), 0);
        assert_int_equal(invoice_status_parse(to, &t), 0);
        enum invoice_status got;
        assert_true(invoice_transition(f, (enum invoice_action)a, &got));
        assert_int_equal(got, t);
    }
    const char *f, *t;
    assert_int_equal(invoice_action_states(INVOICE_ACT_COUNT, &f, &t), -1);
}

static void test_conflict_answers(void **state)
{
    (void)state;
    const char *code;
    assert_int_equal(invoice_conflict_answer(INVOICE_ACT_PAY, INVOICE_PROCESSING, 0, &code), 202);
    assert_null(code);
    assert_int_equal(invoice_conflict_answer(INVOICE_ACT_PAY, INVOICE_EXPIRED, 0, &code), 409);
    assert_string_equal(code, "INVOICE_EXPIRED");
    assert_int_equal(invoice_conflict_answer(INVOICE_ACT_PAY, INVOICE_PENDING, 1, &code), 409);
    assert_string_equal(code, "INVOICE_EXPIRED");
    assert_int_equal(invoice_conflict_answer(INVOICE_ACT_PAY, INVOICE_PENDING, 0, &code), 409);
    assert_string_equal(code, "CONFLICT");
    const enum invoice_status finals[] = {INVOICE_PAID, INVOICE_FAILED, INVOICE_VOID,
                                          INVOICE_REFUNDED};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(invoice_conflict_answer(INVOICE_ACT_PAY, finals[i], 0, &code), 409);
        assert_string_equal(code, "INVOICE_FINAL");
    }

    assert_int_equal(invoice_conflict_answer(INVOICE_ACT_VOID, INVOICE_VOID, 0, &code), 200);
    assert_null(code);
    for (int s = 0; s < INVOICE_STATUS_COUNT; s++) {
        if (s == INVOICE_VOID)
            continue;
        assert_int_equal(
            invoice_conflict_answer(INVOICE_ACT_VOID, (enum invoice_status)s, 0, &code), 409);
        assert_string_equal(code, "INVOICE_NOT_PENDING");
    }
    assert_int_equal(invoice_conflict_answer(INVOICE_ACT_REFUND, INVOICE_REFUNDED, 0, &code), 200);
    assert_null(code);
    for (int s = 0; s < INVOICE_STATUS_COUNT; s++) {
        if (s == INVOICE_REFUNDED)
            continue;
        assert_int_equal(
            invoice_conflict_answer(INVOICE_ACT_REFUND, (enum invoice_status)s, 0, &code), 409);
        assert_string_equal(code, "INVOICE_NOT_PAID");
    }
}

static void test_invoice_numbers(void **state)
{
    (void)state;
    assert_true(invoice_number_valid("INV-ABCDEF012345"));
    assert_false(invoice_number_valid("INV-abcdef012345"));
    assert_false(invoice_number_valid("INV-ABCDEF01234"));
    assert_false(invoice_number_valid("INV-ABCDEF0123456"));
    assert_false(invoice_number_valid("XNV-ABCDEF012345"));
    assert_false(invoice_number_valid("INV-ABCDEF01234-"));
    assert_false(invoice_number_valid("INV-ABCDEF01234\xc3"));
    assert_false(invoice_number_valid(""));
    assert_false(invoice_number_valid(NULL));

    unsigned char bytes[32];
    for (int i = 0; i < 32; i++)
        bytes[i] = (unsigned char)i;
    char out[INVOICE_NUMBER_LEN + 1];
    invoice_number_from_bytes(bytes, sizeof bytes, out);
    assert_string_equal(out, "INV-ABCDEFGHIJKL");
    /* 252..255 are skipped (no modulo bias). */
    unsigned char skewed[16] = {255, 254, 253, 252, 35, 36, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    invoice_number_from_bytes(skewed, sizeof skewed, out);
    assert_string_equal(out, "INV-9AABCDEFGHIJ");
    assert_true(invoice_number_valid(out));
}

static void test_invoice_number_generate(void **state)
{
    (void)state;
    char a[INVOICE_NUMBER_LEN + 1], b[INVOICE_NUMBER_LEN + 1];
    invoice_number_generate(a);
    invoice_number_generate(b);
    assert_true(invoice_number_valid(a));
    assert_true(invoice_number_valid(b));
    assert_string_not_equal(a, b);
}

static void test_methods(void **state)
{
    (void)state;
    assert_true(invoice_method_valid("card"));
    assert_true(invoice_method_valid("bank_transfer"));
    assert_true(invoice_method_valid("ewallet"));
    assert_false(invoice_method_valid("Card"));
    assert_false(invoice_method_valid("cash"));
    assert_false(invoice_method_valid(""));
    assert_false(invoice_method_valid(NULL));
}

/* A valid body whose member key is replaced by value (stolen; NULL = drop). */
static json_t *body_with(const char *key, json_t *value)
{
    json_t *b =
        json_pack("{s:s, s:I, s:s, s:s, s:s}", "booking_id", "0b7e6a4c-3f1d-4e2a-9c8b-5d6e7f8a9b0c",
                  "amount", (json_int_t)150000, "currency", "IDR", "expires_at",
                  "2026-11-18T20:33:20Z", "description", "Concert, seats A-1 A-2");
    if (key) {
        if (value)
            json_object_set_new(b, key, value);
        else
            json_object_del(b, key);
    }
    return b;
}

static void expect_invalid(const char *key, json_t *value, const char *field)
{
    json_t *b = body_with(key, value);
    struct invoice_create in;
    json_t *details = NULL;
    assert_int_equal(invoice_create_parse(b, NOW_MS, 1000000000000LL, MAX_TTL_MS, &in, &details),
                     -1);
    assert_non_null(details);
    assert_non_null(json_object_get(details, field));
    json_decref(details);
    json_decref(b);
}

static void test_create_valid(void **state)
{
    (void)state;
    json_t *b = body_with(NULL, NULL);
    struct invoice_create in;
    json_t *details = (json_t *)1;
    assert_int_equal(invoice_create_parse(b, NOW_MS, 1000000000000LL, MAX_TTL_MS, &in, &details),
                     0);
    assert_null(details);
    assert_string_equal(in.booking_id, "0b7e6a4c-3f1d-4e2a-9c8b-5d6e7f8a9b0c");
    assert_int_equal(in.amount, 150000);
    assert_string_equal(in.currency, "IDR");
    assert_int_equal(in.expires_ms, NOW_MS + 2000 * 1000);
    assert_string_equal(in.description, "Concert, seats A-1 A-2");
    json_decref(b);

    /* description is optional; null counts as absent */
    b = body_with("description", NULL);
    assert_int_equal(invoice_create_parse(b, NOW_MS, 1000, MAX_TTL_MS, &in, &details), -1);
    json_decref(details); /* amount 150000 > 1000 */
    assert_int_equal(invoice_create_parse(b, NOW_MS, 150000, MAX_TTL_MS, &in, &details), 0);
    assert_string_equal(in.description, "");
    json_decref(b);
    b = body_with("description", json_null());
    assert_int_equal(invoice_create_parse(b, NOW_MS, 150000, MAX_TTL_MS, &in, &details), 0);
    json_decref(b);

    /* an offset time is accepted */
    b = body_with("expires_at", json_string("2026-11-19T03:33:20+07:00"));
    assert_int_equal(invoice_create_parse(b, NOW_MS, 150000, MAX_TTL_MS, &in, &details), 0);
    assert_int_equal(in.expires_ms, NOW_MS + 2000 * 1000);
    json_decref(b);

    /* 500 multi-byte characters are fine, 501 are not */
    char desc[501 * 2 + 1];
    for (int i = 0; i < 500; i++)
        memcpy(desc + 2 * i, "\xc3\xa9", 2);
    desc[1000] = '\0';
    b = body_with("description", json_string(desc));
    assert_int_equal(invoice_create_parse(b, NOW_MS, 150000, MAX_TTL_MS, &in, &details), 0);
    json_decref(b);
    memcpy(desc + 1000, "\xc3\xa9", 3);
    expect_invalid("description", json_string(desc), "description");
}

static void test_create_invalid(void **state)
{
    (void)state;
    expect_invalid("booking_id", NULL, "booking_id");
    expect_invalid("booking_id", json_string("not-a-uuid"), "booking_id");
    expect_invalid("booking_id", json_integer(5), "booking_id");
    expect_invalid("amount", NULL, "amount");
    expect_invalid("amount", json_integer(0), "amount");
    expect_invalid("amount", json_integer(-5), "amount");
    expect_invalid("amount", json_integer(1000000000001LL), "amount");
    expect_invalid("amount", json_real(100.0), "amount");
    expect_invalid("amount", json_string("100"), "amount");
    expect_invalid("amount", json_true(), "amount");
    expect_invalid("currency", NULL, "currency");
    expect_invalid("currency", json_string("idr"), "currency");
    expect_invalid("currency", json_string("IDRX"), "currency");
    expect_invalid("currency", json_string("ID"), "currency");
    expect_invalid("currency", json_integer(360), "currency");
    expect_invalid("expires_at", NULL, "expires_at");
    expect_invalid("expires_at", json_string("tomorrow"), "expires_at");
    expect_invalid("expires_at", json_string("2026-11-18T00:00:00Z"), "expires_at"); /* past */
    expect_invalid("expires_at", json_string("2027-01-30T00:00:00Z"), "expires_at"); /* > 7 d */
    expect_invalid("expires_at", json_integer(1795000100), "expires_at");
    expect_invalid("description", json_integer(3), "description");
    expect_invalid("description", json_stringn("a\0b", 3), "description");

    /* every bad field is named at once */
    json_t *b = json_object();
    struct invoice_create in;
    json_t *details = NULL;
    assert_int_equal(invoice_create_parse(b, NOW_MS, 10, MAX_TTL_MS, &in, &details), -1);
    assert_int_equal(json_object_size(details), 4);
    json_decref(details);
    json_decref(b);
}

static struct invoice sample_invoice(void)
{
    struct invoice inv;
    memset(&inv, 0, sizeof inv);
    strcpy(inv.number, "INV-ABCDEF012345");
    strcpy(inv.booking_id, "0b7e6a4c-3f1d-4e2a-9c8b-5d6e7f8a9b0c");
    inv.amount = 150000;
    strcpy(inv.currency, "IDR");
    inv.status = INVOICE_FAILED;
    strcpy(inv.method, "card");
    strcpy(inv.failure_reason, "CARD_DECLINED");
    inv.description = strdup("Seats <A-1>");
    inv.created_ms = NOW_MS;
    inv.updated_ms = NOW_MS + 500;
    inv.expires_ms = NOW_MS + 420000;
    return inv;
}

static void test_to_json(void **state)
{
    (void)state;
    struct invoice inv = sample_invoice();
    json_t *o = invoice_to_json(&inv, "http://localhost:8082");
    assert_string_equal(json_str(o, "invoice_number"), "INV-ABCDEF012345");
    assert_string_equal(json_str(o, "booking_id"), inv.booking_id);
    assert_int_equal(json_integer_value(json_object_get(o, "amount")), 150000);
    assert_string_equal(json_str(o, "currency"), "IDR");
    assert_string_equal(json_str(o, "status"), "FAILED");
    assert_string_equal(json_str(o, "method"), "card");
    assert_string_equal(json_str(o, "payment_url"), "http://localhost:8082/pay/INV-ABCDEF012345");
    assert_string_equal(json_str(o, "failure_reason"), "CARD_DECLINED");
    assert_string_equal(json_str(o, "created_at"), "2026-11-18T20:00:00.000Z");
    assert_string_equal(json_str(o, "expires_at"), "2026-11-18T20:07:00.000Z");
    assert_true(json_is_null(json_object_get(o, "paid_at")));
    assert_string_equal(json_str(o, "description"), "Seats <A-1>");
    json_decref(o);

    /* a fresh invoice: method and failure_reason are null, not "" */
    inv.status = INVOICE_PAID;
    inv.method[0] = '\0';
    inv.failure_reason[0] = '\0';
    inv.paid_ms = NOW_MS + 1000;
    o = invoice_to_json(&inv, "https://pay.example");
    assert_true(json_is_null(json_object_get(o, "method")));
    assert_true(json_is_null(json_object_get(o, "failure_reason")));
    assert_string_equal(json_str(o, "paid_at"), "2026-11-18T20:00:01.000Z");
    json_decref(o);
    invoice_cleanup(&inv);
    assert_null(inv.description);
}

static void test_event_payload(void **state)
{
    (void)state;
    assert_string_equal(invoice_event_type(INVOICE_PAID), "invoice.paid");
    assert_string_equal(invoice_event_type(INVOICE_FAILED), "invoice.failed");
    assert_string_equal(invoice_event_type(INVOICE_EXPIRED), "invoice.expired");
    assert_string_equal(invoice_event_type(INVOICE_REFUNDED), "invoice.refunded");
    assert_null(invoice_event_type(INVOICE_PENDING));
    assert_null(invoice_event_type(INVOICE_PROCESSING));
    assert_null(invoice_event_type(INVOICE_VOID));

    char id[INVOICE_EVENT_ID_LEN + 1], id2[INVOICE_EVENT_ID_LEN + 1];
    invoice_event_id(id);
    invoice_event_id(id2);
    assert_int_equal(strlen(id), INVOICE_EVENT_ID_LEN);
    assert_memory_equal(id, "evt_", 4);
    assert_string_not_equal(id, id2);

    struct invoice inv = sample_invoice();
    char *text = invoice_event_payload(&inv, "invoice.failed", id, NOW_MS, "http://x");
    /* members in the documented order */
    assert_true(strncmp(text, "{\"id\":\"evt_", 11) == 0);
    json_t *ev = json_loads(text, 0, NULL);
    assert_non_null(ev);
    assert_string_equal(json_str(ev, "id"), id);
    assert_string_equal(json_str(ev, "type"), "invoice.failed");
    assert_string_equal(json_str(ev, "created_at"), "2026-11-18T20:00:00.000Z");
    json_t *data = json_object_get(ev, "data");
    json_t *i = json_object_get(data, "invoice");
    assert_string_equal(json_str(i, "invoice_number"), "INV-ABCDEF012345");
    assert_string_equal(json_str(i, "status"), "FAILED");
    assert_string_equal(json_str(i, "failure_reason"), "CARD_DECLINED");
    json_decref(ev);
    free(text);
    invoice_cleanup(&inv);
}

static void test_failure_reasons(void **state)
{
    (void)state;
    assert_string_equal(invoice_failure_reason("card", 0), "CARD_DECLINED");
    assert_string_equal(invoice_failure_reason("card", 1), "INSUFFICIENT_FUNDS");
    assert_string_equal(invoice_failure_reason("card", 2), "CARD_EXPIRED");
    assert_string_equal(invoice_failure_reason("bank_transfer", 0), "BANK_REJECTED");
    assert_string_equal(invoice_failure_reason("ewallet", 0), "WALLET_DECLINED");
    assert_string_equal(invoice_failure_reason("ewallet", 1), "INSUFFICIENT_FUNDS");
    assert_string_equal(invoice_failure_reason(NULL, 3), "CARD_DECLINED");
}

static void test_money(void **state)
{
    (void)state;
    char out[64];
    money_format(150000, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR 150,000");
    money_format(1, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR 1");
    money_format(1000000000000LL, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR 1,000,000,000,000");
    money_format(1250, "USD", out, sizeof out);
    assert_string_equal(out, "USD 12.50");
    money_format(5, "EUR", out, sizeof out);
    assert_string_equal(out, "EUR 0.05");
    money_format(123456789, "USD", out, sizeof out);
    assert_string_equal(out, "USD 1,234,567.89");
    money_format(1500, "KWD", out, sizeof out);
    assert_string_equal(out, "KWD 1.500");
    money_format(999, "JPY", out, sizeof out);
    assert_string_equal(out, "JPY 999");
    money_format(-1234, "JPY", out, sizeof out);
    assert_string_equal(out, "JPY -1,234");
    money_format(150000, "IDR", out, 8);
    assert_string_equal(out, "IDR 150");
    assert_int_equal(money_exponent("IDR"), 0);
    assert_int_equal(money_exponent("USD"), 2);
    assert_int_equal(money_exponent("BHD"), 3);
}

int main(void)
{
    rand_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_conflict_answers),
        cmocka_unit_test(test_invoice_numbers),
        cmocka_unit_test(test_invoice_number_generate),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_create_valid),
        cmocka_unit_test(test_create_invalid),
        cmocka_unit_test(test_to_json),
        cmocka_unit_test(test_event_payload),
        cmocka_unit_test(test_failure_reasons),
        cmocka_unit_test(test_money),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
