/* app.h: payment-app's shared state: its configuration (filled by the table
 * in main.c), the pool, the failure generator, the background loops and the
 * counters behind /metrics. One instance, handed to handlers as `app`. */
#ifndef PAYMENT_APP_H
#define PAYMENT_APP_H

#include <stdatomic.h>

#include "common/outbox.h"
#include "common/rand.h"

#define PAYMENT_WORKERS_MAX 16

struct bg_loop;
struct db_pool;

struct payment_app {
    /* configuration */
    const char *webhook_url;
    const char *webhook_secret;
    const char *service_token;
    const char *public_url_cfg; /* as configured; "" = from the port */
    char public_url[512];       /* base of payment_url, no trailing '/' */
    double failure_rate;
    long delay_ms;
    long seed;
    long workers;
    long webhook_timeout_ms;
    long retry_base_ms;
    long retry_max_ms;
    long max_amount;
    long max_ttl_s;
    long expiry_interval_ms;
    long test_settle_pause_ms; /* fault injection for crash tests; 0 in use */

    /* running state */
    struct db_pool *pool;
    struct rng rng;
    struct outbox_config outbox;
    struct outbox_queue *webhooks; /* settled events handed to the delivery loop */
    atomic_ulong wake_next;        /* the settler a pay wakes next */
    struct bg_loop *settlers[PAYMENT_WORKERS_MAX];
    struct bg_loop *sweeper;
    struct bg_loop *deliverer;

    /* counters for /metrics */
    atomic_long created, paid, failed, expired, voided, refunded, pay_requests;
};

/* Wake a settlement worker (after a pay: one job, one worker) and the delivery loop (after an
 * event was enqueued). Safe before init and after shutdown (no-op). */
void payment_wake_settlers(struct payment_app *app);
void payment_wake_delivery(struct payment_app *app);

#endif
