/* paid_store.h: the PAID transition, invoice.paid in one call of
 * booking_apply_paid (migrations/ticket/052_lifecycle.sql), its only
 * implementation: every case, the event id recorded in the same commit. */
#ifndef TICKET_PAID_STORE_H
#define TICKET_PAID_STORE_H

#include "common/db.h"

enum paid_outcome {
    PAID_CONFIRMED, /* seats BOOKED, booking CONFIRMED, RENDER recorded */
    PAID_DUPLICATE, /* the event was applied before */
    PAID_ALREADY,   /* the booking was CONFIRMED already */
    PAID_LATE,      /* the booking had ended: REFUND recorded */
    PAID_UNKNOWN,   /* no such booking: the event recorded */
};

/* Autocommitted. DB_RETRY when it lost a deadlock (nothing done). */
enum db_status paid_store_apply(struct db_conn *c, const char *event_id, const char *booking_id,
                                const char *invoice_number, enum paid_outcome *out);

#endif
