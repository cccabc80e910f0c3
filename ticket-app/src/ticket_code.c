/* ticket_code.c: making and verifying the signed ticket codes of ticket_code.h. */
#include "ticket_code.h"

#include <string.h>

#include "common/rand.h"
#include "common/sig.h"

/* Offsets of the parts inside a code. */
#define OFF_BOOKING 4
#define OFF_SEAT (OFF_BOOKING + 36 + 1)
#define OFF_MAC (OFF_SEAT + 36 + 1)
#define SIGNED_LEN (OFF_MAC - 1) /* "TK1.<booking>.<seat>" */

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* 1 if the 36 bytes at s are a UUID in lowercase 8-4-4-4-12 form. */
static int is_lower_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!is_lower_hex(s[i])) {
            return 0;
        }
    }
    return 1;
}

static void copy_lower(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        dst[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
}

/* The MAC of the first SIGNED_LEN bytes of code, truncated, NUL-terminated. */
static void code_mac(const char *secret, const char *code, char mac[TICKET_CODE_MAC_HEX + 1])
{
    char full[65];
    hmac_sha256_hex(secret, code, SIGNED_LEN, full);
    memcpy(mac, full, TICKET_CODE_MAC_HEX);
    mac[TICKET_CODE_MAC_HEX] = '\0';
}

int ticket_code_make(const char *secret, const char *booking_id, const char *seat_id, char *out,
                     size_t outlen)
{
    if (!out || outlen == 0)
        return -1;
    out[0] = '\0';
    if (!secret || !*secret || !booking_id || !seat_id || outlen < TICKET_CODE_LEN + 1)
        return -1;
    if (!uuid_valid(booking_id) || !uuid_valid(seat_id))
        return -1;

    char code[TICKET_CODE_LEN + 1];
    memcpy(code, TICKET_CODE_PREFIX, OFF_BOOKING);
    copy_lower(code + OFF_BOOKING, booking_id, 36);
    code[OFF_SEAT - 1] = '.';
    copy_lower(code + OFF_SEAT, seat_id, 36);
    code[OFF_MAC - 1] = '.';
    code_mac(secret, code, code + OFF_MAC);
    memcpy(out, code, sizeof code);
    return 0;
}

int ticket_code_parse_verify(const char *secret, const char *code, char booking_id[37],
                             char seat_id[37])
{
    if (booking_id)
        booking_id[0] = '\0';
    if (seat_id)
        seat_id[0] = '\0';
    if (!secret || !*secret || !code || !booking_id || !seat_id)
        return -1;
    /* strnlen: a huge or unterminated-looking input is never scanned past
     * the one byte that proves it too long. */
    if (strnlen(code, TICKET_CODE_LEN + 1) != TICKET_CODE_LEN)
        return -1;
    if (memcmp(code, TICKET_CODE_PREFIX, OFF_BOOKING) != 0 || code[OFF_SEAT - 1] != '.' ||
        code[OFF_MAC - 1] != '.')
        return -1;
    if (!is_lower_uuid(code + OFF_BOOKING) || !is_lower_uuid(code + OFF_SEAT))
        return -1;
    for (int i = 0; i < TICKET_CODE_MAC_HEX; i++)
        if (!is_lower_hex(code[OFF_MAC + i]))
            return -1;

    char want[TICKET_CODE_MAC_HEX + 1], got[TICKET_CODE_MAC_HEX + 1];
    code_mac(secret, code, want);
    memcpy(got, code + OFF_MAC, TICKET_CODE_MAC_HEX);
    got[TICKET_CODE_MAC_HEX] = '\0';
    if (!str_ct_equal(want, got))
        return -1;

    memcpy(booking_id, code + OFF_BOOKING, 36);
    booking_id[36] = '\0';
    memcpy(seat_id, code + OFF_SEAT, 36);
    seat_id[36] = '\0';
    return 0;
}
