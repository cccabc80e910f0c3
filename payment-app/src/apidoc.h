/* apidoc.h: GET /openapi.json, this service's OpenAPI document
 * (openapi/payment-app.json, built into the binary). */
#ifndef PAYMENT_APIDOC_H
#define PAYMENT_APIDOC_H

#include "common/http.h"

void apidoc_handle_spec(struct http_req *req, struct http_res *res, void *app);

#endif
