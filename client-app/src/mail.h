/* mail.h: an e-mail as RFC 5322 / MIME text: UTF-8 subject and display
 * names encoded per RFC 2047, a text/plain UTF-8 body, and optionally one
 * attachment (multipart/mixed), every part base64 with lines of 76. Pure: no
 * I/O. */
#ifndef CLIENT_MAIL_H
#define CLIENT_MAIL_H

#include <stddef.h>

struct mail {
    const char *from;                /* "Name <addr>" or "addr" */
    const char *to_addr;             /* the recipient's address */
    const char *to_name;             /* display name, may be NULL */
    const char *subject;             /* UTF-8 */
    const char *body;                /* UTF-8 text */
    const char *message_id;          /* without <>, e.g. "<id>@tickets" */
    long long date_unix;             /* the Date header, UTC */
    const unsigned char *attachment; /* may be NULL */
    size_t attachment_len;
    const char *attachment_name; /* e.g. "ticket-ABCD1234.pdf" */
    const char *attachment_type; /* e.g. "application/pdf" */
};

/* The message (new malloc'ed text, CRLF line ends) or NULL when an address
 * holds a CR, LF or NUL or a required field is missing. *len gets its
 * length. */
char *mail_build(const struct mail *m, size_t *len);

/* The bare address of "Name <addr>" or "addr" into out; -1 when it does not
 * fit or is empty. */
int mail_addr_spec(const char *from, char *out, size_t outlen);

/* "=?UTF-8?B?...?=" words for s when it is not plain printable ASCII, else
 * a copy (new malloc'ed). */
char *mail_encode_word(const char *s);

#endif
