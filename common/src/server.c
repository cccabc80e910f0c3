/* server.c: the HTTP server. libmicrohttpd's epoll threads only parse,
 * route and send; each routed request is suspended and handed through a
 * bounded queue to worker threads, which run the (blocking) handler and
 * resume the connection. Also /healthz, /metrics and the access log. */
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

#include "common/cors.h"
#include "common/db.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/router.h"
#include "common/util.h"

/* How long http_server_stop waits for in-flight requests. */
#define STOP_DRAIN_MS 20000
/* Event-loop threads: parsing and sending only, so two cover two cores. */
#define MHD_THREADS 2
/* An oversized upload that cannot be refused at once is read and dropped up
 * to this many times the cap; past it the connection is closed. */
#define DISCARD_FACTOR 8
/* Memory MHD gives each connection for the request line, headers and the
 * answer's headers (its default is 32 KiB). It is held while the
 * connection is open, so it sets the footprint of a burst: 2,000
 * connections at 32 KiB took client-app to 89 MiB resident in make bench's
 * flash race, at 16 KiB to 57 MiB. 16 KiB still holds far larger headers
 * than any client of these services sends; bodies never live there. */
#define CONNECTION_POOL_BYTES 16384
#define REQUEST_ID_MAX 64
#define DEFAULT_WORKERS 8
#define DEFAULT_MAX_CONNECTIONS 4096
#define DEFAULT_TIMEOUT_S 30

static const double latency_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof latency_buckets / sizeof latency_buckets[0])

struct route_stats {
    long le[NBUCKETS]; /* cumulative, as Prometheus wants them */
    long count;
    double sum;
};

struct status_count {
    int route; /* index in srv->routes, or -1 when no route matched */
    char method[8];
    int status;
    long count;
};

struct http_server {
    struct http_server_config cfg;
    struct MHD_Daemon *daemon;
    int port;
    size_t body_limit;
    struct http_route *routes; /* the app's routes, then the built-in ones */
    size_t nroutes, nuser;

    pthread_mutex_t lock; /* guards the queue and the counters below */
    pthread_cond_t work_cond;
    pthread_cond_t prio_cond; /* the priority-only worker waits here */
    pthread_cond_t idle_cond;
    struct req_state **queue;
    size_t qcap, qhead, qlen;
    /* Routes flagged HTTP_ROUTE_PRIORITY (service callbacks) wait here and
     * are taken before anything in queue; same capacity. */
    struct req_state **pqueue;
    size_t pqhead, pqlen;
    int has_priority; /* some route is flagged: one more worker serves only pqueue */
    size_t reserved; /* slots promised to requests being suspended */
    int busy;        /* workers running a handler */
    int draining;    /* no longer accepting: answers carry Connection: close */
    int stopping;    /* workers finish the queue and exit; no more queueing */
    long inflight;   /* requests begun and not yet completed */
    pthread_t *workers;
    int nworkers;

    /* Slow clients (see struct conn_track). */
    pthread_mutex_t clock;
    pthread_cond_t reaper_cond;
    struct conn_track *conns;
    pthread_t reaper;
    int reaper_running, reaper_stop;
    int64_t deadline_us;
    long cut_total;

    pthread_mutex_t mlock;      /* guards the metrics */
    struct route_stats *rstats; /* nroutes + 1: the last is "unmatched" */
    struct status_count *counts;
    size_t ncounts, capcounts;
};

/* MHD's CONNECTION_TIMEOUT is an idle timeout: a client that trickles a
 * byte now and then would hold its connection (and a slot of the connection
 * limit) for ever. So a request must arrive whole, headers and body, within
 * the timeout of the connection's start or of the previous answer; a reaper
 * thread shuts down the socket of one that does not, and MHD then closes it.
 * Time spent in a handler or sending the answer does not count. One per
 * connection, in srv->conns under srv->clock; removed when MHD reports the
 * connection closed, which it does before closing the socket. */
