/* booking_handler.c: bookings endpoints (create, status, cancel, PDF). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendee.h"
#include "booking.h"
#include "booking_flow.h"
#include "booking_store.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/sig.h"
#include "common/util.h"
#include "handlers.h"
#include "lifecycle_exec.h"
#include "valid.h"

void booking_handle_create(struct http_req *req, struct http_res *res, void *app)
{
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct booking_request rq;
    struct attendee_list al;
    int rc = booking_parse_request(body, &rq, details);
    if (rc == 0)
        rc = attendee_parse(body, &rq, &al, details);
    json_decref(body);
    if (rc != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            details, NULL);
        return;
    }
    json_decref(details);
    booking_flow_create(app, &rq, &al, res);
}

void booking_handle_checkout(struct http_req *req, struct http_res *res, void *app)
{
    char id[37];
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
        return;
    }
    /* client-app names the caller ({"user_id"}): another's booking is 404 */
    char user[USER_ID_MAX + 1] = "";
    if (req->body && req->body_len) {
        json_t *body = http_req_json(req, res);
        if (!body)
            return;
        json_t *details = json_object();
        const char *u = NULL;
        if (valid_string(body, "user_id", 0, USER_ID_MAX, &u, details) > 0)
            snprintf(user, sizeof user, "%s", u);
        json_decref(body);
        if (json_object_size(details) > 0) {
            http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                                details, NULL);
            return;
        }
        json_decref(details);
    }
    booking_flow_checkout(app, id, user[0] ? user : NULL, res);
}

/* Loads the {id} booking or answers 404/503. */
static int load_booking(struct app *app, struct http_req *req, struct http_res *res,
                        struct booking *b)
{
    char id[37];
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
        return -1;
    }
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return -1;
    }
    enum db_status st = booking_store_load(c, id, b);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    return st == DB_OK ? 0 : -1;
}

void booking_handle_get(struct http_req *req, struct http_res *res, void *app)
{
    struct booking b = {0};
    if (load_booking(app, req, res, &b) != 0)
        return;
    http_res_json(res, 200, booking_json(&b));
    booking_cleanup(&b);
}

/* Answers a cancel's outcome: 200 with the booking (cancelled now, or
 * before: client-app retries), else 409 NOT_CANCELLABLE with
 * details.reason when a guard refused. */
static void answer_cancel(struct http_res *res, const struct lc_outcome *o, const struct booking *b)
{
    if (o->applied || (o->found && o->from == LC_CANCELLED)) {
        http_res_json(res, 200, booking_json(b));
        return;
    }
    /* FAILED and EXPIRED bookings hold nothing to cancel: no reason. */
    json_t *details = o->reason ? json_pack("{s:s}", "reason", o->reason) : NULL;
    const char *msg = !o->reason ? "the booking cannot be cancelled"
                      : strcmp(o->reason, "CHECKED_IN") == 0
                          ? "a seat of the booking was admitted at the gate"
                          : "the event has started";
    http_res_error_full(res, 409, "NOT_CANCELLABLE", msg, details,
                        json_pack("{s:o}", "booking", booking_json(b)));
}

void booking_handle_cancel(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    char id[37];
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
        return;
    }
    /* The admin token cancels as an admin (allowed after the start, never
     * once checked in), and so does client-app's service token when it says
     * {"by":"admin"} (its caller is an admin); else the owner's rules. */
    const char *tok = http_req_bearer(req);
    enum lc_event ev =
        tok && str_ct_equal(tok, a->admin_token) ? LC_EV_CANCEL_ADMIN : LC_EV_CANCEL_USER;
    if (ev == LC_EV_CANCEL_USER && req->body && req->body_len) {
        json_t *body = json_loadb(req->body, req->body_len, 0, NULL);
        const char *by = json_str(body, "by");
        if (by && strcmp(by, "admin") == 0)
            ev = LC_EV_CANCEL_ADMIN;
        json_decref(body);
    }
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    struct lc_outcome o;
    enum db_status st = DB_OK;
    DB_RETRYING(st, lifecycle_apply(c, id, ev, NULL, NULL, &o));
    struct booking b = {0};
    if (st == DB_OK)
        st = booking_store_load(c, id, &b);
    db_release(a->pool, c);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    if (o.applied)
        app_wake(a);
    answer_cancel(res, &o, &b);
    booking_cleanup(&b);
}

void booking_handle_ticket(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    struct booking b = {0};
    if (load_booking(app, req, res, &b) != 0)
        return;
    if (b.state != LC_CONFIRMED || !b.has_ticket) {
        http_res_error(res, 409, "TICKET_NOT_READY", "no ticket for a booking in status %s%s",
                       b.status, b.state == LC_CONFIRMED ? " (rendering)" : "");
        booking_cleanup(&b);
        return;
    }
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        booking_cleanup(&b);
        return;
    }
    enum db_status st;
    char *hex = booking_store_ticket_hex(c, b.id, &st);
    db_release(a->pool, c);
    if (!hex) {
        if (st == DB_NOT_FOUND)
            http_res_error(res, 409, "TICKET_NOT_READY", "the ticket is not ready");
        else
            http_res_db_error(res, st);
        booking_cleanup(&b);
        return;
    }
    size_t hexlen = strlen(hex), len = 0;
    char *pdf = xmalloc(hexlen / 2 + 1);
    if (sodium_hex2bin((unsigned char *)pdf, hexlen / 2 + 1, hex, hexlen, NULL, &len, NULL) != 0) {
        free(pdf);
        free(hex);
        booking_cleanup(&b);
        http_res_error(res, 500, "INTERNAL", "stored ticket is unreadable");
        return;
    }
    free(hex);
    char disp[96];
    snprintf(disp, sizeof disp, "inline; filename=\"ticket-%s.pdf\"", b.id);
    http_res_header(res, "Content-Disposition", disp);
    http_res_take(res, 200, "application/pdf", pdf, len);
    booking_cleanup(&b);
}
