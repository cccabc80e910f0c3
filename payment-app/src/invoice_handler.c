/* invoice_handler.c: the invoice endpoints: request -> validation (invoice.c)
 * -> SQL (invoice_store.c) -> response. A change that did not apply is
 * explained from the invoice as it is now (invoice_conflict_answer). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "handlers.h"
#include "invoice.h"
#include "invoice_store.h"
#include "settle.h"

/* The {number} path parameter if well-formed, else answers 404. */
static const char *number_or_404(struct http_req *req, struct http_res *res)
{
    const char *number = http_req_param(req, "number");
    if (!invoice_number_valid(number)) {
        http_res_error(res, 404, "NOT_FOUND", "no such invoice");
        return NULL;
    }
    return number;
}

/* Reads invoice number into inv, or answers 404/5xx; 0 or -1. */
static int load_or_answer(struct db_conn *conn, struct http_res *res, const char *number,
                          struct invoice *inv)
{
    enum db_status st = invoice_store_get(conn, number, inv);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such invoice");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    return st == DB_OK ? 0 : -1;
}

static void answer_invoice(struct payment_app *app, struct http_res *res, int status,
                           const struct invoice *inv)
{
    http_res_json(res, status, invoice_to_json(inv, app->public_url));
}

/* 409 with the invoice as it is, so callers see why. */
static void answer_conflict(struct payment_app *app, struct http_res *res, const char *code,
                            const struct invoice *inv)
{
    char msg[128];
    if (strcmp(code, "INVOICE_EXPIRED") == 0)
        snprintf(msg, sizeof msg, "invoice %s has expired", inv->number);
    else
        snprintf(msg, sizeof msg, "invoice %s is %s", inv->number,
                 invoice_status_name(inv->status));
    json_t *extra = json_object();
    json_object_set_new(extra, "invoice", invoice_to_json(inv, app->public_url));
    http_res_error_full(res, 409, code, msg, NULL, extra);
}

void invoice_handle_create(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    struct db_conn *conn = NULL;
    json_t *details = NULL;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;

    struct invoice_create in;
    if (invoice_create_parse(body, now_ms(), app->max_amount, (int64_t)app->max_ttl_s * 1000, &in,
                             &details) != 0) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "the invoice request is invalid",
                            details, NULL);
        goto out;
    }
    if (!(conn = db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res)))
        goto out;

    struct invoice inv;
    int created = 0;
    enum db_status st = DB_CONFLICT;
    /* A collision of two random numbers is astronomically rare; retry anyway. */
    for (int tries = 0; tries < 3 && st == DB_CONFLICT; tries++) {
        char number[INVOICE_NUMBER_LEN + 1];
        invoice_number_generate(number);
        st = invoice_store_create(conn, &in, number, &inv, &created);
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    if (created) {
        atomic_fetch_add(&app->created, 1);
        log_info("invoice created invoice=%s booking=%s amount=%lld currency=%s", inv.number,
                 inv.booking_id, inv.amount, inv.currency);
        answer_invoice(app, res, 201, &inv);
    } else if (inv.amount != in.amount || strcmp(inv.currency, in.currency) != 0) {
        json_t *extra = json_object();
        json_object_set_new(extra, "invoice", invoice_to_json(&inv, app->public_url));
        http_res_error_full(res, 409, "IDEMPOTENCY_MISMATCH",
                            "this booking_id already has an invoice with another amount or "
                            "currency",
                            NULL, extra);
    } else {
        answer_invoice(app, res, 200, &inv);
    }
    invoice_cleanup(&inv);
out:
    db_release(app->pool, conn);
    json_decref(body);
}

void invoice_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    long limit, offset;
    if (http_req_paging(req, res, &limit, &offset) != 0)
        return;
    const char *status = http_req_query(req, "status");
    enum invoice_status parsed;
    if (status && invoice_status_parse(status, &parsed) != 0) {
        http_res_error(res, 400, "VALIDATION_FAILED",
                       "status must be one of PENDING, PROCESSING, PAID, FAILED, EXPIRED, VOID, "
                       "REFUNDED");
        return;
    }
    const char *booking = http_req_query(req, "booking_id");
    if (booking && !uuid_valid(booking)) {
        http_res_error(res, 400, "VALIDATION_FAILED", "booking_id must be a UUID");
        return;
    }
    struct db_conn *conn = db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res);
    if (!conn)
        return;
    json_t *items = NULL;
    long total = 0;
    enum db_status st =
        invoice_store_list(conn, status, booking, limit, offset, app->public_url, &items, &total);
    db_release(app->pool, conn);
    if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_page(res, items, total, limit, offset);
}

void invoice_handle_get(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    const char *number = number_or_404(req, res);
    struct db_conn *conn = number ? db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res) : NULL;
    if (!conn)
        return;
    struct invoice inv;
    int rc = load_or_answer(conn, res, number, &inv);
    db_release(app->pool, conn);
    if (rc != 0)
        return;
    answer_invoice(app, res, 200, &inv);
    invoice_cleanup(&inv);
}

