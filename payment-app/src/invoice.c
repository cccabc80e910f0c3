/* invoice.c: pure invoice logic (see invoice.h): statuses, transitions,
 * validation, JSON mapping, webhook payloads, money formatting. */
#include "invoice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rand.h"
#include "common/util.h"

static const char *const status_names[INVOICE_STATUS_COUNT] = {
    [INVOICE_PENDING] = "PENDING",   [INVOICE_PROCESSING] = "PROCESSING", [INVOICE_PAID] = "PAID",
    [INVOICE_FAILED] = "FAILED",     [INVOICE_EXPIRED] = "EXPIRED",       [INVOICE_VOID] = "VOID",
    [INVOICE_REFUNDED] = "REFUNDED",
};

void invoice_cleanup(struct invoice *inv)
{
    if (!inv)
        return;
    free(inv->description);
    inv->description = NULL;
}

const char *invoice_status_name(enum invoice_status st)
{
    if ((int)st < 0 || st >= INVOICE_STATUS_COUNT)
        return "UNKNOWN";
    return status_names[st];
}

int invoice_status_parse(const char *s, enum invoice_status *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < INVOICE_STATUS_COUNT; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum invoice_status)i;
            return 0;
        }
    }
    return -1;
}

int invoice_status_final(enum invoice_status st)
{
    return st != INVOICE_PENDING && st != INVOICE_PROCESSING;
}

/* from-status and resulting status of each action; every other pair is
 * refused. */
static const struct {
    enum invoice_status from, to;
} transitions[INVOICE_ACT_COUNT] = {
    [INVOICE_ACT_PAY] = {INVOICE_PENDING, INVOICE_PROCESSING},
    [INVOICE_ACT_SETTLE_PAID] = {INVOICE_PROCESSING, INVOICE_PAID},
    [INVOICE_ACT_SETTLE_FAILED] = {INVOICE_PROCESSING, INVOICE_FAILED},
    [INVOICE_ACT_EXPIRE] = {INVOICE_PENDING, INVOICE_EXPIRED},
    [INVOICE_ACT_VOID] = {INVOICE_PENDING, INVOICE_VOID},
    [INVOICE_ACT_REFUND] = {INVOICE_PAID, INVOICE_REFUNDED},
};

int invoice_transition(enum invoice_status from, enum invoice_action act, enum invoice_status *to)
{
    if ((int)act < 0 || act >= INVOICE_ACT_COUNT || transitions[act].from != from)
        return 0;
    if (to)
        *to = transitions[act].to;
    return 1;
}

int invoice_action_states(enum invoice_action act, const char **from, const char **to)
{
    if ((int)act < 0 || act >= INVOICE_ACT_COUNT)
        return -1;
    *from = invoice_status_name(transitions[act].from);
    *to = invoice_status_name(transitions[act].to);
    return 0;
}

int invoice_conflict_answer(enum invoice_action act, enum invoice_status cur, int expired,
                            const char **code)
{
    *code = NULL;
    switch (act) {
    case INVOICE_ACT_PAY:
        /* Paying again while the first payment is settling is a repeat. */
        if (cur == INVOICE_PROCESSING)
            return 202;
        if (cur == INVOICE_EXPIRED || (cur == INVOICE_PENDING && expired)) {
            *code = "INVOICE_EXPIRED";
            return 409;
        }
        if (cur == INVOICE_PENDING) {
            /* Not expired and still pending: only a lost race; let the
             * caller retry. */
            *code = "CONFLICT";
            return 409;
        }
        *code = "INVOICE_FINAL";
        return 409;
    case INVOICE_ACT_VOID:
        if (cur == INVOICE_VOID)
            return 200;
        *code = "INVOICE_NOT_PENDING";
        return 409;
    case INVOICE_ACT_REFUND:
        if (cur == INVOICE_REFUNDED)
            return 200;
        *code = "INVOICE_NOT_PAID";
        return 409;
    default:
        *code = "CONFLICT";
        return 409;
    }
}

int invoice_number_valid(const char *s)
{
    if (!s || strncmp(s, "INV-", 4) != 0 || strlen(s) != INVOICE_NUMBER_LEN)
        return 0;
    for (const char *p = s + 4; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return 0;
    }
    return 1;
}

static const char number_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

