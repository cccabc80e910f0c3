/* attendee_store.c: SQL only, for attendees (attendee_store.h). */
#include "attendee_store.h"

static const struct db_stmt st_required = {
    "ticket_attendee_required", "SELECT attendees_required FROM events WHERE id = $1::uuid"};

static const struct db_stmt st_put = {
    "ticket_attendee_put",
    "INSERT INTO booking_attendees (booking_id, seat_id, name, id_number) "
    "SELECT $1::uuid, a.seat_id, a.name, NULLIF(a.id_number, '') "
    "  FROM json_to_recordset($2::json) AS a(seat_id uuid, name text, id_number text) "
    "ON CONFLICT (booking_id, seat_id) DO NOTHING"};

static const struct db_stmt st_ticket_info = {
    "ticket_attendee_ticket_info",
    "SELECT local_rfc3339(e.starts_at, e.timezone) AS starts_at_local, e.timezone, "
    "       (SELECT json_object_agg(a.seat_id, json_build_object('name', a.name, "
    "               'id_number', a.id_number)) FROM booking_attendees a "
    "         WHERE a.booking_id = b.id)::text AS attendees "
    "  FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.id = $1::uuid"};

enum db_status attendee_store_required(struct db_conn *c, const char *event_id, int *required)
{
    const char *p[] = {event_id};
    PGresult *r = NULL;
    *required = 0;
    enum db_status st = db_exec(c, &st_required, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    *required = db_get(r, 0, "attendees_required")[0] == 't';
    PQclear(r);
    return DB_OK;
}

enum db_status attendee_store_put(struct db_conn *c, const char *booking_id, const char *json)
{
    const char *p[] = {booking_id, json};
    return db_exec(c, &st_put, 2, p, NULL);
}

enum db_status attendee_store_ticket_info(struct db_conn *c, const char *booking_id, PGresult **out)
{
    const char *p[] = {booking_id};
    PGresult *r = NULL;
    *out = NULL;
    enum db_status st = db_exec(c, &st_ticket_info, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    *out = r;
    return DB_OK;
}
