/* bg.h: background loops (settlement workers, sweepers, outbox delivery).
 * Each loop is a thread that calls tick until stopped. */
#ifndef COMMON_BG_H
#define COMMON_BG_H

/* tick returns > 0 when it did work (called again at once), 0 when idle
 * (called again after idle_ms, or sooner on bg_wake), < 0 on error (after
 * idle_ms, logged). */
typedef int (*bg_tick)(void *arg);

struct bg_loop;

/* Starts a loop thread. name (borrowed) is used in logs. */
struct bg_loop *bg_start(const char *name, bg_tick tick, void *arg, int idle_ms);
/* Wakes an idle loop now (e.g. after enqueueing work). */
void bg_wake(struct bg_loop *loop);
/* Asks the loop to stop after its current tick, joins it, frees it. */
void bg_stop(struct bg_loop *loop);
/* 1 once bg_stop was called on the loop running this tick (for long ticks
 * that sleep: they should return early). */
int bg_stopping(void);
/* Sleeps up to ms, returning early (1) if the current loop is stopping. */
int bg_sleep_ms(long ms);

#endif
