/* ratelimit.h: token buckets (capacity N per minute, refilled continuously)
 * kept per key (client address, user id) in an in-memory table sharded by
 * key hash, each shard under its own mutex. */
#ifndef CLIENT_RATELIMIT_H
#define CLIENT_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct tbucket {
    double tokens;
    int64_t last_ms;
};

/* A full bucket at now_ms. */
void tbucket_init(struct tbucket *b, double capacity, int64_t now_ms);
/* Refills b at capacity tokens per minute (never above capacity) and takes
 * one token. Returns 1 if it was there; else 0 and *retry_after_s (if not
 * NULL) gets the whole seconds until one is (at least 1). A clock that went
 * backwards refills nothing. */
int tbucket_take(struct tbucket *b, double capacity, int64_t now_ms, long *retry_after_s);
/* 1 if b has refilled to capacity by now_ms (forgetting it changes nothing). */
int tbucket_full(const struct tbucket *b, double capacity, int64_t now_ms);

struct ratelimit;

/* per_minute > 0 tokens per key; at most max_keys keys are tracked (past
 * that, after evicting full buckets, an unknown key is let through rather
 * than tracked: memory stays bounded). Never NULL. */
struct ratelimit *ratelimit_create(long per_minute, size_t max_keys);
void ratelimit_destroy(struct ratelimit *rl);
/* Takes a token for key (borrowed, copied when new). 1 allowed, 0 limited
 * with *retry_after_s set. */
int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, long *retry_after_s);
/* Forgets every bucket that is full again; returns how many. */
size_t ratelimit_evict(struct ratelimit *rl, int64_t now_ms);
/* Number of keys tracked. */
size_t ratelimit_size(struct ratelimit *rl);

#endif
