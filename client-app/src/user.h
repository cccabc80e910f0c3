/* user.h: users' pure logic: input validation and the User JSON. */
#ifndef CLIENT_USER_H
#define CLIENT_USER_H

#include <jansson.h>
#include <stddef.h>

#define USER_USERNAME_MIN 3
#define USER_USERNAME_MAX 32
#define USER_EMAIL_MAX 254
#define USER_PASSWORD_MIN 8
#define USER_PASSWORD_MAX 128
#define USER_FULL_NAME_MAX 100 /* characters (code points) */

/* 1 if valid, else 0. */
int user_username_valid(const char *s);
int user_email_valid(const char *s);
int user_password_valid(const char *s, size_t len);
int user_full_name_valid(const char *s); /* valid UTF-8, <= 100 chars, no control chars */
int user_role_valid(const char *s);      /* "user" or "admin" */

/* A parsed POST /api/users or PATCH /api/users/{id} body. Strings are
 * borrowed from the JSON body. For PATCH, NULL means "not sent";
 * full_name_set tells a sent null (clear) from absent. */
struct user_input {
    const char *username;
    const char *email;
    const char *password;
    size_t password_len;
    const char *full_name;
    int full_name_set;
    const char *role;
};

/* Validates a creation body: username, email, password required;
 * full_name and role optional. Returns 0, or -1 with *details (new
 * reference) mapping each bad field to a message. Unknown members are
 * ignored. */
int user_parse_create(const json_t *body, struct user_input *in, json_t **details);
/* Validates a PATCH body (every member optional; username cannot change). */
int user_parse_patch(const json_t *body, struct user_input *in, json_t **details);

/* One user as stored (borrowed strings; full_name may be NULL). */
struct user_view {
    const char *id;
    const char *username;
    const char *email;
    const char *full_name;
    const char *role;
    const char *created_at;
};

/* The User JSON of API.md (never a hash). New reference. */
json_t *user_to_json(const struct user_view *u);

#endif
