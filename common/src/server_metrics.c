/* server_metrics.c: the HTTP server's Prometheus counters: requests by
 * route, method and status, latency histograms by route, and the gauges of
 * the queue, the workers, slow clients cut and the database pool. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/db.h"
#include "server_internal.h"

static const char *method_label(const char *m)
{
    static const char *const known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER"; /* arbitrary tokens would make unbounded label sets */
}

void metrics_record(struct http_server *srv, int route, const char *method, int status, double secs)
{
    const char *m = method_label(method);
    pthread_mutex_lock(&srv->mlock);
    struct route_stats *rs = &srv->rstats[route < 0 ? (int)srv->nroutes : route];
    for (size_t i = 0; i < SERVER_NBUCKETS; i++)
        if (secs <= server_latency_buckets[i])
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

void metrics_render(struct http_server *srv, struct sbuf *out)
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
        for (size_t b = 0; b < SERVER_NBUCKETS; b++) {
            sbuf_puts(out, "http_request_duration_seconds_bucket{route=\"");
            put_label(out, label);
            sbuf_printf(out, "\",le=\"%g\"} %ld\n", server_latency_buckets[b], rs->le[b]);
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
