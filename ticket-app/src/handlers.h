/* handlers.h: every endpoint of ticket-app (the route table is routes.c). */
#ifndef TICKET_HANDLERS_H
#define TICKET_HANDLERS_H

#include "common/http.h"

void event_handle_create(struct http_req *req, struct http_res *res, void *app);
void event_handle_list(struct http_req *req, struct http_res *res, void *app);
void event_handle_get(struct http_req *req, struct http_res *res, void *app);
void event_handle_patch(struct http_req *req, struct http_res *res, void *app);
void event_handle_publish(struct http_req *req, struct http_res *res, void *app);
void event_handle_delete(struct http_req *req, struct http_res *res, void *app);
void event_handle_seats(struct http_req *req, struct http_res *res, void *app);
void event_handle_stats(struct http_req *req, struct http_res *res, void *app);
/* event_cancel_handler.c: POST /api/events/{id}/cancel. */
void event_handle_cancel(struct http_req *req, struct http_res *res, void *app);
void seat_handle_add(struct http_req *req, struct http_res *res, void *app);
void seat_handle_patch(struct http_req *req, struct http_res *res, void *app);
void seat_handle_delete(struct http_req *req, struct http_res *res, void *app);

void booking_handle_create(struct http_req *req, struct http_res *res, void *app);
void booking_handle_get(struct http_req *req, struct http_res *res, void *app);
void booking_handle_cancel(struct http_req *req, struct http_res *res, void *app);
/* POST /api/bookings/{id}/checkout {user_id?}: booking_flow_checkout. */
void booking_handle_checkout(struct http_req *req, struct http_res *res, void *app);
void booking_handle_ticket(struct http_req *req, struct http_res *res, void *app);

void webhook_handle_payment(struct http_req *req, struct http_res *res, void *app);
void notification_handle_list(struct http_req *req, struct http_res *res, void *app);

/* The gate: checkin_handler.h. */

struct sbuf;
/* ticket-app's lines for GET /metrics (metrics.c). */
void ticket_metrics(struct sbuf *out, void *app);

/* The auth check run before every handler (route flags, app.h). */
int ticket_before(struct http_req *req, struct http_res *res, void *app);

extern const struct http_route ticket_routes[];
extern const size_t ticket_nroutes;

#endif
