/*
 * tail.c — renders committed changes as JSON lines.
 *
 * Output goes through our own buffer and write(2), waiting for the
 * descriptor with poll(): a reader that stalls must not stall the
 * replication connection, so while output is blocked the caller's wait
 * callback runs (it sends standby status updates).
 */
#include "cli/tail.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/calendar.h"
#include "util/log.h"

/* Buffered output beyond this is written out before more is added. */
#define TAIL_OUT_HIGH_WATER 65536

struct tw_tail {
    int fd;
    bool regular_file; /* never blocks: write everything at once */
    tw_buf_t pending;  /* rendered but not yet written */
    tw_changefeed_tick_cb wait;
    void *wait_opaque;
    char *placeholder;
    tw_buf_t line;
    tw_arena_t *arena;
    tw_lsn_t flushed;
    uint64_t lines;
};

tw_tail_t *tw_tail_new(FILE *out, const char *placeholder)
{
    tw_tail_t *tail = tw_calloc(1, sizeof(*tail));
    struct stat st;

    fflush(out);
    tail->fd = fileno(out);
    tail->regular_file = fstat(tail->fd, &st) == 0 && S_ISREG(st.st_mode);
    tail->placeholder = tw_strdup(placeholder ? placeholder : "__debezium_unavailable_value");
    tail->arena = tw_arena_new(16384);
    return tail;
}

void tw_tail_destroy(tw_tail_t *tail)
{
    if (tail == NULL)
        return;
    tw_buf_free(&tail->line);
    tw_buf_free(&tail->pending);
    tw_arena_destroy(tail->arena);
    free(tail->placeholder);
    free(tail);
}

void tw_tail_set_wait(tw_tail_t *tail, tw_changefeed_tick_cb wait, void *opaque)
{
    tail->wait = wait;
    tail->wait_opaque = opaque;
}

/* Writes out everything pending. Waits for the descriptor in short polls,
 * calling the wait callback in between; after POLLOUT, a pipe takes
 * PIPE_BUF bytes without blocking. */
static tw_err_t out_flush(tw_tail_t *tail, char *errstr, size_t errstr_size)
{
    size_t done = 0;
    tw_err_t err = TW_OK;

    while (done < tail->pending.len) {
        struct pollfd pfd = {tail->fd, POLLOUT, 0};
        size_t chunk = tail->pending.len - done;
        ssize_t n;
        int rc = tail->regular_file ? 1 : poll(&pfd, 1, 100);

        if (rc < 0 && errno != EINTR) {
            err = tw_errf(TW_ERR_IO, errstr, errstr_size, "waiting for output: %s",
                          strerror(errno));
            break;
        }
        if (tail->wait) {
            err = tail->wait(tail->wait_opaque, errstr, errstr_size);
            if (err)
                break;
        }
        if (rc <= 0)
            continue;
        if (!tail->regular_file && chunk > PIPE_BUF)
            chunk = PIPE_BUF;
        n = write(tail->fd, tail->pending.data + done, chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            err = tw_errf(TW_ERR_IO, errstr, errstr_size, "writing to output: %s",
                          strerror(errno));
            break;
        }
        done += (size_t)n;
    }
    /* Keep what was not written (only after an error). */
    if (done > 0) {
        memmove(tail->pending.data, tail->pending.data + done, tail->pending.len - done);
        tail->pending.len -= done;
    }
    return err;
}

void tw_format_timestamp_utc(int64_t unix_us, char *out, size_t out_size)
{
    int64_t days = tw_calendar_floor_div(unix_us, TW_USECS_PER_DAY);
    int64_t micros = unix_us - days * TW_USECS_PER_DAY, year;
    int month, day;

    tw_calendar_civil_from_days(days, &year, &month, &day);
    snprintf(out, out_size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%06dZ", year, month, day,
             (int)(micros / TW_USECS_PER_HOUR), (int)(micros / TW_USECS_PER_MINUTE % 60),
             (int)(micros / TW_USECS_PER_SEC % 60), (int)(micros % TW_USECS_PER_SEC));
}

/* Appends {"col": value, ...} (or null for no tuple); with keys_only, just
 * the replica-identity columns. */
static tw_err_t append_row(tw_tail_t *tail, const tw_rel_t *rel,
                           const tw_pgoutput_tuple_t *tuple, bool keys_only, char *errstr,
                           size_t errstr_size)
{
    bool first = true;
    uint16_t i;
    tw_err_t err;

    if (tuple == NULL) {
        tw_buf_append_str(&tail->line, "null");
        return TW_OK;
    }
    tw_buf_append_char(&tail->line, '{');
    for (i = 0; i < rel->ncols && i < tuple->ncols; i++) {
        tw_value_t value;
        if (keys_only && !rel->cols[i].is_key)
            continue;
        err = tw_change_column_value(rel, tuple, i, tail->arena, &value, errstr, errstr_size);
        if (err)
            return err;
        if (!first)
            tw_buf_append_char(&tail->line, ',');
        first = false;
        tw_buf_append_json_string(&tail->line, rel->cols[i].name, strlen(rel->cols[i].name));
        tw_buf_append_char(&tail->line, ':');
        if (value.kind == TW_VALUE_UNCHANGED_TOAST)
            tw_buf_append_json_string(&tail->line, tail->placeholder, strlen(tail->placeholder));
        else
            tw_value_append_json(&tail->line, &value);
    }
    tw_buf_append_char(&tail->line, '}');
    return TW_OK;
}

