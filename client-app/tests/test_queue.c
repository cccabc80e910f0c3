/* test_queue.c: the waiting room's pure logic (queue.h): the admin's queue
 * setting, positions and waits, the admission arithmetic, the pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "queue.h"

#define SECRET "unit-queue-secret"
#define TID "11111111-1111-4111-8111-111111111111"
#define EID "22222222-2222-4222-8222-222222222222"
#define UID "33333333-3333-4333-8333-333333333333"
#define OTHER "44444444-4444-4444-8444-444444444444"
#define NOW 1800000000LL

static int parse(const char *text, const struct queue_config *base, struct queue_config *cfg,
                 json_t **details)
{
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    *details = json_object();
    int rc = queue_config_parse(body, base, cfg, *details);
    json_decref(body);
    return rc;
}

static void test_config(void **state)
{
    (void)state;
    struct queue_config c;
    json_t *d;
    assert_int_equal(parse("{\"name\":\"x\"}", NULL, &c, &d), 0);
    json_decref(d);
    assert_int_equal(parse("{\"queue\":{\"enabled\":true,\"admit_per_minute\":120}}", NULL, &c, &d),
                     1);
    assert_true(c.enabled);
    assert_int_equal(c.admit_per_minute, 120);
    assert_int_equal(c.pass_ttl_seconds, QUEUE_TTL_DEFAULT);
    json_decref(d);
    /* a PATCH changes what it names */
    struct queue_config base = {1, 60, 300};
    assert_int_equal(parse("{\"queue\":{\"enabled\":false}}", &base, &c, &d), 1);
    assert_false(c.enabled);
    assert_int_equal(c.admit_per_minute, 60);
    assert_int_equal(c.pass_ttl_seconds, 300);
    json_decref(d);
    /* each bad field named */
    assert_int_equal(parse("{\"queue\":{\"enabled\":1,\"admit_per_minute\":0,"
                           "\"pass_ttl_seconds\":5,\"x\":1}}",
                           NULL, &c, &d),
                     -1);
    assert_non_null(json_object_get(d, "queue.enabled"));
    assert_non_null(json_object_get(d, "queue.admit_per_minute"));
    assert_non_null(json_object_get(d, "queue.pass_ttl_seconds"));
    assert_non_null(json_object_get(d, "queue.x"));
    json_decref(d);
    assert_int_equal(parse("{\"queue\":{}}", NULL, &c, &d), -1);
    assert_non_null(json_object_get(d, "queue.enabled"));
    assert_non_null(json_object_get(d, "queue.admit_per_minute"));
    json_decref(d);
    assert_int_equal(parse("{\"queue\":null}", NULL, &c, &d), -1);
    json_decref(d);
    assert_int_equal(
        parse("{\"queue\":{\"enabled\":true,\"admit_per_minute\":1000001}}", NULL, &c, &d), -1);
    json_decref(d);
    json_t *j = queue_config_json(&base);
    assert_true(json_is_true(json_object_get(j, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(j, "admit_per_minute")), 60);
    json_decref(j);
}

static void test_status_names(void **state)
{
    (void)state;
    for (int s = QS_WAITING; s < QS_COUNT; s++)
        assert_int_equal(queue_status_parse(queue_status_name((enum queue_status)s)), s);
    assert_int_equal(queue_status_parse("waiting"), QS_UNKNOWN);
    assert_int_equal(queue_status_parse(NULL), QS_UNKNOWN);
    assert_null(queue_status_name(QS_UNKNOWN));
    assert_null(queue_status_name(QS_COUNT));
}

static struct queue_ticket ticket(enum queue_status st, long long seq)
{
    struct queue_ticket t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, TID);
    snprintf(t.event_id, sizeof t.event_id, EID);
    snprintf(t.user_id, sizeof t.user_id, UID);
    t.stored = st;
    t.seq = seq;
    t.admitted_upto = 100;
    t.next_seq = 500;
    t.admit_per_minute = 120;
    t.opened = 1;
    t.sales_start_ms = -1;
    t.pass_expires_ms = -1;
    t.now_ms = NOW * 1000;
    return t;
}

