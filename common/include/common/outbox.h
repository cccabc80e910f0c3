/* outbox.h: reliable delivery of signed events (payment webhooks, ticket
 * notifications). An event row is written in the same transaction as the
 * state change it reports; a background loop POSTs it with X-Signature until
 * a 2xx, with exponential backoff and jitter. Rows are claimed by a lease
 * (one autocommitted UPDATE ... FOR UPDATE SKIP LOCKED), so no HTTP call
 * happens inside a transaction and several instances can share a database.
 * A tick sends its whole batch at once and records all the attempts in one
 * statement. A writer may also hand a committed event to the loop in memory
 * (outbox_enqueue_leased + outbox_queue_push): it is sent without being
 * claimed first, and claimed like any other if the process dies before.
 * Tables: migrations/common/001_outbox.sql; a trigger enqueues through
 * the SQL function outbox_put (migrations/common/003_outbox_put.sql). */
#ifndef COMMON_OUTBOX_H
#define COMMON_OUTBOX_H

#include "common/db.h"
#include "common/http.h"
#include <jansson.h>

struct outbox_config {
    const char *url;    /* where events go */
    const char *secret; /* HMAC secret for X-Signature */
    long timeout_ms;    /* per attempt */
    long retry_base_ms; /* first retry after about this (e.g. 1000) */
    long retry_max_ms;  /* backoff cap (e.g. 600000) */
    int batch;          /* events claimed per tick */
    long lease_ms;      /* a claimed event is not retaken for this long;
                           at least timeout_ms + 5 s is used */
    /* Optional: events delivered by this function instead of an HTTP POST
     * to url (e-mail through SMTP, say), one after another. It returns 0
     * when the receiver answered, *status set to its reply code (accepted
     * when 200..299, e.g. SMTP 250) and err to its text; -1 when it could
     * not be reached (err says why). It must finish within timeout_ms. */
    int (*deliver)(void *arg, const char *event_id, const char *payload, long *status, char *err,
                   size_t errlen);
    void *deliver_arg;
};

/* Enqueues an event; call inside the transaction that makes the change.
 * event_id is unique ("evt_..."); payload is the exact JSON body to send. */
enum db_status outbox_enqueue(struct db_conn *conn, const char *event_id, const char *topic,
                              const char *payload);

/* As outbox_enqueue, for an event the caller will hand to a delivery loop
 * with outbox_queue_push once its transaction has committed: the row is
 * written already leased for lease_ms (use outbox_lease_ms) and its first
 * attempt counted, so no claim takes it meanwhile. */
enum db_status outbox_enqueue_leased(struct db_conn *conn, const char *event_id, const char *topic,
                                     const char *payload, long lease_ms);

/* The lease a claim (or outbox_enqueue_leased) takes under cfg:
 * max(cfg->lease_ms, timeout_ms + 5 s). */
long outbox_lease_ms(const struct outbox_config *cfg);

/* One delivery round: claims up to cfg->batch due events, POSTs them all at
 * once, and records every attempt in one statement. If the calling loop is
 * stopping (bg_stopping), claimed events are handed back unsent. Returns
 * the number attempted (> 0: call again), 0 if none was due, -1 if the
 * database could not be reached. */
int outbox_tick(struct db_pool *pool, const struct outbox_config *cfg);

/* Committed events handed to a delivery loop in memory. Thread-safe. */
struct outbox_queue;
struct outbox_queue *outbox_queue_create(size_t cap);
void outbox_queue_destroy(struct outbox_queue *q);
/* Call after the transaction that ran outbox_enqueue_leased(.., lease_ms)
 * committed; then wake the loop. 0, or -1 when the queue is full (the
 * event is claimed once its lease runs out). Copies id and payload. */
int outbox_queue_push(struct outbox_queue *q, const char *event_id, const char *payload,
                      long lease_ms);
size_t outbox_queue_len(struct outbox_queue *q);

/* outbox_tick for a loop fed by q: takes up to cfg->batch events from q,
 * and claims from the table only when q had none or every 250 ms (retries,
 * events enqueued without a hand-over). An event whose lease is about to
 * run out is left to be claimed again. Returns > 0 when more is waiting
 * (call again at once), 0 when idle, -1 if the database could not be
 * reached. */
int outbox_tick_queue(struct db_pool *pool, const struct outbox_config *cfg,
                      struct outbox_queue *q);

/* Delay before attempt number attempts+1 (attempts >= 1 already failed):
 * min(max, base * 2^(attempts-1)) scaled by a jitter in [0.5, 1.5). Pure. */
long outbox_backoff_ms(const struct outbox_config *cfg, int attempts, double jitter01);

/* The INSERT that writes an event already leased to the delivery loop
 * that is about to send it (attempts 1, due after lease_ms), as a data-
 * modifying CTE body for a service's own one-statement transaction:
 * "o AS (" OUTBOX_INSERT_LEASED("$5", "$6", "$7", "$8", "s") ")". id, topic,
 * payload and lease_ms are parameter placeholders; from is the CTE whose
 * rows decide whether it is written (one event per row). Conflicting ids
 * are left as they are. The outbox's schema is migrations/common/. */
#define OUTBOX_INSERT_LEASED(id, topic, payload, lease_ms, from)                                   \
    "INSERT INTO outbox (id, topic, payload, attempts, next_attempt_at) "                          \
    "SELECT " id ", " topic ", " payload ", 1, now() + " lease_ms "::bigint * interval "            \
    "'1 millisecond' FROM " from " ON CONFLICT (id) DO NOTHING RETURNING id"

/* Events not delivered yet (a gauge for /metrics). */
enum db_status outbox_pending_count(struct db_conn *conn, long *count);

/* One event as outbox_list shows it, with "attempt_log": every attempt,
 * oldest first; *out a new reference. DB_NOT_FOUND if there is none. */
enum db_status outbox_get(struct db_conn *conn, const char *event_id, json_t **out);

/* The deliveries endpoint every service with an outbox serves, whole:
 * GET list (?status=pending|delivered, paging: 200 page), GET one by the
 * {id} path parameter (200, 404), POST replay of {id} (202 with the event,
 * due now; 404). A connection is borrowed from pool (wait_ms, else 503).
 * outbox_answer_replay returns 1 when it replayed (the caller may wake its
 * delivery loop), else 0. */
void outbox_answer_list(struct db_pool *pool, int wait_ms, struct http_req *req,
                        struct http_res *res);
void outbox_answer_get(struct db_pool *pool, int wait_ms, struct http_req *req,
                       struct http_res *res);
int outbox_answer_replay(struct db_pool *pool, int wait_ms, struct http_req *req,
                         struct http_res *res);

/* Marks an event due now, delivered or not ("send it again").
 * DB_NOT_FOUND if there is no such event. */
enum db_status outbox_replay(struct db_conn *conn, const char *event_id);

/* Lists events newest first as JSON objects {id, topic, created_at,
 * attempts, next_attempt_at, delivered_at, last_status, last_error,
 * payload(parsed)}; *items is a new reference. status_filter: NULL, "pending"
 * or "delivered". */
enum db_status outbox_list(struct db_conn *conn, const char *status_filter, long limit, long offset,
                           json_t **items, long *total);
/* The attempts of one event, oldest first: [{attempted_at, status, error,
 * duration_ms}]; new reference. */
enum db_status outbox_attempts(struct db_conn *conn, const char *event_id, json_t **items);

#endif
