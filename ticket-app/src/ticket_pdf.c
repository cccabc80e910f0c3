/* ticket_pdf.c: renders the PDF ticket of ticket_pdf.h with libharu, the QR
 * code drawn from libqrencode's module matrix as filled rectangles.
 * libharu's errors go to a callback that records them (no longjmp): once a
 * document has failed, libharu refuses further work on it, and we check the
 * recorded state after each step and free the document. */
#include "ticket_pdf.h"

#include <hpdf.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"

/* ---- text helpers (pure) ---------------------------------------------- */

/* The characters WinAnsi (CP1252) puts in 0x80-0x9F. */
static const struct {
    unsigned cp;
    unsigned char byte;
} cp1252_high[] = {
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86},
    {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
    {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
    {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
    {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F},
};

static unsigned char winansi_byte(unsigned cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return ' ';
    if (cp < 0x20 || cp == 0x7F)
        return '?';
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (unsigned char)cp;
    for (size_t i = 0; i < sizeof cp1252_high / sizeof cp1252_high[0]; i++)
        if (cp1252_high[i].cp == cp)
            return cp1252_high[i].byte;
    return '?';
}

size_t ticket_pdf_winansi(const char *s, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = 0;
    while (*p && n + 1 < outlen) {
        unsigned c = *p, cp, min;
        int extra;
        if (c < 0x80) {
            cp = c, extra = 0, min = 0;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1F, extra = 1, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0F, extra = 2, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            cp = c & 0x07, extra = 3, min = 0x10000;
        } else {
            out[n++] = '?';
            p++;
            continue;
        }
        int i;
        for (i = 1; i <= extra; i++) {
            if ((p[i] & 0xC0) != 0x80)
                break;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (i <= extra) {
            /* Truncated sequence: one '?', resume at the byte that broke it
             * (which may be the terminating NUL). */
            out[n++] = '?';
            p += i;
            continue;
        }
        p += extra + 1;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            out[n++] = '?';
        else
            out[n++] = (char)winansi_byte(cp);
    }
    out[n] = '\0';
    return n;
}

static int zero_decimal(const char *cur)
{
    static const char *const list[] = {"IDR", "JPY", "KRW", "VND"};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (strcmp(cur, list[i]) == 0)
            return 1;
    return 0;
}

void ticket_pdf_format_money(long amount, const char *currency, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    char cur[9];
    size_t c = 0;
    for (const char *p = currency ? currency : ""; *p && c < sizeof cur - 1; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            cur[c++] = (char)(*p & ~0x20);
    cur[c] = '\0';

    int decimals = zero_decimal(cur) ? 0 : 2;
    unsigned long v = amount < 0 ? 0UL - (unsigned long)amount : (unsigned long)amount;
    unsigned long whole = decimals ? v / 100 : v;

    /* Digits of whole with a ',' every three, built backwards. */
    char rev[40];
    size_t n = 0;
    int group = 0;
    do {
        if (group == 3) {
            rev[n++] = ',';
            group = 0;
        }
        rev[n++] = (char)('0' + whole % 10);
        whole /= 10;
        group++;
    } while (whole);
    char digits[40];
    for (size_t i = 0; i < n; i++)
        digits[i] = rev[n - 1 - i];
    digits[n] = '\0';

    const char *sign = amount < 0 ? "-" : "";
    const char *sep = c ? " " : "";
    if (decimals)
        snprintf(out, outlen, "%s%s%s%s.%02lu", cur, sep, sign, digits, v % 100);
    else
        snprintf(out, outlen, "%s%s%s%s", cur, sep, sign, digits);
}

void ticket_pdf_format_time(const char *rfc3339, char *out, size_t outlen)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (!out || outlen == 0)
        return;
    out[0] = '\0';
    if (!rfc3339)
        return;
    int64_t ms;
    struct tm tm;
    if (time_parse_rfc3339(rfc3339, &ms) != 0) {
        snprintf(out, outlen, "%s", rfc3339);
        return;
    }
    time_t t = (time_t)(ms / 1000);
    if (!gmtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11) {
        snprintf(out, outlen, "%s", rfc3339);
        return;
    }
    snprintf(out, outlen, "%s %d %s %d, %02d:%02d UTC", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

void ticket_pdf_format_local(const char *local, const char *tz, char *out, size_t outlen)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (!out || outlen == 0)
        return;
    out[0] = '\0';
    if (!local)
        return;
    int y, mo, d, h, mi, s;
    char off[8] = "";
    if (strlen(local) < 25 ||
        sscanf(local, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 || mo < 1 ||
        mo > 12 || d < 1 || d > 31) {
        snprintf(out, outlen, "%s", local);
        return;
    }
    snprintf(off, sizeof off, "%.6s", local + strlen(local) - 6);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm w;
    if (t == (time_t)-1 || !gmtime_r(&t, &w) || w.tm_wday < 0 || w.tm_wday > 6) {
        snprintf(out, outlen, "%s", local);
        return;
    }
    snprintf(out, outlen, "%s %d %s %d, %02d:%02d %s (UTC%s)", days[w.tm_wday], d, months[mo - 1],
             y, h, mi, tz && tz[0] ? tz : "", off);
}

/* ---- drawing ------------------------------------------------------------ */

/* Converted text is capped: a ticket line never needs more. */
#define TEXT_MAX 512

struct render {
    HPDF_Doc doc;
    HPDF_STATUS error_no, detail_no;
    int failed;
    HPDF_Font regular, bold, mono;
};

static void pdf_on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    struct render *r = user_data;
    if (!r->failed) {
        r->error_no = error_no;
        r->detail_no = detail_no;
    }
    r->failed = 1;
}

/* Shortens WinAnsi text in buf (capacity cap) with "..." so that it fits in
 * maxw points at size. */
static void fit_text(HPDF_Font font, float size, float maxw, char *buf, size_t cap)
{
    size_t len = strlen(buf);
    HPDF_REAL w;
    HPDF_UINT n = HPDF_Font_MeasureText(font, (const HPDF_BYTE *)buf, (HPDF_UINT)len, maxw, size, 0,
                                        0, HPDF_FALSE, &w);
    if (n >= len)
        return;
    HPDF_TextWidth ell = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)"...", 3);
    float room = maxw - (float)ell.width * size / 1000.0f;
    n = room > 0 ? HPDF_Font_MeasureText(font, (const HPDF_BYTE *)buf, (HPDF_UINT)len, room, size,
                                         0, 0, HPDF_FALSE, &w)
                 : 0;
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    if (n + 4 > cap)
        n = cap - 4;
    memcpy(buf + n, "...", 4);
}

static void show(HPDF_Page page, HPDF_Font font, float size, float x, float y, const char *winansi)
{
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_TextOut(page, x, y, winansi);
    HPDF_Page_EndText(page);
}

/* One line of UTF-8 text, shortened to fit maxw. */
static void draw_line(HPDF_Page page, HPDF_Font font, float size, float x, float y, float maxw,
                      const char *utf8)
{
    char buf[TEXT_MAX];
    ticket_pdf_winansi(utf8, buf, sizeof buf);
    fit_text(font, size, maxw, buf, sizeof buf);
    show(page, font, size, x, y, buf);
}

/* UTF-8 text wrapped at word boundaries over at most maxlines lines, the
 * last one shortened. Returns the number of lines drawn. */
static int draw_wrapped(HPDF_Page page, HPDF_Font font, float size, float x, float y, float maxw,
                        float leading, int maxlines, const char *utf8)
{
    char buf[TEXT_MAX], line[TEXT_MAX];
    size_t rem = ticket_pdf_winansi(utf8, buf, sizeof buf);
    const char *p = buf;
    int lines = 0;
    while (lines < maxlines) {
        while (*p == ' ')
            p++, rem--;
        if (rem == 0)
            break;
        HPDF_UINT n = (HPDF_UINT)rem;
        if (lines < maxlines - 1) {
            HPDF_REAL w;
            n = HPDF_Font_MeasureText(font, (const HPDF_BYTE *)p, (HPDF_UINT)rem, maxw, size, 0, 0,
                                      HPDF_TRUE, &w);
            if (n == 0) /* one word wider than the line: cut it */
                n = HPDF_Font_MeasureText(font, (const HPDF_BYTE *)p, (HPDF_UINT)rem, maxw, size, 0,
                                          0, HPDF_FALSE, &w);
            if (n == 0)
                n = 1;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        fit_text(font, size, maxw, line, sizeof line);
        show(page, font, size, x, y - (float)lines * leading, line);
        p += n;
        rem -= n;
        lines++;
    }
    return lines;
}

/* A small gray caption above a value. */
static void draw_caption(struct render *r, HPDF_Page page, float x, float y, const char *text)
{
    HPDF_Page_SetRGBFill(page, 0.45f, 0.45f, 0.5f);
    show(page, r->bold, 6.5f, x, y, text);
    HPDF_Page_SetGrayFill(page, 0.1f);
}

/* Draws the QR code of text with its lower-left corner at (x, y), side
 * points wide including a quiet zone of 4 modules. Dark modules of a row
 * are merged into runs so that no hairline seams show between them.
 * Returns 0 or -1 if libqrencode fails. */
static int draw_qr(HPDF_Page page, const char *text, float x, float y, float side)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return -1;
    const int quiet = 4;
    int w = qr->width;
    float m = side / (float)(w + 2 * quiet);
    float top = y + side - (float)quiet * m;
    float left = x + (float)quiet * m;

    HPDF_Page_SetGrayFill(page, 1.0f);
    HPDF_Page_Rectangle(page, x, y, side, side);
    HPDF_Page_Fill(page);
    HPDF_Page_SetGrayFill(page, 0.0f);
    for (int row = 0; row < w; row++) {
        const unsigned char *d = qr->data + (size_t)row * (size_t)w;
        for (int col = 0; col < w;) {
            if (!(d[col] & 1)) {
                col++;
                continue;
            }
            int start = col;
            while (col < w && (d[col] & 1))
                col++;
            HPDF_Page_Rectangle(page, left + (float)start * m, top - (float)(row + 1) * m,
                                (float)(col - start) * m, m);
        }
        /* Filled per row: keeps each path small. */
        HPDF_Page_Fill(page);
    }
    HPDF_Page_SetGrayFill(page, 0.1f);
    QRcode_free(qr);
    return 0;
}

static int render_page(struct render *r, const struct ticket_pdf_info *info, size_t i)
{
    const struct ticket_pdf_seat *seat = &info->seats[i];
    HPDF_Page page = HPDF_AddPage(r->doc);
    if (!page || r->failed)
        return -1;
    /* A6 portrait (105 x 148 mm); libharu has no preset for it. */
    HPDF_Page_SetWidth(page, 297.64f);
    HPDF_Page_SetHeight(page, 419.53f);
    const float W = HPDF_Page_GetWidth(page), H = HPDF_Page_GetHeight(page);
    const float margin = 18, colw = (W - 2 * margin - 12) / 2, right = margin + colw + 12;
    char buf[128];

    /* Header band: event and venue. */
    HPDF_Page_SetRGBFill(page, 0.11f, 0.16f, 0.28f);
    HPDF_Page_Rectangle(page, 0, H - 74, W, 74);
    HPDF_Page_Fill(page);
    HPDF_Page_SetGrayFill(page, 1.0f);
    int lines =
        draw_wrapped(page, r->bold, 13, margin, H - 24, W - 2 * margin, 15, 2, info->event_name);
    draw_line(page, r->regular, 9, margin, H - 24 - (float)(lines > 1 ? 2 : 1) * 15 - 2,
              W - 2 * margin, info->venue);
    HPDF_Page_SetGrayFill(page, 0.1f);

    float y = H - 92;
    draw_caption(r, page, margin, y, "DATE & TIME");
    if (info->starts_at_local)
        ticket_pdf_format_local(info->starts_at_local, info->timezone, buf, sizeof buf);
    else
        ticket_pdf_format_time(info->starts_at, buf, sizeof buf);
    draw_line(page, r->regular, 10, margin, y - 12, W - 2 * margin, buf);

    y -= 34;
    draw_caption(r, page, margin, y, "SEAT");
    draw_line(page, r->bold, 18, margin, y - 19, colw, seat->label);
    draw_caption(r, page, right, y, "SECTION");
    draw_line(page, r->regular, 10, right, y - 13, colw, seat->section);

    y -= 38;
    draw_caption(r, page, margin, y, "PRICE");
    ticket_pdf_format_money(seat->price, info->currency, buf, sizeof buf);
    draw_line(page, r->bold, 10, margin, y - 12, colw, buf);
    draw_caption(r, page, right, y, seat->attendee ? "ATTENDEE" : "HOLDER");
    draw_line(page, r->regular, 10, right, y - 12, colw,
              seat->attendee ? seat->attendee : info->holder);

    y -= 30;
    draw_caption(r, page, margin, y, "BOOKING CODE");
    draw_line(page, r->mono, info->booking_code ? 11 : 8, margin, y - 11, colw,
              info->booking_code ? info->booking_code : info->booking_id);
    if (seat->attendee_id) {
        draw_caption(r, page, right, y, "ID NUMBER");
        draw_line(page, r->regular, 9, right, y - 11, colw, seat->attendee_id);
    }

    /* The QR code takes the lower part of the page, centred. */
    const float side = 170, qy = 24;
    if (draw_qr(page, seat->ticket_code, (W - side) / 2, qy, side) != 0) {
        log_warn("ticket pdf: QR encoding failed");
        return -1;
    }
    snprintf(buf, sizeof buf, "Ticket %zu of %zu - show this code at the gate", i + 1,
             info->nseats);
    HPDF_Page_SetGrayFill(page, 0.45f);
    draw_line(page, r->regular, 7, margin, qy + side + 4, W - 2 * margin, buf);
    if (info->nseats > 1) {
        char total[64], line[96];
        ticket_pdf_format_money(info->amount, info->currency, total, sizeof total);
        snprintf(line, sizeof line, "Booking total %s", total);
        draw_line(page, r->regular, 7, margin, 12, W - 2 * margin, line);
    }
    return r->failed ? -1 : 0;
}

/* Copies the saved document out of libharu's memory stream. */
static int read_out(struct render *r, char **pdf, size_t *len)
{
    if (HPDF_SaveToStream(r->doc) != HPDF_OK || r->failed)
        return -1;
    HPDF_UINT32 size = HPDF_GetStreamSize(r->doc);
    if (size == 0)
        return -1;
    char *buf = xmalloc(size);
    HPDF_UINT32 got = 0;
    while (got < size) {
        HPDF_UINT32 n = size - got;
        HPDF_STATUS st = HPDF_ReadFromStream(r->doc, (HPDF_BYTE *)buf + got, &n);
        got += n;
        if (st == HPDF_STREAM_EOF || n == 0)
            break;
        if (st != HPDF_OK) {
            free(buf);
            return -1;
        }
    }
    if (got != size) {
        free(buf);
        return -1;
    }
    *pdf = buf;
    *len = size;
    return 0;
}

int ticket_pdf_render(const struct ticket_pdf_info *info, char **pdf, size_t *len)
{
    if (pdf)
        *pdf = NULL;
    if (len)
        *len = 0;
    if (!info || !pdf || !len || !info->seats || info->nseats == 0 ||
        info->nseats > TICKET_PDF_MAX_SEATS)
        return -1;
    for (size_t i = 0; i < info->nseats; i++)
        if (!info->seats[i].ticket_code || !info->seats[i].ticket_code[0])
            return -1;

    struct render r = {0};
    r.doc = HPDF_New(pdf_on_error, &r);
    if (!r.doc) {
        log_warn("ticket pdf: HPDF_New failed");
        return -1;
    }
    int rc = -1;
    HPDF_SetCompressionMode(r.doc, HPDF_COMP_ALL);
    r.regular = HPDF_GetFont(r.doc, "Helvetica", "WinAnsiEncoding");
    r.bold = HPDF_GetFont(r.doc, "Helvetica-Bold", "WinAnsiEncoding");
    r.mono = HPDF_GetFont(r.doc, "Courier", "WinAnsiEncoding");
    if (r.failed || !r.regular || !r.bold || !r.mono)
        goto out;

    char title[TEXT_MAX];
    ticket_pdf_winansi(info->event_name, title, sizeof title);
    HPDF_SetInfoAttr(r.doc, HPDF_INFO_TITLE, title);
    HPDF_SetInfoAttr(r.doc, HPDF_INFO_CREATOR, "ticket-app");

    for (size_t i = 0; i < info->nseats; i++)
        if (render_page(&r, info, i) != 0)
            goto out;
    if (read_out(&r, pdf, len) == 0)
        rc = 0;
out:
    if (rc != 0 && r.failed)
        log_warn("ticket pdf: libharu error error_no=0x%04X detail_no=%u", (unsigned)r.error_no,
                 (unsigned)r.detail_no);
    HPDF_Free(r.doc);
    return rc;
}
