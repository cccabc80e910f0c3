/* inbox_notify.h: a ticket-app notification applied together with what its
 * holder is told, in one transaction: the booking change (notify_store.h),
 * the inbox entry its status change writes (the bookings trigger, told the
 * cause), and the entries no status change makes (event.changed). */
#ifndef CLIENT_INBOX_NOTIFY_H
#define CLIENT_INBOX_NOTIFY_H

#include <jansson.h>
#include <stddef.h>

#include "booking.h"
#include "common/db.h"

/* As notify_store_apply (same outputs), atomic with the inbox entry of an
 * event's change or cancellation (one transaction; any other notification
 * is the one statement on its own); body is the notification as received
 * (borrowed: data.event names the event of an event.changed). Nothing is
 * applied on any failure. */
enum db_status inbox_notify_apply(struct db_conn *c, const struct notification *n,
                                  const json_t *body, const unsigned char *pdf, size_t pdf_len,
                                  int *fresh, int *applied, int *inserted);

#endif
