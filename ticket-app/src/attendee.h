/* attendee.h: the people named for the seats of a booking (POST
 * /api/bookings attendees: [{seat_id, name, id_number?}]). Pure: parsing
 * and checks, no database. */
#ifndef TICKET_ATTENDEE_H
#define TICKET_ATTENDEE_H

#include <jansson.h>
#include <stddef.h>

#include "booking.h"

#define ATTENDEE_NAME_MAX 100 /* characters */
#define ATTENDEE_ID_MAX 64    /* characters */

struct attendee {
    char seat_id[37];
    char name[ATTENDEE_NAME_MAX * 4 + 1];
    char id_number[ATTENDEE_ID_MAX * 4 + 1]; /* "" when none */
};

struct attendee_list {
    struct attendee items[BOOKING_SEATS_MAX];
    size_t n;
};

/* Reads body's optional "attendees" for the seats of rq: each seat_id one
 * of rq's seats and named once, name 1..100 characters and id_number
 * 0..64, no control characters. Returns 0 (out->n may be 0), or -1 with a
 * message under "attendees" in details. */
int attendee_parse(const json_t *body, const struct booking_request *rq, struct attendee_list *out,
                   json_t *details);

/* The seats of rq that no attendee names, as a JSON array (new reference;
 * empty when every seat is named). */
json_t *attendee_missing(const struct booking_request *rq, const struct attendee_list *al);

/* al as the JSON text [{seat_id, name, id_number}] (new malloc'ed), NULL
 * when al names nobody. */
char *attendee_list_json(const struct attendee_list *al);

/* attendee_handler.c: GET /api/events/{id}/attendees. */
struct http_req;
struct http_res;
void attendee_handle_manifest(struct http_req *req, struct http_res *res, void *app);

#endif
