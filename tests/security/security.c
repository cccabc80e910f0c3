/* security.c: the hostile-input battery over every endpoint of the three
 * daemons. The endpoints come from the route tables themselves (the
 * services' src/routes.c), so a route added later is covered too. Each
 * probe must get the right 4xx with a JSON error, change nothing in any of
 * the three databases (a digest of every table before and after), and
 * leave the daemons running. Categories: no / garbage / expired / revoked
 * token, another user's ids, non-admin on admin endpoints, forged, stale
 * and replayed signatures on both webhooks, SQL injection and path
 * traversal in path parameters and string fields, huge and deeply nested
 * JSON, invalid UTF-8, wrong content types, malformed JSON, slow clients
 * (cut at CONNECTION_TIMEOUT_S while others are served) and more
 * connections than MAX_CONNECTIONS (refused, daemon up). Prints the counts
 * per category; any failure fails the test. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/sig.h"
#include "harness.h"
#include "test_suite.h"
#include "testsupport.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN
#define SERVICE_TOKEN TS_SERVICE_TOKEN
#define PAY_TOKEN TS_PAY_TOKEN
#define WEBHOOK_SECRET TS_WEBHOOK_SECRET
#define NOTIFY_SECRET TS_NOTIFY_SECRET
#define ADMIN_PASSWORD TS_ADMIN_PASSWORD
#define CONN_TIMEOUT_S 3
#define MAX_CONN 64
#define BODY_CAP (1024 * 1024) /* API.md: over 1 MiB is 413 */

enum svc { S_CLIENT = TS_CLIENT, S_TICKET = TS_TICKET, S_PAY = TS_PAY, NSVC = TS_NDAEMONS };
static const char *const *const svc_name = test_suite_names;
static struct hdaemon dm[NSVC];
static char uri[NSVC][600];
static PGconn *dbc[NSVC];
static char log_dir[600]; /* the daemons' logs: kept when something failed */

enum access { A_PUBLIC, A_USER, A_ADMIN, A_SERVICE, A_SIGNED };
static const char *const access_name[] = {"public", "user", "admin", "service", "signed"};

struct route {
    enum svc svc;
    char method[16];
    char pattern[200];
    enum access acc;
};
static struct route routes[160];
static int nroutes;

enum cat {
    C_NOTOKEN,
    C_GARBAGE,
    C_EXPIRED,
    C_REVOKED,
    C_OTHERUSER,
    C_NONADMIN,
    C_SIGNATURE,
    C_PATHINJ,
    C_BODYINJ,
    C_HUGE,
    C_NESTED,
    C_UTF8,
    C_CTYPE,
    C_MALFORMED,
    C_SLOW,
    C_CONNS,
    NCAT
};
static const char *const cat_name[NCAT] = {
    "no token",
    "garbage token",
    "expired token",
    "revoked token / deleted user",
    "another user's ids",
    "non-admin on admin endpoints",
    "forged / stale / replayed signatures",
    "SQL injection / traversal in path parameters",
    "SQL injection / traversal in string fields",
    "body over 1 MiB",
    "deeply nested JSON",
    "invalid UTF-8",
    "wrong Content-Type",
    "malformed JSON",
    "slow clients (slowloris)",
    "too many connections",
};
static long sent[NCAT], good[NCAT], bad[NCAT], stored[NCAT];

/* The fixture: what the probes aim at. */
static struct {
    char event[37], seat_open[37], seat_booked[37];
    char alice[37], bob[37], carol[37];
    char alice_tok[80], bob_tok[80], carol_tok[80], admin_tok[80];
    char alice_old_tok[80], alice_gone_tok[80];
    char bob_booking[37], alice_booking[37], bob_invoice[24], alice_invoice[24];
    char bob_wait[64], delivery[64];
    char *paid_event;   /* a payment webhook body already applied (malloc'ed) */
    char *notification; /* a notification body already applied (malloc'ed) */
} fx;

static void fail(enum cat c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(enum cat c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL [%s] ", cat_name[c]);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    bad[c]++;
}

/* ---- the route tables ---- */

static int parse_access(enum svc s, const char *route_flags, enum access *out)
{
    /* HTTP_ROUTE_PRIORITY (common/http.h) is the server's queueing bit for
     * service callbacks, not an access level: read the flags without it. */
    char flags[100];
    snprintf(flags, sizeof flags, "%s", route_flags);
    char *prio = strstr(flags, "HTTP_ROUTE_PRIORITY");
    if (prio) {
        size_t n = strlen("HTTP_ROUTE_PRIORITY");
        memmove(prio, prio + n, strlen(prio + n) + 1);
        size_t len = strlen(flags);
        while (len > 0 && (flags[len - 1] == ' ' || flags[len - 1] == '|'))
            flags[--len] = '\0';
    }
    if (s == S_CLIENT) {
        if (strstr(flags, "ROUTE_INTERNAL"))
            *out = A_SIGNED;
        else if (strstr(flags, "ROUTE_ADMIN") || strstr(flags, "ROUTE_GATE"))
            *out = A_ADMIN; /* the gate's routes: staff and admins, never a plain user */
        else if (strstr(flags, "ROUTE_AUTH"))
            *out = A_USER;
        else if (strcmp(flags, "0") == 0)
            *out = A_PUBLIC;
        else
            return -1;
    } else if (s == S_TICKET) {
        if (strcmp(flags, "AUTH_PUBLIC") == 0)
            *out = A_PUBLIC;
        else if (strcmp(flags, "AUTH_ADMIN") == 0)
            *out = A_ADMIN;
        else if (strcmp(flags, "AUTH_SERVICE") == 0)
            *out = A_SERVICE;
        else if (strcmp(flags, "AUTH_SIGNED") == 0)
            *out = A_SIGNED;
        else
            return -1;
    } else {
        if (strstr(flags, "PAYMENT_ROUTE_SERVICE"))
            *out = A_SERVICE;
        else if (strcmp(flags, "0") == 0)
            *out = A_PUBLIC;
        else
            return -1;
    }
    return 0;
}

/* Reads the entries {"METHOD", "/pattern", handler, FLAGS} of the table in
 * a routes.c. */
static int load_routes(enum svc s, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        return -1;
    }
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char method[16], pattern[200], handler[100], flags[100];
        const char *p = line;
        while (*p == ' ')
            p++;
        if (sscanf(p, "{\"%15[A-Z]\", \"%199[^\"]\", %99[a-z_0-9], %99[^}]}", method, pattern,
                   handler, flags) != 4)
            continue;
        if (nroutes >= (int)(sizeof routes / sizeof routes[0]))
            break;
        struct route *r = &routes[nroutes];
        r->svc = s;
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->pattern, sizeof r->pattern, "%s", pattern);
        if (parse_access(s, flags, &r->acc) != 0) {
            fprintf(stderr, "%s: route %s %s has flags %s the battery does not know\n", file,
                    method, pattern, flags);
            fclose(f);
            return -1;
        }
        nroutes++;
        n++;
    }
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "%s: no routes found\n", file);
        return -1;
    }
    return 0;
}

/* ---- digests: nothing changed ---- */

/* One "table:md5" per table of the public schema, in one round trip. */
static const char digest_sql[] =
    "SELECT string_agg(table_name || ':' || (xpath('/row/d/text()', query_to_xml("
    "format('SELECT md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) AS d "
    "FROM %I t', table_name), false, true, '')))[1]::text, ' ' ORDER BY table_name) "
    "FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";

static char *digest(enum svc s)
{
    if (!dbc[s] || PQstatus(dbc[s]) != CONNECTION_OK) {
        PQfinish(dbc[s]);
        dbc[s] = PQconnectdb(uri[s]);
    }
    PGresult *r = PQexec(dbc[s], digest_sql);
    char *out = strdup(
        PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "error");
    PQclear(r);
    return out;
}

