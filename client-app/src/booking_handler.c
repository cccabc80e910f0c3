/* booking_handler.c: bookings: record the attempt, call ticket-app with no
 * transaction open, store the outcome, answer as API.md says; plus listing,
 * refresh, cancel and the stored ticket PDF.
 *
 * An attempt is recorded (REQUESTED) only once it passed validation here.
 * If ticket-app then answers 400/404/422 (unknown event, seats not of that
 * event) the attempt was invalid after all: its row is deleted and ticket-
 * app's answer passed on, since none of API.md's failure reasons describes
 * it. Every other outcome stays in the history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "booking.h"
#include "booking_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/util.h"
#include "queue_handler.h"
#include "ticket_client.h"

#define IDEM_EXTRA_MS 5000 /* an unfinished key stays locked timeout + this */

static json_t *booking_json_row(const PGresult *r, int i)
{
    struct booking_view v;
    booking_view_from(r, i, &v);
    return booking_to_json(&v);
}

/* The Booking JSON (with "history" when asked) into *out. */
static enum db_status load_booking(struct db_conn *c, const char *id, const char *owner,
                                   int with_history, json_t **out)
{
    PGresult *r = NULL;
    enum db_status st = with_history ? booking_store_get_with_history(c, id, owner, &r)
                                     : booking_store_get(c, id, owner, &r);
    *out = NULL;
    if (st != DB_OK)
        return st;
    json_t *b = booking_json_row(r, 0);
    if (with_history) {
        const char *h = db_get(r, 0, "history");
        json_t *hist = h ? json_loads(h, 0, NULL) : NULL;
        json_object_set_new(b, "history", json_is_array(hist) ? hist : json_array());
        if (hist && !json_is_array(hist))
            json_decref(hist);
    }
    PQclear(r);
    *out = b;
    return DB_OK;
}

/* Whose bookings the caller may see: NULL (any) for an admin. */
static const char *owner_filter(const struct auth_user *u)
{
    return u->is_admin ? NULL : u->id;
}

/* Answers with a stored JSON text (copied). */
static void answer_text(struct http_res *res, int code, const char *text)
{
    http_res_bytes(res, code, "application/json", text, strlen(text));
}

/* Follows an Idempotency-Key already used by this user, with one look
 * and no waiting (a worker thread is not held for a twin): replays its
 * stored answer, answers 409 IDEMPOTENCY_IN_PROGRESS with Retry-After while
 * the first request runs, or takes the key over when that request died
 * (its lock ran out). Returns 1 after answering res, 0 when this request
 * took over: bid then holds the key's booking id. */
static int idem_follow(struct client_app *app, struct http_res *res, const char *user_id,
                       const char *key, const char *rhash, char bid[37])
{
    long lock_ms = app->ticket_timeout_ms + IDEM_EXTRA_MS;
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return 1;
    PGresult *r = NULL;
    int taken = 0, answered = 1;
    enum db_status st = idem_store_get(c, user_id, key, &r);
    if (st == DB_NOT_FOUND) { /* the first request's claim rolled back */
        http_res_header(res, "Retry-After", "1");
        http_res_error(res, 409, "IDEMPOTENCY_IN_PROGRESS", "retry this request");
    } else if (st != DB_OK) {
        http_res_db_error(res, st);
    } else if (strcmp(db_get(r, 0, "request_hash"), rhash) != 0) {
        http_res_error(res, 409, "IDEMPOTENCY_KEY_REUSED",
                       "this Idempotency-Key was used for another request");
    } else if (db_get(r, 0, "response")) {
        answer_text(res, atoi(db_get(r, 0, "status_code")), db_get(r, 0, "response"));
        http_res_header(res, "Idempotent-Replayed", "true");
    } else if (strcmp(db_get(r, 0, "locked"), "t") != 0 &&
               (st = idem_store_takeover(c, user_id, key, lock_ms, &taken)) == DB_OK && taken) {
        snprintf(bid, 37, "%s", db_get(r, 0, "booking_id"));
        log_warn("idempotency key taken over booking_id=%s", bid);
        answered = 0;
    } else if (st != DB_OK) {
        http_res_db_error(res, st);
    } else {
        http_res_header(res, "Retry-After", "1");
        http_res_error(res, 409, "IDEMPOTENCY_IN_PROGRESS",
                       "the first request with this Idempotency-Key is still running");
    }
    PQclear(r);
    db_release(app->pool, c);
    return answered;
}

/* The answer to a booking attempt with outcome out (JSON text, owned) and
 * its status code into *code: 201 with the booking, or the error with the
 * booking beside it. */
