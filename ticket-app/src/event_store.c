/* event_store.c: SQL on events (see event_store.h). */
#include "event_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/util.h"
#include "lifecycle.h"

/* The Event JSON's columns; status and starts_at_local come from the SQL
 * functions event_status and local_rfc3339 (migrations 050, 051). */
/* clang-format off */
#define EVENT_COLS                                                                          \
    "e.id::text AS id, e.name, e.venue, " SQL_TS("e.starts_at") " AS starts_at, "           \
    "local_rfc3339(e.starts_at, e.timezone) AS starts_at_local, e.timezone, "               \
    "e.description, e.currency, "                                                           \
    SQL_TS("e.sales_start_at") " AS sales_start_at, "                                       \
    SQL_TS("coalesce(e.sales_end_at, e.starts_at)") " AS sales_end_at, "                    \
    "event_status(e) AS status, "                                                           \
    SQL_TS("e.published_at") " AS published_at, "                                           \
    SQL_TS("e.cancelled_at") " AS cancelled_at, "                                           \
    SQL_TS("e.created_at") " AS created_at, "                                               \
    SQL_TS("e.updated_at") " AS updated_at, c.total, c.open, c.on_going, c.booked, "      \
    "e.attendees_required"
/* clang-format on */

#define EVENT_COUNTS                                                                               \
    "LEFT JOIN LATERAL (SELECT count(*) AS total, "                                                \
    "  count(*) FILTER (WHERE status = 'OPEN' OR (status = 'ON_GOING' AND held_until < now())) "   \
    "    AS open, "                                                                                \
    "  count(*) FILTER (WHERE status = 'ON_GOING' AND held_until >= now()) AS on_going, "          \
    "  count(*) FILTER (WHERE status = 'BOOKED') AS booked "                                       \
    "  FROM seats s WHERE s.event_id = e.id) c ON true "

static const struct db_stmt st_insert = {
    "ticket_event_insert",
    "INSERT INTO events (id, name, venue, starts_at, description, currency, timezone, "
    "                    sales_start_at, sales_end_at, published_at, attendees_required) "
    "VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, NULLIF($8, '')::timestamptz, "
    "        NULLIF($9, '')::timestamptz, CASE WHEN $10 = '1' THEN now() END, "
    "        COALESCE($11::boolean, false))"};

static const struct db_stmt st_insert_seats = {
    "ticket_event_insert_seats",
    "INSERT INTO seats (id, event_id, label, section, row, number, price) "
    "SELECT gen_random_uuid(), $1, r.row || '-' || n, r.section, r.row, n, r.price "
    "  FROM jsonb_to_recordset($2::jsonb) AS r(section text, row text, seats int, price bigint), "
    "       generate_series(1, r.seats) AS n"};

/* $2 = '1': the caller is an admin (a DRAFT is found too). */
static const struct db_stmt st_get = {
    "ticket_event_get", "SELECT " EVENT_COLS " FROM events e " EVENT_COUNTS
                        "WHERE e.id = $1 AND (e.published_at IS NOT NULL OR $2 = '1')"};

/* Which events a list shows ($1 = when, $2 = '1' for an admin):
 *   upcoming  published, not cancelled, not started, with seats (an
 *             event without any seat is not for sale)
 *   past      published, started (cancelled ones too)
 *   all       published (cancelled ones too)
 * Drafts are listed to admins only (under upcoming and all). upcoming and
 * all are soonest first, past the most recent first. */
#define EVENT_LIST_WHERE                                                                           \
    "WHERE (e.published_at IS NOT NULL OR ($2 = '1' AND $1 <> 'past')) "                           \
    "  AND CASE $1 WHEN 'past' THEN e.starts_at <= now() "                                         \
    "              WHEN 'upcoming' THEN e.starts_at > now() AND e.cancelled_at IS NULL "           \
    "                   AND c.total > 0 "                                                          \
    "              ELSE true END "

static const struct db_stmt st_list = {
    "ticket_event_list",
    "SELECT " EVENT_COLS
    ", count(*) OVER () AS full_count FROM events e " EVENT_COUNTS EVENT_LIST_WHERE
    "ORDER BY CASE WHEN $1 = 'past' THEN -extract(epoch FROM e.starts_at) "
    "                  ELSE extract(epoch FROM e.starts_at) END, e.id LIMIT $3 OFFSET $4"};

static const struct db_stmt st_count = {
    "ticket_event_count", "SELECT count(*) FROM events e " EVENT_COUNTS EVENT_LIST_WHERE};

