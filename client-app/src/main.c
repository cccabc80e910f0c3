/* main.c: client-app's configuration, start-up and shutdown. */
#include <stdlib.h>

#include "apidoc.h"
#include "app.h"
#include "booking_store.h"
#include "common/bg.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/service.h"
#include "common/util.h"
#include "event_cache.h"
#include "mailer.h"
#include "password.h"
#include "queue_handler.h"
#include "ratelimit.h"
#include "seat_hint.h"
#include "user_store.h"
#include "webui.h"

#define RATELIMIT_MAX_KEYS 100000
#define SEAT_HINT_SLOTS 8192 /* seats remembered taken at most (~2 MiB) */
/* Event answers kept for when ticket-app is down: pages, events, seat maps. */
#define EVENT_CACHE_ENTRIES 1024
#define EVENT_CACHE_BYTES (32u * 1024 * 1024)

static struct client_app app;
static const char *cors_origins; /* CORS_ORIGINS: read by service_main */

static const struct cfg_entry config[] = {
    {"CORS_ORIGINS", CFG_STRING, "", 0, 0, &cors_origins,
     "origins whose pages may call the API, comma-separated, or * (empty = none)"},
    {"TICKET_APP_URL", CFG_STRING, "http://127.0.0.1:8081", 0, 0, &app.ticket_url,
     "base URL of ticket-app"},
    {"TICKET_SERVICE_TOKEN", CFG_SECRET, NULL, 0, 0, &app.ticket_token,
     "bearer token presented to ticket-app"},
    {"NOTIFY_SECRET", CFG_SECRET, NULL, 0, 0, &app.notify_secret,
     "HMAC secret of ticket-app's notifications"},
    {"ADMIN_PASSWORD", CFG_SECRET, NULL, 0, 0, &app.admin_password,
     "password of the user admin, created at start-up if absent"},
    {"RATE_LIMIT_PER_MINUTE", CFG_INT, "500", 0, 1000000, &app.rate_limit_per_minute,
     "requests per minute per client address and per user (0 = off)"},
    {"SESSION_TTL_SECONDS", CFG_INT, "86400", 60, 31536000, &app.session_ttl_s,
     "lifetime of a session token"},
    {"TICKET_TIMEOUT_MS", CFG_INT, "10000", 100, 120000, &app.ticket_timeout_ms,
     "timeout of one call to ticket-app"},
    {"MAINTENANCE_INTERVAL_MS", CFG_INT, "30000", 100, 3600000, &app.maint_interval_ms,
     "period of housekeeping (sessions, keys, buckets, stale attempts)"},
    {"SEAT_HINT_MS", CFG_INT, "2000", 0, 60000, &app.seat_hint_ms,
     "how long a seat ticket-app said is taken is refused without asking it (0 = off)"},
    {"WEB_ROOT", CFG_STRING, WEB_ROOT_DEFAULT, 0, 0, &webui_cfg.web_root,
     "folder of the web UI (index.html, assets/)"},
    {"API_DOCS_ROOT", CFG_STRING, API_DOCS_ROOT_DEFAULT, 0, 0, &apidoc_root,
     "folder of the npm package swagger-ui-dist, the renderer of /docs"},
    {"TICKET_ADMIN_TOKEN", CFG_SECRET, "", 0, 0, &webui_cfg.admin_token,
     "ticket-app's admin bearer, for the admin pages (unset: 503 ADMIN_UNAVAILABLE)"},
    {"SMTP_URL", CFG_STRING, "", 0, 0, &app.smtp_url,
     "mail server for notifications, e.g. smtp://127.0.0.1:2525 (empty: inbox only)"},
    {"MAIL_FROM", CFG_STRING, "Ticketing <tickets@localhost>", 0, 0, &app.mail_from,
     "sender of notification e-mails"},
    {"HOLD_EXPIRING_LEAD_SECONDS", CFG_INT, "120", 1, 86400, &app.hold_expiring_lead_s,
     "hold.expiring is told this long before a payment window ends"},
    {"INBOX_INTERVAL_MS", CFG_INT, "5000", 100, 600000, &app.inbox_interval_ms,
     "period of the hold.expiring check"},
    {"MAIL_TIMEOUT_MS", CFG_INT, "15000", 500, 120000, &app.mail_timeout_ms,
     "timeout of one SMTP delivery"},
    {"MAIL_RETRY_BASE_MS", CFG_INT, "2000", 10, 3600000, &app.mail_retry_base_ms,
     "first retry of a refused or failed e-mail after about this"},
    {"QUEUE_PASS_SECRET", CFG_SECRET, "", 0, 0, &app.queue_pass_secret,
     "HMAC key of the waiting room's passes (unset: derived from NOTIFY_SECRET)"},
    {"QUEUE_INTERVAL_MS", CFG_INT, "200", 10, 60000, &app.queue_interval_ms,
     "period of the waiting rooms' numbering and admission step"},
    {"MAIL_RETRY_MAX_MS", CFG_INT, "600000", 10, 86400000, &app.mail_retry_max_ms,
     "longest wait between e-mail retries"},
};

