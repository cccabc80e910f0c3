/* lifecycle_exec.h: the one executor of the booking lifecycle's table
 * (lifecycle.h). lifecycle_apply runs one transition of a row whose impl is
 * LC_IMPL_EXEC, with all its effects (status, seats, waitlist, follow-ups,
 * outbox), in one transaction under the booking's row lock. The rows whose
 * one implementation is a SQL statement are run by their store function;
 * lifecycle_attach_invoices and lifecycle_expire wrap two of them with what
 * must happen around the statement. */
#ifndef TICKET_LIFECYCLE_EXEC_H
#define TICKET_LIFECYCLE_EXEC_H

#include "booking_store.h"
#include "common/db.h"
#include "lifecycle.h"

struct app;

struct lc_outcome {
    int applied;         /* the transition ran and committed */
    int duplicate;       /* the webhook event id was applied before: nothing done */
    int found;           /* the booking exists */
    enum lc_state from;  /* the state it was in */
    enum lc_state to;    /* the state it is in now */
    const char *refusal; /* when not applied: the code (static), "" for a quiet no-op;
                          * a failed guard's code is lifecycle_guard_refusal's */
    const char *reason;  /* details.reason of a refusal (CHECKED_IN, EVENT_STARTED) or NULL */
};

/* Runs event on booking_id in one transaction: locks the booking, finds the
 * table's row for its state, checks the row's guard, then applies the
 * to-state and every effect. webhook_id (may be NULL) is recorded in
 * processed_events in the same transaction (a repeat: out->duplicate, and
 * nothing else happens); a webhook for an unknown booking or a state with
 * no row is recorded and answered found = 0 / refusal "". DB_NOT_FOUND
 * when the booking does not exist and no webhook id was given. */
enum db_status lifecycle_apply(struct db_conn *c, const char *booking_id, enum lc_event event,
                               const char *webhook_id, const char *webhook_type,
                               struct lc_outcome *out);

/* INVOICE_ATTACHED for n bookings (booking_store_attach_invoices, its one
 * statement). When a row is of waitlist origin (waitlist[i]), the statement
 * runs in a transaction that also writes the booking.created notification
 * of each attached offer; otherwise it is autocommitted alone. */
enum db_status lifecycle_attach_invoices(struct db_conn *c, struct booking_attach *rows, int n,
                                         int any_waitlist);

/* Enqueues the notification booking_id's current state calls for (none
 * when lifecycle_notify_type says nothing), inside the caller's
 * transaction; the same version twice is a no-op. */
enum db_status lifecycle_notify(struct db_conn *c, const char *booking_id);
/* As lifecycle_notify in a transaction of its own (a hold refused after
 * the slow path, whose answer may not reach client-app in time: its
 * recovery then learns the refusal from the notification). */
enum db_status lifecycle_notify_now(struct db_conn *c, const char *booking_id);

enum lc_expire_result {
    LC_EXPIRE_DONE,    /* ended: EXPIRED (or FAILED / CANCELLED as payment-app said) */
    LC_EXPIRE_WAITING, /* its payment is in flight: left waiting for the webhook */
    LC_EXPIRE_LATER,   /* payment-app or the database could not be asked: try later */
};
/* The EXPIRE event with its guard (the payment-in-flight rule): a run-out
 * hold ends only once payment-app agrees its invoice can no longer be paid.
 * With an invoice, payment-app is asked to void it first (no transaction
 * open); VOID/EXPIRED -> EXPIRE, FAILED -> PAYMENT_FAILED, REFUNDED ->
 * REFUNDED, PROCESSING/PAID -> it waits. Without one, EXPIRE (its VOID
 * follow-up finds any invoice made by a lost answer). */
enum lc_expire_result lifecycle_expire(struct app *app, const char *booking_id,
                                       const char *invoice_number);

/* SELECTION_EXPIRE: a HELD booking whose selection lock ran out ends
 * EXPIRED and gives its seats back (no invoice exists to ask about). Under
 * the row lock, so a checkout that took the row first wins and this does
 * nothing. LC_EXPIRE_DONE also when there was nothing to do. */
enum lc_expire_result lifecycle_expire_selection(struct app *app, const char *booking_id);

/* The payment window CHECKOUT opens: HOLD_TTL_SECONDS. Called once at
 * start-up (before any request). */
void lifecycle_exec_configure(long hold_ttl_s);

#endif
