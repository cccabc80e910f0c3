/* booking_store.c: SQL on bookings (see booking_store.h). */
#include "booking_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/log.h"
#include "common/util.h"
#include "followup_store.h"
#include "notify.h"
#include "seat_store.h"
#include "waitlist_store.h"

/* The booking as the API answers it, seats included (booking_view,
 * migrations/ticket/035_hold_in_one_call.sql): one round trip. */
static const struct db_stmt st_load = {"ticket_booking_load",
                                       "SELECT * FROM booking_view WHERE id = $1"};

/* POST /api/bookings in one call for the common cases (see the function's
 * comment in the migration): held or refused, with the booking. */
static const struct db_stmt st_try_hold = {
    "ticket_booking_try_hold",
    "SELECT * FROM booking_try_hold($1, $2, $3, $4::uuid[], $5, $6, $7::int)"};

static const struct db_stmt st_insert_pending = {
    "ticket_booking_insert_pending",
    "INSERT INTO bookings (id, user_id, event_id, status, holder, origin, currency, seat_count, "
    "                      expires_at) "
    "SELECT $1, $2, e.id, 'PENDING_PAYMENT', NULLIF($4, ''), $5, e.currency, $6::int, "
    "       now() + make_interval(secs => $7::int) "
    "  FROM events e WHERE e.id = $3 "
    "ON CONFLICT (id) DO NOTHING RETURNING id"};

static const struct db_stmt st_snapshot = {
    "ticket_booking_snapshot",
    "WITH ins AS (INSERT INTO booking_seats (booking_id, seat_id, label, section, price) "
    "             SELECT $1, id, label, section, price FROM seats WHERE booking_id = $1 "
    "             RETURNING price) "
    "UPDATE bookings SET amount = (SELECT COALESCE(sum(price), 0) FROM ins) WHERE id = $1"};

static const struct db_stmt st_insert_failed = {
    "ticket_booking_insert_failed",
    "INSERT INTO bookings (id, user_id, event_id, status, failure_reason, holder, origin, "
    "                      currency, seat_count, amount) "
    "SELECT $1, $2, e.id, 'FAILED', $4, NULLIF($5, ''), $6, e.currency, $7::int, "
    "       (SELECT COALESCE(sum(price), 0) FROM seats s "
    "         WHERE s.event_id = e.id AND s.id = ANY($8::uuid[])) "
    "  FROM events e WHERE e.id = $3 "
    "ON CONFLICT (id) DO NOTHING RETURNING id"};

static const struct db_stmt st_snapshot_failed = {
    "ticket_booking_snapshot_failed",
    "INSERT INTO booking_seats (booking_id, seat_id, label, section, price) "
    "SELECT $1, id, label, section, price FROM seats WHERE event_id = $2 AND id = ANY($3::uuid[])"};

static const struct db_stmt st_organizer_held = {
    "ticket_booking_organizer_held",
    "UPDATE bookings SET organizer_held_at = now() "
    " WHERE id = $1 AND status = 'PENDING_PAYMENT' AND organizer_held_at IS NULL"};

static const struct db_stmt st_attach_invoice = {
    "ticket_booking_attach_invoice",
    "UPDATE bookings SET invoice_number = $2, payment_url = $3, version = version + 1, "
    "       updated_at = now() "
    " WHERE id = $1 AND invoice_number IS NULL RETURNING status"};

/* booking_store_attach_invoice's common case, for several bookings in one
 * autocommitted statement: a direct booking still waiting for its invoice
 * gets it (and the organizer's acceptance is noted). $1 is a JSON array of
 * {id, number, url}; the rows are locked in id order. */
static const struct db_stmt st_attach_direct_many = {
    "ticket_booking_attach_direct_many",
    "UPDATE bookings b SET invoice_number = v.number, payment_url = v.url, "
    "       version = b.version + 1, organizer_held_at = COALESCE(b.organizer_held_at, now()), "
    "       updated_at = now() "
    "  FROM (SELECT l.id, l.number, l.url "
    "          FROM json_to_recordset($1::json) AS l(id uuid, number text, url text) "
    "          JOIN bookings k ON k.id = l.id ORDER BY l.id FOR UPDATE OF k) v "
    " WHERE b.id = v.id AND b.invoice_number IS NULL AND b.status = 'PENDING_PAYMENT' "
    "   AND b.origin = 'direct' "
    "RETURNING b.id::text AS id, b.version, " SQL_TS("b.updated_at") " AS updated_at"};

