/* event_cancel_store.c: SQL only (see event_cancel_store.h). */
#include "event_cancel_store.h"

static const struct db_stmt st_mark = {
    "ticket_event_cancel_mark",
    "WITH e AS (UPDATE events SET cancelled_at = COALESCE(cancelled_at, now()), "
    "                  updated_at = now() "
    "            WHERE id = $1 RETURNING id), "
    "     w AS (UPDATE waitlist_entries SET status = 'CANCELLED', updated_at = now() "
    "            WHERE event_id = $1 AND status = 'WAITING' AND EXISTS (SELECT 1 FROM e)) "
    "SELECT count(*) AS n FROM e"};

enum db_status event_cancel_store_mark(struct db_conn *c, const char *event_id)
{
    const char *p[] = {event_id};
    PGresult *r = NULL;
    enum db_status st = db_exec(c, &st_mark, 1, p, &r);
    if (st != DB_OK)
        return st;
    if (db_get(r, 0, "n")[0] == '0')
        st = DB_NOT_FOUND;
    PQclear(r);
    return st;
}
