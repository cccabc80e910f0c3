/* handlers.h: payment-app's endpoint handlers (routes.c lists them). Each
 * takes the struct payment_app as app. */
#ifndef PAYMENT_HANDLERS_H
#define PAYMENT_HANDLERS_H

#include "common/http.h"

/* Route flag: the caller must present PAYMENT_SERVICE_TOKEN. */
#define PAYMENT_ROUTE_SERVICE 1u

extern const struct http_route payment_routes[];
extern const size_t payment_nroutes;

/* The "before" hook: 401 UNAUTHENTICATED on service routes without the
 * service token (constant-time comparison). */
int payment_before(struct http_req *req, struct http_res *res, void *app);

/* How long a handler waits for a pooled connection before answering 503
 * (db_acquire_or_503). */
#define PAYMENT_DB_WAIT_MS 3000

void invoice_handle_create(struct http_req *req, struct http_res *res, void *app);
void invoice_handle_list(struct http_req *req, struct http_res *res, void *app);
void invoice_handle_get(struct http_req *req, struct http_res *res, void *app);
void invoice_handle_pay(struct http_req *req, struct http_res *res, void *app);
void invoice_handle_void(struct http_req *req, struct http_res *res, void *app);
void invoice_handle_refund(struct http_req *req, struct http_res *res, void *app);
void paypage_handle_get(struct http_req *req, struct http_res *res, void *app);
void delivery_handle_list(struct http_req *req, struct http_res *res, void *app);
void delivery_handle_get(struct http_req *req, struct http_res *res, void *app);
void delivery_handle_replay(struct http_req *req, struct http_res *res, void *app);

#endif
