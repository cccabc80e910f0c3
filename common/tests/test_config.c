/* test_config.c: the configuration table: good values, defaults, every kind
 * of bad value, required entries, and secrets kept out of messages and logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"

/* A fake environment: NULL-terminated name, value pairs. */
static const char *fake_get(const char *name, void *ctx)
{
    const char *const *kv = ctx;
    for (size_t i = 0; kv[i]; i += 2)
        if (strcmp(kv[i], name) == 0)
            return kv[i + 1];
    return NULL;
}

struct conf {
    long port, pool;
    double rate;
    int flag;
    const char *url, *secret;
};

static struct conf c;

#define TABLE                                                                                     \
    {                                                                                             \
        {"T_PORT", CFG_INT, "8082", 1, 65535, &c.port, "listening port"},                         \
            {"T_POOL", CFG_INT, "8", 1, 64, &c.pool, "database connections"},                     \
            {"T_RATE", CFG_DOUBLE, "0.10", 0, 1, &c.rate, "failure probability"},                 \
            {"T_FLAG", CFG_BOOL, "false", 0, 0, &c.flag, "a switch"},                             \
            {"T_URL", CFG_STRING, "http://localhost:8081", 0, 0, &c.url, "peer"},                 \
            {"T_SECRET", CFG_SECRET, NULL, 0, 0, &c.secret, "HMAC secret"},                       \
    }

static int load(const char *const *kv, char *err, size_t errlen)
{
    const struct cfg_entry table[] = TABLE;
    memset(&c, 0, sizeof c);
    return cfg_load_from(table, sizeof table / sizeof table[0], fake_get, (void *)kv, err, errlen);
}

