/* admin_handler.c: event management for client-app's admins (the web UI),
 * passed on to ticket-app's admin API with TICKET_ADMIN_TOKEN, which never
 * leaves the server. The caller's role was checked by the before hook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/httpc.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "poster_store.h"
#include "queue_handler.h"
#include "webui.h"

/* 1 if admin event management is configured; else answers 503. */
static int admin_ready(struct http_res *res)
{
    if (webui_cfg.admin_token && webui_cfg.admin_token[0])
        return 1;
    http_res_error(res, 503, "ADMIN_UNAVAILABLE",
                   "event management is not configured on this server (TICKET_ADMIN_TOKEN)");
    return 0;
}

void admin_forward(struct client_app *app, struct http_res *res, const char *method,
                   const char *path, const json_t *body)
{
    char url[1024], auth[600];
    size_t blen = strlen(app->ticket_url);
    while (blen > 0 && app->ticket_url[blen - 1] == '/')
        blen--;
    int w = snprintf(url, sizeof url, "%.*s%s", (int)blen, app->ticket_url, path);
    if (w < 0 || (size_t)w >= sizeof url) {
        http_res_error(res, 500, "INTERNAL", "ticket service URL too long");
        return;
    }
    w = snprintf(auth, sizeof auth, "Authorization: Bearer %s", webui_cfg.admin_token);
    if (w < 0 || (size_t)w >= sizeof auth) {
        http_res_error(res, 503, "ADMIN_UNAVAILABLE", "the admin token is too long");
        return;
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    const char *headers[] = {auth, "Accept: application/json",
                             text ? "Content-Type: application/json" : NULL, NULL};
    struct httpc_res r;
    int rc = httpc_request(method, url, headers, text, text ? strlen(text) : 0,
                           app->ticket_timeout_ms, &r);
    sodium_memzero(auth, sizeof auth);
    free(text);
    if (rc < 0 || r.status >= 500 || r.status < 100) {
        if (rc < 0)
            log_warn("ticket-app unreachable method=%s path=%s", method, path);
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
    } else if (r.status == 401 || r.status == 403) {
        log_warn("ticket-app refused the admin token (status %ld): check TICKET_ADMIN_TOKEN",
                 r.status);
        http_res_error(res, 503, "ADMIN_UNAVAILABLE",
                       "the ticket service refused this server's admin token");
    } else if (r.status == 204 || !r.body || r.len == 0) {
        http_res_bytes(res, (int)r.status, NULL, NULL, 0);
    } else {
        http_res_take(res, (int)r.status, "application/json", r.body, r.len);
        r.body = NULL;
    }
    httpc_res_cleanup(&r);
}

void admin_handle_event_create(struct http_req *req, struct http_res *res, void *app)
{
    if (!admin_ready(res))
        return;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    /* the queue is client-app's: checked first, stored once the event is */
    struct queue_config qc;
    int has_queue = queue_admin_parse(app, res, NULL, body, &qc);
    if (has_queue >= 0) {
        admin_forward(app, res, "POST", "/api/events", body);
        queue_admin_answer(app, res, has_queue ? &qc : NULL);
    }
    json_decref(body);
}

void admin_handle_event_patch(struct http_req *req, struct http_res *res, void *app)
{
    char path[96];
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id || !admin_ready(res))
        return;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    struct queue_config qc;
    int has_queue = queue_admin_parse(app, res, id, body, &qc);
    if (has_queue >= 0) {
        snprintf(path, sizeof path, "/api/events/%s", id);
        /* a change of the queue alone: the event as it is */
        if (has_queue && json_object_size(body) == 0)
            admin_forward(app, res, "GET", path, NULL);
        else
            admin_forward(app, res, "PATCH", path, body);
        queue_admin_answer(app, res, has_queue ? &qc : NULL);
    }
    json_decref(body);
}

void admin_handle_event_delete(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    char path[96];
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id || !admin_ready(res))
        return;
    snprintf(path, sizeof path, "/api/events/%s", id);
    admin_forward(app, res, "DELETE", path, NULL);
    if (res->status != 204)
        return;
    /* the event is gone: its poster goes too (a leftover would only be
     * unreachable from the UI, so a failure here is logged, not answered) */
    struct db_conn *c = db_acquire(app->pool, 2000);
    enum db_status st = c ? poster_store_delete(c, id) : DB_UNAVAILABLE;
    db_release(app->pool, c);
    if (st != DB_OK && st != DB_NOT_FOUND)
        log_warn("poster of deleted event %s not removed: %s", id, db_status_name(st));
    queue_event_ended(app, id, 1);
}

void admin_handle_event_stats(struct http_req *req, struct http_res *res, void *app)
{
    char path[96];
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id || !admin_ready(res))
        return;
    snprintf(path, sizeof path, "/api/events/%s/stats", id);
    admin_forward(app, res, "GET", path, NULL);
}

/* POST /api/admin/events/{id}/<action> passed on as POST
 * /api/events/{id}/<action>. */
static void admin_event_action(struct http_req *req, struct http_res *res, void *app,
                               const char *action)
{
    char path[128];
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id || !admin_ready(res))
        return;
    snprintf(path, sizeof path, "/api/events/%s/%s", id, action);
    admin_forward(app, res, "POST", path, NULL);
}

void admin_handle_event_publish(struct http_req *req, struct http_res *res, void *app)
{
    admin_event_action(req, res, app, "publish");
}

void admin_handle_event_cancel(struct http_req *req, struct http_res *res, void *app)
{
    admin_event_action(req, res, app, "cancel");
    if (res->status == 200) /* nothing more to sell: the line closes */
        queue_event_ended(app, http_req_param(req, "id"), 0);
}
