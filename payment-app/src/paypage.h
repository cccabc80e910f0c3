/* paypage.h: the HTML payment page behind payment_url (GET /pay/{number}).
 * Pure rendering: every interpolated value is HTML-escaped, and the only
 * script and style carry the per-response CSP nonce. */
#ifndef PAYMENT_PAYPAGE_H
#define PAYMENT_PAYPAGE_H

#include <stddef.h>

#include "invoice.h"

struct sbuf;

/* Appends s with & < > " ' escaped (safe in text and quoted attributes). */
void html_escape(struct sbuf *b, const char *s);

/* The Content-Security-Policy header value for a page with this nonce,
 * into out (at least 512 bytes). */
void paypage_csp(const char *nonce, char *out, size_t outlen);

/* The page for inv. nonce: [0-9a-f]+ from rand_hex. Returns a malloc'ed
 * document (caller frees) and its length in *len. */
char *paypage_render(const struct invoice *inv, const char *nonce, size_t *len);

/* The 404 page for an unknown number (the number itself is not echoed
 * unescaped). Malloc'ed, caller frees. */
char *paypage_render_not_found(const char *nonce, size_t *len);

#endif
