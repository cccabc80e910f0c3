/* bg.c: background loop threads (settlement workers, sweepers, outbox
 * delivery): call tick until stopped, sleep when idle, wake on demand. */
#include "common/bg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"

struct bg_loop {
    pthread_t thread;
    char name[64];
    bg_tick tick;
    void *arg;
    int idle_ms;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop; /* under lock */
    int wake; /* under lock */
};

/* The loop whose tick runs on this thread, for bg_stopping/bg_sleep_ms. */
static _Thread_local struct bg_loop *bg_current;

static void bg_deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *bg_main(void *p)
{
    struct bg_loop *loop = p;
    bg_current = loop;
    long failures = 0;
    log_info("bg %s: started", loop->name);
    for (;;) {
        pthread_mutex_lock(&loop->lock);
        int stop = loop->stop;
        loop->wake = 0;
        pthread_mutex_unlock(&loop->lock);
        if (stop)
            break;

        int r = loop->tick(loop->arg);
        if (r < 0) {
            /* Say it once when it starts failing and now and then after,
             * not every idle period while the database is down. */
            if (failures++ % 60 == 0)
                log_warn("bg %s: tick failed (%ld in a row)", loop->name, failures);
        } else if (failures) {
            log_info("bg %s: recovered after %ld failed ticks", loop->name, failures);
            failures = 0;
        }
        if (r > 0)
            continue;

        struct timespec ts;
        bg_deadline(&ts, loop->idle_ms);
        pthread_mutex_lock(&loop->lock);
        while (!loop->stop && !loop->wake) {
            if (pthread_cond_timedwait(&loop->cond, &loop->lock, &ts) == ETIMEDOUT)
                break;
        }
        pthread_mutex_unlock(&loop->lock);
    }
    log_info("bg %s: stopped", loop->name);
    bg_current = NULL;
    return NULL;
}

struct bg_loop *bg_start(const char *name, bg_tick tick, void *arg, int idle_ms)
{
    struct bg_loop *loop = xcalloc(1, sizeof *loop);
    snprintf(loop->name, sizeof loop->name, "%s", name ? name : "loop");
    loop->tick = tick;
    loop->arg = arg;
    loop->idle_ms = idle_ms > 0 ? idle_ms : 1;
    pthread_mutex_init(&loop->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&loop->cond, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&loop->thread, NULL, bg_main, loop);
    if (rc != 0) {
        log_error("bg %s: cannot start thread: %s", loop->name, strerror(rc));
        abort();
    }
    return loop;
}

void bg_wake(struct bg_loop *loop)
{
    if (!loop)
        return;
    pthread_mutex_lock(&loop->lock);
    loop->wake = 1;
    pthread_cond_broadcast(&loop->cond);
    pthread_mutex_unlock(&loop->lock);
}

void bg_stop(struct bg_loop *loop)
{
    if (!loop)
        return;
    pthread_mutex_lock(&loop->lock);
    loop->stop = 1;
    pthread_cond_broadcast(&loop->cond);
    pthread_mutex_unlock(&loop->lock);
    pthread_join(loop->thread, NULL);
    pthread_mutex_destroy(&loop->lock);
    pthread_cond_destroy(&loop->cond);
    free(loop);
}

int bg_stopping(void)
{
    struct bg_loop *loop = bg_current;
    if (!loop)
        return 0;
    pthread_mutex_lock(&loop->lock);
    int stop = loop->stop;
    pthread_mutex_unlock(&loop->lock);
    return stop;
}

int bg_sleep_ms(long ms)
{
    struct bg_loop *loop = bg_current;
    if (ms < 0)
        ms = 0;
    if (!loop) {
        sleep_ms(ms);
        return 0;
    }
    struct timespec ts;
    bg_deadline(&ts, ms);
    pthread_mutex_lock(&loop->lock);
    while (!loop->stop) {
        if (pthread_cond_timedwait(&loop->cond, &loop->lock, &ts) == ETIMEDOUT)
            break;
    }
    int stop = loop->stop;
    pthread_mutex_unlock(&loop->lock);
    return stop;
}