struct snapshot {
    char *d[NSVC];
};

static void snap_take(struct snapshot *sn)
{
    for (int i = 0; i < NSVC; i++)
        sn->d[i] = digest((enum svc)i);
}

static void snap_free(struct snapshot *sn)
{
    for (int i = 0; i < NSVC; i++)
        free(sn->d[i]);
}

/* Names the tables whose digest differs into out; 0 if none. */
static int snap_diff(const struct snapshot *a, const struct snapshot *b, char *out, size_t cap)
{
    int n = 0;
    out[0] = '\0';
    for (int i = 0; i < NSVC; i++) {
        if (strcmp(a->d[i], b->d[i]) == 0)
            continue;
        /* walk both lists "name:md5 name:md5 ..." */
        char *x = strdup(a->d[i]), *y = strdup(b->d[i]), *sx, *sy;
        char *tx = strtok_r(x, " ", &sx), *ty = strtok_r(y, " ", &sy);
        while (tx || ty) {
            if (!tx || !ty || strcmp(tx, ty) != 0) {
                const char *name = tx ? tx : ty;
                size_t len = strcspn(name, ":");
                size_t used = strlen(out);
                snprintf(out + used, cap - used, "%s%s.%.*s", n ? ", " : "", svc_name[i], (int)len,
                         name);
                n++;
            }
            tx = tx ? strtok_r(NULL, " ", &sx) : NULL;
            ty = ty ? strtok_r(NULL, " ", &sy) : NULL;
        }
        free(x);
        free(y);
    }
    return n;
}

/* ---- probes ---- */

static int settle(void);
static long last_call_ms; /* of the last probe's HTTP call */

enum {
    P_MAY_CHANGE = 1, /* a 2xx may change things (stored literally) */
    P_NO_DIGEST = 2,  /* the request is expected to change things */
};

static int all_alive(void)
{
    int ok = 1;
    for (int i = 0; i < NSVC; i++) {
        if (!hd_alive(&dm[i])) {
            fprintf(stderr, "%s DIED (status %d)\n", dm[i].name, dm[i].last_status);
            hd_log_tail(&dm[i], 6000);
            ok = 0;
        }
    }
    return ok;
}

static int is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strncmp(path, "/webhooks/", 10) == 0 ||
           strncmp(path, "/internal/", 10) == 0;
}

/* Sends one probe and judges it: the status must be one of want
 * (0-terminated; 200 stands for any 2xx when P_MAY_CHANGE), an API error
 * must be a JSON {"error":{"code"}}, nothing may change, the daemons must
 * live. Returns the status. */
static long probe(enum cat c, enum svc s, const char *method, const char *path, const char *bearer,
                  const char *const *headers, const char *body, size_t len, const int *want,
                  unsigned flags)
{
    struct snapshot before = {{0}}, after = {{0}};
    if (!(flags & P_NO_DIGEST))
        snap_take(&before);
    struct hres r;
    long long t0 = (long long)mono_ms();
    long st =
        h_call(method, dm[s].base_url, path, bearer, body, body ? len : 0, headers, 20000, &r);
    long ms = (long)((long long)mono_ms() - t0);
    sent[c]++;
    int ok = 0;
    for (const int *w = want; *w; w++)
        ok |= st == *w || (*w == 200 && (flags & P_MAY_CHANGE) && st >= 200 && st < 300);
    char shown[120];
    snprintf(shown, sizeof shown, "%.100s%s", path, strlen(path) > 100 ? "..." : "");
    if (!ok) {
        fail(c, "%s %s %s: answered %ld (%.200s)", svc_name[s], method, shown, st, r.body);
    } else if (st >= 400 && is_api(path) &&
               !json_string_value(json_object_get(json_object_get(r.json, "error"), "code"))) {
        fail(c, "%s %s %s: %ld without a JSON error body (%.200s)", svc_name[s], method, shown, st,
             r.body);
        ok = 0;
    } else if (ms > 10000) {
        fail(c, "%s %s %s: took %ld ms", svc_name[s], method, shown, ms);
        ok = 0;
    }
    /* every booking attempt that passes validation is recorded, refused or not */
    int recorded = (flags & P_MAY_CHANGE) && st == 409 && strcmp(method, "POST") == 0 &&
                   strncmp(path, "/api/bookings", 13) == 0;
    int changed_ok = (st >= 200 && st < 300 && (flags & P_MAY_CHANGE)) || recorded;
    if (changed_ok)
        stored[c]++;
    if (!(flags & P_NO_DIGEST) && !changed_ok) {
        snap_take(&after);
        char diff[800];
        if (snap_diff(&before, &after, diff, sizeof diff)) {
            fail(c, "%s %s %s answered %ld but changed %s", svc_name[s], method, shown, st, diff);
            ok = 0;
        }
    }
    snap_free(&before);
    snap_free(&after);
    if (!all_alive()) {
        fail(c, "a daemon died after %s %s %s", svc_name[s], method, shown);
        ok = 0;
    }
    if (ok)
        good[c]++;
    hres_free(&r);
    /* what a stored request set going (notifications, follow-ups) ends
     * before the next probe's snapshot */
    if ((changed_ok || (flags & P_NO_DIGEST)) && settle() != 0)
        fail(c, "%s %s %s: what it set going never settled (an undeliverable event?)", svc_name[s],
             method, shown);
    last_call_ms = ms;
    return st;
}

/* ---- fixture-aware paths and bodies ---- */

static void random_uuid(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 36; i++)
        out[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : hex[rand() % 16];
    out[14] = '4';
    out[36] = '\0';
}

/* The value a valid call would put in a path parameter. */
static const char *param_value(const struct route *r, const char *name)
{
    const char *p = r->pattern;
    if (r->svc == S_PAY)
        return strcmp(name, "number") == 0 ? fx.bob_invoice : fx.delivery;
    if (strncmp(p, "/api/users/", 11) == 0)
        return fx.alice;
    if (strstr(p, "/events/"))
        return fx.event;
    if (strncmp(p, "/api/seats/", 11) == 0)
        return fx.seat_open;
    if (strncmp(p, "/api/bookings/", 14) == 0)
        return r->svc == S_CLIENT ? fx.alice_booking : fx.bob_booking;
    if (strncmp(p, "/api/waitlist/", 14) == 0)
        return fx.bob_wait[0] ? fx.bob_wait : "00000000-0000-4000-8000-000000000000";
    if (strncmp(p, "/assets/", 8) == 0)
        return "app.js";
    return "00000000-0000-4000-8000-000000000000";
}

/* The path of r with every {param} replaced: by subst for parameter index
 * which (-1: none), by the fixture's value otherwise. */
static void build_path(const struct route *r, int which, const char *subst, char *out, size_t cap)
{
    size_t k = 0;
    int idx = 0;
    for (const char *p = r->pattern; *p && k + 1 < cap;) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            char name[40];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
            const char *v = idx == which ? subst : param_value(r, name);
            k += (size_t)snprintf(out + k, cap - k, "%s", v);
            if (k >= cap)
                k = cap - 1;
            idx++;
            p = end + 1;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    /* ticket-app's waitlist leave names the user */
    if (r->svc == S_TICKET && strncmp(r->pattern, "/api/waitlist/", 14) == 0 && k + 60 < cap)
        snprintf(out + k, cap - k, "?user_id=%s", fx.bob);
}

static int nparams(const struct route *r)
{
    int n = 0;
    for (const char *p = r->pattern; (p = strchr(p, '{')); p++)
        n++;
    return n;
}

enum body_kind { B_NONE, B_JSON, B_OTHER };