/* Housekeeping: forget full rate-limit buckets, drop expired sessions and
 * old idempotency keys, settle attempts whose request died. */
static int maint_tick(void *arg)
{
    struct client_app *a = arg;
    if (a->limiter)
        ratelimit_evict(a->limiter, mono_ms());
    struct db_conn *c = db_acquire(a->pool, 1000);
    if (!c)
        return -1;
    long n = 0;
    enum db_status st = session_store_purge(c, &n);
    if (st == DB_OK)
        st = booking_store_purge(c);
    db_release(a->pool, c);
    if (st != DB_OK)
        return -1;
    int settled = booking_reconcile_stale(a);
    return n >= 1000 || settled >= 20 ? 1 : 0;
}

static int client_init(void *appv, struct db_pool *pool)
{
    struct client_app *a = appv;
    char dummy[33];
    a->pool = pool;
    /* unknown logins are verified against this, so they cost what known ones do */
    rand_hex(dummy, 16);
    if (password_hash(dummy, 32, a->dummy_hash) < 0) {
        log_error("cannot hash (out of memory?)");
        return -1;
    }
    if (user_ensure_admin(a) < 0)
        return -1;
    if (a->rate_limit_per_minute > 0)
        a->limiter = ratelimit_create(a->rate_limit_per_minute, RATELIMIT_MAX_KEYS);
    a->seat_hint = seat_hint_create(SEAT_HINT_SLOTS, a->seat_hint_ms);
    a->event_cache = event_cache_create(EVENT_CACHE_ENTRIES, EVENT_CACHE_BYTES);
    a->maint = bg_start("client-maint", maint_tick, a, (int)a->maint_interval_ms);
    if (queue_start(a) < 0)
        return -1;
    return mailer_start(a);
}

static void client_shutdown(void *appv)
{
    struct client_app *a = appv;
    mailer_stop(a);
    queue_stop(a);
    if (a->maint)
        bg_stop(a->maint);
    a->maint = NULL;
    ratelimit_destroy(a->limiter);
    a->limiter = NULL;
    seat_hint_destroy(a->seat_hint);
    a->seat_hint = NULL;
    event_cache_destroy(a->event_cache);
    a->event_cache = NULL;
}

/* A notification whose signature the server refused. */
static void notify_refused(void *appv)
{
    struct client_app *a = appv;
    atomic_fetch_add(&a->n_notifications_rejected, 1);
}

int main(int argc, char **argv)
{
    static const char *const migrations[] = {"common", "client", NULL};
    const struct service_def def = {
        .name = "client-app",
        .port_var = "CLIENT_APP_PORT",
        .default_port = 8080,
        .migrations = migrations,
        .routes = client_routes,
        .nroutes = client_nroutes,
        .config = config,
        .nconfig = sizeof(config) / sizeof(config[0]),
        .app = &app,
        .init = client_init,
        .shutdown = client_shutdown,
        .before = auth_before,
        .metrics_extra = app_metrics,
        .cors_origins = &cors_origins,
        .cors_skip_flags = ROUTE_INTERNAL,
        .signing_secret = &app.notify_secret,
        .signature_refused = notify_refused,
    };
    return service_main(&def, argc, argv);
}
