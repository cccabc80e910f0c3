/* app.c: small operations on the shared payment-app state (app.h) that
 * handlers and loops use, kept out of main.c so tests can link them. */
#include "app.h"

#include "common/bg.h"

void payment_wake_settlers(struct payment_app *a)
{
    for (long i = 0; i < a->workers && i < PAYMENT_WORKERS_MAX; i++)
        if (a->settlers[i])
            bg_wake(a->settlers[i]);
}

void payment_wake_delivery(struct payment_app *a)
{
    if (a->deliverer)
        bg_wake(a->deliverer);
}
