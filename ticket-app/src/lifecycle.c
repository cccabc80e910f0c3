/* lifecycle.c: the booking lifecycle's table and its pure helpers (see
 * lifecycle.h). docs/lifecycle.md is generated from this table
 * (lifecycle_markdown) and a test fails when the two disagree. */
#include "lifecycle.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"

#define S(x) (1u << (x))
#define ENDED (S(LC_FAILED) | S(LC_EXPIRED) | S(LC_CANCELLED))
#define GIVE_BACK (LC_FX_RELEASE | LC_FX_ORG_RELEASE | LC_FX_WAITLIST | LC_FX_NOTIFY)

/* One row per (from-states, event) with its guard, to-state, effects and
 * implementation. Order matters only for reading. */
const struct lc_transition lc_table[] = {
    {S(LC_NEW), LC_EV_HOLD, LC_G_SALE_OPEN, LC_PENDING_PAYMENT, NULL, LC_FX_HOLD_SEATS,
     LC_IMPL_SQL_HOLD},
    {S(LC_NEW), LC_EV_HOLD_SELECTION, LC_G_SALE_OPEN, LC_HELD, NULL, LC_FX_HOLD_SEATS,
     LC_IMPL_SQL_HOLD},
    {S(LC_PENDING_PAYMENT) | S(LC_HELD), LC_EV_ORG_OK, LC_G_NONE, LC_SAME, NULL, LC_FX_NOTE_ORG,
     LC_IMPL_SQL_ORG},
    {S(LC_PENDING_PAYMENT) | S(LC_HELD), LC_EV_ORG_FAIL, LC_G_NONE, LC_FAILED, "HOLD_REJECTED",
     GIVE_BACK, LC_IMPL_EXEC},
    {S(LC_HELD), LC_EV_CHECKOUT, LC_G_SELECTION_LIVE, LC_PENDING_PAYMENT, NULL, LC_FX_PAY_WINDOW,
     LC_IMPL_EXEC},
    /* a checkout that went through, asked again (a retry after a timeout):
     * answered as the booking is now */
    {S(LC_PENDING_PAYMENT) | S(LC_CONFIRMED), LC_EV_CHECKOUT, LC_G_NONE, LC_SAME, NULL, 0,
     LC_IMPL_EXEC},
    {S(LC_HELD), LC_EV_SELECTION_EXPIRE, LC_G_SELECTION_LAPSED, LC_EXPIRED, NULL, GIVE_BACK,
     LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT), LC_EV_INVOICE_ATTACHED, LC_G_NONE, LC_SAME, NULL,
     LC_FX_NOTE_INVOICE | LC_FX_NOTE_ORG | LC_FX_NOTIFY, LC_IMPL_SQL_ATTACH},
    {ENDED, LC_EV_INVOICE_ATTACHED, LC_G_NONE, LC_SAME, NULL, LC_FX_NOTE_INVOICE | LC_FX_VOID,
     LC_IMPL_SQL_ATTACH},
    {S(LC_PENDING_PAYMENT), LC_EV_INVOICE_FAILED, LC_G_NONE, LC_FAILED,
     "TICKET_SERVICE_UNAVAILABLE", GIVE_BACK | LC_FX_VOID, LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT), LC_EV_PAID, LC_G_NONE, LC_CONFIRMED, NULL,
     LC_FX_BOOK_SEATS | LC_FX_NOTE_INVOICE | LC_FX_WAITLIST | LC_FX_RENDER, LC_IMPL_SQL_PAID},
    {S(LC_CONFIRMED), LC_EV_PAID, LC_G_NONE, LC_SAME, NULL, 0, LC_IMPL_SQL_PAID},
    /* money for a booking that ended, or that never had an invoice, goes back */
    {ENDED | S(LC_HELD), LC_EV_PAID, LC_G_NONE, LC_SAME, NULL, LC_FX_REFUND, LC_IMPL_SQL_PAID},
    {S(LC_PENDING_PAYMENT), LC_EV_PAYMENT_FAILED, LC_G_NONE, LC_FAILED, "PAYMENT_FAILED", GIVE_BACK,
     LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT), LC_EV_EXPIRE, LC_G_INVOICE_DEAD, LC_EXPIRED, NULL,
     GIVE_BACK | LC_FX_VOID, LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT), LC_EV_CANCEL_USER, LC_G_NOT_STARTED, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_VOID, LC_IMPL_EXEC},
    {S(LC_CONFIRMED), LC_EV_CANCEL_USER, LC_G_NOT_STARTED, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_REFUND, LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT), LC_EV_CANCEL_ADMIN, LC_G_NONE, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_VOID, LC_IMPL_EXEC},
    {S(LC_CONFIRMED), LC_EV_CANCEL_ADMIN, LC_G_NOT_CHECKED_IN, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_REFUND, LC_IMPL_EXEC},
    /* a selection has no invoice to void and nothing paid: always let go */
    {S(LC_HELD), LC_EV_CANCEL_USER, LC_G_NONE, LC_CANCELLED, NULL, GIVE_BACK, LC_IMPL_EXEC},
    {S(LC_HELD), LC_EV_CANCEL_ADMIN, LC_G_NONE, LC_CANCELLED, NULL, GIVE_BACK, LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT), LC_EV_WITHDRAW, LC_G_NONE, LC_CANCELLED, NULL, GIVE_BACK | LC_FX_VOID,
     LC_IMPL_EXEC},
    {S(LC_PENDING_PAYMENT) | S(LC_CONFIRMED), LC_EV_REFUNDED, LC_G_NONE, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_KEEP_IF_STARTED, LC_IMPL_EXEC},
    {S(LC_CONFIRMED), LC_EV_CHECKIN, LC_G_SEATS_BOOKED, LC_SAME, NULL, LC_FX_CHECKIN,
     LC_IMPL_SQL_CHECKIN},
    {S(LC_PENDING_PAYMENT), LC_EV_EVENT_CANCELLED, LC_G_NONE, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_VOID, LC_IMPL_EXEC},
    {S(LC_CONFIRMED), LC_EV_EVENT_CANCELLED, LC_G_NONE, LC_CANCELLED, NULL,
     GIVE_BACK | LC_FX_REFUND, LC_IMPL_EXEC},
    {S(LC_HELD), LC_EV_EVENT_CANCELLED, LC_G_NONE, LC_CANCELLED, NULL, GIVE_BACK, LC_IMPL_EXEC},
};
const size_t lc_table_len = sizeof lc_table / sizeof lc_table[0];

