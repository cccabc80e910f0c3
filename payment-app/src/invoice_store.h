/* invoice_store.h: payment-app's SQL. Every state change is one conditional
 * UPDATE ... WHERE status=... RETURNING, so the database decides races;
 * functions that must also write an outbox row are called inside the
 * caller's transaction (noted on each). */
#ifndef PAYMENT_INVOICE_STORE_H
#define PAYMENT_INVOICE_STORE_H

#include <jansson.h>

#include "common/db.h"
#include "invoice.h"

/* Inserts a new invoice unless one exists for in->booking_id. On DB_OK, *out
 * holds the new invoice (*created = 1) or the existing one (*created = 0).
 * DB_CONFLICT only if number itself collided (pick another and retry). */
enum db_status invoice_store_create(struct db_conn *conn, const struct invoice_create *in,
                                    const char *number, struct invoice *out, int *created);

/* DB_OK with *out, or DB_NOT_FOUND. */
enum db_status invoice_store_get(struct db_conn *conn, const char *number, struct invoice *out);

/* PENDING (and not past expires_at) -> PROCESSING with method, and its
 * settlement job due in delay_ms, in one statement. DB_OK with *out when it
 * applied; DB_NOT_FOUND when it did not (unknown, or not payable). */
enum db_status invoice_store_pay(struct db_conn *conn, const char *number, const char *method,
                                 long delay_ms, struct invoice *out);

/* PENDING -> VOID. DB_OK with *out, or DB_NOT_FOUND if it did not apply. */
enum db_status invoice_store_void(struct db_conn *conn, const char *number, struct invoice *out);

/* Inside a transaction: PAID -> REFUNDED. DB_OK with *out, or DB_NOT_FOUND. */
enum db_status invoice_store_refund(struct db_conn *conn, const char *number, struct invoice *out);

/* Inside a transaction: this PENDING invoice, if past expires_at -> EXPIRED.
 * DB_OK with *out, or DB_NOT_FOUND. */
enum db_status invoice_store_expire_one(struct db_conn *conn, const char *number,
                                        struct invoice *out);

/* Inside a transaction: up to limit PENDING invoices past expires_at ->
 * EXPIRED, rows locked with SKIP LOCKED. *out is a malloc'ed array of *n
 * invoices (free each with invoice_cleanup, then the array). */
enum db_status invoice_store_expire_batch(struct db_conn *conn, int limit, struct invoice **out,
                                          int *n);

/* A settlement job claimed by the current transaction. */
struct payment_job {
    char number[INVOICE_NUMBER_LEN + 1];
    char method[16];
};

/* Inside a transaction: locks up to limit due, unfinished jobs with
 * FOR UPDATE SKIP LOCKED, each with its invoice as it is now in (*invs)[i]
 * (*n of each; free each invoice with invoice_cleanup, then both arrays). */
enum db_status payment_job_claim_invoices(struct db_conn *conn, int limit,
                                          struct payment_job **jobs, struct invoice **invs,
                                          int *n);
/* Inside the claiming transaction, one statement: settled->number goes
 * PROCESSING -> settled->status (failure_reason when FAILED) with paid_at/
 * updated_at = at_ms, its job is marked done (outcome the status, or
 * SKIPPED when the invoice was not PROCESSING any more), and the webhook
 * event (event_id, topic, payload: built from settled) is written to the
 * outbox leased for lease_ms (outbox_enqueue_leased). *applied = 1 if the
 * invoice was settled (and the event written). */
enum db_status payment_settle_job(struct db_conn *conn, const struct invoice *settled,
                                  int64_t at_ms, const char *event_id, const char *topic,
                                  const char *payload, long lease_ms, int *applied);
/* Invoices newest first, optionally filtered by status and booking id
 * (either may be NULL). *items: new reference, array of invoice objects. */
enum db_status invoice_store_list(struct db_conn *conn, const char *status, const char *booking_id,
                                  long limit, long offset, const char *public_url, json_t **items,
                                  long *total);

/* Invoice counts by status (indexed by enum invoice_status) and the number
 * of webhook events not yet delivered, for /metrics. */
enum db_status invoice_store_stats(struct db_conn *conn, long counts[INVOICE_STATUS_COUNT],
                                   long *undelivered, long *jobs_pending);


#endif
