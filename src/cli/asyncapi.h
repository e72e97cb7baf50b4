/*
 * asyncapi.h — the AsyncAPI 3.0.0 document (JSON) of what a connector
 * sends, for `tidewater schemas asyncapi`: per outbox transform with
 * payload.schema.dir, the routed topics as a channel, a send operation,
 * and one message per event record with its Avro schema, key, headers and
 * Kafka bindings (registry framing and subject strategy).
 */
#ifndef TW_ASYNCAPI_H
#define TW_ASYNCAPI_H

#include <jansson.h>
#include <stddef.h>

#include "util/common.h"
#include "config/config.h"

/* Builds the document for cfg (borrowed for the call); info_version is its
 * info.version. Each described transform is checked as the connector
 * would check it (router options, schema directory, mapping). On success
 * *out is the document, owned by the caller (json_decref), or NULL when no
 * outbox transform has declared schemas; *n_channels and *n_messages count
 * what it describes. On failure errstr names the transform and the
 * problem. */
tw_err_t tw_asyncapi_build(const tw_config_t *cfg, const char *info_version, json_t **out,
                           size_t *n_channels, size_t *n_messages, char *errstr,
                           size_t errstr_size);

#endif /* TW_ASYNCAPI_H */
