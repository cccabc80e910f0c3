/* event_handler.c: events and seats endpoints: request -> validation ->
 * store -> response. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/rand.h"
#include "common/sig.h"
#include "event.h"
#include "event_life.h"
#include "event_store.h"
#include "handlers.h"
#include "seat_store.h"
#include "valid.h"

/* 1 if the request carries the admin token: public reads show DRAFT
 * events to admins only. */
static int caller_is_admin(const struct app *app, struct http_req *req)
{
    const char *tok = http_req_bearer(req);
    return tok && str_ct_equal(tok, app->admin_token);
}

static void conn_release(struct app *app, struct db_conn *c)
{
    db_release(app->pool, c);
}

/* The {id} path parameter as a lowercase UUID, or a 404 answer. */
static int path_id(struct http_req *req, struct http_res *res, char id[37], const char *what)
{
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "%s not found", what);
        return -1;
    }
    return 0;
}

/* path_id, then a borrowed connection (else a 503 answer); NULL when
 * answered. */
static struct db_conn *conn_for_id(struct app *app, struct http_req *req, struct http_res *res,
                                   char id[37], const char *what)
{
    return path_id(req, res, id, what) == 0 ? db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)
                                            : NULL;
}

/* After a parser ran (rc its result): on failure answers 400 with details
 * and releases body, returning -1; else releases details and returns 0. */
static int parse_failed(struct http_res *res, int rc, json_t *body, json_t *details)
{
    if (rc != 0) {
        json_decref(body);
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            details, NULL);
        return -1;
    }
    json_decref(details);
    return 0;
}

/* Answers a store result: status with json (taken; NULL: 204) on DB_OK,
 * 404 for what on DB_NOT_FOUND, else the status's own answer. */
static void answer(struct http_res *res, enum db_status st, int status, json_t *json,
                   const char *what)
{
    if (st == DB_OK && json)
        http_res_json(res, status, json);
    else if (st == DB_OK)
        http_res_no_content(res);
    else if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "%s not found", what);
    else
        http_res_db_error(res, st);
}

/* A GET by {id}: fetch's JSON answered 200, or 404/503. */
static void get_by_id(struct app *app, struct http_req *req, struct http_res *res, const char *what,
                      enum db_status (*fetch)(struct db_conn *, const char *, json_t **))
{
    char id[37];
    struct db_conn *c = conn_for_id(app, req, res, id, what);
    if (!c)
        return;
    json_t *out = NULL;
    enum db_status st = fetch(c, id, &out);
    conn_release(app, c);
    answer(res, st, 200, out, what);
}

void event_handle_create(struct http_req *req, struct http_res *res, void *appv)
{
    struct app *app = appv;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct event_input in;
    if (parse_failed(res, event_parse_create(body, &in, details), body, details) != 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (c) {
        char id[37];
        rand_uuid(id);
        json_t *event = NULL;
        enum db_status st = event_store_create(c, id, &in, &event);
        conn_release(app, c);
        answer(res, st, 201, event, "event");
    }
    event_input_cleanup(&in);
    json_decref(body);
}

void event_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct app *app = appv;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    const char *when = http_req_query(req, "when");
    if (!when || !when[0])
        when = "all";
    if (strcmp(when, "upcoming") != 0 && strcmp(when, "past") != 0 && strcmp(when, "all") != 0) {
        json_t *details = json_pack("{s:s}", "when", "must be upcoming, past or all");
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            details, NULL);
        return;
    }
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    json_t *items = NULL;
    long total = 0;
    enum db_status st =
        event_store_list(c, when, caller_is_admin(app, req), limit, offset, &items, &total);
    conn_release(app, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    http_res_page(res, items, total, limit, offset);
}

void event_handle_get(struct http_req *req, struct http_res *res, void *app)
{
    char id[37];
    struct db_conn *c = conn_for_id(app, req, res, id, "event");
    if (!c)
        return;
    json_t *out = NULL;
    enum db_status st = event_store_find(c, id, caller_is_admin(app, req), &out);
    conn_release(app, c);
    answer(res, st, 200, out, "event");
}

