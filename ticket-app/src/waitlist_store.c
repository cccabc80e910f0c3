/* waitlist_store.c: SQL on the waitlist (see waitlist_store.h). */
#include "waitlist_store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/log.h"
#include "common/rand.h"

static atomic_long hold_ttl = 420;

/* Position: the WAITING entries of the same seat ahead of this one, + 1. */
#define ENTRY_COLS                                                                                 \
    "w.id::text AS id, w.user_id, w.event_id::text AS event_id, e.name AS event_name, "            \
    "w.seat_id::text AS seat_id, s.label AS seat_label, w.status, "                                \
    "w.booking_id::text AS booking_id, " SQL_TS("w.created_at") " AS created_at, " SQL_TS(         \
        "w.updated_at") " AS updated_at, "                                                         \
                        "CASE WHEN w.status = 'WAITING' THEN 1 + (SELECT count(*) FROM "           \
                        "waitlist_entries o WHERE o.seat_id = w.seat_id AND o.status = 'WAITING' " \
                        "AND o.seq < w.seq) END AS position "

#define ENTRY_FROM                                                                                 \
    "FROM waitlist_entries w JOIN seats s ON s.id = w.seat_id JOIN events e ON e.id = w.event_id "

static const struct db_stmt st_event = {"ticket_wl_event", "SELECT 1 FROM events WHERE id = $1"};

/* The seat under its row lock, with what decides a join: its holder's
 * user, whether its hold ran out, whether anyone waits, and whether the
 * caller already has a live entry. */
static const struct db_stmt st_seat_lock = {
    "ticket_wl_seat_lock",
    "SELECT s.event_id::text AS event_id, s.status, "
    "       (s.status = 'ON_GOING' AND s.held_until < now()) AS expired, b.user_id AS holder, "
    "       EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.seat_id = s.id "
    "                  AND w.status = 'WAITING') AS waiters, "
    "       EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.seat_id = s.id AND w.user_id = $2 "
    "                  AND w.status IN ('WAITING', 'OFFERED')) AS mine "
    "  FROM seats s LEFT JOIN bookings b ON b.id = s.booking_id "
    " WHERE s.id = $1 FOR UPDATE OF s"};

static const struct db_stmt st_insert = {
    "ticket_wl_insert",
    "INSERT INTO waitlist_entries (id, user_id, event_id, seat_id) "
    "VALUES (gen_random_uuid(), $1, $2, $3) "
    "ON CONFLICT (user_id, seat_id) WHERE status IN ('WAITING', 'OFFERED') DO NOTHING "
    "RETURNING id::text"};

static const struct db_stmt st_get = {"ticket_wl_get", "SELECT " ENTRY_COLS ENTRY_FROM
                                                       "WHERE w.id = $1 AND w.user_id = $2"};

static const struct db_stmt st_list = {
    "ticket_wl_list", "SELECT " ENTRY_COLS ", count(*) OVER () AS total " ENTRY_FROM
                      "WHERE w.user_id = $1 AND ($2::text IS NULL OR w.status = $2) "
                      "ORDER BY w.seq DESC LIMIT $3::bigint OFFSET $4::bigint"};

static const struct db_stmt st_count = {"ticket_wl_count",
                                        "SELECT count(*) FROM waitlist_entries "
                                        "WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)"};

static const struct db_stmt st_leave = {
    "ticket_wl_leave", "UPDATE waitlist_entries SET status = 'CANCELLED', updated_at = now() "
                       " WHERE id = $1 AND user_id = $2 AND status = 'WAITING' RETURNING id"};

static const struct db_stmt st_state = {
    "ticket_wl_state", "SELECT status, booking_id::text AS booking_id FROM waitlist_entries "
                       " WHERE id = $1 AND user_id = $2"};

/* The head of a seat's queue, locked. Not SKIP LOCKED: a head that its
 * user is cancelling right now is waited for; once that commits PostgreSQL
 * re-checks the row, drops it and returns the next in seq order. */
static const struct db_stmt st_head = {
    "ticket_wl_head",
    "SELECT id::text FROM waitlist_entries WHERE seat_id = $1 AND status = 'WAITING' "
    " ORDER BY seq LIMIT 1 FOR UPDATE"};

static const struct db_stmt st_open = {
    "ticket_wl_seat_open",
    "UPDATE seats SET status = 'OPEN', booking_id = NULL, held_until = NULL, updated_at = now() "
    " WHERE id = $1 AND booking_id = $2"};

