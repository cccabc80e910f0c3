/* app.h: client-app's shared state (configuration, pool, rate limiter) and
 * the declarations the handlers share: route flags, the authenticated user,
 * every handler of the route table. */
#ifndef CLIENT_APP_H
#define CLIENT_APP_H

#include <sodium.h>
#include <stdatomic.h>

#include "common/db.h"
#include "common/http.h"
#include "common/outbox.h"
#include "seat_hint.h"

struct ratelimit;
struct queue_seen;
struct bg_loop;
struct sbuf;

struct client_app {
    /* configuration (borrowed from the environment or defaults) */
    const char *ticket_url;
    const char *ticket_token;
    const char *notify_secret;
    const char *admin_password;
    long rate_limit_per_minute; /* 0 = off */
    long session_ttl_s;
    long ticket_timeout_ms;
    long maint_interval_ms;
    long seat_hint_ms; /* how long a seat ticket-app said is taken is refused here (0 = never) */
    /* the inbox and its e-mail (mailer.h) */
    const char *smtp_url;  /* "" = no e-mail */
    const char *mail_from; /* "Name <addr>" */
    long hold_expiring_lead_s;
    long inbox_interval_ms;
    long mail_timeout_ms;
    long mail_retry_base_ms;
    long mail_retry_max_ms;
    struct outbox_config mail_cfg;
    /* the waiting room (queue_handler.h) */
    const char *queue_pass_secret; /* QUEUE_PASS_SECRET; "" = derived from notify_secret */
    long queue_interval_ms;
    char queue_secret[65];         /* the key passes are signed with (set by queue_start) */
    struct queue_seen *queue_seen; /* events' queue on/off, read a moment ago (queue_handler.c) */
    struct bg_loop *queue_loop;
    struct bg_loop *inbox_loop;
    struct bg_loop *mail_loop;
    /* set by init */
    struct db_pool *pool;
    struct ratelimit *limiter; /* NULL when rate limiting is off */
    struct bg_loop *maint;
    struct seat_hint *seat_hint;             /* recently taken seats (seat_hint.h) */
    struct event_cache *event_cache;         /* ticket-app's last event answers */
    char dummy_hash[crypto_pwhash_STRBYTES]; /* verified against for unknown logins */
    /* counters for /metrics */
    atomic_long n_rate_limited;
    atomic_long n_logins_failed;
    atomic_long n_bookings_created;
    atomic_long n_ticket_unavailable;
    atomic_long n_events_stale; /* event reads answered from event_cache */
    atomic_long n_refused_by_hint;
    atomic_long n_notifications_applied;
    atomic_long n_notifications_duplicate;
    atomic_long n_notifications_rejected;
    atomic_long n_queue_joined;
    atomic_long n_queue_admitted;
    atomic_long n_queue_pass_refused;
};

/* Route flags (struct http_route.flags). Without ROUTE_AUTH a route is open
 * to anyone; a valid bearer is still recognised (an admin creating users). */
enum {
    ROUTE_AUTH = 1,      /* a valid session is required: 401 otherwise */
    ROUTE_ADMIN = 2,     /* role admin is required: 403 otherwise */
    ROUTE_INTERNAL = 4,  /* service-to-service: no bearer, no rate limit */
    ROUTE_GATE = 8,      /* role staff or admin is required: 403 otherwise */
    ROUTE_STAFF_OK = 16, /* open to staff too; every other ROUTE_AUTH route is 403 for staff */
};

/* The authenticated caller, kept in req->auth by the before hook. */
struct auth_user {
    char id[37];
    int is_admin;
    int is_staff;        /* role staff: the gate only (ROUTE_GATE, ROUTE_STAFF_OK) */
    char holder[401];    /* full name, else username: printed on the user's tickets */
    char token_hash[65]; /* hex SHA-256 of the bearer (for logout) */
};

/* routes.c */
extern const struct http_route client_routes[];
extern const size_t client_nroutes;

