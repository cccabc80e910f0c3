/* db.c: bounded PostgreSQL connection pool over libpq, prepared statements
 * on demand, and the SQLSTATE -> outcome mapping every caller relies on. */
#include "common/db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"

struct db_conn {
    PGconn *pg;
    struct db_pool *pool; /* NULL for db_connect connections */
    int in_use;
    char **prepared; /* statement names prepared on this connection */
    size_t nprepared, capprepared;
    char last_error[256];
};

struct db_pool {
    char *conninfo;
    char options[128]; /* libpq "options": the session's timeouts */
    int size;
    struct db_conn *conns;
    int in_use;
    long waits, timeouts;
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

static void db_notice(void *arg, const char *msg);

/* Applied before the caller's conninfo, so the caller can override them:
 * a dead host should fail fast, and the server's views should say who we
 * are. */
static PGconn *db_open(const char *conninfo, const char *options)
{
    const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
    const char *vals[] = {"5", program_invocation_short_name, options ? options : "", conninfo,
                          NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (pg)
        PQsetNoticeProcessor(pg, db_notice, NULL);
    return pg;
}

static void db_set_error(struct db_conn *conn, const char *msg)
{
    if (!msg)
        msg = "";
    snprintf(conn->last_error, sizeof conn->last_error, "%s", msg);
    /* libpq messages end in a newline; the logs want one line. */
    size_t n = strlen(conn->last_error);
    while (n > 0 && (conn->last_error[n - 1] == '\n' || conn->last_error[n - 1] == ' '))
        conn->last_error[--n] = '\0';
    for (char *p = conn->last_error; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
}

static void db_forget_prepared(struct db_conn *conn)
{
    for (size_t i = 0; i < conn->nprepared; i++)
        free(conn->prepared[i]);
    conn->nprepared = 0;
}

/* Drops the server connection; the next acquire opens a fresh one. */
static void db_drop(struct db_conn *conn)
{
    if (conn->pg)
        PQfinish(conn->pg);
    conn->pg = NULL;
    db_forget_prepared(conn);
}

static int db_is_prepared(const struct db_conn *conn, const char *name)
{
    for (size_t i = 0; i < conn->nprepared; i++)
        if (strcmp(conn->prepared[i], name) == 0)
            return 1;
    return 0;
}

static void db_mark_prepared(struct db_conn *conn, const char *name)
{
    if (conn->nprepared == conn->capprepared) {
        conn->capprepared = conn->capprepared ? conn->capprepared * 2 : 16;
        conn->prepared = xrealloc(conn->prepared, conn->capprepared * sizeof *conn->prepared);
    }
    conn->prepared[conn->nprepared++] = xstrdup(name);
}

static void db_unmark_prepared(struct db_conn *conn, const char *name)
{
    for (size_t i = 0; i < conn->nprepared; i++) {
        if (strcmp(conn->prepared[i], name) == 0) {
            free(conn->prepared[i]);
            conn->prepared[i] = conn->prepared[--conn->nprepared];
            return;
        }
    }
}

enum db_status db_status_from_sqlstate(const char *s)
{
    if (!s || !*s)
        return DB_UNAVAILABLE;
    if (strlen(s) != 5)
        return DB_ERROR;
    if (!strcmp(s, "23505") || !strcmp(s, "23P01"))
        return DB_CONFLICT;
    if (!strncmp(s, "22", 2) || !strcmp(s, "23502") || !strcmp(s, "23503") || !strcmp(s, "23514"))
        return DB_INVALID;
    if (!strcmp(s, "40001") || !strcmp(s, "40P01"))
        return DB_RETRY;
    /* 57014: a statement cancelled, by statement_timeout above all: the
     * database is too slow right now, so 503 and a retry, not a 500. */
    if (!strncmp(s, "08", 2) || !strncmp(s, "53", 2) || !strcmp(s, "57014") ||
        !strcmp(s, "57P01") || !strcmp(s, "57P02") || !strcmp(s, "57P03"))
        return DB_UNAVAILABLE;
    return DB_ERROR;
}

const char *db_status_name(enum db_status st)
{
    switch (st) {
    case DB_OK:
        return "OK";
    case DB_NOT_FOUND:
        return "NOT_FOUND";
    case DB_CONFLICT:
        return "CONFLICT";
    case DB_INVALID:
        return "INVALID";
    case DB_RETRY:
        return "RETRY";
    case DB_UNAVAILABLE:
        return "UNAVAILABLE";
    case DB_ERROR:
        return "ERROR";
    }
    return "UNKNOWN";
}

/* Outcome of a finished command. res may be NULL (no answer at all). Logs
 * failures with the statement's name and SQLSTATE; never parameters, and the
 * server's text only where it cannot carry them (constraint and data errors
 * quote the offending values). */
static enum db_status db_result_status(struct db_conn *conn, const PGresult *res, const char *what)
{
    ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK || rs == PGRES_EMPTY_QUERY)
        return DB_OK;
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    enum db_status st = db_status_from_sqlstate(sqlstate);
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(conn->pg);
    if (PQstatus(conn->pg) == CONNECTION_BAD)
        st = DB_UNAVAILABLE;
    db_set_error(conn, msg);
    if (st == DB_CONFLICT || st == DB_INVALID)
        log_warn("db: statement failed stmt=%s sqlstate=%s outcome=%s", what,
                 sqlstate ? sqlstate : "-", db_status_name(st));
    else
        log_warn("db: statement failed stmt=%s sqlstate=%s outcome=%s error=\"%s\"", what,
                 sqlstate ? sqlstate : "-", db_status_name(st), conn->last_error);
    return st;
}

/* A connection the server closed while it sat idle (restart, terminated
 * backend) only shows as broken once libpq reads from it: read whatever is
 * pending so PQstatus tells the truth before we hand it out. The server's
 * farewell (a FATAL message) and the end of the stream may come in separate
 * reads, hence the loop. */
static void db_probe(struct db_conn *conn)
{
    for (int i = 0; i < 8 && PQstatus(conn->pg) == CONNECTION_OK; i++) {
        int fd = PQsocket(conn->pg);
        if (fd < 0)
            return;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 0) <= 0)
            return;
        if (!PQconsumeInput(conn->pg))
            return;
        PGnotify *n;
        while ((n = PQnotifies(conn->pg)) != NULL)
            PQfreemem(n);
    }
}

