/* ratelimit.c: token buckets per key in a sharded hash table. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "common/util.h"

#define RL_SHARDS 64
#define RL_SLOTS 256 /* chain heads per shard */

void tbucket_init(struct tbucket *b, double capacity, int64_t now_ms)
{
    b->tokens = capacity;
    b->last_ms = now_ms;
}

static void tbucket_refill(struct tbucket *b, double capacity, int64_t now_ms)
{
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * capacity / 60000.0;
        if (b->tokens > capacity)
            b->tokens = capacity;
        b->last_ms = now_ms;
    }
}

int tbucket_take(struct tbucket *b, double capacity, int64_t now_ms, long *retry_after_s)
{
    tbucket_refill(b, capacity, now_ms);
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 1;
    }
    if (retry_after_s) {
        /* seconds until the missing fraction of a token has dripped in */
        double wait_s = (1.0 - b->tokens) * 60.0 / capacity;
        long s = (long)ceil(wait_s);
        *retry_after_s = s < 1 ? 1 : s;
    }
    return 0;
}

int tbucket_full(const struct tbucket *b, double capacity, int64_t now_ms)
{
    double t = b->tokens;
    if (now_ms > b->last_ms)
        t += (double)(now_ms - b->last_ms) * capacity / 60000.0;
    return t >= capacity;
}

struct rl_entry {
    struct rl_entry *next;
    uint64_t hash;
    struct tbucket bucket;
    char key[];
};

struct rl_shard {
    pthread_mutex_t lock;
    size_t count;
    struct rl_entry *slots[RL_SLOTS];
};

struct ratelimit {
    double capacity;
    size_t max_per_shard;
    struct rl_shard shards[RL_SHARDS];
};

static uint64_t rl_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

struct ratelimit *ratelimit_create(long per_minute, size_t max_keys)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    rl->capacity = (double)per_minute;
    rl->max_per_shard = max_keys / RL_SHARDS;
    if (rl->max_per_shard < 1)
        rl->max_per_shard = 1;
    for (int i = 0; i < RL_SHARDS; i++)
        pthread_mutex_init(&rl->shards[i].lock, NULL);
    return rl;
}

void ratelimit_destroy(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < RL_SHARDS; i++) {
        struct rl_shard *sh = &rl->shards[i];
        for (int j = 0; j < RL_SLOTS; j++) {
            struct rl_entry *e = sh->slots[j];
            while (e) {
                struct rl_entry *n = e->next;
                free(e);
                e = n;
            }
        }
        pthread_mutex_destroy(&sh->lock);
    }
    free(rl);
}

/* Removes the full buckets of one shard (lock held); returns how many. */
static size_t shard_evict(struct ratelimit *rl, struct rl_shard *sh, int64_t now_ms)
{
    size_t removed = 0;
    for (int j = 0; j < RL_SLOTS; j++) {
        struct rl_entry **pp = &sh->slots[j];
        while (*pp) {
            struct rl_entry *e = *pp;
            if (tbucket_full(&e->bucket, rl->capacity, now_ms)) {
                *pp = e->next;
                free(e);
                removed++;
            } else {
                pp = &e->next;
            }
        }
    }
    sh->count -= removed;
    return removed;
}

int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, long *retry_after_s)
{
    uint64_t h = rl_hash(key);
    struct rl_shard *sh = &rl->shards[h % RL_SHARDS];
    size_t slot = (size_t)((h / RL_SHARDS) % RL_SLOTS);
    int ok;

    pthread_mutex_lock(&sh->lock);
    struct rl_entry *e = sh->slots[slot];
    while (e && (e->hash != h || strcmp(e->key, key) != 0))
        e = e->next;
    if (!e) {
        if (sh->count >= rl->max_per_shard)
            shard_evict(rl, sh, now_ms);
        if (sh->count >= rl->max_per_shard) {
            /* every tracked key is active: let this one through untracked */
            pthread_mutex_unlock(&sh->lock);
            return 1;
        }
        size_t klen = strlen(key);
        e = xmalloc(sizeof(*e) + klen + 1);
        memcpy(e->key, key, klen + 1);
        e->hash = h;
        tbucket_init(&e->bucket, rl->capacity, now_ms);
        e->next = sh->slots[slot];
        sh->slots[slot] = e;
        sh->count++;
    }
    ok = tbucket_take(&e->bucket, rl->capacity, now_ms, retry_after_s);
    pthread_mutex_unlock(&sh->lock);
    return ok;
}

size_t ratelimit_evict(struct ratelimit *rl, int64_t now_ms)
{
    size_t removed = 0;
    for (int i = 0; i < RL_SHARDS; i++) {
        pthread_mutex_lock(&rl->shards[i].lock);
        removed += shard_evict(rl, &rl->shards[i], now_ms);
        pthread_mutex_unlock(&rl->shards[i].lock);
    }
    return removed;
}

size_t ratelimit_size(struct ratelimit *rl)
{
    size_t n = 0;
    for (int i = 0; i < RL_SHARDS; i++) {
        pthread_mutex_lock(&rl->shards[i].lock);
        n += rl->shards[i].count;
        pthread_mutex_unlock(&rl->shards[i].lock);
    }
    return n;
}
