/* server_internal.h: what the parts of the HTTP server share (server.c
 * start/stop, server_mhd.c the libmicrohttpd callbacks, server_request.c the
 * per-request state, server_workers.c the queue and workers,
 * server_reaper.c slow clients, server_metrics.c and server_builtin.c
 * /metrics and /healthz). Not for use outside common/src/server*.c. */
#ifndef COMMON_SERVER_INTERNAL_H
#define COMMON_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/http.h"
#include "common/util.h"

static const double server_latency_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                0.5,   1,    2.5,   5,    10};
#define SERVER_NBUCKETS (sizeof server_latency_buckets / sizeof server_latency_buckets[0])

struct route_stats {
    long le[SERVER_NBUCKETS]; /* cumulative, as Prometheus wants them */
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
    size_t reserved;  /* slots promised to requests being suspended */
    int busy;         /* workers running a handler */
    int draining;     /* no longer accepting: answers carry Connection: close */
    int stopping;     /* workers finish the queue and exit; no more queueing */
    long inflight;    /* requests begun and not yet completed */
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

int64_t server_mono_us(void);

/* server_metrics.c: counters and histograms per route, under srv->mlock. */
void metrics_record(struct http_server *srv, int route, const char *method, int status,
                    double secs);
void metrics_render(struct http_server *srv, struct sbuf *out);

/* server_builtin.c: GET /healthz and GET /metrics (handlers get the server
 * as app). */
extern const struct http_route server_builtin_routes[];
extern const size_t server_nbuiltin;

/* server_request.c: the per-request state. state_create copies what the
 * handler will need out of MHD (headers, arguments, the request id) and
 * counts the request in flight; state_free releases everything. */
struct req_state *state_create(struct http_server *srv, struct MHD_Connection *conn,
                               const char *url, const char *method);
void state_free(struct req_state *st);

/* server_reaper.c: slow clients. */
void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                   enum MHD_ConnectionNotificationCode code);
/* receiving 1: a new request may start arriving now; 0: it has arrived. */
void conn_receiving(struct http_server *srv, struct MHD_Connection *conn, int receiving);
/* 0, or -1 (logged) when the thread cannot start: the server runs without. */
int reaper_start(struct http_server *srv);
void reaper_stop(struct http_server *srv);

/* server_workers.c: the bounded queues and the worker threads. */
/* Reserves a queue slot (1) or refuses (0: full or stopping). */
int workers_reserve(struct http_server *srv, int prio);
/* Queues a suspended request into a slot reserved before. */
void workers_enqueue(struct http_server *srv, struct req_state *st, int prio);
/* Starts nthreads workers (the last is priority-only when srv->has_priority);
 * 0, or -1 after stopping those started. */
int workers_start(struct http_server *srv, int workers);
/* Workers finish what is queued and exit; joined. */
void workers_stop(struct http_server *srv);

/* server_mhd.c: the callbacks given to MHD_start_daemon. */
enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                           const char *method, const char *version, const char *upload_data,
                           size_t *upload_data_size, void **con_cls);
void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                  enum MHD_RequestTerminationCode toe);
void mhd_log(void *cls, const char *fmt, va_list ap);
size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s);

#endif