static char *outcome_text(enum booking_outcome out, const char *reason, json_t *b, int *code,
                          const json_t *details)
{
    json_t *doc;
    if (out == OUT_HELD) {
        *code = 201;
        doc = json_incref(b);
    } else {
        *code = out == OUT_REFUSED ? 409 : 503;
        const char *ecode = out == OUT_REFUSED ? reason : "TICKET_SERVICE_UNAVAILABLE";
        doc = json_pack("{s:{s:s, s:s}, s:O}", "error", "code", ecode, "message",
                        out == OUT_REFUSED ? "the seats could not be held"
                                           : "the ticket service is unavailable",
                        "booking", b);
        /* ticket-app's details (SEAT_UNAVAILABLE's seat_ids) pass through */
        if (json_is_object(details))
            json_object_set_new(json_object_get(doc, "error"), "details", json_deep_copy(details));
    }
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* Notes the seats of ticket-app's answer as taken (seat_hint.h): every
 * seat of a hold, or the one seat of a single-seat request refused because
 * it is taken. */
static void note_taken_seats(struct client_app *app, const struct booking_request *br,
                             enum booking_outcome out, const char *reason,
                             const struct ticket_booking *tb)
{
    int held = out == OUT_HELD;
    if (!held && !(out == OUT_REFUSED && br->nseats == 1 && reason &&
                   strcmp(reason, "SEAT_UNAVAILABLE") == 0))
        return;
    json_t *seats = tb->seats_json ? json_loads(tb->seats_json, 0, NULL) : NULL;
    int64_t now = mono_ms();
    for (size_t i = 0; i < br->nseats; i++) {
        const char *label = NULL;
        long price = -1;
        for (size_t k = 0; k < json_array_size(seats); k++) {
            json_t *s = json_array_get(seats, k);
            const char *sid = json_str(s, "id");
            if (sid && strcmp(sid, br->seat_ids[i]) == 0) {
                label = json_str(s, "label");
                json_t *pr = json_object_get(s, "price");
                price = json_is_integer(pr) ? (long)json_integer_value(pr) : -1;
            }
        }
        seat_hint_note(app->seat_hint, br->seat_ids[i], br->event_id, label, price, tb->event_name,
                       now);
    }
    json_decref(seats);
}

/* Drops the hint on the seats of tb (its booking gave them back). */
static void forget_seats(struct client_app *app, const struct ticket_booking *tb)
{
    json_t *seats = tb->seats_json ? json_loads(tb->seats_json, 0, NULL) : NULL;
    for (size_t k = 0; k < json_array_size(seats); k++)
        seat_hint_forget(app->seat_hint, json_str(json_array_get(seats, k), "id"));
    json_decref(seats);
}

/* Refuses the attempt bid at once, without ticket-app, when a seat it asks
 * for was said taken a moment ago (seat_hint.h): stored FAILED
 * SEAT_UNAVAILABLE with its history, answered 409 as ticket-app's refusal
 * is. Returns 1 after answering, 0 when no seat is known taken. */
static int refuse_by_hint(struct client_app *app, struct http_res *res, const struct auth_user *u,
                          const struct booking_request *br, const char *bid)
{
    struct seat_hint_info info[BOOKING_SEATS_MAX];
    int known[BOOKING_SEATS_MAX], any = 0, all_priced = 1;
    const char *event_name = NULL;
    long amount = 0;
    int64_t now = mono_ms();
    for (size_t i = 0; i < br->nseats; i++) {
        known[i] = seat_hint_taken(app->seat_hint, br->seat_ids[i], br->event_id, now, &info[i]);
        any |= known[i];
        if (known[i] && info[i].event_name[0] && !event_name)
            event_name = info[i].event_name;
        if (known[i] && info[i].price >= 0)
            amount += info[i].price;
        else
            all_priced = 0;
    }
    if (!any)
        return 0;
    json_t *seats = json_array();
    for (size_t i = 0; i < br->nseats; i++) {
        json_t *s = json_pack("{s:s}", "id", br->seat_ids[i]);
        json_object_set_new(
            s, "label", known[i] && info[i].label[0] ? json_string(info[i].label) : json_null());
        json_object_set_new(
            s, "price", known[i] && info[i].price >= 0 ? json_integer(info[i].price) : json_null());
        json_array_append_new(seats, s);
    }
    char *seats_text = json_dumps(seats, JSON_COMPACT);
    json_decref(seats);
    struct booking_record rec = {.id = bid,
                                 .user_id = u->id,
                                 .event_id = br->event_id,
                                 .seats_json = seats_text,
                                 .refused = 1,
                                 .event_name = event_name,
                                 .amount = all_priced ? amount : -1};
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c) {
        free(seats_text);
        return 1;
    }
    PGresult *row = NULL;
    enum db_status st = booking_store_record(c, &rec, 1, &row);
    db_release(app->pool, c);
    free(seats_text);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return 1;
    }
    json_t *b = booking_json_row(row, 0);
    PQclear(row);
    int code = 0;
    json_t *details = json_pack("{s:o}", "seat_ids", json_array());
    for (size_t i = 0; i < br->nseats; i++)
        if (known[i])
            json_array_append_new(json_object_get(details, "seat_ids"),
                                  json_string(br->seat_ids[i]));
    char *text = outcome_text(OUT_REFUSED, "SEAT_UNAVAILABLE", b, &code, details);
    json_decref(details);
    json_decref(b);
    atomic_fetch_add(&app->n_refused_by_hint, 1);
    log_info("booking attempt booking_id=%s answer=%d (seat known taken)", bid, code);
    answer_text(res, code, text);
    free(text);
    return 1;
}

