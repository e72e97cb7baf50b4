/*
 * signals.h — SIGINT/SIGTERM request an orderly stop; the main loop polls
 * the flag (blocking calls return EINTR so it notices promptly).
 */
#ifndef TW_SIGNALS_H
#define TW_SIGNALS_H

#include <stdbool.h>

void tw_signals_install(void);
bool tw_signals_stop_requested(void);
/* Name of the signal that asked to stop ("SIGTERM"), or NULL. */
const char *tw_signals_stop_reason(void);

#endif /* TW_SIGNALS_H */
