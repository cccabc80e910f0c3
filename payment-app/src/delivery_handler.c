/* delivery_handler.c: the webhook delivery log for services and operators:
 * list events with their attempt counts and last error, show one with every
 * attempt, and send one again. The rows are common/outbox.c's. */
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "handlers.h"
#include "invoice_store.h"

#define DELIVERY_ID_MAX 100

/* The {id} parameter if it could be an event id (printable ASCII, short),
 * else answers 404. */
static const char *id_or_404(struct http_req *req, struct http_res *res)
{
    const char *id = http_req_param(req, "id");
    size_t n = id ? strlen(id) : 0;
    int ok = n > 0 && n <= DELIVERY_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = id[i] > 0x20 && id[i] < 0x7f;
    if (!ok) {
        http_res_error(res, 404, "NOT_FOUND", "no such delivery");
        return NULL;
    }
    return id;
}

void delivery_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    const char *status = http_req_query(req, "status");
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "delivered") != 0) {
        http_res_error(res, 400, "VALIDATION_FAILED", "status must be pending or delivered");
        return;
    }
    struct db_conn *conn = db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res);
    if (!conn)
        return;
    json_t *items = NULL;
    long total = 0;
    enum db_status st = outbox_list(conn, status, limit, offset, &items, &total);
    db_release(app->pool, conn);
    if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_page(res, items, total, limit, offset);
}

/* The delivery object with "attempt_log": every attempt, oldest first. */
static enum db_status delivery_load(struct db_conn *conn, const char *id, json_t **out)
{
    json_t *d = NULL, *attempts = NULL;
    enum db_status st = delivery_store_get(conn, id, &d);
    if (st != DB_OK)
        return st;
    st = outbox_attempts(conn, id, &attempts);
    if (st != DB_OK) {
        json_decref(d);
        return st;
    }
    json_object_set_new(d, "attempt_log", attempts);
    *out = d;
    return DB_OK;
}

void delivery_handle_get(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    const char *id = id_or_404(req, res);
    struct db_conn *conn = id ? db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res) : NULL;
    if (!conn)
        return;
    json_t *d = NULL;
    enum db_status st = delivery_load(conn, id, &d);
    db_release(app->pool, conn);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such delivery");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, 200, d);
}

void delivery_handle_replay(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    const char *id = id_or_404(req, res);
    struct db_conn *conn = id ? db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res) : NULL;
    if (!conn)
        return;
    json_t *d = NULL;
    enum db_status st = outbox_replay(conn, id);
    if (st == DB_OK)
        st = delivery_load(conn, id, &d);
    db_release(app->pool, conn);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "no such delivery");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    payment_wake_delivery(app);
    http_res_json(res, 202, d);
}
