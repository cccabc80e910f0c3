/* service.c: the start-up and shutdown sequence every daemon shares:
 * configuration, logging, the database pool and migrations, the HTTP server,
 * and a clean stop on SIGTERM/SIGINT. */
#include "common/service.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/cors.h"
#include "common/httpc.h"
#include "common/log.h"
#include "common/migrate.h"
#include "common/rand.h"
#include "common/util.h"

#ifndef MIGRATIONS_ROOT
#define MIGRATIONS_ROOT "migrations"
#endif

static atomic_int service_stop_flag;

int service_stopping(void)
{
    return atomic_load(&service_stop_flag);
}

/* The common variables, read into one place. */
struct common_cfg {
    long port;
    const char *bind_addr;
    const char *database_url;
    long pool_size;
    long workers;
    long max_connections;
    long connection_timeout_s;
    const char *log_level;
    const char *migrations_dir;
    long db_wait_s;
    const char *seed_file;
    long statement_timeout_ms;
    long idle_tx_timeout_ms;
};

enum { NCOMMON = 13 };

static void common_table(const struct service_def *def, struct common_cfg *c, char *port_def,
                         size_t port_def_len, struct cfg_entry t[NCOMMON])
{
    snprintf(port_def, port_def_len, "%ld", def->default_port);
    const struct cfg_entry entries[NCOMMON] = {
        {def->port_var ? def->port_var : "PORT", CFG_INT, port_def, 0, 65535, &c->port,
         "TCP port to listen on (0 = any free port)"},
        {"BIND_ADDR", CFG_STRING, "0.0.0.0", 0, 0, &c->bind_addr, "IP address to listen on"},
        {"DATABASE_URL", CFG_SECRET, NULL, 0, 0, &c->database_url,
         "libpq connection URI of the service's database (required)"},
        {"DB_POOL_SIZE", CFG_INT, "8", 1, 256, &c->pool_size, "database connections at most"},
        {"HTTP_WORKERS", CFG_INT, "8", 1, 256, &c->workers, "threads that run request handlers"},
        {"MAX_CONNECTIONS", CFG_INT, "4096", 16, 100000, &c->max_connections,
         "simultaneous HTTP connections at most"},
        {"CONNECTION_TIMEOUT_S", CFG_INT, "30", 1, 3600, &c->connection_timeout_s,
         "seconds before an idle or slow connection is closed"},
        {"LOG_LEVEL", CFG_STRING, "info", 0, 0, &c->log_level, "debug, info, warn or error"},
        {"MIGRATIONS_DIR", CFG_STRING, MIGRATIONS_ROOT, 0, 0, &c->migrations_dir,
         "folder holding migrations/<service>/NNN_name.sql"},
        {"DB_STARTUP_WAIT_S", CFG_INT, "30", 0, 3600, &c->db_wait_s,
         "seconds to wait for PostgreSQL at start-up"},
        {"SEED_FILE", CFG_STRING, "", 0, 0, &c->seed_file,
         "idempotent SQL file run after the migrations at every start (empty = none)"},
        {"DB_STATEMENT_TIMEOUT_MS", CFG_INT, "30000", 0, 3600000, &c->statement_timeout_ms,
         "statement_timeout of every pool connection, ms (0 = none; not for migrations)"},
        {"DB_IDLE_TX_TIMEOUT_MS", CFG_INT, "60000", 0, 3600000, &c->idle_tx_timeout_ms,
         "idle_in_transaction_session_timeout of every pool connection, ms (0 = none)"},
    };
    memcpy(t, entries, sizeof entries);
}

static void print_table(const struct cfg_entry *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *def;
        if (!t[i].def)
            def = "required";
        else if (t[i].type == CFG_SECRET)
            def = "has a default";
        else
            def = t[i].def;
        if (t[i].type == CFG_INT || t[i].type == CFG_DOUBLE)
            printf("  %-22s %s [default %s; %g..%g]\n", t[i].name, t[i].help ? t[i].help : "", def,
                   t[i].min, t[i].max);
        else
            printf("  %-22s %s [%s%s]\n", t[i].name, t[i].help ? t[i].help : "",
                   t[i].def ? "default " : "", def[0] ? def : "\"\"");
    }
}