/* Server notices go to our log, not to libpq's default of raw stderr. */
static void db_notice(void *arg, const char *msg)
{
    (void)arg;
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        n--;
    if (strncmp(msg, "WARNING", 7) == 0 || strncmp(msg, "FATAL", 5) == 0)
        log_warn("db: server says: %.*s", (int)n, msg);
    else
        log_debug("db: server says: %.*s", (int)n, msg);
}

/* Makes conn usable: connects if it never was, reconnects if broken.
 * Returns 0 or -1 (server unreachable; reason logged). */
static int db_ready(struct db_conn *conn, const char *conninfo, const char *options)
{
    if (conn->pg) {
        db_probe(conn);
        if (PQstatus(conn->pg) == CONNECTION_OK && PQtransactionStatus(conn->pg) == PQTRANS_IDLE)
            return 0;
        log_info("db: connection broken, reconnecting");
        db_drop(conn);
    }
    conn->pg = db_open(conninfo, options);
    if (!conn->pg || PQstatus(conn->pg) != CONNECTION_OK) {
        db_set_error(conn, conn->pg ? PQerrorMessage(conn->pg) : "out of memory");
        log_warn("db: cannot connect error=\"%s\"", conn->last_error);
        db_drop(conn);
        return -1;
    }
    return 0;
}

struct db_pool *db_pool_create(const char *conninfo, int size)
{
    struct db_pool *pool = xcalloc(1, sizeof *pool);
    if (size < 1)
        size = 1;
    pool->conninfo = xstrdup(conninfo ? conninfo : "");
    db_pool_set_timeouts(pool, DB_STATEMENT_TIMEOUT_MS_DEFAULT, DB_IDLE_TX_TIMEOUT_MS_DEFAULT);
    pool->size = size;
    pool->conns = xcalloc((size_t)size, sizeof *pool->conns);
    for (int i = 0; i < size; i++)
        pool->conns[i].pool = pool;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->freed, &ca);
    pthread_condattr_destroy(&ca);
    return pool;
}

void db_pool_set_timeouts(struct db_pool *pool, long statement_ms, long idle_tx_ms)
{
    snprintf(pool->options, sizeof pool->options,
             "-c statement_timeout=%ld -c idle_in_transaction_session_timeout=%ld",
             statement_ms > 0 ? statement_ms : 0, idle_tx_ms > 0 ? idle_tx_ms : 0);
}

void db_pool_destroy(struct db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++) {
        db_drop(&pool->conns[i]);
        free(pool->conns[i].prepared);
    }
    free(pool->conns);
    free(pool->conninfo);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->freed);
    free(pool);
}

/* A free slot, preferring one already connected (its statements are
 * prepared). Called with the lock held. */
static struct db_conn *db_pick(struct db_pool *pool)
{
    struct db_conn *spare = NULL;
    for (int i = 0; i < pool->size; i++) {
        struct db_conn *c = &pool->conns[i];
        if (c->in_use)
            continue;
        if (c->pg)
            return c;
        if (!spare)
            spare = c;
    }
    return spare;
}

