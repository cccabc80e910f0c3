/* settle.c: settlement workers, expiry sweeper and webhook delivery loop.
 *
 * Settlement: a job is due PAYMENT_DELAY_MS after the pay (payment_jobs.
 * due_at), so no worker sleeps while holding anything. A tick opens one
 * short transaction, locks a batch of due jobs FOR UPDATE SKIP LOCKED (other
 * workers and other instances skip them), settles each invoice with a
 * conditional UPDATE ... WHERE status='PROCESSING', writes its webhook event
 * into the outbox and marks the job done, then commits. A crash before the
 * commit rolls everything back and the job is simply taken again; after it,
 * the job is done: each invoice is settled exactly once. No HTTP call runs
 * in here; the delivery loop sends the events afterwards. */
#include "settle.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/bg.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/util.h"
#include "invoice_store.h"

#define SETTLE_BATCH 20
#define EXPIRY_BATCH 50
#define ACQUIRE_WAIT_MS 2000

enum db_status payment_emit(struct payment_app *app, struct db_conn *conn,
                            const struct invoice *inv)
{
    const char *type = invoice_event_type(inv->status);
    if (!type)
        return DB_OK;
    char id[INVOICE_EVENT_ID_LEN + 1];
    invoice_event_id(id);
    char *payload = invoice_event_payload(inv, type, id, now_ms(), app->public_url);
    enum db_status st = outbox_enqueue(conn, id, type, payload);
    if (st == DB_OK)
        log_info("webhook queued event=%s type=%s invoice=%s", id, type, inv->number);
    free(payload);
    return st;
}

enum db_status payment_expire_now(struct payment_app *app, struct db_conn *conn, const char *number,
                                  struct invoice *out)
{
    enum db_status st = db_begin(conn);
    if (st != DB_OK)
        return st;
    st = invoice_store_expire_one(conn, number, out);
    if (st == DB_OK) {
        st = payment_emit(app, conn, out);
        if (st != DB_OK)
            invoice_cleanup(out);
    }
    if (st != DB_OK) {
        db_rollback(conn);
        return st;
    }
    st = db_commit(conn);
    if (st != DB_OK) {
        invoice_cleanup(out);
        return st;
    }
    atomic_fetch_add(&app->expired, 1);
    log_info("invoice expired invoice=%s", number);
    payment_wake_delivery(app);
    return DB_OK;
}

/* A settled invoice's webhook, handed to the delivery loop after commit. */
struct settled_event {
    char id[INVOICE_EVENT_ID_LEN + 1];
    char *payload;
};