/* A valid JSON body for r (new reference) or NULL; *kind says whether the
 * route takes JSON, nothing, or something else (a poster image). */
static json_t *template_body(const struct route *r, enum body_kind *kind)
{
    const char *m = r->method, *p = r->pattern;
    char id[37];
    random_uuid(id);
    *kind = B_NONE;
    if (strcmp(m, "GET") == 0 || strcmp(m, "DELETE") == 0)
        return NULL;
    if (strstr(p, "/poster")) {
        *kind = B_OTHER;
        return NULL;
    }
    *kind = B_JSON;
    json_t *event =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:[{s:s, s:[s], s:i, s:i}]}}", "name",
                  "Security Night", "venue", "Hall", "starts_at", "2031-05-01T19:00:00Z",
                  "description", "probe", "currency", "IDR", "layout", "sections", "name", "Floor",
                  "rows", "Q", "seats_per_row", 2, "price", 1000);
    json_t *b = NULL;
    if (r->svc == S_CLIENT) {
        if (strcmp(p, "/api/users") == 0)
            b = json_pack("{s:s, s:s, s:s, s:s}", "username", "mallory", "email",
                          "mallory@example.com", "password", "mallory-password", "full_name",
                          "Mallory");
        else if (strcmp(p, "/api/users/{id}") == 0)
            b = json_pack("{s:s, s:s}", "full_name", "Alice A.", "email", "alice@example.com");
        else if (strcmp(p, "/api/sessions") == 0)
            b = json_pack("{s:s, s:s}", "login", "alice", "password", "not-her-password");
        else if (strcmp(p, "/api/bookings") == 0)
            b = json_pack("{s:s, s:[s]}", "event_id", fx.event, "seat_ids", fx.seat_booked);
        else if (strcmp(p, "/api/waitlist") == 0)
            b = json_pack("{s:s, s:s}", "event_id", fx.event, "seat_id", fx.seat_booked);
        else if (strcmp(p, "/api/admin/events") == 0)
            b = json_incref(event);
        else if (strcmp(p, "/api/admin/events/{id}") == 0)
            b = json_pack("{s:s, s:s}", "name", "Security Night II", "venue", "Hall B");
        else if (strcmp(p, "/internal/notifications") == 0)
            b = json_loads(fx.notification, 0, NULL);
    } else if (r->svc == S_TICKET) {
        if (strcmp(p, "/api/events") == 0)
            b = json_incref(event);
        else if (strcmp(p, "/api/events/{id}") == 0)
            b = json_pack("{s:s, s:s}", "name", "Security Night II", "venue", "Hall B");
        else if (strcmp(p, "/api/events/{id}/seats") == 0)
            b = json_pack("{s:s, s:s, s:s, s:i, s:i}", "label", "Z-1", "section", "Floor", "row",
                          "Z", "number", 1, "price", 1000);
        else if (strcmp(p, "/api/seats/{id}") == 0)
            b = json_pack("{s:i, s:s}", "price", 2000, "label", "A-9b");
        else if (strcmp(p, "/api/bookings") == 0)
            b = json_pack("{s:s, s:s, s:s, s:[s]}", "booking_id", id, "user_id", fx.alice,
                          "event_id", fx.event, "seat_ids", fx.seat_booked);
        else if (strcmp(p, "/api/waitlist") == 0)
            b = json_pack("{s:s, s:s, s:s}", "user_id", fx.alice, "event_id", fx.event, "seat_id",
                          fx.seat_booked);
        else if (strcmp(p, "/api/checkins") == 0)
            b = json_pack("{s:s}", "ticket_code",
                          "TK1.00000000-0000-4000-8000-000000000000.00000000-0000-4000-8000-"
                          "000000000000.00000000000000000000000000000000");
        else if (strcmp(p, "/webhooks/payment") == 0)
            b = json_loads(fx.paid_event, 0, NULL);
    } else {
        if (strcmp(p, "/api/invoices") == 0)
            b = json_pack("{s:s, s:i, s:s, s:s, s:s}", "booking_id", id, "amount", 5000, "currency",
                          "IDR", "expires_at", "2031-01-01T00:00:00Z", "description", "probe");
        else if (strstr(p, "/pay"))
            b = json_pack("{s:s}", "method", "card");
    }
    json_decref(event);
    if (!b)
        *kind = B_NONE; /* a writing route without a body (cancel, void, refund, ...) */
    return b;
}

/* The valid caller of r: bearer and signature headers for body. */
static const char *caller(const struct route *r)
{
    switch (r->acc) {
    case A_USER:
        return fx.alice_tok;
    case A_ADMIN:
        return r->svc == S_CLIENT ? fx.admin_tok : r->svc == S_TICKET ? ADMIN_TOKEN : PAY_TOKEN;
    case A_SERVICE:
        return r->svc == S_TICKET ? SERVICE_TOKEN : PAY_TOKEN;
    default:
        return NULL;
    }
}

/* "X-Signature: ..." for body on a signed route, signed now (or at t). */
static void sign_header(const struct route *r, const char *body, size_t len, long t, char *out,
                        size_t cap)
{
    char sig[SIG_HEADER_MAX];
    sig_sign(r->svc == S_CLIENT ? NOTIFY_SECRET : WEBHOOK_SECRET, body, len, t, sig, sizeof sig);
    snprintf(out, cap, "X-Signature: %s", sig);
}

/* Probes r with body (len bytes) as its valid caller would send it (bearer,
 * a good signature), plus extra headers. */
static long probe_as_caller(enum cat c, const struct route *r, const char *path, const char *body,
                            size_t len, const char *ctype, const int *want, unsigned flags)
{
    char sig[200], ct[200];
    const char *headers[5];
    int n = 0;
    /* a large body goes as clients send one: the answer may come before it */
    if (len > BODY_CAP)
        headers[n++] = "Expect: 100-continue";
    if (r->acc == A_SIGNED) {
        sign_header(r, body ? body : "", body ? len : 0, (long)time(NULL), sig, sizeof sig);
        headers[n++] = sig;
    }
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        headers[n++] = ct;
    }
    headers[n] = NULL;
    return probe(c, r->svc, r->method, path, caller(r), headers, body, len, want, flags);
}

static int writes(const struct route *r)
{
    return strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
}

/* ---- categories ---- */

static const int W401[] = {401, 0}, W403[] = {403, 0}, W404[] = {404, 0}, W400[] = {400, 0},
                 W413[] = {413, 0}, W415[] = {415, 0}, W4xx_path[] = {400, 404, 405, 414, 0},
                 W204[] = {204, 0};

/* A valid call of r but for the credentials in headers/bearer. */
static void probe_creds(enum cat c, const struct route *r, const char *bearer,
                        const char *const *headers, const int *want)
{
    char path[600];
    build_path(r, -1, NULL, path, sizeof path);
    enum body_kind kind;
    json_t *b = template_body(r, &kind);
    char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
    probe(c, r->svc, r->method, path, bearer, headers, text, text ? strlen(text) : 0, want, 0);
    free(text);
    json_decref(b);
}

