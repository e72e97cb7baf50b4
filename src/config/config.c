/*
 * config.c — the key tables and validation of raw properties into
 * tw_config_t.
 */
#include "config/config.h"

#include "codec/connect_schema.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "config/client_keys.h"
#include "transforms/column_rules.h"
#include "kafka/topic_creation.h"

/* ------------------------------------------------------------------------
 * Key tables
 * ------------------------------------------------------------------------ */

typedef enum tw_conf_type {
    TW_CONF_STRING,
    TW_CONF_INT,
    TW_CONF_INT64,
    TW_CONF_BOOL,
    TW_CONF_ENUM,   /* one of `allowed` ('|'-separated), stored as its index (int) */
    TW_CONF_CHOICE, /* one of `allowed`, stored as the canonical string */
    TW_CONF_LIST,   /* comma-separated; stored as the raw string */
} tw_conf_type_t;

#define TW_CONF_REQUIRED 0x01
#define TW_CONF_SECRET 0x02
#define TW_CONF_NOSTORE 0x04     /* a Debezium key with no field: checked, then dropped */
#define TW_CONF_NOTE 0x08        /* when set, one note (why it changes nothing) is logged */
#define TW_CONF_LIMITED 0x10     /* Debezium has more values; the doc says why not here */
#define TW_CONF_UNSUPPORTED 0x20 /* any non-empty value is an error */

typedef struct tw_conf_key {
    const char *name;
    tw_conf_type_t type;
    const char *default_value; /* NULL: unset */
    const char *allowed;       /* ENUM/CHOICE: "a|b|c"; INT: "min..max" */
    unsigned flags;
    size_t offset; /* into the scope's struct */
    const char *doc;
} tw_conf_key_t;

/* A family of keys sharing a prefix, e.g. every `transforms.<name>.`. */
typedef struct tw_conf_scope {
    const char *label; /* how docs print the prefix: "transforms.<name>." */
    const tw_conf_key_t *keys;
    size_t nkeys;
} tw_conf_scope_t;

#define F(field) offsetof(tw_config_t, field)

