/* inbox_store.h: SQL of the inbox (migrations/client/021_notifications.sql).
 * Entries about a booking's status are written by a trigger on bookings in
 * the transaction of the change; these functions read and mark them, add
 * those that no status change causes, and feed the mailer. */
#ifndef CLIENT_INBOX_STORE_H
#define CLIENT_INBOX_STORE_H

#include "common/db.h"

/* A user's entries newest first: rows (id, kind, params, booking_id,
 * created_at, read_at) into *out (caller PQclears), *total and *unread. */
enum db_status inbox_store_list(struct db_conn *c, const char *user_id, long limit, long offset,
                                PGresult **out, long *total, long *unread);
/* Marks a user's entry read (the first time only) and returns its row as
 * inbox_store_list does; DB_NOT_FOUND when it is not the user's. */
enum db_status inbox_store_mark_read(struct db_conn *c, const char *user_id, const char *id,
                                     PGresult **out);
enum db_status inbox_store_unread(struct db_conn *c, const char *user_id, long *unread);

/* Names the cause of the current transaction (a ticket-app notification
 * type), read by the bookings trigger: call inside the transaction, before
 * the change. */
enum db_status inbox_store_set_cause(struct db_conn *c, const char *cause);
/* Adds an entry of kind to the holder of booking_id, once per dedupe_key;
 * params is a JSON object text. DB_OK also when it was there already or the
 * booking is not known here. */
enum db_status inbox_store_add(struct db_conn *c, const char *kind, const char *booking_id,
                               const char *params, const char *dedupe_key);
/* hold.expiring for every payment window ending within lead_s seconds, once
 * per window (a conditional insert: any number of instances may run it at
 * once). *added gets how many were new. */
enum db_status inbox_store_hold_expiring(struct db_conn *c, long lead_s, long *added);

/* Whether new entries are also e-mailed (mail_config). */
enum db_status inbox_store_set_mail(struct db_conn *c, int enabled);
/* What the mailer needs of an entry: row (email, full_name, username, kind,
 * params, booking_id, created_at, pdf_hex — the booking's ticket for
 * booking.confirmed, else NULL) into *out; DB_NOT_FOUND if it is gone. */
enum db_status inbox_store_mail_load(struct db_conn *c, const char *id, PGresult **out);

#endif