struct conn_track {
    struct conn_track *prev, *next;
    int fd;
    int64_t since_us; /* start of the request being received */
    int receiving;    /* 0 while a handler runs or the answer is sent */
    int cut;
};

enum req_phase {
    PH_UPLOAD,   /* receiving the body */
    PH_QUEUED,   /* suspended, with a worker or waiting for one */
    PH_DONE,     /* the worker filled res; queue it on the next call */
    PH_ANSWERED, /* response queued with MHD */
};

/* Everything of one request; created on the access handler's first call,
 * freed in the completion callback and nowhere else. */
struct req_state {
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct http_req req;
    struct http_res res;
    enum req_phase phase;
    struct http_body body; /* moved into req.body once complete */
    size_t declared_len;   /* Content-Length, 0 if absent */
    int route_idx;         /* -1 until routed */
    int builtin;
    int64_t start_us;
    int status; /* as sent */
    size_t bytes;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- metrics ---- */

static const char *method_label(const char *m)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER"; /* arbitrary tokens would make unbounded label sets */
}

static void metrics_record(struct http_server *srv, int route, const char *method, int status,
                           double secs)
{
    const char *m = method_label(method);
    pthread_mutex_lock(&srv->mlock);
    struct route_stats *rs = &srv->rstats[route < 0 ? (int)srv->nroutes : route];
    for (size_t i = 0; i < NBUCKETS; i++)
        if (secs <= latency_buckets[i])
            rs->le[i]++;
    rs->count++;
    rs->sum += secs;
    struct status_count *sc = NULL;
    for (size_t i = 0; i < srv->ncounts; i++) {
        struct status_count *c = &srv->counts[i];
        if (c->route == route && c->status == status && strcmp(c->method, m) == 0) {
            sc = c;
            break;
        }
    }
    if (!sc) {
        if (srv->ncounts == srv->capcounts) {
            srv->capcounts = srv->capcounts ? srv->capcounts * 2 : 32;
            srv->counts = xrealloc(srv->counts, srv->capcounts * sizeof *srv->counts);
        }
        sc = &srv->counts[srv->ncounts++];
        sc->route = route;
        snprintf(sc->method, sizeof sc->method, "%s", m);
        sc->status = status;
        sc->count = 0;
    }
    sc->count++;
    pthread_mutex_unlock(&srv->mlock);
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void put_label(struct sbuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sbuf_add(out, "\\", 1);
        if (*s == '\n')
            sbuf_puts(out, "\\n");
        else
            sbuf_add(out, s, 1);
    }
}

static const char *route_label(const struct http_server *srv, int route)
{
    return route < 0 || (size_t)route >= srv->nroutes ? "unmatched" : srv->routes[route].pattern;
}

