/* fuzz_util.c: the input checks every service relies on before touching
 * the database: utf8_valid and uuid_valid against small reference
 * implementations, RFC 3339 parsing (a parsed time prints and parses back
 * to itself), parse_long against strtol. Input: any bytes. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "common/rand.h"
#include "common/util.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Unicode's well-formed UTF-8 (Table 3-7), no NUL. */
static int ref_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F;
        } else
            return 0;
        if (i + len > n)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += len;
    }
    return 1;
}

static int ref_uuid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(utf8_valid((const char *)data, size) == ref_utf8(data, size));
    char *s = fuzz_strndup(data, size);
    FUZZ_CHECK(uuid_valid(s) == ref_uuid(s));

    int64_t ms;
    if (time_parse_rfc3339(s, &ms) == 0) {
        char out[40];
        int64_t again;
        time_rfc3339(ms, out, sizeof out);
        FUZZ_CHECK(time_parse_rfc3339(out, &again) == 0);
        FUZZ_CHECK(again == ms);
    }

    long v;
    if (parse_long(s, &v) == 0) {
        char *end;
        errno = 0;
        long ref = strtol(s, &end, 10);
        FUZZ_CHECK(errno == 0 && *end == '\0' && end != s && ref == v);
    }
    free(s);
    return 0;
}
