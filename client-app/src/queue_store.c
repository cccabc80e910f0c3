/* queue_store.c: SQL of the waiting room (see queue_store.h). Statuses
 * travel as parameters from queue.h's name table; the partial index
 * conditions of the migration use none. */
#include "queue_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "booking.h"
#include "common/util.h"

#define EPOCH_MS(col) "coalesce((extract(epoch FROM " col ") * 1000)::bigint, -1)"

static const struct db_stmt st_config_get = {"client_queue_config_get",
                                             "SELECT enabled, admit_per_minute, pass_ttl_seconds "
                                             "  FROM event_queues WHERE event_id = $1"};

static const struct db_stmt st_config_put = {
    "client_queue_config_put",
    "INSERT INTO event_queues (event_id, enabled, admit_per_minute, pass_ttl_seconds, "
    "                          sales_start_at) "
    "VALUES ($1, $2::boolean, $3::int, $4::int, $5::timestamptz) "
    "ON CONFLICT (event_id) DO UPDATE SET enabled = EXCLUDED.enabled, "
    "    admit_per_minute = EXCLUDED.admit_per_minute, "
    "    pass_ttl_seconds = EXCLUDED.pass_ttl_seconds, "
    "    sales_start_at = CASE WHEN event_queues.opened_at IS NULL "
    "                          THEN EXCLUDED.sales_start_at ELSE event_queues.sales_start_at END, "
    "    updated_at = now()"};

static const struct db_stmt st_sales_start = {
    "client_queue_sales_start",
    "UPDATE event_queues SET sales_start_at = $2::timestamptz, updated_at = now() "
    " WHERE event_id = $1 AND opened_at IS NULL "
    "   AND sales_start_at IS DISTINCT FROM $2::timestamptz"};

static const struct db_stmt st_end = {"client_queue_end",
                                      "UPDATE event_queues SET enabled = false, updated_at = now() "
                                      " WHERE event_id = $1 AND enabled"};

static const struct db_stmt st_delete = {"client_queue_delete",
                                         "DELETE FROM event_queues WHERE event_id = $1"};

static const struct db_stmt st_configs = {
    "client_queue_configs",
    "SELECT event_id::text AS event_id, enabled, admit_per_minute, pass_ttl_seconds "
    "  FROM event_queues WHERE event_id = ANY($1::uuid[])"};

/* $4 WAITING, $5 LEFT, $6 ADMITTED. A ticket in line or admitted with a
 * live pass is left as it is; one that left or whose pass expired goes to
 * the back of the line (a new arrival, numbered by the next tick). */
static const struct db_stmt st_join = {
    "client_queue_join",
    "INSERT INTO queue_tickets (id, event_id, user_id, status) "
    "SELECT $3, q.event_id, $2, $4 FROM event_queues q WHERE q.event_id = $1 AND q.enabled "
    "ON CONFLICT (event_id, user_id) DO UPDATE "
    "   SET status = $4, seq = NULL, joined_at = now(), arrival = nextval('queue_arrival'), "
    "       admitted_at = NULL, pass_expires_at = NULL, pass_booking_id = NULL, "
    "       pass_claimed_at = NULL "
    " WHERE queue_tickets.status = $5 "
    "    OR (queue_tickets.status = $6 AND queue_tickets.pass_expires_at <= now()) "
    "RETURNING (xmax = 0) AS inserted"};

/* A position read: the ticket and its queue, each by its primary key. */
static const struct db_stmt st_ticket = {
    "client_queue_ticket",
    "SELECT t.id::text AS id, t.event_id::text AS event_id, t.user_id::text "
    "AS user_id, "
    "       t.status, coalesce(t.seq, -1) AS seq, q.admitted_upto, "
    "q.next_seq, "
    "       q.admit_per_minute, q.opened_at IS NOT NULL AS "
    "opened, " EPOCH_MS("q.sales_start_at") " AS sales_start_ms, " EPOCH_MS(
        "t.pass_expires_at") " AS "
                             "pass_expires_ms, " EPOCH_MS("clock_timestamp()") " AS now_ms "
                                                                               "  FROM "
                                                                               "queue_tickets t "
                                                                               "JOIN "
                                                                               "event_queues q "
                                                                               "ON q.event_id = "
                                                                               "t.event_id "
                                                                               " WHERE "
                                                                               "t.event_id = $1 "
                                                                               "AND t.user_id = "
                                                                               "$2"};

