/* routes.c: every endpoint of client-app, with who may call it. */
#include "apidoc.h"
#include "app.h"
#include "queue_handler.h"
#include "waitlist_handler.h"
#include "webui.h"

const struct http_route client_routes[] = {
    {"POST", "/api/users", user_handle_create, 0},
    {"GET", "/api/users", user_handle_list, ROUTE_AUTH | ROUTE_ADMIN},
    {"GET", "/api/users/me", user_handle_me, ROUTE_AUTH | ROUTE_STAFF_OK},
    {"GET", "/api/users/{id}", user_handle_get, ROUTE_AUTH},
    {"PATCH", "/api/users/{id}", user_handle_patch, ROUTE_AUTH},
    {"DELETE", "/api/users/{id}", user_handle_delete, ROUTE_AUTH},
    {"POST", "/api/sessions", session_handle_create, 0},
    {"DELETE", "/api/sessions/current", session_handle_delete, ROUTE_AUTH | ROUTE_STAFF_OK},
    {"GET", "/api/events", event_handle_list, 0},
    {"GET", "/api/events/{id}", event_handle_get, 0},
    {"GET", "/api/events/{id}/seats", event_handle_seats, 0},
    /* the waiting room (queue_handler.c) */
    {"POST", "/api/events/{id}/queue", queue_handle_join, ROUTE_AUTH},
    {"GET", "/api/events/{id}/queue", queue_handle_stats, ROUTE_AUTH | ROUTE_ADMIN},
    {"GET", "/api/events/{id}/queue/me", queue_handle_me, ROUTE_AUTH},
    {"DELETE", "/api/events/{id}/queue/me", queue_handle_leave, ROUTE_AUTH},
    {"POST", "/api/bookings", booking_handle_create, ROUTE_AUTH},
    {"GET", "/api/bookings", booking_handle_list, ROUTE_AUTH},
    {"GET", "/api/bookings/{id}", booking_handle_get, ROUTE_AUTH},
    {"POST", "/api/bookings/{id}/refresh", booking_handle_refresh, ROUTE_AUTH},
    {"POST", "/api/bookings/{id}/cancel", booking_handle_cancel, ROUTE_AUTH},
    {"POST", "/api/bookings/{id}/checkout", booking_handle_checkout, ROUTE_AUTH},
    {"GET", "/api/bookings/{id}/ticket.pdf", booking_handle_ticket, ROUTE_AUTH},
    {"POST", "/api/waitlist", waitlist_handle_join, ROUTE_AUTH},
    {"GET", "/api/waitlist", waitlist_handle_list, ROUTE_AUTH},
    {"DELETE", "/api/waitlist/{id}", waitlist_handle_leave, ROUTE_AUTH},
    /* the inbox (inbox_handler.c) */
    {"GET", "/api/notifications", inbox_handle_list, ROUTE_AUTH | ROUTE_STAFF_OK},
    {"GET", "/api/notifications/unread", inbox_handle_unread, ROUTE_AUTH | ROUTE_STAFF_OK},
    {"POST", "/api/notifications/{id}/read", inbox_handle_read, ROUTE_AUTH | ROUTE_STAFF_OK},
    /* the gate: staff and admins (gate_handler.c) */
    {"POST", "/api/checkins", gate_handle_checkin, ROUTE_AUTH | ROUTE_GATE},
    {"GET", "/api/events/{id}/checkins", gate_handle_list, ROUTE_AUTH | ROUTE_GATE},
    /* web UI: static files, event posters, admin event management */
    {"GET", "/", static_handle_index, 0},
    {"GET", "/assets/{name}", static_handle_asset, 0},
    {"GET", "/api/events/{id}/poster", poster_handle_get, 0},
    {"PUT", "/api/admin/events/{id}/poster", poster_handle_put, ROUTE_AUTH | ROUTE_ADMIN},
    {"DELETE", "/api/admin/events/{id}/poster", poster_handle_delete, ROUTE_AUTH | ROUTE_ADMIN},
    {"POST", "/api/admin/events", admin_handle_event_create, ROUTE_AUTH | ROUTE_ADMIN},
    {"PATCH", "/api/admin/events/{id}", admin_handle_event_patch, ROUTE_AUTH | ROUTE_ADMIN},
    {"DELETE", "/api/admin/events/{id}", admin_handle_event_delete, ROUTE_AUTH | ROUTE_ADMIN},
    {"GET", "/api/admin/events/{id}/stats", admin_handle_event_stats, ROUTE_AUTH | ROUTE_ADMIN},
    {"POST", "/api/admin/events/{id}/publish", admin_handle_event_publish,
     ROUTE_AUTH | ROUTE_ADMIN},
    {"POST", "/api/admin/events/{id}/cancel", admin_handle_event_cancel, ROUTE_AUTH | ROUTE_ADMIN},
    /* the API documentation (apidoc.h) */
    {"GET", "/openapi.json", apidoc_handle_spec, 0},
    {"GET", "/docs", apidoc_handle_page, 0},
    {"GET", "/docs/{name}", apidoc_handle_file, 0},
    /* the box office (boxoffice_handler.c); search is GET /api/bookings?q= */
    {"GET", "/api/admin/events/{id}/attendees.csv", boxoffice_handle_attendees_csv,
     ROUTE_AUTH | ROUTE_ADMIN},
    /* a service callback: served before user requests (common/http.h) */
    {"POST", "/internal/notifications", notify_handle_post,
     ROUTE_INTERNAL | HTTP_ROUTE_SIGNED | HTTP_ROUTE_PRIORITY},
};
const size_t client_nroutes = sizeof(client_routes) / sizeof(client_routes[0]);
