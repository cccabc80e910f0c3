/* webui_images.h: small images for the poster tests: a PNG made by Python's
 * zlib (an outside reference for the CRCs), and builders of PNGs and JPEGs
 * of any size, with a table CRC written apart from poster.c's. */
#ifndef WEBUI_IMAGES_H
#define WEBUI_IMAGES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 2x3 RGB, red, from Python: zlib.crc32 and zlib.compress. */
static const unsigned char png_2x3[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00"
    "\x00\x03\x08\x02\x00\x00\x00\x36\x88\x49\xd6\x00\x00\x00\x10\x49\x44\x41\x54\x78\x9c\x63"
    "\xf8\xcf\xc0\x00\x44\x0c\x28\x14\x00\x44\xd0\x05\xfb\xa4\xcf\xde\x80\x00\x00\x00\x00\x49"
    "\x45\x4e\x44\xae\x42\x60\x82";
#define PNG_2X3_LEN (sizeof png_2x3 - 1)

static uint32_t img_crc(const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void img_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t img_chunk(unsigned char *out, const char *type, const unsigned char *data, size_t n)
{
    img_be32(out, (uint32_t)n);
    memcpy(out + 4, type, 4);
    if (n)
        memmove(out + 8, data, n);
    img_be32(out + 8 + n, img_crc(out + 4, 4 + n));
    return 12 + n;
}

/* A PNG of w x h (8-bit RGB) whose IDAT carries idat_len filler bytes
 * (the sniffer does not inflate). out needs idat_len + 64 bytes. */
static size_t png_make(unsigned char *out, uint32_t w, uint32_t h, size_t idat_len)
{
    unsigned char ihdr[13] = {0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0};
    img_be32(ihdr, w);
    img_be32(ihdr + 4, h);
    memcpy(out, "\x89PNG\r\n\x1a\n", 8);
    size_t n = 8;
    n += img_chunk(out + n, "IHDR", ihdr, 13);
    unsigned char *idat = out + n + 8;
    for (size_t i = 0; i < idat_len; i++)
        idat[i] = (unsigned char)(i * 7);
    n += img_chunk(out + n, "IDAT", idat, idat_len);
    n += img_chunk(out + n, "IEND", NULL, 0);
    return n;
}

/* A baseline JPEG's structure: SOI, APP0 JFIF, SOF0 w x h with one
 * component, SOS, scan_len bytes of "entropy data", EOI. out needs
 * scan_len + 64 bytes. */
static size_t jpeg_make(unsigned char *out, unsigned w, unsigned h, size_t scan_len)
{
    static const unsigned char head[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',
                                         'F',  'I',  'F',  0x00, 0x01, 0x01, 0x00,
                                         0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
    size_t n = sizeof head;
    memcpy(out, head, n);
    unsigned char sof[] = {0xFF,
                           0xC0,
                           0x00,
                           0x0B,
                           8,
                           (unsigned char)(h >> 8),
                           (unsigned char)h,
                           (unsigned char)(w >> 8),
                           (unsigned char)w,
                           1,
                           1,
                           0x11,
                           0};
    memcpy(out + n, sof, sizeof sof);
    n += sizeof sof;
    static const unsigned char sos[] = {0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0};
    memcpy(out + n, sos, sizeof sos);
    n += sizeof sos;
    for (size_t i = 0; i < scan_len; i++)
        out[n++] = (unsigned char)(i % 0xF0); /* never 0xFF */
    out[n++] = 0xFF;
    out[n++] = 0xD9;
    return n;
}

#endif
