/* migrate.c: applies migrations/<dir>/NNN_name.sql files once each, in
 * order, each in its own transaction, under an advisory lock so that
 * several instances starting together apply every file exactly once. */
#include "common/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/log.h"
#include "common/util.h"

/* Any fixed number shared by every instance; "migrate" in ASCII. */
#define MIGRATE_LOCK_SQL "SELECT pg_advisory_lock(7596240330396513)"
#define MIGRATE_UNLOCK_SQL "SELECT pg_advisory_unlock(7596240330396513)"
#define MIGRATE_FILE_MAX (16L * 1024 * 1024)

static const char migrate_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static const struct db_stmt migrate_applied = {
    "common_migrate_applied", "SELECT 1 FROM schema_migrations WHERE version = $1"};
static const struct db_stmt migrate_record = {
    "common_migrate_record", "INSERT INTO schema_migrations (version) VALUES ($1)"};

static int migrate_is_sql(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0;
}

/* Byte order, not the locale's: 001 < 002 < 010 on every machine. */
static int migrate_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static char *migrate_read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct sbuf b;
    sbuf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        sbuf_add(&b, chunk, n);
        if ((long)b.len > MIGRATE_FILE_MAX)
            break;
    }
    int bad = ferror(f) || (long)b.len > MIGRATE_FILE_MAX;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: cannot read (or larger than 16 MiB)", path);
        sbuf_cleanup(&b);
        return NULL;
    }
    if (memchr(b.buf ? b.buf : "", '\0', b.len)) {
        snprintf(err, errlen, "%s: contains a NUL byte", path);
        sbuf_cleanup(&b);
        return NULL;
    }
    return sbuf_steal(&b, NULL);
}

/* Line of the 1-based character position pos in text (UTF-8). */
static int migrate_line_of(const char *text, long pos)
{
    int line = 1;
    long ch = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xC0) != 0x80 && ++ch >= pos)
            break;
        if (*p == '\n')
            line++;
    }
    return line;
}

/* Runs one file and records it, all in one transaction. */
static int migrate_apply(struct db_conn *conn, const char *path, const char *version, char *err,
                         size_t errlen)
{
    char *sql = migrate_read_file(path, err, errlen);
    if (!sql)
        return -1;
    int rc = -1;
    if (db_begin(conn) != DB_OK) {
        snprintf(err, errlen, "%s: BEGIN failed: %s", path, db_last_error(conn));
        goto out;
    }
    PGresult *res = PQexec(db_pgconn(conn), sql);
    ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK && rs != PGRES_EMPTY_QUERY) {
        const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (!msg)
            msg = PQerrorMessage(db_pgconn(conn));
        if (pos)
            snprintf(err, errlen, "%s:%d: %s (SQLSTATE %s)", path,
                     migrate_line_of(sql, atol(pos)), msg, state ? state : "-");
        else
            snprintf(err, errlen, "%s: %s (SQLSTATE %s)", path, msg, state ? state : "-");
        /* libpq messages may end in a newline. */
        size_t n = strlen(err);
        while (n > 0 && err[n - 1] == '\n')
            err[--n] = '\0';
        PQclear(res);
        db_rollback(conn);
        goto out;
    }
    PQclear(res);
    const char *params[] = {version};
    if (db_exec(conn, &migrate_record, 1, params, NULL) != DB_OK) {
        snprintf(err, errlen, "%s: recording version %s failed: %s", path, version,
                 db_last_error(conn));
        db_rollback(conn);
        goto out;
    }
    if (db_commit(conn) != DB_OK) {
        snprintf(err, errlen, "%s: COMMIT failed: %s", path, db_last_error(conn));
        goto out;
    }
    rc = 0;
out:
    free(sql);
    return rc;
}

/* 1 applied, 0 not, -1 error. */
static int migrate_done(struct db_conn *conn, const char *version, char *err, size_t errlen)
{
    const char *params[] = {version};
    PGresult *res;
    if (db_exec(conn, &migrate_applied, 1, params, &res) != DB_OK) {
        snprintf(err, errlen, "reading schema_migrations failed: %s", db_last_error(conn));
        return -1;
    }
    int done = PQntuples(res) > 0;
    PQclear(res);
    return done;
}

static int migrate_dir(struct db_conn *conn, const char *dir, char *err, size_t errlen)
{
    struct dirent **files;
    int n = scandir(dir, &files, migrate_is_sql, migrate_cmp);
    if (n < 0) {
        snprintf(err, errlen, "cannot read migrations directory %s: %s", dir, strerror(errno));
        return -1;
    }
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    const char *base = dir;
    for (size_t i = 0; i < dlen; i++)
        if (dir[i] == '/' && i + 1 < dlen)
            base = dir + i + 1;
    size_t blen = (size_t)(dir + dlen - base);

    int applied = 0;
    for (int i = 0; i < n; i++) {
        struct sbuf version, path;
        sbuf_init(&version);
        sbuf_init(&path);
        sbuf_add(&version, base, blen);
        sbuf_puts(&version, "/");
        sbuf_puts(&version, files[i]->d_name);
        sbuf_add(&path, dir, dlen);
        sbuf_puts(&path, "/");
        sbuf_puts(&path, files[i]->d_name);

        int done = applied < 0 ? -1 : migrate_done(conn, version.buf, err, errlen);
        if (done == 0) {
            if (migrate_apply(conn, path.buf, version.buf, err, errlen) == 0) {
                log_info("migrate: applied %s", version.buf);
                applied++;
            } else {
                done = -1;
            }
        }
        if (done < 0)
            applied = -1;
        sbuf_cleanup(&version);
        sbuf_cleanup(&path);
        free(files[i]);
    }
    free(files);
    return applied;
}

int migrate_run(struct db_conn *conn, const char *const *dirs, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!conn || !db_pgconn(conn)) {
        snprintf(err, errlen, "no database connection");
        return -1;
    }
    /* The lock is taken before the table is created: two first-time runners
     * racing on CREATE TABLE IF NOT EXISTS can still collide. */
    if (db_exec_simple(conn, MIGRATE_LOCK_SQL) != DB_OK) {
        snprintf(err, errlen, "taking the migrations lock failed: %s", db_last_error(conn));
        return -1;
    }
    int total = 0;
    if (db_exec_simple(conn, migrate_table_sql) != DB_OK) {
        snprintf(err, errlen, "creating schema_migrations failed: %s", db_last_error(conn));
        total = -1;
    }
    for (size_t i = 0; total >= 0 && dirs && dirs[i]; i++) {
        int n = migrate_dir(conn, dirs[i], err, errlen);
        total = n < 0 ? -1 : total + n;
    }
    if (total < 0)
        log_error("migrate: %s", err);
    /* Session-level lock: if the connection died it is gone already. */
    db_exec_simple(conn, MIGRATE_UNLOCK_SQL);
    return total;
}
