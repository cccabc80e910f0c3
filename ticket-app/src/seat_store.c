/* seat_store.c: SQL on seats (see seat_store.h). */
#include "common/db.h"
#include "seat_store.h"

#include <stdio.h>
#include <string.h>

#include "waitlist_store.h"

/* A hold that ran out frees its seat for anyone only when nobody waits for
 * it; otherwise the seat goes to the head of its waitlist (the sweeper's
 * release), so it neither shows OPEN nor can be taken by a new hold. */
#define SEAT_NO_WAITERS                                                                            \
    "NOT EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.seat_id = seats.id "                     \
    "AND w.status = 'WAITING')"

#define SEAT_COLS                                                                                  \
    "id::text AS id, event_id::text AS event_id, label, section, row, number, price, "             \
    "CASE WHEN status = 'ON_GOING' AND held_until < now() AND " SEAT_NO_WAITERS                    \
    " THEN 'OPEN' ELSE status END AS status"

/* The seats a booking gives back, locked in id order; each then goes to
 * the head of its waitlist or back to OPEN (waitlist_store_pass_on). */
static const struct db_stmt st_release = {
    "ticket_seat_release",
    "SELECT id::text FROM seats WHERE booking_id = $1 ORDER BY id FOR UPDATE"};

static const struct db_stmt st_check = {
    "ticket_seat_check",
    "SELECT count(*) FILTER (WHERE s.id IS NULL) AS unknown, "
    "       count(*) FILTER (WHERE s.id IS NOT NULL AND s.event_id <> $1) AS foreign_seats "
    "  FROM unnest($2::uuid[]) AS w(id) LEFT JOIN seats s ON s.id = w.id"};

static const struct db_stmt st_list = {
    "ticket_seat_list",
    "SELECT " SEAT_COLS " FROM seats WHERE event_id = $1 ORDER BY section, row, number, label"};

static const struct db_stmt st_add = {
    "ticket_seat_add",
    "INSERT INTO seats (id, event_id, label, section, row, number, price) "
    "SELECT gen_random_uuid(), e.id, COALESCE($2, $4 || '-' || $5::int), $3, $4, $5::int, "
    "       $6::bigint FROM events e WHERE e.id = $1 "
    "RETURNING " SEAT_COLS};

static const struct db_stmt st_patch = {
    "ticket_seat_patch",
    "UPDATE seats SET price = COALESCE($2::bigint, price), label = COALESCE($3, label), "
    "       updated_at = now() "
    " WHERE id = $1 AND status = 'OPEN' RETURNING " SEAT_COLS};

static const struct db_stmt st_delete = {
    "ticket_seat_delete", "DELETE FROM seats WHERE id = $1 AND status = 'OPEN' RETURNING id"};

static const struct db_stmt st_exists = {"ticket_seat_exists",
                                         "SELECT status FROM seats WHERE id = $1"};

void seat_ids_literal(const char ids[][37], size_t n, char *out, size_t outlen)
{
    size_t off = 0;
    if (outlen < 3) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    out[off++] = '{';
    for (size_t i = 0; i < n && off + 39 < outlen; i++) {
        if (i)
            out[off++] = ',';
        memcpy(out + off, ids[i], 36);
        off += 36;
    }
    out[off++] = '}';
    out[off] = '\0';
}

enum db_status seat_store_release(struct db_conn *c, const char *booking_id, int *released)
{
    PGresult *r = NULL;
    const char *p[] = {booking_id};
    enum db_status st = db_exec(c, &st_release, 1, p, &r);
    if (st != DB_OK)
        return st;
    int n = PQntuples(r);
    /* Each seat to its own queue, in this transaction, so a released seat
     * is never OPEN while someone waits for it. */
    for (int i = 0; st == DB_OK && i < n; i++)
        st = waitlist_store_pass_on(c, PQgetvalue(r, i, 0), booking_id, NULL);
    PQclear(r);
    if (st == DB_OK && released)
        *released = n;
    return st;
}

enum db_status seat_store_check(struct db_conn *c, const char *event_id, const char *seat_ids,
                                int *unknown, int *foreign)
{
    PGresult *r = NULL;
    const char *p[] = {event_id, seat_ids};
    enum db_status st = db_exec(c, &st_check, 2, p, &r);
    if (st != DB_OK)
        return st;
    *unknown = atoi(db_get(r, 0, "unknown"));
    *foreign = atoi(db_get(r, 0, "foreign_seats"));
    PQclear(r);
    return DB_OK;
}

static json_t *seat_row_json(const PGresult *r, int i)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "id", db_get(r, i, "id"),
                     "event_id", db_get(r, i, "event_id"), "label", db_get(r, i, "label"),
                     "section", db_get(r, i, "section"), "row", db_get(r, i, "row"), "number",
                     (json_int_t)atoll(db_get(r, i, "number")), "price",
                     (json_int_t)atoll(db_get(r, i, "price")), "status", db_get(r, i, "status"));
}

enum db_status seat_store_list(struct db_conn *c, const char *event_id, json_t **items)
{
    PGresult *r = NULL;
    const char *p[] = {event_id};
    enum db_status st = db_exec(c, &st_list, 1, p, &r);
    if (st != DB_OK)
        return st;
    *items = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(*items, seat_row_json(r, i));
    PQclear(r);
    return DB_OK;
}

enum db_status seat_store_add(struct db_conn *c, const char *event_id, const struct seat_input *in,
                              json_t **seat)
{
    char number[24], price[24];
    snprintf(number, sizeof number, "%ld", in->number);
    snprintf(price, sizeof price, "%ld", in->price);
    const char *p[] = {event_id, in->label, in->section, in->row, number, price};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_add, 6, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    *seat = seat_row_json(r, 0);
    PQclear(r);
    return DB_OK;
}

/* After a conditional statement touched no row: absent, or not OPEN. */
static enum db_status seat_why_not(struct db_conn *c, const char *seat_id)
{
    PGresult *r = NULL;
    const char *p[] = {seat_id};
    enum db_status st = db_exec(c, &st_exists, 1, p, &r);
    if (st != DB_OK)
        return st;
    st = PQntuples(r) == 0 ? DB_NOT_FOUND : DB_CONFLICT;
    PQclear(r);
    return st;
}

enum db_status seat_store_patch(struct db_conn *c, const char *seat_id, const struct seat_input *in,
                                json_t **seat, int *held)
{
    char price[24];
    snprintf(price, sizeof price, "%ld", in->price);
    const char *p[] = {seat_id, in->has_price ? price : NULL, in->label};
    PGresult *r = NULL;
    *held = 0;
    enum db_status st = db_exec(c, &st_patch, 3, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        st = seat_why_not(c, seat_id);
        *held = st == DB_CONFLICT;
        return st;
    }
    *seat = seat_row_json(r, 0);
    PQclear(r);
    return DB_OK;
}

enum db_status seat_store_delete(struct db_conn *c, const char *seat_id)
{
    PGresult *r = NULL;
    const char *p[] = {seat_id};
    enum db_status st = db_exec(c, &st_delete, 1, p, &r);
    if (st != DB_OK)
        return st;
    int n = PQntuples(r);
    PQclear(r);
    return n ? DB_OK : seat_why_not(c, seat_id);
}
