/* notification_handler.c: GET /api/notifications (admin): the outbox of
 * notifications to client-app, with delivery state, for troubleshooting
 * (common/outbox.c's deliveries endpoint): ?status=pending|delivered,
 * paging as usual. */
#include "app.h"
#include "common/outbox.h"
#include "handlers.h"

void notification_handle_list(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    outbox_answer_list(a->pool, APP_DB_WAIT_MS, req, res);
}
