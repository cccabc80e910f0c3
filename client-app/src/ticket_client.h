/* ticket_client.h: calls from client-app to ticket-app, authenticated with
 * TICKET_SERVICE_TOKEN, bounded by TICKET_TIMEOUT_MS. Never call these with
 * a transaction open or a pooled connection held. */
#ifndef CLIENT_TICKET_CLIENT_H
#define CLIENT_TICKET_CLIENT_H

#include <jansson.h>

#include "app.h"
#include "common/httpc.h"

/* JSON call of path (e.g. "/api/bookings"). 0 with *status and *out (new
 * reference or NULL), -1 when ticket-app could not be reached. */
int ticket_call_json(struct client_app *app, const char *method, const char *path, json_t *body,
                     long *status, json_t **out);
/* Raw call (PDFs, pass-through reads): 0 or -1 as httpc_request; out is
 * always initialised (httpc_res_cleanup it). */
int ticket_call_raw(struct client_app *app, const char *method, const char *path,
                    struct httpc_res *out);

#endif
