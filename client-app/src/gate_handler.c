/* gate_handler.c: the gate for staff and admins (POST /api/checkins,
 * GET /api/events/{id}/checkins), passed on to ticket-app with the service
 * token: ticket-app verifies the code and keeps the check-ins; its answer
 * (status and body) is the gate's. The caller's role was checked by the
 * before hook (ROUTE_GATE). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "ticket_client.h"

/* Answers res with ticket-app's status and body, or 503 when it could not
 * be reached or failed. out is stolen. */
static void gate_answer(struct client_app *app, struct http_res *res, int rc, long status,
                        json_t *out)
{
    if (rc < 0 || status >= 500 || status < 200 || !out) {
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        json_decref(out);
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
        return;
    }
    http_res_json(res, (int)status, out);
}

void gate_handle_checkin(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    const json_t *code = json_object_get(body, "ticket_code");
    const json_t *ev = json_object_get(body, "event_id");
    json_t *details = json_object();
    if (!json_is_string(code))
        json_object_set_new(details, "ticket_code", json_string("required, a string"));
    if (!json_is_string(ev) || !uuid_valid(json_string_value(ev)))
        json_object_set_new(details, "event_id", json_string("required: the gate's event id"));
    if (json_object_size(details) > 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "ticket_code and event_id are required",
                            details, NULL);
        json_decref(body);
        return;
    }
    json_decref(details);
    json_t *fwd = json_pack("{s:O, s:O}", "ticket_code", code, "event_id", ev);
    long status = 0;
    json_t *out = NULL;
    int rc = ticket_call_json(app, "POST", "/api/checkins", fwd, &status, &out);
    const struct auth_user *u = auth_current(req);
    log_info("gate scan by user_id=%s event_id=%s status=%ld", u ? u->id : "-",
             json_string_value(ev), status);
    json_decref(fwd);
    json_decref(body);
    gate_answer(app, res, rc, status, out);
}

void gate_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id)
        return;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    char path[160];
    snprintf(path, sizeof path, "/api/events/%s/checkins?limit=%ld&offset=%ld", id, limit, offset);
    long status = 0;
    json_t *out = NULL;
    int rc = ticket_call_json(app, "GET", path, NULL, &status, &out);
    gate_answer(app, res, rc, status, out);
}
