/*
 * registry.h — a Confluent Schema Registry REST client (libcurl): register
 * or look up a schema under a subject and get its id.
 *
 * Ids are cached by (subject, schema text), so the registry is called once
 * per new schema, never per record. Requests have connect and total
 * timeouts, keep the connection alive, fail over across the URL list and
 * retry with exponential backoff and jitter; basic auth and TLS (CA, client
 * certificate) are configurable. The password is never logged.
 *
 * Outcomes: TW_OK; TW_ERR_REJECTED when the registry answered no for good
 * (409 incompatible, 422 invalid, 401/403 auth, 404 not registered) with
 * its message in errstr; TW_ERR_UNAVAILABLE when no URL answered after the
 * retries — the caller pauses and tries again later, losing nothing.
 */
#ifndef TW_REGISTRY_H
#define TW_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/common.h"
#include "config/config.h"

typedef struct tw_registry tw_registry_t;

/* conv is read during the call only. Fails when no URL is configured. */
tw_err_t tw_registry_new(const tw_converter_config_t *conv, const char *which,
                         tw_registry_t **registry, char *errstr, size_t errstr_size);
void tw_registry_destroy(tw_registry_t *registry); /* accepts NULL */

/* POST /subjects/{subject}/versions (auto.register.schemas=true). */
tw_err_t tw_registry_register(tw_registry_t *registry, const char *subject, const char *schema,
                              int32_t *id, char *errstr, size_t errstr_size);
/* POST /subjects/{subject}: the id of an already registered schema. */
tw_err_t tw_registry_lookup(tw_registry_t *registry, const char *subject, const char *schema,
                            int32_t *id, char *errstr, size_t errstr_size);
/* GET /subjects/{subject}/versions/latest (use.latest.version=true). */
tw_err_t tw_registry_latest(tw_registry_t *registry, const char *subject, int32_t *id,
                            char *errstr, size_t errstr_size);
/* GET /subjects/{subject}/versions: exists=false on 404 with error_code
 * 40401 only (any other 404, e.g. a wrong base path, is an error). */
tw_err_t tw_registry_subject_exists(tw_registry_t *registry, const char *subject, bool *exists,
                                    char *errstr, size_t errstr_size);
/* PUT /config/{subject}: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, ... */
tw_err_t tw_registry_set_compatibility(tw_registry_t *registry, const char *subject,
                                       const char *level, char *errstr, size_t errstr_size);
/* POST /compatibility/subjects/{subject}/versions?verbose=true: whether
 * the registry would accept schema under subject — against the latest
 * version, or every version under a *_TRANSITIVE level (true for a subject
 * that does not exist: 404 with error_code 40401), with its messages in
 * why. Registries without that route (Karapace, Apicurio: a 404 without
 * error_code or with 404) are asked per version instead: .../versions/latest,
 * or each version when GET /config/{subject} says *_TRANSITIVE. Any other
 * answer is an error (compatible=false), never a success. */
tw_err_t tw_registry_check_compatible(tw_registry_t *registry, const char *subject,
                                      const char *schema, bool *compatible, char *why,
                                      size_t why_size, char *errstr, size_t errstr_size);
/* GET /subjects: reachable and the credentials accepted. */
tw_err_t tw_registry_ping(tw_registry_t *registry, char *errstr, size_t errstr_size);

/* Parsers of registry answers, exposed for tests and fuzzing: the "id" of
 * {"id": N, ...}, and the "message" of an error body (or the raw body). */
tw_err_t tw_registry_parse_id(const char *body, size_t len, int32_t *id, char *errstr,
                              size_t errstr_size);
void tw_registry_parse_error(const char *body, size_t len, char *out, size_t out_size);

/* url without its "user:password@" part (basic.auth.credentials.source=URL
 * puts the password there), for messages: credentials are never shown. */
void tw_url_without_userinfo(const char *url, char *out, size_t out_size);

/* Requests sent and requests that failed, for metrics and tests. */
uint64_t tw_registry_calls(const tw_registry_t *registry);
uint64_t tw_registry_errors(const tw_registry_t *registry);

#endif /* TW_REGISTRY_H */