/* Order here is the order of the generated documentation. */
static const tw_conf_key_t connector_keys[] = {
    /* connector */
    {"name", TW_CONF_STRING, "tidewater", NULL, 0, F(name),
     "Connector name. Used in logs and to derive default names."},
    {"connector.class", TW_CONF_CHOICE, "io.debezium.connector.postgresql.PostgresConnector",
     "io.debezium.connector.postgresql.PostgresConnector|PostgresConnector", 0,
     F(connector_class),
     "Accepted so Debezium configs load unchanged; tidewater is always a PostgreSQL "
     "connector."},
    {"tasks.max", TW_CONF_INT, "1", "1..1", 0, F(tasks_max),
     "Accepted for Kafka Connect compatibility. One slot is read by one task."},
    {"topic.prefix", TW_CONF_STRING, NULL, NULL, TW_CONF_REQUIRED, F(topic_prefix),
     "Logical name of the source server; prefixes change-event topic names (Debezium's "
     "required key)."},
    {"snapshot.mode", TW_CONF_CHOICE, "no_data", "no_data|never", TW_CONF_LIMITED, F(snapshot_mode),
     "tidewater streams from the slot's position and takes no snapshots yet; only "
     "no_data (or its old name never) is accepted, not initial, always, initial_only, "
     "when_needed, configuration_based or custom."},
    /* database */
    {"database.hostname", TW_CONF_STRING, "localhost", NULL, 0, F(db_hostname),
     "PostgreSQL host name or IP address (or a Unix-socket directory)."},
    {"database.port", TW_CONF_INT, "5432", "1..65535", 0, F(db_port), "PostgreSQL port."},
    {"database.user", TW_CONF_STRING, NULL, NULL, TW_CONF_REQUIRED, F(db_user),
     "User to connect as; needs the REPLICATION attribute (or superuser)."},
    {"database.password", TW_CONF_STRING, NULL, NULL, TW_CONF_SECRET, F(db_password),
     "Password. Never logged. Use ${env:VAR} or ${file:/path:key} to keep it out of the "
     "file."},
    {"database.dbname", TW_CONF_STRING, NULL, NULL, TW_CONF_REQUIRED, F(db_dbname),
     "Database to stream changes from."},
    {"database.sslmode", TW_CONF_CHOICE, "prefer",
     "disable|allow|prefer|require|verify-ca|verify-full", 0, F(db_sslmode),
     "libpq sslmode for both the replication and the query connection."},
    {"database.sslrootcert", TW_CONF_STRING, NULL, NULL, 0, F(db_sslrootcert),
     "File of CA certificates to verify the server (libpq sslrootcert)."},
    {"database.sslcert", TW_CONF_STRING, NULL, NULL, 0, F(db_sslcert),
     "Client certificate file (libpq sslcert)."},
    {"database.sslkey", TW_CONF_STRING, NULL, NULL, 0, F(db_sslkey),
     "Client private key file (libpq sslkey)."},
    {"database.sslpassword", TW_CONF_STRING, NULL, NULL, TW_CONF_SECRET, F(db_sslpassword),
     "Password of the client key (libpq sslpassword). Never logged."},
    {"database.connect.timeout.ms", TW_CONF_INT, "30000", "1000..3600000", 0,
     F(db_connect_timeout_ms), "Time allowed to establish a PostgreSQL connection."},
    {"database.tcpKeepAlive", TW_CONF_BOOL, "true", NULL, 0, F(db_tcp_keepalive),
     "Enable TCP keepalives on PostgreSQL connections."},
    /* replication */
    {"plugin.name", TW_CONF_CHOICE, "pgoutput", "pgoutput", TW_CONF_LIMITED, F(plugin_name),
     "Logical decoding plugin. Only the built-in pgoutput is supported (no server "
     "extension needed)."},
    {"slot.name", TW_CONF_STRING, "debezium", NULL, 0, F(slot_name),
     "Logical replication slot to read; created (pgoutput) if it does not exist."},
    {"slot.drop.on.stop", TW_CONF_BOOL, "false", NULL, 0, F(slot_drop_on_stop),
     "Drop the slot on orderly shutdown. Only for tests: a dropped slot loses its "
     "position."},
    {"publication.name", TW_CONF_STRING, "dbz_publication", NULL, 0, F(publication_name),
     "Publication whose tables are streamed."},
    {"publication.autocreate.mode", TW_CONF_ENUM, "all_tables",
     "all_tables|filtered|disabled|no_tables", 0, F(publication_mode),
     "all_tables: create FOR ALL TABLES if missing (needs superuser); filtered: create or "
     "alter it to exactly the tables matching table.include.list/table.exclude.list "
     "(keeping the column lists and row filters of tables it keeps); disabled: it must exist "
     "and is used as it is (column lists and row filters included); no_tables: create it "
     "with no tables if missing."},
    {"table.include.list", TW_CONF_LIST, NULL, NULL, 0, F(table_include_list),
     "Comma-separated regular expressions matched against schema.table (anchored); only "
     "matching tables are captured."},
    {"table.exclude.list", TW_CONF_LIST, NULL, NULL, 0, F(table_exclude_list),
     "Comma-separated regular expressions (anchored) of schema.table names not to "
     "capture."},
    {"message.prefix.include.list", TW_CONF_LIST, NULL, NULL, 0,
     F(message_prefix_include_list),
     "Comma-separated regular expressions (anchored) of pg_logical_emit_message prefixes "
     "to capture; all by default."},
    {"message.prefix.exclude.list", TW_CONF_LIST, NULL, NULL, 0,
     F(message_prefix_exclude_list),
     "Comma-separated regular expressions (anchored) of message prefixes to ignore."},
    {"status.update.interval.ms", TW_CONF_INT, "10000", "100..3600000", 0,
     F(status_update_interval_ms),
     "How often to send the server a standby status update (write and flush LSN)."},
    {"pgoutput.binary", TW_CONF_BOOL, "false", NULL, 0, F(binary_mode),
     "Ask pgoutput for binary column values (binary 'true', PostgreSQL 14+) instead of "
     "text. Values read the same either way, except types without a mapping "
     "(geometric, network, range, timetz, ...): their send-function bytes, which tail "
     "prints as base64, instead of PostgreSQL's text."},
    {"pgoutput.streaming", TW_CONF_ENUM, "on", "on|off", 0, F(pgoutput_streaming),
     "on: let the server stream large in-progress transactions (protocol 2+), spooled to "
     "spool.dir until they commit; off: the server keeps each transaction until its commit "
     "(in memory, then its own pg_replslot files). An escape hatch for server bugs in "
     "streamed decoding, e.g. PostgreSQL 15's \"could not map filenode\" on a streamed "
     "transaction that decodes with streaming off."},
    {"spool.dir", TW_CONF_STRING, "/tmp", NULL, 0, F(spool_dir),
     "Directory for spooling streamed in-progress transactions to disk until their "
     "commit, so memory stays bounded whatever the transaction size."},
    {"spool.max.bytes", TW_CONF_INT64, "10737418240", "0..9223372036854775807", 0,
     F(spool_max_bytes),
     "Upper bound of disk space used by spooled transactions; exceeding it stops the "
     "connector with an error rather than filling the disk (0 = unlimited)."},
    {"unavailable.value.placeholder", TW_CONF_STRING, "__debezium_unavailable_value", NULL,
     0, F(unavailable_value_placeholder),
     "Stands in for an unchanged TOASTed column value the server did not send."},
    /* change events (captured tables no transform routes) */
    {"tombstones.on.delete", TW_CONF_BOOL, "true", NULL, 0, F(tombstones_on_delete),
     "A change event for a DELETE is followed by a tombstone (same key, null value), so "
     "log compaction can drop the row's records. Outbox tables (routed by a transform) "
     "produce no record for a DELETE; route.tombstone.on.empty.payload controls their "
     "tombstones."},
    {"message.key.columns", TW_CONF_STRING, NULL, NULL, 0, F(message_key_columns),
     "Columns that key a table's change events instead of its primary key: "
     "<schema.table regex>:<column>[,<column>...], entries separated by ';' (the first "
     "whose pattern matches the whole schema.table applies). Outbox records keep "
     "transforms.<name>.table.field.event.key."},
    {"column.include.list", TW_CONF_LIST, NULL, NULL, 0, F(column_include_list),
     "Regular expressions matching the whole <schema>.<table>.<column> (case-insensitive) "
     "of the columns change events carry; the others are left out of the value (a key "
     "column stays in the key). Not with column.exclude.list."},
    {"column.exclude.list", TW_CONF_LIST, NULL, NULL, 0, F(column_exclude_list),
     "Regular expressions matching the whole <schema>.<table>.<column> (case-insensitive) "
     "of columns left out of change events' values (a key column stays in the key)."},
    {"column.propagate.source.type", TW_CONF_LIST, NULL, NULL, 0,
     F(column_propagate_source_type),
     "Regular expressions matching <schema>.<table>.<column>: those columns' value schemas "
     "get the parameters __debezium.source.column.type, .length and .scale. Like "
     "column.truncate.to.<n>.chars, column.mask.with.<n>.chars and "
     "column.mask.hash[.v2].<algorithm>.with.salt.<salt>, a column takes the first rule "
     "naming it, in that order (truncate, mask, hash, propagate)."},
    {"skipped.operations", TW_CONF_LIST, "t", NULL, 0, F(skipped_operations),
     "Change-event operations not written: a comma-separated list of u (updates), "
     "d (deletes), t (truncates), or none. c is refused: it would drop every outbox event. "
     "Outbox tables are routed on INSERT only whatever this says."},
    /* pipeline */
    {"max.inflight.transactions", TW_CONF_INT, "65536", "1..16777216", 0,
     F(max_inflight_transactions),
     "Source transactions whose records may await Kafka's acknowledgement at once; when "
     "reached, reading from PostgreSQL pauses (the WAL waits safely in the slot)."},
    {"shutdown.timeout.ms", TW_CONF_INT, "30000", "0..3600000", 0, F(shutdown_timeout_ms),
     "On SIGTERM/SIGINT, how long the transaction being read may take to finish and be "
     "acknowledged by Kafka before tidewater exits; what is not acknowledged by then is "
     "sent again after a restart."},
    {"retriable.restart.connector.wait.ms", TW_CONF_INT, "30000", "500..3600000", 0,
     F(reconnect_backoff_max_ms),
     "Longest wait before reconnecting after a retriable failure (a lost PostgreSQL "
     "connection, an aborted Kafka transaction): the wait starts at 500 ms and doubles up "
     "to this; it starts over once a session delivers a transaction."},
    {"heartbeat.interval.ms", TW_CONF_INT, "0", "0..86400000", 0, F(heartbeat_interval_ms),
     "Every so often, run heartbeat.action.query, write Debezium's heartbeat record (see "
     "topic.heartbeat.prefix) and confirm the slot, so a captured database with no changes "
     "of its own does not pin WAL written elsewhere; 0 turns it off."},
    {"heartbeat.action.query", TW_CONF_STRING, NULL, NULL, 0, F(heartbeat_action_query),
     "SQL run on each heartbeat in the captured database (for example an UPDATE of a "
     "heartbeat table in the publication), so the slot sees WAL of its own database."},
    {"topic.heartbeat.prefix", TW_CONF_STRING, "__debezium-heartbeat", NULL, 0,
     F(heartbeat_topic_prefix),
     "Each heartbeat also writes a record (key {serverName}, value {ts_ms}, Debezium's "
     "schemas, partition 0) to <topic.heartbeat.prefix>.<topic.prefix>. It carries no "
     "source position: the slot is confirmed as without it."},
    {"topic.heartbeat.name", TW_CONF_STRING, NULL, NULL, 0, F(heartbeat_topic_name),
     "The heartbeat topic's full name, instead of <topic.heartbeat.prefix>.<topic.prefix>."},
    {"provide.transaction.metadata", TW_CONF_BOOL, "false", NULL, 0,
     F(provide_transaction_metadata),
     "Write a BEGIN and an END record for each source transaction to "
     "<topic.prefix>.<topic.transaction> (key {id}, id \"<xid>:<lsn>\"; END counts the "
     "transaction's change events per table), delivered with the transaction's records "
     "(in its Kafka transaction in exactly-once mode), and fill each change event's "
     "transaction block ({id, total_order, data_collection_order}) instead of null."},
    {"topic.transaction", TW_CONF_STRING, "transaction", NULL, 0, F(transaction_topic),
     "Name of the transaction metadata topic after <topic.prefix>."},
    /* worker */
    {"bootstrap.servers", TW_CONF_STRING, NULL, NULL, 0, F(bootstrap_servers),
     "Kafka bootstrap servers, host:port[,host:port]. Required by `tidewater run`."},
    {"state.dir", TW_CONF_STRING, NULL, NULL, 0, F(state_dir),
     "Directory for the connector's state (the offsets file in at-least-once mode), "
     "created with mode 0700 if missing. Default: $STATE_DIRECTORY when set (as systemd's "
     "StateDirectory= does), else /var/lib/tidewater/<name>. `tidewater check` prints "
     "where the checkpoint lives."},
    {"offset.storage.file.filename", TW_CONF_STRING, NULL, NULL, 0, F(offsets_file),
     "File holding the last delivered source position and the server, database and slot "
     "it belongs to, written atomically (mode 0600). Default: <name>.offsets.json in "
     "state.dir."},
    {"offset.flush.interval.ms", TW_CONF_INT, "1000", "0..3600000", 0,
     F(offset_flush_interval_ms),
     "How often the offsets file is rewritten while records are being acknowledged "
     "(0: after every acknowledged transaction)."},
    {"exactly.once.support", TW_CONF_ENUM, "requested", "requested|required", 0,
     F(exactly_once_support),
     "required: exactly-once delivery. Each Kafka transaction carries the records of whole "
     "source transactions and their position in offset.storage.topic, and start-up skips "
     "what that topic says was committed, so read_committed consumers see every event "
     "once. requested: at-least-once (records are acknowledged before the position is "
     "stored), unless exactly.once.source.support=enabled."},
    {"exactly.once.source.support", TW_CONF_ENUM, "disabled", "disabled|preparing|enabled", 0,
     F(exactly_once_source_support),
     "Kafka Connect's worker switch: enabled turns exactly-once delivery on as "
     "exactly.once.support=required does; preparing and disabled leave it off."},
    {"transaction.boundary", TW_CONF_ENUM, "poll", "poll|interval", 0, F(transaction_boundary),
     "In exactly-once mode, when a Kafka transaction is committed (always between source "
     "transactions): poll, whenever PostgreSQL has nothing more to send at once or 100 ms "
     "have passed; interval, every transaction.boundary.interval.ms."},
    {"transaction.boundary.interval.ms", TW_CONF_INT, "1000", "1..3600000", 0,
     F(transaction_boundary_interval_ms),
     "With transaction.boundary=interval, how long a Kafka transaction collects source "
     "transactions before it is committed."},
    {"offset.storage.topic", TW_CONF_STRING, "tidewater-offsets", NULL, 0,
     F(offset_storage_topic),
     "In exactly-once mode, the compacted topic holding the position (created if "
     "missing); the offsets file is not used then."},
    {"offsets.storage.topic", TW_CONF_STRING, NULL, NULL, 0, F(offsets_storage_topic),
     "Kafka Connect's per-connector override of offset.storage.topic."},
    {"errors.tolerance", TW_CONF_ENUM, "none", "none|all", 0, F(errors_tolerance),
     "none: a record that cannot be converted or that Kafka refuses for good stops the "
     "connector without advancing the slot. all: it goes to the dead-letter topic (or, "
     "without one, is logged and skipped)."},
    {"errors.deadletterqueue.topic.name", TW_CONF_STRING, NULL, NULL, 0, F(dlq_topic),
     "Dead-letter topic for records that fail with errors.tolerance=all; each carries "
     "headers naming the source table, LSN and error."},
    {"errors.deadletterqueue.context.headers.enable", TW_CONF_BOOL, "false", NULL, 0,
     F(dlq_context_headers),
     "Also add Kafka Connect's __connect.errors.* headers to dead-letter records."},
    {"errors.log.enable", TW_CONF_BOOL, "true", NULL, 0, F(errors_log_enable),
     "Log each tolerated error (never the record's content)."},
    /* operations */
    {"metrics.port", TW_CONF_INT, "0", "0..65535", 0, F(metrics_port),
     "Serve GET /metrics (Prometheus) and GET /healthz on this port; 0 turns the endpoint "
     "off."},
    {"metrics.bind.address", TW_CONF_STRING, "127.0.0.1", NULL, 0, F(metrics_bind_address),
     "IPv4 address the metrics endpoint listens on."},
    {"health.stuck.threshold.ms", TW_CONF_INT, "60000", "1000..86400000", 0,
     F(health_stuck_threshold_ms),
     "/healthz fails when work has waited this long without progress, or PostgreSQL has "
     "been unreachable this long."},
    {"topics.tracked.max", TW_CONF_INT, "1000", "1..100000", 0, F(topics_tracked_max),
     "How many distinct topics tidewater keeps a producer handle and a /metrics series for. "
     "Routed topic names come from rows; past this many, the least recently used topic's "
     "counts move to the topic=\"(other)\" series (its records are produced all the same)."},
    /* how column values are typed (Debezium's type modes) */
    {"decimal.handling.mode", TW_CONF_ENUM, "precise", "precise|double|string", 0,
     F(decimal_handling_mode),
     "numeric and money columns: Connect Decimal (VariableScaleDecimal for an unconstrained "
     "numeric), a double, or a string."},
    {"time.precision.mode", TW_CONF_ENUM, "adaptive",
     "adaptive|adaptive_time_microseconds|connect|isostring|microseconds|nanoseconds", 0,
     F(time_precision_mode),
     "date, time and timestamp columns: adaptive (milliseconds up to precision 3, else "
     "microseconds), adaptive_time_microseconds (time always in microseconds), connect "
     "(Kafka Connect's Date/Time/Timestamp, milliseconds), isostring (ISO-8601 strings), "
     "microseconds, nanoseconds."},
    {"binary.handling.mode", TW_CONF_ENUM, "bytes", "bytes|base64|base64-url-safe|hex", 0,
     F(binary_handling_mode), "bytea columns: bytes, or a string in base64, URL-safe base64 or hex."},
    {"interval.handling.mode", TW_CONF_ENUM, "numeric", "numeric|string", 0,
     F(interval_handling_mode),
     "interval columns: MicroDuration microseconds (a month is 30.4375 days), or an ISO-8601 "
     "io.debezium.time.Interval string."},
    {"money.fraction.digits", TW_CONF_INT, "2", "0..30", 0, F(money_fraction_digits),
     "Scale of the Decimal a money column becomes with decimal.handling.mode=precise."},
    {"hstore.handling.mode", TW_CONF_ENUM, "json", "json|map", 0, F(hstore_handling_mode),
     "hstore columns: json (an io.debezium.data.Json string holding a JSON object, "
     "{\"k\":\"v\"}) or map (a Connect map of string to optional string; an Avro map). "
     "Pairs come in the order Debezium writes them."},
    {"include.unknown.datatypes", TW_CONF_BOOL, "false", NULL, 0, F(include_unknown_datatypes),
     "Columns of types Debezium has no mapping for (box, circle, line, lseg, path, polygon, "
     "pg_lsn, tsquery, composite and extension types, arrays of them, and a few arrays "
     "such as interval[] that stay out either way): false leaves them out of change events "
     "(logged once per column); true writes them as bytes (binary.handling.mode) holding "
     "their text, arrays as arrays of bytes, as Debezium does."},
    /* logging */
    {"log.level", TW_CONF_CHOICE, "info", "error|warning|notice|info|debug", 0,
     F(log_level), "Least severe level logged."},
    {"log.json", TW_CONF_BOOL, "false", NULL, 0, F(log_json),
     "Write log lines as JSON objects for log shippers."},
};
#undef F

/*
 * Keys of Debezium's PostgreSQL connector that tidewater has no setting
 * for, so that a Debezium config loads unchanged. Each is one of:
 * - NOTE: it cannot change what tidewater emits (snapshot tuning, queues,
 *   metrics, ...). The value is checked for its type; when present, one
 *   note saying why is logged at start.
 * - ONLY: tidewater behaves like one (or a few) of Debezium's values; any
 *   other value is an error listing the supported ones.
 * - UNSUPPORTED: any non-empty value asks for output tidewater cannot
 *   produce, so it is an error saying so.
 */
#define NOTE(n, t, allowed, doc) {n, t, NULL, allowed, TW_CONF_NOSTORE | TW_CONF_NOTE, 0, doc}
#define ONLY(n, def, allowed, doc)                                                             \
    {n, TW_CONF_CHOICE, def, allowed, TW_CONF_NOSTORE | TW_CONF_LIMITED, 0, doc}
