/* attendee_flow.c: the attendees of a booking request checked against the
 * event and stored before its seats are held (attendee.h). */
#include <stdlib.h>

#include "app.h"
#include "attendee.h"
#include "attendee_store.h"
#include "common/errors.h"
#include "common/http.h"
#include "common/log.h"

int attendee_settle(struct app *app, const struct booking_request *rq,
                    const struct attendee_list *al, struct http_res *res)
{
    if (al->n == 0 && rq->nseats == 0)
        return 0;
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        http_res_db_error(res, DB_UNAVAILABLE);
        return -1;
    }
    enum db_status st = DB_OK;
    if (al->n < rq->nseats) {
        int required = 0;
        st = attendee_store_required(c, rq->event_id, &required);
        if (st == DB_NOT_FOUND) /* the hold answers an unknown event */
            st = DB_OK;
        if (st == DB_OK && required) {
            db_release(app->pool, c);
            json_t *miss = attendee_missing(rq, al);
            http_res_error_full(res, 400, "VALIDATION_FAILED",
                                "this event needs a name for every seat",
                                json_pack("{s:s, s:o}", "attendees",
                                          "required: a name for every seat", "seat_ids", miss),
                                NULL);
            return -1;
        }
    }
    if (st == DB_OK && al->n > 0) {
        char *json = attendee_list_json(al);
        st = attendee_store_put(c, rq->booking_id, json);
        free(json);
    }
    db_release(app->pool, c);
    if (st != DB_OK) {
        log_warn("attendees not stored booking_id=%s: %s", rq->booking_id, db_status_name(st));
        http_res_db_error(res, st);
        return -1;
    }
    return 0;
}
