/* http.h: the project's own request/response types, route table and HTTP
 * server on libmicrohttpd. Handlers see only these types, never MHD's, so
 * they can be unit-tested without sockets. */
#ifndef COMMON_HTTP_H
#define COMMON_HTTP_H

#include <jansson.h>
#include <stddef.h>

#define HTTP_BODY_LIMIT_DEFAULT (1024 * 1024) /* 1 MiB: over it, 413 */
#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_RES_HEADERS 16

struct kv {
    char *name;
    char *value;
};

struct http_route;

/* One request. Everything in it is owned by the server and freed in the
 * completion callback; handlers only borrow. */
struct http_req {
    char method[16];
    char *path;                    /* decoded path, no query string */
    struct kv *query;              /* decoded query arguments */
    size_t nquery;
    struct kv *headers;            /* request headers, names as sent */
    size_t nheaders;
    char *body;                    /* NUL-terminated copy, body_len bytes */
    size_t body_len;
    struct kv params[HTTP_MAX_PARAMS]; /* path parameters: {id} -> value */
    size_t nparams;
    char request_id[80];           /* echoed X-Request-Id or a generated one */
    char client_ip[64];
    const struct http_route *route; /* matched route, NULL before routing */
    void *auth;                    /* slot for the app's "before" hook (e.g. the
                                      authenticated user); freed by auth_free */
    void (*auth_free)(void *);
};

/* One response. The handler fills it; the server sends it and frees it. */
struct http_res {
    int status;                    /* 0 = not answered yet */
    char *body;                    /* malloc'ed, owned by the response */
    size_t body_len;
    char content_type[96];
    struct kv headers[HTTP_MAX_RES_HEADERS];
    size_t nheaders;
};

typedef void (*http_handler)(struct http_req *req, struct http_res *res, void *app);

struct http_route {
    const char *method;            /* "GET", "POST", "PATCH", "DELETE", "PUT" */
    const char *pattern;           /* "/api/bookings/{id}/cancel" */
    http_handler handler;
    unsigned flags;                /* meaning is the app's (e.g. auth level),
                                      but for the HTTP_ROUTE_* bits below */
};

/* flags bit reserved by the server: a service callback (a webhook, a
 * notification). Its requests wait in a queue of their own that workers
 * serve before the common one, and one extra worker serves only that queue,
 * so a callback is not held behind user requests. Apps mask it out of
 * their own reading of flags. */
#define HTTP_ROUTE_PRIORITY 0x80000000u
/* flags bit reserved by the server: a signed service call. Its X-Signature
 * (common/sig.h) over the body is verified with cfg.signing_secret before
 * the "before" hook and the handler run; a missing, forged or stale one is
 * answered 401 INVALID_SIGNATURE, the one code for it in every service. */
#define HTTP_ROUTE_SIGNED 0x40000000u
/* The bits above, which apps mask out of their own reading of flags. */
#define HTTP_ROUTE_SERVER_FLAGS (HTTP_ROUTE_PRIORITY | HTTP_ROUTE_SIGNED)

/* Case-insensitive header lookup; borrowed pointer or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* Query argument lookup (exact name); borrowed pointer or NULL. */
const char *http_req_query(const struct http_req *req, const char *name);
/* Path parameter lookup ("id" for "{id}"); borrowed pointer or NULL. */
const char *http_req_param(const struct http_req *req, const char *name);

/* The path parameter name ("id") if it is a UUID (rand.h uuid_valid),
 * borrowed; else NULL after answering res 404 NOT_FOUND "no such <what>". */
const char *http_req_uuid_param(const struct http_req *req, struct http_res *res, const char *name,
                                const char *what);

/* The token of "Authorization: Bearer <token>", borrowed, or NULL. */
const char *http_req_bearer(const struct http_req *req);

/* Parses the body as a JSON value of type object. Returns a new reference,
 * or NULL after answering res with 400 MALFORMED_JSON (empty, not UTF-8, not
 * JSON, a member name twice, not an object, nested deeper than 64 levels)
 * or 415 UNSUPPORTED_MEDIA_TYPE (a Content-Type that is present and not
 * application/json, optionally with charset=utf-8). */
json_t *http_req_json(const struct http_req *req, struct http_res *res);

/* Parses ?limit= (default 50, 1..500) and ?offset= (default 0, >= 0).
 * Returns 0, or -1 after answering res with 400 VALIDATION_FAILED. */
int http_req_paging(const struct http_req *req, struct http_res *res, long *limit, long *offset);

