/* ticket_testlib.h: shared pieces of ticket-app's http tests: a real
 * payment-app and a real ticket-app on fresh databases, a real notification
 * receiver (libmicrohttpd) that verifies X-Signature, and HTTP/SQL helpers.
 * SQL in tests goes through parameters too (tt_q). */
#ifndef TICKET_TESTLIB_H
#define TICKET_TESTLIB_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "test_receiver.h"
#include "testsupport.h"

#define TT_ADMIN "adm_test_token_0123456789"
#define TT_SERVICE "svc_test_token_0123456789"
#define TT_PAY_TOKEN "pay_test_token_0123456789"
#define TT_WEBHOOK_SECRET "whsec_ticket_test_0123456789"
#define TT_NOTIFY_SECRET "notify_secret_test_0123456789"
#define TT_CODE_SECRET "code_secret_test_0123456789"

/* One notification as the receiver saw it (signature verified). */
struct note {
    char id[80];
    char type[32];
    char booking_id[37];
    char status[20];
    long version;
    int has_pdf;
};

struct notes {
    struct test_receiver rx; /* rx.url: ticket-app's NOTIFY_URL */
    pthread_mutex_t lock;
    struct note *v;
    size_t n, cap;
    int bad_sigs;
};

struct suite {
    struct test_daemon pay, ticket;
    char pay_db[512], ticket_db[512];
    struct notes notes;
    int ticket_port;
    int pay_running, ticket_running;
};

/* Creates both databases, starts the receiver, payment-app (env extra
 * entries win over the defaults; may be NULL) and ticket-app. 0 or -1. */
int suite_start(struct suite *s, const char *const *pay_env, const char *const *ticket_env);
/* Restarts ticket-app on the same database and port with other settings. */
int suite_restart_ticket(struct suite *s, const char *const *ticket_env);
void suite_stop_payment(struct suite *s);
void suite_stop(struct suite *s);

/* Waits for a notification of type for booking_id; 1 found (copied to out,
 * which may be NULL), 0 on timeout. */
int notes_wait(struct notes *n, const char *booking_id, const char *type, int timeout_ms,
               struct note *out);
size_t notes_count(struct notes *n, const char *booking_id, const char *type);

/* HTTP on ticket-app (path like "/api/events"); out new ref or NULL. */
long tt_call(struct suite *s, const char *method, const char *path, const char *bearer,
             json_t *body, json_t **out);
/* HTTP on payment-app. */
long tt_pay_call(struct suite *s, const char *method, const char *path, json_t *body, json_t **out);

/* Creates an event from a layout (JSON text of the "sections" array);
 * writes its id and returns its seats (new ref, ordered as the API lists). */
json_t *tt_create_event(struct suite *s, const char *sections_json, char id[37]);
/* POST /api/bookings with the service token. */
long tt_book(struct suite *s, const char *booking_id, const char *user, const char *event_id,
             const char *const *seat_ids, size_t n, json_t **out);
/* Polls GET /api/bookings/{id} until status; 0 or -1. */
int tt_wait_status(struct suite *s, const char *booking_id, const char *status, int timeout_ms);
/* Pays an invoice at payment-app ("card"); the HTTP status. */
long tt_pay(struct suite *s, const char *invoice_number);
/* Signs body with the webhook secret at time t (0 = now) and POSTs it to
 * /webhooks/payment; sig overrides the header when not NULL. */
long tt_webhook(struct suite *s, const char *body, long t, const char *sig);

/* One value from the ticket database: sql with up to two text parameters
 * ($1, $2; NULL when unused). Returns malloc'ed text or NULL (no row/NULL). */
char *tt_q(struct suite *s, const char *sql, const char *p1, const char *p2);
long tt_q_long(struct suite *s, const char *sql, const char *p1, const char *p2);
/* A seat's status in the ticket database ("?" when unknown), in a static
 * buffer that the next call overwrites. */
const char *tt_seat_status(struct suite *s, const char *seat_id);

void tt_uuid(char out[37]);
/* The names these had before sleep_ms and now_ms (common/util.h) served
 * every test: kept for tests written against them. */
#define tt_sleep_ms sleep_ms
#define tt_now_ms now_ms
const char *tt_str(json_t *o, const char *key); /* borrowed or "" */

#endif
