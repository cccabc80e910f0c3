/* main.c: payment-app's configuration table, start-up of its background
 * loops, shutdown and extra metrics; everything else is service_main's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/bg.h"
#include "common/log.h"
#include "common/service.h"
#include "common/util.h"
#include "handlers.h"
#include "invoice.h"
#include "invoice_store.h"
#include "settle.h"

static struct payment_app app;
static const char *cors_origins; /* CORS_ORIGINS: read by service_main */

static const struct cfg_entry payment_config[] = {
    {"CORS_ORIGINS", CFG_STRING, "", 0, 0, &cors_origins,
     "origins whose pages may call the payer's endpoints, comma-separated, or * (empty = none)"},
    {"WEBHOOK_URL", CFG_STRING, "http://127.0.0.1:8081/webhooks/payment", 0, 0, &app.webhook_url,
     "where invoice webhooks are POSTed (ticket-app)"},
    {"WEBHOOK_SECRET", CFG_SECRET, NULL, 0, 0, &app.webhook_secret,
     "HMAC-SHA256 secret of the X-Signature header"},
    {"PAYMENT_SERVICE_TOKEN", CFG_SECRET, NULL, 0, 0, &app.service_token,
     "bearer token of services (create, void, refund, delivery log)"},
    {"PAYMENT_FAILURE_RATE", CFG_DOUBLE, "0.10", 0, 1, &app.failure_rate,
     "probability that a settlement fails"},
    {"PAYMENT_DELAY_MS", CFG_INT, "2000", 0, 600000, &app.delay_ms, "time from pay to settlement"},
    {"PAYMENT_PUBLIC_URL", CFG_STRING, "", 0, 0, &app.public_url_cfg,
     "base of payment_url (default http://localhost:<port>)"},
    {"PAYMENT_SEED", CFG_INT, "0", 0, 9007199254740991.0, &app.seed,
     "seed of the simulated failures (0 = random)"},
    {"PAYMENT_WORKERS", CFG_INT, "2", 1, PAYMENT_WORKERS_MAX, &app.workers,
     "settlement worker threads"},
    {"WEBHOOK_TIMEOUT_MS", CFG_INT, "5000", 100, 120000, &app.webhook_timeout_ms,
     "timeout of one webhook attempt"},
    {"WEBHOOK_RETRY_BASE_MS", CFG_INT, "1000", 10, 3600000, &app.retry_base_ms,
     "first webhook retry after about this"},
    {"WEBHOOK_RETRY_MAX_MS", CFG_INT, "600000", 10, 86400000, &app.retry_max_ms,
     "cap of the webhook retry backoff"},
    {"INVOICE_MAX_AMOUNT", CFG_INT, "1000000000000", 1, 9000000000000000.0, &app.max_amount,
     "largest accepted invoice amount (smallest currency unit)"},
    {"INVOICE_MAX_TTL_S", CFG_INT, "604800", 60, 31536000, &app.max_ttl_s,
     "how far ahead expires_at may be"},
    {"PAYMENT_EXPIRY_INTERVAL_MS", CFG_INT, "1000", 50, 60000, &app.expiry_interval_ms,
     "how often the expiry sweeper looks for overdue invoices"},
    {"PAYMENT_TEST_SETTLE_PAUSE_MS", CFG_INT, "0", 0, 10000, &app.test_settle_pause_ms,
     "tests only: hold each settlement transaction open this long before commit"},
};

/* Derives the payment_url base: the configured one without a trailing '/',
 * or http://localhost:<port>. */
static int public_url_init(struct payment_app *a)
{
    const char *cfg = a->public_url_cfg;
    if (cfg && *cfg) {
        if (strncmp(cfg, "http://", 7) != 0 && strncmp(cfg, "https://", 8) != 0) {
            log_error("PAYMENT_PUBLIC_URL must start with http:// or https://");
            return -1;
        }
        if (strlen(cfg) >= sizeof a->public_url - 64) {
            log_error("PAYMENT_PUBLIC_URL is too long");
            return -1;
        }
        snprintf(a->public_url, sizeof a->public_url, "%s", cfg);
    } else {
        const char *port = getenv("PAYMENT_APP_PORT");
        long p = 8082;
        if (port && parse_long(port, &p) != 0)
            p = 8082;
        snprintf(a->public_url, sizeof a->public_url, "http://localhost:%ld", p);
    }
    size_t n = strlen(a->public_url);
    while (n > 0 && a->public_url[n - 1] == '/')
        a->public_url[--n] = '\0';
    return 0;
}

