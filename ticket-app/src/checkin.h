/* checkin.h: check-in at the gate (POST /api/checkins): reading the ticket
 * code and the gate's event out of the request, the outcome of a scan and
 * its JSON. Pure: no database, no I/O. */
#ifndef TICKET_CHECKIN_H
#define TICKET_CHECKIN_H

#include <jansson.h>

#include "ticket_code.h"

enum checkin_outcome {
    CHECKIN_ADMITTED,      /* first scan of a valid ticket: let in */
    CHECKIN_ALREADY,       /* valid ticket scanned before: 409 ALREADY_CHECKED_IN */
    CHECKIN_WRONG_EVENT,   /* a real ticket of another event: 409 WRONG_EVENT */
    CHECKIN_CANCELLED,     /* its booking was cancelled or refunded: 404, reason CANCELLED */
    CHECKIN_NOT_CONFIRMED, /* its booking is not paid (or the seat is not its own): 404 */
    CHECKIN_UNKNOWN,       /* forged, garbled or no such ticket: 404 */
};

/* An event as the gate names it: {id, name, starts_at_local}. */
struct checkin_event {
    char id[37];
    char *name;
    char *starts_at_local; /* RFC 3339 with the venue's offset */
};

/* What one scan found. Strings are owned; checkin_result_cleanup frees them. */
struct checkin_result {
    enum checkin_outcome outcome;
    char booking_id[37];
    char seat_id[37];
    char *label; /* as printed on the ticket */
    char *section;
    char *checked_in_at; /* RFC 3339 UTC of the first admission */
    long scans;          /* how many times this ticket was scanned valid */
    char *booking_status;
    char *booking_code;         /* the short human code, NULL when the booking has none */
    char *attendee_name;        /* the seat's attendee, else the holder's name; may be NULL */
    struct checkin_event event; /* the ticket's event */
};
void checkin_result_init(struct checkin_result *r);
void checkin_result_cleanup(struct checkin_result *r);
void checkin_event_cleanup(struct checkin_event *e);

/* Reads {"ticket_code": "...", "event_id"?: "<uuid>"}: 0 with the code,
 * stripped of the blanks and line ends a scanner may add, in code
 * (NUL-terminated; "" when it cannot be a ticket code at all: too long,
 * embedded NUL), and the gate's event in event_id ("" when absent). -1 when
 * ticket_code is absent or not a string, or event_id is not a UUID: *field
 * and *why get borrowed texts for the 400. */
int checkin_parse_request(const json_t *body, char code[TICKET_CODE_LEN + 1], char event_id[37],
                          const char **field, const char **why);

/* The outcome of a scan from what the database holds of the ticket: its
 * booking's status (NULL: no such ticket), whether the seat is still the
 * booking's own and BOOKED, whether it is the gate's event (gate_event
 * empty: any event), and scans after this one (0: not counted). */
enum checkin_outcome checkin_decide(const char *booking_status, int seat_held,
                                    const char *ticket_event, const char *gate_event, long scans);

/* {id, name, starts_at_local} (new reference). */
json_t *checkin_event_json(const struct checkin_event *e);
/* {id, label, section} of the scanned seat (new reference). */
json_t *checkin_seat_json(const struct checkin_result *r);
/* The 200 body {status:"ADMITTED", booking_id, booking_code, seat, attendee,
 * checked_in_at, event} (new reference). */
json_t *checkin_admitted_json(const struct checkin_result *r);
/* The top-level members added to a refusal that found the ticket:
 * {booking_id, booking_code, seat, attendee, checked_in_at, event} (new
 * reference); gate names the event for WRONG_EVENT (the ticket's is in the
 * details then), NULL otherwise. */
json_t *checkin_refusal_extra(const struct checkin_result *r, const struct checkin_event *gate);
/* The details of ALREADY_CHECKED_IN: {checked_in_at, scans} (new reference). */
json_t *checkin_already_details(const struct checkin_result *r);
/* The details of WRONG_EVENT: the ticket's event {event_id, name,
 * starts_at_local} (new reference). */
json_t *checkin_wrong_event_details(const struct checkin_result *r);

#endif
