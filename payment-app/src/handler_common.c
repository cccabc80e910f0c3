/* handler_common.c: steps every payment-app endpoint family shares (a pooled
 * connection or 503, the paged list answer); declared in handlers.h. */
#include "app.h"
#include "handlers.h"

#define ACQUIRE_WAIT_MS 3000

struct db_conn *payment_acquire_or_503(struct payment_app *app, struct http_res *res)
{
    struct db_conn *conn = db_acquire(app->pool, ACQUIRE_WAIT_MS);
    if (!conn)
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the database is not reachable");
    return conn;
}

void payment_answer_page(struct http_res *res, json_t *items, long total, long limit, long offset)
{
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "limit", json_integer(limit));
    json_object_set_new(o, "offset", json_integer(offset));
    http_res_json(res, 200, o);
}
