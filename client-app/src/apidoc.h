/* apidoc.h: the API documentation client-app serves: GET /openapi.json
 * (its own OpenAPI document, built into the binary), GET /docs (a page
 * rendering the three services' documents with Swagger UI) and
 * GET /docs/{name} (the renderer's files, from the npm package
 * swagger-ui-dist in API_DOCS_ROOT, and the other two documents). Without
 * the package, /docs is a page saying how to install it. */
#ifndef CLIENT_APIDOC_H
#define CLIENT_APIDOC_H

#include "common/http.h"

/* Where swagger-ui-dist's files are unless API_DOCS_ROOT says otherwise:
 * the source tree's client-app/apidocs/node_modules (set by CMake). */
#ifndef API_DOCS_ROOT_DEFAULT
#define API_DOCS_ROOT_DEFAULT "apidocs/node_modules/swagger-ui-dist"
#endif

/* A renderer file above this is not served (swagger-ui-bundle.js: ~1.5 MB). */
#define APIDOC_MAX_BYTES (8 * 1024 * 1024)

/* API_DOCS_ROOT (main.c's table points here). */
extern const char *apidoc_root;

void apidoc_handle_spec(struct http_req *req, struct http_res *res, void *app);
void apidoc_handle_page(struct http_req *req, struct http_res *res, void *app);
void apidoc_handle_file(struct http_req *req, struct http_res *res, void *app);

#endif
