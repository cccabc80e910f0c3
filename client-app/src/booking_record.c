/* booking_record.c: attempts recorded in groups (see booking_record.h). */
#include "booking_record.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/group.h"
#include "common/util.h"

struct item {
    const struct booking_record *rec;
    int want_row;
    json_t *row; /* the booking as the API shows it, when wanted */
    enum db_status st;
};

struct booking_recorder {
    struct db_pool *pool;
    struct group *group;
};

/* Sets the outcome of each of items[0..n-1] from the rows of res (st the
 * statement's): DB_OK with the booking's JSON when its row is there. */
static void hand_out(struct item **items, int n, enum db_status st, const PGresult *res)
{
    for (int i = 0; i < n; i++) {
        struct item *it = items[i];
        const char *want = it->rec->id;
        it->st = st;
        if (st != DB_OK || !it->want_row)
            continue;
        it->st = DB_ERROR; /* unless its row is among the answers */
        for (int r = 0; r < PQntuples(res); r++) {
            const char *id = db_get(res, r, "id");
            if (id && strcmp(id, want) == 0) {
                struct booking_view v;
                booking_view_from(res, r, &v);
                it->row = booking_to_json(&v);
                it->st = DB_OK;
                break;
            }
        }
    }
}

/* Records items[0..n-1] by one statement on c; sets each one's outcome. */
static enum db_status record(struct db_conn *c, struct item **items, int n)
{
    struct booking_record *rows = xcalloc((size_t)n, sizeof *rows);
    for (int i = 0; i < n; i++)
        rows[i] = *items[i]->rec;
    PGresult *res = NULL;
    enum db_status st = booking_store_record(c, rows, n, &res);
    free(rows);
    hand_out(items, n, st, res);
    PQclear(res);
    return st;
}

/* The group's statement; when it fails for a group of several, each is
 * recorded alone, so that one bad attempt fails only itself. */
static void write_group(void *ctx, void **items, int n)
{
    struct booking_recorder *r = ctx;
    struct item **its = (struct item **)items;
    struct db_conn *c = db_acquire(r->pool, APP_DB_WAIT_MS);
    if (!c) {
        for (int i = 0; i < n; i++)
            its[i]->st = DB_UNAVAILABLE;
        return;
    }
    if (record(c, its, n) != DB_OK && n > 1)
        for (int i = 0; i < n; i++)
            record(c, &its[i], 1);
    db_release(r->pool, c);
}

struct booking_recorder *booking_recorder_create(struct db_pool *pool, int max, int inflight)
{
    struct booking_recorder *r = xcalloc(1, sizeof *r);
    r->pool = pool;
    r->group = group_create(max, inflight, write_group, r);
    return r;
}

void booking_recorder_destroy(struct booking_recorder *r)
{
    if (!r)
        return;
    group_destroy(r->group);
    free(r);
}

enum db_status booking_recorder_run(struct booking_recorder *r, const struct booking_record *rec,
                                    json_t **out)
{
    struct item me = {.rec = rec, .want_row = out != NULL};
    group_run(r->group, &me);
    if (out)
        *out = me.row;
    else
        json_decref(me.row);
    return me.st;
}

void booking_recorder_counts(struct booking_recorder *r, long *statements, long *attempts)
{
    group_counts(r->group, statements, attempts);
}
