/* event.h: events and seats as the API sees them: validation of the admin's
 * bodies, the layout generator (sections -> rows -> seats), and JSON. Pure:
 * no database, no I/O. */
#ifndef TICKET_EVENT_H
#define TICKET_EVENT_H

#include <jansson.h>
#include <stddef.h>

#define EVENT_NAME_MAX 200
#define EVENT_DESCRIPTION_MAX 4000
#define LAYOUT_MAX_SEATS 100000 /* per event */
#define LAYOUT_MAX_SECTIONS 100
#define LAYOUT_MAX_ROWS 200 /* per section */
#define LAYOUT_MAX_SEATS_PER_ROW 1000
#define SECTION_NAME_MAX 100
#define ROW_NAME_MAX 16
#define SEAT_LABEL_MAX 40
#define PRICE_MAX 1000000000000L /* 10^12 smallest units */

/* A validated POST /api/events or PATCH body. Strings borrowed from the
 * JSON body, except the times, normalised to RFC 3339 UTC. */
struct event_input {
    const char *name, *venue, *description, *currency;
    const char *timezone; /* IANA name of the system zoneinfo; NULL when absent */
    char starts_at[40];   /* "" when absent (PATCH) */
    /* The sale window: *_set when the body names the field; "" with it
     * set means null (no bound: from publication / until starts_at). */
    char sales_start_at[40], sales_end_at[40];
    int sales_start_set, sales_end_set;
    int publish;                    /* create: published at once (default 1) or a DRAFT */
    const char *attendees_required; /* "true"/"false" (a name per seat), NULL when absent */
    json_t *layout_rows;            /* new reference or NULL: [{section,row,seats,price}] */
    long total_seats;
};

/* Validates a create body: name, venue, starts_at required; description,
 * currency (default IDR), timezone (default UTC), sales_start_at,
 * sales_end_at (not after starts_at; the start before the end), publish
 * (boolean, default true), attendees_required (boolean, default false: a
 * name per seat to book), layout optional. Returns 0 (in filled; release with
 * event_input_cleanup) or -1 with per-field messages added to details. */
int event_parse_create(const json_t *body, struct event_input *in, json_t *details);
/* Validates a PATCH body (attendees_required too): every field optional, at least one present
 * (sales_start_at / sales_end_at may be null: bound removed); a layout is
 * refused (seats are edited one by one), as is publish (its own call). */
int event_parse_patch(const json_t *body, struct event_input *in, json_t *details);
void event_input_cleanup(struct event_input *in);

/* Checks a layout {sections:[{name, rows:[...], seats_per_row, price}]}
 * and expands it into one JSON row per (section, row) for the store. Row
 * names must be unique across the event (labels are "<row>-<n>"). Returns
 * the new reference or NULL with messages in details; *total gets the
 * number of seats. Exposed for tests. */
json_t *event_layout_expand(const json_t *layout, long *total, json_t *details);

/* 1 if a row name is 1..ROW_NAME_MAX of [A-Za-z0-9_.] (labels stay readable). */
int event_row_name_valid(const char *s);

/* A validated POST /api/events/{id}/seats or PATCH /api/seats/{id} body. */
struct seat_input {
    const char *label, *section, *row; /* borrowed */
    long number, price;
    int has_number, has_price;
};
int seat_parse_create(const json_t *body, struct seat_input *in, json_t *details);
int seat_parse_patch(const json_t *body, struct seat_input *in, json_t *details);

#endif
