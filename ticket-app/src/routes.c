/* routes.c: the one table of ticket-app's endpoints and the auth check
 * that runs before each (flags: app.h enum ticket_route_auth). */
#include <string.h>

#include "apidoc.h"
#include "app.h"
#include "attendee.h"
#include "checkin_handler.h"
#include "common/sig.h"
#include "handlers.h"
#include "waitlist_handler.h"

const struct http_route ticket_routes[] = {
    {"GET", "/api/events", event_handle_list, AUTH_PUBLIC},
    {"POST", "/api/events", event_handle_create, AUTH_ADMIN},
    {"GET", "/api/events/{id}", event_handle_get, AUTH_PUBLIC},
    {"PATCH", "/api/events/{id}", event_handle_patch, AUTH_ADMIN},
    {"DELETE", "/api/events/{id}", event_handle_delete, AUTH_ADMIN},
    {"POST", "/api/events/{id}/publish", event_handle_publish, AUTH_ADMIN},
    {"GET", "/api/events/{id}/seats", event_handle_seats, AUTH_PUBLIC},
    {"POST", "/api/events/{id}/seats", seat_handle_add, AUTH_ADMIN},
    {"GET", "/api/events/{id}/stats", event_handle_stats, AUTH_ADMIN},
    {"POST", "/api/events/{id}/cancel", event_handle_cancel, AUTH_ADMIN},
    {"PATCH", "/api/seats/{id}", seat_handle_patch, AUTH_ADMIN},
    {"DELETE", "/api/seats/{id}", seat_handle_delete, AUTH_ADMIN},
    {"POST", "/api/bookings", booking_handle_create, AUTH_SERVICE},
    {"GET", "/api/bookings/{id}", booking_handle_get, AUTH_SERVICE},
    {"POST", "/api/bookings/{id}/cancel", booking_handle_cancel, AUTH_SERVICE},
    {"POST", "/api/bookings/{id}/checkout", booking_handle_checkout, AUTH_SERVICE},
    {"GET", "/api/bookings/{id}/ticket.pdf", booking_handle_ticket, AUTH_SERVICE},
    {"POST", "/api/waitlist", waitlist_handle_join, AUTH_SERVICE},
    {"GET", "/api/waitlist", waitlist_handle_list, AUTH_SERVICE},
    {"DELETE", "/api/waitlist/{id}", waitlist_handle_leave, AUTH_SERVICE},
    /* the gate: client-app (staff and admins) or the admin token */
    {"POST", "/api/checkins", checkin_handle_create, AUTH_SERVICE},
    {"GET", "/api/events/{id}/checkins", checkin_handle_list, AUTH_SERVICE},
    /* the box office's attendee list (attendee_handler.c) */
    {"GET", "/api/events/{id}/attendees", attendee_handle_manifest, AUTH_SERVICE},
    {"GET", "/api/notifications", notification_handle_list, AUTH_ADMIN},
    {"GET", "/openapi.json", apidoc_handle_spec, AUTH_PUBLIC},
    /* a service callback: served before user requests (common/http.h) */
    {"POST", "/webhooks/payment", webhook_handle_payment,
     AUTH_SIGNED | HTTP_ROUTE_SIGNED | HTTP_ROUTE_PRIORITY},
};
const size_t ticket_nroutes = sizeof ticket_routes / sizeof ticket_routes[0];

int ticket_before(struct http_req *req, struct http_res *res, void *arg)
{
    const struct app *app = arg;
    unsigned need = req->route ? req->route->flags & ~HTTP_ROUTE_SERVER_FLAGS : AUTH_PUBLIC;
    if (need == AUTH_PUBLIC || need == AUTH_SIGNED)
        return 0;
    const char *tok = http_req_bearer(req);
    if (!tok) {
        http_res_header(res, "WWW-Authenticate", "Bearer");
        http_res_error(res, 401, "UNAUTHENTICATED", "a bearer token is required");
        return 1;
    }
    int admin = str_ct_equal(tok, app->admin_token);
    int service = str_ct_equal(tok, app->service_token);
    if (admin || (need == AUTH_SERVICE && service))
        return 0;
    if (service) {
        http_res_error(res, 403, "FORBIDDEN", "this call needs the admin token");
        return 1;
    }
    http_res_header(res, "WWW-Authenticate", "Bearer");
    http_res_error(res, 401, "UNAUTHENTICATED", "invalid token");
    return 1;
}
