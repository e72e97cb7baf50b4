/*
 * log.h — levelled logging to stderr with short facility tags.
 *
 * One line per event that changes state; never one per row at INFO. Callers
 * must not pass secrets: config values marked secret are never formatted into
 * messages, and conninfo strings are logged only through tw_log_redact_conninfo.
 */
#ifndef TW_LOG_H
#define TW_LOG_H

#include <stdbool.h>

#include "util/common.h"

/* Syslog-style severities, so `log.level` reads like every daemon's. */
typedef enum tw_log_level {
    TW_LOG_ERROR = 3,
    TW_LOG_WARNING = 4,
    TW_LOG_NOTICE = 5,
    TW_LOG_INFO = 6,
    TW_LOG_DEBUG = 7,
} tw_log_level_t;

void tw_log_set_level(tw_log_level_t level);
tw_log_level_t tw_log_get_level(void);
/* One JSON object per line ({"ts","level","facility","msg"}) for log shippers. */
void tw_log_set_json(bool json);
/* "error", "warning", "notice", "info", "debug" → level; false if unknown. */
bool tw_log_level_parse(const char *name, tw_log_level_t *level);

static inline bool tw_log_enabled(tw_log_level_t level)
{
    return level <= tw_log_get_level();
}

void tw_log(tw_log_level_t level, const char *facility, const char *fmt, ...) TW_PRINTF(3, 4);

#endif /* TW_LOG_H */
