/* outbox.c: at-least-once delivery of signed events. Rows are written in
 * the transaction of the change they report; a loop claims due rows with a
 * lease (one autocommitted statement), POSTs them with no transaction open,
 * and records every attempt. */
#include "common/outbox.h"

#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bg.h"
#include "common/errors.h"
#include "common/httpc.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/util.h"

#define OUTBOX_ACQUIRE_MS 2000
#define OUTBOX_ERROR_MAX 200
/* Events attempted at once by one tick. */
#define OUTBOX_BATCH_MAX 64
/* With events handed over in memory, how often the table is still asked
 * for retries and for events enqueued without a hand-over. */
#define OUTBOX_POLL_MS 250
/* A lease is taken a little before the event reaches the loop. */
#define OUTBOX_LEASE_MARGIN_MS 1000

static const struct db_stmt outbox_insert = {
    "common_outbox_insert", "INSERT INTO outbox (id, topic, payload) VALUES ($1, $2, $3)"};

/* The lease: a claimed row is not due again until it runs out, so a crash
 * mid-delivery only delays it. */
static const struct db_stmt outbox_claim = {
    "common_outbox_claim",
    "UPDATE outbox SET next_attempt_at = now() + $2::bigint * interval '1 millisecond',"
    " attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= now()"
    " ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
    " RETURNING id, payload, attempts"};

/* The outcomes of a batch and their attempt rows in one statement, so they
 * cannot disagree: $4 (the retry delay) is NULL for a delivered event. A
 * failure does not undo a delivery recorded meanwhile by another sender. */
static const struct db_stmt outbox_record_stmt = {
    "common_outbox_record",
    "WITH r AS (SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[],"
    " $5::int[]) AS r(id, status, error, delay_ms, duration_ms)),"
    " u AS (UPDATE outbox o SET"
    " delivered_at = CASE WHEN r.delay_ms IS NULL THEN now() ELSE o.delivered_at END,"
    " last_status = r.status, last_error = r.error,"
    " next_attempt_at = CASE WHEN r.delay_ms IS NULL THEN o.next_attempt_at"
    " ELSE now() + r.delay_ms * interval '1 millisecond' END"
    " FROM r WHERE o.id = r.id AND (r.delay_ms IS NULL OR o.delivered_at IS NULL))"
    " INSERT INTO outbox_attempts (event_id, status, error, duration_ms)"
    " SELECT id, status, error, duration_ms FROM r"};

/* One attempt, the common case: outcome and attempt row in one statement
 * that PostgreSQL plans well (the batch form's unnest join costs several
 * times more for a single row). */
static const struct db_stmt outbox_done = {
    "common_outbox_done",
    "WITH u AS (UPDATE outbox SET delivered_at = now(), last_status = $2::int, last_error = NULL"
    " WHERE id = $1)"
    " INSERT INTO outbox_attempts (event_id, status, error, duration_ms)"
    " VALUES ($1, $2::int, NULL, $3::int)"};

static const struct db_stmt outbox_failed = {
    "common_outbox_failed", "WITH u AS (UPDATE outbox SET last_status = $2::int, last_error = $3,"
                            " next_attempt_at = now() + $4::bigint * interval '1 millisecond'"
                            " WHERE id = $1 AND delivered_at IS NULL)"
                            " INSERT INTO outbox_attempts (event_id, status, error, duration_ms)"
                            " VALUES ($1, $2::int, $3, $5::int)"};

/* Claimed and not attempted (the loop is stopping): due again now. */
static const struct db_stmt outbox_unclaim_stmt = {
    "common_outbox_unclaim",
    "UPDATE outbox SET next_attempt_at = now(), attempts = greatest(attempts - 1, 0)"
    " WHERE id = ANY($1::text[]) AND delivered_at IS NULL"};

static const struct db_stmt outbox_insert_leased = {
    "common_outbox_insert_leased",
    "INSERT INTO outbox (id, topic, payload, attempts, next_attempt_at)"
    " VALUES ($1, $2, $3, 1, now() + $4::bigint * interval '1 millisecond')"};

static const struct db_stmt outbox_pending_stmt = {
    "common_outbox_pending", "SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL"};

