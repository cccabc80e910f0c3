/* inbox.c: the text of each kind of notification (inbox.h). */
#include "inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *const kinds[] = {"booking.confirmed", "booking.failed",
                                    "booking.expired",   "hold.expiring",
                                    "waitlist.offered",  "booking.cancelled",
                                    "booking.refunded",  "event.changed",
                                    "event.cancelled",   NULL};

int inbox_kind_valid(const char *kind)
{
    for (int i = 0; kind && kinds[i]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 1;
    return 0;
}

const char *inbox_kind_of_notification(const char *type)
{
    if (type && strcmp(type, "event.changed") == 0)
        return "event.changed";
    if (type && strcmp(type, "event.cancelled") == 0)
        return "event.cancelled";
    return NULL;
}

static const char *param(const json_t *p, const char *key, const char *dflt)
{
    const char *v = p ? json_str(p, key) : NULL;
    return v && v[0] ? v : dflt;
}

/* "2026-12-03T09:20:00Z" -> "2026-12-03 09:20 UTC" into out. */
static void when_text(const char *ts, char *out, size_t n)
{
    if (!ts || strlen(ts) < 16) {
        snprintf(out, n, "%s", ts ? ts : "soon");
        return;
    }
    snprintf(out, n, "%.10s %.5s%s", ts, ts + 11, ts[strlen(ts) - 1] == 'Z' ? " UTC" : "");
    if (ts[strlen(ts) - 1] != 'Z' && strlen(ts) >= 25) /* with an offset: keep it */
        snprintf(out, n, "%.10s %.5s (UTC%.6s)", ts, ts + 11, ts + strlen(ts) - 6);
}

static void seats_text(const json_t *p, struct sbuf *b)
{
    const json_t *seats = p ? json_object_get(p, "seats") : NULL;
    size_t i;
    const json_t *s;
    int n = 0;
    json_array_foreach(seats, i, s)
    {
        if (!json_is_string(s))
            continue;
        sbuf_printf(b, "%s%s", n++ ? ", " : "", json_string_value(s));
    }
    if (!n)
        sbuf_puts(b, "-");
}

static const char *reason_text(const char *r)
{
    if (!r)
        return "the booking could not be completed";
    if (strcmp(r, "PAYMENT_FAILED") == 0)
        return "the payment did not go through";
    if (strcmp(r, "HOLD_REJECTED") == 0)
        return "the organizer could not hold the seats";
    if (strcmp(r, "SEAT_UNAVAILABLE") == 0)
        return "a seat was no longer available";
    return "the booking could not be completed";
}

void inbox_render(const char *kind, const json_t *p, char **subject, char **body)
{
    const char *ev = param(p, "event_name", "your event");
    const char *code = param(p, "code", NULL);
    char ref[64] = "";
    if (code)
        snprintf(ref, sizeof ref, " %s", code);
    char amount[64] = "";
    const json_t *a = p ? json_object_get(p, "amount") : NULL;
    if (json_is_integer(a))
        snprintf(amount, sizeof amount, "%lld %s", (long long)json_integer_value(a),
                 param(p, "currency", ""));
    char pay_by[64];
    when_text(param(p, "pay_by", NULL), pay_by, sizeof pay_by);
    const char *url = param(p, "payment_url", NULL);
    struct sbuf s, b, seats;
    sbuf_init(&s);
    sbuf_init(&b);
    sbuf_init(&seats);
    seats_text(p, &seats);
    kind = kind ? kind : "";
    if (strcmp(kind, "booking.confirmed") == 0) {
        sbuf_printf(&s, "Booking confirmed \xe2\x80\x94 %s", ev);
        sbuf_printf(&b,
                    "Your booking%s for %s is confirmed.\nSeats: %s\nPaid: %s\n\n"
                    "Your ticket is attached as a PDF and stays in your booking history. "
                    "Show its QR code at the gate.\n",
                    ref, ev, seats.buf, amount[0] ? amount : "-");
    } else if (strcmp(kind, "booking.failed") == 0) {
        sbuf_printf(&s, "Booking failed \xe2\x80\x94 %s", ev);
        sbuf_printf(&b, "Your booking%s for %s failed: %s.\nSeats: %s (released)\n", ref, ev,
                    reason_text(param(p, "failure_reason", NULL)), seats.buf);
    } else if (strcmp(kind, "booking.expired") == 0) {
        sbuf_printf(&s, "Booking expired \xe2\x80\x94 %s", ev);
        sbuf_printf(&b,
                    "The payment window of your booking%s for %s ran out before it was paid.\n"
                    "Seats: %s (released)\n",
                    ref, ev, seats.buf);
    } else if (strcmp(kind, "hold.expiring") == 0) {
        sbuf_printf(&s, "Your seats are held until %s \xe2\x80\x94 %s", pay_by, ev);
        sbuf_printf(&b, "Your seats %s for %s are held for you until %s.\nPay before then%s%s\n",
                    seats.buf, ev, pay_by, url ? ": " : ".", url ? url : "");
    } else if (strcmp(kind, "waitlist.offered") == 0) {
        sbuf_printf(&s, "A seat you waited for is yours \xe2\x80\x94 %s", ev);
        sbuf_printf(&b,
                    "A seat you were waiting for at %s has been held for you: %s.\n"
                    "Pay by %s to keep it%s%s\nAfter that it goes to the next person waiting.\n",
                    ev, seats.buf, pay_by, url ? ": " : ".", url ? url : "");
    } else if (strcmp(kind, "booking.cancelled") == 0) {
        sbuf_printf(&s, "Booking cancelled \xe2\x80\x94 %s", ev);
        sbuf_printf(&b, "Your booking%s for %s was cancelled.\nSeats: %s\n", ref, ev, seats.buf);
    } else if (strcmp(kind, "booking.refunded") == 0) {
        sbuf_printf(&s, "Booking refunded \xe2\x80\x94 %s", ev);
        sbuf_printf(&b,
                    "Your booking%s for %s was cancelled and its payment refunded%s%s.\n"
                    "Seats: %s\n",
                    ref, ev, amount[0] ? ": " : "", amount, seats.buf);
    } else if (strcmp(kind, "event.changed") == 0) {
        char starts[64];
        when_text(param(p, "starts_at_local", NULL), starts, sizeof starts);
        sbuf_printf(&s, "Event changed \xe2\x80\x94 %s", ev);
        sbuf_printf(&b,
                    "%s has changed. It now starts %s.\nYour booking%s stays valid; its ticket "
                    "was updated.\n",
                    ev, starts, ref);
    } else if (strcmp(kind, "event.cancelled") == 0) {
        sbuf_printf(&s, "Event cancelled \xe2\x80\x94 %s", ev);
        sbuf_printf(&b,
                    "%s was cancelled by the organizer.\nYour booking%s was cancelled and any "
                    "payment refunded.\n",
                    ev, ref);
    } else {
        sbuf_printf(&s, "About your booking \xe2\x80\x94 %s", ev);
        sbuf_printf(&b, "There is news about your booking%s for %s.\n", ref, ev);
    }
    sbuf_cleanup(&seats);
    *subject = sbuf_steal(&s, NULL);
    *body = sbuf_steal(&b, NULL);
}
