/* test_inbox.c: unit tests of what a notification says (inbox.c) and of the
 * e-mail built from it (mail.c): every kind renders, RFC 2047 words decode
 * to the UTF-8 they came from, the MIME structure, header injection
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "csv.h"
#include "inbox.h"
#include "mail.h"

static void test_render_every_kind(void **state)
{
    (void)state;
    static const char *const kinds[] = {
        "booking.confirmed", "booking.failed",   "booking.expired",
        "hold.expiring",     "waitlist.offered", "booking.cancelled",
        "booking.refunded",  "event.changed",    "event.cancelled"};
    json_t *p = json_pack("{s:s, s:[s,s], s:i, s:s, s:s, s:s, s:s, s:s}", "event_name",
                          "Jakarta Express", "seats", "C1-12A", "C1-12B", "amount", 150000,
                          "currency", "IDR", "pay_by", "2026-12-03T09:20:00Z", "payment_url",
                          "http://pay/x", "code", "K7M2Q9XD", "failure_reason", "PAYMENT_FAILED");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        assert_true(inbox_kind_valid(kinds[i]));
        char *s = NULL, *b = NULL;
        inbox_render(kinds[i], p, &s, &b);
        assert_non_null(strstr(s, "Jakarta Express"));
        assert_true(strlen(b) > 20);
        free(s);
        free(b);
    }
    char *s = NULL, *b = NULL;
    inbox_render("waitlist.offered", p, &s, &b);
    assert_non_null(strstr(b, "Pay by 2026-12-03 09:20 UTC"));
    assert_non_null(strstr(b, "http://pay/x"));
    free(s);
    free(b);
    inbox_render("booking.confirmed", p, &s, &b);
    assert_non_null(strstr(b, "K7M2Q9XD"));
    assert_non_null(strstr(b, "C1-12A, C1-12B"));
    assert_non_null(strstr(b, "150000 IDR"));
    free(s);
    free(b);
    /* nothing known: still words, never a crash */
    inbox_render("booking.failed", NULL, &s, &b);
    assert_non_null(strstr(s, "your event"));
    free(s);
    free(b);
    assert_false(inbox_kind_valid("booking.created"));
    assert_string_equal(inbox_kind_of_notification("event.changed"), "event.changed");
    assert_string_equal(inbox_kind_of_notification("event.cancelled"), "event.cancelled");
    assert_null(inbox_kind_of_notification("booking.confirmed"));
    json_decref(p);
}

/* Decodes a run of "=?UTF-8?B?..?=" words (separated by CRLF SP) back. */
static char *decode_words(const char *s)
{
    char *out = calloc(1, strlen(s) + 1);
    size_t o = 0;
    const char *p = s;
    while ((p = strstr(p, "=?UTF-8?B?"))) {
        p += 10;
        const char *end = strstr(p, "?=");
        unsigned char bin[128];
        size_t n = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, p, (size_t)(end - p), NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        memcpy(out + o, bin, n);
        o += n;
        p = end + 2;
    }
    return out;
}

static void test_encoded_words(void **state)
{
    (void)state;
    char *w = mail_encode_word("Plain subject");
    assert_string_equal(w, "Plain subject");
    free(w);
    /* long and non-ASCII: several words, each <= 75 chars, UTF-8 intact */
    const char *s = "Booking confirmed \xe2\x80\x94 Konser \xc3\x9c\xc3\x9c\xc3\x9c Malam Natal di "
                    "Jakarta \xe2\x80\x94 Gelora Bung Karno";
    w = mail_encode_word(s);
    for (char *line = w; line;) {
        char *nl = strstr(line, "\r\n");
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        assert_true(len <= 76);
        line = nl ? nl + 2 : NULL;
    }
    char *back = decode_words(w);
    assert_string_equal(back, s);
    free(back);
    free(w);
}

