/* routes.c: every payment-app endpoint in one table, and the service-token
 * check that runs before the handlers of service routes. */
#include "apidoc.h"
#include "app.h"
#include "common/log.h"
#include "common/sig.h"
#include "handlers.h"

const struct http_route payment_routes[] = {
    {"POST", "/api/invoices", invoice_handle_create, PAYMENT_ROUTE_SERVICE},
    {"GET", "/api/invoices", invoice_handle_list, PAYMENT_ROUTE_SERVICE},
    {"GET", "/api/invoices/{number}", invoice_handle_get, 0},
    {"POST", "/api/invoices/{number}/pay", invoice_handle_pay, 0},
    {"POST", "/api/invoices/{number}/void", invoice_handle_void, PAYMENT_ROUTE_SERVICE},
    {"POST", "/api/invoices/{number}/refund", invoice_handle_refund, PAYMENT_ROUTE_SERVICE},
    {"GET", "/pay/{number}", paypage_handle_get, 0},
    {"GET", "/api/webhook-deliveries", delivery_handle_list, PAYMENT_ROUTE_SERVICE},
    {"GET", "/api/webhook-deliveries/{id}", delivery_handle_get, PAYMENT_ROUTE_SERVICE},
    {"POST", "/api/webhook-deliveries/{id}/replay", delivery_handle_replay, PAYMENT_ROUTE_SERVICE},
    {"GET", "/openapi.json", apidoc_handle_spec, 0},
};
const size_t payment_nroutes = sizeof payment_routes / sizeof payment_routes[0];

int payment_before(struct http_req *req, struct http_res *res, void *app)
{
    const struct payment_app *a = app;
    if (!req->route || !(req->route->flags & PAYMENT_ROUTE_SERVICE))
        return 0;
    const char *token = http_req_bearer(req);
    if (token && a->service_token && str_ct_equal(token, a->service_token))
        return 0;
    log_info("service call refused: %s token path=%s", token ? "wrong" : "no", req->path);
    http_res_header(res, "WWW-Authenticate", "Bearer");
    http_res_error(res, 401, "UNAUTHENTICATED", "a valid service token is required");
    return 1;
}
