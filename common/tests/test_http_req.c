/* test_http_req.c: unit tests of http.c and errors.c: header/query/bearer
 * lookup, the JSON body checks (content type, UTF-8, depth bomb), paging
 * bounds, and the exact shape of responses and error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "common/http.h"
#include "common/util.h"

/* A request built by hand, as the server would; freed by req_free. */
struct test_req {
    struct http_req req;
    struct kv headers[8];
    struct kv query[8];
};

static void req_init(struct test_req *t)
{
    memset(t, 0, sizeof *t);
    t->req.headers = t->headers;
    t->req.query = t->query;
    strcpy(t->req.method, "POST");
}

static void req_header(struct test_req *t, const char *name, const char *value)
{
    t->headers[t->req.nheaders].name = (char *)name;
    t->headers[t->req.nheaders].value = (char *)value;
    t->req.nheaders++;
}

static void req_query(struct test_req *t, const char *name, const char *value)
{
    t->query[t->req.nquery].name = (char *)name;
    t->query[t->req.nquery].value = (char *)value;
    t->req.nquery++;
}

static void req_body(struct test_req *t, const char *body, size_t len)
{
    t->req.body = (char *)body;
    t->req.body_len = len;
}

/* The response body parsed; asserts it is JSON. New reference. */
static json_t *res_json(const struct http_res *res)
{
    assert_non_null(res->body);
    assert_string_equal(res->content_type, "application/json");
    json_error_t err;
    json_t *v = json_loadb(res->body, res->body_len, 0, &err);
    if (!v)
        fail_msg("response is not JSON: %s", res->body);
    return v;
}

/* Asserts res is the error status/code with exactly code and message. */
static void assert_error(const struct http_res *res, int status, const char *code)
{
    assert_int_equal(res->status, status);
    json_t *v = res_json(res);
    json_t *err = json_object_get(v, "error");
    assert_true(json_is_object(err));
    assert_string_equal(json_str(err, "code"), code);
    assert_non_null(json_str(err, "message"));
    json_decref(v);
}

static void test_header_lookup(void **state)
{
    (void)state;
    struct test_req t;
    req_init(&t);
    req_header(&t, "Content-Type", "application/json");
    req_header(&t, "x-request-id", "abc");
    req_header(&t, "X-Empty", "");
    assert_string_equal(http_req_header(&t.req, "content-type"), "application/json");
    assert_string_equal(http_req_header(&t.req, "CONTENT-TYPE"), "application/json");
    assert_string_equal(http_req_header(&t.req, "X-Request-Id"), "abc");
    assert_string_equal(http_req_header(&t.req, "x-empty"), "");
    assert_null(http_req_header(&t.req, "Content-Length"));
    assert_null(http_req_header(&t.req, "Content-Typ"));

    req_query(&t, "limit", "5");
    req_query(&t, "flag", NULL);
    assert_string_equal(http_req_query(&t.req, "limit"), "5");
    assert_null(http_req_query(&t.req, "LIMIT")); /* query names are exact */
    assert_string_equal(http_req_query(&t.req, "flag"), "");
    assert_null(http_req_query(&t.req, "offset"));
}

