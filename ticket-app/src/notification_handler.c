/* notification_handler.c: GET /api/notifications (admin): the outbox of
 * notifications to client-app, with delivery state, for troubleshooting.
 * ?status=pending|delivered, paging as usual. */
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "handlers.h"

HANDLER(notification_handle_list)
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
    struct db_conn *c = db_acquire(a->pool, APP_DB_WAIT_MS);
    if (!c) {
        http_res_db_error(res, DB_UNAVAILABLE);
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
    http_res_json(res, 200,
                  json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
                            "limit", (json_int_t)limit, "offset", (json_int_t)offset));
}
