/* loops.c: background loops (see loops.h). Claims are short autocommitted
 * statements or one transaction per batch; every HTTP call happens with no
 * transaction open. */
#include "loops.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "booking.h"
#include "booking_flow.h"
#include "booking_store.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "lifecycle_exec.h"
#include "notify.h"
#include "organizer.h"
#include "payment_client.h"
#include "ticket_render.h"

#define SWEEP_BATCH 50
#define SWEEP_RECHECK_S 5 /* a hold whose payment is in flight is asked about again */

/* The hold sweeper: each run-out hold is ended through the model's EXPIRE
 * (lifecycle_expire), which asks payment-app first; one whose payment is
 * in flight is looked at again after SWEEP_RECHECK_S, not before. A
 * lapsed selection (HELD) ends through SELECTION_EXPIRE. */
int loops_sweep_tick(void *arg)
{
    struct app *app = arg;
    char ids[SWEEP_BATCH][37], invoices[SWEEP_BATCH][64];
    enum lc_state states[SWEEP_BATCH];
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return -1;
    int n = booking_store_claim_due(c, SWEEP_BATCH, SWEEP_RECHECK_S, ids, invoices, states);
    db_release(app->pool, c);
    if (n < 0) {
        log_warn("hold sweeper: database");
        return -1;
    }
    int ended = 0;
    for (int i = 0; i < n; i++) {
        /* a lapsed selection has no invoice to ask about; a checkout that
         * took it meanwhile makes its SELECTION_EXPIRE a no-op */
        enum lc_expire_result r = states[i] == LC_HELD ? lifecycle_expire_selection(app, ids[i])
                                                       : lifecycle_expire(app, ids[i], invoices[i]);
        if (r == LC_EXPIRE_DONE)
            ended++;
    }
    if (ended > 0) {
        log_info("hold sweeper ended %d booking(s)", ended);
        app_wake(app);
    }
    return n >= SWEEP_BATCH ? n : 0;
}

int loops_notify_tick(void *arg)
{
    struct app *app = arg;
    return outbox_tick_queue(app->pool, &app->notify_cfg, notify_queue());
}

long followup_backoff_ms(int attempts, double jitter01)
{
    return backoff_ms(1000, 600000, attempts, jitter01);
}

/* Learns the invoice number of a booking whose number was never stored:
 * payment-app's create is idempotent on booking_id, so asking again
 * returns the invoice if one exists (or makes one that is voided next). */
static enum pay_result resolve_invoice(struct app *app, const char *booking_id, char *number,
                                       size_t numlen, char *err, size_t errlen)
{
    struct booking b = {0};
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        snprintf(err, errlen, "database unavailable");
        return PAY_RETRY;
    }
    enum db_status st = booking_store_load(c, booking_id, &b);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        return PAY_NOT_FOUND;
    if (st != DB_OK) {
        snprintf(err, errlen, "load: %s", db_status_name(st));
        return PAY_RETRY;
    }
    if (b.invoice_number) {
        snprintf(number, numlen, "%s", b.invoice_number);
        booking_cleanup(&b);
        return PAY_OK;
    }
    struct invoice_ref inv;
    char *desc = booking_invoice_description(b.event_name, b.seats, b.nseats);
    enum pay_result r =
        payment_invoice_create(app, b.id, b.amount, b.currency,
                               b.expires_at ? b.expires_at : b.created_at, desc, &inv, err, errlen);
    free(desc);
    booking_cleanup(&b);
    if (r == PAY_OK)
        snprintf(number, numlen, "%s", inv.number);
    return r;
}

static int run_void(struct app *app, const struct followup *f, char *err, size_t errlen)
{
    char number[64];
    snprintf(number, sizeof number, "%s", f->invoice_number);
    if (!number[0]) {
        enum pay_result r = resolve_invoice(app, f->booking_id, number, sizeof number, err, errlen);
        if (r == PAY_RETRY)
            return -1;
        if (r != PAY_OK) {
            log_warn("void booking=%s: no invoice to void (%s)", f->booking_id, err);
            return 0;
        }
    }
    enum pay_result r = payment_invoice_void(app, number, err, errlen);
    switch (r) {
    case PAY_OK:
        log_info("invoice %s voided (booking=%s)", number, f->booking_id);
        return 0;
    case PAY_CONFLICT:
    case PAY_NOT_FOUND:
        /* Not PENDING any more: expired or failed needs nothing; a payment
         * that went through arrives as invoice.paid and is refunded. */
        log_info("invoice %s not voidable (%s): nothing to do", number, err);
        return 0;
    case PAY_REJECTED:
        log_error("void of invoice %s rejected: %s", number, err);
        return -1;
    default:
        return -1;
    }
}

