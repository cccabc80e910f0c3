/* organizer.h: the event organizer's system, behind a small interface so
 * that a real organizer over HTTP can replace the in-process simulation.
 * Both calls are synchronous, made with no transaction open, and must be
 * idempotent per booking id (they are retried). */
#ifndef TICKET_ORGANIZER_H
#define TICKET_ORGANIZER_H

#include <stddef.h>
#include <stdint.h>

struct rng;

struct organizer {
    /* Asks the organizer to hold seat_ids of event_id for booking_id.
     * 0 accepted, -1 refused (the booking fails with HOLD_REJECTED). */
    int (*hold)(struct organizer *o, const char *booking_id, const char *event_id,
                const char *const *seat_ids, size_t n);
    /* Tells the organizer the hold is gone (failed, expired, cancelled).
     * 0 done, -1 try again later. */
    int (*release)(struct organizer *o, const char *booking_id);
    void (*destroy)(struct organizer *o);
    void *ctx;
};

/* The simulation: refuses with probability failure_rate (drawn from rng,
 * borrowed, so ORGANIZER_SEED makes a run repeatable) after sleeping
 * latency_ms. Release always succeeds. Never NULL. */
struct organizer *organizer_sim_create(struct rng *rng, double failure_rate, long latency_ms);

#endif
