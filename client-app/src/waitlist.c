/* waitlist.c: request validation and answer mapping (see waitlist.h). */
#include "waitlist.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/rand.h"

static void add_detail(json_t **details, const char *field, const char *msg)
{
    if (!*details)
        *details = json_object();
    json_object_set_new(*details, field, json_string(msg));
}

/* A UUID member, lowercased into out; -1 (detail added) otherwise. */
static int uuid_member(const json_t *body, const char *key, char out[37], json_t **details)
{
    json_t *v = json_object_get(body, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || strlen(s) != 36 || !uuid_valid(s)) {
        add_detail(details, key, "must be a UUID");
        return -1;
    }
    for (size_t i = 0; i < 36; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[36] = '\0';
    return 0;
}

int waitlist_request_parse(const json_t *body, struct waitlist_request *out, json_t **details)
{
    memset(out, 0, sizeof(*out));
    *details = NULL;
    uuid_member(body, "event_id", out->event_id, details);
    uuid_member(body, "seat_id", out->seat_id, details);
    return *details ? -1 : 0;
}

json_t *waitlist_ticket_body(const struct waitlist_request *r, const char *user_id)
{
    return json_pack("{s:s, s:s, s:s}", "user_id", user_id, "event_id", r->event_id, "seat_id",
                     r->seat_id);
}

int waitlist_status_valid(const char *s)
{
    static const char *const all[] = {"WAITING", "OFFERED", "FULFILLED", "EXPIRED", "CANCELLED"};
    for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(s, all[i]) == 0)
            return 1;
    return 0;
}

static int fits(int w, size_t n)
{
    return w >= 0 && (size_t)w < n ? 0 : -1;
}

int waitlist_list_path(char *out, size_t n, const char *user_id, const char *status, long limit,
                       long offset)
{
    /* Only UUIDs, integers and validated statuses go into the query:
     * nothing needs escaping. */
    if (!uuid_valid(user_id) || (status && !waitlist_status_valid(status)))
        return -1;
    return fits(snprintf(out, n, "/api/waitlist?user_id=%s&limit=%ld&offset=%ld%s%s", user_id,
                         limit, offset, status ? "&status=" : "", status ? status : ""),
                n);
}

int waitlist_leave_path(char *out, size_t n, const char *entry_id, const char *user_id)
{
    if (!uuid_valid(entry_id) || !uuid_valid(user_id))
        return -1;
    return fits(snprintf(out, n, "/api/waitlist/%s?user_id=%s", entry_id, user_id), n);
}

int waitlist_pass_on(struct http_res *res, int rc, long status, json_t *reply)
{
    if (rc < 0 || status >= 500 || status < 200 || status == 401 || status == 403) {
        json_decref(reply);
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
        return 503;
    }
    if (status == 204) {
        json_decref(reply);
        http_res_no_content(res);
        return 204;
    }
    if (!json_is_object(reply)) {
        json_decref(reply);
        if (status < 300) {
            http_res_error(res, 503, "SERVICE_UNAVAILABLE", "unreadable ticket service answer");
            return 503;
        }
        http_res_error(res, (int)status, status == 404 ? "NOT_FOUND" : "CONFLICT",
                       "the ticket service refused the request");
        return (int)status;
    }
    http_res_json(res, (int)status, reply);
    return (int)status;
}
