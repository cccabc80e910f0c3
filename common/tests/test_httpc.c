/* test_httpc.c: the HTTP client against a real server in this process:
 * keep-alive on the per-thread handle, X-Request-Id passed on, JSON and
 * bearer, timeouts, refused connections and the response size cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/httpc.h"
#include "common/log.h"
#include "common/util.h"
#include "testsupport.h"

#define BIG_SIZE (17 * 1024 * 1024)

static struct MHD_Daemon *mhd;
static char base[64];
static atomic_int connections;
static char *big;

struct upload {
    struct sbuf body;
};

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)c;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&connections, 1);
}

static const char *hdr(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

/* /echo answers the method, the headers of interest and the body as JSON;
 * /slow waits a second; /big sends 17 MiB; /empty answers 204. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct upload *up = *con_cls;
    if (!up) {
        up = calloc(1, sizeof *up);
        sbuf_init(&up->body);
        *con_cls = up;
        return MHD_YES;
    }
    if (*size) {
        sbuf_add(&up->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    struct MHD_Response *r;
    unsigned status = 200;
    if (strcmp(url, "/slow") == 0) {
        sleep(1);
        r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/big") == 0) {
        r = MHD_create_response_from_buffer(BIG_SIZE, big, MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/empty") == 0) {
        status = 204;
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/text") == 0) {
        status = 502;
        r = MHD_create_response_from_buffer(7, (void *)"oh dear", MHD_RESPMEM_PERSISTENT);
    } else {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s%}", "method", method, "rid",
                              hdr(c, "X-Request-Id"), "auth", hdr(c, "Authorization"), "ctype",
                              hdr(c, "Content-Type"), "accept", hdr(c, "Accept"), "custom",
                              hdr(c, "X-Custom"), "body", up->body.buf ? up->body.buf : "",
                              up->body.len);
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        status = strcmp(method, "POST") == 0 ? 201 : 200;
        r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls,
                 enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct upload *up = *con_cls;
    if (up) {
        sbuf_cleanup(&up->body);
        free(up);
    }
    *con_cls = NULL;
}

static int setup(void **state)
{
    (void)state;
    big = malloc(BIG_SIZE);
    memset(big, 'x', BIG_SIZE);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int tries = 0; tries < 5 && !mhd; tries++) {
        int port = test_free_port();
        a.sin_port = htons((uint16_t)port);
        mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                               (uint16_t)port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                               (struct sockaddr *)&a, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
                               MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
                               MHD_OPTION_END);
        snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    }
    httpc_global_init();
    return mhd ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    MHD_stop_daemon(mhd);
    httpc_thread_cleanup();
    free(big);
    return 0;
}

static json_t *echo(const char *method, const char *const *headers, const char *body,
                    long *status)
{
    char url[128];
    snprintf(url, sizeof url, "%s/echo", base);
    struct httpc_res res;
    assert_int_equal(httpc_request(method, url, headers, body, body ? strlen(body) : 0, 2000, &res),
                     0);
    *status = res.status;
    json_t *j = json_loadb(res.body, res.len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(res.error, "");
    assert_int_equal(res.timed_out, 0);
    httpc_res_cleanup(&res);
    return j;
}

static void test_methods_and_body(void **state)
{
    (void)state;
    long st;
    json_t *j = echo("GET", NULL, NULL, &st);
    assert_int_equal(st, 200);
    assert_string_equal(json_str(j, "method"), "GET");
    json_decref(j);

    j = echo("POST", (const char *[]){"X-Custom: yes", NULL}, "hello", &st);
    assert_int_equal(st, 201);
    assert_string_equal(json_str(j, "body"), "hello");
    assert_string_equal(json_str(j, "custom"), "yes");
    json_decref(j);

    const char *methods[] = {"PUT", "PATCH", "DELETE"};
    for (int i = 0; i < 3; i++) {
        j = echo(methods[i], NULL, "x", &st);
        assert_string_equal(json_str(j, "method"), methods[i]);
        assert_string_equal(json_str(j, "body"), "x");
        json_decref(j);
    }
    /* A POST with no body. */
    j = echo("POST", NULL, NULL, &st);
    assert_string_equal(json_str(j, "body"), "");
    json_decref(j);

    /* A body with a NUL inside goes as given (length, not strlen). */
    char url[128];
    snprintf(url, sizeof url, "%s/echo", base);
    struct httpc_res res;
    assert_int_equal(httpc_request("POST", url, NULL, "a\0b", 3, 2000, &res), 0);
    httpc_res_cleanup(&res);

    /* 204: an empty, non-NULL body. */
    snprintf(url, sizeof url, "%s/empty", base);
    assert_int_equal(httpc_request("POST", url, NULL, "{}", 2, 2000, &res), 0);
    assert_int_equal(res.status, 204);
    assert_int_equal(res.len, 0);
    httpc_res_cleanup(&res);
    httpc_res_cleanup(NULL);
}

static void test_keep_alive(void **state)
{
    (void)state;
    long st;
    json_decref(echo("GET", NULL, NULL, &st)); /* opens this thread's connection */
    int before = atomic_load(&connections);
    for (int i = 0; i < 20; i++)
        json_decref(echo(i % 2 ? "GET" : "POST", NULL, "{}", &st));
    assert_int_equal(atomic_load(&connections), before);
}

