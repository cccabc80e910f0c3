/* test_ticket_code.c: unit tests of ticket_code.c, the signed ticket codes:
 * round trip, a pinned vector, and every way a code can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sig.h"
#include "ticket_code.h"

#define SECRET "s3cret"
#define BOOKING "11111111-1111-1111-1111-111111111111"
#define SEAT "22222222-2222-2222-2222-222222222222"
/* openssl dgst -sha256 -hmac s3cret over "TK1.<BOOKING>.<SEAT>", 32 hex. */
#define PINNED_MAC "e6a2c6ba04dc39e63674ab1c439e119a"

static void make_ok(const char *booking, const char *seat, char code[TICKET_CODE_LEN + 1])
{
    assert_int_equal(ticket_code_make(SECRET, booking, seat, code, TICKET_CODE_LEN + 1), 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37];
    const char *booking = "0b6f1a52-7c1e-4a43-9f0e-5b3d2a1c9e77";
    const char *seat = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
    make_ok(booking, seat, code);
    assert_int_equal(strlen(code), TICKET_CODE_LEN);
    assert_memory_equal(code, "TK1.", 4);
    assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), 0);
    assert_string_equal(b, booking);
    assert_string_equal(s, seat);
}

static void test_pinned_vector(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1];
    make_ok(BOOKING, SEAT, code);
    assert_string_equal(code, "TK1." BOOKING "." SEAT "." PINNED_MAC);
}

static void test_uppercase_ids_are_written_lowercase(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37];
    make_ok("0B6F1A52-7C1E-4A43-9F0E-5B3D2A1C9E77", "F47AC10B-58CC-4372-A567-0E02B2C3D479", code);
    assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), 0);
    assert_string_equal(b, "0b6f1a52-7c1e-4a43-9f0e-5b3d2a1c9e77");
    assert_string_equal(s, "f47ac10b-58cc-4372-a567-0e02b2c3d479");
}

static void test_make_rejects(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1];
    char big[256];
    /* Too small by one: nothing written but an empty string. */
    code[0] = 'x';
    assert_int_equal(ticket_code_make(SECRET, BOOKING, SEAT, code, TICKET_CODE_LEN), -1);
    assert_int_equal(code[0], '\0');
    assert_int_equal(ticket_code_make(SECRET, BOOKING, SEAT, code, 0), -1);
    assert_int_equal(ticket_code_make(SECRET, BOOKING, SEAT, NULL, 200), -1);
    assert_int_equal(ticket_code_make(NULL, BOOKING, SEAT, big, sizeof big), -1);
    assert_int_equal(ticket_code_make("", BOOKING, SEAT, big, sizeof big), -1);
    assert_int_equal(ticket_code_make(SECRET, NULL, SEAT, big, sizeof big), -1);
    assert_int_equal(ticket_code_make(SECRET, BOOKING, NULL, big, sizeof big), -1);
    assert_int_equal(ticket_code_make(SECRET, "not-a-uuid", SEAT, big, sizeof big), -1);
    assert_int_equal(ticket_code_make(SECRET, BOOKING, BOOKING "0", big, sizeof big), -1);
    assert_int_equal(ticket_code_make(SECRET, BOOKING, "", big, sizeof big), -1);
    assert_int_equal(ticket_code_make(SECRET, BOOKING, SEAT, big, sizeof big), 0);
}

/* Every byte value in every position other than the one there is refused. */
static void test_every_single_character_alteration(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37];
    make_ok(BOOKING, SEAT, code);
    long tried = 0;
    for (size_t i = 0; i < TICKET_CODE_LEN; i++) {
        for (int c = 1; c < 256; c++) {
            if ((char)c == code[i])
                continue;
            char bad[TICKET_CODE_LEN + 1];
            memcpy(bad, code, sizeof bad);
            bad[i] = (char)c;
            if (ticket_code_parse_verify(SECRET, bad, b, s) != -1)
                fail_msg("alteration at %zu to 0x%02x accepted", i, c);
            assert_string_equal(b, "");
            assert_string_equal(s, "");
            tried++;
        }
    }
    assert_int_equal(tried, (long)TICKET_CODE_LEN * 254);
}

static void test_deletions_and_insertions(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37];
    make_ok(BOOKING, SEAT, code);
    for (size_t i = 0; i < TICKET_CODE_LEN; i++) {
        char bad[TICKET_CODE_LEN + 2];
        /* deleted */
        memcpy(bad, code, i);
        memcpy(bad + i, code + i + 1, TICKET_CODE_LEN - i);
        assert_int_equal(ticket_code_parse_verify(SECRET, bad, b, s), -1);
        /* one inserted */
        memcpy(bad, code, i);
        bad[i] = code[i];
        memcpy(bad + i + 1, code + i, TICKET_CODE_LEN - i + 1);
        assert_int_equal(ticket_code_parse_verify(SECRET, bad, b, s), -1);
    }
}

static void test_wrong_secret(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37];
    make_ok(BOOKING, SEAT, code);
    assert_int_equal(ticket_code_parse_verify("s3creT", code, b, s), -1);
    assert_int_equal(ticket_code_parse_verify("s3cret ", code, b, s), -1);
    assert_int_equal(ticket_code_parse_verify("", code, b, s), -1);
    assert_int_equal(ticket_code_parse_verify(NULL, code, b, s), -1);
}

