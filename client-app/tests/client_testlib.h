/* client_testlib.h: HTTP helpers for client-app's http and e2e tests: a call
 * that keeps the status, raw body (PDFs), parsed JSON and Retry-After,
 * user/session shortcuts, and a SQL statement with parameters. */
#ifndef CLIENT_TESTLIB_H
#define CLIENT_TESTLIB_H

#include <jansson.h>
#include <stddef.h>

struct tresp {
    long status;
    char *body; /* malloc'ed, NUL-terminated */
    size_t len;
    json_t *json; /* NULL unless the body is JSON */
    char retry_after[32];
    char content_type[96];
    char warning[96]; /* the Warning header, "" if none */
};

/* method base+path with bearer (may be NULL), body text (may be NULL) and
 * extra headers (NULL-terminated, may be NULL). Returns the status; r is
 * always filled (tresp_free it). */
long tcall(const char *base, const char *method, const char *path, const char *bearer,
           const char *body, const char *const *headers, struct tresp *r);
void tresp_free(struct tresp *r);
/* The error code of an error body, or "". */
const char *terr(const struct tresp *r);
/* String member of r->json (path like "booking.status"), or "". */
const char *tstr(const struct tresp *r, const char *path);

/* POST /api/users; returns the status; id (37 bytes) receives the new id. */
long tuser_create(const char *base, const char *username, const char *email, const char *pw,
                  char *id);
/* POST /api/sessions; returns the status; token (65 bytes) receives it. */
long tlogin(const char *base, const char *login, const char *pw, char *token);

/* Runs one statement with $1..$n text parameters on the database at uri
 * (values never go into the SQL text); 0 or -1. */
int texec(const char *uri, const char *sql, int nparams, const char *const *params);

/* A registered, logged-in user of the client-app at base. */
struct tuser {
    char name[24];
    char id[37];
    char token[65];
};
/* Registers name (e-mail name@example.com, password pw) and logs in; both
 * must answer 201 (asserted). */
void tuser_new(const char *base, const char *name, const char *pw, struct tuser *u);

/* Creates an event at ticket-app (tbase, admin token; body the JSON of
 * POST /api/events, n seats) and reads its n seat ids through client-app
 * (cbase) in order; both answers asserted. */
void tevent_new(const char *tbase, const char *admin_token, const char *cbase, const char *body,
                int n, char ev[37], char ids[][37]);

#endif
