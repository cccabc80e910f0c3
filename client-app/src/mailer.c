/* mailer.c: hold.expiring and e-mail delivery of the inbox (mailer.h). */
#include "mailer.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bg.h"
#include "common/httpc.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/util.h"
#include "inbox.h"
#include "inbox_store.h"
#include "mail.h"

#define MAILER_DB_WAIT_MS 2000
#define MAILER_BATCH 4

static int inbox_tick(void *arg)
{
    struct client_app *app = arg;
    struct db_conn *c = db_acquire(app->pool, MAILER_DB_WAIT_MS);
    if (!c)
        return -1;
    long added = 0;
    enum db_status st = inbox_store_hold_expiring(c, app->hold_expiring_lead_s, &added);
    db_release(app->pool, c);
    if (st != DB_OK)
        return -1;
    if (added > 0)
        log_info("inbox: hold.expiring told count=%ld", added);
    return 0;
}

static int mail_tick(void *arg)
{
    struct client_app *app = arg;
    return outbox_tick(app->pool, &app->mail_cfg);
}

/* The message read by the SMTP upload. */
struct upload {
    const char *data;
    size_t len, off;
};

static size_t upload_read(char *buf, size_t size, size_t n, void *p)
{
    struct upload *u = p;
    size_t room = size * n, left = u->len - u->off;
    size_t k = left < room ? left : room;
    memcpy(buf, u->data + u->off, k);
    u->off += k;
    return k;
}

/* Sends msg to rcpt over SMTP: 0 with *status the server's last reply code
 * (250 when accepted), -1 when it could not be reached. */
static int smtp_send(struct client_app *app, const char *rcpt, const char *msg, size_t len,
                     long *status, char *err, size_t errlen)
{
    char from[256], to[300];
    if (mail_addr_spec(app->mail_from, from, sizeof from) < 0) {
        snprintf(err, errlen, "MAIL_FROM has no address");
        return -1;
    }
    snprintf(to, sizeof to, "<%s>", rcpt);
    char from_env[260];
    snprintf(from_env, sizeof from_env, "<%s>", from);
    httpc_global_init();
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "cannot create a curl handle");
        return -1;
    }
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    struct upload up = {msg, len, 0};
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, app->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_env);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, app->mail_cfg.timeout_ms);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(h);
    if (rc == CURLE_OK) {
        *status = code ? code : 250;
        snprintf(err, errlen, "accepted");
        return 0;
    }
    if (code >= 400) { /* the server answered, and refused */
        *status = code;
        snprintf(err, errlen, "SMTP %ld: %s", code, ebuf[0] ? ebuf : curl_easy_strerror(rc));
        return 0;
    }
    snprintf(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
    return -1;
}

