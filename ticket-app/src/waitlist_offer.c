/* waitlist_offer.c: the OFFER follow-up loop (see waitlist_offer.h). */
#include "waitlist_offer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "booking.h"
#include "booking_store.h"
#include "common/bg.h"
#include "common/log.h"
#include "common/rand.h"
#include "followup_store.h"
#include "lifecycle_exec.h"
#include "organizer.h"
#include "payment_client.h"
#include "waitlist.h"

#define OFFER_BATCH 8
#define OFFER_IDLE_MS 200 /* releases happen in other modules' handlers: poll */

static struct bg_loop *offer_loop;

static struct rng jitter_rng;
static pthread_mutex_t jitter_lock = PTHREAD_MUTEX_INITIALIZER;

static double jitter(void)
{
    pthread_mutex_lock(&jitter_lock);
    double j = rng_double(&jitter_rng);
    pthread_mutex_unlock(&jitter_lock);
    return j;
}

static enum db_status load(struct app *app, const char *id, struct booking *b)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return DB_UNAVAILABLE;
    enum db_status st = booking_store_load(c, id, b);
    db_release(app->pool, c);
    return st;
}

int waitlist_offer_run(struct app *app, const char *booking_id, char *err, size_t errlen)
{
    struct booking b = {0};
    enum db_status st = load(app, booking_id, &b);
    if (st == DB_NOT_FOUND) {
        log_error("waitlist offer: booking=%s not found", booking_id);
        return 0;
    }
    if (st != DB_OK) {
        snprintf(err, errlen, "load: %s", db_status_name(st));
        return -1;
    }
    int rc = 0;
    if (b.state != LC_PENDING_PAYMENT) {
        log_info("waitlist offer booking=%s is %s: nothing to do", booking_id, b.status);
        goto out;
    }
    if (!b.organizer_held_at) {
        const char *seat_ids[BOOKING_SEATS_MAX];
        size_t n = 0;
        for (size_t i = 0; i < b.nseats && n < BOOKING_SEATS_MAX; i++)
            seat_ids[n++] = b.seats[i].id;
        if (app->organizer->hold(app->organizer, booking_id, b.event_id, seat_ids, n) != 0) {
            atomic_fetch_add(&app->n_hold_rejected, 1);
            snprintf(err, errlen, "organizer refused the hold");
            rc = -1;
            goto out;
        }
        struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
        st = c ? booking_store_set_organizer_held(c, booking_id) : DB_UNAVAILABLE;
        db_release(app->pool, c);
        if (st != DB_OK) {
            snprintf(err, errlen, "note organizer hold: %s", db_status_name(st));
            rc = -1;
            goto out;
        }
    }
    if (!b.invoice_number) {
        struct invoice_ref inv;
        char *desc = booking_invoice_description(b.event_name, b.seats, b.nseats);
        enum pay_result pr = payment_invoice_create(app, booking_id, b.amount, b.currency,
                                                    b.expires_at, desc, &inv, err, errlen);
        free(desc);
        if (pr != PAY_OK) {
            /* Retried until it works or the booking stops being pending;
             * an invoice that was made after all is found again (payment-
             * app is idempotent on booking_id) or voided with the booking. */
            atomic_fetch_add(&app->n_payment_unavailable, 1);
            rc = -1;
            goto out;
        }
        struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
        st = DB_UNAVAILABLE;
        struct booking_attach row = {
            .id = booking_id, .number = inv.number, .url = inv.payment_url};
        /* INVOICE_ATTACHED: also enqueues booking.created, or a VOID
         * when the booking stopped being pending meanwhile. */
        if (c)
            DB_RETRYING(st, lifecycle_attach_invoices(c, &row, 1, 1));
        free(row.updated_at);
        db_release(app->pool, c);
        if (st != DB_OK) {
            snprintf(err, errlen, "attach invoice: %s", db_status_name(st));
            rc = -1;
            goto out;
        }
        log_info("waitlist offer booking=%s user=%s invoice=%s", booking_id, b.user_id, inv.number);
        if (app->notifier)
            bg_wake(app->notifier);
        if (app->followup_http)
            bg_wake(app->followup_http);
    }
out:
    booking_cleanup(&b);
    return rc;
}

int waitlist_offer_tick(void *arg)
{
    struct app *app = arg;
    struct followup fs[OFFER_BATCH];
    char token[33];
    rand_hex(token, 16);
    long lease_ms = app->payment_timeout_ms * 2 + app->organizer_latency_ms + 10000;
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return -1;
    int n = followup_claim(c, "{OFFER}", OFFER_BATCH, lease_ms, token, fs);
    db_release(app->pool, c);
    if (n <= 0)
        return n;
    for (int i = 0; i < n; i++) {
        char err[256] = "";
        int rc = waitlist_offer_run(app, fs[i].booking_id, err, sizeof err);
        c = db_acquire(app->pool, APP_DB_WAIT_MS);
        if (!c)
            return -1; /* the lease runs out and the row is claimed again */
        if (rc == 0) {
            followup_done(c, fs[i].id, token);
        } else {
            long delay = waitlist_offer_retry_ms(fs[i].attempts, jitter());
            log_warn("waitlist offer booking=%s attempt %d failed: %s", fs[i].booking_id,
                     fs[i].attempts, err);
            /* Never given up: the booking's expiry ends the offer. */
            followup_retry(c, fs[i].id, token, delay, err, 0);
        }
        db_release(app->pool, c);
    }
    return n;
}

void waitlist_offer_start(struct app *app)
{
    rng_init(&jitter_rng, 0);
    offer_loop = bg_start("waitlist-offers", waitlist_offer_tick, app, OFFER_IDLE_MS);
}

void waitlist_offer_stop(void)
{
    if (offer_loop)
        bg_stop(offer_loop);
    offer_loop = NULL;
}

void waitlist_offer_wake(void)
{
    if (offer_loop)
        bg_wake(offer_loop);
}
