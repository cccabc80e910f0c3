/* waitlist_handler.h: ticket-app's waitlist endpoints (client-app's service
 * token): POST /api/waitlist, GET /api/waitlist?user_id=,
 * DELETE /api/waitlist/{id}?user_id=. */
#ifndef TICKET_WAITLIST_HANDLER_H
#define TICKET_WAITLIST_HANDLER_H

#include "handlers.h"

void waitlist_handle_join(struct http_req *req, struct http_res *res, void *app);
void waitlist_handle_list(struct http_req *req, struct http_res *res, void *app);
void waitlist_handle_leave(struct http_req *req, struct http_res *res, void *app);

#endif