static const struct db_stmt st_transition = {
    "ticket_booking_transition",
    "WITH old AS (SELECT id, status FROM bookings WHERE id = $1 FOR UPDATE) "
    "UPDATE bookings b SET status = $2, failure_reason = $3, version = b.version + 1, "
    "       updated_at = now(), "
    "       confirmed_at = CASE WHEN $2 = 'CONFIRMED' THEN now() ELSE b.confirmed_at END "
    "  FROM old WHERE b.id = old.id AND old.status = ANY($4::text[]) "
    "RETURNING old.status AS old_status, b.invoice_number"};

static const struct db_stmt st_status = {"ticket_booking_status",
                                         "SELECT status FROM bookings WHERE id = $1"};

static const struct db_stmt st_lock = {
    "ticket_booking_lock",
    "SELECT status, seat_count, invoice_number FROM bookings WHERE id = $1 FOR UPDATE"};

static const struct db_stmt st_lock_share = {"ticket_booking_lock_share",
                                             "SELECT status FROM bookings WHERE id = $1 FOR SHARE"};

static const struct db_stmt st_set_invoice = {
    "ticket_booking_set_invoice",
    "UPDATE bookings SET invoice_number = COALESCE(invoice_number, $2) WHERE id = $1"};

static const struct db_stmt st_due = {
    "ticket_booking_due",
    "SELECT id::text FROM bookings WHERE status = 'PENDING_PAYMENT' AND expires_at < now() "
    " ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED"};

static const struct db_stmt st_processed = {
    "ticket_booking_processed",
    "INSERT INTO processed_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING "
    "RETURNING id"};

static const struct db_stmt st_save_ticket = {
    "ticket_booking_save_ticket",
    "INSERT INTO booking_tickets (booking_id, pdf) VALUES ($1, decode($2, 'hex')) "
    "ON CONFLICT (booking_id) DO UPDATE SET pdf = EXCLUDED.pdf, rendered_at = now()"};

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
                                      long ttl_s, enum try_hold_outcome *out, struct booking *b)
{
    char ttl[24], ids[BOOKING_MAX_SEATS * 38 + 4];
    snprintf(ttl, sizeof ttl, "%ld", ttl_s);
    seat_ids_literal((const char(*)[37])rq->seat_ids, rq->nseats, ids, sizeof ids);
    const char *p[] = {rq->booking_id, rq->user_id, rq->event_id, ids,
                       rq->holder,     rq->origin,  ttl};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_try_hold, 7, p, &r);
    if (st != DB_OK)
        return st;
    const char *o = PQntuples(r) == 1 ? db_get(r, 0, "outcome") : NULL;
    if (!o) {
        st = DB_ERROR;
    } else if (strcmp(o, "HELD") == 0 || strcmp(o, "UNAVAILABLE") == 0) {
        *out = o[0] == 'H' ? TRY_HELD : TRY_REFUSED;
        if (booking_from_row(r, 0, b) < 0)
            st = DB_ERROR;
    } else {
        *out = strcmp(o, "EXISTS") == 0 ? TRY_EXISTS : strcmp(o, "NO_EVENT") == 0 ? TRY_NO_EVENT
                                                                                    : TRY_SLOW;
    }
    PQclear(r);
    return st;
}

/* Runs one statement and reports how many rows it returned (via *n). */
static enum db_status exec_count(struct db_conn *c, const struct db_stmt *s, int np,
                                 const char *const *p, int *n)
{
    PGresult *r = NULL;
    enum db_status st = db_exec(c, s, np, p, &r);
    if (st != DB_OK)
        return st;
    if (n)
        *n = PQntuples(r);
    PQclear(r);
    return DB_OK;
}

static int is_release_target(const char *to)
{
    return strcmp(to, "FAILED") == 0 || strcmp(to, "EXPIRED") == 0 || strcmp(to, "CANCELLED") == 0;
}

/* Inside a transaction: moves booking id from one of from (a text[]
 * literal) to `to`, bumping its version. When it leaves the live states
 * its seats are released and the organizer release recorded; every change
 * but CONFIRMED (whose notification carries the PDF) is notified. old gets
 * the status before, invoice the invoice number ("" if none). */