/* clang-format off */
static const struct db_stmt outbox_get_stmt = {
    "common_outbox_get",
    "SELECT id, topic, attempts, last_status, last_error, payload, "
    SQL_TS("created_at") " AS created_at, "
    SQL_TS("next_attempt_at") " AS next_attempt_at, "
    SQL_TS("delivered_at") " AS delivered_at "
    "FROM outbox WHERE id = $1"};
/* clang-format on */

static const struct db_stmt outbox_replay_stmt = {
    "common_outbox_replay",
    "UPDATE outbox SET next_attempt_at = now(), delivered_at = NULL WHERE id = $1 RETURNING id"};

/* The total comes from the same snapshot as the page, and arrives even when
 * the page is past the end. */
static const struct db_stmt outbox_list_stmt = {
    "common_outbox_list",
    "WITH f AS (SELECT * FROM outbox WHERE $1::text IS NULL"
    " OR ($1 = 'pending' AND delivered_at IS NULL)"
    " OR ($1 = 'delivered' AND delivered_at IS NOT NULL))"
    " SELECT t.total, p.id, p.topic, p.attempts, p.last_status, p.last_error, p.payload,"
    " " SQL_TS(
        "p.created_at") " AS created_at,"
                        " " SQL_TS(
                            "p.next_attempt_at") " AS next_attempt_at,"
                                                 " " SQL_TS(
                                                     "p.delivered_at") " AS delivered_at"
                                                                       " FROM (SELECT count(*) AS "
                                                                       "total FROM f) t"
                                                                       " LEFT JOIN LATERAL (SELECT "
                                                                       "* FROM f ORDER BY "
                                                                       "created_at DESC, id DESC"
                                                                       " LIMIT $2::bigint OFFSET "
                                                                       "$3::bigint) p ON true"};

static const struct db_stmt outbox_attempts_stmt = {
    "common_outbox_attempts",
    "SELECT a.id, a.status, a.error, a.duration_ms, " SQL_TS(
        "a.attempted_at") " AS attempted_at"
                          " FROM outbox o LEFT JOIN outbox_attempts a ON a.event_id = o.id"
                          " WHERE o.id = $1 ORDER BY a.id"};

enum db_status outbox_enqueue(struct db_conn *conn, const char *event_id, const char *topic,
                              const char *payload)
{
    const char *params[] = {event_id, topic, payload};
    return db_exec(conn, &outbox_insert, 3, params, NULL);
}

enum db_status outbox_enqueue_leased(struct db_conn *conn, const char *event_id, const char *topic,
                                     const char *payload, long lease_ms)
{
    char lease_s[24];
    snprintf(lease_s, sizeof lease_s, "%ld", lease_ms);
    const char *params[] = {event_id, topic, payload, lease_s};
    return db_exec(conn, &outbox_insert_leased, 4, params, NULL);
}

long outbox_backoff_ms(const struct outbox_config *cfg, int attempts, double jitter01)
{
    return backoff_ms(cfg->retry_base_ms, cfg->retry_max_ms, attempts, jitter01);
}

/* What the receiver said, fit for a text column and a log line: at most
 * OUTBOX_ERROR_MAX bytes of printable ASCII. */
static void outbox_error_text(char *out, size_t outlen, long status, const char *body, size_t len)
{
    int n = snprintf(out, outlen, "HTTP %ld", status);
    if (n < 0 || (size_t)n >= outlen || !body || !len)
        return;
    size_t o = (size_t)n;
    if (o + 2 < outlen) {
        out[o++] = ':';
        out[o++] = ' ';
    }
    for (size_t i = 0; i < len && o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)body[i];
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ':'))
        o--;
    out[o] = '\0';
}

/* A header value taken from our own event id, only if it is plain. */
static int outbox_id_header_safe(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 72)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.' || *p == ':'))
            return 0;
    return 1;
}

struct outbox_event {
    char *id;
    char *payload;
    int attempts;
    int64_t deadline_ms; /* mono: the lease ends; not sent this close to it */
};

static void outbox_event_free(struct outbox_event *ev)
{
    free(ev->id);
    free(ev->payload);
    ev->id = ev->payload = NULL;
}

/* ---- the in-memory hand-off of committed events ---- */

struct outbox_queue {
    pthread_mutex_t lock;
    struct outbox_event *items; /* ring */
    size_t cap, head, len;
    int64_t last_claim_ms; /* mono: when the database was last asked */
};

