/* event_life.c: an event's changes and what they tell (see event_life.h). */
#include "event_life.h"

#include <stdio.h>

#include "common/bg.h"
#include "common/log.h"
#include "common/util.h"
#include "event_store.h"
#include "notify.h"

/* One attempt in one transaction; DB_RETRY when it should run again. */
static enum db_status patch_once(struct db_conn *c, const char *id, const struct event_input *in,
                                 json_t **event, int *told)
{
    *told = 0;
    enum db_status st = db_begin(c);
    if (st != DB_OK)
        return st;
    int moved = 0;
    json_t *ids = NULL;
    st = event_store_patch_tx(c, id, in, &moved);
    if (st == DB_OK)
        st = event_store_get(c, id, event);
    if (st == DB_OK && moved)
        st = event_store_live_bookings(c, id, &ids);
    if (st == DB_OK && moved) {
        /* The notices first, with the bookings' versions as they are; then
         * the confirmed ones move on to the version their new ticket has. */
        char stamp[24];
        snprintf(stamp, sizeof stamp, "%llx", (unsigned long long)now_ms());
        size_t i;
        json_t *b;
        json_array_foreach(ids, i, b)
        {
            st = notify_event_changed(c, json_string_value(b), *event, stamp);
            if (st != DB_OK)
                break;
        }
        if (st == DB_OK)
            st = event_store_rerender(c, id);
        *told = (int)json_array_size(ids);
    }
    json_decref(ids);
    if (st == DB_OK)
        st = db_commit(c);
    if (st != DB_OK) {
        db_rollback(c);
        json_decref(*event);
        *event = NULL;
        *told = 0;
    }
    return st;
}

enum db_status event_life_patch(struct app *app, struct db_conn *c, const char *id,
                                const struct event_input *in, json_t **event, int *told)
{
    enum db_status st;
    *event = NULL;
    DB_RETRYING(st, patch_once(c, id, in, event, told));
    if (st == DB_OK && *told > 0) {
        log_info("event postponed id=%s holders_told=%d", id, *told);
        if (app->notifier)
            bg_wake(app->notifier);
        if (app->followup_render)
            bg_wake(app->followup_render);
    }
    return st;
}