static void metrics_render(struct http_server *srv, struct sbuf *out)
{
    sbuf_puts(out, "# HELP http_requests_total Requests answered, by route, method and status.\n"
                   "# TYPE http_requests_total counter\n");
    pthread_mutex_lock(&srv->mlock);
    for (size_t i = 0; i < srv->ncounts; i++) {
        const struct status_count *c = &srv->counts[i];
        sbuf_puts(out, "http_requests_total{route=\"");
        put_label(out, route_label(srv, c->route));
        sbuf_printf(out, "\",method=\"%s\",status=\"%d\"} %ld\n", c->method, c->status, c->count);
    }
    sbuf_puts(out, "# HELP http_request_duration_seconds Time from request to response sent.\n"
                   "# TYPE http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= srv->nroutes; r++) {
        const struct route_stats *rs = &srv->rstats[r];
        if (rs->count == 0)
            continue;
        const char *label = route_label(srv, r == srv->nroutes ? -1 : (int)r);
        for (size_t b = 0; b < NBUCKETS; b++) {
            sbuf_puts(out, "http_request_duration_seconds_bucket{route=\"");
            put_label(out, label);
            sbuf_printf(out, "\",le=\"%g\"} %ld\n", latency_buckets[b], rs->le[b]);
        }
        sbuf_puts(out, "http_request_duration_seconds_bucket{route=\"");
        put_label(out, label);
        sbuf_printf(out, "\",le=\"+Inf\"} %ld\n", rs->count);
        sbuf_puts(out, "http_request_duration_seconds_sum{route=\"");
        put_label(out, label);
        sbuf_printf(out, "\"} %.6f\n", rs->sum);
        sbuf_puts(out, "http_request_duration_seconds_count{route=\"");
        put_label(out, label);
        sbuf_printf(out, "\"} %ld\n", rs->count);
    }
    pthread_mutex_unlock(&srv->mlock);

    pthread_mutex_lock(&srv->lock);
    long inflight = srv->inflight;
    size_t qlen = srv->qlen + srv->pqlen;
    int busy = srv->busy;
    pthread_mutex_unlock(&srv->lock);
    sbuf_printf(out,
                "# HELP http_requests_in_flight Requests begun and not yet completed.\n"
                "# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight %ld\n"
                "# HELP http_queue_depth Requests waiting for a worker.\n"
                "# TYPE http_queue_depth gauge\nhttp_queue_depth %zu\n"
                "# HELP http_queue_capacity Requests the queue holds before answering 503.\n"
                "# TYPE http_queue_capacity gauge\nhttp_queue_capacity %zu\n"
                "# HELP http_workers Worker threads running handlers.\n"
                "# TYPE http_workers gauge\nhttp_workers %d\n"
                "# HELP http_workers_busy Workers running a handler now.\n"
                "# TYPE http_workers_busy gauge\nhttp_workers_busy %d\n",
                inflight, qlen, srv->qcap, srv->nworkers, busy);
    pthread_mutex_lock(&srv->clock);
    long cut = srv->cut_total;
    pthread_mutex_unlock(&srv->clock);
    sbuf_printf(out,
                "# HELP http_slow_clients_cut_total Connections closed for not sending a whole "
                "request within the connection timeout.\n"
                "# TYPE http_slow_clients_cut_total counter\nhttp_slow_clients_cut_total %ld\n",
                cut);
    if (srv->cfg.pool) {
        int size = 0, in_use = 0;
        long waits = 0, timeouts = 0;
        db_pool_stats(srv->cfg.pool, &size, &in_use, &waits, &timeouts);
        sbuf_printf(out,
                    "# HELP db_pool_size Connections the pool may hold.\n"
                    "# TYPE db_pool_size gauge\ndb_pool_size %d\n"
                    "# HELP db_pool_in_use Connections lent out now.\n"
                    "# TYPE db_pool_in_use gauge\ndb_pool_in_use %d\n"
                    "# HELP db_pool_waits_total Acquisitions that had to wait.\n"
                    "# TYPE db_pool_waits_total counter\ndb_pool_waits_total %ld\n"
                    "# HELP db_pool_timeouts_total Acquisitions that gave up.\n"
                    "# TYPE db_pool_timeouts_total counter\ndb_pool_timeouts_total %ld\n",
                    size, in_use, waits, timeouts);
    }
}

/* ---- built-in routes (run on a worker; app is the server) ---- */

static const char healthz_sql[] = "SELECT 1";

static void handle_healthz(struct http_req *req, struct http_res *res, void *app)
{
    struct http_server *srv = app;
    (void)req;
    enum db_status st = DB_OK;
    if (srv->cfg.pool) {
        struct db_conn *c = db_acquire(srv->cfg.pool, 1000);
        st = c ? db_exec_simple(c, healthz_sql) : DB_UNAVAILABLE;
        db_release(srv->cfg.pool, c);
    }
    if (st == DB_OK) {
        http_res_json(res, 200, json_pack("{s:s}", "status", "ok"));
        return;
    }
    http_res_json(res, 503,
                  json_pack("{s:s, s:{s:s, s:s}}", "status", "unavailable", "error", "code",
                            "SERVICE_UNAVAILABLE", "message", "database unavailable"));
}

