/* mail.c: building an e-mail (mail.h). */
#include "mail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

#define MAIL_BOUNDARY_PREFIX "=_ticketing_"

static int plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return 0;
    return 1;
}

static int header_safe(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

/* Appends base64 of data in lines of 76 (CRLF). */
static void put_base64(struct sbuf *b, const unsigned char *data, size_t len)
{
    size_t enc = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *t = xmalloc(enc);
    sodium_bin2base64(t, enc, data, len, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(t);
    for (size_t i = 0; i < n; i += 76) {
        sbuf_add(b, t + i, n - i < 76 ? n - i : 76);
        sbuf_puts(b, "\r\n");
    }
    free(t);
}

char *mail_encode_word(const char *s)
{
    if (plain_ascii(s))
        return xstrdup(s);
    /* Encoded words of at most 75 characters: 45 bytes each, never cutting
     * a UTF-8 sequence (RFC 2047 5.3). */
    struct sbuf b;
    sbuf_init(&b);
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t k = n - i < 45 ? n - i : 45;
        while (k > 0 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k--;
        if (k == 0)
            k = n - i < 45 ? n - i : 45;
        char enc[80];
        sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        sbuf_printf(&b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += k;
    }
    return sbuf_steal(&b, NULL);
}

int mail_addr_spec(const char *from, char *out, size_t outlen)
{
    if (!from)
        return -1;
    const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    const char *a = lt && gt ? lt + 1 : from;
    size_t n = lt && gt ? (size_t)(gt - lt - 1) : strlen(from);
    while (n > 0 && (*a == ' ' || *a == '\t'))
        a++, n--;
    while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, a, n);
    out[n] = '\0';
    return 0;
}

char *mail_build(const struct mail *m, size_t *len)
{
    if (!m->to_addr || !m->from || !m->subject || !m->body || !m->message_id ||
        !header_safe(m->to_addr) || !header_safe(m->from) || !header_safe(m->message_id) ||
        (m->to_name && !header_safe(m->to_name)) ||
        (m->attachment && (!header_safe(m->attachment_name) || !header_safe(m->attachment_type))))
        return NULL;
    struct sbuf b;
    sbuf_init(&b);
    char date[64];
    time_t t = (time_t)m->date_unix;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char *subject = mail_encode_word(m->subject);
    char from_addr[256];
    if (mail_addr_spec(m->from, from_addr, sizeof from_addr) < 0) {
        free(subject);
        sbuf_cleanup(&b);
        return NULL;
    }
    sbuf_printf(&b, "From: %s\r\n", m->from);
    if (m->to_name && m->to_name[0]) {
        char *name = mail_encode_word(m->to_name);
        /* a plain name is quoted (it may hold commas or dots) */
        if (plain_ascii(m->to_name) && !strpbrk(m->to_name, "\"\\"))
            sbuf_printf(&b, "To: \"%s\" <%s>\r\n", name, m->to_addr);
        else if (plain_ascii(m->to_name))
            sbuf_printf(&b, "To: <%s>\r\n", m->to_addr);
        else
            sbuf_printf(&b, "To: %s <%s>\r\n", name, m->to_addr);
        free(name);
    } else {
        sbuf_printf(&b, "To: <%s>\r\n", m->to_addr);
    }
    sbuf_printf(&b, "Subject: %s\r\n", subject);
    free(subject);
    sbuf_printf(&b, "Date: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", date, m->message_id);
    char boundary[96];
    snprintf(boundary, sizeof boundary, MAIL_BOUNDARY_PREFIX "%.60s", m->message_id);
    for (char *p = boundary; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '='))
            *p = '_';
    if (m->attachment) {
        sbuf_printf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
        sbuf_puts(&b, "This is a MIME message.\r\n");
        sbuf_printf(&b, "--%s\r\n", boundary);
    }
    sbuf_puts(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    put_base64(&b, (const unsigned char *)m->body, strlen(m->body));
    if (m->attachment) {
        sbuf_printf(&b, "--%s\r\n", boundary);
        sbuf_printf(&b,
                    "Content-Type: %s; name=\"%s\"\r\n"
                    "Content-Disposition: attachment; filename=\"%s\"\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n",
                    m->attachment_type ? m->attachment_type : "application/octet-stream",
                    m->attachment_name, m->attachment_name);
        put_base64(&b, m->attachment, m->attachment_len);
        sbuf_printf(&b, "--%s--\r\n", boundary);
    }
    return sbuf_steal(&b, len);
}
