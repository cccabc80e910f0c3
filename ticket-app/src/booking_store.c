/* booking_store.c: SQL on bookings (see booking_store.h). */
#include "booking_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/util.h"
#include "seat_store.h"

/* The booking as the API answers it, seats included (booking_view,
 * migrations/ticket/052_lifecycle.sql): one round trip. */
static const struct db_stmt st_load = {"ticket_booking_load",
                                       "SELECT * FROM booking_view WHERE id = $1"};

/* The HOLD transition (see booking_store.h). */
static const struct db_stmt st_try_hold = {
    "ticket_booking_try_hold",
    "SELECT * FROM booking_try_hold($1, $2, $3, $4::uuid[], $5, $6, $7::int, $8::int, $9::bool, "
    "                               $10::json, $11::bool)"};

/* booking_try_hold's outcome column, by name. */
static const struct {
    const char *name;
    enum try_hold_outcome outcome;
} try_hold_outcomes[] = {
    {"HELD", TRY_HELD},
    {"REFUSED", TRY_REFUSED},
    {"EXISTS", TRY_EXISTS},
    {"NO_EVENT", TRY_NO_EVENT},
    {"NAMES_MISSING", TRY_NAMES_MISSING},
    {"SLOW", TRY_SLOW},
    {"LAPSED", TRY_LAPSED},
};

static const struct db_stmt st_organizer_held = {
    "ticket_booking_organizer_held",
    "UPDATE bookings SET organizer_held_at = now() "
    " WHERE id = $1 AND status IN ('PENDING_PAYMENT', 'HELD') AND organizer_held_at IS NULL"};

/* CHECKOUT's payment window (the PAY_WINDOW effect), run by the executor
 * under the booking's row lock: the booking and its seats held until now +
 * $2 seconds, or the event's start if that comes first (as a hold's own
 * expiry, migrations/ticket/090_hold_until_start.sql). */
static const struct db_stmt st_pay_window = {
    "ticket_booking_pay_window",
    "WITH b AS (UPDATE bookings k SET expires_at = LEAST(now() + make_interval(secs => $2::int), "
    "                  (SELECT e.starts_at FROM events e WHERE e.id = k.event_id)), "
    "                  sweep_after = NULL WHERE k.id = $1 RETURNING k.id, k.expires_at) "
    "UPDATE seats s SET held_until = b.expires_at, updated_at = now() "
    "  FROM b WHERE s.booking_id = b.id AND s.status = 'ON_GOING'"};

/* The INVOICE_ATTACHED transition for several bookings in one
 * autocommitted statement. $1 is a JSON array of {id, number, url}; the
 * rows are locked in id order. A booking that ended before its invoice came
 * gets the VOID follow-up that voids it. */
static const struct db_stmt st_attach = {
    "ticket_booking_attach",
    "WITH v AS (SELECT l.id, l.number, l.url "
    "             FROM json_to_recordset($1::json) AS l(id uuid, number text, url text) "
    "             JOIN bookings k ON k.id = l.id ORDER BY l.id FOR UPDATE OF k), "
    "     u AS (UPDATE bookings b SET invoice_number = v.number, payment_url = v.url, "
    "                  version = b.version + 1, updated_at = now(), "
    "                  organizer_held_at = CASE WHEN b.status = 'PENDING_PAYMENT' "
    "                      THEN COALESCE(b.organizer_held_at, now()) "
    "                      ELSE b.organizer_held_at END "
    "             FROM v WHERE b.id = v.id AND b.invoice_number IS NULL "
    "           RETURNING b.id, b.version, b.updated_at, b.status, b.origin, b.invoice_number), "
    "     f AS (INSERT INTO followups (booking_id, kind, invoice_number) "
    "           SELECT id, 'VOID', invoice_number FROM u "
    "            WHERE status IN ('FAILED', 'EXPIRED', 'CANCELLED') "
    "           ON CONFLICT (booking_id, kind) DO UPDATE SET invoice_number = "
    "              COALESCE(followups.invoice_number, EXCLUDED.invoice_number)) "
    "SELECT id::text AS id, version, status, origin, " SQL_TS("updated_at") " AS updated_at "
                                                                            "  FROM u"};