static void handle_metrics(struct http_req *req, struct http_res *res, void *app)
{
    struct http_server *srv = app;
    (void)req;
    struct sbuf out;
    sbuf_init(&out);
    metrics_render(srv, &out);
    if (srv->cfg.metrics_extra)
        srv->cfg.metrics_extra(&out, srv->cfg.app);
    size_t len;
    char *s = sbuf_steal(&out, &len);
    http_res_take(res, 200, "text/plain; version=0.0.4; charset=utf-8", s, len);
}

static const struct http_route builtin_routes[] = {
    {"GET", "/healthz", handle_healthz, 0},
    {"GET", "/metrics", handle_metrics, 0},
};

/* ---- URL decoding ---- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX in place, as libmicrohttpd's own unescaper does, except %00,
 * which stays as the three characters: a NUL would cut the path or an
 * argument short, so "/assets/app.js%00.css" would be served as app.js and
 * "/x/special%00y" routed to "/x/special". Used for paths and arguments. */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *r = s, *w = s;
    while (*r) {
        int hi, lo;
        if (r[0] == '%' && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0 &&
            (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* ---- per-request state ---- */

struct kv_list {
    struct kv *kv;
    size_t n, cap;
};

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct kv_list *l = cls;
    (void)kind;
    if (!key || l->n >= l->cap)
        return MHD_YES;
    l->kv[l->n].name = xstrdup(key);
    l->kv[l->n].value = xstrdup(value ? value : "");
    l->n++;
    return MHD_YES;
}

static void copy_values(struct MHD_Connection *conn, enum MHD_ValueKind kind, struct kv **out,
                        size_t *n)
{
    int count = MHD_get_connection_values(conn, kind, NULL, NULL);
    struct kv_list l = {NULL, 0, count > 0 ? (size_t)count : 0};
    if (l.cap)
        l.kv = xcalloc(l.cap, sizeof *l.kv);
    if (l.cap)
        MHD_get_connection_values(conn, kind, collect_kv, &l);
    *out = l.kv;
    *n = l.n;
}

static int request_id_sane(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > REQUEST_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t outlen)
{
    snprintf(out, outlen, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)outlen);
}

static struct req_state *state_create(struct http_server *srv, struct MHD_Connection *conn,
                                      const char *url, const char *method)
{
    struct req_state *st = xcalloc(1, sizeof *st);
    st->srv = srv;
    st->conn = conn;
    st->start_us = mono_us();
    st->route_idx = -1;
    http_res_init(&st->res);
    struct http_req *req = &st->req;
    snprintf(req->method, sizeof req->method, "%s", method);
    req->path = xstrdup(url ? url : "");
    copy_values(conn, MHD_HEADER_KIND, &req->headers, &req->nheaders);
    copy_values(conn, MHD_GET_ARGUMENT_KIND, &req->query, &req->nquery);
    const char *rid = http_req_header(req, "X-Request-Id");
    if (rid && request_id_sane(rid))
        snprintf(req->request_id, sizeof req->request_id, "%s", rid);
    else
        rand_hex(req->request_id, 16);
    client_ip(conn, req->client_ip, sizeof req->client_ip);
    const char *cl = http_req_header(req, "Content-Length");
    unsigned long long declared;
    char *end;
    if (cl && *cl >= '0' && *cl <= '9') {
        errno = 0;
        declared = strtoull(cl, &end, 10);
        if (errno == ERANGE || declared > SIZE_MAX)
            declared = SIZE_MAX;
        st->declared_len = (size_t)declared;
    }
    http_body_init(&st->body, srv->body_limit, st->declared_len);
    pthread_mutex_lock(&srv->lock);
    srv->inflight++;
    pthread_mutex_unlock(&srv->lock);
    return st;
}

static void kv_free(struct kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
    }
    free(kv);
}

static void state_free(struct req_state *st)
{
    struct http_req *req = &st->req;
    if (req->auth && req->auth_free)
        req->auth_free(req->auth);
    router_params_free(req);
    kv_free(req->headers, req->nheaders);
    kv_free(req->query, req->nquery);
    free(req->path);
    free(req->body);
    http_body_cleanup(&st->body);
    http_res_cleanup(&st->res);
    free(st);
}

