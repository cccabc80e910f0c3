/* notification_handler.c: GET /api/notifications (admin): the outbox of
 * notifications to client-app, with delivery state, for troubleshooting.
 * ?status=pending|delivered, paging as usual. */
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "handlers.h"

void notification_handle_list(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    const char *status = http_req_query(req, "status");
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "delivered") != 0) {
        http_res_error(res, 400, "VALIDATION_FAILED", "status must be pending or delivered");
        return;
    }
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    json_t *items = NULL;
    long total = 0;
    enum db_status st = outbox_list(c, status, limit, offset, &items, &total);
    db_release(a->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    http_res_page(res, items, total, limit, offset);
}
