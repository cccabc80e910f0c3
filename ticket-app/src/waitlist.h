/* waitlist.h: the waitlist as the API sees it: the join body, who may join
 * which seat, the WaitlistEntry JSON, what a change of an offered booking
 * means for its entry, and how each outcome answers. Pure: no database, no
 * I/O. The queue itself lives in waitlist_store.c, the offer's follow-up in
 * waitlist_offer.c, the endpoints in waitlist_handler.c. */
#ifndef TICKET_WAITLIST_H
#define TICKET_WAITLIST_H

#include <jansson.h>

#include "lifecycle.h"

#include "booking.h"
#include "common/http.h"

/* A validated POST /api/waitlist body (UUIDs lowercased). */
struct waitlist_join {
    char user_id[USER_ID_MAX + 1];
    char event_id[37];
    char seat_id[37];
};

/* Validates {user_id, event_id, seat_id}. 0, or -1 with a message per bad
 * field in details. */
int waitlist_parse_join(const json_t *body, struct waitlist_join *out, json_t *details);

/* 1 if s is a usable user id (1..USER_ID_MAX bytes of UTF-8), else 0. */
int waitlist_user_id_valid(const char *s);

/* 1 if s is one of the entry statuses (a ?status= filter), else 0. */
int waitlist_status_valid(const char *s);

/* The outcomes of a join, decided under the seat's row lock. */
enum waitlist_join_outcome {
    JOIN_OK,              /* entry WAITING inserted */
    JOIN_NO_EVENT,        /* 404 NOT_FOUND */
    JOIN_NO_SEAT,         /* 404 SEAT_NOT_FOUND */
    JOIN_FOREIGN_SEAT,    /* 400 VALIDATION_FAILED: the seat is not of that event */
    JOIN_SEAT_AVAILABLE,  /* 409 SEAT_AVAILABLE: book it instead */
    JOIN_HELD_BY_YOU,     /* 409 SEAT_HELD_BY_YOU: the caller holds or bought it */
    JOIN_ALREADY_WAITING, /* 409 ALREADY_WAITING: a WAITING/OFFERED entry exists */
};

/* Who may wait for a seat, from its state under the row lock: seat_status
 * as stored, hold_expired when an ON_GOING hold ran out, has_waiters when
 * WAITING entries exist (an expired hold with waiters is not available: the
 * sweeper hands it to the queue), holder_user the user of the booking that
 * holds it (NULL if none), user the caller. JOIN_OK, JOIN_SEAT_AVAILABLE or
 * JOIN_HELD_BY_YOU. */
enum waitlist_join_outcome waitlist_join_check(const char *seat_status, int hold_expired,
                                               int has_waiters, const char *holder_user,
                                               const char *user);

/* Answers res for a refused join (anything but JOIN_OK). */
void waitlist_join_refuse(struct http_res *res, enum waitlist_join_outcome out);

/* One entry as stored, borrowed strings (NULL = SQL NULL); position 0 when
 * the entry is not WAITING. */
struct waitlist_entry {
    const char *id, *user_id, *event_id, *event_name, *seat_id, *seat_label;
    const char *status, *booking_id, *created_at, *updated_at;
    long position;
};

/* The WaitlistEntry JSON of API.md, plus user_id, event_name, seat_label
 * and updated_at (new reference). position is null unless WAITING. */
json_t *waitlist_entry_json(const struct waitlist_entry *e);

/* The status an OFFERED entry takes when its booking reaches
 * booking_status: CONFIRMED -> FULFILLED, EXPIRED/FAILED -> EXPIRED (the
 * offer lapsed unpaid), CANCELLED -> CANCELLED; NULL for no change. */
const char *waitlist_status_after(enum lc_state booking_state);

/* The outcomes of leaving (DELETE /api/waitlist/{id}). */
enum waitlist_leave_outcome {
    LEAVE_LEFT,      /* WAITING -> CANCELLED, or already CANCELLED/EXPIRED: 204 */
    LEAVE_OFFERED,   /* OFFERED: the caller withdraws the offered booking */
    LEAVE_FULFILLED, /* 409 ENTRY_FULFILLED: the seat is paid for; cancel the booking */
    LEAVE_NOT_FOUND, /* 404: no such entry of this user */
};

/* The leave outcome for an entry found in status (not WAITING, which the
 * store cancels directly). */
enum waitlist_leave_outcome waitlist_leave_outcome_for(const char *status);

/* Delay before retrying an offer's follow-up after attempts failures: the
 * usual backoff, capped at 2 s because the offer's hold runs meanwhile.
 * jitter01 in [0, 1). Pure. */
long waitlist_offer_retry_ms(int attempts, double jitter01);

#endif
