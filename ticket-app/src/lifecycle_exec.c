/* lifecycle_exec.c: the lifecycle's executor (see lifecycle_exec.h). */
#include "lifecycle_exec.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/db.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/util.h"
#include "followup_store.h"
#include "notify.h"
#include "payment_client.h"
#include "seat_store.h"
#include "waitlist_store.h"

enum db_status lifecycle_notify(struct db_conn *c, const char *booking_id)
{
    struct booking b = {0};
    enum db_status st = booking_store_load(c, booking_id, &b);
    if (st != DB_OK)
        return st;
    const char *type =
        lifecycle_notify_type(b.state, b.origin && strcmp(b.origin, "waitlist") == 0);
    if (!type) {
        booking_cleanup(&b);
        return DB_OK;
    }
    char id[64];
    char *payload = notify_payload(&b, type, NULL, now_ms(), id, sizeof id);
    /* A duplicate id (the same change enqueued twice) is a unique violation,
     * which would abort the caller's transaction: fence it in a savepoint. */
    st = db_exec_simple(c, "SAVEPOINT notify_enqueue");
    if (st == DB_OK) {
        st = outbox_enqueue(c, id, type, payload);
        if (st == DB_CONFLICT)
            st = db_exec_simple(c, "ROLLBACK TO SAVEPOINT notify_enqueue");
        else if (st == DB_OK)
            st = db_exec_simple(c, "RELEASE SAVEPOINT notify_enqueue");
    }
    free(payload);
    booking_cleanup(&b);
    return st;
}

enum db_status lifecycle_notify_now(struct db_conn *c, const char *booking_id)
{
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    return db_tx_end(c, lifecycle_notify(c, booking_id));
}

/* The payment window a checkout opens (HOLD_TTL_SECONDS), set at start-up. */
static atomic_long pay_window_s = 420;

void lifecycle_exec_configure(long hold_ttl_s)
{
    atomic_store(&pay_window_s, hold_ttl_s);
}

/* The guard of row t, read under the row lock; *failed is set when it
 * fails, *reason when the refusal has a details.reason. */
static enum db_status check_guard(struct db_conn *c, const char *id, const struct lc_transition *t,
                                  const struct booking_locked *bl, int *failed, const char **reason)
{
    *reason = NULL;
    *failed = 0;
    if (t->guard == LC_G_SELECTION_LIVE || t->guard == LC_G_SELECTION_LAPSED) {
        /* the lock and this clock decide a checkout racing the sweeper:
         * whichever takes the row first, the other finds the state moved */
        *failed = (t->guard == LC_G_SELECTION_LIVE) == bl->lapsed;
        return DB_OK;
    }
    if (t->guard != LC_G_NOT_CHECKED_IN && t->guard != LC_G_NOT_STARTED)
        return DB_OK;
    int checked_in = 0;
    enum db_status st = booking_store_checked_in(c, id, &checked_in);
    if (st != DB_OK)
        return st;
    if (checked_in)
        *reason = "CHECKED_IN";
    else if (t->guard == LC_G_NOT_STARTED && bl->started)
        *reason = "EVENT_STARTED";
    *failed = *reason != NULL;
    return DB_OK;
}

/* The effects of row t on booking id, now in state t->to. */
static enum db_status run_effects(struct db_conn *c, const char *id, const struct lc_transition *t,
                                  enum lc_state to, const struct booking_locked *bl)
{
    unsigned fx = t->effects;
    const char *inv = bl->invoice_number[0] ? bl->invoice_number : NULL;
    enum db_status st = DB_OK;
    if ((fx & LC_FX_RELEASE) && !((fx & LC_FX_KEEP_IF_STARTED) && bl->started))
        st = seat_store_release(c, id, NULL);
    if (st == DB_OK && (fx & LC_FX_ORG_RELEASE))
        st = followup_add_org_release(c, id);
    if (st == DB_OK && (fx & LC_FX_WAITLIST))
        st = waitlist_store_booking_changed(c, id, to);
    if (st == DB_OK && (fx & LC_FX_VOID))
        st = followup_add(c, id, FOLLOWUP_VOID, inv);
    if (st == DB_OK && (fx & LC_FX_REFUND))
        st = followup_add(c, id, FOLLOWUP_REFUND, inv);
    if (st == DB_OK && (fx & LC_FX_RENDER))
        st = followup_add(c, id, FOLLOWUP_RENDER, NULL);
    if (st == DB_OK && (fx & LC_FX_PAY_WINDOW))
        st = booking_store_open_pay_window(c, id, atomic_load(&pay_window_s));
    if (st == DB_OK && (fx & LC_FX_NOTIFY))
        st = lifecycle_notify(c, id);
    return st;
}

