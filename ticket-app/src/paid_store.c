/* paid_store.c: invoice.paid in one call (see paid_store.h). */
#include "paid_store.h"

#include <string.h>

static const struct db_stmt st_apply_paid = {
    "ticket_paid_apply", "SELECT booking_apply_paid($1, $2::uuid, $3) AS outcome"};

enum db_status paid_store_apply(struct db_conn *c, const char *event_id, const char *booking_id,
                                const char *invoice_number, enum paid_outcome *out)
{
    static const struct {
        const char *name;
        enum paid_outcome o;
    } names[] = {{"confirmed", PAID_CONFIRMED},
                 {"duplicate", PAID_DUPLICATE},
                 {"already", PAID_ALREADY},
                 {"late", PAID_LATE},
                 {"unknown", PAID_UNKNOWN}};
    const char *p[] = {event_id, booking_id, invoice_number};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_apply_paid, 3, p, &r);
    if (st != DB_OK)
        return st;
    const char *o = db_get(r, 0, "outcome");
    st = DB_ERROR;
    for (size_t i = 0; o && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(o, names[i].name) == 0) {
            *out = names[i].o;
            st = DB_OK;
        }
    PQclear(r);
    return st;
}
