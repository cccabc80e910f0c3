/* client_testlib.c: HTTP helpers for client-app's tests (libcurl). */
#include "client_testlib.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
// clang-format off
#include <cmocka.h>
// clang-format on

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "testsupport.h"

static size_t sink(char *data, size_t size, size_t n, void *p)
{
    sbuf_add(p, data, size * n);
    return size * n;
}

static size_t header_sink(char *data, size_t size, size_t n, void *p)
{
    struct tresp *r = p;
    size_t len = size * n;
    char line[256];
    if (len >= sizeof line)
        return len;
    memcpy(line, data, len);
    line[len] = 0;
    line[strcspn(line, "\r\n")] = 0;
    if (strncasecmp(line, "Retry-After:", 12) == 0)
        snprintf(r->retry_after, sizeof r->retry_after, "%s", line + 12 + strspn(line + 12, " "));
    if (strncasecmp(line, "Warning:", 8) == 0)
        snprintf(r->warning, sizeof r->warning, "%s", line + 8 + strspn(line + 8, " "));
    if (strncasecmp(line, "Content-Type:", 13) == 0)
        snprintf(r->content_type, sizeof r->content_type, "%s", line + 13 + strspn(line + 13, " "));
    return len;
}

long tcall(const char *base, const char *method, const char *path, const char *bearer,
           const char *body, const char *const *headers, struct tresp *r)
{
    memset(r, 0, sizeof *r);
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    char url[2048], auth[256];
    snprintf(url, sizeof url, "%s%s", base, path);
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    if (body)
        list = curl_slist_append(list, "Content-Type: application/json");
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        list = curl_slist_append(list, auth);
    }
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    struct sbuf b;
    sbuf_init(&b);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_sink);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
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
    r->json = json_loadb(r->body, r->len, 0, NULL);
    return r->status;
}

void tresp_free(struct tresp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *tstr(const struct tresp *r, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = r->json;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    return json_is_string(cur) ? json_string_value(cur) : "";
}

const char *terr(const struct tresp *r)
{
    return tstr(r, "error.code");
}

long tuser_create(const char *base, const char *username, const char *email, const char *pw,
                  char *id)
{
    struct tresp r;
    json_t *b = json_pack("{s:s, s:s, s:s}", "username", username, "email", email, "password", pw);
    char *text = json_dumps(b, 0);
    long st = tcall(base, "POST", "/api/users", NULL, text, NULL, &r);
    if (id)
        snprintf(id, 37, "%s", tstr(&r, "id"));
    free(text);
    json_decref(b);
    tresp_free(&r);
    return st;
}

long tlogin(const char *base, const char *login, const char *pw, char *token)
{
    struct tresp r;
    json_t *b = json_pack("{s:s, s:s}", "login", login, "password", pw);
    char *text = json_dumps(b, 0);
    long st = tcall(base, "POST", "/api/sessions", NULL, text, NULL, &r);
    if (token)
        snprintf(token, 65, "%s", tstr(&r, "token"));
    free(text);
    json_decref(b);
    tresp_free(&r);
    return st;
}

int texec(const char *uri, const char *sql, int nparams, const char *const *params)
{
    int ok = 0;
    free(test_db_scalar_params(uri, sql, nparams, params, &ok));
    return ok ? 0 : -1;
}

void tuser_new(const char *base, const char *name, const char *pw, struct tuser *u)
{
    char email[64];
    snprintf(u->name, sizeof u->name, "%s", name);
    snprintf(email, sizeof email, "%s@example.com", name);
    assert_int_equal(tuser_create(base, name, email, pw, u->id), 201);
    assert_int_equal(tlogin(base, name, pw, u->token), 201);
}

void tevent_new(const char *tbase, const char *admin_token, const char *cbase, const char *body,
                int n, char ev[37], char ids[][37])
{
    struct tresp r;
    char path[96];
    assert_int_equal(tcall(tbase, "POST", "/api/events", admin_token, body, NULL, &r), 201);
    snprintf(ev, 37, "%s", tstr(&r, "id"));
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/events/%s/seats", ev);
    assert_int_equal(tcall(cbase, "GET", path, NULL, NULL, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal((int)json_array_size(items), n);
    for (int i = 0; i < n; i++)
        snprintf(ids[i], 37, "%s",
                 json_string_value(json_object_get(json_array_get(items, (size_t)i), "id")));
    tresp_free(&r);
}
