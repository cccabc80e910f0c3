/* cors.h: Cross-Origin Resource Sharing for the public endpoints, so a
 * browser front end served from another origin can call the API. Pure
 * logic over struct http_req / http_res; the server applies it to every
 * route a service marks public (struct http_server_config.cors).
 *
 * The policy is a comma-separated list of origins (CORS_ORIGINS), e.g.
 * "https://shop.example,http://localhost:5173", or "*" for any origin.
 * None by default: no CORS header is ever sent. An origin named in the
 * list is echoed with Access-Control-Allow-Credentials: true; one let in
 * only by "*" gets "Access-Control-Allow-Origin: *" and never credentials
 * (browsers refuse the pair, and it would hand any site the user's
 * cookies). Answers of a public route carry "Vary: Origin" whenever a
 * policy is set, so a cache never serves one origin's answer to another. */
#ifndef COMMON_CORS_H
#define COMMON_CORS_H

#include <stddef.h>

#include "common/http.h"

/* Seconds a browser may cache a preflight answer. */
#define CORS_MAX_AGE_S 600
/* The request headers a cross-origin caller may send. */
#define CORS_ALLOW_HEADERS                                                                         \
    "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Queue-Pass"
/* The answer headers its script may read. */
#define CORS_EXPOSE_HEADERS                                                                        \
    "X-Request-Id, Retry-After, Location, Content-Disposition, WWW-Authenticate"

struct cors_policy;

/* Parses spec. Returns 0 with *out a new policy (free with
 * cors_policy_destroy), or with *out NULL when spec is NULL, empty or only
 * commas and spaces (CORS off). Returns -1 with a message in err when an
 * entry is neither "*" nor an origin "scheme://host[:port]" (http or https,
 * no path, no trailing slash). */
int cors_policy_parse(const char *spec, struct cors_policy **out, char *err, size_t errlen);
void cors_policy_destroy(struct cors_policy *p);

enum cors_grant {
    CORS_DENIED, /* no Origin, or one the policy does not allow */
    CORS_ANY,    /* allowed by "*": "Access-Control-Allow-Origin: *", no credentials */
    CORS_LISTED, /* named in the list: echoed, with credentials */
};
/* What origin (NULL: none sent) is granted; p NULL denies everything. */
enum cors_grant cors_check(const struct cors_policy *p, const char *origin);

/* Adds the CORS headers of an ordinary answer of a public route to res
 * (Vary always, the Allow-Origin family when the request's Origin is
 * granted). Nothing when p is NULL. */
void cors_decorate(const struct cors_policy *p, const struct http_req *req, struct http_res *res);

/* 1 if req is a preflight: OPTIONS with Origin and
 * Access-Control-Request-Method. */
int cors_is_preflight(const struct http_req *req);

/* Answers the preflight req for a resource whose methods are allow ("GET,
 * POST"): 204 with Allow and Vary, and, when the origin is granted and the
 * requested method is one of allow, the Access-Control-Allow-Origin /
 * -Methods / -Headers / -Max-Age headers (and -Credentials for a listed
 * origin). A refused preflight is the same 204 without them: the browser
 * then blocks the call. */
void cors_answer_preflight(const struct cors_policy *p, const struct http_req *req,
                           const char *allow, struct http_res *res);

/* 1 if route is one CORS applies to: none of skip_flags (the app's
 * service-only levels) nor HTTP_ROUTE_PRIORITY (callbacks) is set. */
int cors_route_public(const struct http_route *route, unsigned skip_flags);

/* For the server, before routing: if req is a preflight for a method that
 * a public route (of routes[0..n)) serves at req->path, answers it (as
 * cors_answer_preflight) and returns 1; otherwise 0 and res is untouched
 * (the request is routed as usual: OPTIONS then gets 405). */
int cors_try_preflight(const struct cors_policy *p, const struct http_route *routes, size_t n,
                       unsigned skip_flags, const struct http_req *req, struct http_res *res);

#endif
