/* waitlist.h: client-app's side of the waitlist, which ticket-app owns:
 * validation of the user's requests, the body and paths sent to ticket-app
 * (the caller's own user id always comes from the session, never from the
 * request), and how ticket-app's answers are passed on. Pure. The
 * endpoints are in waitlist_handler.c. */
#ifndef CLIENT_WAITLIST_H
#define CLIENT_WAITLIST_H

#include <jansson.h>
#include <stddef.h>

#include "common/http.h"

/* A validated POST /api/waitlist body (UUIDs lowercased). */
struct waitlist_request {
    char event_id[37];
    char seat_id[37];
};

/* 0, or -1 with *details (new reference) naming each bad field. */
int waitlist_request_parse(const json_t *body, struct waitlist_request *out, json_t **details);

/* {user_id, event_id, seat_id} for ticket-app (new reference). */
json_t *waitlist_ticket_body(const struct waitlist_request *r, const char *user_id);

/* 1 for WAITING, OFFERED, FULFILLED, EXPIRED, CANCELLED. */
int waitlist_status_valid(const char *s);

/* ticket-app's list path for user_id (a UUID) with paging and an optional
 * validated status: 0, or -1 if it does not fit in out. */
int waitlist_list_path(char *out, size_t n, const char *user_id, const char *status, long limit,
                       long offset);
/* ticket-app's path to leave entry_id (a UUID) as user_id: 0 or -1. */
int waitlist_leave_path(char *out, size_t n, const char *entry_id, const char *user_id);

/* Passes ticket-app's answer to a waitlist call on to res (reply is
 * stolen): 2xx and its 4xx refusals as they are; no answer (rc < 0), a
 * 5xx, or 401/403 (our token is wrong, not the user's fault) as 503
 * SERVICE_UNAVAILABLE. Returns the status answered. */
int waitlist_pass_on(struct http_res *res, int rc, long status, json_t *reply);

#endif
