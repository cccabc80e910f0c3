/* checkin.h: check-in at the gate (POST /api/checkins): reading the ticket
 * code out of the request, the outcome of a scan and its JSON. Pure: no
 * database, no I/O. */
#ifndef TICKET_CHECKIN_H
#define TICKET_CHECKIN_H

#include <jansson.h>

#include "ticket_code.h"

enum checkin_outcome {
    CHECKIN_ADMITTED, /* first scan of a valid ticket: let in */
    CHECKIN_ALREADY,  /* valid ticket scanned before: 409 */
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
};
void checkin_result_init(struct checkin_result *r);
void checkin_result_cleanup(struct checkin_result *r);

/* Reads {"ticket_code": "..."}: 0 with the code, stripped of the blanks and
 * line ends a scanner may add, in code (NUL-terminated; "" when it cannot be
 * a ticket code at all: too long, embedded NUL). -1 when ticket_code is
 * absent or not a string: *why gets a borrowed message for the 400. */
int checkin_parse_request(const json_t *body, char code[TICKET_CODE_LEN + 1], const char **why);

/* {id, label, section} of the scanned seat (new reference). */
json_t *checkin_seat_json(const struct checkin_result *r);
/* The 200 body {status:"ADMITTED", booking_id, seat, checked_in_at}
 * (new reference). */
json_t *checkin_admitted_json(const struct checkin_result *r);
/* The top-level members added to the 409 ALREADY_CHECKED_IN error:
 * {booking_id, seat, checked_in_at} (new reference). */
json_t *checkin_already_extra(const struct checkin_result *r);
/* Its details: {checked_in_at, scans} (new reference). */
json_t *checkin_already_details(const struct checkin_result *r);

#endif
