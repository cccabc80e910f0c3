/* organizer.c: the in-process simulation of the organizer's system. */
#include "organizer.h"

#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"

struct organizer_sim {
    struct rng *rng;
    double failure_rate;
    long latency_ms;
};

static int sim_hold(struct organizer *o, const char *booking_id, const char *event_id,
                    const char *const *seat_ids, size_t n)
{
    struct organizer_sim *s = o->ctx;
    (void)seat_ids;
    sleep_ms(s->latency_ms);
    if (rng_chance(s->rng, s->failure_rate)) {
        log_info("organizer refused hold booking=%s event=%s seats=%zu", booking_id, event_id, n);
        return -1;
    }
    return 0;
}

static int sim_release(struct organizer *o, const char *booking_id)
{
    (void)o;
    log_debug("organizer released booking=%s", booking_id);
    return 0;
}

static void sim_destroy(struct organizer *o)
{
    free(o->ctx);
    free(o);
}

struct organizer *organizer_sim_create(struct rng *rng, double failure_rate, long latency_ms)
{
    struct organizer_sim *s = xcalloc(1, sizeof *s);
    s->rng = rng;
    s->failure_rate = failure_rate;
    s->latency_ms = latency_ms;
    struct organizer *o = xcalloc(1, sizeof *o);
    o->hold = sim_hold;
    o->release = sim_release;
    o->destroy = sim_destroy;
    o->ctx = s;
    return o;
}
