/* queue.h: the waiting room's pure logic (docs/waitroom.md): the queue
 * settings an admin sets on an event, the ticket's statuses and JSON, the
 * admission arithmetic, and the signed pass. No I/O: queue_store.c holds
 * the SQL, queue_handler.c the endpoints and the admission tick. */
#ifndef CLIENT_QUEUE_H
#define CLIENT_QUEUE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define QUEUE_RATE_MAX 1000000 /* admit_per_minute: 1..this */
#define QUEUE_TTL_MIN 10       /* pass_ttl_seconds: this..QUEUE_TTL_MAX */
#define QUEUE_TTL_MAX 86400
#define QUEUE_TTL_DEFAULT 600

/* An event's queue settings. */
struct queue_config {
    int enabled;
    long admit_per_minute;
    long pass_ttl_seconds;
};

/* Reads the "queue" member of an admin's event body into *cfg. base is the
 * stored setting a PATCH changes (NULL on create or when there is none):
 * members absent from the body keep base's values; without base, enabled
 * and admit_per_minute are required and pass_ttl_seconds defaults to
 * QUEUE_TTL_DEFAULT. Returns 1 when the body sets a queue, 0 when it has no
 * "queue" member, -1 with the reasons added to details (an object,
 * borrowed) under "queue.<field>". A null "queue" is -1 too: a queue is
 * turned off with enabled:false. */
int queue_config_parse(const json_t *body, const struct queue_config *base,
                       struct queue_config *cfg, json_t *details);
/* {enabled, admit_per_minute, pass_ttl_seconds} (new reference). */
json_t *queue_config_json(const struct queue_config *cfg);

/* A ticket's status as stored, and as shown (EXPIRED is an ADMITTED ticket
 * whose pass ran out: it is never stored). */
enum queue_status { QS_UNKNOWN = 0, QS_WAITING, QS_ADMITTED, QS_EXPIRED, QS_LEFT, QS_COUNT };
/* The status named s, QS_UNKNOWN for NULL or another string. */
enum queue_status queue_status_parse(const char *s);
/* "WAITING", ...; NULL for QS_UNKNOWN or out of range. Static. */
const char *queue_status_name(enum queue_status s);

/* What a ticket read gives (queue_store_ticket), times in ms since the
 * epoch as the database's clock says, -1 when absent. */
struct queue_ticket {
    char id[37];
    char event_id[37];
    char user_id[37];
    enum queue_status stored; /* WAITING, ADMITTED or LEFT */
    long long seq;            /* position number; -1 until numbered */
    long long admitted_upto;  /* the queue's */
    long long next_seq;       /* the queue's last number given */
    long admit_per_minute;
    int opened;              /* the queue's numbering began */
    int64_t sales_start_ms;  /* -1: open */
    int64_t pass_expires_ms; /* -1 until admitted */
    int64_t now_ms;
};

/* The status shown: EXPIRED for an ADMITTED ticket whose pass ran out. */
enum queue_status queue_ticket_status(const struct queue_ticket *t);
/* The ticket's place in line (1 = next) while WAITING, else 0; -1 while
 * unknown: before sales open (the order is drawn then). A ticket not
 * numbered yet (joined since the last tick) is placed behind every
 * numbered one. */
long long queue_ticket_position(const struct queue_ticket *t);
/* Seconds until admission at the queue's rate (0 once admitted; -1 when
 * not waiting); before sales open, the time until they do. */
long long queue_ticket_wait_s(const struct queue_ticket *t);

/* The QueueTicket JSON (new reference): pass (the signed pass, borrowed,
 * may be NULL) and pass_expires_at are given only while ADMITTED. */
json_t *queue_ticket_json(const struct queue_ticket *t, const char *pass);

/* The admission arithmetic. One admission falls due every
 * 60e6 / admit_per_minute microseconds after the queue's clock, which moves
 * one step per admission: a step of the queue that comes late (a busy
 * machine) admits what fell due meanwhile, so the rate holds on average.
 * When the line runs dry the clock is set to now (queue_clock_after; an
 * idle queue is stepped about once a second for it), so at most a second
 * of credit builds up while nobody waits; and a clock left behind anyway
 * (the queue was off, or no instance ran) counts at most QUEUE_BURST_US
 * (or two steps, if longer). */
#define QUEUE_BURST_US 10000000LL
/* The step between two admissions at rate per minute (>= 1), in us. */
int64_t queue_step_us(long per_minute);
/* How many admissions are due at now_us for a clock at clock_us; *from_us
 * receives the clock the count starts from (clock_us, or later when the
 * unused credit was capped). After admitting n (<= the count), the new
 * clock is *from_us + n * queue_step_us(per_minute). */
long long queue_admit_due(int64_t now_us, int64_t clock_us, long per_minute, int64_t *from_us);
/* The clock after a step that was due `due` admissions counted from
 * from_us and made `admitted` of them: from_us + admitted steps, or now_us
 * when it made fewer (nobody else was waiting). The admission statement
 * (queue_store.c) computes the same in SQL, since only it knows how many
 * it admitted. */
int64_t queue_clock_after(int64_t from_us, long long due, long long admitted, long per_minute,
                          int64_t now_us);

/* The pass: "qp1.<ticket>.<event>.<user>.<expires unix s>.<hex HMAC>",
 * HMAC-SHA256 of everything before the last dot under the pass secret. */
#define QUEUE_PASS_MAX 256
/* Writes the pass of ticket (ids lowercase UUIDs) into out. 0, -1 if out
 * is too small. */
int queue_pass_sign(const char *secret, const char *ticket_id, const char *event_id,
                    const char *user_id, int64_t expires_s, char *out, size_t outlen);

/* Why a pass was refused (the details.reason of 403 QUEUE_PASS_REQUIRED). */
enum queue_pass_check {
    QP_OK = 0,
    QP_MISSING,     /* no X-Queue-Pass */
    QP_FORGED,      /* not a pass, or its signature does not match */
    QP_WRONG_EVENT, /* a genuine pass for another event */
    QP_WRONG_USER,  /* a genuine pass of another user */
    QP_EXPIRED,     /* a genuine pass whose time ran out */
};
const char *queue_pass_check_name(enum queue_pass_check c);
/* Checks pass (NULL = missing) for user_id booking at event_id at now_s:
 * the signature first (constant time), then event, user, expiry. On QP_OK
 * the ticket id goes to ticket_id. */
enum queue_pass_check queue_pass_verify(const char *secret, const char *pass, const char *user_id,
                                        const char *event_id, int64_t now_s, char ticket_id[37]);

#endif
