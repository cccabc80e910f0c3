/* test_ticket_pdf.c: unit tests of ticket_pdf.c (text conversion, money and
 * time formatting, rendering, page count, hostile text, threads), and with
 * the argument "qr" the scan test: render, rasterise with pdftoppm, decode
 * every page's QR code with zbarimg and verify the ticket codes (exit 77
 * when poppler-utils or zbar-tools are not installed). */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ticket_code.h"
#include "ticket_pdf.h"

#define SECRET "pdf-test-secret"
#define BOOKING "0b6f1a52-7c1e-4a43-9f0e-5b3d2a1c9e77"

/* ---- helpers ------------------------------------------------------------ */

struct fixture {
    struct ticket_pdf_seat seats[TICKET_PDF_MAX_SEATS + 1];
    char codes[TICKET_PDF_MAX_SEATS + 1][TICKET_CODE_LEN + 1];
    char labels[TICKET_PDF_MAX_SEATS + 1][16];
    struct ticket_pdf_info info;
};

static void fixture_fill(struct fixture *f, size_t nseats, const char *holder)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < nseats; i++) {
        char seat[48];
        snprintf(seat, sizeof seat, "f47ac10b-58cc-4372-a567-%012x", (unsigned)(i + 1));
        assert_int_equal(ticket_code_make(SECRET, BOOKING, seat, f->codes[i], sizeof f->codes[i]),
                         0);
        snprintf(f->labels[i], sizeof f->labels[i], "B-%u", (unsigned)(i + 1) % 1000);
        f->seats[i] = (struct ticket_pdf_seat){.label = f->labels[i],
                                               .section = "Festival (Standing)",
                                               .price = 1500000,
                                               .ticket_code = f->codes[i]};
    }
    f->info = (struct ticket_pdf_info){.event_name = "Jakarta Jazz Night",
                                       .venue = "Istora Senayan, Jakarta",
                                       .starts_at = "2026-11-21T19:30:00.000Z",
                                       .holder = holder,
                                       .booking_id = BOOKING,
                                       .currency = "IDR",
                                       .amount = 1500000L * (long)nseats,
                                       .seats = f->seats,
                                       .nseats = nseats};
}

/* Occurrences of needle in the n bytes at hay. */
static int count_in(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    int c = 0;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            c++;
    return c;
}

/* Pages: page objects are never compressed by libharu ("/Type /Page" but
 * not "/Type /Pages"). */
static int count_pages(const char *pdf, size_t len)
{
    return count_in(pdf, len, "/Type /Page") - count_in(pdf, len, "/Type /Pages");
}

static void assert_is_pdf(const char *pdf, size_t len)
{
    assert_non_null(pdf);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    assert_true(count_in(pdf + len - 16, 16, "%%EOF") == 1);
}

/* ---- text, money, time ---------------------------------------------------- */

