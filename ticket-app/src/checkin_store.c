/* checkin_store.c: SQL only, for check-in (checkin_store.h). */
#include "checkin_store.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* One statement decides: the ticket CTE finds an admissible ticket (and
 * share-locks its booking against a concurrent cancel), the upsert either
 * creates the check-in (scans = 1: admitted) or, on the primary key, counts
 * one more scan of the existing row and returns its first time. */
static const struct db_stmt checkin_admit_stmt = {
    "ticket_checkin_admit",
    "WITH ticket AS ("
    "  SELECT b.id AS booking_id, bs.seat_id, b.event_id, bs.label, bs.section"
    "    FROM bookings b"
    "    JOIN booking_seats bs ON bs.booking_id = b.id"
    "    JOIN seats s ON s.id = bs.seat_id AND s.booking_id = b.id AND s.status = 'BOOKED'"
    "   WHERE b.id = $1::uuid AND bs.seat_id = $2::uuid AND b.status = 'CONFIRMED'"
    "     FOR SHARE OF b"
    "), scan AS ("
    "  INSERT INTO checkins AS c (booking_id, seat_id, event_id)"
    "  SELECT booking_id, seat_id, event_id FROM ticket"
    "  ON CONFLICT (booking_id, seat_id)"
    "  DO UPDATE SET scans = c.scans + 1, last_scan_at = now()"
    "  RETURNING c.checked_in_at, c.scans"
    ")"
    "SELECT t.booking_id::text AS booking_id, t.seat_id::text AS seat_id, t.label, t.section,"
    "       to_char(scan.checked_in_at AT TIME ZONE 'UTC',"
    "               'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS checked_in_at,"
    "       scan.scans"
    "  FROM ticket t CROSS JOIN scan",
};

static const struct db_stmt checkin_count_stmt = {
    "ticket_checkin_count",
    "SELECT count(*) AS n FROM checkins WHERE event_id = $1::uuid",
};

static void copy_id(char dst[37], const char *src)
{
    size_t n = src ? strnlen(src, 36) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

enum db_status checkin_store_admit(struct db_conn *c, const char *booking_id, const char *seat_id,
                                   struct checkin_result *out)
{
    const char *params[] = {booking_id, seat_id};
    PGresult *res = NULL;
    enum db_status st = db_exec(c, &checkin_admit_stmt, 2, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    long scans = 0;
    const char *scans_text = db_get(res, 0, "scans");
    if (!scans_text || parse_long(scans_text, &scans) != 0 || scans < 1) {
        PQclear(res);
        return DB_ERROR;
    }
    out->outcome = scans == 1 ? CHECKIN_ADMITTED : CHECKIN_ALREADY;
    out->scans = scans;
    copy_id(out->booking_id, db_get(res, 0, "booking_id"));
    copy_id(out->seat_id, db_get(res, 0, "seat_id"));
    const char *v;
    out->label = (v = db_get(res, 0, "label")) ? xstrdup(v) : NULL;
    out->section = (v = db_get(res, 0, "section")) ? xstrdup(v) : NULL;
    out->checked_in_at = (v = db_get(res, 0, "checked_in_at")) ? xstrdup(v) : NULL;
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
