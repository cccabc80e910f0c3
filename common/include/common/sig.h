/* sig.h: HMAC-SHA256 signing and verification of webhook bodies, the
 * "X-Signature: t=<unix seconds>,v1=<hex HMAC(secret, "<t>.<body>")>" scheme
 * of API.md, and plain HMAC hex for ticket codes. */
#ifndef COMMON_SIG_H
#define COMMON_SIG_H

#include <stddef.h>

#define SIG_TOLERANCE_S 300
#define SIG_HEADER_MAX 128
/* Longest header sig_verify reads (room for several v1= during rotation);
 * longer ones are SIG_MALFORMED. */
#define SIG_VERIFY_HEADER_MAX 1024

enum sig_result {
    SIG_OK = 0,
    SIG_MALFORMED,  /* header missing or not t=...,v1=<64 hex> */
    SIG_MISMATCH,   /* wrong secret or altered body */
    SIG_STALE,      /* |now - t| > tolerance (too old or from the future) */
};

/* Writes the header value for body signed at time t into out (at least
 * SIG_HEADER_MAX bytes). Returns 0, -1 if out is too small. */
int sig_sign(const char *secret, const char *body, size_t len, long t, char *out, size_t outlen);

/* Verifies header against body. Constant-time comparison. Several v1=
 * entries are allowed (secret rotation); one match is enough. */
enum sig_result sig_verify(const char *secret, const char *header, const char *body, size_t len,
                           long now, long tolerance_s);
const char *sig_result_name(enum sig_result r);

/* hex(HMAC-SHA256(secret, data)) into out (65 bytes). */
void hmac_sha256_hex(const char *secret, const void *data, size_t len, char out[65]);
/* Constant-time equality of two NUL-terminated strings. */
int str_ct_equal(const char *a, const char *b);

#endif
