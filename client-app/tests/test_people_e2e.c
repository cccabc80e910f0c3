/* test_people_e2e.c: the people around a sale, through client-app with the
 * real ticket-app and payment-app: the staff role (the gate and nothing
 * else), the gate (ADMITTED, ALREADY_CHECKED_IN, WRONG_EVENT naming the
 * ticket's event, a cancelled booking's ticket refused with reason
 * CANCELLED, the check-in list with counts), and the inbox of a whole
 * booking life (hold.expiring, confirmed, failed, expired, a waitlist
 * offer, refunded) e-mailed to a real SMTP server (aiosmtpd,
 * tests/smtp/smtp_sink.py) that refuses the first messages and is
 * restarted meanwhile: one mail per entry, the ticket PDF attached to
 * booking.confirmed and read back. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "client_testlib.h"
#include "test_suite.h"

#define ADMIN_TOKEN TS_ADMIN_TOKEN
#define CODE_SECRET "e2e-code-secret" /* test_suite's TICKET_CODE_SECRET */
#define ADMIN_PW TS_ADMIN_PASSWORD
#define PW "people-password"

static char smtp_env[64];
static const char *const people_client_env[] = {"TICKET_ADMIN_TOKEN=" TS_ADMIN_TOKEN,
                                                smtp_env,
                                                "MAIL_FROM=Ticketing Test <tickets@people.test>",
                                                "MAIL_RETRY_BASE_MS=200",
                                                "MAIL_RETRY_MAX_MS=1000",
                                                "INBOX_INTERVAL_MS=300",
                                                NULL};
static const char *const people_ticket_env[] = {"HOLD_TTL_SECONDS=5", "SWEEP_INTERVAL_MS=200",
                                                NULL};

static struct test_suite suite;
static const char *C, *T, *P; /* base URLs */
static char admin_token[65];

static int smtp_port;
static pid_t smtp_pid;
static char maildir[256];

/* The SMTP sink on smtp_port, refusing the first `refuse` messages; waits
 * until it accepts connections. */
static int smtp_start(int refuse)
{
    char r[16];
    snprintf(r, sizeof r, "%d", refuse);
    char port[16];
    snprintf(port, sizeof port, "%d", smtp_port);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl("/usr/bin/python3", "python3", SMTP_DIR "/smtp_sink.py", "--port", port, "--maildir",
              maildir, "--refuse", r, (char *)NULL);
        _exit(127);
    }
    smtp_pid = pid;
    for (int i = 0; i < 100; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)smtp_port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return 0;
        usleep(100 * 1000);
    }
    fprintf(stderr, "the SMTP sink did not start (python3-aiosmtpd installed?)\n");
    return -1;
}

static void smtp_stop(void)
{
    if (smtp_pid > 0) {
        kill(smtp_pid, SIGTERM);
        waitpid(smtp_pid, NULL, 0);
    }
    smtp_pid = 0;
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    smtp_port = test_free_port();
    const char *tmp = getenv("TEST_TMPDIR");
    snprintf(maildir, sizeof maildir, "%s/people-mail-%d", tmp ? tmp : "/tmp", (int)getpid());
    /* the mail server refuses the first two messages */
    if (smtp_start(2) < 0)
        return -1;
    snprintf(smtp_env, sizeof smtp_env, "SMTP_URL=smtp://127.0.0.1:%d", smtp_port);
    const struct test_suite_opts o = {.name = "people",
                                      TEST_SUITE_BINARIES,
                                      .client_env = people_client_env,
                                      .ticket_env = people_ticket_env};
    if (test_suite_open(&suite, &o, &C, &T, &P) != 0)
        return -1;
    if (tlogin(C, "admin", ADMIN_PW, admin_token) != 201)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    smtp_stop();
    return test_suite_stop(&suite);
}

/* ---- helpers ---- */

static void user_new(struct tuser *u, const char *name)
{
    tuser_new(C, name, PW, u);
}

/* An event with one row of n seats named name; seat ids into ids. */
static void new_event(const char *name, int n, char ev[37], char ids[][37])
{
    char body[640];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"venue\":\"Hall\",\"starts_at\":\"2030-06-01T12:30:00Z\","
             "\"timezone\":\"Asia/Jakarta\",\"currency\":\"IDR\",\"layout\":{\"sections\":"
             "[{\"name\":\"Floor\",\"rows\":[\"A\"],\"seats_per_row\":%d,\"price\":75000}]}}",
             name, n);
    tevent_new(T, ADMIN_TOKEN, C, body, n, ev, ids);
}

