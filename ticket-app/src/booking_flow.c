/* booking_flow.c: hold -> organizer -> invoice (see booking_flow.h). */
#include "booking_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attach_batch.h"
#include "booking_store.h"
#include "common/db.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/util.h"
#include "lifecycle_exec.h"
#include "organizer.h"
#include "payment_client.h"
#include "seat_store.h"

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

/* The message of each refusal code booking_outcome_http can give. */
static const char *refusal_message(const char *code)
{
    static const struct {
        const char *code, *msg;
    } m[] = {
        {"SEAT_UNAVAILABLE", "a requested seat is not available"},
        {"HOLD_REJECTED", "the organizer's system refused to hold the seats"},
        {"EVENT_CANCELLED", "the event is cancelled"},
        {"SALES_NOT_OPEN", "sales for this event have not opened yet"},
        {"SALES_CLOSED", "sales for this event have closed"},
        {"LIMIT_REACHED", "this would exceed the seats one user may hold for the event"},
        {"HOLD_EXPIRED", "the selection lock ran out before checkout"},
        {"NOT_HELD", "the booking is not held for selection"},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(code, m[i].code) == 0)
            return m[i].msg;
    return "the payment service could not be reached";
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
    json_t *details = NULL;
    if (strcmp(code, "SEAT_UNAVAILABLE") == 0) {
        json_t *ids = b->unavailable_seats ? json_loads(b->unavailable_seats, 0, NULL) : NULL;
        details = json_pack("{s:o}", "seat_ids", json_is_array(ids) ? ids : json_array());
        if (ids && !json_is_array(ids))
            json_decref(ids);
    }
    http_res_error_full(res, status, code, refusal_message(code), details, extra);
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

/* ORG_FAIL or INVOICE_FAILED through the model. */
static enum db_status fail_booking(struct app *app, const char *id, enum lc_event event)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c)
        return DB_UNAVAILABLE;
    enum db_status st = DB_OK;
    struct lc_outcome o;
    DB_RETRYING(st, lifecycle_apply(c, id, event, NULL, NULL, &o));
    db_release(app->pool, c);
    app_wake(app);
    if (st != DB_OK)
        log_error("could not fail booking=%s (%s): %s", id, lifecycle_event_name(event),
                  db_status_name(st));
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

/* The part after the hold: organizer, then invoice (a HELD selection
 * stops after the organizer: its invoice comes with CHECKOUT). Every step
 * checks the stored state first, so it can run again for the same
 * booking. given, if not NULL, is the booking as just stored (taken over:
 * no reading again). */
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
    if (b.state != LC_PENDING_PAYMENT && b.state != LC_HELD)
        goto out;

    if (!b.organizer_held_at) {
        const char *seat_ids[BOOKING_SEATS_MAX];
        size_t n = 0;
        for (size_t i = 0; i < b.nseats && n < BOOKING_SEATS_MAX; i++)
            seat_ids[n++] = b.seats[i].id;
        if (app->organizer->hold(app->organizer, id, b.event_id, seat_ids, n) != 0) {
            atomic_fetch_add(&app->n_hold_rejected, 1);
            fail_booking(app, id, LC_EV_ORG_FAIL);
            goto out;
        }
        /* noted with the invoice below, in the same statement */
        org_noted = 0;
    }
    if (b.state == LC_HELD) {
        if (!org_noted)
            note_organizer_held(app, id);
        current = 1; /* the organizer's note is not part of the answer */
        goto out;
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
            fail_booking(app, id, LC_EV_INVOICE_FAILED);
            goto out;
        }
        /* INVOICE_ATTACHED, grouped with the holds finishing beside it */
        st = attach_batch_run(app->attach, &b, inv.number, inv.payment_url, &current);
        org_noted = 1; /* the statement notes it with the invoice */
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

/* 1 while the steps after a hold have not all run: a pending booking
 * without its invoice, a selection without the organizer's answer. */
static int flow_unfinished(const struct booking *b)
{
    return (b->state == LC_PENDING_PAYMENT && !b->invoice_number) ||
           (b->state == LC_HELD && !b->organizer_held_at);
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
    while (flow_unfinished(b) && mono_ms() < until) {
        sleep_ms(100);
        struct booking again = {0};
        if (load(app, rq->booking_id, &again) != DB_OK)
            break;
        booking_cleanup(b);
        *b = again;
    }
    if (flow_unfinished(b)) {
        continue_flow(app, rq->booking_id, NULL, res);
        return;
    }
    booking_flow_answer(res, b);
}

/* Ends, through the model, the bookings whose run-out holds sit on seats a
 * hold asks for (lapsed: a JSON array of ids). Each asks payment-app first
 * (lifecycle_expire): a hold whose payment is in flight keeps its seat. */
static void end_lapsed(struct app *app, const char *lapsed)
{
    json_t *ids = lapsed ? json_loads(lapsed, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        struct booking old = {0};
        if (!id || load(app, id, &old) != DB_OK)
            continue;
        if (old.state == LC_PENDING_PAYMENT) {
            log_info("hold asks for a seat of run-out booking=%s", id);
            lifecycle_expire(app, id, old.invoice_number);
        } else if (old.state == LC_HELD) {
            log_info("hold asks for a seat of lapsed selection booking=%s", id);
            lifecycle_expire_selection(app, id);
        }
        booking_cleanup(&old);
    }
    json_decref(ids);
    app_wake(app);
}