struct db_conn *db_acquire(struct db_pool *pool, int wait_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (wait_ms > 0) {
        deadline.tv_sec += wait_ms / 1000;
        deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }

    pthread_mutex_lock(&pool->lock);
    struct db_conn *conn = db_pick(pool);
    if (!conn) {
        pool->waits++;
        while (!(conn = db_pick(pool))) {
            if (wait_ms <= 0)
                break;
            int rc = pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline);
            if (rc == ETIMEDOUT) {
                conn = db_pick(pool);
                break;
            }
        }
        if (!conn) {
            pool->timeouts++;
            pthread_mutex_unlock(&pool->lock);
            log_warn("db: no connection free within %d ms (pool size %d)", wait_ms, pool->size);
            return NULL;
        }
    }
    conn->in_use = 1;
    pool->in_use++;
    pthread_mutex_unlock(&pool->lock);

    /* Connecting happens outside the lock: the slot is ours already. */
    if (db_ready(conn, pool->conninfo, pool->options) != 0) {
        pthread_mutex_lock(&pool->lock);
        conn->in_use = 0;
        pool->in_use--;
        pthread_cond_signal(&pool->freed);
        pthread_mutex_unlock(&pool->lock);
        return NULL;
    }
    conn->last_error[0] = '\0';
    return conn;
}

void db_release(struct db_pool *pool, struct db_conn *conn)
{
    if (!conn)
        return;
    if (conn->pg) {
        if (PQstatus(conn->pg) != CONNECTION_OK) {
            db_drop(conn);
        } else {
            PGTransactionStatusType ts = PQtransactionStatus(conn->pg);
            if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
                if (ts == PQTRANS_INTRANS)
                    log_warn("db: connection released inside a transaction; rolling back");
                PGresult *r = PQexec(conn->pg, "ROLLBACK");
                int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
                PQclear(r);
                if (!ok || PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
                    db_drop(conn);
            } else if (ts != PQTRANS_IDLE) {
                /* A command still running or a state we cannot read: we
                 * cannot tell what the next user would inherit. */
                db_drop(conn);
            }
        }
    }
    if (!pool)
        pool = conn->pool;
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    if (conn->in_use) {
        conn->in_use = 0;
        pool->in_use--;
    }
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

void db_pool_stats(struct db_pool *pool, int *size, int *in_use, long *waits, long *timeouts)
{
    pthread_mutex_lock(&pool->lock);
    if (size)
        *size = pool->size;
    if (in_use)
        *in_use = pool->in_use;
    if (waits)
        *waits = pool->waits;
    if (timeouts)
        *timeouts = pool->timeouts;
    pthread_mutex_unlock(&pool->lock);
}

static enum db_status db_prepare(struct db_conn *conn, const struct db_stmt *stmt)
{
    PGresult *res = PQprepare(conn->pg, stmt->name, stmt->sql, 0, NULL);
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (sqlstate && strcmp(sqlstate, "42P05") == 0 &&
        PQtransactionStatus(conn->pg) == PQTRANS_IDLE) {
        /* Prepared already (by SQL PREPARE, or a set we lost track of):
         * the server's copy serves. */
        PQclear(res);
        db_mark_prepared(conn, stmt->name);
        return DB_OK;
    }
    enum db_status st = db_result_status(conn, res, stmt->name);
    PQclear(res);
    if (st == DB_OK)
        db_mark_prepared(conn, stmt->name);
    return st;
}

enum db_status db_exec_one(struct db_conn *conn, const struct db_stmt *stmt, int nparams,
                           const char *const *params, PGresult **out)
{
    PGresult *r = NULL;
    *out = NULL;
    enum db_status st = db_exec(conn, stmt, nparams, params, &r);
    if (st != DB_OK)
        return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return DB_NOT_FOUND;
    }
    *out = r;
    return DB_OK;
}

enum db_status db_exec_page(struct db_conn *conn, const struct db_stmt *list,
                            const struct db_stmt *count, const char *total_col, int nparams,
                            const char *const *params, long limit, long offset, PGresult **rows,
                            long *total)
{
    *rows = NULL;
    *total = 0;
    if (nparams < 0 || nparams > 14)
        return DB_INVALID;
    char l[24], o[24];
    snprintf(l, sizeof l, "%ld", limit);
    snprintf(o, sizeof o, "%ld", offset);
    const char *p[16];
    for (int i = 0; i < nparams; i++)
        p[i] = params[i];
    p[nparams] = l;
    p[nparams + 1] = o;
    PGresult *r = NULL;
    enum db_status st = db_exec(conn, list, nparams + 2, p, &r);
    if (st != DB_OK)
        return st;
    const char *t = total_col && PQntuples(r) > 0 ? db_get(r, 0, total_col) : NULL;
    if (t) {
        *total = atol(t);
    } else if (count) {
        PGresult *c = NULL;
        st = db_exec(conn, count, nparams, p, &c);
        if (st != DB_OK) {
            PQclear(r);
            return st;
        }
        *total = PQntuples(c) > 0 ? atol(PQgetvalue(c, 0, 0)) : 0;
        PQclear(c);
    }
    *rows = r;
    return DB_OK;
}