static void test_winansi(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ticket_pdf_winansi("Plain ASCII (1)", out, sizeof out), 15);
    assert_string_equal(out, "Plain ASCII (1)");
    ticket_pdf_winansi("Jos\xc3\xa9 M\xc3\xbcller", out, sizeof out); /* José Müller */
    assert_string_equal(out, "Jos\xe9 M\xfcller");
    ticket_pdf_winansi("\xe2\x82\xac 5 \xe2\x80\x93 \xe2\x80\x9cok\xe2\x80\x9d", out, sizeof out);
    assert_string_equal(out, "\x80 5 \x96 \x93ok\x94");
    ticket_pdf_winansi("\xe5\xb1\xb1\xe7\x94\xb0", out, sizeof out); /* 山田 */
    assert_string_equal(out, "??");
    ticket_pdf_winansi("\xf0\x9f\x8e\xab!", out, sizeof out); /* emoji */
    assert_string_equal(out, "?!");
    ticket_pdf_winansi("a\xff\xfe.", out, sizeof out); /* invalid bytes */
    assert_string_equal(out, "a??.");
    ticket_pdf_winansi("a\xe2\x82", out, sizeof out); /* truncated at the end */
    assert_string_equal(out, "a?");
    ticket_pdf_winansi("a\xe2-bc", out, sizeof out); /* broken in the middle */
    assert_string_equal(out, "a?-bc");
    ticket_pdf_winansi("\xc0\xaf\xed\xa0\x80", out, sizeof out); /* overlong, surrogate */
    assert_string_equal(out, "??");
    ticket_pdf_winansi("\xf4\x90\x80\x80", out, sizeof out); /* past U+10FFFF */
    assert_string_equal(out, "?");
    ticket_pdf_winansi("tab\there\nnew\x01\x7f", out, sizeof out);
    assert_string_equal(out, "tab here new??");
    ticket_pdf_winansi("\xc2\x81", out, sizeof out); /* a C1 control */
    assert_string_equal(out, "?");
    assert_int_equal(ticket_pdf_winansi(NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(ticket_pdf_winansi("abcdef", out, 4), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(ticket_pdf_winansi("abc", out, 1), 0);
    assert_string_equal(out, "");
    assert_int_equal(ticket_pdf_winansi("abc", NULL, 10), 0);
}

static void test_money(void **state)
{
    (void)state;
    char out[64];
    ticket_pdf_format_money(1500000, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR 1,500,000");
    ticket_pdf_format_money(0, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR 0");
    ticket_pdf_format_money(999, "idr", out, sizeof out);
    assert_string_equal(out, "IDR 999");
    ticket_pdf_format_money(1000, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR 1,000");
    ticket_pdf_format_money(1250, "USD", out, sizeof out);
    assert_string_equal(out, "USD 12.50");
    ticket_pdf_format_money(123456789, "EUR", out, sizeof out);
    assert_string_equal(out, "EUR 1,234,567.89");
    ticket_pdf_format_money(-5, "USD", out, sizeof out);
    assert_string_equal(out, "USD -0.05");
    ticket_pdf_format_money(LONG_MIN, "IDR", out, sizeof out);
    assert_string_equal(out, "IDR -9,223,372,036,854,775,808");
    ticket_pdf_format_money(7, NULL, out, sizeof out);
    assert_string_equal(out, "0.07");
    ticket_pdf_format_money(1500000, "IDR", out, 6);
    assert_string_equal(out, "IDR 1");
}

static void test_time(void **state)
{
    (void)state;
    char out[64];
    ticket_pdf_format_time("2026-11-21T19:30:00.000Z", out, sizeof out);
    assert_string_equal(out, "Sat 21 Nov 2026, 19:30 UTC");
    ticket_pdf_format_time("2027-01-04T02:05:00+07:00", out, sizeof out);
    assert_string_equal(out, "Sun 3 Jan 2027, 19:05 UTC");
    ticket_pdf_format_time("tomorrow evening", out, sizeof out);
    assert_string_equal(out, "tomorrow evening");
    ticket_pdf_format_time(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

/* ---- rendering ------------------------------------------------------------ */

static void test_render_one(void **state)
{
    (void)state;
    struct fixture *f = malloc(sizeof *f);
    fixture_fill(f, 1, "Budi Santoso");
    char *pdf = NULL;
    size_t len = 0;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), 0);
    assert_is_pdf(pdf, len);
    assert_int_equal(count_pages(pdf, len), 1);
    free(pdf);
    free(f);
}

static void test_ten_seats_ten_pages(void **state)
{
    (void)state;
    struct fixture *f = malloc(sizeof *f);
    fixture_fill(f, 10, "Siti Rahayu");
    char *pdf = NULL;
    size_t len = 0;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), 0);
    assert_is_pdf(pdf, len);
    assert_int_equal(count_pages(pdf, len), 10);
    assert_int_equal(count_in(pdf, len, "/Count 10"), 1);
    free(pdf);
    free(f);
}

static void test_hostile_text_does_not_crash(void **state)
{
    (void)state;
    static const char *const holders[] = {
        "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e",          /* 山田太郎 */
        "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a", /* Arabic */
        "\xf0\x9f\x8e\xab\xf0\x9f\x8e\xb6 Fan",                      /* emoji */
        "\xff\xfe\xfd invalid \xc0\xaf",                             /* not UTF-8 */
        "(parens) \\backslash\\ %percent <angle> ) (",
        "",
        NULL,
    };
    struct fixture *f = malloc(sizeof *f);
    for (size_t i = 0; i < sizeof holders / sizeof holders[0]; i++) {
        fixture_fill(f, 2, holders[i]);
        f->info.event_name = holders[i];
        f->info.venue = holders[i];
        f->seats[0].section = holders[i];
        f->seats[1].label = holders[i];
        char *pdf = NULL;
        size_t len = 0;
        assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), 0);
        assert_is_pdf(pdf, len);
        assert_int_equal(count_pages(pdf, len), 2);
        free(pdf);
    }
    /* Very long texts are shortened, not overflowed. */
    size_t n = 100000;
    char *longname = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        longname[i] = (i % 7 == 6) ? ' ' : (char)('A' + i % 26);
    longname[n] = '\0';
    fixture_fill(f, 1, longname);
    f->info.event_name = longname;
    f->info.starts_at = longname;
    f->info.booking_id = longname;
    char *pdf = NULL;
    size_t len = 0;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), 0);
    assert_is_pdf(pdf, len);
    free(pdf);
    free(longname);
    free(f);
}

