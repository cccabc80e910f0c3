/* event_store.h: SQL on events: create with the generated seats, read with
 * seat counts, patch, delete, stats. */
#ifndef TICKET_EVENT_STORE_H
#define TICKET_EVENT_STORE_H

#include <jansson.h>

#include "common/db.h"
#include "event.h"

/* Creates the event and its layout's seats (OPEN) in one transaction.
 * *event gets the Event JSON (new reference). */
enum db_status event_store_create(struct db_conn *c, const char *id, const struct event_input *in,
                                  json_t **event);
/* Event JSON with seat_counts; DB_NOT_FOUND if absent. */
enum db_status event_store_get(struct db_conn *c, const char *id, json_t **event);
/* Events ordered by starts_at; *items new reference. */
enum db_status event_store_list(struct db_conn *c, long limit, long offset, json_t **items,
                                long *total);
/* Applies the present fields. A change of starts_at or currency is refused
 * (DB_CONFLICT) while the event has live bookings (pending or confirmed):
 * tickets and invoices already carry them. DB_NOT_FOUND if absent. */
enum db_status event_store_patch(struct db_conn *c, const char *id, const struct event_input *in,
                                 json_t **event);
/* Deletes an event with no booking at all and no seat held or booked
 * (DB_CONFLICT otherwise). DB_NOT_FOUND if absent. */
enum db_status event_store_delete(struct db_conn *c, const char *id);
/* {seats:{open,on_going,booked,total}, bookings:{STATUS:n...}, revenue,
 * checked_in, currency}; DB_NOT_FOUND if absent. */
enum db_status event_store_stats(struct db_conn *c, const char *id, json_t **stats);
/* The currency of an event, into out (>= 8 bytes); DB_NOT_FOUND if absent. */
enum db_status event_store_currency(struct db_conn *c, const char *id, char *out, size_t outlen);

#endif