static const char *const state_names[LC_STATE_COUNT] = {
    [LC_NEW] = "NEW",
    [LC_PENDING_PAYMENT] = "PENDING_PAYMENT",
    [LC_CONFIRMED] = "CONFIRMED",
    [LC_FAILED] = "FAILED",
    [LC_EXPIRED] = "EXPIRED",
    [LC_CANCELLED] = "CANCELLED",
    [LC_HELD] = "HELD",
};

static const char *const event_names[LC_EVENT_COUNT] = {
    [LC_EV_HOLD] = "hold",
    [LC_EV_ORG_OK] = "organizer_ok",
    [LC_EV_ORG_FAIL] = "organizer_fail",
    [LC_EV_INVOICE_ATTACHED] = "invoice_attached",
    [LC_EV_INVOICE_FAILED] = "invoice_failed",
    [LC_EV_PAID] = "paid",
    [LC_EV_PAYMENT_FAILED] = "payment_failed",
    [LC_EV_EXPIRE] = "expire",
    [LC_EV_CANCEL_USER] = "cancel_by_user",
    [LC_EV_CANCEL_ADMIN] = "cancel_by_admin",
    [LC_EV_WITHDRAW] = "waitlist_withdraw",
    [LC_EV_REFUNDED] = "refunded_at_payment_app",
    [LC_EV_CHECKIN] = "checkin",
    [LC_EV_EVENT_CANCELLED] = "event_cancelled",
    [LC_EV_HOLD_SELECTION] = "hold_for_selection",
    [LC_EV_CHECKOUT] = "checkout",
    [LC_EV_SELECTION_EXPIRE] = "selection_expire",
};

