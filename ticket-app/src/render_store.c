/* render_store.c: the rendered ticket stored, its booking.confirmed
 * notification written and the RENDER follow-up closed, in one statement
 * (see render_store.h). */
#include "render_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/outbox.h"

/* Applies only while the booking is the CONFIRMED version the payload was
 * built from (its row share-locked for the statement). The notification's
 * id is derived from that version: one already written stays as it is. */
static const struct db_stmt st_store_rendered = {
    "ticket_render_store",
    "WITH b AS (SELECT id FROM bookings WHERE id = $1 AND status = 'CONFIRMED' "
    "           AND version = $2::bigint FOR SHARE), "
    "     t AS (INSERT INTO booking_tickets (booking_id, pdf) "
    "           SELECT id, decode($3, 'hex') FROM b "
    "           ON CONFLICT (booking_id) DO UPDATE SET pdf = EXCLUDED.pdf, rendered_at = now() "
    "           RETURNING booking_id), "
    "     o AS (" OUTBOX_INSERT_LEASED(
        "$4", "$5", "$6", "$7",
        "t") "), "
             "     f AS (UPDATE followups SET status = 'DONE', done_at = now(), lease_until = "
             "NULL, "
             "           last_error = NULL "
             "           WHERE id = $8::bigint AND lease_token = $9 AND EXISTS (SELECT 1 FROM t)) "
             "SELECT (SELECT count(*) FROM t) AS stored, (SELECT count(*) FROM o) AS queued"};

enum db_status render_store_confirmed(struct db_conn *c, const char *booking_id, long version,
                                      const char *pdf_hex, const char *notify_id,
                                      const char *notify_type, const char *payload, long lease_ms,
                                      long followup_id, const char *token, int *stored, int *queued)
{
    char v[24], lease[24], fid[24];
    snprintf(v, sizeof v, "%ld", version);
    snprintf(lease, sizeof lease, "%ld", lease_ms);
    snprintf(fid, sizeof fid, "%ld", followup_id);
    const char *p[] = {booking_id, v, pdf_hex, notify_id, notify_type, payload, lease, fid, token};
    PGresult *r = NULL;
    *stored = *queued = 0;
    enum db_status st = db_exec(c, &st_store_rendered, 9, p, &r);
    if (st != DB_OK)
        return st;
    *stored = atol(db_get(r, 0, "stored")) > 0;
    *queued = atol(db_get(r, 0, "queued")) > 0;
    PQclear(r);
    return DB_OK;
}
