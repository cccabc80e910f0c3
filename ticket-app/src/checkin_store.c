/* checkin_store.c: SQL only, for check-in and the gate's lists
 * (checkin_store.h). */
#include "checkin_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/util.h"

/* starts_at in the venue's zone (local_rfc3339: migrations/ticket/051). */
#define EVENT_LOCAL(alias) "local_rfc3339(" alias ".starts_at, " alias ".timezone)"

/* clang-format off */
/* One statement decides: the ticket CTE finds the ticket whatever its state
 * (and share-locks its booking against a concurrent cancel), the upsert,
 * only for an admissible ticket of the gate's event, either creates the
 * check-in (scans = 1: admitted) or, on the primary key, counts one more
 * scan of the existing row and returns its first time. The name shown is
 * the seat's attendee, else the holder's. */
static const struct db_stmt checkin_admit_stmt = {
    "ticket_checkin_admit",
    "WITH ticket AS ("
    "  SELECT b.id AS booking_id, bs.seat_id, b.event_id, b.status, bs.label, bs.section,"
    "         b.code, COALESCE(ba.name, b.holder) AS attendee,"
    "         COALESCE(s.status = 'BOOKED' AND s.booking_id = b.id, false) AS held"
    "    FROM bookings b"
    "    JOIN booking_seats bs ON bs.booking_id = b.id"
    "    LEFT JOIN seats s ON s.id = bs.seat_id"
    "    LEFT JOIN booking_attendees ba ON ba.booking_id = b.id AND ba.seat_id = bs.seat_id"
    "   WHERE b.id = $1::uuid AND bs.seat_id = $2::uuid"
    "     FOR SHARE OF b"
    "), scan AS ("
    "  INSERT INTO checkins AS c (booking_id, seat_id, event_id)"
    "  SELECT booking_id, seat_id, event_id FROM ticket"
    "   WHERE status = 'CONFIRMED' AND held AND ($3::uuid IS NULL OR event_id = $3::uuid)"
    "  ON CONFLICT (booking_id, seat_id)"
    "  DO UPDATE SET scans = c.scans + 1, last_scan_at = now()"
    "  RETURNING c.checked_in_at, c.scans"
    ")"
    "SELECT t.booking_id::text AS booking_id, t.seat_id::text AS seat_id, t.label, t.section,"
    "       t.status, t.code, t.attendee, t.held, t.event_id::text AS event_id,"
    "       e.name AS event_name, " EVENT_LOCAL("e") " AS event_local,"
    "       " SQL_TS("COALESCE(scan.checked_in_at, ck.checked_in_at)") " AS checked_in_at,"
    "       COALESCE(scan.scans, 0) AS scans"
    "  FROM ticket t JOIN events e ON e.id = t.event_id"
    "  LEFT JOIN scan ON true"
    "  LEFT JOIN checkins ck ON ck.booking_id = t.booking_id AND ck.seat_id = t.seat_id",
};

static const struct db_stmt checkin_event_stmt = {
    "ticket_checkin_event",
    "SELECT e.id::text AS id, e.name, " EVENT_LOCAL("e") " AS local"
    "  FROM events e WHERE e.id = $1::uuid",
};

static const struct db_stmt checkin_count_stmt = {
    "ticket_checkin_count",
    "SELECT count(*) AS n FROM checkins WHERE event_id = $1::uuid",
};

/* The event, its counts and one page of its check-ins as one JSON text:
 * tickets are the seats of its CONFIRMED bookings. */