static const struct db_stmt st_lock = {
    "ticket_booking_lock",
    "SELECT b.status, b.origin, COALESCE(b.invoice_number, '') AS invoice_number, "
    "       (e.starts_at <= now()) AS started, "
    "       COALESCE(b.expires_at <= clock_timestamp(), false) AS lapsed "
    "  FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.id = $1 FOR UPDATE OF b"};

static const struct db_stmt st_checked_in = {
    "ticket_booking_checked_in",
    "SELECT EXISTS (SELECT 1 FROM checkins WHERE booking_id = $1) AS yes"};

static const struct db_stmt st_set_status = {
    "ticket_booking_set_status",
    "UPDATE bookings SET status = $2, failure_reason = $3, version = version + 1, "
    "       updated_at = now(), "
    "       confirmed_at = CASE WHEN $2 = 'CONFIRMED' THEN now() ELSE confirmed_at END "
    " WHERE id = $1"};

static const struct db_stmt st_processed = {
    "ticket_booking_processed",
    "INSERT INTO processed_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING "
    "RETURNING id"};

/* The sweeper's claim: a hold that ran out is looked at once per recheck
 * period (its payment may be in flight: then it waits). */
static const struct db_stmt st_claim_due = {
    "ticket_booking_claim_due",
    "UPDATE bookings b SET sweep_after = now() + make_interval(secs => $2::int) "
    "  FROM (SELECT id FROM bookings WHERE status IN ('PENDING_PAYMENT', 'HELD') "
    "          AND expires_at < now() AND (sweep_after IS NULL OR sweep_after < now()) "
    "        ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) d "
    " WHERE b.id = d.id "
    "RETURNING b.id::text AS id, COALESCE(b.invoice_number, '') AS inv, b.status"};

static const struct db_stmt st_live_of_event = {
    "ticket_booking_live_of_event",
    "SELECT id::text FROM bookings WHERE event_id = $1 "
    "   AND status IN ('HELD', 'PENDING_PAYMENT', 'CONFIRMED') ORDER BY created_at LIMIT $2"};

static const struct db_stmt st_ticket = {
    "ticket_booking_ticket",
    "SELECT encode(t.pdf, 'hex') FROM booking_tickets t JOIN bookings b ON b.id = t.booking_id "
    " WHERE t.booking_id = $1 AND b.status = 'CONFIRMED'"};

static char *dup_or_null(const PGresult *r, int i, const char *col)
{
    const char *v = db_get(r, i, col);
    return v ? xstrdup(v) : NULL;
}

/* Fills b from row i of a booking_view result; -1 if its seats do not parse. */
static int booking_from_row(const PGresult *r, int i, struct booking *b)
{
    b->id = dup_or_null(r, i, "id");
    b->user_id = dup_or_null(r, i, "user_id");
    b->event_id = dup_or_null(r, i, "event_id");
    b->event_name = dup_or_null(r, i, "event_name");
    b->venue = dup_or_null(r, i, "venue");
    b->starts_at = dup_or_null(r, i, "starts_at");
    b->status = dup_or_null(r, i, "status");
    b->failure_reason = dup_or_null(r, i, "failure_reason");
    b->holder = dup_or_null(r, i, "holder");
    b->origin = dup_or_null(r, i, "origin");
    b->currency = dup_or_null(r, i, "currency");
    b->invoice_number = dup_or_null(r, i, "invoice_number");
    b->payment_url = dup_or_null(r, i, "payment_url");
    b->expires_at = dup_or_null(r, i, "expires_at");
    b->created_at = dup_or_null(r, i, "created_at");
    b->updated_at = dup_or_null(r, i, "updated_at");
    b->organizer_held_at = dup_or_null(r, i, "organizer_held_at");
    b->amount = atol(db_get(r, i, "amount"));
    b->version = atol(db_get(r, i, "version"));
    b->seat_count = atol(db_get(r, i, "seat_count"));
    b->has_ticket = db_get(r, i, "has_ticket")[0] == 't';
    b->state = lifecycle_state_parse(b->status);
    b->code = dup_or_null(r, i, "code");
    b->unavailable_seats = dup_or_null(r, i, "unavailable_seats");

    const char *text = db_get(r, i, "seats");
    json_t *seats = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(seats)) {
        json_decref(seats);
        booking_cleanup(b);
        return -1;
    }
    size_t n = json_array_size(seats);
    b->seats = xcalloc(n ? n : 1, sizeof *b->seats);
    for (size_t k = 0; k < n; k++) {
        json_t *s = json_array_get(seats, k);
        const char *id = json_str(s, "id"), *label = json_str(s, "label");
        const char *section = json_str(s, "section");
        b->seats[k].id = xstrdup(id ? id : "");
        b->seats[k].label = xstrdup(label ? label : "");
        b->seats[k].section = xstrdup(section ? section : "");
        b->seats[k].price = (long)json_integer_value(json_object_get(s, "price"));
    }
    b->nseats = n;
    json_decref(seats);
    return 0;
}

