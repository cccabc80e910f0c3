/* event_cancel_store.h: SQL of POST /api/events/{id}/cancel: the event
 * marked cancelled (sales stop: the HOLD guard reads cancelled_at) and its
 * waitlist queues closed, in one statement. The bookings are cancelled one
 * by one through the lifecycle (LC_EV_EVENT_CANCELLED) afterwards. */
#ifndef TICKET_EVENT_CANCEL_STORE_H
#define TICKET_EVENT_CANCEL_STORE_H

#include "common/db.h"

/* Sets cancelled_at (kept if set before) and cancels the event's WAITING
 * waitlist entries (autocommit). DB_NOT_FOUND for an unknown event. */
enum db_status event_cancel_store_mark(struct db_conn *c, const char *event_id);

#endif