/* Calls ticket-app for the recorded attempt bid, stores the outcome (and
 * the answer under key, if any) in one transaction, and answers. */
static void book_and_answer(struct client_app *app, struct http_res *res, const struct auth_user *u,
                            const struct booking_request *br, const char *bid, const char *key)
{
    json_t *tbody = booking_request_ticket_body(br, bid, u->id), *reply = NULL, *b = NULL;
    long status = 0;
    int rc = ticket_call_json(app, "POST", "/api/bookings", tbody, &status, &reply);
    json_decref(tbody);

    struct ticket_booking tb;
    int have_tb = 0, applied = 0, code_out = 0;
    const char *reason = NULL;
    char *text = NULL;
    enum booking_outcome out = booking_classify(rc, status, reply, bid, &tb, &have_tb, &reason);
    if (out == OUT_UNAVAILABLE) {
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        log_warn("booking failed, ticket-app unavailable booking_id=%s status=%ld", bid, status);
    }
    if (have_tb)
        note_taken_seats(app, br, out, reason, &tb);

    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        goto out; /* the attempt stays REQUESTED; refresh or a retry settles it */
    enum db_status st;
    if (!key && have_tb && out != OUT_INVALID && (out == OUT_HELD || tb.state == BS_FAILED)) {
        /* the common answer: stored with its history entry and read back
         * by one statement, no transaction */
        PGresult *row = NULL;
        st = booking_store_apply_answer(c, &tb, "ticket-app", &row);
        if (st == DB_OK) {
            b = booking_json_row(row, 0);
            PQclear(row);
            text = outcome_text(out, reason, b, &code_out,
                                json_object_get(json_object_get(reply, "error"), "details"));
            goto answer;
        }
        if (st != DB_NOT_FOUND) {
            http_res_db_error(res, st);
            goto out;
        }
        /* a newer version is stored already: the general path answers it */
    }
    st = db_begin(c);
    if (st == DB_OK) {
        if (have_tb && (out == OUT_HELD || tb.state == BS_FAILED)) {
            PGresult *row = NULL;
            st = booking_store_apply_answer(c, &tb, "ticket-app", &row);
            PQclear(row);
            if (st == DB_NOT_FOUND)
                st = DB_OK; /* a newer version is stored already */
        } else if (out == OUT_REFUSED || out == OUT_UNAVAILABLE) {
            if (out == OUT_UNAVAILABLE)
                reason = "TICKET_SERVICE_UNAVAILABLE";
            st = booking_store_fail_requested(c, bid, reason, &applied);
            if (st == DB_OK && applied)
                st = booking_store_add_event(c, bid, booking_status_name(BS_FAILED), reason,
                                             "ticket-app", NULL);
        } else if (out == OUT_INVALID) {
            st = booking_store_delete_requested(c, bid);
        }
    }
    if (st == DB_OK && out == OUT_INVALID) {
        code_out = (int)status;
        json_t *e = json_object_get(reply, "error"), *doc;
        if (json_str(e, "code"))
            doc = json_pack("{s:O}", "error", e);
        else
            doc = json_pack("{s:{s:s, s:s}}", "error", "code",
                            status == 404 ? "NOT_FOUND" : "VALIDATION_FAILED", "message",
                            "the ticket service refused the request");
        text = json_dumps(doc, JSON_COMPACT);
        json_decref(doc);
    } else if (st == DB_OK) {
        st = load_booking(c, bid, NULL, 0, &b);
        if (st == DB_OK)
            text = outcome_text(out, reason, b, &code_out,
                                json_object_get(json_object_get(reply, "error"), "details"));
    }
    if (st == DB_OK && key)
        st = idem_store_finish(c, u->id, key, code_out, text);
    if (st == DB_OK)
        st = db_commit(c);
answer:
    if (st != DB_OK) {
        http_res_db_error(res, st);
    } else if (!text) {
        http_res_error(res, 500, "INTERNAL", "internal error");
    } else {
        if (out == OUT_HELD)
            atomic_fetch_add(&app->n_bookings_created, 1);
        log_info("booking attempt booking_id=%s answer=%d", bid, code_out);
        answer_text(res, code_out, text);
    }
out:
    if (have_tb)
        ticket_booking_cleanup(&tb);
    free(text);
    json_decref(b);
    json_decref(reply);
    db_release(app->pool, c);
}