#define ONLY_NOTE(n, def, allowed, doc)                                                        \
    {n, TW_CONF_CHOICE, def, allowed, TW_CONF_NOSTORE | TW_CONF_LIMITED | TW_CONF_NOTE, 0, doc}
#define UNSUPPORTED(n, doc)                                                                    \
    {n, TW_CONF_STRING, NULL, NULL, TW_CONF_NOSTORE | TW_CONF_UNSUPPORTED, 0, doc}
#define NO_SNAPSHOT "tidewater takes no snapshots (snapshot.mode=no_data)."
static const tw_conf_key_t debezium_keys[] = {
    /* what is emitted */
    ONLY_NOTE("schema.name.adjustment.mode", NULL, "none|avro",
              "tidewater's AvroConverter always replaces characters Avro names do not allow "
              "with _, as avro does, and JSON needs none; avro_unicode is not implemented."),
    ONLY_NOTE("field.name.adjustment.mode", NULL, "none|avro",
              "tidewater's AvroConverter always replaces characters Avro names do not allow "
              "with _, as avro does, and JSON needs none; avro_unicode is not implemented."),
    ONLY("include.schema.comments", "false", "false",
         "column comments are not copied into schemas."),
    UNSUPPORTED("datatype.propagate.source.type",
                "tidewater does not add __debezium.source.column.* schema parameters."),
    UNSUPPORTED("converters", "custom Debezium converters (Java classes) cannot run here."),
    UNSUPPORTED("post.processors", "Debezium post processors (Java classes) cannot run here."),
    ONLY("topic.naming.strategy", "io.debezium.schema.SchemaTopicNamingStrategy",
         "io.debezium.schema.SchemaTopicNamingStrategy",
         "change-event topics (what predicates match) are <topic.prefix>.<schema>.<table>, "
         "Debezium's default strategy; other classes cannot run here."),
    ONLY("topic.delimiter", ".", ".", "topic name parts are joined with a dot."),
    NOTE("topic.cache.size", TW_CONF_INT64, NULL, "a cache size of Debezium's naming strategy."),
    NOTE("heartbeat.topics.prefix", TW_CONF_STRING, NULL,
         "Debezium 1.x's name; Debezium 3 (and tidewater) read topic.heartbeat.prefix."),
    NOTE("transaction.metadata.factory", TW_CONF_STRING, NULL,
         "transaction metadata is always built as Debezium's default factory builds it."),
    NOTE("skip.messages.without.change", TW_CONF_BOOL, NULL,
         "outbox rows are routed on INSERT only, so no UPDATE is compared."),
    NOTE("extended.headers.enabled", TW_CONF_BOOL, NULL,
         "tidewater never adds the __debezium.context.* headers (docs/debezium-differences.md "
         "D1)."),
    NOTE("sourceinfo.struct.maker", TW_CONF_STRING, NULL,
         "routed outbox records carry no source block."),
    UNSUPPORTED("replica.identity.autoset.values",
                "tidewater does not change replica identities; set them with ALTER TABLE ... "
                "REPLICA IDENTITY."),
    ONLY("publish.via.partition.root", "false", "false",
         "a publication tidewater creates does not set publish_via_partition_root; each "
         "partition's changes carry the partition's name."),
    /* table selection */
    {"schema.include.list", TW_CONF_LIST, NULL, NULL, 0, offsetof(tw_config_t, schema_include_list),
     "Comma-separated regular expressions (anchored) of schema names to capture; a table is "
     "captured when its schema matches. Not together with table.include.list (name the "
     "schema in its patterns instead)."},
    {"schema.exclude.list", TW_CONF_LIST, NULL, NULL, 0, offsetof(tw_config_t, schema_exclude_list),
     "Comma-separated regular expressions (anchored) of schema names not to capture."},
    NOTE("table.ignore.builtin", TW_CONF_BOOL, NULL,
         "the publication decides which tables are read, and system catalogs are never in one."),
    NOTE("database.include.list", TW_CONF_LIST, NULL,
         "a connector reads the one database named by database.dbname."),
    NOTE("database.exclude.list", TW_CONF_LIST, NULL,
         "a connector reads the one database named by database.dbname."),
    NOTE("include.schema.changes", TW_CONF_BOOL, NULL,
         "Debezium's PostgreSQL connector has no schema change topic either."),
    /* snapshots */
    NOTE("snapshot.delay.ms", TW_CONF_INT64, NULL, NO_SNAPSHOT),
    NOTE("snapshot.fetch.size", TW_CONF_INT64, NULL, NO_SNAPSHOT),
    NOTE("snapshot.max.threads", TW_CONF_INT64, NULL, NO_SNAPSHOT),
    NOTE("snapshot.max.threads.multiplier", TW_CONF_INT64, NULL, NO_SNAPSHOT),
    NOTE("legacy.snapshot.max.threads", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("internal.legacy.snapshot.max.threads", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("snapshot.include.collection.list", TW_CONF_LIST, NULL, NO_SNAPSHOT),
    NOTE("snapshot.mode.custom.name", TW_CONF_STRING, NULL, NO_SNAPSHOT),
    NOTE("snapshot.mode.configuration.based.snapshot.data", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("snapshot.mode.configuration.based.snapshot.schema", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("snapshot.mode.configuration.based.start.stream", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("snapshot.mode.configuration.based.snapshot.on.schema.error", TW_CONF_BOOL, NULL,
         NO_SNAPSHOT),
    NOTE("snapshot.mode.configuration.based.snapshot.on.data.error", TW_CONF_BOOL, NULL,
         NO_SNAPSHOT),
    NOTE("snapshot.isolation.mode", TW_CONF_CHOICE,
         "serializable|repeatable_read|read_committed|read_uncommitted", NO_SNAPSHOT),
    NOTE("snapshot.locking.mode", TW_CONF_CHOICE, "none|shared|custom", NO_SNAPSHOT),
    NOTE("snapshot.locking.mode.custom.name", TW_CONF_STRING, NULL, NO_SNAPSHOT),
    NOTE("snapshot.lock.timeout.ms", TW_CONF_INT64, NULL, NO_SNAPSHOT),
    NOTE("snapshot.query.mode", TW_CONF_CHOICE, "select_all|custom", NO_SNAPSHOT),
    NOTE("snapshot.query.mode.custom.name", TW_CONF_STRING, NULL, NO_SNAPSHOT),
    NOTE("snapshot.select.statement.overrides", TW_CONF_STRING, NULL, NO_SNAPSHOT),
    NOTE("snapshot.tables.order.by.row.count", TW_CONF_CHOICE, "disabled|ascending|descending",
         NO_SNAPSHOT),
    NOTE("internal.snapshot.scan.all.columns.force", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("incremental.snapshot.chunk.size", TW_CONF_INT64, NULL, NO_SNAPSHOT),
    NOTE("incremental.snapshot.watermarking.strategy", TW_CONF_CHOICE,
         "insert_insert|insert_delete", NO_SNAPSHOT),
    NOTE("incremental.snapshot.allow.schema.changes", TW_CONF_BOOL, NULL, NO_SNAPSHOT),
    NOTE("read.only", TW_CONF_BOOL, NULL,
         "it selects how Debezium's incremental snapshots are marked, and " NO_SNAPSHOT),
    NOTE("signal.data.collection", TW_CONF_LIST, NULL,
         "tidewater reads no signals: its only actions are snapshots, and " NO_SNAPSHOT),
    NOTE("signal.enabled.channels", TW_CONF_LIST, NULL,
         "tidewater reads no signals: its only actions are snapshots, and " NO_SNAPSHOT),
    NOTE("signal.poll.interval.ms", TW_CONF_INT64, NULL,
         "tidewater reads no signals: its only actions are snapshots, and " NO_SNAPSHOT),
    NOTE("notification.enabled.channels", TW_CONF_LIST, NULL,
         "tidewater sends no notifications (they report snapshot progress)."),
    NOTE("notification.sink.topic.name", TW_CONF_STRING, NULL,
         "tidewater sends no notifications (they report snapshot progress)."),
    /* replication and failures */
    ONLY("slot.failover", "false", "false",
         "tidewater creates slots without PostgreSQL 17's failover option; create the slot "
         "yourself to have one."),
    UNSUPPORTED("slot.stream.params",
                "tidewater sets pgoutput's options itself (proto_version, publication_names, "
                "messages, streaming, binary)."),
    UNSUPPORTED("database.initial.statements",
                "tidewater runs no statements of its own on connect; set session defaults "
                "with ALTER ROLE ... SET."),
    UNSUPPORTED("database.sslfactory",
                "a JDBC class; use database.sslmode, database.sslrootcert, database.sslcert "
                "and database.sslkey."),
    NOTE("slot.max.retries", TW_CONF_INT64, NULL,
         "tidewater retries a busy or missing slot with its reconnect backoff "
         "(retriable.restart.connector.wait.ms)."),
    NOTE("slot.retry.delay.ms", TW_CONF_INT64, NULL,
         "tidewater retries a busy or missing slot with its reconnect backoff "
         "(retriable.restart.connector.wait.ms)."),
    NOTE("errors.max.retries", TW_CONF_INT64, NULL,
         "tidewater retries retriable errors without limit, with its reconnect backoff."),
    /* Kafka Connect's own connector keys */
    NOTE("errors.retry.timeout", TW_CONF_INT64, NULL,
         "tidewater waits for an unreachable registry or broker without limit and handles a "
         "record error at once, per errors.tolerance."),
    NOTE("errors.retry.delay.max.ms", TW_CONF_INT64, NULL,
         "tidewater waits for an unreachable registry or broker without limit and handles a "
         "record error at once, per errors.tolerance."),
    NOTE("errors.deadletterqueue.topic.replication.factor", TW_CONF_INT64, NULL,
         "the dead-letter topic is created like every other topic: by topic.creation.* "
         "groups, or by the broker's auto-creation."),
    ONLY("header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter",
         "org.apache.kafka.connect.storage.SimpleHeaderConverter",
         "headers are written as Kafka Connect's default SimpleHeaderConverter writes them."),
    ONLY("lsn.flush.mode", NULL, "connector|connector_and_driver",
         "tidewater confirms a position to the slot once Kafka has acknowledged (or, "
         "exactly-once, committed) everything before it; manual is not implemented."),
    ONLY("flush.lsn.source", "true", "true",
         "tidewater always confirms delivered positions to the slot."),
    NOTE("lsn.flush.timeout.ms", TW_CONF_INT64, NULL,
         "confirming a position is a status message, not a wait."),
    NOTE("lsn.flush.timeout.action", TW_CONF_CHOICE, "fail|warn|ignore",
         "confirming a position is a status message, not a wait."),
    NOTE("xmin.fetch.interval.ms", TW_CONF_INT64, NULL,
         "tidewater does not report the slot's xmin."),
    NOTE("offset.mismatch.strategy", TW_CONF_CHOICE,
         "no_validation|trust_offset|trust_slot|trust_greater_lsn",
         "tidewater checks its checkpoint against the slot itself and says so when they "
         "disagree; records are unchanged."),
    NOTE("schema.refresh.mode", TW_CONF_CHOICE, "columns_diff|columns_diff_exclude_unchanged_toast",
         "tidewater reads table definitions from pgoutput's Relation messages, never from the "
         "catalog."),
    ONLY("event.processing.failure.handling.mode", "fail", "fail",
         "an event that cannot be processed stops tidewater (errors.tolerance=all sends it to "
         "the dead-letter topic instead); warn, skip and ignore are not implemented."),
    ONLY("event.converting.failure.handling.mode", "fail", "fail",
         "a column value that cannot be converted stops tidewater or goes to the dead-letter "
         "topic (errors.tolerance), never a null or skipped column."),
    NOTE("database.query.timeout.ms", TW_CONF_INT64, NULL,
         "a setting of Debezium's JDBC queries, which tidewater does not make."),
    NOTE("query.fetch.size", TW_CONF_INT64, NULL,
         "a setting of Debezium's JDBC queries, which tidewater does not make."),
    NOTE("connection.validation.timeout.ms", TW_CONF_INT64, NULL,
         "tidewater validates connections within database.connect.timeout.ms."),
    NOTE("internal.create.slot.command.timeout", TW_CONF_INT64, NULL,
         "an internal Debezium timeout."),
    NOTE("internal.custom.retriable.exception", TW_CONF_STRING, NULL,
         "names Java exceptions, which do not occur here."),
    NOTE("internal.slot.seek.to.known.offset.on.start", TW_CONF_BOOL, NULL,
         "tidewater starts at its own checkpoint and skips what it confirms was delivered."),
    NOTE("internal.log.position.check.enable", TW_CONF_BOOL, NULL,
         "an internal Debezium check."),
    /* queues, threads and monitoring */
    NOTE("max.batch.size", TW_CONF_INT64, NULL,
         "tidewater has no change-event queue (max.inflight.transactions bounds memory)."),
    NOTE("max.queue.size", TW_CONF_INT64, NULL,
         "tidewater has no change-event queue (max.inflight.transactions bounds memory)."),
    NOTE("max.queue.size.in.bytes", TW_CONF_INT64, NULL,
         "tidewater has no change-event queue (max.inflight.transactions bounds memory)."),
    NOTE("poll.interval.ms", TW_CONF_INT64, NULL,
         "tidewater has no change-event queue to poll."),
    NOTE("queue.provider.type", TW_CONF_STRING, NULL,
         "tidewater has no change-event queue."),
    NOTE("streaming.delay.ms", TW_CONF_INT64, NULL,
         "streaming starts at once; there is no snapshot to wait for."),
    NOTE("executor.shutdown.timeout.ms", TW_CONF_INT64, NULL,
         "tidewater runs no executor threads (see shutdown.timeout.ms)."),
    NOTE("memory.management.schemas.class", TW_CONF_STRING, NULL,
         "Java classes for Debezium's table cache."),
    NOTE("memory.management.tables.class", TW_CONF_STRING, NULL,
         "Java classes for Debezium's table cache."),
    NOTE("statistics.metrics.enabled", TW_CONF_BOOL, NULL,
         "tidewater's metrics are served on metrics.port."),
    NOTE("internal.advanced.metrics.enable", TW_CONF_BOOL, NULL,
         "tidewater's metrics are served on metrics.port."),
    NOTE("custom.metric.tags", TW_CONF_LIST, NULL,
         "tidewater's metrics are served on metrics.port, labelled by connector name."),
    NOTE("custom.sanitize.pattern", TW_CONF_STRING, NULL,
         "tidewater never logs config values of secret keys, whatever their name."),
    NOTE("guardrail.collections.max", TW_CONF_INT64, NULL,
         "the publication decides how many tables are read."),
    NOTE("guardrail.collections.limit.action", TW_CONF_CHOICE, "warn|fail",
         "the publication decides how many tables are read."),
    NOTE("openlineage.integration.enabled", TW_CONF_BOOL, NULL,
         "tidewater emits no OpenLineage events."),
    NOTE("openlineage.integration.config.file.path", TW_CONF_STRING, NULL,
         "tidewater emits no OpenLineage events."),
    NOTE("openlineage.integration.job.namespace", TW_CONF_STRING, NULL,
         "tidewater emits no OpenLineage events."),
    NOTE("openlineage.integration.job.description", TW_CONF_STRING, NULL,
         "tidewater emits no OpenLineage events."),
    NOTE("openlineage.integration.job.tags", TW_CONF_LIST, NULL,
         "tidewater emits no OpenLineage events."),
    NOTE("openlineage.integration.job.owners", TW_CONF_LIST, NULL,
         "tidewater emits no OpenLineage events."),
    NOTE("openlineage.integration.dataset.kafka.bootstrap.servers", TW_CONF_STRING, NULL,
         "tidewater emits no OpenLineage events."),
};
#undef NO_SNAPSHOT
#undef UNSUPPORTED
#undef ONLY_NOTE
#undef ONLY
#undef NOTE

#define F(field) offsetof(tw_converter_config_t, field)
#define SR "schema.registry."
static const tw_conf_key_t converter_keys[] = {
    {"", TW_CONF_ENUM, "io.confluent.connect.avro.AvroConverter",
     "io.confluent.connect.avro.AvroConverter|org.apache.kafka.connect.json.JsonConverter|"
     "org.apache.kafka.connect.storage.StringConverter",
     0, F(kind),
     "Converter class: Avro with a schema registry, JSON, or plain strings."},
    {SR "url", TW_CONF_LIST, NULL, NULL, 0, F(registry_url),
     "Schema registry URLs, comma-separated; tidewater fails over between them. Required "
     "with AvroConverter."},
    {"basic.auth.credentials.source", TW_CONF_ENUM, "USER_INFO", "USER_INFO|URL", 0,
     F(basic_auth_source),
     "USER_INFO: credentials from basic.auth.user.info; URL: from user:password@ in the "
     "registry URL."},
    {"basic.auth.user.info", TW_CONF_STRING, NULL, NULL, TW_CONF_SECRET,
     F(basic_auth_user_info), "user:password for the registry's basic auth. Never logged."},
    {"key.subject.name.strategy", TW_CONF_ENUM,
     "io.confluent.kafka.serializers.subject.TopicNameStrategy",
     "io.confluent.kafka.serializers.subject.TopicNameStrategy|"
     "io.confluent.kafka.serializers.subject.RecordNameStrategy|"
     "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
     0, F(key_subject_strategy), "Subject naming for key schemas."},
    {"value.subject.name.strategy", TW_CONF_ENUM,
     "io.confluent.kafka.serializers.subject.TopicNameStrategy",
     "io.confluent.kafka.serializers.subject.TopicNameStrategy|"
     "io.confluent.kafka.serializers.subject.RecordNameStrategy|"
     "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
     0, F(value_subject_strategy), "Subject naming for value schemas."},
    {"auto.register.schemas", TW_CONF_BOOL, "true", NULL, 0, F(auto_register),
     "Register new schemas; when false, each schema must already be registered."},
    {"use.latest.version", TW_CONF_BOOL, "false", NULL, 0, F(use_latest_version),
     "With auto.register.schemas=false, use the subject's latest schema id."},
    {"schemas.enable", TW_CONF_BOOL, "true", NULL, 0, F(schemas_enable),
     "JsonConverter: wrap each value as {\"schema\": ..., \"payload\": ...}."},
    {SR "ssl.ca.location", TW_CONF_STRING, NULL, NULL, 0, F(ssl_ca_location),
     "PEM file of CA certificates to verify the registry's TLS certificate."},
    {SR "ssl.certificate.location", TW_CONF_STRING, NULL, NULL, 0,
     F(ssl_certificate_location), "PEM client certificate for the registry (mutual TLS)."},
    {SR "ssl.key.location", TW_CONF_STRING, NULL, NULL, 0, F(ssl_key_location),
     "PEM private key of the client certificate."},
    {SR "ssl.key.password", TW_CONF_STRING, NULL, NULL, TW_CONF_SECRET, F(ssl_key_password),
     "Password of the client key. Never logged."},
    {SR "request.timeout.ms", TW_CONF_INT, "10000", "100..600000", 0, F(request_timeout_ms),
     "Time allowed for one registry request; failures are retried with backoff."},
    {SR "connect.timeout.ms", TW_CONF_INT, "5000", "100..600000", 0, F(connect_timeout_ms),
     "Time allowed to connect to one registry URL before trying the next."},
};
#undef SR
#undef F

#define F(field) offsetof(tw_transform_config_t, field)
#define O(field) (offsetof(tw_transform_config_t, outbox) + offsetof(tw_outbox_config_t, field))
/* Both transform tables accept every class, so `type` stores the kind
 * (tw_transform_kind_t) whichever table reads it. */
#define TRANSFORM_TYPES                                                                        \
    "io.debezium.transforms.outbox.EventRouter|io.debezium.transforms.ExtractNewRecordState"
#define UNWRAP_CLASS "io.debezium.transforms.ExtractNewRecordState"
static const tw_conf_key_t transform_keys[] = {
    {"type", TW_CONF_ENUM, NULL, TRANSFORM_TYPES, TW_CONF_REQUIRED, F(kind),
     "Transform class: the Outbox Event Router (keys below) or ExtractNewRecordState (keys in "
     "the next table)."},
    {"predicate", TW_CONF_STRING, NULL, NULL, 0, F(predicate),
     "Apply the transform only to records the named predicate matches."},
    {"negate", TW_CONF_BOOL, "false", NULL, 0, F(negate),
     "Apply the transform to records the predicate does not match instead."},
    {"table.field.event.id", TW_CONF_STRING, "id", NULL, 0, O(field_event_id),
     "Column with the unique event id; sent as header `id`."},
    {"table.field.event.key", TW_CONF_STRING, "aggregateid", NULL, 0, O(field_event_key),
     "Column whose value is the record key (so one aggregate's events stay in order on one "
     "partition)."},
    {"table.field.event.type", TW_CONF_STRING, "type", NULL, 0, O(field_event_type),
     "Column with the event type (place it with table.fields.additional.placement)."},
    {"table.field.event.payload", TW_CONF_STRING, "payload", NULL, 0, O(field_event_payload),
     "Column with the event payload: the record value."},
    {"table.field.event.timestamp", TW_CONF_STRING, NULL, NULL, 0, O(field_event_timestamp),
     "Column whose value becomes the record timestamp; default: the commit time."},
    {"table.fields.additional.placement", TW_CONF_LIST, NULL, NULL, 0,
     O(fields_additional_placement),
     "column:header[:alias], column:envelope[:alias] or column:partition, comma-separated: "
     "extra columns as headers, as fields of a value envelope, or as the partition."},
    {"table.fields.additional.error.on.missing", TW_CONF_BOOL, "true", NULL, 0,
     O(fields_additional_error_on_missing),
     "A placed column missing from the table is an error (else it is skipped)."},
    {"table.field.additional.missing", TW_CONF_CHOICE, NULL, "error|ignore", 0,
     O(field_additional_missing),
     "Debezium 3.6's name for table.fields.additional.error.on.missing: error (true) or "
     "ignore (false); setting both to different answers is an error."},
    {"table.field.event.schema.version", TW_CONF_STRING, NULL, NULL, 0,
     O(field_event_schema_version), "Integer column giving the value schema's version."},
    {"route.by.field", TW_CONF_STRING, "aggregatetype", NULL, 0, O(route_by_field),
     "Column whose value names the topic (through route.topic.regex/replacement)."},
    {"route.topic.regex", TW_CONF_STRING, "(?<routedByValue>.*)", NULL, 0,
     O(route_topic_regex),
     "Regular expression the route column's value must match; named groups feed the "
     "replacement."},
    {"route.topic.replacement", TW_CONF_STRING, "outbox.event.${routedByValue}", NULL, 0,
     O(route_topic_replacement),
     "Topic name; ${group} (or $N) is replaced by the regex's capture."},
    {"route.tombstone.on.empty.payload", TW_CONF_BOOL, "false", NULL, 0,
     O(route_tombstone_on_empty_payload),
     "A null or empty payload becomes a tombstone (null value, key kept)."},
    {"table.op.invalid.behavior", TW_CONF_ENUM, "warn", "warn|error|fatal", 0,
     O(op_invalid_behavior),
     "On UPDATE of an outbox row: warn or error (log and drop it), or fatal (stop)."},
    {"table.expand.json.payload", TW_CONF_BOOL, "false", NULL, 0, O(expand_json_payload),
     "Parse a JSON payload and send it as a record with an inferred schema instead of a "
     "JSON string."},
    {"table.json.payload.null.behavior", TW_CONF_ENUM, "ignore", "ignore|optional_bytes", 0,
     O(json_payload_null_behavior),
     "With expansion: leave out JSON nulls (ignore) or keep them as optional bytes."},
    {"tracing.span.context.field", TW_CONF_STRING, "tracingspancontext", NULL, 0,
     O(tracing_span_context_field),
     "Column holding an OpenTelemetry span context; copied to the `traceparent` header "
     "when present."},
    {"tracing.operation.name", TW_CONF_STRING, "debezium-read", NULL, 0,
     O(tracing_operation_name), "Accepted for Debezium compatibility (no tracer here)."},
    {"tracing.with.context.field.only", TW_CONF_BOOL, "false", NULL, 0,
     O(tracing_with_context_field_only),
     "Accepted for Debezium compatibility (no tracer here)."},
    {"message.prefix", TW_CONF_STRING, NULL, NULL, 0, O(message_prefix),
     "tidewater: also route pg_logical_emit_message events with this prefix whose content "
     "is a JSON object with the outbox columns as fields (a table-less outbox)."},
    {"payload.schema.dir", TW_CONF_STRING, NULL, NULL, 0, O(payload_schema_dir),
     "tidewater: a directory of Avro schema files (*.avsc) declaring each event type's "
     "payload. Set, every payload is converted to its declared record (the record named "
     "like the event type, or per payload.schema.mapping) and a payload that does not fit "
     "is an error handled by errors.tolerance; needs value.converter=AvroConverter."},
    {"payload.schema.mapping", TW_CONF_LIST, NULL, NULL, 0, O(payload_schema_mapping),
     "tidewater: comma-separated eventType:record.full.Name pairs for event types whose "
     "record is not named like them."},
    {"payload.schema.unknown.fields", TW_CONF_ENUM, "ignore", "ignore|fail", 0,
     O(payload_schema_unknown_fields),
     "tidewater: a payload field the declared record does not have is ignored, or an "
     "error."},
    {"payload.schema.compatibility.level", TW_CONF_CHOICE, NULL,
     "NONE|BACKWARD|BACKWARD_TRANSITIVE|FORWARD|FORWARD_TRANSITIVE|FULL|FULL_TRANSITIVE", 0,
     O(payload_schema_compatibility_level),
     "tidewater: set this compatibility level on a subject when tidewater creates it; "
     "unset, the registry's default applies."},
};
#undef O

/* io.debezium.transforms.ExtractNewRecordState: its own table, so an outbox
 * key on an unwrap transform (or the reverse) is an unknown key. */
#define U(field) (offsetof(tw_transform_config_t, unwrap) + offsetof(tw_unwrap_config_t, field))
#define REMOVED(n, doc) {n, TW_CONF_STRING, NULL, NULL, TW_CONF_NOSTORE | TW_CONF_UNSUPPORTED, 0, doc}
static const tw_conf_key_t unwrap_keys[] = {
    {"type", TW_CONF_ENUM, NULL, TRANSFORM_TYPES, TW_CONF_REQUIRED, F(kind),
     "Transform class; " UNWRAP_CLASS " flattens change events to their row state."},
    {"predicate", TW_CONF_STRING, NULL, NULL, 0, F(predicate),
     "Apply the transform only to records the named predicate matches."},
    {"negate", TW_CONF_BOOL, "false", NULL, 0, F(negate),
     "Apply the transform to records the predicate does not match instead."},
    {"delete.tombstone.handling.mode", TW_CONF_ENUM, "tombstone",
     "tombstone|drop|rewrite|rewrite-with-tombstone|delete-to-tombstone", 0, U(delete_mode),
     "Deletes and tombstones: tombstone (a delete becomes a null value, the tombstone is "
     "dropped), drop (both dropped), rewrite (a delete becomes the old row with "
     "__deleted=true, every other event gets __deleted=false; tombstones dropped), "
     "rewrite-with-tombstone (as rewrite, tombstones kept), delete-to-tombstone (a delete "
     "becomes a tombstone with no value schema; tombstones dropped)."},
    {"add.fields", TW_CONF_LIST, "", NULL, 0, U(add_fields),
     "Envelope fields to add to the row, e.g. op,table,lsn,source.ts_ms (as __op, __table, "
     "__lsn, __source_ts_ms); op, ts_ms, ts_us, ts_ns come from the envelope, id, "
     "total_order, data_collection_order from transaction, others from source; "
     "field:NAME names the new field NAME (with the prefix)."},
    {"add.fields.prefix", TW_CONF_STRING, "__", NULL, 0, U(add_fields_prefix),
     "Prefix of the fields add.fields adds."},
    {"add.headers", TW_CONF_LIST, "", NULL, 0, U(add_headers),
     "Envelope fields to add as headers, in add.fields' form; on a tombstone only op "
     "(value d)."},
    {"add.headers.prefix", TW_CONF_STRING, "__", NULL, 0, U(add_headers_prefix),
     "Prefix of the headers add.headers adds."},
    {"drop.fields.header.name", TW_CONF_STRING, NULL, NULL, 0, U(drop_fields_header_name),
     "A header holding a JSON array of field names to remove from the row (as written by "
     "an earlier transform); unset, nothing is removed."},
    {"drop.fields.from.key", TW_CONF_BOOL, "false", NULL, 0, U(drop_fields_from_key),
     "Also remove those fields from the key."},
    {"drop.fields.keep.schema.compatible", TW_CONF_BOOL, "true", NULL, 0,
     U(drop_fields_keep_schema_compatible),
     "Remove only optional fields (so the schema stays compatible); false: remove every "
     "named field."},
    {"route.by.field", TW_CONF_STRING, "", NULL, 0, U(route_by_field),
     "A string column of the row whose value (of the old row for a delete) becomes the "
     "topic; a null value keeps the topic."},
    {"replace.null.with.default", TW_CONF_BOOL, "true", NULL, 0, U(replace_null_with_default),
     "When the rewrite modes add __deleted, a null column with a schema default gets the "
     "default."},
    REMOVED("delete.handling.mode",
            "removed in Debezium 3.2; use delete.tombstone.handling.mode (drop, rewrite, or "
            "tombstone for none)."),
    REMOVED("drop.tombstones",
            "removed in Debezium 3.2; use delete.tombstone.handling.mode (rewrite drops "
            "tombstones, rewrite-with-tombstone keeps them)."),
};
#undef REMOVED
#undef U
#undef F

#define F(field) offsetof(tw_predicate_config_t, field)
static const tw_conf_key_t predicate_keys[] = {
    {"type", TW_CONF_ENUM, NULL, "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
     TW_CONF_REQUIRED, F(kind),
     "Predicate class. TopicNameMatches tests the record's topic before routing "
     "(<topic.prefix>.<schema>.<table>, or <topic.prefix>.message for logical messages)."},
    {"pattern", TW_CONF_STRING, NULL, NULL, TW_CONF_REQUIRED, F(pattern),
     "Regular expression the whole topic name must match."},
};
#undef F

static const tw_conf_scope_t scope_connector = {"", connector_keys,
                                                TW_ARRAY_SIZE(connector_keys)};
static const tw_conf_scope_t scope_key_converter = {"key.converter", converter_keys,
                                                    TW_ARRAY_SIZE(converter_keys)};
static const tw_conf_scope_t scope_value_converter = {"value.converter", converter_keys,
                                                      TW_ARRAY_SIZE(converter_keys)};
static const tw_conf_scope_t scope_transform = {"transforms.*", transform_keys,
                                                TW_ARRAY_SIZE(transform_keys)};
static const tw_conf_scope_t scope_unwrap = {"transforms.*", unwrap_keys,
                                             TW_ARRAY_SIZE(unwrap_keys)};
static const tw_conf_scope_t scope_predicate = {"predicates.*", predicate_keys,
                                                TW_ARRAY_SIZE(predicate_keys)};
static const tw_conf_scope_t scope_debezium = {"", debezium_keys, TW_ARRAY_SIZE(debezium_keys)};

/* ------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------ */

size_t tw_config_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t *row = tw_malloc((lb + 1) * sizeof(size_t));
    size_t result;

    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    result = row[lb];
    free(row);
    return result;
}

static const tw_conf_key_t *scope_find(const tw_conf_scope_t *scope, const char *name)
{
    size_t i;

    for (i = 0; i < scope->nkeys; i++)
        if (strcmp(scope->keys[i].name, name) == 0)
            return &scope->keys[i];
    return NULL;
}

/* Full name of a key in a scope instance: prefix "." name (or just prefix
 * for the scope's own key, like `key.converter`). */
static void full_name(const char *prefix, const char *name, char *out, size_t out_size)
{
    if (prefix[0] == '\0')
        snprintf(out, out_size, "%s", name);
    else if (name[0] == '\0')
        snprintf(out, out_size, "%s", prefix);
    else
        snprintf(out, out_size, "%s.%s", prefix, name);
}

/* The closest key name in a scope (as the user would write it), or NULL. */
static bool scope_suggest(const tw_conf_scope_t *scope, const char *prefix, const char *name,
                          char *out, size_t out_size)
{
    size_t best_distance = SIZE_MAX, limit = TW_MAX(strlen(name) / 3, (size_t)2), i;
    const char *best = NULL;

    for (i = 0; i < scope->nkeys; i++) {
        size_t d = tw_config_edit_distance(name, scope->keys[i].name);
        if (d < best_distance) {
            best_distance = d;
            best = scope->keys[i].name;
        }
    }
    if (best == NULL || best_distance > limit)
        return false;
    full_name(prefix, best, out, out_size);
    return true;
}

static bool enum_index(const char *allowed, const char *value, int *index)
{
    const char *p = allowed;
    size_t vlen = strlen(value);
    int i = 0;

    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vlen && strncasecmp(p, value, n) == 0) {
            *index = i;
            return true;
        }
        i++;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* The index-th alternative of an allowed list, copied. */
static char *enum_name(const char *allowed, int index)
{
    const char *p = allowed, *bar;
    int k;

    for (k = 0; k < index; k++)
        p = strchr(p, '|') + 1;
    bar = strchr(p, '|');
    return tw_strndup(p, bar ? (size_t)(bar - p) : strlen(p));
}

static bool parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(s, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static tw_err_t not_allowed(const char *origin, const char *name, const char *value,
                            const char *note, const char *allowed, char *errstr,
                            size_t errstr_size)
{
    tw_buf_t list = TW_BUF_INIT;
    const char *p;
    tw_err_t err;

    for (p = allowed; *p; p++) {
        if (*p == '|')
            tw_buf_append_str(&list, ", ");
        else
            tw_buf_append_char(&list, *p);
    }
    err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                  "%s: %s=\"%s\" is not allowed%s; use one of: %s", origin, name, value, note,
                  list.data);
    tw_buf_free(&list);
    return err;
}

/* A Debezium value tidewater does not implement: say why, and what it does. */
static tw_err_t limited(const char *origin, const char *name, const char *value,
                        const char *note, const tw_conf_key_t *key, char *errstr,
                        size_t errstr_size)
{
    tw_buf_t list = TW_BUF_INIT;
    const char *p;
    tw_err_t err;

    for (p = key->allowed; *p; p++) {
        if (*p == '|')
            tw_buf_append_str(&list, ", ");
        else
            tw_buf_append_char(&list, *p);
    }
    err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                  "%s: %s=\"%s\" is not supported by tidewater%s: %s Supported: %s.", origin,
                  name, value, note, key->doc, list.data);
    tw_buf_free(&list);
    return err;
}

/* Parses one value into base+offset. `name` is the full key for messages;
 * `shown` is the value as messages may show it (tw_props_shown): a value
 * from a config provider may be a secret under the wrong key. */
static tw_err_t conf_apply(const tw_conf_key_t *key, const char *name, const char *value,
                           const char *shown, const char *origin, void *base, char *errstr,
                           size_t errstr_size)
{
    char *field = (char *)base + key->offset;
    const char *note = strcmp(shown, value) != 0
                           ? " (the value comes from a config provider and is not shown)"
                           : "";
    int64_t i64, lo, hi;
    int idx;
    bool b;

    switch (key->type) {
    case TW_CONF_STRING:
    case TW_CONF_LIST:
        free(*(char **)field);
        *(char **)field = tw_strdup(value);
        return TW_OK;
    case TW_CONF_INT:
    case TW_CONF_INT64:
        if (!parse_int64(value, &i64))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: %s=\"%s\" is not an integer%s", origin, name, shown, note);
        if (key->allowed && sscanf(key->allowed, "%" SCNd64 "..%" SCNd64, &lo, &hi) == 2 &&
            (i64 < lo || i64 > hi))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: %s=%s is out of range; allowed: %s%s", origin, name, shown,
                           key->allowed, note);
        if (key->type == TW_CONF_INT)
            *(int *)field = (int)i64;
        else
            *(int64_t *)field = i64;
        return TW_OK;
    case TW_CONF_BOOL:
        if (!parse_bool(value, &b))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: %s=\"%s\" is not a boolean; use true or false%s", origin,
                           name, shown, note);
        *(bool *)field = b;
        return TW_OK;
    case TW_CONF_ENUM:
    case TW_CONF_CHOICE:
        if (!enum_index(key->allowed, value, &idx) && (key->flags & TW_CONF_LIMITED))
            return limited(origin, name, shown, note, key, errstr, errstr_size);
        if (!enum_index(key->allowed, value, &idx))
            return not_allowed(origin, name, shown, note, key->allowed, errstr, errstr_size);
        if (key->type == TW_CONF_ENUM) {
            *(int *)field = idx;
        } else {
            free(*(char **)field);
            *(char **)field = enum_name(key->allowed, idx);
        }
        return TW_OK;
    }
    return TW_ERR_STATE;
}

static void add_note(tw_config_t *cfg, const char *origin, const char *name,
                     const char *shown, const char *doc)
{
    tw_buf_t line = TW_BUF_INIT;

    tw_buf_printf(&line, "%s: %s=%s is accepted for Debezium compatibility and does not "
                         "change what tidewater emits: %s",
                  origin, name, shown, doc);
    cfg->notes = tw_realloc(cfg->notes, (cfg->nnotes + 1) * sizeof(char *));
    cfg->notes[cfg->nnotes++] = line.data;
}

/* skipped.operations=c would drop every outbox event. */
static tw_err_t check_skipped_operations(const char *origin, const char *value, char *errstr,
                                         size_t errstr_size)
{
    char **items = NULL;
    size_t n = tw_config_split_list(value, &items), i;
    tw_err_t err = TW_OK;

    for (i = 0; err == TW_OK && i < n; i++) {
        if (strcmp(items[i], "c") == 0)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: skipped.operations=%s skips inserts, which are the outbox "
                          "events tidewater routes; remove c (supported: none, t, u, d)",
                          origin, value);
        else if (strcmp(items[i], "none") != 0 && strcmp(items[i], "t") != 0 &&
                 strcmp(items[i], "u") != 0 && strcmp(items[i], "d") != 0)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: skipped.operations has \"%s\"; use a comma-separated list of "
                          "c, u, d, t, or none",
                          origin, items[i]);
    }
    tw_config_free_list(items, n);
    return err;
}