static void test_defaults(void **state)
{
    (void)state;
    const char *env[] = {"T_SECRET", "s3cr3t-value", NULL};
    char err[256] = "x";
    assert_int_equal(load(env, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(c.port, 8082);
    assert_int_equal(c.pool, 8);
    assert_true(c.rate > 0.0999 && c.rate < 0.1001);
    assert_int_equal(c.flag, 0);
    assert_string_equal(c.url, "http://localhost:8081");
    assert_string_equal(c.secret, "s3cr3t-value");
}

static void test_good_values(void **state)
{
    (void)state;
    const char *env[] = {"T_PORT", "1",    "T_POOL", "64",       "T_RATE", "1",
                         "T_FLAG", "YES",  "T_URL",  "http://x", "T_SECRET", "k",
                         NULL};
    char err[256];
    assert_int_equal(load(env, err, sizeof err), 0);
    assert_int_equal(c.port, 1);
    assert_int_equal(c.pool, 64);
    assert_true(c.rate == 1.0);
    assert_int_equal(c.flag, 1);
    assert_string_equal(c.url, "http://x");

    static const char *const bools[][2] = {{"1", "1"},   {"0", "0"},    {"true", "1"}, {"False", "0"},
                                           {"on", "1"},  {"OFF", "0"},  {"no", "0"},   {"yes", "1"}};
    for (size_t i = 0; i < 8; i++) {
        const char *e2[] = {"T_FLAG", bools[i][0], "T_SECRET", "k", NULL};
        assert_int_equal(load(e2, err, sizeof err), 0);
        assert_int_equal(c.flag, bools[i][1][0] - '0');
    }
    static const char *const doubles[] = {"0", "0.0", "0.5", ".25", "1e-1", "+0.3", "1.0"};
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        const char *e3[] = {"T_RATE", doubles[i], "T_SECRET", "k", NULL};
        if (load(e3, err, sizeof err) != 0)
            fail_msg("%s rejected: %s", doubles[i], err);
    }
    const char *e4[] = {"T_PORT", "+80", "T_SECRET", "k", NULL};
    assert_int_equal(load(e4, err, sizeof err), 0);
    assert_int_equal(c.port, 80);
}

/* Empty counts as unset (compose files pass VAR= for "not given"). */
static void test_empty_is_unset(void **state)
{
    (void)state;
    const char *env[] = {"T_PORT", "", "T_RATE", "", "T_FLAG", "", "T_URL", "",
                         "T_SECRET", "k", NULL};
    char err[256];
    assert_int_equal(load(env, err, sizeof err), 0);
    assert_int_equal(c.port, 8082);
    assert_string_equal(c.url, "http://localhost:8081");
}

static void expect_bad(const char *name, const char *value, const char *must_contain)
{
    const char *env[] = {name, value, "T_SECRET", "k", NULL};
    char err[256] = "";
    if (load(env, err, sizeof err) != -1)
        fail_msg("%s=\"%s\" accepted", name, value);
    if (!strstr(err, name))
        fail_msg("message does not name %s: %s", name, err);
    if (must_contain && !strstr(err, must_contain))
        fail_msg("message for %s=\"%s\" lacks \"%s\": %s", name, value, must_contain, err);
}

static void test_bad_ints(void **state)
{
    (void)state;
    expect_bad("T_PORT", "0", "[1, 65535]");
    expect_bad("T_PORT", "65536", "\"65536\"");
    expect_bad("T_PORT", "-1", NULL);
    expect_bad("T_PORT", "abc", "\"abc\"");
    expect_bad("T_PORT", "12abc", NULL);
    expect_bad("T_PORT", " 12", NULL);
    expect_bad("T_PORT", "12 ", NULL);
    expect_bad("T_PORT", "1.5", NULL);
    expect_bad("T_PORT", "0x50", NULL);
    expect_bad("T_PORT", "1e3", NULL);
    expect_bad("T_PORT", "-", NULL);
    expect_bad("T_PORT", "+", NULL);
    expect_bad("T_PORT", "99999999999999999999999", NULL);
    expect_bad("T_POOL", "65", "[1, 64]");
    expect_bad("T_POOL", "\x1b[2J", "?[2J"); /* no terminal escapes echoed */
}

static void test_bad_doubles(void **state)
{
    (void)state;
    expect_bad("T_RATE", "1.01", "[0, 1]");
    expect_bad("T_RATE", "-0.1", NULL);
    expect_bad("T_RATE", "nan", NULL);
    expect_bad("T_RATE", "inf", NULL);
    expect_bad("T_RATE", "-inf", NULL);
    expect_bad("T_RATE", "1e999", NULL);
    expect_bad("T_RATE", "0x0.1", NULL);
    expect_bad("T_RATE", "0.5x", NULL);
    expect_bad("T_RATE", " 0.5", NULL);
    expect_bad("T_RATE", "abc", "\"abc\"");
    expect_bad("T_RATE", ".", NULL);
}

static void test_bad_bools(void **state)
{
    (void)state;
    expect_bad("T_FLAG", "maybe", "\"maybe\"");
    expect_bad("T_FLAG", "2", NULL);
    expect_bad("T_FLAG", "tru", NULL);
    expect_bad("T_FLAG", " yes", NULL);
}

static void test_long_value_capped(void **state)
{
    (void)state;
    char big[2000];
    memset(big, '7', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *env[] = {"T_PORT", big, "T_SECRET", "k", NULL};
    char err[512];
    assert_int_equal(load(env, err, sizeof err), -1);
    assert_non_null(strstr(err, "..."));
    assert_true(strlen(err) < 300);
}

static void test_required_missing(void **state)
{
    (void)state;
    const char *env[] = {NULL};
    char err[256];
    assert_int_equal(load(env, err, sizeof err), -1);
    assert_non_null(strstr(err, "T_SECRET"));
    assert_non_null(strstr(err, "required"));

    const char *empty[] = {"T_SECRET", "", NULL};
    assert_int_equal(load(empty, err, sizeof err), -1);
    assert_non_null(strstr(err, "T_SECRET"));

    /* A NULL error buffer is allowed. */
    assert_int_equal(load(env, NULL, 0), -1);
}

/* The first bad entry stops loading: later ones keep their zero values. */
static void test_stops_at_first_error(void **state)
{
    (void)state;
    const char *env[] = {"T_POOL", "zero", "T_SECRET", "k", NULL};
    char err[256];
    assert_int_equal(load(env, err, sizeof err), -1);
    assert_int_equal(c.port, 8082);
    assert_null(c.secret);
}

static void test_bad_default_is_reported(void **state)
{
    (void)state;
    long v;
    const struct cfg_entry table[] = {{"T_X", CFG_INT, "ten", 0, 100, &v, "x"}};
    const char *env[] = {NULL};
    char err[256];
    assert_int_equal(cfg_load_from(table, 1, fake_get, (void *)env, err, sizeof err), -1);
    assert_non_null(strstr(err, "default"));
}

/* cfg_load reads the real environment. */
static void test_getenv(void **state)
{
    (void)state;
    long v = 0;
    const struct cfg_entry table[] = {{"COMMON_TEST_CFG_X", CFG_INT, "1", 0, 100, &v, "x"}};
    char err[256];
    setenv("COMMON_TEST_CFG_X", "42", 1);
    assert_int_equal(cfg_load(table, 1, err, sizeof err), 0);
    assert_int_equal(v, 42);
    setenv("COMMON_TEST_CFG_X", "420", 1);
    assert_int_equal(cfg_load(table, 1, err, sizeof err), -1);
    unsetenv("COMMON_TEST_CFG_X");
}

/* Runs cfg_log with stderr captured; returns the text (malloc'ed). */
static char *capture_cfg_log(const struct cfg_entry *table, size_t n)
{
    char path[] = "/tmp/common-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    cfg_log(table, n);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    fseek(f, 0, SEEK_SET);
    char *buf = calloc(1, 65536);
    size_t got = fread(buf, 1, 65535, f);
    buf[got] = '\0';
    fclose(f);
    unlink(path);
    return buf;
}

static void test_secrets_never_logged(void **state)
{
    (void)state;
    const char *dsn1 = "postgresql://app:hunter2@db:5432/tickets";
    const char *dsn2 = "host=/tmp user=app password='hun ter2' dbname=x";
    const char *env[] = {"T_SECRET", "s3cr3t-value", "T_URL", dsn1, NULL};
    char err[256];
    assert_int_equal(load(env, err, sizeof err), 0);
    const struct cfg_entry table[] = TABLE;
    log_min_level = LOG_INFO;
    char *out = capture_cfg_log(table, sizeof table / sizeof table[0]);
    assert_null(strstr(out, "s3cr3t"));
    assert_null(strstr(out, "hunter2"));
    assert_non_null(strstr(out, "T_SECRET=(set)"));
    assert_non_null(strstr(out, "T_PORT=8082"));
    assert_non_null(strstr(out, "postgresql://app:***@db:5432/tickets"));
    free(out);

    const char *env2[] = {"T_SECRET", "s3cr3t-value", "T_URL", dsn2, NULL};
    assert_int_equal(load(env2, err, sizeof err), 0);
    out = capture_cfg_log(table, sizeof table / sizeof table[0]);
    assert_null(strstr(out, "hun ter2"));
    assert_null(strstr(out, "ter2"));
    assert_non_null(strstr(out, "password=*** dbname=x"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_values),
        cmocka_unit_test(test_empty_is_unset),
        cmocka_unit_test(test_bad_ints),
        cmocka_unit_test(test_bad_doubles),
        cmocka_unit_test(test_bad_bools),
        cmocka_unit_test(test_long_value_capped),
        cmocka_unit_test(test_required_missing),
        cmocka_unit_test(test_stops_at_first_error),
        cmocka_unit_test(test_bad_default_is_reported),
        cmocka_unit_test(test_getenv),
        cmocka_unit_test(test_secrets_never_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
