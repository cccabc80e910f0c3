/* test_receiver.h: a real HTTP receiver for tests of signed deliveries
 * (payment webhooks, booking notifications): libmicrohttpd on its own
 * loopback port, one thread per connection. Each request's whole body goes
 * to a callback that decides the status to answer; what it records, and how
 * it checks X-Signature, is the caller's. */
#ifndef COMMON_TEST_RECEIVER_H
#define COMMON_TEST_RECEIVER_H

#include <stddef.h>

/* One request as the receiver got it (borrowed for the callback's call). */
struct test_delivery {
    const char *method;
    const char *path;      /* e.g. "/hooks/payment" */
    const char *signature; /* the X-Signature header, NULL if absent */
    const char *body;      /* NUL-terminated */
    size_t len;
};

struct test_receiver {
    void *mhd; /* struct MHD_Daemon, NULL while not listening */
    int port;
    char path[64];
    char url[160]; /* "http://127.0.0.1:<port><path>" */
    /* Called from the connection's thread for every request (lock what it
     * shares); returns the status to answer with an empty body. */
    int (*handle)(void *ctx, const struct test_delivery *d);
    void *ctx;
};

/* Fills r for port (0 = a free one) and path without listening yet, so
 * that url can be handed to a daemon before the receiver is up. */
void test_receiver_prepare(struct test_receiver *r, int port, const char *path,
                           int (*handle)(void *ctx, const struct test_delivery *d), void *ctx);
/* Listens on r->port (127.0.0.1). 0 or -1 (with a message). */
int test_receiver_listen(struct test_receiver *r);
/* prepare on a free port, then listen (another free port if that one was
 * taken meanwhile). 0 or -1. */
int test_receiver_start(struct test_receiver *r, const char *path,
                        int (*handle)(void *ctx, const struct test_delivery *d), void *ctx);
/* Stops listening after the requests in flight; r may listen again. */
void test_receiver_stop(struct test_receiver *r);

#endif
