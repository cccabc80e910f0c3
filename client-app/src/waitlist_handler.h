/* waitlist_handler.h: client-app's waitlist endpoints (route table:
 * routes.c). */
#ifndef CLIENT_WAITLIST_HANDLER_H
#define CLIENT_WAITLIST_HANDLER_H

#include "common/http.h"

void waitlist_handle_join(struct http_req *req, struct http_res *res, void *app);
void waitlist_handle_list(struct http_req *req, struct http_res *res, void *app);
void waitlist_handle_leave(struct http_req *req, struct http_res *res, void *app);

#endif
