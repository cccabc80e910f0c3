/* router.c: matches a method and a decoded path against the route table.
 * Segment by segment, no allocation until a match is chosen; literal
 * segments outrank {param} segments from the left. */
#include "common/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* Deeper paths are not ours: they answer 404 without more work. */
#define ROUTER_MAX_SEGMENTS 32

struct seg {
    const char *p;
    size_t n;
};

/* Splits "/a/b" into {"a","b"}; "/" is one empty segment and "/a/" is
 * {"a",""}, so a trailing slash never matches a pattern without one.
 * Returns the count, or -1 if the path is not absolute or too deep. */
static int split(const char *path, struct seg *segs)
{
    if (path[0] != '/')
        return -1;
    const char *p = path + 1;
    int n = 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (n == ROUTER_MAX_SEGMENTS)
            return -1;
        segs[n].p = p;
        segs[n].n = len;
        n++;
        if (!slash)
            return n;
        p = slash + 1;
    }
}

static int seg_is_param(const struct seg *s)
{
    return s->n >= 3 && s->p[0] == '{' && s->p[s->n - 1] == '}';
}

/* 1 if pattern matches the path segments; *score has a bit per literal
 * segment, leftmost highest, so a larger score is the more specific route. */
static int pattern_match(const char *pattern, const struct seg *path, int np, uint64_t *score)
{
    struct seg pat[ROUTER_MAX_SEGMENTS];
    int n = split(pattern, pat);
    if (n != np)
        return 0;
    uint64_t sc = 0;
    for (int i = 0; i < n; i++) {
        if (seg_is_param(&pat[i])) {
            if (path[i].n == 0) /* an empty parameter is no parameter */
                return 0;
            continue;
        }
        if (pat[i].n != path[i].n || memcmp(pat[i].p, path[i].p, pat[i].n) != 0)
            return 0;
        sc |= UINT64_C(1) << (ROUTER_MAX_SEGMENTS - i);
    }
    *score = sc;
    return 1;
}

static void fill_params(const char *pattern, const struct seg *path, struct http_req *req)
{
    struct seg pat[ROUTER_MAX_SEGMENTS];
    int n = split(pattern, pat);
    for (int i = 0; i < n && req->nparams < HTTP_MAX_PARAMS; i++) {
        if (!seg_is_param(&pat[i]))
            continue;
        struct kv *kv = &req->params[req->nparams++];
        kv->name = xstrndup(pat[i].p + 1, pat[i].n - 2);
        kv->value = xstrndup(path[i].p, path[i].n);
    }
}

/* Appends method to the comma-separated allow list unless already there. */
static void allow_add(char *allow, size_t allow_len, const char *method)
{
    size_t mlen = strlen(method);
    const char *p = allow;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == mlen && memcmp(p, method, n) == 0)
            return;
        p = end ? end + 2 : p + n;
    }
    size_t len = strlen(allow);
    size_t need = len + (len ? 2 : 0) + mlen + 1;
    if (need > allow_len)
        return;
    if (len) {
        memcpy(allow + len, ", ", 2);
        len += 2;
    }
    memcpy(allow + len, method, mlen + 1);
}

enum route_match router_match(const struct http_route *routes, size_t n, const char *method,
                              const char *path, struct http_req *req,
                              const struct http_route **route, char *allow, size_t allow_len)
{
    if (req)
        router_params_free(req);
    if (route)
        *route = NULL;
    if (allow && allow_len)
        allow[0] = '\0';
    if (!routes || !method || !path)
        return ROUTE_NOT_FOUND;

    struct seg segs[ROUTER_MAX_SEGMENTS];
    int np = split(path, segs);
    if (np < 0)
        return ROUTE_NOT_FOUND;

    int is_head = strcmp(method, "HEAD") == 0;
    const struct http_route *best = NULL;
    uint64_t best_score = 0;
    int path_matched = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t score;
        if (!routes[i].pattern || !routes[i].method ||
            !pattern_match(routes[i].pattern, segs, np, &score))
            continue;
        path_matched = 1;
        int exact = strcmp(routes[i].method, method) == 0;
        /* HEAD is served by the GET route (MHD drops the body), unless the
         * table has a HEAD route of its own, which then wins. */
        if (!exact && !(is_head && strcmp(routes[i].method, "GET") == 0))
            continue;
        score = score << 1 | (uint64_t)exact;
        if (!best || score > best_score) {
            best = &routes[i];
            best_score = score;
        }
    }
    if (best) {
        if (route)
            *route = best;
        if (req)
            fill_params(best->pattern, segs, req);
        return ROUTE_FOUND;
    }
    if (!path_matched)
        return ROUTE_NOT_FOUND;
    if (allow && allow_len) {
        for (size_t i = 0; i < n; i++) {
            uint64_t score;
            if (routes[i].pattern && routes[i].method &&
                pattern_match(routes[i].pattern, segs, np, &score))
                allow_add(allow, allow_len, routes[i].method);
        }
    }
    return ROUTE_METHOD_NOT_ALLOWED;
}

void router_params_free(struct http_req *req)
{
    for (size_t i = 0; i < req->nparams && i < HTTP_MAX_PARAMS; i++) {
        free(req->params[i].name);
        free(req->params[i].value);
        req->params[i].name = req->params[i].value = NULL;
    }
    req->nparams = 0;
}
