/* http.c: what handlers use to read a request (headers, query, JSON body,
 * paging) and to write a response (JSON, errors, bytes). No sockets here, so
 * handlers and these helpers are unit-testable. */
#include "common/http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "common/util.h"

/* Deeper JSON is refused before jansson sees it: its recursive parser
 * would otherwise be a stack-depth lever for any client. */
#define HTTP_JSON_MAX_DEPTH 64

#define PAGING_DEFAULT_LIMIT 50
#define PAGING_MAX_LIMIT 500

static const char *kv_find(const struct kv *kv, size_t n, const char *name, int nocase)
{
    if (!kv || !name)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!kv[i].name)
            continue;
        if (nocase ? strcasecmp(kv[i].name, name) == 0 : strcmp(kv[i].name, name) == 0)
            return kv[i].value ? kv[i].value : "";
    }
    return NULL;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
    return kv_find(req->headers, req->nheaders, name, 1);
}

const char *http_req_query(const struct http_req *req, const char *name)
{
    return kv_find(req->query, req->nquery, name, 0);
}

const char *http_req_param(const struct http_req *req, const char *name)
{
    return kv_find(req->params, req->nparams, name, 0);
}

const char *http_req_bearer(const struct http_req *req)
{
    const char *h = http_req_header(req, "Authorization");
    if (!h)
        return NULL;
    while (*h == ' ' || *h == '\t')
        h++;
    if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
        return NULL;
    h += 6;
    while (*h == ' ' || *h == '\t')
        h++;
    return *h ? h : NULL;
}

/* 1 if the media type is application/json with, at most, a UTF-8 charset. */
static int content_type_is_json(const char *ct)
{
    static const char want[] = "application/json";
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, sizeof want - 1) != 0)
        return 0;
    const char *p = ct + sizeof want - 1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return 1;
    if (*p != ';')
        return 0;
    /* Parameters: only a charset that is not UTF-8 is a problem. */
    while (*p == ';') {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= 8 && strncasecmp(p, "charset=", 8) == 0) {
            const char *v = p + 8;
            size_t vn = n - 8;
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
            }
            if (!((vn == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
                  (vn == 4 && strncasecmp(v, "utf8", 4) == 0)))
                return 0;
        }
        p += n;
    }
    return 1;
}

/* Deepest nesting of [ and { outside strings. */
static int json_depth_exceeds(const char *s, size_t n, int max)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return 1;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}

/* What went wrong in the parser's error, in words of JSON rather than of
 * the library: jansson's own text names its flags (JSON_ALLOW_NUL,
 * JSON_DECODE_ANY), which mean nothing to a client. */
static const char *json_error_words(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_null_character:
        return "\\u0000 is not allowed in a string";
    case json_error_duplicate_key:
        return "a member name appears twice";
    case json_error_premature_end_of_input:
        return "the body ends before the JSON value does";
    case json_error_end_of_input_expected:
        return "text after the JSON value";
    case json_error_invalid_syntax:
    case json_error_invalid_format:
    case json_error_wrong_type:
        return strstr(err->text, "JSON_") ? "not a JSON value" : err->text;
    case json_error_invalid_utf8:
        return "not valid UTF-8";
    case json_error_numeric_overflow:
        return "a number too large";
    case json_error_null_byte_in_key:
        return "\\u0000 is not allowed in a member name";
    default:
        return strstr(err->text, "JSON_") ? "invalid JSON" : err->text;
    }
}

json_t *http_req_json(const struct http_req *req, struct http_res *res)
{
    const char *ct = http_req_header(req, "Content-Type");
    if (ct && !content_type_is_json(ct)) {
        http_res_error(res, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
        return NULL;
    }
    if (!req->body || req->body_len == 0) {
        http_res_error(res, 400, "MALFORMED_JSON", "request body is empty");
        return NULL;
    }
    if (!utf8_valid(req->body, req->body_len)) {
        http_res_error(res, 400, "MALFORMED_JSON", "request body is not valid UTF-8");
        return NULL;
    }
    if (json_depth_exceeds(req->body, req->body_len, HTTP_JSON_MAX_DEPTH)) {
        http_res_error(res, 400, "MALFORMED_JSON", "JSON nested deeper than %d levels",
                       HTTP_JSON_MAX_DEPTH);
        return NULL;
    }
    json_error_t err;
    json_t *v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!v) {
        http_res_error(res, 400, "MALFORMED_JSON", "invalid JSON at line %d column %d: %s",
                       err.line, err.column, json_error_words(&err));
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        http_res_error(res, 400, "MALFORMED_JSON", "request body must be a JSON object");
        return NULL;
    }
    return v;
}

