/* paypage_handler.c: GET /pay/{number}, the page behind payment_url, sent
 * with a per-response CSP nonce and headers that keep it out of frames and
 * caches. */
#include <stdlib.h>

#include "app.h"
#include "common/errors.h"
#include "common/rand.h"
#include "handlers.h"
#include "invoice_store.h"
#include "paypage.h"

static void page_headers(struct http_res *res, const char *nonce)
{
    char csp[512];
    paypage_csp(nonce, csp, sizeof csp);
    http_res_header(res, "Content-Security-Policy", csp);
    http_res_header(res, "X-Content-Type-Options", "nosniff");
    http_res_header(res, "X-Frame-Options", "DENY");
    http_res_header(res, "Referrer-Policy", "no-referrer");
    http_res_header(res, "Cache-Control", "no-store");
}

void paypage_handle_get(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    char nonce[33];
    rand_hex(nonce, 16);
    size_t len = 0;
    char *html;

    const char *number = http_req_param(req, "number");
    struct invoice inv;
    enum db_status st = DB_NOT_FOUND;
    if (invoice_number_valid(number)) {
        struct db_conn *conn = db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res);
        if (!conn)
            return;
        st = invoice_store_get(conn, number, &inv);
        db_release(app->pool, conn);
    }
    if (st == DB_NOT_FOUND) {
        html = paypage_render_not_found(nonce, &len);
        page_headers(res, nonce);
        http_res_take(res, 404, "text/html; charset=utf-8", html, len);
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    html = paypage_render(&inv, nonce, &len);
    invoice_cleanup(&inv);
    page_headers(res, nonce);
    http_res_take(res, 200, "text/html; charset=utf-8", html, len);
}
