/* ticket_pdf.h: the PDF ticket of a confirmed booking, one A6 page per seat
 * with the event, the seat, the holder, the booking code and a QR code of
 * the seat's signed ticket code (ticket_code.h). libharu + libqrencode. */
#ifndef TICKET_PDF_H
#define TICKET_PDF_H

#include <stddef.h>

struct ticket_pdf_seat {
    const char *label;       /* "A-12" */
    const char *section;     /* "VIP" */
    long price;              /* smallest currency unit */
    const char *ticket_code; /* what the QR code carries; required */
    const char *attendee;    /* the person named for this seat, or NULL (the holder) */
    const char *attendee_id; /* their identity number, or NULL */
};

struct ticket_pdf_info {
    const char *event_name, *venue, *starts_at, *holder, *booking_id, *currency;
    /* the venue's wall clock ("2026-12-24T19:30:00+07:00") and zone name:
     * printed instead of starts_at when set */
    const char *starts_at_local, *timezone;
    const char *booking_code; /* printed as the booking code when set, else booking_id */
    long amount;
    const struct ticket_pdf_seat *seats;
    size_t nseats;
};

#define TICKET_PDF_MAX_SEATS 100

/* Renders the ticket. Text is UTF-8 (NULL counts as ""); what the standard
 * WinAnsi fonts cannot show becomes '?'. starts_at is RFC 3339 (shown as
 * written if it does not parse). On 0, *pdf is a new malloc'ed buffer of *len
 * bytes that the caller frees. -1 (with *pdf NULL and a warning logged) if
 * info has no seats, more than TICKET_PDF_MAX_SEATS, a seat without ticket
 * code, or libharu/libqrencode fail. Thread-safe: each call owns its
 * document. */
int ticket_pdf_render(const struct ticket_pdf_info *info, char **pdf, size_t *len);

/* Helpers, exposed for tests. */

/* "2026-12-24T19:30:00+07:00" and "Asia/Jakarta" -> "Thu 24 Dec 2026, 19:30
 * Asia/Jakarta (UTC+07:00)": the time as the venue's clock shows it. A
 * local time that does not parse is written as it is. */
void ticket_pdf_format_local(const char *local, const char *tz, char *out, size_t outlen);

/* UTF-8 -> WinAnsi (CP1252) for the standard fonts: characters WinAnsi has
 * are kept, every other character, control character or invalid byte
 * becomes '?' (tab and newlines become a space). At most outlen-1 bytes are
 * written, always NUL-terminated; returns the number written. s may be NULL. */
size_t ticket_pdf_winansi(const char *s, char *out, size_t outlen);

/* "IDR 1,500,000" for zero-decimal currencies (IDR, JPY, KRW, VND), else
 * "USD 12.50". Always NUL-terminated. */
void ticket_pdf_format_money(long amount, const char *currency, char *out, size_t outlen);

/* "Sat 21 Nov 2026, 19:30 UTC" from RFC 3339; the input as is (truncated)
 * if it does not parse, "" for NULL. */
void ticket_pdf_format_time(const char *rfc3339, char *out, size_t outlen);

#endif
