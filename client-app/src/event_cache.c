/* event_cache.c: ticket-app's last answers for event reads (see
 * event_cache.h): a small array under one lock, searched linearly (a few
 * hundred entries at most, each looked at only when ticket-app answered). */
#include "event_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct entry {
    char *path; /* NULL: free slot */
    char *body;
    size_t len;
    int64_t stored_ms;
    uint64_t seq; /* order of storing: the smallest goes first */
};

struct event_cache {
    pthread_mutex_t lock;
    struct entry *e;
    size_t n, bytes, max_bytes;
    uint64_t seq;
};

struct event_cache *event_cache_create(size_t max_entries, size_t max_bytes)
{
    struct event_cache *c = xcalloc(1, sizeof *c);
    c->n = max_entries ? max_entries : 1;
    c->e = xcalloc(c->n, sizeof *c->e);
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

static void entry_clear(struct event_cache *c, struct entry *e)
{
    if (!e->path)
        return;
    c->bytes -= e->len;
    free(e->path);
    free(e->body);
    memset(e, 0, sizeof *e);
}

void event_cache_destroy(struct event_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        entry_clear(c, &c->e[i]);
    free(c->e);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The entry for path, or NULL; under the lock. */
static struct entry *find(struct event_cache *c, const char *path)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].path && strcmp(c->e[i].path, path) == 0)
            return &c->e[i];
    return NULL;
}

/* The oldest entry (or a free slot); under the lock. */
static struct entry *oldest(struct event_cache *c)
{
    struct entry *o = NULL;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->e[i].path)
            return &c->e[i];
        if (!o || c->e[i].seq < o->seq)
            o = &c->e[i];
    }
    return o;
}

void event_cache_put(struct event_cache *c, const char *path, const char *body, size_t len)
{
    if (len > c->max_bytes)
        return;
    char *copy = xmalloc(len + 1);
    memcpy(copy, body, len);
    copy[len] = '\0';
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, path);
    if (e)
        entry_clear(c, e);
    while (c->bytes + len > c->max_bytes)
        entry_clear(c, oldest(c));
    e = oldest(c);
    entry_clear(c, e);
    e->path = xstrdup(path);
    e->body = copy;
    e->len = len;
    e->stored_ms = now_ms();
    e->seq = ++c->seq;
    c->bytes += len;
    pthread_mutex_unlock(&c->lock);
}

void event_cache_drop(struct event_cache *c, const char *path)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, path);
    if (e)
        entry_clear(c, e);
    pthread_mutex_unlock(&c->lock);
}

char *event_cache_get(struct event_cache *c, const char *path, size_t *len, int64_t *stored_ms)
{
    char *out = NULL;
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, path);
    if (e) {
        out = xmalloc(e->len + 1);
        memcpy(out, e->body, e->len + 1);
        *len = e->len;
        if (stored_ms)
            *stored_ms = e->stored_ms;
    }
    pthread_mutex_unlock(&c->lock);
    return out;
}