/* conf_apply, plus what Debezium-compatibility keys need: a key without a
 * field is checked into scratch storage and dropped, an unsupported key is
 * an error, and a noted key leaves one note in cfg. */
static tw_err_t key_apply(const tw_conf_key_t *key, const char *name, const char *value,
                          const char *shown, const char *origin, void *base, tw_config_t *cfg,
                          char *errstr, size_t errstr_size)
{
    union {
        char *str;
        int64_t i64;
        int i;
        bool b;
    } scratch;
    const char *p;
    tw_err_t err;

    if (!(key->flags & TW_CONF_NOSTORE)) {
        err = conf_apply(key, name, value, shown, origin, base, errstr, errstr_size);
        if (err == TW_OK && strcmp(name, "skipped.operations") == 0)
            err = check_skipped_operations(origin, value, errstr, errstr_size);
        return err;
    }
    for (p = value; isspace((unsigned char)*p); p++)
        ;
    if ((key->flags & TW_CONF_UNSUPPORTED) && *p != '\0')
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: %s is not supported by tidewater: %s Remove the key.", origin, name,
                       key->doc);
    memset(&scratch, 0, sizeof(scratch));
    /* NOSTORE keys have offset 0, so base is the scratch. */
    err = conf_apply(key, name, value, shown, origin, &scratch, errstr, errstr_size);
    if (key->type == TW_CONF_STRING || key->type == TW_CONF_LIST || key->type == TW_CONF_CHOICE)
        free(scratch.str);
    if (err == TW_OK && (key->flags & TW_CONF_NOTE) && cfg)
        add_note(cfg, origin, name, shown, key->doc);
    return err;
}