static void test_position_and_wait(void **state)
{
    (void)state;
    struct queue_ticket t = ticket(QS_WAITING, 130);
    assert_int_equal(queue_ticket_position(&t), 30);
    assert_int_equal(queue_ticket_wait_s(&t), 15); /* 30 at 2 a second */
    t.admit_per_minute = 7;
    assert_int_equal(queue_ticket_wait_s(&t), (30 * 60 + 6) / 7); /* rounded up */
    /* joined since the last step: behind every numbered ticket */
    t = ticket(QS_WAITING, -1);
    assert_int_equal(queue_ticket_position(&t), 401);
    /* before the opening: no place yet, the wait is the time to it */
    t.opened = 0;
    t.sales_start_ms = t.now_ms + 90500;
    assert_int_equal(queue_ticket_position(&t), -1);
    assert_int_equal(queue_ticket_wait_s(&t), 91);
    json_t *j = queue_ticket_json(&t, NULL);
    assert_true(json_is_null(json_object_get(j, "position")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "WAITING");
    json_decref(j);
    /* admitted: position 0, wait 0, the pass shown until it expires */
    t = ticket(QS_ADMITTED, 90);
    t.pass_expires_ms = t.now_ms + 1000;
    assert_int_equal(queue_ticket_status(&t), QS_ADMITTED);
    assert_int_equal(queue_ticket_position(&t), 0);
    assert_int_equal(queue_ticket_wait_s(&t), 0);
    j = queue_ticket_json(&t, "the-pass");
    assert_string_equal(json_string_value(json_object_get(j, "pass")), "the-pass");
    assert_non_null(json_string_value(json_object_get(j, "pass_expires_at")));
    json_decref(j);
    t.pass_expires_ms = t.now_ms;
    assert_int_equal(queue_ticket_status(&t), QS_EXPIRED);
    j = queue_ticket_json(&t, "the-pass");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "EXPIRED");
    assert_true(json_is_null(json_object_get(j, "pass")));
    json_decref(j);
    t = ticket(QS_LEFT, 120);
    assert_int_equal(queue_ticket_position(&t), 0);
    assert_int_equal(queue_ticket_wait_s(&t), -1);
}

static void test_admission_arithmetic(void **state)
{
    (void)state;
    int64_t from;
    assert_int_equal(queue_step_us(60), 1000000);
    assert_int_equal(queue_step_us(60000), 1000);
    assert_int_equal(queue_step_us(0), 60000000); /* never 0 or negative */
    assert_int_equal(queue_step_us(QUEUE_RATE_MAX), 60);
    /* 120 a minute: one each 0.5 s */
    int64_t clock = 10000000;
    assert_int_equal(queue_admit_due(clock + 499999, clock, 120, &from), 0);
    assert_int_equal(from, clock);
    assert_int_equal(queue_admit_due(clock + 500000, clock, 120, &from), 1);
    assert_int_equal(queue_admit_due(clock + 999999, clock, 120, &from), 1);
    /* a minute at 120 a minute is 120 admissions, once the clock follows */
    long long total = 0;
    int64_t now = clock;
    for (int tick = 0; tick < 600; tick++) { /* every 100 ms */
        now += 100000;
        long long due = queue_admit_due(now, clock, 120, &from);
        total += due;
        clock = from + due * queue_step_us(120);
    }
    assert_int_equal(total, 120);
    /* a step of 7 a minute loses nothing to rounding over an hour */
    clock = 0;
    total = 0;
    for (now = 0; now <= 3600LL * 1000000; now += 250000) {
        long long due = queue_admit_due(now, clock, 7, &from);
        total += due;
        clock = from + due * queue_step_us(7);
    }
    assert_true(total >= 419 && total <= 420);
    /* a clock left an hour behind counts ten seconds (or two steps) */
    assert_int_equal(queue_admit_due(3600LL * 1000000, 0, 6000, &from), 1000);
    assert_int_equal(from, 3600LL * 1000000 - QUEUE_BURST_US);
    assert_int_equal(queue_admit_due(3600LL * 1000000, 0, 1, &from), 2);
    /* a late step (3 s without one, at 200 a second) admits what fell due */
    clock = 50000000;
    long long due = queue_admit_due(clock + 3000000, clock, 12000, &from);
    assert_int_equal(due, 600);
    assert_int_equal(queue_clock_after(from, due, due, 12000, clock + 3000000), clock + 3000000);
    /* a line that ran dry keeps no credit: the clock is now */
    assert_int_equal(queue_clock_after(from, due, 10, 12000, clock + 3000000), clock + 3000000);
    assert_int_equal(queue_clock_after(from, 5, 5, 12000, clock + 3000000), from + 5 * 5000);
    /* over a minute with steps coming late at random, 120 a minute hold */
    clock = 0;
    total = 0;
    unsigned seed = 7;
    for (now = 0; now < 60LL * 1000000;) {
        seed = seed * 1103515245u + 12345u;
        now += 100000 + (int64_t)(seed % 2500000); /* 0.1 to 2.6 s apart */
        due = queue_admit_due(now, clock, 120, &from);
        total += due;
        clock = queue_clock_after(from, due, due, 120, now);
    }
    assert_true(total >= 118 && total <= 122);
    /* a clock ahead of now (another instance's) owes nothing */
    assert_int_equal(queue_admit_due(1000, 5000, 60000, &from), 0);
}

