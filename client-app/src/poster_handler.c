/* poster_handler.c: admins upload an event's poster as the raw request body
 * (PUT), anyone reads it back. What is stored is checked by content and
 * served only as the type it was found to be, with headers that keep a
 * browser from treating it as anything else (nosniff, a sandbox CSP). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/rand.h"
#include "poster_store.h"
#include "ticket_client.h"
#include "webui.h"

/* 0 if ticket-app knows the event, else -1 after answering 404 or 503. */
static int poster_event_exists(struct client_app *app, const char *id, struct http_res *res)
{
    char path[96];
    struct httpc_res r;
    snprintf(path, sizeof path, "/api/events/%s", id);
    int rc = ticket_call_raw(app, "GET", path, &r);
    long status = rc < 0 ? 0 : r.status;
    httpc_res_cleanup(&r);
    if (status == 200)
        return 0;
    if (status == 404)
        http_res_error(res, 404, "NOT_FOUND", "no such event");
    else
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
    return -1;
}

static json_t *poster_json(const char *id, const struct poster_meta *m)
{
    char url[96];
    snprintf(url, sizeof url, "/api/events/%s/poster", id);
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "event_id", id, "content_type",
                     m->content_type, "width", (json_int_t)m->width, "height",
                     (json_int_t)m->height, "size", (json_int_t)m->size, "updated_at",
                     m->updated_at, "url", url);
}

void poster_handle_put(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id = http_req_uuid_param(req, res, "id", "event");
    if (!id)
        return;
    if (req->body_len == 0) {
        http_res_error(res, 400, "VALIDATION_FAILED",
                       "send the PNG or JPEG image itself as the request body");
        return;
    }
    if (req->body_len > POSTER_MAX_BYTES) {
        http_res_error(res, 413, "PAYLOAD_TOO_LARGE", "a poster may be at most %d KiB",
                       POSTER_MAX_BYTES / 1024);
        return;
    }
    struct poster_meta m;
    memset(&m, 0, sizeof m);
    const unsigned char *data = (const unsigned char *)req->body;
    enum poster_kind kind = poster_sniff(data, req->body_len, &m.width, &m.height);
    if (kind == POSTER_INVALID) {
        http_res_error(res, 415, "UNSUPPORTED_MEDIA_TYPE",
                       "a poster must be a PNG or JPEG image of at most %dx%d pixels",
                       POSTER_MAX_DIM, POSTER_MAX_DIM);
        return;
    }
    snprintf(m.content_type, sizeof m.content_type, "%s", poster_mime(kind));
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, req->body_len);
    sodium_bin2hex(m.sha256, sizeof m.sha256, h, sizeof h);

    /* ask ticket-app first, with no connection of ours held */
    if (poster_event_exists(app, id, res) < 0)
        return;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    const struct auth_user *u = auth_current(req);
    enum db_status st = poster_store_put(c, id, u ? u->id : NULL, data, req->body_len, &m);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    http_res_json(res, 200, poster_json(id, &m));
}

void poster_handle_delete(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id;
    struct db_conn *c = db_acquire_for_id(app->pool, APP_DB_WAIT_MS, req, res, "event", &id);
    if (!c)
        return;
    enum db_status st = poster_store_delete(c, id);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "this event has no poster");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_no_content(res);
}

void poster_handle_get(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id;
    struct db_conn *c = db_acquire_for_id(app->pool, APP_DB_WAIT_MS, req, res, "event", &id);
    if (!c)
        return;
    struct poster_meta m;
    unsigned char *data = NULL;
    /* a conditional request needs only the hash */
    const char *inm = http_req_header(req, "If-None-Match");
    enum db_status st = poster_store_get(c, id, inm == NULL, &data, &m);
    char etag[70];
    if (st == DB_OK && inm) {
        snprintf(etag, sizeof etag, "\"%s\"", m.sha256);
        if (strstr(inm, etag) == NULL)
            st = poster_store_get(c, id, 1, &data, &m);
    }
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "this event has no poster");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    snprintf(etag, sizeof etag, "\"%s\"", m.sha256);
    /* The type is the one sniffed at upload; nothing here lets a browser
     * run it as a page: nosniff, a sandbox without scripts, inline only. */
    http_res_header(res, "X-Content-Type-Options", "nosniff");
    http_res_header(res, "Content-Security-Policy", "default-src 'none'; sandbox");
    http_res_header(res, "Content-Disposition",
                    strcmp(m.content_type, "image/png") == 0 ? "inline; filename=\"poster.png\""
                                                             : "inline; filename=\"poster.jpg\"");
    http_res_header(res, "Cache-Control", "no-cache");
    http_res_header(res, "ETag", etag);
    http_res_header(res, "Cross-Origin-Resource-Policy", "same-origin");
    if (!data) {
        http_res_bytes(res, 304, NULL, NULL, 0);
        return;
    }
    http_res_take(res, 200, m.content_type, (char *)data, m.size);
}
