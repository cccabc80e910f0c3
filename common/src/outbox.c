/* outbox.c: at-least-once delivery of signed events. Rows are written in
 * the transaction of the change they report; a loop claims due rows with a
 * lease (one autocommitted statement), POSTs them with no transaction open,
 * and records every attempt. */
#include "common/outbox.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/httpc.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/util.h"

#define OUTBOX_ACQUIRE_MS 2000
#define OUTBOX_ERROR_MAX 200

#define OUTBOX_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

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

/* Outcome and attempt row in one statement, so they cannot disagree. */
static const struct db_stmt outbox_done = {
    "common_outbox_done",
    "WITH u AS (UPDATE outbox SET delivered_at = now(), last_status = $2::int, last_error = NULL"
    " WHERE id = $1)"
    " INSERT INTO outbox_attempts (event_id, status, error, duration_ms)"
    " VALUES ($1, $2::int, NULL, $3::int)"};

static const struct db_stmt outbox_failed = {
    "common_outbox_failed",
    "WITH u AS (UPDATE outbox SET last_status = $2::int, last_error = $3,"
    " next_attempt_at = now() + $4::bigint * interval '1 millisecond'"
    " WHERE id = $1 AND delivered_at IS NULL)"
    " INSERT INTO outbox_attempts (event_id, status, error, duration_ms)"
    " VALUES ($1, $2::int, $3, $5::int)"};

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
    " " OUTBOX_TS("p.created_at") " AS created_at,"
    " " OUTBOX_TS("p.next_attempt_at") " AS next_attempt_at,"
    " " OUTBOX_TS("p.delivered_at") " AS delivered_at"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY created_at DESC, id DESC"
    " LIMIT $2::bigint OFFSET $3::bigint) p ON true"};

static const struct db_stmt outbox_attempts_stmt = {
    "common_outbox_attempts",
    "SELECT a.id, a.status, a.error, a.duration_ms, " OUTBOX_TS("a.attempted_at") " AS attempted_at"
    " FROM outbox o LEFT JOIN outbox_attempts a ON a.event_id = o.id"
    " WHERE o.id = $1 ORDER BY a.id"};

enum db_status outbox_enqueue(struct db_conn *conn, const char *event_id, const char *topic,
                              const char *payload)
{
    const char *params[] = {event_id, topic, payload};
    return db_exec(conn, &outbox_insert, 3, params, NULL);
}

long outbox_backoff_ms(const struct outbox_config *cfg, int attempts, double jitter01)
{
    long base = cfg->retry_base_ms > 0 ? cfg->retry_base_ms : 1;
    long max = cfg->retry_max_ms > base ? cfg->retry_max_ms : base;
    if (attempts < 1)
        attempts = 1;
    if (!(jitter01 >= 0))
        jitter01 = 0;
    if (jitter01 >= 1)
        jitter01 = 0.999999;
    long d = base;
    for (int i = 1; i < attempts && d < max; i++)
        d = d > max / 2 ? max : d * 2;
    if (d > max)
        d = max;
    double r = (double)d * (0.5 + jitter01);
    return r >= (double)LONG_MAX ? LONG_MAX : (long)r;
}

/* What the receiver said, fit for a text column and a log line: at most
 * OUTBOX_ERROR_MAX bytes of printable ASCII. */
static void outbox_error_text(char *out, size_t outlen, long status, const char *body,
                              size_t len)
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
};

/* POSTs one event (no connection held, no transaction open) and records
 * the attempt. */
static void outbox_deliver(struct db_pool *pool, const struct outbox_config *cfg,
                           const struct outbox_event *ev)
{
    char sighdr[SIG_HEADER_MAX + 16] = "X-Signature: ";
    size_t plen = strlen(ev->payload);
    sig_sign(cfg->secret, ev->payload, plen, (long)(now_ms() / 1000), sighdr + 13,
             sizeof sighdr - 13);
    char ridhdr[96] = "";
    const char *headers[5];
    size_t nh = 0;
    headers[nh++] = "Content-Type: application/json";
    headers[nh++] = sighdr;
    if (outbox_id_header_safe(ev->id)) {
        snprintf(ridhdr, sizeof ridhdr, "X-Request-Id: %s", ev->id);
        headers[nh++] = ridhdr;
    }
    headers[nh] = NULL;

    struct httpc_res res;
    int64_t t0 = mono_ms();
    int rc = httpc_request("POST", cfg->url, headers, ev->payload, plen, cfg->timeout_ms, &res);
    long dur = (long)(mono_ms() - t0);
    int ok = rc == 0 && res.status >= 200 && res.status < 300;

    char error[OUTBOX_ERROR_MAX + 1] = "";
    char status_s[16], dur_s[24], delay_s[24];
    long delay = 0;
    snprintf(status_s, sizeof status_s, "%ld", res.status);
    snprintf(dur_s, sizeof dur_s, "%ld", dur);
    if (!ok) {
        if (rc != 0)
            snprintf(error, sizeof error, "%.200s", res.error);
        else
            outbox_error_text(error, sizeof error, res.status, res.body, res.len);
        double jitter = (double)randombytes_uniform(1000000) / 1e6;
        delay = outbox_backoff_ms(cfg, ev->attempts, jitter);
        snprintf(delay_s, sizeof delay_s, "%ld", delay);
    }
    httpc_res_cleanup(&res);

    if (ok)
        log_info("outbox: delivered event=%s status=%s attempt=%d duration_ms=%ld", ev->id,
                 status_s, ev->attempts, dur);
    else
        log_warn("outbox: delivery failed event=%s status=%s attempt=%d duration_ms=%ld "
                 "retry_in_ms=%ld error=\"%s\"",
                 ev->id, rc == 0 ? status_s : "-", ev->attempts, dur, delay, error);

    struct db_conn *conn = db_acquire(pool, OUTBOX_ACQUIRE_MS);
    if (!conn) {
        /* The lease runs out and the event is sent again: at least once. */
        log_warn("outbox: cannot record the attempt for event=%s (database unavailable)", ev->id);
        return;
    }
    enum db_status st;
    if (ok) {
        const char *params[] = {ev->id, status_s, dur_s};
        st = db_exec(conn, &outbox_done, 3, params, NULL);
    } else {
        const char *params[] = {ev->id, rc == 0 ? status_s : NULL, error, delay_s, dur_s};
        st = db_exec(conn, &outbox_failed, 5, params, NULL);
    }
    if (st != DB_OK)
        log_warn("outbox: recording the attempt for event=%s failed: %s", ev->id,
                 db_status_name(st));
    db_release(pool, conn);
}

