/* test_server.c: http tests of common/'s server and service_main. A real
 * daemon (demo_daemon.c) runs against a fresh database on the test
 * PostgreSQL and is driven over HTTP: health (also with the database
 * refusing connections), JSON errors, the body cap, 404/405, request ids,
 * metrics, the access log, 1,000 concurrent requests, and SIGTERM while a
 * request is in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/http.h"
#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"
#include "testsupport.h"

#ifndef DEMO_DAEMON_BIN
#error DEMO_DAEMON_BIN must name the demo daemon
#endif

#define MIB (1024 * 1024)

static struct test_daemon daemon_;
/* Where requests go: the daemon's base URL, or an in-process server's. */
static const char *base_url = daemon_.base_url;
static char db_uri[512];
static char db_name[128];

/* ---- a small HTTP client that keeps the response headers ---- */

struct reply {
    long status;
    struct sbuf body;
    struct sbuf headers;
    CURLcode rc;
};

static size_t on_data(char *data, size_t size, size_t n, void *p)
{
    sbuf_add(p, data, size * n);
    return size * n;
}

static void reply_free(struct reply *r)
{
    sbuf_cleanup(&r->body);
    sbuf_cleanup(&r->headers);
}

/* Value of the last header called name (copied into out), or NULL. */
static const char *reply_header(const struct reply *r, const char *name, char *out, size_t outlen)
{
    const char *found = NULL;
    size_t nlen = strlen(name);
    for (const char *p = r->headers.buf; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (*v == ' ')
                v++;
            size_t vlen = len - (size_t)(v - p);
            snprintf(out, outlen, "%.*s", (int)vlen, v);
            found = out;
        }
        p = eol ? eol + 2 : p + len;
    }
    return found;
}

