/* migrate.h: applies migrations/<dir>/NNN_name.sql files in order, each
 * once, each in its own transaction, recorded in schema_migrations. Safe
 * when several instances start at once (advisory lock). */
#ifndef COMMON_MIGRATE_H
#define COMMON_MIGRATE_H

#include <stddef.h>

struct db_conn;

/* Applies every pending file of each directory in dirs (NULL-terminated),
 * in directory order then file-name order. A version is recorded as
 * "<last path component of dir>/<file name>". Returns the number applied,
 * or -1 with the reason in err. */
int migrate_run(struct db_conn *conn, const char *const *dirs, char *err, size_t errlen);

#endif
