/* group.h: concurrent requests written together. Each caller hands in its
 * item and returns once a write that carried it has returned. At most
 * inflight writes run at once; the items that arrive while that many run
 * go together in the next one, so a burst pays for a few statements and
 * commits instead of one each, while a caller finding a write slot free
 * is written at once, by its own thread (no timer, no thread of its own:
 * leader and followers). What a write does is the caller's: it is the only
 * implementation of its statement (a single item is a group of one). */
#ifndef COMMON_GROUP_H
#define COMMON_GROUP_H

/* Writes items[0..n-1] (1 <= n <= max) and sets each one's outcome inside
 * the item; runs on the thread of one of the callers, with no lock held. */
typedef void (*group_write_fn)(void *ctx, void **items, int n);

struct group;

/* At most max items per write and inflight writes at once (1: each write
 * carries everything that waited for the one before). Never NULL (aborts
 * on OOM). */
struct group *group_create(int max, int inflight, group_write_fn write, void *ctx);
void group_destroy(struct group *g);

/* Adds item (borrowed until return) to the next write and returns once a
 * write that carried it has returned. */
void group_run(struct group *g, void *item);

/* How many writes have run, carrying how many items. */
void group_counts(struct group *g, long *writes, long *items);

#endif