static enum db_status tx_transition(struct db_conn *c, const char *id, const char *to,
                                    const char *reason, const char *from, char *old, size_t oldlen,
                                    char *invoice, size_t invlen, int *changed)
{
    PGresult *r = NULL;
    const char *p[] = {id, to, reason, from};
    *changed = 0;
    if (old && oldlen)
        old[0] = '\0';
    if (invoice && invlen)
        invoice[0] = '\0';
    enum db_status st = db_exec(c, &st_transition, 4, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 1) {
        *changed = 1;
        if (old)
            snprintf(old, oldlen, "%s", db_get(r, 0, "old_status"));
        const char *inv = db_get(r, 0, "invoice_number");
        if (invoice)
            snprintf(invoice, invlen, "%s", inv ? inv : "");
        PQclear(r);
    } else {
        PQclear(r);
        if (old) {
            st = db_exec(c, &st_status, 1, p, &r);
            if (st != DB_OK)
                return st;
            if (PQntuples(r) == 1)
                snprintf(old, oldlen, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
        }
        return DB_OK;
    }
    if (is_release_target(to)) {
        st = seat_store_release(c, id, NULL);
        if (st == DB_OK)
            st = followup_add_org_release(c, id);
    }
    /* An offered waitlist entry follows its booking (no-op for others). */
    if (st == DB_OK)
        st = waitlist_store_booking_changed(c, id, to);
    if (st == DB_OK && strcmp(to, "CONFIRMED") != 0)
        st = notify_booking(c, id, NULL);
    return st;
}

/* Ends a transaction begun by the caller: commit on DB_OK, else roll back. */
static enum db_status tx_end(struct db_conn *c, enum db_status st)
{
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK)
        db_rollback(c);
    return st;
}

/* Inside a transaction: a PENDING_PAYMENT booking runs out (sweeper, lazy
 * hold, invoice expiry): EXPIRED and, if asked, its invoice voided. */
static enum db_status tx_expire(struct db_conn *c, const char *id, int void_invoice)
{
    char inv[64];
    int changed;
    enum db_status st = tx_transition(c, id, "EXPIRED", NULL, "{PENDING_PAYMENT}", NULL, 0, inv,
                                      sizeof inv, &changed);
    if (st == DB_OK && changed && void_invoice)
        st = followup_add(c, id, FOLLOWUP_VOID, inv);
    return st;
}

enum db_status booking_store_hold(struct db_conn *c, const struct booking_request *rq, long ttl_s,
                                  enum hold_outcome *out, int *expired)
{
    *expired = 0;
    char nseats[16], ttl[24], ids[BOOKING_MAX_SEATS * 38 + 4];
    snprintf(nseats, sizeof nseats, "%zu", rq->nseats);
    snprintf(ttl, sizeof ttl, "%ld", ttl_s);
    seat_ids_literal((const char(*)[37])rq->seat_ids, rq->nseats, ids, sizeof ids);

    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    const char *pi[] = {rq->booking_id, rq->user_id, rq->event_id, rq->holder,
                        rq->origin,     nseats,      ttl};
    int n = 0;
    st = exec_count(c, &st_insert_pending, 7, pi, &n);
    if (st != DB_OK)
        return tx_end(c, st);
    if (n == 0) {
        db_rollback(c);
        *out = HOLD_EXISTS;
        return DB_OK;
    }
    PGresult *held = NULL;
    st = seat_store_hold(c, rq->event_id, ids, rq->booking_id, &held);
    if (st != DB_OK)
        return tx_end(c, st);
    if ((size_t)PQntuples(held) != rq->nseats) {
        PQclear(held);
        db_rollback(c);
        *out = HOLD_UNAVAILABLE;
        return DB_OK;
    }
    const char *ps[] = {rq->booking_id};
    st = db_exec(c, &st_snapshot, 1, ps, NULL);
    /* Seats taken from holds that ran out: their bookings expire now, in
     * this transaction, so no booking keeps a seat it lost. */
    for (int i = 0; st == DB_OK && i < PQntuples(held); i++) {
        const char *old = db_get(held, i, "old_booking");
        if (!old)
            continue;
        int seen = 0;
        for (int j = 0; j < i; j++) {
            const char *o2 = db_get(held, j, "old_booking");
            if (o2 && strcmp(o2, old) == 0)
                seen = 1;
        }
        if (!seen) {
            log_info("hold takes a seat from expired booking=%s for booking=%s", old,
                     rq->booking_id);
            st = tx_expire(c, old, 1);
            *expired = 1;
        }
    }
    PQclear(held);
    st = tx_end(c, st);
    if (st == DB_OK)
        *out = HOLD_OK;
    return st;
}

