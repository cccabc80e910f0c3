/* webhook_handler.c: POST /webhooks/payment from payment-app: signature
 * (401 otherwise), then each event id applied once, in the transaction of
 * its effect: invoice.paid by booking_apply_paid (paid_store.c), the
 * others by the lifecycle's executor. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "booking_flow.h"
#include "booking_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/util.h"
#include "handlers.h"
#include "lifecycle_exec.h"
#include "paid_store.h"
#include "valid.h"

/* One try of a payment event in its own transaction: invoice.paid through
 * paid_store_apply, the lifecycle's events through lifecycle_apply, any
 * other only recorded. booking_id NULL when the event names none; event
 * the lifecycle event or -1. */
static enum db_status apply_event(struct db_conn *c, const char *id, const char *type,
                                  const char *booking_id, const char *number, int event,
                                  int *duplicate, int *confirmed)
{
    enum db_status st;
    if (booking_id && number && strcmp(type, "invoice.paid") == 0) {
        enum paid_outcome po = PAID_UNKNOWN;
        st = paid_store_apply(c, id, booking_id, number, &po);
        *duplicate = po == PAID_DUPLICATE;
        *confirmed = po == PAID_CONFIRMED;
        if (st == DB_OK && po == PAID_LATE)
            log_info("late payment for booking=%s: refund", booking_id);
    } else if (booking_id && event >= 0) {
        struct lc_outcome o;
        st = lifecycle_apply(c, booking_id, (enum lc_event)event, id, type, &o);
        *duplicate = o.duplicate;
    } else {
        int fresh = 0; /* recorded, no effect */
        st = booking_store_processed(c, id, type, &fresh);
        *duplicate = !fresh;
    }
    return st;
}

void webhook_handle_payment(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    const char *id = NULL, *type = NULL;
    valid_string(body, "id", 1, 200, &id, details);
    valid_string(body, "type", 1, 64, &type, details);
    json_t *inv = json_object_get(json_object_get(body, "data"), "invoice");
    const char *booking = json_str(inv, "booking_id");
    const char *number = json_str(inv, "invoice_number");
    char booking_id[37];
    int has_booking = booking && valid_uuid_norm(booking, booking_id) == 0;
    if (number && (strlen(number) > 60 || !utf8_valid(number, strlen(number))))
        valid_fail(details, "data.invoice.invoice_number", "is invalid");
    if (json_object_size(details) > 0) {
        json_decref(body);
        http_res_error_full(res, 400, "VALIDATION_FAILED", "not a payment event", details, NULL);
        return;
    }
    json_decref(details);

    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        json_decref(body);
        return;
    }
    int duplicate = 0, confirmed = 0;
    enum db_status st = DB_OK;
    /* The payment events of the lifecycle: each through its one
     * implementation, the event id recorded in the same commit. */
    static const struct {
        const char *type;
        enum lc_event event;
    } events[] = {{"invoice.failed", LC_EV_PAYMENT_FAILED},
                  {"invoice.expired", LC_EV_EXPIRE},
                  {"invoice.refunded", LC_EV_REFUNDED}};
    int event = -1;
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(type, events[i].type) == 0)
            event = (int)events[i].event;
    DB_RETRYING(st, apply_event(c, id, type, has_booking ? booking_id : NULL, number, event,
                                &duplicate, &confirmed));
    db_release(a->pool, c);
    if (st != DB_OK) {
        log_warn("payment event %s not applied: %s", id, db_status_name(st));
        json_decref(body);
        http_res_db_error(res, st); /* payment-app retries */
        return;
    }
    log_info("payment event %s type=%s booking=%s%s%s", id, type, has_booking ? booking_id : "-",
             duplicate ? " (already applied)" : "", confirmed ? " confirmed" : "");
    json_decref(body);
    atomic_fetch_add(duplicate ? &a->n_webhooks_duplicate : &a->n_webhooks, 1);
    /* A confirmation has one thing to follow: its ticket (whose statement
     * hands the notification over). Anything else may have written
     * notifications and follow-ups for every loop. */
    if (confirmed && a->followup_render)
        bg_wake(a->followup_render);
    else if (!duplicate)
        app_wake(a);
    http_res_no_content(res);
}