int settle_tick(void *arg)
{
    struct payment_app *app = arg;
    struct db_conn *conn = db_acquire(app->pool, ACQUIRE_WAIT_MS);
    if (!conn)
        return -1;

    struct payment_job *jobs = NULL;
    struct invoice *invs = NULL;
    int n = 0, paid = 0, failed = 0, nev = 0;
    enum db_status st = db_begin(conn);
    if (st == DB_OK)
        st = payment_job_claim_invoices(conn, SETTLE_BATCH, &jobs, &invs, &n);
    if (st != DB_OK || n == 0) {
        db_rollback(conn);
        db_release(app->pool, conn);
        free(jobs);
        free(invs);
        return st == DB_OK ? 0 : -1;
    }

    /* Each job is one statement: the invoice settled with the times its
     * webhook carries, the job done, the event written leased to this
     * process, which sends it from memory once the batch has committed. */
    long lease = outbox_lease_ms(&app->outbox);
    struct settled_event *evs = xcalloc((size_t)n, sizeof *evs);
    for (int i = 0; i < n && st == DB_OK; i++) {
        struct payment_job *job = &jobs[i];
        struct invoice *inv = &invs[i];
        int fail = rng_chance(&app->rng, app->failure_rate);
        const char *reason = fail ? invoice_failure_reason(job->method, rng_next(&app->rng)) : NULL;
        int64_t at = now_ms();
        inv->status = fail ? INVOICE_FAILED : INVOICE_PAID;
        snprintf(inv->failure_reason, sizeof inv->failure_reason, "%s", reason ? reason : "");
        inv->updated_ms = at;
        inv->paid_ms = fail ? 0 : at;
        const char *type = invoice_event_type(inv->status);
        struct settled_event *ev = &evs[nev];
        invoice_event_id(ev->id);
        ev->payload = invoice_event_payload(inv, type, ev->id, at, app->public_url);
        int applied = 0;
        st = payment_settle_job(conn, inv, at, ev->id, type, ev->payload, lease, &applied);
        if (st == DB_OK && applied) {
            log_info("webhook queued event=%s type=%s invoice=%s", ev->id, type, inv->number);
            nev++;
            if (fail)
                failed++;
            else
                paid++;
        } else {
            /* Not PROCESSING any more: someone settled it already. */
            free(ev->payload);
            ev->payload = NULL;
        }
    }
    /* Fault injection for the crash test: a kill -9 lands inside an open
     * settlement transaction. Never set outside tests. */
    if (st == DB_OK && app->test_settle_pause_ms > 0)
        bg_sleep_ms(app->test_settle_pause_ms);
    if (st == DB_OK)
        st = db_commit(conn);
    else
        db_rollback(conn);
    db_release(app->pool, conn);

    if (st == DB_OK) {
        for (int i = 0; i < nev; i++)
            outbox_queue_push(app->webhooks, evs[i].id, evs[i].payload, lease);
        for (int i = 0; i < n; i++)
            log_debug("settlement job done invoice=%s", jobs[i].number);
        log_info("settled batch jobs=%d paid=%d failed=%d", n, paid, failed);
        atomic_fetch_add(&app->paid, paid);
        atomic_fetch_add(&app->failed, failed);
        if (nev > 0)
            payment_wake_delivery(app);
    } else {
        log_warn("settlement batch rolled back status=%s jobs=%d", db_status_name(st), n);
    }
    for (int i = 0; i < n; i++) {
        free(evs[i].payload);
        invoice_cleanup(&invs[i]);
    }
    free(evs);
    free(invs);
    free(jobs);
    return st == DB_OK ? n : -1;
}

int settle_loop_tick(void *arg)
{
    /* Only a full batch says more is surely due: otherwise the loop sleeps
     * until the next pay wakes it (a wake during the tick is not lost), not
     * running an empty claim after each job. */
    int n = settle_tick(arg);
    return n >= SETTLE_BATCH || n < 0 ? n : 0;
}

int expiry_tick(void *arg)
{
    struct payment_app *app = arg;
    struct db_conn *conn = db_acquire(app->pool, ACQUIRE_WAIT_MS);
    if (!conn)
        return -1;

    struct invoice *invs = NULL;
    int n = 0;
    enum db_status st = db_begin(conn);
    if (st == DB_OK)
        st = invoice_store_expire_batch(conn, EXPIRY_BATCH, &invs, &n);
    for (int i = 0; i < n && st == DB_OK; i++)
        st = payment_emit(app, conn, &invs[i]);
    if (st == DB_OK && n > 0)
        st = db_commit(conn);
    else
        db_rollback(conn);
    db_release(app->pool, conn);

    for (int i = 0; i < n; i++) {
        if (st == DB_OK)
            log_info("invoice expired invoice=%s", invs[i].number);
        invoice_cleanup(&invs[i]);
    }
    free(invs);
    if (st != DB_OK) {
        log_warn("expiry batch rolled back status=%s", db_status_name(st));
        return -1;
    }
    if (n > 0) {
        atomic_fetch_add(&app->expired, n);
        payment_wake_delivery(app);
    }
    return n;
}

int delivery_tick(void *arg)
{
    struct payment_app *app = arg;
    return outbox_tick_queue(app->pool, &app->outbox, app->webhooks);
}
