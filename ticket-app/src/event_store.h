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
/* Event JSON with seat_counts, timezone, starts_at_local, the sale window
 * and status (the SQL functions event_status and local_rfc3339, migrations
 * 050-051); DB_NOT_FOUND if absent, or a DRAFT and admin is 0. */
enum db_status event_store_find(struct db_conn *c, const char *id, int admin, json_t **event);
/* DB_OK if the event exists and is published (or admin is 1), else
 * DB_NOT_FOUND. */
enum db_status event_store_visible(struct db_conn *c, const char *id, int admin);
/* event_store_find as an admin (drafts too). */
enum db_status event_store_get(struct db_conn *c, const char *id, json_t **event);
/* Events of a list: when is "upcoming" (published, not cancelled, not
 * started, with seats; soonest first), "past" (started; latest first) or
 * "all" (soonest first). Drafts only when admin (not under past). *items
 * new reference; *total the count of the whole list. */
enum db_status event_store_list(struct db_conn *c, const char *when, int admin, long limit,
                                long offset, json_t **items, long *total);
/* Inside the caller's transaction: applies the present fields, the row
 * locked until it ends; *moved is 1 when starts_at changed (a
 * postponement: the caller tells the holders). A change of currency is
 * refused (DB_CONFLICT) while the event has live bookings: invoices carry
 * it. DB_NOT_FOUND if absent. */
enum db_status event_store_patch_tx(struct db_conn *c, const char *id, const struct event_input *in,
                                    int *moved);
/* Publishes a DRAFT (a published event stays as it is); DB_CONFLICT if the
 * event is cancelled; *event the Event after. */
enum db_status event_store_publish(struct db_conn *c, const char *id, json_t **event);
/* The ids of the event's live bookings (seats held or sold): *ids a new
 * JSON array of strings. */
enum db_status event_store_live_bookings(struct db_conn *c, const char *id, json_t **ids);
/* Inside the caller's transaction: every CONFIRMED booking of the event
 * gets a new version and its RENDER follow-up due again (the loop renders
 * the ticket anew and delivers it as booking.confirmed). */
enum db_status event_store_rerender(struct db_conn *c, const char *id);
/* Deletes an event with no booking at all and no seat held or booked
 * (DB_CONFLICT otherwise). DB_NOT_FOUND if absent. */
enum db_status event_store_delete(struct db_conn *c, const char *id);
/* {seats:{open,on_going,booked,total}, bookings:{STATUS:n...}, revenue,
 * checked_in, currency}; DB_NOT_FOUND if absent. */
enum db_status event_store_stats(struct db_conn *c, const char *id, json_t **stats);
/* The currency of an event, into out (>= 8 bytes); DB_NOT_FOUND if absent. */
enum db_status event_store_currency(struct db_conn *c, const char *id, char *out, size_t outlen);

#endif
