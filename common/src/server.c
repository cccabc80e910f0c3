/* server.c: the HTTP server's start and stop. libmicrohttpd's epoll threads
 * only parse, route and send (server_mhd.c); each routed request is
 * suspended and handed through a bounded queue to worker threads
 * (server_workers.c), which run the (blocking) handler and resume the
 * connection. Also /healthz and /metrics (server_builtin.c,
 * server_metrics.c), slow clients (server_reaper.c) and the access log. */
#include "common/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "server_internal.h"

/* How long http_server_stop waits for in-flight requests. */
#define STOP_DRAIN_MS 20000
/* Event-loop threads: parsing and sending only, so two cover two cores. */
#define MHD_THREADS 2
/* Memory MHD gives each connection for the request line, headers and the
 * answer's headers (its default is 32 KiB). It is held while the
 * connection is open, so it sets the footprint of a burst: 2,000
 * connections at 32 KiB took client-app to 89 MiB resident in make bench's
 * flash race, at 16 KiB to 57 MiB. 16 KiB still holds far larger headers
 * than any client of these services sends; bodies never live there. */
#define CONNECTION_POOL_BYTES 16384
#define DEFAULT_WORKERS 8
#define DEFAULT_MAX_CONNECTIONS 4096
#define DEFAULT_TIMEOUT_S 30

int64_t server_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Frees what server_alloc made; the threads and the daemon are stopped
 * before (workers_stop, reaper_stop, MHD_stop_daemon). */
static void server_free(struct http_server *srv)
{
    pthread_mutex_destroy(&srv->lock);
    pthread_mutex_destroy(&srv->clock);
    pthread_cond_destroy(&srv->reaper_cond);
    pthread_mutex_destroy(&srv->mlock);
    pthread_cond_destroy(&srv->work_cond);
    pthread_cond_destroy(&srv->prio_cond);
    pthread_cond_destroy(&srv->idle_cond);
    free(srv->queue);
    free(srv->pqueue);
    free(srv->workers);
    free(srv->routes);
    free(srv->rstats);
    free(srv->counts);
    free(srv);
}

/* The server object: routes (the app's, then the built-in ones), queues,
 * metrics, locks. Nothing running yet. */
static struct http_server *server_alloc(const struct http_server_config *cfg, unsigned max_conn,
                                        unsigned timeout)
{
    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->body_limit = cfg->body_limit ? cfg->body_limit : HTTP_BODY_LIMIT_DEFAULT;
    srv->nuser = cfg->routes ? cfg->nroutes : 0;
    srv->nroutes = srv->nuser + server_nbuiltin;
    srv->routes = xcalloc(srv->nroutes, sizeof *srv->routes);
    if (srv->nuser)
        memcpy(srv->routes, cfg->routes, srv->nuser * sizeof *srv->routes);
    memcpy(srv->routes + srv->nuser, server_builtin_routes,
           server_nbuiltin * sizeof *server_builtin_routes);
    srv->rstats = xcalloc(srv->nroutes + 1, sizeof *srv->rstats);
    if (cfg->queue_max > 0)
        srv->qcap = (size_t)cfg->queue_max;
    else /* a connection has at most one request queued: a burst up to the
            connection limit waits for a worker instead of getting 503 */
        srv->qcap = max_conn;
    srv->queue = xcalloc(srv->qcap, sizeof *srv->queue);
    srv->pqueue = xcalloc(srv->qcap, sizeof *srv->pqueue);
    for (size_t i = 0; i < srv->nuser; i++)
        if (srv->routes[i].flags & HTTP_ROUTE_PRIORITY)
            srv->has_priority = 1;

    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->clock, NULL);
    pthread_mutex_init(&srv->mlock, NULL);
    srv->deadline_us = (int64_t)timeout * 1000000;
    pthread_cond_init(&srv->work_cond, NULL);
    pthread_cond_init(&srv->prio_cond, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->idle_cond, &ca);
    pthread_cond_init(&srv->reaper_cond, &ca);
    pthread_condattr_destroy(&ca);
    return srv;
}

