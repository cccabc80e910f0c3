/* group.h: concurrent requests written together. Each caller hands in its
 * item and returns once a write that carried it has returned; the items
 * that arrive while one write runs go together in the next one, so a burst
 * pays for a few statements and commits instead of one each. Leader and
 * followers: no thread and no timer; a caller alone is written at once, by
 * its own thread. What a write does is the caller's: it is the only
 * implementation of its statement (a single item is a group of one). */
#ifndef COMMON_GROUP_H
#define COMMON_GROUP_H

/* Writes items[0..n-1] (1 <= n <= max) and sets each one's outcome inside
 * the item; runs on the thread of one of the callers, with no lock held. */
typedef void (*group_write_fn)(void *ctx, void **items, int n);

struct group;

/* At most max items per write. Never NULL (aborts on OOM). */
struct group *group_create(int max, group_write_fn write, void *ctx);
void group_destroy(struct group *g);

/* Adds item (borrowed until return) to the next write and returns once a
 * write that carried it has returned. */
void group_run(struct group *g, void *item);

/* How many writes have run, carrying how many items. */
void group_counts(struct group *g, long *writes, long *items);

#endif
