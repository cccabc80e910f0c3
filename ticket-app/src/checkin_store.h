/* checkin_store.h: the SQL of check-in (table checkins,
 * migrations/ticket/020_checkins.sql). */
#ifndef TICKET_CHECKIN_STORE_H
#define TICKET_CHECKIN_STORE_H

#include "checkin.h"
#include "common/db.h"

/* Scans the ticket (booking_id, seat_id), both UUIDs, in one statement:
 * the ticket admits only while its booking is CONFIRMED, the seat is one the
 * booking asked for and the seat is BOOKED by it; the booking row is share-
 * locked for the statement, so a cancellation committing at the same time
 * either comes first (and the scan is refused) or waits for it. The first
 * scan inserts the checkins row; the primary key makes every later scan,
 * concurrent ones included, find that row instead (its scan count goes up).
 * DB_OK with out filled (outcome ADMITTED or ALREADY; the caller cleans out
 * up), DB_NOT_FOUND when the ticket does not admit (unknown, not confirmed,
 * cancelled, seat not in the booking), or another status on failure. */
enum db_status checkin_store_admit(struct db_conn *c, const char *booking_id, const char *seat_id,
                                   struct checkin_result *out);

/* Number of tickets checked in for an event (for GET /api/events/{id}/stats). */
enum db_status checkin_store_count(struct db_conn *c, const char *event_id, long *count);

#endif