static void test_mail_build(void **state)
{
    (void)state;
    const unsigned char pdf[] = "%PDF-1.4 fake\n%%EOF\n";
    struct mail m = {.from = "Tickets <tickets@example.com>",
                     .to_addr = "dewi@example.com",
                     .to_name = "Dewi \xc3\x9cnal",
                     .subject = "Booking confirmed \xe2\x80\x94 X",
                     .body = "Hello \xe2\x80\x94 there\n",
                     .message_id = "abc@test",
                     .date_unix = 1796000000,
                     .attachment = pdf,
                     .attachment_len = sizeof pdf - 1,
                     .attachment_name = "ticket-K7M2Q9XD.pdf",
                     .attachment_type = "application/pdf"};
    size_t len = 0;
    char *msg = mail_build(&m, &len);
    assert_non_null(msg);
    assert_int_equal(strlen(msg), len);
    assert_non_null(strstr(msg, "From: Tickets <tickets@example.com>\r\n"));
    assert_non_null(strstr(msg, "To: =?UTF-8?B?"));
    assert_non_null(strstr(msg, "<dewi@example.com>\r\n"));
    assert_non_null(strstr(msg, "Message-ID: <abc@test>\r\n"));
    assert_non_null(strstr(msg, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(msg, "Content-Type: multipart/mixed; boundary="));
    assert_non_null(
        strstr(msg, "Content-Disposition: attachment; filename=\"ticket-K7M2Q9XD.pdf\""));
    assert_non_null(strstr(msg, "Date: "));
    assert_non_null(strstr(msg, "JVBERi0xLjQgZmFrZQolJUVPRgo=")); /* the PDF, base64 */
    free(msg);
    /* no attachment: one text part */
    m.attachment = NULL;
    msg = mail_build(&m, &len);
    assert_null(strstr(msg, "multipart"));
    assert_non_null(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
    free(msg);
    /* a header cannot be smuggled in through an address or a name */
    m.to_addr = "a@b\r\nBcc: everyone@example.com";
    assert_null(mail_build(&m, &len));
    m.to_addr = "a@b";
    m.to_name = "x\nBcc: y";
    assert_null(mail_build(&m, &len));
    char a[64];
    assert_int_equal(mail_addr_spec("Tickets <t@x.org>", a, sizeof a), 0);
    assert_string_equal(a, "t@x.org");
    assert_int_equal(mail_addr_spec("t@x.org", a, sizeof a), 0);
    assert_string_equal(a, "t@x.org");
    assert_int_equal(mail_addr_spec("<>", a, sizeof a), -1);
}

static void test_csv(void **state)
{
    (void)state;
    struct sbuf b;
    sbuf_init(&b);
    csv_field(&b, "plain", 0);
    csv_field(&b, "a,b", 0);
    csv_field(&b, "say \"hi\"", 0);
    csv_field(&b, "two\nlines", 0);
    csv_field(&b, "=HYPERLINK(1)", 0);
    csv_field(&b, NULL, 0);
    csv_field(&b, "\xc3\x9cnal", 1);
    assert_string_equal(b.buf,
                        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=HYPERLINK(1)\",,"
                        "\xc3\x9cnal\r\n");
    sbuf_cleanup(&b);
    json_t *doc = json_pack("{s:[{s:{s:s, s:s}, s:{s:s, s:n}, s:s, s:s, s:s, s:n}]}", "items",
                            "seat", "label", "EKS1-1A", "section", "Executive", "attendee", "name",
                            "Sari", "id_number", "holder", "Budi", "booking_code", "K7M2Q9XD",
                            "status", "CONFIRMED", "checked_in_at");
    size_t len = 0;
    char *csv = csv_attendees(doc, &len);
    assert_string_equal(csv,
                        "seat,section,attendee,id_number,holder,booking_code,status,"
                        "checked_in_at\r\nEKS1-1A,Executive,Sari,,Budi,K7M2Q9XD,CONFIRMED,\r\n");
    assert_int_equal(len, strlen(csv));
    free(csv);
    json_decref(doc);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_every_kind),
        cmocka_unit_test(test_encoded_words),
        cmocka_unit_test(test_mail_build),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests_name("client_unit_inbox", tests, NULL, NULL);
}