void booking_handle_create(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    json_t *body = http_req_json(req, res), *details = NULL;
    if (!body)
        return;
    struct booking_request br;
    char rhash[65], bid[37];
    struct db_conn *c = NULL;
    int claimed = 1;
    enum db_status st;
    const char *key = http_req_header(req, "Idempotency-Key");

    if (booking_request_parse(body, &br, &details) < 0 || (key && !idem_key_valid(key))) {
        if (key && !idem_key_valid(key)) {
            if (!details)
                details = json_object();
            json_object_set_new(details, "Idempotency-Key",
                                json_string("must be 1 to 100 printable ASCII characters"));
        }
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid booking request", details,
                            NULL);
        goto out;
    }
    snprintf(br.holder, sizeof br.holder, "%s", u->holder);
    /* an event behind a waiting room needs the user's pass (queue_handler.h) */
    struct queue_gate gate;
    if (queue_gate_check(app, req, res, u->id, br.event_id, &gate) < 0)
        goto out;
    booking_request_hash(&br, rhash);
    rand_uuid(bid);
    /* an Idempotency-Key's request always goes the whole way: its answer
     * is stored with the key */
    if (!key && refuse_by_hint(app, res, u, &br, bid))
        goto out;
    json_t *seats = booking_request_seats(&br);
    char *seats_text = json_dumps(seats, JSON_COMPACT);
    json_decref(seats);
    struct booking_record rec = {.id = bid,
                                 .user_id = u->id,
                                 .event_id = br.event_id,
                                 .seats_json = seats_text,
                                 .attendees_json = br.attendees_json[0] ? br.attendees_json : NULL,
                                 .amount = -1};
    if (key && !(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res))) {
        free(seats_text);
        goto out;
    }
    /* the pass is spent by the attempt it lets in (queue_handler.h), before
     * the attempt is recorded; with a key, in the key's transaction */
    int pass_spent = 0;
    if (!key) {
        st = DB_OK;
        if (gate.required) {
            if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res))) {
                free(seats_text);
                goto out;
            }
            st = queue_gate_claim(app, c, &gate, u->id, br.event_id, bid);
            db_release(app->pool, c);
            c = NULL;
            pass_spent = st == DB_NOT_FOUND;
        }
        /* one statement; no transaction around it without a key */
        if (st == DB_OK && (c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res))) {
            PGresult *r = NULL;
            st = booking_store_record(c, &rec, 1, &r);
            PQclear(r);
            db_release(app->pool, c);
            c = NULL;
        } else if (st == DB_OK) {
            free(seats_text);
            goto out;
        }
    } else {
        /* the key and the attempt commit together: a concurrent duplicate
         * waits on the key's unique index, then finds it taken */
        st = db_begin(c);
        if (st == DB_OK)
            st = idem_store_claim(c, u->id, key, rhash, bid, app->ticket_timeout_ms + IDEM_EXTRA_MS,
                                  &claimed);
        if (st == DB_OK && claimed && gate.required &&
            (st = queue_gate_claim(app, c, &gate, u->id, br.event_id, bid)) == DB_NOT_FOUND)
            pass_spent = 1;
        if (st == DB_OK && claimed) {
            PGresult *r = NULL;
            st = booking_store_record(c, &rec, 1, &r);
            PQclear(r);
        }
        if (st == DB_OK && claimed)
            st = db_commit(c);
        else if (st == DB_OK)
            db_rollback(c);
        db_release(app->pool, c); /* no connection held during the call */
        c = NULL;
    }
    free(seats_text);
    if (pass_spent) {
        queue_gate_refuse(app, res, u->id, br.event_id);
        goto out;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    if (!claimed && idem_follow(app, res, u->id, key, rhash, bid))
        goto out;
    book_and_answer(app, res, u, &br, bid, key);
out:
    json_decref(body);
}

