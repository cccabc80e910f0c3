/* booking_store.c: SQL for bookings, history, idempotency keys and
 * processed notifications. */
#include "booking_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* clang-format off */
#define BOOKING_COLS                                                                        \
    "id, user_id, event_id, event_name, status, failure_reason, seats::text AS seats, "     \
    "amount::text AS amount, currency, invoice_number, payment_url, "                       \
    SQL_TS("payment_expires_at") " AS payment_expires_at, origin, "                         \
    SQL_TS("created_at") " AS created_at, " SQL_TS("updated_at") " AS updated_at, "         \
    "version::text AS version, code, attendees::text AS attendees"
/* clang-format on */

/* Attempts recorded, as a group: $1 is a JSON array of {id, user_id,
 * event_id, seats, attendees, refused, event_name, amount}. Each is stored
 * REQUESTED with its history entry, or, refused here (a seat known to be
 * taken), FAILED SEAT_UNAVAILABLE with two entries (the request, then the
 * refusal), as the API shows it; answers the rows (BOOKING_COLS). */
static const struct db_stmt st_record = {
    "client_booking_record",
    "WITH r AS (SELECT * FROM json_to_recordset($1::json) AS r(id uuid, user_id uuid, "
    "           event_id uuid, seats text, attendees text, refused boolean, event_name text, "
    "           amount bigint)), "
    "b AS (INSERT INTO bookings (id, user_id, event_id, status, failure_reason, seats, "
    "                            attendees, event_name, amount) "
    "      SELECT id, user_id, event_id, CASE WHEN refused THEN 'FAILED' ELSE 'REQUESTED' END, "
    "             CASE WHEN refused THEN 'SEAT_UNAVAILABLE' END, seats::jsonb, "
    "             attendees::jsonb, event_name, amount FROM r ORDER BY id "
    "      RETURNING " BOOKING_COLS "), "
    "e AS (INSERT INTO booking_events (booking_id, status, reason, source, version) "
    "      SELECT id, 'REQUESTED', NULL, 'request', NULL::bigint FROM b "
    "      UNION ALL SELECT id, 'FAILED', failure_reason, 'client-app', NULL::bigint FROM b "
    "       WHERE status = 'FAILED') "
    "SELECT * FROM b"};
static const struct db_stmt st_event = {
    "client_booking_event",
    "INSERT INTO booking_events (booking_id, status, reason, source, version) "
    "VALUES ($1, $2, $3, $4, $5::bigint)"};
static const struct db_stmt st_get = {
    "client_booking_get",
    "SELECT " BOOKING_COLS ", (ticket_pdf IS NOT NULL) AS has_pdf, "
    "(extract(epoch FROM now() - created_at) * 1000)::bigint AS age_ms "
    "FROM bookings WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)"};
/* $2 is the public status: PENDING_PAYMENT covers the internal REQUESTED. */
#define LIST_WHERE                                                                                 \
    "WHERE ($1::uuid IS NULL OR user_id = $1::uuid) AND ($2::text IS NULL OR status = $2 "         \
    "OR ($2 = 'PENDING_PAYMENT' AND status = 'REQUESTED')) "
static const struct db_stmt st_list_user = {"client_booking_list_user",
                                            "SELECT " BOOKING_COLS " FROM bookings " LIST_WHERE
                                            "ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"};
static const struct db_stmt st_count = {"client_booking_count",
                                        "SELECT count(*) FROM bookings " LIST_WHERE};
/* The box office's search: a booking code exactly, a username or e-mail
 * exactly (any case), or a part of the holder's full name or of an
 * attendee's name ($2: the text with LIKE's wildcards escaped). */
static const struct db_stmt st_search = {
    "client_booking_search",
    "WITH m AS (SELECT b.id FROM bookings b JOIN users u ON u.id = b.user_id "
    "  WHERE upper(b.code) = upper($1) OR lower(u.username) = lower($1) "
    "     OR lower(u.email) = lower($1) OR u.full_name ILIKE '%' || $2 || '%' "
    "     OR EXISTS (SELECT 1 FROM jsonb_each(COALESCE(b.attendees, '{}'::jsonb)) a "
    "                 WHERE a.value->>'name' ILIKE '%' || $2 || '%')) "
    "SELECT count(*) OVER () AS total, " BOOKING_COLS " FROM bookings "
    " WHERE id IN (SELECT id FROM m) ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"};
/* A booking as st_get reads it, with its history oldest first as a JSON
 * array of {status, reason, source, version, at}: one round trip. */
