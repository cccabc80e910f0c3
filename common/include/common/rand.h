/* rand.h: random ids and tokens from libsodium, and a seedable generator
 * for simulated failures (so tests can force a sequence). */
#ifndef COMMON_RAND_H
#define COMMON_RAND_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

/* Must be called once at start (sodium_init). Aborts if it fails. */
void rand_init(void);
/* 2*nbytes lowercase hex chars + NUL into out. */
void rand_hex(char *out, size_t nbytes);
/* A random (v4) UUID, lowercase, 36 chars + NUL. */
void rand_uuid(char out[37]);
/* 1 if s is a UUID in 8-4-4-4-12 hex form (any case), else 0. */
int uuid_valid(const char *s);

/* A seedable, thread-safe generator (splitmix64 under a mutex). */
struct rng {
    uint64_t state;
    pthread_mutex_t lock;
};
/* seed 0 = seed from the system's random source. */
void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_double(struct rng *r);
/* 1 with probability p (p <= 0: never, p >= 1: always). */
int rng_chance(struct rng *r, double p);

#endif
