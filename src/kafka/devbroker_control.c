/*
 * devbroker_control.c — tidewater-devbroker's control channel: the
 * listening socket on 127.0.0.1, the clients with their line buffers and
 * back-pressure, and the ppoll() loop that serves them until a signal.
 * Separate from the commands each line runs (devbroker_commands.c), which
 * it calls and which never call back.
 */
/* ppoll() and accept4(); configure passes -D_GNU_SOURCE too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "kafka/devbroker_internal.h"

/* ------------------------------------------------------------------------
 * Control channel sockets
 * ------------------------------------------------------------------------ */

volatile sig_atomic_t tw_devbroker_stop_signal;

int tw_devbroker_control_listen(int port, int *bound_port, char *errstr, size_t errstr_size)
{
    struct sockaddr_in sin;
    socklen_t sin_len = sizeof(sin);
    int on = 1;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "cannot create control socket: %s", strerror(errno));
        return -1;
    }
    /* Lets a fixed --control-port be reused right after a previous run
     * whose connections are still in TIME_WAIT. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    /* Loopback only: the control channel has no authentication. */
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        snprintf(errstr, errstr_size, "cannot bind control port 127.0.0.1:%d: %s", port,
                 strerror(errno));
        goto fail;
    }
    if (listen(fd, 16) < 0 || getsockname(fd, (struct sockaddr *)&sin, &sin_len) < 0) {
        snprintf(errstr, errstr_size, "cannot listen on control port 127.0.0.1:%d: %s", port,
                 strerror(errno));
        goto fail;
    }
    *bound_port = ntohs(sin.sin_port);
    return fd;

fail:
    close(fd);
    return -1;
}

void tw_devbroker_client_close(tw_devbroker_client_t *client)
{
    if (client->fd >= 0)
        close(client->fd);
    client->fd = -1;
    client->in_len = 0;
    client->out_len = 0;
    client->discarding = false;
    client->closing = false;
}

/* Queues one reply line. The caller guarantees room (see client_can_run). */
static void client_queue_reply(tw_devbroker_client_t *client, const char *reply)
{
    size_t len = strlen(reply);

    if (client->out_len + len + 1 > sizeof(client->out))
        return; /* cannot happen while CONTROL_REPLY_MAX bounds replies */
    memcpy(client->out + client->out_len, reply, len);
    client->out[client->out_len + len] = '\n';
    client->out_len += len + 1;
}

/* Room for one more reply? If not, stop executing (and reading) until the
 * client reads what we already sent. */
static bool client_can_run(const tw_devbroker_client_t *client)
{
    return client->out_len + CONTROL_REPLY_MAX + 1 <= sizeof(client->out);
}

/* Executes every complete line buffered for this client, as far as output
 * room allows. */
static void client_run_lines(tw_devbroker_t *db, tw_devbroker_client_t *client)
{
    char line[CONTROL_LINE_MAX + 1];
    char reply[CONTROL_REPLY_MAX];

    while (!client->closing && client_can_run(client)) {
        char *newline = memchr(client->in, '\n', client->in_len);
        size_t line_len;
        bool has_nul;

        if (!newline) {
            if (client->in_len == sizeof(client->in)) {
                /* A full buffer without a newline: refuse the line and skip
                 * the rest of it as it arrives. */
                client->in_len = 0;
                client->discarding = true;
                tw_devbroker_reply(reply, sizeof(reply), "error line too long (max %d bytes)",
                                   CONTROL_LINE_MAX - 1);
                client_queue_reply(client, reply);
            }
            return;
        }
        line_len = (size_t)(newline - client->in);
        /* A NUL would hide the rest of the line from the C string checks. */
        has_nul = memchr(client->in, '\0', line_len) != NULL;
        memcpy(line, client->in, line_len);
        line[line_len] = '\0';
        if (line_len > 0 && line[line_len - 1] == '\r') /* telnet, nc -C */
            line[line_len - 1] = '\0';
        client->in_len -= line_len + 1;
        memmove(client->in, newline + 1, client->in_len);

        if (has_nul) {
            client_queue_reply(client, "error line contains control characters");
            continue;
        }
        if (!tw_devbroker_control_execute(db, line, reply, sizeof(reply)))
            client->closing = true;
        if (reply[0])
            client_queue_reply(client, reply);
    }
}

