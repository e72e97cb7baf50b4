/*
 * contract.h — contract-first payloads for one outbox transform: each event
 * type has a declared Avro record (payload.schema.dir), every payload is
 * converted to it or refused with a precise reason, and the declared schema
 * — never one inferred from the payload — is what the registry sees.
 *
 * The event type's record is the one whose full name equals the type, else
 * the one whose short name does (when only one has it), unless
 * payload.schema.mapping names another.
 */
#ifndef TW_CONTRACT_H
#define TW_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/avsc_catalog.h"
#include "util/buf.h"
#include "util/common.h"
#include "config/config.h"
#include "codec/registry.h"

typedef struct tw_contract tw_contract_t;

/* Loads the schema directory and checks the mapping; errors name the
 * transform's key, the file and the problem. */
tw_err_t tw_contract_new(const tw_transform_config_t *transform, tw_contract_t **contract,
                         char *errstr, size_t errstr_size);
void tw_contract_destroy(tw_contract_t *contract); /* accepts NULL */

const tw_avsc_catalog_t *tw_contract_catalog(const tw_contract_t *contract);

/* payload.schema.mapping as loaded: pair i's event type and record. */
size_t tw_contract_mapping_count(const tw_contract_t *contract);
const char *tw_contract_mapping_at(const tw_contract_t *contract, size_t i,
                                   const tw_avsc_schema_t **record);
/* A record that stands for an event: mapped, or used by no other record
 * (an Address inside OrderCreated is not an event). */
bool tw_contract_is_event_record(const tw_contract_t *contract, const tw_avsc_schema_t *record);

/* The declared record of an event type. TW_ERR_MALFORMED (an event-level
 * error) when there is none. */
tw_err_t tw_contract_schema_for(tw_contract_t *contract, const char *event_type,
                                const tw_avsc_schema_t **schema, char *errstr, size_t errstr_size);

/* Appends the payload (JSON text) converted to schema as Avro binary.
 * TW_ERR_MALFORMED with the JSON path of the first problem, e.g.
 * `$.lineItems[2].quantity: expected int, got string "x"`. */
tw_err_t tw_contract_encode(tw_contract_t *contract, const tw_avsc_schema_t *schema,
                            const char *json, size_t len, tw_buf_t *out, char *errstr,
                            size_t errstr_size);

/* The registry id of schema under the subject the value converter's
 * strategy gives for topic: registered (auto.register.schemas; a new
 * subject first gets payload.schema.compatibility.level), or looked up
 * (use.latest.version: and it must be the latest). Memoized. Outcomes as
 * tw_registry_register's, with messages naming the subject and the file. */
tw_err_t tw_contract_schema_id(tw_contract_t *contract, tw_registry_t *registry,
                               const tw_converter_config_t *conv, const char *topic,
                               const tw_avsc_schema_t *schema, int32_t *id, char *errstr,
                               size_t errstr_size);

/* With RecordNameStrategy the subjects are known before any event: checks
 * each declared record is registered when auto.register.schemas=false, so
 * a missing one stops start-up instead of the first event. TW_OK for the
 * other strategies. */
tw_err_t tw_contract_preflight(tw_contract_t *contract, tw_registry_t *registry,
                               const tw_converter_config_t *conv, char *errstr, size_t errstr_size);

#endif /* TW_CONTRACT_H */
