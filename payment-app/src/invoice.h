/* invoice.h: pure invoice logic of payment-app: statuses and the transition
 * table, validation of requests, JSON mapping, webhook payloads, money
 * formatting. No I/O here, so all of it is unit-tested. */
#ifndef PAYMENT_INVOICE_H
#define PAYMENT_INVOICE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define INVOICE_NUMBER_LEN 16       /* "INV-" + 12 uppercase alphanumerics */
#define INVOICE_DESCRIPTION_MAX 500 /* characters (code points) */
#define INVOICE_EVENT_ID_LEN 36     /* "evt_" + 32 hex */

enum invoice_status {
    INVOICE_PENDING = 0,
    INVOICE_PROCESSING,
    INVOICE_PAID,
    INVOICE_FAILED,
    INVOICE_EXPIRED,
    INVOICE_VOID,
    INVOICE_REFUNDED,
    INVOICE_STATUS_COUNT
};

/* What can happen to an invoice. */
enum invoice_action {
    INVOICE_ACT_PAY = 0,       /* payer: PENDING -> PROCESSING */
    INVOICE_ACT_SETTLE_PAID,   /* worker: PROCESSING -> PAID */
    INVOICE_ACT_SETTLE_FAILED, /* worker: PROCESSING -> FAILED */
    INVOICE_ACT_EXPIRE,        /* sweeper: PENDING -> EXPIRED */
    INVOICE_ACT_VOID,          /* service: PENDING -> VOID */
    INVOICE_ACT_REFUND,        /* service: PAID -> REFUNDED */
    INVOICE_ACT_COUNT
};

/* An invoice as stored. Times are epoch milliseconds, 0 when NULL. */
struct invoice {
    char number[INVOICE_NUMBER_LEN + 1];
    char booking_id[37];
    long long amount;
    char currency[4];
    enum invoice_status status;
    char method[16];         /* "" when none chosen yet */
    char failure_reason[32]; /* "" unless FAILED */
    char *description;       /* owned; free with invoice_cleanup */
    int64_t created_ms, updated_ms, expires_ms, paid_ms;
};

void invoice_cleanup(struct invoice *inv);

/* "PENDING"...; static string. */
const char *invoice_status_name(enum invoice_status st);
/* 0 and *out set, or -1 for an unknown name. */
int invoice_status_parse(const char *s, enum invoice_status *out);
/* 1 for PAID, FAILED, EXPIRED, VOID, REFUNDED. */
int invoice_status_final(enum invoice_status st);

/* The transition table: 1 and *to set if action applies to an invoice in
 * status from, else 0. The database enforces the same with conditional
 * UPDATEs built from it (invoice_action_states). */
int invoice_transition(enum invoice_status from, enum invoice_action act, enum invoice_status *to);

/* The from- and to-status names of act, from the table (static strings):
 * the conditional UPDATEs of invoice_store.c take them as parameters, so
 * the table is what production enforces. 0, or -1 for an unknown act. */
int invoice_action_states(enum invoice_action act, const char **from, const char **to);

/* The answer when a conditional update of act found the invoice in status
 * cur instead (the change did not apply): the HTTP status (200/202 when the
 * request is an idempotent repeat, 409 otherwise) and, for 409, the error
 * code (static string) in *code. expired tells, for PAY on a PENDING
 * invoice, that its deadline has passed. */
int invoice_conflict_answer(enum invoice_action act, enum invoice_status cur, int expired,
                            const char **code);

/* 1 if s is "INV-" followed by 12 of [A-Z0-9]. */
int invoice_number_valid(const char *s);
/* A fresh random invoice number (libsodium) into out. */
void invoice_number_generate(char out[INVOICE_NUMBER_LEN + 1]);
/* Maps 12 random bytes to the number's alphabet; pure, for tests. */
void invoice_number_from_bytes(const unsigned char *bytes, size_t n,
                               char out[INVOICE_NUMBER_LEN + 1]);

/* 1 for "card", "bank_transfer", "ewallet". */
int invoice_method_valid(const char *m);

/* A validated create request; strings borrowed from the parsed body. */
struct invoice_create {
    const char *booking_id;
    long long amount;
    const char *currency;
    int64_t expires_ms;
    const char *description; /* "" when absent */
};

/* Validates a create body against now_ms, the maximum amount and the
 * longest allowed lifetime. Returns 0, or -1 with *details a new JSON object
 * {field: message} naming every bad field. */
int invoice_create_parse(const json_t *body, int64_t now_ms, long long max_amount,
                         int64_t max_ttl_ms, struct invoice_create *out, json_t **details);

/* The public Invoice JSON of API.md (plus "description" and "updated_at").
 * public_url is the base of payment_url. New reference. */
json_t *invoice_to_json(const struct invoice *inv, const char *public_url);

/* The webhook event type for the status an invoice reached ("invoice.paid",
 * ...), or NULL if that status sends none. Static string. */
const char *invoice_event_type(enum invoice_status st);
/* A fresh event id "evt_<32 hex>" into out. */
void invoice_event_id(char out[INVOICE_EVENT_ID_LEN + 1]);
/* The exact webhook body {"id","type","created_at","data":{"invoice"}}.
 * Returns malloc'ed compact JSON (caller frees). */
char *invoice_event_payload(const struct invoice *inv, const char *type, const char *event_id,
                            int64_t now_ms, const char *public_url);

/* A settlement failure reason for method, picked by r (any random value). */
const char *invoice_failure_reason(const char *method, uint64_t r);

/* Digits after the decimal point in the currency's smallest unit (ISO 4217;
 * IDR is treated as 0, as it is quoted in whole rupiah). */
int money_exponent(const char *currency);
/* "IDR 150,000" / "USD 12.50" into out (always NUL-terminated). */
void money_format(long long amount, const char *currency, char *out, size_t outlen);

#endif