void invoice_number_from_bytes(const unsigned char *bytes, size_t n,
                               char out[INVOICE_NUMBER_LEN + 1])
{
    memcpy(out, "INV-", 4);
    /* Bytes >= 252 (7 * 36) are skipped so every character is equally
     * likely; the caller passes enough bytes that 12 remain in practice,
     * and a short tail falls back to the modulo. */
    size_t o = 4, i = 0;
    while (o < INVOICE_NUMBER_LEN && i < n) {
        unsigned char b = bytes[i++];
        if (b < 252 || n - i < (size_t)(INVOICE_NUMBER_LEN - o))
            out[o++] = number_alphabet[b % 36];
    }
    while (o < INVOICE_NUMBER_LEN)
        out[o++] = 'X'; /* only if n < 12: never with invoice_number_generate */
    out[INVOICE_NUMBER_LEN] = '\0';
}

void invoice_number_generate(char out[INVOICE_NUMBER_LEN + 1])
{
    char hex[2 * 32 + 1];
    unsigned char bytes[32];
    rand_hex(hex, sizeof bytes);
    for (size_t i = 0; i < sizeof bytes; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        bytes[i] = (unsigned char)v;
    }
    invoice_number_from_bytes(bytes, sizeof bytes, out);
}

int invoice_method_valid(const char *m)
{
    return m &&
           (strcmp(m, "card") == 0 || strcmp(m, "bank_transfer") == 0 || strcmp(m, "ewallet") == 0);
}

static int currency_valid(const char *c)
{
    if (!c || strlen(c) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            return 0;
    return 1;
}

int invoice_create_parse(const json_t *body, int64_t now_ms, long long max_amount,
                         int64_t max_ttl_ms, struct invoice_create *out, json_t **details)
{
    json_t *bad = json_object();
    memset(out, 0, sizeof *out);

    const json_t *v = json_object_get(body, "booking_id");
    if (!json_is_string(v) || !uuid_valid(json_string_value(v)))
        json_object_set_new(bad, "booking_id", json_string("required, a UUID"));
    else
        out->booking_id = json_string_value(v);

    v = json_object_get(body, "amount");
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > (json_int_t)max_amount) {
        char msg[96];
        snprintf(msg, sizeof msg, "required, an integer from 1 to %lld", max_amount);
        json_object_set_new(bad, "amount", json_string(msg));
    } else {
        out->amount = (long long)json_integer_value(v);
    }

    v = json_object_get(body, "currency");
    if (!json_is_string(v) || !currency_valid(json_string_value(v)))
        json_object_set_new(bad, "currency",
                            json_string("required, 3 uppercase letters (ISO 4217)"));
    else
        out->currency = json_string_value(v);

    v = json_object_get(body, "expires_at");
    int64_t exp = 0;
    if (!json_is_string(v) || json_string_length(v) > 64 ||
        time_parse_rfc3339(json_string_value(v), &exp) != 0) {
        json_object_set_new(bad, "expires_at", json_string("required, an RFC 3339 time"));
    } else if (exp <= now_ms) {
        json_object_set_new(bad, "expires_at", json_string("must be in the future"));
    } else if (exp - now_ms > max_ttl_ms) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be at most %lld seconds ahead",
                 (long long)(max_ttl_ms / 1000));
        json_object_set_new(bad, "expires_at", json_string(msg));
    } else {
        out->expires_ms = exp;
    }

    v = json_object_get(body, "description");
    out->description = "";
    if (v && !json_is_null(v)) {
        const char *d = json_string_value(v);
        if (!json_is_string(v) || !utf8_valid(d, json_string_length(v)) ||
            utf8_chars(d) > INVOICE_DESCRIPTION_MAX)
            json_object_set_new(bad, "description",
                                json_string("a UTF-8 string of at most 500 characters"));
        else
            out->description = d;
    }

    if (json_object_size(bad) > 0) {
        *details = bad;
        return -1;
    }
    json_decref(bad);
    *details = NULL;
    return 0;
}