static int payment_init(void *appv, struct db_pool *pool)
{
    struct payment_app *a = appv;
    if (!*a->webhook_secret || !*a->service_token) {
        log_error("WEBHOOK_SECRET and PAYMENT_SERVICE_TOKEN must not be empty");
        return -1;
    }
    if (public_url_init(a) != 0)
        return -1;
    a->pool = pool;
    rng_init(&a->rng, (uint64_t)a->seed);

    a->outbox.url = a->webhook_url;
    a->outbox.secret = a->webhook_secret;
    a->outbox.timeout_ms = a->webhook_timeout_ms;
    a->outbox.retry_base_ms = a->retry_base_ms;
    a->outbox.retry_max_ms = a->retry_max_ms;
    /* A tick sends its batch at once, so a claim's lease covers one
     * attempt (outbox_lease_ms: the timeout + 5 s). */
    a->outbox.batch = 32;
    a->outbox.lease_ms = 0;
    a->webhooks = outbox_queue_create(4096);

    /* Polling bounds how late a due job is picked up; a pay wakes the
     * workers at once, which is what matters with PAYMENT_DELAY_MS=0. */
    int settle_idle = a->delay_ms > 0 && a->delay_ms < 2000 ? (int)(a->delay_ms / 10) + 10 : 200;
    for (long i = 0; i < a->workers; i++)
        a->settlers[i] = bg_start("settlement", settle_loop_tick, a, settle_idle);
    a->sweeper = bg_start("expiry", expiry_tick, a, (int)a->expiry_interval_ms);
    a->deliverer = bg_start("webhooks", delivery_tick, a, 250);
    log_info("payment-app ready public_url=%s workers=%ld delay_ms=%ld failure_rate=%.3f",
             a->public_url, a->workers, a->delay_ms, a->failure_rate);
    return 0;
}

static void payment_shutdown(void *appv)
{
    struct payment_app *a = appv;
    for (long i = 0; i < PAYMENT_WORKERS_MAX; i++) {
        if (a->settlers[i]) {
            bg_stop(a->settlers[i]);
            a->settlers[i] = NULL;
        }
    }
    if (a->sweeper)
        bg_stop(a->sweeper);
    if (a->deliverer)
        bg_stop(a->deliverer);
    a->sweeper = a->deliverer = NULL;
    /* What is left in memory is leased in the table: claimed again later. */
    outbox_queue_destroy(a->webhooks);
    a->webhooks = NULL;
}

static void payment_metrics(struct sbuf *out, void *appv)
{
    struct payment_app *a = appv;
    sbuf_printf(out,
                "# HELP payment_invoices_created_total Invoices created.\n"
                "# TYPE payment_invoices_created_total counter\n"
                "payment_invoices_created_total %ld\n",
                atomic_load(&a->created));
    sbuf_printf(out,
                "# HELP payment_pay_requests_total Pay requests received.\n"
                "# TYPE payment_pay_requests_total counter\n"
                "payment_pay_requests_total %ld\n",
                atomic_load(&a->pay_requests));
    sbuf_printf(out,
                "# HELP payment_settlements_total Settlements by outcome (this instance).\n"
                "# TYPE payment_settlements_total counter\n"
                "payment_settlements_total{outcome=\"paid\"} %ld\n"
                "payment_settlements_total{outcome=\"failed\"} %ld\n",
                atomic_load(&a->paid), atomic_load(&a->failed));
    sbuf_printf(out,
                "# HELP payment_invoice_transitions_total Other invoice changes.\n"
                "# TYPE payment_invoice_transitions_total counter\n"
                "payment_invoice_transitions_total{to=\"EXPIRED\"} %ld\n"
                "payment_invoice_transitions_total{to=\"VOID\"} %ld\n"
                "payment_invoice_transitions_total{to=\"REFUNDED\"} %ld\n",
                atomic_load(&a->expired), atomic_load(&a->voided), atomic_load(&a->refunded));

    if (!a->pool)
        return;
    struct db_conn *conn = db_acquire(a->pool, 200);
    if (!conn)
        return;
    long counts[INVOICE_STATUS_COUNT], undelivered, jobs;
    enum db_status st = invoice_store_stats(conn, counts, &undelivered, &jobs);
    db_release(a->pool, conn);
    if (st != DB_OK)
        return;
    sbuf_puts(out, "# HELP payment_invoices Invoices by status (whole database).\n"
                   "# TYPE payment_invoices gauge\n");
    for (int i = 0; i < INVOICE_STATUS_COUNT; i++)
        sbuf_printf(out, "payment_invoices{status=\"%s\"} %ld\n",
                    invoice_status_name((enum invoice_status)i), counts[i]);
    sbuf_printf(out,
                "# HELP payment_webhooks_undelivered Webhook events not acknowledged yet.\n"
                "# TYPE payment_webhooks_undelivered gauge\n"
                "payment_webhooks_undelivered %ld\n"
                "# HELP payment_jobs_pending Settlement jobs not done yet.\n"
                "# TYPE payment_jobs_pending gauge\n"
                "payment_jobs_pending %ld\n",
                undelivered, jobs);
}

static const char *const payment_migrations[] = {"common", "payment", NULL};

int main(int argc, char **argv)
{
    struct service_def def = {
        .name = "payment-app",
        .port_var = "PAYMENT_APP_PORT",
        .default_port = 8082,
        .migrations = payment_migrations,
        .routes = payment_routes,
        .nroutes = payment_nroutes,
        .config = payment_config,
        .nconfig = sizeof payment_config / sizeof payment_config[0],
        .app = &app,
        .init = payment_init,
        .shutdown = payment_shutdown,
        .before = payment_before,
        .metrics_extra = payment_metrics,
        .cors_origins = &cors_origins,
        .cors_skip_flags = PAYMENT_ROUTE_SERVICE,
    };
    return service_main(&def, argc, argv);
}
