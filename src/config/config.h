/*
 * config.h — connector configuration: Kafka Connect .properties files or the
 * JSON body of a Connect REST `POST /connectors`, with Debezium and Kafka
 * Connect key names.
 *
 * Every key tidewater understands is one row of a declarative table
 * (config.c) holding its type, default, allowed values and documentation.
 * Scoped keys — `key.converter.*`, `value.converter.*`,
 * `transforms.<name>.*`, `predicates.<name>.*` — have tables of their own.
 * The tables validate input, print `tidewater config-docs`, and back the
 * check that every key is documented and shown in a sample connector file.
 * An unknown key is an error naming the key and the closest known one;
 * `producer.*` is passed through to librdkafka.
 *
 * Every key of Debezium's PostgreSQL connector is known: keys tidewater has
 * no setting for are accepted with a note (cfg->notes) when they cannot
 * change what tidewater emits, and accepted only with the value matching
 * tidewater's behaviour when they could.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/common.h"
#include "config/config_list.h"
#include "config/props.h"

typedef struct tw_topic_groups tw_topic_groups_t; /* topic_groups.h */

typedef enum tw_publication_mode {
    TW_PUBLICATION_ALL_TABLES,
    TW_PUBLICATION_FILTERED,
    TW_PUBLICATION_DISABLED,
    TW_PUBLICATION_NO_TABLES,
} tw_publication_mode_t;

/* pgoutput.streaming, in the order of its allowed values. */
typedef enum tw_streaming_mode {
    TW_STREAMING_ON,
    TW_STREAMING_OFF,
} tw_streaming_mode_t;

typedef enum tw_converter_kind {
    TW_CONVERTER_AVRO,   /* io.confluent.connect.avro.AvroConverter */
    TW_CONVERTER_JSON,   /* org.apache.kafka.connect.json.JsonConverter */
    TW_CONVERTER_STRING, /* org.apache.kafka.connect.storage.StringConverter */
    TW_CONVERTER_BYTES,  /* org.apache.kafka.connect.converters.ByteArrayConverter */
    TW_CONVERTER_BINARY_DATA, /* io.debezium.converters.BinaryDataConverter */
} tw_converter_kind_t;

typedef enum tw_subject_strategy {
    TW_SUBJECT_TOPIC_NAME,        /* <topic>-key / <topic>-value */
    TW_SUBJECT_RECORD_NAME,       /* <record full name> */
    TW_SUBJECT_TOPIC_RECORD_NAME, /* <topic>-<record full name> */
} tw_subject_strategy_t;

typedef enum tw_basic_auth_source {
    TW_BASIC_AUTH_USER_INFO, /* from basic.auth.user.info */
    TW_BASIC_AUTH_URL,       /* from user:password@ in the URL */
} tw_basic_auth_source_t;

typedef struct tw_converter_config {
    int kind; /* tw_converter_kind_t */
    char *registry_url; /* comma-separated list */
    int basic_auth_source; /* tw_basic_auth_source_t */
    char *basic_auth_user_info; /* secret */
    int key_subject_strategy;   /* tw_subject_strategy_t */
    int value_subject_strategy;
    bool auto_register;
    bool use_latest_version;
    bool schemas_enable; /* JsonConverter */
    char *ssl_ca_location;
    char *ssl_certificate_location;
    char *ssl_key_location;
    char *ssl_key_password; /* secret */
    int request_timeout_ms;
    int connect_timeout_ms;
    /* BinaryDataConverter's delegate.converter.type (keys under
     * <key|value>.converter.delegate.converter.type.), or NULL. */
    struct tw_converter_config *delegate;
} tw_converter_config_t;

typedef enum tw_invalid_op_behavior {
    TW_INVALID_OP_WARN,
    TW_INVALID_OP_ERROR,
    TW_INVALID_OP_FATAL,
} tw_invalid_op_behavior_t;

typedef enum tw_json_null_behavior {
    TW_JSON_NULL_IGNORE,
    TW_JSON_NULL_OPTIONAL_BYTES,
} tw_json_null_behavior_t;

/* io.debezium.transforms.outbox.EventRouter options, with Debezium's
 * defaults. */
typedef struct tw_outbox_config {
    char *field_event_id;
    char *field_event_key;
    char *field_event_type;
    char *field_event_payload;
    char *field_event_timestamp; /* NULL: the commit time */
    char *fields_additional_placement;
    bool fields_additional_error_on_missing;
    char *field_additional_missing; /* Debezium 3.6's name for the above: "error"/"ignore" */
    char *field_event_schema_version;
    char *route_by_field;
    char *route_topic_regex;
    char *route_topic_replacement;
    bool route_tombstone_on_empty_payload;
    int op_invalid_behavior; /* tw_invalid_op_behavior_t */
    bool expand_json_payload;
    int json_payload_null_behavior; /* tw_json_null_behavior_t */
    char *tracing_span_context_field;
    char *tracing_operation_name;
    bool tracing_with_context_field_only;
    char *message_prefix; /* tidewater: route pg_logical_emit_message with this prefix */
    /* tidewater: contract-first payloads */
    char *payload_schema_dir;     /* NULL: payloads are not declared */
    char *payload_schema_mapping; /* "type:full.Name,..." or NULL */
    int payload_schema_unknown_fields; /* tw_json_avro_unknown_t order: ignore, fail */
    char *payload_schema_compatibility_level; /* NULL: the registry's default */
} tw_outbox_config_t;