static void cat_tokens(void)
{
    char long_tok[4200], hdr_long[4300], hdr_suffix[200], hdr_prefix[200];
    memset(long_tok, 'a', 4096);
    long_tok[4096] = '\0';
    snprintf(hdr_long, sizeof hdr_long, "Authorization: Bearer %s", long_tok);
    snprintf(hdr_suffix, sizeof hdr_suffix, "Authorization: Bearer %sx", fx.alice_tok);
    snprintf(hdr_prefix, sizeof hdr_prefix, "Authorization: Bearer %.63s", fx.alice_tok);
    const char *garbage[] = {
        "Authorization: garbage",
        "Authorization: Bearer",
        "Authorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000",
        "Authorization: Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=",
        "Authorization: Bearer ' OR '1'='1",
        "Authorization: Bearer security-ticket-admin-token-but-wrong",
        hdr_long,
        hdr_suffix,
        hdr_prefix,
    };
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        if (r->acc == A_PUBLIC || r->acc == A_SIGNED)
            continue;
        probe_creds(C_NOTOKEN, r, NULL, NULL, W401);
        for (size_t g = 0; g < sizeof garbage / sizeof garbage[0]; g++) {
            const char *h[] = {garbage[g], NULL};
            probe_creds(C_GARBAGE, r, NULL, h, W401);
        }
        /* the other services' secrets are garbage here */
        if (r->svc != S_CLIENT)
            probe_creds(C_GARBAGE, r, fx.alice_tok, NULL, W401);
        if (r->svc != S_PAY)
            probe_creds(C_GARBAGE, r, PAY_TOKEN, NULL, W401);
        if (r->svc == S_PAY)
            probe_creds(C_GARBAGE, r, ADMIN_TOKEN, NULL, W401);
        if (r->svc == S_CLIENT) {
            probe_creds(C_EXPIRED, r, fx.alice_old_tok, NULL, W401);
            probe_creds(C_REVOKED, r, fx.alice_gone_tok, NULL, W401);
            probe_creds(C_REVOKED, r, fx.carol_tok, NULL, W401);
        }
        if (r->acc == A_ADMIN && r->svc == S_CLIENT)
            probe_creds(C_NONADMIN, r, fx.alice_tok, NULL, W403);
        if (r->acc == A_ADMIN && r->svc == S_TICKET)
            probe_creds(C_NONADMIN, r, SERVICE_TOKEN, NULL, W403);
    }
}

static void cat_other_user(void)
{
    char path[200];
    const char *user_paths[][2] = {
        {"GET", "/api/users/%s"}, {"PATCH", "/api/users/%s"}, {"DELETE", "/api/users/%s"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, user_paths[i][1], fx.bob);
        const char *body =
            strcmp(user_paths[i][0], "PATCH") == 0 ? "{\"full_name\":\"pwned\"}" : NULL;
        probe(C_OTHERUSER, S_CLIENT, user_paths[i][0], path, fx.alice_tok, NULL, body,
              body ? strlen(body) : 0, W404, 0);
    }
    const char *booking_paths[][2] = {{"GET", "/api/bookings/%s"},
                                      {"POST", "/api/bookings/%s/refresh"},
                                      {"POST", "/api/bookings/%s/cancel"},
                                      {"GET", "/api/bookings/%s/ticket.pdf"}};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, booking_paths[i][1], fx.bob_booking);
        probe(C_OTHERUSER, S_CLIENT, booking_paths[i][0], path, fx.alice_tok, NULL, NULL, 0, W404,
              0);
    }
    if (fx.bob_wait[0]) {
        snprintf(path, sizeof path, "/api/waitlist/%s", fx.bob_wait);
        probe(C_OTHERUSER, S_CLIENT, "DELETE", path, fx.alice_tok, NULL, NULL, 0, W404, 0);
    }
    /* lists show only the caller's own, whatever the query says */
    const char *lists[] = {"/api/bookings", "/api/bookings?user_id=%s", "/api/waitlist",
                           "/api/waitlist?user_id=%s"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, lists[i], fx.bob);
        struct hres r;
        long st = h_callz("GET", dm[S_CLIENT].base_url, path, fx.alice_tok, NULL, &r);
        sent[C_OTHERUSER]++;
        if ((st == 200 || st == 400) && !strstr(r.body, fx.bob_booking) &&
            !(fx.bob_wait[0] && strstr(r.body, fx.bob_wait)) && !strstr(r.body, fx.bob))
            good[C_OTHERUSER]++;
        else
            fail(C_OTHERUSER, "GET %s as alice: %ld shows bob's data: %.200s", path, st, r.body);
        hres_free(&r);
    }
    /* a user cannot make itself admin */
    snprintf(path, sizeof path, "/api/users/%s", fx.alice);
    probe(C_NONADMIN, S_CLIENT, "PATCH", path, fx.alice_tok, NULL, "{\"role\":\"admin\"}", 16, W403,
          0);
}

static void cat_signatures(void)
{
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        if (r->acc != A_SIGNED)
            continue;
        const char *secret = r->svc == S_CLIENT ? NOTIFY_SECRET : WEBHOOK_SECRET;
        const char *other = r->svc == S_CLIENT ? WEBHOOK_SECRET : NOTIFY_SECRET;
        /* a fresh, never-applied event of the right shape */
        json_t *b = template_body(r, &(enum body_kind){B_JSON});
        char eid[40];
        snprintf(eid, sizeof eid, "%s_security_%08x", r->svc == S_CLIENT ? "ntf" : "evt",
                 (unsigned)rand());
        json_object_set_new(b, "id", json_string(eid));
        char *body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        size_t len = strlen(body);
        long now = (long)time(NULL);
        char good_sig[SIG_HEADER_MAX], sig[SIG_HEADER_MAX], hdr[SIG_VERIFY_HEADER_MAX + 64];
        sig_sign(secret, body, len, now, good_sig, sizeof good_sig);
        char long_hdr[2100];
        memset(long_hdr, 'a', 2000);
        long_hdr[2000] = '\0';
        const char *bad_headers[16];
        int nb = 0;
        static char store[16][2300];
        snprintf(store[nb], sizeof store[nb], "X-Signature: garbage");
        bad_headers[nb] = store[nb], nb++;
        snprintf(store[nb], sizeof store[nb], "X-Signature: t=%ld", now);
        bad_headers[nb] = store[nb], nb++;
        snprintf(store[nb], sizeof store[nb], "X-Signature: t=%ld,v1=zz", now);
        bad_headers[nb] = store[nb], nb++;
        sig_sign(other, body, len, now, sig, sizeof sig); /* the other webhook's secret */
        snprintf(store[nb], sizeof store[nb], "X-Signature: %s", sig);
        bad_headers[nb] = store[nb], nb++;
        sig_sign("", body, len, now, sig, sizeof sig); /* an empty secret */
        snprintf(store[nb], sizeof store[nb], "X-Signature: %s", sig);
        bad_headers[nb] = store[nb], nb++;
        sig_sign(secret, body, len, now - SIG_TOLERANCE_S - 60, sig, sizeof sig); /* stale */
        snprintf(store[nb], sizeof store[nb], "X-Signature: %s", sig);
        bad_headers[nb] = store[nb], nb++;
        sig_sign(secret, body, len, now + SIG_TOLERANCE_S + 60, sig, sizeof sig); /* future */
        snprintf(store[nb], sizeof store[nb], "X-Signature: %s", sig);
        bad_headers[nb] = store[nb], nb++;
        snprintf(store[nb], sizeof store[nb], "X-Signature: %.*s", (int)strlen(good_sig) - 2,
                 good_sig); /* truncated */
        bad_headers[nb] = store[nb], nb++;
        snprintf(store[nb], sizeof store[nb], "X-Signature: t=%ld,%s", now + 1000, good_sig);
        bad_headers[nb] = store[nb], nb++; /* two t= */
        snprintf(store[nb], sizeof store[nb], "X-Signature: t=%ld,v1=%s", now, long_hdr);
        bad_headers[nb] = store[nb], nb++;
        snprintf(store[nb], sizeof store[nb], "X-Signature: t=-%ld,%s", now, strchr(good_sig, 'v'));
        bad_headers[nb] = store[nb], nb++;
        for (int k = 0; k < nb; k++) {
            const char *h[] = {bad_headers[k], NULL};
            probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, h, body, len, W401, 0);
        }
        probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, NULL, body, len, W401, 0);
        /* the right signature over an altered body */
        snprintf(hdr, sizeof hdr, "X-Signature: %s", good_sig);
        const char *h[] = {hdr, NULL};
        char *altered = strdup(body);
        altered[len - 2] = altered[len - 2] == '1' ? '2' : '1';
        probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, h, altered, len, W401, 0);
        free(altered);
        /* accepted once (that may change things), then replayed: nothing more */
        probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, h, body, len, W204, P_NO_DIGEST);
        probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, h, body, len, W204, 0);
        sign_header(r, body, len, now + 5, hdr, sizeof hdr);
        probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, h, body, len, W204, 0);
        /* the real event the fixture applied, replayed with a fresh signature */
        const char *real = r->svc == S_CLIENT ? fx.notification : fx.paid_event;
        sign_header(r, real, strlen(real), now, hdr, sizeof hdr);
        probe(C_SIGNATURE, r->svc, r->method, r->pattern, NULL, h, real, strlen(real), W204, 0);
        free(body);
    }
}

