/* ticket_client.c: the HTTP calls to ticket-app. */
#include "ticket_client.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"

/* base + path into url; -1 if it does not fit (never, with the bounded
 * paths built here, but checked). */
static int build_url(const struct client_app *app, const char *path, char *url, size_t n)
{
    size_t blen = strlen(app->ticket_url);
    while (blen > 0 && app->ticket_url[blen - 1] == '/')
        blen--;
    int w = snprintf(url, n, "%.*s%s", (int)blen, app->ticket_url, path);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

int ticket_call_json(struct client_app *app, const char *method, const char *path, json_t *body,
                     long *status, json_t **out)
{
    char url[1024];
    *status = 0;
    if (out)
        *out = NULL;
    if (build_url(app, path, url, sizeof(url)) < 0)
        return -1;
    int rc = httpc_json(method, url, app->ticket_token, body, app->ticket_timeout_ms, status, out);
    if (rc < 0)
        log_warn("ticket-app unreachable method=%s path=%s", method, path);
    return rc;
}

int ticket_call_raw(struct client_app *app, const char *method, const char *path,
                    struct httpc_res *out)
{
    char url[1024], auth[512];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", app->ticket_token);
    const char *headers[] = {auth, "Accept: application/json, application/pdf", NULL};
    if (build_url(app, path, url, sizeof(url)) < 0) {
        memset(out, 0, sizeof(*out));
        snprintf(out->error, sizeof(out->error), "url too long");
        return -1;
    }
    int rc = httpc_request(method, url, headers, NULL, 0, app->ticket_timeout_ms, out);
    sodium_memzero(auth, sizeof(auth));
    if (rc < 0)
        log_warn("ticket-app unreachable method=%s path=%s", method, path);
    return rc;
}
