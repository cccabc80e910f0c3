/* payment_testlib.c: see payment_testlib.h. */
#include "payment_testlib.h"

#include <curl/curl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"

void pt_uuid(char out[37])
{
    static int inited;
    if (!inited) {
        rand_init();
        inited = 1;
    }
    rand_uuid(out);
}

/* ---- webhook receiver ---- */

static void record_hit(struct receiver *r, const char *body, size_t len, int sig_ok, int answered)
{
    struct hook_hit h;
    memset(&h, 0, sizeof h);
    h.sig_ok = sig_ok;
    h.answered = answered;
    h.at_ms = now_ms();
    h.body = xstrndup(body, len);
    json_t *ev = json_loadb(body, len, 0, NULL);
    if (ev) {
        json_t *inv = json_object_get(json_object_get(ev, "data"), "invoice");
        snprintf(h.id, sizeof h.id, "%s", json_str(ev, "id") ? json_str(ev, "id") : "");
        snprintf(h.type, sizeof h.type, "%s", json_str(ev, "type") ? json_str(ev, "type") : "");
        const char *v = json_str(inv, "invoice_number");
        snprintf(h.number, sizeof h.number, "%s", v ? v : "");
        v = json_str(inv, "status");
        snprintf(h.status, sizeof h.status, "%s", v ? v : "");
        v = json_str(inv, "failure_reason");
        snprintf(h.reason, sizeof h.reason, "%s", v ? v : "");
        json_decref(ev);
    }
    pthread_mutex_lock(&r->lock);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->hits = xrealloc(r->hits, r->cap * sizeof *r->hits);
    }
    r->hits[r->n++] = h;
    pthread_mutex_unlock(&r->lock);
}

/* Every delivery is recorded, with a bad signature too (answered 401). */
static int on_hook(void *ctx, const struct test_delivery *d)
{
    struct receiver *r = ctx;
    if (strcmp(d->method, "POST") != 0 || strcmp(d->path, "/hooks/payment") != 0)
        return 404;
    int sig_ok = d->signature && sig_verify(PT_SECRET, d->signature, d->body, d->len,
                                            (long)time(NULL), SIG_TOLERANCE_S) == SIG_OK;
    int status = 204;
    if (!sig_ok) {
        status = 401;
    } else {
        pthread_mutex_lock(&r->lock);
        int64_t until = r->fail_until_ms;
        int fail_status = r->fail_status;
        long delay = r->delay_ms;
        pthread_mutex_unlock(&r->lock);
        if (delay > 0)
            sleep_ms(delay);
        if (now_ms() < until)
            status = fail_status;
    }
    record_hit(r, d->body, d->len, sig_ok, status);
    return status;
}

void receiver_prepare(struct receiver *r, int port)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->fail_status = 500;
    test_receiver_prepare(&r->rx, port, "/hooks/payment", on_hook, r);
}

int receiver_start(struct receiver *r, int port)
{
    if (port == 0) {
        receiver_prepare(r, 0);
        return test_receiver_start(&r->rx, "/hooks/payment", on_hook, r);
    }
    if (r->rx.port != port)
        receiver_prepare(r, port);
    return test_receiver_listen(&r->rx);
}

void receiver_stop(struct receiver *r)
{
    test_receiver_stop(&r->rx);
    for (size_t i = 0; i < r->n; i++)
        free(r->hits[i].body);
    free(r->hits);
    r->hits = NULL;
    r->n = r->cap = 0;
}

void receiver_fail_for(struct receiver *r, long ms, int status)
{
    pthread_mutex_lock(&r->lock);
    r->fail_until_ms = now_ms() + ms;
    r->fail_status = status;
    pthread_mutex_unlock(&r->lock);
}

