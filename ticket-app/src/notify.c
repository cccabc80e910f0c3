/* notify.c: notification bodies and their enqueueing (see notify.h). */
#include "notify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "booking_store.h"
#include "common/outbox.h"
#include "common/util.h"

char *notify_payload(const struct booking *b, const char *type, const char *pdf_b64,
                     int64_t now_ms_value, char *id, size_t idlen)
{
    char ts[40];
    time_rfc3339(now_ms_value, ts, sizeof ts);
    booking_notify_id(b->id, b->version, id, idlen);
    json_t *data = json_object();
    json_object_set_new(data, "booking", booking_json(b));
    if (pdf_b64)
        json_object_set_new(data, "ticket_pdf_base64", json_string(pdf_b64));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:o}", "id", id, "type", type, "created_at", ts, "data", data);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Enqueues (id, type, payload) in the caller's transaction; a duplicate id
 * (the same change enqueued twice) is a unique violation, which would abort
 * that transaction: it is fenced in a savepoint and ignored. */
static enum db_status enqueue_once(struct db_conn *c, const char *id, const char *type,
                                   const char *payload)
{
    enum db_status st = db_exec_simple(c, "SAVEPOINT notify_enqueue");
    if (st == DB_OK) {
        st = outbox_enqueue(c, id, type, payload);
        if (st == DB_CONFLICT) {
            st = db_exec_simple(c, "ROLLBACK TO SAVEPOINT notify_enqueue");
        } else if (st == DB_OK) {
            st = db_exec_simple(c, "RELEASE SAVEPOINT notify_enqueue");
        }
    }
    return st;
}

/* An event's news to one holder: type "event.changed" or "event.cancelled",
 * id "<prefix>_<booking hex>_<stamp>". */
static enum db_status notify_event_news(struct db_conn *c, const char *type, const char *prefix,
                                        const char *booking_id, const json_t *event,
                                        const char *stamp)
{
    struct booking b = {0};
    enum db_status st = booking_store_load(c, booking_id, &b);
    if (st != DB_OK)
        return st;
    char id[96], ts[40];
    size_t n = 0;
    char hex[33];
    for (const char *p = b.id; *p && n < 32; p++)
        if (*p != '-')
            hex[n++] = *p;
    hex[n] = '\0';
    snprintf(id, sizeof id, "%s_%s_%s", prefix, hex, stamp);
    time_rfc3339(now_ms(), ts, sizeof ts);
    json_t *o = json_pack("{s:s, s:s, s:s, s:{s:o, s:O}}", "id", id, "type", type, "created_at", ts,
                          "data", "booking", booking_json(&b), "event", event);
    char *payload = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    st = enqueue_once(c, id, type, payload);
    free(payload);
    booking_cleanup(&b);
    return st;
}

enum db_status notify_event_changed(struct db_conn *c, const char *booking_id, const json_t *event,
                                    const char *stamp)
{
    return notify_event_news(c, "event.changed", "evc", booking_id, event, stamp);
}

enum db_status notify_event_cancelled(struct db_conn *c, const char *booking_id,
                                      const json_t *event)
{
    return notify_event_news(c, "event.cancelled", "evx", booking_id, event, "cancelled");
}

/* The notifications handed to the delivery loop in memory (one per
 * process, like the loop). Created on first use. */
static struct outbox_queue *notify_q;
static pthread_once_t notify_q_once = PTHREAD_ONCE_INIT;

static void notify_queue_init(void)
{
    notify_q = outbox_queue_create(4096);
}

struct outbox_queue *notify_queue(void)
{
    pthread_once(&notify_q_once, notify_queue_init);
    return notify_q;
}

int notify_queue_push(const char *id, const char *payload, long lease_ms)
{
    return outbox_queue_push(notify_queue(), id, payload, lease_ms);
}
