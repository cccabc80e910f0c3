/* test_seeds.c: seeds/client.sql applies (twice) on the migrated schema and
 * its demo users log in with the documented password. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testsupport.h"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static void seeds_apply_and_verify(void **state)
{
    (void)state;
    const char *dirs[] = {MIGRATIONS_ROOT "/common", MIGRATIONS_ROOT "/client", NULL};
    char uri[512];
    assert_int_equal(test_db_create("client_seed", dirs, uri, sizeof uri), 0);
    char *sql = read_file(SEEDS_FILE);
    assert_int_equal(test_db_exec(uri, sql), 0);
    assert_int_equal(test_db_exec(uri, sql), 0); /* idempotent */
    free(sql);
    char *n = test_db_scalar(uri, "SELECT count(*) FROM users", NULL);
    assert_string_equal(n, "3");
    free(n);
    const char *names[] = {"alice", "bob", "carol"};
    for (int i = 0; i < 3; i++) {
        char *h = test_db_scalar_params(uri, "SELECT password_hash FROM users WHERE username = $1",
                                        1, (const char *[]){names[i]}, NULL);
        assert_non_null(h);
        assert_int_equal(crypto_pwhash_str_verify(h, "demo-password", 13), 0);
        assert_int_not_equal(crypto_pwhash_str_verify(h, "demo-passwore", 13), 0);
        free(h);
    }
}

int main(void)
{
    test_require_pg();
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(seeds_apply_and_verify)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
