/* checkin_handler.h: the gate (client-app's service token or the admin
 * token): POST /api/checkins and GET /api/events/{id}/checkins. */
#ifndef TICKET_CHECKIN_HANDLER_H
#define TICKET_CHECKIN_HANDLER_H

#include "common/http.h"

/* {ticket_code, event_id?} -> 200 {status:"ADMITTED", booking_id,
 * booking_code, seat:{id,label,section}, attendee, checked_in_at, event};
 * 409 ALREADY_CHECKED_IN (with booking_id, seat and the first
 * checked_in_at); 409 WRONG_EVENT (details: the ticket's event {event_id,
 * name, starts_at_local}; event: the gate's); 404 INVALID_TICKET with
 * details.reason CANCELLED (cancelled or refunded), NOT_CONFIRMED (unpaid,
 * the seat not its own) or UNKNOWN (forged, garbled, no such ticket); 404
 * NOT_FOUND for an unknown gate event; 400 when ticket_code is missing or
 * not a string or event_id not a UUID. Every answer names an event (member
 * "event") when one is known. app is the struct app of app.h. */
void checkin_handle_create(struct http_req *req, struct http_res *res, void *app);

/* 200 {event, counts:{tickets, checked_in, not_checked_in}, items, total,
 * limit, offset} (checkin_store_list); 404 for an unknown event. */
void checkin_handle_list(struct http_req *req, struct http_res *res, void *app);

#endif