static void test_bearer(void **state)
{
    (void)state;
    struct {
        const char *header;
        const char *token;
    } cases[] = {
        {"Bearer abc.def", "abc.def"},
        {"bearer abc", "abc"},
        {"BEARER   abc", "abc"},
        {"Bearer ", NULL},
        {"Bearer", NULL},
        {"Bearerabc", NULL},
        {"Basic dXNlcjpwYXNz", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct test_req t;
        req_init(&t);
        req_header(&t, "authorization", cases[i].header);
        const char *tok = http_req_bearer(&t.req);
        if (cases[i].token)
            assert_string_equal(tok, cases[i].token);
        else if (tok)
            fail_msg("\"%s\" gave token \"%s\"", cases[i].header, tok);
    }
    struct test_req t;
    req_init(&t);
    assert_null(http_req_bearer(&t.req));
}

static json_t *parse(const char *ct, const char *body, size_t len, struct http_res *res)
{
    struct test_req t;
    req_init(&t);
    if (ct)
        req_header(&t, "Content-Type", ct);
    req_body(&t, body, len);
    http_res_init(res);
    return http_req_json(&t.req, res);
}

#define PARSE(ct, lit, res) parse((ct), (lit), sizeof(lit) - 1, (res))

static void test_json_ok(void **state)
{
    (void)state;
    const char *ok_types[] = {NULL,
                              "application/json",
                              "Application/JSON",
                              "application/json; charset=utf-8",
                              "application/json;charset=UTF-8",
                              "application/json; charset=\"utf-8\"",
                              "application/json; foo=bar"};
    for (size_t i = 0; i < sizeof ok_types / sizeof ok_types[0]; i++) {
        struct http_res res;
        json_t *v = PARSE(ok_types[i], "{\"a\":1,\"s\":\"caf\xc3\xa9\"}", &res);
        if (!v)
            fail_msg("content type %s refused", ok_types[i] ? ok_types[i] : "(none)");
        assert_int_equal(res.status, 0);
        assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
        json_decref(v);
        http_res_cleanup(&res);
    }
    /* 64 levels are fine. */
    char deep[200] = "";
    for (int i = 0; i < 63; i++)
        strcat(deep, "[");
    char body[300];
    strcpy(body, "{\"a\":");
    strcat(body, deep);
    for (int i = 0; i < 63; i++)
        strcat(body, "]");
    strcat(body, "}");
    struct http_res res;
    json_t *v = parse(NULL, body, strlen(body), &res);
    assert_non_null(v);
    json_decref(v);
    http_res_cleanup(&res);
    /* Brackets inside strings do not count. */
    char strbody[400];
    strcpy(strbody, "{\"a\":\"");
    for (int i = 0; i < 300; i++)
        strcat(strbody, "[");
    strcat(strbody, "\\\"{\"}");
    v = parse(NULL, strbody, strlen(strbody), &res);
    assert_non_null(v);
    json_decref(v);
    http_res_cleanup(&res);
}

static void test_json_content_type(void **state)
{
    (void)state;
    const char *bad[] = {"text/plain",
                         "application/x-www-form-urlencoded",
                         "application/jsonx",
                         "application/json-seq",
                         "",
                         "application/json; charset=latin1",
                         "multipart/form-data; boundary=x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_res res;
        json_t *v = PARSE(bad[i], "{}", &res);
        if (v)
            fail_msg("content type \"%s\" accepted", bad[i]);
        assert_error(&res, 415, "UNSUPPORTED_MEDIA_TYPE");
        http_res_cleanup(&res);
    }
}

static void test_json_malformed(void **state)
{
    (void)state;
    struct {
        const char *body;
        size_t len;
    } bad[] = {
        {"", 0},
        {"{", 1},
        {"{\"a\":}", 6},
        {"[1,2]", 5}, /* not an object */
        {"\"str\"", 5},
        {"42", 2},
        {"null", 4},
        {"{\"a\":1}{", 8},                /* trailing garbage */
        {"{\"a\":1,\"a\":2}", 13},        /* duplicate member */
        {"{\"a\":\"\xff\"}", 8},          /* bad UTF-8 */
        {"{\"a\":\"\xed\xa0\x80\"}", 10}, /* surrogate */
        {"{\"a\":\"\\u0000\"}", 14},      /* NUL in a string */
        {"{\"a\":1}\0", 8},               /* raw NUL */
        {"{'a':1}", 7},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_res res;
        json_t *v = parse("application/json", bad[i].body, bad[i].len, &res);
        if (v)
            fail_msg("case %zu accepted", i);
        assert_error(&res, 400, "MALFORMED_JSON");
        /* The message speaks of JSON, never of the parser's flags. */
        if (strstr(res.body, "JSON_"))
            fail_msg("case %zu: %s", i, res.body);
        http_res_cleanup(&res);
    }
    struct test_req t;
    req_init(&t);
    struct http_res res;
    http_res_init(&res);
    assert_null(http_req_json(&t.req, &res)); /* no body at all */
    assert_error(&res, 400, "MALFORMED_JSON");
    http_res_cleanup(&res);
}

static void test_json_depth_bomb(void **state)
{
    (void)state;
    /* 65 levels: refused. */
    char body[300] = "";
    for (int i = 0; i < 65; i++)
        strcat(body, "[");
    for (int i = 0; i < 65; i++)
        strcat(body, "]");
    struct http_res res;
    assert_null(parse(NULL, body, strlen(body), &res));
    assert_error(&res, 400, "MALFORMED_JSON");
    http_res_cleanup(&res);
    /* A megabyte of '[' (unbalanced): refused quickly, no deep recursion. */
    size_t n = 1024 * 1024;
    char *bomb = xmalloc(n + 1);
    bomb[0] = '{';
    memcpy(bomb + 1, "\"a\":", 4);
    memset(bomb + 5, '[', n - 5);
    bomb[n] = '\0';
    assert_null(parse(NULL, bomb, n, &res));
    assert_error(&res, 400, "MALFORMED_JSON");
    http_res_cleanup(&res);
    memset(bomb, '{', n);
    assert_null(parse(NULL, bomb, n, &res));
    assert_error(&res, 400, "MALFORMED_JSON");
    http_res_cleanup(&res);
    free(bomb);
}

static int paging(const char *limit, const char *offset, long *l, long *o, struct http_res *res)
{
    struct test_req t;
    req_init(&t);
    if (limit)
        req_query(&t, "limit", limit);
    if (offset)
        req_query(&t, "offset", offset);
    http_res_init(res);
    return http_req_paging(&t.req, res, l, o);
}

static void test_paging(void **state)
{
    (void)state;
    long l = -1, o = -1;
    struct http_res res;
    assert_int_equal(paging(NULL, NULL, &l, &o, &res), 0);
    assert_int_equal(l, 50);
    assert_int_equal(o, 0);
    assert_int_equal(res.status, 0);
    assert_int_equal(paging("1", "0", &l, &o, &res), 0);
    assert_int_equal(l, 1);
    assert_int_equal(paging("500", "12345", &l, &o, &res), 0);
    assert_int_equal(l, 500);
    assert_int_equal(o, 12345);

    const char *bad_limit[] = {"0", "501", "-1", "", "ten", "5.5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_limit / sizeof bad_limit[0]; i++) {
        if (paging(bad_limit[i], NULL, &l, &o, &res) != -1)
            fail_msg("limit %s accepted", bad_limit[i]);
        assert_error(&res, 400, "VALIDATION_FAILED");
        json_t *v = res_json(&res);
        assert_non_null(
            json_object_get(json_object_get(json_object_get(v, "error"), "details"), "limit"));
        json_decref(v);
        http_res_cleanup(&res);
    }
    const char *bad_offset[] = {"-1", "x", "", "1e3", "1000000001"};
    for (size_t i = 0; i < sizeof bad_offset / sizeof bad_offset[0]; i++) {
        if (paging(NULL, bad_offset[i], &l, &o, &res) != -1)
            fail_msg("offset %s accepted", bad_offset[i]);
        assert_error(&res, 400, "VALIDATION_FAILED");
        http_res_cleanup(&res);
    }
}

static void test_error_body_exact(void **state)
{
    (void)state;
    struct http_res res;
    http_res_init(&res);
    http_res_error(&res, 404, "NOT_FOUND", "no event %d", 7);
    assert_int_equal(res.status, 404);
    assert_string_equal(res.body,
                        "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"no event 7\"}}");
    assert_int_equal(res.body_len, strlen(res.body));
    /* Answering again replaces the body. */
    http_res_error_full(&res, 409, "SEAT_UNAVAILABLE", "taken",
                        json_pack("{s:[s]}", "seat_ids", "A1"),
                        json_pack("{s:{s:s}, s:s}", "booking", "status", "FAILED", "error", "x"));
    assert_int_equal(res.status, 409);
    assert_string_equal(res.body, "{\"error\":{\"code\":\"SEAT_UNAVAILABLE\",\"message\":\"taken\","
                                  "\"details\":{\"seat_ids\":[\"A1\"]}},"
                                  "\"booking\":{\"status\":\"FAILED\"}}");
    http_res_cleanup(&res);
    assert_null(res.body);
    assert_int_equal(res.status, 0);

    /* A message quoting bytes that are not UTF-8 still gives valid JSON. */
    http_res_error(&res, 400, "VALIDATION_FAILED", "bad name %s", "\xff\xfe");
    json_t *v = res_json(&res);
    assert_string_equal(json_str(json_object_get(v, "error"), "message"), "bad name ??");
    json_decref(v);
    http_res_cleanup(&res);
}

static void test_res_helpers(void **state)
{
    (void)state;
    struct http_res res;
    http_res_init(&res);
    http_res_json(&res, 201, json_pack("{s:i}", "id", 5));
    assert_int_equal(res.status, 201);
    assert_string_equal(res.body, "{\"id\":5}");
    assert_string_equal(res.content_type, "application/json");

    http_res_json(&res, 200, json_pack("[i,i]", 1, 2)); /* arrays too */
    assert_string_equal(res.body, "[1,2]");

    http_res_bytes(&res, 200, "application/pdf", "%PDF\0x", 6);
    assert_int_equal(res.body_len, 6);
    assert_memory_equal(res.body, "%PDF\0x", 6);
    assert_string_equal(res.content_type, "application/pdf");

    http_res_take(&res, 200, "text/plain", xstrdup("hi"), 2);
    assert_string_equal(res.body, "hi");

    http_res_no_content(&res);
    assert_int_equal(res.status, 204);
    assert_null(res.body);
    assert_int_equal(res.body_len, 0);

    http_res_json(&res, 202, NULL);
    assert_int_equal(res.status, 202);
    assert_null(res.body);

    for (int i = 0; i < HTTP_MAX_RES_HEADERS + 3; i++)
        http_res_header(&res, "X-N", "v");
    assert_int_equal(res.nheaders, HTTP_MAX_RES_HEADERS);
    http_res_cleanup(&res);
    assert_int_equal(res.nheaders, 0);
}

static void test_db_error_table(void **state)
{
    (void)state;
    struct {
        enum db_status st;
        int status;
        const char *code;
    } cases[] = {
        {DB_NOT_FOUND, 404, "NOT_FOUND"},
        {DB_CONFLICT, 409, "CONFLICT"},
        {DB_INVALID, 400, "VALIDATION_FAILED"},
        {DB_RETRY, 503, "SERVICE_UNAVAILABLE"},
        {DB_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE"},
        {DB_ERROR, 500, "INTERNAL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *code = NULL;
        assert_int_equal(db_status_http(cases[i].st, &code), cases[i].status);
        assert_string_equal(code, cases[i].code);
        struct http_res res;
        http_res_init(&res);
        http_res_db_error(&res, cases[i].st);
        assert_error(&res, cases[i].status, cases[i].code);
        if (cases[i].status == 503) {
            assert_int_equal(res.nheaders, 1);
            assert_string_equal(res.headers[0].name, "Retry-After");
        }
        http_res_cleanup(&res);
    }
    const char *code;
    assert_int_equal(db_status_http((enum db_status)99, &code), 500);
    assert_string_equal(code, "INTERNAL");
    struct http_res res;
    http_res_init(&res);
    http_res_db_error(&res, DB_OK); /* never a 200 error */
    assert_error(&res, 500, "INTERNAL");
    http_res_cleanup(&res);
}

static void test_body_cap(void **state)
{
    (void)state;
    struct http_body b;
    char chunk[1000];
    memset(chunk, 'a', sizeof chunk);

    /* Up to the cap exactly: kept, NUL-terminated, never over limit + 1. */
    http_body_init(&b, 2500, 0);
    assert_int_equal(http_body_append(&b, chunk, 1000), 0);
    assert_int_equal(http_body_append(&b, chunk, 1000), 0);
    assert_int_equal(http_body_append(&b, chunk, 500), 0);
    assert_int_equal(b.len, 2500);
    assert_true(b.cap <= 2501);
    assert_int_equal(b.buf[2500], '\0');
    assert_int_equal(http_body_append(&b, chunk, 0), 0);
    /* One byte more: refused, buffer released, later data only counted. */
    assert_int_equal(http_body_append(&b, "x", 1), -1);
    assert_true(b.too_large);
    assert_null(b.buf);
    assert_int_equal(b.dropped, 2501);
    assert_int_equal(http_body_append(&b, chunk, 1000), -1);
    assert_int_equal(b.dropped, 3501);
    size_t len = 99;
    char *p = http_body_take(&b, &len);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
    http_body_cleanup(&b);

    /* One chunk larger than the cap at once. */
    http_body_init(&b, 10, 0);
    assert_int_equal(http_body_append(&b, chunk, 11), -1);
    assert_null(b.buf);
    http_body_cleanup(&b);

    /* A declared length sizes the first allocation... */
    http_body_init(&b, 100000, 50000);
    assert_int_equal(http_body_append(&b, chunk, 10), 0);
    assert_int_equal(b.cap, 50001);
    http_body_cleanup(&b);
    /* ...but a lying one never makes it exceed the cap. */
    http_body_init(&b, 3000, (size_t)-1);
    assert_int_equal(http_body_append(&b, chunk, 10), 0);
    assert_true(b.cap <= 3001);
    for (int i = 0; i < 2; i++)
        assert_int_equal(http_body_append(&b, chunk, 1000), 0);
    assert_true(b.cap <= 3001);
    p = http_body_take(&b, &len);
    assert_int_equal(len, 2010);
    assert_int_equal(strlen(p), 2010);
    free(p);
    assert_null(b.buf);
    http_body_cleanup(&b);

    /* No data at all: an empty string, not NULL. */
    http_body_init(&b, 10, 0);
    p = http_body_take(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);
    free(p);

    /* A zero cap refuses any byte. */
    http_body_init(&b, 0, 0);
    assert_int_equal(http_body_append(&b, "", 0), 0);
    assert_int_equal(http_body_append(&b, "a", 1), -1);
    http_body_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_lookup),  cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_json_ok),        cmocka_unit_test(test_json_content_type),
        cmocka_unit_test(test_json_malformed), cmocka_unit_test(test_json_depth_bomb),
        cmocka_unit_test(test_paging),         cmocka_unit_test(test_error_body_exact),
        cmocka_unit_test(test_res_helpers),    cmocka_unit_test(test_db_error_table),
        cmocka_unit_test(test_body_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
