/* server_builtin.c: the routes every daemon has, GET /healthz (the
 * database answers) and GET /metrics. They run on a worker like any route,
 * skip the app's "before" hook and get the server as app. */
#include "common/db.h"
#include "server_internal.h"

static const char healthz_sql[] = "SELECT 1";

static void handle_healthz(struct http_req *req, struct http_res *res, void *app)
{
    struct http_server *srv = app;
    (void)req;
    enum db_status st = DB_OK;
    if (srv->cfg.pool) {
        struct db_conn *c = db_acquire(srv->cfg.pool, 1000);
        st = c ? db_exec_simple(c, healthz_sql) : DB_UNAVAILABLE;
        db_release(srv->cfg.pool, c);
    }
    if (st == DB_OK) {
        http_res_json(res, 200, json_pack("{s:s}", "status", "ok"));
        return;
    }
    http_res_json(res, 503,
                  json_pack("{s:s, s:{s:s, s:s}}", "status", "unavailable", "error", "code",
                            "SERVICE_UNAVAILABLE", "message", "database unavailable"));
}

static void handle_metrics(struct http_req *req, struct http_res *res, void *app)
{
    struct http_server *srv = app;
    (void)req;
    struct sbuf out;
    sbuf_init(&out);
    metrics_render(srv, &out);
    if (srv->cfg.metrics_extra)
        srv->cfg.metrics_extra(&out, srv->cfg.app);
    size_t len;
    char *s = sbuf_steal(&out, &len);
    http_res_take(res, 200, "text/plain; version=0.0.4; charset=utf-8", s, len);
}

const struct http_route server_builtin_routes[] = {
    {"GET", "/healthz", handle_healthz, 0},
    {"GET", "/metrics", handle_metrics, 0},
};
const size_t server_nbuiltin = 2;