static void pct_encode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    out[k] = '\0';
}

static const char *const hostile[] = {
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(6); --",
    "00000000-0000-4000-8000-000000000000' OR 1=1--",
    "INV-AAAAAAAAAAAA' --",
    "$1",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "%00",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "<script>alert(1)</script>",
    "${jndi:ldap://x/a}",
    "\xe2\x80\xae\xe2\x80\x8b",
    "{id}",
};

static void cat_path_injection(void)
{
    static char longv[6000];
    memset(longv, 'A', 5000);
    longv[5000] = '\0';
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        int np = nparams(r);
        for (int which = 0; which < np; which++) {
            char enc[400], path[6600];
            for (size_t h = 0; h < sizeof hostile / sizeof hostile[0]; h++) {
                pct_encode(hostile[h], enc, sizeof enc);
                build_path(r, which, enc, path, sizeof path);
                enum body_kind kind;
                json_t *b = template_body(r, &kind);
                char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
                probe_as_caller(C_PATHINJ, r, path, text, text ? strlen(text) : 0, NULL, W4xx_path,
                                0);
                free(text);
                json_decref(b);
            }
            /* raw traversal and odd bytes, not encoded, and a very long value */
            const char *raw[] = {"..", ".", "../../../../etc/passwd", "%", "%zz", "a%00b", longv};
            for (size_t k = 0; k < sizeof raw / sizeof raw[0]; k++) {
                build_path(r, which, raw[k], path, sizeof path);
                probe_as_caller(C_PATHINJ, r, path, NULL, 0, NULL, W4xx_path, 0);
            }
        }
    }
}

/* Every string in body (top-level members and the first string of array
 * members), replaced in turn by every hostile string. */
static void cat_body_injection(void)
{
    static const int want[] = {400, 401, 404, 409, 422, 200, 0};
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        enum body_kind kind;
        json_t *tmpl = template_body(r, &kind);
        if (!tmpl)
            continue;
        const char *key;
        json_t *val;
        json_object_foreach(tmpl, key, val)
        {
            int in_array = json_is_array(val) && json_is_string(json_array_get(val, 0));
            if (!json_is_string(val) && !in_array)
                continue;
            if (r->acc == A_SIGNED && (strcmp(key, "id") == 0 || strcmp(key, "type") == 0))
                continue; /* covered by the signature category */
            for (size_t h = 0; h < sizeof hostile / sizeof hostile[0]; h++) {
                json_t *b = json_deep_copy(tmpl);
                if (in_array)
                    json_array_set_new(json_object_get(b, key), 0, json_string(hostile[h]));
                else
                    json_object_set_new(b, key, json_string(hostile[h]));
                char *text = json_dumps(b, JSON_COMPACT);
                char path[600];
                build_path(r, -1, NULL, path, sizeof path);
                probe_as_caller(C_BODYINJ, r, path, text, strlen(text), NULL, want, P_MAY_CHANGE);
                if (strstr(hostile[h], "pg_sleep") && last_call_ms > 5000)
                    fail(C_BODYINJ, "%s %s: pg_sleep ran (%ld ms)", r->method, r->pattern,
                         last_call_ms);
                free(text);
                json_decref(b);
            }
        }
        json_decref(tmpl);
    }
}

/* Sends a chunked body of n bytes on a raw socket; returns the status. */
static long chunked_post(enum svc s, const char *path, const char *bearer, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)dm[s].port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return 0;
    }
    char head[600];
    int k = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n%s%s%s\r\n",
                     path, bearer ? "Authorization: Bearer " : "", bearer ? bearer : "",
                     bearer ? "\r\n" : "");
    send(fd, head, (size_t)k, MSG_NOSIGNAL);
    static char chunk[65536];
    memset(chunk, 'a', sizeof chunk);
    size_t done = 0;
    while (done < n) {
        char sz[32];
        int m = snprintf(sz, sizeof sz, "%zx\r\n", sizeof chunk);
        if (send(fd, sz, (size_t)m, MSG_NOSIGNAL) < 0 ||
            send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) < 0 ||
            send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0)
            break;
        done += sizeof chunk;
    }
    send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
    char buf[256] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    long st = 0;
    if (poll(&p, 1, 10000) > 0 && recv(fd, buf, sizeof buf - 1, 0) > 12)
        st = atol(buf + 9);
    close(fd);
    return st;
}

static char *huge_json(size_t n)
{
    char *b = malloc(n + 1);
    memset(b, 'a', n);
    memcpy(b, "{\"name\":\"", 9);
    memcpy(b + n - 2, "\"}", 2);
    b[n] = '\0';
    return b;
}

static char *nested(size_t depth, char open, char close, const char *core)
{
    size_t clen = strlen(core);
    char *b = malloc(depth * 6 + clen + 3);
    size_t k = 0;
    if (open == '{') {
        for (size_t i = 0; i < depth; i++) {
            memcpy(b + k, "{\"a\":", 5);
            k += 5;
        }
    } else {
        memset(b, open, depth);
        k = depth;
    }
    memcpy(b + k, core, clen);
    k += clen;
    memset(b + k, close, depth);
    k += depth;
    b[k] = '\0';
    return b;
}

