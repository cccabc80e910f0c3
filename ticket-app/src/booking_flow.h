/* booking_flow.h: the booking sequence of DESIGN.md: the atomic hold (one
 * transaction), then with no transaction open the organizer call and the
 * invoice at payment-app, each step idempotent so a replay of the same
 * booking id resumes where the first attempt stopped. */
#ifndef TICKET_BOOKING_FLOW_H
#define TICKET_BOOKING_FLOW_H

#include "attendee.h"
#include "booking.h"
#include "common/http.h"

struct app;

/* Runs POST /api/bookings for a validated request and its attendees (al,
 * stored with the hold) and answers res: 201 TicketBooking, 409
 * SEAT_UNAVAILABLE/HOLD_REJECTED (and the other refusals of HOLD), 503
 * when payment-app cannot be reached, 404 for an unknown event or seat,
 * 400 for seats of another event or, when the event requires a name per
 * seat, for seats al leaves unnamed (details.seat_ids); a known booking id
 * answers its stored outcome. */
void booking_flow_create(struct app *app, const struct booking_request *rq,
                         const struct attendee_list *al, struct http_res *res);

/* Runs POST /api/bookings/{id}/checkout: CHECKOUT through the model, then
 * the invoice at payment-app as the one-step hold makes it. Answers 201
 * with the booking PENDING_PAYMENT (again, as it is now, for a checkout
 * that went through before: PENDING_PAYMENT or CONFIRMED); 409
 * HOLD_EXPIRED when the selection lock ran out (the seats are let go at
 * once), 409 NOT_HELD for a booking that failed or was cancelled (both
 * with details.status and the booking); 404 for an unknown booking or,
 * when user_id is not NULL, another user's; 503 when payment-app cannot be
 * reached (the booking is then FAILED). */
void booking_flow_checkout(struct app *app, const char *id, const char *user_id,
                           struct http_res *res);

/* Answers res with a booking's outcome (201/409/503 as booking.h says). */
void booking_flow_answer(struct http_res *res, const struct booking *b);

/* Wakes the notification and follow-up loops after a change. */
void app_wake(struct app *app);

#endif
