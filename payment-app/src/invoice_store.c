/* invoice_store.c: payment-app's SQL (see invoice_store.h). Statements are
 * static, parameters only; every result is cleared on every path. */
#include "invoice_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/outbox.h"
#include "common/util.h"

/* The columns every statement returns for an invoice, times as epoch ms so
 * that formatting stays in invoice.c. Spliced by the compiler only. */
#define INVOICE_COLS                                                                               \
    "invoice_number, booking_id::text AS booking_id, amount, currency, description, status, "      \
    "coalesce(method, '') AS method, coalesce(failure_reason, '') AS failure_reason, "             \
    "(extract(epoch FROM created_at) * 1000)::bigint AS created_ms, "                              \
    "(extract(epoch FROM updated_at) * 1000)::bigint AS updated_ms, "                              \
    "(extract(epoch FROM expires_at) * 1000)::bigint AS expires_ms, "                              \
    "coalesce((extract(epoch FROM paid_at) * 1000)::bigint, 0) AS paid_ms"

static const struct db_stmt stmt_create = {
    "payment_invoice_create",
    "INSERT INTO invoices (invoice_number, booking_id, amount, currency, description, expires_at) "
    "VALUES ($1, $2::uuid, $3::bigint, $4, $5, to_timestamp($6::bigint / 1000.0)) "
    "ON CONFLICT (booking_id) DO NOTHING RETURNING " INVOICE_COLS};

static const struct db_stmt stmt_get_by_booking = {"payment_invoice_get_by_booking",
                                                   "SELECT " INVOICE_COLS
                                                   " FROM invoices WHERE booking_id = $1::uuid"};

static const struct db_stmt stmt_get = {
    "payment_invoice_get", "SELECT " INVOICE_COLS " FROM invoices WHERE invoice_number = $1"};

/* The status flip and the job insert are one statement, so they are
 * atomic without an explicit transaction. */
static const struct db_stmt stmt_pay = {
    "payment_invoice_pay",
    "WITH u AS (UPDATE invoices SET status = $5, method = $2, updated_at = now() "
    "           WHERE invoice_number = $1 AND status = $4 AND expires_at > now() "
    "           RETURNING *), "
    "     j AS (INSERT INTO payment_jobs (invoice_number, method, due_at) "
    "           SELECT invoice_number, method, now() + $3::bigint * interval '1 millisecond' "
    "           FROM u ON CONFLICT (invoice_number) DO NOTHING) "
    "SELECT " INVOICE_COLS " FROM u"};

static const struct db_stmt stmt_void = {
    "payment_invoice_void",
    "UPDATE invoices SET status = $3, voided_at = now(), updated_at = now() "
    "WHERE invoice_number = $1 AND status = $2 RETURNING " INVOICE_COLS};

static const struct db_stmt stmt_refund = {
    "payment_invoice_refund",
    "UPDATE invoices SET status = $3, refunded_at = now(), updated_at = now() "
    "WHERE invoice_number = $1 AND status = $2 RETURNING " INVOICE_COLS};

static const struct db_stmt stmt_expire_one = {
    "payment_invoice_expire_one",
    "UPDATE invoices SET status = $3, updated_at = now() "
    "WHERE invoice_number = $1 AND status = $2 AND expires_at <= now() "
    "RETURNING " INVOICE_COLS};

static const struct db_stmt stmt_expire_batch = {
    "payment_invoice_expire_batch",
    "UPDATE invoices SET status = $3, updated_at = now() "
    "WHERE invoice_number IN (SELECT invoice_number FROM invoices "
    "                         WHERE status = $2 AND expires_at <= now() "
    "                         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
    "  AND status = $2 RETURNING " INVOICE_COLS};

/* The settlement's claim, with each job's invoice as it is now (the
 * settled invoice and its webhook are computed from it in C). */
