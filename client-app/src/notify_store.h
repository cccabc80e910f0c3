/* notify_store.h: one ticket-app notification applied as one autocommitted
 * statement: its id recorded once (processed_notifications), the booking
 * created or updated when the version is newer, its history entry, and the
 * ticket PDF stored if none is yet. */
#ifndef CLIENT_NOTIFY_STORE_H
#define CLIENT_NOTIFY_STORE_H

#include <stddef.h>

#include "booking.h"
#include "common/db.h"

/* pdf (may be NULL) is the decoded ticket. *fresh = 0 when the id was
 * applied before (nothing else done); *applied = 1 when the booking took
 * this version (*inserted = 1 when it was created: a booking of a known
 * user not seen yet). */
enum db_status notify_store_apply(struct db_conn *c, const struct notification *n,
                                  const unsigned char *pdf, size_t pdf_len, int *fresh,
                                  int *applied, int *inserted);

#endif
