/* inbox_handler.c: the user's notifications: GET /api/notifications (newest
 * first, with the unread count), GET /api/notifications/unread,
 * POST /api/notifications/{id}/read. */
#include <stdlib.h>

#include "app.h"
#include "common/errors.h"
#include "common/rand.h"
#include "common/util.h"
#include "inbox.h"
#include "inbox_store.h"

/* {id, kind, subject, body, booking_id, created_at, read_at} of row i (new
 * reference). */
static json_t *inbox_row_json(const PGresult *r, int i)
{
    json_t *params = json_loads(db_get(r, i, "params") ? db_get(r, i, "params") : "{}", 0, NULL);
    char *subject = NULL, *body = NULL;
    const char *kind = db_get(r, i, "kind");
    inbox_render(kind, params, &subject, &body);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "id", db_get(r, i, "id"), "kind", kind,
                  "subject", subject, "body", body, "booking_id", db_get(r, i, "booking_id"),
                  "created_at", db_get(r, i, "created_at"), "read_at", db_get(r, i, "read_at"));
    free(subject);
    free(body);
    json_decref(params);
    return o;
}

void inbox_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    PGresult *r = NULL;
    long total = 0, unread = 0;
    enum db_status st =
        inbox_store_list(c, auth_current(req)->id, limit, offset, &r, &total, &unread);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    json_t *items = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        if (db_get(r, i, "id")) /* the page may be past the end: only the counts came */
            json_array_append_new(items, inbox_row_json(r, i));
    PQclear(r);
    http_res_json(res, 200,
                  json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
                            "unread", (json_int_t)unread, "limit", (json_int_t)limit, "offset",
                            (json_int_t)offset));
}

void inbox_handle_unread(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    long unread = 0;
    enum db_status st = inbox_store_unread(c, auth_current(req)->id, &unread);
    db_release(app->pool, c);
    if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, 200, json_pack("{s:I}", "unread", (json_int_t)unread));
}

void inbox_handle_read(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id;
    struct db_conn *c = db_acquire_for_id(app->pool, APP_DB_WAIT_MS, req, res, "notification", &id);
    if (!c)
        return;
    PGresult *r = NULL;
    enum db_status st = inbox_store_mark_read(c, auth_current(req)->id, id, &r);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such notification");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else {
        http_res_json(res, 200, inbox_row_json(r, 0));
        PQclear(r);
    }
}