static const struct db_stmt st_leave = {
    "client_queue_leave", "UPDATE queue_tickets SET status = $3 "
                          " WHERE event_id = $1 AND user_id = $2 AND status <> $3 RETURNING id"};

static const struct db_stmt st_exists = {
    "client_queue_exists", "SELECT 1 FROM queue_tickets WHERE event_id = $1 AND user_id = $2"};

/* $2 WAITING, $3 ADMITTED, $4 LEFT */
static const struct db_stmt st_stats = {
    "client_queue_stats",
    "SELECT q.enabled, q.admit_per_minute, q.pass_ttl_seconds, q.admitted_total, "
    "       q.next_seq AS numbered, " SQL_TS("q.opened_at") " AS opened_at, " SQL_TS(
        "q.sales_start_at") " AS sales_start_at, "
                            "       count(t.id) FILTER (WHERE t.status = $2) AS waiting, "
                            "       count(t.id) FILTER (WHERE t.status = $3 "
                            "                             AND t.pass_expires_at > now()) AS "
                            "admitted, "
                            "       count(t.id) FILTER (WHERE t.status = $3 "
                            "                             AND t.pass_expires_at <= now()) AS "
                            "expired, "
                            "       count(t.id) FILTER (WHERE t.status = $4) AS left_line "
                            "  FROM event_queues q LEFT JOIN queue_tickets t ON t.event_id = "
                            "q.event_id "
                            " WHERE q.event_id = $1 GROUP BY q.event_id"};

/* $5 the attempt, $6 stale ms, $7 ADMITTED, $8 FAILED */
static const struct db_stmt st_claim = {
    "client_queue_claim",
    "UPDATE queue_tickets t SET pass_booking_id = $4, pass_claimed_at = clock_timestamp() "
    " WHERE t.event_id = $1 AND t.user_id = $2 AND t.id = $3 AND t.status = $6 "
    "   AND t.pass_expires_at > clock_timestamp() "
    "   AND (t.pass_booking_id IS NULL "
    "        OR EXISTS (SELECT 1 FROM bookings b "
    "                    WHERE b.id = t.pass_booking_id AND b.status = $7) "
    "        OR (t.pass_claimed_at < clock_timestamp() - $5::bigint * interval '1 millisecond' "
    "            AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.id = t.pass_booking_id))) "
    "RETURNING t.id"};

/* The enabled queues whose sale opened and that have work: to open, tickets
 * waiting, or (nobody waiting) a clock over a second behind, to be set to
 * now (queue_clock_after) - so an idle queue is stepped, and written, about
 * once a second, not at every tick. $1 WAITING. */
static const struct db_stmt st_due = {
    "client_queue_due",
    "SELECT q.event_id::text AS event_id FROM event_queues q "
    " WHERE q.enabled AND (q.sales_start_at IS NULL OR q.sales_start_at <= now()) "
    "   AND (q.opened_at IS NULL "
    "        OR EXISTS (SELECT 1 FROM queue_tickets t "
    "                    WHERE t.event_id = q.event_id AND t.status = $1) "
    "        OR q.admit_clock_us < (extract(epoch FROM now()) * 1000000)::bigint - 1000000) "
    " ORDER BY q.updated_at LIMIT 100"};

static const struct db_stmt st_lock = {
    "client_queue_lock",
    "SELECT enabled, admit_per_minute, pass_ttl_seconds, admit_clock_us, "
    "       opened_at IS NOT NULL AS opened, "
    "       (sales_start_at IS NULL OR sales_start_at <= now()) AS may_open, "
    "       (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us "
    "  FROM event_queues WHERE event_id = $1 FOR UPDATE SKIP LOCKED"};

/* Numbering. Those who joined before sales_start_at come first, in random
 * order (they are all numbered at the opening: an early click buys no
 * place), then the rest by arrival. $2 WAITING, $3 the admission clock of
 * an opening queue. */
