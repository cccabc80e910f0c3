/* seat_hint.h: the seats ticket-app recently said are taken, remembered
 * for a moment so that the many requests a flash sale makes for a seat
 * already held are refused here, without a call to ticket-app.
 *
 * Only a hint, and only ever for a refusal: a seat is noted when ticket-app
 * held it for a booking (201) or refused a single-seat request for it, and
 * the note is trusted for ttl_ms. A seat released meanwhile (a cancelled or
 * expired booking) is refused for at most that long, the same answer as
 * arriving a moment earlier; a seat that is free is never sold by it: every
 * hold is decided by ticket-app. Thread-safe; fixed size (a note may push
 * out an older one, which only makes the hint miss). */
#ifndef CLIENT_SEAT_HINT_H
#define CLIENT_SEAT_HINT_H

#include <stddef.h>
#include <stdint.h>

#define SEAT_HINT_LABEL_MAX 48
#define SEAT_HINT_EVENT_MAX 160

/* What an answer about a taken seat shows of it. */
struct seat_hint_info {
    char event_id[37];                    /* the seat's event */
    char label[SEAT_HINT_LABEL_MAX];      /* "" when unknown */
    long price;                           /* -1 when unknown */
    char event_name[SEAT_HINT_EVENT_MAX]; /* "" when unknown */
};

struct seat_hint;

/* slots: the number of seats remembered at most (rounded up to a power of
 * two); ttl_ms <= 0 turns the hint off (seat_hint_taken always 0). */
struct seat_hint *seat_hint_create(size_t slots, long ttl_ms);
void seat_hint_destroy(struct seat_hint *h);

/* Notes seat_id (a UUID, lowercase) of event_id taken at now_ms;
 * label/event_name may be NULL, price -1 when unknown. Too long a label or
 * name is left out. */
void seat_hint_note(struct seat_hint *h, const char *seat_id, const char *event_id,
                    const char *label, long price, const char *event_name, int64_t now_ms);

/* 1 (and *info filled, if not NULL) when seat_id was noted taken, as a seat
 * of event_id, less than ttl_ms before now_ms; else 0 (a request naming the
 * seat with another event is left to ticket-app, which refuses it as bad
 * input). */
int seat_hint_taken(struct seat_hint *h, const char *seat_id, const char *event_id, int64_t now_ms,
                    struct seat_hint_info *info);

/* Drops the note on seat_id (its booking released it). */
void seat_hint_forget(struct seat_hint *h, const char *seat_id);

#endif