enum db_status lifecycle_apply(struct db_conn *c, const char *booking_id, enum lc_event event,
                               const char *webhook_id, const char *webhook_type,
                               struct lc_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->refusal = "";
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    if (webhook_id) {
        int fresh = 0;
        st = booking_store_processed(c, webhook_id, webhook_type ? webhook_type : "", &fresh);
        if (st != DB_OK)
            return db_tx_end(c, st);
        if (!fresh) {
            db_rollback(c);
            out->duplicate = 1;
            return DB_OK;
        }
    }
    struct booking_locked bl;
    st = booking_store_lock(c, booking_id, &bl);
    if (st == DB_NOT_FOUND) {
        if (webhook_id) /* recorded: a payment for a booking we never had */
            return db_tx_end(c, DB_OK);
        db_rollback(c);
        return DB_NOT_FOUND;
    }
    if (st != DB_OK)
        return db_tx_end(c, st);
    out->found = 1;
    out->from = out->to = bl.state;
    const struct lc_transition *t = lifecycle_find(bl.state, event);
    if (t && t->impl != LC_IMPL_EXEC) {
        log_error("lifecycle: %s in %s is run by its own statement, not the executor",
                  lifecycle_event_name(event), lifecycle_state_name(bl.state));
        db_rollback(c);
        return DB_ERROR;
    }
    const char *reason = NULL;
    int failed = 0;
    if (t && (st = check_guard(c, booking_id, t, &bl, &failed, &reason)) != DB_OK)
        return db_tx_end(c, st);
    if (!t || failed) {
        out->refusal = t ? lifecycle_guard_refusal(t->guard) : lifecycle_refusal(event, bl.state);
        out->reason = reason;
        if (webhook_id)
            return db_tx_end(c, DB_OK);
        db_rollback(c);
        return DB_OK;
    }
    enum lc_state to = t->to == LC_SAME ? bl.state : t->to;
    if (t->to != LC_SAME)
        st = booking_store_set_status(c, booking_id, to, t->reason);
    if (st == DB_OK)
        st = run_effects(c, booking_id, t, to, &bl);
    st = db_tx_end(c, st);
    if (st == DB_OK) {
        out->applied = 1;
        out->to = to;
        log_info("booking=%s %s: %s -> %s", booking_id, lifecycle_event_name(event),
                 lifecycle_state_name(bl.state), lifecycle_state_name(to));
    }
    return st;
}

enum db_status lifecycle_attach_invoices(struct db_conn *c, struct booking_attach *rows, int n,
                                         int any_waitlist)
{
    if (!any_waitlist)
        return booking_store_attach_invoices(c, rows, n);
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    st = booking_store_attach_invoices(c, rows, n);
    for (int i = 0; st == DB_OK && i < n; i++)
        if (rows[i].attached && rows[i].waitlist && rows[i].state == LC_PENDING_PAYMENT)
            st = lifecycle_notify(c, rows[i].id); /* booking.created: the offer's news */
    return db_tx_end(c, st);
}

/* Applies event with a few retries on a deadlock. */
static enum db_status apply_retrying(struct app *app, const char *id, enum lc_event event,
                                     struct lc_outcome *out)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return DB_UNAVAILABLE;
    enum db_status st = DB_OK;
    DB_RETRYING(st, lifecycle_apply(c, id, event, NULL, NULL, out));
    db_release(app->pool, c);
    return st;
}

enum lc_expire_result lifecycle_expire_selection(struct app *app, const char *booking_id)
{
    struct lc_outcome o;
    enum db_status st = apply_retrying(app, booking_id, LC_EV_SELECTION_EXPIRE, &o);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        log_warn("selection expiry of booking=%s: %s", booking_id, db_status_name(st));
        return LC_EXPIRE_LATER;
    }
    return LC_EXPIRE_DONE;
}

enum lc_expire_result lifecycle_expire(struct app *app, const char *booking_id,
                                       const char *invoice_number)
{
    enum lc_expiry d = LC_EXPIRY_EXPIRE;
    char err[256] = "";
    if (invoice_number && invoice_number[0]) {
        enum pay_result r = payment_invoice_void(app, invoice_number, err, sizeof err);
        if (r == PAY_OK) {
            d = LC_EXPIRY_EXPIRE; /* voided (or found VOID): it can no longer be paid */
        } else if (r == PAY_CONFLICT || r == PAY_NOT_FOUND) {
            struct invoice_ref inv;
            r = payment_invoice_get(app, invoice_number, &inv, err, sizeof err);
            if (r == PAY_NOT_FOUND)
                d = LC_EXPIRY_EXPIRE; /* payment-app never had it: nothing to pay */
            else if (r != PAY_OK)
                return LC_EXPIRE_LATER;
            else
                d = lifecycle_expiry_decision(inv.status);
            if (d == LC_EXPIRY_VOID_FIRST)
                return LC_EXPIRE_LATER; /* PENDING after a refused void: a race, ask again */
        } else {
            log_warn("expiry of booking=%s: payment-app unreachable (%s): kept", booking_id, err);
            return LC_EXPIRE_LATER;
        }
    }
    enum lc_event ev = LC_EV_EXPIRE;
    switch (d) {
    case LC_EXPIRY_WAIT:
        log_info("booking=%s ran out with its payment in flight: waiting for the settlement",
                 booking_id);
        return LC_EXPIRE_WAITING;
    case LC_EXPIRY_FAILED:
        ev = LC_EV_PAYMENT_FAILED;
        break;
    case LC_EXPIRY_REFUNDED:
        ev = LC_EV_REFUNDED;
        break;
    default:
        break;
    }
    struct lc_outcome o;
    enum db_status st = apply_retrying(app, booking_id, ev, &o);
    if (st != DB_OK && st != DB_NOT_FOUND) {
        log_warn("expiry of booking=%s: %s", booking_id, db_status_name(st));
        return LC_EXPIRE_LATER;
    }
    return LC_EXPIRE_DONE;
}
