/* booking_store.h: SQL on bookings. Each public function that changes state
 * is one short transaction (BEGIN ... COMMIT inside), decided by a row lock
 * or a conditional UPDATE ... WHERE status=...; the notification and any
 * follow-up are written in that same transaction. No function here makes
 * an HTTP call. DB_RETRY (deadlock, serialization) is returned as such: the
 * caller may run the function again. */
#ifndef TICKET_BOOKING_STORE_H
#define TICKET_BOOKING_STORE_H

#include "booking.h"
#include "common/db.h"

/* Loads a booking with its event name and seats (no lock). DB_NOT_FOUND if
 * absent. b must be zeroed; free with booking_cleanup. */
enum db_status booking_store_load(struct db_conn *c, const char *id, struct booking *b);

enum try_hold_outcome {
    TRY_HELD,     /* every seat held: b is the booking PENDING_PAYMENT */
    TRY_REFUSED,  /* a seat is taken: b is the attempt stored FAILED SEAT_UNAVAILABLE */
    TRY_EXISTS,   /* the booking id is already known: nothing changed */
    TRY_NO_EVENT, /* no such event: nothing changed */
    TRY_SLOW,     /* an unknown or foreign seat, or a hold that ran out: nothing
                   * changed; booking_store_hold and the checks decide */
};
/* POST /api/bookings' common cases in one statement and one commit
 * (booking_try_hold in migrations/ticket/035_hold_in_one_call.sql): a new
 * id on existing seats of an existing event is held (all seats OPEN, locked
 * in id order) or refused and stored FAILED, and b (zeroed by the caller)
 * is filled. A refusal is not notified: the answer is its only news, and
 * client-app's recovery of unanswered attempts asks again by id. */
enum db_status booking_store_try_hold(struct db_conn *c, const struct booking_request *rq,
                                      long ttl_s, enum try_hold_outcome *out, struct booking *b);

enum hold_outcome {
    HOLD_OK,          /* every seat held, booking PENDING_PAYMENT inserted */
    HOLD_UNAVAILABLE, /* some seat is not free: nothing changed */
    HOLD_EXISTS,      /* the booking id is already known: replay */
};
/* The atomic hold: inserts the booking PENDING_PAYMENT with expires_at =
 * now + ttl_s, flips every requested seat to ON_GOING (all or none, id
 * order), snapshots them into booking_seats, sets the amount, and expires
 * any booking whose run-out hold it took a seat from (*expired = 1: their
 * notifications and follow-ups wait in the outbox). One transaction.
 * HOLD_EXISTS also stands for an event that does not exist (nothing to
 * insert): the caller tells the two apart. HOLD_UNAVAILABLE also covers
 * seats that do not exist or belong to another event. */
enum db_status booking_store_hold(struct db_conn *c, const struct booking_request *rq, long ttl_s,
                                  enum hold_outcome *out, int *expired);

/* Stores a failed attempt (FAILED/reason) with the seats it asked for; not
 * notified, as booking_store_try_hold's refusal is not. *inserted = 0 when
 * the id was already known. One transaction. */
enum db_status booking_store_record_failed(struct db_conn *c, const struct booking_request *rq,
                                           const char *reason, int *inserted);

/* Notes that the organizer accepted the hold (only while PENDING_PAYMENT). */
enum db_status booking_store_set_organizer_held(struct db_conn *c, const char *id);

/* Stores the invoice of a booking that has none yet. If the booking is no
 * longer PENDING_PAYMENT, the invoice is recorded for voiding instead. */
enum db_status booking_store_attach_invoice(struct db_conn *c, const char *id,
                                            const char *invoice_number, const char *payment_url);

/* booking_store_attach_invoice's common case for n bookings in one
 * statement and one commit, no transaction around it: a direct booking
 * (rows[i].b, as loaded) still PENDING_PAYMENT without an invoice gets
 * rows[i]'s. Nothing is notified for it (a direct hold is answered, not
 * announced) and nothing needs voiding. The organizer's acceptance, which
 * precedes the invoice, is noted by the same statement (organizer_held_at)
 * rather than a commit of its own. rows[i].attached = 1 and its booking
 * updated to the stored state (invoice, payment_url, version, updated_at);
 * 0 when the booking is not in that state: then booking_store_attach_invoice
 * decides. */
struct booking_attach {
    struct booking *b;
    const char *number, *url;
    int attached;
};
enum db_status booking_store_attach_direct_many(struct db_conn *c, struct booking_attach *rows,
                                                int n);

/* PENDING_PAYMENT -> FAILED/reason: seats released, organizer release
 * recorded, notified; void_invoice also records a VOID follow-up (the
 * invoice may exist even if its creation seemed to fail). *changed = 0 if
 * the booking was not pending. */
enum db_status booking_store_fail(struct db_conn *c, const char *id, const char *reason,
                                  int void_invoice, int *changed);

/* Cancels: PENDING_PAYMENT -> CANCELLED (+ VOID), CONFIRMED -> CANCELLED
 * (+ REFUND); seats released; notified. old (>= 20 bytes) receives the
 * status before; *changed = 0 when not cancellable (old tells why).
 * DB_NOT_FOUND if absent. */
enum db_status booking_store_cancel(struct db_conn *c, const char *id, char *old, size_t oldlen,
                                    int *changed);

/* A waitlist entry's user leaves while its offer is pending:
 * PENDING_PAYMENT -> CANCELLED (+ VOID), the seat passed on to the next in
 * line, the entry CANCELLED; notified. *changed = 0 when the booking was no
 * longer pending (paid or lapsed meanwhile). One transaction. */
enum db_status booking_store_withdraw_offer(struct db_conn *c, const char *id, int *changed);

/* Hold sweeper: expires up to batch PENDING_PAYMENT bookings whose
 * expires_at passed (claimed FOR UPDATE SKIP LOCKED): EXPIRED, seats
 * released, invoice VOID follow-up, notified. One transaction. *n gets the
 * number expired. */
enum db_status booking_store_expire_due(struct db_conn *c, int batch, int *n);

/* Applies one payment webhook event once: records event_id in
 * processed_events in the same transaction as its effect. type is
 * "invoice.paid" / "invoice.failed" / "invoice.expired" / anything else
 * (recorded, no effect). *duplicate = 1 if the id was seen before;
 * *confirmed = 1 when the booking just became CONFIRMED (render the ticket). */
enum db_status booking_store_apply_payment(struct db_conn *c, const char *event_id,
                                           const char *type, const char *booking_id,
                                           const char *invoice_number, int *duplicate,
                                           int *confirmed);

/* Stores the rendered ticket of a booking that is still CONFIRMED and
 * enqueues the booking.confirmed notification with pdf_b64. *stored = 0 if
 * the booking is no longer confirmed. One transaction. */
enum db_status booking_store_save_ticket(struct db_conn *c, const char *id, const char *pdf_hex,
                                         const char *pdf_b64, int *stored);

/* The stored PDF as hex (malloc'ed, caller frees) or NULL (*st DB_NOT_FOUND
 * when there is none). */
char *booking_store_ticket_hex(struct db_conn *c, const char *id, enum db_status *st);

#endif