/* The booking states that hold seats: their holders hear of a change. */
#define LIVE_BOOKING "('REQUESTED', 'HELD', 'PENDING_PAYMENT', 'CONFIRMED')"

/* Applies the present fields (the row locked for the rest of the caller's
 * transaction); moved: starts_at changed. A change of currency is refused
 * while the event has live bookings (their invoices carry it). */
static const struct db_stmt st_patch = {
    "ticket_event_patch",
    "UPDATE events e SET name = COALESCE($2, e.name), venue = COALESCE($3, e.venue), "
    "       starts_at = COALESCE($4::timestamptz, e.starts_at), "
    "       description = COALESCE($5, e.description), currency = COALESCE($6, e.currency), "
    "       timezone = COALESCE($7, e.timezone), "
    "       sales_start_at = CASE WHEN $8 = '1' THEN NULLIF($9, '')::timestamptz "
    "                             ELSE e.sales_start_at END, "
    "       sales_end_at = CASE WHEN $10 = '1' THEN NULLIF($11, '')::timestamptz "
    "                           ELSE e.sales_end_at END, "
    "       attendees_required = COALESCE($12::boolean, e.attendees_required), "
    "       updated_at = now() "
    "  FROM (SELECT starts_at FROM events WHERE id = $1 FOR UPDATE) o "
    " WHERE e.id = $1 AND ($6::text IS NULL OR $6 = e.currency OR NOT EXISTS ("
    "       SELECT 1 FROM bookings b WHERE b.event_id = $1 AND b.status IN " LIVE_BOOKING ")) "
    "RETURNING e.id, e.starts_at <> o.starts_at AS moved"};

static const struct db_stmt st_publish = {
    "ticket_event_publish",
    "UPDATE events SET published_at = COALESCE(published_at, now()), updated_at = now() "
    " WHERE id = $1 AND cancelled_at IS NULL RETURNING id"};

static const struct db_stmt st_live_bookings = {
    "ticket_event_live_bookings",
    "SELECT id::text AS id FROM bookings WHERE event_id = $1 AND status IN " LIVE_BOOKING
    " ORDER BY id"};

/* Confirmed bookings get a new version (their ticket changes) and their
 * RENDER follow-up again: the loop renders and delivers the new ticket. */
static const struct db_stmt st_rerender = {
    "ticket_event_rerender",
    "WITH b AS (UPDATE bookings SET version = version + 1, updated_at = now() "
    "            WHERE event_id = $1 AND status = 'CONFIRMED' RETURNING id) "
    "INSERT INTO followups (booking_id, kind) SELECT id, 'RENDER' FROM b "
    "ON CONFLICT (booking_id, kind) DO UPDATE SET status = 'PENDING', attempts = 0, "
    "   next_attempt_at = now(), lease_until = NULL, lease_token = NULL, last_error = NULL, "
    "   done_at = NULL"};

static const struct db_stmt st_delete = {
    "ticket_event_delete",
    "DELETE FROM events WHERE id = $1 "
    "   AND NOT EXISTS (SELECT 1 FROM bookings WHERE event_id = $1) "
    "   AND NOT EXISTS (SELECT 1 FROM seats WHERE event_id = $1 AND status <> 'OPEN') "
    "RETURNING id"};

static const struct db_stmt st_visible = {
    "ticket_event_visible",
    "SELECT 1 FROM events WHERE id = $1 AND (published_at IS NOT NULL OR $2 = '1')"};

static const struct db_stmt st_exists = {"ticket_event_exists",
                                         "SELECT currency FROM events WHERE id = $1"};

static const struct db_stmt st_stats = {
    "ticket_event_stats",
    "SELECT e.currency, c.total, c.open, c.on_going, c.booked, "
    "  (SELECT COALESCE(sum(amount), 0) FROM bookings b "
    "    WHERE b.event_id = e.id AND b.status = 'CONFIRMED') AS revenue, "
    "  (SELECT count(*) FROM checkins k JOIN bookings b ON b.id = k.booking_id "
    "    WHERE b.event_id = e.id) AS checked_in "
    "FROM events e " EVENT_COUNTS "WHERE e.id = $1"};

static const struct db_stmt st_stats_bookings = {
    "ticket_event_stats_bookings",
    "SELECT status, count(*) AS n FROM bookings WHERE event_id = $1 GROUP BY status"};

