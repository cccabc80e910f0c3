/* waitlist_handler.h: ticket-app's waitlist endpoints (client-app's service
 * token): POST /api/waitlist, GET /api/waitlist?user_id=,
 * DELETE /api/waitlist/{id}?user_id=. */
#ifndef TICKET_WAITLIST_HANDLER_H
#define TICKET_WAITLIST_HANDLER_H

#include "handlers.h"

HANDLER(waitlist_handle_join);
HANDLER(waitlist_handle_list);
HANDLER(waitlist_handle_leave);

#endif
