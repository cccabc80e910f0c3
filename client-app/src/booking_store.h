/* booking_store.h: SQL for bookings, their history, idempotency keys and
 * processed notifications. PGresults are the caller's to PQclear. */
#ifndef CLIENT_BOOKING_STORE_H
#define CLIENT_BOOKING_STORE_H

#include "booking.h"
#include "common/db.h"

/* Fills v with borrowed values of row r of a booking result. */
void booking_view_from(const PGresult *res, int r, struct booking_view *v);

/* An attempt to record: REQUESTED, or refused here (a seat known to be
 * taken: seat_hint.h), then FAILED SEAT_UNAVAILABLE. Strings borrowed;
 * attendees_json and event_name may be NULL, amount -1 for none. */
struct booking_record {
    const char *id, *user_id, *event_id;
    const char *seats_json; /* [{id, label, price}] */
    const char *attendees_json;
    int refused;
    const char *event_name;
    long amount;
};
/* Records the attempts rows[0..n-1], each with its history (the request;
 * a refusal here also the refusal), in one statement (atomic on its own;
 * inside a transaction when it must commit with something else, e.g. an
 * Idempotency-Key); *out is their rows (BOOKING_COLS, in no set order).
 * The only statement that records an attempt. */
enum db_status booking_store_record(struct db_conn *c, const struct booking_record *rows, int n,
                                    PGresult **out);
/* A booking (of owner unless owner is NULL); DB_NOT_FOUND otherwise. The
 * row also has version, has_pdf ("t"/"f") and age_ms. */
enum db_status booking_store_get(struct db_conn *c, const char *id, const char *owner,
                                 PGresult **out);
/* Newest first; owner and status (public status) may be NULL. */
enum db_status booking_store_list(struct db_conn *c, const char *owner, const char *status,
                                  long limit, long offset, PGresult **out, long *total);
/* The user's bookings that hold seats (HELD, PENDING_PAYMENT, CONFIRMED):
 * id, status, event_id; oldest first. */
enum db_status booking_store_live_of_user(struct db_conn *c, const char *user_id, PGresult **out);
/* The box office: bookings whose code, holder's username or e-mail is q
 * (any case), or whose holder's full name or an attendee's name contains
 * q; newest first, *total of all that match. */
enum db_status booking_store_search(struct db_conn *c, const char *q, long limit, long offset,
                                    PGresult **out, long *total);
/* As booking_store_get, the row also with history: a JSON array of the
 * booking's history entries oldest first ({status, reason, source,
 * version, at}). */
enum db_status booking_store_get_with_history(struct db_conn *c, const char *id, const char *owner,
                                              PGresult **out);
enum db_status booking_store_add_event(struct db_conn *c, const char *id, const char *status,
                                       const char *reason, const char *source, const char *version);

/* Inserts a booking ticket-app made (a waitlist offer) before its
 * booking.created notification arrives, with its history entry; *inserted
 * 0 when it is already stored (the notification then applies as usual) or
 * its user is unknown here. */
enum db_status booking_store_adopt(struct db_conn *c, const struct ticket_booking *tb,
                                   int *inserted);
/* Applies tb over the existing booking if tb's version is newer, with its
 * history entry from source, in one statement (the only one that applies a
 * TicketBooking outside notifications): *out is the booking's row
 * (BOOKING_COLS, as booking_store_get), DB_NOT_FOUND when nothing was
 * applied (a newer version is stored). Autocommitted or in the caller's
 * transaction. */
enum db_status booking_store_apply_answer(struct db_conn *c, const struct ticket_booking *tb,
                                          const char *source, PGresult **out);
/* REQUESTED (never answered by ticket-app) -> FAILED with reason; *applied. */
enum db_status booking_store_fail_requested(struct db_conn *c, const char *id, const char *reason,
                                            int *applied);
/* Deletes a booking still REQUESTED (ticket-app refused it as invalid). */
enum db_status booking_store_delete_requested(struct db_conn *c, const char *id);
/* Stores the ticket PDF unless one is stored already. */
enum db_status booking_store_put_pdf(struct db_conn *c, const char *id, const unsigned char *pdf,
                                     size_t len);
/* status and pdf_hex (NULL if none) of a booking of owner (NULL = any). */
enum db_status booking_store_get_pdf(struct db_conn *c, const char *id, const char *owner,
                                     PGresult **out);

/* Idempotency keys. claim: DB_OK with *claimed 1 if the key was new (row
 * written with booking_id), 0 if it exists. */
enum db_status idem_store_claim(struct db_conn *c, const char *user_id, const char *key,
                                const char *request_hash, const char *booking_id, long lock_ms,
                                int *claimed);
/* request_hash, booking_id, status_code, response, locked ("t"/"f"). */
enum db_status idem_store_get(struct db_conn *c, const char *user_id, const char *key,
                              PGresult **out);
/* Takes over an unfinished key whose lock ran out; *claimed 1 if taken. */
enum db_status idem_store_takeover(struct db_conn *c, const char *user_id, const char *key,
                                   long lock_ms, int *claimed);
enum db_status idem_store_finish(struct db_conn *c, const char *user_id, const char *key,
                                 int status_code, const char *response);

/* Ids of up to limit attempts still REQUESTED older than age_ms, oldest
 * first. */
enum db_status booking_store_stale_requested(struct db_conn *c, long age_ms, int limit,
                                             PGresult **out);

/* Housekeeping: finished idempotency keys older than a day. */
enum db_status booking_store_purge(struct db_conn *c);

#endif
