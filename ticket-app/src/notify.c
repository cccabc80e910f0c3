/* notify.c: notification bodies and their enqueueing (see notify.h). */
#include "notify.h"

#include <pthread.h>
#include <stdlib.h>

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