/* The EVENT_COUNTS columns of row i as {total, open, on_going, booked}. */
static json_t *seat_counts_json(const PGresult *r, int i)
{
    return json_pack("{s:I, s:I, s:I, s:I}", "total", (json_int_t)atoll(db_get(r, i, "total")),
                     "open", (json_int_t)atoll(db_get(r, i, "open")), "on_going",
                     (json_int_t)atoll(db_get(r, i, "on_going")), "booked",
                     (json_int_t)atoll(db_get(r, i, "booked")));
}

/* A text column of row i as a JSON string, or null when SQL NULL. */
static json_t *col_json(const PGresult *r, int i, const char *col)
{
    const char *v = db_get(r, i, col);
    return v ? json_string(v) : json_null();
}

static json_t *event_row_json(const PGresult *r, int i)
{
    json_t *counts = seat_counts_json(r, i);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
                  db_get(r, i, "id"), "name", db_get(r, i, "name"), "venue", db_get(r, i, "venue"),
                  "starts_at", db_get(r, i, "starts_at"), "starts_at_local",
                  db_get(r, i, "starts_at_local"), "timezone", db_get(r, i, "timezone"), "status",
                  db_get(r, i, "status"), "description", db_get(r, i, "description"), "currency",
                  db_get(r, i, "currency"), "created_at", db_get(r, i, "created_at"), "updated_at",
                  db_get(r, i, "updated_at"), "seat_counts", counts);
    json_object_set_new(o, "sales_start_at", col_json(r, i, "sales_start_at"));
    json_object_set_new(o, "sales_end_at", col_json(r, i, "sales_end_at"));
    json_object_set_new(o, "published_at", col_json(r, i, "published_at"));
    json_object_set_new(o, "cancelled_at", col_json(r, i, "cancelled_at"));
    const char *att = db_get(r, i, "attendees_required");
    json_object_set_new(o, "attendees_required", json_boolean(att && att[0] == 't'));
    return o;
}

/* Runs s with the one parameter id: DB_OK with at least one row in *r (the
 * caller clears it), DB_NOT_FOUND when there is none, or the error. */
static enum db_status query_by_id(struct db_conn *c, const struct db_stmt *s, const char *id,
                                  PGresult **r)
{
    const char *p[] = {id};
    enum db_status st = db_exec(c, s, 1, p, r);
    if (st == DB_OK && PQntuples(*r) == 0) {
        PQclear(*r);
        *r = NULL;
        st = DB_NOT_FOUND;
    }
    return st;
}

/* The outcome of a conditional change of event id (st and r from its
 * RETURNING statement; r is cleared): DB_OK if it matched a row, else
 * DB_CONFLICT if the event exists (the condition refused), else why not. */
static enum db_status applied_or_why(struct db_conn *c, const char *id, enum db_status st,
                                     PGresult *r)
{
    if (st != DB_OK)
        return st;
    int n = PQntuples(r);
    PQclear(r);
    if (n > 0)
        return DB_OK;
    char cur[8];
    st = event_store_currency(c, id, cur, sizeof cur);
    return st == DB_OK ? DB_CONFLICT : st;
}

enum db_status event_store_find(struct db_conn *c, const char *id, int admin, json_t **event)
{
    PGresult *r = NULL;
    const char *p[] = {id, admin ? "1" : "0"};
    enum db_status st = db_exec(c, &st_get, 2, p, &r);
    if (st == DB_OK && PQntuples(r) == 0) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    if (st != DB_OK)
        return st;
    *event = event_row_json(r, 0);
    PQclear(r);
    return DB_OK;
}

enum db_status event_store_get(struct db_conn *c, const char *id, json_t **event)
{
    return event_store_find(c, id, 1, event);
}

enum db_status event_store_create(struct db_conn *c, const char *id, const struct event_input *in,
                                  json_t **event)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    const char *p[] = {id,
                       in->name,
                       in->venue,
                       in->starts_at,
                       in->description,
                       in->currency,
                       in->timezone ? in->timezone : "UTC",
                       in->sales_start_at,
                       in->sales_end_at,
                       in->publish ? "1" : "0",
                       in->attendees_required};
    st = db_exec(c, &st_insert, 11, p, NULL);
    if (st == DB_OK && in->layout_rows) {
        char *rows = json_dumps(in->layout_rows, JSON_COMPACT);
        const char *q[] = {id, rows};
        st = db_exec(c, &st_insert_seats, 2, q, NULL);
        free(rows);
    }
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        return st;
    }
    return event_store_get(c, id, event);
}

