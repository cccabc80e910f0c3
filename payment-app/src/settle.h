/* settle.h: payment-app's background work: settlement workers, the expiry
 * sweeper and webhook delivery, plus the one place that turns an invoice
 * change into its webhook event (outbox row, same transaction). */
#ifndef PAYMENT_SETTLE_H
#define PAYMENT_SETTLE_H

#include "app.h"
#include "common/db.h"
#include "invoice.h"

/* Inside the transaction that moved inv to its status: writes the webhook
 * event for that status (PAID, FAILED, EXPIRED, REFUNDED; others: nothing,
 * DB_OK). */
enum db_status payment_emit(struct payment_app *app, struct db_conn *conn,
                            const struct invoice *inv);

/* Expires number now if it is PENDING and past its deadline, with its
 * webhook, in one transaction. DB_OK with *out (EXPIRED), DB_NOT_FOUND if it
 * did not apply, or a database failure. */
enum db_status payment_expire_now(struct payment_app *app, struct db_conn *conn, const char *number,
                                  struct invoice *out);

/* bg.h ticks; arg is the struct payment_app. */
int settle_tick(void *arg);
/* settle_tick for the workers' loops: > 0 only after a full batch. */
int settle_loop_tick(void *arg);
int expiry_tick(void *arg);
int delivery_tick(void *arg);

#endif