static const struct db_stmt st_number = {
    "client_queue_number",
    "WITH q AS (SELECT next_seq, coalesce(sales_start_at, '-infinity'::timestamptz) AS opens "
    "             FROM event_queues WHERE event_id = $1), "
    "n AS (SELECT t.user_id, q.next_seq + row_number() OVER ( "
    "             ORDER BY t.joined_at >= q.opens, "
    "                      CASE WHEN t.joined_at < q.opens THEN random() END, t.arrival) AS seq "
    "        FROM queue_tickets t, q "
    "       WHERE t.event_id = $1 AND t.seq IS NULL AND t.status = $2), "
    "u AS (UPDATE queue_tickets t SET seq = n.seq FROM n "
    "       WHERE t.event_id = $1 AND t.user_id = n.user_id RETURNING t.seq) "
    "UPDATE event_queues e SET next_seq = greatest(e.next_seq, "
    "                                              coalesce((SELECT max(seq) FROM u), 0)), "
    "       opened_at = coalesce(e.opened_at, now()), "
    "       admit_clock_us = CASE WHEN e.opened_at IS NULL THEN $3::bigint "
    "                             ELSE e.admit_clock_us END "
    " WHERE e.event_id = $1 AND (e.opened_at IS NULL OR EXISTS (SELECT 1 FROM u)) "
    "RETURNING (SELECT count(*) FROM u) AS numbered"};

/* Admission: the next $3 waiting tickets by position, in one statement.
 * admitted_upto moves to just before the first ticket still waiting (so
 * those who left before their turn count in nobody's position), the clock
 * as queue_clock_after says: one step per admission, or now ($8) when the
 * line ran dry. $2 WAITING, $4 ADMITTED, $5 pass ttl s, $6 the clock the
 * count started from, $7 the step (us). */
static const struct db_stmt st_admit = {
    "client_queue_admit",
    "WITH p AS (SELECT user_id FROM queue_tickets "
    "            WHERE event_id = $1 AND status = $2 AND seq IS NOT NULL "
    "            ORDER BY seq LIMIT $3::bigint), "
    "a AS (UPDATE queue_tickets t SET status = $4, admitted_at = now(), "
    "             pass_expires_at = now() + $5::int * interval '1 second' "
    "        FROM p WHERE t.event_id = $1 AND t.user_id = p.user_id AND t.status = $2 "
    "      RETURNING t.seq), "
    "last AS (SELECT coalesce(max(seq), 0) AS seq, count(*) AS n FROM a) "
    "UPDATE event_queues e "
    "   SET admitted_upto = greatest(e.admitted_upto, "
    "         coalesce((SELECT min(t.seq) - 1 FROM queue_tickets t, last "
    "                    WHERE t.event_id = $1 AND t.status = $2 AND t.seq > last.seq), "
    "                  e.next_seq)), "
    "       admitted_total = e.admitted_total + (SELECT n FROM last), "
    "       admit_clock_us = CASE WHEN (SELECT n FROM last) < $3::bigint THEN $8::bigint "
    "                             ELSE $6::bigint + (SELECT n FROM last) * $7::bigint END, "
    "       updated_at = now() "
    " WHERE e.event_id = $1 "
    "RETURNING (SELECT n FROM last) AS admitted"};

static void cfg_from(const PGresult *r, int i, struct queue_config *cfg)
{
    const char *en = db_get(r, i, "enabled");
    cfg->enabled = en && en[0] == 't';
    cfg->admit_per_minute = strtol(db_get(r, i, "admit_per_minute"), NULL, 10);
    cfg->pass_ttl_seconds = strtol(db_get(r, i, "pass_ttl_seconds"), NULL, 10);
}

enum db_status queue_store_config_get(struct db_conn *c, const char *event_id,
                                      struct queue_config *cfg)
{
    const char *p[1] = {event_id};
    PGresult *r = NULL;
    enum db_status st = db_exec_one(c, &st_config_get, 1, p, &r);
    if (st == DB_OK)
        cfg_from(r, 0, cfg);
    PQclear(r);
    return st;
}

