/* payment_client.h: ticket-app's calls to payment-app (create, void, refund,
 * read an invoice), each one HTTP request with the service bearer. Never
 * called with a transaction open. Every call is idempotent at payment-app,
 * so callers retry freely. */
#ifndef TICKET_PAYMENT_CLIENT_H
#define TICKET_PAYMENT_CLIENT_H

#include <stddef.h>

struct app;

struct invoice_ref {
    char number[64];
    char payment_url[512];
    char status[24];
};

enum pay_result {
    PAY_OK = 0,
    PAY_RETRY,     /* transport failure, timeout or 5xx: try again later */
    PAY_CONFLICT,  /* 409: the invoice is not in a state that allows it */
    PAY_NOT_FOUND, /* 404 */
    PAY_REJECTED,  /* another 4xx: our request is wrong, retrying will not help */
};

/* POST /api/invoices {booking_id, amount, currency, expires_at, description}
 * (200 or 201). err (>= 128 bytes) gets a reason on failure. */
enum pay_result payment_invoice_create(const struct app *app, const char *booking_id, long amount,
                                       const char *currency, const char *expires_at,
                                       const char *description, struct invoice_ref *out, char *err,
                                       size_t errlen);
/* POST /api/invoices/{n}/void, /refund; GET /api/invoices/{n}. */
enum pay_result payment_invoice_void(const struct app *app, const char *number, char *err,
                                     size_t errlen);
enum pay_result payment_invoice_refund(const struct app *app, const char *number, char *err,
                                       size_t errlen);
enum pay_result payment_invoice_get(const struct app *app, const char *number,
                                    struct invoice_ref *out, char *err, size_t errlen);

/* Maps an HTTP status of payment-app (0 = transport failure). Pure. */
enum pay_result payment_result_from_status(long status);

#endif