static const struct db_stmt stmt_job_claim_invoices = {
    "payment_job_claim_invoices",
    "WITH j AS (SELECT invoice_number, method AS job_method FROM payment_jobs "
    "           WHERE done_at IS NULL AND due_at <= now() "
    "           ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
    "SELECT j.job_method, " INVOICE_COLS " FROM j JOIN invoices USING (invoice_number)"};

/* One settlement in one statement: PROCESSING -> $2 with the times the
 * webhook payload carries ($4, epoch ms), the job done with its outcome,
 * and the event written leased for the delivery loop ($5..$8). Nothing but
 * the job changes when the invoice is not PROCESSING any more. */
static const struct db_stmt stmt_settle_job = {
    "payment_settle_job",
    "WITH s AS (UPDATE invoices SET status = $2::text, failure_reason = NULLIF($3, ''), "
    "           paid_at = CASE WHEN $2::text = 'PAID' THEN to_timestamp($4::bigint / 1000.0) "
    "                     END, "
    "           settled_at = to_timestamp($4::bigint / 1000.0), "
    "           updated_at = to_timestamp($4::bigint / 1000.0) "
    "           WHERE invoice_number = $1 AND status = $9 RETURNING invoice_number), "
    "     f AS (UPDATE payment_jobs SET done_at = now(), "
    "           outcome = CASE WHEN EXISTS (SELECT 1 FROM s) THEN $2::text ELSE 'SKIPPED' END "
    "           WHERE invoice_number = $1 AND done_at IS NULL), "
    "     o AS (" OUTBOX_INSERT_LEASED("$5", "$6", "$7", "$8",
                                       "s") ") "
                                            "SELECT count(*) AS settled FROM s"};

static const struct db_stmt stmt_list = {
    "payment_invoice_list",
    "SELECT " INVOICE_COLS " FROM invoices "
    "WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR booking_id = $2::uuid) "
    "ORDER BY created_at DESC, invoice_number LIMIT $3::bigint OFFSET $4::bigint"};

static const struct db_stmt stmt_count = {
    "payment_invoice_count",
    "SELECT count(*) FROM invoices "
    "WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR booking_id = $2::uuid)"};

static const struct db_stmt stmt_stats_status = {
    "payment_stats_status", "SELECT status, count(*) FROM invoices GROUP BY status"};

static const struct db_stmt stmt_stats_jobs = {
    "payment_stats_jobs", "SELECT count(*) FROM payment_jobs WHERE done_at IS NULL"};