/* The offer, as one statement: the new booking (one seat, its current
 * price), the seat moved to it (still ON_GOING, never OPEN), the seat
 * snapshot, the entry OFFERED, and the OFFER follow-up. $1 seat, $2 entry,
 * $3 new booking id, $4 hold seconds, $5 the releasing booking. */
static const struct db_stmt st_offer = {
    "ticket_wl_offer",
    "WITH bk AS ("
    "  INSERT INTO bookings (id, user_id, event_id, status, origin, currency, seat_count, "
    "                        amount, expires_at) "
    "  SELECT $3::uuid, w.user_id, s.event_id, 'PENDING_PAYMENT', 'waitlist', e.currency, 1, "
    "         s.price, now() + make_interval(secs => $4::int) "
    "    FROM waitlist_entries w JOIN seats s ON s.id = w.seat_id "
    "    JOIN events e ON e.id = s.event_id "
    "   WHERE w.id = $2::uuid AND s.id = $1::uuid AND s.booking_id = $5::uuid "
    "  RETURNING id, expires_at), "
    "seat AS ("
    "  UPDATE seats s SET status = 'ON_GOING', booking_id = bk.id, held_until = bk.expires_at, "
    "         updated_at = now() "
    "    FROM bk WHERE s.id = $1::uuid "
    "  RETURNING s.id, s.label, s.section, s.price), "
    "snap AS ("
    "  INSERT INTO booking_seats (booking_id, seat_id, label, section, price) "
    "  SELECT bk.id, seat.id, seat.label, seat.section, seat.price FROM bk, seat), "
    "entry AS ("
    "  UPDATE waitlist_entries w SET status = 'OFFERED', booking_id = bk.id, offered_at = now(), "
    "         updated_at = now() "
    "    FROM bk WHERE w.id = $2::uuid AND w.status = 'WAITING') "
    "INSERT INTO followups (booking_id, kind) SELECT id, 'OFFER' FROM bk "
    "ON CONFLICT (booking_id, kind) DO NOTHING "
    "RETURNING booking_id::text"};

static const struct db_stmt st_close = {
    "ticket_wl_close", "UPDATE waitlist_entries SET status = $2, updated_at = now() "
                       " WHERE booking_id = $1 AND status = 'OFFERED'"};

void waitlist_store_configure(long hold_ttl_s)
{
    atomic_store(&hold_ttl, hold_ttl_s);
}

/* Fills e with borrowed values of row i. */
static void entry_from(const PGresult *r, int i, struct waitlist_entry *e)
{
    e->id = db_get(r, i, "id");
    e->user_id = db_get(r, i, "user_id");
    e->event_id = db_get(r, i, "event_id");
    e->event_name = db_get(r, i, "event_name");
    e->seat_id = db_get(r, i, "seat_id");
    e->seat_label = db_get(r, i, "seat_label");
    e->status = db_get(r, i, "status");
    e->booking_id = db_get(r, i, "booking_id");
    e->created_at = db_get(r, i, "created_at");
    e->updated_at = db_get(r, i, "updated_at");
    const char *pos = db_get(r, i, "position");
    e->position = pos ? atol(pos) : 0;
}