/* The listening address of cfg->bind_addr into sin/sin6: the sockaddr to
 * give MHD, NULL for any address; -1 when it is not an IP address. */
static int bind_address(const struct http_server_config *cfg, struct sockaddr_in *sin,
                        struct sockaddr_in6 *sin6, struct sockaddr **sa, unsigned *flags)
{
    *sa = NULL;
    if (!cfg->bind_addr || !*cfg->bind_addr)
        return 0;
    memset(sin, 0, sizeof *sin);
    memset(sin6, 0, sizeof *sin6);
    if (inet_pton(AF_INET, cfg->bind_addr, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)cfg->port);
        *sa = (struct sockaddr *)sin;
        return 0;
    }
    if (inet_pton(AF_INET6, cfg->bind_addr, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)cfg->port);
        *sa = (struct sockaddr *)sin6;
        *flags |= MHD_USE_IPv6;
        return 0;
    }
    log_error("bind address %s is not an IP address", cfg->bind_addr);
    return -1;
}

struct http_server *http_server_start(const struct http_server_config *cfg)
{
    int workers = cfg->workers > 0 ? cfg->workers : DEFAULT_WORKERS;
    unsigned max_conn =
        cfg->max_connections > 0 ? (unsigned)cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
    unsigned timeout =
        cfg->connection_timeout_s > 0 ? (unsigned)cfg->connection_timeout_s : DEFAULT_TIMEOUT_S;
    struct http_server *srv = server_alloc(cfg, max_conn, timeout);

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    if (bind_address(cfg, &sin, &sin6, &sa, &flags) != 0)
        goto fail;
    if (workers_start(srv, workers) != 0)
        goto fail;
        /* The logger goes first, so MHD reports option errors through it too. */
#define SERVER_OPTIONS                                                                             \
    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul,     \
        NULL, MHD_OPTION_CONNECTION_LIMIT, max_conn, MHD_OPTION_CONNECTION_TIMEOUT, timeout,       \
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,              \
        on_connection, srv, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)MHD_THREADS,                    \
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_POOL_BYTES
    if (sa)
        srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
                                       SERVER_OPTIONS, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_END);
    else
        srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
                                       SERVER_OPTIONS, MHD_OPTION_END);
#undef SERVER_OPTIONS
    if (!srv->daemon) {
        log_error("cannot listen on %s:%d", cfg->bind_addr ? cfg->bind_addr : "*", cfg->port);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : cfg->port;
    reaper_start(srv); /* without it the server still runs, slow clients uncut */
    return srv;

fail:
    workers_stop(srv);
    server_free(srv);
    return NULL;
}

int http_server_port(const struct http_server *srv)
{
    return srv ? srv->port : 0;
}

void http_server_stop(struct http_server *srv)
{
    if (!srv)
        return;
    pthread_mutex_lock(&srv->lock);
    srv->draining = 1;
    pthread_mutex_unlock(&srv->lock);
    MHD_socket lfd = MHD_quiesce_daemon(srv->daemon);
    /* MHD wants the descriptor kept open until it stops, but nobody accepts
     * on it any more: shut it down so new clients are refused at once
     * instead of waiting in the backlog through the drain. */
    if (lfd != MHD_INVALID_SOCKET)
        shutdown(lfd, SHUT_RDWR);

    /* Requests already begun finish (bounded); keep-alive connections are
     * told to close with their next answer. */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += STOP_DRAIN_MS / 1000;
    pthread_mutex_lock(&srv->lock);
    while (srv->inflight > 0) {
        if (pthread_cond_timedwait(&srv->idle_cond, &srv->lock, &deadline) == ETIMEDOUT)
            break;
    }
    long left = srv->inflight;
    pthread_mutex_unlock(&srv->lock);
    if (left > 0)
        log_warn("stopping with %ld requests still in flight", left);

    /* Workers finish what is queued, so no connection stays suspended:
     * MHD_stop_daemon must not meet one. */
    workers_stop(srv);
    MHD_stop_daemon(srv->daemon);
    reaper_stop(srv);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    server_free(srv);
}