void booking_handle_list(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    long limit, offset, total = 0;
    const char *status = http_req_query(req, "status");
    const char *owner = owner_filter(u);
    if (http_req_paging(req, res, &limit, &offset) < 0)
        return;
    if (status && !booking_status_valid(status)) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid filter",
                            json_pack("{s:s}", "status",
                                      "must be HELD, PENDING_PAYMENT, CONFIRMED, FAILED, "
                                      "EXPIRED or CANCELLED"),
                            NULL);
        return;
    }
    if (u->is_admin && (owner = http_req_query(req, "user_id")) && !uuid_valid(owner)) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid filter",
                            json_pack("{s:s}", "user_id", "must be a UUID"), NULL);
        return;
    }
    const char *q = http_req_query(req, "q");
    if (q && !u->is_admin) {
        http_res_error(res, 403, "FORBIDDEN", "searching bookings is for admins");
        return;
    }
    if (q && (strlen(q) < 1 || strlen(q) > 200)) {
        http_res_error_full(res, 400, "VALIDATION_FAILED", "invalid search",
                            json_pack("{s:s}", "q", "1 to 200 characters"), NULL);
        return;
    }
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    PGresult *r = NULL;
    enum db_status st = q ? booking_store_search(c, q, limit, offset, &r, &total)
                          : booking_store_list(c, owner, status, limit, offset, &r, &total);
    db_release(app->pool, c);
    http_res_rows(res, st, r, booking_json_row, total, limit, offset);
}

/* Answers 200 with the booking (and history), or the error. */
static void answer_booking(struct client_app *app, struct http_res *res, const char *id,
                           const char *owner, int code)
{
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    json_t *b = NULL;
    enum db_status st = load_booking(c, id, owner, 1, &b);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such booking");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    else
        http_res_json(res, code, b);
}

static int ticket_status(struct client_app *app, const char *id, struct ticket_booking *tb,
                         json_t **reply);

/* A booking ticket-app made for the caller (a waitlist offer) that its
 * booking.created notification has not brought yet: asked of ticket-app
 * and stored, so that it is readable as soon as the waitlist entry names
 * it. 1 when it is stored now, 0 otherwise (unknown to ticket-app or
 * another user's, or either side unavailable: the caller answers 404). */
static int adopt_from_ticket(struct client_app *app, const char *id, const struct auth_user *u)
{
    struct ticket_booking tb;
    json_t *reply = NULL;
    int known = ticket_status(app, id, &tb, &reply), stored = 0;
    if (known > 0 && (u->is_admin || (tb.user_id && strcmp(tb.user_id, u->id) == 0))) {
        struct db_conn *c = db_acquire(app->pool, 1000);
        int inserted = 0;
        if (c && booking_store_adopt(c, &tb, &inserted) == DB_OK)
            stored = 1; /* inserted now, or by the notification meanwhile */
        db_release(app->pool, c);
        if (inserted)
            log_info("booking read from ticket-app before its notification booking_id=%s", id);
    }
    if (known > 0)
        ticket_booking_cleanup(&tb);
    json_decref(reply);
    return stored;
}

void booking_handle_get(struct http_req *req, struct http_res *res, void *app)
{
    const char *id = http_req_uuid_param(req, res, "id", "booking");
    if (!id)
        return;
    const struct auth_user *u = auth_current(req);
    answer_booking(app, res, id, owner_filter(u), 200);
    if (res->status == 404 && adopt_from_ticket(app, id, u))
        answer_booking(app, res, id, owner_filter(u), 200);
}

/* Loads the booking (404 if not the caller's): 0 with *row, -1 answered. */
static int fetch_own(struct client_app *app, struct http_req *req, struct http_res *res,
                     const char *id, PGresult **row)
{
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return -1;
    enum db_status st = booking_store_get(c, id, owner_filter(auth_current(req)), row);
    db_release(app->pool, c);
    if (st == DB_NOT_FOUND)
        http_res_error(res, 404, "NOT_FOUND", "no such booking");
    else if (st != DB_OK)
        http_res_db_error(res, st);
    return st == DB_OK ? 0 : -1;
}

