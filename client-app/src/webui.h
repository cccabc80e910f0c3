/* webui.h: what client-app adds for the web UI: the static files at / and
 * /assets/, the admin event proxies to ticket-app, and event posters. */
#ifndef CLIENT_WEBUI_H
#define CLIENT_WEBUI_H

#include <jansson.h>
#include <stddef.h>

#include <jansson.h>

#include "common/http.h"

/* The web UI's folder when WEB_ROOT is unset: the source tree's (set by
 * CMake, like MIGRATIONS_ROOT); an installed daemon sets WEB_ROOT. */
#ifndef WEB_ROOT_DEFAULT
#define WEB_ROOT_DEFAULT "web"
#endif

/* Posters above this are refused with 413 (well under the server's 1 MiB). */
#define POSTER_MAX_BYTES (512 * 1024)
/* Width and height of a poster, each 1..this. */
#define POSTER_MAX_DIM 10000
/* A static file above this is not served (ours are a few dozen KiB). */
#define STATIC_MAX_BYTES (2 * 1024 * 1024)

/* Configuration of the web UI part (main.c's table points into it). */
struct webui_config {
    const char *web_root;    /* folder holding index.html and assets/ */
    const char *admin_token; /* TICKET_ADMIN_TOKEN; "" = admin event management off */
};
extern struct webui_config webui_cfg;

/* static_handler.c */
/* The Content-Type of an asset name ("app.js"), or NULL when the name is not
 * one we serve: 1..64 of [A-Za-z0-9_-], one dot, a known extension. Nothing
 * else (no "..", "/", "\\", NUL, hidden files) can reach the file system. */
const char *static_asset_type(const char *name);
void static_handle_index(struct http_req *req, struct http_res *res, void *app);
void static_handle_asset(struct http_req *req, struct http_res *res, void *app);

/* admin_handler.c: /api/admin/events... passed on to ticket-app's admin API
 * with TICKET_ADMIN_TOKEN; 503 ADMIN_UNAVAILABLE when that is unset. */
void admin_handle_event_create(struct http_req *req, struct http_res *res, void *app);
void admin_handle_event_patch(struct http_req *req, struct http_res *res, void *app);
void admin_handle_event_delete(struct http_req *req, struct http_res *res, void *app);
void admin_handle_event_stats(struct http_req *req, struct http_res *res, void *app);
/* POST /api/admin/events/{id}/publish and /cancel: ticket-app's publish
 * (a DRAFT goes on sale) and event cancel (every live booking cancelled,
 * paid ones refunded, holders told); 200 Event. */
void admin_handle_event_publish(struct http_req *req, struct http_res *res, void *app);
void admin_handle_event_cancel(struct http_req *req, struct http_res *res, void *app);
/* Calls ticket-app with the admin token and answers res with what it said:
 * its status and JSON body for 2xx/4xx; 503 when it cannot be reached,
 * fails (5xx) or refuses our token (401/403: the configuration is wrong,
 * not the caller's session). body is borrowed, may be NULL. app is the
 * struct client_app. */
struct client_app;
void admin_forward(struct client_app *app, struct http_res *res, const char *method,
                   const char *path, const json_t *body);

/* poster.c: pure checks of an uploaded image. */
enum poster_kind {
    POSTER_INVALID = 0,
    POSTER_PNG,
    POSTER_JPEG,
};
/* Decides what data is by its content alone: a PNG whose chunks are all in
 * bounds with good CRCs, IHDR first, IDAT present, ending with IEND; or a
 * JPEG whose segments up to the first scan are in bounds, with a frame
 * header (SOFn) before it and an end marker after. Width and height
 * (1..POSTER_MAX_DIM) go to *w and *h. POSTER_INVALID otherwise. */
enum poster_kind poster_sniff(const unsigned char *data, size_t len, unsigned *w, unsigned *h);
/* "image/png", "image/jpeg", or NULL for POSTER_INVALID. */
const char *poster_mime(enum poster_kind kind);

/* Sets event's "poster_url": "/api/events/<id>/poster?v=<version>" when
 * version is not empty (the event has a poster; the version changes with
 * the image, so a browser may cache the URL), else null, so that the UI
 * asks for a poster only where there is one. event is borrowed. */
void poster_url_set(json_t *event, const char *version);

/* poster_handler.c */
void poster_handle_put(struct http_req *req, struct http_res *res, void *app);
void poster_handle_delete(struct http_req *req, struct http_res *res, void *app);
void poster_handle_get(struct http_req *req, struct http_res *res, void *app);

#endif
