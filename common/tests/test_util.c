/* test_util.c: unit tests of util.c (UTF-8, RFC 3339 times, parse_long,
 * sbuf, json_str) and of the log level parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/util.h"

#define U8(s) utf8_valid((s), sizeof(s) - 1)

static void test_utf8_valid_inputs(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(U8("plain ascii"));
    assert_true(U8("caf\xc3\xa9"));      /* U+00E9 */
    assert_true(U8("\xe2\x82\xac"));     /* U+20AC */
    assert_true(U8("\xed\x9f\xbf"));     /* U+D7FF, below surrogates */
    assert_true(U8("\xee\x80\x80"));     /* U+E000, above surrogates */
    assert_true(U8("\xf0\x9f\x8e\x9f")); /* U+1F39F */
    assert_true(U8("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last one */
    assert_true(U8("\xc2\x80"));         /* U+0080, shortest 2-byte */
    assert_true(U8("\xe0\xa0\x80"));     /* U+0800, shortest 3-byte */
    assert_true(U8("\xf0\x90\x80\x80")); /* U+10000, shortest 4-byte */
}

static void test_utf8_invalid_inputs(void **state)
{
    (void)state;
    assert_false(U8("a\0b"));             /* NUL */
    assert_false(U8("\xc0\xaf"));         /* overlong '/' */
    assert_false(U8("\xc1\xbf"));         /* overlong */
    assert_false(U8("\xe0\x80\xaf"));     /* overlong 3-byte */
    assert_false(U8("\xe0\x9f\xbf"));     /* overlong 3-byte, top */
    assert_false(U8("\xf0\x80\x80\xaf")); /* overlong 4-byte */
    assert_false(U8("\xf0\x8f\xbf\xbf")); /* overlong 4-byte, top */
    assert_false(U8("\xed\xa0\x80"));     /* U+D800 surrogate */
    assert_false(U8("\xed\xbf\xbf"));     /* U+DFFF surrogate */
    assert_false(U8("\xf4\x90\x80\x80")); /* U+110000 */
    assert_false(U8("\xf5\x80\x80\x80")); /* F5 lead */
    assert_false(U8("\xff"));
    assert_false(U8("\x80"));         /* lone continuation */
    assert_false(U8("\xc3"));         /* truncated */
    assert_false(U8("\xe2\x82"));     /* truncated */
    assert_false(U8("\xf0\x9f\x8e")); /* truncated */
    assert_false(U8("\xc3\x28"));     /* bad continuation */
    assert_false(U8("\xe2\x28\xa1"));
    assert_false(U8("\xf0\x9f\x28\x9f"));
    /* The length is what counts, not a NUL: a valid prefix is not enough. */
    assert_true(utf8_valid("ab\xff", 2));
    assert_false(utf8_valid("ab\xff", 3));
}

static void test_rfc3339_format(void **state)
{
    (void)state;
    char buf[40];
    time_rfc3339(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    time_rfc3339(1795428000123LL, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-23T10:00:00.123Z");
    time_rfc3339(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    time_rfc3339(951782400000LL, buf, sizeof buf); /* leap day of a century leap year */
    assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
}

static void test_rfc3339_parse(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(time_parse_rfc3339("2026-11-23T10:00:00.123Z", &ms), 0);
    assert_int_equal(ms, 1795428000123LL);
    assert_int_equal(time_parse_rfc3339("2026-11-23T10:00:00Z", &ms), 0);
    assert_int_equal(ms, 1795428000000LL);
    assert_int_equal(time_parse_rfc3339("2026-11-23t10:00:00z", &ms), 0);
    assert_int_equal(ms, 1795428000000LL);
    assert_int_equal(time_parse_rfc3339("2026-11-23T17:00:00+07:00", &ms), 0);
    assert_int_equal(ms, 1795428000000LL);
    assert_int_equal(time_parse_rfc3339("2026-11-23T05:30:00.5-04:30", &ms), 0);
    assert_int_equal(ms, 1795428000500LL);
    assert_int_equal(time_parse_rfc3339("2026-11-23T10:00:00.123456789Z", &ms), 0);
    assert_int_equal(ms, 1795428000123LL);
    assert_int_equal(time_parse_rfc3339("2024-02-29T00:00:00Z", &ms), 0);

    const char *bad[] = {
        "",
        "2026-11-23",
        "2026-11-23T10:00:00",  /* no zone */
        "2026-11-23 10:00:00Z", /* space */
        "2026-13-01T00:00:00Z", /* month */
        "2026-00-01T00:00:00Z",
        "2026-02-29T00:00:00Z", /* not a leap year */
        "2026-04-31T00:00:00Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z",
        "2026-11-23T10:00:61Z",
        "2026-11-23T10:00:00.Z",    /* empty fraction */
        "2026-11-23T10:00:00+0700", /* offset without colon */
        "2026-11-23T10:00:00+24:00",
        "2026-11-23T10:00:00Zjunk",
        "9999-12-31T23:59:59.999-23:59", /* year 10000 in UTC: would not print back */
        "9999-12-31T23:59:60Z",
        "0000-01-01T00:00:00+00:01", /* year -1 in UTC */
        "26-11-23T10:00:00Z",
        "2026-1-23T10:00:00Z",
        "x026-11-23T10:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (time_parse_rfc3339(bad[i], &ms) != -1)
            fail_msg("accepted %s", bad[i]);
    }
    assert_int_equal(time_parse_rfc3339(NULL, &ms), -1);
}

static void test_rfc3339_round_trip(void **state)
{
    (void)state;
    /* Every few days across four centuries, odd milliseconds included. */
    for (int64_t t = -2208988800000LL; t < 4102444800000LL; t += 86400000LL * 7 + 3600007) {
        char buf[40];
        int64_t back;
        time_rfc3339(t, buf, sizeof buf);
        assert_int_equal(time_parse_rfc3339(buf, &back), 0);
        assert_int_equal(back, t);
    }
    int64_t now = now_ms();
    char buf[40];
    int64_t back;
    time_rfc3339(now, buf, sizeof buf);
    assert_int_equal(time_parse_rfc3339(buf, &back), 0);
    assert_int_equal(back, now);
}

static void test_parse_long_edges(void **state)
{
    (void)state;
    long v = 0;
    assert_int_equal(parse_long("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse_long("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse_long("-17", &v), 0);
    assert_int_equal(v, -17);
    assert_int_equal(parse_long("007", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(parse_long("9223372036854775807", &v), 0);
    assert_true(v == 9223372036854775807L);
    assert_int_equal(parse_long("-9223372036854775808", &v), 0);
    assert_true(v == (-9223372036854775807L - 1));
    v = 99;
    const char *bad[] = {"",
                         "-",
                         "+1",
                         " 1",
                         "1 ",
                         "1x",
                         "0x10",
                         "1.5",
                         "1e3",
                         "9223372036854775808",
                         "-9223372036854775809",
                         "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_long(bad[i], &v) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(v, 99); /* untouched on failure */
    assert_int_equal(parse_long(NULL, &v), -1);
}

static void test_sbuf(void **state)
{
    (void)state;
    struct sbuf b;
    sbuf_init(&b);
    size_t len = 123;
    char *empty = sbuf_steal(&b, &len);
    assert_string_equal(empty, "");
    assert_int_equal(len, 0);
    free(empty);

    sbuf_puts(&b, "abc");
    sbuf_add(&b, "defgh", 2);
    sbuf_printf(&b, "-%d-%s", 42, "x");
    assert_string_equal(b.buf, "abcde-42-x");
    assert_int_equal(b.len, 10);
    /* Growth past the first chunk through printf. */
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sbuf_printf(&b, "%s!", big);
    assert_int_equal(b.len, 10 + 3000);
    assert_int_equal(b.buf[b.len - 1], '!');
    assert_int_equal(strlen(b.buf), b.len);
    char *s = sbuf_steal(&b, &len);
    assert_int_equal(len, 3010);
    assert_null(b.buf);
    assert_int_equal(b.len, 0);
    free(s);
    sbuf_puts(&b, "again");
    sbuf_cleanup(&b);
    assert_null(b.buf);
}

static void test_xalloc(void **state)
{
    (void)state;
    char *p = xstrndup("abcdef", 3);
    assert_string_equal(p, "abc");
    free(p);
    p = xstrdup("hello");
    assert_string_equal(p, "hello");
    free(p);
    assert_null(xstrdup(NULL));
    void *z = xmalloc(0);
    assert_non_null(z);
    z = xrealloc(z, 100);
    assert_non_null(z);
    free(z);
    int *c = xcalloc(4, sizeof *c);
    assert_int_equal(c[0] + c[1] + c[2] + c[3], 0);
    free(c);
}

static void test_json_str(void **state)
{
    (void)state;
    json_t *o = json_pack("{s:s, s:i, s:n}", "name", "Ana", "n", 3, "null");
    assert_string_equal(json_str(o, "name"), "Ana");
    assert_null(json_str(o, "n"));
    assert_null(json_str(o, "null"));
    assert_null(json_str(o, "missing"));
    assert_null(json_str(NULL, "name"));
    json_t *arr = json_array();
    assert_null(json_str(arr, "name"));
    json_decref(arr);
    json_decref(o);
}

static void test_log_levels(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("debug"), LOG_DEBUG);
    assert_int_equal(log_level_parse("INFO"), LOG_INFO);
    assert_int_equal(log_level_parse("warn"), LOG_WARN);
    assert_int_equal(log_level_parse("warning"), LOG_WARN);
    assert_int_equal(log_level_parse("error"), LOG_ERROR);
    assert_int_equal(log_level_parse("loud"), -1);
    assert_int_equal(log_level_parse(""), -1);
    assert_int_equal(log_level_parse(NULL), -1);
    log_set_request_id("abc");
    assert_string_equal(log_request_id(), "abc");
    log_set_request_id(NULL);
    assert_null(log_request_id());
}

/* backoff_ms: doubling from base to the cap, the jitter's range, and the
 * edges (no attempt yet, a cap below the base, a jitter out of range). */
static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(backoff_ms(1000, 600000, 1, 0.5), 1000);
    assert_int_equal(backoff_ms(1000, 600000, 2, 0.5), 2000);
    assert_int_equal(backoff_ms(1000, 600000, 4, 0.5), 8000);
    assert_int_equal(backoff_ms(1000, 600000, 40, 0.5), 600000);
    assert_int_equal(backoff_ms(1000, 600000, 1, 0.0), 500);
    assert_true(backoff_ms(1000, 600000, 100, 0.999) < 900000);
    assert_int_equal(backoff_ms(250, 2000, 4, 0.5), 2000);
    assert_int_equal(backoff_ms(250, 2000, 0, 0.5), 250);
    assert_int_equal(backoff_ms(500, 100, 3, 0.5), 500);
    assert_int_equal(backoff_ms(0, 0, 5, 0.5), 1);
    assert_int_equal(backoff_ms(1000, 600000, 1, -3.0), 500);
    assert_true(backoff_ms(1000, 600000, 1, 7.0) < 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_inputs),
        cmocka_unit_test(test_utf8_invalid_inputs),
        cmocka_unit_test(test_rfc3339_format),
        cmocka_unit_test(test_rfc3339_parse),
        cmocka_unit_test(test_rfc3339_round_trip),
        cmocka_unit_test(test_parse_long_edges),
        cmocka_unit_test(test_sbuf),
        cmocka_unit_test(test_xalloc),
        cmocka_unit_test(test_json_str),
        cmocka_unit_test(test_log_levels),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