/* Stores a TicketBooking from ticket-app (if newer) with a history entry
 * from source; if fail_reason is set and the booking is still REQUESTED,
 * marks it FAILED instead. One transaction. */
static enum db_status store_change_on(struct db_conn *c, const char *id, struct ticket_booking *tb,
                                      const char *fail_reason, const char *source)
{
    int applied = 0;
    enum db_status st = db_begin(c);
    if (st == DB_OK && tb) {
        PGresult *row = NULL;
        st = booking_store_apply_answer(c, tb, source, &row);
        PQclear(row);
        if (st == DB_NOT_FOUND)
            st = DB_OK; /* not newer than what is stored */
    } else if (st == DB_OK && fail_reason) {
        st = booking_store_fail_requested(c, id, fail_reason, &applied);
        if (st == DB_OK && applied)
            st = booking_store_add_event(c, id, booking_status_name(BS_FAILED), fail_reason, source,
                                         NULL);
    }
    if (st == DB_OK)
        st = db_commit(c);
    else
        db_rollback(c);
    return st;
}

/* As store_change_on with a pooled connection: 0, or -1 after answering res. */
static int store_change(struct client_app *app, struct http_res *res, const char *id,
                        struct ticket_booking *tb, const char *fail_reason, const char *source)
{
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return -1;
    enum db_status st = store_change_on(c, id, tb, fail_reason, source);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return -1;
    }
    return 0;
}

/* Asks ticket-app about booking id: 1 with *tb filled (200), 0 when it does
 * not know it (404), -1 when it cannot say (unreachable, 5xx, other). tb
 * borrows from *reply (a new reference or NULL): json_decref it after tb. */
static int ticket_status(struct client_app *app, const char *id, struct ticket_booking *tb,
                         json_t **reply)
{
    char path[96], err[128];
    long status = 0;
    int rc = -1;
    *reply = NULL;
    snprintf(path, sizeof(path), "/api/bookings/%s", id);
    if (ticket_call_json(app, "GET", path, NULL, &status, reply) == 0) {
        if (status == 200 && ticket_booking_parse(*reply, tb, 1, err, sizeof(err)) == 0)
            rc = 1;
        else if (status == 404)
            rc = 0;
    }
    return rc;
}

int booking_reconcile_stale(struct client_app *app)
{
    /* older than any request could still be waiting on, its key lock included */
    long age_ms = 2 * app->ticket_timeout_ms + IDEM_EXTRA_MS;
    struct db_conn *c = db_acquire(app->pool, 1000);
    if (!c)
        return -1;
    PGresult *r = NULL;
    enum db_status st = booking_store_stale_requested(c, age_ms, 20, &r);
    db_release(app->pool, c); /* no connection held during the calls */
    if (st != DB_OK)
        return -1;
    int settled = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *id = PQgetvalue(r, i, 0);
        struct ticket_booking tb;
        json_t *reply = NULL;
        int known = ticket_status(app, id, &tb, &reply);
        if (known < 0 || !(c = db_acquire(app->pool, 1000))) {
            if (known > 0)
                ticket_booking_cleanup(&tb);
            json_decref(reply);
            break; /* ticket-app or the database unavailable: next round */
        }
        st = store_change_on(c, id, known ? &tb : NULL, known ? NULL : "TICKET_SERVICE_UNAVAILABLE",
                             "reconcile");
        db_release(app->pool, c);
        if (known)
            ticket_booking_cleanup(&tb);
        json_decref(reply);
        if (st != DB_OK)
            break;
        log_info("stale attempt settled booking_id=%s", id);
        settled++;
    }
    PQclear(r);
    return settled;
}

void booking_handle_refresh(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id = http_req_uuid_param(req, res, "id", "booking");
    PGresult *row = NULL;
    if (!id || fetch_own(app, req, res, id, &row) < 0)
        return;
    long age_ms = 0;
    struct ticket_booking tb;
    const char *fail_reason = NULL;
    int requested = booking_status_parse(db_get(row, 0, "status")) == BS_REQUESTED;
    parse_long(db_get(row, 0, "age_ms"), &age_ms);
    PQclear(row);

    json_t *reply = NULL;
    int known = ticket_status(app, id, &tb, &reply);
    if (known < 0) {
        json_decref(reply);
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
        return;
    }
    /* ticket-app never saw it: an attempt whose call died with its request */
    if (!known && requested && age_ms > app->ticket_timeout_ms + IDEM_EXTRA_MS)
        fail_reason = "TICKET_SERVICE_UNAVAILABLE";
    int rc = 0;
    if (known || fail_reason)
        rc = store_change(app, res, id, known ? &tb : NULL, fail_reason, "refresh");
    if (known)
        ticket_booking_cleanup(&tb);
    json_decref(reply);
    if (rc == 0)
        answer_booking(app, res, id, NULL, 200);
}

