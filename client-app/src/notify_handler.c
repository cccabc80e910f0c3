/* notify_handler.c: the receiver of ticket-app's signed notifications.
 * Each id is applied once (its row in processed_notifications commits with
 * the change), a change only if its version is newer than the one held, and
 * a confirmation's PDF is stored so tickets are served with ticket-app down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "booking.h"
#include "booking_store.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/rand.h"
#include "common/sig.h"
#include "common/util.h"
#include "inbox_notify.h"

void notify_handle_post(struct http_req *req, struct http_res *res, void *appv)
{
    struct client_app *app = appv;
    json_t *body = http_req_json(req, res);
    if (!body)
        return;
    struct notification n;
    char err[160];
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    struct db_conn *c = NULL;
    int parsed = 0;

    const char *type = json_str(body, "type");
    if (type && !notification_type_known(type)) {
        /* a newer ticket-app may send more: acknowledged, nothing to do */
        log_info("notification of unknown type ignored type=%.40s", type);
        http_res_no_content(res);
        goto out;
    }
    /* ticket-app takes any user id from its service caller; a booking of a
     * user id that cannot be one of ours (not a UUID) can never apply here.
     * Acknowledged, like an unknown user, or the sender retries it for ever. */
    const char *uid =
        json_str(json_object_get(json_object_get(body, "data"), "booking"), "user_id");
    if (uid && !uuid_valid(uid)) {
        log_warn("notification for a user id that is not ours ignored type=%.40s",
                 type ? type : "-");
        http_res_no_content(res);
        goto out;
    }
    if (notification_parse(body, &n, err, sizeof(err)) < 0) {
        atomic_fetch_add(&app->n_notifications_rejected, 1);
        log_warn("notification rejected: %s", err);
        http_res_error(res, 400, "VALIDATION_FAILED", "%s", err);
        goto out;
    }
    parsed = 1;
    if (n.pdf_base64 && booking_pdf_decode(n.pdf_base64, n.pdf_base64_len, &pdf, &pdf_len) < 0)
        /* the status change still counts; the PDF is fetched on demand later */
        log_error("notification carries an unusable ticket PDF id=%s booking_id=%s", n.id,
                  n.booking.booking_id);

    if (!(c = db_acquire_or_503(app->pool, APP_DB_WAIT_MS, res)))
        goto out;
    int fresh = 0, applied = 0, inserted = 0;
    /* with the inbox entries it causes, in one transaction */
    enum db_status st = inbox_notify_apply(c, &n, body, pdf, pdf_len, &fresh, &applied, &inserted);
    if (st != DB_OK) {
        http_res_db_error(res, st);
        goto out;
    }
    if (!fresh) {
        atomic_fetch_add(&app->n_notifications_duplicate, 1);
        log_debug("notification already applied id=%s", n.id);
    } else {
        atomic_fetch_add(&app->n_notifications_applied, 1);
        log_info("notification id=%s type=%s booking_id=%s version=%s %s", n.id, n.type,
                 n.booking.booking_id, n.booking.version,
                 inserted  ? "created"
                 : applied ? "applied"
                           : "not newer or unknown user");
    }
    http_res_no_content(res);
out:
    free(pdf);
    if (parsed)
        notification_cleanup(&n);
    db_release(app->pool, c);
    json_decref(body);
}