enum db_status booking_store_record_failed(struct db_conn *c, const struct booking_request *rq,
                                           const char *reason, int *inserted)
{
    char nseats[16], ids[BOOKING_MAX_SEATS * 38 + 4];
    snprintf(nseats, sizeof nseats, "%zu", rq->nseats);
    seat_ids_literal((const char(*)[37])rq->seat_ids, rq->nseats, ids, sizeof ids);
    *inserted = 0;
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    const char *p[] = {rq->booking_id, rq->user_id, rq->event_id, reason,
                       rq->holder,     rq->origin,  nseats,       ids};
    st = exec_count(c, &st_insert_failed, 8, p, inserted);
    if (st == DB_OK && *inserted) {
        const char *ps[] = {rq->booking_id, rq->event_id, ids};
        st = db_exec(c, &st_snapshot_failed, 3, ps, NULL);
    }
    return tx_end(c, st);
}

enum db_status booking_store_set_organizer_held(struct db_conn *c, const char *id)
{
    const char *p[] = {id};
    return db_exec(c, &st_organizer_held, 1, p, NULL);
}

enum db_status booking_store_attach_invoice(struct db_conn *c, const char *id,
                                            const char *invoice_number, const char *payment_url)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    const char *p[] = {id, invoice_number, payment_url};
    PGresult *r = NULL;
    st = db_exec(c, &st_attach_invoice, 3, p, &r);
    if (st == DB_OK) {
        if (PQntuples(r) == 1) {
            if (strcmp(PQgetvalue(r, 0, 0), "PENDING_PAYMENT") == 0)
                st = notify_booking(c, id, NULL); /* booking.created for waitlist offers */
            else
                st = followup_add(c, id, FOLLOWUP_VOID, invoice_number);
        }
        PQclear(r);
    }
    return tx_end(c, st);
}

enum db_status booking_store_attach_direct_many(struct db_conn *c, struct booking_attach *rows,
                                                int n)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        rows[i].attached = 0;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", rows[i].b->id, "number",
                                              rows[i].number, "url", rows[i].url));
    }
    char *text = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    const char *p[] = {text};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_attach_direct_many, 1, p, &r);
    free(text);
    if (st != DB_OK)
        return st;
    for (int k = 0; k < PQntuples(r); k++) {
        const char *id = db_get(r, k, "id");
        for (int i = 0; i < n; i++) {
            struct booking *b = rows[i].b;
            if (rows[i].attached || strcmp(b->id, id) != 0)
                continue;
            rows[i].attached = 1;
            free(b->invoice_number);
            free(b->payment_url);
            free(b->updated_at);
            b->invoice_number = xstrdup(rows[i].number);
            b->payment_url = xstrdup(rows[i].url);
            b->updated_at = dup_or_null(r, k, "updated_at");
            b->version = atol(db_get(r, k, "version"));
            break;
        }
    }
    PQclear(r);
    return DB_OK;
}

enum db_status booking_store_fail(struct db_conn *c, const char *id, const char *reason,
                                  int void_invoice, int *changed)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    char inv[64];
    st = tx_transition(c, id, "FAILED", reason, "{PENDING_PAYMENT}", NULL, 0, inv, sizeof inv,
                       changed);
    if (st == DB_OK && *changed && void_invoice)
        st = followup_add(c, id, FOLLOWUP_VOID, inv);
    return tx_end(c, st);
}

enum db_status booking_store_cancel(struct db_conn *c, const char *id, char *old, size_t oldlen,
                                    int *changed)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    char inv[64];
    st = tx_transition(c, id, "CANCELLED", NULL, "{PENDING_PAYMENT,CONFIRMED}", old, oldlen, inv,
                       sizeof inv, changed);
    if (st == DB_OK && *changed)
        st = followup_add(c, id, strcmp(old, "CONFIRMED") == 0 ? FOLLOWUP_REFUND : FOLLOWUP_VOID,
                          inv);
    if (st == DB_OK && !*changed && !old[0]) {
        db_rollback(c);
        return DB_NOT_FOUND;
    }
    return tx_end(c, st);
}

enum db_status booking_store_withdraw_offer(struct db_conn *c, const char *id, int *changed)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    char inv[64];
    st = tx_transition(c, id, "CANCELLED", NULL, "{PENDING_PAYMENT}", NULL, 0, inv, sizeof inv,
                       changed);
    if (st == DB_OK && *changed)
        st = followup_add(c, id, FOLLOWUP_VOID, inv);
    return tx_end(c, st);
}

enum db_status booking_store_expire_due(struct db_conn *c, int batch, int *n)
{
    char b[16];
    snprintf(b, sizeof b, "%d", batch);
    *n = 0;
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    PGresult *r = NULL;
    const char *p[] = {b};
    st = db_exec(c, &st_due, 1, p, &r);
    if (st != DB_OK)
        return tx_end(c, st);
    for (int i = 0; st == DB_OK && i < PQntuples(r); i++)
        st = tx_expire(c, PQgetvalue(r, i, 0), 1);
    int due = PQntuples(r);
    PQclear(r);
    st = tx_end(c, st);
    if (st == DB_OK)
        *n = due;
    return st;
}

