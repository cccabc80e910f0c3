/* booking_store.h: SQL on bookings, and nothing else: no function here
 * decides a transition or calls another module. The lifecycle's executor
 * (lifecycle_exec.c) composes these inside its one transaction; the two
 * statements that are a transition's only implementation (the hold, the
 * invoice attachment) are here too and say so. DB_RETRY (deadlock,
 * serialization) is returned as such: the caller may run again. */
#ifndef TICKET_BOOKING_STORE_H
#define TICKET_BOOKING_STORE_H

#include "booking.h"
#include "common/db.h"
#include "lifecycle.h"

/* Loads a booking with its event name and seats (no lock). DB_NOT_FOUND if
 * absent. b must be zeroed; free with booking_cleanup. */
enum db_status booking_store_load(struct db_conn *c, const char *id, struct booking *b);

enum try_hold_outcome {
    TRY_HELD,          /* every guard passed: b is the booking PENDING_PAYMENT (HELD
                        * when rq->selection) */
    TRY_REFUSED,       /* b is the attempt stored FAILED with the guard's code */
    TRY_EXISTS,        /* the booking id is already known: nothing changed */
    TRY_NO_EVENT,      /* no such event (or a draft): nothing changed */
    TRY_NAMES_MISSING, /* the event requires a name per seat, some lack one: nothing changed */
    TRY_SLOW,          /* an unknown or foreign seat: nothing changed */
    TRY_LAPSED,        /* a seat's hold ran out: *lapsed lists those bookings */
};
/* The HOLD and HOLD_SELECTION transitions (booking_try_hold,
 * migrations/ticket/090_hold_until_start.sql, their only implementation): one
 * statement and one commit; rq->selection stores the booking HELD. ttl_s
 * is how long the seats are held. attendees is NULL or the JSON text
 * [{seat_id, name, id_number}] stored with a held booking
 * (attendee_list_json). max_seats is
 * MAX_SEATS_PER_USER (0: none); lapsed_taken = 1 once the run-out holds
 * were ended through the model (a seat still held is then unavailable).
 * b is zeroed by the caller; *lapsed (TRY_LAPSED) is a new malloc'ed JSON
 * array of booking ids. A refusal is not notified: the answer is its news. */
enum db_status booking_store_try_hold(struct db_conn *c, const struct booking_request *rq,
                                      const char *attendees, long ttl_s, long max_seats,
                                      int lapsed_taken, enum try_hold_outcome *out,
                                      struct booking *b, char **lapsed);

/* Notes that the organizer accepted the hold (only while HELD or
 * PENDING_PAYMENT): ORG_OK's one statement. */
enum db_status booking_store_set_organizer_held(struct db_conn *c, const char *id);

/* The INVOICE_ATTACHED transition for n bookings in one statement, its only
 * implementation: each booking (rows[i].id) without an invoice gets
 * rows[i]'s and version + 1; a PENDING_PAYMENT one also notes the
 * organizer's acceptance (it precedes the invoice); one that ended
 * meanwhile gets a VOID follow-up in the same statement. Rows are locked in
 * id order. rows[i].attached = 1 with .state, .waitlist, .version and
 * .updated_at (malloc'ed) as stored; 0 when the booking had an invoice. */
struct booking_attach {
    const char *id, *number, *url;
    int attached;
    enum lc_state state;
    int waitlist;
    long version;
    char *updated_at;
};
enum db_status booking_store_attach_invoices(struct db_conn *c, struct booking_attach *rows, int n);

/* What the executor reads under the booking's row lock (FOR UPDATE). */
struct booking_locked {
    enum lc_state state;
    int waitlist;            /* origin waitlist */
    int started;             /* the event's starts_at has passed */
    char invoice_number[64]; /* "" when none */
    int lapsed;              /* expires_at has passed (by the clock, read under the lock) */
};
/* Locks booking id; DB_NOT_FOUND if absent. Inside a transaction. */
enum db_status booking_store_lock(struct db_conn *c, const char *id, struct booking_locked *out);

/* *yes = 1 when a seat of booking id was admitted at the gate. Read after
 * booking_store_lock, so a check-in that committed meanwhile is seen. */
enum db_status booking_store_checked_in(struct db_conn *c, const char *id, int *yes);

/* Sets the status (and failure_reason, NULL to clear), version + 1,
 * updated_at, confirmed_at when to is CONFIRMED. Inside a transaction,
 * after booking_store_lock. */
enum db_status booking_store_set_status(struct db_conn *c, const char *id, enum lc_state to,
                                        const char *reason);

/* The PAY_WINDOW effect: the booking's expires_at and its ON_GOING seats'
 * held_until become now + ttl_s; the sweeper's re-check mark is cleared.
 * Inside the executor's transaction, after booking_store_lock. */
enum db_status booking_store_open_pay_window(struct db_conn *c, const char *id, long ttl_s);

/* Records a payment webhook event id; *fresh = 0 when it was recorded
 * before (the transaction should then be rolled back). */
enum db_status booking_store_processed(struct db_conn *c, const char *event_id, const char *type,
                                       int *fresh);

/* The sweeper's claim: up to max HELD or PENDING_PAYMENT bookings whose
 * hold ran out and which nobody looked at in the last recheck_s seconds;
 * each is marked so it is not looked at again before then (autocommit,
 * SKIP LOCKED). ids[i] (37 bytes), invoices[i] (64, "" if none) and
 * states[i] as claimed. Returns the count or -1. */
int booking_store_claim_due(struct db_conn *c, int max, long recheck_s, char (*ids)[37],
                            char (*invoices)[64], enum lc_state *states);

/* The ids of event_id's live bookings (HELD, PENDING_PAYMENT, CONFIRMED), up to
 * max. Returns the count or -1. */
int booking_store_live_of_event(struct db_conn *c, const char *event_id, int max, char (*ids)[37]);

/* The stored PDF as hex (malloc'ed, caller frees) or NULL (*st DB_NOT_FOUND
 * when there is none). */
char *booking_store_ticket_hex(struct db_conn *c, const char *id, enum db_status *st);

#endif
