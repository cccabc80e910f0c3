/* booking_record.h: booking attempts recorded in groups. Every attempt is
 * recorded before ticket-app is called (or, refused here by the taken-seat
 * hint, instead of calling it); under load the attempts that arrive while
 * the statements in flight run go together in the next statement and
 * commit (common/group.h), each caller returning once its row is
 * committed. */
#ifndef CLIENT_BOOKING_RECORD_H
#define CLIENT_BOOKING_RECORD_H

#include <jansson.h>

#include "booking_store.h"
#include "common/db.h"

struct booking_recorder;

/* At most max attempts per statement and inflight statements at once,
 * over pool. */
struct booking_recorder *booking_recorder_create(struct db_pool *pool, int max, int inflight);
void booking_recorder_destroy(struct booking_recorder *r);

/* Records rec (booking_store_record) with whichever others are waiting.
 * DB_UNAVAILABLE when no connection came free in time. On DB_OK, if out is
 * not NULL, *out is the booking as the API shows it (new reference). */
enum db_status booking_recorder_run(struct booking_recorder *r, const struct booking_record *rec,
                                    json_t **out);

/* How many statements have been written, carrying how many attempts. */
void booking_recorder_counts(struct booking_recorder *r, long *statements, long *attempts);

#endif
