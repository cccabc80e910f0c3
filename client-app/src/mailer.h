/* mailer.h: the inbox's background work in client-app: hold.expiring entries
 * for payment windows about to end, and, with SMTP_URL set, every entry
 * e-mailed through the outbox (topic 'mail', written with the entry by the
 * database: migrations/client/021_notifications.sql) over SMTP with
 * libcurl, retried with backoff until the server accepts it. */
#ifndef CLIENT_MAILER_H
#define CLIENT_MAILER_H

#include "app.h"

/* Records whether mail is on (SMTP_URL set) and starts the loops; 0 or -1
 * (database unreachable at start-up). */
int mailer_start(struct client_app *app);
void mailer_stop(struct client_app *app);

/* One SMTP delivery of the outbox event (common/outbox.h deliver): loads
 * the entry, renders it, attaches the ticket to booking.confirmed, sends. */
int mailer_deliver(void *app, const char *event_id, const char *payload, long *status, char *err,
                   size_t errlen);

#endif
