/* checkin_handler.h: POST /api/checkins (admin: gate staff). */
#ifndef TICKET_CHECKIN_HANDLER_H
#define TICKET_CHECKIN_HANDLER_H

#include "common/http.h"

/* {ticket_code} -> 200 {status:"ADMITTED", booking_id, seat:{id,label,section},
 * checked_in_at}; 409 ALREADY_CHECKED_IN (with booking_id, seat and the first
 * checked_in_at); 404 INVALID_TICKET for a forged, garbled, unknown, unpaid
 * or cancelled ticket; 400 when ticket_code is missing or not a string.
 * app is the struct app of app.h; the route's before hook checks the admin
 * token. */
void checkin_handle_create(struct http_req *req, struct http_res *res, void *app);

#endif
