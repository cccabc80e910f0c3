/* openapi_docs.h: the OpenAPI 3.1 documents of the three services
 * (openapi/<service>.json, written by openapi/build.js), built into the
 * daemons by openapi/embed.cmake. Each is NUL-terminated; _len excludes
 * the NUL. */
#ifndef OPENAPI_DOCS_H
#define OPENAPI_DOCS_H

#include <stddef.h>

extern const char openapi_client_app[];
extern const size_t openapi_client_app_len;
extern const char openapi_ticket_app[];
extern const size_t openapi_ticket_app_len;
extern const char openapi_payment_app[];
extern const size_t openapi_payment_app_len;

#endif
