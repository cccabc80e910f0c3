/* csv.c: RFC 4180 writing (csv.h). */
#include "csv.h"

#include <string.h>

void csv_field(struct sbuf *b, const char *v, int last)
{
    v = v ? v : "";
    int formula = v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@';
    if (strpbrk(v, ",\"\r\n") || formula) {
        sbuf_puts(b, formula ? "\"'" : "\"");
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                sbuf_add(b, "\"", 1);
            sbuf_add(b, p, 1);
        }
        sbuf_puts(b, "\"");
    } else {
        sbuf_puts(b, v);
    }
    sbuf_puts(b, last ? "\r\n" : ",");
}

char *csv_attendees(const json_t *doc, size_t *len)
{
    struct sbuf b;
    sbuf_init(&b);
    static const char *const head[] = {"seat",   "section",      "attendee", "id_number",
                                       "holder", "booking_code", "status",   "checked_in_at"};
    for (size_t i = 0; i < 8; i++)
        csv_field(&b, head[i], i == 7);
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        const json_t *seat = json_object_get(it, "seat"), *att = json_object_get(it, "attendee");
        csv_field(&b, json_str(seat, "label"), 0);
        csv_field(&b, json_str(seat, "section"), 0);
        csv_field(&b, json_str(att, "name"), 0);
        csv_field(&b, json_str(att, "id_number"), 0);
        csv_field(&b, json_str(it, "holder"), 0);
        csv_field(&b, json_str(it, "booking_code"), 0);
        csv_field(&b, json_str(it, "status"), 0);
        csv_field(&b, json_str(it, "checked_in_at"), 1);
    }
    return sbuf_steal(&b, len);
}
