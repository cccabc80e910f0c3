/* static_handler.c: the web UI's files, read from WEB_ROOT on each request
 * (a few small files; an edit shows without a restart). Only index.html and
 * names that static_asset_type accepts under assets/ can be reached, so no
 * request path ever becomes a file-system path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "common/log.h"
#include "common/util.h"
#include "webui.h"

struct webui_config webui_cfg;

/* The UI's own files only: no inline script or style, no other origin. The
 * posters and the ticket PDF download come from this origin (blob: for the
 * PDF made from a fetched response, and for a poster preview). */
static const char ui_csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "img-src 'self' blob:; connect-src 'self'; "
                             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const struct {
    const char *ext;
    const char *type;
} asset_types[] = {
    {"js", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"json", "application/json"},
};

const char *static_asset_type(const char *name)
{
    if (!name)
        return NULL;
    size_t i = 0;
    for (; name[i] && name[i] != '.'; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return NULL;
        if (i >= 64)
            return NULL;
    }
    if (i == 0 || name[i] != '.')
        return NULL;
    const char *ext = name + i + 1;
    for (size_t k = 0; k < sizeof asset_types / sizeof asset_types[0]; k++)
        if (strcmp(ext, asset_types[k].ext) == 0)
            return asset_types[k].type;
    return NULL;
}

/* Reads WEB_ROOT/rel (rel is one of our fixed or validated names) and
 * answers res with it, or 404. */
static void static_send(struct http_req *req, struct http_res *res, const char *rel,
                        const char *type, const char *cache)
{
    char path[4096], etag[64];
    int w =
        snprintf(path, sizeof path, "%s/%s", webui_cfg.web_root ? webui_cfg.web_root : ".", rel);
    if (w < 0 || (size_t)w >= sizeof path) {
        http_res_error(res, 404, "NOT_FOUND", "no such file");
        return;
    }
    /* O_NOFOLLOW: a link placed in the web folder does not lead out of it */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX_BYTES) {
        if (fd < 0 && errno != ENOENT)
            log_warn("web file %s: %s", rel, strerror(errno));
        if (fd >= 0)
            close(fd);
        http_res_error(res, 404, "NOT_FOUND", "no such file");
        return;
    }
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)sb.st_size,
             (unsigned long long)sb.st_mtim.tv_sec * 1000000000ULL +
                 (unsigned long long)sb.st_mtim.tv_nsec);
    http_res_header(res, "Content-Security-Policy", ui_csp);
    http_res_header(res, "X-Content-Type-Options", "nosniff");
    http_res_header(res, "Referrer-Policy", "no-referrer");
    http_res_header(res, "X-Frame-Options", "DENY");
    http_res_header(res, "Cache-Control", cache);
    http_res_header(res, "ETag", etag);
    const char *inm = http_req_header(req, "If-None-Match");
    if (inm && strstr(inm, etag)) {
        close(fd);
        http_res_bytes(res, 304, NULL, NULL, 0);
        return;
    }
    size_t len = (size_t)sb.st_size, got = 0;
    char *buf = xmalloc(len + 1);
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != len) {
        free(buf);
        log_warn("web file %s: short read", rel);
        http_res_error(res, 500, "INTERNAL", "could not read the file");
        return;
    }
    buf[len] = '\0';
    http_res_take(res, 200, type, buf, len);
}

void static_handle_index(struct http_req *req, struct http_res *res, void *app)
{
    (void)app;
    static_send(req, res, "index.html", "text/html; charset=utf-8", "no-cache");
}

void static_handle_asset(struct http_req *req, struct http_res *res, void *app)
{
    (void)app;
    const char *name = http_req_param(req, "name");
    const char *type = static_asset_type(name);
    char rel[96];
    if (!type || snprintf(rel, sizeof rel, "assets/%s", name) >= (int)sizeof rel) {
        http_res_error(res, 404, "NOT_FOUND", "no such file");
        return;
    }
    static_send(req, res, rel, type, "no-cache");
}