static json_t *time_or_null(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char buf[40];
    time_rfc3339(ms, buf, sizeof buf);
    return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *invoice_to_json(const struct invoice *inv, const char *public_url)
{
    struct sbuf url;
    sbuf_init(&url);
    sbuf_puts(&url, public_url);
    sbuf_puts(&url, "/pay/");
    sbuf_puts(&url, inv->number);

    json_t *o = json_object();
    json_object_set_new(o, "invoice_number", json_string(inv->number));
    json_object_set_new(o, "booking_id", json_string(inv->booking_id));
    json_object_set_new(o, "amount", json_integer((json_int_t)inv->amount));
    json_object_set_new(o, "currency", json_string(inv->currency));
    json_object_set_new(o, "status", json_string(invoice_status_name(inv->status)));
    json_object_set_new(o, "method", str_or_null(inv->method));
    json_object_set_new(o, "payment_url", json_string(url.buf));
    json_object_set_new(o, "failure_reason", str_or_null(inv->failure_reason));
    json_object_set_new(o, "created_at", time_or_null(inv->created_ms));
    json_object_set_new(o, "expires_at", time_or_null(inv->expires_ms));
    json_object_set_new(o, "paid_at", time_or_null(inv->paid_ms));
    json_object_set_new(o, "description", json_string(inv->description ? inv->description : ""));
    json_object_set_new(o, "updated_at", time_or_null(inv->updated_ms));
    sbuf_cleanup(&url);
    return o;
}

const char *invoice_event_type(enum invoice_status st)
{
    switch (st) {
    case INVOICE_PAID:
        return "invoice.paid";
    case INVOICE_FAILED:
        return "invoice.failed";
    case INVOICE_EXPIRED:
        return "invoice.expired";
    case INVOICE_REFUNDED:
        return "invoice.refunded";
    default:
        return NULL;
    }
}

void invoice_event_id(char out[INVOICE_EVENT_ID_LEN + 1])
{
    memcpy(out, "evt_", 4);
    rand_hex(out + 4, 16);
}

char *invoice_event_payload(const struct invoice *inv, const char *type, const char *event_id,
                            int64_t now_ms, const char *public_url)
{
    json_t *ev = json_object();
    json_object_set_new(ev, "id", json_string(event_id));
    json_object_set_new(ev, "type", json_string(type));
    json_object_set_new(ev, "created_at", time_or_null(now_ms));
    json_t *data = json_object();
    json_object_set_new(data, "invoice", invoice_to_json(inv, public_url));
    json_object_set_new(ev, "data", data);
    char *text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(ev);
    if (!text)
        abort(); /* only on out-of-memory, as xmalloc */
    return text;
}

const char *invoice_failure_reason(const char *method, uint64_t r)
{
    static const char *const card[] = {"CARD_DECLINED", "INSUFFICIENT_FUNDS", "CARD_EXPIRED"};
    static const char *const bank[] = {"BANK_REJECTED", "INSUFFICIENT_FUNDS"};
    static const char *const wallet[] = {"WALLET_DECLINED", "INSUFFICIENT_FUNDS"};
    if (method && strcmp(method, "bank_transfer") == 0)
        return bank[r % 2];
    if (method && strcmp(method, "ewallet") == 0)
        return wallet[r % 2];
    return card[r % 3];
}

int money_exponent(const char *currency)
{
    static const char *const zero[] = {"BIF", "CLP", "DJF", "GNF", "IDR", "ISK",
                                       "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                                       "VND", "VUV", "XAF", "XOF", "XPF"};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(currency, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(currency, three[i]) == 0)
            return 3;
    return 2;
}

void money_format(long long amount, const char *currency, char *out, size_t outlen)
{
    int exp = money_exponent(currency);
    unsigned long long a =
        amount < 0 ? 0ULL - (unsigned long long)amount : (unsigned long long)amount;
    unsigned long long div = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
    unsigned long long whole = a / div, frac = a % div;

    /* Whole part with thousands separators, written backwards. */
    char digits[40];
    int n = 0, group = 0;
    do {
        if (group == 3) {
            digits[n++] = ',';
            group = 0;
        }
        digits[n++] = (char)('0' + whole % 10);
        whole /= 10;
        group++;
    } while (whole > 0);

    char whole_txt[40];
    for (int i = 0; i < n; i++)
        whole_txt[i] = digits[n - 1 - i];
    whole_txt[n] = '\0';

    if (exp == 0)
        snprintf(out, outlen, "%s %s%s", currency, amount < 0 ? "-" : "", whole_txt);
    else
        snprintf(out, outlen, "%s %s%s.%0*llu", currency, amount < 0 ? "-" : "", whole_txt, exp,
                 frac);
}
