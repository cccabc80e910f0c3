/* event_handler.c: events and seats, read through from ticket-app (which
 * owns them): status and body passed on; while it cannot be reached, the
 * last answer seen for the same read, marked stale, or 503 if none.
 * An admin's read goes with ticket-app's admin token, so admins see DRAFT
 * events too; anyone else's with the service token (drafts are 404). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "event_cache.h"
#include "poster_store.h"
#include "queue_handler.h"
#include "ticket_client.h"
#include "webui.h"

/* The answer kept for path, served while ticket-app cannot answer: 200,
 * "stale": true in the body and a Warning header (RFC 7234's 110). 0, or
 * -1 when nothing was kept (res untouched). */
static int serve_stale(struct client_app *app, struct http_res *res, const char *path)
{
    size_t len;
    int64_t stored_ms;
    char *kept = event_cache_get(app->event_cache, path, &len, &stored_ms);
    json_t *doc = kept ? json_loadb(kept, len, 0, NULL) : NULL;
    free(kept);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return -1;
    }
    char since[40], age[24];
    time_rfc3339(stored_ms, since, sizeof since);
    json_object_set_new(doc, "stale", json_true());
    json_object_set_new(doc, "stale_since", json_string(since));
    int64_t secs = (now_ms() - stored_ms) / 1000;
    snprintf(age, sizeof age, "%lld", (long long)(secs > 0 ? secs : 0));
    http_res_json(res, 200, doc);
    http_res_header(res, "Warning", "110 - \"Response is Stale\"");
    http_res_header(res, "Age", age);
    atomic_fetch_add(&app->n_events_stale, 1);
    return 0;
}

/* ticket-app's answer to GET path, passed on; the last 200 for each path is
 * kept, so that while ticket-app is down (unreachable or 5xx) what was seen
 * is still served, marked stale; 503 when nothing was. Admins' reads (which
 * see drafts) are neither kept nor served from what was kept. */
static void pass_through(struct client_app *app, struct http_req *req, struct http_res *res,
                         const char *path)
{
    const struct auth_user *u = auth_current(req);
    if (u && u->is_admin && webui_cfg.admin_token && webui_cfg.admin_token[0]) {
        admin_forward(app, res, "GET", path, NULL);
        return;
    }
    struct httpc_res r;
    if (ticket_call_raw(app, "GET", path, &r) < 0 || r.status >= 500 || r.status < 100) {
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        if (serve_stale(app, res, path) != 0)
            http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
    } else if (!r.body || r.len == 0) {
        http_res_bytes(res, (int)r.status, "application/json", "", 0);
    } else {
        if (r.status == 200)
            event_cache_put(app->event_cache, path, r.body, r.len);
        else if (r.status == 404)
            event_cache_drop(app->event_cache, path);
        http_res_take(res, (int)r.status, "application/json", r.body, r.len);
        r.body = NULL;
    }
    httpc_res_cleanup(&r);
}

/* Gives every event of the array events (borrowed) its poster_url, asking
 * the store which of them have a poster. When the store cannot answer,
 * each poster_url is null (the UI shows no poster) and a warning is logged:
 * the event itself is ticket-app's answer and still worth giving. */
static void add_poster_urls(struct client_app *app, json_t *events)
{
    size_t n = json_array_size(events);
    if (n == 0)
        return;
    const char **ids = xmalloc(n * sizeof *ids);
    char(*versions)[17] = xmalloc(n * sizeof *versions);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_object_get(json_array_get(events, i), "id"));
        ids[k++] = id && uuid_valid(id) ? id : "00000000-0000-0000-0000-000000000000";
    }
    struct db_conn *c = db_acquire(app->pool, 2000);
    enum db_status st = c ? poster_store_versions(c, ids, n, versions) : DB_UNAVAILABLE;
    db_release(app->pool, c);
    if (st != DB_OK) {
        log_warn("poster urls left null: %s", db_status_name(st));
        for (size_t i = 0; i < n; i++)
            versions[i][0] = '\0';
    }
    for (size_t i = 0; i < n; i++)
        poster_url_set(json_array_get(events, i), versions[i]);
    free(ids);
    free(versions);
}

/* pass_through, and then, on a 200, poster_url added to the event (one) or
 * to each of body.items (a list). */
static void pass_through_events(struct client_app *app, struct http_req *req, struct http_res *res,
                                const char *path, int list)
{
    pass_through(app, req, res, path);
    if (res->status != 200 || !res->body)
        return;
    json_t *body = json_loadb(res->body, res->body_len, 0, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        return;
    }
    json_t *events = list ? json_incref(json_object_get(body, "items")) : json_pack("[O]", body);
    if (json_is_array(events)) {
        add_poster_urls(app, events);
        queue_add_to_events(app, events, !json_is_true(json_object_get(body, "stale")));
        http_res_json(res, 200, json_incref(body));
    }
    json_decref(events);
    json_decref(body);
}

void event_handle_list(struct http_req *req, struct http_res *res, void *app)
{
    long limit, offset;
    char path[96];
    if (http_req_paging(req, res, &limit, &offset) < 0)
        return;
    /* upcoming (the default: on sale or soon, soonest first), past, all */
    const char *when = http_req_query(req, "when");
    if (!when || !when[0])
        when = "upcoming";
    if (strcmp(when, "upcoming") != 0 && strcmp(when, "past") != 0 && strcmp(when, "all") != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            json_pack("{s:s}", "when", "must be upcoming, past or all"), NULL);
        return;
    }
    snprintf(path, sizeof(path), "/api/events?limit=%ld&offset=%ld&when=%s", limit, offset, when);
    pass_through_events(app, req, res, path, 1);
}

void event_handle_get(struct http_req *req, struct http_res *res, void *app)
{
    char path[96];
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id)
        return;
    snprintf(path, sizeof(path), "/api/events/%s", id);
    pass_through_events(app, req, res, path, 0);
}

void event_handle_seats(struct http_req *req, struct http_res *res, void *app)
{
    char path[96];
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id)
        return;
    snprintf(path, sizeof(path), "/api/events/%s/seats", id);
    pass_through(app, req, res, path);
}