/* booking_cancel_remote, as an admin when as_admin (ticket-app then applies
 * the admin's rule: allowed after the event started, never once checked
 * in; it takes client-app's word for who asks). */
static int cancel_remote_as(struct client_app *app, struct http_res *res, const char *id,
                            int as_admin, long *status, json_t **reply)
{
    char path[96];
    struct ticket_booking tb;
    int have_tb = 0, rc = 0;
    *status = 0;
    *reply = NULL;
    snprintf(path, sizeof(path), "/api/bookings/%s/cancel", id);
    json_t *by = as_admin ? json_pack("{s:s}", "by", "admin") : NULL;
    int call = ticket_call_json(app, "POST", path, by, status, reply);
    json_decref(by);
    if (call < 0 || *status >= 500 || *status == 401 || *status == 403) {
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        http_res_error(res, 503, "SERVICE_UNAVAILABLE", "the ticket service is unavailable");
        return -1;
    }
    if (ticket_reply_booking(*reply, &tb) == 0) {
        if (strcasecmp(tb.booking_id, id) == 0)
            have_tb = 1;
        else
            ticket_booking_cleanup(&tb);
    }
    if (have_tb && store_change(app, res, id, &tb, NULL, "cancel") < 0)
        rc = -1;
    else if (have_tb && tb.state == BS_CANCELLED)
        forget_seats(app, &tb); /* freed (or passed on to their waitlist) */
    if (have_tb)
        ticket_booking_cleanup(&tb);
    return rc;
}

int booking_cancel_remote(struct client_app *app, struct http_res *res, const char *id,
                          long *status, json_t **reply)
{
    return cancel_remote_as(app, res, id, 0, status, reply);
}

void booking_handle_cancel(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id = http_req_uuid_param(req, res, "id", "booking");
    PGresult *row = NULL;
    if (!id || fetch_own(app, req, res, id, &row) < 0)
        return;
    PQclear(row);
    long status = 0;
    json_t *reply = NULL, *b = NULL;
    if (cancel_remote_as(app, res, id, auth_current(req)->is_admin, &status, &reply) < 0)
        goto out;
    if (status == 200 || status == 201) {
        answer_booking(app, res, id, NULL, 200);
        goto out;
    }
    /* 409 from ticket-app, or 404 (it never held this booking): not cancellable */
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        goto out;
    enum db_status st = load_booking(c, id, NULL, 0, &b);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    const char *code = json_str(json_object_get(reply, "error"), "code");
    json_t *details = json_object_get(json_object_get(reply, "error"), "details");
    http_res_error_full(res, 409, status == 409 && code ? code : "NOT_CANCELLABLE",
                        "the booking cannot be cancelled",
                        json_is_object(details) ? json_deep_copy(details) : NULL,
                        json_pack("{s:O}", "booking", b));
out:
    json_decref(b);
    json_decref(reply);
}

/* Serves the PDF; stores one fetched from ticket-app when it came late. */
void booking_handle_ticket(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const char *id;
    struct db_conn *c = db_acquire_for_id(app->pool, APP_DB_WAIT_MS, req, res, "booking", &id);
    if (!c)
        return;
    PGresult *r = NULL;
    struct httpc_res tr = {0};
    char disp[128], path[96];
    enum db_status st = booking_store_get_pdf(c, id, owner_filter(auth_current(req)), &r);
    db_release(app->pool, c);
    c = NULL;
    snprintf(disp, sizeof(disp), "attachment; filename=\"ticket-%s.pdf\"", id);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "no such booking");
        goto out;
    } else if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    if (booking_status_parse(db_get(r, 0, "status")) != BS_CONFIRMED) {
        http_res_error(res, 409, "TICKET_NOT_READY", "the booking is not confirmed");
        goto out;
    }
    const char *hex = db_get(r, 0, "pdf_hex");
    if (hex) {
        size_t hlen = strlen(hex), n = 0;
        char *pdf = xmalloc(hlen / 2 + 1);
        sodium_hex2bin((unsigned char *)pdf, hlen / 2 + 1, hex, hlen, NULL, &n, NULL);
        http_res_take(res, 200, "application/pdf", pdf, n);
        http_res_header(res, "Content-Disposition", disp);
        goto out;
    }
    snprintf(path, sizeof(path), "/api/bookings/%s/ticket.pdf", id);
    if (ticket_call_raw(app, "GET", path, &tr) < 0 || tr.status >= 500) {
        http_res_error(res, 503, "SERVICE_UNAVAILABLE",
                       "the ticket is not stored yet and the "
                       "ticket service is unavailable");
        goto out;
    }
    if (tr.status != 200 || tr.len < 5 || tr.len > BOOKING_PDF_MAX ||
        memcmp(tr.body, "%PDF-", 5) != 0) {
        http_res_error(res, 409, "TICKET_NOT_READY", "the ticket is not ready yet");
        goto out;
    }
    if ((c = db_acquire(app->pool, 2000))) {
        if (booking_store_put_pdf(c, id, (unsigned char *)tr.body, tr.len) != DB_OK)
            log_warn("could not store fetched ticket booking_id=%s", id);
        db_release(app->pool, c);
    }
    http_res_take(res, 200, "application/pdf", tr.body, tr.len);
    tr.body = NULL;
    http_res_header(res, "Content-Disposition", disp);