/* ---- sending ---- */

/* Queues st->res with MHD. copy: leave st->res intact (the queueing may be
 * refused mid-upload and retried later). */
static enum MHD_Result send_res(struct req_state *st, int copy)
{
    struct http_server *srv = st->srv;
    struct http_res *res = &st->res;
    if (res->status < 100 || res->status > 599) {
        log_error("invalid response status %d for %s %s", res->status, st->req.method,
                  st->req.path);
        http_res_error(res, 500, "INTERNAL", "internal error");
    }
    size_t len = res->body ? res->body_len : 0;
    enum MHD_ResponseMemoryMode mode = MHD_RESPMEM_PERSISTENT;
    void *data = (void *)"";
    if (res->body) {
        data = res->body;
        mode = copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
    if (!r)
        return MHD_NO;
    if (mode == MHD_RESPMEM_MUST_FREE)
        res->body = NULL; /* now MHD's */
    if (res->content_type[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(r, "X-Request-Id", st->req.request_id);
    for (size_t i = 0; i < res->nheaders && i < HTTP_MAX_RES_HEADERS; i++)
        if (MHD_add_response_header(r, res->headers[i].name, res->headers[i].value) != MHD_YES)
            log_warn("response header %s refused", res->headers[i].name);
    pthread_mutex_lock(&srv->lock);
    int draining = srv->draining;
    pthread_mutex_unlock(&srv->lock);
    if (draining)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(st->conn, (unsigned int)res->status, r);
    MHD_destroy_response(r);
    if (ret == MHD_YES) {
        st->phase = PH_ANSWERED;
        st->status = res->status;
        st->bytes = len;
    }
    return ret;
}

static enum MHD_Result answer_now(struct req_state *st, int status, const char *code,
                                  const char *msg)
{
    http_res_error(&st->res, status, code, "%s", msg);
    return send_res(st, 0);
}

/* ---- slow clients ---- */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn_track *t = xcalloc(1, sizeof *t);
        t->fd = ci ? ci->connect_fd : -1;
        t->since_us = mono_us();
        t->receiving = 1;
        pthread_mutex_lock(&srv->clock);
        t->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = t;
        srv->conns = t;
        pthread_mutex_unlock(&srv->clock);
        *socket_context = t;
        return;
    }
    struct conn_track *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&srv->clock);
    if (t->prev)
        t->prev->next = t->next;
    else
        srv->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&srv->clock);
    free(t);
    *socket_context = NULL;
}

/* receiving 1: a new request may start arriving now; 0: it has arrived. */
static void conn_receiving(struct http_server *srv, struct MHD_Connection *conn, int receiving)
{
    const union MHD_ConnectionInfo *ci =
        conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    struct conn_track *t = ci ? ci->socket_context : NULL;
    if (!t)
        return;
    pthread_mutex_lock(&srv->clock);
    t->receiving = receiving;
    if (receiving)
        t->since_us = mono_us();
    pthread_mutex_unlock(&srv->clock);
}

static void *reaper_main(void *arg)
{
    struct http_server *srv = arg;
    pthread_mutex_lock(&srv->clock);
    while (!srv->reaper_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->reaper_cond, &srv->clock, &ts);
        int64_t now = mono_us();
        for (struct conn_track *t = srv->conns; t; t = t->next) {
            if (t->receiving && !t->cut && t->fd >= 0 && now - t->since_us > srv->deadline_us) {
                shutdown(t->fd, SHUT_RDWR);
                t->cut = 1;
                srv->cut_total++;
            }
        }
    }
    pthread_mutex_unlock(&srv->clock);
    return NULL;
}

static void reaper_stop(struct http_server *srv)
{
    if (!srv->reaper_running)
        return;
    pthread_mutex_lock(&srv->clock);
    srv->reaper_stop = 1;
    pthread_cond_signal(&srv->reaper_cond);
    pthread_mutex_unlock(&srv->clock);
    pthread_join(srv->reaper, NULL);
    srv->reaper_running = 0;
}

