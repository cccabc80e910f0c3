/* followup_store.h: SQL on followups, the cross-service work (void, refund,
 * organizer release, render) that a state change decides in its own
 * transaction and a background loop carries out later with no transaction
 * open. Claims are leases, so loops of several instances share the table. */
#ifndef TICKET_FOLLOWUP_STORE_H
#define TICKET_FOLLOWUP_STORE_H

#include "common/db.h"

#define FOLLOWUP_VOID "VOID"
#define FOLLOWUP_REFUND "REFUND"
#define FOLLOWUP_ORG_RELEASE "ORG_RELEASE"
#define FOLLOWUP_RENDER "RENDER"

/* Records that kind must be done for booking_id (invoice_number may be
 * NULL: resolved when run). Inside the deciding transaction. A second
 * request for the same (booking, kind) is a no-op. */
enum db_status followup_add(struct db_conn *c, const char *booking_id, const char *kind,
                            const char *invoice_number);
/* As followup_add(ORG_RELEASE) but only when the organizer had accepted
 * the booking's hold. */
enum db_status followup_add_org_release(struct db_conn *c, const char *booking_id);

struct followup {
    long id;
    char booking_id[37];
    char kind[16];
    char invoice_number[64]; /* "" when not known */
    int attempts;            /* including this one */
};

/* Claims up to max due followups whose kind is in kinds (a text[] literal
 * such as "{VOID,REFUND}") for lease_ms under token (autocommit). Returns
 * the number written to out, or -1 if the database failed. */
int followup_claim(struct db_conn *c, const char *kinds, int max, long lease_ms, const char *token,
                   struct followup *out);
/* Outcome of a claimed attempt; ignored if the lease was lost. */
enum db_status followup_done(struct db_conn *c, long id, const char *token);
enum db_status followup_retry(struct db_conn *c, long id, const char *token, long delay_ms,
                              const char *error, int give_up);

#endif