/* Inside a transaction: invoice.paid for booking id. */
static enum db_status tx_paid(struct db_conn *c, const char *id, const char *invoice,
                              int *confirmed, int *short_seats)
{
    PGresult *r = NULL;
    const char *p[] = {id};
    enum db_status st = db_exec(c, &st_lock, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        log_warn("payment for unknown booking=%s invoice=%s", id, invoice);
        return DB_OK;
    }
    char status[20];
    snprintf(status, sizeof status, "%s", db_get(r, 0, "status"));
    int seat_count = atoi(db_get(r, 0, "seat_count"));
    PQclear(r);
    if (strcmp(status, "CONFIRMED") == 0)
        return DB_OK;
    if (strcmp(status, "PENDING_PAYMENT") != 0) {
        /* Paid too late (expired, cancelled, failed): the seats may be sold
         * again already, so the money goes back. */
        log_info("late payment for booking=%s status=%s: refund", id, status);
        return followup_add(c, id, FOLLOWUP_REFUND, invoice);
    }
    int booked = 0;
    st = seat_store_book(c, id, &booked);
    if (st != DB_OK)
        return st;
    if (booked != seat_count) {
        *short_seats = 1; /* cannot happen while the row lock holds; be safe */
        return DB_OK;
    }
    const char *pi[] = {id, invoice};
    st = db_exec(c, &st_set_invoice, 2, pi, NULL);
    int changed = 0;
    if (st == DB_OK)
        st = tx_transition(c, id, "CONFIRMED", NULL, "{PENDING_PAYMENT}", NULL, 0, NULL, 0,
                           &changed);
    if (st == DB_OK && changed) {
        st = followup_add(c, id, FOLLOWUP_RENDER, NULL);
        *confirmed = 1;
    }
    return st;
}

enum db_status booking_store_apply_payment(struct db_conn *c, const char *event_id,
                                           const char *type, const char *booking_id,
                                           const char *invoice_number, int *duplicate,
                                           int *confirmed)
{
    *duplicate = 0;
    *confirmed = 0;
    for (int pass = 0; pass < 2; pass++) {
        enum db_status st = db_begin(c);
        if (st != DB_OK)
            return st;
        const char *p[] = {event_id, type};
        int n = 0;
        st = exec_count(c, &st_processed, 2, p, &n);
        if (st != DB_OK)
            return tx_end(c, st);
        if (n == 0) {
            db_rollback(c);
            *duplicate = 1;
            return DB_OK;
        }
        if (!booking_id)
            return tx_end(c, DB_OK);
        if (strcmp(type, "invoice.paid") == 0) {
            int short_seats = 0;
            if (pass == 0) {
                st = tx_paid(c, booking_id, invoice_number, confirmed, &short_seats);
                if (st == DB_OK && short_seats) {
                    log_error("paid booking=%s lost seats while pending: expire and refund",
                              booking_id);
                    db_rollback(c);
                    continue;
                }
            } else {
                st = tx_expire(c, booking_id, 0);
                if (st == DB_OK)
                    st = followup_add(c, booking_id, FOLLOWUP_REFUND, invoice_number);
            }
        } else if (strcmp(type, "invoice.failed") == 0) {
            int changed;
            st = tx_transition(c, booking_id, "FAILED", "PAYMENT_FAILED", "{PENDING_PAYMENT}", NULL,
                               0, NULL, 0, &changed);
        } else if (strcmp(type, "invoice.expired") == 0) {
            st = tx_expire(c, booking_id, 0);
        }
        return tx_end(c, st);
    }
    return DB_ERROR;
}

enum db_status booking_store_save_ticket(struct db_conn *c, const char *id, const char *pdf_hex,
                                         const char *pdf_b64, int *stored)
{
    *stored = 0;
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    PGresult *r = NULL;
    const char *p[] = {id};
    st = db_exec(c, &st_lock_share, 1, p, &r);
    if (st != DB_OK)
        return tx_end(c, st);
    int confirmed = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "CONFIRMED") == 0;
    PQclear(r);
    if (!confirmed) {
        db_rollback(c);
        return DB_OK;
    }
    const char *ps[] = {id, pdf_hex};
    st = db_exec(c, &st_save_ticket, 2, ps, NULL);
    if (st == DB_OK)
        st = notify_booking(c, id, pdf_b64);
    st = tx_end(c, st);
    if (st == DB_OK)
        *stored = 1;
    return st;
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