static void test_request_id(void **state)
{
    (void)state;
    long st;
    log_set_request_id("req-123");
    json_t *j = echo("GET", NULL, NULL, &st);
    assert_string_equal(json_str(j, "rid"), "req-123");
    json_decref(j);
    /* One the caller sets wins, whatever its case. */
    j = echo("GET", (const char *[]){"x-request-id: mine", NULL}, NULL, &st);
    assert_string_equal(json_str(j, "rid"), "mine");
    json_decref(j);
    /* One that could split a header is not passed on. */
    log_set_request_id("bad\r\nX-Evil: 1");
    j = echo("GET", NULL, NULL, &st);
    assert_string_equal(json_str(j, "rid"), "");
    json_decref(j);
    log_set_request_id(NULL);
    j = echo("GET", NULL, NULL, &st);
    assert_string_equal(json_str(j, "rid"), "");
    json_decref(j);
    log_set_request_id("-");
    j = echo("GET", NULL, NULL, &st);
    assert_string_equal(json_str(j, "rid"), "");
    json_decref(j);
    log_set_request_id(NULL);
}

static void test_json(void **state)
{
    (void)state;
    char url[128];
    snprintf(url, sizeof url, "%s/echo", base);
    json_t *body = json_pack("{s:s, s:i}", "name", "x", "n", 3);
    long st = 0;
    json_t *out = NULL;
    assert_int_equal(httpc_json("POST", url, "tok-secret", body, 2000, &st, &out), 0);
    assert_int_equal(st, 201);
    assert_non_null(out);
    assert_string_equal(json_str(out, "auth"), "Bearer tok-secret");
    assert_string_equal(json_str(out, "ctype"), "application/json");
    assert_string_equal(json_str(out, "accept"), "application/json");
    json_t *sent = json_loads(json_str(out, "body"), 0, NULL);
    assert_true(json_equal(sent, body));
    json_decref(sent);
    json_decref(out);
    json_decref(body);

    /* No bearer, no body. */
    assert_int_equal(httpc_json("GET", url, NULL, NULL, 2000, &st, &out), 0);
    assert_string_equal(json_str(out, "auth"), "");
    assert_string_equal(json_str(out, "ctype"), "");
    json_decref(out);

    /* Not JSON back: status set, out NULL. */
    snprintf(url, sizeof url, "%s/text", base);
    assert_int_equal(httpc_json("GET", url, NULL, NULL, 2000, &st, &out), 0);
    assert_int_equal(st, 502);
    assert_null(out);
    snprintf(url, sizeof url, "%s/empty", base);
    assert_int_equal(httpc_json("POST", url, NULL, NULL, 2000, &st, &out), 0);
    assert_int_equal(st, 204);
    assert_null(out);
    /* out may be NULL. */
    assert_int_equal(httpc_json("POST", url, NULL, NULL, 2000, NULL, NULL), 0);
}

static void test_failures(void **state)
{
    (void)state;
    char url[128];
    struct httpc_res res;

    snprintf(url, sizeof url, "%s/slow", base);
    assert_int_equal(httpc_request("GET", url, NULL, NULL, 0, 200, &res), -1);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.timed_out, 1);
    assert_true(strlen(res.error) > 0);
    httpc_res_cleanup(&res);

    /* The handle still works after a timeout. */
    long st;
    json_decref(echo("GET", NULL, NULL, &st));

    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", test_free_port());
    assert_int_equal(httpc_request("GET", url, NULL, NULL, 0, 2000, &res), -1);
    assert_int_equal(res.timed_out, 0);
    assert_true(strlen(res.error) > 0);
    httpc_res_cleanup(&res);
    long status = 7;
    json_t *out = (json_t *)1;
    assert_int_equal(httpc_json("GET", url, "tok", NULL, 2000, &status, &out), -1);
    assert_int_equal(status, 0);
    assert_null(out);

    /* Only http and https. */
    assert_int_equal(httpc_request("GET", "file:///etc/passwd", NULL, NULL, 0, 2000, &res), -1);
    httpc_res_cleanup(&res);

    /* Over 16 MiB: refused, not buffered. */
    snprintf(url, sizeof url, "%s/big", base);
    assert_int_equal(httpc_request("GET", url, NULL, NULL, 0, 10000, &res), -1);
    assert_null(res.body);
    assert_non_null(strstr(res.error, "larger"));
    httpc_res_cleanup(&res);
}

static void *thread_calls(void *arg)
{
    int *errors = arg;
    char url[128];
    snprintf(url, sizeof url, "%s/echo", base);
    for (int i = 0; i < 50; i++) {
        long st = 0;
        json_t *out = NULL;
        if (httpc_json("POST", url, NULL, NULL, 5000, &st, &out) != 0 || st != 201 || !out)
            (*errors)++;
        json_decref(out);
    }
    return NULL;
}

/* Each thread its own handle: concurrent calls do not interfere, and the
 * handles are freed when the threads end. */
static void test_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    int errors[4] = {0};
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, thread_calls, &errors[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(errors[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods_and_body), cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_request_id),       cmocka_unit_test(test_json),
        cmocka_unit_test(test_failures),         cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
