/* render_store.h: the end of a ticket's rendering as one autocommitted
 * statement: the PDF stored, the booking.confirmed notification (with the
 * PDF) written to the outbox leased for the in-memory hand-over to the
 * notification loop, and the RENDER follow-up marked done. */
#ifndef TICKET_RENDER_STORE_H
#define TICKET_RENDER_STORE_H

#include "common/db.h"

/* Applies only if booking_id is still CONFIRMED at version (the one the
 * payload describes): then *stored = 1, the follow-up (followup_id under
 * token) is done, and *queued = 1 unless the notification notify_id was
 * written before (then hand nothing over). *stored = 0: nothing changed
 * (the booking moved on; take the general path). */
enum db_status render_store_confirmed(struct db_conn *c, const char *booking_id, long version,
                                      const char *pdf_hex, const char *notify_id,
                                      const char *notify_type, const char *payload, long lease_ms,
                                      long followup_id, const char *token, int *stored,
                                      int *queued);

#endif