static tw_err_t scope_defaults(const tw_conf_scope_t *scope, void *base, char *errstr,
                               size_t errstr_size)
{
    size_t i;
    tw_err_t err;

    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        if (key->default_value == NULL || (key->flags & TW_CONF_NOSTORE))
            continue;
        err = conf_apply(key, key->name, key->default_value, key->default_value, "default",
                         base, errstr, errstr_size);
        if (err)
            return err;
    }
    return TW_OK;
}

static void scope_clear(const tw_conf_scope_t *scope, void *base)
{
    size_t i;

    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        char **field;
        if ((key->type != TW_CONF_STRING && key->type != TW_CONF_LIST &&
             key->type != TW_CONF_CHOICE) ||
            (key->flags & TW_CONF_NOSTORE))
            continue;
        field = (char **)((char *)base + key->offset);
        if (*field && (key->flags & TW_CONF_SECRET))
            memset(*field, 0, strlen(*field));
        free(*field);
        *field = NULL;
    }
}

/*
 * Applies every property under `prefix` (e.g. "transforms.outbox") to one
 * scope instance at `base`, after its defaults; then checks required keys.
 * An unknown key under the prefix is an error with a suggestion.
 */
static tw_err_t scope_apply(const tw_conf_scope_t *scope, const char *prefix,
                            const tw_props_t *props, void *base, tw_config_t *cfg, char *errstr,
                            size_t errstr_size)
{
    size_t plen = strlen(prefix), i;
    char fullname[256], hint[256];
    tw_err_t err;

    err = scope_defaults(scope, base, errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < tw_props_count(props); i++) {
        const char *name, *value, *origin, *rel;
        const tw_conf_key_t *key;

        tw_props_entry(props, i, &name, &value, &origin);
        if (plen > 0 && (strncmp(name, prefix, plen) != 0 ||
                         (name[plen] != '\0' && name[plen] != '.')))
            continue;
        rel = plen == 0 ? name : name[plen] == '.' ? name + plen + 1 : "";
        key = scope_find(scope, rel);
        if (key == NULL) {
            if (scope_suggest(scope, prefix, rel, hint, sizeof(hint)))
                return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                               "%s: unknown config key \"%s\"; did you mean \"%s\"?", origin,
                               name, hint);
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: unknown config key \"%s\"; `tidewater config-docs` lists "
                           "every key",
                           origin, name);
        }
        err = key_apply(key, name, value, tw_props_shown(props, i), origin, base, cfg, errstr,
                        errstr_size);
        if (err)
            return err;
    }
    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        full_name(prefix, key->name, fullname, sizeof(fullname));
        if ((key->flags & TW_CONF_REQUIRED) && tw_props_get(props, fullname) == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "missing required config key \"%s\": %s", fullname, key->doc);
        if ((key->flags & TW_CONF_REQUIRED) && key->type == TW_CONF_STRING &&
            (*(char **)((char *)base + key->offset))[0] == '\0')
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "config key \"%s\" must not be empty: %s", fullname, key->doc);
    }
    return TW_OK;
}