static int run_refund(struct app *app, const struct followup *f, char *err, size_t errlen)
{
    if (!f->invoice_number[0]) {
        log_error("refund booking=%s: no invoice number known", f->booking_id);
        return 0;
    }
    enum pay_result r = payment_invoice_refund(app, f->invoice_number, err, errlen);
    if (r == PAY_OK) {
        log_info("invoice %s refunded (booking=%s)", f->invoice_number, f->booking_id);
        return 0;
    }
    if (r == PAY_CONFLICT) {
        struct invoice_ref inv;
        char e2[128];
        if (payment_invoice_get(app, f->invoice_number, &inv, e2, sizeof e2) != PAY_OK)
            return -1;
        if (lifecycle_expiry_decision(inv.status) == LC_EXPIRY_WAIT)
            return -1; /* PAID or PROCESSING: the refund is due once it settles */
        log_info("invoice %s is %s: no refund needed", f->invoice_number, inv.status);
        return 0;
    }
    if (r == PAY_NOT_FOUND) {
        log_error("refund: invoice %s unknown at payment-app", f->invoice_number);
        return 0;
    }
    return -1;
}

int followup_run(struct app *app, const struct followup *f, char *err, size_t errlen)
{
    if (strcmp(f->kind, FOLLOWUP_VOID) == 0)
        return run_void(app, f, err, errlen);
    if (strcmp(f->kind, FOLLOWUP_REFUND) == 0)
        return run_refund(app, f, err, errlen);
    if (strcmp(f->kind, FOLLOWUP_ORG_RELEASE) == 0) {
        if (app->organizer->release(app->organizer, f->booking_id) == 0)
            return 0;
        snprintf(err, errlen, "organizer release failed");
        return -1;
    }
    if (strcmp(f->kind, FOLLOWUP_RENDER) == 0)
        return ticket_render_booking(app, f->booking_id, err, errlen);
    snprintf(err, errlen, "unknown follow-up kind %s", f->kind);
    return -1;
}

static struct rng jitter_rng;
static pthread_once_t jitter_once = PTHREAD_ONCE_INIT;
static void jitter_init(void)
{
    rng_init(&jitter_rng, 0);
}

static int followup_tick(struct app *app, const char *kinds, int batch, long lease_ms)
{
    pthread_once(&jitter_once, jitter_init);
    struct followup fs[16];
    char token[33];
    rand_hex(token, 16);
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return -1;
    int n = followup_claim(c, kinds, batch, lease_ms, token, fs);
    db_release(app->pool, c);
    if (n <= 0)
        return n;
    for (int i = 0; i < n; i++) {
        char err[256] = "";
        int rc, closed = 0;
        if (strcmp(fs[i].kind, FOLLOWUP_RENDER) == 0)
            rc = ticket_render_followup(app, fs[i].booking_id, fs[i].id, token, &closed, err,
                                        sizeof err);
        else
            rc = followup_run(app, &fs[i], err, sizeof err);
        if (rc == 0 && closed)
            continue; /* closed by the statement that stored the ticket */
        c = db_acquire(app->pool, APP_DB_WAIT_MS);
        if (!c)
            return -1; /* the lease runs out and the row is taken again */
        if (rc == 0) {
            followup_done(c, fs[i].id, token);
        } else {
            int give_up = fs[i].attempts >= FOLLOWUP_MAX_ATTEMPTS;
            long delay = followup_backoff_ms(fs[i].attempts, rng_double(&jitter_rng));
            log_write(give_up ? LOG_ERROR : LOG_WARN,
                      "follow-up %s booking=%s attempt %d failed: %s%s", fs[i].kind,
                      fs[i].booking_id, fs[i].attempts, err, give_up ? " (giving up)" : "");
            followup_retry(c, fs[i].id, token, delay, err, give_up);
        }
        db_release(app->pool, c);
    }
    /* Only a full batch says more is surely due: otherwise sleep until the
     * next wake (one during the tick is not lost) instead of an empty claim
     * after every follow-up. */
    return n >= batch ? n : 0;
}

int loops_followup_http_tick(void *arg)
{
    struct app *app = arg;
    return followup_tick(app, "{VOID,REFUND,ORG_RELEASE}", 8, app->payment_timeout_ms * 4 + 10000);
}

int loops_followup_render_tick(void *arg)
{
    /* A render takes milliseconds (two waits for a pooled connection at
     * most, APP_DB_WAIT_MS each): a crashed renderer's claim comes back
     * after 20 s, not two minutes. A second render of the same version
     * stores the same ticket and writes no second notification. */
    return followup_tick(arg, "{RENDER}", 4, 2 * APP_DB_WAIT_MS + 10000);
}
