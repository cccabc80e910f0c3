/* inbox.h: what a notification says. An entry of the inbox is stored as a
 * kind and the facts it tells (params, a JSON object written with it:
 * event_name, seats [labels], amount, currency, pay_by, payment_url,
 * failure_reason, code, starts_at_local); subject and body are rendered
 * here, the same for the inbox and the e-mail. Pure: no database, no I/O. */
#ifndef CLIENT_INBOX_H
#define CLIENT_INBOX_H

#include <jansson.h>

/* 1 if kind is one of the kinds of API.md (booking.confirmed, ...). */
int inbox_kind_valid(const char *kind);

/* The kind of entry a ticket-app notification type adds by itself (not
 * through a booking's status change): "event.changed" and
 * "event.cancelled" for those types, NULL for the others. */
const char *inbox_kind_of_notification(const char *type);

/* Subject and body of an entry (new malloc'ed UTF-8 strings, never NULL).
 * params is borrowed and may be NULL or lack any member. */
void inbox_render(const char *kind, const json_t *params, char **subject, char **body);

#endif
