/* httpc.c: HTTP client over libcurl. Each thread keeps one easy handle, so
 * connections to the same peer are kept alive across calls. */
#include "common/httpc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/util.h"

#define HTTPC_BODY_MAX (16L * 1024 * 1024)
#define HTTPC_CONNECT_MAX_MS 2000L

static pthread_key_t httpc_key;
static pthread_once_t httpc_once = PTHREAD_ONCE_INIT;

static void httpc_handle_free(void *h)
{
    curl_easy_cleanup(h);
}

static void httpc_once_init(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    pthread_key_create(&httpc_key, httpc_handle_free);
}

void httpc_global_init(void)
{
    pthread_once(&httpc_once, httpc_once_init);
}

static CURL *httpc_handle(void)
{
    pthread_once(&httpc_once, httpc_once_init);
    CURL *h = pthread_getspecific(httpc_key);
    if (!h) {
        h = curl_easy_init();
        if (!h)
            return NULL;
        pthread_setspecific(httpc_key, h);
    } else {
        /* Options go, the connection cache stays. */
        curl_easy_reset(h);
    }
    return h;
}

void httpc_thread_cleanup(void)
{
    pthread_once(&httpc_once, httpc_once_init);
    CURL *h = pthread_getspecific(httpc_key);
    if (h) {
        pthread_setspecific(httpc_key, NULL);
        curl_easy_cleanup(h);
    }
}

struct httpc_sink {
    struct sbuf buf;
    int too_large;
};

static size_t httpc_write(char *data, size_t size, size_t n, void *p)
{
    struct httpc_sink *s = p;
    size_t len = size * n;
    if ((long)(s->buf.len + len) > HTTPC_BODY_MAX) {
        s->too_large = 1;
        return 0; /* aborts the transfer */
    }
    sbuf_add(&s->buf, data, len);
    return len;
}

static int httpc_has_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
            return 1;
    return 0;
}

/* A request id is echoed from clients: pass it on only if it cannot split
 * a header. */
static int httpc_header_safe(const char *v)
{
    if (!v || !*v || strlen(v) > 128)
        return 0;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    return 1;
}

int httpc_request(const char *method, const char *url, const char *const *headers,
                  const char *body, size_t body_len, long timeout_ms, struct httpc_res *out)
{
    memset(out, 0, sizeof *out);
    CURL *h = httpc_handle();
    if (!h) {
        snprintf(out->error, sizeof out->error, "cannot create a curl handle");
        return -1;
    }
    if (timeout_ms <= 0)
        timeout_ms = 30000;

    struct curl_slist *list = NULL, *tmp;
    int ok = 1;
    for (size_t i = 0; headers && headers[i]; i++) {
        if (!(tmp = curl_slist_append(list, headers[i])))
            ok = 0;
        else
            list = tmp;
    }
    const char *rid = log_request_id();
    char ridh[160];
    if (rid && strcmp(rid, "-") != 0 && httpc_header_safe(rid) &&
        !httpc_has_header(headers, "X-Request-Id")) {
        snprintf(ridh, sizeof ridh, "X-Request-Id: %s", rid);
        if (!(tmp = curl_slist_append(list, ridh)))
            ok = 0;
        else
            list = tmp;
    }
    /* No "Expect: 100-continue" round trip on larger bodies. */
    if (!(tmp = curl_slist_append(list, "Expect:")))
        ok = 0;
    else
        list = tmp;
    if (!ok) {
        curl_slist_free_all(list);
        snprintf(out->error, sizeof out->error, "out of memory");
        return -1;
    }

    struct httpc_sink sink = {0};
    sbuf_init(&sink.buf);
    char errbuf[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms < HTTPC_CONNECT_MAX_MS ? timeout_ms : HTTPC_CONNECT_MAX_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, httpc_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!method || strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    }
    if (method && strcmp(method, "GET") == 0 && body) {
        /* A GET with a body is unusual but legal; send it as given. */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    }

    int64_t t0 = mono_ms();
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(list);
    /* The handle outlives this call: drop pointers to our stack. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);

    if (rc != CURLE_OK) {
        out->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        if (sink.too_large)
            snprintf(out->error, sizeof out->error, "response body larger than %ld bytes",
                     HTTPC_BODY_MAX);
        else
            snprintf(out->error, sizeof out->error, "%s%s%s", curl_easy_strerror(rc),
                     errbuf[0] ? ": " : "", errbuf);
        sbuf_cleanup(&sink.buf);
        log_debug("httpc: %s %s failed after %lld ms: %s", method ? method : "GET", url,
                  (long long)(mono_ms() - t0), out->error);
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    out->body = sbuf_steal(&sink.buf, &out->len);
    if (!out->body) {
        out->body = xstrdup("");
        out->len = 0;
    }
    log_debug("httpc: %s %s -> %ld in %lld ms", method ? method : "GET", url, out->status,
              (long long)(mono_ms() - t0));
    return 0;
}

void httpc_res_cleanup(struct httpc_res *res)
{
    if (!res)
        return;
    free(res->body);
    res->body = NULL;
    res->len = 0;
}

int httpc_json(const char *method, const char *url, const char *bearer, json_t *body,
               long timeout_ms, long *status, json_t **out)
{
    if (out)
        *out = NULL;
    if (status)
        *status = 0;
    char *text = NULL;
    if (body && !(text = json_dumps(body, JSON_COMPACT))) {
        log_warn("httpc: cannot serialise the request body for %s", url);
        return -1;
    }
    /* The bearer is wiped from the stack afterwards; it is never logged. */
    char auth[1024];
    const char *headers[4];
    size_t nh = 0;
    headers[nh++] = "Accept: application/json";
    if (text)
        headers[nh++] = "Content-Type: application/json";
    if (bearer) {
        int n = snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        if (n < 0 || (size_t)n >= sizeof auth) {
            free(text);
            log_warn("httpc: bearer token too long for %s", url);
            return -1;
        }
        headers[nh++] = auth;
    }
    headers[nh] = NULL;

    struct httpc_res res;
    int rc = httpc_request(method, url, headers, text, text ? strlen(text) : 0, timeout_ms, &res);
    if (bearer)
        sodium_memzero(auth, sizeof auth);
    free(text);
    if (rc != 0) {
        log_warn("httpc: %s %s failed: %s", method ? method : "GET", url, res.error);
        httpc_res_cleanup(&res);
        return -1;
    }
    if (status)
        *status = res.status;
    if (out && res.len > 0)
        *out = json_loadb(res.body, res.len, 0, NULL);
    httpc_res_cleanup(&res);
    return 0;
}