struct outbox_queue *outbox_queue_create(size_t cap)
{
    struct outbox_queue *q = xcalloc(1, sizeof *q);
    q->cap = cap ? cap : 1024;
    q->items = xcalloc(q->cap, sizeof *q->items);
    pthread_mutex_init(&q->lock, NULL);
    return q;
}

void outbox_queue_destroy(struct outbox_queue *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->len; i++)
        outbox_event_free(&q->items[(q->head + i) % q->cap]);
    free(q->items);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

int outbox_queue_push(struct outbox_queue *q, const char *event_id, const char *payload,
                      long lease_ms)
{
    if (!q || !event_id || !payload)
        return -1;
    pthread_mutex_lock(&q->lock);
    if (q->len == q->cap) {
        pthread_mutex_unlock(&q->lock);
        return -1; /* the lease brings it back through a claim */
    }
    struct outbox_event *ev = &q->items[(q->head + q->len) % q->cap];
    ev->id = xstrdup(event_id);
    ev->payload = xstrdup(payload);
    ev->attempts = 1;
    /* The lease began at the insert, a commit ago: keep a margin. */
    ev->deadline_ms = mono_ms() + lease_ms - OUTBOX_LEASE_MARGIN_MS;
    q->len++;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

size_t outbox_queue_len(struct outbox_queue *q)
{
    if (!q)
        return 0;
    pthread_mutex_lock(&q->lock);
    size_t n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* Moves up to max events out of q into evs; returns how many. */
static int outbox_queue_take(struct outbox_queue *q, struct outbox_event *evs, int max)
{
    pthread_mutex_lock(&q->lock);
    int n = 0;
    while (n < max && q->len > 0) {
        evs[n++] = q->items[q->head];
        memset(&q->items[q->head], 0, sizeof q->items[q->head]);
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

/* ---- text[] parameters ---- */

/* Appends v (NULL: SQL NULL) to an array literal being built in b. */
static void outbox_array_add(struct sbuf *b, const char *v)
{
    sbuf_puts(b, b->len > 1 ? "," : "");
    if (!v) {
        sbuf_puts(b, "NULL");
        return;
    }
    sbuf_add(b, "\"", 1);
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            sbuf_add(b, "\\", 1);
        sbuf_add(b, p, 1);
    }
    sbuf_add(b, "\"", 1);
}

/* ---- concurrent delivery ---- */

/* One multi handle per thread: its connection cache keeps the connections
 * to the receiver alive from one batch to the next. */
static pthread_key_t outbox_multi_key;
static pthread_once_t outbox_multi_once = PTHREAD_ONCE_INIT;

static void outbox_multi_free(void *m)
{
    curl_multi_cleanup(m);
}

static void outbox_multi_init(void)
{
    httpc_global_init(); /* curl_global_init, once */
    pthread_key_create(&outbox_multi_key, outbox_multi_free);
}

static CURLM *outbox_multi(void)
{
    pthread_once(&outbox_multi_once, outbox_multi_init);
    CURLM *m = pthread_getspecific(outbox_multi_key);
    if (!m) {
        m = curl_multi_init();
        if (m)
            pthread_setspecific(outbox_multi_key, m);
    }
    return m;
}

/* One event's attempt. */
struct outbox_xfer {
    struct outbox_event *ev;
    CURL *h;
    struct curl_slist *hdrs;
    char body[OUTBOX_ERROR_MAX + 1]; /* the start of the answer, for the error text */
    size_t blen;
    char errbuf[CURL_ERROR_SIZE];
    int64_t t0;
    int finished;
    CURLcode rc;
    long status;
    long dur;
};

static size_t outbox_xfer_write(char *data, size_t size, size_t n, void *p)
{
    struct outbox_xfer *x = p;
    size_t len = size * n, room = sizeof x->body - 1 - x->blen;
    size_t k = len < room ? len : room;
    memcpy(x->body + x->blen, data, k);
    x->blen += k;
    x->body[x->blen] = '\0';
    return len; /* the rest is read and dropped */
}

static int outbox_xfer_start(CURLM *m, const struct outbox_config *cfg, struct outbox_xfer *x)
{
    struct outbox_event *ev = x->ev;
    char sighdr[SIG_HEADER_MAX + 16] = "X-Signature: ";
    size_t plen = strlen(ev->payload);
    sig_sign(cfg->secret, ev->payload, plen, (long)(now_ms() / 1000), sighdr + 13,
             sizeof sighdr - 13);
    char ridhdr[96];
    struct curl_slist *l = NULL, *t;
    const char *hs[] = {"Content-Type: application/json", sighdr, "Expect:", NULL};
    for (int i = 0; hs[i]; i++) {
        if (!(t = curl_slist_append(l, hs[i])))
            goto fail;
        l = t;
    }
    if (outbox_id_header_safe(ev->id)) {
        snprintf(ridhdr, sizeof ridhdr, "X-Request-Id: %s", ev->id);
        if (!(t = curl_slist_append(l, ridhdr)))
            goto fail;
        l = t;
    }
    x->hdrs = l;
    x->h = curl_easy_init();
    if (!x->h)
        goto fail;
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    curl_easy_setopt(x->h, CURLOPT_URL, cfg->url);
    curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS, timeout < 2000 ? timeout : 2000L);
    curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(x->h, CURLOPT_POST, 1L);
    curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)plen);
    curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, ev->payload);
    curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, outbox_xfer_write);
    curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
    curl_easy_setopt(x->h, CURLOPT_TCP_KEEPALIVE, 1L);
    x->t0 = mono_ms();
    if (curl_multi_add_handle(m, x->h) != CURLM_OK)
        goto fail;
    return 0;