/* ---- the queue and workers ---- */

static void run_handler(struct http_server *srv, struct req_state *st)
{
    struct http_req *req = &st->req;
    struct http_res *res = &st->res;
    const struct http_route *route = req->route;
    log_set_request_id(req->request_id);
    if (st->builtin) {
        route->handler(req, res, srv);
    } else if (!srv->cfg.before || srv->cfg.before(req, res, srv->cfg.app) == 0) {
        route->handler(req, res, srv->cfg.app);
    }
    if (res->status == 0) {
        log_error("%s %s: handler left no response", req->method, route->pattern);
        http_res_error(res, 500, "INTERNAL", "internal error");
    }
    if (!st->builtin && cors_route_public(route, srv->cfg.cors_skip_flags))
        cors_decorate(srv->cfg.cors, req, res);
    log_set_request_id(NULL);
}

/* Takes the next request (priority first) or NULL when the worker should
 * exit; under srv->lock. prio_only: this worker serves only callbacks. */
static struct req_state *next_request(struct http_server *srv, int prio_only)
{
    for (;;) {
        if (srv->pqlen > 0) {
            struct req_state *st = srv->pqueue[srv->pqhead];
            srv->pqhead = (srv->pqhead + 1) % srv->qcap;
            srv->pqlen--;
            return st;
        }
        if (!prio_only && srv->qlen > 0) {
            struct req_state *st = srv->queue[srv->qhead];
            srv->qhead = (srv->qhead + 1) % srv->qcap;
            srv->qlen--;
            return st;
        }
        if (srv->stopping && srv->reserved == 0)
            return NULL;
        pthread_cond_wait(prio_only ? &srv->prio_cond : &srv->work_cond, &srv->lock);
    }
}

static void *worker_loop(struct http_server *srv, int prio_only)
{
    for (;;) {
        pthread_mutex_lock(&srv->lock);
        struct req_state *st = next_request(srv, prio_only);
        if (!st) {
            pthread_mutex_unlock(&srv->lock);
            return NULL;
        }
        srv->busy++;
        pthread_mutex_unlock(&srv->lock);

        run_handler(srv, st);
        struct MHD_Connection *conn = st->conn;
        st->phase = PH_DONE;

        pthread_mutex_lock(&srv->lock);
        srv->busy--;
        pthread_mutex_unlock(&srv->lock);
        /* From here st belongs to the event loop again: MHD calls the access
         * handler, which queues the response. */
        MHD_resume_connection(conn);
    }
}

static void *worker_main(void *arg)
{
    return worker_loop(arg, 0);
}

/* Serves only flagged routes, so a callback never waits for a worker that
 * is busy with a user's request (which may itself wait on the caller). */
static void *priority_worker_main(void *arg)
{
    return worker_loop(arg, 1);
}

/* Routes a complete request; answers 404/405/503 inline, otherwise hands it
 * to a worker. Runs on an MHD thread, so nothing here blocks. */
static enum MHD_Result dispatch(struct req_state *st, const char *method)
{
    struct http_server *srv = st->srv;
    struct http_req *req = &st->req;
    conn_receiving(srv, st->conn, 0);
    req->body = http_body_take(&st->body, &req->body_len);
    if (cors_try_preflight(srv->cfg.cors, srv->routes, srv->nuser, srv->cfg.cors_skip_flags, req,
                           &st->res))
        return send_res(st, 0);
    char allow[128];
    const struct http_route *route;
    enum route_match m = router_match(srv->routes, srv->nroutes, method, req->path, req, &route,
                                      allow, sizeof allow);
    if (m == ROUTE_NOT_FOUND)
        return answer_now(st, 404, "NOT_FOUND", "no such resource");
    if (m == ROUTE_METHOD_NOT_ALLOWED) {
        http_res_header(&st->res, "Allow", allow);
        return answer_now(st, 405, "METHOD_NOT_ALLOWED", "method not allowed on this resource");
    }
    req->route = route;
    st->route_idx = (int)(route - srv->routes);
    st->builtin = (size_t)st->route_idx >= srv->nuser;
    int prio = (route->flags & HTTP_ROUTE_PRIORITY) != 0;

