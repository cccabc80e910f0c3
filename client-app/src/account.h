/* account.h: closing an account (DELETE /api/users/{id}). The user's
 * bookings that hold seats are settled first through ticket-app's cancel
 * API: PENDING_PAYMENT (and HELD) ones are cancelled (seats released,
 * invoices voided); CONFIRMED ones of events that have not started refuse
 * the deletion (409 HAS_UPCOMING_TICKETS, details.booking_ids) unless
 * cancel_bookings is set, when they are cancelled and refunded first. The
 * last admin is never deleted (409 LAST_ADMIN). Then the user is soft
 * deleted and every session of it ends. */
#ifndef CLIENT_ACCOUNT_H
#define CLIENT_ACCOUNT_H

#include "app.h"

/* Answers res: 204, 404, 409 (HAS_UPCOMING_TICKETS, LAST_ADMIN, or the
 * cancel refusal of a booking, details.booking_id), 503. */
void account_delete(struct client_app *app, struct http_res *res, const char *id,
                    int cancel_bookings);

#endif
