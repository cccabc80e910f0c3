/* apidoc_handler.c: /openapi.json, /docs and /docs/{name}; see apidoc.h.
 * Only the fixed names below reach the file system. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apidoc.h"
#include "common/log.h"
#include "common/util.h"
#include "openapi_docs.h"

const char *apidoc_root = API_DOCS_ROOT_DEFAULT;

/* Swagger UI sets styles inline and shows images as data: URIs; nothing
 * else leaves this origin. */
static const char docs_csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

static const char page_head[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Ticketing API</title>\n";

static const char page_ui[] =
    "<link rel=\"stylesheet\" href=\"/docs/swagger-ui.css\">\n</head>\n<body>\n"
    "<div id=\"swagger-ui\"></div>\n"
    "<script src=\"/docs/swagger-ui-bundle.js\"></script>\n"
    "<script src=\"/docs/swagger-ui-standalone-preset.js\"></script>\n"
    "<script src=\"/docs/init.js\"></script>\n</body>\n</html>\n";

static const char page_missing[] =
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:3em auto;padding:0 1em}"
    "code{background:#eee;padding:0 .2em}</style>\n</head>\n<body>\n"
    "<h1>Ticketing API</h1>\n"
    "<p>This page renders the services' OpenAPI documents with Swagger UI, which comes from the "
    "npm registry (package <code>swagger-ui-dist</code>) and is not installed here.</p>\n"
    "<p>To get it: install Node.js and npm (Debian: <code>apt-get install nodejs npm</code>), then "
    "run <code>make build</code> (or <code>npm ci --prefix client-app/apidocs</code>) in the "
    "repository and reload this page. A daemon installed elsewhere finds the package in "
    "<code>API_DOCS_ROOT</code>.</p>\n"
    "<p>The documents themselves (OpenAPI 3.1, JSON), to read or to import into Postman, "
    "Insomnia or a client generator:</p>\n<ul>\n"
    "<li><a href=\"/openapi.json\">client-app</a> (also at "
    "<code>/docs/client-app.json</code>)</li>\n"
    "<li><a href=\"/docs/ticket-app.json\">ticket-app</a> (ticket-app's <code>GET "
    "/openapi.json</code>)</li>\n"
    "<li><a href=\"/docs/payment-app.json\">payment-app</a> (payment-app's <code>GET "
    "/openapi.json</code>)</li>\n</ul>\n</body>\n</html>\n";

/* The page's own script (no inline script under the CSP). */
static const char init_js[] =
    "// init.js: Swagger UI over the three services' documents.\n"
    "window.ui = SwaggerUIBundle({\n"
    "  urls: [\n"
    "    { url: '/docs/client-app.json', name: 'client-app' },\n"
    "    { url: '/docs/ticket-app.json', name: 'ticket-app' },\n"
    "    { url: '/docs/payment-app.json', name: 'payment-app' },\n"
    "  ],\n"
    "  'urls.primaryName': 'client-app',\n"
    "  dom_id: '#swagger-ui',\n"
    "  deepLinking: true,\n"
    "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n"
    "  plugins: [SwaggerUIBundle.plugins.DownloadUrl],\n"
    "  layout: 'StandaloneLayout',\n"
    "});\n";

/* The renderer's files we serve, and their types. */
static const struct {
    const char *name;
    const char *type;
} renderer_files[] = {
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"},
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
    {"favicon-16x16.png", "image/png"},
};

static void doc_headers(struct http_res *res, const char *cache)
{
    http_res_header(res, "Content-Security-Policy", docs_csp);
    http_res_header(res, "X-Content-Type-Options", "nosniff");
    http_res_header(res, "Referrer-Policy", "no-referrer");
    http_res_header(res, "Cache-Control", cache);
}

void apidoc_handle_spec(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    http_res_bytes(res, 200, "application/json", openapi_client_app, openapi_client_app_len);
}

/* Reads apidoc_root/name into a new buffer (*len bytes). Returns NULL when
 * it is missing, not a regular file or too large. */
static char *read_renderer_file(const char *name, size_t *len)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", apidoc_root ? apidoc_root : ".", name);
    if (w < 0 || (size_t)w >= sizeof path)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > APIDOC_MAX_BYTES) {
        if (fd < 0 && errno != ENOENT)
            log_warn("api docs file %s: %s", name, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *buf = xmalloc(n + 1);
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int renderer_installed(void)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/swagger-ui-bundle.js", apidoc_root ? apidoc_root : ".");
    return w > 0 && (size_t)w < sizeof path && access(path, R_OK) == 0;
}

void apidoc_handle_page(struct http_req *req, struct http_res *res, void *app)
{
    (void)req;
    (void)app;
    struct sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, page_head);
    sbuf_puts(&b, renderer_installed() ? page_ui : page_missing);
    size_t len;
    char *html = sbuf_steal(&b, &len);
    doc_headers(res, "no-cache");
    http_res_take(res, 200, "text/html; charset=utf-8", html, len);
}

void apidoc_handle_file(struct http_req *req, struct http_res *res, void *app)
{
    (void)app;
    const char *name = http_req_param(req, "name");
    static const struct {
        const char *name;
        const char *doc;
        const size_t *len;
    } docs[] = {
        {"client-app.json", openapi_client_app, &openapi_client_app_len},
        {"ticket-app.json", openapi_ticket_app, &openapi_ticket_app_len},
        {"payment-app.json", openapi_payment_app, &openapi_payment_app_len},
    };
    for (size_t i = 0; name && i < sizeof docs / sizeof docs[0]; i++) {
        if (strcmp(name, docs[i].name) == 0) {
            doc_headers(res, "no-cache");
            http_res_bytes(res, 200, "application/json", docs[i].doc, *docs[i].len);
            return;
        }
    }
    if (name && strcmp(name, "init.js") == 0) {
        doc_headers(res, "no-cache");
        http_res_bytes(res, 200, "text/javascript; charset=utf-8", init_js, sizeof init_js - 1);
        return;
    }
    for (size_t i = 0; name && i < sizeof renderer_files / sizeof renderer_files[0]; i++) {
        if (strcmp(name, renderer_files[i].name) != 0)
            continue;
        size_t len = 0;
        char *data = read_renderer_file(name, &len);
        if (!data)
            break;
        doc_headers(res, "public, max-age=3600");
        http_res_take(res, 200, renderer_files[i].type, data, len);
        return;
    }
    http_res_error(res, 404, "NOT_FOUND", "no such file (is swagger-ui-dist installed? see /docs)");
}