int mailer_deliver(void *appv, const char *event_id, const char *payload, long *status, char *err,
                   size_t errlen)
{
    struct client_app *app = appv;
    json_t *p = json_loads(payload, 0, NULL);
    const char *nid = json_str(p, "notification_id");
    if (!nid) {
        /* nothing this mailer can ever send: recorded as done, not retried */
        log_error("mailer: event %s has no notification_id", event_id);
        json_decref(p);
        *status = 204;
        snprintf(err, errlen, "not a mail event");
        return 0;
    }
    struct db_conn *c = db_acquire(app->pool, MAILER_DB_WAIT_MS);
    if (!c) {
        json_decref(p);
        snprintf(err, errlen, "database unavailable");
        return -1;
    }
    PGresult *r = NULL;
    enum db_status st = inbox_store_mail_load(c, nid, &r);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND) { /* the user is gone, and the entry with them */
        json_decref(p);
        *status = 204;
        snprintf(err, errlen, "notification gone");
        return 0;
    }
    if (st != DB_OK) {
        json_decref(p);
        snprintf(err, errlen, "database: %s", db_status_name(st));
        return -1;
    }
    json_t *params = json_loads(db_get(r, 0, "params") ? db_get(r, 0, "params") : "{}", 0, NULL);
    const char *kind = db_get(r, 0, "kind");
    char *subject = NULL, *body = NULL;
    inbox_render(kind, params, &subject, &body);
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    const char *pdf_hex = db_get(r, 0, "pdf_hex");
    if (pdf_hex) {
        size_t hl = strlen(pdf_hex);
        pdf = xmalloc(hl / 2 + 1);
        if (sodium_hex2bin(pdf, hl / 2 + 1, pdf_hex, hl, NULL, &pdf_len, NULL) != 0) {
            free(pdf);
            pdf = NULL;
            pdf_len = 0;
        }
    }
    char mid[128], att_name[96];
    snprintf(mid, sizeof mid, "%s@ticketing.client-app", nid);
    const char *code = json_str(params, "code");
    const char *bid = db_get(r, 0, "booking_id");
    snprintf(att_name, sizeof att_name, "ticket-%.*s.pdf", code ? 20 : 8,
             code ? code : (bid ? bid : "booking"));
    const char *full = db_get(r, 0, "full_name");
    struct mail m = {
        .from = app->mail_from,
        .to_addr = db_get(r, 0, "email"),
        .to_name = full && full[0] ? full : db_get(r, 0, "username"),
        .subject = subject,
        .body = body,
        .message_id = mid,
        .date_unix = (long long)time(NULL),
        .attachment = pdf,
        .attachment_len = pdf_len,
        .attachment_name = att_name,
        .attachment_type = "application/pdf",
    };
    size_t len = 0;
    char *msg = mail_build(&m, &len);
    int rc;
    if (!msg) {
        log_error("mailer: notification %s cannot be written as a mail (address?)", nid);
        *status = 204;
        snprintf(err, errlen, "unusable address");
        rc = 0;
    } else {
        rc = smtp_send(app, m.to_addr, msg, len, status, err, errlen);
        if (rc == 0 && *status >= 200 && *status < 300)
            log_info("mailer: sent notification=%s kind=%s bytes=%zu attachment=%zu", nid, kind,
                     len, pdf_len);
    }
    free(msg);
    free(pdf);
    free(subject);
    free(body);
    json_decref(params);
    PQclear(r);
    json_decref(p);
    return rc;
}

int mailer_start(struct client_app *app)
{
    int mail_on = app->smtp_url && app->smtp_url[0];
    struct db_conn *c = db_acquire(app->pool, MAILER_DB_WAIT_MS);
    if (!c) {
        log_error("mailer: database unavailable at start-up");
        return -1;
    }
    enum db_status st = inbox_store_set_mail(c, mail_on);
    db_release(app->pool, c);
    if (st != DB_OK) {
        log_error("mailer: cannot record the mail setting: %s", db_status_name(st));
        return -1;
    }
    app->inbox_loop = bg_start("client-inbox", inbox_tick, app, (int)app->inbox_interval_ms);
    if (mail_on) {
        app->mail_cfg = (struct outbox_config){
            .url = app->smtp_url,
            .secret = "",
            .timeout_ms = app->mail_timeout_ms,
            .retry_base_ms = app->mail_retry_base_ms,
            .retry_max_ms = app->mail_retry_max_ms,
            .batch = MAILER_BATCH,
            .lease_ms = app->mail_timeout_ms * MAILER_BATCH + 5000,
            .deliver = mailer_deliver,
            .deliver_arg = app,
        };
        app->mail_loop = bg_start("client-mail", mail_tick, app, 500);
        log_info("mailer: e-mail on from=%s", app->mail_from);
    } else {
        log_info("mailer: SMTP_URL not set: notifications stay in the inbox only");
    }
    return 0;
}

void mailer_stop(struct client_app *app)
{
    if (app->mail_loop)
        bg_stop(app->mail_loop);
    if (app->inbox_loop)
        bg_stop(app->inbox_loop);
    app->mail_loop = app->inbox_loop = NULL;
}
