/* test_db_status.c: SQLSTATE -> outcome, the table every 4xx/5xx rests on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/db.h"

static void test_mapping(void **state)
{
    (void)state;
    static const struct {
        const char *sqlstate;
        enum db_status st;
    } cases[] = {
        {"23505", DB_CONFLICT},    {"23P01", DB_CONFLICT},    {"22P02", DB_INVALID},
        {"22001", DB_INVALID},     {"22003", DB_INVALID},     {"22021", DB_INVALID},
        {"23502", DB_INVALID},     {"23503", DB_INVALID},     {"23514", DB_INVALID},
        {"40001", DB_RETRY},       {"40P01", DB_RETRY},       {"08000", DB_UNAVAILABLE},
        {"08006", DB_UNAVAILABLE}, {"08001", DB_UNAVAILABLE}, {"08P01", DB_UNAVAILABLE},
        {"57P01", DB_UNAVAILABLE}, {"57P02", DB_UNAVAILABLE}, {"57P03", DB_UNAVAILABLE},
        {"53300", DB_UNAVAILABLE}, {"53100", DB_UNAVAILABLE}, {"", DB_UNAVAILABLE},
        {NULL, DB_UNAVAILABLE},    {"42601", DB_ERROR},       {"42P01", DB_ERROR},
        {"25P02", DB_ERROR},       {"57014", DB_UNAVAILABLE},      {"23000", DB_ERROR},
        {"23001", DB_ERROR},       {"XX000", DB_ERROR},       {"40002", DB_ERROR},
        {"2350", DB_ERROR},        {"235050", DB_ERROR},      {"57P04", DB_ERROR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum db_status got = db_status_from_sqlstate(cases[i].sqlstate);
        if (got != cases[i].st)
            fail_msg("sqlstate %s: got %s, want %s", cases[i].sqlstate ? cases[i].sqlstate : "NULL",
                     db_status_name(got), db_status_name(cases[i].st));
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(db_status_name(DB_OK), "OK");
    assert_string_equal(db_status_name(DB_NOT_FOUND), "NOT_FOUND");
    assert_string_equal(db_status_name(DB_CONFLICT), "CONFLICT");
    assert_string_equal(db_status_name(DB_INVALID), "INVALID");
    assert_string_equal(db_status_name(DB_RETRY), "RETRY");
    assert_string_equal(db_status_name(DB_UNAVAILABLE), "UNAVAILABLE");
    assert_string_equal(db_status_name(DB_ERROR), "ERROR");
    assert_string_equal(db_status_name((enum db_status)99), "UNKNOWN");
}

static void test_get_null_result(void **state)
{
    (void)state;
    assert_null(db_get(NULL, 0, "id"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_get_null_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