/* Books one seat as u: 201; booking id and invoice out. */
static void book(const struct tuser *u, const char *ev, const char *seat, char bid[37],
                 char inv[64])
{
    char body[256];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"]}", ev, seat);
    struct tresp r;
    assert_int_equal(tcall(C, "POST", "/api/bookings", u->token, body, NULL, &r), 201);
    snprintf(bid, 37, "%s", tstr(&r, "id"));
    if (inv)
        snprintf(inv, 64, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
}

/* Polls u's booking until status (up to timeout_ms). */
static void wait_booking(const struct tuser *u, const char *bid, const char *want, int timeout_ms)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    for (int waited = 0;; waited += 100) {
        tcall(C, "GET", path, u->token, NULL, NULL, &r);
        if (r.status == 200 && strcmp(tstr(&r, "status"), want) == 0) {
            tresp_free(&r);
            return;
        }
        if (waited >= timeout_ms)
            break;
        tresp_free(&r);
        usleep(100 * 1000);
    }
    fprintf(stderr, "booking %s never became %s: %ld %s\n", bid, want, r.status, r.body);
    tresp_free(&r);
    fail();
}

/* A paid booking of one seat: its id. */
static void book_and_pay(const struct tuser *u, const char *ev, const char *seat, char bid[37])
{
    char inv[64];
    book(u, ev, seat, bid, inv);
    tinvoice_pay(P, inv);
    wait_booking(u, bid, "CONFIRMED", 15000);
}

/* The code printed on the ticket of (booking, seat) (ticket-app/src/ticket_code.h). */
static void ticket_code(const char *booking, const char *seat, char out[111])
{
    char msg[78]; /* "TK1." and two UUIDs joined by a dot: 77 characters */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];
    snprintf(msg, sizeof msg, "TK1.%s.%s", booking, seat);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)CODE_SECRET, strlen(CODE_SECRET));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, 111, "%s.%.32s", msg, hex);
}

static long scan(const char *token, const char *code, const char *gate, struct tresp *r)
{
    char body[400];
    snprintf(body, sizeof body, "{\"ticket_code\":\"%s\",\"event_id\":\"%s\"}", code, gate);
    return tcall(C, "POST", "/api/checkins", token, body, NULL, r);
}

/* A user made staff by the admin. */
static void staff_new(struct tuser *u, const char *name)
{
    user_new(u, name);
    char path[96];
    struct tresp r;
    snprintf(path, sizeof path, "/api/users/%s", u->id);
    assert_int_equal(tcall(C, "PATCH", path, admin_token, "{\"role\":\"staff\"}", NULL, &r), 200);
    assert_string_equal(tstr(&r, "role"), "staff");
    tresp_free(&r);
}

/* ---- tests ---- */

/* Staff work the gate and nothing else; users and anonymous callers do not
 * reach the gate; only an admin gives the role. */
