/* lifecycle.h: the booking lifecycle as one model: its states, the events
 * that move a booking, the guards, and each transition's effects, written
 * once as a table (lifecycle.c). Every change of a booking's status goes
 * through a row of that table: most rows are run by the one executor
 * (lifecycle_exec.h), a few by the one SQL statement that is their only
 * implementation (the row's impl names it). Status strings are compared
 * here and nowhere else in C: callers hold an enum lc_state.
 * This file and lifecycle.c are pure (no database, no I/O). */
#ifndef TICKET_LIFECYCLE_H
#define TICKET_LIFECYCLE_H

#include <stddef.h>

enum lc_state {
    LC_NEW = 0, /* no booking yet (the hold creates it) */
    LC_PENDING_PAYMENT,
    LC_CONFIRMED,
    LC_FAILED,
    LC_EXPIRED,
    LC_CANCELLED,
    LC_HELD, /* seats held for selection (checkout:false): no invoice yet */
    LC_STATE_COUNT,
    LC_SAME = LC_STATE_COUNT /* a row's to-state: the booking stays where it is */
};

enum lc_event {
    LC_EV_HOLD = 0,         /* POST /api/bookings */
    LC_EV_ORG_OK,           /* the organizer accepted the hold */
    LC_EV_ORG_FAIL,         /* the organizer refused the hold */
    LC_EV_INVOICE_ATTACHED, /* payment-app made the invoice */
    LC_EV_INVOICE_FAILED,   /* payment-app could not be reached for the invoice */
    LC_EV_PAID,             /* invoice.paid webhook */
    LC_EV_PAYMENT_FAILED,   /* invoice.failed webhook, or found FAILED at expiry */
    LC_EV_EXPIRE,           /* the hold ran out and its invoice can no longer be paid */
    LC_EV_CANCEL_USER,      /* POST /api/bookings/{id}/cancel by the owner (service token) */
    LC_EV_CANCEL_ADMIN,     /* the same by an admin */
    LC_EV_WITHDRAW,         /* a waitlist user leaves while offered */
    LC_EV_REFUNDED,         /* invoice.refunded: a refund started at payment-app */
    LC_EV_CHECKIN,          /* POST /api/checkins admits a seat */
    LC_EV_EVENT_CANCELLED,  /* POST /api/events/{id}/cancel */
    LC_EV_HOLD_SELECTION,   /* POST /api/bookings with "checkout": false */
    LC_EV_CHECKOUT,         /* POST /api/bookings/{id}/checkout by the owner */
    LC_EV_SELECTION_EXPIRE, /* the selection lock ran out before checkout */
    LC_EVENT_COUNT
};

/* Guards: what must hold for a row to apply. The executor checks the ones
 * marked "exec"; the SQL implementations check theirs. */
enum lc_guard {
    LC_G_NONE = 0,
    LC_G_SALE_OPEN, /* HOLD (SQL): event ON_SALE, else EVENT_CANCELLED/SALES_NOT_OPEN/SALES_CLOSED
                     */
    LC_G_WITHIN_LIMIT,   /* HOLD (SQL): MAX_SEATS_PER_USER, else LIMIT_REACHED */
    LC_G_SEATS_OPEN,     /* HOLD (SQL): every seat OPEN, else SEAT_UNAVAILABLE */
    LC_G_INVOICE_DEAD,   /* EXPIRE (caller): payment-app voided or expired the invoice, or none */
    LC_G_NOT_CHECKED_IN, /* exec: no seat admitted, else NOT_CANCELLABLE/CHECKED_IN */
    LC_G_NOT_STARTED,    /* exec: + the event has not started, else NOT_CANCELLABLE/EVENT_STARTED */
    LC_G_SEATS_BOOKED,   /* CHECKIN (SQL): the seat is BOOKED by this booking */
    LC_G_SELECTION_LIVE, /* exec: the selection lock has not run out, else HOLD_EXPIRED */
    LC_G_SELECTION_LAPSED, /* exec: the selection lock ran out, else nothing happens */
    LC_GUARD_COUNT
};

