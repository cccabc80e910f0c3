/* test_sig.c: the X-Signature scheme: valid, wrong secret, altered body,
 * stale and future timestamps, every kind of malformed header, several v1=,
 * plus the HMAC and constant-time helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/rand.h"
#include "common/sig.h"

static const char *secret = "whsec_test_secret";
static const char *body = "{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}";
static const long T = 1790000000;

static void sign(long t, char out[SIG_HEADER_MAX])
{
    assert_int_equal(sig_sign(secret, body, strlen(body), t, out, SIG_HEADER_MAX), 0);
}

static enum sig_result verify_at(const char *header, long now)
{
    return sig_verify(secret, header, body, strlen(body), now, SIG_TOLERANCE_S);
}

static void test_format(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX];
    sign(T, h);
    assert_int_equal(strlen(h), strlen("t=1790000000,v1=") + 64);
    assert_memory_equal(h, "t=1790000000,v1=", 16);
    for (const char *p = h + 16; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    /* The v1 value is hex(HMAC(secret, "<t>.<body>")). */
    char signed_text[256], mac[65];
    snprintf(signed_text, sizeof signed_text, "%ld.%s", T, body);
    hmac_sha256_hex(secret, signed_text, strlen(signed_text), mac);
    assert_string_equal(h + 16, mac);
}

static void test_valid(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX];
    sign(T, h);
    assert_int_equal(verify_at(h, T), SIG_OK);
    assert_int_equal(verify_at(h, T + 300), SIG_OK);
    assert_int_equal(verify_at(h, T - 300), SIG_OK);
    /* An empty body signs and verifies too. */
    assert_int_equal(sig_sign(secret, "", 0, T, h, sizeof h), 0);
    assert_int_equal(sig_verify(secret, h, "", 0, T, SIG_TOLERANCE_S), SIG_OK);
    assert_int_equal(sig_verify(secret, h, NULL, 0, T, SIG_TOLERANCE_S), SIG_OK);
}

static void test_wrong_secret(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX];
    sign(T, h);
    assert_int_equal(sig_verify("other", h, body, strlen(body), T, 300), SIG_MISMATCH);
    assert_int_equal(sig_verify("", h, body, strlen(body), T, 300), SIG_MISMATCH);
    assert_int_equal(sig_verify("whsec_test_secreT", h, body, strlen(body), T, 300), SIG_MISMATCH);
}

static void test_altered_body(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX];
    sign(T, h);
    const char *b2 = "{\"id\":\"evt_1\",\"type\":\"invoice.failed\"}";
    assert_int_equal(sig_verify(secret, h, b2, strlen(b2), T, 300), SIG_MISMATCH);
    /* One byte fewer: the length is part of what is signed. */
    assert_int_equal(sig_verify(secret, h, body, strlen(body) - 1, T, 300), SIG_MISMATCH);
    /* Another timestamp in the header, same v1: the t is signed too. */
    char h2[SIG_HEADER_MAX];
    snprintf(h2, sizeof h2, "t=%ld,%s", T + 1, strchr(h, ',') + 1);
    assert_int_equal(verify_at(h2, T), SIG_MISMATCH);
    /* One flipped hex digit. */
    h[20] = h[20] == '0' ? '1' : '0';
    assert_int_equal(verify_at(h, T), SIG_MISMATCH);
}

static void test_stale_and_future(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX];
    sign(T, h);
    assert_int_equal(verify_at(h, T + 301), SIG_STALE);
    assert_int_equal(verify_at(h, T + 86400), SIG_STALE);
    assert_int_equal(verify_at(h, T - 301), SIG_STALE); /* from the future */
    assert_int_equal(sig_verify(secret, h, body, strlen(body), T + 10, 5), SIG_STALE);
    assert_int_equal(sig_verify(secret, h, body, strlen(body), T + 10, 10), SIG_OK);
    sign(0, h);
    assert_int_equal(verify_at(h, T), SIG_STALE);
}

