/* booking_flow.c: hold -> organizer -> invoice (see booking_flow.h). */
#include "booking_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attach_batch.h"
#include "booking_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/util.h"
#include "event_store.h"
#include "organizer.h"
#include "payment_client.h"
#include "seat_store.h"

#define DB_TRIES 3          /* a deadlock victim is run again */
#define INVOICE_TRIES 3     /* quick retries before giving up on payment-app */
#define REPLAY_WAIT_MS 5000 /* a replay waits this long for the first attempt */

void app_wake(struct app *app)
{
    if (app->notifier)
        bg_wake(app->notifier);
    if (app->followup_http)
        bg_wake(app->followup_http);
    if (app->followup_render)
        bg_wake(app->followup_render);
}

void booking_flow_answer(struct http_res *res, const struct booking *b)
{
    const char *code = NULL;
    int status = booking_outcome_http(b, &code);
    json_t *j = booking_json(b);
    if (status == 201) {
        http_res_json(res, 201, j);
        return;
    }
    /* The TicketBooking fields sit at the top level beside "error"
     * (CONVENTIONS.md), and also under "booking" (API.md's shape). */
    json_t *extra = json_deep_copy(j);
    json_object_set_new(extra, "booking", j);
    const char *msg = strcmp(code, "SEAT_UNAVAILABLE") == 0 ? "a requested seat is not available"
                      : strcmp(code, "HOLD_REJECTED") == 0
                          ? "the organizer's system refused to hold the seats"
                          : "the payment service could not be reached";
    http_res_error_full(res, status, code, msg, NULL, extra);
}

/* Loads booking id on a fresh connection; DB_* status. */
static enum db_status load(struct app *app, const char *id, struct booking *b)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return DB_UNAVAILABLE;
    enum db_status st = booking_store_load(c, id, b);
    db_release(app->pool, c);
    return st;
}

/* Loads and answers; 503 if the database fails. */
static void answer_current(struct app *app, const char *id, struct http_res *res)
{
    struct booking b = {0};
    enum db_status st = load(app, id, &b);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    booking_flow_answer(res, &b);
    booking_cleanup(&b);
}

static enum db_status fail_booking(struct app *app, const char *id, const char *reason,
                                   int void_invoice)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return DB_UNAVAILABLE;
    enum db_status st = DB_OK;
    int changed = 0;
    for (int i = 0; i < DB_TRIES; i++) {
        st = booking_store_fail(c, id, reason, void_invoice, &changed);
        if (st != DB_RETRY)
            break;
    }
    db_release(app->pool, c);
    app_wake(app);
    if (st != DB_OK)
        log_error("could not fail booking=%s reason=%s: %s", id, reason, db_status_name(st));
    return st;
}

/* Notes the organizer's acceptance on its own (the paths where the invoice's
 * statement does not carry it). */
static void note_organizer_held(struct app *app, const char *id)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    enum db_status st = c ? booking_store_set_organizer_held(c, id) : DB_UNAVAILABLE;
    db_release(app->pool, c);
    if (st != DB_OK)
        log_warn("could not note organizer hold booking=%s: %s", id, db_status_name(st));
}

/* The part after the hold: organizer, then invoice. Every step checks the
 * stored state first, so it can run again for the same booking. given, if
 * not NULL, is the booking as just stored (taken over: no reading again). */