enum db_status db_exec(struct db_conn *conn, const struct db_stmt *stmt, int nparams,
                       const char *const *params, PGresult **out)
{
    if (out)
        *out = NULL;
    if (!conn || !conn->pg)
        return DB_UNAVAILABLE;
    enum db_status st;
    if (!db_is_prepared(conn, stmt->name) && (st = db_prepare(conn, stmt)) != DB_OK)
        return st;

    PGresult *res = PQexecPrepared(conn->pg, stmt->name, nparams, params, NULL, NULL, 0);
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (sqlstate && strcmp(sqlstate, "26000") == 0 &&
        PQtransactionStatus(conn->pg) == PQTRANS_IDLE) {
        /* Someone deallocated it behind our back (DISCARD ALL, a pooler):
         * prepare again once. Inside a transaction the failure already
         * aborted it, so there is nothing to retry there. */
        PQclear(res);
        db_unmark_prepared(conn, stmt->name);
        if ((st = db_prepare(conn, stmt)) != DB_OK)
            return st;
        res = PQexecPrepared(conn->pg, stmt->name, nparams, params, NULL, NULL, 0);
    } else if (sqlstate && strcmp(sqlstate, "26000") == 0) {
        db_unmark_prepared(conn, stmt->name);
    }
    st = db_result_status(conn, res, stmt->name);
    if (st == DB_OK && out)
        *out = res;
    else
        PQclear(res);
    return st;
}

enum db_status db_exec_simple(struct db_conn *conn, const char *sql)
{
    if (!conn || !conn->pg)
        return DB_UNAVAILABLE;
    PGresult *res = PQexec(conn->pg, sql);
    enum db_status st = db_result_status(conn, res, "(simple)");
    PQclear(res);
    return st;
}

enum db_status db_begin(struct db_conn *conn)
{
    return db_exec_simple(conn, "BEGIN");
}

enum db_status db_commit(struct db_conn *conn)
{
    if (!conn || !conn->pg)
        return DB_UNAVAILABLE;
    if (PQtransactionStatus(conn->pg) == PQTRANS_INERROR) {
        /* COMMIT of a failed transaction "succeeds" as a ROLLBACK; report
         * it as the failure it is. */
        db_rollback(conn);
        db_set_error(conn, "commit of a failed transaction");
        return DB_ERROR;
    }
    PGresult *res = PQexec(conn->pg, "COMMIT");
    enum db_status st = db_result_status(conn, res, "COMMIT");
    if (st == DB_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        db_set_error(conn, "transaction rolled back at commit");
        st = DB_ERROR;
    }
    PQclear(res);
    return st;
}

void db_rollback(struct db_conn *conn)
{
    if (!conn || !conn->pg || PQstatus(conn->pg) != CONNECTION_OK)
        return;
    PQclear(PQexec(conn->pg, "ROLLBACK"));
}

PGconn *db_pgconn(struct db_conn *conn)
{
    return conn ? conn->pg : NULL;
}

const char *db_last_error(const struct db_conn *conn)
{
    return conn ? conn->last_error : "no connection";
}

struct db_conn *db_connect(const char *conninfo, char *err, size_t errlen)
{
    struct db_conn *conn = xcalloc(1, sizeof *conn);
    conn->pg = db_open(conninfo ? conninfo : "", NULL);
    if (!conn->pg || PQstatus(conn->pg) != CONNECTION_OK) {
        db_set_error(conn, conn->pg ? PQerrorMessage(conn->pg) : "out of memory");
        if (err && errlen)
            snprintf(err, errlen, "%s", conn->last_error);
        db_disconnect(conn);
        return NULL;
    }
    return conn;
}

void db_disconnect(struct db_conn *conn)
{
    if (!conn)
        return;
    db_drop(conn);
    free(conn->prepared);
    free(conn);
}

const char *db_get(const PGresult *res, int r, const char *col)
{
    if (!res || r < 0 || r >= PQntuples(res))
        return NULL;
    int c = PQfnumber(res, col);
    if (c < 0 || PQgetisnull(res, r, c))
        return NULL;
    return PQgetvalue(res, r, c);
}

enum db_status db_tx_end(struct db_conn *conn, enum db_status st)
{
    if (st == DB_OK)
        st = db_commit(conn);
    if (st != DB_OK)
        db_rollback(conn);
    return st;
}
