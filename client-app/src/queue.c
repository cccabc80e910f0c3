/* queue.c: the waiting room's pure logic (see queue.h). */
#include "queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"

static void cfg_fail(json_t *details, const char *field, const char *why)
{
    char key[64];
    snprintf(key, sizeof key, "queue.%s", field);
    json_object_set_new(details, key, json_string(why));
}

/* A whole number in [min, max] from v into *out: 0, or -1 after failing. */
static int cfg_int(const json_t *v, const char *field, long min, long max, long *out,
                   json_t *details)
{
    char why[96];
    snprintf(why, sizeof why, "must be an integer from %ld to %ld", min, max);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        cfg_fail(details, field, why);
        return -1;
    }
    *out = (long)json_integer_value(v);
    return 0;
}

int queue_config_parse(const json_t *body, const struct queue_config *base,
                       struct queue_config *cfg, json_t *details)
{
    const json_t *q = json_object_get(body, "queue");
    if (!q)
        return 0;
    if (!json_is_object(q)) {
        json_object_set_new(details, "queue",
                            json_string("must be an object {enabled, admit_per_minute, "
                                        "pass_ttl_seconds}"));
        return -1;
    }
    int bad = 0;
    struct queue_config c = {0, 0, QUEUE_TTL_DEFAULT};
    if (base)
        c = *base;
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)q, key, v)
    {
        if (strcmp(key, "enabled") != 0 && strcmp(key, "admit_per_minute") != 0 &&
            strcmp(key, "pass_ttl_seconds") != 0) {
            cfg_fail(details, key, "unknown field");
            bad = 1;
        }
    }
    v = json_object_get(q, "enabled");
    if (v && !json_is_boolean(v)) {
        cfg_fail(details, "enabled", "must be true or false");
        bad = 1;
    } else if (v) {
        c.enabled = json_is_true(v);
    } else if (!base) {
        cfg_fail(details, "enabled", "is required");
        bad = 1;
    }
    v = json_object_get(q, "admit_per_minute");
    if (v)
        bad |= cfg_int(v, "admit_per_minute", 1, QUEUE_RATE_MAX, &c.admit_per_minute, details) < 0;
    else if (!base) {
        cfg_fail(details, "admit_per_minute", "is required");
        bad = 1;
    }
    v = json_object_get(q, "pass_ttl_seconds");
    if (v)
        bad |= cfg_int(v, "pass_ttl_seconds", QUEUE_TTL_MIN, QUEUE_TTL_MAX, &c.pass_ttl_seconds,
                       details) < 0;
    if (bad)
        return -1;
    *cfg = c;
    return 1;
}

json_t *queue_config_json(const struct queue_config *cfg)
{
    return json_pack("{s:b, s:I, s:I}", "enabled", cfg->enabled, "admit_per_minute",
                     (json_int_t)cfg->admit_per_minute, "pass_ttl_seconds",
                     (json_int_t)cfg->pass_ttl_seconds);
}

static const char *const status_names[QS_COUNT] = {
    [QS_WAITING] = "WAITING",
    [QS_ADMITTED] = "ADMITTED",
    [QS_EXPIRED] = "EXPIRED",
    [QS_LEFT] = "LEFT",
};

enum queue_status queue_status_parse(const char *s)
{
    for (int i = 1; s && i < QS_COUNT; i++)
        if (strcmp(s, status_names[i]) == 0)
            return (enum queue_status)i;
    return QS_UNKNOWN;
}

const char *queue_status_name(enum queue_status s)
{
    return s > QS_UNKNOWN && s < QS_COUNT ? status_names[s] : NULL;
}

enum queue_status queue_ticket_status(const struct queue_ticket *t)
{
    if (t->stored == QS_ADMITTED && t->pass_expires_ms >= 0 && t->pass_expires_ms <= t->now_ms)
        return QS_EXPIRED;
    return t->stored;
}

long long queue_ticket_position(const struct queue_ticket *t)
{
    if (queue_ticket_status(t) != QS_WAITING)
        return 0;
    if (t->seq >= 0)
        return t->seq > t->admitted_upto ? t->seq - t->admitted_upto : 1;
    if (!t->opened)
        return -1; /* drawn at random when sales open */
    long long ahead = t->next_seq - t->admitted_upto;
    return (ahead > 0 ? ahead : 0) + 1;
}

long long queue_ticket_wait_s(const struct queue_ticket *t)
{
    enum queue_status s = queue_ticket_status(t);
    if (s == QS_ADMITTED)
        return 0;
    if (s != QS_WAITING)
        return -1;
    long long pos = queue_ticket_position(t);
    if (pos < 0) {
        int64_t until = t->sales_start_ms - t->now_ms;
        return until > 0 ? (until + 999) / 1000 : 0;
    }
    long rate = t->admit_per_minute > 0 ? t->admit_per_minute : 1;
    return (pos * 60 + rate - 1) / rate;
}