/* One request over handle c (NULL: a fresh one). body_len < 0: no body. */
static long do_request(CURL *c, const char *method, const char *path, const char *const *headers,
                       const char *body, long body_len, struct reply *r)
{
    int own = c == NULL;
    if (own)
        c = curl_easy_init();
    else
        curl_easy_reset(c);
    memset(r, 0, sizeof *r);
    sbuf_init(&r->body);
    sbuf_init(&r->headers);
    char url[512];
    snprintf(url, sizeof url, "%s%s", base_url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body_len >= 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    r->rc = curl_easy_perform(c);
    if (r->rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    if (own)
        curl_easy_cleanup(c);
    return r->status;
}

static long get(const char *path, struct reply *r)
{
    return do_request(NULL, "GET", path, NULL, NULL, -1, r);
}

static const char *const json_ct[] = {"Content-Type: application/json", NULL};

/* Parses the reply body as JSON; new reference or NULL. */
static json_t *reply_json(const struct reply *r)
{
    return r->body.buf ? json_loadb(r->body.buf, r->body.len, 0, NULL) : NULL;
}

/* Asserts r is a JSON error with the status and code. */
static void assert_json_error(const struct reply *r, long status, const char *code)
{
    if (r->status != status)
        fail_msg("status %ld, wanted %ld; body %s", r->status, status,
                 r->body.buf ? r->body.buf : "");
    char ct[128];
    assert_non_null(reply_header(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/json");
    json_t *v = reply_json(r);
    assert_non_null(v);
    json_t *err = json_object_get(v, "error");
    assert_true(json_is_object(err));
    assert_string_equal(json_str(err, "code"), code);
    assert_true(json_is_string(json_object_get(err, "message")));
    json_decref(v);
}

/* ---- raw sockets, for requests curl will not send ---- */

static int raw_connect(void)
{
    int fd = test_connect(daemon_.port);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Reads until the server closes or the headers and Content-Length bytes
 * have arrived; returns the status of the first response, 0 if none. */
static int raw_read_status(int fd, struct sbuf *out)
{
    char buf[8192];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        sbuf_add(out, buf, (size_t)n);
        const char *end = out->buf ? strstr(out->buf, "\r\n\r\n") : NULL;
        if (end) {
            const char *cl = strcasestr(out->buf, "\r\nContent-Length:");
            long want = cl ? atol(cl + 17) : 0;
            if ((long)(out->len - (size_t)(end + 4 - out->buf)) >= want)
                break;
        }
    }
    int status = 0;
    if (out->buf && sscanf(out->buf, "HTTP/1.%*d %d", &status) != 1)
        status = 0;
    return status;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* the server may have answered and closed: fine */
        p += w;
        n -= (size_t)w;
    }
}

/* Sends req on a new connection and reads the answer into resp (the
 * caller sbuf_cleanup()s it); the status, 0 if none came. */
static int raw_exchange(const char *req, struct sbuf *resp)
{
    int fd = raw_connect();
    send_all(fd, req, strlen(req));
    sbuf_init(resp);
    int st = raw_read_status(fd, resp);
    close(fd);
    return st;
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    if (test_db_create("common_http", NULL, db_uri, sizeof db_uri) != 0) {
        fprintf(stderr, "cannot create the test database\n");
        return -1;
    }
    char *name = test_db_scalar(db_uri, "SELECT current_database()", NULL);
    if (!name)
        return -1;
    snprintf(db_name, sizeof db_name, "%s", name);
    free(name);
    char env_db[600];
    snprintf(env_db, sizeof env_db, "DATABASE_URL=%s", db_uri);
    const char *env[] = {env_db,
                         "DB_POOL_SIZE=4",
                         "HTTP_WORKERS=8",
                         "LOG_LEVEL=info",
                         "BIND_ADDR=127.0.0.1",
                         "DB_STARTUP_WAIT_S=10",
                         NULL};
    if (test_daemon_start(&daemon_, "demo-app", DEMO_DAEMON_BIN, "DEMO_APP_PORT", 0, env) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (daemon_.pid > 0)
        test_daemon_kill(&daemon_);
    curl_global_cleanup();
    return 0;
}

/* ---- tests ---- */

static void test_healthz_ok(void **state)
{
    (void)state;
    struct reply r;
    assert_int_equal(get("/healthz", &r), 200);
    assert_string_equal(r.body.buf, "{\"status\":\"ok\"}");
    reply_free(&r);
}

static void test_echo_and_json_errors(void **state)
{
    (void)state;
    struct reply r;
    const char body[] = "{\"name\":\"caf\xc3\xa9\",\"n\":[1,2,{\"x\":null}]}";
    assert_int_equal(do_request(NULL, "POST", "/echo", json_ct, body, sizeof body - 1, &r), 200);
    json_t *v = reply_json(&r);
    assert_non_null(v);
    json_t *echo = json_object_get(v, "echo");
    assert_string_equal(json_str(echo, "name"), "caf\xc3\xa9");
    assert_int_equal(json_array_size(json_object_get(echo, "n")), 3);
    json_decref(v);
    reply_free(&r);

    const char *bad[] = {"{", "", "[1]", "{\"a\":1,}", "{\"a\":\"\xff\"}", "null"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        do_request(NULL, "POST", "/echo", json_ct, bad[i], (long)strlen(bad[i]), &r);
        assert_json_error(&r, 400, "MALFORMED_JSON");
        reply_free(&r);
    }
    /* Nesting bomb, refused before the parser recurses. */
    size_t n = 100000;
    char *bomb = xmalloc(n);
    memset(bomb, '[', n);
    do_request(NULL, "POST", "/echo", json_ct, bomb, (long)n, &r);
    assert_json_error(&r, 400, "MALFORMED_JSON");
    reply_free(&r);
    free(bomb);

    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    do_request(NULL, "POST", "/echo", form, "{}", 2, &r);
    assert_json_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
    reply_free(&r);
}

static void test_body_exactly_at_cap(void **state)
{
    (void)state;
    /* {"a":"xxx...x"} of exactly 1 MiB is accepted. */
    char *body = xmalloc(MIB);
    memcpy(body, "{\"a\":\"", 6);
    memset(body + 6, 'x', MIB - 8);
    memcpy(body + MIB - 2, "\"}", 2);
    struct reply r;
    assert_int_equal(do_request(NULL, "POST", "/echo", json_ct, body, MIB, &r), 200);
    reply_free(&r);
    /* One byte more is not. */
    char *more = xmalloc(MIB + 1);
    memcpy(more, body, MIB - 2);
    memcpy(more + MIB - 2, "x\"}", 3);
    do_request(NULL, "POST", "/echo", json_ct, more, MIB + 1, &r);
    assert_json_error(&r, 413, "PAYLOAD_TOO_LARGE");
    reply_free(&r);
    free(more);
    free(body);
}

static void test_body_too_large(void **state)
{
    (void)state;
    size_t n = 2 * MIB;
    char *big = xmalloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    struct reply r;

    /* Declared Content-Length (curl waits for 100 Continue, gets 413). */
    do_request(NULL, "POST", "/echo", json_ct, big, (long)n, &r);
    assert_json_error(&r, 413, "PAYLOAD_TOO_LARGE");
    reply_free(&r);

    /* Declared Content-Length, body sent at once without waiting. */
    int fd = raw_connect();
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      n);
    send_all(fd, head, (size_t)hl);
    send_all(fd, big, n);
    struct sbuf resp;
    sbuf_init(&resp);
    assert_int_equal(raw_read_status(fd, &resp), 413);
    assert_non_null(strstr(resp.buf, "PAYLOAD_TOO_LARGE"));
    sbuf_cleanup(&resp);
    close(fd);

    /* A Content-Length that lies upwards: answered without the body. */
    fd = raw_connect();
    hl = snprintf(head, sizeof head,
                  "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}");
    send_all(fd, head, (size_t)hl);
    sbuf_init(&resp);
    assert_int_equal(raw_read_status(fd, &resp), 413);
    sbuf_cleanup(&resp);
    close(fd);

    /* No Content-Length: chunked, 2 MiB in 64 KiB chunks. */
    fd = raw_connect();
    hl = snprintf(head, sizeof head,
                  "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n");
    send_all(fd, head, (size_t)hl);
    for (size_t off = 0; off < n; off += 65536) {
        char ch[32];
        int cl = snprintf(ch, sizeof ch, "%x\r\n", 65536);
        send_all(fd, ch, (size_t)cl);
        send_all(fd, big + off, 65536);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "0\r\n\r\n", 5);
    sbuf_init(&resp);
    assert_int_equal(raw_read_status(fd, &resp), 413);
    assert_non_null(strstr(resp.buf, "PAYLOAD_TOO_LARGE"));
    sbuf_cleanup(&resp);
    close(fd);

    /* A chunked upload that goes on far past the cap (over 8 MiB) is cut
     * off: the connection is closed rather than read forever. */
    fd = raw_connect();
    hl = snprintf(head, sizeof head,
                  "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    send_all(fd, head, (size_t)hl);
    int closed = 0;
    char ch[32];
    int chl = snprintf(ch, sizeof ch, "%x\r\n", 65536);
    for (int i = 0; i < 2560 && !closed; i++) /* gives up after 160 MiB */
        closed = send(fd, ch, (size_t)chl, MSG_NOSIGNAL) < 0 ||
                 send(fd, big, 65536, MSG_NOSIGNAL) < 0 || send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0;
    assert_true(closed);
    close(fd);
    free(big);

    /* The server is still fine. */
    assert_int_equal(get("/healthz", &r), 200);
    reply_free(&r);
}

/* A client that writes its whole body before reading (Python's urllib):
 * the 413 is read, not a reset, every time. */
static void test_body_too_large_urllib(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "python3 %s %s/echo %d", URLLIB_CLIENT, base_url, 2 * MIB);
    for (int i = 0; i < 5; i++) {
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char line[256] = "";
        if (!fgets(line, sizeof line, p))
            line[0] = '\0';
        assert_int_equal(pclose(p), 0);
        if (strncmp(line, "413 PAYLOAD_TOO_LARGE ", 22) != 0)
            fail_msg("try %d: urllib read \"%s\"", i, line);
        assert_true(strlen(line) > 23); /* an X-Request-Id */
    }
}

/* A chunked body is capped like a declared one: 10 MB chunked, sent whole
 * before reading, is answered 413 (it used to be an empty reply). */
static void test_chunked_10mb_answered_413(void **state)
{
    (void)state;
    int fd = raw_connect();
    const char head[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
    send_all(fd, head, sizeof head - 1);
    char *chunk = xmalloc(65536);
    memset(chunk, 'x', 65536);
    size_t total = 10u * 1000 * 1000, sent = 0;
    char ch[32];
    int chl = snprintf(ch, sizeof ch, "%x\r\n", 65536);
    while (sent < total) {
        send_all(fd, ch, (size_t)chl);
        send_all(fd, chunk, 65536);
        send_all(fd, "\r\n", 2);
        sent += 65536;
    }
    send_all(fd, "0\r\n\r\n", 5);
    struct sbuf resp;
    sbuf_init(&resp);
    assert_int_equal(raw_read_status(fd, &resp), 413);
    assert_non_null(strstr(resp.buf, "PAYLOAD_TOO_LARGE"));
    assert_non_null(strcasestr(resp.buf, "\r\nX-Request-Id: "));
    sbuf_cleanup(&resp);
    close(fd);
    free(chunk);
}

/* Requests libmicrohttpd accepts but the application refuses, and ones it
 * refuses itself below its memory limit: JSON with X-Request-Id. */
static void test_protocol_refusals_json(void **state)
{
    (void)state;
    char *longurl = xmalloc(12000);
    memcpy(longurl, "GET /", 5);
    memset(longurl + 5, 'a', 10000);
    snprintf(longurl + 10005, 12000 - 10005, " HTTP/1.1\r\nHost: x\r\n\r\n");
    char *bighdr = xmalloc(12000);
    int n = snprintf(bighdr, 12000, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(bighdr + n, 'b', 10000);
    snprintf(bighdr + n + 10000, 12000 - (size_t)n - 10000, "\r\n\r\n");
    struct {
        const char *req;
        int status;
        const char *code;
    } cases[] = {
        {longurl, 414, "URI_TOO_LONG"},
        {bighdr, 431, "HEADERS_TOO_LARGE"},
        {"GET /healthz HTTP/1.1\r\n\r\n", 400, "BAD_REQUEST"},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
         "NOT_IMPLEMENTED"},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400,
         "BAD_REQUEST"},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n",
         400, "BAD_REQUEST"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sbuf resp;
        int st = raw_exchange(cases[i].req, &resp);
        if (st != cases[i].status || !strstr(resp.buf, cases[i].code) ||
            !strcasestr(resp.buf, "\r\nX-Request-Id: ") ||
            !strcasestr(resp.buf, "\r\nContent-Type: application/json"))
            fail_msg("case %zu: %s", i, resp.buf ? resp.buf : "(nothing)");
        sbuf_cleanup(&resp);
    }
    free(longurl);
    free(bighdr);
}

/* What libmicrohttpd refuses itself, the application never asked: the
 * table of docs/RELIABILITY.md ("libmicrohttpd refuses the following
 * itself"), status by status, none with X-Request-Id. A change of the
 * library that fails this must be written into that table. */
static void test_protocol_refusals_library(void **state)
{
    (void)state;
    enum { BIG = 20 * 1024 };
    char *longurl = xmalloc(BIG + 100);
    memcpy(longurl, "GET /", 5);
    memset(longurl + 5, 'a', BIG);
    snprintf(longurl + 5 + BIG, 100, " HTTP/1.1\r\nHost: x\r\n\r\n");
    char *bighdr = xmalloc(BIG + 100);
    int n = snprintf(bighdr, 100, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(bighdr + n, 'b', BIG);
    snprintf(bighdr + n + BIG, 100, "\r\n\r\n");
    struct {
        const char *req;
        int status; /* 0: closed without an answer */
    } cases[] = {
        {longurl, 414},
        {bighdr, 431},
        {"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505},
        {"GET /healthz HTTP/2\r\nHost: x\r\n\r\n", 400},
        {"GET /healthz HTTP/3\r\nHost: x\r\n\r\n", 400},
        {"GET /healthz FOO/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000000000000\r\n\r\n", 413},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
         "chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
         400},
        {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         "FFFFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
         413},
        {"hello\r\n\r\n", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sbuf resp;
        int st = raw_exchange(cases[i].req, &resp);
        if (st != cases[i].status || (resp.buf && strcasestr(resp.buf, "\r\nX-Request-Id: ")))
            fail_msg("case %zu: %d, wanted %d: %.300s", i, st, cases[i].status,
                     resp.buf ? resp.buf : "(nothing)");
        sbuf_cleanup(&resp);
    }
    free(longurl);
    free(bighdr);
}

/* A route flagged HTTP_ROUTE_SIGNED is reached only with a good
 * X-Signature; anything else is 401 INVALID_SIGNATURE before the handler. */
static void test_signed_route(void **state)
{
    (void)state;
    const char body[] = "{\"a\":1}";
    char sig[SIG_HEADER_MAX], hdr[SIG_HEADER_MAX + 32];
    struct reply r;
    long now = (long)time(NULL);
    struct {
        const char *secret;
        long t;
        int ok;
    } cases[] = {
        {NULL, 0, 0},                          /* no signature */
        {"another-secret", now, 0},            /* forged */
        {"demo-signing-secret", now - 900, 0}, /* stale */
        {"demo-signing-secret", now, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *h[] = {"Content-Type: application/json", NULL, NULL};
        if (cases[i].secret) {
            sig_sign(cases[i].secret, body, sizeof body - 1, cases[i].t, sig, sizeof sig);
            snprintf(hdr, sizeof hdr, "X-Signature: %s", sig);
            h[1] = hdr;
        }
        do_request(NULL, "POST", "/signed", h, body, sizeof body - 1, &r);
        if (cases[i].ok) {
            assert_int_equal(r.status, 200);
            json_t *v = reply_json(&r);
            assert_int_equal(json_integer_value(json_object_get(v, "refused")), 3);
            json_decref(v);
        } else {
            assert_json_error(&r, 401, "INVALID_SIGNATURE");
        }
        reply_free(&r);
    }
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    struct reply r;
    get("/nope", &r);
    assert_json_error(&r, 404, "NOT_FOUND");
    reply_free(&r);
    get("/items/", &r); /* trailing slash: empty parameter */
    assert_json_error(&r, 404, "NOT_FOUND");
    reply_free(&r);
    do_request(NULL, "POST", "/items/7", json_ct, "{}", 2, &r);
    assert_json_error(&r, 405, "METHOD_NOT_ALLOWED");
    char allow[128];
    assert_non_null(reply_header(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET, DELETE");
    reply_free(&r);
    do_request(NULL, "PUT", "/healthz", NULL, NULL, -1, &r);
    assert_json_error(&r, 405, "METHOD_NOT_ALLOWED");
    reply_free(&r);

    /* Path parameters, literal over param, decoded path and query. */
    assert_int_equal(get("/items/abc%20d?q=caf%C3%A9", &r), 200);
    json_t *v = reply_json(&r);
    assert_string_equal(json_str(v, "id"), "abc d");
    assert_string_equal(json_str(v, "q"), "caf\xc3\xa9");
    json_decref(v);
    reply_free(&r);
    assert_int_equal(get("/items/special", &r), 200);
    assert_string_equal(r.body.buf, "{\"special\":true}");
    reply_free(&r);
    /* %00 is not decoded: a NUL would cut the path short and route
     * "/items/special%00x" to "/items/special". */
    assert_int_equal(get("/items/special%00x?q=a%00b", &r), 200);
    v = reply_json(&r);
    assert_string_equal(json_str(v, "id"), "special%00x");
    assert_string_equal(json_str(v, "q"), "a%00b");
    json_decref(v);
    reply_free(&r);
    assert_int_equal(do_request(NULL, "DELETE", "/items/3", NULL, NULL, -1, &r), 204);
    assert_int_equal(r.body.len, 0);
    reply_free(&r);
    assert_int_equal(do_request(NULL, "HEAD", "/items/3", NULL, NULL, -1, &r), 200);
    reply_free(&r);

    /* Paging bounds through the real server. */
    assert_int_equal(get("/items?limit=10&offset=5", &r), 200);
    reply_free(&r);
    get("/items?limit=501", &r);
    assert_json_error(&r, 400, "VALIDATION_FAILED");
    reply_free(&r);

    /* A handler that forgets to answer: 500 INTERNAL, not a hang. */
    get("/forgetful", &r);
    assert_json_error(&r, 500, "INTERNAL");
    reply_free(&r);
}

static void test_request_id(void **state)
{
    (void)state;
    struct reply r;
    char rid[128];
    const char *const mine[] = {"X-Request-Id: test-req-0001", NULL};
    assert_int_equal(do_request(NULL, "GET", "/items/1", mine, NULL, -1, &r), 200);
    assert_non_null(reply_header(&r, "X-Request-Id", rid, sizeof rid));
    assert_string_equal(rid, "test-req-0001");
    reply_free(&r);

    /* Handlers see it too. */
    const char *const both[] = {"X-Request-Id: echo-me", "Content-Type: application/json", NULL};
    assert_int_equal(do_request(NULL, "POST", "/echo", both, "{}", 2, &r), 200);
    json_t *v = reply_json(&r);
    assert_string_equal(json_str(v, "request_id"), "echo-me");
    json_decref(v);
    reply_free(&r);

    /* None sent: one generated, different each time. */
    char first[128];
    assert_int_equal(get("/items/1", &r), 200);
    assert_non_null(reply_header(&r, "X-Request-Id", first, sizeof first));
    assert_int_equal(strlen(first), 32);
    reply_free(&r);
    assert_int_equal(get("/nope", &r), 404); /* errors carry one too */
    assert_non_null(reply_header(&r, "X-Request-Id", rid, sizeof rid));
    assert_int_equal(strlen(rid), 32);
    assert_string_not_equal(rid, first);
    reply_free(&r);

    /* Not sane (too long, or spaces): replaced by a generated one. */
    char longid[128] = "X-Request-Id: ";
    memset(longid + 14, 'a', 65);
    const char *const too_long[] = {longid, NULL};
    do_request(NULL, "GET", "/items/1", too_long, NULL, -1, &r);
    assert_non_null(reply_header(&r, "X-Request-Id", rid, sizeof rid));
    assert_int_equal(strlen(rid), 32);
    reply_free(&r);
    const char *const spaced[] = {"X-Request-Id: a b", NULL};
    do_request(NULL, "GET", "/items/1", spaced, NULL, -1, &r);
    assert_non_null(reply_header(&r, "X-Request-Id", rid, sizeof rid));
    assert_int_equal(strlen(rid), 32);
    reply_free(&r);
}

static void test_metrics_and_access_log(void **state)
{
    (void)state;
    struct reply r;
    assert_int_equal(get("/items/m1", &r), 200);
    reply_free(&r);
    get("/does-not-exist", &r);
    reply_free(&r);
    assert_int_equal(get("/metrics", &r), 200);
    char ct[128];
    assert_non_null(reply_header(&r, "Content-Type", ct, sizeof ct));
    assert_non_null(strstr(ct, "text/plain"));
    const char *want[] = {
        "# TYPE http_requests_total counter",
        "http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} ",
        "http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} ",
        "http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} ",
        "# TYPE http_request_duration_seconds histogram",
        "http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"0.005\"} ",
        "http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"10\"} ",
        "http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"+Inf\"} ",
        "http_request_duration_seconds_count{route=\"/items/{id}\"} ",
        "http_requests_in_flight ",
        "http_queue_depth ",
        "db_pool_size 4\n",
        "db_pool_in_use ",
        "db_pool_waits_total ",
        "db_pool_timeouts_total ",
        "demo_up 1\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(r.body.buf, want[i]))
            fail_msg("metrics lack \"%s\":\n%s", want[i], r.body.buf);
    reply_free(&r);

    /* One access-log line per request: method path status ms bytes. */
    FILE *f = fopen(daemon_.log_path, "r");
    assert_non_null(f);
    char line[1024];
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, " INFO demo-app ") && strstr(line, " GET /items/m1 200 "))
            seen++;
    }
    fclose(f);
    assert_int_equal(seen, 1);
}

struct worker_arg {
    int id;
    int ok;
    char err[256];
};

static void *hammer(void *p)
{
    struct worker_arg *a = p;
    CURL *c = curl_easy_init();
    for (int i = 0; i < 10; i++) {
        struct reply r;
        char path[64];
        if (i % 2 == 0) {
            snprintf(path, sizeof path, "/items/t%d-%d", a->id, i);
            do_request(c, "GET", path, NULL, NULL, -1, &r);
        } else {
            char body[64];
            int n = snprintf(body, sizeof body, "{\"t\":%d,\"i\":%d}", a->id, i);
            do_request(c, "POST", "/echo", json_ct, body, n, &r);
        }
        if (r.status == 200)
            a->ok++;
        else if (!a->err[0])
            snprintf(a->err, sizeof a->err, "thread %d request %d: status %ld curl %d %s", a->id, i,
                     r.status, (int)r.rc, r.body.buf ? r.body.buf : "");
        reply_free(&r);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void test_thousand_concurrent(void **state)
{
    (void)state;
    enum { NTHREADS = 100 };
    pthread_t th[NTHREADS];
    struct worker_arg args[NTHREADS];
    memset(args, 0, sizeof args);
    int64_t t0 = mono_ms();
    for (int i = 0; i < NTHREADS; i++) {
        args[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &args[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        ok += args[i].ok;
        if (args[i].err[0])
            print_error("%s\n", args[i].err);
    }
    print_message("concurrent requests answered 200: %d of 1000 in %lld ms\n", ok,
                  (long long)(mono_ms() - t0));
    assert_int_equal(ok, 1000);
}

static PGconn *admin_connect(void)
{
    const char *keys[] = {"host", "port", "user", "dbname", NULL};
    const char *vals[] = {getenv("TEST_PGHOST"), getenv("TEST_PGPORT"), getenv("TEST_PGUSER"),
                          "postgres", NULL};
    if (!vals[2] || !*vals[2])
        vals[2] = NULL;
    PGconn *pg = PQconnectdbParams(keys, vals, 0);
    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("admin connection: %s", PQerrorMessage(pg));
    return pg;
}

/* ALTER DATABASE takes no parameters, so the name goes through format(%I)
 * inside the server, never through printf. */
static void set_allow_connections(PGconn *pg, int allow)
{
    const char *params[1] = {db_name};
    PGresult *res =
        PQexecParams(pg, "SELECT set_config('test.db', $1, false)", 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    PQclear(res);
    res =
        PQexec(pg, allow ? "DO $$BEGIN EXECUTE format('ALTER DATABASE %I ALLOW_CONNECTIONS true',"
                           " current_setting('test.db')); END$$"
                         : "DO $$BEGIN EXECUTE format('ALTER DATABASE %I ALLOW_CONNECTIONS false',"
                           " current_setting('test.db')); END$$");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("ALTER DATABASE: %s", PQerrorMessage(pg));
    PQclear(res);
    if (!allow) {
        res = PQexecParams(pg,
                           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = $1 AND pid <> pg_backend_pid()",
                           1, NULL, params, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        PQclear(res);
    }
}

static void test_healthz_database_down(void **state)
{
    (void)state;
    PGconn *pg = admin_connect();
    set_allow_connections(pg, 0);
    struct reply r;
    /* Pooled connections were killed and new ones are refused. */
    for (int i = 0; i < 3; i++) {
        get("/healthz", &r);
        assert_int_equal(r.status, 503);
        json_t *v = reply_json(&r);
        assert_non_null(v);
        assert_string_equal(json_str(v, "status"), "unavailable");
        assert_string_equal(json_str(json_object_get(v, "error"), "code"), "SERVICE_UNAVAILABLE");
        json_decref(v);
        reply_free(&r);
    }
    /* Routes that need no database still work. */
    assert_int_equal(get("/items/x", &r), 200);
    reply_free(&r);

    set_allow_connections(pg, 1);
    PQfinish(pg);
    long status = 0;
    for (int i = 0; i < 100 && status != 200; i++) {
        status = get("/healthz", &r);
        reply_free(&r);
        if (status != 200)
            usleep(100000);
    }
    assert_int_equal(status, 200);
}

struct slow_arg {
    long status;
    char body[128];
};

static void *slow_request(void *p)
{
    struct slow_arg *a = p;
    struct reply r;
    a->status = get("/slow?ms=2000", &r);
    snprintf(a->body, sizeof a->body, "%s", r.body.buf ? r.body.buf : "");
    reply_free(&r);
    return NULL;
}

static void test_sigterm_finishes_in_flight(void **state)
{
    (void)state;
    struct slow_arg a = {0, ""};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, slow_request, &a), 0);
    usleep(500000); /* the request is in its handler now */
    int64_t t0 = mono_ms();
    assert_int_equal(kill(daemon_.pid, SIGTERM), 0);
    usleep(200000);
    /* Draining: new connections are refused at once, not left waiting. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)daemon_.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), -1);
    assert_int_equal(errno, ECONNREFUSED);
    close(fd);
    int status = test_daemon_stop(&daemon_);
    int64_t took = mono_ms() - t0;
    pthread_join(th, NULL);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "{\"slept_ms\":2000}");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    print_message("stopped with a 2 s request in flight after %lld ms, exit 0\n", (long long)took);
    daemon_.pid = 0;
    /* Nobody listens any more. */
    struct reply r;
    assert_int_equal(get("/healthz", &r), 0);
    reply_free(&r);
}

/* Runs the demo binary with extra environment; returns the exit status and
 * the output (stdout and stderr) in out. */
static int run_demo(const char *const *env, const char *arg, char *out, size_t outlen)
{
    char path[] = "/tmp/common-http-run-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(DEMO_DAEMON_BIN, DEMO_DAEMON_BIN, arg, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    ssize_t n = pread(fd, out, outlen - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_config_errors_and_help(void **state)
{
    (void)state;
    char out[8192];
    const char *const none[] = {"DATABASE_URL=", NULL};
    assert_int_equal(run_demo(none, "--help", out, sizeof out), 0);
    assert_non_null(strstr(out, "DATABASE_URL"));
    assert_non_null(strstr(out, "DEMO_APP_PORT"));
    assert_non_null(strstr(out, "DEMO_SLOW_MAX_MS"));

    char env_db[600];
    snprintf(env_db, sizeof env_db, "DATABASE_URL=%s", db_uri);
    const char *const bad_pool[] = {env_db, "DB_POOL_SIZE=0", NULL};
    assert_int_equal(run_demo(bad_pool, NULL, out, sizeof out), 2);
    assert_non_null(strstr(out, "DB_POOL_SIZE"));
    const char *const bad_level[] = {env_db, "LOG_LEVEL=loud", NULL};
    assert_int_equal(run_demo(bad_level, NULL, out, sizeof out), 2);
    assert_non_null(strstr(out, "LOG_LEVEL"));
    const char *const bad_port[] = {env_db, "DEMO_APP_PORT=70000", NULL};
    assert_int_equal(run_demo(bad_port, NULL, out, sizeof out), 2);
    assert_non_null(strstr(out, "DEMO_APP_PORT"));
    assert_int_equal(run_demo(NULL, "--bogus", out, sizeof out), 2);
}

/* ---- an in-process server: the queue-full path ---- */

static void h_block(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    usleep(800000);
    http_res_json(res, 200, json_pack("{s:b}", "done", 1));
}

struct shot {
    const char *path;
    long status;
    char retry_after[16];
    char code[64];
};

static void *fire(void *p)
{
    struct shot *s = p;
    struct reply r;
    s->status = get(s->path, &r);
    reply_header(&r, "Retry-After", s->retry_after, sizeof s->retry_after);
    json_t *v = reply_json(&r);
    const char *code = json_str(json_object_get(v, "error"), "code");
    snprintf(s->code, sizeof s->code, "%s", code ? code : "");
    json_decref(v);
    reply_free(&r);
    return NULL;
}

static void test_queue_full_answers_503(void **state)
{
    (void)state;
    static const struct http_route routes[] = {{"GET", "/block", h_block, 0}};
    struct http_server_config cfg = {
        .service = "inproc",
        .bind_addr = "127.0.0.1",
        .port = 0,
        .routes = routes,
        .nroutes = 1,
        .workers = 1,
        .max_connections = 64,
        .connection_timeout_s = 10,
        .queue_max = 1,
    };
    struct http_server *srv = http_server_start(&cfg);
    assert_non_null(srv);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", http_server_port(srv));
    assert_true(http_server_port(srv) > 0);
    base_url = url;

    /* No pool: /healthz says ok without a database. */
    struct reply r;
    assert_int_equal(get("/healthz", &r), 200);
    reply_free(&r);

    /* One request on the only worker, one in the only queue slot, and the
     * third finds the queue full. */
    struct shot shots[3] = {{"/block", 0, "", ""}, {"/block", 0, "", ""}, {"/block", 0, "", ""}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, fire, &shots[i]), 0);
        usleep(200000);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(shots[0].status, 200);
    assert_int_equal(shots[1].status, 200);
    assert_int_equal(shots[2].status, 503);
    assert_string_equal(shots[2].code, "SERVICE_UNAVAILABLE");
    assert_string_equal(shots[2].retry_after, "1");

    /* Stopping with a request in flight lets it finish. */
    struct shot late = {"/block", 0, "", ""};
    pthread_t lt;
    assert_int_equal(pthread_create(&lt, NULL, fire, &late), 0);
    usleep(200000);
    http_server_stop(srv);
    pthread_join(lt, NULL);
    assert_int_equal(late.status, 200);
    base_url = daemon_.base_url;
}

/* ---- the priority lane for service callbacks ---- */

static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
static char order[16];
static size_t norder;

static void note_order(char c)
{
    pthread_mutex_lock(&order_lock);
    if (norder + 1 < sizeof order)
        order[norder++] = c;
    pthread_mutex_unlock(&order_lock);
}

static void h_user(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    usleep(400000);
    note_order('u');
    http_res_json(res, 200, json_pack("{s:b}", "done", 1));
}

static void h_callback(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    note_order('c');
    http_res_no_content(res);
}

struct timed_shot {
    struct shot s;
    int64_t took_ms;
};

static void *fire_timed(void *p)
{
    struct timed_shot *t = p;
    int64_t t0 = mono_ms();
    fire(&t->s);
    t->took_ms = mono_ms() - t0;
    return NULL;
}

/* One worker busy with a slow user request and three more queued: a
 * callback on a route flagged HTTP_ROUTE_PRIORITY is answered at once (its
 * own worker, its own queue), before any queued user request; the flag is
 * not the app's (it still sees its own bits); /metrics counts the extra
 * worker. */
static void test_priority_callbacks_first(void **state)
{
    (void)state;
    static const struct http_route routes[] = {
        {"GET", "/user", h_user, 0},
        {"GET", "/callback", h_callback, 4 | HTTP_ROUTE_PRIORITY},
    };
    struct http_server_config cfg = {
        .service = "inproc",
        .bind_addr = "127.0.0.1",
        .port = 0,
        .routes = routes,
        .nroutes = 2,
        .workers = 1,
        .max_connections = 64,
        .connection_timeout_s = 10,
    };
    struct http_server *srv = http_server_start(&cfg);
    assert_non_null(srv);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", http_server_port(srv));
    base_url = url;
    norder = 0;

    struct timed_shot users[4], cb = {{"/callback", 0, "", ""}, 0};
    pthread_t th[4], cth;
    for (int i = 0; i < 4; i++) {
        users[i] = (struct timed_shot){{"/user", 0, "", ""}, 0};
        assert_int_equal(pthread_create(&th[i], NULL, fire_timed, &users[i]), 0);
        usleep(20000);
    }
    usleep(100000); /* the first user request runs, three wait */
    assert_int_equal(pthread_create(&cth, NULL, fire_timed, &cb), 0);
    pthread_join(cth, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(cb.s.status, 204);
    if (cb.took_ms > 250)
        fail_msg("the callback took %lld ms behind user requests", (long long)cb.took_ms);
    for (int i = 0; i < 4; i++)
        assert_int_equal(users[i].s.status, 200);
    struct reply r;
    assert_int_equal(get("/metrics", &r), 200);
    base_url = daemon_.base_url;
    http_server_stop(srv);
    assert_non_null(strstr(r.body.buf, "http_workers 2\n"));
    reply_free(&r);
    order[norder] = '\0';
    assert_string_equal(order, "cuuuu");
}

/* Gates that hold handlers until the test opens them. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_user_open, gate_slow_open;

static void gate_wait(int *open)
{
    pthread_mutex_lock(&gate_lock);
    while (!*open)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
}

static void gate_open(int *open)
{
    pthread_mutex_lock(&gate_lock);
    *open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static void h_gated_user(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    note_order('u');
    gate_wait(&gate_user_open);
    http_res_json(res, 200, json_pack("{s:b}", "done", 1));
}

static void h_gated_callback(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    note_order('s');
    gate_wait(&gate_slow_open);
    http_res_json(res, 200, json_pack("{s:b}", "done", 1));
}

static void h_quick_callback(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    note_order('c');
    http_res_json(res, 200, json_pack("{s:b}", "done", 1));
}

/* With every worker busy, a callback queues apart and is the next request
 * a common worker takes, before user requests that came earlier. Order of
 * handler starts: u (on the common worker), s (a slow callback on the
 * priority worker), then, once the common worker is free: c, u, u. */
static void test_priority_queue_served_first(void **state)
{
    (void)state;
    static const struct http_route routes[] = {
        {"GET", "/user", h_gated_user, 0},
        {"GET", "/slow", h_gated_callback, HTTP_ROUTE_PRIORITY},
        {"GET", "/callback", h_quick_callback, HTTP_ROUTE_PRIORITY},
    };
    struct http_server_config cfg = {
        .service = "inproc",
        .bind_addr = "127.0.0.1",
        .port = 0,
        .routes = routes,
        .nroutes = 3,
        .workers = 1,
        .max_connections = 64,
        .connection_timeout_s = 10,
    };
    struct http_server *srv = http_server_start(&cfg);
    assert_non_null(srv);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", http_server_port(srv));
    base_url = url;
    norder = 0;
    gate_user_open = gate_slow_open = 0;
    const char *paths[] = {"/user", "/slow", "/user", "/user", "/callback"};
    struct timed_shot s[5];
    pthread_t th[5];
    for (int i = 0; i < 5; i++) {
        s[i] = (struct timed_shot){{paths[i], 0, "", ""}, 0};
        assert_int_equal(pthread_create(&th[i], NULL, fire_timed, &s[i]), 0);
        usleep(300000);
    }
    gate_open(&gate_user_open);
    pthread_join(th[0], NULL);
    pthread_join(th[2], NULL);
    pthread_join(th[3], NULL);
    pthread_join(th[4], NULL);
    gate_open(&gate_slow_open);
    pthread_join(th[1], NULL);
    base_url = daemon_.base_url;
    http_server_stop(srv);
    for (int i = 0; i < 5; i++)
        assert_int_equal(s[i].s.status, 200);
    order[norder] = '\0';
    assert_string_equal(order, "uscuu");
}

int main(void)
{
    test_require_pg();
    unsetenv("DATABASE_URL");
    rand_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_ok),
        cmocka_unit_test(test_echo_and_json_errors),
        cmocka_unit_test(test_body_exactly_at_cap),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_body_too_large_urllib),
        cmocka_unit_test(test_chunked_10mb_answered_413),
        cmocka_unit_test(test_protocol_refusals_json),
        cmocka_unit_test(test_protocol_refusals_library),
        cmocka_unit_test(test_signed_route),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_metrics_and_access_log),
        cmocka_unit_test(test_thousand_concurrent),
        cmocka_unit_test(test_healthz_database_down),
        cmocka_unit_test(test_config_errors_and_help),
        cmocka_unit_test(test_queue_full_answers_503),
        cmocka_unit_test(test_priority_callbacks_first),
        cmocka_unit_test(test_priority_queue_served_first),
        cmocka_unit_test(test_sigterm_finishes_in_flight),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
