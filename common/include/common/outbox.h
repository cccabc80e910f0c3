/* outbox.h: reliable delivery of signed events (payment webhooks, ticket
 * notifications). An event row is written in the same transaction as the
 * state change it reports; a background loop POSTs it with X-Signature until
 * a 2xx, with exponential backoff and jitter. Rows are claimed by a lease
 * (one autocommitted UPDATE ... FOR UPDATE SKIP LOCKED), so no HTTP call
 * happens inside a transaction and several instances can share a database.
 * Tables: migrations/common/001_outbox.sql. */
#ifndef COMMON_OUTBOX_H
#define COMMON_OUTBOX_H

#include <jansson.h>
#include "common/db.h"

struct outbox_config {
    const char *url;        /* where events go */
    const char *secret;     /* HMAC secret for X-Signature */
    long timeout_ms;        /* per attempt */
    long retry_base_ms;     /* first retry after about this (e.g. 1000) */
    long retry_max_ms;      /* backoff cap (e.g. 600000) */
    int batch;              /* events claimed per tick */
    long lease_ms;          /* a claimed event is not retaken for this long;
                               must exceed timeout_ms */
};

/* Enqueues an event; call inside the transaction that makes the change.
 * event_id is unique ("evt_..."); payload is the exact JSON body to send. */
enum db_status outbox_enqueue(struct db_conn *conn, const char *event_id, const char *topic,
                              const char *payload);

/* One delivery round: claims up to cfg->batch due events, POSTs each, and
 * records every attempt. Returns the number attempted (> 0: call again),
 * 0 if none was due, -1 if the database could not be reached. */
int outbox_tick(struct db_pool *pool, const struct outbox_config *cfg);

/* Delay before attempt number attempts+1 (attempts >= 1 already failed):
 * min(max, base * 2^(attempts-1)) scaled by a jitter in [0.5, 1.5). Pure. */
long outbox_backoff_ms(const struct outbox_config *cfg, int attempts, double jitter01);

/* Marks an event due now, delivered or not ("send it again").
 * DB_NOT_FOUND if there is no such event. */
enum db_status outbox_replay(struct db_conn *conn, const char *event_id);

/* Lists events newest first as JSON objects {id, topic, created_at,
 * attempts, next_attempt_at, delivered_at, last_status, last_error,
 * payload(parsed)}; *items is a new reference. status_filter: NULL, "pending"
 * or "delivered". */
enum db_status outbox_list(struct db_conn *conn, const char *status_filter, long limit,
                           long offset, json_t **items, long *total);
/* The attempts of one event, oldest first: [{attempted_at, status, error,
 * duration_ms}]; new reference. */
enum db_status outbox_attempts(struct db_conn *conn, const char *event_id, json_t **items);

#endif