enum db_status booking_store_load(struct db_conn *c, const char *id, struct booking *b)
{
    PGresult *r = NULL;
    const char *p[] = {id};
    enum db_status st = db_exec(c, &st_load, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0)
        st = DB_NOT_FOUND;
    else if (booking_from_row(r, 0, b) < 0)
        st = DB_ERROR;
    PQclear(r);
    return st;
}

enum db_status booking_store_try_hold(struct db_conn *c, const struct booking_request *rq,
                                      const char *attendees, long ttl_s, long max_seats,
                                      int lapsed_taken, enum try_hold_outcome *out,
                                      struct booking *b, char **lapsed)
{
    /* "checkout": false holds for selection (HELD) */
    char ttl[24], max[24], ids[BOOKING_SEATS_MAX * 38 + 4];
    snprintf(ttl, sizeof ttl, "%ld", ttl_s);
    snprintf(max, sizeof max, "%ld", max_seats);
    seat_ids_literal((const char(*)[37])rq->seat_ids, rq->nseats, ids, sizeof ids);
    const char *p[] = {rq->booking_id,
                       rq->user_id,
                       rq->event_id,
                       ids,
                       rq->holder,
                       rq->origin,
                       ttl,
                       max,
                       lapsed_taken ? "t" : "f",
                       attendees,
                       rq->selection ? "f" : "t"};
    PGresult *r = NULL;
    *lapsed = NULL;
    enum db_status st = db_exec(c, &st_try_hold, 11, p, &r);
    if (st != DB_OK)
        return st;
    const char *o = PQntuples(r) == 1 ? db_get(r, 0, "outcome") : NULL;
    size_t i = 0, n = sizeof try_hold_outcomes / sizeof try_hold_outcomes[0];
    while (o && i < n && strcmp(o, try_hold_outcomes[i].name) != 0)
        i++;
    if (!o || i == n) {
        PQclear(r);
        return DB_ERROR;
    }
    *out = try_hold_outcomes[i].outcome;
    if ((*out == TRY_HELD || *out == TRY_REFUSED) && booking_from_row(r, 0, b) < 0)
        st = DB_ERROR;
    else if (*out == TRY_LAPSED)
        *lapsed = dup_or_null(r, 0, "lapsed");
    PQclear(r);
    return st;
}

enum db_status booking_store_set_organizer_held(struct db_conn *c, const char *id)
{
    const char *p[] = {id};
    return db_exec(c, &st_organizer_held, 1, p, NULL);
}

enum db_status booking_store_attach_invoices(struct db_conn *c, struct booking_attach *rows, int n)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        rows[i].attached = 0;
        rows[i].updated_at = NULL;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", rows[i].id, "number",
                                              rows[i].number, "url", rows[i].url));
    }
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    const char *p[] = {text};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_attach, 1, p, &r);
    free(text);
    if (st != DB_OK)
        return st;
    for (int k = 0; k < PQntuples(r); k++) {
        const char *id = db_get(r, k, "id");
        for (int i = 0; i < n; i++) {
            if (rows[i].attached || strcmp(rows[i].id, id) != 0)
                continue;
            rows[i].attached = 1;
            rows[i].state = lifecycle_state_parse(db_get(r, k, "status"));
            const char *origin = db_get(r, k, "origin");
            rows[i].waitlist = origin && strcmp(origin, "waitlist") == 0;
            rows[i].version = atol(db_get(r, k, "version"));
            rows[i].updated_at = dup_or_null(r, k, "updated_at");
            break;
        }
    }
    PQclear(r);
    return DB_OK;
}

