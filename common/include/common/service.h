/* service.h: the start-up and shutdown every daemon shares, so each
 * <svc>-app/src/main.c only declares what is its own. service_main:
 *   1. logging (LOG_LEVEL), libsodium, libcurl;
 *   2. configuration: the common entries below, then the service's table;
 *   3. the database pool; waits for PostgreSQL (DB_STARTUP_WAIT_S),
 *      applies migrations (MIGRATIONS_DIR/<dir> for each of def->migrations)
 *      and then, if SEED_FILE is set, runs that idempotent SQL file (the
 *      container images load their demo data this way);
 *   4. def->init (start background loops), then the HTTP server;
 *   5. on SIGTERM/SIGINT: stop accepting, finish in-flight requests,
 *      def->shutdown, exit 0.
 * Common variables: <def->port_var> (default def->default_port), BIND_ADDR
 * (0.0.0.0), DATABASE_URL (required), DB_POOL_SIZE (8), HTTP_WORKERS (8),
 * MAX_CONNECTIONS (4096), CONNECTION_TIMEOUT_S (30), LOG_LEVEL (info),
 * MIGRATIONS_DIR (the source tree's migrations/), DB_STARTUP_WAIT_S (30),
 * SEED_FILE (empty: none). */
#ifndef COMMON_SERVICE_H
#define COMMON_SERVICE_H

#include "common/config.h"
#include "common/db.h"
#include "common/http.h"

struct service_def {
    const char *name;                 /* "payment-app" */
    const char *port_var;             /* "PAYMENT_APP_PORT" */
    long default_port;                /* 8082 */
    const char *const *migrations;    /* NULL-terminated: {"common", "payment", NULL} */
    const struct http_route *routes;
    size_t nroutes;
    const struct cfg_entry *config;   /* the service's own variables */
    size_t nconfig;
    void *app;                        /* handed to handlers and hooks */
    /* After configuration and migrations, before serving. pool is the
     * service's pool (also given to /healthz). Return 0, or -1 to exit 1. */
    int (*init)(void *app, struct db_pool *pool);
    /* After the server stopped: stop background loops, free. May be NULL. */
    void (*shutdown)(void *app);
    int (*before)(struct http_req *req, struct http_res *res, void *app);
    void (*metrics_extra)(struct sbuf *out, void *app);
    /* CORS for the public routes (common/cors.h): the address of the
     * service's CORS_ORIGINS value, an entry of its config table (NULL: the
     * service has no CORS). Routes with any of cors_skip_flags get none. A
     * value cors_policy_parse refuses stops start-up. */
    const char *const *cors_origins;
    unsigned cors_skip_flags;
    /* The secret of the HTTP_ROUTE_SIGNED routes: the address of the
     * service's value, an entry of its config table (NULL: none), and who is
     * told of a refused signature (may be NULL). See http_server_config. */
    const char *const *signing_secret;
    void (*signature_refused)(void *app);
};

/* Runs the daemon; returns the process exit code. */
int service_main(const struct service_def *def, int argc, char **argv);

/* 1 once SIGTERM/SIGINT was received. */
int service_stopping(void);

#endif