enum db_status queue_store_config_put(struct db_conn *c, const char *event_id,
                                      const struct queue_config *cfg, const char *sales_start_at)
{
    char rate[24], ttl[24];
    snprintf(rate, sizeof rate, "%ld", cfg->admit_per_minute);
    snprintf(ttl, sizeof ttl, "%ld", cfg->pass_ttl_seconds);
    const char *p[5] = {event_id, cfg->enabled ? "true" : "false", rate, ttl, sales_start_at};
    return db_exec(c, &st_config_put, 5, p, NULL);
}

enum db_status queue_store_sales_start(struct db_conn *c, const char *event_id,
                                       const char *sales_start_at)
{
    const char *p[2] = {event_id, sales_start_at};
    return db_exec(c, &st_sales_start, 2, p, NULL);
}

enum db_status queue_store_end(struct db_conn *c, const char *event_id, int deleted)
{
    const char *p[1] = {event_id};
    return db_exec(c, deleted ? &st_delete : &st_end, 1, p, NULL);
}

enum db_status queue_store_configs(struct db_conn *c, const char *const *ids, size_t n,
                                   struct queue_config *cfgs, int *found)
{
    for (size_t i = 0; i < n; i++)
        found[i] = 0;
    if (n == 0)
        return DB_OK;
    size_t cap = n * 38 + 3, len = 0;
    char *arr = xmalloc(cap);
    arr[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(arr + len, cap - len, "%s%.36s", i ? "," : "", ids[i]);
    snprintf(arr + len, cap - len, "}");
    const char *p[1] = {arr};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_configs, 1, p, &r);
    free(arr);
    if (st != DB_OK)
        return st;
    for (int row = 0; row < PQntuples(r); row++) {
        const char *id = db_get(r, row, "event_id");
        for (size_t i = 0; i < n; i++)
            if (strcasecmp(ids[i], id) == 0) {
                cfg_from(r, row, &cfgs[i]);
                found[i] = 1;
            }
    }
    PQclear(r);
    return DB_OK;
}

enum db_status queue_store_join(struct db_conn *c, const char *event_id, const char *user_id,
                                const char *new_id, enum queue_join *out)
{
    const char *p[6] = {event_id,
                        user_id,
                        new_id,
                        queue_status_name(QS_WAITING),
                        queue_status_name(QS_LEFT),
                        queue_status_name(QS_ADMITTED)};
    PGresult *r = NULL;
    *out = QJ_NONE;
    enum db_status st = db_exec(c, &st_join, 6, p, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) == 1)
        *out = strcmp(db_get(r, 0, "inserted"), "t") == 0 ? QJ_NEW : QJ_REQUEUED;
    PQclear(r);
    return DB_OK;
}

static long long ll_of(const PGresult *r, const char *col)
{
    const char *v = db_get(r, 0, col);
    return v ? strtoll(v, NULL, 10) : -1;
}

enum db_status queue_store_ticket(struct db_conn *c, const char *event_id, const char *user_id,
                                  struct queue_ticket *t)
{
    const char *p[2] = {event_id, user_id};
    PGresult *r = NULL;
    enum db_status st = db_exec_one(c, &st_ticket, 2, p, &r);
    if (st != DB_OK)
        return st;
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", db_get(r, 0, "id"));
    snprintf(t->event_id, sizeof t->event_id, "%s", db_get(r, 0, "event_id"));
    snprintf(t->user_id, sizeof t->user_id, "%s", db_get(r, 0, "user_id"));
    t->stored = queue_status_parse(db_get(r, 0, "status"));
    t->seq = ll_of(r, "seq");
    t->admitted_upto = ll_of(r, "admitted_upto");
    t->next_seq = ll_of(r, "next_seq");
    t->admit_per_minute = (long)ll_of(r, "admit_per_minute");
    t->opened = db_get(r, 0, "opened")[0] == 't';
    t->sales_start_ms = ll_of(r, "sales_start_ms");
    t->pass_expires_ms = ll_of(r, "pass_expires_ms");
    t->now_ms = ll_of(r, "now_ms");
    PQclear(r);
    return DB_OK;
}

enum db_status queue_store_leave(struct db_conn *c, const char *event_id, const char *user_id)
{
    const char *p[3] = {event_id, user_id, queue_status_name(QS_LEFT)};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_leave, 3, p, &r);
    if (st != DB_OK)
        return st;
    int n = PQntuples(r);
    PQclear(r);
    if (n > 0)
        return DB_OK;
    return db_exec_one(c, &st_exists, 2, p, &r) == DB_OK ? (PQclear(r), DB_OK) : DB_NOT_FOUND;
}

