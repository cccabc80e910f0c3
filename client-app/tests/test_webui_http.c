/* test_webui_http.c: what client-app serves for the web UI, over HTTP, with
 * a real client-app and ticket-app on the test PostgreSQL: the static files
 * and their headers, every way out of the web folder refused, the admin
 * event proxies (roles, pass-through, token unset or refused), and posters
 * (PNG and JPEG accepted by content, anything else refused, size caps,
 * served back with safe headers, gone with their event). */
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_testlib.h"
#include "common/util.h"
#include "testsupport.h"
#include "webui.h"
#include "webui_images.h"

#define ADMIN_PW "webui-admin-pass"
#define ADMIN_TOKEN "webui-ticket-admin-token"
#define SERVICE_TOKEN "webui-ticket-service-token"
#define INDEX_HTML "<!DOCTYPE html><title>test index</title>\n"
#define APP_JS "console.log('test');\n"
#define SECRET "TOP-SECRET-do-not-serve"

static struct test_daemon ticket, client, bare, wrong;
static char web_root[256];
static const char *C; /* client-app with the admin token */

/* ---------- HTTP with binary bodies and every response header ---------- */

struct bres {
    long status;
    char *body;
    size_t len;
    struct sbuf headers; /* "name: value\r\n" lines */
    json_t *json;
};

static size_t head_sink(char *d, size_t s, size_t n, void *p)
{
    struct bres *r = p;
    /* a 100 Continue or redirect block is followed by the real one */
    if (s * n > 5 && strncmp(d, "HTTP/", 5) == 0) {
        sbuf_cleanup(&r->headers);
        sbuf_init(&r->headers);
    }
    sbuf_add(&r->headers, d, s * n);
    return s * n;
}

/* method base+path; body data/len (may be NULL) sent as ctype; path sent
 * exactly as written (no dot-segment removal). Returns the status. */
static long bcall(const char *base, const char *method, const char *path, const char *bearer,
                  const void *data, size_t len, const char *ctype, const char *header,
                  struct bres *r)
{
    memset(r, 0, sizeof *r);
    sbuf_init(&r->headers);
    CURL *h = curl_easy_init();
    char url[2048], auth[256], ct[128];
    snprintf(url, sizeof url, "%s%s", base, path);
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        list = curl_slist_append(list, ct);
    }
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        list = curl_slist_append(list, auth);
    }
    if (header)
        list = curl_slist_append(list, header);
    struct sbuf b;
    sbuf_init(&b);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, test_curl_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, head_sink);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (data || strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, data ? data : "");
    }
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(h);
    sbuf_add(&b, "", 0);
    r->body = sbuf_steal(&b, &r->len);
    if (!r->body)
        r->body = xstrdup("");
    sbuf_cleanup(&b);
    sbuf_add(&r->headers, "", 0);
    r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

static void bfree(struct bres *r)
{
    free(r->body);
    sbuf_cleanup(&r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* The value of response header name ("" when absent), into out. */
static const char *bhdr(const struct bres *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = r->headers.buf; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(len - (size_t)(v - p)), v);
            return out;
        }
        p = eol ? eol + 2 : p + len;
    }
    return out;
}

