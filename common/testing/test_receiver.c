/* test_receiver.c: see test_receiver.h. */
#include "test_receiver.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "testsupport.h"

/* A request's body, collected across upload calls. */
struct upload {
    struct sbuf body;
};

static enum MHD_Result answer(struct MHD_Connection *c, int status)
{
    struct MHD_Response *res =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, res);
    MHD_destroy_response(res);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct test_receiver *r = cls;
    (void)version;
    struct upload *u = *con_cls;
    if (!u) {
        u = xcalloc(1, sizeof *u);
        sbuf_init(&u->body);
        *con_cls = u;
        return MHD_YES;
    }
    if (*upload_size) {
        sbuf_add(&u->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    struct test_delivery d = {
        .method = method,
        .path = url,
        .signature = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature"),
        .body = u->body.buf ? u->body.buf : "",
        .len = u->body.len,
    };
    return answer(c, r->handle(r->ctx, &d));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct upload *u = *con_cls;
    if (u) {
        sbuf_cleanup(&u->body);
        free(u);
        *con_cls = NULL;
    }
}

void test_receiver_prepare(struct test_receiver *r, int port, const char *path,
                           int (*handle)(void *ctx, const struct test_delivery *d), void *ctx)
{
    memset(r, 0, sizeof *r);
    r->port = port ? port : test_free_port();
    snprintf(r->path, sizeof r->path, "%s", path ? path : "/");
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d%s", r->port, r->path);
    r->handle = handle;
    r->ctx = ctx;
}

int test_receiver_listen(struct test_receiver *r)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    a.sin_port = htons((uint16_t)r->port);
    r->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                              (uint16_t)r->port, NULL, NULL, on_request, r, MHD_OPTION_SOCK_ADDR,
                              (struct sockaddr *)&a, MHD_OPTION_NOTIFY_COMPLETED, on_completed, r,
                              MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!r->mhd) {
        fprintf(stderr, "test_receiver: cannot listen on port %d\n", r->port);
        return -1;
    }
    return 0;
}

int test_receiver_start(struct test_receiver *r, const char *path,
                        int (*handle)(void *ctx, const struct test_delivery *d), void *ctx)
{
    /* A free port can be taken by someone else before we bind it. */
    for (int tries = 0; tries < 5; tries++) {
        test_receiver_prepare(r, 0, path, handle, ctx);
        if (test_receiver_listen(r) == 0)
            return 0;
    }
    return -1;
}

void test_receiver_stop(struct test_receiver *r)
{
    if (r->mhd)
        MHD_stop_daemon(r->mhd);
    r->mhd = NULL;
}