/* Appends newly received bytes, dropping the tail of an over-long line. */
static void client_take_input(tw_devbroker_client_t *client, const char *data, size_t len)
{
    if (client->discarding) {
        const char *newline = memchr(data, '\n', len);

        if (!newline)
            return;
        client->discarding = false;
        len -= (size_t)(newline + 1 - data);
        data = newline + 1;
    }
    memcpy(client->in + client->in_len, data, len);
    client->in_len += len;
}

static void client_on_readable(tw_devbroker_t *db, tw_devbroker_client_t *client)
{
    char data[CONTROL_LINE_MAX];
    size_t room = sizeof(client->in) - client->in_len;
    ssize_t n;

    /* Never read more than fits, so input is never lost or truncated. With
     * no room (lines wait for output space), a recv() of 0 bytes would look
     * like EOF: leave the bytes in the socket until there is room. */
    if (room == 0)
        return;
    n = recv(client->fd, data, room < sizeof(data) ? room : sizeof(data), 0);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            tw_devbroker_client_close(client);
        return;
    }
    if (n == 0) {
        /* An unterminated last line is dropped: it may be cut short
         * ("broker-down 1" of "broker-down 12"), so it is not run. Replies
         * already queued are still flushed to a half-closed peer. */
        client->closing = true;
        client->in_len = 0;
        return;
    }
    client_take_input(client, data, (size_t)n);
    client_run_lines(db, client);
}

static void client_on_writable(tw_devbroker_client_t *client)
{
    ssize_t n;

    /* MSG_NOSIGNAL: a peer that vanished must not kill us with SIGPIPE. */
    n = send(client->fd, client->out, client->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            tw_devbroker_client_close(client);
        return;
    }
    client->out_len -= (size_t)n;
    memmove(client->out, client->out + n, client->out_len);
}

static void control_accept(tw_devbroker_t *db)
{
    static const char busy[] = "error too many control connections\n";
    int fd;
    int i;

    while ((fd = accept4(db->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        for (i = 0; i < CONTROL_MAX_CLIENTS && db->clients[i].fd >= 0; i++)
            ;
        if (i == CONTROL_MAX_CLIENTS) {
            (void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            close(fd);
            continue;
        }
        tw_devbroker_client_close(&db->clients[i]);
        db->clients[i].fd = fd;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        tw_devbroker_log("cannot accept control connection: %s", strerror(errno));
}

/* Serves the control channel until SIGTERM/SIGINT. Those signals are blocked
 * everywhere except inside ppoll(), so they always interrupt it here rather
 * than landing in a librdkafka thread. */
int tw_devbroker_control_serve(tw_devbroker_t *db, const sigset_t *wait_mask)
{
    struct pollfd pfds[CONTROL_MAX_CLIENTS + 1];
    int slot_of[CONTROL_MAX_CLIENTS + 1];
    nfds_t nfds;
    int i;

    while (!tw_devbroker_stop_signal) {
        nfds = 0;
        pfds[nfds].fd = db->listen_fd;
        pfds[nfds].events = POLLIN;
        slot_of[nfds++] = -1;
        for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
            tw_devbroker_client_t *client = &db->clients[i];

            if (client->fd < 0)
                continue;
            /* Lines left over from back-pressure run once room appears. */
            client_run_lines(db, client);
            if (client->closing && client->out_len == 0) {
                tw_devbroker_client_close(client);
                continue;
            }
            pfds[nfds].fd = client->fd;
            pfds[nfds].events = (short)((client->out_len ? POLLOUT : 0) |
                                        (!client->closing && client_can_run(client) &&
                                                 client->in_len < sizeof(client->in)
                                             ? POLLIN
                                             : 0));
            slot_of[nfds++] = i;
        }

        if (ppoll(pfds, nfds, NULL, wait_mask) < 0) {
            if (errno == EINTR)
                continue;
            tw_devbroker_log("poll failed: %s", strerror(errno));
            return -1;
        }

        for (i = 0; i < (int)nfds; i++) {
            tw_devbroker_client_t *client;

            if (!pfds[i].revents)
                continue;
            if (slot_of[i] < 0) {
                control_accept(db);
                continue;
            }
            client = &db->clients[slot_of[i]];
            if (pfds[i].revents & POLLOUT)
                client_on_writable(client);
            if (client->fd >= 0 && (pfds[i].revents & (POLLIN | POLLHUP)))
                client_on_readable(db, client);
            if (client->fd >= 0 && (pfds[i].revents & (POLLERR | POLLNVAL)))
                tw_devbroker_client_close(client);
        }
    }
    return 0;
}
