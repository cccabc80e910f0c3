/* account.c: closing an account (see account.h). */
#include "account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "booking_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/util.h"
#include "ticket_client.h"
#include "user_store.h"

/* 1 if the event has not started (ticket-app's starts_at is ahead), 0 if
 * it has or ticket-app does not know it, -1 when ticket-app cannot say. */
static int event_upcoming(struct client_app *app, const char *event_id)
{
    char path[96];
    long status = 0;
    json_t *ev = NULL;
    snprintf(path, sizeof path, "/api/events/%s", event_id);
    if (ticket_call_json(app, "GET", path, NULL, &status, &ev) < 0 || status >= 500) {
        json_decref(ev);
        return -1;
    }
    int64_t starts = 0;
    int up = status == 200 && time_parse_rfc3339(json_str(ev, "starts_at"), &starts) == 0 &&
             starts > now_ms();
    json_decref(ev);
    return up;
}

/* The user's live bookings split: *cancel gets the ids to cancel
 * (pending ones, and upcoming confirmed ones when cancel_bookings), *upcoming
 * the upcoming confirmed ones (new JSON arrays). 0, or -1 after answering. */
static int sort_bookings(struct client_app *app, struct http_res *res, const char *id,
                         int cancel_bookings, json_t **cancel, json_t **upcoming)
{
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return -1;
    PGresult *r = NULL;
    enum db_status st = booking_store_live_of_user(c, id, &r);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return -1;
    }
    *cancel = json_array();
    *upcoming = json_array();
    json_t *known = json_object(); /* event id -> upcoming (asked once each) */
    int rc = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *bid = db_get(r, i, "id");
        if (booking_status_parse(db_get(r, i, "status")) != BS_CONFIRMED) {
            json_array_append_new(*cancel, json_string(bid));
            continue;
        }
        const char *ev = db_get(r, i, "event_id");
        json_t *k = json_object_get(known, ev);
        int up = k ? (int)json_integer_value(k) : event_upcoming(app, ev);
        if (up < 0) {
            atomic_fetch_add(&app->n_ticket_unavailable, 1);
            http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
            rc = -1;
            break;
        }
        json_object_set_new(known, ev, json_integer(up));
        if (up) {
            json_array_append_new(*upcoming, json_string(bid));
            if (cancel_bookings)
                json_array_append_new(*cancel, json_string(bid));
        }
    }
    json_decref(known);
    PQclear(r);
    if (rc < 0) {
        json_decref(*cancel);
        json_decref(*upcoming);
        *cancel = *upcoming = NULL;
    }
    return rc;
}

/* 1 if id is the last admin (answered 409), 0 if not, -1 after answering. */
static int last_admin(struct client_app *app, struct http_res *res, const char *id)
{
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return -1;
    int last = 0;
    enum db_status st = user_store_is_last_admin(c, id, &last);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return -1;
    }
    if (last)
        http_res_error(res, 409, "LAST_ADMIN", "the last admin cannot be deleted");
    return last;
}

/* Cancels every booking of ids through ticket-app; 0, or -1 after
 * answering (a refusal names the booking). */
static int cancel_all(struct client_app *app, struct http_res *res, json_t *ids)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *bid = json_string_value(v);
        long status = 0;
        json_t *reply = NULL;
        if (booking_cancel_remote(app, res, bid, &status, &reply) < 0) {
            json_decref(reply);
            return -1;
        }
        /* 404: ticket-app never held it (nothing to release) */
        if (status != 200 && status != 201 && status != 404) {
            json_t *err = json_object_get(reply, "error");
            const char *code = json_str(err, "code");
            json_t *details = json_pack("{s:s}", "booking_id", bid);
            json_t *d = json_object_get(err, "details");
            if (json_is_object(d))
                json_object_update_missing(details, d);
            http_res_error_full(res, 409, code ? code : "NOT_CANCELLABLE",
                                "a booking of the user cannot be cancelled", details, NULL);
            json_decref(reply);
            return -1;
        }
        json_decref(reply);
    }
    return 0;
}

void account_delete(struct client_app *app, struct http_res *res, const char *id,
                    int cancel_bookings)
{
    json_t *cancel = NULL, *upcoming = NULL;
    if (last_admin(app, res, id) != 0)
        return;
    if (sort_bookings(app, res, id, cancel_bookings, &cancel, &upcoming) < 0)
        return;
    if (json_array_size(upcoming) > 0 && !cancel_bookings) {
        http_res_error_full(res, 409, "HAS_UPCOMING_TICKETS",
                            "the user holds tickets of events to come: cancel them first, or "
                            "delete with ?cancel_bookings=true",
                            json_pack("{s:O}", "booking_ids", upcoming), NULL);
        goto out;
    }
    if (cancel_all(app, res, cancel) < 0)
        goto out;

    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        goto out;
    int refused = 0;
    enum db_status st = db_begin(c);
    if (st == DB_OK)
        st = user_store_delete(c, id, &refused);
    if (st == DB_OK)
        st = session_store_delete_user(c, id);
    if (st == DB_OK)
        st = db_commit(c);
    db_release(app->pool, c); /* rolls back a transaction left open */
    if (st == DB_CONFLICT && refused)
        http_res_error(res, 409, "LAST_ADMIN", "the last admin cannot be deleted");
    else if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such user");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else {
        log_info("user deleted user_id=%s bookings_cancelled=%zu", id, json_array_size(cancel));
        http_res_no_content(res);
    }
out:
    json_decref(cancel);
    json_decref(upcoming);
}
