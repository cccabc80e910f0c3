/* booking.c: request validation, TicketBooking JSON and outcome mapping. */
#include "booking.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "valid.h"

int booking_parse_request(const json_t *body, struct booking_request *rq, json_t *details)
{
    memset(rq, 0, sizeof *rq);
    valid_uuid(body, "booking_id", 1, rq->booking_id, details);
    valid_uuid(body, "event_id", 1, rq->event_id, details);
    const char *user = NULL;
    if (valid_string(body, "user_id", 1, USER_ID_MAX, &user, details) > 0)
        snprintf(rq->user_id, sizeof rq->user_id, "%s", user);
    const char *origin = NULL;
    int r = valid_string(body, "origin", 0, 8, &origin, details);
    if (r > 0 && strcmp(origin, "direct") != 0 && strcmp(origin, "waitlist") != 0)
        valid_fail(details, "origin", "must be \"direct\" or \"waitlist\"");
    snprintf(rq->origin, sizeof rq->origin, "%s", r > 0 ? origin : "direct");
    const char *holder = NULL;
    if (valid_string(body, "holder", 0, HOLDER_MAX * 4, &holder, details) > 0)
        snprintf(rq->holder, sizeof rq->holder, "%s", holder);
    const json_t *checkout = json_object_get(body, "checkout");
    if (checkout && !json_is_null(checkout) && !json_is_boolean(checkout))
        valid_fail(details, "checkout", "must be true or false");
    rq->selection = json_is_false(checkout);

    json_t *seats = json_object_get(body, "seat_ids");
    if (!json_is_array(seats)) {
        valid_fail(details, "seat_ids", "must be an array of seat ids");
    } else if (json_array_size(seats) == 0) {
        valid_fail(details, "seat_ids", "must name at least one seat");
    } else if (json_array_size(seats) > BOOKING_SEATS_MAX) {
        valid_fail(details, "seat_ids", "at most 10 seats per booking");
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(seats, i, v)
        {
            char id[37];
            if (!json_is_string(v) || valid_uuid_norm(json_string_value(v), id) != 0) {
                valid_fail(details, "seat_ids", "every seat id must be a UUID");
                break;
            }
            int dup = 0;
            for (size_t j = 0; j < rq->nseats; j++)
                if (strcmp(rq->seat_ids[j], id) == 0)
                    dup = 1;
            if (dup) {
                valid_fail(details, "seat_ids", "duplicate seat id");
                break;
            }
            memcpy(rq->seat_ids[rq->nseats++], id, 37);
        }
    }
    return json_object_size(details) > 0 ? -1 : 0;
}

void booking_cleanup(struct booking *b)
{
    char **strs[] = {
        &b->id,         &b->user_id,          &b->event_id,       &b->event_name, &b->venue,
        &b->starts_at,  &b->status,           &b->failure_reason, &b->holder,     &b->origin,
        &b->currency,   &b->invoice_number,   &b->payment_url,    &b->expires_at, &b->created_at,
        &b->updated_at, &b->organizer_held_at, &b->code, &b->unavailable_seats};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
    for (size_t i = 0; i < b->nseats; i++) {
        free(b->seats[i].id);
        free(b->seats[i].label);
        free(b->seats[i].section);
    }
    free(b->seats);
    b->seats = NULL;
    b->nseats = 0;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *booking_json(const struct booking *b)
{
    json_t *seats = json_array();
    for (size_t i = 0; i < b->nseats; i++)
        json_array_append_new(seats, json_pack("{s:s, s:s, s:s, s:I}", "id", b->seats[i].id,
                                               "label", b->seats[i].label, "section",
                                               b->seats[i].section ? b->seats[i].section : "",
                                               "price", (json_int_t)b->seats[i].price));
    json_t *o = json_object();
    json_object_set_new(o, "booking_id", str_or_null(b->id));
    json_object_set_new(o, "user_id", str_or_null(b->user_id));
    json_object_set_new(o, "event_id", str_or_null(b->event_id));
    json_object_set_new(o, "event_name", str_or_null(b->event_name));
    json_object_set_new(o, "code", str_or_null(b->code));
    json_object_set_new(o, "status", str_or_null(b->status));
    json_object_set_new(o, "failure_reason", str_or_null(b->failure_reason));
    json_object_set_new(o, "seats", seats);
    json_object_set_new(o, "amount", json_integer(b->amount));
    json_object_set_new(o, "currency", str_or_null(b->currency));
    json_object_set_new(o, "invoice_number", str_or_null(b->invoice_number));
    json_object_set_new(o, "payment_url", str_or_null(b->payment_url));
    json_object_set_new(o, "expires_at", str_or_null(b->expires_at));
    json_object_set_new(o, "hold_expires_at",
                        str_or_null(b->state == LC_HELD ? b->expires_at : NULL));
    json_object_set_new(o, "origin", str_or_null(b->origin ? b->origin : "direct"));
    json_object_set_new(o, "holder", str_or_null(b->holder));
    json_object_set_new(o, "version", json_integer(b->version));
    /* A cancelled booking keeps its stored PDF, but it no longer admits. */
    int ready = b->has_ticket && b->state == LC_CONFIRMED;
    json_object_set_new(o, "ticket_ready", json_boolean(ready));
    if (ready && b->id) {
        char url[96];
        snprintf(url, sizeof url, "/api/bookings/%s/ticket.pdf", b->id);
        json_object_set_new(o, "ticket_url", json_string(url));
    } else {
        json_object_set_new(o, "ticket_url", json_null());
    }
    json_object_set_new(o, "created_at", str_or_null(b->created_at));
    json_object_set_new(o, "updated_at", str_or_null(b->updated_at));
    return o;
}

int booking_outcome_http(const struct booking *b, const char **code)
{
    /* The refusals a POST /api/bookings answers with 409 (their code is
     * the stored failure_reason); TICKET_SERVICE_UNAVAILABLE is ours: 503. */
    static const char *const refusals[] = {"SEAT_UNAVAILABLE", "HOLD_REJECTED",
                                           "EVENT_CANCELLED",  "SALES_NOT_OPEN",
                                           "SALES_CLOSED",     "LIMIT_REACHED"};
    *code = NULL;
    if (b->state != LC_FAILED || !b->failure_reason)
        return 201;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (strcmp(b->failure_reason, refusals[i]) == 0) {
            *code = refusals[i];
            return 409;
        }
    if (strcmp(b->failure_reason, "TICKET_SERVICE_UNAVAILABLE") == 0) {
        *code = "SERVICE_UNAVAILABLE";
        return 503;
    }
    return 201;
}

void booking_notify_id(const char *booking_id, long version, char *out, size_t outlen)
{
    char hex[33];
    size_t n = 0;
    for (const char *p = booking_id; *p && n < 32; p++)
        if (*p != '-')
            hex[n++] = *p;
    hex[n] = '\0';
    snprintf(out, outlen, "ntf_%s%08lx", hex, (unsigned long)version);
}

char *booking_invoice_description(const char *event_name, const struct booking_seat *seats,
                                  size_t n)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, event_name ? event_name : "Tickets");
    sbuf_puts(&b, ": ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sbuf_puts(&b, ", ");
        sbuf_puts(&b, seats[i].label ? seats[i].label : "?");
    }
    size_t len;
    char *s = sbuf_steal(&b, &len);
    if (len > 200) {
        size_t cut = 200;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--; /* do not split a UTF-8 sequence */
        s[cut] = '\0';
    }
    return s;
}
