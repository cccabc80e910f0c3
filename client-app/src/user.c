/* user.c: validation of user input and the User JSON. */
#include "user.h"

#include <string.h>

#include "common/util.h"

int user_username_valid(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
        if (n >= USER_USERNAME_MAX)
            return 0;
    }
    return n >= USER_USERNAME_MIN;
}

static int email_local_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* Strict subset of RFC 5321 addresses: a dot-atom local part (<= 64) and a
 * domain of at least two LDH labels (<= 63 each) ending in an alphabetic TLD.
 * No quoted local parts, IP literals or comments: nobody needs them here and
 * each is a parser edge case. */
int user_email_valid(const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    if (len < 3 || len > USER_EMAIL_MAX)
        return 0;
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@'))
        return 0;
    size_t local = (size_t)(at - s);
    if (local < 1 || local > 64 || s[0] == '.' || at[-1] == '.')
        return 0;
    for (size_t i = 0; i < local; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return 0;
        } else if (!email_local_char(s[i])) {
            return 0;
        }
    }
    const char *d = at + 1;
    int labels = 0;
    const char *label = d;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            size_t ll = (size_t)(p - label);
            if (ll < 1 || ll > 63 || label[0] == '-' || p[-1] == '-')
                return 0;
            labels++;
            if (*p == '\0')
                break;
            label = p + 1;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-')) {
            return 0;
        }
    }
    if (labels < 2)
        return 0;
    size_t tld = strlen(label);
    if (tld < 2)
        return 0;
    for (size_t i = 0; i < tld; i++)
        if (!((label[i] >= 'a' && label[i] <= 'z') || (label[i] >= 'A' && label[i] <= 'Z')))
            return 0;
    return 1;
}

int user_password_valid(const char *s, size_t len)
{
    return s && len >= USER_PASSWORD_MIN && len <= USER_PASSWORD_MAX && utf8_valid(s, len);
}

int user_full_name_valid(const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    if (len > USER_FULL_NAME_MAX * 4 || !utf8_valid(s, len))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return 0;
    return utf8_chars(s) <= USER_FULL_NAME_MAX;
}

int user_role_valid(const char *s)
{
    return s && (strcmp(s, "user") == 0 || strcmp(s, "staff") == 0 || strcmp(s, "admin") == 0);
}

static void add_detail(json_t **details, const char *field, const char *msg)
{
    if (!*details)
        *details = json_object();
    json_object_set_new(*details, field, json_string(msg));
}

/* Reads member key as a string: 1 present (string), 0 absent, -1 present but
 * of another type (a detail is added). *out borrowed. */
static int member_string(const json_t *body, const char *key, const char **out, size_t *len,
                         json_t **details)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v)) {
        add_detail(details, key, "must be a string");
        return -1;
    }
    *out = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    if (strlen(*out) != json_string_length(v)) {
        add_detail(details, key, "must not contain NUL");
        *out = NULL;
        return -1;
    }
    return 1;
}

static void check_email(const char *s, json_t **details)
{
    if (!user_email_valid(s))
        add_detail(details, "email", "must be a valid email address of at most 254 characters");
}

static void check_password(const struct user_input *in, json_t **details)
{
    if (!user_password_valid(in->password, in->password_len))
        add_detail(details, "password", "must be 8 to 128 bytes");
}

/* full_name: string, or null meaning none. */
static void read_full_name(const json_t *body, struct user_input *in, json_t **details)
{
    json_t *v = json_object_get(body, "full_name");
    if (!v)
        return;
    in->full_name_set = 1;
    if (json_is_null(v))
        return;
    if (member_string(body, "full_name", &in->full_name, NULL, details) < 0)
        return;
    if (!user_full_name_valid(in->full_name)) {
        add_detail(details, "full_name", "must be at most 100 characters, no control characters");
        in->full_name = NULL;
    }
}

static void read_role(const json_t *body, struct user_input *in, json_t **details)
{
    if (member_string(body, "role", &in->role, NULL, details) > 0 && !user_role_valid(in->role)) {
        add_detail(details, "role", "must be \"user\", \"staff\" or \"admin\"");
        in->role = NULL;
    }
}

int user_parse_create(const json_t *body, struct user_input *in, json_t **details)
{
    memset(in, 0, sizeof(*in));
    *details = NULL;
    int r = member_string(body, "username", &in->username, NULL, details);
    if (r == 0)
        add_detail(details, "username", "is required");
    else if (r > 0 && !user_username_valid(in->username))
        add_detail(details, "username", "must be 3 to 32 of A-Z a-z 0-9 _ . -");
    r = member_string(body, "email", &in->email, NULL, details);
    if (r == 0)
        add_detail(details, "email", "is required");
    else if (r > 0)
        check_email(in->email, details);
    r = member_string(body, "password", &in->password, &in->password_len, details);
    if (r == 0)
        add_detail(details, "password", "is required");
    else if (r > 0)
        check_password(in, details);
    read_full_name(body, in, details);
    read_role(body, in, details);
    return *details ? -1 : 0;
}

int user_parse_patch(const json_t *body, struct user_input *in, json_t **details)
{
    memset(in, 0, sizeof(*in));
    *details = NULL;
    if (json_object_get(body, "username"))
        add_detail(details, "username", "cannot be changed");
    if (member_string(body, "email", &in->email, NULL, details) > 0)
        check_email(in->email, details);
    if (member_string(body, "password", &in->password, &in->password_len, details) > 0)
        check_password(in, details);
    read_full_name(body, in, details);
    read_role(body, in, details);
    return *details ? -1 : 0;
}

json_t *user_to_json(const struct user_view *u)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "id", u->id, "username", u->username,
                     "email", u->email, "full_name", u->full_name, "role", u->role, "created_at",
                     u->created_at);
}
