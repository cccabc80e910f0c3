/* waitlist_handler.c: the waitlist endpoints: validate, run the store in
 * one transaction (retried when it lost a deadlock), answer. Leaving an
 * OFFERED entry withdraws its pending booking, which hands the seat to the
 * next in line: a user who leaves while being offered never strands it. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "lifecycle_exec.h"
#include "common/errors.h"
#include "common/log.h"
#include "valid.h"
#include "waitlist.h"
#include "waitlist_handler.h"
#include "waitlist_offer.h"
#include "waitlist_store.h"

/* The ?user_id= of a request, or NULL after answering 400. */
static const char *user_param(struct http_req *req, struct http_res *res)
{
    const char *u = http_req_query(req, "user_id");
    if (!waitlist_user_id_valid(u)) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "user_id is required",
                            json_pack("{s:s}", "user_id", "1 to 64 characters of UTF-8"), NULL);
        return NULL;
    }
    return u;
}

void waitlist_handle_join(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    json_t *details = json_object();
    struct waitlist_join j;
    int rc = waitlist_parse_join(body, &j, details);
    json_decref(body);
    if (rc != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the request has invalid fields",
                            details, NULL);
        return;
    }
    json_decref(details);
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    enum waitlist_join_outcome out = JOIN_OK;
    json_t *entry = NULL;
    enum db_status st = DB_OK;
    DB_RETRYING(st, waitlist_store_join(c, &j, &out, &entry));
    db_release(a->pool, c);
    if (st != DB_OK) {
        log_warn("waitlist join seat=%s: %s", j.seat_id, db_status_name(st));
        http_res_db_error(res, st);
        return;
    }
    if (out != JOIN_OK) {
        waitlist_join_refuse(res, out);
        return;
    }
    http_res_json(res, 201, entry);
}

void waitlist_handle_list(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    const char *user = user_param(req, res);
    if (!user)
        return;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    const char *status = http_req_query(req, "status");
    if (status && !waitlist_status_valid(status)) {
        http_res_error(res, 400, "VALIDATION_FAILED",
                       "status must be WAITING, OFFERED, FULFILLED, EXPIRED or CANCELLED");
        return;
    }
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    json_t *items = NULL;
    long total = 0;
    enum db_status st = waitlist_store_list(c, user, status, limit, offset, &items, &total);
    db_release(a->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    http_res_page(res, items, total, limit, offset);
}

/* One attempt at leaving: *out as waitlist_store_leave; for an OFFERED
 * entry the offered booking is withdrawn and *out says where the entry
 * ended (LEAVE_LEFT, or LEAVE_FULFILLED when it was paid first). */
static enum db_status leave_once(struct db_conn *c, const char *id, const char *user,
                                 enum waitlist_leave_outcome *out)
{
    char booking[37];
    enum db_status st = waitlist_store_leave(c, id, user, out, booking);
    if (st != DB_OK || *out != LEAVE_OFFERED)
        return st;
    struct lc_outcome o;
    st = lifecycle_apply(c, booking, LC_EV_WITHDRAW, NULL, NULL, &o);
    if (st == DB_NOT_FOUND)
        st = DB_OK;
    if (st != DB_OK)
        return st;
    if (o.applied) {
        log_info("waitlist entry=%s left while offered: booking=%s withdrawn", id, booking);
        waitlist_offer_wake();
        *out = LEAVE_LEFT;
        return DB_OK;
    }
    /* The booking was not pending any more: it was paid, or it lapsed and
     * the entry closed with it. Look again at what the entry became. */
    st = waitlist_store_leave(c, id, user, out, booking);
    if (st == DB_OK && *out == LEAVE_OFFERED)
        st = DB_RETRY; /* transitions and entry change commit together: not reached */
    return st;
}

void waitlist_handle_leave(struct http_req *req, struct http_res *res, void *app)
{
    struct app *a = app;
    char id[37];
    if (valid_uuid_norm(http_req_param(req, "id"), id) != 0) {
        http_res_error(res, 404, "NOT_FOUND", "waitlist entry not found");
        return;
    }
    const char *user = user_param(req, res);
    if (!user)
        return;
    struct db_conn *c = db_acquire_or_503(a->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    enum waitlist_leave_outcome out = LEAVE_NOT_FOUND;
    enum db_status st = DB_OK;
    DB_RETRYING(st, leave_once(c, id, user, &out));
    json_t *entry = NULL;
    if (st == DB_OK && out == LEAVE_FULFILLED)
        st = waitlist_store_get(c, id, user, &entry);
    db_release(a->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    switch (out) {
    case LEAVE_LEFT:
        if (a->notifier)
            bg_wake(a->notifier);
        if (a->followup_http)
            bg_wake(a->followup_http);
        http_res_no_content(res);
        return;
    case LEAVE_NOT_FOUND:
        http_res_error(res, 404, "NOT_FOUND", "waitlist entry not found");
        return;
    case LEAVE_FULFILLED:
        http_res_error_full(res, 409, "ENTRY_FULFILLED",
                            "the seat was bought through this entry: cancel the booking instead",
                            NULL, json_pack("{s:o}", "entry", entry));
        return;
    case LEAVE_OFFERED:
        break;
    }
    http_res_error(res, 500, "INTERNAL", "unexpected leave outcome");
}
