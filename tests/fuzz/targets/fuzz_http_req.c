/* fuzz_http_req.c: the request helpers handlers use on what a client sent:
 * http_req_json (Content-Type, UTF-8, nesting depth, duplicates),
 * http_req_paging, http_req_bearer, header and query lookup, and the error
 * answers that may quote client text. Input: "<Content-Type or ->\n
 * <Authorization>\n<query a=1&b=2>\n<body>". */
#include <string.h>

#include "common/http.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Splits "a=1&b=2" into kv pairs (owned by the caller). */
static size_t parse_query(char *q, struct kv *kv, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(q, "&", &save); tok && n < max;
         tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq = '\0';
        kv[n].name = tok;
        kv[n].value = eq ? eq + 1 : tok + strlen(tok);
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *ct = fuzz_take_line(&data, &size);
    char *auth = fuzz_take_line(&data, &size);
    char *query = fuzz_take_line(&data, &size);
    struct kv headers[3] = {{"Content-Type", ct}, {"authorization", auth}, {"X-Empty", ""}};
    struct kv q[8];
    struct http_req req;
    memset(&req, 0, sizeof req);
    req.headers = strcmp(ct, "-") == 0 ? headers + 1 : headers;
    req.nheaders = strcmp(ct, "-") == 0 ? 2 : 3;
    req.nquery = parse_query(query, q, 8);
    req.query = q;
    /* the body as the server hands it over: a NUL-terminated copy */
    req.body = fuzz_strndup(data, size);
    req.body_len = size;

    struct http_res res;
    http_res_init(&res);
    json_t *v = http_req_json(&req, &res);
    if (v) {
        FUZZ_CHECK(json_is_object(v) && res.status == 0);
        json_decref(v);
    } else {
        FUZZ_CHECK(res.status == 400 || res.status == 415);
        FUZZ_CHECK(res.body && strstr(res.body, "\"error\""));
    }
    http_res_cleanup(&res);

    long limit = -1, offset = -1;
    if (http_req_paging(&req, &res, &limit, &offset) == 0)
        FUZZ_CHECK(limit >= 1 && limit <= 500 && offset >= 0);
    else
        FUZZ_CHECK(res.status == 400);
    http_res_cleanup(&res);

    const char *b = http_req_bearer(&req);
    if (b)
        FUZZ_CHECK(*b && *b != ' ' && *b != '\t');
    FUZZ_CHECK(http_req_header(&req, "CONTENT-TYPE") == (req.nheaders == 3 ? ct : NULL));
    (void)http_req_query(&req, "limit");

    /* an error message quoting client bytes is still valid JSON */
    http_res_error(&res, 400, "VALIDATION_FAILED", "bad value: %s", req.body);
    json_t *parsed = json_loadb(res.body, res.body_len, 0, NULL);
    FUZZ_CHECK(parsed != NULL);
    json_decref(parsed);
    http_res_header(&res, "X-Echo", auth);
    http_res_cleanup(&res);

    free(req.body);
    free(ct);
    free(auth);
    free(query);
    return 0;
}