/* Prefixes whose keys are not in the connector table. */
static bool is_scoped_key(const char *name)
{
    static const char *const prefixes[] = {
        "key.converter", "value.converter", "transforms.", "predicates.", "producer.",
        "config.providers", "topic.creation.",
    };
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(prefixes); i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* Debezium's column.mask.hash.<algorithm>.with.salt.<salt>,
 * column.mask.with.<n>.chars and column.truncate.to.<n>.chars. */
static bool is_column_rule(const char *name)
{
    size_t n = strlen(name);

    if (strncmp(name, "column.mask.hash.", 17) == 0 && strstr(name + 17, ".with.salt.") != NULL)
        return true;
    if (n > 6 && strcmp(name + n - 6, ".chars") == 0 &&
        (strncmp(name, "column.mask.with.", 17) == 0 ||
         strncmp(name, "column.truncate.to.", 19) == 0))
        return true;
    return false;
}

/* The closest top-level key, among tidewater's and Debezium's. */
static bool suggest_top(const char *name, char *out, size_t out_size)
{
    char a[256], b[256];
    bool has_a = scope_suggest(&scope_connector, "", name, a, sizeof(a));
    bool has_b = scope_suggest(&scope_debezium, "", name, b, sizeof(b));

    if (has_a && has_b && tw_config_edit_distance(name, b) < tw_config_edit_distance(name, a))
        has_a = false;
    if (!has_a && !has_b)
        return false;
    snprintf(out, out_size, "%s", has_a ? a : b);
    return true;
}

/* D12: Debezium 3.6 names table.fields.additional.error.on.missing
 * table.field.additional.missing, with values error and ignore. */
static tw_err_t apply_additional_missing(const tw_props_t *props, tw_config_t *cfg,
                                         char *errstr, size_t errstr_size)
{
    char key[512];
    size_t i;

    for (i = 0; i < cfg->ntransforms; i++) {
        tw_outbox_config_t *ob = &cfg->transforms[i].outbox;
        bool on_error;
        if (ob->field_additional_missing == NULL)
            continue;
        on_error = strcmp(ob->field_additional_missing, "error") == 0;
        snprintf(key, sizeof(key), "transforms.%s.table.fields.additional.error.on.missing",
                 cfg->transforms[i].name);
        if (tw_props_get(props, key) && ob->fields_additional_error_on_missing != on_error)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "transforms.%s.table.field.additional.missing=%s contradicts %s=%s; "
                           "keep one of the two keys",
                           cfg->transforms[i].name, ob->field_additional_missing, key,
                           ob->fields_additional_error_on_missing ? "true" : "false");
        ob->fields_additional_error_on_missing = on_error;
    }
    return TW_OK;
}