static const char *const guard_names[LC_GUARD_COUNT] = {
    [LC_G_NONE] = "",
    [LC_G_SALE_OPEN] = "a name per seat if the event requires it (400 VALIDATION_FAILED, "
                       "nothing stored); event ON_SALE (EVENT_CANCELLED, SALES_NOT_OPEN, "
                       "SALES_CLOSED); within MAX_SEATS_PER_USER (LIMIT_REACHED); seats OPEN "
                       "(SEAT_UNAVAILABLE)",
    [LC_G_WITHIN_LIMIT] = "within MAX_SEATS_PER_USER (LIMIT_REACHED)",
    [LC_G_SEATS_OPEN] = "seats OPEN (SEAT_UNAVAILABLE)",
    [LC_G_INVOICE_DEAD] = "invoice voided, expired or never made (else wait: PROCESSING/PAID)",
    [LC_G_NOT_CHECKED_IN] = "no seat checked in (CHECKED_IN)",
    [LC_G_NOT_STARTED] = "no seat checked in (CHECKED_IN), event not started (EVENT_STARTED)",
    [LC_G_SEATS_BOOKED] = "seat BOOKED by the booking",
    [LC_G_SELECTION_LIVE] = "selection lock not run out (HOLD_EXPIRED)",
    [LC_G_SELECTION_LAPSED] = "selection lock ran out (else nothing)",
};

static const char *const effect_names[LC_FX_COUNT] = {
    "hold_seats", "book_seats",   "release_seats",  "unless_started", NULL,
    "void",       "refund",       "org_release",    "render",         "notify",
    "waitlist",   "note_invoice", "note_organizer", "checkin",        "payment_window",
};

static const char *const impl_names[] = {
    [LC_IMPL_EXEC] = "lifecycle_apply",
    [LC_IMPL_SQL_HOLD] = "SQL booking_try_hold",
    [LC_IMPL_SQL_PAID] = "SQL booking_apply_paid",
    [LC_IMPL_SQL_ATTACH] = "SQL booking_store_attach_invoices",
    [LC_IMPL_SQL_ORG] = "SQL booking_store_set_organizer_held",
    [LC_IMPL_SQL_CHECKIN] = "SQL checkin_store_admit",
};

const struct lc_transition *lifecycle_find(enum lc_state from, enum lc_event event)
{
    if ((int)from < 0 || from >= LC_STATE_COUNT)
        return NULL;
    for (size_t i = 0; i < lc_table_len; i++)
        if (lc_table[i].event == event && (lc_table[i].from & S(from)))
            return &lc_table[i];
    return NULL;
}

const char *lifecycle_refusal(enum lc_event event, enum lc_state from)
{
    switch (event) {
    case LC_EV_CANCEL_USER:
    case LC_EV_CANCEL_ADMIN:
        return "NOT_CANCELLABLE";
    case LC_EV_CHECKIN:
        return "INVALID_TICKET";
    case LC_EV_CHECKOUT:
        return from == LC_EXPIRED ? "HOLD_EXPIRED" : "NOT_HELD";
    default:
        return "";
    }
}

const char *lifecycle_guard_refusal(enum lc_guard g)
{
    switch (g) {
    case LC_G_NOT_CHECKED_IN:
    case LC_G_NOT_STARTED:
        return "NOT_CANCELLABLE";
    case LC_G_SELECTION_LIVE:
        return "HOLD_EXPIRED";
    default:
        return "";
    }
}

const char *lifecycle_state_name(enum lc_state s)
{
    return (int)s >= 0 && s < LC_STATE_COUNT ? state_names[s] : "?";
}

enum lc_state lifecycle_state_parse(const char *status)
{
    if (!status)
        return LC_NEW;
    for (int i = LC_PENDING_PAYMENT; i < LC_STATE_COUNT; i++)
        if (strcmp(status, state_names[i]) == 0)
            return (enum lc_state)i;
    return LC_NEW;
}

const char *lifecycle_event_name(enum lc_event e)
{
    return (int)e >= 0 && e < LC_EVENT_COUNT ? event_names[e] : "?";
}

const char *lifecycle_guard_name(enum lc_guard g)
{
    return (int)g >= 0 && g < LC_GUARD_COUNT ? guard_names[g] : "?";
}

