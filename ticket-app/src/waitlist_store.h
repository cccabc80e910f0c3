/* waitlist_store.h: SQL on the waitlist: join, list, leave, and the two
 * hooks the booking store calls inside its transactions: handing a released
 * seat to the head of its queue, and closing an offered entry when its
 * booking leaves PENDING_PAYMENT.
 *
 * Locks, always in this order: booking row, seat rows (id order), waitlist
 * entries. A join locks its seat row before inserting, so joins and
 * releases of one seat serialise: the head of a queue is read under the
 * seat's lock, and an entry's seq order is the order of the joins' commits.
 * The head is locked FOR UPDATE without SKIP LOCKED: a head being cancelled
 * by its user is waited for, never jumped over. */
#ifndef TICKET_WAITLIST_STORE_H
#define TICKET_WAITLIST_STORE_H

#include <jansson.h>

#include "common/db.h"
#include "waitlist.h"

/* How long an offer's hold lasts (HOLD_TTL_SECONDS). Set once at start-up,
 * before any request: seat releases happen deep inside the booking store's
 * transitions, which do not carry the configuration. */
void waitlist_store_configure(long hold_ttl_s);

/* Joins the queue of j->seat_id (one transaction). *out says how it went;
 * on JOIN_OK *entry is the new entry (new reference, position filled). */
enum db_status waitlist_store_join(struct db_conn *c, const struct waitlist_join *j,
                                   enum waitlist_join_outcome *out, json_t **entry);

/* The entries of user_id, newest first, with current positions; status
 * may be NULL (all). *items new reference. */
enum db_status waitlist_store_list(struct db_conn *c, const char *user_id, const char *status,
                                   long limit, long offset, json_t **items, long *total);

/* One entry of user_id (DB_NOT_FOUND for anyone else's). *entry new ref. */
enum db_status waitlist_store_get(struct db_conn *c, const char *id, const char *user_id,
                                  json_t **entry);

/* Leaves: a WAITING entry of user_id becomes CANCELLED (autocommit, one
 * conditional UPDATE). Otherwise *out tells what the entry is; for
 * LEAVE_OFFERED booking_id receives the offered booking, which the caller
 * withdraws (lifecycle_apply, LC_EV_WITHDRAW). */
enum db_status waitlist_store_leave(struct db_conn *c, const char *id, const char *user_id,
                                    enum waitlist_leave_outcome *out, char booking_id[37]);

/* Release hook, inside the releasing transaction, with seat_id locked by
 * the caller and still held by from_booking: the first WAITING entry of the
 * seat is OFFERED a new one-seat booking (origin waitlist, PENDING_PAYMENT
 * for HOLD_TTL_SECONDS, id made here) that takes the seat at once (it stays
 * ON_GOING), and an OFFER follow-up is recorded to make its invoice; with
 * nobody waiting the seat becomes OPEN. *offered (may be NULL) is 1 when
 * the seat was offered. */
enum db_status waitlist_store_pass_on(struct db_conn *c, const char *seat_id,
                                      const char *from_booking, int *offered);

/* Transition hook, inside the transaction that moved booking_id to
 * booking_status: its OFFERED entry (if any) becomes FULFILLED, EXPIRED or
 * CANCELLED (waitlist_status_after). */
enum db_status waitlist_store_booking_changed(struct db_conn *c, const char *booking_id,
                                              enum lc_state booking_state);

#endif
