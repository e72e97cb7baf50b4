/*
 * config.c — the key tables: every key tidewater understands, with its
 * type, default, allowed values and documentation. config_scope.c applies
 * them, config_load.c assembles tw_config_t, config_docs.c prints them.
 */
#include <stddef.h>

#include "config/config_internal.h"

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
     "column stays in the key) and are missing to the outbox router (an event field "
     "left out is an error at start). Not with column.exclude.list."},
    {"column.exclude.list", TW_CONF_LIST, NULL, NULL, 0, F(column_exclude_list),
     "Regular expressions matching the whole <schema>.<table>.<column> (case-insensitive) "
     "of columns left out of change events' values (a key column stays in the key); "
     "the outbox router finds them missing (an event field left out is an error at "
     "start)."},
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
    UNSUPPORTED("database.connection.factory.class",
                "a JDBC ConnectionFactory (a Java class, e.g. for AWS IAM) cannot run here: "
                "tidewater connects with libpq; give a token or password in database.password "
                "(e.g. ${file:...} or ${env:...}) and TLS in database.sslmode and related keys."),
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
     "captured when its schema matches. With table.include.list too, a table must match "
     "both (as in Debezium); each table pattern must then start with its schema's name "
     "(public\\.outbox, inventory.outboxevent)."},
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
     "org.apache.kafka.connect.storage.StringConverter|"
     "org.apache.kafka.connect.converters.ByteArrayConverter|"
     "io.debezium.converters.BinaryDataConverter",
     0, F(kind),
     "Converter class: Avro with a schema registry, JSON, plain strings, or raw bytes "
     "(ByteArrayConverter: bytea keys or values only, e.g. an outbox payload column of "
     "type bytea). BinaryDataConverter writes bytea as it is and hands any other value to "
     "the converter named in <key|value>.converter.delegate.converter.type (one of the "
     "classes above), configured by the keys under that name (e.g. "
     "value.converter.delegate.converter.type.schemas.enable=false)."},
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

const tw_conf_scope_t tw_conf_scope_connector = {"", connector_keys,
                                                 TW_ARRAY_SIZE(connector_keys)};
const tw_conf_scope_t tw_conf_scope_key_converter = {"key.converter", converter_keys,
                                                     TW_ARRAY_SIZE(converter_keys)};
const tw_conf_scope_t tw_conf_scope_value_converter = {"value.converter", converter_keys,
                                                       TW_ARRAY_SIZE(converter_keys)};
const tw_conf_scope_t tw_conf_scope_transform = {"transforms.*", transform_keys,
                                                 TW_ARRAY_SIZE(transform_keys)};
const tw_conf_scope_t tw_conf_scope_unwrap = {"transforms.*", unwrap_keys,
                                              TW_ARRAY_SIZE(unwrap_keys)};
const tw_conf_scope_t tw_conf_scope_predicate = {"predicates.*", predicate_keys,
                                                 TW_ARRAY_SIZE(predicate_keys)};
const tw_conf_scope_t tw_conf_scope_debezium = {"", debezium_keys,
                                                TW_ARRAY_SIZE(debezium_keys)};