const char *lifecycle_effect_name(unsigned f)
{
    for (int i = 0; i < LC_FX_COUNT; i++)
        if (f == (1u << i))
            return effect_names[i];
    return NULL;
}

int lifecycle_live(enum lc_state s)
{
    return s == LC_HELD || s == LC_PENDING_PAYMENT || s == LC_CONFIRMED;
}

const char *lifecycle_notify_type(enum lc_state s, int waitlist_origin)
{
    switch (s) {
    case LC_PENDING_PAYMENT:
        return waitlist_origin ? "booking.created" : NULL;
    case LC_CONFIRMED:
        return "booking.confirmed";
    case LC_FAILED:
        return "booking.failed";
    case LC_EXPIRED:
        return "booking.expired";
    case LC_CANCELLED:
        return "booking.cancelled";
    default:
        return NULL;
    }
}

enum lc_expiry lifecycle_expiry_decision(const char *st)
{
    if (!st || strcmp(st, "VOID") == 0 || strcmp(st, "EXPIRED") == 0)
        return LC_EXPIRY_EXPIRE;
    if (strcmp(st, "PENDING") == 0)
        return LC_EXPIRY_VOID_FIRST;
    if (strcmp(st, "FAILED") == 0)
        return LC_EXPIRY_FAILED;
    if (strcmp(st, "REFUNDED") == 0)
        return LC_EXPIRY_REFUNDED;
    return LC_EXPIRY_WAIT; /* PROCESSING, PAID, or a status this build does not know */
}

/* "a, b" of the state names in mask. */
static void states_list(struct sbuf *b, unsigned mask, const char *sep)
{
    int first = 1;
    for (int s = 0; s < LC_STATE_COUNT; s++) {
        if (!(mask & S(s)))
            continue;
        if (!first)
            sbuf_puts(b, sep);
        sbuf_puts(b, state_names[s]);
        first = 0;
    }
}

static void effects_list(struct sbuf *b, unsigned fx)
{
    int first = 1;
    for (int i = 0; i < LC_FX_COUNT; i++) {
        if (!(fx & (1u << i)) || !effect_names[i])
            continue;
        if (!first)
            sbuf_puts(b, ", ");
        sbuf_puts(b, effect_names[i]);
        first = 0;
    }
    if (first)
        sbuf_puts(b, "none");
}

char *lifecycle_markdown(void)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "```mermaid\nstateDiagram-v2\n");
    sbuf_puts(&b, "    [*] --> NEW\n");
    for (size_t i = 0; i < lc_table_len; i++) {
        const struct lc_transition *t = &lc_table[i];
        for (int s = 0; s < LC_STATE_COUNT; s++) {
            if (!(t->from & S(s)))
                continue;
            const char *to = t->to == LC_SAME ? state_names[s] : state_names[t->to];
            char line[160];
            snprintf(line, sizeof line, "    %s --> %s: %s\n", state_names[s], to,
                     event_names[t->event]);
            sbuf_puts(&b, line);
        }
    }
    sbuf_puts(&b, "    NEW --> FAILED: hold refused (guard code)\n");
    sbuf_puts(&b, "```\n\n");
    sbuf_puts(&b, "| from | event | guard | to | effects | implementation |\n");
    sbuf_puts(&b, "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < lc_table_len; i++) {
        const struct lc_transition *t = &lc_table[i];
        sbuf_puts(&b, "| ");
        states_list(&b, t->from, ", ");
        sbuf_puts(&b, " | ");
        sbuf_puts(&b, event_names[t->event]);
        sbuf_puts(&b, " | ");
        sbuf_puts(&b, guard_names[t->guard][0] ? guard_names[t->guard] : "-");
        sbuf_puts(&b, " | ");
        sbuf_puts(&b, t->to == LC_SAME ? "(same)" : state_names[t->to]);
        if (t->reason) {
            sbuf_puts(&b, " ");
            sbuf_puts(&b, t->reason);
        }
        sbuf_puts(&b, " | ");
        effects_list(&b, t->effects);
        sbuf_puts(&b, " | ");
        sbuf_puts(&b, impl_names[t->impl]);
        sbuf_puts(&b, " |\n");
    }
    return sbuf_steal(&b, NULL);
}
