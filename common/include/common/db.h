/* db.h: bounded PostgreSQL connection pool over libpq, prepared statements,
 * parameters only, outcomes mapped from SQLSTATE. */
#ifndef COMMON_DB_H
#define COMMON_DB_H

#include <libpq-fe.h>
#include <stddef.h>

enum db_status {
    DB_OK = 0,
    DB_NOT_FOUND,   /* set by callers when a row they need is absent */
    DB_CONFLICT,    /* 23505 unique violation, 23P01 exclusion */
    DB_INVALID,     /* 22xxx data exception, 23502/23503/23514: bad input */
    DB_RETRY,       /* 40001 serialization failure, 40P01 deadlock */
    DB_UNAVAILABLE, /* connection failure, 08xxx, 57Pxx, 57014, 53xxx: answer 503 */
    DB_ERROR,       /* anything else: our fault, 500 */
};

/* A statement known by name; prepared once per connection on first use.
 * Declare as static const with a unique name per service. */
struct db_stmt {
    const char *name;
    const char *sql;
};

struct db_pool;
struct db_conn;

/* Creates a pool of at most size connections to conninfo (libpq URI or
 * key=value string). Connections open lazily. Never NULL (aborts on OOM). */
struct db_pool *db_pool_create(const char *conninfo, int size);
/* Every connection the pool opens from now on gets statement_timeout and
 * idle_in_transaction_session_timeout (ms; 0 = none), through libpq's
 * "options" (a conninfo's own options= wins). A statement cut by the first
 * answers DB_UNAVAILABLE (SQLSTATE 57014); a transaction left idle past
 * the second loses its connection (reset on the next acquire). Defaults:
 * DB_*_TIMEOUT_MS_DEFAULT. Call before the pool is used. */
#define DB_STATEMENT_TIMEOUT_MS_DEFAULT 30000
#define DB_IDLE_TX_TIMEOUT_MS_DEFAULT 60000
void db_pool_set_timeouts(struct db_pool *pool, long statement_ms, long idle_tx_ms);
void db_pool_destroy(struct db_pool *pool);

/* Borrows a connection, waiting up to wait_ms for one to be free. Returns
 * NULL when none came free in time or the server cannot be reached (the
 * caller answers 503). A connection found broken is reset first. */
struct db_conn *db_acquire(struct db_pool *pool, int wait_ms);
/* Returns the connection: an open or failed transaction is rolled back, a
 * broken connection is reset before its next use. conn may be NULL. */
void db_release(struct db_pool *pool, struct db_conn *conn);

/* Pool figures for /metrics. */
void db_pool_stats(struct db_pool *pool, int *size, int *in_use, long *waits, long *timeouts);

/* Runs a prepared statement with text parameters (NULL entries are SQL
 * NULL). On DB_OK, *out (if out is not NULL) receives the result, which the
 * caller PQclear()s; on any other status *out is NULL. */
enum db_status db_exec(struct db_conn *conn, const struct db_stmt *stmt, int nparams,
                       const char *const *params, PGresult **out);
/* One page of a list, the stores' one way to page. list takes the nparams
 * params, then the limit and the offset ($nparams+1, $nparams+2). The count
 * of all rows is read from column total_col of the first row when there is
 * one (count(*) OVER (), or a LEFT JOIN LATERAL that answers one row of
 * NULLs but the count past the end); otherwise (total_col NULL, or no row)
 * count, run with the nparams params, answers it in its first column. With
 * neither, *total is 0. On DB_OK *rows gets the page (the caller
 * PQclear()s); on any other status *rows is NULL. */
enum db_status db_exec_page(struct db_conn *conn, const struct db_stmt *list,
                            const struct db_stmt *count, const char *total_col, int nparams,
                            const char *const *params, long limit, long offset, PGresult **rows,
                            long *total);
/* As db_exec for a statement that answers exactly one row: DB_NOT_FOUND
 * (and *out NULL) when it answers none or several. */
enum db_status db_exec_one(struct db_conn *conn, const struct db_stmt *stmt, int nparams,
                           const char *const *params, PGresult **out);
/* Runs SQL text with no parameters (BEGIN, migrations, test set-up). */
enum db_status db_exec_simple(struct db_conn *conn, const char *sql);

/* Ends a transaction the caller began: COMMIT when st is DB_OK, else (or
 * when the commit fails) ROLLBACK. Returns the outcome: st, or the
 * commit's. */
enum db_status db_tx_end(struct db_conn *conn, enum db_status st);

/* Runs expr (an enum db_status expression, into st) again while it answers
 * DB_RETRY (serialization failure, deadlock: SQLSTATE 40001, 40P01), at
 * most DB_TRIES times in all. expr must be a whole transaction (or one
 * statement): what failed was rolled back. */
#define DB_TRIES 3
#define DB_RETRYING(st, expr)                                                                      \
    do {                                                                                           \
        for (int db_try_ = 0; db_try_ < DB_TRIES; db_try_++) {                                     \
            (st) = (expr);                                                                         \
            if ((st) != DB_RETRY)                                                                  \
                break;                                                                             \
        }                                                                                          \
    } while (0)

/* A timestamptz expression printed as RFC 3339 UTC with milliseconds
 * ("2026-11-23T10:00:00.123Z"), pasted into statement strings. */
#define SQL_TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

enum db_status db_begin(struct db_conn *conn);  /* BEGIN */
enum db_status db_commit(struct db_conn *conn); /* COMMIT */
void db_rollback(struct db_conn *conn);         /* ROLLBACK, errors ignored */

/* The raw libpq connection (borrowed), for COPY or LISTEN if ever needed. */
PGconn *db_pgconn(struct db_conn *conn);
/* The last error message on this connection (borrowed; never NULL). */
const char *db_last_error(const struct db_conn *conn);

/* SQLSTATE -> outcome. NULL or "" -> DB_UNAVAILABLE (no server answer). */
enum db_status db_status_from_sqlstate(const char *sqlstate);
const char *db_status_name(enum db_status st);

/* Opens a single connection outside any pool (tools and tests); NULL on
 * failure with the reason in err. */
struct db_conn *db_connect(const char *conninfo, char *err, size_t errlen);
void db_disconnect(struct db_conn *conn);

/* Result helpers: value of row r, column named col, or NULL if SQL NULL or
 * the column does not exist. Borrowed from res. */
const char *db_get(const PGresult *res, int r, const char *col);

#endif