/* Effects, as flags. */
enum {
    LC_FX_HOLD_SEATS = 1u << 0,      /* seats OPEN -> ON_GOING */
    LC_FX_BOOK_SEATS = 1u << 1,      /* seats ON_GOING -> BOOKED */
    LC_FX_RELEASE = 1u << 2,         /* seats back: to their waitlist first, else OPEN */
    LC_FX_KEEP_IF_STARTED = 1u << 3, /* no release once the event started */
    LC_FX_VOID = 1u << 5,            /* VOID follow-up (the invoice, if any, is voided) */
    LC_FX_REFUND = 1u << 6,          /* REFUND follow-up */
    LC_FX_ORG_RELEASE = 1u << 7,     /* ORG_RELEASE follow-up if the organizer held */
    LC_FX_RENDER = 1u << 8,          /* RENDER follow-up (the PDF, then booking.confirmed) */
    LC_FX_NOTIFY = 1u << 9,          /* notification to client-app, in the transaction */
    LC_FX_WAITLIST = 1u << 10,       /* an offered waitlist entry follows its booking */
    LC_FX_NOTE_INVOICE = 1u << 11,   /* invoice number and payment URL stored */
    LC_FX_NOTE_ORG = 1u << 12,       /* organizer_held_at noted */
    LC_FX_CHECKIN = 1u << 13,        /* check-in row written */
    LC_FX_PAY_WINDOW = 1u << 14,     /* expires_at and the seats' hold: now + HOLD_TTL_SECONDS */
    LC_FX_COUNT = 15                 /* bits 0..14, bit 4 unused */
};

/* Where a row runs: its one implementation. */
enum lc_impl {
    LC_IMPL_EXEC = 0,   /* lifecycle_exec.c: lifecycle_apply */
    LC_IMPL_SQL_HOLD,   /* booking_try_hold (migrations/ticket/090_hold_until_start.sql) */
    LC_IMPL_SQL_PAID,   /* booking_apply_paid (052_lifecycle.sql) */
    LC_IMPL_SQL_ATTACH, /* booking_store_attach_invoices (one statement for n bookings) */
    LC_IMPL_SQL_ORG,    /* booking_store_set_organizer_held */
    LC_IMPL_SQL_CHECKIN /* checkin_store_admit */
};

struct lc_transition {
    unsigned from; /* bit mask of (1u << enum lc_state) */
    enum lc_event event;
    enum lc_guard guard; /* the first guard; HOLD's three are in order */
    enum lc_state to;    /* LC_SAME: stays */
    const char *reason;  /* failure_reason when to is LC_FAILED, else NULL */
    unsigned effects;
    enum lc_impl impl;
};

/* The table, and its length. */
extern const struct lc_transition lc_table[];
extern const size_t lc_table_len;

/* The row for event in state from, or NULL when the event is refused in
 * that state (lifecycle_refusal says how). */
const struct lc_transition *lifecycle_find(enum lc_state from, enum lc_event event);

/* The refusal code when event finds no row in state from (static string):
 * NOT_CANCELLABLE for cancels, HOLD_EXPIRED for a checkout of an EXPIRED
 * booking, NOT_HELD for a checkout of one that failed or was cancelled,
 * "" when the event is a quiet no-op there (a webhook for a booking that
 * moved on). */
const char *lifecycle_refusal(enum lc_event event, enum lc_state from);

/* The refusal code when a row's guard g (checked by the executor) fails:
 * NOT_CANCELLABLE, HOLD_EXPIRED, or "" (a quiet no-op). Static. */
const char *lifecycle_guard_refusal(enum lc_guard g);

/* "PENDING_PAYMENT"...; "NEW" for LC_NEW. Static strings. */
const char *lifecycle_state_name(enum lc_state s);
/* The state of a stored status string (LC_NEW for NULL or unknown). */
enum lc_state lifecycle_state_parse(const char *status);
const char *lifecycle_event_name(enum lc_event e);
const char *lifecycle_guard_name(enum lc_guard g);
/* The name of effect flag f (one bit), or NULL. */
const char *lifecycle_effect_name(unsigned f);

/* 1 if a booking in s still holds or owns its seats (HELD,
 * PENDING_PAYMENT, CONFIRMED). */
int lifecycle_live(enum lc_state s);

/* The notification type for a booking that just reached s ("booking.*"),
 * or NULL when there is nothing to say (a direct hold is answered, not
 * announced; a confirmation is announced with its PDF by the renderer). */
const char *lifecycle_notify_type(enum lc_state s, int waitlist_origin);

/* The payment-in-flight rule: what the sweeper does with a run-out hold
 * whose invoice payment-app reports in status invoice_status ("PENDING",
 * "PROCESSING", ... ; NULL when there is no invoice). */
enum lc_expiry {
    LC_EXPIRY_VOID_FIRST, /* still payable: void it, then EXPIRE */
    LC_EXPIRY_EXPIRE,     /* can no longer be paid: EXPIRE */
    LC_EXPIRY_WAIT,       /* PROCESSING, or PAID with its webhook on the way */
    LC_EXPIRY_FAILED,     /* FAILED: PAYMENT_FAILED, not an expiry */
    LC_EXPIRY_REFUNDED    /* REFUNDED at payment-app: REFUNDED */
};
enum lc_expiry lifecycle_expiry_decision(const char *invoice_status);

/* docs/lifecycle.md's diagram and transition list, from the table
 * (new malloc'ed string). */
char *lifecycle_markdown(void);

#endif
