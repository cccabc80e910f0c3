/* event_cache.h: the last answer ticket-app gave for each event read (the
 * list pages, an event, its seat map), kept so that client-app can still
 * serve them, marked stale, while ticket-app is down (docs/RELIABILITY.md).
 *
 * Keyed by ticket-app's path ("/api/events/<id>/seats"); only 200 bodies
 * are kept, a 404 forgets its path. Bounded by entries and bytes: the
 * least recently stored goes first. Thread-safe. */
#ifndef CLIENT_EVENT_CACHE_H
#define CLIENT_EVENT_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct event_cache;

/* A cache of at most max_entries answers and max_bytes of bodies. Never
 * NULL (aborts on OOM). */
struct event_cache *event_cache_create(size_t max_entries, size_t max_bytes);
void event_cache_destroy(struct event_cache *c);

/* Keeps a copy of body (len bytes) as the answer for path, replacing the
 * one before. A body larger than max_bytes is not kept. */
void event_cache_put(struct event_cache *c, const char *path, const char *body, size_t len);
/* Forgets path (ticket-app said 404). */
void event_cache_drop(struct event_cache *c, const char *path);
/* The answer kept for path: a malloc'ed NUL-terminated copy (caller frees)
 * and its length, with *stored_ms the wall-clock time it was kept; NULL
 * when there is none. */
char *event_cache_get(struct event_cache *c, const char *path, size_t *len, int64_t *stored_ms);

#endif
