/* seat_store.h: SQL on seats: the atomic hold, the one release path, and
 * the admin's seat edits. Every status change is a conditional UPDATE/DELETE
 * ... WHERE status=...; rows are locked in id order, so concurrent holds and
 * releases never deadlock on each other's seats. */
#ifndef TICKET_SEAT_STORE_H
#define TICKET_SEAT_STORE_H

#include <jansson.h>

#include "common/db.h"
#include "event.h"

/* Releases every seat booking_id holds (ON_GOING or BOOKED), locked in id
 * order: each goes to the first WAITING entry of its waitlist (a new
 * one-seat booking holds it at once, waitlist_store_pass_on) or, with
 * nobody waiting, back to OPEN. Call inside the transaction that moves the
 * booking out of PENDING_PAYMENT/CONFIRMED. *released (may be NULL) gets
 * the count. This is the ONE place seats go back (the lifecycle's
 * RELEASE effect). Holding and booking seats are the HOLD and PAID
 * transitions' own statements (booking_try_hold, booking_apply_paid). */
enum db_status seat_store_release(struct db_conn *c, const char *booking_id, int *released);

/* For validation before a hold: *unknown = 1 if a seat id does not exist,
 * *foreign = 1 if one belongs to another event than event_id. */
enum db_status seat_store_check(struct db_conn *c, const char *event_id, const char *seat_ids,
                                int *unknown, int *foreign);

/* All seats of an event as Seat JSON, *items a new reference (ordered by
 * section, row, number). An expired hold shows as OPEN. */
enum db_status seat_store_list(struct db_conn *c, const char *event_id, json_t **items);

/* Adds a seat (label defaults to "<row>-<number>"). DB_NOT_FOUND if the
 * event does not exist, DB_CONFLICT if the label is taken. *seat new ref. */
enum db_status seat_store_add(struct db_conn *c, const char *event_id, const struct seat_input *in,
                              json_t **seat);
/* Edits price/label of an OPEN seat. DB_NOT_FOUND, or DB_CONFLICT with
 * *held = 1 when the seat is held or booked (a label clash leaves it 0). */
enum db_status seat_store_patch(struct db_conn *c, const char *seat_id, const struct seat_input *in,
                                json_t **seat, int *held);
/* Deletes an OPEN seat. DB_NOT_FOUND, or DB_CONFLICT when held/booked. */
enum db_status seat_store_delete(struct db_conn *c, const char *seat_id);

/* "{id1,id2}" from validated UUIDs into out (at least 38*n+3 bytes). */
void seat_ids_literal(const char ids[][37], size_t n, char *out, size_t outlen);

#endif
