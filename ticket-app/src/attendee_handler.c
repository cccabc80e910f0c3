/* attendee_handler.c: GET /api/events/{id}/attendees (client-app's box
 * office, the admin token): the event's attendee list
 * (attendee_store_manifest). */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendee.h"
#include "attendee_store.h"
#include "common/errors.h"
#include "common/rand.h"

void attendee_handle_manifest(struct http_req *req, struct http_res *res, void *app_)
{
    struct app *app = app_;
    const char *id = http_req_param(req, "id");
    if (!id || !uuid_valid(id)) {
        http_res_error(res, 404, "NOT_FOUND", "no such event");
        return;
    }
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        return;
    }
    char *doc = NULL;
    enum db_status st = attendee_store_manifest(c, id, &doc);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such event");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_take(res, 200, "application/json", doc, strlen(doc)), doc = NULL;
    free(doc);
}