json_t *queue_ticket_json(const struct queue_ticket *t, const char *pass)
{
    enum queue_status s = queue_ticket_status(t);
    long long pos = queue_ticket_position(t), wait = queue_ticket_wait_s(t);
    json_t *o = json_pack("{s:s, s:s, s:s}", "id", t->id, "event_id", t->event_id, "status",
                          queue_status_name(s) ? queue_status_name(s) : "LEFT");
    json_object_set_new(o, "position",
                        s == QS_WAITING && pos >= 0 ? json_integer(pos)
                        : s == QS_WAITING           ? json_null()
                                                    : json_integer(0));
    json_object_set_new(o, "estimated_wait_seconds", wait >= 0 ? json_integer(wait) : json_null());
    if (s == QS_ADMITTED && pass && t->pass_expires_ms >= 0) {
        char at[40];
        time_rfc3339(t->pass_expires_ms, at, sizeof at);
        json_object_set_new(o, "pass", json_string(pass));
        json_object_set_new(o, "pass_expires_at", json_string(at));
    } else {
        json_object_set_new(o, "pass", json_null());
        json_object_set_new(o, "pass_expires_at", json_null());
    }
    return o;
}

int64_t queue_step_us(long per_minute)
{
    if (per_minute < 1)
        per_minute = 1;
    int64_t step = 60000000LL / per_minute;
    return step > 0 ? step : 1;
}

long long queue_admit_due(int64_t now_us, int64_t clock_us, long per_minute, int64_t *from_us)
{
    int64_t step = queue_step_us(per_minute);
    /* two steps at least, so that a step falling due between two ticks is
     * never lost to the cap */
    int64_t burst = 2 * step > QUEUE_BURST_US ? 2 * step : QUEUE_BURST_US;
    int64_t from = clock_us;
    if (now_us - from > burst)
        from = now_us - burst; /* credit unused for long is not kept */
    *from_us = from;
    return now_us > from ? (long long)((now_us - from) / step) : 0;
}

int64_t queue_clock_after(int64_t from_us, long long due, long long admitted, long per_minute,
                          int64_t now_us)
{
    if (admitted < due)
        return now_us;
    return from_us + (int64_t)admitted * queue_step_us(per_minute);
}

/* The signed part of a pass into out: "qp1.<ticket>.<event>.<user>.<exp>". */
static int pass_body(const char *ticket_id, const char *event_id, const char *user_id,
                     int64_t expires_s, char *out, size_t outlen)
{
    int w = snprintf(out, outlen, "qp1.%s.%s.%s.%" PRId64, ticket_id, event_id, user_id, expires_s);
    return w < 0 || (size_t)w >= outlen ? -1 : w;
}

int queue_pass_sign(const char *secret, const char *ticket_id, const char *event_id,
                    const char *user_id, int64_t expires_s, char *out, size_t outlen)
{
    char body[QUEUE_PASS_MAX], mac[65];
    int n = pass_body(ticket_id, event_id, user_id, expires_s, body, sizeof body);
    if (n < 0)
        return -1;
    hmac_sha256_hex(secret, body, (size_t)n, mac);
    int w = snprintf(out, outlen, "%s.%s", body, mac);
    return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

static const char *const check_names[] = {
    [QP_OK] = "OK",
    [QP_MISSING] = "MISSING",
    [QP_FORGED] = "FORGED",
    [QP_WRONG_EVENT] = "WRONG_EVENT",
    [QP_WRONG_USER] = "WRONG_USER",
    [QP_EXPIRED] = "EXPIRED",
};

const char *queue_pass_check_name(enum queue_pass_check c)
{
    return c >= QP_OK && c <= QP_EXPIRED ? check_names[c] : "FORGED";
}

enum queue_pass_check queue_pass_verify(const char *secret, const char *pass, const char *user_id,
                                        const char *event_id, int64_t now_s, char ticket_id[37])
{
    if (!pass || !pass[0])
        return QP_MISSING;
    size_t len = strlen(pass);
    if (len >= QUEUE_PASS_MAX || len < 4 + 3 * 37 + 2 + 65)
        return QP_FORGED;
    const char *dot = strrchr(pass, '.');
    if (!dot || strlen(dot + 1) != 64)
        return QP_FORGED;
    char body[QUEUE_PASS_MAX], mac[65], given[65];
    size_t blen = (size_t)(dot - pass);
    memcpy(body, pass, blen);
    body[blen] = '\0';
    snprintf(given, sizeof given, "%s", dot + 1);
    hmac_sha256_hex(secret, body, blen, mac);
    if (!str_ct_equal(mac, given))
        return QP_FORGED;
    /* signed by us: its fields are ours, laid out by pass_body */
    char tid[37], eid[37], uid[37];
    long long exp = 0;
    if (strncmp(body, "qp1.", 4) != 0 || blen < 4 + 3 * 37 + 1 || body[40] != '.' ||
        body[77] != '.' || body[114] != '.')
        return QP_FORGED;
    memcpy(tid, body + 4, 36);
    memcpy(eid, body + 41, 36);
    memcpy(uid, body + 78, 36);
    tid[36] = eid[36] = uid[36] = '\0';
    char *end = NULL;
    exp = strtoll(body + 115, &end, 10);
    if (!end || *end || !uuid_valid(tid) || !uuid_valid(eid) || !uuid_valid(uid))
        return QP_FORGED;
    if (strcasecmp(eid, event_id) != 0)
        return QP_WRONG_EVENT;
    if (strcasecmp(uid, user_id) != 0)
        return QP_WRONG_USER;
    if (exp <= now_s)
        return QP_EXPIRED;
    memcpy(ticket_id, tid, 37);
    return QP_OK;
}
