/* payment_client.c: HTTP calls to payment-app (see payment_client.h). */
#include "payment_client.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/httpc.h"
#include "common/util.h"
#include "valid.h"

enum pay_result payment_result_from_status(long status)
{
    if (status >= 200 && status < 300)
        return PAY_OK;
    if (status == 409)
        return PAY_CONFLICT;
    if (status == 404)
        return PAY_NOT_FOUND;
    if (status == 0 || status >= 500 || status == 429 || status == 408)
        return PAY_RETRY;
    return PAY_REJECTED;
}

static void read_invoice(const json_t *inv, struct invoice_ref *out)
{
    const char *n = json_str(inv, "invoice_number");
    const char *u = json_str(inv, "payment_url");
    const char *s = json_str(inv, "status");
    snprintf(out->number, sizeof out->number, "%s", n ? n : "");
    snprintf(out->payment_url, sizeof out->payment_url, "%s", u ? u : "");
    snprintf(out->status, sizeof out->status, "%s", s ? s : "");
}

/* One call; fills out (may be NULL) from a JSON invoice answer. */
static enum pay_result call(const struct app *app, const char *method, const char *path,
                            json_t *body, struct invoice_ref *out, char *err, size_t errlen)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", app->payment_app_url, path);
    long status = 0;
    json_t *resp = NULL;
    if (httpc_json(method, url, app->payment_service_token, body, app->payment_timeout_ms, &status,
                   &resp) != 0) {
        snprintf(err, errlen, "payment-app unreachable (%s %s)", method, path);
        return PAY_RETRY;
    }
    enum pay_result r = payment_result_from_status(status);
    if (r == PAY_OK && out) {
        read_invoice(resp, out);
        if (!out->number[0]) {
            snprintf(err, errlen, "payment-app answered %ld without an invoice", status);
            r = PAY_RETRY;
        }
    } else if (r != PAY_OK) {
        const char *code = NULL;
        json_t *e = json_object_get(resp, "error");
        if (e)
            code = json_str(e, "code");
        snprintf(err, errlen, "payment-app answered %ld %s", status, code ? code : "");
    }
    json_decref(resp);
    return r;
}

enum pay_result payment_invoice_create(const struct app *app, const char *booking_id, long amount,
                                       const char *currency, const char *expires_at,
                                       const char *description, struct invoice_ref *out, char *err,
                                       size_t errlen)
{
    json_t *body = json_pack("{s:s, s:I, s:s, s:s, s:s}", "booking_id", booking_id, "amount",
                             (json_int_t)amount, "currency", currency, "expires_at", expires_at,
                             "description", description);
    enum pay_result r = call(app, "POST", "/api/invoices", body, out, err, errlen);
    json_decref(body);
    return r;
}

/* Invoice numbers come from payment-app; keep them to a safe alphabet
 * before putting one in a URL path. */
static int number_ok(const char *n)
{
    size_t len = n ? strlen(n) : 0;
    if (len == 0 || len > 60)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static enum pay_result invoice_action(const struct app *app, const char *number, const char *action,
                                      char *err, size_t errlen)
{
    if (!number_ok(number)) {
        snprintf(err, errlen, "bad invoice number");
        return PAY_REJECTED;
    }
    char path[128];
    snprintf(path, sizeof path, "/api/invoices/%s/%s", number, action);
    json_t *body = json_object();
    enum pay_result r = call(app, "POST", path, body, NULL, err, errlen);
    json_decref(body);
    return r;
}

enum pay_result payment_invoice_void(const struct app *app, const char *number, char *err,
                                     size_t errlen)
{
    return invoice_action(app, number, "void", err, errlen);
}

enum pay_result payment_invoice_refund(const struct app *app, const char *number, char *err,
                                       size_t errlen)
{
    return invoice_action(app, number, "refund", err, errlen);
}

enum pay_result payment_invoice_get(const struct app *app, const char *number,
                                    struct invoice_ref *out, char *err, size_t errlen)
{
    if (!number_ok(number)) {
        snprintf(err, errlen, "bad invoice number");
        return PAY_REJECTED;
    }
    char path[128];
    snprintf(path, sizeof path, "/api/invoices/%s", number);
    return call(app, "GET", path, NULL, out, err, errlen);
}
