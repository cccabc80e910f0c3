/* queue_store.h: SQL of the waiting room (tables event_queues and
 * queue_tickets, migrations/client/060_waiting_room.sql). Every statement
 * autocommits unless said otherwise; PGresults are the caller's to
 * PQclear. Times come from the database's clock, so that every instance
 * reads the same. */
#ifndef CLIENT_QUEUE_STORE_H
#define CLIENT_QUEUE_STORE_H

#include <stddef.h>

#include "common/db.h"
#include "queue.h"

/* The queue of event_id into *cfg; DB_NOT_FOUND when none was ever set. */
enum db_status queue_store_config_get(struct db_conn *c, const char *event_id,
                                      struct queue_config *cfg);
/* Sets the queue of event_id (created or replaced) with ticket-app's
 * sales_start_at (RFC 3339, NULL when sales are open). */
enum db_status queue_store_config_put(struct db_conn *c, const char *event_id,
                                      const struct queue_config *cfg, const char *sales_start_at);
/* Copies ticket-app's sales_start_at (may be NULL) to the queue of
 * event_id, if it has one that has not opened yet. */
enum db_status queue_store_sales_start(struct db_conn *c, const char *event_id,
                                       const char *sales_start_at);
/* The event's sale is over: its queue is turned off (cancelled) or
 * removed with its tickets (deleted). DB_OK also when it had none. */
enum db_status queue_store_end(struct db_conn *c, const char *event_id, int deleted);
/* The queues of the n events ids (UUID texts): found[i] 1 and cfgs[i]
 * filled when ids[i] has one, else found[i] 0. */
enum db_status queue_store_configs(struct db_conn *c, const char *const *ids, size_t n,
                                   struct queue_config *cfgs, int *found);

/* What a join did. */
enum queue_join {
    QJ_NONE = 0, /* nothing: the user's ticket is in line (or admitted) already, or the
                    event has no enabled queue */
    QJ_NEW,      /* a ticket was made (id new_id) */
    QJ_REQUEUED, /* the user's ticket had left or its pass expired: back in line, at its end */
};
/* Puts user_id in the queue of event_id if it is enabled: one statement,
 * the (event, user) key making it one ticket per user per event. */
enum db_status queue_store_join(struct db_conn *c, const char *event_id, const char *user_id,
                                const char *new_id, enum queue_join *out);
/* The ticket of user_id at event_id with its queue's figures, read by the
 * two primary keys; DB_NOT_FOUND if the user never joined. */
enum db_status queue_store_ticket(struct db_conn *c, const char *event_id, const char *user_id,
                                  struct queue_ticket *t);
/* The ticket leaves the line (LEFT; its pass no longer buys). DB_OK also
 * when it had left already, DB_NOT_FOUND when there is none. */
enum db_status queue_store_leave(struct db_conn *c, const char *event_id, const char *user_id);
/* The admin's figures: one row with enabled, admit_per_minute,
 * pass_ttl_seconds, waiting, admitted (passes still valid), expired,
 * left, admitted_total, numbered, opened_at, sales_start_at;
 * DB_NOT_FOUND without a queue. */
enum db_status queue_store_stats(struct db_conn *c, const char *event_id, PGresult **out);

/* Spends the pass of ticket_id (user_id's at event_id) on booking attempt
 * booking_id, in one conditional statement: DB_OK when the ticket is
 * ADMITTED, its pass unexpired, and the pass is free: never spent, or
 * spent on an attempt that FAILED, or on one that was never stored
 * (its request died or was invalid) and claimed over stale_ms ago.
 * DB_NOT_FOUND otherwise (spent on a booking that was not refused, one
 * still running, or the ticket left). Concurrent claims of one pass: the
 * row lock lets one through and the other sees it spent. Run it where the
 * attempt is recorded (with the Idempotency-Key's transaction, if any). */
enum db_status queue_store_claim(struct db_conn *c, const char *event_id, const char *user_id,
                                 const char *ticket_id, const char *booking_id, long stale_ms);

/* The enabled queues whose sale opened (the least recently stepped
 * first): event_id, at most 100. */
enum db_status queue_store_due(struct db_conn *c, PGresult **out);
/* One step of the queue of event_id, in one transaction under its row lock
 * (FOR UPDATE SKIP LOCKED: an instance finding it locked leaves it to the
 * one holding it): once sales are open, numbers the tickets not numbered
 * yet (at the opening, those who joined before sales_start_at in random
 * order, then everybody by arrival), then admits the next tickets by
 * position as many as queue_admit_due allows, advancing the clock by
 * what was admitted. *numbered and *admitted receive the counts. */
enum db_status queue_store_advance(struct db_conn *c, const char *event_id, long *numbered,
                                   long *admitted);

#endif
