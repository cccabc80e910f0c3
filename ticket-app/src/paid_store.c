/* paid_store.c: invoice.paid in one call (see paid_store.h). */
#include "paid_store.h"

#include <string.h>

static const struct db_stmt st_apply_paid = {
    "ticket_paid_apply", "SELECT booking_apply_paid($1, $2::uuid, $3) AS outcome"};

enum db_status paid_store_apply(struct db_conn *c, const char *event_id, const char *booking_id,
                                const char *invoice_number, enum paid_outcome *out)
{
    const char *p[] = {event_id, booking_id, invoice_number};
    PGresult *r = NULL;
    *out = PAID_GENERAL;
    enum db_status st = db_exec(c, &st_apply_paid, 3, p, &r);
    if (st != DB_OK)
        return st;
    const char *o = db_get(r, 0, "outcome");
    if (o && strcmp(o, "confirmed") == 0)
        *out = PAID_CONFIRMED;
    else if (o && strcmp(o, "duplicate") == 0)
        *out = PAID_DUPLICATE;
    PQclear(r);
    return DB_OK;
}