static void test_staff_role(void **state)
{
    (void)state;
    struct tuser s, u;
    staff_new(&s, "gatekeeper");
    user_new(&u, "plainuser");
    struct tresp r;
    char path[96];
    snprintf(path, sizeof path, "/api/users/%s", u.id);
    assert_int_equal(tcall(C, "PATCH", path, u.token, "{\"role\":\"staff\"}", NULL, &r), 403);
    tresp_free(&r);
    assert_int_equal(tcall(C, "PATCH", path, admin_token, "{\"role\":\"boss\"}", NULL, &r), 400);
    tresp_free(&r);

    assert_int_equal(tcall(C, "GET", "/api/users/me", s.token, NULL, NULL, &r), 200);
    assert_string_equal(tstr(&r, "role"), "staff");
    tresp_free(&r);
    static const char *const denied[][2] = {
        {"GET", "/api/bookings"},  {"POST", "/api/bookings"}, {"GET", "/api/waitlist"},
        {"POST", "/api/waitlist"}, {"GET", "/api/users"},     {"POST", "/api/admin/events"},
    };
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
        const char *b = strcmp(denied[i][0], "GET") == 0 ? NULL : "{}";
        long st = tcall(C, denied[i][0], denied[i][1], s.token, b, NULL, &r);
        if (st != 403)
            fprintf(stderr, "%s %s: %ld %s\n", denied[i][0], denied[i][1], st, r.body);
        assert_int_equal(st, 403);
        assert_string_equal(terr(&r), "FORBIDDEN");
        tresp_free(&r);
    }
    const char *gate = "e0000000-0000-4000-8000-0000000000ee";
    assert_int_equal(scan(u.token, "TK1.x", gate, &r), 403);
    tresp_free(&r);
    assert_int_equal(scan(NULL, "TK1.x", gate, &r), 401);
    tresp_free(&r);
    assert_int_equal(
        tcall(C, "POST", "/api/checkins", s.token, "{\"ticket_code\":\"x\"}", NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    tresp_free(&r);
    /* Staff reach the gate (an unknown event there is 404). */
    assert_int_equal(scan(s.token, "TK1.x", gate, &r), 404);
    tresp_free(&r);
    printf("staff: /api/users/me 200, 6 other calls 403, the gate reached\n");
}

/* A paid ticket at its gate: ADMITTED, then ALREADY_CHECKED_IN; at another
 * event's gate WRONG_EVENT naming its event; a cancelled booking's ticket
 * INVALID_TICKET reason CANCELLED; the list counts what came in. */
static void test_gate(void **state)
{
    (void)state;
    struct tuser s, u;
    staff_new(&s, "gatestaff");
    user_new(&u, "concertgoer");
    char ev1[37], ev2[37], seats1[3][37], seats2[1][37];
    new_event("Gate Night", 3, ev1, seats1);
    new_event("Other Night", 1, ev2, seats2);
    char b1[37], b2[37], code[111], code2[111];
    book_and_pay(&u, ev1, seats1[0], b1);
    book_and_pay(&u, ev1, seats1[1], b2);
    ticket_code(b1, seats1[0], code);
    ticket_code(b2, seats1[1], code2);

    struct tresp r;
    assert_int_equal(scan(s.token, code, ev2, &r), 409);
    assert_string_equal(terr(&r), "WRONG_EVENT");
    assert_string_equal(tstr(&r, "error.details.event_id"), ev1);
    assert_string_equal(tstr(&r, "error.details.name"), "Gate Night");
    assert_string_equal(tstr(&r, "error.details.starts_at_local"), "2030-06-01T19:30:00+07:00");
    assert_string_equal(tstr(&r, "event.name"), "Other Night");
    printf("WRONG_EVENT: %s\n", r.body);
    tresp_free(&r);

    assert_int_equal(scan(s.token, code, ev1, &r), 200);
    assert_string_equal(tstr(&r, "status"), "ADMITTED");
    assert_string_equal(tstr(&r, "seat.label"), "A-1");
    assert_string_equal(tstr(&r, "event.name"), "Gate Night");
    printf("ADMITTED: %s\n", r.body);
    tresp_free(&r);
    assert_int_equal(scan(admin_token, code, ev1, &r), 409);
    assert_string_equal(terr(&r), "ALREADY_CHECKED_IN");
    assert_string_equal(tstr(&r, "event.name"), "Gate Night");
    tresp_free(&r);

    /* The second booking is cancelled (refunded): its ticket no longer admits. */
    char path[128];
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b2);
    assert_int_equal(tcall(C, "POST", path, u.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    assert_int_equal(scan(s.token, code2, ev1, &r), 404);
    assert_string_equal(terr(&r), "INVALID_TICKET");
    assert_string_equal(tstr(&r, "error.details.reason"), "CANCELLED");
    assert_string_equal(tstr(&r, "event.name"), "Gate Night");
    tresp_free(&r);

    snprintf(path, sizeof path, "/api/events/%s/checkins", ev1);
    assert_int_equal(tcall(C, "GET", path, s.token, NULL, NULL, &r), 200);
    json_t *counts = json_object_get(r.json, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "checked_in")), 1);
    assert_int_equal(json_integer_value(json_object_get(counts, "tickets")), 1);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    printf("check-in list: %s\n", r.body);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, u.token, NULL, NULL, &r), 403);
    tresp_free(&r);
}

/* ---- the inbox and its e-mails ---- */

/* u's inbox (new reference: the parsed answer). */
static json_t *inbox_of(const struct tuser *u)
{
    struct tresp r;
    assert_int_equal(tcall(C, "GET", "/api/notifications?limit=200", u->token, NULL, NULL, &r),
                     200);
    json_t *j = json_incref(r.json);
    tresp_free(&r);
    return j;
}

/* Waits until u has an entry of kind (about booking bid, unless NULL); its
 * booking id into found (may be NULL). */
