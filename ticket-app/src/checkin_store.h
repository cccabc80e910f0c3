/* checkin_store.h: the SQL of check-in (table checkins,
 * migrations/ticket/020_checkins.sql) and of the gate's lists. */
#ifndef TICKET_CHECKIN_STORE_H
#define TICKET_CHECKIN_STORE_H

#include <jansson.h>

#include "checkin.h"
#include "common/db.h"

/* Scans the ticket (booking_id, seat_id), both UUIDs, at the gate of
 * gate_event (a UUID, or "" for any event), in one statement: the ticket
 * admits only while its booking is CONFIRMED, the seat is one the booking
 * asked for and BOOKED by it, and it is of the gate's event; the booking row
 * is share-locked for the statement, so a cancellation committing at the
 * same time either comes first (and the scan is refused) or waits for it.
 * The first admitting scan inserts the checkins row; the primary key makes
 * every later one, concurrent ones included, find that row instead (its scan
 * count goes up). DB_OK with out filled (outcome from checkin_decide, the
 * ticket's seat, booking and event; the caller cleans out up), DB_NOT_FOUND
 * when no such ticket exists, or another status on failure. */
enum db_status checkin_store_admit(struct db_conn *c, const char *booking_id, const char *seat_id,
                                   const char *gate_event, struct checkin_result *out);

/* The event as the gate names it; DB_NOT_FOUND when there is none. The
 * caller cleans out up. */
enum db_status checkin_store_event(struct db_conn *c, const char *event_id,
                                   struct checkin_event *out);

/* Number of tickets checked in for an event (for GET /api/events/{id}/stats). */
enum db_status checkin_store_count(struct db_conn *c, const char *event_id, long *count);

/* The gate's list of an event: *out (new reference) is {event, counts:
 * {tickets, checked_in, not_checked_in}, items:[{booking_id, booking_code,
 * seat:{id,label,section}, attendee, checked_in_at, scans}], total, limit,
 * offset}, newest check-in first. DB_NOT_FOUND when there is no such event. */
enum db_status checkin_store_list(struct db_conn *c, const char *event_id, long limit, long offset,
                                  json_t **out);

#endif
