/* group.c: leader/follower grouping of concurrent writes (see group.h). */
#include "common/group.h"

#include <pthread.h>
#include <stdlib.h>

#include "common/util.h"

struct waiter {
    void *item;
    int done;
    struct waiter *next;
};

struct group {
    int max, inflight;
    group_write_fn write;
    void *ctx;
    pthread_mutex_t m;
    pthread_cond_t cv;
    struct waiter *head, *tail; /* waiting to be written */
    int writing;                /* groups being written now (<= inflight) */
    long writes, items;         /* written so far (under m) */
};

struct group *group_create(int max, int inflight, group_write_fn write, void *ctx)
{
    struct group *g = xcalloc(1, sizeof *g);
    g->max = max > 0 ? max : 1;
    g->inflight = inflight > 0 ? inflight : 1;
    g->write = write;
    g->ctx = ctx;
    pthread_mutex_init(&g->m, NULL);
    pthread_cond_init(&g->cv, NULL);
    return g;
}

void group_destroy(struct group *g)
{
    if (!g)
        return;
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->m);
    free(g);
}

void group_run(struct group *g, void *item)
{
    struct waiter me = {.item = item};
    pthread_mutex_lock(&g->m);
    if (g->tail)
        g->tail->next = &me;
    else
        g->head = &me;
    g->tail = &me;
    while (!me.done) {
        /* nothing waiting: this one is in a group being written */
        if (g->writing >= g->inflight || !g->head) {
            pthread_cond_wait(&g->cv, &g->m);
            continue;
        }
        /* lead: take up to max from the front (this one may be among them) */
        g->writing++;
        struct waiter *grp = g->head, *last = grp;
        int n = 1;
        while (n < g->max && last->next) {
            last = last->next;
            n++;
        }
        g->head = last->next;
        if (!g->head)
            g->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&g->m);

        void **items = xcalloc((size_t)n, sizeof *items);
        struct waiter *w = grp;
        for (int i = 0; i < n; i++, w = w->next)
            items[i] = w->item;
        g->write(g->ctx, items, n);
        free(items);

        pthread_mutex_lock(&g->m);
        g->writes++;
        g->items += n;
        for (struct waiter *x = grp, *nx; x; x = nx) {
            nx = x->next;
            x->done = 1; /* a follower's waiter lives on its stack: last touch */
        }
        g->writing--;
        pthread_cond_broadcast(&g->cv);
    }
    pthread_mutex_unlock(&g->m);
}

void group_counts(struct group *g, long *writes, long *items)
{
    pthread_mutex_lock(&g->m);
    *writes = g->writes;
    *items = g->items;
    pthread_mutex_unlock(&g->m);
}
