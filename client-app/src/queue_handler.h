/* queue_handler.h: the waiting room's endpoints, its admission loop, the
 * pass check of POST /api/bookings, and the queue part of the admin's
 * event answers (docs/waitroom.md). */
#ifndef CLIENT_QUEUE_HANDLER_H
#define CLIENT_QUEUE_HANDLER_H

#include <jansson.h>

#include "common/db.h"
#include "common/http.h"
#include "queue.h"

struct client_app;

/* POST /api/events/{id}/queue (201 new ticket, 200 the same one),
 * GET and DELETE /api/events/{id}/queue/me, GET /api/events/{id}/queue
 * (admin: the queue's figures). */
void queue_handle_join(struct http_req *req, struct http_res *res, void *app);
void queue_handle_me(struct http_req *req, struct http_res *res, void *app);
void queue_handle_leave(struct http_req *req, struct http_res *res, void *app);
void queue_handle_stats(struct http_req *req, struct http_res *res, void *app);

/* Sets app->queue_secret (QUEUE_PASS_SECRET, or when unset one derived
 * from NOTIFY_SECRET, so that instances sharing it agree) and starts the
 * admission loop. 0, or -1 after a message. */
int queue_start(struct client_app *app);
void queue_stop(struct client_app *app);
/* One step of every queue with work (the loop's tick): >= 0 the tickets
 * admitted, -1 when the database could not be reached. */
int queue_tick(void *app);

/* The pass check of POST /api/bookings. */
struct queue_gate {
    int required; /* the event's queue is on: the pass below is to be claimed */
    char ticket_id[37];
};
/* Reads the queue of event_id: without an enabled one, g->required is 0.
 * With one, the X-Queue-Pass header must be a pass of user_id for
 * event_id, unexpired. Returns 0 to go on, -1 after answering res: 403
 * QUEUE_PASS_REQUIRED with details.reason (queue_pass_check_name), or the
 * database's error. */
int queue_gate_check(struct client_app *app, struct http_req *req, struct http_res *res,
                     const char *user_id, const char *event_id, struct queue_gate *g);
/* Spends the checked pass on attempt booking_id (queue_store_claim), on
 * the caller's connection, before the attempt is recorded: DB_NOT_FOUND
 * when it cannot be (answer with queue_gate_refuse). */
enum db_status queue_gate_claim(struct client_app *app, struct db_conn *c,
                                const struct queue_gate *g, const char *user_id,
                                const char *event_id, const char *booking_id);
/* Answers 403 QUEUE_PASS_REQUIRED for a pass queue_gate_claim refused,
 * with details.reason SPENT, EXPIRED or LEFT as the ticket now says. */
void queue_gate_refuse(struct client_app *app, struct http_res *res, const char *user_id,
                       const char *event_id);

/* The admin's event answers (admin_handler.c). queue_admin_parse: reads
 * body's "queue" (a PATCH merges with the stored one; event_id NULL on
 * create) into *cfg and removes it from body: 1 when set, 0 when absent,
 * -1 after answering res (400 VALIDATION_FAILED, or the database's
 * error). queue_admin_answer: after ticket-app answered res with an Event
 * (2xx), stores cfg (when not NULL) with the event's sales_start_at, or
 * keeps the stored queue's sales_start_at in step with the event, and adds
 * "queue" to the answer (the setting, or null). */
int queue_admin_parse(struct client_app *app, struct http_res *res, const char *event_id,
                      json_t *body, struct queue_config *cfg);
void queue_admin_answer(struct client_app *app, struct http_res *res,
                        const struct queue_config *cfg);

/* After ticket-app cancelled (deleted 0) or deleted (1) event_id: its
 * queue is turned off, or removed with its tickets. A failure is logged,
 * not answered: the event's own change was made. */
void queue_event_ended(struct client_app *app, const char *event_id, int deleted);

/* Gives every event of the array events (borrowed) its "queue": the
 * setting, or null. Left out (and logged) when the store cannot answer.
 * When fresh (ticket-app's answer now, not a kept one), an enabled queue
 * not opened yet takes the event's sales_start_at as ticket-app answered
 * it (a sale moved there directly). */
void queue_add_to_events(struct client_app *app, json_t *events, int fresh);

#endif
