/* demo_daemon.c: a small daemon on service_main, for the http tests of
 * common/: JSON echo, a slow route, path parameters, a handler that forgets
 * to answer. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/http.h"
#include "common/log.h"
#include "common/service.h"
#include "common/util.h"

struct demo {
    long slow_max_ms;
    const char *signing_secret;
    long refused;
    struct db_pool *pool;
};

static struct demo demo;

static void demo_echo(struct http_req *req, struct http_res *res, void *app)
{
    (void)app;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    http_res_json(res, 200, json_pack("{s:o, s:s}", "echo", body, "request_id", req->request_id));
}

static void demo_slow(struct http_req *req, struct http_res *res, void *app)
{
    struct demo *d = app;
    long ms = 1000;
    const char *q = http_req_query(req, "ms");
    if (q && (parse_long(q, &ms) != 0 || ms < 0 || ms > d->slow_max_ms)) {
        http_res_error(res, 400, "VALIDATION_FAILED", "ms must be 0..%ld", d->slow_max_ms);
        return;
    }
    sleep_ms(ms);
    http_res_json(res, 200, json_pack("{s:i}", "slept_ms", (json_int_t)ms));
}

static void demo_item(struct http_req *req, struct http_res *res, void *app)
{
    (void)app;
    const char *id = http_req_param(req, "id");
    const char *q = http_req_query(req, "q");
    json_t *out = json_pack("{s:s}", "id", id);
    if (q)
        json_object_set_new(out, "q", json_string(utf8_valid(q, strlen(q)) ? q : "?"));
    http_res_json(res, 200, out);
}

static void demo_item_special(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    http_res_json(res, 200, json_pack("{s:b}", "special", 1));
}

static void demo_item_delete(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    http_res_no_content(res);
}

static void demo_list(struct http_req *req, struct http_res *res, void *app)
{
    (void)app;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    http_res_json(res, 200,
                  json_pack("{s:[], s:i, s:i, s:i}", "items", "total", 0, "limit",
                            (json_int_t)limit, "offset", (json_int_t)offset));
}

static void demo_forgetful(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)res;
    (void)app;
}

/* A signed route: reached only with a good X-Signature (checked by the
 * server); answers how many were refused before. */
static void demo_signed(struct http_req *req, struct http_res *res, void *app)
{
    struct demo *d = app;
    (void)req;
    http_res_json(res, 200,
                  json_pack("{s:b, s:I}", "signed", 1, "refused", (json_int_t)d->refused));
}

static void demo_refused(void *app)
{
    struct demo *d = app;
    d->refused++; /* one test client at a time */
}

static const struct http_route demo_routes[] = {
    {"POST", "/signed", demo_signed, HTTP_ROUTE_SIGNED},
    {"POST", "/echo", demo_echo, 0},
    {"GET", "/slow", demo_slow, 0},
    {"GET", "/items", demo_list, 0},
    {"GET", "/items/{id}", demo_item, 0},
    {"GET", "/items/special", demo_item_special, 0},
    {"DELETE", "/items/{id}", demo_item_delete, 0},
    {"GET", "/forgetful", demo_forgetful, 0},
};

static const struct cfg_entry demo_config[] = {
    {"DEMO_SLOW_MAX_MS", CFG_INT, "10000", 0, 60000, &demo.slow_max_ms,
     "longest sleep GET /slow accepts"},
    {"DEMO_SIGNING_SECRET", CFG_SECRET, "demo-signing-secret", 0, 0, &demo.signing_secret,
     "secret of POST /signed"},
};

static int demo_init(void *app, struct db_pool *pool)
{
    struct demo *d = app;
    d->pool = pool;
    return 0;
}

static void demo_shutdown(void *app)
{
    (void)app;
    log_info("demo shut down");
}

static void demo_metrics(struct sbuf *out, void *app)
{
    (void)app;
    sbuf_puts(out, "# TYPE demo_up gauge\ndemo_up 1\n");
}

static const char *const demo_migrations[] = {"common", NULL};

int main(int argc, char **argv)
{
    const struct service_def def = {
        .name = "demo-app",
        .port_var = "DEMO_APP_PORT",
        .default_port = 8099,
        .migrations = demo_migrations,
        .routes = demo_routes,
        .nroutes = sizeof demo_routes / sizeof demo_routes[0],
        .config = demo_config,
        .nconfig = sizeof demo_config / sizeof demo_config[0],
        .app = &demo,
        .init = demo_init,
        .shutdown = demo_shutdown,
        .metrics_extra = demo_metrics,
        .signing_secret = &demo.signing_secret,
        .signature_refused = demo_refused,
    };
    return service_main(&def, argc, argv);
}
