/* test_router.c: unit tests of router.c: parameters, literal over param,
 * 404 against 405 with Allow, and odd or hostile paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/router.h"
#include "common/util.h"

static void h_dummy(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)res;
    (void)app;
}

static const struct http_route routes[] = {
    {"GET", "/", h_dummy, 0},
    {"GET", "/api/events", h_dummy, 1},
    {"POST", "/api/events", h_dummy, 2},
    {"GET", "/api/events/{id}", h_dummy, 3},
    {"PATCH", "/api/events/{id}", h_dummy, 4},
    {"GET", "/api/events/{id}/seats", h_dummy, 5},
    {"GET", "/api/events/upcoming", h_dummy, 6},
    {"POST", "/api/bookings/{id}/cancel", h_dummy, 7},
    {"GET", "/api/events/{event_id}/seats/{seat_id}", h_dummy, 8},
    {"DELETE", "/api/events/{event_id}/seats/{seat_id}", h_dummy, 9},
    {"GET", "/a/{x}/c", h_dummy, 10},
    {"GET", "/a/b/{y}", h_dummy, 11},
    {"PUT", "/api/events/upcoming", h_dummy, 12},
};
#define NROUTES (sizeof routes / sizeof routes[0])

struct fixture {
    struct http_req req;
    const struct http_route *route;
    char allow[128];
};

static enum route_match match(struct fixture *f, const char *method, const char *path)
{
    return router_match(routes, NROUTES, method, path, &f->req, &f->route, f->allow,
                        sizeof f->allow);
}

static int setup(void **state)
{
    *state = xcalloc(1, sizeof(struct fixture));
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    router_params_free(&f->req);
    free(f);
    return 0;
}

static void test_literal_routes(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(match(f, "GET", "/api/events"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 1);
    assert_int_equal(f->req.nparams, 0);
    assert_int_equal(match(f, "POST", "/api/events"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 2);
    assert_int_equal(match(f, "GET", "/"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 0);
}

static void test_params(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(match(f, "GET", "/api/events/42"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 3);
    assert_int_equal(f->req.nparams, 1);
    assert_string_equal(http_req_param(&f->req, "id"), "42");
    assert_null(http_req_param(&f->req, "event_id"));

    assert_int_equal(match(f, "GET", "/api/events/e-1/seats/A-12"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 8);
    assert_int_equal(f->req.nparams, 2);
    assert_string_equal(http_req_param(&f->req, "event_id"), "e-1");
    assert_string_equal(http_req_param(&f->req, "seat_id"), "A-12");
    /* A second match replaces the first one's parameters. */
    assert_null(http_req_param(&f->req, "id"));

    assert_int_equal(match(f, "POST", "/api/bookings/5b1c/cancel"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 7);
    assert_string_equal(http_req_param(&f->req, "id"), "5b1c");

    /* Decoded values come through as given (the caller decoded them). */
    assert_int_equal(match(f, "GET", "/api/events/caf\xc3\xa9 x"), ROUTE_FOUND);
    assert_string_equal(http_req_param(&f->req, "id"), "caf\xc3\xa9 x");
}

