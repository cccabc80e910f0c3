/* seat_hint.c: a fixed table of recently taken seats (see seat_hint.h). */
#include "seat_hint.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define STRIPES 64 /* locks, each guarding every STRIPES-th slot */

struct slot {
    char seat_id[37]; /* "" = empty */
    int64_t noted_ms;
    struct seat_hint_info info;
};

struct seat_hint {
    struct slot *slots;
    size_t mask;
    long ttl_ms;
    pthread_mutex_t locks[STRIPES];
};

/* FNV-1a over the id's text. */
static size_t slot_of(const struct seat_hint *h, const char *seat_id)
{
    uint64_t x = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)seat_id; *p; p++) {
        x ^= *p;
        x *= 1099511628211ULL;
    }
    return (size_t)x & h->mask;
}

struct seat_hint *seat_hint_create(size_t slots, long ttl_ms)
{
    size_t n = 1;
    while (n < slots)
        n <<= 1;
    struct seat_hint *h = xcalloc(1, sizeof *h);
    h->slots = xcalloc(n, sizeof *h->slots);
    h->mask = n - 1;
    h->ttl_ms = ttl_ms;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&h->locks[i], NULL);
    return h;
}

void seat_hint_destroy(struct seat_hint *h)
{
    if (!h)
        return;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&h->locks[i]);
    free(h->slots);
    free(h);
}

static int id_ok(const char *seat_id)
{
    return seat_id && strlen(seat_id) == 36;
}

void seat_hint_note(struct seat_hint *h, const char *seat_id, const char *event_id,
                    const char *label, long price, const char *event_name, int64_t now_ms)
{
    if (!h || h->ttl_ms <= 0 || !id_ok(seat_id) || !id_ok(event_id))
        return;
    struct seat_hint_info info = {.price = price};
    memcpy(info.event_id, event_id, 37);
    if (label && strlen(label) < sizeof info.label)
        memcpy(info.label, label, strlen(label) + 1);
    if (event_name && strlen(event_name) < sizeof info.event_name)
        memcpy(info.event_name, event_name, strlen(event_name) + 1);
    size_t i = slot_of(h, seat_id);
    pthread_mutex_t *m = &h->locks[i % STRIPES];
    pthread_mutex_lock(m);
    struct slot *s = &h->slots[i];
    memcpy(s->seat_id, seat_id, 37);
    s->noted_ms = now_ms;
    s->info = info;
    pthread_mutex_unlock(m);
}

int seat_hint_taken(struct seat_hint *h, const char *seat_id, const char *event_id, int64_t now_ms,
                    struct seat_hint_info *info)
{
    if (!h || h->ttl_ms <= 0 || !id_ok(seat_id) || !id_ok(event_id))
        return 0;
    size_t i = slot_of(h, seat_id);
    pthread_mutex_t *m = &h->locks[i % STRIPES];
    pthread_mutex_lock(m);
    const struct slot *s = &h->slots[i];
    int taken = strcmp(s->seat_id, seat_id) == 0 && strcmp(s->info.event_id, event_id) == 0 &&
                now_ms >= s->noted_ms && now_ms - s->noted_ms < h->ttl_ms;
    if (taken && info)
        *info = s->info;
    pthread_mutex_unlock(m);
    return taken;
}

void seat_hint_forget(struct seat_hint *h, const char *seat_id)
{
    if (!h || !id_ok(seat_id))
        return;
    size_t i = slot_of(h, seat_id);
    pthread_mutex_t *m = &h->locks[i % STRIPES];
    pthread_mutex_lock(m);
    struct slot *s = &h->slots[i];
    if (strcmp(s->seat_id, seat_id) == 0)
        s->seat_id[0] = '\0';
    pthread_mutex_unlock(m);
}
