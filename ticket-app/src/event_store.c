/* event_store.c: SQL on events (see event_store.h). */
#include "event_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sqlts.h"

#define EVENT_COLS                                                                                 \
    "e.id::text AS id, e.name, e.venue, " SQL_TS(                                                  \
        "e.starts_at") " AS starts_at, e.description, "                                            \
                       "e.currency, " SQL_TS("e.created_at") " AS created_at, " SQL_TS(            \
                           "e.updated_at") " AS updated_at, c.total, c.open, c.on_going, c.booked"

#define EVENT_COUNTS                                                                               \
    "LEFT JOIN LATERAL (SELECT count(*) AS total, "                                                \
    "  count(*) FILTER (WHERE status = 'OPEN' OR (status = 'ON_GOING' AND held_until < now())) "   \
    "    AS open, "                                                                                \
    "  count(*) FILTER (WHERE status = 'ON_GOING' AND held_until >= now()) AS on_going, "          \
    "  count(*) FILTER (WHERE status = 'BOOKED') AS booked "                                       \
    "  FROM seats s WHERE s.event_id = e.id) c ON true "

static const struct db_stmt st_insert = {
    "ticket_event_insert", "INSERT INTO events (id, name, venue, starts_at, description, currency, "
                           "published_at) VALUES ($1, $2, $3, $4::timestamptz, $5, $6, now())"};

static const struct db_stmt st_insert_seats = {
    "ticket_event_insert_seats",
    "INSERT INTO seats (id, event_id, label, section, row, number, price) "
    "SELECT gen_random_uuid(), $1, r.row || '-' || n, r.section, r.row, n, r.price "
    "  FROM jsonb_to_recordset($2::jsonb) AS r(section text, row text, seats int, price bigint), "
    "       generate_series(1, r.seats) AS n"};

static const struct db_stmt st_get = {
    "ticket_event_get", "SELECT " EVENT_COLS " FROM events e " EVENT_COUNTS "WHERE e.id = $1"};

static const struct db_stmt st_list = {
    "ticket_event_list",
    "SELECT " EVENT_COLS ", count(*) OVER () AS full_count FROM events e " EVENT_COUNTS
    "ORDER BY e.starts_at, e.id LIMIT $1 OFFSET $2"};

static const struct db_stmt st_count = {"ticket_event_count", "SELECT count(*) FROM events"};

static const struct db_stmt st_patch = {
    "ticket_event_patch",
    "UPDATE events SET name = COALESCE($2, name), venue = COALESCE($3, venue), "
    "       starts_at = COALESCE($4::timestamptz, starts_at), "
    "       description = COALESCE($5, description), currency = COALESCE($6, currency), "
    "       updated_at = now() "
    " WHERE id = $1 AND (($4::timestamptz IS NULL AND $6::text IS NULL) OR NOT EXISTS ("
    "       SELECT 1 FROM bookings b WHERE b.event_id = $1 "
    "          AND b.status IN ('PENDING_PAYMENT', 'CONFIRMED'))) "
    "RETURNING id"};

static const struct db_stmt st_delete = {
    "ticket_event_delete",
    "DELETE FROM events WHERE id = $1 "
    "   AND NOT EXISTS (SELECT 1 FROM bookings WHERE event_id = $1) "
    "   AND NOT EXISTS (SELECT 1 FROM seats WHERE event_id = $1 AND status <> 'OPEN') "
    "RETURNING id"};

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

static json_t *event_row_json(const PGresult *r, int i)
{
    json_t *counts = seat_counts_json(r, i);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", db_get(r, i, "id"),
                     "name", db_get(r, i, "name"), "venue", db_get(r, i, "venue"), "starts_at",
                     db_get(r, i, "starts_at"), "description", db_get(r, i, "description"),
                     "currency", db_get(r, i, "currency"), "created_at", db_get(r, i, "created_at"),
                     "updated_at", db_get(r, i, "updated_at"), "seat_counts", counts);
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

enum db_status event_store_get(struct db_conn *c, const char *id, json_t **event)
{
    PGresult *r = NULL;
    enum db_status st = query_by_id(c, &st_get, id, &r);
    if (st != DB_OK)
        return st;
    *event = event_row_json(r, 0);
    PQclear(r);
    return DB_OK;
}

enum db_status event_store_create(struct db_conn *c, const char *id, const struct event_input *in,
                                  json_t **event)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    const char *p[] = {id, in->name, in->venue, in->starts_at, in->description, in->currency};
    st = db_exec(c, &st_insert, 6, p, NULL);
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

enum db_status event_store_list(struct db_conn *c, long limit, long offset, json_t **items,
                                long *total)
{
    char l[24], o[24];
    snprintf(l, sizeof l, "%ld", limit);
    snprintf(o, sizeof o, "%ld", offset);
    const char *p[] = {l, o};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_list, 2, p, &r);
    if (st != DB_OK)
        return st;
    *items = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(*items, event_row_json(r, i));
    if (PQntuples(r) > 0) {
        *total = atol(db_get(r, 0, "full_count"));
        PQclear(r);
        return DB_OK;
    }
    PQclear(r);
    /* Past the end: the window count is not there, ask for it. */
    st = db_exec(c, &st_count, 0, NULL, &r);
    if (st != DB_OK) {
        json_decref(*items);
        *items = NULL;
        return st;
    }
    *total = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DB_OK;
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

enum db_status event_store_patch(struct db_conn *c, const char *id, const struct event_input *in,
                                 json_t **event)
{
    const char *p[] = {
        id,          in->name, in->venue, in->starts_at[0] ? in->starts_at : NULL, in->description,
        in->currency};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_patch, 6, p, &r);
    st = applied_or_why(c, id, st, r);
    return st == DB_OK ? event_store_get(c, id, event) : st;
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
    json_t *by = json_pack("{s:i, s:i, s:i, s:i, s:i}", "PENDING_PAYMENT", 0, "CONFIRMED", 0,
                           "FAILED", 0, "EXPIRED", 0, "CANCELLED", 0);
    for (int i = 0; i < PQntuples(r); i++)
        json_object_set_new(by, db_get(r, i, "status"), json_integer(atoll(db_get(r, i, "n"))));
    PQclear(r);
    json_object_set_new(out, "bookings", by);
    *stats = out;
    return DB_OK;
}
