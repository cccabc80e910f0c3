/* attach_batch.c: grouped invoice attachment (see attach_batch.h). */
#include "attach_batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/util.h"
#include "lifecycle_exec.h"

struct item {
    struct booking *b;
    const char *number, *url;
    int attached;
    enum db_status st;
    int done;
    struct item *next;
};

struct attach_batch {
    struct db_pool *pool;
    int max;
    pthread_mutex_t m;
    pthread_cond_t cv;
    struct item *head, *tail;  /* waiting to be written */
    int writing;               /* a leader is writing a group */
    long statements, bookings; /* written so far (under m) */
};

struct attach_batch *attach_batch_create(struct db_pool *pool, int max)
{
    struct attach_batch *ab = xcalloc(1, sizeof *ab);
    ab->pool = pool;
    ab->max = max > 0 ? max : 1;
    pthread_mutex_init(&ab->m, NULL);
    pthread_cond_init(&ab->cv, NULL);
    return ab;
}

void attach_batch_destroy(struct attach_batch *ab)
{
    if (!ab)
        return;
    pthread_cond_destroy(&ab->cv);
    pthread_mutex_destroy(&ab->m);
    free(ab);
}

/* Writes the group (n items from grp), with no lock held: the one
 * INVOICE_ATTACHED statement for all of them. An item counts as attached
 * (its booking updated in place) when its booking was still waiting. */
static void write_group(struct attach_batch *ab, struct item *grp, int n)
{
    struct booking_attach *rows = xcalloc((size_t)n, sizeof *rows);
    struct item *it = grp;
    int any_waitlist = 0;
    for (int i = 0; i < n; i++, it = it->next) {
        rows[i] = (struct booking_attach){.id = it->b->id, .number = it->number, .url = it->url};
        if (it->b->origin && strcmp(it->b->origin, "waitlist") == 0)
            any_waitlist = 1;
    }
    enum db_status st = DB_UNAVAILABLE;
    struct db_conn *c = db_acquire(ab->pool, APP_DB_WAIT_MS);
    if (c)
        DB_RETRYING(st, lifecycle_attach_invoices(c, rows, n, any_waitlist));
    db_release(ab->pool, c);
    it = grp;
    for (int i = 0; i < n; i++, it = it->next) {
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

enum db_status attach_batch_run(struct attach_batch *ab, struct booking *b,
                                const char *invoice_number, const char *payment_url, int *attached)
{
    struct item me = {.b = b, .number = invoice_number, .url = payment_url};
    pthread_mutex_lock(&ab->m);
    if (ab->tail)
        ab->tail->next = &me;
    else
        ab->head = &me;
    ab->tail = &me;
    while (!me.done) {
        if (ab->writing) {
            pthread_cond_wait(&ab->cv, &ab->m);
            continue;
        }
        /* lead: take up to max from the front (this one may be among them) */
        ab->writing = 1;
        struct item *grp = ab->head, *last = grp;
        int n = 1;
        while (n < ab->max && last->next) {
            last = last->next;
            n++;
        }
        ab->head = last->next;
        if (!ab->head)
            ab->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&ab->m);
        write_group(ab, grp, n);
        pthread_mutex_lock(&ab->m);
        ab->statements++;
        ab->bookings += n;
        for (struct item *it = grp, *nx; it; it = nx) {
            nx = it->next;
            it->done = 1; /* a follower's item lives on its stack: last touch */
        }
        ab->writing = 0;
        pthread_cond_broadcast(&ab->cv);
    }
    pthread_mutex_unlock(&ab->m);
    *attached = me.attached;
    return me.st;
}

void attach_batch_counts(struct attach_batch *ab, long *statements, long *bookings)
{
    pthread_mutex_lock(&ab->m);
    *statements = ab->statements;
    *bookings = ab->bookings;
    pthread_mutex_unlock(&ab->m);
}