static const struct db_stmt st_get_history = {
    "client_booking_get_history",
    "SELECT " BOOKING_COLS ", (ticket_pdf IS NOT NULL) AS has_pdf, "
    "(extract(epoch FROM now() - created_at) * 1000)::bigint AS age_ms, "
    "(SELECT COALESCE(json_agg(json_build_object('status', e.status, 'reason', e.reason, "
    "        'source', e.source, 'version', e.version, 'at', " SQL_TS(
        "e.created_at") ") "
                        "        ORDER BY e.id), '[]'::json) "
                        "   FROM booking_events e WHERE e.booking_id = bookings.id)::text AS "
                        "history "
                        "FROM bookings WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)"};

#define APPLY_SET                                                                                  \
    "status = $2, failure_reason = $3, seats = COALESCE($4::jsonb, bookings.seats), "              \
    "amount = COALESCE($5::bigint, bookings.amount), "                                             \
    "currency = COALESCE($6, bookings.currency), "                                                 \
    "invoice_number = COALESCE($7, bookings.invoice_number), "                                     \
    "payment_url = COALESCE($8, bookings.payment_url), "                                           \
    "payment_expires_at = COALESCE($9::timestamptz, bookings.payment_expires_at), "                \
    "event_name = COALESCE($10, bookings.event_name), version = $11::bigint, updated_at = now(), " \
    "code = COALESCE($12, bookings.code) "
/* A TicketBooking from ticket-app (its answer to an attempt, a refresh, a
 * cancel), its history entry from source $13, and the booking as the API
 * shows it, in one statement (no row when a newer version is already
 * stored): the only statement that applies one. */
static const struct db_stmt st_apply_answer = {
    "client_booking_apply_answer",
    "WITH u AS (UPDATE bookings SET " APPLY_SET "WHERE id = $1 AND version < $11::bigint "
    "           RETURNING " BOOKING_COLS "), "
    "e AS (INSERT INTO booking_events (booking_id, status, reason, source, version) "
    "      SELECT $1, $2, $3, $13, $11::bigint FROM u) "
    "SELECT * FROM u"};
/* A booking ticket-app made (a waitlist offer) that its notification has
 * not brought yet, with its first history entry; nothing when the booking
 * is already here or the user is unknown. Stored as version 0, so that the
 * notification, which may carry more (the invoice of an offer is made
 * after the offer), still applies over it. */
static const struct db_stmt st_adopt = {
    "client_booking_adopt",
    "WITH u AS (INSERT INTO bookings (id, status, failure_reason, seats, amount, currency, "
    "           invoice_number, payment_url, payment_expires_at, event_name, version, user_id, "
    "           event_id, origin, code) "
    "           SELECT $1::uuid, $2, $3, COALESCE($4::jsonb, '[]'::jsonb), $5::bigint, $6, $7, "
    "           $8, $9::timestamptz, $10, 0 * $11::bigint, $12::uuid, $13::uuid, "
    "           COALESCE($14, 'direct'), $15 "
    "           WHERE EXISTS (SELECT 1 FROM users WHERE id = $12::uuid) "
    "           ON CONFLICT (id) DO NOTHING RETURNING id) "
    "INSERT INTO booking_events (booking_id, status, reason, source, version) "
    "SELECT id, $2, $3, 'ticket-app', $11::bigint FROM u RETURNING booking_id"};
static const struct db_stmt st_fail_requested = {
    "client_booking_fail_requested",
    "UPDATE bookings SET status = 'FAILED', failure_reason = $2, updated_at = now() "
    "WHERE id = $1 AND status = 'REQUESTED' AND version = 0 RETURNING id"};
static const struct db_stmt st_delete_requested = {
    "client_booking_delete_requested",
    "DELETE FROM bookings WHERE id = $1 AND status = 'REQUESTED' AND version = 0"};
static const struct db_stmt st_put_pdf = {
    "client_booking_put_pdf",
    "UPDATE bookings SET ticket_pdf = decode($2, 'hex') WHERE id = $1 AND ticket_pdf IS NULL"};
static const struct db_stmt st_get_pdf = {
    "client_booking_get_pdf", "SELECT status, encode(ticket_pdf, 'hex') AS pdf_hex FROM bookings "
                              "WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)"};

static const struct db_stmt st_idem_claim = {
    "client_idem_claim",
    "INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, locked_until) "
    "VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::bigint / 1000.0)) "
    "ON CONFLICT DO NOTHING RETURNING booking_id"};
static const struct db_stmt st_idem_get = {
    "client_idem_get",
    "SELECT request_hash, booking_id, status_code, response, (locked_until > now()) AS locked "
    "FROM idempotency_keys WHERE user_id = $1 AND key = $2"};
static const struct db_stmt st_idem_takeover = {
    "client_idem_takeover",
    "UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3::bigint / "
    "1000.0) WHERE user_id = $1 AND key = $2 AND response IS NULL AND locked_until <= now() "
    "RETURNING booking_id"};
static const struct db_stmt st_idem_finish = {
    "client_idem_finish", "UPDATE idempotency_keys SET status_code = $3::integer, response = $4 "
                          "WHERE user_id = $1 AND key = $2"};