fail:
    if (x->h)
        curl_easy_cleanup(x->h);
    x->h = NULL;
    curl_slist_free_all(l);
    x->hdrs = NULL;
    x->finished = 1;
    x->rc = CURLE_OUT_OF_MEMORY;
    snprintf(x->errbuf, sizeof x->errbuf, "cannot start the request");
    return -1;
}

/* POSTs every event at once (no connection held, no transaction open) and
 * fills each xfer's outcome. */
static void outbox_send_all(const struct outbox_config *cfg, struct outbox_xfer *xs, int n)
{
    CURLM *m = outbox_multi();
    int running = 0;
    for (int i = 0; i < n; i++) {
        if (!m) {
            xs[i].finished = 1;
            xs[i].rc = CURLE_FAILED_INIT;
            snprintf(xs[i].errbuf, sizeof xs[i].errbuf, "cannot create a curl multi handle");
            continue;
        }
        if (outbox_xfer_start(m, cfg, &xs[i]) == 0)
            running++;
    }
    int left = running;
    while (left > 0) {
        int still = 0;
        if (curl_multi_perform(m, &still) != CURLM_OK)
            break;
        CURLMsg *msg;
        int q;
        while ((msg = curl_multi_info_read(m, &q))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct outbox_xfer *x = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            if (!x || x->finished)
                continue;
            x->finished = 1;
            x->rc = msg->data.result;
            x->dur = (long)(mono_ms() - x->t0);
            if (x->rc == CURLE_OK)
                curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
            left--;
        }
        if (left > 0 && still > 0)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < n; i++) {
        struct outbox_xfer *x = &xs[i];
        if (x->h) {
            if (!x->finished) { /* the multi handle failed under us */
                x->finished = 1;
                x->rc = CURLE_FAILED_INIT;
                x->dur = (long)(mono_ms() - x->t0);
            }
            curl_multi_remove_handle(m, x->h);
            curl_easy_cleanup(x->h);
            x->h = NULL;
        }
        curl_slist_free_all(x->hdrs);
        x->hdrs = NULL;
    }
}

/* Delivers every event through cfg->deliver, one after another, and fills
 * each xfer's outcome as outbox_send_all would. */
static void outbox_deliver_all(const struct outbox_config *cfg, struct outbox_xfer *xs, int n)
{
    for (int i = 0; i < n; i++) {
        struct outbox_xfer *x = &xs[i];
        char err[OUTBOX_ERROR_MAX + 1] = "";
        long status = 0;
        x->t0 = mono_ms();
        int rc =
            cfg->deliver(cfg->deliver_arg, x->ev->id, x->ev->payload, &status, err, sizeof err);
        x->dur = (long)(mono_ms() - x->t0);
        x->finished = 1;
        if (rc == 0) {
            x->rc = CURLE_OK;
            x->status = status;
            x->blen = strlen(err);
            memcpy(x->body, err, x->blen + 1);
        } else {
            x->rc = CURLE_SEND_ERROR;
            snprintf(x->errbuf, sizeof x->errbuf, "%s", err);
        }
    }
}

