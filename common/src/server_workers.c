/* server_workers.c: the bounded queues of routed requests and the worker
 * threads that run handlers (which may block on the database or on another
 * service) and resume the suspended connection when done. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/cors.h"
#include "common/log.h"
#include "common/sig.h"
#include "server_internal.h"

/* A signed route's X-Signature over the body, with the server's secret:
 * 1 if good, else 0 after answering 401 INVALID_SIGNATURE. */
static int signature_ok(struct http_server *srv, struct http_req *req, struct http_res *res)
{
    const char *secret = srv->cfg.signing_secret;
    const char *sig = http_req_header(req, "X-Signature");
    enum sig_result sr = secret && *secret
                             ? sig_verify(secret, sig ? sig : "", req->body, req->body_len,
                                          (long)time(NULL), SIG_TOLERANCE_S)
                             : SIG_MISMATCH;
    if (sr == SIG_OK)
        return 1;
    log_warn("%s %s: signature refused (%s)", req->method, req->path, sig_result_name(sr));
    if (srv->cfg.signature_refused)
        srv->cfg.signature_refused(srv->cfg.app);
    http_res_error(res, 401, "INVALID_SIGNATURE", "missing, forged or stale X-Signature (%s)",
                   sig_result_name(sr));
    return 0;
}

static void run_handler(struct http_server *srv, struct req_state *st)
{
    struct http_req *req = &st->req;
    struct http_res *res = &st->res;
    const struct http_route *route = req->route;
    log_set_request_id(req->request_id);
    if (st->builtin) {
        route->handler(req, res, srv);
    } else if ((route->flags & HTTP_ROUTE_SIGNED) && !signature_ok(srv, req, res)) {
        /* answered 401 */
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

int workers_reserve(struct http_server *srv, int prio)
{
    pthread_mutex_lock(&srv->lock);
    /* Callbacks are refused only when their own queue is full: user
     * requests filling the common one do not shed them. */
    int full = srv->stopping || (prio ? srv->pqlen + srv->reserved >= srv->qcap
                                      : srv->qlen + srv->pqlen + srv->reserved >= srv->qcap);
    if (!full)
        srv->reserved++;
    pthread_mutex_unlock(&srv->lock);
    return !full;
}

void workers_enqueue(struct http_server *srv, struct req_state *st, int prio)
{
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
}

int workers_start(struct http_server *srv, int workers)
{
    int nthreads = workers + (srv->has_priority ? 1 : 0);
    srv->workers = xcalloc((size_t)nthreads, sizeof *srv->workers);
    for (int i = 0; i < nthreads; i++) {
        int rc = pthread_create(&srv->workers[i], NULL,
                                i < workers ? worker_main : priority_worker_main, srv);
        if (rc != 0) {
            log_error("cannot start worker thread: %s", strerror(rc));
            workers_stop(srv);
            return -1;
        }
        srv->nworkers++;
    }
    return 0;
}

void workers_stop(struct http_server *srv)
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