size_t receiver_hits(struct receiver *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->n;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void receiver_ack_stats(struct receiver *r, size_t *distinct, int *max_acks)
{
    pthread_mutex_lock(&r->lock);
    const char **ids = xcalloc(r->n + 1, sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->hits[i].answered >= 200 && r->hits[i].answered < 300)
            ids[k++] = r->hits[i].id;
    pthread_mutex_unlock(&r->lock);
    qsort(ids, k, sizeof *ids, cmp_str);
    size_t d = 0;
    int best = 0, run = 0;
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0) {
            d++;
            run = 1;
        } else {
            run++;
        }
        if (run > best)
            best = run;
    }
    free(ids);
    *distinct = d;
    *max_acks = best;
}

size_t receiver_bad_sigs(struct receiver *r)
{
    size_t n = 0;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n; i++)
        n += !r->hits[i].sig_ok;
    pthread_mutex_unlock(&r->lock);
    return n;
}

int receiver_find(struct receiver *r, const char *number, const char *type, struct hook_hit *out)
{
    int found = 0;
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < r->n && !found; i++) {
        struct hook_hit *h = &r->hits[i];
        if (h->answered >= 200 && h->answered < 300 && strcmp(h->number, number) == 0 &&
            strcmp(h->type, type) == 0) {
            *out = *h;
            out->body = NULL; /* stays owned by the receiver */
            found = 1;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return found;
}

int receiver_wait_acked(struct receiver *r, size_t n, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        size_t d;
        int m;
        receiver_ack_stats(r, &d, &m);
        if (d >= n)
            return 0;
        if (now_ms() > end)
            return -1;
        sleep_ms(50);
    }
}

/* ---- daemons ---- */

#define PT_MAX_DAEMONS 8
static struct test_daemon *running[PT_MAX_DAEMONS];

static void tail_log(const struct test_daemon *d)
{
    FILE *f = fopen(d->log_path, "r");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > 6000 ? size - 6000 : 0, SEEK_SET);
    fprintf(stderr, "---- last lines of %s (%s) ----\n", d->name, d->log_path);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(f);
}

static void kill_all_at_exit(void)
{
    for (int i = 0; i < PT_MAX_DAEMONS; i++) {
        if (running[i]) {
            tail_log(running[i]);
            test_daemon_kill(running[i]);
            running[i] = NULL;
        }
    }
}

static void track(struct test_daemon *d, int on)
{
    static int registered;
    if (!registered) {
        atexit(kill_all_at_exit);
        registered = 1;
    }
    for (int i = 0; i < PT_MAX_DAEMONS; i++) {
        if (on && !running[i]) {
            running[i] = d;
            return;
        }
        if (!on && running[i] == d) {
            running[i] = NULL;
            return;
        }
    }
}

int pt_db_create(const char *prefix, char *uri, size_t len)
{
    const char *dirs[] = {MIGRATIONS_ROOT "/common", MIGRATIONS_ROOT "/payment", NULL};
    return test_db_create(prefix, dirs, uri, len);
}

int pt_start(struct test_daemon *d, const char *name, const char *db_uri, const char *hook_url,
             const char *const *extra)
{
    char dburl[600], hook[200];
    snprintf(dburl, sizeof dburl, "DATABASE_URL=%s", db_uri);
    snprintf(hook, sizeof hook, "WEBHOOK_URL=%s", hook_url);
    const char *base[] = {dburl,
                          hook,
                          "WEBHOOK_SECRET=" PT_SECRET,
                          "PAYMENT_SERVICE_TOKEN=" PT_TOKEN,
                          "PAYMENT_DELAY_MS=0",
                          "PAYMENT_FAILURE_RATE=0",
                          "WEBHOOK_RETRY_BASE_MS=100",
                          "WEBHOOK_RETRY_MAX_MS=1000",
                          "WEBHOOK_TIMEOUT_MS=2000",
                          "PAYMENT_EXPIRY_INTERVAL_MS=200",
                          "DB_POOL_SIZE=6",
                          "HTTP_WORKERS=4",
                          "BIND_ADDR=127.0.0.1",
                          "LOG_LEVEL=info",
                          NULL};
    const char *env[64];
    test_env_merge(env, 64, base, extra);
    if (test_daemon_start(d, name, PAYMENT_APP_BIN, "PAYMENT_APP_PORT", 0, env) != 0)
        return -1;
    track(d, 1);
    return 0;
}

