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

/* valid_fail, for a check's failing return. */
static int fail(json_t *details, const char *key, const char *msg)
{
    valid_fail(details, key, msg);
    return -1;
}

/* The member key of obj, or NULL when it is absent or null: then *rc is -1
 * (noted in details) if the field is required, else 0. */
static json_t *member(const json_t *obj, const char *key, int required, json_t *details, int *rc)
{
    json_t *v = json_object_get(obj, key);
    if (v && !json_is_null(v))
        return v;
    *rc = required ? fail(details, key, "is required") : 0;
    return NULL;
}

int valid_string(const json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                 json_t *details)
{
    int rc;
    json_t *v = member(obj, key, required, details, &rc);
    if (!v)
        return rc;
    if (!json_is_string(v))
        return fail(details, key, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return fail(details, key, "must not be empty");
    if (n > maxlen)
        return fail(details, key, "is too long");
    if (!utf8_valid(s, n))
        return fail(details, key, "must be valid UTF-8 without NUL");
    *out = s;
    return 1;
}

int valid_long(const json_t *obj, const char *key, int required, long min, long max, long *out,
               json_t *details)
{
    int rc;
    json_t *v = member(obj, key, required, details, &rc);
    if (!v)
        return rc;
    if (!json_is_integer(v))
        return fail(details, key, "must be an integer");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return fail(details, key, "is out of range");
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
    return valid_uuid_norm(s, out) == 0 ? 1 : fail(details, key, "must be a UUID");
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
