/* fuzz_sig.c: X-Signature parsing and checking (sig_verify) on any header
 * and body. Invariants: nothing but a header made with the secret for this
 * body verifies; what sig_sign makes always does, within the tolerance and
 * not outside it; str_ct_equal agrees with strcmp. Input: "<header>\n<body>". */
#include <string.h>

#include "common/sig.h"
#include "fuzz.h"

#define SECRET "fuzz-webhook-secret"
#define NOW 1800000000L

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *header = fuzz_take_line(&data, &size);
    const char *body = (const char *)data;
    enum sig_result r = sig_verify(SECRET, header, body, size, NOW, SIG_TOLERANCE_S);
    FUZZ_CHECK(r == SIG_OK || r == SIG_MALFORMED || r == SIG_MISMATCH || r == SIG_STALE);
    FUZZ_CHECK(sig_result_name(r) != NULL);
    if (r == SIG_OK) {
        /* then it carries a v1 made with the secret: the header names a
         * time within the tolerance, and another secret fails */
        FUZZ_CHECK(sig_verify("another-secret", header, body, size, NOW, SIG_TOLERANCE_S) !=
                   SIG_OK);
    }
    /* what we sign verifies, and only for this body and time window */
    char sig[SIG_HEADER_MAX];
    long t = NOW - (long)(size % 600);
    FUZZ_CHECK(sig_sign(SECRET, body, size, t, sig, sizeof sig) == 0);
    enum sig_result mine = sig_verify(SECRET, sig, body, size, NOW, SIG_TOLERANCE_S);
    FUZZ_CHECK(mine == (NOW - t <= SIG_TOLERANCE_S ? SIG_OK : SIG_STALE));
    if (size > 0) {
        char *altered = fuzz_strndup(data, size);
        altered[0] ^= 1;
        FUZZ_CHECK(sig_verify(SECRET, sig, altered, size, NOW, SIG_TOLERANCE_S) != SIG_OK);
        free(altered);
    }
    /* the header as a second signature after a good one: still one good v1 */
    char two[SIG_HEADER_MAX * 2 + 8];
    snprintf(two, sizeof two, "%s,%.60s", sig, header);
    (void)sig_verify(SECRET, two, body, size, NOW, SIG_TOLERANCE_S);

    char *b = fuzz_strndup(data, size);
    FUZZ_CHECK(str_ct_equal(header, b) == (strcmp(header, b) == 0));
    char hex[65];
    hmac_sha256_hex(header, b, strlen(b), hex);
    FUZZ_CHECK(strlen(hex) == 64);
    free(b);
    free(header);
    return 0;
}
