/* attach_batch.h: invoices attached to direct bookings in groups. Every
 * hold ends by storing its invoice (the INVOICE_ATTACHED statement,
 * booking_store_attach_invoices); under
 * load, the requests that arrive while one group is being written go
 * together in the next statement and commit, so a burst of holds pays for
 * a few commits instead of one each. Leader and followers: no thread and
 * no timer; a request alone is written at once, by its own thread. Each
 * caller returns only once its row is committed (or the write failed).
 * The grouping is common/group.h. */
#ifndef TICKET_ATTACH_BATCH_H
#define TICKET_ATTACH_BATCH_H

#include "booking.h"
#include "common/db.h"

struct attach_batch;

/* At most max bookings per statement. */
struct attach_batch *attach_batch_create(struct db_pool *pool, int max);
void attach_batch_destroy(struct attach_batch *ab);

/* INVOICE_ATTACHED for one booking (b as loaded; *attached 1 and b updated
 * when the invoice was stored on a booking still waiting for it, 0 when the
 * booking had an invoice or ended: then b is stale), written with
 * whichever others are waiting. */
enum db_status attach_batch_run(struct attach_batch *ab, struct booking *b,
                                const char *invoice_number, const char *payment_url, int *attached);

/* How many statements have been written, carrying how many bookings. */
void attach_batch_counts(struct attach_batch *ab, long *statements, long *bookings);

#endif
