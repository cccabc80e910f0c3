/* notify_store.c: a ticket-app notification applied in one statement (see
 * notify_store.h). */
#include "notify_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* A column taken from the notification only when its version is newer
 * than the one held. */
#define NEWER(col, expr)                                                                           \
    col " = CASE WHEN bookings.version < $11::bigint THEN " expr " ELSE bookings." col " END, "

/* The notification's id recorded (first time only), then the booking
 * created or brought to the newer version, its history entry when it
 * applied, and the ticket PDF stored if none is yet (even when a refresh
 * already brought the status) or replaced by a newer version's (a ticket
 * rendered again, e.g. after the event moved). "applied" tells a change of version from a
 * PDF-only update: only a newer version sets updated_at to this
 * transaction's now(). */
static const struct db_stmt st_notify_apply = {
    "client_notify_apply",
    "WITH n AS (INSERT INTO processed_notifications (id, type, booking_id) "
    "           VALUES ($15, $16, $1::uuid) ON CONFLICT DO NOTHING RETURNING id), "
    "u AS (INSERT INTO bookings (id, status, failure_reason, seats, amount, currency, "
    "      invoice_number, payment_url, payment_expires_at, event_name, version, user_id, "
    "      event_id, origin, ticket_pdf, code) "
    "      SELECT $1::uuid, $2, $3, COALESCE($4::jsonb, '[]'::jsonb), $5::bigint, $6, $7, $8, "
    "      $9::timestamptz, $10, $11::bigint, $12::uuid, $13::uuid, COALESCE($14, 'direct'), "
    "      decode($18, 'hex'), $19 "
    "      WHERE EXISTS (SELECT 1 FROM n) AND EXISTS (SELECT 1 FROM users WHERE id = $12::uuid) "
    "      ON CONFLICT (id) DO UPDATE SET " NEWER("status", "$2") NEWER(
        "code", "COALESCE($19, bookings.code)") NEWER("failure_reason", "$3")
        NEWER("seats", "COALESCE($4::jsonb, bookings.seats)") NEWER(
            "amount", "COALESCE($5::bigint, bookings.amount)")
            NEWER("currency", "COALESCE($6, bookings.currency)") NEWER(
                "invoice_number", "COALESCE($7, bookings.invoice_number)")
                NEWER("payment_url", "COALESCE($8, bookings.payment_url)") NEWER(
                    "payment_expires_at", "COALESCE($9::timestamptz, bookings.payment_expires_at)")
                    NEWER("event_name", "COALESCE($10, bookings.event_name)")
                        NEWER("updated_at", "now()") NEWER(
                            "version",
                            "$11::bigint") "      ticket_pdf = CASE WHEN bookings.version < "
                                           "$11::bigint AND $18::text IS NOT NULL "
                                           "                        THEN decode($18, 'hex') "
                                           "                        ELSE "
                                           "COALESCE(bookings.ticket_pdf, decode($18, 'hex')) END "
                                           "      WHERE bookings.version < $11::bigint "
                                           "         OR (bookings.ticket_pdf IS NULL AND $18::text "
                                           "IS NOT NULL) "
                                           "      RETURNING (xmax = 0) AS inserted, "
                                           "                (version = $11::bigint AND updated_at "
                                           "= now()) AS applied), "
                                           "e AS (INSERT INTO booking_events (booking_id, status, "
                                           "reason, source, version) "
                                           "      SELECT $1::uuid, $2, $3, $17, $11::bigint FROM u "
                                           "WHERE u.applied) "
                                           "SELECT (SELECT count(*) FROM n) AS fresh, "
                                           "       COALESCE((SELECT bool_or(applied) FROM u), "
                                           "false) AS applied, "
                                           "       COALESCE((SELECT bool_or(inserted) FROM u), "
                                           "false) AS inserted"};

enum db_status notify_store_apply(struct db_conn *c, const struct notification *n,
                                  const unsigned char *pdf, size_t pdf_len, int *fresh,
                                  int *applied, int *inserted)
{
    const struct ticket_booking *tb = &n->booking;
    char source[64];
    snprintf(source, sizeof source, "notification:%s", n->type);
    char *hex = NULL;
    if (pdf) {
        hex = xmalloc(pdf_len * 2 + 1);
        sodium_bin2hex(hex, pdf_len * 2 + 1, pdf, pdf_len);
    }
    const char *p[19] = {tb->booking_id,
                         tb->status,
                         tb->failure_reason,
                         tb->seats_json,
                         tb->amount[0] ? tb->amount : NULL,
                         tb->currency,
                         tb->invoice_number,
                         tb->payment_url,
                         tb->expires_at,
                         tb->event_name,
                         tb->version,
                         tb->user_id,
                         tb->event_id,
                         tb->origin,
                         n->id,
                         n->type,
                         source,
                         hex,
                         tb->code};
    PGresult *r = NULL;
    *fresh = *applied = *inserted = 0;
    enum db_status st = db_exec(c, &st_notify_apply, 19, p, &r);
    free(hex);
    if (st != DB_OK)
        return st;
    *fresh = atol(db_get(r, 0, "fresh")) > 0;
    *applied = db_get(r, 0, "applied")[0] == 't';
    *inserted = db_get(r, 0, "inserted")[0] == 't';
    PQclear(r);
    return DB_OK;
}
