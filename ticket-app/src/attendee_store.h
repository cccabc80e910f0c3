/* attendee_store.h: SQL of attendees (booking_attendees,
 * migrations/ticket/071_attendees.sql) and of what a ticket prints beyond
 * the booking (the venue's local time, each seat's person). */
#ifndef TICKET_ATTENDEE_STORE_H
#define TICKET_ATTENDEE_STORE_H

#include "common/db.h"

/* *required = the event asks a name per seat; DB_NOT_FOUND: no event. */
enum db_status attendee_store_required(struct db_conn *c, const char *event_id, int *required);

/* Stores the attendees (JSON text [{seat_id, name, id_number}]) of booking
 * booking_id; a replay of the same booking changes nothing. */
enum db_status attendee_store_put(struct db_conn *c, const char *booking_id, const char *json);

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
