/* attendee_store.h: SQL of attendees (booking_attendees,
 * migrations/ticket/071_attendees.sql) and of what a ticket prints beyond
 * the booking (the venue's local time, each seat's person). */
#ifndef TICKET_ATTENDEE_STORE_H
#define TICKET_ATTENDEE_STORE_H

#include "common/db.h"

/* A booking's attendees are stored with its hold, by the HOLD transition
 * (booking_try_hold, booking_store.h), which also applies the event's
 * attendees_required guard. */

/* For the ticket of booking_id: row (starts_at_local, timezone, attendees:
 * JSON text {"<seat id>": {name, id_number}} or NULL) into *out (caller
 * PQclears); DB_NOT_FOUND when there is no such booking. */
enum db_status attendee_store_ticket_info(struct db_conn *c, const char *booking_id,
                                          PGresult **out);

/* The event's passenger/attendee list as JSON text {event, items:[{seat,
 * attendee, holder, user_id, booking_id, booking_code, status,
 * checked_in_at}]} (new malloc'ed), every seat of its bookings that hold or
 * held seats; DB_NOT_FOUND when there is no such event. */
enum db_status attendee_store_manifest(struct db_conn *c, const char *event_id, char **json);

#endif