static void cat_bodies(void)
{
    char *huge = huge_json(BODY_CAP + 1);
    char *deep_arr = nested(100000, '[', ']', "1");
    char *deep_obj = nested(100000, '{', '}', "1");
    char *just_over = nested(65, '{', '}', "1");
    char *deep_in_field = NULL;
    {
        char *inner = nested(5000, '[', ']', "\"x\"");
        size_t n = strlen(inner) + 32;
        deep_in_field = malloc(n);
        snprintf(deep_in_field, n, "{\"name\":%s}", inner);
        free(inner);
    }
    static const char *const bad_utf8[] = {
        "{\"name\":\"\xc3\x28\"}",            /* invalid continuation */
        "{\"name\":\"\xc0\xaf\"}",            /* overlong '/' */
        "{\"name\":\"\xed\xa0\x80\"}",        /* UTF-16 surrogate */
        "{\"name\":\"\xf4\x90\x80\x80\"}",    /* past U+10FFFF */
        "{\"name\":\"\xff\xfe\"}",            /* never valid */
        "{\"name\":\"\xe2\x82\"}",            /* truncated */
        "\xef\xbb\xbf{\"name\":\"bom\"}\xff", /* trailing junk byte */
    };
    static const char nul_body[] = "{\"name\":\"a\0b\"}";
    static const char *const ctypes[] = {"text/plain", "application/x-www-form-urlencoded",
                                         "multipart/form-data; boundary=x", "application/xml",
                                         "application/json; charset=latin1"};
    static const char *const malformed[] = {"",
                                            "null",
                                            "[]",
                                            "\"string\"",
                                            "{",
                                            "{\"a\":1,\"a\":2}",
                                            "{\"a\":1}garbage",
                                            "{'a':1}",
                                            "{\"a\":1e999999}",
                                            "{\"name\":\"\\u0000\"}",
                                            "{\"name\":\"\\ud800\"}",
                                            "{\"a\":NaN}"};
    for (int i = 0; i < nroutes; i++) {
        const struct route *r = &routes[i];
        if (!writes(r))
            continue;
        char path[600];
        build_path(r, -1, NULL, path, sizeof path);
        probe_as_caller(C_HUGE, r, path, huge, strlen(huge), NULL, W413, 0);
        enum body_kind kind;
        json_t *tmpl = template_body(r, &kind);
        json_decref(tmpl);
        if (kind == B_OTHER) { /* an image upload: JSON is not an image */
            static const int w[] = {400, 415, 0};
            probe_as_caller(C_CTYPE, r, path, "{\"a\":1}", 7, "application/json", w, 0);
            continue;
        }
        if (kind != B_JSON)
            continue;
        probe_as_caller(C_NESTED, r, path, deep_arr, strlen(deep_arr), NULL, W400, 0);
        probe_as_caller(C_NESTED, r, path, deep_obj, strlen(deep_obj), NULL, W400, 0);
        probe_as_caller(C_NESTED, r, path, just_over, strlen(just_over), NULL, W400, 0);
        probe_as_caller(C_NESTED, r, path, deep_in_field, strlen(deep_in_field), NULL, W400, 0);
        for (size_t k = 0; k < sizeof bad_utf8 / sizeof bad_utf8[0]; k++)
            probe_as_caller(C_UTF8, r, path, bad_utf8[k], strlen(bad_utf8[k]), NULL, W400, 0);
        probe_as_caller(C_UTF8, r, path, nul_body, sizeof nul_body - 1, NULL, W400, 0);
        json_t *b = template_body(r, &kind);
        char *text = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        for (size_t k = 0; k < sizeof ctypes / sizeof ctypes[0]; k++)
            probe_as_caller(C_CTYPE, r, path, text, strlen(text), ctypes[k], W415, 0);
        free(text);
        for (size_t k = 0; k < sizeof malformed / sizeof malformed[0]; k++)
            probe_as_caller(C_MALFORMED, r, path, malformed[k], strlen(malformed[k]), NULL, W400,
                            0);
    }
    /* a chunked upload (no Content-Length) past the cap */
    const char *chunk_paths[NSVC] = {"/api/bookings", "/api/events", "/api/invoices"};
    const char *chunk_tok[NSVC] = {fx.alice_tok, ADMIN_TOKEN, PAY_TOKEN};
    for (int s = 0; s < NSVC; s++) {
        struct snapshot a, z;
        snap_take(&a);
        long st = chunked_post((enum svc)s, chunk_paths[s], chunk_tok[s], BODY_CAP + 65536);
        snap_take(&z);
        char diff[400];
        sent[C_HUGE]++;
        if ((st == 413 || st == 0) && !snap_diff(&a, &z, diff, sizeof diff) && all_alive())
            good[C_HUGE]++;
        else
            fail(C_HUGE, "%s chunked upload over the cap: %ld", svc_name[s], st);
        snap_free(&a);
        snap_free(&z);
    }
    free(huge);
    free(deep_arr);
    free(deep_obj);
    free(just_over);
    free(deep_in_field);
}

/* ---- connections ---- */

static int raw_connect(enum svc s)
{
    return test_connect(dm[s].port);
}

static int healthz_fast(enum svc s)
{
    struct hres r;
    long long t0 = (long long)mono_ms();
    long st = h_call("GET", dm[s].base_url, "/healthz", NULL, NULL, 0, NULL, 3000, &r);
    hres_free(&r);
    return st == 200 && (long long)mono_ms() - t0 < 3000;
}

static void cat_slow(void)
{
    enum { NSLOW = 12 };
    for (int s = 0; s < NSVC; s++) {
        int fds[NSLOW];
        long long cut_at[NSLOW];
        for (int i = 0; i < NSLOW; i++) {
            fds[i] = raw_connect((enum svc)s);
            cut_at[i] = 0;
            /* a third idle, a third trickling headers, a third a body */
            const char *start = i % 3 == 0   ? ""
                                : i % 3 == 1 ? "GET /api/events HTTP/1.1\r\nHost: x\r\n"
                                             : "POST /api/users HTTP/1.1\r\nHost: x\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: 500\r\n\r\n{\"username\":\"";
            if (fds[i] >= 0 && *start)
                send(fds[i], start, strlen(start), MSG_NOSIGNAL);
        }
        long long t0 = (long long)mono_ms();
        int served = 1, tick = 0;
        while ((long long)mono_ms() - t0 < (CONN_TIMEOUT_S + 4) * 1000L) {
            sleep_ms(400);
            tick++;
            for (int i = 0; i < NSLOW; i++) {
                if (fds[i] < 0 || cut_at[i])
                    continue;
                if (test_peer_closed(fds[i]) ||
                    (i % 3 && send(fds[i], i % 3 == 1 ? "X" : "a", 1, MSG_NOSIGNAL) < 0))
                    cut_at[i] = (long long)mono_ms() - t0;
            }
            if (tick % 2 == 0)
                served &= healthz_fast((enum svc)s);
        }
        int cut = 0;
        long worst = 0;
        for (int i = 0; i < NSLOW; i++) {
            sent[C_SLOW]++;
            if (fds[i] >= 0 && cut_at[i] > 0 && cut_at[i] <= (CONN_TIMEOUT_S + 2) * 1000L) {
                good[C_SLOW]++;
                cut++;
                if (cut_at[i] > worst)
                    worst = cut_at[i];
            } else {
                fail(C_SLOW, "%s: slow connection %d (%s) not cut within %d s", svc_name[s], i,
                     i % 3 == 0   ? "idle"
                     : i % 3 == 1 ? "trickled headers"
                                  : "trickled body",
                     CONN_TIMEOUT_S + 2);
            }
            if (fds[i] >= 0)
                close(fds[i]);
        }
        sent[C_SLOW]++;
        if (served && all_alive())
            good[C_SLOW]++;
        else
            fail(C_SLOW, "%s: a normal request was not served within 3 s meanwhile", svc_name[s]);
        printf("  %s: %d/%d slow connections cut, the last after %ld ms (timeout %d s); "
               "others served meanwhile: %s\n",
               svc_name[s], cut, NSLOW, worst, CONN_TIMEOUT_S, served ? "yes" : "NO");
    }
}

/* Sockets the daemon's process holds open. */
static int socket_fds(pid_t pid)
{
    char dir[64], link[600], target[128];
    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k > 0) {
            target[k] = '\0';
            n += strncmp(target, "socket:", 7) == 0;
        }
    }
    closedir(d);
    return n;
}

/* More idle connections than MAX_CONNECTIONS: the daemon accepts up to the
 * limit (counted on its side) and leaves the rest in the kernel's backlog,
 * where they wait for a slot; idle ones are cut at the connection timeout,
 * so a client that waits is served within it; the daemon stays up. */