    pthread_mutex_lock(&srv->lock);
    /* Callbacks are refused only when their own queue is full: user
     * requests filling the common one do not shed them. */
    int full = srv->stopping || (prio ? srv->pqlen + srv->reserved >= srv->qcap
                                      : srv->qlen + srv->pqlen + srv->reserved >= srv->qcap);
    if (!full)
        srv->reserved++;
    pthread_mutex_unlock(&srv->lock);
    if (full) {
        http_res_header(&st->res, "Retry-After", "1");
        return answer_now(st, 503, "SERVICE_UNAVAILABLE", "server busy, please retry");
    }
    /* Suspend before any worker can see it: a worker resumes when done. */
    st->phase = PH_QUEUED;
    MHD_suspend_connection(st->conn);
    pthread_mutex_lock(&srv->lock);
    srv->reserved--;
    if (prio) {
        srv->pqueue[(srv->pqhead + srv->pqlen) % srv->qcap] = st;
        srv->pqlen++;
        pthread_cond_signal(&srv->prio_cond);
    } else {
        srv->queue[(srv->qhead + srv->qlen) % srv->qcap] = st;
        srv->qlen++;
    }
    pthread_cond_signal(&srv->work_cond);
    pthread_mutex_unlock(&srv->lock);
    return MHD_YES;
}

/* Copies upload bytes into the capped body buffer. Returns MHD_NO to close
 * the connection when a client keeps sending far past the cap. */
