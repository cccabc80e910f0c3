/* apidoc.h: GET /openapi.json, this service's OpenAPI document
 * (openapi/ticket-app.json, built into the binary). */
#ifndef TICKET_APIDOC_H
#define TICKET_APIDOC_H

#include "common/http.h"

void apidoc_handle_spec(struct http_req *req, struct http_res *res, void *app);

#endif