/* auth.c */
int auth_before(struct http_req *req, struct http_res *res, void *app);
/* The caller or NULL when anonymous (borrowed from req). */
const struct auth_user *auth_current(const struct http_req *req);
/* hex SHA-256 of a bearer token into out. */
void auth_token_hash(const char *token, char out[65]);
void app_metrics(struct sbuf *out, void *app);

/* How long a handler waits for a pooled connection before answering 503
 * (db_acquire_or_503). */
#define APP_DB_WAIT_MS 2000

/* user_handler.c */
void user_handle_create(struct http_req *req, struct http_res *res, void *app);
void user_handle_me(struct http_req *req, struct http_res *res, void *app);
void user_handle_list(struct http_req *req, struct http_res *res, void *app);
void user_handle_get(struct http_req *req, struct http_res *res, void *app);
void user_handle_patch(struct http_req *req, struct http_res *res, void *app);
void user_handle_delete(struct http_req *req, struct http_res *res, void *app);
void session_handle_create(struct http_req *req, struct http_res *res, void *app);
void session_handle_delete(struct http_req *req, struct http_res *res, void *app);
/* Creates the user "admin" with ADMIN_PASSWORD if absent; 0 or -1. */
int user_ensure_admin(struct client_app *app);

/* event_handler.c */
void event_handle_list(struct http_req *req, struct http_res *res, void *app);
void event_handle_get(struct http_req *req, struct http_res *res, void *app);
void event_handle_seats(struct http_req *req, struct http_res *res, void *app);

/* booking_handler.c */
void booking_handle_create(struct http_req *req, struct http_res *res, void *app);
void booking_handle_list(struct http_req *req, struct http_res *res, void *app);
void booking_handle_get(struct http_req *req, struct http_res *res, void *app);
void booking_handle_refresh(struct http_req *req, struct http_res *res, void *app);
void booking_handle_cancel(struct http_req *req, struct http_res *res, void *app);
/* POST /api/bookings/{id}/checkout (owner): ticket-app's checkout of a
 * HELD selection, its answer stored in the history: 201 Booking
 * PENDING_PAYMENT with payment; 409 HOLD_EXPIRED / NOT_HELD with the
 * booking; 404 for anyone else's; 503 when ticket-app or its payment
 * service cannot be reached. */
void booking_handle_checkout(struct http_req *req, struct http_res *res, void *app);
void booking_handle_ticket(struct http_req *req, struct http_res *res, void *app);
/* Cancels booking id at ticket-app (its cancel API: seats released,
 * invoice voided or refunded) and stores what it answered (status and
 * history). 0 when ticket-app answered: *status its HTTP status (200:
 * cancelled; 409: not cancellable), *reply its body (new reference or
 * NULL); -1 after answering res (503 unreachable, or the store's error). */
int booking_cancel_remote(struct client_app *app, struct http_res *res, const char *id,
                          long *status, json_t **reply);

/* Settles attempts left REQUESTED by a request that died (process stopped,
 * database lost after the call): asks ticket-app and stores what it says,
 * or FAILED TICKET_SERVICE_UNAVAILABLE if it never saw them. Returns the
 * number settled, -1 if the database could not be reached. */
int booking_reconcile_stale(struct client_app *app);

/* gate_handler.c: the gate for staff and admins, passed on to ticket-app */
void gate_handle_checkin(struct http_req *req, struct http_res *res, void *app);
void gate_handle_list(struct http_req *req, struct http_res *res, void *app);

/* boxoffice_handler.c: GET /api/admin/events/{id}/attendees.csv */
void boxoffice_handle_attendees_csv(struct http_req *req, struct http_res *res, void *app);

/* inbox_handler.c: the user's notifications */
void inbox_handle_list(struct http_req *req, struct http_res *res, void *app);
void inbox_handle_unread(struct http_req *req, struct http_res *res, void *app);
void inbox_handle_read(struct http_req *req, struct http_res *res, void *app);

/* notify_handler.c */
void notify_handle_post(struct http_req *req, struct http_res *res, void *app);

#endif
