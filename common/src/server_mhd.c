/* server_mhd.c: the HTTP server's libmicrohttpd callbacks. They run on
 * MHD's event-loop threads and never block: a request is checked at the
 * protocol level, its body read into a capped buffer, routed, and either
 * answered at once (404, 405, 413, 503, protocol refusals) or suspended and
 * handed to a worker; the worker's answer is queued on the next call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cors.h"
#include "common/log.h"
#include "common/router.h"
#include "server_internal.h"

/* An oversized body is read and dropped, so that a client that writes its
 * whole body before reading (Python's urllib, most scripts) reads the 413
 * instead of a reset, up to this many times the cap; past it the connection
 * is closed (a declared length past it is answered at once, unread). */
#define DRAIN_FACTOR 16
/* The request line (path and arguments) and the headers the application
 * accepts; a longer one is refused with JSON (414, 431). Past MHD's
 * per-connection memory (CONNECTION_POOL_BYTES in server.c) MHD refuses it
 * itself, with its own HTML page (docs/RELIABILITY.md). */
#define URI_MAX 8192
#define HEADERS_MAX 8192

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

/* ---- protocol-level checks, before routing ---- */

static size_t kv_bytes(const struct kv *kv, size_t n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += strlen(kv[i].name) + strlen(kv[i].value) + 4;
    return sum;
}

static size_t header_count(const struct http_req *req, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            n++;
    return n;
}

/* Refusals of requests MHD parsed but that the application will not serve
 * (MHD itself accepts them). Answers st and returns 1, or returns 0. */
static int protocol_refused(struct req_state *st, const char *version, enum MHD_Result *ret)
{
    const struct http_req *req = &st->req;
    if (strlen(req->path) + kv_bytes(req->query, req->nquery) > URI_MAX) {
        *ret = answer_now(st, 414, "URI_TOO_LONG", "request target longer than 8192 bytes");
        return 1;
    }
    if (kv_bytes(req->headers, req->nheaders) > HEADERS_MAX) {
        *ret = answer_now(st, 431, "HEADERS_TOO_LARGE", "request headers larger than 8192 bytes");
        return 1;
    }
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && header_count(req, "Host") == 0) {
        *ret = answer_now(st, 400, "BAD_REQUEST", "HTTP/1.1 request without a Host header");
        return 1;
    }
    const char *te = http_req_header(req, "Transfer-Encoding");
    if (te && strcasecmp(te, "chunked") != 0) {
        *ret =
            answer_now(st, 501, "NOT_IMPLEMENTED", "only the chunked transfer coding is supported");
        return 1;
    }
    size_t ncl = header_count(req, "Content-Length");
    if (ncl > 1 || (te && ncl > 0)) {
        *ret = answer_now(st, 400, "BAD_REQUEST",
                          "Content-Length twice, or with Transfer-Encoding: chunked");
        return 1;
    }
    return 0;
}

/* ---- the request's life ---- */

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
    if (!workers_reserve(srv, prio)) {
        http_res_header(&st->res, "Retry-After", "1");
        return answer_now(st, 503, "SERVICE_UNAVAILABLE", "server busy, please retry");
    }
    /* Suspend before any worker can see it: a worker resumes when done. */
    st->phase = PH_QUEUED;
    MHD_suspend_connection(st->conn);
    workers_enqueue(srv, st, prio);
    return MHD_YES;
}

static size_t drain_bound(const struct http_server *srv)
{
    return srv->body_limit * DRAIN_FACTOR;
}

static void set_too_large(struct req_state *st)
{
    http_res_error(&st->res, 413, "PAYLOAD_TOO_LARGE", "request body exceeds %zu bytes",
                   st->srv->body_limit);
}

/* Copies upload bytes into the capped body buffer; past the cap they are
 * counted and dropped. Returns MHD_NO to close the connection when a client
 * keeps sending past the drain bound. */
static enum MHD_Result take_upload(struct req_state *st, const char *data, size_t n)
{
    int was_over = st->body.too_large;
    if (http_body_append(&st->body, data, n) == 0)
        return MHD_YES;
    if (!was_over)
        set_too_large(st);
    return st->body.dropped > drain_bound(st->srv) ? MHD_NO : MHD_YES;
}

/* The first call, headers complete: protocol checks, then a declared
 * length over the cap. Returns what on_request returns. */
static enum MHD_Result on_headers(struct req_state *st, const char *version)
{
    enum MHD_Result ret;
    if (protocol_refused(st, version, &ret))
        return ret;
    if (st->declared_len <= st->srv->body_limit)
        return MHD_YES;
    set_too_large(st);
    st->body.too_large = 1;
    /* A client waiting for 100 Continue is answered now and sends nothing;
     * so is one declaring more than we would drain. Otherwise the body is
     * read and dropped and the 413 sent after it (take_upload). */
    const char *expect = http_req_header(&st->req, "Expect");
    if ((expect && strcasecmp(expect, "100-continue") == 0) ||
        st->declared_len > drain_bound(st->srv))
        return send_res(st, 0);
    return MHD_YES;
}

enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                           const char *method, const char *version, const char *upload_data,
                           size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;
    if (!st) {
        st = state_create(srv, conn, url, method);
        *con_cls = st;
        return on_headers(st, version);
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

void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                  enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;
    conn_receiving(srv, conn, 1);
    if (!st)
        return;
    *con_cls = NULL;
    double secs = (double)(server_mono_us() - st->start_us) / 1e6;
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

void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    log_warn("http: %s", msg);
}

/* Decodes %XX in place, as libmicrohttpd's own unescaper does, except %00
 * (url_unescape_keep_nul). Used for paths and arguments. */
size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return url_unescape_keep_nul(s);
}