/* One paging argument: absent -> def; otherwise an integer in [min, max]. */
static int paging_arg(const struct http_req *req, const char *name, long def, long min, long max,
                      long *out)
{
    const char *s = http_req_query(req, name);
    if (!s) {
        *out = def;
        return 0;
    }
    long v;
    if (parse_long(s, &v) != 0 || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int http_req_paging(const struct http_req *req, struct http_res *res, long *limit, long *offset)
{
    long l = 0, o = 0;
    json_t *details = json_object();
    if (paging_arg(req, "limit", PAGING_DEFAULT_LIMIT, 1, PAGING_MAX_LIMIT, &l) != 0)
        json_object_set_new(details, "limit", json_string("must be an integer from 1 to 500"));
    if (paging_arg(req, "offset", 0, 0, 1000000000L, &o) != 0)
        json_object_set_new(details, "offset",
                            json_string("must be an integer from 0 to 1000000000"));
    if (json_object_size(details) > 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid paging arguments", details,
                            NULL);
        return -1;
    }
    json_decref(details);
    *limit = l;
    *offset = o;
    return 0;
}

void http_body_init(struct http_body *b, size_t limit, size_t expected)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
    b->expected = expected;
}

int http_body_append(struct http_body *b, const void *data, size_t n)
{
    if (b->too_large) {
        b->dropped += n;
        return -1;
    }
    if (n > b->limit - b->len) {
        b->too_large = 1;
        b->dropped = b->len + n;
        free(b->buf);
        b->buf = NULL;
        b->len = b->cap = 0;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        /* Doubling, or the declared length at once, but never past the cap:
         * a lying Content-Length cannot make us allocate more. */
        size_t cap = b->cap ? b->cap * 2 : 4096;
        if (b->expected && b->expected <= b->limit && cap < b->expected + 1)
            cap = b->expected + 1;
        if (cap < need)
            cap = need;
        if (cap > b->limit + 1)
            cap = b->limit + 1;
        b->buf = xrealloc(b->buf, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return 0;
}

char *http_body_take(struct http_body *b, size_t *len)
{
    char *p = b->buf ? b->buf : xcalloc(1, 1);
    if (len)
        *len = b->buf ? b->len : 0;
    b->buf = NULL;
    b->len = b->cap = 0;
    return p;
}

void http_body_cleanup(struct http_body *b)
{
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}

void http_res_init(struct http_res *res)
{
    memset(res, 0, sizeof *res);
}

void http_res_cleanup(struct http_res *res)
{
    free(res->body);
    for (size_t i = 0; i < res->nheaders && i < HTTP_MAX_RES_HEADERS; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    http_res_init(res);
}

/* Replaces the status and body, keeping headers already added. */
static void res_set(struct http_res *res, int status, const char *content_type, char *body,
                    size_t len)
{
    free(res->body);
    res->status = status;
    res->body = body;
    res->body_len = body ? len : 0;
    snprintf(res->content_type, sizeof res->content_type, "%s", content_type ? content_type : "");
}

static const char internal_body[] =
    "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"could not encode the response\"}}";

void http_res_json(struct http_res *res, int status, json_t *body)
{
    if (!body) {
        res_set(res, status, NULL, NULL, 0);
        return;
    }
    char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (!s) {
        res_set(res, 500, "application/json", xstrdup(internal_body), sizeof internal_body - 1);
        return;
    }
    res_set(res, status, "application/json", s, strlen(s));
}

/* A JSON string even from bytes that are not UTF-8 (a message may quote
 * client input): such bytes become '?'. New reference. */
static json_t *json_string_lossy(const char *s)
{
    if (utf8_valid(s, strlen(s)))
        return json_string(s);
    char *copy = xstrdup(s);
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    json_t *v = json_string(copy);
    free(copy);
    return v;
}

void http_res_error_full(struct http_res *res, int status, const char *code, const char *message,
                         json_t *details, json_t *extra)
{
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string_lossy(code ? code : "INTERNAL"));
    json_object_set_new(err, "message", json_string_lossy(message ? message : ""));
    if (details)
        json_object_set_new(err, "details", details);
    json_t *body = json_object();
    json_object_set_new(body, "error", err);
    if (extra) {
        const char *key;
        json_t *val;
        json_object_foreach(extra, key, val)
        {
            if (strcmp(key, "error") != 0)
                json_object_set(body, key, val);
        }
        json_decref(extra);
    }
    http_res_json(res, status, body);
}

void http_res_error(struct http_res *res, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http_res_error_full(res, status, code, msg, NULL, NULL);
}

void http_res_bytes(struct http_res *res, int status, const char *content_type, const void *data,
                    size_t len)
{
    char *copy = NULL;
    if (data) {
        copy = xmalloc(len + 1);
        memcpy(copy, data, len);
        copy[len] = '\0';
    }
    res_set(res, status, content_type, copy, len);
}

void http_res_take(struct http_res *res, int status, const char *content_type, char *data,
                   size_t len)
{
    res_set(res, status, content_type, data, len);
}

void http_res_no_content(struct http_res *res)
{
    res_set(res, 204, NULL, NULL, 0);
}

void http_res_header(struct http_res *res, const char *name, const char *value)
{
    if (!name || !value || res->nheaders >= HTTP_MAX_RES_HEADERS)
        return;
    res->headers[res->nheaders].name = xstrdup(name);
    res->headers[res->nheaders].value = xstrdup(value);
    res->nheaders++;
}

const char *http_req_uuid_param(const struct http_req *req, struct http_res *res, const char *name,
                                const char *what)
{
    const char *id = http_req_param(req, name);
    if (!id || !uuid_valid(id)) {
        http_res_error(res, 404, "NOT_FOUND", "no such %s", what);
        return NULL;
    }
    return id;
}