static void test_pass(void **state)
{
    (void)state;
    char pass[QUEUE_PASS_MAX], tid[37], bad[QUEUE_PASS_MAX];
    assert_int_equal(queue_pass_sign(SECRET, TID, EID, UID, NOW + 600, pass, sizeof pass), 0);
    assert_int_equal(queue_pass_verify(SECRET, pass, UID, EID, NOW, tid), QP_OK);
    assert_string_equal(tid, TID);
    /* case of the ids does not matter */
    assert_int_equal(
        queue_pass_verify(SECRET, pass, "33333333-3333-4333-8333-333333333333", EID, NOW, tid),
        QP_OK);
    /* the rules */
    assert_int_equal(queue_pass_verify(SECRET, NULL, UID, EID, NOW, tid), QP_MISSING);
    assert_int_equal(queue_pass_verify(SECRET, "", UID, EID, NOW, tid), QP_MISSING);
    assert_int_equal(queue_pass_verify(SECRET, pass, OTHER, EID, NOW, tid), QP_WRONG_USER);
    assert_int_equal(queue_pass_verify(SECRET, pass, UID, OTHER, NOW, tid), QP_WRONG_EVENT);
    assert_int_equal(queue_pass_verify(SECRET, pass, UID, EID, NOW + 600, tid), QP_EXPIRED);
    assert_int_equal(queue_pass_verify("another-secret", pass, UID, EID, NOW, tid), QP_FORGED);
    /* forged: any byte changed, the user swapped in, the expiry moved */
    snprintf(bad, sizeof bad, "%s", pass);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
    assert_int_equal(queue_pass_verify(SECRET, bad, UID, EID, NOW, tid), QP_FORGED);
    char forged[QUEUE_PASS_MAX], mac_of_other[QUEUE_PASS_MAX];
    assert_int_equal(
        queue_pass_sign(SECRET, TID, EID, OTHER, NOW + 600, mac_of_other, sizeof mac_of_other), 0);
    /* OTHER's pass with UID written over its user: the MAC no longer fits */
    snprintf(forged, sizeof forged, "%s", mac_of_other);
    memcpy(forged + 78, UID, 36);
    assert_int_equal(queue_pass_verify(SECRET, forged, UID, EID, NOW, tid), QP_FORGED);
    snprintf(forged, sizeof forged, "%s", pass);
    char *exp = forged + 115;
    exp[0] = exp[0] == '9' ? '8' : '9';
    assert_int_equal(queue_pass_verify(SECRET, forged, UID, EID, NOW, tid), QP_FORGED);
    /* not a pass at all */
    assert_int_equal(queue_pass_verify(SECRET, "qp1.x.y", UID, EID, NOW, tid), QP_FORGED);
    memset(bad, 'a', sizeof bad - 1);
    bad[sizeof bad - 1] = '\0';
    assert_int_equal(queue_pass_verify(SECRET, bad, UID, EID, NOW, tid), QP_FORGED);
    /* names of the reasons, as details.reason says them */
    assert_string_equal(queue_pass_check_name(QP_MISSING), "MISSING");
    assert_string_equal(queue_pass_check_name(QP_WRONG_USER), "WRONG_USER");
    assert_string_equal(queue_pass_check_name(QP_EXPIRED), "EXPIRED");
    /* too small a buffer */
    assert_int_equal(queue_pass_sign(SECRET, TID, EID, UID, NOW, pass, 100), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_position_and_wait),
        cmocka_unit_test(test_admission_arithmetic),
        cmocka_unit_test(test_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
