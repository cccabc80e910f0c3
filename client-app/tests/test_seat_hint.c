/* test_seat_hint.c: the taken-seat hint: noted seats are refused for the
 * hint's lifetime and for their own event only, forgetting works, a colliding seat never reads as
 * taken, and the hint can be turned off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "seat_hint.h"

#define S1 "00000000-0000-4000-8000-000000000001"
#define S2 "00000000-0000-4000-8000-000000000002"
#define E1 "00000000-0000-4000-8000-0000000000e1"
#define E2 "00000000-0000-4000-8000-0000000000e2"

static void test_noted_within_ttl(void **state)
{
    (void)state;
    struct seat_hint *h = seat_hint_create(64, 1000);
    struct seat_hint_info info;
    assert_int_equal(seat_hint_taken(h, S1, E1, 100, &info), 0);
    seat_hint_note(h, S1, E1, "A-1", 2500, "Gala", 100);
    assert_int_equal(seat_hint_taken(h, S1, E1, 100, &info), 1);
    assert_string_equal(info.label, "A-1");
    assert_int_equal(info.price, 2500);
    assert_string_equal(info.event_name, "Gala");
    assert_int_equal(seat_hint_taken(h, S1, E1, 1099, NULL), 1);
    assert_int_equal(seat_hint_taken(h, S1, E1, 1100, NULL), 0); /* ran out */
    assert_int_equal(seat_hint_taken(h, S1, E1, 50, NULL), 0);   /* a clock before the note */
    assert_int_equal(seat_hint_taken(h, S2, E1, 100, NULL), 0);
    /* the seat asked for with another event: not the hint's to refuse */
    assert_int_equal(seat_hint_taken(h, S1, E2, 100, NULL), 0);
    assert_int_equal(seat_hint_taken(h, S1, "x", 100, NULL), 0);
    seat_hint_destroy(h);
}

static void test_forget(void **state)
{
    (void)state;
    struct seat_hint *h = seat_hint_create(64, 1000);
    seat_hint_note(h, S1, E1, NULL, -1, NULL, 0);
    struct seat_hint_info info;
    assert_int_equal(seat_hint_taken(h, S1, E1, 1, &info), 1);
    assert_string_equal(info.label, "");
    assert_int_equal(info.price, -1);
    seat_hint_forget(h, S2); /* another seat: no effect */
    assert_int_equal(seat_hint_taken(h, S1, E1, 1, NULL), 1);
    seat_hint_forget(h, S1);
    assert_int_equal(seat_hint_taken(h, S1, E1, 1, NULL), 0);
    seat_hint_destroy(h);
}

static void test_collisions_never_read_as_taken(void **state)
{
    (void)state;
    /* one slot: every seat collides; the newest note wins, the others miss */
    struct seat_hint *h = seat_hint_create(1, 1000);
    seat_hint_note(h, S1, E1, "A-1", 1, NULL, 0);
    seat_hint_note(h, S2, E1, "A-2", 2, NULL, 0);
    assert_int_equal(seat_hint_taken(h, S1, E1, 1, NULL), 0);
    assert_int_equal(seat_hint_taken(h, S2, E1, 1, NULL), 1);
    seat_hint_forget(h, S1); /* not the one stored: S2 stays */
    assert_int_equal(seat_hint_taken(h, S2, E1, 1, NULL), 1);
    seat_hint_destroy(h);
}

static void test_off_and_bad_input(void **state)
{
    (void)state;
    struct seat_hint *h = seat_hint_create(64, 0);
    seat_hint_note(h, S1, E1, "A-1", 1, NULL, 0);
    assert_int_equal(seat_hint_taken(h, S1, E1, 0, NULL), 0);
    seat_hint_destroy(h);
    h = seat_hint_create(64, 1000);
    seat_hint_note(h, "not-a-uuid", E1, NULL, -1, NULL, 0);
    assert_int_equal(seat_hint_taken(h, "not-a-uuid", E1, 0, NULL), 0);
    assert_int_equal(seat_hint_taken(h, NULL, E1, 0, NULL), 0);
    seat_hint_forget(h, NULL);
    /* a label or name too long to keep is left out, the seat still noted */
    char longname[SEAT_HINT_EVENT_MAX + 10];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct seat_hint_info info;
    seat_hint_note(h, S1, E1, "A-1", 5, longname, 0);
    assert_int_equal(seat_hint_taken(h, S1, E1, 0, &info), 1);
    assert_string_equal(info.event_name, "");
    assert_string_equal(info.label, "A-1");
    seat_hint_destroy(h);
    seat_hint_destroy(NULL);
    assert_int_equal(seat_hint_taken(NULL, S1, E1, 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noted_within_ttl),
        cmocka_unit_test(test_forget),
        cmocka_unit_test(test_collisions_never_read_as_taken),
        cmocka_unit_test(test_off_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
