/* inbox_notify.c: a notification and its inbox entries, atomically
 * (inbox_notify.h). */
#include "inbox_notify.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "inbox.h"
#include "inbox_store.h"
#include "notify_store.h"

/* The facts an event.changed tells beyond the booking's (new JSON text). */
static char *event_params(const json_t *body)
{
    const json_t *ev = json_object_get(json_object_get(body, "data"), "event");
    json_t *p = json_object();
    const char *v;
    if ((v = json_str(ev, "name")))
        json_object_set_new(p, "event_name", json_string(v));
    if ((v = json_str(ev, "starts_at_local")) || (v = json_str(ev, "starts_at")))
        json_object_set_new(p, "starts_at_local", json_string(v));
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return text;
}

enum db_status inbox_notify_apply(struct db_conn *c, const struct notification *n,
                                  const json_t *body, const unsigned char *pdf, size_t pdf_len,
                                  int *fresh, int *applied, int *inserted)
{
    *fresh = *applied = *inserted = 0;
    /* Only an event's change or cancellation adds an entry of its own or
     * has a cause the bookings trigger reads; any other notification is
     * the one statement, atomic without a transaction around it (three
     * round trips fewer: BEGIN, the cause, COMMIT). */
    const char *kind = inbox_kind_of_notification(n->type);
    enum db_status st = kind ? db_begin(c) : DB_OK;
    if (st != DB_OK)
        return st;
    if (kind)
        st = inbox_store_set_cause(c, n->type);
    if (st == DB_OK)
        st = notify_store_apply(c, n, pdf, pdf_len, fresh, applied, inserted);
    /* an event.cancelled that brought the cancellation itself was told by
     * the bookings trigger (its cause is this transaction's) */
    if (st == DB_OK && *fresh && kind && !(*applied && strcmp(kind, "event.cancelled") == 0)) {
        char *params = event_params(body);
        st = inbox_store_add(c, kind, n->booking.booking_id, params, n->id);
        free(params);
    }
    if (st == DB_OK && kind)
        st = db_commit(c);
    if (st != DB_OK) {
        if (kind)
            db_rollback(c);
        *fresh = *applied = *inserted = 0;
    }
    return st;
}
