/*
 * repl_stream.c — one loop around PQgetCopyData and poll(), in the manner
 * of pg_recvlogical.
 */
#include "pg/repl_stream.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "util/buf.h"
#include "util/log.h"

struct tw_repl_stream {
    PGconn *conn;
    char *copybuf; /* last frame from PQgetCopyData, freed on the next read */
    tw_lsn_t received;
    tw_lsn_t flushed;
    tw_lsn_t server_wal_end;
    int status_interval_ms;
    int64_t last_status; /* tw_repl_now() of the last status update */
    bool streaming;
    int wake_fd;
    tw_repl_sleep_cb sleep_cb;
    void *sleep_opaque;
    size_t since_wait; /* frame bytes handled since the last wait */
    bool gathering;    /* SO_RCVLOWAT is raised on the socket */
    bool quick;        /* the last plain wait ended within GATHER_QUICK_US */
};

/* Reading in gulps. The walsender sends every message as it is decoded,
 * and a reader that keeps up is woken for each one or two: a wake-up
 * costs a poll(), a recv() and a context switch, several microseconds of
 * kernel time, as much as handling a few events. Once the stream is busy
 * (GATHER_BUSY_BYTES handled since the last wait, or data came within
 * GATHER_QUICK_US of starting to wait), the socket is asked to report
 * readable only with GATHER_LOWAT bytes waiting, and each wait is capped
 * at GATHER_WAIT_MS, which bounds the latency added; what came by then is
 * read whatever its size. A wait that brings nothing ends the busy phase:
 * an idle stream sleeps until data comes, as before. */
#define GATHER_BUSY_BYTES 8192
#define GATHER_QUICK_US 1000
#define GATHER_LOWAT 16384
#define GATHER_WAIT_MS 1

int64_t tw_repl_now(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec - TW_PG_EPOCH_OFFSET_US;
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

tw_repl_stream_t *tw_repl_stream_new(PGconn *conn)
{
    tw_repl_stream_t *stream = tw_calloc(1, sizeof(*stream));

    stream->conn = conn;
    stream->status_interval_ms = 10000;
    stream->wake_fd = -1;
    return stream;
}

void tw_repl_stream_destroy(tw_repl_stream_t *stream)
{
    if (stream == NULL)
        return;
    if (stream->copybuf)
        PQfreemem(stream->copybuf);
    free(stream);
}

char *tw_repl_stream_command(PGconn *conn, const tw_repl_options_t *opts)
{
    tw_buf_t sql = TW_BUF_INIT;
    tw_buf_t pubs = TW_BUF_INIT;
    char *slot = PQescapeIdentifier(conn, opts->slot_name, strlen(opts->slot_name));
    char *pub_ident = PQescapeIdentifier(conn, opts->publication_name,
                                         strlen(opts->publication_name));
    char *pub_literal;

    /* publication_names is a string literal holding a list of identifiers,
     * so the name is quoted twice: as an identifier, then as a literal. */
    tw_buf_append_str(&pubs, pub_ident);
    pub_literal = PQescapeLiteral(conn, pubs.data, pubs.len);
    tw_buf_printf(&sql, "START_REPLICATION SLOT %s LOGICAL " TW_LSN_FMT
                        " (proto_version '%d', publication_names %s",
                  slot, TW_LSN_ARGS(opts->start_lsn), opts->proto_version, pub_literal);
    if (opts->messages)
        tw_buf_append_str(&sql, ", messages 'true'");
    if (opts->streaming && opts->proto_version >= 2)
        tw_buf_append_str(&sql, ", streaming 'on'");
    if (opts->binary)
        tw_buf_append_str(&sql, ", binary 'true'");
    tw_buf_append_char(&sql, ')');
    PQfreemem(slot);
    PQfreemem(pub_ident);
    PQfreemem(pub_literal);
    tw_buf_free(&pubs);
    return sql.data;
}

tw_err_t tw_repl_stream_start(tw_repl_stream_t *stream, const tw_repl_options_t *opts,
                              char *errstr, size_t errstr_size)
{
    char *sql = tw_repl_stream_command(stream->conn, opts);
    PGresult *res;
    tw_err_t err = TW_OK;

    tw_log(TW_LOG_INFO, "PGREPL", "%s", sql);
    res = PQexec(stream->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_BOTH) {
        const char *msg = PQerrorMessage(stream->conn);
        if (strstr(msg, "is active for PID"))
            err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                          "replication slot \"%s\" is already in use by another process "
                          "(another tidewater or Debezium reading it?): stop that reader, or "
                          "give this connector its own slot.name. Server said: %s",
                          opts->slot_name, msg);
        else if (strstr(msg, "publication") && strstr(msg, "does not exist"))
            err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                          "publication \"%s\" does not exist: create it or set "
                          "publication.autocreate.mode. Server said: %s",
                          opts->publication_name, msg);
        else
            err = tw_errf(TW_ERR_PG, errstr, errstr_size, "START_REPLICATION failed: %s", msg);
        /* Trim libpq's trailing newline. */
        if (errstr && errstr_size && errstr[0]) {
            size_t n = strlen(errstr);
            while (n > 0 && errstr[n - 1] == '\n')
                errstr[--n] = '\0';
        }
    } else {
        stream->streaming = true;
        stream->status_interval_ms = opts->status_interval_ms > 0 ? opts->status_interval_ms
                                                                  : 10000;
        stream->received = opts->start_lsn;
        stream->last_status = tw_repl_now();
    }
    PQclear(res);
    free(sql);
    return err;
}