void booking_flow_create(struct app *app, const struct booking_request *rq,
                         const struct attendee_list *al, struct http_res *res)
{
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        http_res_db_error(res, DB_UNAVAILABLE);
        return;
    }
    /* HOLD: one statement decides, held or refused and stored. A seat
     * whose hold ran out is first ended through the model (EXPIRE), then
     * the statement runs again once. */
    struct booking b = {0};
    enum try_hold_outcome tried = TRY_SLOW;
    enum db_status st = DB_OK;
    int lapsed_pass = 0;
    char *names = attendee_list_json(al);
    for (int pass = 0; pass < 2; pass++) {
        char *lapsed = NULL;
        lapsed_pass = pass;
        DB_RETRYING(st, booking_store_try_hold(
                            c, rq, names, rq->selection ? app->selection_ttl_s : app->hold_ttl_s,
                            app->max_seats_per_user, pass, &tried, &b, &lapsed));
        if (st != DB_OK || tried != TRY_LAPSED) {
            free(lapsed);
            break;
        }
        db_release(app->pool, c);
        end_lapsed(app, lapsed);
        free(lapsed);
        if (!(c = db_acquire(app->pool, APP_DB_WAIT_MS))) {
            free(names);
            http_res_db_error(res, DB_UNAVAILABLE);
            return;
        }
    }
    free(names);
    if (st != DB_OK)
        goto db_error;
    /* A refusal that took the slow path (payment-app asked about run-out
     * holds) may answer after client-app gave up waiting: it is notified
     * too, so client-app's history agrees. The common refusal is answered
     * only. */
    if (tried == TRY_REFUSED && lapsed_pass) {
        enum db_status ns = lifecycle_notify_now(c, rq->booking_id);
        if (ns != DB_OK)
            log_warn("refusal of booking=%s not notified: %s", rq->booking_id, db_status_name(ns));
        app_wake(app);
    }
    switch (tried) {
    case TRY_HELD:
        db_release(app->pool, c);
        atomic_fetch_add(&app->n_holds, 1);
        continue_flow(app, rq->booking_id, &b, res);
        return;
    case TRY_REFUSED:
        db_release(app->pool, c);
        atomic_fetch_add(&app->n_seat_unavailable, 1);
        booking_flow_answer(res, &b);
        booking_cleanup(&b);
        return;
    case TRY_NO_EVENT:
        db_release(app->pool, c);
        http_res_error(res, 404, "NOT_FOUND", "event not found");
        return;
    case TRY_NAMES_MISSING:
        db_release(app->pool, c);
        http_res_error_full(res, 400, "VALIDATION_FAILED", "this event needs a name for every seat",
                            json_pack("{s:s, s:o}", "attendees", "required: a name for every seat",
                                      "seat_ids", attendee_missing(rq, al)),
                            NULL);
        return;
    case TRY_EXISTS:
        st = booking_store_load(c, rq->booking_id, &b);
        db_release(app->pool, c);
        if (st != DB_OK) {
            http_res_db_error(res, st);
            return;
        }
        replay(app, rq, &b, res);
        booking_cleanup(&b);
        return;
    case TRY_LAPSED: /* a second pass never answers it */
    case TRY_SLOW:
        break;
    }
    /* An unknown or foreign seat: nothing was stored. */
    char ids[BOOKING_SEATS_MAX * 38 + 4];
    seat_ids_literal((const char(*)[37])rq->seat_ids, rq->nseats, ids, sizeof ids);
    int unknown = 0, foreign = 0;
    st = seat_store_check(c, rq->event_id, ids, &unknown, &foreign);
    if (st != DB_OK)
        goto db_error;
    db_release(app->pool, c);
    if (unknown) {
        http_res_error(res, 404, "SEAT_NOT_FOUND", "a requested seat does not exist");
        return;
    }
    http_res_error_full(res, 400, "VALIDATION_FAILED", "a seat belongs to another event",
                        json_pack("{s:s}", "seat_ids", "seats must belong to event_id"), NULL);
    return;

db_error:
    db_release(app->pool, c);
    log_warn("booking=%s database: %s", rq->booking_id, db_status_name(st));
    http_res_db_error(res, st);
}

void booking_flow_checkout(struct app *app, const char *id, const char *user_id,
                           struct http_res *res)
{
    struct booking b = {0};
    enum db_status st = load(app, id, &b);
    if (st == DB_OK && user_id && strcmp(b.user_id, user_id) != 0)
        st = DB_NOT_FOUND; /* someone else's booking is nobody's business */
    booking_cleanup(&b);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "booking not found");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        http_res_db_error(res, DB_UNAVAILABLE);
        return;
    }
    struct lc_outcome o;
    DB_RETRYING(st, lifecycle_apply(c, id, LC_EV_CHECKOUT, NULL, NULL, &o));
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    if (o.applied) {
        /* the invoice, as the one-step hold makes it (a replay resumes it) */
        continue_flow(app, id, NULL, res);
        return;
    }
    if (o.from == LC_HELD) {
        /* lapsed, the sweeper not there yet: let the seats go now */
        lifecycle_expire_selection(app, id);
        app_wake(app);
    }
    if ((st = load(app, id, &b)) != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    const char *code = o.refusal[0] ? o.refusal : "NOT_HELD";
    json_t *j = booking_json(&b);
    json_t *extra = json_deep_copy(j);
    json_object_set_new(extra, "booking", j);
    http_res_error_full(res, 409, code, refusal_message(code),
                        json_pack("{s:s}", "status", b.status ? b.status : ""), extra);
    booking_cleanup(&b);
}