static void test_truncated_and_extended(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37], cut[TICKET_CODE_LEN + 1];
    make_ok(BOOKING, SEAT, code);
    for (size_t n = 0; n < TICKET_CODE_LEN; n++) {
        memcpy(cut, code, n);
        cut[n] = '\0';
        assert_int_equal(ticket_code_parse_verify(SECRET, cut, b, s), -1);
    }
    char longer[TICKET_CODE_LEN + 3];
    snprintf(longer, sizeof longer, "%s\n", code);
    assert_int_equal(ticket_code_parse_verify(SECRET, longer, b, s), -1);
    snprintf(longer, sizeof longer, " %s", code);
    assert_int_equal(ticket_code_parse_verify(SECRET, longer, b, s), -1);
}

static void test_huge_and_empty(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], b[37], s[37];
    make_ok(BOOKING, SEAT, code);
    size_t n = 4u << 20;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    /* A valid code followed by megabytes, and megabytes of junk. */
    for (size_t i = 0; i < n; i++)
        huge[i] = (char)('a' + i % 26);
    memcpy(huge, code, TICKET_CODE_LEN);
    huge[n] = '\0';
    assert_int_equal(ticket_code_parse_verify(SECRET, huge, b, s), -1);
    memset(huge, 0xff, n);
    assert_int_equal(ticket_code_parse_verify(SECRET, huge, b, s), -1);
    free(huge);

    assert_int_equal(ticket_code_parse_verify(SECRET, "", b, s), -1);
    assert_int_equal(ticket_code_parse_verify(SECRET, "TK1.", b, s), -1);
    assert_int_equal(ticket_code_parse_verify(SECRET, NULL, b, s), -1);
    assert_int_equal(ticket_code_parse_verify(SECRET, code, NULL, s), -1);
    assert_int_equal(ticket_code_parse_verify(SECRET, code, b, NULL), -1);
}

/* Builds "TK1.<b>.<s>.<correct mac>" by hand, so that only the format can
 * refuse it. */
static void signed_by_hand(const char *booking, const char *seat, char *out, size_t outlen)
{
    char msg[128], mac[65];
    snprintf(msg, sizeof msg, "TK1.%s.%s", booking, seat);
    hmac_sha256_hex(SECRET, msg, strlen(msg), mac);
    mac[32] = '\0';
    snprintf(out, outlen, "%s.%s", msg, mac);
}

static void test_non_uuid_parts_refused_even_when_signed(void **state)
{
    (void)state;
    char code[256], b[37], s[37];
    /* The control: a hand-signed good code passes. */
    signed_by_hand(BOOKING, SEAT, code, sizeof code);
    assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), 0);

    const char *bad_ids[] = {
        "11111111-1111-1111-1111-11111111111g", /* not hex */
        "111111111-111-1111-1111-111111111111", /* dash moved */
        "11111111_1111_1111_1111_111111111111", /* wrong separators */
        "11111111-1111-1111-1111-11111111111A", /* uppercase: not the one spelling */
        "11111111-1111-1111-1111.111111111111", /* a dot inside */
        "                                    ", /* spaces */
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        signed_by_hand(bad_ids[i], SEAT, code, sizeof code);
        assert_int_equal(strlen(code), TICKET_CODE_LEN);
        assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), -1);
        signed_by_hand(BOOKING, bad_ids[i], code, sizeof code);
        assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), -1);
    }

    /* Uppercase hex in the MAC is a different string: refused. */
    signed_by_hand(BOOKING, SEAT, code, sizeof code);
    for (size_t i = 78; i < TICKET_CODE_LEN; i++)
        if (code[i] >= 'a' && code[i] <= 'f') {
            code[i] = (char)(code[i] - 'a' + 'A');
            break;
        }
    assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), -1);

    /* Another version prefix with a valid MAC over it. */
    char msg[128], mac[65];
    snprintf(msg, sizeof msg, "TK2.%s.%s", BOOKING, SEAT);
    hmac_sha256_hex(SECRET, msg, strlen(msg), mac);
    mac[32] = '\0';
    snprintf(code, sizeof code, "%s.%s", msg, mac);
    assert_int_equal(ticket_code_parse_verify(SECRET, code, b, s), -1);
}

static void test_swapped_ids_refused(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], other[TICKET_CODE_LEN + 1], b[37], s[37];
    make_ok(BOOKING, SEAT, code);
    /* The same MAC cannot move to another booking or seat. */
    make_ok(SEAT, BOOKING, other);
    memcpy(other + 78, code + 78, 32);
    assert_int_equal(ticket_code_parse_verify(SECRET, other, b, s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_pinned_vector),
        cmocka_unit_test(test_uppercase_ids_are_written_lowercase),
        cmocka_unit_test(test_make_rejects),
        cmocka_unit_test(test_every_single_character_alteration),
        cmocka_unit_test(test_deletions_and_insertions),
        cmocka_unit_test(test_wrong_secret),
        cmocka_unit_test(test_truncated_and_extended),
        cmocka_unit_test(test_huge_and_empty),
        cmocka_unit_test(test_non_uuid_parts_refused_even_when_signed),
        cmocka_unit_test(test_swapped_ids_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
