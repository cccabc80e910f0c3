/* fuzz_router.c: router_match over the three services' route patterns
 * with any method and path. Invariants: a found route's parameters are
 * non-empty, contain no '/', and are as many as the pattern has; a 405
 * names the allowed methods. Input: "<method>\n<path>". */
#include <string.h>

#include "common/router.h"
#include "fuzz.h"

static void nop(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)res;
    (void)app;
}

static const struct http_route routes[] = {
    {"POST", "/api/users", nop, 0},
    {"GET", "/api/users", nop, 0},
    {"GET", "/api/users/me", nop, 0},
    {"GET", "/api/users/{id}", nop, 0},
    {"PATCH", "/api/users/{id}", nop, 0},
    {"DELETE", "/api/users/{id}", nop, 0},
    {"POST", "/api/sessions", nop, 0},
    {"DELETE", "/api/sessions/current", nop, 0},
    {"GET", "/api/events", nop, 0},
    {"POST", "/api/events", nop, 0},
    {"GET", "/api/events/{id}", nop, 0},
    {"PATCH", "/api/events/{id}", nop, 0},
    {"DELETE", "/api/events/{id}", nop, 0},
    {"GET", "/api/events/{id}/seats", nop, 0},
    {"POST", "/api/events/{id}/seats", nop, 0},
    {"GET", "/api/events/{id}/stats", nop, 0},
    {"GET", "/api/events/{id}/poster", nop, 0},
    {"PATCH", "/api/seats/{id}", nop, 0},
    {"DELETE", "/api/seats/{id}", nop, 0},
    {"POST", "/api/bookings", nop, 0},
    {"GET", "/api/bookings", nop, 0},
    {"GET", "/api/bookings/{id}", nop, 0},
    {"POST", "/api/bookings/{id}/refresh", nop, 0},
    {"POST", "/api/bookings/{id}/cancel", nop, 0},
    {"GET", "/api/bookings/{id}/ticket.pdf", nop, 0},
    {"POST", "/api/waitlist", nop, 0},
    {"GET", "/api/waitlist", nop, 0},
    {"DELETE", "/api/waitlist/{id}", nop, 0},
    {"GET", "/", nop, 0},
    {"GET", "/assets/{name}", nop, 0},
    {"PUT", "/api/admin/events/{id}/poster", nop, 0},
    {"POST", "/api/admin/events", nop, 0},
    {"PATCH", "/api/admin/events/{id}", nop, 0},
    {"GET", "/api/admin/events/{id}/stats", nop, 0},
    {"POST", "/api/checkins", nop, 0},
    {"GET", "/api/notifications", nop, 0},
    {"POST", "/webhooks/payment", nop, 0},
    {"POST", "/internal/notifications", nop, 0},
    {"GET", "/api/invoices/{number}", nop, 0},
    {"POST", "/api/invoices/{number}/pay", nop, 0},
    {"POST", "/api/invoices/{number}/void", nop, 0},
    {"GET", "/pay/{number}", nop, 0},
    {"GET", "/api/webhook-deliveries/{id}", nop, 0},
    {"POST", "/api/webhook-deliveries/{id}/replay", nop, 0},
    {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", nop, 0}, /* more than HTTP_MAX_PARAMS */
    {"GET", "/healthz", nop, 0},
};
#define NROUTES (sizeof routes / sizeof routes[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *method = fuzz_take_line(&data, &size);
    char *path = fuzz_strndup(data, size);
    struct http_req req;
    memset(&req, 0, sizeof req);
    const struct http_route *route = NULL;
    char allow[128];
    enum route_match m =
        router_match(routes, NROUTES, method, path, &req, &route, allow, sizeof allow);
    if (m == ROUTE_FOUND) {
        FUZZ_CHECK(route != NULL);
        FUZZ_CHECK(strcmp(route->method, method) == 0 ||
                   (strcmp(method, "HEAD") == 0 && strcmp(route->method, "GET") == 0));
        size_t want = 0;
        for (const char *p = route->pattern; (p = strchr(p, '{')); p++)
            want++;
        FUZZ_CHECK(req.nparams == (want < HTTP_MAX_PARAMS ? want : HTTP_MAX_PARAMS));
        for (size_t i = 0; i < req.nparams; i++) {
            FUZZ_CHECK(req.params[i].value && req.params[i].value[0]);
            FUZZ_CHECK(strchr(req.params[i].value, '/') == NULL);
            FUZZ_CHECK(http_req_param(&req, req.params[i].name) != NULL);
        }
    } else {
        FUZZ_CHECK(route == NULL && req.nparams == 0);
        if (m == ROUTE_METHOD_NOT_ALLOWED)
            FUZZ_CHECK(allow[0] != '\0');
    }
    router_params_free(&req);
    /* without a request to fill, the same answer */
    FUZZ_CHECK(router_match(routes, NROUTES, method, path, NULL, NULL, NULL, 0) == m);
    free(method);
    free(path);
    return 0;
}
