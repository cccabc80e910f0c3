/* waitlist_handler.c: POST/GET/DELETE /api/waitlist: validated here, then
 * passed to ticket-app (which owns the queue) with the caller's user id from
 * the session, with no transaction open and no pooled connection held.
 * Another user's entry is unknown to ticket-app under the caller's id, so it
 * answers 404. The offered booking itself reaches the history by ticket-
 * app's booking.created notification (notify_handler.c); until it does,
 * GET /api/bookings/{id} reads it from ticket-app (booking_handler.c), so
 * the entry's booking_id is never a 404. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/log.h"
#include "common/rand.h"
#include "ticket_client.h"
#include "waitlist.h"
#include "waitlist_handler.h"

/* Counts and logs an unreachable ticket-app once per answer. */
static void answer(struct client_app *app, struct http_res *res, const char *what, int rc,
                   long status, json_t *reply)
{
    if (waitlist_pass_on(res, rc, status, reply) == 503) {
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        log_warn("waitlist %s: ticket-app answered %ld", what, status);
    }
}

void waitlist_handle_join(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    struct waitlist_request wr;
    json_t *details = NULL;
    int rc = waitlist_request_parse(body, &wr, &details);
    json_decref(body);
    if (rc < 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid waitlist request", details,
                            NULL);
        return;
    }
    json_t *tbody = waitlist_ticket_body(&wr, u->id), *reply = NULL;
    long status = 0;
    rc = ticket_call_json(app, "POST", "/api/waitlist", tbody, &status, &reply);
    json_decref(tbody);
    answer(app, res, "join", rc, status, reply);
}

void waitlist_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) < 0)
        return;
    const char *status = http_req_query(req, "status");
    if (status && !waitlist_status_valid(status)) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid filter",
                            json_pack("{s:s}", "status",
                                      "must be WAITING, OFFERED, FULFILLED, EXPIRED or CANCELLED"),
                            NULL);
        return;
    }
    /* an admin may look at another user's entries */
    const char *user = u->id, *other = http_req_query(req, "user_id");
    if (u->is_admin && other) {
        if (!uuid_valid(other)) {
            http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid filter",
                                json_pack("{s:s}", "user_id", "must be a UUID"), NULL);
            return;
        }
        user = other;
    }
    char path[256];
    if (waitlist_list_path(path, sizeof(path), user, status, limit, offset) < 0) {
        http_res_error(res, 500, "INTERNAL", "cannot build the request");
        return;
    }
    json_t *reply = NULL;
    long st = 0;
    int rc = ticket_call_json(app, "GET", path, NULL, &st, &reply);
    answer(app, res, "list", rc, st, reply);
}

void waitlist_handle_leave(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    const char *id = http_req_param(req, "id");
    char path[256];
    if (!id || waitlist_leave_path(path, sizeof(path), id, u->id) < 0) {
        http_res_error(res, 404, "NOT_FOUND", "no such waitlist entry");
        return;
    }
    json_t *reply = NULL;
    long st = 0;
    int rc = ticket_call_json(app, "DELETE", path, NULL, &st, &reply);
    answer(app, res, "leave", rc, st, reply);
}
