/* load.c: the HTTP load engine of load.h over libcurl multi. */
#include "load.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct slot {
    CURL *h;
    struct curl_slist *hdrs;
    struct load_item it;
    int busy;
    char *buf; /* the answer's body while it arrives */
    size_t len, cap;
    int keep;
};

double load_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static size_t on_write(char *data, size_t size, size_t n, void *p)
{
    struct slot *s = p;
    size_t len = size * n;
    if (!s->keep)
        return len;
    if (s->len + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len + 1)
            cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb)
            return 0; /* aborts this transfer: counted as a failure */
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    s->buf[s->len] = '\0';
    return len;
}

/* Hands the slot's request to libcurl. 0, or -1 if it could not. */
static int start(CURLM *m, struct slot *s, long timeout_ms, double now_ms)
{
    struct load_item *it = &s->it;
    CURL *h = s->h;
    curl_easy_reset(h);
    s->len = 0;
    s->hdrs = curl_slist_append(NULL, "Expect:");
    if (s->hdrs && it->body)
        s->hdrs = curl_slist_append(s->hdrs, "Content-Type: application/json");
    if (s->hdrs && it->auth[0])
        s->hdrs = curl_slist_append(s->hdrs, it->auth);
    if (s->hdrs && it->extra[0])
        s->hdrs = curl_slist_append(s->hdrs, it->extra);
    if (!s->hdrs)
        return -1;
    curl_easy_setopt(h, CURLOPT_URL, it->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_PRIVATE, s);
    if (strcmp(it->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, it->method);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, it->body ? it->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(it->body ? strlen(it->body) : 0));
    }
    it->status = 0;
    it->timed_out = it->failed = 0;
    it->sent_ms = now_ms;
    it->resp = NULL;
    it->resp_len = 0;
    if (curl_multi_add_handle(m, h) != CURLM_OK) {
        curl_slist_free_all(s->hdrs);
        s->hdrs = NULL;
        return -1;
    }
    s->busy = 1;
    return 0;
}

/* A finished transfer: fill the outcome, tell the producer, free. */
static void finish(CURLM *m, struct slot *s, CURLcode rc, const struct load_ops *ops, void *ctx,
                   double now_ms)
{
    struct load_item *it = &s->it;
    long status = 0;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    it->done_ms = now_ms;
    it->status = rc == CURLE_OK ? status : 0;
    it->failed = rc != CURLE_OK;
    it->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    if (s->keep && s->buf) {
        it->resp = s->buf;
        it->resp_len = s->len;
    }
    curl_multi_remove_handle(m, s->h);
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
    s->busy = 0;
    ops->done(ctx, it);
    free(it->body);
    it->body = NULL;
    it->resp = NULL;
}

double load_run(const struct load_cfg *cfg, const struct load_ops *ops, void *ctx)
{
    int conc = cfg->conc > 0 ? cfg->conc : 1;
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *m = curl_multi_init();
    struct slot *slots = calloc((size_t)conc, sizeof *slots);
    int *idle = calloc((size_t)conc, sizeof *idle);
    if (!m || !slots || !idle) {
        free(slots);
        free(idle);
        if (m)
            curl_multi_cleanup(m);
        return -1;
    }
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conc);
    int nidle = 0, finished = 0, active = 0, ok = 1;
    for (int i = 0; i < conc; i++) {
        slots[i].h = curl_easy_init();
        slots[i].keep = cfg->keep_body;
        slots[i].it.slot = i;
        if (!slots[i].h)
            ok = 0;
        idle[nidle++] = conc - 1 - i; /* slot 0 first */
    }
    double t0 = load_now_ms(), now = 0;
    int producing = ok;
    for (;;) {
        now = load_now_ms() - t0;
        if (cfg->duration_ms > 0 && now >= cfg->duration_ms)
            producing = 0;
        int nparked = 0; /* slots with nothing for now, asked again next turn */
        while (producing && nidle > nparked) {
            struct slot *s = &slots[idle[nidle - 1]];
            memset(&s->it, 0, sizeof s->it);
            s->it.slot = (int)(s - slots);
            int r = ops->next(ctx, s->it.slot, &s->it, now);
            if (r == 0) {
                /* to the bottom of the idle stack, behind the untried */
                int sl = idle[nidle - 1];
                memmove(idle + 1, idle, (size_t)(nidle - 1) * sizeof *idle);
                idle[0] = sl;
                nparked++;
                continue;
            }
            nidle--;
            if (r < 0) {
                free(s->it.body);
                s->it.body = NULL;
                finished++;
                continue;
            }
            if (start(m, s, cfg->timeout_ms, now) != 0) {
                fprintf(stderr, "load: cannot start a request\n");
                free(s->it.body);
                s->it.body = NULL;
                finished++;
                continue;
            }
            active++;
        }
        if (finished == conc)
            producing = 0;
        if (active == 0 && !producing)
            break;
        int running = 0;
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        int any = 0;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct slot *s = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            finish(m, s, msg->data.result, ops, ctx, load_now_ms() - t0);
            active--;
            idle[nidle++] = (int)(s - slots);
            any = 1;
        }
        if (!any)
            curl_multi_poll(m, NULL, 0, active ? 5 : 1, NULL);
    }
    double elapsed = load_now_ms() - t0;
    for (int i = 0; i < conc; i++) {
        if (slots[i].h)
            curl_easy_cleanup(slots[i].h);
        free(slots[i].buf);
    }
    curl_multi_cleanup(m);
    free(slots);
    free(idle);
    return ok ? elapsed : -1;
}