enum db_status event_store_list(struct db_conn *c, const char *when, int admin, long limit,
                                long offset, json_t **items, long *total)
{
    const char *p[] = {when, admin ? "1" : "0"};
    PGresult *r = NULL;
    enum db_status st =
        db_exec_page(c, &st_list, &st_count, "full_count", 2, p, limit, offset, &r, total);
    if (st != DB_OK)
        return st;
    *items = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(*items, event_row_json(r, i));
    PQclear(r);
    return DB_OK;
}

enum db_status event_store_visible(struct db_conn *c, const char *id, int admin)
{
    PGresult *r = NULL;
    const char *p[] = {id, admin ? "1" : "0"};
    enum db_status st = db_exec_one(c, &st_visible, 2, p, &r);
    PQclear(r);
    return st;
}

enum db_status event_store_currency(struct db_conn *c, const char *id, char *out, size_t outlen)
{
    PGresult *r = NULL;
    enum db_status st = query_by_id(c, &st_exists, id, &r);
    if (st != DB_OK)
        return st;
    snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return DB_OK;
}

enum db_status event_store_patch_tx(struct db_conn *c, const char *id, const struct event_input *in,
                                    int *moved)
{
    *moved = 0;
    const char *p[] = {id,
                       in->name,
                       in->venue,
                       in->starts_at[0] ? in->starts_at : NULL,
                       in->description,
                       in->currency,
                       in->timezone,
                       in->sales_start_set ? "1" : "0",
                       in->sales_start_at,
                       in->sales_end_set ? "1" : "0",
                       in->sales_end_at,
                       in->attendees_required};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_patch, 12, p, &r);
    if (st == DB_OK && PQntuples(r) > 0)
        *moved = strcmp(db_get(r, 0, "moved") ? db_get(r, 0, "moved") : "f", "t") == 0;
    return applied_or_why(c, id, st, r);
}

enum db_status event_store_publish(struct db_conn *c, const char *id, json_t **event)
{
    PGresult *r = NULL;
    const char *p[] = {id};
    enum db_status st = db_exec(c, &st_publish, 1, p, &r);
    st = applied_or_why(c, id, st, r);
    return st == DB_OK ? event_store_get(c, id, event) : st;
}

enum db_status event_store_live_bookings(struct db_conn *c, const char *id, json_t **ids)
{
    PGresult *r = NULL;
    const char *p[] = {id};
    enum db_status st = db_exec(c, &st_live_bookings, 1, p, &r);
    if (st != DB_OK)
        return st;
    *ids = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(*ids, json_string(db_get(r, i, "id")));
    PQclear(r);
    return DB_OK;
}

enum db_status event_store_rerender(struct db_conn *c, const char *id)
{
    const char *p[] = {id};
    return db_exec(c, &st_rerender, 1, p, NULL);
}

enum db_status event_store_delete(struct db_conn *c, const char *id)
{
    PGresult *r = NULL;
    const char *p[] = {id};
    enum db_status st = db_exec(c, &st_delete, 1, p, &r);
    if (st == DB_INVALID)
        return DB_CONFLICT; /* a booking appeared meanwhile: the foreign key refused */
    return applied_or_why(c, id, st, r);
}

enum db_status event_store_stats(struct db_conn *c, const char *id, json_t **stats)
{
    PGresult *r = NULL;
    enum db_status st = query_by_id(c, &st_stats, id, &r);
    if (st != DB_OK)
        return st;
    json_t *seats = seat_counts_json(r, 0);
    json_t *out = json_pack("{s:s, s:o, s:I, s:I, s:s}", "event_id", id, "seats", seats, "revenue",
                            (json_int_t)atoll(db_get(r, 0, "revenue")), "checked_in",
                            (json_int_t)atoll(db_get(r, 0, "checked_in")), "currency",
                            db_get(r, 0, "currency"));
    PQclear(r);
    const char *p[] = {id};
    st = db_exec(c, &st_stats_bookings, 1, p, &r);
    if (st != DB_OK) {
        json_decref(out);
        return st;
    }
    json_t *by = json_object(); /* every state a booking can be in, 0 unless counted */
    for (int s = LC_NEW + 1; s < LC_STATE_COUNT; s++)
        json_object_set_new(by, lifecycle_state_name((enum lc_state)s), json_integer(0));
    for (int i = 0; i < PQntuples(r); i++)
        json_object_set_new(by, db_get(r, i, "status"), json_integer(atoll(db_get(r, i, "n"))));
    PQclear(r);
    json_object_set_new(out, "bookings", by);
    *stats = out;
    return DB_OK;
}
