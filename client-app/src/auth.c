/* auth.c: the before hook of every request (rate limits, bearer sessions,
 * role checks), plus the small helpers the handlers share. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/util.h"
#include "ratelimit.h"
#include "user_store.h"

void auth_token_hash(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

const struct auth_user *auth_current(const struct http_req *req)
{
    return req->auth;
}

/* 1 if a token could be one we issued (64 lowercase hex): anything else is
 * refused without touching the database. */
static int token_shape_ok(const char *t)
{
    size_t n = 0;
    for (; t[n]; n++)
        if (n >= 64 || !((t[n] >= '0' && t[n] <= '9') || (t[n] >= 'a' && t[n] <= 'f')))
            return 0;
    return n == 64;
}

static int limited(struct client_app *app, const char *key, struct http_res *res)
{
    long retry = 1;
    if (ratelimit_take(app->limiter, key, mono_ms(), &retry))
        return 0;
    char v[24];
    snprintf(v, sizeof(v), "%ld", retry);
    atomic_fetch_add(&app->n_rate_limited, 1);
    http_res_error(res, 429, "RATE_LIMITED", "too many requests, retry in %ld s", retry);
    http_res_header(res, "Retry-After", v);
    return 1;
}

/* Looks the bearer up. 0 with req->auth set, 0 without (unknown, expired or
 * malformed token), -1 after answering 503. */
static int authenticate(struct client_app *app, struct http_req *req, struct http_res *res,
                        const char *token)
{
    if (!token_shape_ok(token))
        return 0;
    char hash[65];
    auth_token_hash(token, hash);
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return -1;
    PGresult *r = NULL;
    enum db_status st = session_store_lookup(c, hash, &r);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        return 0;
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return -1;
    }
    struct auth_user *u = xcalloc(1, sizeof(*u));
    snprintf(u->id, sizeof(u->id), "%s", PQgetvalue(r, 0, 0));
    u->is_admin = strcmp(PQgetvalue(r, 0, 1), "admin") == 0;
    u->is_staff = strcmp(PQgetvalue(r, 0, 1), "staff") == 0;
    snprintf(u->holder, sizeof(u->holder), "%s", PQgetvalue(r, 0, 2));
    memcpy(u->token_hash, hash, sizeof(u->token_hash));
    PQclear(r);
    req->auth = u;
    req->auth_free = free;
    return 0;
}

int auth_before(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    /* /healthz and /metrics are the server's own routes and never come here;
     * a request without a route of ours is let through untouched. */
    if (!req->route)
        return 0;
    unsigned flags = req->route->flags;
    if (flags & ROUTE_INTERNAL)
        return 0;

    char key[128];
    if (app->limiter) {
        /* per address first: a flood costs no database lookup */
        snprintf(key, sizeof(key), "ip:%s", req->client_ip);
        if (limited(app, key, res))
            return 1;
    }
    const char *token = http_req_bearer(req);
    if (token && authenticate(app, req, res, token) < 0)
        return 1;
    const struct auth_user *u = auth_current(req);
    if (!u && (flags & (ROUTE_AUTH | ROUTE_ADMIN | ROUTE_GATE))) {
        http_res_error(res, 401, "UNAUTHENTICATED", "a valid bearer token is required");
        http_res_header(res, "WWW-Authenticate", "Bearer");
        return 1;
    }
    if ((flags & ROUTE_ADMIN) && !u->is_admin) {
        http_res_error(res, 403, "FORBIDDEN", "admin only");
        return 1;
    }
    if ((flags & ROUTE_GATE) && !u->is_admin && !u->is_staff) {
        http_res_error(res, 403, "FORBIDDEN", "gate staff and admins only");
        return 1;
    }
    /* staff work the gate: anything else that needs a session is not theirs */
    if (u && u->is_staff && (flags & ROUTE_AUTH) && !(flags & (ROUTE_GATE | ROUTE_STAFF_OK))) {
        http_res_error(res, 403, "FORBIDDEN", "staff accounts may only use the gate");
        return 1;
    }
    if (u && app->limiter) {
        snprintf(key, sizeof(key), "user:%s", u->id);
        if (limited(app, key, res))
            return 1;
    }
    return 0;
}

void app_metrics(struct sbuf *out, void *appv)
{
    struct client_app *app = appv;
    sbuf_printf(out, "# TYPE client_rate_limited_total counter\nclient_rate_limited_total %ld\n",
                atomic_load(&app->n_rate_limited));
    sbuf_printf(out, "# TYPE client_logins_failed_total counter\nclient_logins_failed_total %ld\n",
                atomic_load(&app->n_logins_failed));
    sbuf_printf(out,
                "# TYPE client_bookings_created_total counter\nclient_bookings_created_total %ld\n",
                atomic_load(&app->n_bookings_created));
    sbuf_printf(out,
                "# TYPE client_ticket_unavailable_total counter\n"
                "client_ticket_unavailable_total %ld\n",
                atomic_load(&app->n_ticket_unavailable));
    sbuf_printf(out,
                "# TYPE client_events_served_stale_total counter\n"
                "client_events_served_stale_total %ld\n",
                atomic_load(&app->n_events_stale));
    sbuf_printf(out,
                "# TYPE client_bookings_refused_by_hint_total counter\n"
                "client_bookings_refused_by_hint_total %ld\n",
                atomic_load(&app->n_refused_by_hint));
    sbuf_printf(out,
                "# TYPE client_notifications_total counter\n"
                "client_notifications_total{result=\"applied\"} %ld\n"
                "client_notifications_total{result=\"duplicate\"} %ld\n"
                "client_notifications_total{result=\"rejected\"} %ld\n",
                atomic_load(&app->n_notifications_applied),
                atomic_load(&app->n_notifications_duplicate),
                atomic_load(&app->n_notifications_rejected));
    sbuf_printf(out,
                "# TYPE client_queue_total counter\n"
                "client_queue_total{event=\"joined\"} %ld\n"
                "client_queue_total{event=\"admitted\"} %ld\n"
                "client_queue_total{event=\"pass_refused\"} %ld\n",
                atomic_load(&app->n_queue_joined), atomic_load(&app->n_queue_admitted),
                atomic_load(&app->n_queue_pass_refused));
    if (app->limiter)
        sbuf_printf(out, "# TYPE client_rate_limit_keys gauge\nclient_rate_limit_keys %zu\n",
                    ratelimit_size(app->limiter));
}