enum db_status queue_store_stats(struct db_conn *c, const char *event_id, PGresult **out)
{
    const char *p[4] = {event_id, queue_status_name(QS_WAITING), queue_status_name(QS_ADMITTED),
                        queue_status_name(QS_LEFT)};
    return db_exec_one(c, &st_stats, 4, p, out);
}

enum db_status queue_store_claim(struct db_conn *c, const char *event_id, const char *user_id,
                                 const char *ticket_id, const char *booking_id, long stale_ms)
{
    char stale[24];
    snprintf(stale, sizeof stale, "%ld", stale_ms);
    const char *p[7] = {event_id,
                        user_id,
                        ticket_id,
                        booking_id,
                        stale,
                        queue_status_name(QS_ADMITTED),
                        booking_status_name(BS_FAILED)};
    PGresult *r = NULL;
    enum db_status st = db_exec_one(c, &st_claim, 7, p, &r);
    PQclear(r);
    return st;
}

enum db_status queue_store_due(struct db_conn *c, PGresult **out)
{
    const char *p[1] = {queue_status_name(QS_WAITING)};
    return db_exec(c, &st_due, 1, p, out);
}

/* The steps of queue_store_advance inside its transaction. */
static enum db_status advance_locked(struct db_conn *c, const char *event_id, long *numbered,
                                     long *admitted)
{
    const char *p1[1] = {event_id};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_lock, 1, p1, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) != 1 || db_get(r, 0, "enabled")[0] != 't' ||
        db_get(r, 0, "may_open")[0] != 't') {
        PQclear(r); /* locked by another instance, turned off, or not open yet */
        return DB_OK;
    }
    struct queue_config cfg;
    cfg_from(r, 0, &cfg);
    int opened = db_get(r, 0, "opened")[0] == 't';
    int64_t clock_us = strtoll(db_get(r, 0, "admit_clock_us"), NULL, 10);
    int64_t now_us = strtoll(db_get(r, 0, "now_us"), NULL, 10);
    PQclear(r);

    int64_t step = queue_step_us(cfg.admit_per_minute);
    char open_clock[24];
    /* an opening queue admits its first ticket at once */
    snprintf(open_clock, sizeof open_clock, "%" PRId64, now_us - step);
    const char *p2[3] = {event_id, queue_status_name(QS_WAITING), open_clock};
    st = db_exec(c, &st_number, 3, p2, &r); /* no row: nothing to number */
    if (st != DB_OK)
        return st;
    *numbered = PQntuples(r) ? strtol(db_get(r, 0, "numbered"), NULL, 10) : 0;
    PQclear(r);
    if (!opened)
        clock_us = now_us - step;

    int64_t from_us = 0;
    long long due = queue_admit_due(now_us, clock_us, cfg.admit_per_minute, &from_us);
    if (due <= 0)
        return DB_OK;
    char k[24], ttl[24], from[24], stp[24], now[24];
    snprintf(k, sizeof k, "%lld", due);
    snprintf(ttl, sizeof ttl, "%ld", cfg.pass_ttl_seconds);
    snprintf(from, sizeof from, "%" PRId64, from_us);
    snprintf(stp, sizeof stp, "%" PRId64, step);
    snprintf(now, sizeof now, "%" PRId64, now_us);
    const char *p3[8] = {
        event_id, queue_status_name(QS_WAITING), k, queue_status_name(QS_ADMITTED), ttl, from, stp,
        now};
    st = db_exec_one(c, &st_admit, 8, p3, &r);
    if (st != DB_OK)
        return st;
    *admitted = strtol(db_get(r, 0, "admitted"), NULL, 10);
    PQclear(r);
    return DB_OK;
}

enum db_status queue_store_advance(struct db_conn *c, const char *event_id, long *numbered,
                                   long *admitted)
{
    *numbered = *admitted = 0;
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    st = advance_locked(c, event_id, numbered, admitted);
    st = db_tx_end(c, st);
    if (st != DB_OK)
        *numbered = *admitted = 0;
    return st;
}
