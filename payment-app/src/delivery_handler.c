/* delivery_handler.c: the webhook delivery log for services and operators:
 * list events with their attempt counts and last error, show one with every
 * attempt, and send one again; common/outbox.c's deliveries endpoint. */
#include "app.h"
#include "common/outbox.h"
#include "handlers.h"

void delivery_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    outbox_answer_list(app->pool, PAYMENT_DB_WAIT_MS, req, res);
}

void delivery_handle_get(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    outbox_answer_get(app->pool, PAYMENT_DB_WAIT_MS, req, res);
}

void delivery_handle_replay(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    if (outbox_answer_replay(app->pool, PAYMENT_DB_WAIT_MS, req, res))
        payment_wake_delivery(app);
}