int outbox_tick(struct db_pool *pool, const struct outbox_config *cfg)
{
    struct db_conn *conn = db_acquire(pool, OUTBOX_ACQUIRE_MS);
    if (!conn)
        return -1;
    char batch_s[16], lease_s[24];
    /* The whole batch is sent one after another: the lease has to outlast
     * the last event's attempt, or another instance would take it too. */
    int batch = cfg->batch > 0 ? cfg->batch : 10;
    long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    long lease = (long)batch * timeout + 5000;
    if (cfg->lease_ms > lease)
        lease = cfg->lease_ms;
    snprintf(batch_s, sizeof batch_s, "%d", batch);
    snprintf(lease_s, sizeof lease_s, "%ld", lease);
    const char *params[] = {batch_s, lease_s};
    PGresult *res;
    enum db_status st = db_exec(conn, &outbox_claim, 2, params, &res);
    if (st != DB_OK) {
        db_release(pool, conn);
        return -1;
    }
    int n = PQntuples(res);
    struct outbox_event *evs = n ? xcalloc((size_t)n, sizeof *evs) : NULL;
    for (int i = 0; i < n; i++) {
        evs[i].id = xstrdup(db_get(res, i, "id"));
        evs[i].payload = xstrdup(db_get(res, i, "payload"));
        evs[i].attempts = atoi(db_get(res, i, "attempts"));
    }
    PQclear(res);
    /* The connection goes back before any HTTP call: a slow receiver must
     * not hold a pool slot the request handlers need. */
    db_release(pool, conn);

    for (int i = 0; i < n; i++) {
        outbox_deliver(pool, cfg, &evs[i]);
        free(evs[i].id);
        free(evs[i].payload);
    }
    free(evs);
    return n;
}

enum db_status outbox_replay(struct db_conn *conn, const char *event_id)
{
    const char *params[] = {event_id};
    PGresult *res;
    enum db_status st = db_exec(conn, &outbox_replay_stmt, 1, params, &res);
    if (st != DB_OK)
        return st;
    st = PQntuples(res) > 0 ? DB_OK : DB_NOT_FOUND;
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

enum db_status outbox_list(struct db_conn *conn, const char *status_filter, long limit,
                           long offset, json_t **items, long *total)
{
    *items = NULL;
    if (total)
        *total = 0;
    if (status_filter && strcmp(status_filter, "pending") != 0 &&
        strcmp(status_filter, "delivered") != 0)
        return DB_INVALID;
    if (limit < 0 || offset < 0)
        return DB_INVALID;
    char limit_s[24], offset_s[24];
    snprintf(limit_s, sizeof limit_s, "%ld", limit);
    snprintf(offset_s, sizeof offset_s, "%ld", offset);
    const char *params[] = {status_filter, limit_s, offset_s};
    PGresult *res;
    enum db_status st = db_exec(conn, &outbox_list_stmt, 3, params, &res);
    if (st != DB_OK)
        return st;
    json_t *arr = json_array();
    for (int r = 0; r < PQntuples(res); r++) {
        if (total && r == 0)
            *total = strtol(db_get(res, 0, "total"), NULL, 10);
        const char *id = db_get(res, r, "id");
        if (!id)
            continue; /* the page is empty: only the total came */
        const char *payload = db_get(res, r, "payload");
        json_t *parsed = payload ? json_loads(payload, 0, NULL) : NULL;
        if (!parsed)
            parsed = outbox_str_or_null(payload);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "topic", outbox_str_or_null(db_get(res, r, "topic")));
        json_object_set_new(o, "created_at", outbox_str_or_null(db_get(res, r, "created_at")));
        json_object_set_new(o, "attempts", outbox_int_or_null(db_get(res, r, "attempts")));
        json_object_set_new(o, "next_attempt_at",
                            outbox_str_or_null(db_get(res, r, "next_attempt_at")));
        json_object_set_new(o, "delivered_at", outbox_str_or_null(db_get(res, r, "delivered_at")));
        json_object_set_new(o, "last_status", outbox_int_or_null(db_get(res, r, "last_status")));
        json_object_set_new(o, "last_error", outbox_str_or_null(db_get(res, r, "last_error")));
        json_object_set_new(o, "payload", parsed);
        json_array_append_new(arr, o);
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
