/*
 * signals.c — a flag set from the signal handler, read by the main loop.
 */
#include "util/signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal = 0;

static void on_stop(int signo)
{
    stop_signal = signo;
}

void tw_signals_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: poll() must return EINTR so the loop sees the flag. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool tw_signals_stop_requested(void)
{
    return stop_signal != 0;
}

const char *tw_signals_stop_reason(void)
{
    switch (stop_signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case 0: return NULL;
    }
    return "signal";
}
