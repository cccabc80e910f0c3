/* ticket_render.c: confirmed booking -> PDF -> stored + notified. */
#include "ticket_render.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "booking.h"
#include "booking_flow.h"
#include "booking_store.h"
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

int ticket_render_followup(struct app *app, const char *booking_id, long followup_id,
                           const char *token, int *closed, char *err, size_t errlen)
{
    if (closed)
        *closed = 0;
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
    if (strcmp(b.status, "CONFIRMED") != 0) {
        booking_cleanup(&b);
        return 0;
    }

    int rc = -1;
    char *pdf = NULL, *hex = NULL, *b64 = NULL;
    size_t len = 0;
    struct ticket_pdf_seat *seats = xcalloc(b.nseats ? b.nseats : 1, sizeof *seats);
    char(*codes)[TICKET_CODE_LEN + 1] = xcalloc(b.nseats ? b.nseats : 1, sizeof *codes);
    for (size_t i = 0; i < b.nseats; i++) {
        if (ticket_code_make(app->ticket_code_secret, b.id, b.seats[i].id, codes[i],
                             sizeof codes[i]) != 0) {
            snprintf(err, errlen, "ticket code for seat %s", b.seats[i].id);
            goto out;
        }
        seats[i] = (struct ticket_pdf_seat){b.seats[i].label, b.seats[i].section, b.seats[i].price,
                                            codes[i]};
    }
    struct ticket_pdf_info info = {
        .event_name = b.event_name,
        .venue = b.venue,
        .starts_at = b.starts_at,
        .holder = b.holder ? b.holder : b.user_id,
        .booking_id = b.id,
        .currency = b.currency,
        .amount = b.amount,
        .seats = seats,
        .nseats = b.nseats,
    };
    if (ticket_pdf_render(&info, &pdf, &len) != 0) {
        snprintf(err, errlen, "PDF rendering failed");
        goto out;
    }
    hex = xmalloc(len * 2 + 1);
    sodium_bin2hex(hex, len * 2 + 1, (const unsigned char *)pdf, len);
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, (const unsigned char *)pdf, len, sodium_base64_VARIANT_ORIGINAL);

    c = db_acquire(app->pool, APP_DB_WAIT_MS);
    if (!c) {
        snprintf(err, errlen, "database unavailable");
        goto out;
    }
    int stored = 0;
    if (token) {
        /* The common case in one statement: the booking is still the
         * CONFIRMED version loaded above, so the notification built from it
         * now (with the ticket it will have) is the one to send. */
        char nid[64];
        b.has_ticket = 1;
        char *payload = notify_payload(&b, "booking.confirmed", b64, now_ms(), nid, sizeof nid);
        long lease = outbox_lease_ms(&app->notify_cfg);
        int queued = 0;
        st = render_store_confirmed(c, b.id, b.version, hex, nid, "booking.confirmed", payload,
                                    lease, followup_id, token, &stored, &queued);
        if (st == DB_OK && stored) {
            if (closed)
                *closed = 1;
            if (queued) /* if the queue is full, the lease brings it back */
                notify_queue_push(nid, payload, lease);
        }
        free(payload);
        if (st != DB_OK)
            stored = 0;
    }
    if (!stored) {
        /* The booking moved on meanwhile (or no follow-up to close): the
         * general path decides under the row lock what to store and say. */
        DB_RETRYING(st, booking_store_save_ticket(c, b.id, hex, b64, &stored));
    }
    db_release(app->pool, c);
    if (st != DB_OK) {
        snprintf(err, errlen, "save: %s", db_status_name(st));
        goto out;
    }
    log_info("ticket rendered booking=%s bytes=%zu%s", b.id, len,
             stored ? "" : " (booking no longer confirmed)");
    if (app->notifier)
        bg_wake(app->notifier);
    rc = 0;
out:
    free(pdf);
    free(hex);
    free(b64);
    free(seats);
    free(codes);
    booking_cleanup(&b);
    return rc;
}