/* A request body as it arrives, copied into a buffer that never grows past
 * limit bytes (plus the NUL). Pure: the server uses it, tests drive it. */
struct http_body {
    char *buf;       /* owned, NUL-terminated, len bytes; NULL until data came */
    size_t len, cap;
    size_t limit;    /* the cap */
    size_t expected; /* declared Content-Length (sizes the first allocation), or 0 */
    size_t dropped;  /* bytes offered after the cap was passed, counted not kept */
    int too_large;   /* 1 once more than limit bytes were offered */
};
void http_body_init(struct http_body *b, size_t limit, size_t expected);
/* Appends n bytes. Returns 0, or -1 once the body is over the cap: the
 * buffer is freed, and these and all later bytes only counted in dropped. */
int http_body_append(struct http_body *b, const void *data, size_t n);
/* The body (caller frees; "" when empty, never NULL); b is left empty. */
char *http_body_take(struct http_body *b, size_t *len);
void http_body_cleanup(struct http_body *b);

/* Initialise / release a response (for tests that call handlers directly). */
void http_res_init(struct http_res *res);
void http_res_cleanup(struct http_res *res);

/* Answer with a JSON body. body is stolen (may be NULL for no body). */
void http_res_json(struct http_res *res, int status, json_t *body);
/* Answer {"error":{"code":code,"message":...}}. */
void http_res_error(struct http_res *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* As http_res_error, with "details" (stolen, may be NULL) and any extra
 * top-level members of extra (stolen, may be NULL), e.g. {"booking":...}. */
void http_res_error_full(struct http_res *res, int status, const char *code, const char *message,
                         json_t *details, json_t *extra);
/* Answer with raw bytes (copied). */
void http_res_bytes(struct http_res *res, int status, const char *content_type, const void *data,
                    size_t len);
/* Answer with a malloc'ed buffer, which is stolen. */
void http_res_take(struct http_res *res, int status, const char *content_type, char *data,
                   size_t len);
/* 204 No Content. */
void http_res_no_content(struct http_res *res);
/* Add a response header (copied). Silently ignored past HTTP_MAX_RES_HEADERS. */
void http_res_header(struct http_res *res, const char *name, const char *value);

struct db_pool;
struct sbuf;
struct cors_policy;

struct http_server_config {
    const char *service;           /* "payment-app": logs and metrics */
    const char *bind_addr;         /* "0.0.0.0" or "127.0.0.1"; NULL = any */
    int port;
    const struct http_route *routes;
    size_t nroutes;
    void *app;                     /* passed to every handler */
    int workers;                   /* threads that run handlers (blocking work) */
    int max_connections;           /* MHD connection limit */
    int connection_timeout_s;      /* idle/slow client timeout */
    size_t body_limit;             /* 0 = HTTP_BODY_LIMIT_DEFAULT */
    struct db_pool *pool;          /* for /healthz and pool metrics; may be NULL */
    /* Runs on a worker before the handler, after routing. Return 0 to go on,
     * or non-zero once it has answered res (e.g. 401, 429). May be NULL. */
    int (*before)(struct http_req *req, struct http_res *res, void *app);
    /* Appends extra Prometheus lines to /metrics. May be NULL. */
    void (*metrics_extra)(struct sbuf *out, void *app);
    /* Requests waiting for a worker before the server answers 503;
     * 0 = max_connections (no request of an accepted connection is shed). */
    int queue_max;
    /* CORS (common/cors.h; borrowed, outlives the server): preflights
     * answered and answers decorated for the app's routes whose flags have
     * none of cors_skip_flags (nor HTTP_ROUTE_PRIORITY). NULL = no CORS. */
    const struct cors_policy *cors;
    unsigned cors_skip_flags;
    /* The secret of HTTP_ROUTE_SIGNED routes (borrowed); NULL or "" refuses
     * every signature. signature_refused (may be NULL) is told of each
     * refusal, on the worker, before the 401 is sent (for the app's
     * counters). */
    const char *signing_secret;
    void (*signature_refused)(void *app);
};

struct http_server;

/* Starts listening (port 0 = any free port; see http_server_port). The
 * built-in routes GET /healthz and GET /metrics are added (after the app's
 * routes; they skip cfg->before). 404, 405, 413 and a full queue (503) are
 * answered on the event loop; everything else runs on a worker. Returns NULL
 * and logs why on failure. */
struct http_server *http_server_start(const struct http_server_config *cfg);
int http_server_port(const struct http_server *srv);
/* Stops accepting, lets in-flight requests finish, stops the workers, frees. */
void http_server_stop(struct http_server *srv);

#endif