/* Records every attempt of the batch in one statement; an event whose
 * attempt failed is due again after its backoff. */
static void outbox_record(struct db_pool *pool, const struct outbox_config *cfg,
                          struct outbox_xfer *xs, int n)
{
    struct sbuf ids, sts, errs, delays, durs;
    struct sbuf *all[] = {&ids, &sts, &errs, &delays, &durs};
    for (int i = 0; i < 5; i++) {
        sbuf_init(all[i]);
        sbuf_puts(all[i], "{");
    }
    /* the single attempt's own values, for the one-row statements */
    const char *one[5] = {NULL, NULL, NULL, NULL, NULL};
    char one_status[16] = "", one_dur[24] = "", one_delay[24] = "";
    char one_error[OUTBOX_ERROR_MAX + 1] = "";
    int one_ok = 0;
    for (int i = 0; i < n; i++) {
        struct outbox_xfer *x = &xs[i];
        struct outbox_event *ev = x->ev;
        int sent = x->rc == CURLE_OK;
        int ok = sent && x->status >= 200 && x->status < 300;
        char error[OUTBOX_ERROR_MAX + 1] = "", status_s[16], dur_s[24], delay_s[24];
        long delay = 0;
        snprintf(status_s, sizeof status_s, "%ld", x->status);
        snprintf(dur_s, sizeof dur_s, "%ld", x->dur);
        if (!ok) {
            if (!sent) {
                char full[OUTBOX_ERROR_MAX + CURL_ERROR_SIZE + 8];
                snprintf(full, sizeof full, "%.200s%s%s", curl_easy_strerror(x->rc),
                         x->errbuf[0] ? ": " : "", x->errbuf);
                snprintf(error, sizeof error, "%.200s", full);
            } else
                outbox_error_text(error, sizeof error, x->status, x->body, x->blen);
            double jitter = (double)randombytes_uniform(1000000) / 1e6;
            delay = outbox_backoff_ms(cfg, ev->attempts, jitter);
            snprintf(delay_s, sizeof delay_s, "%ld", delay);
            log_warn("outbox: delivery failed event=%s status=%s attempt=%d duration_ms=%ld "
                     "retry_in_ms=%ld error=\"%s\"",
                     ev->id, sent ? status_s : "-", ev->attempts, x->dur, delay, error);
        } else {
            log_info("outbox: delivered event=%s status=%s attempt=%d duration_ms=%ld", ev->id,
                     status_s, ev->attempts, x->dur);
        }
        outbox_array_add(&ids, ev->id);
        outbox_array_add(&sts, sent ? status_s : NULL);
        outbox_array_add(&errs, ok ? NULL : error);
        outbox_array_add(&delays, ok ? NULL : delay_s);
        outbox_array_add(&durs, dur_s);
        if (n == 1) {
            one_ok = ok;
            memcpy(one_status, status_s, sizeof one_status);
            memcpy(one_dur, dur_s, sizeof one_dur);
            memcpy(one_error, error, sizeof one_error);
            if (!ok)
                memcpy(one_delay, delay_s, sizeof one_delay);
            one[0] = ev->id;
            one[1] = sent ? one_status : NULL;
        }
    }
    for (int i = 0; i < 5; i++)
        sbuf_puts(all[i], "}");
    struct db_conn *conn = db_acquire(pool, OUTBOX_ACQUIRE_MS);
    if (!conn) {
        /* The leases run out and the events are sent again: at least once. */
        log_warn("outbox: cannot record %d attempt(s) (database unavailable)", n);
    } else {
        enum db_status st;
        if (n == 1 && one_ok) {
            const char *params[] = {one[0], one[1], one_dur};
            st = db_exec(conn, &outbox_done, 3, params, NULL);
        } else if (n == 1) {
            const char *params[] = {one[0], one[1], one_error, one_delay, one_dur};
            st = db_exec(conn, &outbox_failed, 5, params, NULL);
        } else {
            const char *params[] = {ids.buf, sts.buf, errs.buf, delays.buf, durs.buf};
            st = db_exec(conn, &outbox_record_stmt, 5, params, NULL);
        }
        if (st != DB_OK)
            log_warn("outbox: recording %d attempt(s) failed: %s", n, db_status_name(st));
        db_release(pool, conn);
    }
    for (int i = 0; i < 5; i++)
        sbuf_cleanup(all[i]);
}

