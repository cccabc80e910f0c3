/* test_lifecycle_unit.c: the lifecycle's table (lifecycle.c) on its own:
 * every (state, event) pair has at most one row, the rows agree with what
 * the API promises, the payment-in-flight rule, and docs/lifecycle.md is
 * the table's drawing (this test fails when they disagree; run it with
 * LIFECYCLE_DOC_WRITE=1 to rewrite the generated part of the file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle.h"

#define DOC_BEGIN "<!-- generated from ticket-app/src/lifecycle.c: begin -->\n"
#define DOC_END "<!-- generated from ticket-app/src/lifecycle.c: end -->\n"

static void test_one_row_per_pair(void **state)
{
    (void)state;
    for (int s = 0; s < LC_STATE_COUNT; s++)
        for (int e = 0; e < LC_EVENT_COUNT; e++) {
            int rows = 0;
            for (size_t i = 0; i < lc_table_len; i++)
                if (lc_table[i].event == (enum lc_event)e && (lc_table[i].from & (1u << s)))
                    rows++;
            if (rows > 1)
                fail_msg("%s in %s has %d rows", lifecycle_event_name((enum lc_event)e),
                         lifecycle_state_name((enum lc_state)s), rows);
        }
    /* every event has a row somewhere; every row names a from-state */
    for (int e = 0; e < LC_EVENT_COUNT; e++) {
        int any = 0;
        for (size_t i = 0; i < lc_table_len; i++)
            any |= lc_table[i].event == (enum lc_event)e;
        assert_true(any);
    }
    for (size_t i = 0; i < lc_table_len; i++) {
        assert_true(lc_table[i].from != 0);
        assert_true((lc_table[i].to == LC_FAILED) == (lc_table[i].reason != NULL));
    }
}

static void test_rules(void **state)
{
    (void)state;
    /* only a hold creates a booking */
    for (int e = 0; e < LC_EVENT_COUNT; e++)
        if (e != LC_EV_HOLD && e != LC_EV_HOLD_SELECTION)
            assert_null(lifecycle_find(LC_NEW, (enum lc_event)e));
    /* ended bookings move no more (a late payment is refunded, an invoice
     * arriving late voided: both stay where they are) */
    for (int s = LC_FAILED; s <= LC_CANCELLED; s++)
        for (int e = 0; e < LC_EVENT_COUNT; e++) {
            const struct lc_transition *t = lifecycle_find((enum lc_state)s, (enum lc_event)e);
            if (t)
                assert_int_equal(t->to, LC_SAME);
        }
    const struct lc_transition *t = lifecycle_find(LC_CONFIRMED, LC_EV_CANCEL_USER);
    assert_int_equal(t->guard, LC_G_NOT_STARTED);
    assert_true(t->effects & LC_FX_REFUND);
    t = lifecycle_find(LC_CONFIRMED, LC_EV_CANCEL_ADMIN);
    assert_int_equal(t->guard, LC_G_NOT_CHECKED_IN);
    t = lifecycle_find(LC_PENDING_PAYMENT, LC_EV_CANCEL_USER);
    assert_true(t->effects & LC_FX_VOID);
    assert_false(t->effects & LC_FX_REFUND);
    t = lifecycle_find(LC_CONFIRMED, LC_EV_REFUNDED);
    assert_int_equal(t->to, LC_CANCELLED);
    assert_true(t->effects & LC_FX_KEEP_IF_STARTED);
    assert_false(t->effects & LC_FX_REFUND); /* the money went back already */
    t = lifecycle_find(LC_PENDING_PAYMENT, LC_EV_EXPIRE);
    assert_int_equal(t->guard, LC_G_INVOICE_DEAD);
    assert_null(lifecycle_find(LC_CONFIRMED, LC_EV_EXPIRE));
    assert_string_equal(lifecycle_refusal(LC_EV_CANCEL_USER, LC_EXPIRED), "NOT_CANCELLABLE");
    /* the two-phase hold: a selection is held, checked out into the
     * payment window, or lapses; nothing else moves it forward */
    t = lifecycle_find(LC_NEW, LC_EV_HOLD_SELECTION);
    assert_int_equal(t->to, LC_HELD);
    assert_int_equal(t->impl, LC_IMPL_SQL_HOLD);
    assert_int_equal(lifecycle_find(LC_NEW, LC_EV_HOLD)->to, LC_PENDING_PAYMENT);
    t = lifecycle_find(LC_HELD, LC_EV_CHECKOUT);
    assert_int_equal(t->to, LC_PENDING_PAYMENT);
    assert_int_equal(t->guard, LC_G_SELECTION_LIVE);
    assert_true(t->effects & LC_FX_PAY_WINDOW);
    assert_string_equal(lifecycle_guard_refusal(t->guard), "HOLD_EXPIRED");
    t = lifecycle_find(LC_HELD, LC_EV_SELECTION_EXPIRE);
    assert_int_equal(t->to, LC_EXPIRED);
    assert_true(t->effects & LC_FX_RELEASE);
    assert_false(t->effects & LC_FX_VOID); /* no invoice exists */
    assert_string_equal(lifecycle_guard_refusal(t->guard), "");
    assert_null(lifecycle_find(LC_PENDING_PAYMENT, LC_EV_SELECTION_EXPIRE));
    assert_null(lifecycle_find(LC_HELD, LC_EV_EXPIRE));
    assert_int_equal(lifecycle_find(LC_PENDING_PAYMENT, LC_EV_CHECKOUT)->to, LC_SAME);
    assert_int_equal(lifecycle_find(LC_CONFIRMED, LC_EV_CHECKOUT)->to, LC_SAME);
    assert_null(lifecycle_find(LC_EXPIRED, LC_EV_CHECKOUT));
    assert_string_equal(lifecycle_refusal(LC_EV_CHECKOUT, LC_EXPIRED), "HOLD_EXPIRED");
    assert_string_equal(lifecycle_refusal(LC_EV_CHECKOUT, LC_CANCELLED), "NOT_HELD");
    assert_string_equal(lifecycle_refusal(LC_EV_CHECKOUT, LC_FAILED), "NOT_HELD");
    for (int e = LC_EV_CANCEL_USER; e <= LC_EV_CANCEL_ADMIN; e++) {
        t = lifecycle_find(LC_HELD, (enum lc_event)e);
        assert_int_equal(t->to, LC_CANCELLED);
        assert_false(t->effects & (LC_FX_VOID | LC_FX_REFUND));
    }
    assert_int_equal(lifecycle_find(LC_HELD, LC_EV_ORG_FAIL)->to, LC_FAILED);
    assert_int_equal(lifecycle_find(LC_HELD, LC_EV_EVENT_CANCELLED)->to, LC_CANCELLED);
    assert_true(lifecycle_live(LC_HELD));
    assert_null(lifecycle_notify_type(LC_HELD, 0));
    assert_string_equal(lifecycle_refusal(LC_EV_PAYMENT_FAILED, LC_CONFIRMED), "");
    /* names round-trip */
    for (int s = LC_PENDING_PAYMENT; s < LC_STATE_COUNT; s++)
        assert_int_equal(lifecycle_state_parse(lifecycle_state_name((enum lc_state)s)), s);
    assert_int_equal(lifecycle_state_parse("HELD"), LC_HELD);
    assert_int_equal(lifecycle_state_parse("HELD?"), LC_NEW);
    assert_int_equal(lifecycle_state_parse(NULL), LC_NEW);
}

