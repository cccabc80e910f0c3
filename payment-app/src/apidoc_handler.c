/* apidoc_handler.c: serves the OpenAPI document built into the binary. */
#include "apidoc.h"
#include "openapi_docs.h"

void apidoc_handle_spec(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    http_res_bytes(res, 200, "application/json", openapi_payment_app, openapi_payment_app_len);
}