/* delete.tombstone.handling.mode of ExtractNewRecordState, in the order
 * the config key lists them. */
typedef enum tw_unwrap_delete_mode {
    TW_UNWRAP_TOMBSTONE,
    TW_UNWRAP_DROP,
    TW_UNWRAP_REWRITE,
    TW_UNWRAP_REWRITE_WITH_TOMBSTONE,
    TW_UNWRAP_DELETE_TO_TOMBSTONE,
} tw_unwrap_delete_mode_t;

/* io.debezium.transforms.ExtractNewRecordState options, with Debezium's
 * defaults. */
typedef struct tw_unwrap_config {
    int delete_mode; /* tw_unwrap_delete_mode_t */
    char *add_fields;         /* "op,table,source.ts_ms:ts" or "" */
    char *add_fields_prefix;  /* "__" */
    char *add_headers;        /* same form as add_fields */
    char *add_headers_prefix; /* "__" */
    char *drop_fields_header_name; /* NULL or "": no field dropping */
    bool drop_fields_from_key;
    bool drop_fields_keep_schema_compatible;
    char *route_by_field; /* "" or NULL: keep the topic */
    bool replace_null_with_default;
} tw_unwrap_config_t;

typedef enum tw_transform_kind {
    TW_TRANSFORM_OUTBOX, /* io.debezium.transforms.outbox.EventRouter */
    TW_TRANSFORM_UNWRAP, /* io.debezium.transforms.ExtractNewRecordState */
} tw_transform_kind_t;

typedef struct tw_transform_config {
    char *name;
    int kind; /* tw_transform_kind_t */
    char *type;
    char *predicate; /* a name in `predicates`, or NULL */
    bool negate;
    tw_outbox_config_t outbox; /* kind TW_TRANSFORM_OUTBOX */
    tw_unwrap_config_t unwrap; /* kind TW_TRANSFORM_UNWRAP */
} tw_transform_config_t;

typedef enum tw_predicate_kind {
    TW_PREDICATE_TOPIC_NAME_MATCHES,
} tw_predicate_kind_t;

typedef struct tw_predicate_config {
    char *name;
    int kind; /* tw_predicate_kind_t */
    char *type;
    char *pattern;
} tw_predicate_config_t;

typedef enum tw_errors_tolerance {
    TW_ERRORS_TOLERANCE_NONE,
    TW_ERRORS_TOLERANCE_ALL,
} tw_errors_tolerance_t;

typedef enum tw_exactly_once_support {
    TW_EXACTLY_ONCE_REQUESTED,
    TW_EXACTLY_ONCE_REQUIRED,
} tw_exactly_once_support_t;

typedef enum tw_eos_source_support {
    TW_EOS_SOURCE_DISABLED,
    TW_EOS_SOURCE_PREPARING,
    TW_EOS_SOURCE_ENABLED,
} tw_eos_source_support_t;

typedef enum tw_transaction_boundary {
    TW_TRANSACTION_BOUNDARY_POLL,
    TW_TRANSACTION_BOUNDARY_INTERVAL,
} tw_transaction_boundary_t;