static const char *bstr(const struct bres *r, const char *key)
{
    json_t *v = json_object_get(r->json, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static const char *berr(const struct bres *r)
{
    json_t *e = json_object_get(r->json, "error");
    json_t *c = json_object_get(e, "code");
    return json_is_string(c) ? json_string_value(c) : "";
}

/* ---------- set-up ---------- */

static void write_file(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", web_root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int make_web_root(void)
{
    const char *tmp = getenv("TEST_TMPDIR");
    snprintf(web_root, sizeof web_root, "%s/webui-root-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(web_root))
        return -1;
    char p[512];
    snprintf(p, sizeof p, "%s/assets", web_root);
    if (mkdir(p, 0755) != 0)
        return -1;
    write_file("index.html", INDEX_HTML);
    write_file("secret.txt", SECRET);
    write_file("assets/app.js", APP_JS);
    write_file("assets/style.css", "body{color:red}\n");
    write_file("assets/icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
    write_file("assets/notes.txt", SECRET);
    write_file("assets/.hidden.js", SECRET);
    /* a link inside the folder to a file outside it */
    char target[512];
    snprintf(target, sizeof target, "%s/secret.txt", web_root);
    snprintf(p, sizeof p, "%s/assets/link.js", web_root);
    return symlink(target, p);
}

static int start_client(struct test_daemon *d, const char *name, const char *db, int tport,
                        const char *admin_token)
{
    char c_db[600], c_ticket[96], c_root[300], c_admin[128];
    snprintf(c_db, sizeof c_db, "DATABASE_URL=%s", db);
    snprintf(c_ticket, sizeof c_ticket, "TICKET_APP_URL=http://127.0.0.1:%d", tport);
    snprintf(c_root, sizeof c_root, "WEB_ROOT=%s", web_root);
    snprintf(c_admin, sizeof c_admin, "TICKET_ADMIN_TOKEN=%s", admin_token ? admin_token : "");
    const char *env[] = {c_db,
                         c_ticket,
                         c_root,
                         c_admin,
                         "TICKET_SERVICE_TOKEN=" SERVICE_TOKEN,
                         "NOTIFY_SECRET=webui-notify-secret",
                         "ADMIN_PASSWORD=" ADMIN_PW,
                         "RATE_LIMIT_PER_MINUTE=0",
                         "DB_POOL_SIZE=4",
                         "HTTP_WORKERS=4",
                         NULL};
    return test_daemon_start(d, name, CLIENT_APP_BIN, "CLIENT_APP_PORT", 0, env);
}

static int setup(void **state)
{
    (void)state;
    test_require_pg();
    char tdb[512], cdb[512];
    if (make_web_root() < 0 || test_db_create("webui_ticket", NULL, tdb, sizeof tdb) < 0 ||
        test_db_create("webui_client", NULL, cdb, sizeof cdb) < 0)
        return -1;
    char t_db[600], t_pay[96];
    snprintf(t_db, sizeof t_db, "DATABASE_URL=%s", tdb);
    /* nobody there: these tests book nothing */
    snprintf(t_pay, sizeof t_pay, "PAYMENT_APP_URL=http://127.0.0.1:%d", test_free_port());
    const char *tenv[] = {t_db,
                          t_pay,
                          "TICKET_ADMIN_TOKEN=" ADMIN_TOKEN,
                          "TICKET_SERVICE_TOKEN=" SERVICE_TOKEN,
                          "PAYMENT_SERVICE_TOKEN=webui-payment-token",
                          "WEBHOOK_SECRET=webui-webhook-secret",
                          "NOTIFY_SECRET=webui-notify-secret",
                          "TICKET_CODE_SECRET=webui-code-secret",
                          "DB_POOL_SIZE=4",
                          "HTTP_WORKERS=4",
                          NULL};
    if (test_daemon_start(&ticket, "ticket-app", TICKET_APP_BIN, "TICKET_APP_PORT", 0, tenv))
        return -1;
    if (start_client(&client, "client-app", cdb, ticket.port, ADMIN_TOKEN) ||
        start_client(&bare, "client-app-no-admin-token", cdb, ticket.port, NULL) ||
        start_client(&wrong, "client-app-wrong-admin-token", cdb, ticket.port, "not-the-token"))
        return -1;
    C = client.base_url;
    return 0;
}

static int stop_clean(struct test_daemon *d)
{
    int st = test_daemon_stop(d);
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        fprintf(stderr, "%s exited with status %d, log %s\n", d->name, st, d->log_path);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int rc = stop_clean(&client) | stop_clean(&bare) | stop_clean(&wrong) | stop_clean(&ticket);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", web_root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", web_root);
    return rc;
}

static void login(const char *base, const char *user, const char *pw, char tok[65])
{
    assert_int_equal(tlogin(base, user, pw, tok), 201);
}

static void new_user(const char *name, char tok[65])
{
    char email[96];
    snprintf(email, sizeof email, "%s@example.com", name);
    assert_int_equal(tuser_create(C, name, email, "password-123", NULL), 201);
    login(C, name, "password-123", tok);
}

/* Creates an event through the admin proxy; its id into id. */
static void create_event(const char *adm, const char *name, char id[37])
{
    struct bres r;
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"venue\":\"Hall\",\"starts_at\":\"2031-01-02T19:00:00Z\","
             "\"layout\":{\"sections\":[{\"name\":\"Floor\",\"rows\":[\"A\",\"B\"],"
             "\"seats_per_row\":5,\"price\":1000}]}}",
             name);
    bcall(C, "POST", "/api/admin/events", adm, body, strlen(body), "application/json", NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "create event: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(id, 37, "%s", bstr(&r, "id"));
    json_t *counts = json_object_get(r.json, "seat_counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "total")), 10);
    bfree(&r);
}

/* ---------- tests ---------- */

static void static_files(void **state)
{
    (void)state;
    struct bres r;
    char v[512], etag[128];

    assert_int_equal(bcall(C, "GET", "/", NULL, NULL, 0, NULL, NULL, &r), 200);
    assert_string_equal(r.body, INDEX_HTML);
    assert_string_equal(bhdr(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    assert_string_equal(bhdr(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
    assert_string_equal(bhdr(&r, "Referrer-Policy", v, sizeof v), "no-referrer");
    assert_string_equal(bhdr(&r, "X-Frame-Options", v, sizeof v), "DENY");
    assert_string_equal(bhdr(&r, "Cache-Control", v, sizeof v), "no-cache");
    bhdr(&r, "Content-Security-Policy", v, sizeof v);
    assert_non_null(strstr(v, "script-src 'self'"));
    assert_non_null(strstr(v, "default-src 'none'"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_null(strstr(v, "unsafe-inline"));
    assert_null(strstr(v, "unsafe-eval"));
    bhdr(&r, "ETag", etag, sizeof etag);
    assert_true(strlen(etag) > 2);
    bfree(&r);

    /* revalidation */
    char inm[160];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    assert_int_equal(bcall(C, "GET", "/", NULL, NULL, 0, NULL, inm, &r), 304);
    assert_int_equal(r.len, 0);
    bfree(&r);

    const struct {
        const char *path, *type, *body;
    } ok[] = {
        {"/assets/app.js", "text/javascript; charset=utf-8", APP_JS},
        {"/assets/style.css", "text/css; charset=utf-8", "body{color:red}\n"},
        {"/assets/icon.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(bcall(C, "GET", ok[i].path, NULL, NULL, 0, NULL, NULL, &r), 200);
        assert_string_equal(bhdr(&r, "Content-Type", v, sizeof v), ok[i].type);
        assert_string_equal(bhdr(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
        assert_string_equal(r.body, ok[i].body);
        bfree(&r);
    }

    /* every way out of the folder, and every name we do not serve */
    const char *refused[] = {
        "/assets/../secret.txt",
        "/assets/..%2fsecret.txt",
        "/assets/%2e%2e%2fsecret.txt",
        "/assets/%2E%2E/secret.txt",
        "/assets/..",
        "/assets/%2e%2e",
        "/assets/..%5csecret.txt",
        "/assets/..\\secret.txt",
        "/assets/.hidden.js",
        "/assets/notes.txt",
        "/assets/link.js",
        "/assets/missing.js",
        "/assets/sub/app.js",
        "/assets/",
        "/assets//app.js",
        "/assets/app.js/",
        "/assets/%2fetc%2fpasswd",
        "/assets/app.js%2f..%2f..%2fsecret.txt",
        "/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/index.html",
        "/assets/index.html",
        "/assets/app.min.js",
        "/assets/app.JS",
        "/assets/%00app.js",
        "/assets/app%00.js",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        long st = bcall(C, "GET", refused[i], NULL, NULL, 0, NULL, NULL, &r);
        if (st != 404 && st != 400)
            fail_msg("%s answered %ld: %.80s", refused[i], st, r.body);
        assert_null(strstr(r.body, SECRET));
        bfree(&r);
    }

    /* %00 is never decoded into a NUL (which would cut the path short and
     * serve app.js for "app.js%00.css"): the name stays invalid, 404. */
    assert_int_equal(bcall(C, "GET", "/assets/app.js%00.css", NULL, NULL, 0, NULL, NULL, &r), 404);
    bfree(&r);

    /* the files are read-only */
    assert_int_equal(bcall(C, "POST", "/assets/app.js", NULL, "x", 1, "text/plain", NULL, &r), 405);
    bfree(&r);
    assert_int_equal(bcall(C, "PUT", "/", NULL, "x", 1, "text/html", NULL, &r), 405);
    bfree(&r);
}

static void admin_proxy(void **state)
{
    (void)state;
    struct bres r;
    char adm[65], user[65], id[37], path[160];
    login(C, "admin", ADMIN_PW, adm);
    new_user("proxyuser", user);
    const char *ok_body =
        "{\"name\":\"Proxy Night\",\"venue\":\"Hall\","
        "\"starts_at\":\"2031-01-02T19:00:00Z\",\"layout\":{\"sections\":["
        "{\"name\":\"Floor\",\"rows\":[\"A\"],\"seats_per_row\":3,\"price\":5}]}}";
    size_t ok_len = strlen(ok_body);

    /* who may */
    assert_int_equal(
        bcall(C, "POST", "/api/admin/events", NULL, ok_body, ok_len, "application/json", NULL, &r),
        401);
    assert_string_equal(berr(&r), "UNAUTHENTICATED");
    bfree(&r);
    assert_int_equal(
        bcall(C, "POST", "/api/admin/events", user, ok_body, ok_len, "application/json", NULL, &r),
        403);
    assert_string_equal(berr(&r), "FORBIDDEN");
    bfree(&r);

    /* bad bodies stop here or come back from ticket-app as they were */
    assert_int_equal(
        bcall(C, "POST", "/api/admin/events", adm, "{nope", 5, "application/json", NULL, &r), 400);
    assert_string_equal(berr(&r), "MALFORMED_JSON");
    bfree(&r);
    assert_int_equal(
        bcall(C, "POST", "/api/admin/events", adm, ok_body, ok_len, "text/plain", NULL, &r), 415);
    bfree(&r);
    const char *bad = "{\"name\":\"x\",\"venue\":\"y\",\"starts_at\":\"2031-01-02T19:00:00Z\","
                      "\"layout\":{\"sections\":[]}}";
    assert_int_equal(
        bcall(C, "POST", "/api/admin/events", adm, bad, strlen(bad), "application/json", NULL, &r),
        400);
    assert_string_equal(berr(&r), "VALIDATION_FAILED");
    assert_non_null(strstr(r.body, "layout.sections"));
    bfree(&r);

    /* create, then users see it */
    assert_int_equal(
        bcall(C, "POST", "/api/admin/events", adm, ok_body, ok_len, "application/json", NULL, &r),
        201);
    snprintf(id, sizeof id, "%s", bstr(&r, "id"));
    assert_true(strlen(id) == 36);
    bfree(&r);
    snprintf(path, sizeof path, "/api/events/%s", id);
    assert_int_equal(bcall(C, "GET", path, NULL, NULL, 0, NULL, NULL, &r), 200);
    assert_string_equal(bstr(&r, "name"), "Proxy Night");
    bfree(&r);

    /* edit */
    snprintf(path, sizeof path, "/api/admin/events/%s", id);
    const char *patch = "{\"name\":\"Proxy Night II\"}";
    assert_int_equal(
        bcall(C, "PATCH", path, user, patch, strlen(patch), "application/json", NULL, &r), 403);
    bfree(&r);
    assert_int_equal(
        bcall(C, "PATCH", path, adm, patch, strlen(patch), "application/json", NULL, &r), 200);
    assert_string_equal(bstr(&r, "name"), "Proxy Night II");
    bfree(&r);
    assert_int_equal(bcall(C, "PATCH", "/api/admin/events/not-a-uuid", adm, patch, strlen(patch),
                           "application/json", NULL, &r),
                     404);
    bfree(&r);
    assert_int_equal(bcall(C, "PATCH", "/api/admin/events/7d2c1a9e-0000-4000-8000-000000000001",
                           adm, patch, strlen(patch), "application/json", NULL, &r),
                     404);
    bfree(&r);

    /* statistics */
    snprintf(path, sizeof path, "/api/admin/events/%s/stats", id);
    assert_int_equal(bcall(C, "GET", path, user, NULL, 0, NULL, NULL, &r), 403);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", path, adm, NULL, 0, NULL, NULL, &r), 200);
    json_t *seats = json_object_get(r.json, "seats");
    assert_int_equal(json_integer_value(json_object_get(seats, "total")), 3);
    assert_int_equal(json_integer_value(json_object_get(seats, "open")), 3);
    assert_int_equal(json_integer_value(json_object_get(r.json, "revenue")), 0);
    assert_int_equal(json_integer_value(json_object_get(r.json, "checked_in")), 0);
    assert_non_null(json_object_get(r.json, "bookings"));
    bfree(&r);

    /* delete */
    snprintf(path, sizeof path, "/api/admin/events/%s", id);
    assert_int_equal(bcall(C, "DELETE", path, user, NULL, 0, NULL, NULL, &r), 403);
    bfree(&r);
    assert_int_equal(bcall(C, "DELETE", path, adm, NULL, 0, NULL, NULL, &r), 204);
    bfree(&r);
    assert_int_equal(bcall(C, "DELETE", path, adm, NULL, 0, NULL, NULL, &r), 404);
    bfree(&r);
    snprintf(path, sizeof path, "/api/events/%s", id);
    assert_int_equal(bcall(C, "GET", path, NULL, NULL, 0, NULL, NULL, &r), 404);
    bfree(&r);

    /* without TICKET_ADMIN_TOKEN, or with one ticket-app refuses: 503 */
    const struct test_daemon *other[] = {&bare, &wrong};
    for (size_t i = 0; i < 2; i++) {
        char tok[65];
        login(other[i]->base_url, "admin", ADMIN_PW, tok);
        assert_int_equal(bcall(other[i]->base_url, "POST", "/api/admin/events", tok, ok_body,
                               ok_len, "application/json", NULL, &r),
                         503);
        assert_string_equal(berr(&r), "ADMIN_UNAVAILABLE");
        assert_null(strstr(r.body, ADMIN_TOKEN));
        bfree(&r);
        assert_int_equal(bcall(other[i]->base_url, "GET",
                               "/api/admin/events/7d2c1a9e-0000-4000-8000-000000000001/stats", tok,
                               NULL, 0, NULL, NULL, &r),
                         503);
        assert_string_equal(berr(&r), "ADMIN_UNAVAILABLE");
        bfree(&r);
    }
}

static void put_poster(const char *id, const char *tok, const void *data, size_t len,
                       const char *ctype, struct bres *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/admin/events/%s/poster", id);
    bcall(C, "PUT", path, tok, data, len, ctype, NULL, r);
}

static void posters(void **state)
{
    (void)state;
    struct bres r;
    char adm[65], user[65], id[37], get_path[128], v[256];
    login(C, "admin", ADMIN_PW, adm);
    new_user("posteruser", user);
    create_event(adm, "Poster Show", id);
    snprintf(get_path, sizeof get_path, "/api/events/%s/poster", id);

    /* none yet */
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, NULL, &r), 404);
    assert_string_equal(berr(&r), "NOT_FOUND");
    bfree(&r);
    char ev_path[128];
    snprintf(ev_path, sizeof ev_path, "/api/events/%s", id);
    assert_int_equal(bcall(C, "GET", ev_path, NULL, NULL, 0, NULL, NULL, &r), 200);
    assert_true(json_is_null(json_object_get(r.json, "poster_url")));
    bfree(&r);

    /* a PNG */
    put_poster(id, adm, png_2x3, PNG_2X3_LEN, "image/png", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(bstr(&r, "content_type"), "image/png");
    assert_int_equal(json_integer_value(json_object_get(r.json, "width")), 2);
    assert_int_equal(json_integer_value(json_object_get(r.json, "height")), 3);
    assert_int_equal(json_integer_value(json_object_get(r.json, "size")), PNG_2X3_LEN);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, NULL, &r), 200);
    assert_int_equal(r.len, PNG_2X3_LEN);
    assert_memory_equal(r.body, png_2x3, PNG_2X3_LEN);
    /* the event now names its poster, as does its entry in the list */
    char url[160], url_png[160];
    struct bres e;
    assert_int_equal(bcall(C, "GET", ev_path, NULL, NULL, 0, NULL, NULL, &e), 200);
    assert_non_null(bstr(&e, "poster_url"));
    snprintf(url_png, sizeof url_png, "%s", bstr(&e, "poster_url"));
    snprintf(url, sizeof url, "%s?v=", get_path);
    assert_true(strncmp(url_png, url, strlen(url)) == 0);
    bfree(&e);
    assert_int_equal(bcall(C, "GET", "/api/events?limit=200", NULL, NULL, 0, NULL, NULL, &e), 200);
    int listed = 0;
    json_t *item;
    size_t ix;
    json_array_foreach(json_object_get(e.json, "items"), ix, item)
    {
        const char *pu = json_string_value(json_object_get(item, "poster_url"));
        if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0) {
            assert_string_equal(pu, url_png);
            listed = 1;
        } else {
            assert_true(json_is_null(json_object_get(item, "poster_url")) || pu);
        }
    }
    assert_true(listed);
    bfree(&e);
    assert_string_equal(bhdr(&r, "Content-Type", v, sizeof v), "image/png");
    assert_string_equal(bhdr(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
    assert_non_null(strstr(bhdr(&r, "Content-Security-Policy", v, sizeof v), "sandbox"));
    assert_true(strncmp(bhdr(&r, "Content-Disposition", v, sizeof v), "inline", 6) == 0);
    char etag[128], inm[160];
    bhdr(&r, "ETag", etag, sizeof etag);
    bfree(&r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, inm, &r), 304);
    assert_int_equal(r.len, 0);
    bfree(&r);

    /* a JPEG replaces it, whatever type the upload claimed */
    unsigned char *buf = malloc(2 * 1024 * 1024);
    size_t n = jpeg_make(buf, 640, 360, 5000);
    put_poster(id, adm, buf, n, "application/octet-stream", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(bstr(&r, "content_type"), "image/jpeg");
    assert_int_equal(json_integer_value(json_object_get(r.json, "width")), 640);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, inm, &r), 200);
    assert_string_equal(bhdr(&r, "Content-Type", v, sizeof v), "image/jpeg");
    assert_int_equal(r.len, n);
    assert_memory_equal(r.body, buf, n);
    bfree(&r);
    /* another image, another URL */
    assert_int_equal(bcall(C, "GET", ev_path, NULL, NULL, 0, NULL, NULL, &e), 200);
    assert_non_null(bstr(&e, "poster_url"));
    assert_string_not_equal(bstr(&e, "poster_url"), url_png);
    bfree(&e);

    /* anything that is not a PNG or JPEG, whatever its declared type */
    const char *fakes[] = {"hello, I am a text file named poster.png\n",
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
                           "<html><script>alert(1)</script></html>",
                           "GIF89a\x01\x00\x01\x00\x80\x00\x00;"};
    for (size_t i = 0; i < sizeof fakes / sizeof fakes[0]; i++) {
        put_poster(id, adm, fakes[i], strlen(fakes[i]), "image/png", &r);
        assert_int_equal(r.status, 415);
        assert_string_equal(berr(&r), "UNSUPPORTED_MEDIA_TYPE");
        bfree(&r);
    }
    /* a PNG with a page after its end */
    memcpy(buf, png_2x3, PNG_2X3_LEN);
    memcpy(buf + PNG_2X3_LEN, "<script>alert(1)</script>", 25);
    put_poster(id, adm, buf, PNG_2X3_LEN + 25, "image/png", &r);
    assert_int_equal(r.status, 415);
    bfree(&r);
    put_poster(id, adm, NULL, 0, "image/png", &r);
    assert_int_equal(r.status, 400);
    bfree(&r);
    /* still the JPEG */
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, NULL, &r), 200);
    assert_string_equal(bhdr(&r, "Content-Type", v, sizeof v), "image/jpeg");
    bfree(&r);

    /* sizes: the cap exactly, one byte more, and more than the server takes */
    n = png_make(buf, 100, 100, POSTER_MAX_BYTES - 57);
    assert_int_equal(n, POSTER_MAX_BYTES);
    put_poster(id, adm, buf, n, "image/png", &r);
    assert_int_equal(r.status, 200);
    bfree(&r);
    n = png_make(buf, 100, 100, POSTER_MAX_BYTES - 56);
    put_poster(id, adm, buf, n, "image/png", &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(berr(&r), "PAYLOAD_TOO_LARGE");
    bfree(&r);
    n = png_make(buf, 100, 100, 1536 * 1024);
    put_poster(id, adm, buf, n, "image/png", &r);
    assert_int_equal(r.status, 413);
    bfree(&r);

    /* who may */
    put_poster(id, user, png_2x3, PNG_2X3_LEN, "image/png", &r);
    assert_int_equal(r.status, 403);
    bfree(&r);
    put_poster(id, NULL, png_2x3, PNG_2X3_LEN, "image/png", &r);
    assert_int_equal(r.status, 401);
    bfree(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/admin/events/%s/poster", id);
    assert_int_equal(bcall(C, "DELETE", path, user, NULL, 0, NULL, NULL, &r), 403);
    bfree(&r);

    /* no such event */
    put_poster("7d2c1a9e-0000-4000-8000-000000000002", adm, png_2x3, PNG_2X3_LEN, "image/png", &r);
    assert_int_equal(r.status, 404);
    bfree(&r);
    put_poster("not-an-id", adm, png_2x3, PNG_2X3_LEN, "image/png", &r);
    assert_int_equal(r.status, 404);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", "/api/events/not-an-id/poster", NULL, NULL, 0, NULL, NULL, &r),
                     404);
    bfree(&r);

    /* remove */
    assert_int_equal(bcall(C, "DELETE", path, adm, NULL, 0, NULL, NULL, &r), 204);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, NULL, &r), 404);
    bfree(&r);
    assert_int_equal(bcall(C, "DELETE", path, adm, NULL, 0, NULL, NULL, &r), 404);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", ev_path, NULL, NULL, 0, NULL, NULL, &r), 200);
    assert_true(json_is_null(json_object_get(r.json, "poster_url")));
    bfree(&r);

    /* deleting the event removes its poster */
    put_poster(id, adm, png_2x3, PNG_2X3_LEN, "image/png", &r);
    assert_int_equal(r.status, 200);
    bfree(&r);
    snprintf(path, sizeof path, "/api/admin/events/%s", id);
    assert_int_equal(bcall(C, "DELETE", path, adm, NULL, 0, NULL, NULL, &r), 204);
    bfree(&r);
    assert_int_equal(bcall(C, "GET", get_path, NULL, NULL, 0, NULL, NULL, &r), 404);
    bfree(&r);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(static_files),
        cmocka_unit_test(admin_proxy),
        cmocka_unit_test(posters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
