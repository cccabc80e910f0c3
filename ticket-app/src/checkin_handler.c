/* checkin_handler.c: POST /api/checkins: request -> ticket code check ->
 * checkin_store -> response. */
#include "checkin_handler.h"

#include "app.h"
#include "checkin.h"
#include "checkin_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "ticket_code.h"

/* A deadlock or serialization failure is retried this many times in all. */
#define CHECKIN_ATTEMPTS 3

static void answer_invalid(struct http_res *res)
{
    http_res_error(res, 404, "INVALID_TICKET", "this ticket is not valid for entry");
}

void checkin_handle_create(struct http_req *req, struct http_res *res, void *app_)
{
    struct app *app = app_;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    char code[TICKET_CODE_LEN + 1];
    const char *why = NULL;
    int rc = checkin_parse_request(body, code, &why);
    json_decref(body);
    if (rc != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", why,
                            json_pack("{s:s}", "ticket_code", why), NULL);
        return;
    }

    /* The signature is checked before the database is touched: garbage and
     * forgeries cost one HMAC. The code itself is never logged: it is what
     * lets its holder in. */
    char booking_id[37], seat_id[37];
    if (ticket_code_parse_verify(app->ticket_code_secret, code, booking_id, seat_id) != 0) {
        log_info("checkin refused reason=bad_code");
        answer_invalid(res);
        return;
    }

    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        http_res_db_error(res, DB_UNAVAILABLE);
        return;
    }
    struct checkin_result r;
    checkin_result_init(&r);
    enum db_status st = DB_RETRY;
    for (int i = 0; i < CHECKIN_ATTEMPTS && st == DB_RETRY; i++)
        st = checkin_store_admit(c, booking_id, seat_id, &r);
    db_release(app->pool, c);

    if (st == DB_NOT_FOUND) {
        log_info("checkin refused reason=not_admissible booking_id=%s seat_id=%s", booking_id,
                 seat_id);
        answer_invalid(res);
    } else if (st != DB_OK) {
        log_warn("checkin failed status=%s booking_id=%s", db_status_name(st), booking_id);
        http_res_db_error(res, st);
    } else if (r.outcome == CHECKIN_ADMITTED) {
        log_info("checkin admitted booking_id=%s seat_id=%s", booking_id, seat_id);
        http_res_json(res, 200, checkin_admitted_json(&r));
    } else {
        log_info("checkin repeated booking_id=%s seat_id=%s scans=%ld", booking_id, seat_id,
                 r.scans);
        http_res_error_full(res, 409, "ALREADY_CHECKED_IN", "this ticket was already checked in",
                            checkin_already_details(&r), checkin_already_extra(&r));
    }
    checkin_result_cleanup(&r);
}
