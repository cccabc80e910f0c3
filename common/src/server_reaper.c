/* server_reaper.c: slow clients (slowloris). A request must arrive whole
 * within the connection timeout (see struct conn_track); a thread checks
 * four times a second and shuts down the socket of one that does not. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/log.h"
#include "server_internal.h"

void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                   enum MHD_ConnectionNotificationCode code)
{
    struct http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn_track *t = xcalloc(1, sizeof *t);
        t->fd = ci ? ci->connect_fd : -1;
        t->since_us = server_mono_us();
        t->receiving = 1;
        pthread_mutex_lock(&srv->clock);
        t->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = t;
        srv->conns = t;
        pthread_mutex_unlock(&srv->clock);
        *socket_context = t;
        return;
    }
    struct conn_track *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&srv->clock);
    if (t->prev)
        t->prev->next = t->next;
    else
        srv->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&srv->clock);
    free(t);
    *socket_context = NULL;
}

/* receiving 1: a new request may start arriving now; 0: it has arrived. */
void conn_receiving(struct http_server *srv, struct MHD_Connection *conn, int receiving)
{
    const union MHD_ConnectionInfo *ci =
        conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
    struct conn_track *t = ci ? ci->socket_context : NULL;
    if (!t)
        return;
    pthread_mutex_lock(&srv->clock);
    t->receiving = receiving;
    if (receiving)
        t->since_us = server_mono_us();
    pthread_mutex_unlock(&srv->clock);
}

static void *reaper_main(void *arg)
{
    struct http_server *srv = arg;
    pthread_mutex_lock(&srv->clock);
    while (!srv->reaper_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->reaper_cond, &srv->clock, &ts);
        int64_t now = server_mono_us();
        for (struct conn_track *t = srv->conns; t; t = t->next) {
            if (t->receiving && !t->cut && t->fd >= 0 && now - t->since_us > srv->deadline_us) {
                shutdown(t->fd, SHUT_RDWR);
                t->cut = 1;
                srv->cut_total++;
            }
        }
    }
    pthread_mutex_unlock(&srv->clock);
    return NULL;
}

void reaper_stop(struct http_server *srv)
{
    if (!srv->reaper_running)
        return;
    pthread_mutex_lock(&srv->clock);
    srv->reaper_stop = 1;
    pthread_cond_signal(&srv->reaper_cond);
    pthread_mutex_unlock(&srv->clock);
    pthread_join(srv->reaper, NULL);
    srv->reaper_running = 0;
}

int reaper_start(struct http_server *srv)
{
    int rc = pthread_create(&srv->reaper, NULL, reaper_main, srv);
    if (rc != 0) {
        log_warn("no slow-client reaper: %s", strerror(rc));
        return -1;
    }
    srv->reaper_running = 1;
    return 0;
}