out:
    httpc_res_cleanup(&tr);
    PQclear(r);
}

void booking_handle_checkout(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    const struct auth_user *u = auth_current(req);
    const char *id = http_req_uuid_param(req, res, "id", "booking");
    if (!id)
        return;
    /* the owner only: an admin checks out no one else's selection */
    struct db_conn *c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res);
    if (!c)
        return;
    PGresult *row = NULL;
    enum db_status st = booking_store_get(c, id, u->id, &row);
    db_release(app->pool, c);
    PQclear(row);
    if (st == DB_NOT_FOUND) {
        http_res_error(res, 404, "NOT_FOUND", "no such booking");
        return;
    }
    if (st != DB_OK) {
        http_res_db_error(res, st);
        return;
    }
    char path[96];
    long status = 0;
    json_t *reply = NULL, *b = NULL;
    snprintf(path, sizeof(path), "/api/bookings/%s/checkout", id);
    json_t *body = json_pack("{s:s}", "user_id", u->id);
    int call = ticket_call_json(app, "POST", path, body, &status, &reply);
    json_decref(body);
    struct ticket_booking tb;
    int have_tb = call == 0 && ticket_reply_booking(reply, &tb) == 0;
    if (have_tb && strcasecmp(tb.booking_id, id) != 0) {
        ticket_booking_cleanup(&tb);
        have_tb = 0;
    }
    /* what ticket-app says the booking is now, stored with its history
     * entry (an expired selection too: the refusal carries it) */
    int stored = have_tb ? store_change(app, res, id, &tb, NULL, "checkout") : 0;
    if (have_tb)
        ticket_booking_cleanup(&tb);
    if (stored < 0)
        goto out;
    if (call == 0 && (status == 200 || status == 201)) {
        answer_booking(app, res, id, NULL, 201);
        goto out;
    }
    if (call == 0 && status == 404) {
        http_res_error(res, 404, "NOT_FOUND", "no such booking");
        goto out;
    }
    if (call < 0 || status != 409 || !have_tb) {
        /* unreachable, or its invoice could not be made (the booking is
         * then FAILED, stored above): 503 as a hold's answer is */
        atomic_fetch_add(&app->n_ticket_unavailable, 1);
        json_t *extra = NULL;
        if (have_tb && (c = db_acquire(app->pool, APP_DB_WAIT_MS))) {
            if (load_booking(c, id, NULL, 0, &b) == DB_OK)
                extra = json_pack("{s:O}", "booking", b);
            db_release(app->pool, c);
        }
        http_res_error_full(res, 503, "TICKET_SERVICE_UNAVAILABLE",
                            "the ticket service is unavailable", NULL, extra);
        goto out;
    }
    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        goto out;
    st = load_booking(c, id, NULL, 0, &b);
    db_release(app->pool, c);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    /* HOLD_EXPIRED (the selection lock ran out) or NOT_HELD */
    const json_t *err = json_object_get(reply, "error");
    const char *code = json_str(err, "code");
    const json_t *details = json_object_get(err, "details");
    http_res_error_full(
        res, 409, code ? code : "NOT_HELD",
        code && strcmp(code, "HOLD_EXPIRED") == 0 ? "the selection lock ran out before checkout"
                                                  : "the booking is not held for selection",
        json_is_object(details) ? json_deep_copy(details) : NULL, json_pack("{s:O}", "booking", b));
out:
    json_decref(b);
    json_decref(reply);
}