/* The validated configuration. Everything in it is owned by it. */
typedef struct tw_config {
    /* connector */
    char *name;
    char *connector_class;
    int tasks_max;
    char *topic_prefix;
    char *snapshot_mode;
    /* database */
    char *db_hostname;
    int db_port;
    char *db_user;
    char *db_password; /* secret: never logged */
    char *db_dbname;
    char *db_sslmode;
    char *db_sslrootcert;
    char *db_sslcert;
    char *db_sslkey;
    char *db_sslpassword; /* secret */
    int db_connect_timeout_ms;
    bool db_tcp_keepalive;
    /* replication */
    char *plugin_name;
    char *slot_name;
    bool slot_drop_on_stop;
    char *publication_name;
    int publication_mode; /* tw_publication_mode_t */
    char *table_include_list; /* comma-separated anchored regexes, or NULL */
    char *table_exclude_list;
    char *schema_include_list; /* folded into table_include_list */
    char *schema_exclude_list; /* folded into table_exclude_list */
    char *message_prefix_include_list;
    char *message_prefix_exclude_list;
    int status_update_interval_ms;
    bool binary_mode;
    int pgoutput_streaming; /* tw_streaming_mode_t */
    char *spool_dir;
    int64_t spool_max_bytes;
    char *unavailable_value_placeholder;
    /* change events */
    bool tombstones_on_delete;
    char *skipped_operations; /* comma-separated c/u/d/t or none */
    char *message_key_columns; /* key_columns.h */
    char *column_include_list; /* column_rules.h */
    char *column_exclude_list;
    char *column_propagate_source_type;
    tw_props_t *column_rules; /* column.truncate/mask.* keys in file order, or NULL */
    /* pipeline */
    int max_inflight_transactions;
    int shutdown_timeout_ms;
    int reconnect_backoff_max_ms;
    int heartbeat_interval_ms; /* 0: off */
    char *heartbeat_action_query;
    char *heartbeat_topic_prefix;
    char *heartbeat_topic_name; /* NULL: <heartbeat_topic_prefix>.<topic_prefix> */
    bool provide_transaction_metadata;
    char *transaction_topic;    /* after "<topic_prefix>." */
    /* converters */
    tw_converter_config_t key_converter;
    tw_converter_config_t value_converter;
    /* transforms and predicates, in the order `transforms`/`predicates` list */
    tw_transform_config_t *transforms;
    size_t ntransforms;
    tw_predicate_config_t *predicates;
    size_t npredicates;
    /* worker */
    char *bootstrap_servers;
    tw_props_t *producer; /* producer.* with the prefix removed */
    tw_topic_groups_t *topic_creation; /* topic.creation.* groups; NULL: off */
    char *slot_guard_file; /* the slot's high-water mark: <offsets file>.slot */
    char *state_dir;    /* state.dir, or its default ($STATE_DIRECTORY, /var/lib/tidewater/<name>) */
    char *offsets_file; /* offset.storage.file.filename, or <state.dir>/<name>.offsets.json */
    int offset_flush_interval_ms;
    int exactly_once_support;        /* tw_exactly_once_support_t */
    int exactly_once_source_support; /* tw_eos_source_support_t */
    int transaction_boundary;        /* tw_transaction_boundary_t */
    int transaction_boundary_interval_ms;
    char *offset_storage_topic;
    char *offsets_storage_topic;
    /* derived */
    bool exactly_once;
    char *transactional_id;   /* exactly-once mode only */
    const char *offsets_topic; /* exactly-once mode: one of the two above */
    int errors_tolerance; /* tw_errors_tolerance_t */
    char *dlq_topic;
    bool dlq_context_headers;
    bool errors_log_enable;
    /* operations */
    int metrics_port; /* 0: no HTTP endpoint */
    char *metrics_bind_address;
    int health_stuck_threshold_ms;
    int topics_tracked_max; /* producer handles and /metrics series by topic */
    /* type modes (tw_decimal_mode_t etc. of connect_schema.h) */
    int decimal_handling_mode;
    int time_precision_mode;
    int binary_handling_mode;
    int interval_handling_mode;
    int money_fraction_digits;
    bool include_unknown_datatypes;
    int hstore_handling_mode;
    /* logging */
    char *log_level;
    bool log_json;
    /* One line per Debezium key that was accepted but changes nothing
     * tidewater emits, saying why; callers log them once at start. */
    char **notes;
    size_t nnotes;
} tw_config_t;

/* Validates props against the key tables and fills cfg (defaults applied).
 * Returns TW_ERR_CONFIG with a message that names the key, the value and
 * what is allowed. cfg must be freed with tw_config_clear even on error.
 * Column rules are only collected here (cfg->column_rules): their
 * patterns are checked by whoever builds them (transforms/column_rules.h). */
tw_err_t tw_config_from_props(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                              size_t errstr_size);
void tw_config_clear(tw_config_t *cfg);

/* Load + resolve + validate in one call. Commands load through
 * tw_connector_load (cli/connector_load.h), which adds the checks this
 * module cannot make (column rules) and sets the type modes. */
tw_err_t tw_config_load(const char *path, tw_config_t *cfg, char *errstr, size_t errstr_size);

/* Prints the key tables as Markdown (CONFIGURATION.md is generated from it). */
void tw_config_print_docs(FILE *out);
/* Prints every key name, one per line; scoped keys with `*` for the name
 * (transforms.*.route.by.field), for the docs-coverage check. */
void tw_config_print_keys(FILE *out);


/* Levenshtein distance, used to suggest the closest known key. */
size_t tw_config_edit_distance(const char *a, const char *b);

/* The first transform of kind outbox, or NULL. */
const tw_transform_config_t *tw_config_find_transform(const tw_config_t *cfg, int kind);
const tw_predicate_config_t *tw_config_find_predicate(const tw_config_t *cfg, const char *name);

#endif /* TW_CONFIG_H */