static void test_payment_in_flight(void **state)
{
    (void)state;
    assert_int_equal(lifecycle_expiry_decision("PENDING"), LC_EXPIRY_VOID_FIRST);
    assert_int_equal(lifecycle_expiry_decision("PROCESSING"), LC_EXPIRY_WAIT);
    assert_int_equal(lifecycle_expiry_decision("PAID"), LC_EXPIRY_WAIT);
    assert_int_equal(lifecycle_expiry_decision("FAILED"), LC_EXPIRY_FAILED);
    assert_int_equal(lifecycle_expiry_decision("REFUNDED"), LC_EXPIRY_REFUNDED);
    assert_int_equal(lifecycle_expiry_decision("VOID"), LC_EXPIRY_EXPIRE);
    assert_int_equal(lifecycle_expiry_decision("EXPIRED"), LC_EXPIRY_EXPIRE);
    assert_int_equal(lifecycle_expiry_decision(NULL), LC_EXPIRY_EXPIRE);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static void test_doc_matches_table(void **state)
{
    (void)state;
    char *md = lifecycle_markdown();
    char *doc = read_file(LIFECYCLE_DOC);
    assert_non_null(doc);
    char *b = strstr(doc, DOC_BEGIN), *e = b ? strstr(b, DOC_END) : NULL;
    assert_non_null(b);
    assert_non_null(e);
    b += strlen(DOC_BEGIN);
    if (getenv("LIFECYCLE_DOC_WRITE")) {
        FILE *f = fopen(LIFECYCLE_DOC, "wb");
        assert_non_null(f);
        fwrite(doc, 1, (size_t)(b - doc), f);
        fputs(md, f);
        fputs(e, f);
        fclose(f);
    } else if ((size_t)(e - b) != strlen(md) || strncmp(b, md, (size_t)(e - b)) != 0) {
        fprintf(stderr, "docs/lifecycle.md disagrees with the table; the table says:\n%s", md);
        fail_msg("docs/lifecycle.md is not the table's drawing");
    }
    /* every row of the table is one line of the list, every edge drawn */
    for (size_t i = 0; i < lc_table_len; i++) {
        char edge[160];
        for (int s = 0; s < LC_STATE_COUNT; s++) {
            if (!(lc_table[i].from & (1u << s)))
                continue;
            enum lc_state to = lc_table[i].to == LC_SAME ? (enum lc_state)s : lc_table[i].to;
            snprintf(edge, sizeof edge, "    %s --> %s: %s\n",
                     lifecycle_state_name((enum lc_state)s), lifecycle_state_name(to),
                     lifecycle_event_name(lc_table[i].event));
            assert_non_null(strstr(md, edge));
        }
    }
    free(doc);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_per_pair),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_payment_in_flight),
        cmocka_unit_test(test_doc_matches_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