static void continue_flow(struct app *app, const char *id, struct booking *given,
                          struct http_res *res)
{
    struct booking b = {0};
    int current = 0;   /* b is what is stored: answer it without reading again */
    int org_noted = 1; /* the organizer's acceptance is stored (or not asked) */
    enum db_status st = DB_OK;
    if (given) {
        b = *given;
        memset(given, 0, sizeof *given);
    } else if ((st = load(app, id, &b)) != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    if (strcmp(b.status, "PENDING_PAYMENT") != 0)
        goto out;

    if (!b.organizer_held_at) {
        const char *seat_ids[BOOKING_MAX_SEATS];
        size_t n = 0;
        for (size_t i = 0; i < b.nseats && n < BOOKING_MAX_SEATS; i++)
            seat_ids[n++] = b.seats[i].id;
        if (app->organizer->hold(app->organizer, id, b.event_id, seat_ids, n) != 0) {
            atomic_fetch_add(&app->n_hold_rejected, 1);
            fail_booking(app, id, "HOLD_REJECTED", 0);
            goto out;
        }
        /* noted with the invoice below, in the same statement */
        org_noted = 0;
    }

    if (!b.invoice_number) {
        struct invoice_ref inv;
        char err[256] = "";
        enum pay_result pr = PAY_RETRY;
        char *desc = booking_invoice_description(b.event_name, b.seats, b.nseats);
        for (int i = 0; i < INVOICE_TRIES; i++) {
            if (i)
                sleep_ms(150L * i);
            pr = payment_invoice_create(app, id, b.amount, b.currency, b.expires_at, desc, &inv,
                                        err, sizeof err);
            if (pr != PAY_RETRY)
                break;
        }
        free(desc);
        if (pr != PAY_OK) {
            /* Chosen: answer now (503) rather than keep seats held for an
             * invoice that may never come. The invoice might exist even so
             * (a lost answer): the VOID follow-up finds and voids it. The
             * acceptance is noted first, so the release reaches the
             * organizer. */
            log_warn("invoice for booking=%s failed: %s", id, err);
            atomic_fetch_add(&app->n_payment_unavailable, 1);
            if (!org_noted)
                note_organizer_held(app, id);
            fail_booking(app, id, "TICKET_SERVICE_UNAVAILABLE", 1);
            goto out;
        }
        /* the common case, grouped with the holds finishing beside it */
        st = attach_batch_run(app->attach, &b, inv.number, inv.payment_url, &current);
        struct db_conn *c = NULL;
        if (current)
            org_noted = 1;
        else if (st == DB_OK && !(c = db_acquire(app->pool, APP_DB_WAIT_MS)))
            st = DB_UNAVAILABLE;
        if (c && st == DB_OK && !current && !org_noted) {
            st = booking_store_set_organizer_held(c, id);
            org_noted = st == DB_OK;
        }
        for (int i = 0; c && st == DB_OK && !current && i < DB_TRIES; i++) {
            st = booking_store_attach_invoice(c, id, inv.number, inv.payment_url);
            if (st != DB_RETRY)
                break;
        }
        db_release(app->pool, c);
        if (!current)
            app_wake(app); /* a waitlist offer's notification, or a VOID */
        if (st != DB_OK) {
            booking_cleanup(&b);
            http_res_db_error(res, st);
            return;
        }
    }
    if (!org_noted)
        note_organizer_held(app, id);
out:
    /* b is the stored booking when the invoice was just attached the
     * direct way (nothing else changes a pending booking's answer); else
     * the answer is read again */
    if (current)
        booking_flow_answer(res, &b);
    booking_cleanup(&b);
    if (!current)
        answer_current(app, id, res);
}

static void replay(struct app *app, const struct booking_request *rq, struct booking *b,
                   struct http_res *res)
{
    if (strcmp(b->event_id, rq->event_id) != 0 || strcmp(b->user_id, rq->user_id) != 0) {
        http_res_error(res, 409, "BOOKING_ID_REUSED",
                       "booking_id is already used by a different booking");
        return;
    }
    /* The first attempt may still be at the organizer or at payment-app:
     * give it a moment, then resume (each step is idempotent). */
    int64_t until = mono_ms() + REPLAY_WAIT_MS;
    while (strcmp(b->status, "PENDING_PAYMENT") == 0 && !b->invoice_number && mono_ms() < until) {
        sleep_ms(100);
        struct booking again = {0};
        if (load(app, rq->booking_id, &again) != DB_OK)
            break;
        booking_cleanup(b);
        *b = again;
    }
    if (strcmp(b->status, "PENDING_PAYMENT") == 0 && !b->invoice_number) {
        continue_flow(app, rq->booking_id, NULL, res);
        return;
    }
    booking_flow_answer(res, b);
}

void booking_flow_create(struct app *app, const struct booking_request *rq, struct http_res *res)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        http_res_db_error(res, DB_UNAVAILABLE);
        return;
    }
    /* Nearly every request is decided by one statement: held, or refused
     * and stored. */
    struct booking b = {0};
    enum try_hold_outcome tried = TRY_SLOW;
    enum db_status st = DB_OK;
    for (int i = 0; i < DB_TRIES; i++) {
        st = booking_store_try_hold(c, rq, app->hold_ttl_s, &tried, &b);
        if (st != DB_RETRY)
            break;
    }
    if (st != DB_OK)
        goto db_error;
    if (tried == TRY_HELD) {
        db_release(app->pool, c);
        atomic_fetch_add(&app->n_holds, 1);
        continue_flow(app, rq->booking_id, &b, res);
        return;
    }
    if (tried == TRY_REFUSED) {
        db_release(app->pool, c);
        atomic_fetch_add(&app->n_seat_unavailable, 1);
        booking_flow_answer(res, &b);
        booking_cleanup(&b);
        return;
    }
    if (tried == TRY_NO_EVENT) {
        db_release(app->pool, c);
        http_res_error(res, 404, "NOT_FOUND", "event not found");
        return;
    }

    /* The general path (a known id, an unknown or foreign seat, a hold that
     * ran out): the hold in a transaction of its own, which also expires
     * the bookings whose seats it takes. Why a hold did not happen is asked
     * afterwards; a hold that did not happen changed nothing. */
    enum hold_outcome outcome = tried == TRY_EXISTS ? HOLD_EXISTS : HOLD_UNAVAILABLE;
    int expired = 0;
    for (int i = 0; tried == TRY_SLOW && i < DB_TRIES; i++) {
        st = booking_store_hold(c, rq, app->hold_ttl_s, &outcome, &expired);
        if (st != DB_RETRY)
            break;
    }
    if (st != DB_OK)
        goto db_error;
    if (outcome == HOLD_OK) {
        db_release(app->pool, c);
        atomic_fetch_add(&app->n_holds, 1);
        if (expired)
            app_wake(app); /* what the bookings it expired have to say */
        continue_flow(app, rq->booking_id, NULL, res);
        return;
    }

    if (outcome == HOLD_EXISTS) {
        st = booking_store_load(c, rq->booking_id, &b);
        if (st == DB_OK) {
            db_release(app->pool, c);
            replay(app, rq, &b, res);
            booking_cleanup(&b);
            return;
        }
        if (st != DB_NOT_FOUND)
            goto db_error;
        /* not a known id: nothing was inserted for want of the event */
    }
    char currency[8];
    st = event_store_currency(c, rq->event_id, currency, sizeof currency);
    if (st == DB_NOT_FOUND) {
        db_release(app->pool, c);
        http_res_error(res, 404, "NOT_FOUND", "event not found");
        return;
    }
    if (st == DB_OK && outcome == HOLD_EXISTS)
        st = DB_RETRY; /* the event appeared meanwhile: the client may retry */
    if (st != DB_OK)
        goto db_error;
    char ids[BOOKING_MAX_SEATS * 38 + 4];
    seat_ids_literal((const char(*)[37])rq->seat_ids, rq->nseats, ids, sizeof ids);
    int unknown = 0, foreign = 0;
    st = seat_store_check(c, rq->event_id, ids, &unknown, &foreign);
    if (st != DB_OK)
        goto db_error;
    if (unknown) {
        db_release(app->pool, c);
        http_res_error(res, 404, "SEAT_NOT_FOUND", "a requested seat does not exist");
        return;
    }
    if (foreign) {
        db_release(app->pool, c);
        http_res_error_full(res, 400, "VALIDATION_FAILED", "a seat belongs to another event",
                            json_pack("{s:s}", "seat_ids", "seats must belong to event_id"), NULL);
        return;
    }

    atomic_fetch_add(&app->n_seat_unavailable, 1);
    int inserted = 0;
    for (int i = 0; i < DB_TRIES; i++) {
        st = booking_store_record_failed(c, rq, "SEAT_UNAVAILABLE", &inserted);
        if (st != DB_RETRY)
            break;
    }
    if (st != DB_OK)
        goto db_error;
    /* The failed attempt is stored (or the id appeared meanwhile): answer
     * what is stored for it. */
    st = booking_store_load(c, rq->booking_id, &b);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    booking_flow_answer(res, &b);
    booking_cleanup(&b);
    return;

db_error:
    db_release(app->pool, c);
    log_warn("booking=%s database: %s", rq->booking_id, db_status_name(st));
    http_res_db_error(res, st);
}
