/* booking_handler.c: bookings endpoints (create, status, cancel, PDF). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "booking.h"
#include "booking_flow.h"
#include "booking_store.h"
#include "common/errors.h"
#include "common/util.h"
#include "handlers.h"
#include "valid.h"

void booking_handle_create(struct http_req *req, struct http_res *res, void *app)
{
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct booking_request rq;
    int rc = booking_parse_request(body, &rq, details);
    json_decref(body);
    if (rc != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            details, NULL);
        return;
    }
    json_decref(details);
    booking_flow_create(app, &rq, res);
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

void booking_handle_cancel(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    char id[37];
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
        return;
    }
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    char old[24] = "";
    int changed = 0;
    enum db_status st = DB_OK;
    DB_RETRYING(st, booking_store_cancel(c, id, old, sizeof old, &changed));
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
    app_wake(a);
    /* Cancelling twice answers the cancelled booking again (client-app
     * retries); FAILED and EXPIRED bookings hold nothing to cancel. */
    if (changed || strcmp(old, "CANCELLED") == 0)
        http_res_json(res, 200, booking_json(&b));
    else
        http_res_error_full(res, 409, "NOT_CANCELLABLE", "the booking cannot be cancelled", NULL,
                            json_pack("{s:o}", "booking", booking_json(&b)));
    booking_cleanup(&b);
}

void booking_handle_ticket(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    struct booking b = {0};
    if (load_booking(app, req, res, &b) != 0)
        return;
    if (strcmp(b.status, "CONFIRMED") != 0 || !b.has_ticket) {
        http_res_error(res, 409, "TICKET_NOT_READY", "no ticket for a booking in status %s%s",
                       b.status, strcmp(b.status, "CONFIRMED") == 0 ? " (rendering)" : "");
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
