/* checkin_handler.c: POST /api/checkins and GET /api/events/{id}/checkins:
 * request -> ticket code check -> checkin_store -> response. */
#include "checkin_handler.h"

#include <string.h>

#include "app.h"
#include "checkin.h"
#include "checkin_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "ticket_code.h"

/* A deadlock or serialization failure is retried this many times in all. */

/* 404 INVALID_TICKET with details.reason; extra (stolen, may be NULL) adds
 * top-level members; the gate's event is named when known. */
static void answer_invalid(struct http_res *res, const char *reason,
                           const struct checkin_event *gate, json_t *extra)
{
    if (!extra)
        extra = json_pack("{s:o}", "event", checkin_event_json(gate));
    http_res_error_full(res, 404, "INVALID_TICKET", "this ticket is not valid for entry",
                        json_pack("{s:s}", "reason", reason), extra);
}

void checkin_handle_create(struct http_req *req, struct http_res *res, void *app_)
{
    struct app *app = app_;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    char code[TICKET_CODE_LEN + 1], gate_id[37];
    const char *why = NULL, *field = NULL;
    int rc = checkin_parse_request(body, code, gate_id, &field, &why);
    json_decref(body);
    if (rc != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", why, json_pack("{s:s}", field, why),
                            NULL);
        return;
    }

    struct checkin_event gate;
    memset(&gate, 0, sizeof gate);
    struct checkin_result r;
    checkin_result_init(&r);
    struct db_conn *c = NULL;
    /* The signature is checked before the database is touched: garbage and
     * forgeries cost one HMAC (and a look-up of the gate's event, to name
     * it). The code itself is never logged: it is what lets its holder in. */
    char booking_id[37], seat_id[37];
    int forged = ticket_code_parse_verify(app->ticket_code_secret, code, booking_id, seat_id) != 0;
    if (forged && !gate_id[0]) {
        log_info("checkin refused reason=bad_code");
        answer_invalid(res, "UNKNOWN", &gate, NULL);
        return;
    }
    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        return;
    enum db_status st = DB_OK;
    if (gate_id[0]) {
        st = checkin_store_event(c, gate_id, &gate);
        if (st == DB_NOT_FOUND) {
            http_res_error_full(res, 404, "NOT_FOUND", "no such event at this gate",
                                json_pack("{s:s}", "event_id", "no such event"), NULL);
            goto out;
        }
        if (st != DB_OK) {
            http_res_db_error(res, st);
            goto out;
        }
    }
    if (forged) {
        log_info("checkin refused reason=bad_code");
        answer_invalid(res, "UNKNOWN", &gate, NULL);
        goto out;
    }
    DB_RETRYING(
        st, (checkin_result_cleanup(&r), checkin_store_admit(c, booking_id, seat_id, gate_id, &r)));
    if (st == DB_NOT_FOUND) {
        log_info("checkin refused reason=unknown booking_id=%s seat_id=%s", booking_id, seat_id);
        answer_invalid(res, "UNKNOWN", &gate, NULL);
        goto out;
    }
    if (st != DB_OK) {
        log_warn("checkin failed status=%s booking_id=%s", db_status_name(st), booking_id);
        http_res_db_error(res, st);
        goto out;
    }
    switch (r.outcome) {
    case CHECKIN_ADMITTED:
        log_info("checkin admitted booking_id=%s seat_id=%s", booking_id, seat_id);
        http_res_json(res, 200, checkin_admitted_json(&r));
        break;
    case CHECKIN_ALREADY:
        log_info("checkin repeated booking_id=%s seat_id=%s scans=%ld", booking_id, seat_id,
                 r.scans);
        http_res_error_full(res, 409, "ALREADY_CHECKED_IN", "this ticket was already checked in",
                            checkin_already_details(&r), checkin_refusal_extra(&r, NULL));
        break;
    case CHECKIN_WRONG_EVENT:
        log_info("checkin refused reason=wrong_event booking_id=%s event_id=%s", booking_id,
                 r.event.id);
        http_res_error_full(res, 409, "WRONG_EVENT", "this ticket is for another event",
                            checkin_wrong_event_details(&r), checkin_refusal_extra(&r, &gate));
        break;
    case CHECKIN_CANCELLED:
        log_info("checkin refused reason=cancelled booking_id=%s", booking_id);
        answer_invalid(res, "CANCELLED", NULL, checkin_refusal_extra(&r, NULL));
        break;
    case CHECKIN_NOT_CONFIRMED:
    case CHECKIN_UNKNOWN:
        log_info("checkin refused reason=not_admissible booking_id=%s seat_id=%s", booking_id,
                 seat_id);
        answer_invalid(res, "NOT_CONFIRMED", NULL, checkin_refusal_extra(&r, NULL));
        break;
    }
out:
    db_release(app->pool, c);
    checkin_result_cleanup(&r);
    checkin_event_cleanup(&gate);
}

void checkin_handle_list(struct http_req *req, struct http_res *res, void *app_)
{
    struct app *app = app_;
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id)
        return;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    json_t *doc = NULL;
    enum db_status st = checkin_store_list(c, id, limit, offset, &doc);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such event");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, 200, doc);
}
