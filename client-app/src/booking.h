/* booking.h: bookings' pure logic: request validation, ticket-app's
 * TicketBooking and notification parsing, the version rule, the Booking
 * JSON of API.md. */
#ifndef CLIENT_BOOKING_H
#define CLIENT_BOOKING_H

#include <jansson.h>
#include <stddef.h>

#include "common/limits.h"

#define IDEM_KEY_MAX 100
/* Decoded ticket PDFs above this are refused (a notification body is capped
 * at 1 MiB, so base64 allows about 768 KiB anyway). */
#define BOOKING_PDF_MAX (768 * 1024)

/* A validated POST /api/bookings body (ids lowercased). */
struct booking_request {
    char event_id[37];
    char seat_ids[BOOKING_SEATS_MAX][37];
    size_t nseats;
    /* the people named for the seats: {"<seat id>": {name, id_number}} as
     * compact JSON, "" when none (attendees[] of the request) */
    char attendees_json[BOOKING_SEATS_MAX * 700];
    char holder[401]; /* printed on the ticket where no attendee is named */
    int selection;    /* "checkout": false: seats held for selection only (HELD) */
};

/* 0, or -1 with *details (new reference) naming each bad field. */
int booking_request_parse(const json_t *body, struct booking_request *out, json_t **details);
/* hex SHA-256 of the request's event and seats (an Idempotency-Key reused
 * for another request is told apart by it). */
void booking_request_hash(const struct booking_request *r, char out[65]);
/* [{id, label:null, price:null}] for the seats asked for. New reference. */
json_t *booking_request_seats(const struct booking_request *r);
/* The body sent to ticket-app's POST /api/bookings. New reference. */
json_t *booking_request_ticket_body(const struct booking_request *r, const char *booking_id,
                                    const char *user_id);
/* 1 if key is 1..100 printable ASCII characters. */
int idem_key_valid(const char *key);

/* client-app's view of a booking's status: the statuses of API.md plus the
 * internal REQUESTED (stored while ticket-app has not answered yet). The
 * names are written once (booking.c); C code compares these enums, never
 * the strings. */
enum booking_status {
    BS_UNKNOWN = 0, /* NULL or not a status name */
    BS_REQUESTED,
    BS_PENDING_PAYMENT,
    BS_CONFIRMED,
    BS_FAILED,
    BS_EXPIRED,
    BS_CANCELLED,
    BS_HELD, /* seats held for selection ("checkout": false), no invoice yet */
    BS_COUNT
};

/* The status named s (from the database or ticket-app's JSON), BS_UNKNOWN
 * for NULL or any other string. */
enum booking_status booking_status_parse(const char *s);
/* The name of s ("CONFIRMED"), NULL for BS_UNKNOWN or out of range. Static. */
const char *booking_status_name(enum booking_status s);
/* 1 for HELD, PENDING_PAYMENT, CONFIRMED, FAILED, EXPIRED, CANCELLED. */
int booking_status_valid(const char *s);
/* 1 for the failure reasons of API.md. */
int booking_reason_valid(const char *s);
/* The status shown to users: the internal REQUESTED (ticket-app has not
 * answered yet) is PENDING_PAYMENT. Borrowed. */
const char *booking_public_status(const char *stored);
/* A change of version incoming is applied over stored only if newer:
 * notifications may arrive out of order. */
int booking_version_newer(long long stored, long long incoming);

/* ticket-app's TicketBooking, validated. Strings are borrowed from the
 * parsed JSON; seats_json is a new string (free it with
 * ticket_booking_cleanup); NULL members were absent or null. */
struct ticket_booking {
    const char *booking_id, *user_id, *event_id, *event_name;
    const char *status, *failure_reason, *currency;
    const char *invoice_number, *payment_url, *expires_at, *origin;
    const char *code; /* the booking code, NULL when absent */
    char amount[24];  /* "" when absent */
    char version[24];
    long long version_n;
    char *seats_json;          /* normalised [{id,label,price}] or NULL */
    enum booking_status state; /* status, parsed (never BS_UNKNOWN/BS_REQUESTED) */
};

/* Parses obj (TicketBooking). default_version is used when "version" is
 * absent (0 = required). Returns 0, or -1 with the reason in err. */
int ticket_booking_parse(const json_t *obj, struct ticket_booking *out, long long default_version,
                         char *err, size_t errlen);
void ticket_booking_cleanup(struct ticket_booking *tb);

/* Parses a TicketBooking from a ticket-app answer: at the top level (201,
 * 200) or under "booking" (error answers carry it there). 0 or -1. */
int ticket_reply_booking(const json_t *reply, struct ticket_booking *tb);

/* What ticket-app's answer to POST /api/bookings means for the attempt. */
enum booking_outcome {
    OUT_HELD,        /* 201 PENDING_PAYMENT (or HELD for a selection) */
    OUT_REFUSED,     /* 409 FAILED SEAT_UNAVAILABLE / HOLD_REJECTED */
    OUT_INVALID,     /* ticket-app's 400/404/422 passed on, attempt removed */
    OUT_UNAVAILABLE, /* 503 FAILED TICKET_SERVICE_UNAVAILABLE */
};

/* Classifies an answer (rc < 0: transport failure). When the body holds a
 * TicketBooking of attempt bid, tb is filled and *have_tb set (cleanup tb
 * then); *code is the 409's error code (borrowed) for OUT_REFUSED. */
enum booking_outcome booking_classify(int rc, long status, const json_t *reply, const char *bid,
                                      struct ticket_booking *tb, int *have_tb, const char **code);

/* A ticket-app notification. Strings borrowed from the parsed JSON. */
struct notification {
    const char *id;
    const char *type; /* booking.created|confirmed|failed|expired|cancelled */
    struct ticket_booking booking;
    const char *pdf_base64; /* confirmed only; may be NULL */
    size_t pdf_base64_len;
};

/* 0, or -1 with the reason in err. An unknown type is an error too (the
 * caller decides what to answer). */
int notification_parse(const json_t *obj, struct notification *out, char *err, size_t errlen);
void notification_cleanup(struct notification *n);
/* 1 if the type is one this version knows. */
int notification_type_known(const char *type);

/* Decodes a base64 PDF: 0 with *pdf (malloc'ed) and *len, or -1 when it is
 * not base64, larger than BOOKING_PDF_MAX or not a PDF. */
int booking_pdf_decode(const char *b64, size_t b64len, unsigned char **pdf, size_t *len);

/* One stored booking (borrowed strings; NULL = SQL NULL). */
struct booking_view {
    const char *id, *user_id, *event_id, *event_name;
    const char *status, *failure_reason;
    const char *seats_json;
    const char *amount, *currency;
    /* payment_expires_at is the booking's expires_at as ticket-app said:
     * the selection lock's end while HELD, the payment window's after */
    const char *invoice_number, *payment_url, *payment_expires_at;
    const char *origin, *created_at, *updated_at;
    const char *code;
    const char *attendees_json; /* {"<seat id>": {name, id_number}} or NULL */
};

/* The Booking JSON of API.md (+ event_name): hold_expires_at while HELD,
 * payment once an invoice exists. New reference. */
json_t *booking_to_json(const struct booking_view *b);

#endif
