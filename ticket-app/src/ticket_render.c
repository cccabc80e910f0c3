/* ticket_render.c: confirmed booking -> PDF -> stored + notified. */
#include "ticket_render.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendee_store.h"
#include "booking.h"
#include "booking_flow.h"
#include "booking_store.h"
#include "common/db.h"
#include "common/log.h"
#include "common/util.h"
#include "notify.h"
#include "render_store.h"
#include "ticket_code.h"
#include "ticket_pdf.h"

int ticket_render_booking(struct app *app, const char *booking_id, char *err, size_t errlen)
{
    return ticket_render_followup(app, booking_id, 0, NULL, NULL, err, errlen);
}

/* Renders b (CONFIRMED, as loaded) and stores it with its booking.confirmed
 * notification by the one statement that does so (render_store.c):
 * *stored = 0 when the booking moved on meanwhile. */
static int render_and_store(struct app *app, struct booking *b, long followup_id, const char *token,
                            int *stored, int *closed, char *err, size_t errlen)
{
    int rc = -1;
    char *pdf = NULL, *hex = NULL, *payload = NULL;
    size_t len = 0;
    *stored = 0;
    struct ticket_pdf_seat *seats = xcalloc(b->nseats ? b->nseats : 1, sizeof *seats);
    char(*codes)[TICKET_CODE_LEN + 1] = xcalloc(b->nseats ? b->nseats : 1, sizeof *codes);
    /* the venue's local time and each seat's person (attendee_store.h) */
    PGresult *extra = NULL;
    json_t *people = NULL;
    struct db_conn *ec = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!ec || attendee_store_ticket_info(ec, b->id, &extra) != DB_OK) {
        db_release(app->pool, ec);
        snprintf(err, errlen, "ticket details unavailable");
        goto out;
    }
    db_release(app->pool, ec);
    if (db_get(extra, 0, "attendees"))
        people = json_loads(db_get(extra, 0, "attendees"), 0, NULL);
    for (size_t i = 0; i < b->nseats; i++) {
        if (ticket_code_make(app->ticket_code_secret, b->id, b->seats[i].id, codes[i],
                             sizeof codes[i]) != 0) {
            snprintf(err, errlen, "ticket code for seat %s", b->seats[i].id);
            goto out;
        }
        const json_t *who = json_object_get(people, b->seats[i].id);
        seats[i] = (struct ticket_pdf_seat){b->seats[i].label,     b->seats[i].section,
                                            b->seats[i].price,     codes[i],
                                            json_str(who, "name"), json_str(who, "id_number")};
    }
    struct ticket_pdf_info info = {
        .event_name = b->event_name,
        .venue = b->venue,
        .starts_at = b->starts_at,
        .holder = b->holder ? b->holder : b->user_id,
        .booking_id = b->id,
        .booking_code = b->code,
        .starts_at_local = db_get(extra, 0, "starts_at_local"),
        .timezone = db_get(extra, 0, "timezone"),
        .currency = b->currency,
        .amount = b->amount,
        .seats = seats,
        .nseats = b->nseats,
    };
    if (ticket_pdf_render(&info, &pdf, &len) != 0) {
        snprintf(err, errlen, "PDF rendering failed");
        goto out;
    }
    hex = xmalloc(len * 2 + 1);
    sodium_bin2hex(hex, len * 2 + 1, (const unsigned char *)pdf, len);
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, (const unsigned char *)pdf, len, sodium_base64_VARIANT_ORIGINAL);
    /* The notification built now, from the version loaded, with the ticket
     * it will have: the statement stores both only while the booking is
     * still that CONFIRMED version. */
    char nid[64];
    b->has_ticket = 1;
    payload = notify_payload(b, "booking.confirmed", b64, now_ms(), nid, sizeof nid);
    free(b64);
    long lease = outbox_lease_ms(&app->notify_cfg);
    int queued = 0;
    struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        snprintf(err, errlen, "database unavailable");
        goto out;
    }
    enum db_status st = DB_OK;
    DB_RETRYING(st, render_store_confirmed(c, b->id, b->version, hex, nid, "booking.confirmed", payload, lease, followup_id, token ? token : "", stored, &queued));
    db_release(app->pool, c);
    if (st != DB_OK) {
        snprintf(err, errlen, "save: %s", db_status_name(st));
        goto out;
    }
    if (*stored) {
        if (closed && token)
            *closed = 1;
        if (queued) /* if the queue is full, the lease brings it back */
            notify_queue_push(nid, payload, lease);
        log_info("ticket rendered booking=%s bytes=%zu", b->id, len);
    }
    rc = 0;
out:
    json_decref(people);
    PQclear(extra);
    free(pdf);
    free(hex);
    free(payload);
    free(seats);
    free(codes);
    return rc;
}

int ticket_render_followup(struct app *app, const char *booking_id, long followup_id,
                           const char *token, int *closed, char *err, size_t errlen)
{
    if (closed)
        *closed = 0;
    /* A booking that changes while it renders (a newer version) is
     * rendered again from what it became; one that is no longer CONFIRMED
     * needs no ticket. */
    for (int attempt = 0; attempt < 3; attempt++) {
        struct booking b = {0};
        struct db_conn *c = db_acquire(app->pool, APP_DB_WAIT_MS);
        if (!c) {
            snprintf(err, errlen, "database unavailable");
            return -1;
        }
        enum db_status st = booking_store_load(c, booking_id, &b);
        db_release(app->pool, c);
        if (st == DB_NOT_FOUND)
            return 0;
        if (st != DB_OK) {
            snprintf(err, errlen, "load: %s", db_status_name(st));
            return -1;
        }
        if (b.state != LC_CONFIRMED) {
            log_info("ticket not rendered: booking=%s is %s", booking_id, b.status);
            booking_cleanup(&b);
            return 0;
        }
        int stored = 0;
        int rc = render_and_store(app, &b, followup_id, token, &stored, closed, err, errlen);
        booking_cleanup(&b);
        if (rc != 0)
            return rc;
        if (stored) {
            if (app->notifier)
                bg_wake(app->notifier);
            return 0;
        }
    }
    snprintf(err, errlen, "booking kept changing while rendering");
    return -1;
}
