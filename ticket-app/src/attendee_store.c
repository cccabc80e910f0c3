/* attendee_store.c: SQL only, for attendees (attendee_store.h). */
#include "attendee_store.h"

#include <stdlib.h>
#include <string.h>

static const struct db_stmt st_ticket_info = {
    "ticket_attendee_ticket_info",
    "SELECT local_rfc3339(e.starts_at, e.timezone) AS starts_at_local, e.timezone, "
    "       (SELECT json_object_agg(a.seat_id, json_build_object('name', a.name, "
    "               'id_number', a.id_number)) FROM booking_attendees a "
    "         WHERE a.booking_id = b.id)::text AS attendees "
    "  FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.id = $1::uuid"};

/* Every seat of the event's bookings that hold or held seats, by seat
 * label, as one JSON text. */
static const struct db_stmt st_manifest = {
    "ticket_attendee_manifest",
    "SELECT json_build_object("
    "  'event', json_build_object('id', e.id, 'name', e.name,"
    "            'starts_at_local', local_rfc3339(e.starts_at, e.timezone)),"
    "  'items', COALESCE((SELECT json_agg(json_build_object("
    "      'seat', json_build_object('id', bs.seat_id, 'label', bs.label, 'section', bs.section),"
    "      'attendee', CASE WHEN a.name IS NULL THEN NULL"
    "                  ELSE json_build_object('name', a.name, 'id_number', a.id_number) END,"
    "      'holder', COALESCE(b.holder, b.user_id), 'user_id', b.user_id,"
    "      'booking_id', b.id, 'booking_code', b.code, 'status', b.status,"
    "      'checked_in_at', " SQL_TS("ck.checked_in_at") ")"
    "      ORDER BY bs.section, bs.label, b.created_at)"
    "    FROM bookings b JOIN booking_seats bs ON bs.booking_id = b.id"
    "    LEFT JOIN booking_attendees a ON a.booking_id = b.id AND a.seat_id = bs.seat_id"
    "    LEFT JOIN checkins ck ON ck.booking_id = b.id AND ck.seat_id = bs.seat_id"
    "   WHERE b.event_id = e.id AND b.status NOT IN ('FAILED', 'EXPIRED')), '[]'::json)"
    ")::text AS doc FROM events e WHERE e.id = $1::uuid"};

enum db_status attendee_store_manifest(struct db_conn *c, const char *event_id, char **json)
{
    const char *p[] = {event_id};
    PGresult *r = NULL;
    *json = NULL;
    enum db_status st = db_exec_one(c, &st_manifest, 1, p, &r);
    if (st != DB_OK)
        return st;
    *json = strdup(db_get(r, 0, "doc"));
    PQclear(r);
    return *json ? DB_OK : DB_ERROR;
}

enum db_status attendee_store_ticket_info(struct db_conn *c, const char *booking_id, PGresult **out)
{
    const char *p[] = {booking_id};
    return db_exec_one(c, &st_ticket_info, 1, p, out);
}
