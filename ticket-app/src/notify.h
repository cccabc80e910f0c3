/* notify.h: notifications to client-app about booking changes, written to
 * the outbox in the transaction of the change and delivered by the outbox
 * loop, signed with NOTIFY_SECRET. Body (CONVENTIONS.md):
 * {"id":"ntf_...","type":"booking.*","created_at":...,"data":{"booking":
 * TicketBooking[,"ticket_pdf_base64":"..."]}}. */
#ifndef TICKET_NOTIFY_H
#define TICKET_NOTIFY_H

#include "booking.h"
#include "common/db.h"

/* The notification body for b (new malloc'ed string); pdf_b64 may be NULL.
 * *id receives its id (>= 64 bytes), derived from the booking's id and
 * version so the same change always has the same id. Pure. */
char *notify_payload(const struct booking *b, const char *type, const char *pdf_b64,
                     int64_t now_ms_value, char *id, size_t idlen);

/* Loads booking_id in the current transaction and enqueues an
 * "event.changed" notification to its holder: data {booking (as it is),
 * event (the Event after the change)}. Its id is "evc_" + the booking id +
 * stamp (e.g. the event's updated_at), so one change is told once. */
enum db_status notify_event_changed(struct db_conn *c, const char *booking_id, const json_t *event,
                                    const char *stamp);

/* As notify_event_changed, an "event.cancelled" notification (id "evx_" +
 * the booking id): the holder is told the event is off, once, beside the
 * booking.cancelled of their booking. */
enum db_status notify_event_cancelled(struct db_conn *c, const char *booking_id,
                                      const json_t *event);

/* The in-memory hand-over to the notification loop (common/outbox.h):
 * push an event written with outbox_enqueue_leased once it has committed,
 * then wake the loop; -1 if the queue is full (the lease brings it back). */
struct outbox_queue *notify_queue(void);
int notify_queue_push(const char *id, const char *payload, long lease_ms);

#endif