static void test_malformed(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX];
    sign(T, h);
    const char *v1 = h + 13; /* "v1=<hex>" */
    char hex[65];
    memcpy(hex, v1 + 3, 64);
    hex[64] = '\0';
    char buf[2048];
    const char *fixed[] = {
        "",
        "garbage",
        "t=",
        "t=1790000000",
        "v1=",
        "t=1790000000,v1=",
        "t=1790000000,v1=xyz",
        "t=1790000000;v1=00",
        "=1790000000",
        ",",
        "t=1790000000,",
        ",t=1790000000",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (verify_at(fixed[i], T) != SIG_MALFORMED)
            fail_msg("accepted as well-formed: \"%s\"", fixed[i]);
    assert_int_equal(sig_verify(secret, NULL, body, strlen(body), T, 300), SIG_MALFORMED);

    const char *templates[] = {
        "%s",                            /* no t */
        "v1=%s",                         /* no t */
        "t=abc,v1=%s",                   /* t not digits */
        "t=-1790000000,v1=%s",           /* sign */
        "t=+1790000000,v1=%s",
        "t= 1790000000,v1=%s",           /* blanks */
        "t=1790000000 ,v1=%s",
        "t=1790000000, v1=%s",
        " t=1790000000,v1=%s",
        "t=1790000000,v1=%s ",
        "t=1790000000.5,v1=%s",
        "t=1790000000000,v1=%s",         /* 13 digits */
        "t=1790000000,t=1790000000,v1=%s", /* t twice */
        "t=1790000000,,v1=%s",           /* empty item */
        "t=1790000000,v1=%s,",           /* trailing comma */
        "t=1790000000,v1=%s0",           /* 65 hex */
        "t=1790000000,v1=0%s",
        "t=1790000000,v1=%.63s",         /* 63 hex */
        "t=1790000000,v1==%s",
        "T=1790000000,v1=%s",            /* keys are case-sensitive: no t */
        "t=1790000000,V1=%s",            /* ... and no v1 */
        "t=1790000000,v1=%s,v1=zz",      /* one bad v1 spoils the header */
        "t=1790000000,v 0=x,v1=%s",      /* blank inside an unknown key */
        "t=1790000000,v1=%s\n",
    };
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(buf, sizeof buf, templates[i], hex);
#pragma GCC diagnostic pop
        if (verify_at(buf, T) != SIG_MALFORMED)
            fail_msg("accepted as well-formed: \"%s\"", buf);
    }

    /* Non-hex in the right length. */
    snprintf(buf, sizeof buf, "t=1790000000,v1=%.63sg", hex);
    assert_int_equal(verify_at(buf, T), SIG_MALFORMED);

    /* Over the length cap, even if it starts well. */
    int n = snprintf(buf, sizeof buf, "t=1790000000,v1=%s", hex);
    while (n < SIG_VERIFY_HEADER_MAX + 10)
        n += snprintf(buf + n, sizeof buf - (size_t)n, ",x=1");
    assert_int_equal(verify_at(buf, T), SIG_MALFORMED);
}

static void test_several_v1(void **state)
{
    (void)state;
    char h[SIG_HEADER_MAX], buf[512];
    sign(T, h);
    const char *good = h + 16;
    const char *bad = "00000000000000000000000000000000000000000000000000000000000000aa";
    snprintf(buf, sizeof buf, "t=%ld,v1=%s,v1=%s", T, bad, good);
    assert_int_equal(verify_at(buf, T), SIG_OK);
    snprintf(buf, sizeof buf, "t=%ld,v1=%s,v1=%s", T, good, bad);
    assert_int_equal(verify_at(buf, T), SIG_OK);
    snprintf(buf, sizeof buf, "v1=%s,t=%ld", good, T); /* any order */
    assert_int_equal(verify_at(buf, T), SIG_OK);
    snprintf(buf, sizeof buf, "t=%ld,v1=%s,v1=%s", T, bad, bad);
    assert_int_equal(verify_at(buf, T), SIG_MISMATCH);
    /* Unknown schemes are ignored. */
    snprintf(buf, sizeof buf, "t=%ld,v0=whatever,v1=%s,v2=abc", T, good);
    assert_int_equal(verify_at(buf, T), SIG_OK);
    /* Upper-case hex names the same bytes. */
    char upper[65];
    for (int i = 0; i < 65; i++)
        upper[i] = (char)((good[i] >= 'a' && good[i] <= 'f') ? good[i] - 32 : good[i]);
    snprintf(buf, sizeof buf, "t=%ld,v1=%s", T, upper);
    assert_int_equal(verify_at(buf, T), SIG_OK);
    /* Stale wins only once the signature is right. */
    snprintf(buf, sizeof buf, "t=%ld,v1=%s,v1=%s", T, bad, good);
    assert_int_equal(verify_at(buf, T + 1000), SIG_STALE);
}

static void test_sign_small_buffer(void **state)
{
    (void)state;
    char small[40];
    assert_int_equal(sig_sign(secret, body, strlen(body), T, small, sizeof small), -1);
    assert_string_equal(small, "");
}

/* RFC 4231, test cases 1 and 2. */
static void test_hmac_vectors(void **state)
{
    (void)state;
    char out[65];
    const char key1[] = "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
                        "\x0b\x0b\x0b";
    hmac_sha256_hex(key1, "Hi There", 8, out);
    assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_sha256_hex("Jefe", "what do ya want for nothing?", 28, out);
    assert_string_equal(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_ct_equal(void **state)
{
    (void)state;
    assert_true(str_ct_equal("token-abc", "token-abc"));
    assert_true(str_ct_equal("", ""));
    assert_false(str_ct_equal("token-abc", "token-abd"));
    assert_false(str_ct_equal("token-abc", "token-ab"));
    assert_false(str_ct_equal("token-ab", "token-abc"));
    assert_false(str_ct_equal("", "x"));
    assert_false(str_ct_equal(NULL, "x"));
    assert_false(str_ct_equal("x", NULL));
    assert_false(str_ct_equal(NULL, NULL));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(sig_result_name(SIG_OK), "ok");
    assert_string_equal(sig_result_name(SIG_MALFORMED), "malformed");
    assert_string_equal(sig_result_name(SIG_MISMATCH), "mismatch");
    assert_string_equal(sig_result_name(SIG_STALE), "stale");
}

int main(void)
{
    rand_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_wrong_secret),  cmocka_unit_test(test_altered_body),
        cmocka_unit_test(test_stale_and_future), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_several_v1),    cmocka_unit_test(test_sign_small_buffer),
        cmocka_unit_test(test_hmac_vectors),  cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
