/* csv.h: RFC 4180 text (CRLF rows, fields quoted when they hold a comma,
 * quote or line break, quotes doubled), UTF-8. Pure. */
#ifndef CLIENT_CSV_H
#define CLIENT_CSV_H

#include <jansson.h>
#include <stddef.h>

#include "common/util.h"

/* Appends one field (NULL: empty) and its separator: a comma, or CRLF when
 * last. A field a spreadsheet would run as a formula (starting with = + -
 * or @) is written with a leading apostrophe. */
void csv_field(struct sbuf *b, const char *v, int last);

/* The attendee list of an event (ticket-app's GET /api/events/{id}/attendees
 * document) as CSV with a header row: seat, section, attendee, id_number,
 * holder, booking_code, status, checked_in_at. New malloc'ed; *len. */
char *csv_attendees(const json_t *doc, size_t *len);

#endif
