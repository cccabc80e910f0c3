/* booking.h: bookings as the API sees them: the POST /api/bookings body,
 * the TicketBooking JSON, how a stored outcome maps to an HTTP answer, and
 * the status transitions. Pure: no database, no I/O. */
#ifndef TICKET_BOOKING_H
#define TICKET_BOOKING_H

#include <jansson.h>
#include <stddef.h>

#include "common/limits.h"

#include "lifecycle.h"

#define USER_ID_MAX 64
#define HOLDER_MAX 200

/* A validated POST /api/bookings body (ids lowercased). */
struct booking_request {
    char booking_id[37];
    char event_id[37];
    char user_id[USER_ID_MAX + 1];
    char seat_ids[BOOKING_SEATS_MAX][37];
    size_t nseats;
    char origin[9];                  /* "direct" | "waitlist" */
    char holder[HOLDER_MAX * 4 + 1]; /* optional name printed on the ticket; "" if none */
    int selection; /* "checkout": false: held for selection only (HELD); 0 (the default):
                    * hold and invoice at once */
};

/* Validates {booking_id, user_id, event_id, seat_ids[1..10], origin?, holder?,
 * checkout? (boolean, default true)}:
 * UUIDs, no duplicate seat, 1..10 seats. Returns 0, or -1 with messages in
 * details. */
int booking_parse_request(const json_t *body, struct booking_request *rq, json_t *details);

struct booking_seat {
    char *id, *label, *section;
    long price;
};

/* A booking as stored. Every string is owned (NULL when SQL NULL);
 * booking_cleanup frees them. */
struct booking {
    char *id, *user_id, *event_id, *event_name, *venue, *starts_at;
    char *status, *failure_reason, *holder, *origin, *currency;
    char *invoice_number, *payment_url, *expires_at, *created_at, *updated_at;
    char *organizer_held_at;
    char *code;              /* the short booking code (8 characters) */
    char *unavailable_seats; /* JSON array of seat ids a refusal lacked, or NULL */
    enum lc_state state;     /* status as the model's enum */
    long amount;
    long version;
    long seat_count;
    int has_ticket; /* a PDF is stored */
    struct booking_seat *seats;
    size_t nseats;
};
void booking_cleanup(struct booking *b);

/* The TicketBooking JSON (new reference); hold_expires_at is expires_at
 * while HELD, else null. */
json_t *booking_json(const struct booking *b);

/* How a stored booking answers POST /api/bookings (first time or replay):
 * 201 for a booking that was created (whatever happened to it since),
 * 409 with the refusal's code (SEAT_UNAVAILABLE, HOLD_REJECTED,
 * EVENT_CANCELLED, SALES_NOT_OPEN, SALES_CLOSED, LIMIT_REACHED), 503
 * SERVICE_UNAVAILABLE for TICKET_SERVICE_UNAVAILABLE. *code is NULL for
 * 201. */
int booking_outcome_http(const struct booking *b, const char **code);

/* Deterministic notification id "ntf_<booking hex><version hex>" so that
 * re-enqueueing the same change is a no-op (out >= 64 bytes). */
void booking_notify_id(const char *booking_id, long version, char *out, size_t outlen);

/* The invoice description: "<event>: A-1, A-2" (new malloc'ed string,
 * at most 200 bytes, cut on a UTF-8 boundary). */
char *booking_invoice_description(const char *event_name, const struct booking_seat *seats,
                                  size_t n);

#endif
