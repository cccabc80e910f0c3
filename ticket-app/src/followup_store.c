/* followup_store.c: SQL on followups (see followup_store.h). */
#include "followup_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct db_stmt st_add = {
    "ticket_followup_add",
    "INSERT INTO followups (booking_id, kind, invoice_number) VALUES ($1, $2, $3) "
    "ON CONFLICT (booking_id, kind) DO UPDATE "
    "   SET invoice_number = COALESCE(followups.invoice_number, EXCLUDED.invoice_number)"};

static const struct db_stmt st_add_org = {
    "ticket_followup_add_org",
    "INSERT INTO followups (booking_id, kind) "
    "SELECT id, 'ORG_RELEASE' FROM bookings WHERE id = $1 AND organizer_held_at IS NOT NULL "
    "ON CONFLICT (booking_id, kind) DO NOTHING"};

#define CLAIM_RETURNING                                                                            \
    "RETURNING f.id, f.booking_id::text AS booking_id, f.kind, "                                   \
    "COALESCE(f.invoice_number, (SELECT invoice_number FROM bookings b WHERE b.id = "              \
    "f.booking_id), "                                                                              \
    "'') AS invoice_number, f.attempts"

static const struct db_stmt st_claim = {
    "ticket_followup_claim",
    "UPDATE followups f SET lease_until = now() + make_interval(secs => $3::bigint / 1000.0), "
    "       lease_token = $4, attempts = f.attempts + 1 "
    "  FROM (SELECT id FROM followups WHERE status = 'PENDING' AND next_attempt_at <= now() "
    "          AND (lease_until IS NULL OR lease_until < now()) AND kind = ANY($1::text[]) "
    "        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) d "
    " WHERE f.id = d.id " CLAIM_RETURNING};

static const struct db_stmt st_done = {
    "ticket_followup_done",
    "UPDATE followups SET status = 'DONE', done_at = now(), lease_until = NULL, last_error = NULL "
    " WHERE id = $1 AND lease_token = $2"};

static const struct db_stmt st_retry = {
    "ticket_followup_retry",
    "UPDATE followups SET lease_until = NULL, last_error = $4, "
    "       status = CASE WHEN $5 = '1' THEN 'FAILED' ELSE 'PENDING' END, "
    "       next_attempt_at = now() + make_interval(secs => $3::bigint / 1000.0) "
    " WHERE id = $1 AND lease_token = $2"};

enum db_status followup_add(struct db_conn *c, const char *booking_id, const char *kind,
                            const char *invoice_number)
{
    const char *p[] = {booking_id, kind,
                       invoice_number && invoice_number[0] ? invoice_number : NULL};
    return db_exec(c, &st_add, 3, p, NULL);
}

enum db_status followup_add_org_release(struct db_conn *c, const char *booking_id)
{
    const char *p[] = {booking_id};
    return db_exec(c, &st_add_org, 1, p, NULL);
}

static int read_claimed(PGresult *r, int max, struct followup *out)
{
    int n = PQntuples(r);
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++) {
        struct followup *f = &out[i];
        memset(f, 0, sizeof *f);
        f->id = atol(db_get(r, i, "id"));
        snprintf(f->booking_id, sizeof f->booking_id, "%s", db_get(r, i, "booking_id"));
        snprintf(f->kind, sizeof f->kind, "%s", db_get(r, i, "kind"));
        snprintf(f->invoice_number, sizeof f->invoice_number, "%s", db_get(r, i, "invoice_number"));
        f->attempts = atoi(db_get(r, i, "attempts"));
    }
    PQclear(r);
    return n;
}

int followup_claim(struct db_conn *c, const char *kinds, int max, long lease_ms, const char *token,
                   struct followup *out)
{
    char m[16], l[24];
    snprintf(m, sizeof m, "%d", max);
    snprintf(l, sizeof l, "%ld", lease_ms);
    const char *p[] = {kinds, m, l, token};
    PGresult *r = NULL;
    if (db_exec(c, &st_claim, 4, p, &r) != DB_OK)
        return -1;
    return read_claimed(r, max, out);
}

enum db_status followup_done(struct db_conn *c, long id, const char *token)
{
    char i[24];
    snprintf(i, sizeof i, "%ld", id);
    const char *p[] = {i, token};
    return db_exec(c, &st_done, 2, p, NULL);
}

enum db_status followup_retry(struct db_conn *c, long id, const char *token, long delay_ms,
                              const char *error, int give_up)
{
    char i[24], d[24];
    snprintf(i, sizeof i, "%ld", id);
    snprintf(d, sizeof d, "%ld", delay_ms);
    const char *p[] = {i, token, d, error ? error : "", give_up ? "1" : "0"};
    return db_exec(c, &st_retry, 5, p, NULL);
}
