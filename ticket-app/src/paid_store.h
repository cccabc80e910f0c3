/* paid_store.h: a payment webhook's common case, invoice.paid for a booking
 * still waiting for it with all its seats held, applied in one call of
 * booking_apply_paid (migrations/ticket/040_paid_in_one_call.sql). */
#ifndef TICKET_PAID_STORE_H
#define TICKET_PAID_STORE_H

#include "common/db.h"

enum paid_outcome {
    PAID_CONFIRMED, /* seats BOOKED, booking CONFIRMED, RENDER recorded */
    PAID_DUPLICATE, /* the event was applied before */
    PAID_GENERAL,   /* nothing done: take booking_store_apply_payment */
};

/* Autocommitted. DB_RETRY when it lost a deadlock (nothing done). */
enum db_status paid_store_apply(struct db_conn *c, const char *event_id, const char *booking_id,
                                const char *invoice_number, enum paid_outcome *out);

#endif
