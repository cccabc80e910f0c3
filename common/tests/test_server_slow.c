/* test_server_slow.c: slow clients against a real daemon (demo_daemon with
 * CONNECTION_TIMEOUT_S=2). MHD's own timeout is an idle timeout, so a client
 * trickling a byte every half second used to keep its connection for ever
 * (slowloris); now a request must arrive whole within the timeout. A slow
 * handler is not a slow client: it is never cut, and neither is a
 * keep-alive connection that sends its next request in time. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "testsupport.h"

#define TIMEOUT_S 2

static struct test_daemon daemon_;

static int raw_connect(void)
{
    return test_connect(daemon_.port);
}

/* Sends prefix, then one byte of trickle every 500 ms until the server
 * closes the connection; returns the ms it took (or -1 after limit_ms). */
static long trickle_until_cut(const char *prefix, const char *trickle, long limit_ms)
{
    int fd = raw_connect();
    assert_true(fd >= 0);
    assert_int_equal(send(fd, prefix, strlen(prefix), MSG_NOSIGNAL), (ssize_t)strlen(prefix));
    int64_t t0 = mono_ms();
    size_t i = 0;
    long took = -1;
    while (mono_ms() - t0 < limit_ms) {
        usleep(500 * 1000);
        if (test_peer_closed(fd)) {
            took = (long)(mono_ms() - t0);
            break;
        }
        /* a cut connection may also show as a failed send */
        if (send(fd, trickle + (i++ % strlen(trickle)), 1, MSG_NOSIGNAL) < 0) {
            took = (long)(mono_ms() - t0);
            break;
        }
        /* meanwhile the daemon serves others at once */
        char url[128];
        snprintf(url, sizeof url, "%s/healthz", daemon_.base_url);
        int64_t q = mono_ms();
        assert_int_equal(test_http("GET", url, NULL, NULL, NULL), 200);
        assert_true(mono_ms() - q < 1000);
    }
    close(fd);
    return took;
}

static void test_trickled_headers_are_cut(void **state)
{
    (void)state;
    long took = trickle_until_cut("GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Slow: y\r\n", 10000);
    print_message("trickled headers cut after %ld ms\n", took);
    assert_true(took > 0);
    assert_true(took <= TIMEOUT_S * 1000 + 1500);
}

static void test_trickled_body_is_cut(void **state)
{
    (void)state;
    long took = trickle_until_cut("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                  "application/json\r\nContent-Length: 200\r\n\r\n{\"a\":\"",
                                  "z", 10000);
    print_message("trickled body cut after %ld ms\n", took);
    assert_true(took > 0);
    assert_true(took <= TIMEOUT_S * 1000 + 1500);
}

static void test_slow_handler_is_not_cut(void **state)
{
    (void)state;
    char url[128], *body = NULL;
    snprintf(url, sizeof url, "%s/slow?ms=%d", daemon_.base_url, TIMEOUT_S * 1000 + 1500);
    assert_int_equal(test_http("GET", url, NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "slept_ms"));
    free(body);
}

/* Reads one response (headers and a Content-Length body) into buf. */
static int read_response(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    int64_t t0 = mono_ms();
    while (n + 1 < cap && mono_ms() - t0 < 5000) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
        if (k <= 0)
            break;
        n += (size_t)k;
        buf[n] = '\0';
        const char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strstr(buf, "Content-Length: ");
        if (end && cl && n >= (size_t)(end + 4 - buf) + (size_t)atol(cl + 16))
            return 0;
    }
    return -1;
}

static void test_keep_alive_in_time_is_served(void **state)
{
    (void)state;
    int fd = raw_connect();
    assert_true(fd >= 0);
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    char buf[2048];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
        assert_int_equal(read_response(fd, buf, sizeof buf), 0);
        assert_non_null(strstr(buf, " 200 "));
        usleep((TIMEOUT_S * 1000 - 700) * 1000); /* idle, but under the timeout */
    }
    close(fd);
}

static void test_cuts_counted_in_metrics(void **state)
{
    (void)state;
    char url[128], *body = NULL;
    snprintf(url, sizeof url, "%s/metrics", daemon_.base_url);
    assert_int_equal(test_http("GET", url, NULL, NULL, &body), 200);
    const char *m = strstr(body, "\nhttp_slow_clients_cut_total ");
    assert_non_null(m);
    assert_true(atol(m + strlen("\nhttp_slow_clients_cut_total ")) >= 2);
    free(body);
}

static int setup(void **state)
{
    (void)state;
    char uri[512], env_db[600];
    if (test_db_create("common_slow", NULL, uri, sizeof uri) != 0)
        return -1;
    snprintf(env_db, sizeof env_db, "DATABASE_URL=%s", uri);
    const char *env[] = {
        env_db, "DB_POOL_SIZE=2", "HTTP_WORKERS=4", "CONNECTION_TIMEOUT_S=2", "BIND_ADDR=127.0.0.1",
        NULL};
    return test_daemon_start(&daemon_, "demo-slow", DEMO_DAEMON_BIN, "DEMO_APP_PORT", 0, env);
}

static int teardown(void **state)
{
    (void)state;
    test_daemon_stop(&daemon_);
    return 0;
}

/* test_free_port stays below the ephemeral range: a port from there could
 * be taken by an outgoing connection of a test running beside (this used to
 * fail payment_http_multi with "Address already in use"). */
static void test_free_port_not_ephemeral(void **state)
{
    (void)state;
    for (int i = 0; i < 50; i++) {
        int p = test_free_port();
        assert_true(p >= TEST_PORT_MIN && p < TEST_PORT_MAX);
    }
}

int main(void)
{
    test_require_pg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trickled_headers_are_cut),
        cmocka_unit_test(test_trickled_body_is_cut),
        cmocka_unit_test(test_slow_handler_is_not_cut),
        cmocka_unit_test(test_keep_alive_in_time_is_served),
        cmocka_unit_test(test_cuts_counted_in_metrics),
        cmocka_unit_test(test_free_port_not_ephemeral),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