enum db_status booking_store_lock(struct db_conn *c, const char *id, struct booking_locked *out)
{
    const char *p[] = {id};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_lock, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    out->state = lifecycle_state_parse(db_get(r, 0, "status"));
    const char *origin = db_get(r, 0, "origin");
    out->waitlist = origin && strcmp(origin, "waitlist") == 0;
    out->started = db_get(r, 0, "started")[0] == 't';
    out->lapsed = db_get(r, 0, "lapsed")[0] == 't';
    snprintf(out->invoice_number, sizeof out->invoice_number, "%s", db_get(r, 0, "invoice_number"));
    PQclear(r);
    return DB_OK;
}

enum db_status booking_store_checked_in(struct db_conn *c, const char *id, int *yes)
{
    const char *p[] = {id};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_checked_in, 1, p, &r);
    if (st != DB_OK)
        return st;
    *yes = db_get(r, 0, "yes")[0] == 't';
    PQclear(r);
    return DB_OK;
}

enum db_status booking_store_open_pay_window(struct db_conn *c, const char *id, long ttl_s)
{
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%ld", ttl_s);
    const char *p[] = {id, ttl};
    return db_exec(c, &st_pay_window, 2, p, NULL);
}

enum db_status booking_store_set_status(struct db_conn *c, const char *id, enum lc_state to,
                                        const char *reason)
{
    const char *p[] = {id, lifecycle_state_name(to), reason};
    return db_exec(c, &st_set_status, 3, p, NULL);
}

enum db_status booking_store_processed(struct db_conn *c, const char *event_id, const char *type,
                                       int *fresh)
{
    const char *p[] = {event_id, type};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_processed, 2, p, &r);
    if (st != DB_OK)
        return st;
    *fresh = PQntuples(r) == 1;
    PQclear(r);
    return DB_OK;
}

int booking_store_claim_due(struct db_conn *c, int max, long recheck_s, char (*ids)[37],
                            char (*invoices)[64], enum lc_state *states)
{
    char m[16], rs[24];
    snprintf(m, sizeof m, "%d", max);
    snprintf(rs, sizeof rs, "%ld", recheck_s);
    const char *p[] = {m, rs};
    PGresult *r = NULL;
    if (db_exec(c, &st_claim_due, 2, p, &r) != DB_OK)
        return -1;
    int n = PQntuples(r);
    for (int i = 0; i < n && i < max; i++) {
        snprintf(ids[i], 37, "%s", db_get(r, i, "id"));
        snprintf(invoices[i], 64, "%s", db_get(r, i, "inv"));
        states[i] = lifecycle_state_parse(db_get(r, i, "status"));
    }
    PQclear(r);
    return n < max ? n : max;
}

int booking_store_live_of_event(struct db_conn *c, const char *event_id, int max, char (*ids)[37])
{
    char m[16];
    snprintf(m, sizeof m, "%d", max);
    const char *p[] = {event_id, m};
    PGresult *r = NULL;
    if (db_exec(c, &st_live_of_event, 2, p, &r) != DB_OK)
        return -1;
    int n = PQntuples(r);
    for (int i = 0; i < n && i < max; i++)
        snprintf(ids[i], 37, "%s", PQgetvalue(r, i, 0));
    PQclear(r);
    return n < max ? n : max;
}

char *booking_store_ticket_hex(struct db_conn *c, const char *id, enum db_status *st)
{
    PGresult *r = NULL;
    const char *p[] = {id};
    *st = db_exec(c, &st_ticket, 1, p, &r);
    if (*st != DB_OK)
        return NULL;
    if (PQntuples(r) == 0) {
        PQclear(r);
        *st = DB_NOT_FOUND;
        return NULL;
    }
    char *hex = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return hex;
}
