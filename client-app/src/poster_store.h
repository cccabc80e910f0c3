/* poster_store.h: SQL for event posters (table event_posters). */
#ifndef CLIENT_POSTER_STORE_H
#define CLIENT_POSTER_STORE_H

#include <stddef.h>

#include "common/db.h"

struct poster_meta {
    char content_type[16];
    unsigned width, height;
    size_t size;
    char sha256[65];
    char updated_at[40];
};

/* Inserts or replaces the poster of event_id; meta->updated_at is filled. */
enum db_status poster_store_put(struct db_conn *c, const char *event_id, const char *user_id,
                                const unsigned char *data, size_t len, struct poster_meta *meta);
/* The poster of event_id: *data (malloc'ed, caller frees) and meta;
 * DB_NOT_FOUND if there is none. With want_data 0 only meta is read. */
enum db_status poster_store_get(struct db_conn *c, const char *event_id, int want_data,
                                unsigned char **data, struct poster_meta *meta);
/* Which of the n events have a poster: versions[i] receives the first 16
 * hex digits of the sha256 of ids[i]'s poster (a cache key that changes
 * with the image), or "" when it has none. ids are UUID texts. */
enum db_status poster_store_versions(struct db_conn *c, const char *const *ids, size_t n,
                                     char (*versions)[17]);
/* Removes the poster of event_id; DB_NOT_FOUND if there was none. */
enum db_status poster_store_delete(struct db_conn *c, const char *event_id);

#endif