static enum MHD_Result take_upload(struct req_state *st, const char *data, size_t n)
{
    struct http_server *srv = st->srv;
    int was_over = st->body.too_large;
    if (http_body_append(&st->body, data, n) == 0)
        return MHD_YES;
    if (!was_over) {
        http_res_error(&st->res, 413, "PAYLOAD_TOO_LARGE", "request body exceeds %zu bytes",
                       srv->body_limit);
        /* Answer at once if MHD allows it mid-upload (0.9.75 does not);
         * otherwise the rest is read, dropped, and answered at the end. */
        send_res(st, 1);
    }
    return st->body.dropped / DISCARD_FACTOR > srv->body_limit ? MHD_NO : MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;
    (void)version;
    if (!st) {
        st = state_create(srv, conn, url, method);
        *con_cls = st;
        if (st->declared_len > srv->body_limit) {
            /* Refused before a byte of the body is read (no 100 Continue). */
            st->body.too_large = 1;
            return answer_now(st, 413, "PAYLOAD_TOO_LARGE", "request body too large");
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (st->phase != PH_UPLOAD)
            return MHD_YES; /* already answered: drop the rest */
        return take_upload(st, upload_data, n);
    }
    switch (st->phase) {
    case PH_UPLOAD:
        if (st->body.too_large)
            return send_res(st, 0);
        return dispatch(st, method);
    case PH_DONE:
        return send_res(st, 0);
    case PH_QUEUED:
    case PH_ANSWERED:
        break;
    }
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;
    conn_receiving(srv, conn, 1);
    if (!st)
        return;
    *con_cls = NULL;
    double secs = (double)(mono_us() - st->start_us) / 1e6;
    if (st->status)
        metrics_record(srv, st->route_idx, st->req.method, st->status, secs);
    log_set_request_id(st->req.request_id);
    log_info("%s %s %d %.1f %zu%s", st->req.method, st->req.path, st->status, secs * 1000.0,
             st->bytes, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    log_set_request_id(NULL);
    state_free(st);
    pthread_mutex_lock(&srv->lock);
    if (--srv->inflight == 0)
        pthread_cond_broadcast(&srv->idle_cond);
    pthread_mutex_unlock(&srv->lock);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    log_warn("http: %s", msg);
}

/* ---- start / stop ---- */

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

static void workers_stop(struct http_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    srv->stopping = 1;
    pthread_cond_broadcast(&srv->work_cond);
    pthread_cond_broadcast(&srv->prio_cond);
    pthread_mutex_unlock(&srv->lock);
    for (int i = 0; i < srv->nworkers; i++)
        pthread_join(srv->workers[i], NULL);
    srv->nworkers = 0;
}

struct http_server *http_server_start(const struct http_server_config *cfg)
{
    struct http_server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->body_limit = cfg->body_limit ? cfg->body_limit : HTTP_BODY_LIMIT_DEFAULT;
    int workers = cfg->workers > 0 ? cfg->workers : DEFAULT_WORKERS;
    unsigned max_conn =
        cfg->max_connections > 0 ? (unsigned)cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
    unsigned timeout =
        cfg->connection_timeout_s > 0 ? (unsigned)cfg->connection_timeout_s : DEFAULT_TIMEOUT_S;

    srv->nuser = cfg->routes ? cfg->nroutes : 0;
    srv->nroutes = srv->nuser + sizeof builtin_routes / sizeof builtin_routes[0];
    srv->routes = xcalloc(srv->nroutes, sizeof *srv->routes);
    if (srv->nuser)
        memcpy(srv->routes, cfg->routes, srv->nuser * sizeof *srv->routes);
    memcpy(srv->routes + srv->nuser, builtin_routes, sizeof builtin_routes);
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

    int nthreads = workers + (srv->has_priority ? 1 : 0);
    srv->workers = xcalloc((size_t)nthreads, sizeof *srv->workers);
    for (int i = 0; i < nthreads; i++) {
        int rc = pthread_create(&srv->workers[i], NULL,
                                i < workers ? worker_main : priority_worker_main, srv);
        if (rc != 0) {
            log_error("cannot start worker thread: %s", strerror(rc));
            workers_stop(srv);
            server_free(srv);
            return NULL;
        }
        srv->nworkers++;
    }

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa = NULL;
    if (cfg->bind_addr && *cfg->bind_addr) {
        memset(&sin, 0, sizeof sin);
        memset(&sin6, 0, sizeof sin6);
        if (inet_pton(AF_INET, cfg->bind_addr, &sin.sin_addr) == 1) {
            sin.sin_family = AF_INET;
            sin.sin_port = htons((uint16_t)cfg->port);
            sa = (struct sockaddr *)&sin;
        } else if (inet_pton(AF_INET6, cfg->bind_addr, &sin6.sin6_addr) == 1) {
            sin6.sin6_family = AF_INET6;
            sin6.sin6_port = htons((uint16_t)cfg->port);
            sa = (struct sockaddr *)&sin6;
            flags |= MHD_USE_IPv6;
        } else {
            log_error("bind address %s is not an IP address", cfg->bind_addr);
            workers_stop(srv);
            server_free(srv);
            return NULL;
        }
    }
    /* The logger goes first, so MHD reports option errors through it too. */
#define SERVER_OPTIONS                                                                             \
    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul,    \
        NULL, MHD_OPTION_CONNECTION_LIMIT, max_conn,               \
        MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,    \
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_THREAD_POOL_SIZE,             \
        (unsigned)MHD_THREADS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_POOL_BYTES
    if (sa)
        srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
                                       SERVER_OPTIONS, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_END);
    else
        srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
                                       SERVER_OPTIONS, MHD_OPTION_END);
#undef SERVER_OPTIONS
    if (!srv->daemon) {
        log_error("cannot listen on %s:%d", cfg->bind_addr ? cfg->bind_addr : "*", cfg->port);
        workers_stop(srv);
        server_free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : cfg->port;
    int rc = pthread_create(&srv->reaper, NULL, reaper_main, srv);
    if (rc != 0)
        log_warn("no slow-client reaper: %s", strerror(rc));
    srv->reaper_running = rc == 0;
    return srv;
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