static const struct db_stmt checkin_list_stmt = {
    "ticket_checkin_list",
    "WITH ev AS (SELECT e.id, e.name, " EVENT_LOCAL("e") " AS local FROM events e"
    "             WHERE e.id = $1::uuid),"
    " tickets AS (SELECT count(*) AS n FROM bookings b JOIN booking_seats bs"
    "              ON bs.booking_id = b.id WHERE b.event_id = $1::uuid AND b.status = 'CONFIRMED'),"
    " ins AS (SELECT ck.*, bs.label, bs.section, COALESCE(ba.name, b.holder) AS att, b.code"
    "           FROM checkins ck JOIN bookings b ON b.id = ck.booking_id"
    "           JOIN booking_seats bs ON bs.booking_id = ck.booking_id AND bs.seat_id = ck.seat_id"
    "           LEFT JOIN booking_attendees ba ON ba.booking_id = ck.booking_id"
    "                AND ba.seat_id = ck.seat_id"
    "          WHERE ck.event_id = $1::uuid),"
    " page AS (SELECT * FROM ins ORDER BY checked_in_at DESC, seat_id LIMIT $2::bigint"
    "           OFFSET $3::bigint)"
    "SELECT json_build_object("
    "  'event', json_build_object('id', ev.id, 'name', ev.name, 'starts_at_local', ev.local),"
    "  'counts', json_build_object('tickets', tickets.n,"
    "                              'checked_in', (SELECT count(*) FROM ins),"
    "                              'not_checked_in',"
    "                              greatest(tickets.n - (SELECT count(*) FROM ins), 0)),"
    "  'items', COALESCE((SELECT json_agg(json_build_object("
    "      'booking_id', p.booking_id, 'booking_code', p.code,"
    "      'seat', json_build_object('id', p.seat_id, 'label', p.label, 'section', p.section),"
    "      'attendee', CASE WHEN p.att IS NULL THEN NULL ELSE json_build_object('name', p.att) END,"
    "      'checked_in_at', " SQL_TS("p.checked_in_at") ", 'scans', p.scans)"
    "      ORDER BY p.checked_in_at DESC, p.seat_id) FROM page p), '[]'::json),"
    "  'total', (SELECT count(*) FROM ins), 'limit', $2::bigint, 'offset', $3::bigint)::text"
    "  AS doc FROM ev CROSS JOIN tickets",
};
/* clang-format on */

static void copy_id(char dst[37], const char *src)
{
    size_t n = src ? strnlen(src, 36) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static char *dup_or_null(const char *v)
{
    return v ? xstrdup(v) : NULL;
}

enum db_status checkin_store_admit(struct db_conn *c, const char *booking_id, const char *seat_id,
                                   const char *gate_event, struct checkin_result *out)
{
    const char *params[] = {booking_id, seat_id, gate_event && gate_event[0] ? gate_event : NULL};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, &checkin_admit_stmt, 3, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    long scans = 0;
    const char *scans_text = db_get(res, 0, "scans");
    if (!scans_text || parse_long(scans_text, &scans) != 0 || scans < 0) {
        PQclear(res);
        return DB_ERROR;
    }
    const char *held = db_get(res, 0, "held");
    out->scans = scans;
    copy_id(out->booking_id, db_get(res, 0, "booking_id"));
    copy_id(out->seat_id, db_get(res, 0, "seat_id"));
    copy_id(out->event.id, db_get(res, 0, "event_id"));
    out->label = dup_or_null(db_get(res, 0, "label"));
    out->section = dup_or_null(db_get(res, 0, "section"));
    out->checked_in_at = dup_or_null(db_get(res, 0, "checked_in_at"));
    out->booking_status = dup_or_null(db_get(res, 0, "status"));
    out->booking_code = dup_or_null(db_get(res, 0, "code"));
    out->attendee_name = dup_or_null(db_get(res, 0, "attendee"));
    out->event.name = dup_or_null(db_get(res, 0, "event_name"));
    out->event.starts_at_local = dup_or_null(db_get(res, 0, "event_local"));
    out->outcome = checkin_decide(out->booking_status, held && held[0] == 't', out->event.id,
                                  gate_event, scans);
    PQclear(res);
    return DB_OK;
}

enum db_status checkin_store_event(struct db_conn *c, const char *event_id,
                                   struct checkin_event *out)
{
    const char *params[] = {event_id};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, &checkin_event_stmt, 1, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    copy_id(out->id, db_get(res, 0, "id"));
    out->name = dup_or_null(db_get(res, 0, "name"));
    out->starts_at_local = dup_or_null(db_get(res, 0, "local"));
    PQclear(res);
    return DB_OK;
}

enum db_status checkin_store_count(struct db_conn *c, const char *event_id, long *count)
{
    const char *params[] = {event_id};
    PGresult *res = NULL;
    *count = 0;
    enum db_status st = db_exec(c, &checkin_count_stmt, 1, params, &res);
    if (st != DB_OK)
        return st;
    const char *n = PQntuples(res) == 1 ? db_get(res, 0, "n") : NULL;
    st = (n && parse_long(n, count) == 0) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

enum db_status checkin_store_list(struct db_conn *c, const char *event_id, long limit, long offset,
                                  json_t **out)
{
    char l[24], o[24];
    snprintf(l, sizeof l, "%ld", limit);
    snprintf(o, sizeof o, "%ld", offset);
    const char *params[] = {event_id, l, o};
    PGresult *res = NULL;
    *out = NULL;
    enum db_status st = db_exec(c, &checkin_list_stmt, 3, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    *out = json_loads(db_get(res, 0, "doc"), 0, NULL);
    PQclear(res);
    return *out ? DB_OK : DB_ERROR;
}