void tw_repl_stream_set_wake_fd(tw_repl_stream_t *stream, int fd)
{
    stream->wake_fd = fd;
}

void tw_repl_stream_set_sleep_cb(tw_repl_stream_t *stream, tw_repl_sleep_cb cb, void *opaque)
{
    stream->sleep_cb = cb;
    stream->sleep_opaque = opaque;
}

/* SO_RCVLOWAT on (gather) or back to one byte. A socket that refuses it
 * (not TCP) simply stays as it is. */
static void set_gather(tw_repl_stream_t *stream, bool gather)
{
    int lowat = gather ? GATHER_LOWAT : 1;

    stream->gathering = gather;
    (void)setsockopt(PQsocket(stream->conn), SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
}

void tw_repl_stream_set_flush(tw_repl_stream_t *stream, tw_lsn_t flush)
{
    if (flush > stream->flushed)
        stream->flushed = flush;
}

tw_lsn_t tw_repl_stream_flush(const tw_repl_stream_t *stream)
{
    return stream->flushed;
}

tw_lsn_t tw_repl_stream_server_wal_end(const tw_repl_stream_t *stream)
{
    return stream->server_wal_end;
}

tw_lsn_t tw_repl_stream_received(const tw_repl_stream_t *stream)
{
    return stream->received;
}

tw_err_t tw_repl_stream_send_status(tw_repl_stream_t *stream, bool reply_requested,
                                    char *errstr, size_t errstr_size)
{
    uint8_t msg[1 + 8 + 8 + 8 + 8 + 1];
    int64_t now = tw_repl_now();
    /* Never claim to have written less than we flushed. */
    tw_lsn_t write = TW_MAX(stream->received, stream->flushed);

    msg[0] = 'r';
    put_be64(msg + 1, write);
    put_be64(msg + 9, stream->flushed);
    put_be64(msg + 17, stream->flushed); /* apply: nothing is applied beyond flush */
    put_be64(msg + 25, (uint64_t)now);
    msg[33] = reply_requested ? 1 : 0;
    if (PQputCopyData(stream->conn, (const char *)msg, sizeof(msg)) <= 0 ||
        PQflush(stream->conn) != 0)
        return tw_errf(TW_ERR_PG, errstr, errstr_size, "sending a status update failed: %s",
                       PQerrorMessage(stream->conn));
    stream->last_status = now;
    if (tw_log_enabled(TW_LOG_DEBUG))
        tw_log(TW_LOG_DEBUG, "PGREPL", "status update: write " TW_LSN_FMT " flush " TW_LSN_FMT,
               TW_LSN_ARGS(write), TW_LSN_ARGS(stream->flushed));
    return TW_OK;
}

tw_err_t tw_repl_stream_status_if_due(tw_repl_stream_t *stream, char *errstr,
                                      size_t errstr_size)
{
    if (!stream->streaming)
        return TW_OK;
    if (tw_repl_now() - stream->last_status >= (int64_t)stream->status_interval_ms * 1000)
        return tw_repl_stream_send_status(stream, false, errstr, errstr_size);
    return TW_OK;
}

/* Handles a copy-out frame. Returns TW_OK with *got for XLogData. */
static tw_err_t handle_frame(tw_repl_stream_t *stream, const uint8_t *buf, int len,
                             tw_repl_msg_t *msg, bool *got, char *errstr, size_t errstr_size)
{
    if (buf[0] == 'k') {
        tw_lsn_t wal_end;
        if (len < 1 + 8 + 8 + 1)
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "keepalive frame of %d bytes is too short", len);
        wal_end = get_be64(buf + 1);
        if (wal_end > stream->server_wal_end)
            stream->server_wal_end = wal_end;
        /* Answer at once when asked, or the server drops us after
         * wal_sender_timeout. */
        if (buf[17])
            return tw_repl_stream_send_status(stream, false, errstr, errstr_size);
        return TW_OK;
    }
    if (buf[0] == 'w') {
        if (len < 1 + 8 + 8 + 8)
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "XLogData frame of %d bytes is too short", len);
        msg->start_lsn = get_be64(buf + 1);
        msg->wal_end = get_be64(buf + 9);
        msg->send_time = (int64_t)get_be64(buf + 17);
        msg->data = buf + 25;
        msg->len = (size_t)len - 25;
        if (msg->wal_end > stream->server_wal_end)
            stream->server_wal_end = msg->wal_end;
        if (msg->start_lsn > stream->received)
            stream->received = msg->start_lsn;
        *got = true;
        return TW_OK;
    }
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                   "unexpected replication frame type 0x%02x", buf[0]);
}