/* Hands events that were not attempted back to the table, due now (their
 * claim did not count as an attempt). */
static void outbox_unclaim(struct db_pool *pool, struct outbox_event *evs, int n)
{
    if (n <= 0)
        return;
    struct sbuf ids;
    sbuf_init(&ids);
    sbuf_puts(&ids, "{");
    for (int i = 0; i < n; i++)
        outbox_array_add(&ids, evs[i].id);
    sbuf_puts(&ids, "}");
    struct db_conn *conn = db_acquire(pool, OUTBOX_ACQUIRE_MS);
    if (conn) {
        const char *params[] = {ids.buf};
        if (db_exec(conn, &outbox_unclaim_stmt, 1, params, NULL) != DB_OK)
            log_warn("outbox: could not hand back %d event(s); their lease brings them back", n);
        db_release(pool, conn);
    }
    sbuf_cleanup(&ids);
}

/* Claims up to max due events into evs (leased for lease_ms). Returns the
 * count, or -1 if the database could not be reached. */
static int outbox_claim_due(struct db_pool *pool, int max, long lease_ms, struct outbox_event *evs)
{
    struct db_conn *conn = db_acquire(pool, OUTBOX_ACQUIRE_MS);
    if (!conn)
        return -1;
    char batch_s[16], lease_s[24];
    snprintf(batch_s, sizeof batch_s, "%d", max);
    snprintf(lease_s, sizeof lease_s, "%ld", lease_ms);
    const char *params[] = {batch_s, lease_s};
    PGresult *res;
    enum db_status st = db_exec(conn, &outbox_claim, 2, params, &res);
    /* The connection goes back before any HTTP call: a slow receiver must
     * not hold a pool slot the request handlers need. */
    db_release(pool, conn);
    if (st != DB_OK)
        return -1;
    int n = PQntuples(res);
    if (n > max)
        n = max;
    int64_t deadline = mono_ms() + lease_ms - OUTBOX_LEASE_MARGIN_MS;
    for (int i = 0; i < n; i++) {
        evs[i].id = xstrdup(db_get(res, i, "id"));
        evs[i].payload = xstrdup(db_get(res, i, "payload"));
        evs[i].attempts = atoi(db_get(res, i, "attempts"));
        evs[i].deadline_ms = deadline;
    }
    PQclear(res);
    return n;
}

long outbox_lease_ms(const struct outbox_config *cfg)
{
    /* A batch is sent all at once: the lease has to outlast one attempt
     * (and the recording of it), not the batch's sum. */
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    long lease = timeout + 5000;
    if (cfg->lease_ms > lease)
        lease = cfg->lease_ms;
    return lease;
}

int outbox_tick_queue(struct db_pool *pool, const struct outbox_config *cfg, struct outbox_queue *q)
{
    int batch = cfg->batch > 0 ? cfg->batch : 10;
    if (batch > OUTBOX_BATCH_MAX)
        batch = OUTBOX_BATCH_MAX;
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    long lease = outbox_lease_ms(cfg);
    struct outbox_event evs[OUTBOX_BATCH_MAX];
    memset(evs, 0, sizeof evs);
    int n = 0, claimed = 0, claim = 1;
    int64_t now = mono_ms();
    if (q) {
        n = outbox_queue_take(q, evs, batch);
        /* Events handed over in memory need no claim; the table is still
         * asked now and then for retries and events enqueued otherwise,
         * and whenever the wake-up brought nothing in memory. */
        claim = n == 0 || now - q->last_claim_ms >= OUTBOX_POLL_MS;
    }
    if (claim && n < batch) {
        if (q)
            q->last_claim_ms = now;
        claimed = outbox_claim_due(pool, batch - n, lease, evs + n);
        if (claimed < 0) {
            if (n == 0)
                return -1;
            claimed = 0;
        }
        n += claimed;
    }
    /* Events too close to the end of their lease are left to be claimed
     * again, so two senders never race for one; so are all of them when
     * the loop is stopping. */
    struct outbox_xfer *xs = n ? xcalloc((size_t)n, sizeof *xs) : NULL;
    struct outbox_event back[OUTBOX_BATCH_MAX];
    int nx = 0, nback = 0, stopping = bg_stopping();
    for (int i = 0; i < n; i++) {
        if (stopping)
            back[nback++] = evs[i];
        else if (mono_ms() + timeout >= evs[i].deadline_ms)
            outbox_event_free(&evs[i]); /* the lease runs out: a claim retakes it */
        else
            xs[nx++].ev = &evs[i];
    }
    if (nx > 0) {
        if (cfg->deliver)
            outbox_deliver_all(cfg, xs, nx);
        else
            outbox_send_all(cfg, xs, nx);
        outbox_record(pool, cfg, xs, nx);
    }
    outbox_unclaim(pool, back, nback);
    for (int i = 0; i < n; i++)
        outbox_event_free(&evs[i]);
    free(xs);
    if (!q)
        return n;
    /* Go again at once only if more is surely waiting. */
    return claimed == batch || outbox_queue_len(q) > 0 ? (n ? n : 1) : 0;
}