static const struct db_stmt st_stale = {
    "client_booking_stale",
    "SELECT id FROM bookings WHERE status = 'REQUESTED' AND version = 0 AND "
    "created_at < now() - make_interval(secs => $1::bigint / 1000.0) "
    "ORDER BY created_at LIMIT $2"};
static const struct db_stmt st_purge = {"client_booking_purge",
                                        "DELETE FROM idempotency_keys WHERE response IS NOT NULL "
                                        "AND created_at < now() - interval '1 day'"};

void booking_view_from(const PGresult *res, int r, struct booking_view *v)
{
    v->id = db_get(res, r, "id");
    v->user_id = db_get(res, r, "user_id");
    v->event_id = db_get(res, r, "event_id");
    v->event_name = db_get(res, r, "event_name");
    v->status = db_get(res, r, "status");
    v->failure_reason = db_get(res, r, "failure_reason");
    v->seats_json = db_get(res, r, "seats");
    v->amount = db_get(res, r, "amount");
    v->currency = db_get(res, r, "currency");
    v->invoice_number = db_get(res, r, "invoice_number");
    v->payment_url = db_get(res, r, "payment_url");
    v->payment_expires_at = db_get(res, r, "payment_expires_at");
    v->origin = db_get(res, r, "origin");
    v->created_at = db_get(res, r, "created_at");
    v->updated_at = db_get(res, r, "updated_at");
    v->code = db_get(res, r, "code");
    v->attendees_json = PQfnumber(res, "attendees") >= 0 ? db_get(res, r, "attendees") : NULL;
}

/* Runs a statement whose result only matters by its row count. */
static enum db_status exec_count(struct db_conn *c, const struct db_stmt *st, int n,
                                 const char *const *p, int *rows)
{
    PGresult *res = NULL;
    enum db_status s = db_exec(c, st, n, p, &res);
    if (s == DB_OK && rows)
        *rows = PQntuples(res) > 0 ? PQntuples(res) : atoi(PQcmdTuples(res));
    PQclear(res);
    return s;
}

enum db_status booking_store_add_event(struct db_conn *c, const char *id, const char *status,
                                       const char *reason, const char *source, const char *version)
{
    const char *p[5] = {id, status, reason, source, version};
    return exec_count(c, &st_event, 5, p, NULL);
}

enum db_status booking_store_record(struct db_conn *c, const struct booking_record *rows, int n,
                                    PGresult **out)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const struct booking_record *r = &rows[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", r->id, "user_id", r->user_id, "event_id",
                      r->event_id, "seats", r->seats_json, "refused", r->refused);
        if (r->attendees_json)
            json_object_set_new(o, "attendees", json_string(r->attendees_json));
        if (r->event_name)
            json_object_set_new(o, "event_name", json_string(r->event_name));
        if (r->amount >= 0)
            json_object_set_new(o, "amount", json_integer(r->amount));
        json_array_append_new(arr, o);
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    const char *p[1] = {text};
    enum db_status st = db_exec(c, &st_record, 1, p, out);
    free(text);
    return st;
}

enum db_status booking_store_get(struct db_conn *c, const char *id, const char *owner,
                                 PGresult **out)
{
    const char *p[2] = {id, owner};
    enum db_status st = db_exec(c, &st_get, 2, p, out);
    if (st == DB_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return DB_NOT_FOUND;
    }
    return st;
}

enum db_status booking_store_live_of_user(struct db_conn *c, const char *user_id, PGresult **out)
{
    static const struct db_stmt st_live = {
        "client_booking_live_of_user",
        "SELECT id::text AS id, status, event_id::text AS event_id FROM bookings "
        " WHERE user_id = $1 AND status IN ('HELD', 'PENDING_PAYMENT', 'CONFIRMED') "
        " ORDER BY created_at, id"};
    const char *p[1] = {user_id};
    return db_exec(c, &st_live, 1, p, out);
}

enum db_status booking_store_list(struct db_conn *c, const char *owner, const char *status,
                                  long limit, long offset, PGresult **out, long *total)
{
    const char *p[] = {owner, status};
    return db_exec_page(c, &st_list_user, &st_count, NULL, 2, p, limit, offset, out, total);
}

enum db_status booking_store_search(struct db_conn *c, const char *q, long limit, long offset,
                                    PGresult **out, long *total)
{
    /* LIKE's own characters in q match themselves */
    char *like = xmalloc(strlen(q) * 2 + 1), *w = like;
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            *w++ = '\\';
        *w++ = *p;
    }
    *w = '\0';
    const char *p[] = {q, like};
    enum db_status st = db_exec_page(c, &st_search, NULL, "total", 2, p, limit, offset, out, total);
    free(like);
    return st;
}

