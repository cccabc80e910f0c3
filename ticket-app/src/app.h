/* app.h: ticket-app's shared state, handed to every handler and background
 * loop as the `void *app` argument: configuration, the database pool, the
 * seedable generator, the organizer interface and the loops. */
#ifndef TICKET_APP_H
#define TICKET_APP_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/bg.h"
#include "common/db.h"
#include "common/outbox.h"
#include "common/rand.h"

struct attach_batch;

struct organizer;

/* Route flags (struct http_route.flags): who may call. */
enum ticket_route_auth {
    AUTH_PUBLIC = 0,  /* anyone (GET events/seats) */
    AUTH_ADMIN = 1,   /* TICKET_ADMIN_TOKEN */
    AUTH_SERVICE = 2, /* TICKET_SERVICE_TOKEN (client-app) or the admin token */
    AUTH_SIGNED = 3,  /* no bearer: X-Signature, verified by the server (HTTP_ROUTE_SIGNED) */
};

struct app {
    /* Configuration (borrowed from the environment; see main.c). */
    const char *admin_token;           /* TICKET_ADMIN_TOKEN */
    const char *service_token;         /* TICKET_SERVICE_TOKEN */
    const char *payment_service_token; /* PAYMENT_SERVICE_TOKEN: bearer at payment-app */
    const char *webhook_secret;        /* WEBHOOK_SECRET: verifies payment webhooks */
    const char *notify_secret;         /* NOTIFY_SECRET: signs notifications */
    const char *ticket_code_secret;    /* TICKET_CODE_SECRET: HMAC of ticket codes */
    const char *payment_app_url;       /* PAYMENT_APP_URL, no trailing slash needed */
    const char *notify_url;            /* NOTIFY_URL */
    double organizer_failure_rate;     /* ORGANIZER_FAILURE_RATE */
    long organizer_latency_ms;         /* ORGANIZER_LATENCY_MS */
    long organizer_seed;               /* ORGANIZER_SEED (0 = random) */
    long hold_ttl_s;                   /* HOLD_TTL_SECONDS: the payment window */
    long selection_ttl_s;              /* SELECTION_TTL_SECONDS: a HELD selection's lock */
    long payment_timeout_ms;           /* PAYMENT_TIMEOUT_MS: per call to payment-app */
    long notify_timeout_ms;            /* NOTIFY_TIMEOUT_MS */
    long notify_retry_base_ms;         /* NOTIFY_RETRY_BASE_MS */
    long notify_retry_max_ms;          /* NOTIFY_RETRY_MAX_MS */
    long sweep_interval_ms;            /* SWEEP_INTERVAL_MS: hold sweeper idle period */
    long max_seats_per_user;           /* MAX_SEATS_PER_USER (0 = no limit) */

    /* Runtime. */
    struct db_pool *pool;            /* the service's pool (borrowed from service_main) */
    struct rng rng;                  /* seeded by ORGANIZER_SEED */
    struct organizer *organizer;     /* in-process simulation by default */
    struct outbox_config notify_cfg; /* outbox delivery to NOTIFY_URL */
    struct attach_batch *attach;     /* holds' invoices, written in groups */

    struct bg_loop *sweeper;         /* expires unpaid holds */
    struct bg_loop *notifier;        /* delivers the outbox */
    struct bg_loop *followup_http;   /* void / refund / organizer release */
    struct bg_loop *followup_render; /* renders ticket PDFs, then notifies */

    /* Counters for /metrics (metrics.c). */
    atomic_long n_holds;               /* every seat held */
    atomic_long n_seat_unavailable;    /* hold refused: a seat was taken */
    atomic_long n_hold_rejected;       /* the organizer refused */
    atomic_long n_payment_unavailable; /* invoice could not be created */
    atomic_long n_webhooks;            /* payment events applied */
    atomic_long n_webhooks_duplicate;  /* payment events already applied */
    atomic_long n_webhooks_refused;    /* bad signature */
};

/* How long a handler waits for a pooled connection before answering 503. */
#define APP_DB_WAIT_MS 5000

#endif