static void wait_kind(const struct tuser *u, const char *kind, const char *bid, int timeout_ms,
                      char found[37])
{
    for (int waited = 0; waited <= timeout_ms; waited += 200) {
        json_t *in = inbox_of(u);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(in, "items"), i, e)
        {
            const char *b = json_string_value(json_object_get(e, "booking_id"));
            if (strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0 &&
                (!bid || (b && strcmp(b, bid) == 0))) {
                if (found)
                    snprintf(found, 37, "%s", b ? b : "");
                json_decref(in);
                return;
            }
        }
        json_decref(in);
        usleep(200 * 1000);
    }
    fprintf(stderr, "%s never got %s about %s\n", u->name, kind, bid ? bid : "-");
    fail();
}

static void restart_pay(const char *failure_rate)
{
    char rate[64];
    snprintf(rate, sizeof rate, "PAYMENT_FAILURE_RATE=%s", failure_rate);
    const char *const env[] = {rate, NULL};
    test_daemon_stop(&suite.pay);
    assert_int_equal(test_suite_restart_pay(&suite, env), 0);
}

static char *db_scalar(const char *sql)
{
    char *v = test_db_scalar(suite.client_db, sql, NULL);
    assert_non_null(v);
    return v;
}

/* Every mail the sink received (new reference, oldest first). */
static json_t *read_mails(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 " SMTP_DIR "/read_mail.py '%s'", maildir);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    json_error_t e;
    json_t *j = json_loadf(f, 0, &e);
    pclose(f);
    assert_non_null(j);
    return j;
}