void event_handle_publish(struct http_req *req, struct http_res *res, void *app)
{
    char id[37];
    struct db_conn *c = conn_for_id(app, req, res, id, "event");
    if (!c)
        return;
    json_t *out = NULL;
    enum db_status st = event_store_publish(c, id, &out);
    conn_release(app, c);
    if (st == DB_CONFLICT)
        http_res_error(res, 409, "EVENT_CANCELLED", "a cancelled event cannot be published");
    else
        answer(res, st, 200, out, "event");
}

void event_handle_patch(struct http_req *req, struct http_res *res, void *appv)
{
    struct app *app = appv;
    char id[37];
    if (path_id(req, res, id, "event") != 0)
        return;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct event_input in;
    if (parse_failed(res, event_parse_patch(body, &in, details), body, details) != 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (c) {
        json_t *event = NULL;
        int told = 0;
        enum db_status st = event_life_patch(app, c, id, &in, &event, &told);
        conn_release(app, c);
        if (st == DB_CONFLICT)
            http_res_error(res, 409, "EVENT_HAS_BOOKINGS",
                           "the currency cannot change while the event has bookings");
        else if (st == DB_INVALID)
            http_res_error(res, 400, "VALIDATION_FAILED", "the change is not valid for this event");
        else
            answer(res, st, 200, event, "event");
    }
    event_input_cleanup(&in);
    json_decref(body);
}

void event_handle_delete(struct http_req *req, struct http_res *res, void *app)
{
    char id[37];
    struct db_conn *c = conn_for_id(app, req, res, id, "event");
    if (!c)
        return;
    enum db_status st = event_store_delete(c, id);
    conn_release(app, c);
    if (st == DB_CONFLICT)
        http_res_error(res, 409, "EVENT_HAS_BOOKINGS",
                       "the event has bookings or held seats and cannot be deleted");
    else
        answer(res, st, 204, NULL, "event");
}

void event_handle_seats(struct http_req *req, struct http_res *res, void *app)
{
    char id[37];
    struct db_conn *c = conn_for_id(app, req, res, id, "event");
    if (!c)
        return;
    json_t *items = NULL;
    enum db_status st = event_store_visible(c, id, caller_is_admin(app, req));
    if (st == DB_OK)
        st = seat_store_list(c, id, &items);
    conn_release(app, c);
    answer(res, st, 200, st == DB_OK ? json_pack("{s:o}", "items", items) : NULL, "event");
}

void event_handle_stats(struct http_req *req, struct http_res *res, void *app)
{
    get_by_id(app, req, res, "event", event_store_stats);
}

void seat_handle_add(struct http_req *req, struct http_res *res, void *appv)
{
    struct app *app = appv;
    char id[37];
    if (path_id(req, res, id, "event") != 0)
        return;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct seat_input in;
    if (parse_failed(res, seat_parse_create(body, &in, details), body, details) != 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (c) {
        json_t *seat = NULL;
        enum db_status st = seat_store_add(c, id, &in, &seat);
        conn_release(app, c);
        if (st == DB_CONFLICT)
            http_res_error(res, 409, "SEAT_EXISTS", "the event already has a seat with this label");
        else
            answer(res, st, 201, seat, "event");
    }
    json_decref(body);
}

void seat_handle_patch(struct http_req *req, struct http_res *res, void *appv)
{
    struct app *app = appv;
    char id[37];
    if (path_id(req, res, id, "seat") != 0)
        return;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct seat_input in;
    if (parse_failed(res, seat_parse_patch(body, &in, details), body, details) != 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (c) {
        json_t *seat = NULL;
        int held = 0;
        enum db_status st = seat_store_patch(c, id, &in, &seat, &held);
        conn_release(app, c);
        if (st == DB_CONFLICT && held)
            http_res_error(res, 409, "SEAT_HELD", "the seat is held or booked");
        else if (st == DB_CONFLICT)
            http_res_error(res, 409, "SEAT_EXISTS", "the event already has a seat with this label");
        else
            answer(res, st, 200, seat, "seat");
    }
    json_decref(body);
}

void seat_handle_delete(struct http_req *req, struct http_res *res, void *app)
{
    char id[37];
    struct db_conn *c = conn_for_id(app, req, res, id, "seat");
    if (!c)
        return;
    enum db_status st = seat_store_delete(c, id);
    conn_release(app, c);
    if (st == DB_CONFLICT)
        http_res_error(res, 409, "SEAT_HELD", "the seat is held or booked");
    else
        answer(res, st, 204, NULL, "seat");
}
