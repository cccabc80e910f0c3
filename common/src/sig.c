/* sig.c: the X-Signature scheme (t=<unix>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>) and constant-time comparisons, on libsodium. */
#include "common/sig.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define SIG_T_DIGITS_MAX 12 /* unix seconds until the year 33658 */

static void sig_mac(const char *secret, long t, const char *body, size_t len,
                    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    char ts[24];
    int n = snprintf(ts, sizeof ts, "%ld.", t);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
    if (len)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
}

int sig_sign(const char *secret, const char *body, size_t len, long t, char *out, size_t outlen)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    sig_mac(secret ? secret : "", t, body ? body : "", body ? len : 0, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    int n = snprintf(out, outlen, "t=%ld,v1=%s", t, hex);
    if (n < 0 || (size_t)n >= outlen) {
        if (outlen)
            out[0] = '\0';
        return -1;
    }
    return 0;
}

enum sig_result sig_verify(const char *secret, const char *header, const char *body, size_t len,
                           long now, long tolerance_s)
{
    enum { MAX_SIGS = 8 };
    unsigned char sigs[MAX_SIGS][crypto_auth_hmacsha256_BYTES];
    int nsigs = 0, have_t = 0;
    long t = 0;

    if (!header || !secret)
        return SIG_MALFORMED;
    size_t hlen = strnlen(header, SIG_VERIFY_HEADER_MAX + 1);
    if (hlen == 0 || hlen > SIG_VERIFY_HEADER_MAX)
        return SIG_MALFORMED;

    const char *p = header;
    for (;;) {
        size_t plen = strcspn(p, ",");
        const char *eq = memchr(p, '=', plen);
        if (!eq || eq == p)
            return SIG_MALFORMED;
        size_t klen = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vlen = plen - klen - 1;
        if (klen == 1 && p[0] == 't') {
            if (have_t || vlen == 0 || vlen > SIG_T_DIGITS_MAX)
                return SIG_MALFORMED;
            t = 0;
            for (size_t i = 0; i < vlen; i++) {
                if (v[i] < '0' || v[i] > '9')
                    return SIG_MALFORMED;
                t = t * 10 + (v[i] - '0');
            }
            have_t = 1;
        } else if (klen == 2 && p[0] == 'v' && p[1] == '1') {
            if (vlen != 2 * crypto_auth_hmacsha256_BYTES || nsigs == MAX_SIGS)
                return SIG_MALFORMED;
            for (size_t i = 0; i < crypto_auth_hmacsha256_BYTES; i++) {
                int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
                if (hi < 0 || lo < 0)
                    return SIG_MALFORMED;
                sigs[nsigs][i] = (unsigned char)(hi << 4 | lo);
            }
            nsigs++;
        } else {
            /* Other schemes (v0=, future versions) are someone else's. */
            for (size_t i = 0; i < plen; i++)
                if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
                    return SIG_MALFORMED;
        }
        if (p[plen] == '\0')
            break;
        p += plen + 1;
    }
    if (!have_t || nsigs == 0)
        return SIG_MALFORMED;

    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    sig_mac(secret, t, body ? body : "", body ? len : 0, mac);
    int match = 0;
    for (int i = 0; i < nsigs; i++)
        match |= sodium_memcmp(mac, sigs[i], sizeof mac) == 0;
    if (!match)
        return SIG_MISMATCH;
    if (tolerance_s < 0)
        tolerance_s = SIG_TOLERANCE_S;
    long long d = (long long)now - (long long)t;
    if (d > tolerance_s || d < -tolerance_s)
        return SIG_STALE;
    return SIG_OK;
}

const char *sig_result_name(enum sig_result r)
{
    switch (r) {
    case SIG_OK: return "ok";
    case SIG_MALFORMED: return "malformed";
    case SIG_MISMATCH: return "mismatch";
    case SIG_STALE: return "stale";
    }
    return "unknown";
}

void hmac_sha256_hex(const char *secret, const void *data, size_t len, char out[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    if (!secret)
        secret = "";
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    if (len)
        crypto_auth_hmacsha256_update(&st, data, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

static unsigned char sig_eq_key[crypto_generichash_KEYBYTES];
static pthread_once_t sig_eq_once = PTHREAD_ONCE_INIT;

static void sig_eq_init(void)
{
    if (sodium_init() < 0)
        abort();
    randombytes_buf(sig_eq_key, sizeof sig_eq_key);
}

/* Compares keyed hashes of both strings, so the time taken depends on
 * neither the position of the first difference nor on which one is
 * shorter. */
int str_ct_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    pthread_once(&sig_eq_once, sig_eq_init);
    unsigned char ha[32], hb[32];
    crypto_generichash(ha, sizeof ha, (const unsigned char *)a, strlen(a), sig_eq_key,
                       sizeof sig_eq_key);
    crypto_generichash(hb, sizeof hb, (const unsigned char *)b, strlen(b), sig_eq_key,
                       sizeof sig_eq_key);
    return sodium_memcmp(ha, hb, sizeof ha) == 0;
}
