/* test_webui.c: the pure parts of the web UI's server side: which asset
 * names can reach the file system, and poster content checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webui.h"
#include "webui_images.h"

static void test_asset_names(void **state)
{
    (void)state;
    assert_string_equal(static_asset_type("app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(static_asset_type("style.css"), "text/css; charset=utf-8");
    assert_string_equal(static_asset_type("icon.svg"), "image/svg+xml");
    assert_string_equal(static_asset_type("a_b-C9.png"), "image/png");
    const char *refused[] = {
        NULL, "", ".", "..", "../app.js", "..%2fapp.js", "a/../app.js", "sub/app.js", "..\\app.js",
        "app\\.js", ".htaccess", ".js", "app.", "app", "app.js.map", "app.min.js", "app.JS",
        "app.html", "app.exe", "app js.js", "app%00.js", "app.js ", "\xc3\xa9.js", "index.html",
        /* 65 name characters */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.js"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (static_asset_type(refused[i]) != NULL)
            fail_msg("accepted \"%s\"", refused[i] ? refused[i] : "(null)");
    }
    /* 64 is the longest name */
    assert_non_null(
        static_asset_type("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.js"));
    /* a NUL inside ends the name: what follows never reaches open() */
    assert_null(static_asset_type("app\0.js"));
}

static void test_png_reference(void **state)
{
    (void)state;
    unsigned w = 0, h = 0;
    assert_int_equal(poster_sniff(png_2x3, PNG_2X3_LEN, &w, &h), POSTER_PNG);
    assert_int_equal(w, 2);
    assert_int_equal(h, 3);
    assert_string_equal(poster_mime(POSTER_PNG), "image/png");
}

static void test_png_built(void **state)
{
    (void)state;
    unsigned char *buf = malloc(300000);
    unsigned w, h;
    size_t n = png_make(buf, 800, 450, 200000);
    assert_int_equal(poster_sniff(buf, n, &w, &h), POSTER_PNG);
    assert_int_equal(w, 800);
    assert_int_equal(h, 450);

    /* every truncation is refused */
    for (size_t cut = 1; cut < 60; cut++)
        assert_int_equal(poster_sniff(buf, n - cut, &w, &h), POSTER_INVALID);
    assert_int_equal(w, 0);
    assert_int_equal(h, 0);

    /* a flipped bit in the data breaks the CRC */
    buf[100] ^= 1;
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    buf[100] ^= 1;

    /* bytes after IEND (a page riding along) */
    memcpy(buf + n, "<html>", 6);
    assert_int_equal(poster_sniff(buf, n + 6, NULL, NULL), POSTER_INVALID);

    /* sizes: zero and over the cap */
    n = png_make(buf, 0, 10, 10);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    n = png_make(buf, 10, POSTER_MAX_DIM + 1, 10);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    n = png_make(buf, POSTER_MAX_DIM, POSTER_MAX_DIM, 10);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_PNG);

    /* no IDAT */
    unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};
    memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
    n = 8 + img_chunk(buf + 8, "IHDR", ihdr, 13);
    n += img_chunk(buf + n, "IEND", NULL, 0);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);

    /* a bad colour type / depth combination */
    ihdr[8] = 16;
    ihdr[9] = 3;
    n = 8 + img_chunk(buf + 8, "IHDR", ihdr, 13);
    n += img_chunk(buf + n, "IDAT", (const unsigned char *)"x", 1);
    n += img_chunk(buf + n, "IEND", NULL, 0);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    ihdr[8] = 8;
    n = 8 + img_chunk(buf + 8, "IHDR", ihdr, 13);
    n += img_chunk(buf + n, "IDAT", (const unsigned char *)"x", 1);
    n += img_chunk(buf + n, "IEND", NULL, 0);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_PNG);

    /* a chunk length pointing past the end */
    img_be32(buf + 33, 0x7FFFFFF0u);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    free(buf);
}

static void test_jpeg(void **state)
{
    (void)state;
    unsigned char *buf = malloc(300000);
    unsigned w, h;
    size_t n = jpeg_make(buf, 640, 360, 100000);
    assert_int_equal(poster_sniff(buf, n, &w, &h), POSTER_JPEG);
    assert_int_equal(w, 640);
    assert_int_equal(h, 360);
    assert_string_equal(poster_mime(POSTER_JPEG), "image/jpeg");

    /* without the end marker */
    assert_int_equal(poster_sniff(buf, n - 2, NULL, NULL), POSTER_INVALID);
    /* cut inside the headers */
    for (size_t cut = 3; cut < 44; cut++)
        assert_int_equal(poster_sniff(buf, cut, NULL, NULL), POSTER_INVALID);
    /* zero height (DNL) and too wide */
    n = jpeg_make(buf, 640, 0, 10);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    n = jpeg_make(buf, POSTER_MAX_DIM + 1, 10, 10);
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    /* a segment length past the end */
    n = jpeg_make(buf, 10, 10, 10);
    buf[4] = 0xFF;
    assert_int_equal(poster_sniff(buf, n, NULL, NULL), POSTER_INVALID);
    /* no frame header before the scan */
    n = jpeg_make(buf, 10, 10, 10);
    memmove(buf + 20, buf + 33, n - 33);
    assert_int_equal(poster_sniff(buf, n - 13, NULL, NULL), POSTER_INVALID);
    free(buf);
}

static void test_not_images(void **state)
{
    (void)state;
    const char *texts[] = {"",
                           "hello, this is not a picture\n",
                           "<svg onload=alert(1)>",
                           "GIF89a\x01\x00\x01\x00\x00\x00\x00;",
                           "\x89PNG\r\n\x1a\n",
                           "\xff\xd8\xff",
                           "\xff\xd8\xff\xd9\xff\xd9\xff\xd9",
                           "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        unsigned w = 7, h = 7;
        assert_int_equal(poster_sniff((const unsigned char *)texts[i], strlen(texts[i]), &w, &h),
                         POSTER_INVALID);
        assert_int_equal(w, 0);
        assert_int_equal(h, 0);
    }
    assert_int_equal(poster_sniff(NULL, 100, NULL, NULL), POSTER_INVALID);
    assert_null(poster_mime(POSTER_INVALID));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asset_names), cmocka_unit_test(test_png_reference),
        cmocka_unit_test(test_png_built),   cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_not_images),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
