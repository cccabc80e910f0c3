/* test_user.c: user input validation, JSON mapping and password hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "password.h"
#include "user.h"

static void usernames(void **state)
{
    (void)state;
    assert_true(user_username_valid("bob"));
    assert_true(user_username_valid("a.b-c_D9"));
    assert_true(user_username_valid("abcdefghijklmnopqrstuvwxyz012345"));   /* 32 */
    assert_false(user_username_valid("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
    assert_false(user_username_valid("ab"));
    assert_false(user_username_valid(""));
    assert_false(user_username_valid(NULL));
    assert_false(user_username_valid("bob smith"));
    assert_false(user_username_valid("bob'--"));
    assert_false(user_username_valid("al@ce"));
    assert_false(user_username_valid("j\xc3\xb6rg"));
}

static void emails(void **state)
{
    (void)state;
    assert_true(user_email_valid("a@b.co"));
    assert_true(user_email_valid("First.Last+tag@sub.example.com"));
    assert_true(user_email_valid("o'neil@example.org"));
    assert_false(user_email_valid("plainaddress"));
    assert_false(user_email_valid("@example.com"));
    assert_false(user_email_valid("a@"));
    assert_false(user_email_valid("a@localhost"));
    assert_false(user_email_valid("a@@b.com"));
    assert_false(user_email_valid("a@b@c.com"));
    assert_false(user_email_valid(".a@b.com"));
    assert_false(user_email_valid("a.@b.com"));
    assert_false(user_email_valid("a..b@c.com"));
    assert_false(user_email_valid("a@-b.com"));
    assert_false(user_email_valid("a@b-.com"));
    assert_false(user_email_valid("a@b..com"));
    assert_false(user_email_valid("a@b.c"));
    assert_false(user_email_valid("a@b.c0m"));
    assert_false(user_email_valid("a b@c.com"));
    assert_false(user_email_valid("a@b.com; DROP TABLE users"));
    assert_false(user_email_valid("\"a\"@b.com"));
    char long_local[80];
    memset(long_local, 'x', 65);
    strcpy(long_local + 65, "@b.com");
    assert_false(user_email_valid(long_local));
    char big[300];
    memset(big, 'a', sizeof big);
    memcpy(big, "x@", 2);
    strcpy(big + 250, ".com"); /* 254 chars: labels too long anyway */
    assert_false(user_email_valid(big));
}

static void passwords_and_names(void **state)
{
    (void)state;
    assert_true(user_password_valid("12345678", 8));
    assert_false(user_password_valid("1234567", 7));
    char pw[130];
    memset(pw, 'p', 129);
    pw[129] = 0;
    assert_false(user_password_valid(pw, 129));
    assert_true(user_password_valid(pw, 128));
    assert_true(user_full_name_valid("Robert'); DROP TABLE users;--"));
    assert_true(user_full_name_valid("Zoë Ñandú 山田"));
    assert_false(user_full_name_valid("tab\there"));
    assert_false(user_full_name_valid("bad \xff utf8"));
    char name[500];
    memset(name, 'n', 100);
    name[100] = 0;
    assert_true(user_full_name_valid(name));
    name[100] = 'n';
    name[101] = 0;
    assert_false(user_full_name_valid(name));
    /* 100 three-byte characters are 100 characters */
    name[0] = 0;
    for (int i = 0; i < 100; i++)
        strcat(name, "\xe5\xb1\xb1");
    assert_int_equal(utf8_chars(name), 100);
    assert_true(user_full_name_valid(name));
    assert_true(user_role_valid("admin"));
    assert_false(user_role_valid("root"));
}

static void parse_create(void **state)
{
    (void)state;
    struct user_input in;
    json_t *details = NULL;
    json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "username", "alice", "email", "a@b.co",
                          "password", "secret-pass", "full_name", "Alice");
    assert_int_equal(user_parse_create(b, &in, &details), 0);
    assert_null(details);
    assert_string_equal(in.username, "alice");
    assert_int_equal(in.password_len, 11);
    assert_string_equal(in.full_name, "Alice");
    assert_null(in.role);
    json_decref(b);

    b = json_pack("{s:i, s:s, s:s, s:s}", "username", 5, "email", "nope", "password", "short",
                  "role", "root");
    assert_int_equal(user_parse_create(b, &in, &details), -1);
    assert_non_null(json_object_get(details, "username"));
    assert_non_null(json_object_get(details, "email"));
    assert_non_null(json_object_get(details, "password"));
    assert_non_null(json_object_get(details, "role"));
    json_decref(details);
    json_decref(b);

    b = json_object();
    assert_int_equal(user_parse_create(b, &in, &details), -1);
    assert_int_equal(json_object_size(details), 3);
    json_decref(details);
    json_decref(b);
}

static void parse_patch(void **state)
{
    (void)state;
    struct user_input in;
    json_t *details = NULL;
    json_t *b = json_pack("{s:n}", "full_name");
    assert_int_equal(user_parse_patch(b, &in, &details), 0);
    assert_int_equal(in.full_name_set, 1);
    assert_null(in.full_name);
    json_decref(b);
    b = json_pack("{s:s}", "username", "other");
    assert_int_equal(user_parse_patch(b, &in, &details), -1);
    json_decref(details);
    json_decref(b);
    b = json_object();
    assert_int_equal(user_parse_patch(b, &in, &details), 0);
    assert_null(in.email);
    assert_null(in.password);
    assert_int_equal(in.full_name_set, 0);
    json_decref(b);
}

static void to_json_never_has_hash(void **state)
{
    (void)state;
    struct user_view v = {"11111111-1111-4111-8111-111111111111",
                          "bob",
                          "b@x.io",
                          NULL,
                          "user",
                          "2026-01-01T00:00:00.000Z"};
    json_t *j = user_to_json(&v);
    assert_int_equal(json_object_size(j), 6);
    assert_true(json_is_null(json_object_get(j, "full_name")));
    assert_null(json_object_get(j, "password_hash"));
    assert_string_equal(json_string_value(json_object_get(j, "role")), "user");
    json_decref(j);
}

static void hash_and_verify(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse", 13, h), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_non_null(strstr(h, "m=12288,t=3"));
    assert_int_equal(password_verify(h, "correct horse", 13), 1);
    assert_int_equal(password_verify(h, "correct horsE", 13), 0);
    assert_int_equal(password_verify("garbage", "x", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(usernames),           cmocka_unit_test(emails),
        cmocka_unit_test(passwords_and_names), cmocka_unit_test(parse_create),
        cmocka_unit_test(parse_patch),         cmocka_unit_test(to_json_never_has_hash),
        cmocka_unit_test(hash_and_verify),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