/* A whole booking life as its holder is told it, in the inbox and by mail. */
static void test_inbox_life(void **state)
{
    (void)state;
    struct tuser u, x;
    user_new(&u, "lifeuser");
    user_new(&x, "seatowner");
    struct tresp r;
    char path[160];
    snprintf(path, sizeof path, "/api/users/%s", u.id);
    assert_int_equal(
        tcall(C, "PATCH", path, u.token, "{\"full_name\":\"Dewi \\u00dcnal\"}", NULL, &r), 200);
    tresp_free(&r);
    char ev[37], seats[4][37];
    new_event("Inbox Night", 4, ev, seats);

    /* 1. booked (hold.expiring: the window is shorter than the lead) and paid */
    char b1[37], inv1[64];
    book(&u, ev, seats[0], b1, inv1);
    wait_kind(&u, "hold.expiring", b1, 10000, NULL);
    tinvoice_pay(P, inv1);
    wait_booking(&u, b1, "CONFIRMED", 15000);
    wait_kind(&u, "booking.confirmed", b1, 10000, NULL);

    /* 2. a payment that fails */
    restart_pay("1");
    char b2[37], inv2[64];
    book(&u, ev, seats[1], b2, inv2);
    tinvoice_pay(P, inv2);
    wait_booking(&u, b2, "FAILED", 15000);
    wait_kind(&u, "booking.failed", b2, 10000, NULL);
    restart_pay("0");

    /* 3. the mail server goes away; a hold runs out meanwhile */
    smtp_stop();
    char b3[37];
    book(&u, ev, seats[2], b3, NULL);
    wait_booking(&u, b3, "EXPIRED", 30000);
    wait_kind(&u, "booking.expired", b3, 10000, NULL);
    usleep(1500 * 1000); /* some deliveries fail against the closed port */
    assert_int_equal(smtp_start(0), 0);

    /* 4. a waitlist offer, paid */
    char bx[37], b4[37];
    book_and_pay(&x, ev, seats[3], bx);
    char body[200];
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_id\":\"%s\"}", ev, seats[3]);
    assert_int_equal(tcall(C, "POST", "/api/waitlist", u.token, body, NULL, &r), 201);
    tresp_free(&r);
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", bx);
    assert_int_equal(tcall(C, "POST", path, x.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    wait_kind(&u, "waitlist.offered", NULL, 15000, b4);
    snprintf(path, sizeof path, "/api/bookings/%s", b4);
    assert_int_equal(tcall(C, "GET", path, u.token, NULL, NULL, &r), 200);
    char inv4[64];
    snprintf(inv4, sizeof inv4, "%s", tstr(&r, "payment.invoice_number"));
    tresp_free(&r);
    tinvoice_pay(P, inv4);
    wait_booking(&u, b4, "CONFIRMED", 15000);

    /* 5. the first booking cancelled: refunded */
    snprintf(path, sizeof path, "/api/bookings/%s/cancel", b1);
    assert_int_equal(tcall(C, "POST", path, u.token, NULL, NULL, &r), 200);
    tresp_free(&r);
    wait_kind(&u, "booking.refunded", b1, 10000, NULL);
    wait_kind(&x, "booking.refunded", bx, 10000, NULL);

    /* The inbox: newest first, every kind of the life, each with text. */
    json_t *in = inbox_of(&u);
    json_t *items = json_object_get(in, "items");
    size_t i;
    json_t *e;
    const char *prev = NULL;
    printf("inbox of %s (%zu entries, unread %lld):\n", u.name, json_array_size(items),
           (long long)json_integer_value(json_object_get(in, "unread")));
    json_array_foreach(items, i, e)
    {
        const char *at = json_string_value(json_object_get(e, "created_at"));
        if (prev)
            assert_true(strcmp(prev, at) >= 0);
        prev = at;
        assert_true(strlen(json_string_value(json_object_get(e, "subject"))) > 0);
        assert_true(json_is_null(json_object_get(e, "read_at")));
        printf("  %s %-18s %s\n", at, json_string_value(json_object_get(e, "kind")),
               json_string_value(json_object_get(e, "subject")));
    }
    assert_int_equal(json_integer_value(json_object_get(in, "unread")),
                     json_integer_value(json_object_get(in, "total")));
    /* read marks: once, by the owner only */
    json_t *first = json_array_get(items, 0);
    const char *nid = json_string_value(json_object_get(first, "id"));
    snprintf(path, sizeof path, "/api/notifications/%s/read", nid);
    assert_int_equal(tcall(C, "POST", path, x.token, NULL, NULL, &r), 404);
    tresp_free(&r);
    assert_int_equal(tcall(C, "POST", path, u.token, NULL, NULL, &r), 200);
    assert_true(strlen(tstr(&r, "read_at")) > 0);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", "/api/notifications/unread", u.token, NULL, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "unread")),
                     json_integer_value(json_object_get(in, "total")) - 1);
    tresp_free(&r);
    json_decref(in);

    /* The mail: every entry delivered once the server is back. */
    char *pending = NULL;
    for (int waited = 0; waited < 30000; waited += 250) {
        free(pending);
        pending = db_scalar("SELECT count(*) FROM outbox WHERE topic = 'mail'"
                            " AND delivered_at IS NULL");
        if (strcmp(pending, "0") == 0)
            break;
        usleep(250 * 1000);
    }
    assert_string_equal(pending, "0");
    free(pending);
    char *n_notes = db_scalar("SELECT count(*) FROM notifications");
    char *refused = db_scalar("SELECT count(*) FROM outbox_attempts WHERE status = 451");
    char *unreachable = db_scalar("SELECT count(*) FROM outbox_attempts WHERE status IS NULL");
    json_t *mails = read_mails();
    printf("%s entries, %zu mails received; %s attempts refused (451), %s with the server "
           "down\n",
           n_notes, json_array_size(mails), refused, unreachable);
    assert_int_equal((long)json_array_size(mails), atol(n_notes));
    assert_true(atol(refused) >= 2);
    assert_true(atol(unreachable) >= 1);
    /* one mail per entry: the Message-IDs are the entries' ids, each once */
    json_t *seen = json_object();
    json_array_foreach(mails, i, e)
    {
        const char *mid =
            json_string_value(json_object_get(json_object_get(e, "headers"), "Message-ID"));
        assert_non_null(mid);
        assert_null(json_object_get(seen, mid));
        json_object_set_new(seen, mid, json_true());
    }
    char *distinct = db_scalar("SELECT count(*) FROM notifications n WHERE EXISTS (SELECT 1 FROM"
                               " outbox o WHERE o.id = 'mail_' || n.id AND o.delivered_at IS NOT"
                               " NULL)");
    assert_int_equal(atol(distinct), (long)json_object_size(seen));
    free(distinct);
    json_decref(seen);

    /* The confirmation: to the holder by name, the ticket attached and
     * readable as the PDF of this event. */
    int found = 0;
    json_array_foreach(mails, i, e)
    {
        json_t *h = json_object_get(e, "headers");
        const char *subject = json_string_value(json_object_get(h, "Subject"));
        const char *to = json_string_value(json_object_get(h, "To"));
        if (!subject || strcmp(subject, "Booking confirmed \xe2\x80\x94 Inbox Night") != 0 ||
            !strstr(to, "lifeuser@example.com"))
            continue;
        assert_non_null(strstr(to, "Dewi \xc3\x9cnal"));
        assert_non_null(
            strstr(json_string_value(json_object_get(h, "From")), "tickets@people.test"));
        assert_non_null(strstr(json_string_value(json_object_get(e, "body")), "is confirmed"));
        json_t *att = json_array_get(json_object_get(e, "attachments"), 0);
        assert_non_null(att);
        assert_string_equal(json_string_value(json_object_get(att, "content_type")),
                            "application/pdf");
        assert_true(json_is_true(json_object_get(att, "pdf")));
        const char *text = json_string_value(json_object_get(att, "text"));
        if (text)
            assert_non_null(strstr(text, "Inbox Night"));
        if (!found) {
            json_t *raw = json_object_get(e, "raw_headers");
            const char *k;
            json_t *v;
            printf("a received e-mail:\n");
            json_object_foreach(raw, k, v)
            {
                if (json_is_string(v))
                    printf("  %s: %s\n", k, json_string_value(v));
            }
            printf("  attachment: %s (%s, %lld bytes, %s)\n",
                   json_string_value(json_object_get(att, "filename")),
                   json_string_value(json_object_get(att, "content_type")),
                   (long long)json_integer_value(json_object_get(att, "size")),
                   text ? "pdftotext reads it" : "starts %PDF-, ends %%EOF");
        }
        found++;
    }
    assert_int_equal(found, 2); /* b1 and the waitlist booking */
    json_decref(mails);
    free(n_notes);
    free(refused);
    free(unreachable);
}

