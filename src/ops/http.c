/*
 * http.c — libmicrohttpd glue for /metrics and /healthz.
 */
#include "ops/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/log.h"

/* Bounds, so that idle or slow clients cannot take the file descriptors
 * PostgreSQL and librdkafka need: connections beyond these are closed at
 * once; a connection idle for HTTP_IDLE_SECONDS is closed. A scraper needs
 * one connection. */
#define HTTP_MAX_CONNECTIONS 64
#define HTTP_MAX_PER_CLIENT 8
#define HTTP_IDLE_SECONDS 10

struct tw_http {
    struct MHD_Daemon *daemon;
    tw_metrics_t *metrics;
    int64_t stuck_ms;
    time_t logged_at;  /* last libmicrohttpd message logged (its thread only) */
    unsigned suppressed;
};

/* libmicrohttpd's own messages, through our logger (so log.json=true
 * stays JSON). A flood of refused clients would flood the log: at most
 * one message a minute, with a count of the others. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    tw_http_t *http = cls;
    char msg[512];
    size_t len;
    time_t now = time(NULL);

    if (http->logged_at != 0 && now - http->logged_at < 60) {
        http->suppressed++;
        return;
    }
    vsnprintf(msg, sizeof(msg), fmt, ap);
    len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        msg[--len] = '\0';
    if (http->suppressed > 0)
        tw_log(TW_LOG_WARNING, "HTTP", "%s (and %u more messages in the last minute)", msg,
               http->suppressed);
    else
        tw_log(TW_LOG_WARNING, "HTTP", "%s", msg);
    http->logged_at = now;
    http->suppressed = 0;
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status,
                               const char *type, tw_buf_t *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        body->len, body->data ? body->data : (void *)"", MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc;

    MHD_add_response_header(resp, "Content-Type", type);
    rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    tw_http_t *http = cls;
    tw_buf_t body = TW_BUF_INIT;
    char why[600];
    enum MHD_Result rc;

    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        tw_buf_append_str(&body, "method not allowed\n");
        rc = respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", &body);
    } else if (strcmp(url, "/metrics") == 0) {
        tw_metrics_render(http->metrics, &body);
        rc = respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", &body);
    } else if (strcmp(url, "/healthz") == 0) {
        bool ok = tw_metrics_healthy(http->metrics, http->stuck_ms, why, sizeof(why));
        tw_buf_printf(&body, "%s %s\n", ok ? "ok" : "unhealthy", why);
        rc = respond(conn, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
                     &body);
    } else {
        tw_buf_append_str(&body, "not found: try /metrics or /healthz\n");
        rc = respond(conn, MHD_HTTP_NOT_FOUND, "text/plain", &body);
    }
    tw_buf_free(&body);
    return rc;
}

tw_err_t tw_http_start(const char *address, int port, tw_metrics_t *metrics, int64_t stuck_ms,
                       tw_http_t **out, char *errstr, size_t errstr_size)
{
    struct sockaddr_in addr;
    tw_http_t *http;

    *out = NULL;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "metrics.bind.address=%s is not an IPv4 address", address);
    http = tw_calloc(1, sizeof(*http));
    http->metrics = metrics;
    http->stuck_ms = stuck_ms;
    /* poll or epoll, not select: descriptors past FD_SETSIZE must work. */
    http->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
        on_request, http, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http, /* first */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)HTTP_IDLE_SECONDS, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)HTTP_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned int)HTTP_MAX_PER_CLIENT, MHD_OPTION_END);
    if (http->daemon == NULL) {
        free(http);
        return tw_errf(TW_ERR_IO, errstr, errstr_size,
                       "cannot serve metrics on %s:%d (%s): choose another metrics.port", address,
                       port, strerror(errno));
    }
    *out = http;
    return TW_OK;
}

void tw_http_stop(tw_http_t *http)
{
    if (http == NULL)
        return;
    MHD_stop_daemon(http->daemon);
    free(http);
}
