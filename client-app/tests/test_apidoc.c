/* test_apidoc.c: unit tests of apidoc_handler.c, the handlers called
 * directly: the built-in documents are OpenAPI 3.1 JSON naming their
 * service, /docs renders Swagger UI when swagger-ui-dist is in
 * API_DOCS_ROOT and otherwise says how to install it, and /docs/{name}
 * serves only its fixed names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apidoc.h"
#include "common/http.h"
#include "openapi_docs.h"

static char root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/apidoc-test-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    apidoc_root = root;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/swagger-ui-bundle.js", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/swagger-ui.css", root);
    unlink(path);
    rmdir(root);
    return 0;
}

static void put_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", root, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs handler with path parameter name=value (value NULL: none). */
static void call(http_handler h, const char *value, struct http_res *res)
{
    struct http_req req;
    memset(&req, 0, sizeof req);
    snprintf(req.method, sizeof req.method, "GET");
    char pname[] = "name";
    if (value) {
        req.params[0].name = pname;
        req.params[0].value = (char *)value;
        req.nparams = 1;
    }
    http_res_init(res);
    h(&req, res, NULL);
}

static const char *header(const struct http_res *res, const char *name)
{
    for (size_t i = 0; i < res->nheaders; i++)
        if (strcmp(res->headers[i].name, name) == 0)
            return res->headers[i].value;
    return NULL;
}

static void assert_document(const char *text, size_t len, const char *title)
{
    json_error_t err;
    json_t *doc = json_loadb(text, len, 0, &err);
    if (!doc)
        fail_msg("not JSON: %s", err.text);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "info"), "title")),
                        title);
    assert_true(json_object_size(json_object_get(doc, "paths")) > 10);
    json_decref(doc);
}

static void test_built_in_documents(void **state)
{
    (void)state;
    assert_document(openapi_client_app, openapi_client_app_len, "client-app");
    assert_document(openapi_ticket_app, openapi_ticket_app_len, "ticket-app");
    assert_document(openapi_payment_app, openapi_payment_app_len, "payment-app");
    assert_int_equal(strlen(openapi_client_app), openapi_client_app_len);

    struct http_res res;
    call(apidoc_handle_spec, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.content_type, "application/json");
    assert_document(res.body, res.body_len, "client-app");
    http_res_cleanup(&res);

    call(apidoc_handle_file, "payment-app.json", &res);
    assert_int_equal(res.status, 200);
    assert_document(res.body, res.body_len, "payment-app");
    http_res_cleanup(&res);
}

static void test_page_without_renderer(void **state)
{
    (void)state;
    struct http_res res;
    call(apidoc_handle_page, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.content_type, "text/html"));
    assert_non_null(strstr(res.body, "npm ci --prefix client-app/apidocs"));
    assert_non_null(strstr(res.body, "apt-get install nodejs npm"));
    assert_non_null(strstr(res.body, "href=\"/docs/ticket-app.json\""));
    assert_null(strstr(res.body, "swagger-ui-bundle.js"));
    http_res_cleanup(&res);

    call(apidoc_handle_file, "swagger-ui-bundle.js", &res);
    assert_int_equal(res.status, 404);
    http_res_cleanup(&res);
}

static void test_page_with_renderer(void **state)
{
    (void)state;
    put_file("swagger-ui-bundle.js", "window.SwaggerUIBundle = function () {};\n");
    put_file("swagger-ui.css", "body{}\n");
    struct http_res res;
    call(apidoc_handle_page, NULL, &res);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body, "<script src=\"/docs/swagger-ui-bundle.js\">"));
    assert_non_null(strstr(res.body, "<script src=\"/docs/init.js\">"));
    assert_null(strstr(res.body, "npm ci"));
    const char *csp = header(&res, "Content-Security-Policy");
    assert_non_null(csp);
    assert_non_null(strstr(csp, "script-src 'self';"));
    http_res_cleanup(&res);

    call(apidoc_handle_file, "swagger-ui-bundle.js", &res);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.content_type, "javascript"));
    assert_non_null(strstr(res.body, "SwaggerUIBundle"));
    http_res_cleanup(&res);

    call(apidoc_handle_file, "init.js", &res);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body, "/docs/ticket-app.json"));
    http_res_cleanup(&res);
}

static void test_only_fixed_names(void **state)
{
    (void)state;
    static const char *const refused[] = {"../../etc/passwd",
                                          "index.html",
                                          "package.json",
                                          "swagger-ui-bundle.js.map",
                                          "",
                                          ".",
                                          "..",
                                          "swagger-ui.css/",
                                          "client-app.json\n"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct http_res res;
        call(apidoc_handle_file, refused[i], &res);
        if (res.status != 404)
            fail_msg("\"%s\": %d", refused[i], res.status);
        http_res_cleanup(&res);
    }
    struct http_res res;
    call(apidoc_handle_file, NULL, &res);
    assert_int_equal(res.status, 404);
    http_res_cleanup(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_in_documents),
        cmocka_unit_test(test_page_without_renderer),
        cmocka_unit_test(test_page_with_renderer),
        cmocka_unit_test(test_only_fixed_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