/* ---- attendees ---- */

/* The text of the booking's ticket PDF, by pdftotext (new malloc'ed), or
 * NULL when poppler-utils is not installed. */
static char *ticket_text(const struct tuser *u, const char *bid)
{
    char path[128];
    struct tresp r;
    snprintf(path, sizeof path, "/api/bookings/%s/ticket.pdf", bid);
    for (int i = 0; i < 50; i++) {
        tcall(C, "GET", path, u->token, NULL, NULL, &r);
        if (r.status == 200)
            break;
        tresp_free(&r);
        usleep(200 * 1000);
    }
    assert_int_equal(r.status, 200);
    if (access("/usr/bin/pdftotext", X_OK) != 0) {
        tresp_free(&r);
        return NULL;
    }
    char file[300], cmd[700];
    const char *tmp = getenv("TEST_TMPDIR");
    snprintf(file, sizeof file, "%s/people-ticket-%s.pdf", tmp ? tmp : "/tmp", bid);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    fwrite(r.body, 1, r.len, f);
    fclose(f);
    tresp_free(&r);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *text = calloc(1, 65536);
    size_t n = fread(text, 1, 65535, p);
    text[n] = '\0';
    pclose(p);
    return text;
}

static char train[37], train_booking[37]; /* for the box office */

/* A train that needs a passenger per seat: refused without, booked with
 * names (shown in the Booking), printed on each seat's page of the ticket
 * with the venue's local time; elsewhere the holder's full name. */
