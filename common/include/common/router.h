/* router.h: match a method and path against the route table, capturing
 * {name} path parameters. Pure logic, no I/O. */
#ifndef COMMON_ROUTER_H
#define COMMON_ROUTER_H

#include "common/http.h"

enum route_match {
    ROUTE_FOUND,
    ROUTE_NOT_FOUND,           /* no pattern matches the path: 404 */
    ROUTE_METHOD_NOT_ALLOWED,  /* a pattern matches, not with this method: 405 */
};

/* Finds the route for method+path. On ROUTE_FOUND, *route is set and the
 * parameters are written to req->params (values malloc'ed, freed with the
 * request by router_params_free). On ROUTE_METHOD_NOT_ALLOWED, allow (if not
 * NULL) receives "GET, POST". Literal segments win over {param} segments. */
enum route_match router_match(const struct http_route *routes, size_t n, const char *method,
                              const char *path, struct http_req *req,
                              const struct http_route **route, char *allow, size_t allow_len);
void router_params_free(struct http_req *req);

#endif