static void test_render_rejects(void **state)
{
    (void)state;
    struct fixture *f = malloc(sizeof *f);
    fixture_fill(f, 2, "X");
    char *pdf = (char *)1;
    size_t len = 99;
    assert_int_equal(ticket_pdf_render(NULL, &pdf, &len), -1);
    assert_null(pdf);
    assert_int_equal(len, 0);
    assert_int_equal(ticket_pdf_render(&f->info, NULL, &len), -1);
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, NULL), -1);

    f->info.nseats = 0;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), -1);
    f->info.nseats = TICKET_PDF_MAX_SEATS + 1;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), -1);
    f->info.nseats = 2;
    f->seats[1].ticket_code = NULL;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), -1);
    f->seats[1].ticket_code = "";
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), -1);
    f->info.seats = NULL;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), -1);
    assert_null(pdf);

    /* A code too long for any QR symbol fails on the second page, after
     * libharu built the first: the document is freed (the ASan build checks
     * for leaks) and the caller gets -1. */
    size_t n = 8000;
    char *toolong = malloc(n + 1);
    memset(toolong, 'x', n);
    toolong[n] = '\0';
    f->info.seats = f->seats;
    f->seats[1].ticket_code = toolong;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), -1);
    assert_null(pdf);
    assert_int_equal(len, 0);
    free(toolong);
    free(f);
}

static void *render_many(void *arg)
{
    (void)arg;
    struct fixture *f = malloc(sizeof *f);
    fixture_fill(f, 3, "Thread Holder");
    long ok = 0;
    for (int i = 0; i < 5; i++) {
        char *pdf = NULL;
        size_t len = 0;
        if (ticket_pdf_render(&f->info, &pdf, &len) == 0 && len > 5 &&
            memcmp(pdf, "%PDF-", 5) == 0 && count_pages(pdf, len) == 3)
            ok++;
        free(pdf);
    }
    free(f);
    return (void *)ok;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, render_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        assert_int_equal((long)ok, 5);
    }
}

/* ---- the scan test ---------------------------------------------------------- */

static int have_tool(const char *name)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static void test_qr_scans(void **state)
{
    (void)state;
    char dir[] = "/tmp/ticket_pdf_qrXXXXXX";
    assert_non_null(mkdtemp(dir));
    struct fixture *f = malloc(sizeof *f);
    /* Three pages; a holder libharu's fonts cannot show, to scan the page
     * the replacement characters are drawn on too. */
    fixture_fill(f, 3, "\xe5\xb1\xb1\xe7\x94\xb0 Taro");
    char *pdf = NULL;
    size_t len = 0;
    assert_int_equal(ticket_pdf_render(&f->info, &pdf, &len), 0);

    char path[256], cmd[768];
    snprintf(path, sizeof path, "%s/t.pdf", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(pdf, 1, len, fp), len);
    fclose(fp);
    free(pdf);

    snprintf(cmd, sizeof cmd, "pdftoppm -r 150 -png '%s/t.pdf' '%s/page'", dir, dir);
    assert_int_equal(system(cmd), 0);
    for (size_t i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s/page-%zu.png'", dir, i + 1);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char got[512] = "";
        size_t n = fread(got, 1, sizeof got - 1, p);
        got[n] = '\0';
        int st = pclose(p);
        while (n > 0 && (got[n - 1] == '\n' || got[n - 1] == '\r'))
            got[--n] = '\0';
        printf("page %zu: zbarimg exit %d, decoded %s\n", i + 1, st, got);
        assert_int_equal(st, 0);
        assert_string_equal(got, f->codes[i]);
        char b[37], s[37];
        assert_int_equal(ticket_code_parse_verify(SECRET, got, b, s), 0);
        assert_string_equal(b, BOOKING);
        snprintf(path, sizeof path, "%s/page-%zu.png", dir, i + 1);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/t.pdf", dir);
    unlink(path);
    rmdir(dir);
    free(f);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "qr") == 0) {
        if (!have_tool("pdftoppm") || !have_tool("zbarimg")) {
            fprintf(stderr, "skipped: pdftoppm (poppler-utils) or zbarimg (zbar-tools) missing\n");
            return 77;
        }
        const struct CMUnitTest qr[] = {cmocka_unit_test(test_qr_scans)};
        return cmocka_run_group_tests_name("ticket_pdf_qr", qr, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_winansi),
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_render_one),
        cmocka_unit_test(test_ten_seats_ten_pages),
        cmocka_unit_test(test_hostile_text_does_not_crash),
        cmocka_unit_test(test_render_rejects),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("ticket_pdf", tests, NULL, NULL);
}
