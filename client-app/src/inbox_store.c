/* inbox_store.c: SQL only, for the inbox (inbox_store.h). */
#include "inbox_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/util.h"

#define INBOX_COLS                                                                                 \
    "n.id::text AS id, n.kind, n.params::text AS params, n.booking_id::text AS "                   \
    "booking_id, " SQL_TS("n.created_at") " AS created_at, " SQL_TS("n.read_at") " AS read_at"

static const struct db_stmt st_list = {
    "client_inbox_list",
    "WITH mine AS (SELECT * FROM notifications WHERE user_id = $1::uuid) "
    "SELECT t.total, t.unread, p.* FROM "
    " (SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM mine) t "
    " LEFT JOIN LATERAL (SELECT " INBOX_COLS " FROM mine n "
    "   ORDER BY n.created_at DESC, n.id DESC LIMIT $2::bigint OFFSET $3::bigint) p ON true"};

static const struct db_stmt st_read = {
    "client_inbox_read", "UPDATE notifications n SET read_at = COALESCE(n.read_at, now()) "
                         "WHERE n.id = $2::uuid AND n.user_id = $1::uuid RETURNING " INBOX_COLS};

static const struct db_stmt st_unread = {
    "client_inbox_unread",
    "SELECT count(*) AS n FROM notifications WHERE user_id = $1::uuid AND read_at IS NULL"};

static const struct db_stmt st_cause = {"client_inbox_cause",
                                        "SELECT set_config('inbox.cause', $1, true)"};

static const struct db_stmt st_add = {
    "client_inbox_add", "INSERT INTO notifications (user_id, kind, booking_id, params, dedupe_key) "
                        "SELECT b.user_id, $1, b.id, booking_inbox_params(b) || $3::jsonb, $4 "
                        "  FROM bookings b WHERE b.id = $2::uuid "
                        "ON CONFLICT (dedupe_key) DO NOTHING"};

static const struct db_stmt st_hold_expiring = {
    "client_inbox_hold_expiring",
    "INSERT INTO notifications (user_id, kind, booking_id, params, dedupe_key) "
    "SELECT b.user_id, 'hold.expiring', b.id, booking_inbox_params(b), "
    "       'hold.expiring:' || b.id || ':' || "
    "       to_char(b.payment_expires_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') "
    "  FROM bookings b "
    " WHERE b.status = 'PENDING_PAYMENT' AND b.payment_expires_at > now() "
    "   AND b.payment_expires_at <= now() + $1::bigint * interval '1 second' "
    "ON CONFLICT (dedupe_key) DO NOTHING"};

static const struct db_stmt st_set_mail = {"client_inbox_set_mail",
                                           "UPDATE mail_config SET enabled = $1::boolean"};

static const struct db_stmt st_mail_load = {
    "client_inbox_mail_load",
    "SELECT u.email, u.full_name, u.username, n.kind, n.params::text AS params, "
    "       n.booking_id::text AS booking_id, " SQL_TS(
        "n.created_at") " AS created_at, "
                        "       CASE WHEN n.kind = 'booking.confirmed' THEN encode(b.ticket_pdf, "
                        "'hex') END "
                        "         AS pdf_hex "
                        "  FROM notifications n JOIN users u ON u.id = n.user_id "
                        "  LEFT JOIN bookings b ON b.id = n.booking_id "
                        " WHERE n.id = $1::uuid"};

enum db_status inbox_store_list(struct db_conn *c, const char *user_id, long limit, long offset,
                                PGresult **out, long *total, long *unread)
{
    const char *p[] = {user_id};
    *unread = 0;
    enum db_status st = db_exec_page(c, &st_list, NULL, "total", 1, p, limit, offset, out, total);
    if (st == DB_OK && PQntuples(*out) > 0)
        *unread = atol(db_get(*out, 0, "unread"));
    return st;
}

enum db_status inbox_store_mark_read(struct db_conn *c, const char *user_id, const char *id,
                                     PGresult **out)
{
    const char *p[] = {user_id, id};
    return db_exec_one(c, &st_read, 2, p, out);
}

enum db_status inbox_store_unread(struct db_conn *c, const char *user_id, long *unread)
{
    const char *p[] = {user_id};
    PGresult *r = NULL;
    *unread = 0;
    enum db_status st = db_exec(c, &st_unread, 1, p, &r);
    if (st != DB_OK)
        return st;
    *unread = atol(db_get(r, 0, "n"));
    PQclear(r);
    return DB_OK;
}

enum db_status inbox_store_set_cause(struct db_conn *c, const char *cause)
{
    const char *p[] = {cause ? cause : ""};
    return db_exec(c, &st_cause, 1, p, NULL);
}

enum db_status inbox_store_add(struct db_conn *c, const char *kind, const char *booking_id,
                               const char *params, const char *dedupe_key)
{
    const char *p[] = {kind, booking_id, params ? params : "{}", dedupe_key};
    return db_exec(c, &st_add, 4, p, NULL);
}

enum db_status inbox_store_hold_expiring(struct db_conn *c, long lead_s, long *added)
{
    char l[24];
    snprintf(l, sizeof l, "%ld", lead_s);
    const char *p[] = {l};
    PGresult *r = NULL;
    *added = 0;
    enum db_status st = db_exec(c, &st_hold_expiring, 1, p, &r);
    if (st != DB_OK)
        return st;
    *added = atol(PQcmdTuples(r));
    PQclear(r);
    return DB_OK;
}

enum db_status inbox_store_set_mail(struct db_conn *c, int enabled)
{
    const char *p[] = {enabled ? "true" : "false"};
    return db_exec(c, &st_set_mail, 1, p, NULL);
}

enum db_status inbox_store_mail_load(struct db_conn *c, const char *id, PGresult **out)
{
    const char *p[] = {id};
    return db_exec_one(c, &st_mail_load, 1, p, out);
}
