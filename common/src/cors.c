/* cors.c: the CORS policy (CORS_ORIGINS) and the headers it puts on
 * answers and preflights; see cors.h. */
#include "common/cors.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/router.h"
#include "common/util.h"

#define CORS_MAX_ORIGIN 256

struct cors_policy {
    int any;        /* "*" was in the list */
    char **origins; /* the listed origins, as written */
    size_t n;
};

/* 1 if s (len bytes) is "http[s]://host[:port]": a host of letters, digits,
 * '.', '-' (or a bracketed IPv6 address), an optional decimal port, nothing
 * after it. */
static int origin_valid(const char *s, size_t len)
{
    size_t skip;
    if (len > 7 && strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else if (len > 8 && strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else
        return 0;
    const char *p = s + skip, *end = s + len;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close || close == p + 1)
            return 0;
        for (const char *q = p + 1; q < close; q++)
            if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.')
                return 0;
        p = close + 1;
    } else {
        const char *h = p;
        while (p < end && (isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
            p++;
        if (p == h)
            return 0;
    }
    if (p < end && *p == ':') {
        const char *d = ++p;
        while (p < end && isdigit((unsigned char)*p))
            p++;
        if (p == d || p - d > 5)
            return 0;
    }
    return p == end;
}

void cors_policy_destroy(struct cors_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->origins[i]);
    free(p->origins);
    free(p);
}

int cors_policy_parse(const char *spec, struct cors_policy **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!spec)
        return 0;
    struct cors_policy *p = xcalloc(1, sizeof *p);
    const char *s = spec;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *comma = strchr(s, ',');
        const char *end = comma ? comma : s + strlen(s);
        const char *e = end;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        size_t len = (size_t)(e - s);
        if (len == 1 && *s == '*') {
            p->any = 1;
        } else if (len > 0) {
            if (len > CORS_MAX_ORIGIN || !origin_valid(s, len)) {
                snprintf(err, errlen,
                         "CORS_ORIGINS: \"%.*s\" is not \"*\" nor an origin like "
                         "https://shop.example or http://localhost:5173 (no path, no trailing /)",
                         (int)(len > 80 ? 80 : len), s);
                cors_policy_destroy(p);
                return -1;
            }
            p->origins = xrealloc(p->origins, (p->n + 1) * sizeof *p->origins);
            p->origins[p->n++] = xstrndup(s, len);
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    if (!p->any && p->n == 0) {
        cors_policy_destroy(p);
        return 0;
    }
    *out = p;
    return 0;
}

enum cors_grant cors_check(const struct cors_policy *p, const char *origin)
{
    if (!p || !origin || !*origin)
        return CORS_DENIED;
    for (size_t i = 0; i < p->n; i++)
        if (strcasecmp(p->origins[i], origin) == 0)
            return CORS_LISTED;
    if (p->any)
        return CORS_ANY;
    return CORS_DENIED;
}

/* The Allow-Origin family for a granted origin. */
static void allow_origin(struct http_res *res, enum cors_grant g, const char *origin)
{
    if (g == CORS_LISTED) {
        http_res_header(res, "Access-Control-Allow-Origin", origin);
        http_res_header(res, "Access-Control-Allow-Credentials", "true");
    } else {
        http_res_header(res, "Access-Control-Allow-Origin", "*");
    }
}

void cors_decorate(const struct cors_policy *p, const struct http_req *req, struct http_res *res)
{
    if (!p)
        return;
    http_res_header(res, "Vary", "Origin");
    const char *origin = http_req_header(req, "Origin");
    enum cors_grant g = cors_check(p, origin);
    if (g == CORS_DENIED)
        return;
    allow_origin(res, g, origin);
    http_res_header(res, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
}

int cors_is_preflight(const struct http_req *req)
{
    return strcmp(req->method, "OPTIONS") == 0 && http_req_header(req, "Origin") &&
           http_req_header(req, "Access-Control-Request-Method");
}

/* 1 if method is one of the comma-separated list (exact, as the router
 * writes it: "GET, POST"). */
static int method_listed(const char *list, const char *method)
{
    size_t mlen = strlen(method);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n == mlen && n > 0 && memcmp(p, method, n) == 0)
            return 1;
        p += n;
    }
    return 0;
}

void cors_answer_preflight(const struct cors_policy *p, const struct http_req *req,
                           const char *allow, struct http_res *res)
{
    http_res_no_content(res);
    http_res_header(res, "Allow", allow);
    http_res_header(res, "Vary",
                    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    const char *origin = http_req_header(req, "Origin");
    const char *method = http_req_header(req, "Access-Control-Request-Method");
    enum cors_grant g = cors_check(p, origin);
    if (g == CORS_DENIED || !method || !method_listed(allow, method))
        return;
    allow_origin(res, g, origin);
    http_res_header(res, "Access-Control-Allow-Methods", allow);
    http_res_header(res, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    char age[16];
    snprintf(age, sizeof age, "%d", CORS_MAX_AGE_S);
    http_res_header(res, "Access-Control-Max-Age", age);
}

int cors_route_public(const struct http_route *route, unsigned skip_flags)
{
    return route && !(route->flags & (skip_flags | HTTP_ROUTE_PRIORITY));
}

int cors_try_preflight(const struct cors_policy *p, const struct http_route *routes, size_t n,
                       unsigned skip_flags, const struct http_req *req, struct http_res *res)
{
    if (!p || !cors_is_preflight(req))
        return 0;
    const struct http_route *route;
    const char *method = http_req_header(req, "Access-Control-Request-Method");
    if (router_match(routes, n, method, req->path, NULL, &route, NULL, 0) != ROUTE_FOUND ||
        !cors_route_public(route, skip_flags))
        return 0;
    char allow[128];
    if (router_match(routes, n, "OPTIONS", req->path, NULL, NULL, allow, sizeof allow) !=
        ROUTE_METHOD_NOT_ALLOWED)
        return 0; /* the app serves OPTIONS itself */
    cors_answer_preflight(p, req, allow, res);
    return 1;
}