static int64_t col_i64(const PGresult *res, int r, const char *col)
{
    const char *v = db_get(res, r, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

static void col_copy(char *dst, size_t n, const PGresult *res, int r, const char *col)
{
    const char *v = db_get(res, r, col);
    snprintf(dst, n, "%s", v ? v : "");
}

/* Fills out from row r of res (the INVOICE_COLS columns). */
static void invoice_from_row(const PGresult *res, int r, struct invoice *out)
{
    memset(out, 0, sizeof *out);
    col_copy(out->number, sizeof out->number, res, r, "invoice_number");
    col_copy(out->booking_id, sizeof out->booking_id, res, r, "booking_id");
    out->amount = col_i64(res, r, "amount");
    col_copy(out->currency, sizeof out->currency, res, r, "currency");
    const char *st = db_get(res, r, "status");
    if (invoice_status_parse(st, &out->status) != 0)
        out->status = INVOICE_PENDING; /* the CHECK constraint rules this out */
    col_copy(out->method, sizeof out->method, res, r, "method");
    col_copy(out->failure_reason, sizeof out->failure_reason, res, r, "failure_reason");
    const char *d = db_get(res, r, "description");
    out->description = xstrdup(d ? d : "");
    out->created_ms = col_i64(res, r, "created_ms");
    out->updated_ms = col_i64(res, r, "updated_ms");
    out->expires_ms = col_i64(res, r, "expires_ms");
    out->paid_ms = col_i64(res, r, "paid_ms");
}

/* Runs stmt; DB_OK with *out from the first row, DB_NOT_FOUND if none. */
static enum db_status exec_one(struct db_conn *conn, const struct db_stmt *stmt, int nparams,
                               const char *const *params, struct invoice *out)
{
    PGresult *res = NULL;
    enum db_status st = db_exec(conn, stmt, nparams, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    invoice_from_row(res, 0, out);
    PQclear(res);
    return DB_OK;
}

enum db_status invoice_store_create(struct db_conn *conn, const struct invoice_create *in,
                                    const char *number, struct invoice *out, int *created)
{
    char amount[32], expires[32];
    snprintf(amount, sizeof amount, "%lld", in->amount);
    snprintf(expires, sizeof expires, "%lld", (long long)in->expires_ms);
    const char *params[] = {number, in->booking_id, amount, in->currency, in->description, expires};
    enum db_status st = exec_one(conn, &stmt_create, 6, params, out);
    if (st == DB_OK) {
        *created = 1;
        return DB_OK;
    }
    if (st != DB_NOT_FOUND)
        return st;
    /* The booking already has an invoice: hand back that one. */
    *created = 0;
    const char *p2[] = {in->booking_id};
    st = exec_one(conn, &stmt_get_by_booking, 1, p2, out);
    /* Gone between the two statements is impossible (never deleted); a
     * miss here would be a concurrent insert's rollback: report conflict. */
    return st == DB_NOT_FOUND ? DB_RETRY : st;
}

enum db_status invoice_store_get(struct db_conn *conn, const char *number, struct invoice *out)
{
    const char *params[] = {number};
    return exec_one(conn, &stmt_get, 1, params, out);
}

enum db_status invoice_store_pay(struct db_conn *conn, const char *number, const char *method,
                                 long delay_ms, struct invoice *out)
{
    char delay[32];
    snprintf(delay, sizeof delay, "%ld", delay_ms);
    const char *from, *to;
    invoice_action_states(INVOICE_ACT_PAY, &from, &to);
    const char *params[] = {number, method, delay, from, to};
    return exec_one(conn, &stmt_pay, 5, params, out);
}

enum db_status invoice_store_void(struct db_conn *conn, const char *number, struct invoice *out)
{
    const char *from, *to;
    invoice_action_states(INVOICE_ACT_VOID, &from, &to);
    const char *params[] = {number, from, to};
    return exec_one(conn, &stmt_void, 3, params, out);
}

enum db_status invoice_store_refund(struct db_conn *conn, const char *number, struct invoice *out)
{
    const char *from, *to;
    invoice_action_states(INVOICE_ACT_REFUND, &from, &to);
    const char *params[] = {number, from, to};
    return exec_one(conn, &stmt_refund, 3, params, out);
}

enum db_status invoice_store_expire_one(struct db_conn *conn, const char *number,
                                        struct invoice *out)
{
    const char *from, *to;
    invoice_action_states(INVOICE_ACT_EXPIRE, &from, &to);
    const char *params[] = {number, from, to};
    return exec_one(conn, &stmt_expire_one, 3, params, out);
}

enum db_status invoice_store_expire_batch(struct db_conn *conn, int limit, struct invoice **out,
                                          int *n)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *from, *to;
    invoice_action_states(INVOICE_ACT_EXPIRE, &from, &to);
    const char *params[] = {lim, from, to};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    enum db_status st = db_exec(conn, &stmt_expire_batch, 3, params, &res);
    if (st != DB_OK)
        return st;
    int rows = PQntuples(res);
    if (rows > 0) {
        *out = xcalloc((size_t)rows, sizeof **out);
        for (int r = 0; r < rows; r++)
            invoice_from_row(res, r, &(*out)[r]);
    }
    *n = rows;
    PQclear(res);
    return DB_OK;
}

enum db_status payment_job_claim_invoices(struct db_conn *conn, int limit,
                                          struct payment_job **jobs, struct invoice **invs, int *n)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *params[] = {lim};
    PGresult *res = NULL;
    *jobs = NULL;
    *invs = NULL;
    *n = 0;
    enum db_status st = db_exec(conn, &stmt_job_claim_invoices, 1, params, &res);
    if (st != DB_OK)
        return st;
    int rows = PQntuples(res);
    if (rows > 0) {
        *jobs = xcalloc((size_t)rows, sizeof **jobs);
        *invs = xcalloc((size_t)rows, sizeof **invs);
        for (int r = 0; r < rows; r++) {
            col_copy((*jobs)[r].number, sizeof(*jobs)[r].number, res, r, "invoice_number");
            col_copy((*jobs)[r].method, sizeof(*jobs)[r].method, res, r, "job_method");
            invoice_from_row(res, r, &(*invs)[r]);
        }
    }
    *n = rows;
    PQclear(res);
    return DB_OK;
}

enum db_status payment_settle_job(struct db_conn *conn, const struct invoice *settled,
                                  int64_t at_ms, const char *event_id, const char *topic,
                                  const char *payload, long lease_ms, int *applied)
{
    char at[32], lease[32];
    snprintf(at, sizeof at, "%lld", (long long)at_ms);
    snprintf(lease, sizeof lease, "%ld", lease_ms);
    /* The settlement's from-status and its target come from the table:
     * a status no settlement reaches is refused here, not written. */
    enum invoice_action act =
        settled->status == INVOICE_PAID ? INVOICE_ACT_SETTLE_PAID : INVOICE_ACT_SETTLE_FAILED;
    const char *from, *to;
    invoice_action_states(act, &from, &to);
    *applied = 0;
    if (strcmp(to, invoice_status_name(settled->status)) != 0)
        return DB_ERROR;
    const char *params[] = {
        settled->number, to, settled->failure_reason, at, event_id, topic, payload, lease, from};
    PGresult *res = NULL;
    enum db_status st = db_exec(conn, &stmt_settle_job, 9, params, &res);
    if (st != DB_OK)
        return st;
    *applied = col_i64(res, 0, "settled") > 0;
    PQclear(res);
    return DB_OK;
}

enum db_status invoice_store_list(struct db_conn *conn, const char *status, const char *booking_id,
                                  long limit, long offset, const char *public_url, json_t **items,
                                  long *total)
{
    const char *params[] = {status, booking_id};
    PGresult *res = NULL;
    *items = NULL;
    enum db_status st =
        db_exec_page(conn, &stmt_list, &stmt_count, NULL, 2, params, limit, offset, &res, total);
    if (st != DB_OK)
        return st;
    json_t *arr = json_array();
    for (int r = 0; r < PQntuples(res); r++) {
        struct invoice inv;
        invoice_from_row(res, r, &inv);
        json_array_append_new(arr, invoice_to_json(&inv, public_url));
        invoice_cleanup(&inv);
    }
    PQclear(res);
    *items = arr;
    return DB_OK;
}

enum db_status invoice_store_stats(struct db_conn *conn, long counts[INVOICE_STATUS_COUNT],
                                   long *undelivered, long *jobs_pending)
{
    PGresult *res = NULL;
    for (int i = 0; i < INVOICE_STATUS_COUNT; i++)
        counts[i] = 0;
    *undelivered = *jobs_pending = 0;

    enum db_status st = db_exec(conn, &stmt_stats_status, 0, NULL, &res);
    if (st != DB_OK)
        return st;
    for (int r = 0; r < PQntuples(res); r++) {
        enum invoice_status s;
        if (invoice_status_parse(PQgetvalue(res, r, 0), &s) == 0)
            counts[s] = strtol(PQgetvalue(res, r, 1), NULL, 10);
    }
    PQclear(res);

    st = db_exec(conn, &stmt_stats_jobs, 0, NULL, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) == 1)
        *jobs_pending = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return outbox_pending_count(conn, undelivered);
}
