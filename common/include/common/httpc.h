/* httpc.h: HTTP client over libcurl. One easy handle per thread (reused, so
 * connections are kept alive), connect and total timeouts, JSON in/out, and
 * the current request id passed on as X-Request-Id. */
#ifndef COMMON_HTTPC_H
#define COMMON_HTTPC_H

#include <jansson.h>
#include <stddef.h>

/* Once at start, before any thread uses the client. */
void httpc_global_init(void);
/* Frees the calling thread's handle now (threads that exit free theirs
 * anyway; for the main thread before exit, or leak checkers). */
void httpc_thread_cleanup(void);

struct httpc_res {
    long status;        /* HTTP status, 0 on transport failure */
    char *body;         /* malloc'ed, NUL-terminated; may be NULL */
    size_t len;
    char error[256];    /* transport error text ("" if none) */
    int timed_out;      /* 1 if the total timeout expired */
};

/* headers: NULL-terminated array of "Name: value" strings, may be NULL.
 * Returns 0 when a response came (any status), -1 on transport failure
 * (connect refused, timeout, ...) with out->error set. out is always
 * initialised; free with httpc_res_cleanup. X-Request-Id is added from
 * log_request_id() unless headers carry one. */
int httpc_request(const char *method, const char *url, const char *const *headers,
                  const char *body, size_t body_len, long timeout_ms, struct httpc_res *out);
void httpc_res_cleanup(struct httpc_res *res);

/* JSON request: body (borrowed, may be NULL) sent as application/json,
 * bearer (may be NULL) as Authorization. On 0, *status is set and *out (if
 * not NULL) receives the parsed response body as a new reference, or NULL if
 * it was empty or not JSON. -1 on transport failure. */
int httpc_json(const char *method, const char *url, const char *bearer, json_t *body,
               long timeout_ms, long *status, json_t **out);

#endif
