/* poster.c: tells a PNG or a JPEG from anything else by its bytes, never by
 * a name or a declared Content-Type, so a poster is served only as what it
 * really is. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "webui.h"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* CRC-32 of PNG chunks (ISO 3309, reflected 0xEDB88320), bit by bit: a
 * poster is at most POSTER_MAX_BYTES, so a table buys nothing here. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc;
}

static int dims_ok(uint32_t w, uint32_t h)
{
    return w >= 1 && h >= 1 && w <= POSTER_MAX_DIM && h <= POSTER_MAX_DIM;
}

static int chunk_type_ok(const unsigned char *t)
{
    for (int i = 0; i < 4; i++)
        if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
            return 0;
    return 1;
}

static enum poster_kind sniff_png(const unsigned char *d, size_t len, unsigned *w, unsigned *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 || memcmp(d, sig, 8) != 0)
        return POSTER_INVALID;
    size_t pos = 8;
    int n = 0, idat = 0;
    while (len - pos >= 12) {
        uint32_t clen = be32(d + pos);
        const unsigned char *type = d + pos + 4;
        if (clen > len - pos - 12 || !chunk_type_ok(type))
            return POSTER_INVALID;
        const unsigned char *body = d + pos + 8;
        uint32_t crc = crc32_update(0xFFFFFFFFu, type, 4 + (size_t)clen) ^ 0xFFFFFFFFu;
        if (crc != be32(body + clen))
            return POSTER_INVALID;
        if (n == 0) {
            /* IHDR first: size, bit depth and colour type in the combinations
             * the PNG specification allows */
            if (memcmp(type, "IHDR", 4) != 0 || clen != 13)
                return POSTER_INVALID;
            uint32_t iw = be32(body), ih = be32(body + 4);
            unsigned depth = body[8], colour = body[9];
            int depth_ok = 0;
            switch (colour) {
            case 0:
                depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                break;
            case 3:
                depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
                break;
            case 2:
            case 4:
            case 6:
                depth_ok = depth == 8 || depth == 16;
                break;
            default:
                break;
            }
            if (!dims_ok(iw, ih) || !depth_ok || body[10] != 0 || body[11] != 0 || body[12] > 1)
                return POSTER_INVALID;
            *w = iw;
            *h = ih;
        } else if (memcmp(type, "IHDR", 4) == 0) {
            return POSTER_INVALID;
        }
        if (memcmp(type, "IDAT", 4) == 0)
            idat = 1;
        pos += 12 + (size_t)clen;
        n++;
        if (memcmp(type, "IEND", 4) == 0)
            /* nothing may follow the end: no HTML or script riding along */
            return pos == len && idat && clen == 0 ? POSTER_PNG : POSTER_INVALID;
    }
    return POSTER_INVALID; /* truncated: no IEND */
}

static enum poster_kind sniff_jpeg(const unsigned char *d, size_t len, unsigned *w, unsigned *h)
{
    if (len < 4 || d[0] != 0xFF || d[1] != 0xD8 || d[2] != 0xFF)
        return POSTER_INVALID;
    size_t pos = 2;
    int have_frame = 0;
    for (;;) {
        if (pos >= len || d[pos] != 0xFF)
            return POSTER_INVALID;
        while (pos < len && d[pos] == 0xFF) /* fill bytes */
            pos++;
        if (pos >= len)
            return POSTER_INVALID;
        unsigned m = d[pos++];
        if (m == 0x00 || m == 0xD8 || m == 0xD9)
            return POSTER_INVALID; /* no second start, no end before a scan */
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            continue; /* markers without a length */
        if (len - pos < 2)
            return POSTER_INVALID;
        unsigned slen = be16(d + pos);
        if (slen < 2 || slen > len - pos)
            return POSTER_INVALID;
        const unsigned char *seg = d + pos + 2;
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            /* a frame header: precision, height, width, components */
            if (slen < 8 || have_frame)
                return POSTER_INVALID;
            unsigned ph = be16(seg + 1), pw = be16(seg + 3), nc = seg[5];
            if (!dims_ok(pw, ph) || nc < 1 || nc > 4 || slen != 8 + 3 * nc)
                return POSTER_INVALID;
            if (seg[0] != 8 && seg[0] != 12 && seg[0] != 16)
                return POSTER_INVALID;
            *w = pw;
            *h = ph;
            have_frame = 1;
        }
        pos += slen;
        if (m == 0xDA)
            break; /* start of scan: entropy-coded data follows */
    }
    if (!have_frame)
        return POSTER_INVALID;
    /* the scan data must end with an end marker somewhere after it */
    for (size_t i = len - 1; i > pos; i--)
        if (d[i] == 0xD9 && d[i - 1] == 0xFF)
            return POSTER_JPEG;
    return POSTER_INVALID;
}

enum poster_kind poster_sniff(const unsigned char *data, size_t len, unsigned *w, unsigned *h)
{
    unsigned tw = 0, th = 0;
    enum poster_kind k = POSTER_INVALID;
    if (data && len >= 8) {
        k = sniff_png(data, len, &tw, &th);
        if (k == POSTER_INVALID)
            k = sniff_jpeg(data, len, &tw, &th);
    }
    if (w)
        *w = k == POSTER_INVALID ? 0 : tw;
    if (h)
        *h = k == POSTER_INVALID ? 0 : th;
    return k;
}

const char *poster_mime(enum poster_kind kind)
{
    switch (kind) {
    case POSTER_PNG:
        return "image/png";
    case POSTER_JPEG:
        return "image/jpeg";
    default:
        return NULL;
    }
}

void poster_url_set(json_t *event, const char *version)
{
    const char *id = json_string_value(json_object_get(event, "id"));
    if (!json_is_object(event))
        return;
    if (!id || !version || !*version) {
        json_object_set_new(event, "poster_url", json_null());
        return;
    }
    char url[160];
    snprintf(url, sizeof url, "/api/events/%.40s/poster?v=%.16s", id, version);
    json_object_set_new(event, "poster_url", json_string(url));
}