static void print_help(const struct service_def *def, const struct cfg_entry *common)
{
    printf("Usage: %s [--help]\n\nConfigured through environment variables:\n", def->name);
    print_table(common, NCOMMON);
    if (def->config && def->nconfig) {
        printf("\n%s:\n", def->name);
        print_table(def->config, def->nconfig);
    }
}

/* Waits up to wait_s for a first connection, returning early (NULL) on a
 * stop signal; the signals are blocked, so sigtimedwait is the sleep. */
static struct db_conn *wait_for_db(struct db_pool *pool, long wait_s, const sigset_t *sigs)
{
    int64_t deadline = mono_ms() + wait_s * 1000;
    int warned = 0;
    for (;;) {
        struct db_conn *c = db_acquire(pool, 1000);
        if (c)
            return c;
        if (mono_ms() >= deadline)
            return NULL;
        if (!warned) {
            log_warn("database not reachable yet, waiting up to %ld s", wait_s);
            warned = 1;
        }
        struct timespec ts = {0, 500 * 1000 * 1000};
        int sig = sigtimedwait(sigs, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT) {
            atomic_store(&service_stop_flag, 1);
            return NULL;
        }
    }
}

/* Every connection is a descriptor: lift the soft limit (often 1024) toward
 * MAX_CONNECTIONS plus room for the pool, logs and clients. */
static void raise_fd_limit(long max_connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)max_connections + 256;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
        want = rl.rlim_max;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("cannot raise the open-file limit to %lu", (unsigned long)want);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)max_connections + 64)
        log_warn("open-file limit %lu is low for MAX_CONNECTIONS=%ld", (unsigned long)rl.rlim_cur,
                 max_connections);
}

static int run_migrations(const struct service_def *def, struct db_conn *conn, const char *root)
{
    size_t n = 0;
    while (def->migrations && def->migrations[n])
        n++;
    if (n == 0)
        return 0;
    char **dirs = xcalloc(n + 1, sizeof *dirs);
    for (size_t i = 0; i < n; i++) {
        struct sbuf b;
        sbuf_init(&b);
        sbuf_printf(&b, "%s/%s", root, def->migrations[i]);
        dirs[i] = sbuf_steal(&b, NULL);
    }
    char err[512] = "";
    int applied = migrate_run(conn, (const char *const *)dirs, err, sizeof err);
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    if (applied < 0) {
        log_error("migrations failed: %s", err);
        return -1;
    }
    log_info("migrations: %d applied", applied);
    return 0;
}

/* SEED_FILE: demo data for a container, where no `make up` loads seeds/
 * after the daemon migrated. It runs at every start, so it must be
 * idempotent (ON CONFLICT DO NOTHING); several instances may run it at once.
 * The file is trusted configuration, like a migration. */
