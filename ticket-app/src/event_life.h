/* event_life.h: changes to an event that its holders hear of. A PATCH that
 * moves starts_at (a postponement) tells every holder of a live booking
 * ("event.changed" through the notification outbox) and re-renders every
 * confirmed ticket (the RENDER follow-up, delivered as booking.confirmed
 * with the new PDF), in the transaction of the change. */
#ifndef TICKET_EVENT_LIFE_H
#define TICKET_EVENT_LIFE_H

#include <jansson.h>

#include "app.h"
#include "event.h"

/* Applies a validated PATCH to event id; *event the Event after (new
 * reference). DB_NOT_FOUND, DB_CONFLICT (currency with live bookings), or
 * the database's status. *told: holders notified. Wakes the loops. */
enum db_status event_life_patch(struct app *app, struct db_conn *c, const char *id,
                                const struct event_input *in, json_t **event, int *told);

#endif
