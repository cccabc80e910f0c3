/* test_cors.c: CORS (cors.c) through a real server in the test process,
 * driven over HTTP with libcurl: an allowed origin, a disallowed one, the
 * preflight (granted, refused, for a method the resource lacks, for a
 * service-only route), "*" without credentials, no policy at all, and the
 * parsing of CORS_ORIGINS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cors.h"
#include "common/http.h"
#include "common/util.h"

#define ROUTE_SERVICE 1u /* the app's flag for service-only routes */

static void h_ok(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    http_res_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static void h_refuse(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    http_res_header(res, "WWW-Authenticate", "Bearer");
    http_res_error(res, 401, "UNAUTHENTICATED", "a bearer token is required");
}

static const struct http_route routes[] = {
    {"GET", "/api/things", h_ok, 0},
    {"POST", "/api/things", h_ok, 0},
    {"DELETE", "/api/things/{id}", h_refuse, 0},
    {"POST", "/api/things/{id}/void", h_ok, ROUTE_SERVICE},
    {"POST", "/internal/callback", h_ok, HTTP_ROUTE_PRIORITY},
};

struct server {
    struct http_server *srv;
    struct cors_policy *policy;
    char base[64];
};

/* Starts a server with CORS_ORIGINS = spec (NULL: no policy). */
static void server_start(struct server *s, const char *spec)
{
    char err[256];
    s->policy = NULL;
    assert_int_equal(cors_policy_parse(spec, &s->policy, err, sizeof err), 0);
    struct http_server_config cfg = {
        .service = "cors-test",
        .bind_addr = "127.0.0.1",
        .port = 0,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .workers = 2,
        .max_connections = 64,
        .connection_timeout_s = 10,
        .cors = s->policy,
        .cors_skip_flags = ROUTE_SERVICE,
    };
    s->srv = http_server_start(&cfg);
    assert_non_null(s->srv);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", http_server_port(s->srv));
}

static void server_stop(struct server *s)
{
    http_server_stop(s->srv);
    cors_policy_destroy(s->policy);
}

struct reply {
    long status;
    struct sbuf headers;
};

static size_t on_data(char *data, size_t size, size_t n, void *p)
{
    if (p)
        sbuf_add(p, data, size * n);
    return size * n;
}

/* One request with the given extra headers (NULL-terminated). */
static long request(const struct server *s, const char *method, const char *path,
                    const char *const *headers, struct reply *r)
{
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    sbuf_init(&r->headers);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    }
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    r->status = 0;
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return r->status;
}

/* The value of header name in r (copied to out), or NULL if absent. */
static const char *header(const struct reply *r, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    for (const char *p = r->headers.buf; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (*v == ' ')
                v++;
            snprintf(out, outlen, "%.*s", (int)(len - (size_t)(v - p)), v);
            return out;
        }
        p = eol ? eol + 2 : p + len;
    }
    return NULL;
}

static void assert_header(const struct reply *r, const char *name, const char *want)
{
    char v[256];
    const char *got = header(r, name, v, sizeof v);
    if (!want) {
        if (got)
            fail_msg("%s: \"%s\", wanted none", name, got);
        return;
    }
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s: %s%s%s, wanted \"%s\"", name, got ? "\"" : "", got ? got : "none",
                 got ? "\"" : "", want);
}