enum db_status waitlist_store_get(struct db_conn *c, const char *id, const char *user_id,
                                  json_t **entry)
{
    PGresult *r = NULL;
    const char *p[] = {id, user_id};
    enum db_status st = db_exec(c, &st_get, 2, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    struct waitlist_entry e;
    entry_from(r, 0, &e);
    *entry = waitlist_entry_json(&e);
    PQclear(r);
    return DB_OK;
}

/* Inside the join's transaction: locks the seat and decides. */
static enum db_status join_decide(struct db_conn *c, const struct waitlist_join *j,
                                  enum waitlist_join_outcome *out)
{
    PGresult *r = NULL;
    const char *pe[] = {j->event_id};
    enum db_status st = db_exec(c, &st_event, 1, pe, &r);
    if (st != DB_OK)
        return st;
    int found = PQntuples(r);
    PQclear(r);
    if (!found) {
        *out = JOIN_NO_EVENT;
        return DB_OK;
    }
    const char *ps[] = {j->seat_id, j->user_id};
    st = db_exec(c, &st_seat_lock, 2, ps, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0)
        *out = JOIN_NO_SEAT;
    else if (strcmp(db_get(r, 0, "event_id"), j->event_id) != 0)
        *out = JOIN_FOREIGN_SEAT;
    else if (db_get(r, 0, "mine")[0] == 't')
        *out = JOIN_ALREADY_WAITING;
    else
        *out = waitlist_join_check(db_get(r, 0, "status"), db_get(r, 0, "expired")[0] == 't',
                                   db_get(r, 0, "waiters")[0] == 't', db_get(r, 0, "holder"),
                                   j->user_id);
    PQclear(r);
    return DB_OK;
}

enum db_status waitlist_store_join(struct db_conn *c, const struct waitlist_join *j,
                                   enum waitlist_join_outcome *out, json_t **entry)
{
    *entry = NULL;
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    st = join_decide(c, j, out);
    if (st != DB_OK || *out != JOIN_OK)
        return db_tx_end(c, st);
    PGresult *r = NULL;
    const char *pi[] = {j->user_id, j->event_id, j->seat_id};
    st = db_exec(c, &st_insert, 3, pi, &r);
    if (st != DB_OK)
        return db_tx_end(c, st);
    if (PQntuples(r) == 0) {
        PQclear(r); /* the unique index is the last word on duplicates */
        *out = JOIN_ALREADY_WAITING;
        return db_tx_end(c, DB_OK);
    }
    char id[37];
    snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    st = waitlist_store_get(c, id, j->user_id, entry);
    st = db_tx_end(c, st);
    if (st != DB_OK) {
        json_decref(*entry);
        *entry = NULL;
    }
    return st;
}

enum db_status waitlist_store_list(struct db_conn *c, const char *user_id, const char *status,
                                   long limit, long offset, json_t **items, long *total)
{
    const char *p[] = {user_id, status};
    PGresult *r = NULL;
    enum db_status st =
        db_exec_page(c, &st_list, &st_count, "total", 2, p, limit, offset, &r, total);
    if (st != DB_OK)
        return st;
    *items = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        struct waitlist_entry e;
        entry_from(r, i, &e);
        json_array_append_new(*items, waitlist_entry_json(&e));
    }
    PQclear(r);
    return DB_OK;
}

enum db_status waitlist_store_leave(struct db_conn *c, const char *id, const char *user_id,
                                    enum waitlist_leave_outcome *out, char booking_id[37])
{
    booking_id[0] = '\0';
    PGresult *r = NULL;
    const char *p[] = {id, user_id};
    enum db_status st = db_exec(c, &st_leave, 2, p, &r);
    if (st != DB_OK)
        return st;
    int left = PQntuples(r);
    PQclear(r);
    if (left) {
        *out = LEAVE_LEFT;
        return DB_OK;
    }
    st = db_exec(c, &st_state, 2, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        *out = LEAVE_NOT_FOUND;
    } else {
        *out = waitlist_leave_outcome_for(db_get(r, 0, "status"));
        const char *b = db_get(r, 0, "booking_id");
        snprintf(booking_id, 37, "%s", b ? b : "");
    }
    PQclear(r);
    return DB_OK;
}

enum db_status waitlist_store_pass_on(struct db_conn *c, const char *seat_id,
                                      const char *from_booking, int *offered)
{
    if (offered)
        *offered = 0;
    PGresult *r = NULL;
    const char *ph[] = {seat_id};
    enum db_status st = db_exec(c, &st_head, 1, ph, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        const char *po[] = {seat_id, from_booking};
        return db_exec(c, &st_open, 2, po, NULL);
    }
    char entry[37], booking[37], ttl[24];
    snprintf(entry, sizeof entry, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    rand_uuid(booking);
    snprintf(ttl, sizeof ttl, "%ld", atomic_load(&hold_ttl));
    const char *po[] = {seat_id, entry, booking, ttl, from_booking};
    st = db_exec(c, &st_offer, 5, po, &r);
    if (st != DB_OK)
        return st;
    int n = PQntuples(r);
    PQclear(r);
    if (n != 1) {
        /* The seat is not the releasing booking's any more: cannot happen
         * while the caller holds its lock. Leave it as it is. */
        log_error("waitlist: seat=%s not held by booking=%s at release", seat_id, from_booking);
        return DB_OK;
    }
    log_info("waitlist: seat=%s released by booking=%s offered to entry=%s as booking=%s", seat_id,
             from_booking, entry, booking);
    if (offered)
        *offered = 1;
    return DB_OK;
}

enum db_status waitlist_store_booking_changed(struct db_conn *c, const char *booking_id,
                                              enum lc_state booking_state)
{
    const char *to = waitlist_status_after(booking_state);
    if (!to)
        return DB_OK;
    const char *p[] = {booking_id, to};
    return db_exec(c, &st_close, 2, p, NULL);
}