/* Appends each schema pattern, as a pattern of schema.table names, to a
 * table list. */
static void append_schema_patterns(char **list, const char *schemas)
{
    tw_buf_t buf = TW_BUF_INIT;
    char **items = NULL;
    size_t n = tw_config_split_list(schemas, &items), i;

    if (*list && (*list)[0])
        tw_buf_append_str(&buf, *list);
    for (i = 0; i < n; i++)
        tw_buf_printf(&buf, "%s(?:%s)\\..+", buf.len ? "," : "", items[i]);
    tw_config_free_list(items, n);
    free(*list);
    *list = buf.data;
}

/* schema.include.list / schema.exclude.list as table patterns, so every
 * reader of the table lists (publication, filter) honours them. */
static tw_err_t fold_schema_lists(tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    bool has_schemas = cfg->schema_include_list && cfg->schema_include_list[0];

    if (has_schemas && cfg->table_include_list && cfg->table_include_list[0])
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "schema.include.list=%s and table.include.list=%s are both set; "
                       "tidewater supports one of them: drop schema.include.list (its "
                       "schemas are already named in the table patterns, e.g. public\\.outbox)",
                       cfg->schema_include_list, cfg->table_include_list);
    if (has_schemas)
        append_schema_patterns(&cfg->table_include_list, cfg->schema_include_list);
    if (cfg->schema_exclude_list && cfg->schema_exclude_list[0])
        append_schema_patterns(&cfg->table_exclude_list, cfg->schema_exclude_list);
    return TW_OK;
}

/* Every `<family>.<name>.` key must belong to a name listed in `family`. */
static tw_err_t check_listed(const tw_props_t *props, const char *family, char **names,
                             size_t n, char *errstr, size_t errstr_size)
{
    size_t flen = strlen(family), i, k;

    for (i = 0; i < tw_props_count(props); i++) {
        const char *name, *value, *origin, *rest, *dot;
        bool listed = false;

        tw_props_entry(props, i, &name, &value, &origin);
        if (strncmp(name, family, flen) != 0 || name[flen] != '.')
            continue;
        rest = name + flen + 1;
        dot = strchr(rest, '.');
        for (k = 0; dot && k < n; k++)
            if (strlen(names[k]) == (size_t)(dot - rest) &&
                strncmp(names[k], rest, (size_t)(dot - rest)) == 0)
                listed = true;
        if (!listed)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: config key \"%s\" belongs to no %s listed in %s=%s; add its "
                           "name to %s or remove the key",
                           origin, name, family[0] == 't' ? "transform" : "predicate", family,
                           tw_props_get(props, family) ? tw_props_get(props, family) : "",
                           family);
    }
    return TW_OK;
}

/* The key table of one transform: its class decides which keys it has. */
static const tw_conf_scope_t *scope_for(const tw_conf_scope_t *scope, const tw_props_t *props,
                                        const char *prefix)
{
    char key[300];
    const char *type;

    if (scope != &scope_transform)
        return scope;
    snprintf(key, sizeof(key), "%s.type", prefix);
    type = tw_props_get(props, key);
    if (type && strcmp(type, UNWRAP_CLASS) == 0)
        return &scope_unwrap;
    return scope;
}

static tw_err_t apply_named_scopes(const tw_props_t *props, const char *family,
                                   const tw_conf_scope_t *scope, size_t elem_size,
                                   size_t name_offset, void **array_out, size_t *n_out,
                                   tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    const char *list = tw_props_get(props, family);
    char **names = NULL, prefix[256];
    size_t n = tw_config_split_list(list, &names), i;
    char *array = tw_calloc(n ? n : 1, elem_size);
    tw_err_t err;

    *array_out = array;
    *n_out = 0;
    err = check_listed(props, family, names, n, errstr, errstr_size);
    for (i = 0; err == TW_OK && i < n; i++) {
        void *elem = array + i * elem_size;
        *(char **)((char *)elem + name_offset) = tw_strdup(names[i]);
        (*n_out)++;
        snprintf(prefix, sizeof(prefix), "%s.%s", family, names[i]);
        err = scope_apply(scope_for(scope, props, prefix), prefix, props, elem, cfg, errstr,
                          errstr_size);
    }
    tw_config_free_list(names, n);
    return err;
}

static tw_err_t check_predicates_exist(const tw_config_t *cfg, char *errstr,
                                       size_t errstr_size)
{
    size_t i;

    for (i = 0; i < cfg->ntransforms; i++) {
        const char *p = cfg->transforms[i].predicate;
        if (p && tw_config_find_predicate(cfg, p) == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "transforms.%s.predicate=%s names no predicate listed in "
                           "predicates; add it there with predicates.%s.type and .pattern",
                           cfg->transforms[i].name, p, p);
    }
    return TW_OK;
}

/* Exactly-once needs a transactional producer of its own id, and a
 * transactional id without it would stall every produce. */
static tw_err_t apply_exactly_once(tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    const char *id = tw_props_get(cfg->producer, "transactional.id");
    tw_buf_t buf = TW_BUF_INIT;

    cfg->exactly_once = cfg->exactly_once_support == TW_EXACTLY_ONCE_REQUIRED ||
                        cfg->exactly_once_source_support == TW_EOS_SOURCE_ENABLED;
    if (!cfg->exactly_once) {
        if (id)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "producer.transactional.id is set but exactly-once delivery is off; "
                           "set exactly.once.support=required, or remove the key");
        return TW_OK;
    }
    if (id)
        tw_buf_append_str(&buf, id);
    else
        tw_buf_printf(&buf, "tidewater-%s", cfg->name);
    cfg->transactional_id = buf.data;
    if (cfg->offsets_storage_topic && cfg->offsets_storage_topic[0])
        cfg->offsets_topic = cfg->offsets_storage_topic;
    else
        cfg->offsets_topic = cfg->offset_storage_topic;
    if (cfg->offsets_topic == NULL || cfg->offsets_topic[0] == '\0')
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "offset.storage.topic must name a topic in exactly-once mode");
    return TW_OK;
}

/* Never the working directory: a checkpoint found there by accident (a
 * reused connector name, another checkout) would be applied to whatever
 * database the config names. */
static void default_state_paths(tw_config_t *cfg)
{
    const char *systemd = getenv("STATE_DIRECTORY");
    tw_buf_t path = TW_BUF_INIT;

    if (cfg->state_dir == NULL || cfg->state_dir[0] == '\0') {
        free(cfg->state_dir);
        if (systemd && systemd[0])
            /* systemd lists one directory per StateDirectory= entry, ':'-separated. */
            tw_buf_append(&path, systemd, strcspn(systemd, ":"));
        else
            tw_buf_printf(&path, "/var/lib/tidewater/%s", cfg->name);
        cfg->state_dir = path.data;
        path = (tw_buf_t)TW_BUF_INIT;
    }
    if (cfg->offsets_file == NULL) {
        tw_buf_printf(&path, "%s/%s.offsets.json", cfg->state_dir, cfg->name);
        cfg->offsets_file = path.data;
        path = (tw_buf_t)TW_BUF_INIT;
    }
    /* Beside the offsets file, in both delivery modes (slot_guard.h). */
    tw_buf_printf(&path, "%s.slot", cfg->offsets_file);
    cfg->slot_guard_file = path.data;
}

