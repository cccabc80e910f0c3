/* boxoffice_handler.c: the box office's attendee list of an event
 * (GET /api/admin/events/{id}/attendees.csv, admins): ticket-app's list
 * (GET /api/events/{id}/attendees) written as CSV. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/rand.h"
#include "csv.h"
#include "ticket_client.h"

void boxoffice_handle_attendees_csv(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id)
        return;
    char path[128];
    snprintf(path, sizeof path, "/api/events/%s/attendees", id);
    long status = 0;
    json_t *doc = NULL;
    int rc = ticket_call_json(app, "GET", path, NULL, &status, &doc);
    if (rc < 0 || status >= 500 || !doc) {
        json_decref(doc);
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
        return;
    }
    if (status != 200) {
        http_res_json(res, (int)status, doc);
        return;
    }
    size_t len = 0;
    char *csv = csv_attendees(doc, &len);
    json_decref(doc);
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"attendees-%.36s.csv\"", id);
    http_res_header(res, "Content-Disposition", disp);
    http_res_take(res, 200, "text/csv; charset=utf-8", csv, len);
}