void invoice_handle_pay(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    struct db_conn *conn = NULL;
    const char *number = number_or_404(req, res);
    if (!number)
        return;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    atomic_fetch_add(&app->pay_requests, 1);

    const char *method = json_str(body, "method");
    if (!invoice_method_valid(method)) {
        json_t *details = json_object();
        json_object_set_new(details, "method",
                            json_string("required, one of card, bank_transfer, ewallet"));
        http_res_error_full(res, 400, "VALIDATION_FAILED", "a payment method is required", details,
                            NULL);
        goto out;
    }
    if (!(conn = db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res)))
        goto out;

    /* The conditional update decides; when it does not apply, the invoice as
     * it is now says why. A PENDING invoice it refused is past its deadline
     * by the database's clock: expire it now (with its webhook). */
    for (int round = 0; round < 3; round++) {
        struct invoice inv;
        enum db_status st = invoice_store_pay(conn, number, method, app->delay_ms, &inv);
        if (st == DB_OK) {
            log_info("invoice processing invoice=%s method=%s", inv.number, method);
            answer_invoice(app, res, 202, &inv);
            invoice_cleanup(&inv);
            payment_wake_settlers(app);
            goto out;
        }
        if (st != DB_NOT_FOUND) {
            http_res_db_error(res, st);
            goto out;
        }
        if (load_or_answer(conn, res, number, &inv) != 0)
            goto out;
        if (inv.status == INVOICE_PENDING) {
            invoice_cleanup(&inv);
            st = payment_expire_now(app, conn, number, &inv);
            if (st == DB_NOT_FOUND)
                continue; /* changed under us: look again */
            if (st != DB_OK) {
                http_res_db_error(res, st);
                goto out;
            }
        }
        const char *code;
        int status = invoice_conflict_answer(INVOICE_ACT_PAY, inv.status, 0, &code);
        if (status == 202)
            answer_invoice(app, res, 202, &inv);
        else
            answer_conflict(app, res, code, &inv);
        invoice_cleanup(&inv);
        goto out;
    }
    http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the invoice kept changing, try again");
out:
    db_release(app->pool, conn);
    json_decref(body);
}

/* Shared tail of void and refund when the conditional update did not
 * apply: 404, an idempotent 200, or 409 from the invoice as it is. */
static void answer_not_applied(struct payment_app *app, struct db_conn *conn, struct http_res *res,
                               const char *number, enum invoice_action act)
{
    struct invoice inv;
    if (load_or_answer(conn, res, number, &inv) != 0)
        return;
    const char *code;
    int status = invoice_conflict_answer(act, inv.status, 0, &code);
    if (code)
        answer_conflict(app, res, code, &inv);
    else
        answer_invoice(app, res, status, &inv);
    invoice_cleanup(&inv);
}

void invoice_handle_void(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    const char *number = number_or_404(req, res);
    struct db_conn *conn = number ? db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res) : NULL;
    if (!conn)
        return;
    struct invoice inv;
    enum db_status st = invoice_store_void(conn, number, &inv);
    if (st == DB_OK) {
        atomic_fetch_add(&app->voided, 1);
        log_info("invoice voided invoice=%s", number);
        answer_invoice(app, res, 200, &inv);
        invoice_cleanup(&inv);
    } else if (st == DB_NOT_FOUND) {
        answer_not_applied(app, conn, res, number, INVOICE_ACT_VOID);
    } else {
        http_res_db_error(res, st);
    }
    db_release(app->pool, conn);
}

void invoice_handle_refund(struct http_req *req, struct http_res *res, void *appv)
{
    struct payment_app *app = appv;
    const char *number = number_or_404(req, res);
    struct db_conn *conn = number ? db_acquire_or_503(app->pool, PAYMENT_DB_WAIT_MS, res) : NULL;
    if (!conn)
        return;
    struct invoice inv;
    enum db_status st = db_begin(conn);
    if (st == DB_OK)
        st = invoice_store_refund(conn, number, &inv);
    if (st == DB_OK) {
        st = payment_emit(app, conn, &inv);
        if (st == DB_OK)
            st = db_commit(conn);
        else
            db_rollback(conn);
        if (st == DB_OK) {
            atomic_fetch_add(&app->refunded, 1);
            log_info("invoice refunded invoice=%s", number);
            payment_wake_delivery(app);
            answer_invoice(app, res, 200, &inv);
        } else {
            http_res_db_error(res, st);
        }
        invoice_cleanup(&inv);
    } else {
        db_rollback(conn);
        if (st == DB_NOT_FOUND)
            answer_not_applied(app, conn, res, number, INVOICE_ACT_REFUND);
        else
            http_res_db_error(res, st);
    }
    db_release(app->pool, conn);
}
