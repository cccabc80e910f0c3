/* test_paypage.c: unit tests of payment-app/src/paypage.c: HTML escaping,
 * that no interpolated value reaches the page unescaped, the CSP nonce, and
 * what the page shows in each status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "paypage.h"

static char *escaped(const char *s)
{
    struct sbuf b;
    sbuf_init(&b);
    html_escape(&b, s);
    size_t n;
    return sbuf_steal(&b, &n);
}

static void test_escape(void **state)
{
    (void)state;
    char *e = escaped("<script>alert('x')</script> & \"q\"");
    assert_string_equal(e, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    free(e);
    e = escaped("plain caf\xc3\xa9");
    assert_string_equal(e, "plain caf\xc3\xa9");
    free(e);
    e = escaped("");
    assert_string_equal(e, "");
    free(e);
    e = escaped("&&");
    assert_string_equal(e, "&amp;&amp;");
    free(e);
    struct sbuf b;
    sbuf_init(&b);
    html_escape(&b, NULL); /* nothing, no crash */
    assert_int_equal(b.len, 0);
    sbuf_cleanup(&b);
}

static struct invoice page_invoice(enum invoice_status st, const char *desc)
{
    struct invoice inv;
    memset(&inv, 0, sizeof inv);
    strcpy(inv.number, "INV-ABCDEF012345");
    strcpy(inv.booking_id, "0b7e6a4c-3f1d-4e2a-9c8b-5d6e7f8a9b0c");
    inv.amount = 1250000;
    strcpy(inv.currency, "IDR");
    inv.status = st;
    inv.description = strdup(desc);
    inv.created_ms = 1795032000000LL;
    inv.expires_ms = 1795032420000LL;
    return inv;
}

static void test_render_escapes(void **state)
{
    (void)state;
    struct invoice inv =
        page_invoice(INVOICE_PENDING, "<img src=x onerror=alert(1)> \"Rock & Roll\" 'night'");
    size_t len = 0;
    char *html = paypage_render(&inv, "00ff", &len);
    assert_int_equal(strlen(html), len);
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "\"Rock"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt; &quot;Rock &amp; Roll&quot; "
                                 "&#39;night&#39;"));
    /* the one script and the one style carry the nonce */
    assert_non_null(strstr(html, "<script nonce=\"00ff\">"));
    assert_non_null(strstr(html, "<style nonce=\"00ff\">"));
    assert_null(strstr(strstr(html, "<script nonce") + 1, "<script"));
    /* amount, method choice, button, number as data attribute */
    assert_non_null(strstr(html, "IDR 1,250,000"));
    assert_non_null(strstr(html, "value=\"card\""));
    assert_non_null(strstr(html, "value=\"bank_transfer\""));
    assert_non_null(strstr(html, "value=\"ewallet\""));
    assert_non_null(strstr(html, "id=\"paybtn\""));
    assert_non_null(strstr(html, "data-invoice=\"INV-ABCDEF012345\""));
    assert_non_null(strstr(html, "data-status=\"PENDING\""));
    assert_non_null(strstr(html, "name=\"viewport\""));
    assert_non_null(strstr(html, "/pay"));
    assert_non_null(strstr(html, "setTimeout(poll,1000)"));
    free(html);
    invoice_cleanup(&inv);
}

static void test_render_states(void **state)
{
    (void)state;
    struct invoice inv = page_invoice(INVOICE_FAILED, "Seats A-1");
    strcpy(inv.method, "card");
    strcpy(inv.failure_reason, "CARD_DECLINED");
    char *html = paypage_render(&inv, "ab", NULL);
    /* a final invoice hides the form and shows the outcome without script */
    assert_non_null(strstr(html, "<form id=\"payform\" hidden>"));
    assert_non_null(strstr(html, "FAILED: CARD_DECLINED"));
    assert_non_null(strstr(html, "data-reason=\"CARD_DECLINED\""));
    free(html);
    invoice_cleanup(&inv);

    inv = page_invoice(INVOICE_PENDING, "");
    html = paypage_render(&inv, "ab", NULL);
    assert_non_null(strstr(html, "<form id=\"payform\">"));
    assert_non_null(strstr(html, ">Payment</p>")); /* empty description */
    free(html);
    invoice_cleanup(&inv);
}

static void test_not_found_and_csp(void **state)
{
    (void)state;
    size_t len;
    char *html = paypage_render_not_found("1234", &len);
    assert_non_null(strstr(html, "Invoice not found"));
    assert_null(strstr(html, "<script"));
    free(html);

    char csp[512];
    paypage_csp("abcd", csp, sizeof csp);
    assert_non_null(strstr(csp, "default-src 'none'"));
    assert_non_null(strstr(csp, "script-src 'nonce-abcd'"));
    assert_non_null(strstr(csp, "style-src 'nonce-abcd'"));
    assert_non_null(strstr(csp, "connect-src 'self'"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_render_escapes),
        cmocka_unit_test(test_render_states),
        cmocka_unit_test(test_not_found_and_csp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
