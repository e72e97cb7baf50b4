/*
 * http.h — the operator endpoint: GET /metrics (Prometheus text) and
 * GET /healthz (200 "ok ..." or 503 with the reason). libmicrohttpd serves
 * it from its own thread; it binds 127.0.0.1 unless configured otherwise.
 */
#ifndef TW_HTTP_H
#define TW_HTTP_H

#include "util/common.h"
#include "ops/metrics.h"

typedef struct tw_http tw_http_t;

/* metrics is borrowed and must outlive the server. */
tw_err_t tw_http_start(const char *address, int port, tw_metrics_t *metrics,
                       int64_t stuck_ms, tw_http_t **http, char *errstr, size_t errstr_size);
void tw_http_stop(tw_http_t *http); /* accepts NULL */

#endif /* TW_HTTP_H */