static void cat_conns(void)
{
    enum { EXTRA = 60 };
    for (int s = 0; s < NSVC; s++) {
        int base = socket_fds(dm[s].pid);
        int n = MAX_CONN + EXTRA, fds[MAX_CONN + EXTRA];
        for (int i = 0; i < n; i++)
            fds[i] = raw_connect((enum svc)s);
        sleep_ms(800);
        int accepted = socket_fds(dm[s].pid) - base;
        struct hres r;
        long long t0 = (long long)mono_ms();
        long st = h_call("GET", dm[s].base_url, "/healthz", NULL, NULL, 0, NULL,
                         (CONN_TIMEOUT_S + 5) * 1000L, &r);
        long waited = (long)((long long)mono_ms() - t0);
        hres_free(&r);
        for (int i = 0; i < n; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        sleep_ms(300);
        sent[C_CONNS]++;
        int ok = accepted <= MAX_CONN && accepted >= MAX_CONN / 2 && st == 200 &&
                 waited <= (CONN_TIMEOUT_S + 2) * 1000L && all_alive() && healthz_fast((enum svc)s);
        if (ok)
            good[C_CONNS]++;
        else
            fail(C_CONNS, "%s: %d connections: %d accepted (limit %d), a new request %ld in %ld ms",
                 svc_name[s], n, accepted, MAX_CONN, st, waited);
        printf("  %s: %d idle connections at once: %d accepted (MAX_CONNECTIONS=%d), the rest "
               "left waiting; a new request served in %ld ms; daemon up and served at once "
               "after: %s\n",
               svc_name[s], n, accepted, MAX_CONN, waited, ok ? "yes" : "NO");
    }
}

/* ---- set-up ---- */

static int login(const char *who, const char *password, char *tok, size_t cap)
{
    char body[200];
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}", who, password);
    struct hres r;
    long st = h_callz("POST", dm[S_CLIENT].base_url, "/api/sessions", NULL, body, &r);
    snprintf(tok, cap, "%s", h_str(&r, "token"));
    hres_free(&r);
    return st == 201 ? 0 : -1;
}

static int make_user(const char *name, char id[37], char *tok, size_t cap)
{
    char body[300], pw[64];
    snprintf(pw, sizeof pw, "%s-password", name);
    snprintf(body, sizeof body,
             "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"password\":\"%s\"}", name, name,
             pw);
    struct hres r;
    long st = h_callz("POST", dm[S_CLIENT].base_url, "/api/users", NULL, body, &r);
    snprintf(id, 37, "%s", h_str(&r, "id"));
    hres_free(&r);
    if (st != 201)
        return -1;
    return login(name, pw, tok, cap);
}

static int book(const char *tok, const char *seat, char bid[37], char inv[24])
{
    char body[200];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", fx.event, seat);
    struct hres r;
    long st = h_callz("POST", dm[S_CLIENT].base_url, "/api/bookings", tok, body, &r);
    snprintf(bid, 37, "%s", h_str(&r, "id"));
    const char *n =
        json_string_value(json_object_get(json_object_get(r.json, "payment"), "invoice_number"));
    snprintf(inv, 24, "%s", n ? n : "");
    if (st != 201)
        fprintf(stderr, "book: %ld %s\n", st, r.body);
    hres_free(&r);
    return st == 201 ? 0 : -1;
}