/* Before any call that lets libpq block on the socket: with the low mark
 * raised, its poll() would wait for GATHER_LOWAT bytes that may never come
 * (the server's last messages are a few bytes). */
static void end_gather(tw_repl_stream_t *stream)
{
    if (stream->gathering)
        set_gather(stream, false);
}

static tw_err_t copy_ended(tw_repl_stream_t *stream, char *errstr, size_t errstr_size)
{
    PGresult *res;
    tw_err_t err;

    end_gather(stream);
    res = PQgetResult(stream->conn);

    stream->streaming = false;
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
        err = tw_errf(TW_ERR_PG, errstr, errstr_size, "the server ended replication");
    else
        err = tw_errf(TW_ERR_PG, errstr, errstr_size, "replication connection lost: %s",
                      PQerrorMessage(stream->conn));
    PQclear(res);
    return err;
}

tw_err_t tw_repl_stream_read(tw_repl_stream_t *stream, int timeout_ms, tw_repl_msg_t *msg,
                             bool *got, char *errstr, size_t errstr_size)
{
    int64_t deadline = tw_repl_now() + (int64_t)timeout_ms * 1000;
    tw_err_t err;

    *got = false;
    if (stream->copybuf) {
        PQfreemem(stream->copybuf);
        stream->copybuf = NULL;
    }
    for (;;) {
        int len = PQgetCopyData(stream->conn, &stream->copybuf, 1);

        if (len > 0) {
            stream->since_wait += (size_t)len;
            err = handle_frame(stream, (const uint8_t *)stream->copybuf, len, msg, got, errstr,
                               errstr_size);
            if (err || *got)
                return err;
            PQfreemem(stream->copybuf);
            stream->copybuf = NULL;
            continue;
        }
        if (len == -1)
            return copy_ended(stream, errstr, errstr_size);
        if (len == -2)
            return tw_errf(TW_ERR_PG, errstr, errstr_size, "reading replication data: %s",
                           PQerrorMessage(stream->conn));

        /* Nothing buffered: send a status update if one is due, then wait
         * for the socket until the deadline or the next update. */
        err = tw_repl_stream_status_if_due(stream, errstr, errstr_size);
        if (err)
            return err;
        {
            int64_t now = tw_repl_now();
            int64_t next_status = stream->last_status + (int64_t)stream->status_interval_ms * 1000;
            int64_t until = TW_MIN(deadline, next_status);
            int wait_ms = until > now ? (int)((until - now + 999) / 1000) : 0;
            bool busy = stream->gathering ? stream->since_wait > 0
                                          : stream->since_wait >= GATHER_BUSY_BYTES || stream->quick;
            /* While gathering, the wake fd is left out: the caller serves
             * delivery reports between messages, and the wait is short. */
            bool with_wake = stream->wake_fd >= 0 && !busy;
            struct pollfd pfd[2] = {{PQsocket(stream->conn), POLLIN, 0},
                                    {stream->wake_fd, POLLIN, 0}};
            int rc;

            if (busy)
                wait_ms = TW_MIN(wait_ms, GATHER_WAIT_MS);
            /* Past the deadline, still look (without waiting) for bytes
             * in the socket: "nothing to read" must mean nothing sent. */
            if (now >= deadline)
                wait_ms = 0;
            /* Before the busy state moves on: serving reports is not a
             * wait, and must not end a busy phase. */
            if (wait_ms > 0 && stream->sleep_cb &&
                !stream->sleep_cb(stream->sleep_opaque, true))
                return TW_OK; /* reports wait already: no sleep */
            stream->since_wait = 0;
            if (busy != stream->gathering)
                set_gather(stream, busy);
            /* Gathering, reports are looked for before each short wait,
             * not woken for. */
            if (!with_wake && wait_ms > 0 && stream->sleep_cb)
                stream->sleep_cb(stream->sleep_opaque, false);
            rc = poll(pfd, with_wake ? 2 : 1, wait_ms);
            if (with_wake && wait_ms > 0 && stream->sleep_cb)
                stream->sleep_cb(stream->sleep_opaque, false);
            stream->quick = !busy && wait_ms > 0 && rc > 0 && (pfd[0].revents & POLLIN) &&
                            tw_repl_now() - now < GATHER_QUICK_US;
            if (rc < 0 && errno != EINTR)
                return tw_errf(TW_ERR_IO, errstr, errstr_size, "poll: %s", strerror(errno));
            if (rc < 0)
                return TW_OK; /* a signal: let the caller look at its flags */
            if (with_wake && (pfd[1].revents & POLLIN))
                return TW_OK; /* the caller has other work (e.g. delivery reports) */
            /* Gathering, the socket may hold fewer bytes than the low
             * mark: a non-blocking read takes what is there. */
            if ((rc > 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP))) ||
                (rc == 0 && busy)) {
                if (PQconsumeInput(stream->conn) == 0)
                    return tw_errf(TW_ERR_PG, errstr, errstr_size,
                                   "replication connection lost: %s",
                                   PQerrorMessage(stream->conn));
                continue;
            }
            if (now >= deadline)
                return TW_OK;
        }
    }
}

tw_err_t tw_repl_stream_stop(tw_repl_stream_t *stream, char *errstr, size_t errstr_size)
{
    PGresult *res;
    tw_err_t err;

    if (!stream->streaming)
        return TW_OK;
    end_gather(stream);
    err = tw_repl_stream_send_status(stream, false, errstr, errstr_size);
    if (err)
        return err;
    if (PQputCopyEnd(stream->conn, NULL) <= 0 || PQflush(stream->conn) != 0)
        return tw_errf(TW_ERR_PG, errstr, errstr_size, "ending replication: %s",
                       PQerrorMessage(stream->conn));
    stream->streaming = false;
    /* Drain: the server may still send data before acknowledging CopyDone. */
    for (;;) {
        char *buf = NULL;
        int len = PQgetCopyData(stream->conn, &buf, 0);
        if (buf)
            PQfreemem(buf);
        if (len < 0)
            break;
    }
    while ((res = PQgetResult(stream->conn)) != NULL)
        PQclear(res);
    return TW_OK;
}