int pt_stop(struct test_daemon *d)
{
    track(d, 0);
    return test_daemon_stop(d);
}

void pt_kill(struct test_daemon *d)
{
    track(d, 0);
    test_daemon_kill(d);
}

/* ---- HTTP ---- */

long pt_create_invoice(const char *base, const char *booking_id, long long amount,
                       const char *currency, long expires_in_ms, const char *description,
                       json_t **out)
{
    char url[256], when[40];
    snprintf(url, sizeof url, "%s/api/invoices", base);
    time_rfc3339(now_ms() + expires_in_ms, when, sizeof when);
    json_t *body = json_pack("{s:s, s:I, s:s, s:s}", "booking_id", booking_id, "amount",
                             (json_int_t)amount, "currency", currency, "expires_at", when);
    if (description)
        json_object_set_new(body, "description", json_string(description));
    long st = test_http_json("POST", url, PT_TOKEN, body, out);
    json_decref(body);
    return st;
}

long pt_pay(const char *base, const char *number, const char *method, json_t **out)
{
    char url[256];
    snprintf(url, sizeof url, "%s/api/invoices/%s/pay", base, number);
    json_t *body = json_pack("{s:s}", "method", method);
    long st = test_http_json("POST", url, NULL, body, out);
    json_decref(body);
    return st;
}

long pt_get(const char *base, const char *number, json_t **out)
{
    char url[256];
    snprintf(url, sizeof url, "%s/api/invoices/%s", base, number);
    return test_http_json("GET", url, NULL, NULL, out);
}

const char *pt_error_code(const json_t *body)
{
    const char *c = json_str(json_object_get(body, "error"), "code");
    return c ? c : "";
}

static size_t collect(char *ptr, size_t size, size_t n, void *ud)
{
    sbuf_add(ud, ptr, size * n);
    return size * n;
}

long pt_http_full(const char *method, const char *url, const char *const *req_headers,
                  const char *body, char **headers, char **resp_body)
{
    CURL *c = curl_easy_init();
    struct sbuf h, b;
    sbuf_init(&h);
    sbuf_init(&b);
    struct curl_slist *list = NULL;
    for (size_t i = 0; req_headers && req_headers[i]; i++)
        list = curl_slist_append(list, req_headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    size_t n;
    sbuf_add(&h, "", 0);
    sbuf_add(&b, "", 0);
    if (headers)
        *headers = sbuf_steal(&h, &n);
    if (resp_body)
        *resp_body = sbuf_steal(&b, &n);
    sbuf_cleanup(&h);
    sbuf_cleanup(&b);
    return status;
}

/* ---- SQL ---- */

int pt_wait_sql(const char *uri, const char *sql, const char *expect, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        char *v = test_db_scalar(uri, sql, NULL);
        int ok = v && strcmp(v, expect) == 0;
        free(v);
        if (ok)
            return 0;
        if (now_ms() > end)
            return -1;
        sleep_ms(100);
    }
}

long pt_sql_long(const char *uri, const char *sql)
{
    return pt_sql_long_params(uri, sql, 0, NULL);
}

long pt_sql_long_params(const char *uri, const char *sql, int nparams, const char *const *params)
{
    int ok = 1;
    char *v = test_db_scalar_params(uri, sql, nparams, params, &ok);
    long n = v && ok ? strtol(v, NULL, 10) : -1;
    free(v);
    return n;
}

int pt_exec_params(const char *uri, const char *sql, int nparams, const char *const *params)
{
    int ok = 0;
    free(test_db_scalar_params(uri, sql, nparams, params, &ok));
    return ok ? 0 : -1;
}
