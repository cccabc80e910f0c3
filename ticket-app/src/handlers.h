/* handlers.h: every endpoint of ticket-app (the route table is routes.c). */
#ifndef TICKET_HANDLERS_H
#define TICKET_HANDLERS_H

#include "common/http.h"

#define HANDLER(name) void name(struct http_req *req, struct http_res *res, void *app)

HANDLER(event_handle_create);
HANDLER(event_handle_list);
HANDLER(event_handle_get);
HANDLER(event_handle_patch);
HANDLER(event_handle_publish);
HANDLER(event_handle_delete);
HANDLER(event_handle_seats);
HANDLER(event_handle_stats);
/* event_cancel_handler.c: POST /api/events/{id}/cancel. */
HANDLER(event_handle_cancel);
HANDLER(seat_handle_add);
HANDLER(seat_handle_patch);
HANDLER(seat_handle_delete);

HANDLER(booking_handle_create);
HANDLER(booking_handle_get);
HANDLER(booking_handle_cancel);
HANDLER(booking_handle_ticket);

HANDLER(webhook_handle_payment);
HANDLER(notification_handle_list);

/* The gate: checkin_handler.h. */

struct sbuf;
/* ticket-app's lines for GET /metrics (metrics.c). */
void ticket_metrics(struct sbuf *out, void *app);

/* The auth check run before every handler (route flags, app.h). */
int ticket_before(struct http_req *req, struct http_res *res, void *app);

extern const struct http_route ticket_routes[];
extern const size_t ticket_nroutes;

#endif
