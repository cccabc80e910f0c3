/* event_cancel_handler.c: POST /api/events/{id}/cancel (admin): the event
 * stops selling, its waitlist queues close, and every live booking is
 * cancelled through the lifecycle (LC_EV_EVENT_CANCELLED: pending ones
 * voided, paid ones refunded, each holder notified). Answers 200 Event.
 * Cancelling again re-runs the bookings' part (idempotent). */
#include <stdio.h>

#include "app.h"
#include "booking_flow.h"
#include "booking_store.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/log.h"
#include "event_cancel_store.h"
#include "event_store.h"
#include "handlers.h"
#include "lifecycle_exec.h"
#include "notify.h"
#include "valid.h"

#define CANCEL_BATCH 100

/* The holder of booking_id is told the event is off (an "event.cancelled"
 * notification beside the booking's own booking.cancelled), in one
 * transaction. */
static enum db_status tell_holder(struct db_conn *c, const char *event_id, const char *booking_id)
{
    json_t *event = NULL;
    enum db_status st = db_begin(c);
    if (st == DB_OK)
        st = event_store_get(c, event_id, &event);
    if (st == DB_OK)
        st = notify_event_cancelled(c, booking_id, event);
    if (st == DB_OK)
        st = db_commit(c);
    else
        db_rollback(c);
    json_decref(event);
    return st;
}

void event_handle_cancel(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    char id[37];
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "event not found");
        return;
    }
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    enum db_status st = event_cancel_store_mark(c, id);
    long cancelled = 0;
    /* Holds cannot start any more (the HOLD guard reads cancelled_at); each
     * booking found live is moved out of the live states, so the loop ends. */
    while (st == DB_OK) {
        char ids[CANCEL_BATCH][37];
        int n = booking_store_live_of_event(c, id, CANCEL_BATCH, ids);
        if (n < 0)
            st = DB_ERROR;
        int moved = 0;
        for (int i = 0; st == DB_OK && i < n; i++) {
            struct lc_outcome o;
            DB_RETRYING(st, lifecycle_apply(c, ids[i], LC_EV_EVENT_CANCELLED, NULL, NULL, &o));
            if (st == DB_NOT_FOUND)
                st = DB_OK;
            moved += o.applied;
            if (st == DB_OK && o.applied)
                st = tell_holder(c, id, ids[i]);
        }
        cancelled += moved;
        if (n < CANCEL_BATCH || moved == 0)
            break;
    }
    json_t *event = NULL;
    if (st == DB_OK)
        st = event_store_get(c, id, &event);
    db_release(a->pool, c);
    if (cancelled)
        app_wake(a);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "event not found");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    log_info("event=%s cancelled: %ld booking(s) cancelled", id, cancelled);
    http_res_json(res, 200, event);
}
