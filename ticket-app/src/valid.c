/* valid.c: field checks for JSON request bodies (see valid.h). */
#include "valid.h"

#include <ctype.h>
#include <string.h>

#include "common/rand.h"
#include "common/util.h"

void valid_fail(json_t *details, const char *key, const char *msg)
{
    if (details && !json_object_get(details, key))
        json_object_set_new(details, key, json_string(msg));
}

int valid_string(const json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                 json_t *details)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required) {
            valid_fail(details, key, "is required");
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        valid_fail(details, key, "must be a string");
        return -1;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0) {
        valid_fail(details, key, "must not be empty");
        return -1;
    }
    if (n > maxlen) {
        valid_fail(details, key, "is too long");
        return -1;
    }
    if (!utf8_valid(s, n)) {
        valid_fail(details, key, "must be valid UTF-8 without NUL");
        return -1;
    }
    *out = s;
    return 1;
}

int valid_long(const json_t *obj, const char *key, int required, long min, long max, long *out,
               json_t *details)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required) {
            valid_fail(details, key, "is required");
            return -1;
        }
        return 0;
    }
    if (!json_is_integer(v)) {
        valid_fail(details, key, "must be an integer");
        return -1;
    }
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) {
        valid_fail(details, key, "is out of range");
        return -1;
    }
    *out = (long)x;
    return 1;
}

int valid_uuid_norm(const char *s, char out[37])
{
    if (!s || strlen(s) != 36 || !uuid_valid(s))
        return -1;
    for (size_t i = 0; i < 36; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[36] = '\0';
    return 0;
}

int valid_uuid(const json_t *obj, const char *key, int required, char out[37], json_t *details)
{
    const char *s = NULL;
    int r = valid_string(obj, key, required, 36, &s, details);
    if (r <= 0)
        return r;
    if (valid_uuid_norm(s, out) != 0) {
        valid_fail(details, key, "must be a UUID");
        return -1;
    }
    return 1;
}

int valid_currency(const char *s)
{
    if (!s || strlen(s) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}
