/* loops.h: ticket-app's background loops: the hold sweeper, the outbox
 * delivery of notifications, and the follow-up runners (HTTP follow-ups:
 * void, refund, organizer release; rendering of tickets). Each tick takes
 * the app and returns what bg.h expects (> 0 worked, 0 idle, < 0 error). */
#ifndef TICKET_LOOPS_H
#define TICKET_LOOPS_H

#include "followup_store.h"

struct app;

int loops_sweep_tick(void *app);
int loops_notify_tick(void *app);
int loops_followup_http_tick(void *app);
int loops_followup_render_tick(void *app);

/* Runs one claimed follow-up: 0 done, -1 retry later (err gets why). */
int followup_run(struct app *app, const struct followup *f, char *err, size_t errlen);

/* Delay before the next attempt after `attempts` failed ones: 1 s doubling,
 * capped at 10 min, scaled by jitter in [0.5, 1.5). Pure. */
long followup_backoff_ms(int attempts, double jitter01);

#define FOLLOWUP_MAX_ATTEMPTS 40

#endif