static void test_attendees(void **state)
{
    (void)state;
    struct tuser u;
    user_new(&u, "familyhead");
    struct tresp r;
    char path[160], body[1024];
    snprintf(path, sizeof path, "/api/users/%s", u.id);
    assert_int_equal(tcall(C, "PATCH", path, u.token, "{\"full_name\":\"Budi Santoso\"}", NULL, &r),
                     200);
    tresp_free(&r);
    /* a token issued before the change still names the holder: log in again */
    assert_int_equal(tlogin(C, "familyhead", PW, u.token), 201);
    char seats[3][37], show[37], sseats[1][37];
    new_event("Night Train 7", 3, train, seats);
    new_event("Family Show", 1, show, sseats);
    snprintf(path, sizeof path, "/api/admin/events/%s", train);
    assert_int_equal(
        tcall(C, "PATCH", path, admin_token, "{\"attendees_required\":\"yes\"}", NULL, &r), 400);
    tresp_free(&r);
    assert_int_equal(
        tcall(C, "PATCH", path, admin_token, "{\"attendees_required\":true}", NULL, &r), 200);
    tresp_free(&r);

    snprintf(path, sizeof path, "/api/events/%s", train);
    assert_int_equal(tcall(C, "GET", path, NULL, NULL, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "attendees_required")));
    tresp_free(&r);

    /* without names: 400, nothing held */
    snprintf(body, sizeof body, "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\",\"%s\"]}", train,
             seats[0], seats[1]);
    assert_int_equal(tcall(C, "POST", "/api/bookings", u.token, body, NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    assert_true(strlen(tstr(&r, "error.details.attendees")) > 0);
    tresp_free(&r);
    /* one name missing: 400 too; a name too long: 400 */
    snprintf(body, sizeof body,
             "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\",\"%s\"],\"attendees\":[{\"seat_id\":"
             "\"%s\",\"name\":\"Budi Santoso\"}]}",
             train, seats[0], seats[1], seats[0]);
    assert_int_equal(tcall(C, "POST", "/api/bookings", u.token, body, NULL, &r), 400);
    tresp_free(&r);
    char longname[140];
    memset(longname, 'x', 101);
    longname[101] = '\0';
    snprintf(body, sizeof body,
             "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\"],\"attendees\":[{\"seat_id\":\"%s\","
             "\"name\":\"%s\"}]}",
             train, seats[0], seats[0], longname);
    assert_int_equal(tcall(C, "POST", "/api/bookings", u.token, body, NULL, &r), 400);
    assert_string_equal(terr(&r), "VALIDATION_FAILED");
    tresp_free(&r);

    /* with a name for each seat */
    snprintf(body, sizeof body,
             "{\"event_id\":\"%s\",\"seat_ids\":[\"%s\",\"%s\"],\"attendees\":["
             "{\"seat_id\":\"%s\",\"name\":\"Budi Santoso\",\"id_number\":\"3174012345670001\"},"
             "{\"seat_id\":\"%s\",\"name\":\"Sari Wulandari\"}]}",
             train, seats[0], seats[1], seats[0], seats[1]);
    assert_int_equal(tcall(C, "POST", "/api/bookings", u.token, body, NULL, &r), 201);
    char bid[37], inv[64];
    snprintf(bid, sizeof bid, "%s", tstr(&r, "id"));
    snprintf(inv, sizeof inv, "%s", tstr(&r, "payment.invoice_number"));
    json_t *bseats = json_object_get(r.json, "seats");
    int named = 0;
    size_t i;
    json_t *st;
    json_array_foreach(bseats, i, st)
    {
        const char *who =
            json_string_value(json_object_get(json_object_get(st, "attendee"), "name"));
        assert_non_null(who);
        named += strcmp(who, "Budi Santoso") == 0 || strcmp(who, "Sari Wulandari") == 0;
    }
    assert_int_equal(named, 2);
    tresp_free(&r);
    snprintf(train_booking, sizeof train_booking, "%s", bid);
    tinvoice_pay(P, inv);
    wait_booking(&u, bid, "CONFIRMED", 15000);
    snprintf(path, sizeof path, "/api/bookings/%s", bid);
    assert_int_equal(tcall(C, "GET", path, u.token, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.body, "\"id_number\":\"3174012345670001\""));
    tresp_free(&r);
    char *text = ticket_text(&u, bid);
    if (text) {
        assert_non_null(strstr(text, "Budi Santoso"));
        assert_non_null(strstr(text, "Sari Wulandari"));
        assert_non_null(strstr(text, "19:30 Asia/Jakarta (UTC+07:00)"));
        printf("train ticket: both passengers printed, time 19:30 Asia/Jakarta (UTC+07:00)\n");
        free(text);
    }
    /* the gate shows the seat's passenger */
    struct tuser s;
    staff_new(&s, "trainguard");
    char code[111];
    ticket_code(bid, seats[1], code);
    assert_int_equal(scan(s.token, code, train, &r), 200);
    assert_string_equal(tstr(&r, "attendee.name"), "Sari Wulandari");
    tresp_free(&r);

    /* no names needed elsewhere: the ticket shows the holder's full name */
    char b2[37];
    book_and_pay(&u, show, sseats[0], b2);
    text = ticket_text(&u, b2);
    if (text) {
        assert_non_null(strstr(text, "Budi Santoso"));
        assert_non_null(strstr(text, "HOLDER"));
        free(text);
    }
}

/* ---- the box office ---- */

/* Admins find bookings by code, username, e-mail or attendee name, and
 * export an event's attendee list as CSV; users do neither. */
static void test_boxoffice(void **state)
{
    (void)state;
    struct tresp r;
    char path[200];
    snprintf(path, sizeof path, "/api/bookings/%s", train_booking);
    assert_int_equal(tcall(C, "GET", path, admin_token, NULL, NULL, &r), 200);
    char code[16];
    snprintf(code, sizeof code, "%s", tstr(&r, "code"));
    tresp_free(&r);
    printf("booking code %s\n", code);
    const char *const queries[] = {"sari", "Wulandari", "familyhead", "FAMILYHEAD@example.com",
                                   code};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        if (!queries[i][0])
            continue;
        char q[160];
        snprintf(q, sizeof q, "/api/bookings?q=%s", queries[i]);
        assert_int_equal(tcall(C, "GET", q, admin_token, NULL, NULL, &r), 200);
        int found = 0;
        size_t k;
        json_t *b;
        json_array_foreach(json_object_get(r.json, "items"), k, b)
        {
            found |= strcmp(json_string_value(json_object_get(b, "id")), train_booking) == 0;
        }
        printf("q=%s: %lld found\n", queries[i],
               (long long)json_integer_value(json_object_get(r.json, "total")));
        assert_true(found);
        tresp_free(&r);
    }
    /* the code finds that booking only; LIKE's wildcards match themselves */
    if (code[0]) {
        char q[64];
        snprintf(q, sizeof q, "/api/bookings?q=%s", code);
        assert_int_equal(tcall(C, "GET", q, admin_token, NULL, NULL, &r), 200);
        assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
        tresp_free(&r);
    }
    assert_int_equal(tcall(C, "GET", "/api/bookings?q=%25", admin_token, NULL, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
    tresp_free(&r);
    struct tuser u;
    user_new(&u, "nosyuser");
    assert_int_equal(tcall(C, "GET", "/api/bookings?q=sari", u.token, NULL, NULL, &r), 403);
    tresp_free(&r);

    snprintf(path, sizeof path, "/api/admin/events/%s/attendees.csv", train);
    assert_int_equal(tcall(C, "GET", path, u.token, NULL, NULL, &r), 403);
    tresp_free(&r);
    assert_int_equal(tcall(C, "GET", path, admin_token, NULL, NULL, &r), 200);
    assert_non_null(strstr(r.content_type, "text/csv"));
    printf("attendees.csv:\n%s", r.body);
    assert_int_equal(strncmp(r.body,
                             "seat,section,attendee,id_number,holder,booking_code,status,"
                             "checked_in_at\r\n",
                             74),
                     0);
    int rows = 0;
    for (const char *p = r.body; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    assert_int_equal(rows, 3); /* the header and the two passengers */
    assert_non_null(strstr(r.body, "Budi Santoso,3174012345670001,Budi Santoso"));
    assert_non_null(strstr(r.body, "Sari Wulandari,,Budi Santoso"));
    if (code[0])
        assert_non_null(strstr(r.body, code));
    assert_non_null(strstr(r.body, ",CONFIRMED,20")); /* Sari was let in at the gate */
    tresp_free(&r);
}

/* The event moves, then is called off: its holder's inbox says both. */
static void test_event_news(void **state)
{
    (void)state;
    struct tuser u;
    user_new(&u, "eventfan");
    char ev[37], seats[1][37], bid[37];
    new_event("Moving Night", 1, ev, seats);
    book_and_pay(&u, ev, seats[0], bid);
    struct tresp r;
    char path[128];
    snprintf(path, sizeof path, "/api/events/%s", ev);
    assert_int_equal(
        tcall(T, "PATCH", path, ADMIN_TOKEN, "{\"starts_at\":\"2030-06-08T12:30:00Z\"}", NULL, &r),
        200);
    tresp_free(&r);
    wait_kind(&u, "event.changed", bid, 15000, NULL);
    snprintf(path, sizeof path, "/api/events/%s/cancel", ev);
    assert_int_equal(tcall(T, "POST", path, ADMIN_TOKEN, NULL, NULL, &r), 200);
    tresp_free(&r);
    wait_booking(&u, bid, "CANCELLED", 15000);
    wait_kind(&u, "event.cancelled", bid, 15000, NULL);
    json_t *in = inbox_of(&u);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(in, "items"), i, e)
    {
        const char *k = json_string_value(json_object_get(e, "kind"));
        if (strcmp(k, "event.changed") == 0)
            assert_non_null(
                strstr(json_string_value(json_object_get(e, "body")), "2030-06-08 19:30"));
        printf("  %s: %s\n", k, json_string_value(json_object_get(e, "subject")));
    }
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_staff_role), cmocka_unit_test(test_gate),
        cmocka_unit_test(test_inbox_life), cmocka_unit_test(test_attendees),
        cmocka_unit_test(test_boxoffice),  cmocka_unit_test(test_event_news),
    };
    return cmocka_run_group_tests_name("client_people_e2e", tests, setup, teardown);
}