enum db_status booking_store_get_with_history(struct db_conn *c, const char *id, const char *owner,
                                              PGresult **out)
{
    const char *p[2] = {id, owner};
    enum db_status st = db_exec(c, &st_get_history, 2, p, out);
    if (st == DB_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return DB_NOT_FOUND;
    }
    return st;
}

static void apply_params(const struct ticket_booking *tb, const char *p[14])
{
    p[0] = tb->booking_id;
    p[1] = tb->status;
    p[2] = tb->failure_reason;
    p[3] = tb->seats_json;
    p[4] = tb->amount[0] ? tb->amount : NULL;
    p[5] = tb->currency;
    p[6] = tb->invoice_number;
    p[7] = tb->payment_url;
    p[8] = tb->expires_at;
    p[9] = tb->event_name;
    p[10] = tb->version;
    p[11] = tb->user_id;
    p[12] = tb->event_id;
    p[13] = tb->origin;
}

enum db_status booking_store_adopt(struct db_conn *c, const struct ticket_booking *tb,
                                   int *inserted)
{
    const char *p[15];
    apply_params(tb, p);
    p[14] = tb->code;
    *inserted = 0;
    return exec_count(c, &st_adopt, 15, p, inserted);
}

enum db_status booking_store_apply_answer(struct db_conn *c, const struct ticket_booking *tb,
                                          const char *source, PGresult **out)
{
    const char *p[14];
    apply_params(tb, p);
    p[11] = tb->code;
    p[12] = source;
    enum db_status st = db_exec(c, &st_apply_answer, 13, p, out);
    if (st == DB_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return DB_NOT_FOUND;
    }
    return st;
}

enum db_status booking_store_fail_requested(struct db_conn *c, const char *id, const char *reason,
                                            int *applied)
{
    const char *p[2] = {id, reason};
    *applied = 0;
    return exec_count(c, &st_fail_requested, 2, p, applied);
}

enum db_status booking_store_delete_requested(struct db_conn *c, const char *id)
{
    const char *p[1] = {id};
    return exec_count(c, &st_delete_requested, 1, p, NULL);
}

enum db_status booking_store_put_pdf(struct db_conn *c, const char *id, const unsigned char *pdf,
                                     size_t len)
{
    char *hex = xmalloc(len * 2 + 1);
    sodium_bin2hex(hex, len * 2 + 1, pdf, len);
    const char *p[2] = {id, hex};
    enum db_status st = exec_count(c, &st_put_pdf, 2, p, NULL);
    free(hex);
    return st;
}

enum db_status booking_store_get_pdf(struct db_conn *c, const char *id, const char *owner,
                                     PGresult **out)
{
    const char *p[2] = {id, owner};
    enum db_status st = db_exec(c, &st_get_pdf, 2, p, out);
    if (st == DB_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return DB_NOT_FOUND;
    }
    return st;
}

enum db_status idem_store_claim(struct db_conn *c, const char *user_id, const char *key,
                                const char *request_hash, const char *booking_id, long lock_ms,
                                int *claimed)
{
    char l[24];
    snprintf(l, sizeof(l), "%ld", lock_ms);
    const char *p[5] = {user_id, key, request_hash, booking_id, l};
    *claimed = 0;
    return exec_count(c, &st_idem_claim, 5, p, claimed);
}

enum db_status idem_store_get(struct db_conn *c, const char *user_id, const char *key,
                              PGresult **out)
{
    const char *p[2] = {user_id, key};
    enum db_status st = db_exec(c, &st_idem_get, 2, p, out);
    if (st == DB_OK && PQntuples(*out) == 0) {
        PQclear(*out);
        *out = NULL;
        return DB_NOT_FOUND;
    }
    return st;
}

enum db_status idem_store_takeover(struct db_conn *c, const char *user_id, const char *key,
                                   long lock_ms, int *claimed)
{
    char l[24];
    snprintf(l, sizeof(l), "%ld", lock_ms);
    const char *p[3] = {user_id, key, l};
    *claimed = 0;
    return exec_count(c, &st_idem_takeover, 3, p, claimed);
}

enum db_status idem_store_finish(struct db_conn *c, const char *user_id, const char *key,
                                 int status_code, const char *response)
{
    char code[16];
    snprintf(code, sizeof(code), "%d", status_code);
    const char *p[4] = {user_id, key, code, response};
    return exec_count(c, &st_idem_finish, 4, p, NULL);
}

enum db_status booking_store_stale_requested(struct db_conn *c, long age_ms, int limit,
                                             PGresult **out)
{
    char a[24], l[24];
    snprintf(a, sizeof(a), "%ld", age_ms);
    snprintf(l, sizeof(l), "%d", limit);
    const char *p[2] = {a, l};
    return db_exec(c, &st_stale, 2, p, out);
}

enum db_status booking_store_purge(struct db_conn *c)
{
    return exec_count(c, &st_purge, 0, NULL, NULL);
}