static void test_literal_beats_param(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(match(f, "GET", "/api/events/upcoming"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 6);
    assert_int_equal(f->req.nparams, 0);
    /* The leftmost literal decides: /a/b/{y} over /a/{x}/c for /a/b/c. */
    assert_int_equal(match(f, "GET", "/a/b/c"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 11);
    assert_string_equal(http_req_param(&f->req, "y"), "c");
    assert_int_equal(match(f, "GET", "/a/z/c"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 10);
    assert_string_equal(http_req_param(&f->req, "x"), "z");
    /* The literal route has no PATCH, so the method picks the param route. */
    assert_int_equal(match(f, "PATCH", "/api/events/upcoming"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 4);
    assert_string_equal(http_req_param(&f->req, "id"), "upcoming");
}

static void test_not_found(void **state)
{
    struct fixture *f = *state;
    const char *paths[] = {
        "/nope",
        "/api",
        "/api/events/", /* trailing slash is not special */
        "/api/events/42/",
        "/api//42",
        "/api/events//seats",   /* empty parameter */
        "/api/events/1/seats/", /* empty last parameter */
        "api/events",           /* not absolute */
        "",
        "*",
        "/API/EVENTS", /* case matters */
        "/api/events/1/seats/2/3",
        "//",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        enum route_match m = match(f, "GET", paths[i]);
        if (m != ROUTE_NOT_FOUND)
            fail_msg("%s: got %d", paths[i], m);
        assert_null(f->route);
        assert_int_equal(f->req.nparams, 0);
    }
}

static void test_method_not_allowed(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(match(f, "DELETE", "/api/events"), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "GET, POST");
    assert_null(f->route);
    assert_int_equal(match(f, "POST", "/api/events/7"), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "GET, PATCH");
    assert_int_equal(f->req.nparams, 0);
    /* Both the literal and the param route match this path. */
    assert_int_equal(match(f, "DELETE", "/api/events/upcoming"), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "GET, PATCH, PUT");
    assert_int_equal(match(f, "BREW", "/"), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "GET");
    /* A tiny Allow buffer is never overrun. */
    char small[6];
    assert_int_equal(
        router_match(routes, NROUTES, "DELETE", "/api/events", NULL, NULL, small, sizeof small),
        ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(small, "GET");
    /* NULL outputs are allowed. */
    assert_int_equal(router_match(routes, NROUTES, "DELETE", "/api/events", NULL, NULL, NULL, 0),
                     ROUTE_METHOD_NOT_ALLOWED);
}

static void test_head_uses_get(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(match(f, "HEAD", "/api/events/9"), ROUTE_FOUND);
    assert_int_equal(f->route->flags, 3);
    assert_int_equal(match(f, "HEAD", "/api/bookings/1/cancel"), ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(f->allow, "POST");
}

static void test_long_and_odd_paths(void **state)
{
    struct fixture *f = *state;
    /* Very many segments: refused without work, no overflow. */
    size_t n = 20000;
    char *deep = xmalloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        deep[2 * i] = '/';
        deep[2 * i + 1] = 'a';
    }
    deep[2 * n] = '\0';
    assert_int_equal(match(f, "GET", deep), ROUTE_NOT_FOUND);
    memset(deep, '/', n * 2);
    assert_int_equal(match(f, "GET", deep), ROUTE_NOT_FOUND);
    free(deep);

    /* A very long single parameter is captured whole. */
    size_t len = 100000;
    char *lng = xmalloc(len + 32);
    strcpy(lng, "/api/events/");
    memset(lng + 12, 'x', len);
    lng[12 + len] = '\0';
    assert_int_equal(match(f, "GET", lng), ROUTE_FOUND);
    assert_int_equal(strlen(http_req_param(&f->req, "id")), len);
    free(lng);

    assert_int_equal(match(f, "GET", "/api/events/{id}"), ROUTE_FOUND);
    assert_string_equal(http_req_param(&f->req, "id"), "{id}");
    assert_int_equal(match(f, "GET", "/api/events/..%2F"), ROUTE_FOUND);
    assert_int_equal(router_match(routes, NROUTES, NULL, "/", NULL, NULL, NULL, 0),
                     ROUTE_NOT_FOUND);
    assert_int_equal(router_match(routes, NROUTES, "GET", NULL, NULL, NULL, NULL, 0),
                     ROUTE_NOT_FOUND);
    assert_int_equal(router_match(NULL, 0, "GET", "/", NULL, NULL, NULL, 0), ROUTE_NOT_FOUND);
}

static void test_too_many_params(void **state)
{
    struct fixture *f = *state;
    static const struct http_route many[] = {
        {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}", h_dummy, 0},
    };
    assert_int_equal(
        router_match(many, 1, "GET", "/1/2/3/4/5/6/7/8/9/10", &f->req, &f->route, NULL, 0),
        ROUTE_FOUND);
    assert_int_equal(f->req.nparams, HTTP_MAX_PARAMS);
    assert_string_equal(http_req_param(&f->req, "h"), "8");
    assert_null(http_req_param(&f->req, "i"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_beats_param, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_uses_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_and_odd_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_params, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