tw_err_t tw_config_from_props(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                              size_t errstr_size)
{
    size_t i;
    tw_err_t err;

    memset(cfg, 0, sizeof(*cfg));
    err = scope_defaults(&scope_connector, cfg, errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < tw_props_count(props); i++) {
        const char *name, *value, *origin;
        const tw_conf_key_t *key;
        char hint[256];

        tw_props_entry(props, i, &name, &value, &origin);
        if (strcmp(name, "transforms") == 0 || strcmp(name, "predicates") == 0)
            continue;
        key = scope_find(&scope_connector, name);
        if (key == NULL)
            key = scope_find(&scope_debezium, name);
        if (key == NULL) {
            if (is_scoped_key(name))
                continue;
            if (is_column_rule(name)) { /* column_rules.h reads them */
                if (cfg->column_rules == NULL)
                    cfg->column_rules = tw_props_new();
                tw_props_set(cfg->column_rules, name, value, origin);
                continue;
            }
            if (suggest_top(name, hint, sizeof(hint)))
                return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                               "%s: unknown config key \"%s\"; did you mean \"%s\"?", origin,
                               name, hint);
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: unknown config key \"%s\"; `tidewater config-docs` lists "
                           "every key",
                           origin, name);
        }
        err = key_apply(key, name, value, tw_props_shown(props, i), origin, cfg, cfg, errstr,
                        errstr_size);
        if (err)
            return err;
    }
    for (i = 0; i < scope_connector.nkeys; i++) {
        const tw_conf_key_t *key = &scope_connector.keys[i];
        if ((key->flags & TW_CONF_REQUIRED) && tw_props_get(props, key->name) == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "missing required config key \"%s\": %s", key->name, key->doc);
        if ((key->flags & TW_CONF_REQUIRED) && key->type == TW_CONF_STRING &&
            (*(char **)((char *)cfg + key->offset))[0] == '\0')
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "config key \"%s\" must not be empty: %s", key->name, key->doc);
    }
    /* A Debezium config without snapshot.mode asks for Debezium's default,
     * initial: say that tidewater does not take that snapshot. */
    if (tw_props_get(props, "connector.class") && tw_props_get(props, "snapshot.mode") == NULL) {
        cfg->notes = tw_realloc(cfg->notes, (cfg->nnotes + 1) * sizeof(char *));
        cfg->notes[cfg->nnotes++] = tw_strdup(
            "snapshot.mode is not set: Debezium's default (initial) would first emit every row "
            "of the captured tables; tidewater takes no snapshots and streams from the slot's "
            "position (no_data). Set snapshot.mode=no_data to say so.");
    }
    err = scope_apply(&scope_key_converter, "key.converter", props, &cfg->key_converter, cfg,
                      errstr, errstr_size);
    if (err == TW_OK)
        err = scope_apply(&scope_value_converter, "value.converter", props,
                          &cfg->value_converter, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_named_scopes(props, "transforms", &scope_transform,
                                 sizeof(tw_transform_config_t),
                                 offsetof(tw_transform_config_t, name),
                                 (void **)&cfg->transforms, &cfg->ntransforms, cfg, errstr,
                                 errstr_size);
    if (err == TW_OK)
        err = apply_named_scopes(props, "predicates", &scope_predicate,
                                 sizeof(tw_predicate_config_t),
                                 offsetof(tw_predicate_config_t, name),
                                 (void **)&cfg->predicates, &cfg->npredicates, cfg, errstr,
                                 errstr_size);
    if (err == TW_OK)
        err = check_predicates_exist(cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_additional_missing(props, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = fold_schema_lists(cfg, errstr, errstr_size);
    if (err == TW_OK)
        cfg->producer = tw_props_subset(props, "producer.");
    if (err == TW_OK)
        err = tw_client_keys_from_java(cfg->producer, "producer.", errstr, errstr_size);
    if (err == TW_OK)
        err = tw_topic_creation_new(props, &cfg->topic_creation, errstr, errstr_size);
    /* Topics tidewater creates get their group's settings, not the
     * broker's auto-creation defaults. */
    if (err == TW_OK && cfg->topic_creation &&
        tw_props_get(cfg->producer, "allow.auto.create.topics") == NULL)
        tw_props_set(cfg->producer, "allow.auto.create.topics", "false", "topic.creation");
    if (err == TW_OK)
        err = apply_exactly_once(cfg, errstr, errstr_size);
    if (err == TW_OK) { /* column rules: their errors at load, not at the first row */
        tw_column_rules_t *rules = NULL;
        err = tw_column_rules_new(cfg, &rules, errstr, errstr_size);
        tw_column_rules_destroy(rules);
    }
    if (err == TW_OK)
        default_state_paths(cfg);
    return err;
}

void tw_config_clear(tw_config_t *cfg)
{
    size_t i;

    scope_clear(&scope_connector, cfg);
    scope_clear(&scope_debezium, cfg);
    scope_clear(&scope_key_converter, &cfg->key_converter);
    scope_clear(&scope_value_converter, &cfg->value_converter);
    for (i = 0; i < cfg->ntransforms; i++) {
        scope_clear(cfg->transforms[i].kind == TW_TRANSFORM_UNWRAP ? &scope_unwrap
                                                                   : &scope_transform,
                    &cfg->transforms[i]);
        free(cfg->transforms[i].name);
    }
    free(cfg->transforms);
    for (i = 0; i < cfg->npredicates; i++) {
        scope_clear(&scope_predicate, &cfg->predicates[i]);
        free(cfg->predicates[i].name);
    }
    free(cfg->predicates);
    tw_props_destroy(cfg->producer);
    tw_props_destroy(cfg->column_rules);
    tw_topic_creation_destroy(cfg->topic_creation);
    free(cfg->slot_guard_file);
    for (i = 0; i < cfg->nnotes; i++)
        free(cfg->notes[i]);
    free(cfg->notes);
    free(cfg->offsets_file);
    free(cfg->transactional_id);
    memset(cfg, 0, sizeof(*cfg));
}

tw_err_t tw_config_load(const char *path, tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    tw_props_t *props = tw_props_new();
    tw_err_t err;

    memset(cfg, 0, sizeof(*cfg));
    err = tw_props_load_file(props, path, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_props_resolve(props, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_config_from_props(props, cfg, errstr, errstr_size);
    tw_props_destroy(props);
    if (err == TW_OK) {
        /* Type modes are process-wide: every schema built from here on uses them. */
        tw_cs_options_t opts = {cfg->decimal_handling_mode, cfg->time_precision_mode,
                                cfg->binary_handling_mode, cfg->interval_handling_mode,
                                cfg->money_fraction_digits, cfg->include_unknown_datatypes,
                                cfg->hstore_handling_mode};
        tw_cs_set_options(&opts);
    }
    return err;
}

const tw_transform_config_t *tw_config_find_transform(const tw_config_t *cfg, int kind)
{
    size_t i;

    for (i = 0; i < cfg->ntransforms; i++)
        if (cfg->transforms[i].kind == kind)
            return &cfg->transforms[i];
    return NULL;
}

const tw_predicate_config_t *tw_config_find_predicate(const tw_config_t *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->npredicates; i++)
        if (strcmp(cfg->predicates[i].name, name) == 0)
            return &cfg->predicates[i];
    return NULL;
}

/* ------------------------------------------------------------------------
 * Documentation
 * ------------------------------------------------------------------------ */

static const char *type_name(tw_conf_type_t type)
{
    switch (type) {
    case TW_CONF_STRING: return "string";
    case TW_CONF_INT:
    case TW_CONF_INT64: return "integer";
    case TW_CONF_BOOL: return "boolean";
    case TW_CONF_ENUM:
    case TW_CONF_CHOICE: return "enum";
    case TW_CONF_LIST: return "list";
    }
    return "?";
}

static void print_scope_docs(FILE *out, const tw_conf_scope_t *scope, const char *prefix)
{
    char name[256];
    size_t i;

    fprintf(out, "| key | type | default | allowed | description |\n"
                 "|---|---|---|---|---|\n");
    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        const char *p;
        full_name(prefix, key->name, name, sizeof(name));
        fprintf(out, "| `%s` | %s%s%s | %s%s%s | ", name, type_name(key->type),
                (key->flags & TW_CONF_REQUIRED) ? ", required" : "",
                (key->flags & TW_CONF_SECRET) ? ", secret" : "",
                key->default_value ? "`" : "", key->default_value ? key->default_value : "",
                key->default_value ? "`" : "");
        for (p = key->allowed; p && *p; p++) {
            if (*p == '|')
                fputs(", ", out);
            else
                fputc(*p, out);
        }
        fprintf(out, " | %s%s |\n",
                (key->flags & TW_CONF_UNSUPPORTED) ? "Error when set: "
                : (key->flags & TW_CONF_NOTE)      ? "Accepted, with a note at start: "
                : (key->flags & TW_CONF_NOSTORE)   ? "Other values are errors: "
                                                   : "",
                key->doc);
    }
}

void tw_config_print_docs(FILE *out)
{
    fprintf(out, "# tidewater configuration\n\n"
                 "Generated by `tidewater config-docs` from the key tables in src/config/config.c; "
                 "do not edit by hand.\n\n"
                 "Values may reference `${env:VAR}`, `${file:/path/file.properties:key}` or "
                 "`${dir:/path:file}`. `config.providers.file.param.allowed.paths` and "
                 "`config.providers.dir.param.allowed.paths` (comma-separated paths, as in "
                 "Kafka's KIP-993) limit what those two may read; unset, any path.\n\n"
                 "## Connector and worker\n\n");
    print_scope_docs(out, &scope_connector, "");
    fprintf(out, "\n`producer.*` properties are passed to librdkafka with the prefix removed "
                 "(for example `producer.security.protocol=SSL`, "
                 "`producer.ssl.ca.location=...`, `producer.sasl.mechanisms=PLAIN`). "
                 "Kafka Connect's Java names for the security settings are translated: "
                 "`sasl.jaas.config` with the PLAIN or SCRAM login module (to `sasl.username` "
                 "and `sasl.password`), `ssl.truststore.location` with "
                 "`ssl.truststore.type=PEM` (to `ssl.ca.location`), `ssl.keystore.location` "
                 "with `ssl.keystore.type=PEM` (to `ssl.certificate.location` and "
                 "`ssl.key.location`) or `PKCS12`, `ssl.truststore.certificates`, "
                 "`ssl.keystore.certificate.chain`, `ssl.keystore.key`, and an empty "
                 "`ssl.endpoint.identification.algorithm` (to `none`); JKS stores and other "
                 "login modules are refused with what to use instead. SCRAM with Kafka 4 "
                 "brokers needs librdkafka 2.6.1 or newer.\n"
                 "\n`topic.creation.*` keys create missing topics as Kafka Connect does for "
                 "source connectors: with `topic.creation.default.replication.factor` and "
                 "`topic.creation.default.partitions` both set (-1: the broker's default), a "
                 "topic that does not exist is created before its first record with the "
                 "settings of the first group in `topic.creation.groups` whose "
                 "`topic.creation.<group>.include` regular expressions match its name and "
                 "`.exclude` ones do not, else of the `default` group; groups inherit "
                 "`replication.factor` and `partitions` from `default`, and every other "
                 "`topic.creation.<group>.<name>` is a topic config (`cleanup.policy`, "
                 "`retention.ms`, ...). The producer then asks no broker to auto-create "
                 "topics (`producer.allow.auto.create.topics` overrides). A creation Kafka "
                 "refuses stops tidewater without advancing the slot. `topic.creation.enable=false` "
                 "turns it off.\n"
                 "\n## Converters\n\n"
                 "The same keys exist under `key.converter` and `value.converter`.\n\n");
    print_scope_docs(out, &scope_key_converter, "<key|value>.converter");
    fprintf(out, "\n## Other keys of Debezium's PostgreSQL connector\n\n"
                 "So that a Debezium config loads unchanged. A key that cannot change what "
                 "tidewater emits is accepted and logged once at start with the reason; a key "
                 "whose other values would change it accepts only the values tidewater "
                 "implements (listed under allowed); the rest are errors saying why. "
                 "`column.truncate.to.<n>.chars`, `column.mask.with.<n>.chars` and "
                 "`column.mask.hash[.v2].<algorithm>.with.salt.<salt>` (values: regular "
                 "expressions of <schema>.<table>.<column>) shape change events' values as "
                 "Debezium's do.\n\n");
    print_scope_docs(out, &scope_debezium, "");
    fprintf(out, "\n## Transforms\n\n"
                 "`transforms` lists transform names; each name's keys follow.\n\n");
    print_scope_docs(out, &scope_transform, "transforms.<name>");
    fprintf(out, "\n### ExtractNewRecordState\n\n"
                 "A transform whose type is `" UNWRAP_CLASS "` has these keys instead; "
                 "it flattens change events (other records pass unchanged).\n\n");
    print_scope_docs(out, &scope_unwrap, "transforms.<name>");
    fprintf(out, "\n## Predicates\n\n"
                 "`predicates` lists predicate names; each name's keys follow.\n\n");
    print_scope_docs(out, &scope_predicate, "predicates.<name>");
}

static void print_scope_keys(FILE *out, const tw_conf_scope_t *scope, const char *prefix)
{
    char name[256];
    size_t i;

    for (i = 0; i < scope->nkeys; i++) {
        full_name(prefix, scope->keys[i].name, name, sizeof(name));
        fprintf(out, "%s\n", name);
    }
}

static void print_scope_keys_one(FILE *out, const tw_conf_key_t *key, const char *prefix)
{
    char name[256];

    full_name(prefix, key->name, name, sizeof(name));
    fprintf(out, "%s\n", name);
}

void tw_config_print_keys(FILE *out)
{
    size_t i;

    print_scope_keys(out, &scope_connector, "");
    print_scope_keys(out, &scope_debezium, "");
    print_scope_keys(out, &scope_key_converter, "key.converter");
    print_scope_keys(out, &scope_value_converter, "value.converter");
    fprintf(out, "transforms\npredicates\n");
    print_scope_keys(out, &scope_transform, "transforms.*");
    for (i = 0; i < scope_unwrap.nkeys; i++)
        if (scope_find(&scope_transform, scope_unwrap.keys[i].name) == NULL)
            print_scope_keys_one(out, &scope_unwrap.keys[i], "transforms.*");
    print_scope_keys(out, &scope_predicate, "predicates.*");
}

size_t tw_config_split_list(const char *value, char ***items)
{
    size_t n = 0, cap = 0;
    const char *p = value;
    char **list = NULL;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *s = p, *e = end;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (e > s) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4;
                list = tw_realloc(list, cap * sizeof(char *));
            }
            list[n++] = tw_strndup(s, (size_t)(e - s));
        }
        p = comma ? comma + 1 : NULL;
    }
    *items = list;
    return n;
}

void tw_config_free_list(char **items, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(items[i]);
    free(items);
}