int outbox_tick(struct db_pool *pool, const struct outbox_config *cfg)
{
    return outbox_tick_queue(pool, cfg, NULL);
}

enum db_status outbox_replay(struct db_conn *conn, const char *event_id)
{
    const char *params[] = {event_id};
    PGresult *res;
    enum db_status st = db_exec_one(conn, &outbox_replay_stmt, 1, params, &res);
    PQclear(res);
    return st;
}

static json_t *outbox_int_or_null(const char *v)
{
    return v ? json_integer(strtoll(v, NULL, 10)) : json_null();
}

static json_t *outbox_str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

/* Row r of res (an outbox row with its times as RFC 3339 text) as the
 * API shows an event; next_attempt_at is null once delivered. */
static json_t *outbox_row_json(const PGresult *res, int r)
{
    const char *payload = db_get(res, r, "payload");
    json_t *parsed = payload ? json_loads(payload, 0, NULL) : NULL;
    if (!parsed)
        parsed = outbox_str_or_null(payload);
    const char *delivered = db_get(res, r, "delivered_at");
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(db_get(res, r, "id")));
    json_object_set_new(o, "topic", outbox_str_or_null(db_get(res, r, "topic")));
    json_object_set_new(o, "created_at", outbox_str_or_null(db_get(res, r, "created_at")));
    json_object_set_new(o, "attempts", outbox_int_or_null(db_get(res, r, "attempts")));
    json_object_set_new(o, "next_attempt_at",
                        delivered ? json_null()
                                  : outbox_str_or_null(db_get(res, r, "next_attempt_at")));
    json_object_set_new(o, "delivered_at", outbox_str_or_null(delivered));
    json_object_set_new(o, "last_status", outbox_int_or_null(db_get(res, r, "last_status")));
    json_object_set_new(o, "last_error", outbox_str_or_null(db_get(res, r, "last_error")));
    json_object_set_new(o, "payload", parsed);
    return o;
}

enum db_status outbox_list(struct db_conn *conn, const char *status_filter, long limit, long offset,
                           json_t **items, long *total)
{
    *items = NULL;
    if (total)
        *total = 0;
    if (status_filter && strcmp(status_filter, "pending") != 0 &&
        strcmp(status_filter, "delivered") != 0)
        return DB_INVALID;
    if (limit < 0 || offset < 0)
        return DB_INVALID;
    const char *params[] = {status_filter};
    PGresult *res;
    long all = 0;
    enum db_status st =
        db_exec_page(conn, &outbox_list_stmt, NULL, "total", 1, params, limit, offset, &res, &all);
    if (st != DB_OK)
        return st;
    if (total)
        *total = all;
    json_t *arr = json_array();
    for (int r = 0; r < PQntuples(res); r++) {
        const char *id = db_get(res, r, "id");
        if (!id)
            continue; /* the page is empty: only the total came */
        json_array_append_new(arr, outbox_row_json(res, r));
    }
    PQclear(res);
    *items = arr;
    return DB_OK;
}