static int run_seed(struct db_conn *conn, const char *path)
{
    enum { SEED_FILE_MAX = 16 * 1024 * 1024 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        log_error("SEED_FILE %s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct sbuf b;
    sbuf_init(&b);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= SEED_FILE_MAX)
        sbuf_add(&b, chunk, n);
    int bad = ferror(f) || b.len > SEED_FILE_MAX || (b.len && memchr(b.buf, '\0', b.len));
    fclose(f);
    if (bad) {
        log_error("SEED_FILE %s: unreadable, larger than 16 MiB or not text", path);
        sbuf_cleanup(&b);
        return -1;
    }
    char *sql = sbuf_steal(&b, NULL);
    enum db_status st = db_exec_simple(conn, sql ? sql : "");
    free(sql);
    if (st != DB_OK) {
        log_error("SEED_FILE %s failed: %s", path, db_last_error(conn));
        return -1;
    }
    log_info("seed file %s applied", path);
    return 0;
}

int service_main(const struct service_def *def, int argc, char **argv)
{
    struct common_cfg c;
    memset(&c, 0, sizeof c);
    char port_def[32];
    struct cfg_entry common[NCOMMON];
    common_table(def, &c, port_def, sizeof port_def, common);

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(def, common);
            return 0;
        }
        fprintf(stderr, "%s: unknown argument %s (try --help)\n", def->name, argv[i]);
        return 2;
    }

    /* Before any thread exists, so every thread inherits the mask: only
     * main receives SIGTERM/SIGINT (through sigwait); SIGPIPE never kills. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigset_t blocked = sigs;
    sigaddset(&blocked, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);
    signal(SIGPIPE, SIG_IGN);

    log_init(def->name, LOG_INFO);
    char err[512];
    if (cfg_load(common, NCOMMON, err, sizeof err) != 0 ||
        (def->config && def->nconfig &&
         cfg_load(def->config, def->nconfig, err, sizeof err) != 0)) {
        fprintf(stderr, "%s: configuration error: %s\n", def->name, err);
        return 2;
    }
    int level = log_level_parse(c.log_level);
    if (level < 0) {
        fprintf(stderr, "%s: configuration error: LOG_LEVEL=%s is not debug, info, warn or error\n",
                def->name, c.log_level);
        return 2;
    }
    log_init(def->name, (enum log_level)level);
    rand_init();
    httpc_global_init();
    log_info("starting");
    cfg_log(common, NCOMMON);
    if (def->config && def->nconfig)
        cfg_log(def->config, def->nconfig);

    struct cors_policy *cors = NULL;
    if (def->cors_origins && cors_policy_parse(*def->cors_origins, &cors, err, sizeof err) != 0) {
        fprintf(stderr, "%s: configuration error: %s\n", def->name, err);
        return 2;
    }
    raise_fd_limit(c.max_connections);

    struct db_pool *pool = db_pool_create(c.database_url, (int)c.pool_size);
    db_pool_set_timeouts(pool, c.statement_timeout_ms, c.idle_tx_timeout_ms);
    struct db_conn *conn = wait_for_db(pool, c.db_wait_s, &sigs);
    if (!conn) {
        int stopped = service_stopping();
        if (!stopped)
            log_error("database unreachable after %ld s", c.db_wait_s);
        db_pool_destroy(pool);
        cors_policy_destroy(cors);
        return stopped ? 0 : 1;
    }
    /* Migrations and seeds may take longer than a request may: no
     * statement timeout for them, the pool's own again after. */
    int rc = db_exec_simple(conn, "SET statement_timeout = 0") == DB_OK ? 0 : 1;
    if (rc == 0)
        rc = run_migrations(def, conn, c.migrations_dir);
    if (rc == 0 && c.seed_file[0])
        rc = run_seed(conn, c.seed_file);
    if (rc == 0 && db_exec_simple(conn, "RESET statement_timeout") != DB_OK)
        rc = 1;
    db_release(pool, conn);
    if (rc != 0) {
        db_pool_destroy(pool);
        cors_policy_destroy(cors);
        return 1;
    }

    if (def->init && def->init(def->app, pool) != 0) {
        log_error("initialisation failed");
        db_pool_destroy(pool);
        cors_policy_destroy(cors);
        return 1;
    }

    struct http_server_config hc = {
        .service = def->name,
        .bind_addr = c.bind_addr,
        .port = (int)c.port,
        .routes = def->routes,
        .nroutes = def->nroutes,
        .app = def->app,
        .workers = (int)c.workers,
        .max_connections = (int)c.max_connections,
        .connection_timeout_s = (int)c.connection_timeout_s,
        .body_limit = 0,
        .pool = pool,
        .before = def->before,
        .metrics_extra = def->metrics_extra,
        .cors = cors,
        .cors_skip_flags = def->cors_skip_flags,
        .signing_secret = def->signing_secret ? *def->signing_secret : NULL,
        .signature_refused = def->signature_refused,
    };
    struct http_server *srv = http_server_start(&hc);
    if (!srv) {
        if (def->shutdown)
            def->shutdown(def->app);
        db_pool_destroy(pool);
        cors_policy_destroy(cors);
        return 1;
    }
    log_info("listening on %s:%d", c.bind_addr, http_server_port(srv));

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
        ;
    atomic_store(&service_stop_flag, 1);
    log_info("%s received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");

    http_server_stop(srv);
    if (def->shutdown)
        def->shutdown(def->app);
    db_pool_destroy(pool);
    cors_policy_destroy(cors);
    log_info("stopped");
    return 0;
}