static void test_allowed_origin(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "https://shop.example, http://localhost:5173");
    const char *const h[] = {"Origin: http://localhost:5173", NULL};
    struct reply r;
    assert_int_equal(request(&s, "GET", "/api/things", h, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", "http://localhost:5173");
    assert_header(&r, "Access-Control-Allow-Credentials", "true");
    assert_header(&r, "Vary", "Origin");
    assert_header(&r, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
    sbuf_cleanup(&r.headers);

    /* An error answer carries them too, with the handler's own headers. */
    const char *const h2[] = {"Origin: https://shop.example", NULL};
    assert_int_equal(request(&s, "DELETE", "/api/things/7", h2, &r), 401);
    assert_header(&r, "Access-Control-Allow-Origin", "https://shop.example");
    assert_header(&r, "WWW-Authenticate", "Bearer");
    sbuf_cleanup(&r.headers);
    server_stop(&s);
}

static void test_disallowed_origin(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "https://shop.example");
    struct reply r;
    const char *const h[] = {"Origin: https://evil.example", NULL};
    assert_int_equal(request(&s, "GET", "/api/things", h, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    assert_header(&r, "Access-Control-Allow-Credentials", NULL);
    assert_header(&r, "Vary", "Origin");
    sbuf_cleanup(&r.headers);

    /* A prefix or a suffix of an allowed origin is another origin. */
    const char *const h2[] = {"Origin: https://shop.example.evil.example", NULL};
    assert_int_equal(request(&s, "GET", "/api/things", h2, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    sbuf_cleanup(&r.headers);

    /* No Origin (not a browser's cross-origin call): nothing but Vary. */
    assert_int_equal(request(&s, "GET", "/api/things", NULL, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    assert_header(&r, "Vary", "Origin");
    sbuf_cleanup(&r.headers);

    /* Service-only routes and callbacks are not public: no CORS at all. */
    const char *const h3[] = {"Origin: https://shop.example", NULL};
    assert_int_equal(request(&s, "POST", "/api/things/7/void", h3, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    assert_header(&r, "Vary", NULL);
    sbuf_cleanup(&r.headers);
    assert_int_equal(request(&s, "POST", "/internal/callback", h3, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    sbuf_cleanup(&r.headers);
    server_stop(&s);
}

static void test_preflight(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "https://shop.example");
    struct reply r;
    const char *const ok[] = {"Origin: https://shop.example", "Access-Control-Request-Method: POST",
                              "Access-Control-Request-Headers: authorization, content-type", NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things", ok, &r), 204);
    assert_header(&r, "Access-Control-Allow-Origin", "https://shop.example");
    assert_header(&r, "Access-Control-Allow-Methods", "GET, POST");
    assert_header(&r, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    assert_header(&r, "Access-Control-Max-Age", "600");
    assert_header(&r, "Access-Control-Allow-Credentials", "true");
    assert_header(&r, "Vary",
                  "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    assert_header(&r, "Allow", "GET, POST");
    sbuf_cleanup(&r.headers);

    /* A path with a parameter. */
    const char *const del[] = {"Origin: https://shop.example",
                               "Access-Control-Request-Method: DELETE", NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things/42", del, &r), 204);
    assert_header(&r, "Access-Control-Allow-Methods", "DELETE");
    sbuf_cleanup(&r.headers);

    /* Another origin: answered, but nothing the browser would accept. */
    const char *const bad[] = {"Origin: https://evil.example",
                               "Access-Control-Request-Method: POST", NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things", bad, &r), 204);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    assert_header(&r, "Access-Control-Allow-Methods", NULL);
    assert_header(&r, "Access-Control-Max-Age", NULL);
    sbuf_cleanup(&r.headers);

    /* A method the resource does not have, a service-only route, a path
     * that does not exist, a bare OPTIONS: routed as usual (405/404). */
    const char *const put[] = {"Origin: https://shop.example", "Access-Control-Request-Method: PUT",
                               NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things", put, &r), 405);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    sbuf_cleanup(&r.headers);
    const char *const svc[] = {"Origin: https://shop.example",
                               "Access-Control-Request-Method: POST", NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things/1/void", svc, &r), 405);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    sbuf_cleanup(&r.headers);
    assert_int_equal(request(&s, "OPTIONS", "/internal/callback", svc, &r), 405);
    sbuf_cleanup(&r.headers);
    assert_int_equal(request(&s, "OPTIONS", "/nowhere", svc, &r), 404);
    sbuf_cleanup(&r.headers);
    assert_int_equal(request(&s, "OPTIONS", "/api/things", NULL, &r), 405);
    sbuf_cleanup(&r.headers);
    server_stop(&s);
}

static void test_wildcard_never_with_credentials(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "*");
    struct reply r;
    const char *const h[] = {"Origin: https://anyone.example", NULL};
    assert_int_equal(request(&s, "GET", "/api/things", h, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", "*");
    assert_header(&r, "Access-Control-Allow-Credentials", NULL);
    sbuf_cleanup(&r.headers);
    const char *const pre[] = {"Origin: https://anyone.example",
                               "Access-Control-Request-Method: POST", NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things", pre, &r), 204);
    assert_header(&r, "Access-Control-Allow-Origin", "*");
    assert_header(&r, "Access-Control-Allow-Credentials", NULL);
    assert_header(&r, "Access-Control-Allow-Methods", "GET, POST");
    sbuf_cleanup(&r.headers);
    server_stop(&s);

    /* "*" beside a named origin: the named one is echoed with credentials,
     * every other gets "*" without. */
    server_start(&s, "https://shop.example,*");
    const char *const named[] = {"Origin: https://shop.example", NULL};
    assert_int_equal(request(&s, "GET", "/api/things", named, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", "https://shop.example");
    assert_header(&r, "Access-Control-Allow-Credentials", "true");
    sbuf_cleanup(&r.headers);
    assert_int_equal(request(&s, "GET", "/api/things", h, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", "*");
    assert_header(&r, "Access-Control-Allow-Credentials", NULL);
    sbuf_cleanup(&r.headers);
    server_stop(&s);
}

static void test_no_policy_no_headers(void **state)
{
    (void)state;
    struct server s;
    server_start(&s, "");
    assert_null(s.policy);
    struct reply r;
    const char *const h[] = {"Origin: https://shop.example", NULL};
    assert_int_equal(request(&s, "GET", "/api/things", h, &r), 200);
    assert_header(&r, "Access-Control-Allow-Origin", NULL);
    assert_header(&r, "Vary", NULL);
    sbuf_cleanup(&r.headers);
    const char *const pre[] = {"Origin: https://shop.example", "Access-Control-Request-Method: GET",
                               NULL};
    assert_int_equal(request(&s, "OPTIONS", "/api/things", pre, &r), 405);
    sbuf_cleanup(&r.headers);
    server_stop(&s);
}

static void test_parse(void **state)
{
    (void)state;
    char err[256];
    struct cors_policy *p;
    assert_int_equal(cors_policy_parse(NULL, &p, err, sizeof err), 0);
    assert_null(p);
    assert_int_equal(cors_policy_parse(" , ,", &p, err, sizeof err), 0);
    assert_null(p);
    assert_int_equal(
        cors_policy_parse("http://[::1]:8080, https://a-b.example:443", &p, err, sizeof err), 0);
    assert_int_equal(cors_check(p, "http://[::1]:8080"), CORS_LISTED);
    assert_int_equal(cors_check(p, "HTTPS://A-B.example:443"), CORS_LISTED);
    assert_int_equal(cors_check(p, "https://a-b.example"), CORS_DENIED);
    assert_int_equal(cors_check(p, NULL), CORS_DENIED);
    assert_int_equal(cors_check(p, "null"), CORS_DENIED);
    cors_policy_destroy(p);
    assert_int_equal(cors_check(NULL, "https://x.example"), CORS_DENIED);

    static const char *const bad[] = {
        "https://shop.example/",
        "https://shop.example/path",
        "shop.example",
        "ftp://shop.example",
        "https://",
        "https://shop.example:",
        "https://shop.example:8080x",
        "https://user@shop.example",
        "http://[]",
        "https://a.example,**",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (struct cors_policy *)1;
        err[0] = '\0';
        if (cors_policy_parse(bad[i], &p, err, sizeof err) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_null(p);
        assert_non_null(strstr(err, "CORS_ORIGINS"));
    }
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_allowed_origin),
        cmocka_unit_test(test_disallowed_origin),
        cmocka_unit_test(test_preflight),
        cmocka_unit_test(test_wildcard_never_with_credentials),
        cmocka_unit_test(test_no_policy_no_headers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
