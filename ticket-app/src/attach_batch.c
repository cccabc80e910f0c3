/* attach_batch.c: grouped invoice attachment (see attach_batch.h). */
#include "attach_batch.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/group.h"
#include "common/util.h"
#include "lifecycle_exec.h"

struct item {
    struct booking *b;
    const char *number, *url;
    int attached;
    enum db_status st;
};

struct attach_batch {
    struct db_pool *pool;
    struct group *group;
};

/* Writes the group (n items), with no lock held: the one INVOICE_ATTACHED
 * statement for all of them. An item counts as attached (its booking
 * updated in place) when its booking was still waiting. */
static void write_group(void *ctx, void **items, int n)
{
    struct attach_batch *ab = ctx;
    struct booking_attach *rows = xcalloc((size_t)n, sizeof *rows);
    int any_waitlist = 0;
    for (int i = 0; i < n; i++) {
        struct item *it = items[i];
        rows[i] = (struct booking_attach){.id = it->b->id, .number = it->number, .url = it->url};
        if (it->b->origin && strcmp(it->b->origin, "waitlist") == 0)
            any_waitlist = 1;
    }
    enum db_status st = DB_UNAVAILABLE;
    struct db_conn *c = db_acquire(ab->pool, APP_DB_WAIT_MS);
    if (c)
        DB_RETRYING(st, lifecycle_attach_invoices(c, rows, n, any_waitlist));
    db_release(ab->pool, c);
    for (int i = 0; i < n; i++) {
        struct item *it = items[i];
        it->st = st;
        it->attached = st == DB_OK && rows[i].attached && rows[i].state == LC_PENDING_PAYMENT;
        if (it->attached) {
            struct booking *b = it->b;
            free(b->invoice_number);
            free(b->payment_url);
            free(b->updated_at);
            b->invoice_number = xstrdup(it->number);
            b->payment_url = xstrdup(it->url);
            b->updated_at = rows[i].updated_at;
            rows[i].updated_at = NULL;
            b->version = rows[i].version;
        }
        free(rows[i].updated_at);
    }
    free(rows);
}

struct attach_batch *attach_batch_create(struct db_pool *pool, int max)
{
    struct attach_batch *ab = xcalloc(1, sizeof *ab);
    ab->pool = pool;
    ab->group = group_create(max, 1, write_group, ab);
    return ab;
}

void attach_batch_destroy(struct attach_batch *ab)
{
    if (!ab)
        return;
    group_destroy(ab->group);
    free(ab);
}

enum db_status attach_batch_run(struct attach_batch *ab, struct booking *b,
                                const char *invoice_number, const char *payment_url, int *attached)
{
    struct item me = {.b = b, .number = invoice_number, .url = payment_url};
    group_run(ab->group, &me);
    *attached = me.attached;
    return me.st;
}

void attach_batch_counts(struct attach_batch *ab, long *statements, long *bookings)
{
    group_counts(ab->group, statements, bookings);
}