static bool has_key_columns(const tw_rel_t *rel)
{
    uint16_t i;

    for (i = 0; i < rel->ncols; i++)
        if (rel->cols[i].is_key)
            return true;
    return false;
}

static void append_header(tw_tail_t *tail, char op)
{
    tw_buf_printf(&tail->line, "{\"op\":\"%c\"", op);
}

static void append_position(tw_tail_t *tail, const tw_txn_t *txn, tw_lsn_t lsn)
{
    char ts[64];

    tw_buf_printf(&tail->line, ",\"lsn\":\"" TW_LSN_FMT "\"", TW_LSN_ARGS(lsn));
    if (txn) {
        tw_format_timestamp_utc(txn->commit_ts, ts, sizeof(ts));
        tw_buf_printf(&tail->line, ",\"xid\":%u,\"commit_ts\":\"%s\"", txn->xid, ts);
    } else {
        tw_buf_append_str(&tail->line, ",\"xid\":null,\"commit_ts\":null");
    }
}

static void append_message(tw_tail_t *tail, const tw_txn_t *txn, const tw_change_t *change)
{
    append_header(tail, 'm');
    tw_buf_append_str(&tail->line, ",\"prefix\":");
    tw_buf_append_json_string(&tail->line, change->prefix, strlen(change->prefix));
    append_position(tail, txn, change->lsn);
    tw_buf_printf(&tail->line, ",\"transactional\":%s", change->transactional ? "true" : "false");
    /* Content is bytes: print it as text only when that loses nothing. */
    if (tw_utf8_valid(change->content, change->content_len) &&
        memchr(change->content, '\0', change->content_len) == NULL) {
        tw_buf_append_str(&tail->line, ",\"content\":");
        tw_buf_append_json_string(&tail->line, change->content, change->content_len);
    } else {
        tw_buf_append_str(&tail->line, ",\"content_base64\":\"");
        tw_buf_append_base64(&tail->line, (const uint8_t *)change->content, change->content_len);
        tw_buf_append_char(&tail->line, '"');
    }
    tw_buf_append_str(&tail->line, "}\n");
}

static tw_err_t tail_begin(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size)
{
    (void)opaque;
    (void)txn;
    (void)errstr;
    (void)errstr_size;
    return TW_OK;
}

static tw_err_t tail_change(void *opaque, const tw_txn_t *txn, const tw_change_t *change,
                            char *errstr, size_t errstr_size)
{
    tw_tail_t *tail = opaque;
    const tw_rel_t *rel = change->rel;
    const tw_pgoutput_tuple_t *key_tuple;
    tw_err_t err = TW_OK;

    tw_buf_reset(&tail->line);
    tw_arena_reset(tail->arena);
    if (change->op == TW_CHANGE_MESSAGE) {
        append_message(tail, txn, change);
        goto write;
    }
    append_header(tail, (char)change->op);
    tw_buf_append_str(&tail->line, ",\"schema\":");
    tw_buf_append_json_string(&tail->line, rel->nspname, strlen(rel->nspname));
    tw_buf_append_str(&tail->line, ",\"table\":");
    tw_buf_append_json_string(&tail->line, rel->relname, strlen(rel->relname));
    append_position(tail, txn, change->lsn);

    /* The key comes from the row as it is after the change, or before it
     * for a delete. */
    key_tuple = change->op == TW_CHANGE_DELETE ? change->old_tuple : change->new_tuple;
    tw_buf_append_str(&tail->line, ",\"key\":");
    if (key_tuple && has_key_columns(rel))
        err = append_row(tail, rel, key_tuple, true, errstr, errstr_size);
    else
        tw_buf_append_str(&tail->line, "null");
    if (err == TW_OK) {
        tw_buf_append_str(&tail->line, ",\"before\":");
        err = append_row(tail, rel, change->old_tuple, false, errstr, errstr_size);
    }
    if (err == TW_OK) {
        tw_buf_append_str(&tail->line, ",\"after\":");
        err = append_row(tail, rel, change->new_tuple, false, errstr, errstr_size);
    }
    tw_buf_append_str(&tail->line, "}\n");
write:
    if (err)
        return err;
    tw_buf_append(&tail->pending, tail->line.data, tail->line.len);
    tail->lines++;
    /* A non-transactional message is its own unit: flush it now. */
    if (txn == NULL || tail->pending.len >= TAIL_OUT_HIGH_WATER)
        return out_flush(tail, errstr, errstr_size);
    return TW_OK;
}

static tw_err_t tail_commit(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size)
{
    tw_tail_t *tail = opaque;
    tw_err_t err = out_flush(tail, errstr, errstr_size);

    if (err)
        return err;
    tail->flushed = txn->end_lsn;
    return TW_OK;
}

tw_sink_t tw_tail_sink(tw_tail_t *tail)
{
    tw_sink_t sink = {tail, tail_begin, tail_change, tail_commit};
    return sink;
}

tw_lsn_t tw_tail_flushed_lsn(const tw_tail_t *tail)
{
    return tail->flushed;
}

uint64_t tw_tail_lines(const tw_tail_t *tail)
{
    return tail->lines;
}
