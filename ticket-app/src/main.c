/* main.c: ticket-app's configuration, start-up and shutdown. */
#include <stdlib.h>

#include "app.h"
#include "attach_batch.h"
#include "common/service.h"
#include "handlers.h"
#include "lifecycle_exec.h"
#include "loops.h"
#include "organizer.h"
#include "waitlist_offer.h"
#include "waitlist_store.h"

#define ATTACH_GROUP_MAX 32 /* invoices attached by one statement at most */

static struct app app;

static const struct cfg_entry config[] = {
    {"TICKET_ADMIN_TOKEN", CFG_SECRET, NULL, 0, 0, &app.admin_token, "admin bearer token"},
    {"TICKET_SERVICE_TOKEN", CFG_SECRET, NULL, 0, 0, &app.service_token,
     "bearer token client-app presents"},
    {"PAYMENT_SERVICE_TOKEN", CFG_SECRET, NULL, 0, 0, &app.payment_service_token,
     "bearer token for payment-app"},
    {"WEBHOOK_SECRET", CFG_SECRET, NULL, 0, 0, &app.webhook_secret,
     "verifies payment-app webhooks"},
    {"NOTIFY_SECRET", CFG_SECRET, NULL, 0, 0, &app.notify_secret, "signs notifications"},
    {"TICKET_CODE_SECRET", CFG_SECRET, NULL, 0, 0, &app.ticket_code_secret,
     "HMAC key of ticket codes"},
    {"PAYMENT_APP_URL", CFG_STRING, "http://127.0.0.1:8082", 0, 0, &app.payment_app_url,
     "base URL of payment-app"},
    {"NOTIFY_URL", CFG_STRING, "http://127.0.0.1:8080/internal/notifications", 0, 0,
     &app.notify_url, "where booking notifications go"},
    {"ORGANIZER_FAILURE_RATE", CFG_DOUBLE, "0.20", 0, 1, &app.organizer_failure_rate,
     "probability the simulated organizer refuses a hold"},
    {"ORGANIZER_LATENCY_MS", CFG_INT, "0", 0, 60000, &app.organizer_latency_ms,
     "simulated organizer latency"},
    {"ORGANIZER_SEED", CFG_INT, "0", 0, 9007199254740991.0, &app.organizer_seed,
     "seed of the organizer simulation (0 = random)"},
    {"HOLD_TTL_SECONDS", CFG_INT, "420", 1, 86400, &app.hold_ttl_s,
     "how long a hold waits for payment"},
    {"SELECTION_TTL_SECONDS", CFG_INT, "120", 1, 86400, &app.selection_ttl_s,
     "how long seats held for selection (checkout:false) wait for checkout"},
    {"PAYMENT_TIMEOUT_MS", CFG_INT, "5000", 100, 60000, &app.payment_timeout_ms,
     "timeout of one call to payment-app"},
    {"NOTIFY_TIMEOUT_MS", CFG_INT, "5000", 100, 60000, &app.notify_timeout_ms,
     "timeout of one notification attempt"},
    {"NOTIFY_RETRY_BASE_MS", CFG_INT, "1000", 10, 600000, &app.notify_retry_base_ms,
     "first notification retry delay"},
    {"NOTIFY_RETRY_MAX_MS", CFG_INT, "600000", 100, 86400000, &app.notify_retry_max_ms,
     "notification retry delay cap"},
    {"SWEEP_INTERVAL_MS", CFG_INT, "1000", 50, 60000, &app.sweep_interval_ms,
     "how often the hold sweeper looks for expired holds"},
    {"MAX_SEATS_PER_USER", CFG_INT, "10", 0, 1000000, &app.max_seats_per_user,
     "seats one user may hold or own per event, live bookings counted (0 = no limit)"},
};

static int ticket_init(void *arg, struct db_pool *pool)
{
    struct app *a = arg;
    a->pool = pool;
    rng_init(&a->rng, (uint64_t)a->organizer_seed);
    a->organizer =
        organizer_sim_create(&a->rng, a->organizer_failure_rate, a->organizer_latency_ms);
    a->notify_cfg = (struct outbox_config){
        .url = a->notify_url,
        .secret = a->notify_secret,
        .timeout_ms = a->notify_timeout_ms,
        .retry_base_ms = a->notify_retry_base_ms,
        .retry_max_ms = a->notify_retry_max_ms,
        .batch = 16,
        .lease_ms = a->notify_timeout_ms * 2 + 5000,
    };
    a->attach = attach_batch_create(pool, ATTACH_GROUP_MAX);
    waitlist_store_configure(a->hold_ttl_s);
    lifecycle_exec_configure(a->hold_ttl_s);
    waitlist_offer_start(a);
    a->sweeper = bg_start("hold-sweeper", loops_sweep_tick, a, (int)a->sweep_interval_ms);
    a->notifier = bg_start("notify-outbox", loops_notify_tick, a, 1000);
    a->followup_http = bg_start("followup-http", loops_followup_http_tick, a, 1000);
    a->followup_render = bg_start("followup-render", loops_followup_render_tick, a, 1000);
    return 0;
}

static void ticket_shutdown(void *arg)
{
    struct app *a = arg;
    bg_stop(a->sweeper);
    waitlist_offer_stop();
    bg_stop(a->followup_render);
    bg_stop(a->followup_http);
    bg_stop(a->notifier);
    a->sweeper = a->followup_render = a->followup_http = a->notifier = NULL;
    if (a->organizer)
        a->organizer->destroy(a->organizer);
    a->organizer = NULL;
    /* the server has stopped: no request is in the middle of a group */
    attach_batch_destroy(a->attach);
    a->attach = NULL;
}

/* A payment webhook whose signature the server refused. */
static void ticket_webhook_refused(void *appv)
{
    struct app *a = appv;
    atomic_fetch_add(&a->n_webhooks_refused, 1);
}

int main(int argc, char **argv)
{
    static const char *const migrations[] = {"common", "ticket", NULL};
    struct service_def def = {
        .name = "ticket-app",
        .port_var = "TICKET_APP_PORT",
        .default_port = 8081,
        .migrations = migrations,
        .routes = ticket_routes,
        .nroutes = ticket_nroutes,
        .config = config,
        .nconfig = sizeof config / sizeof config[0],
        .app = &app,
        .init = ticket_init,
        .shutdown = ticket_shutdown,
        .before = ticket_before,
        .metrics_extra = ticket_metrics,
        .signing_secret = &app.webhook_secret,
        .signature_refused = ticket_webhook_refused,
    };
    return service_main(&def, argc, argv);
}
