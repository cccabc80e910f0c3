/* fuzz_http_body.c: the capped request-body buffer the server fills as
 * bytes arrive (http_body_*), against a plain shadow copy. Invariants: it
 * never holds more than the cap, keeps the bytes exactly and NUL-
 * terminated, and once over the cap drops everything and only counts.
 * Input: 2 bytes cap (0..4095), 2 bytes declared length, then chunks of
 * <1 byte length><bytes>. */
#include <string.h>

#include "common/http.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t limit = ((size_t)data[0] << 8 | data[1]) & 4095;
    size_t expected = (size_t)data[2] << 8 | data[3];
    data += 4;
    size -= 4;
    struct http_body b;
    http_body_init(&b, limit, expected);
    uint8_t *shadow = malloc(size + 1);
    size_t slen = 0, offered = 0;
    int over = 0;
    while (size > 0) {
        size_t n = data[0];
        data++;
        size--;
        if (n > size)
            n = size;
        int rc = http_body_append(&b, data, n);
        offered += n;
        if (!over && offered > limit)
            over = 1;
        if (!over) {
            memcpy(shadow + slen, data, n);
            slen += n;
        }
        FUZZ_CHECK((rc == 0) == !over);
        FUZZ_CHECK(b.too_large == over);
        if (over) {
            FUZZ_CHECK(b.buf == NULL && b.len == 0);
            FUZZ_CHECK(b.dropped == offered);
        } else {
            FUZZ_CHECK(b.len == slen && b.len <= limit && b.cap <= limit + 1);
            FUZZ_CHECK(slen == 0 || (memcmp(b.buf, shadow, slen) == 0 && b.buf[slen] == '\0'));
        }
        data += n;
        size -= n;
    }
    size_t len = 99;
    char *out = http_body_take(&b, &len);
    FUZZ_CHECK(out != NULL);
    if (!over) {
        FUZZ_CHECK(len == slen && out[len] == '\0');
        FUZZ_CHECK(len == 0 || memcmp(out, shadow, len) == 0);
    } else {
        FUZZ_CHECK(len == 0);
    }
    free(out);
    http_body_cleanup(&b);
    free(shadow);
    return 0;
}