enum db_status outbox_attempts(struct db_conn *conn, const char *event_id, json_t **items)
{
    *items = NULL;
    const char *params[] = {event_id};
    PGresult *res;
    enum db_status st = db_exec(conn, &outbox_attempts_stmt, 1, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    json_t *arr = json_array();
    for (int r = 0; r < PQntuples(res); r++) {
        if (!db_get(res, r, "id"))
            continue; /* the event exists, no attempt yet */
        json_t *o = json_object();
        json_object_set_new(o, "attempted_at", outbox_str_or_null(db_get(res, r, "attempted_at")));
        json_object_set_new(o, "status", outbox_int_or_null(db_get(res, r, "status")));
        json_object_set_new(o, "error", outbox_str_or_null(db_get(res, r, "error")));
        json_object_set_new(o, "duration_ms", outbox_int_or_null(db_get(res, r, "duration_ms")));
        json_array_append_new(arr, o);
    }
    PQclear(res);
    *items = arr;
    return DB_OK;
}

enum db_status outbox_pending_count(struct db_conn *conn, long *count)
{
    PGresult *res;
    *count = 0;
    enum db_status st = db_exec(conn, &outbox_pending_stmt, 0, NULL, &res);
    if (st != DB_OK)
        return st;
    *count = strtol(db_get(res, 0, "n"), NULL, 10);
    PQclear(res);
    return DB_OK;
}

enum db_status outbox_get(struct db_conn *conn, const char *event_id, json_t **out)
{
    const char *params[] = {event_id};
    PGresult *res;
    *out = NULL;
    enum db_status st = db_exec(conn, &outbox_get_stmt, 1, params, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    json_t *o = outbox_row_json(res, 0);
    PQclear(res);
    json_t *attempts = NULL;
    st = outbox_attempts(conn, event_id, &attempts);
    if (st != DB_OK) {
        json_decref(o);
        return st;
    }
    json_object_set_new(o, "attempt_log", attempts);
    *out = o;
    return DB_OK;
}

/* ---- the deliveries endpoint ---- */

#define OUTBOX_ID_MAX 100

/* The {id} parameter if it could be an event id (printable ASCII, short),
 * else NULL after answering 404. */
static const char *outbox_id_param(struct http_req *req, struct http_res *res)
{
    const char *id = http_req_param(req, "id");
    size_t n = id ? strlen(id) : 0;
    int ok = n > 0 && n <= OUTBOX_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = id[i] > 0x20 && id[i] < 0x7f;
    if (!ok) {
        http_res_error(res, 404, "NOT_FOUND", "no such delivery");
        return NULL;
    }
    return id;
}

void outbox_answer_list(struct db_pool *pool, int wait_ms, struct http_req *req,
                        struct http_res *res)
{
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    const char *status = http_req_query(req, "status");
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "delivered") != 0) {
        http_res_error(res, 400, "VALIDATION_FAILED", "status must be pending or delivered");
        return;
    }
    struct db_conn *c = db_acquire_or_503(pool, wait_ms, res);
    if (!c)
        return;
    json_t *items = NULL;
    long total = 0;
    enum db_status st = outbox_list(c, status, limit, offset, &items, &total);
    db_release(pool, c);
    if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_page(res, items, total, limit, offset);
}

/* GET one, after a replay (replay 1) or not; 1 when answered with it. */
static int outbox_answer_one(struct db_pool *pool, int wait_ms, struct http_req *req,
                             struct http_res *res, int replay)
{
    const char *id = outbox_id_param(req, res);
    struct db_conn *c = id ? db_acquire_or_503(pool, wait_ms, res) : NULL;
    if (!c)
        return 0;
    json_t *d = NULL;
    enum db_status st = replay ? outbox_replay(c, id) : DB_OK;
    if (st == DB_OK)
        st = outbox_get(c, id, &d);
    db_release(pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such delivery");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, replay ? 202 : 200, d);
    return st == DB_OK;
}

void outbox_answer_get(struct db_pool *pool, int wait_ms, struct http_req *req,
                       struct http_res *res)
{
    outbox_answer_one(pool, wait_ms, req, res, 0);
}

int outbox_answer_replay(struct db_pool *pool, int wait_ms, struct http_req *req,
                         struct http_res *res)
{
    return outbox_answer_one(pool, wait_ms, req, res, 1);
}
