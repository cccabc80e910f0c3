/* server_request.c: the per-request state of the HTTP server: what a
 * handler needs is copied out of libmicrohttpd when the headers have
 * arrived (headers, arguments, request id, client address, declared
 * length), and all of it is freed in one place. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/rand.h"
#include "common/router.h"
#include "server_internal.h"

#define REQUEST_ID_MAX 64

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

struct req_state *state_create(struct http_server *srv, struct MHD_Connection *conn,
                               const char *url, const char *method)
{
    struct req_state *st = xcalloc(1, sizeof *st);
    st->srv = srv;
    st->conn = conn;
    st->start_us = server_mono_us();
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

void state_free(struct req_state *st)
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