static char *sql_text(enum svc s, const char *sql)
{
    PGresult *r = h_sql(uri[s], sql);
    char *v = r && PQntuples(r) > 0 ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

/* Waits until nothing is left to deliver or do in the background. */
static int settle(void)
{
    for (int i = 0; i < 200; i++) {
        long a =
            h_sql_long(uri[S_PAY], "SELECT count(*) FROM outbox WHERE delivered_at IS NULL", -1);
        long b = h_sql_long(uri[S_TICKET],
                            "SELECT (SELECT count(*) FROM outbox WHERE delivered_at IS NULL) + "
                            "(SELECT count(*) FROM followups WHERE status = 'PENDING')",
                            -1);
        long c =
            h_sql_long(uri[S_PAY], "SELECT count(*) FROM invoices WHERE status = 'PROCESSING'", -1);
        if (a == 0 && b == 0 && c == 0)
            return 0;
        sleep_ms(100);
    }
    return -1;
}

static int expire_session(const char *token)
{
    static const char sql[] = "UPDATE sessions SET expires_at = now() - interval '1 minute' "
                              "WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')";
    PGconn *c = PQconnectdb(uri[S_CLIENT]);
    const char *p[] = {token};
    PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK && atoi(PQcmdTuples(r)) == 1;
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* Sizes and limits the battery probes, over the suite's defaults. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define SEC_LIMITS                                                                                 \
    "DB_POOL_SIZE=4", "HTTP_WORKERS=4", "MAX_CONNECTIONS=" STR(MAX_CONN),                          \
        "CONNECTION_TIMEOUT_S=" STR(CONN_TIMEOUT_S), "LOG_LEVEL=warn"
static const char *const sec_pay_env[] = {SEC_LIMITS, NULL};
static const char *const sec_ticket_env[] = {SEC_LIMITS, "TICKET_CODE_SECRET=security-code-secret",
                                             "HOLD_TTL_SECONDS=3600", NULL};
static const char *const sec_client_env[] = {SEC_LIMITS, "TICKET_ADMIN_TOKEN=" ADMIN_TOKEN,
                                             "MAINTENANCE_INTERVAL_MS=3600000", NULL};

/* The three on fresh databases, wired by test_suite_prepare
 * (common/testing), run here as harness daemons. */
static int setup(void)
{
    static struct test_suite suite;
    const struct test_suite_opts o = {.name = "sec",
                                      TEST_SUITE_BINARIES,
                                      .client_env = sec_client_env,
                                      .ticket_env = sec_ticket_env,
                                      .pay_env = sec_pay_env};
    if (test_suite_prepare(&suite, &o) != 0)
        return -1;
    snprintf(uri[S_CLIENT], sizeof uri[S_CLIENT], "%s", suite.client_db);
    snprintf(uri[S_TICKET], sizeof uri[S_TICKET], "%s", suite.ticket_db);
    snprintf(uri[S_PAY], sizeof uri[S_PAY], "%s", suite.pay_db);
    const char *logdir =
        getenv("TEST_TMPDIR") && *getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp";
    snprintf(log_dir, sizeof log_dir, "%s/security-%d", logdir, (int)getpid());
    const char *dir = log_dir;
    mkdir(dir, 0755);
    static const char *const bins[NSVC] = {
        [S_CLIENT] = CLIENT_APP_BIN, [S_TICKET] = TICKET_APP_BIN, [S_PAY] = PAYMENT_APP_BIN};
    for (int s = 0; s < NSVC; s++) {
        hd_init(&dm[s], svc_name[s], bins[s], test_suite_port_vars[s], suite.port[s], dir);
        hd_env_list(&dm[s], suite.env[s]);
    }
    for (int s = 0; s < NSVC; s++)
        if (hd_start(&dm[s], 20000) != 0)
            return -1;

    /* an event of ten seats */
    struct hres r;
    const char *ev =
        "{\"name\":\"Fixture\",\"venue\":\"Hall\",\"starts_at\":\"2031-01-01T19:00:00Z\","
        "\"currency\":\"IDR\",\"layout\":{\"sections\":[{\"name\":\"Floor\","
        "\"rows\":[\"A\"],\"seats_per_row\":10,\"price\":150000}]}}";
    if (h_callz("POST", dm[S_TICKET].base_url, "/api/events", ADMIN_TOKEN, ev, &r) != 201)
        return -1;
    snprintf(fx.event, sizeof fx.event, "%s", h_str(&r, "id"));
    hres_free(&r);
    char path[200];
    snprintf(path, sizeof path, "/api/events/%s/seats", fx.event);
    if (h_callz("GET", dm[S_TICKET].base_url, path, NULL, NULL, &r) != 200)
        return -1;
    json_t *items = json_object_get(r.json, "items");
    char seats[10][37];
    for (size_t i = 0; i < 10; i++)
        snprintf(seats[i], 37, "%s",
                 json_string_value(json_object_get(json_array_get(items, i), "id")));
    hres_free(&r);
    snprintf(fx.seat_booked, sizeof fx.seat_booked, "%s", seats[0]);
    snprintf(fx.seat_open, sizeof fx.seat_open, "%s", seats[9]);

    char tmp_id[37];
    if (make_user("alice", fx.alice, fx.alice_tok, sizeof fx.alice_tok) ||
        make_user("bob", fx.bob, fx.bob_tok, sizeof fx.bob_tok) ||
        make_user("carol", fx.carol, fx.carol_tok, sizeof fx.carol_tok) ||
        login("alice", "alice-password", fx.alice_old_tok, sizeof fx.alice_old_tok) ||
        login("alice", "alice-password", fx.alice_gone_tok, sizeof fx.alice_gone_tok) ||
        login("admin", ADMIN_PASSWORD, fx.admin_tok, sizeof fx.admin_tok))
        return -1;
    (void)tmp_id;

    /* bob: a paid, confirmed booking; alice: one pending */
    if (book(fx.bob_tok, seats[0], fx.bob_booking, fx.bob_invoice) ||
        book(fx.alice_tok, seats[1], fx.alice_booking, fx.alice_invoice))
        return -1;
    snprintf(path, sizeof path, "/api/invoices/%s/pay", fx.bob_invoice);
    if (h_callz("POST", dm[S_PAY].base_url, path, NULL, "{\"method\":\"card\"}", &r) != 202)
        return -1;
    hres_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s", fx.bob_booking);
    int confirmed = 0;
    for (int i = 0; i < 200 && !confirmed; i++) {
        h_callz("GET", dm[S_CLIENT].base_url, path, fx.bob_tok, NULL, &r);
        confirmed = strcmp(h_str(&r, "status"), "CONFIRMED") == 0;
        hres_free(&r);
        if (!confirmed)
            sleep_ms(100);
    }
    if (!confirmed) {
        fprintf(stderr, "the fixture booking was never confirmed\n");
        return -1;
    }
    /* bob waits for the seat he holds (a waitlist entry to aim at) */
    snprintf(path, sizeof path, "{\"event_id\":\"%s\",\"seat_id\":\"%s\"}", fx.event, seats[0]);
    if (h_callz("POST", dm[S_CLIENT].base_url, "/api/waitlist", fx.bob_tok, path, &r) == 201)
        snprintf(fx.bob_wait, sizeof fx.bob_wait, "%s", h_str(&r, "id"));
    hres_free(&r);

    /* a token expired, a token revoked, a user deleted */
    if (expire_session(fx.alice_old_tok) != 0)
        return -1;
    if (h_callz("DELETE", dm[S_CLIENT].base_url, "/api/sessions/current", fx.alice_gone_tok, NULL,
                &r) != 204)
        return -1;
    hres_free(&r);
    snprintf(path, sizeof path, "/api/users/%s", fx.carol);
    if (h_callz("DELETE", dm[S_CLIENT].base_url, path, fx.carol_tok, NULL, &r) != 204)
        return -1;
    hres_free(&r);

    if (settle() != 0) {
        fprintf(stderr, "the fixture never settled\n");
        return -1;
    }
    fx.paid_event = sql_text(S_PAY, "SELECT payload FROM outbox WHERE topic = 'invoice.paid'");
    fx.notification =
        sql_text(S_TICKET, "SELECT payload FROM outbox WHERE topic = 'booking.confirmed' OR "
                           "payload LIKE '%booking.confirmed%' ORDER BY created_at LIMIT 1");
    char *d = sql_text(S_PAY, "SELECT id FROM outbox LIMIT 1");
    snprintf(fx.delivery, sizeof fx.delivery, "%s", d ? d : "evt_none");
    free(d);
    if (!fx.paid_event || !fx.notification) {
        fprintf(stderr, "no delivered events to replay\n");
        return -1;
    }
    /* the probes' notification: the real one for a booking nobody has */
    return 0;
}

int main(void)
{
    test_require_pg();
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    if (load_routes(S_CLIENT, CLIENT_ROUTES) || load_routes(S_TICKET, TICKET_ROUTES) ||
        load_routes(S_PAY, PAYMENT_ROUTES))
        return 1;
    if (setup() != 0) {
        fprintf(stderr, "set-up failed\n");
        for (int s = 0; s < NSVC; s++)
            hd_log_tail(&dm[s], 3000);
        return 1;
    }
    int protected_routes = 0;
    for (int i = 0; i < nroutes; i++)
        protected_routes += routes[i].acc != A_PUBLIC;
    printf("security battery: %d routes from the three route tables (%d protected)\n", nroutes,
           protected_routes);
    for (int i = 0; i < nroutes; i++)
        printf("  %-11s %-6s %-40s %s\n", svc_name[routes[i].svc], routes[i].method,
               routes[i].pattern, access_name[routes[i].acc]);

    long long t0 = (long long)mono_ms();
    cat_tokens();
    cat_other_user();
    cat_signatures();
    cat_path_injection();
    cat_body_injection();
    cat_bodies();
    printf("slow clients and connection limits:\n");
    cat_slow();
    cat_conns();

    /* the fixture came through intact */
    char path[200];
    struct hres r;
    snprintf(path, sizeof path, "/api/bookings/%s", fx.bob_booking);
    h_callz("GET", dm[S_CLIENT].base_url, path, fx.bob_tok, NULL, &r);
    int intact = strcmp(h_str(&r, "status"), "CONFIRMED") == 0;
    hres_free(&r);

    /* an injection that was accepted was stored as the literal text */
    {
        PGconn *c = PQconnectdb(uri[S_TICKET]);
        const char *p[] = {hostile[1]};
        PGresult *q = PQexecParams(c, "SELECT count(*) FROM events WHERE name = $1", 1, NULL, p,
                                   NULL, NULL, 0);
        long literal = PQresultStatus(q) == PGRES_TUPLES_OK ? atol(PQgetvalue(q, 0, 0)) : -1;
        PQclear(q);
        PQfinish(c);
        printf("events stored with the literal name \"%s\": %ld\n", hostile[1], literal);
        sent[C_BODYINJ]++;
        if (literal >= 1)
            good[C_BODYINJ]++;
        else
            fail(C_BODYINJ, "no event carries the injected name literally");
    }

    long total_sent = 0, total_bad = 0;
    printf("\n==== security battery (%.0f s) ====\n", (double)((long long)mono_ms() - t0) / 1000.0);
    printf("  %-46s %7s %7s %7s\n", "category", "probes", "right", "wrong");
    for (int c = 0; c < NCAT; c++) {
        printf("  %-46s %7ld %7ld %7ld", cat_name[c], sent[c], good[c], bad[c]);
        if (stored[c])
            printf("   (%ld accepted and stored literally)", stored[c]);
        printf("\n");
        total_sent += sent[c];
        total_bad += bad[c];
    }
    printf("  %-46s %7ld %7ld %7ld\n", "total", total_sent, total_sent - total_bad, total_bad);
    if (!intact) {
        printf("the fixture's confirmed booking did not survive\n");
        total_bad++;
    }
    for (int s = 0; s < NSVC; s++) {
        int st = hd_stop(&dm[s]);
        if (!(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            printf("%s did not exit cleanly (status %d)\n", dm[s].name, st);
            hd_log_tail(&dm[s], 4000);
            total_bad++;
        }
        PQfinish(dbc[s]);
    }
    printf("daemons up throughout, clean exit: %s\n", total_bad ? "see above" : "yes");
    free(fx.paid_event);
    free(fx.notification);
    if (total_bad) {
        printf("the daemons' logs are in %s\n", log_dir);
        return 1;
    }
    for (int i = 0; i < NSVC; i++)
        unlink(dm[i].log_path);
    rmdir(log_dir);
    return 0;
}
