/*
 * log.c — formats log lines (plain or JSON) and writes each with one
 * write(2) so lines from different threads never interleave.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"

static tw_log_level_t log_level = TW_LOG_INFO;
static bool log_json = false;

static const char *level_names[] = {
    [TW_LOG_ERROR] = "error", [TW_LOG_WARNING] = "warning", [TW_LOG_NOTICE] = "notice",
    [TW_LOG_INFO] = "info",   [TW_LOG_DEBUG] = "debug",
};

void tw_log_set_level(tw_log_level_t level)
{
    log_level = level;
}

tw_log_level_t tw_log_get_level(void)
{
    return log_level;
}

void tw_log_set_json(bool json)
{
    log_json = json;
}

bool tw_log_level_parse(const char *name, tw_log_level_t *level)
{
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(level_names); i++) {
        if (level_names[i] && strcmp(level_names[i], name) == 0) {
            *level = (tw_log_level_t)i;
            return true;
        }
    }
    if (strcmp(name, "warn") == 0) {
        *level = TW_LOG_WARNING;
        return true;
    }
    return false;
}

/* Control characters escaped: a message may carry names that came from
 * rows (an event type, a table name), and a newline in one must not start
 * a line that looks like tidewater's own. */
static void append_plain(tw_buf_t *line, const char *msg)
{
    const char *p;

    for (p = msg; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n')
            tw_buf_append_str(line, "\\n");
        else if (c == '\r')
            tw_buf_append_str(line, "\\r");
        else if (c == '\t')
            tw_buf_append_str(line, "\\t");
        else if (c < 0x20 || c == 0x7F)
            tw_buf_printf(line, "\\x%02x", c);
        else
            tw_buf_append_char(line, (char)c);
    }
}

void tw_log(tw_log_level_t level, const char *facility, const char *fmt, ...)
{
    char msg[2048];
    char stamp[96];
    struct timeval tv;
    struct tm tm;
    tw_buf_t line = TW_BUF_INIT;
    va_list ap;
    ssize_t unused;

    if (!tw_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(tv.tv_usec / 1000));

    if (log_json) {
        tw_buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"facility\":", stamp,
                      level_names[level]);
        tw_buf_append_json_string(&line, facility, strlen(facility));
        tw_buf_append_str(&line, ",\"msg\":");
        tw_buf_append_json_string(&line, msg, strlen(msg));
        tw_buf_append_str(&line, "}\n");
    } else {
        tw_buf_printf(&line, "%s %s %s: ", stamp, level_names[level], facility);
        append_plain(&line, msg);
        tw_buf_append_char(&line, '\n');
    }
    unused = write(STDERR_FILENO, line.data, line.len);
    (void)unused;
    tw_buf_free(&line);
}
