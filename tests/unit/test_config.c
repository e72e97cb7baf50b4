/*
 * test_config.c — .properties and Connect-JSON parsing, config providers,
 * validation messages, and the unknown-key suggestion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "cli/connector_load.h"
#include "codec/connect_schema.h"

#include "config_text.h"

#define MINIMAL "topic.prefix=t\ndatabase.user=u\ndatabase.dbname=d\n"

static tw_props_t *parse(const char *text)
{
    tw_props_t *props = tw_props_new();
    char errstr[512] = "";
    tw_err_t err = tw_props_parse(props, text, strlen(text), "test.properties", errstr,
                                  sizeof(errstr));
    if (err)
        fail_msg("parse failed: %s", errstr);
    return props;
}

static void test_properties_syntax(void **state)
{
    tw_props_t *props;
    (void)state;
    props = parse("# comment\n"
                  "! also a comment\n"
                  "  a = 1  \n"
                  "b:2\n"
                  "c 3\n"
                  "d=multi \\\n"
                  "    line\n"
                  "e=tab\\there\\u00e9\n"
                  "f\\=g=escaped key\n"
                  "empty=\n"
                  "a=last wins\r\n");
    assert_string_equal(tw_props_get(props, "a"), "last wins");
    assert_string_equal(tw_props_get(props, "b"), "2");
    assert_string_equal(tw_props_get(props, "c"), "3");
    assert_string_equal(tw_props_get(props, "d"), "multi line");
    assert_string_equal(tw_props_get(props, "e"), "tab\there\xC3\xA9");
    assert_string_equal(tw_props_get(props, "f=g"), "escaped key");
    assert_string_equal(tw_props_get(props, "empty"), "");
    assert_int_equal(tw_props_count(props), 7);
    tw_props_destroy(props);
}

static void test_connect_json_body(void **state)
{
    tw_props_t *props;
    (void)state;
    props = parse("{\"name\": \"orders-outbox\", \"config\": {\"database.port\": 5433, "
                  "\"slot.drop.on.stop\": true, \"topic.prefix\": \"x\", \"ignored\": null}}");
    assert_string_equal(tw_props_get(props, "name"), "orders-outbox");
    assert_string_equal(tw_props_get(props, "database.port"), "5433");
    assert_string_equal(tw_props_get(props, "slot.drop.on.stop"), "true");
    assert_null(tw_props_get(props, "ignored"));
    tw_props_destroy(props);
}

static void test_bad_json_names_position(void **state)
{
    tw_props_t *props = tw_props_new();
    char errstr[512];
    (void)state;
    assert_int_equal(tw_props_parse(props, "{\"config\": {\"a\": }", 18, "c.json", errstr,
                                    sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "c.json:1:"));
    assert_non_null(strstr(errstr, "invalid JSON"));
    tw_props_destroy(props);
}

static void test_defaults_and_types(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    assert_int_equal(config_from_text(MINIMAL
                                      "database.port=6543\npublication.autocreate.mode=FILTERED\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(cfg.db_port, 6543);
    assert_string_equal(cfg.db_hostname, "localhost");
    assert_string_equal(cfg.slot_name, "debezium");
    assert_string_equal(cfg.publication_name, "dbz_publication");
    assert_int_equal(cfg.publication_mode, TW_PUBLICATION_FILTERED);
    assert_string_equal(cfg.db_sslmode, "prefer");
    assert_int_equal(cfg.status_update_interval_ms, 10000);
    assert_false(cfg.slot_drop_on_stop);
    assert_string_equal(cfg.unavailable_value_placeholder, "__debezium_unavailable_value");
    tw_config_clear(&cfg);
}

static void expect_error(const char *text, const char *fragment1, const char *fragment2)
{
    tw_config_t cfg;
    char errstr[1024] = "";
    assert_int_equal(config_from_text(text, &cfg, errstr, sizeof(errstr)), TW_ERR_CONFIG);
    if (!strstr(errstr, fragment1) || (fragment2 && !strstr(errstr, fragment2)))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", errstr, fragment1,
                 fragment2 ? fragment2 : "");
    tw_config_clear(&cfg);
}

/* Kafka Connect's producer.* security keys (Java client names) reach
 * librdkafka under its own names; Java-only forms are refused by name,
 * and no message quotes a password. */
static void test_java_client_keys(void **state)
{
    tw_config_t cfg;
    char errstr[1024] = "";
    (void)state;
    assert_int_equal(
        config_from_text(MINIMAL
                         "producer.security.protocol=SASL_SSL\n"
                         "producer.sasl.mechanism=SCRAM-SHA-512\n"
                         "producer.sasl.jaas.config=org.apache.kafka.common.security.scram."
                         "ScramLoginModule required username=\"alice\" password=\"p\\\\\"w;d\";\n"
                         "producer.ssl.truststore.type=PEM\n"
                         "producer.ssl.truststore.location=/etc/ca.pem\n"
                         "producer.ssl.keystore.type=PEM\n"
                         "producer.ssl.keystore.location=/etc/client.pem\n"
                         "producer.ssl.endpoint.identification.algorithm=\n",
                         &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_string_equal(tw_props_get(cfg.producer, "sasl.username"), "alice");
    assert_string_equal(tw_props_get(cfg.producer, "sasl.password"), "p\"w;d");
    assert_null(tw_props_get(cfg.producer, "sasl.jaas.config"));
    assert_string_equal(tw_props_get(cfg.producer, "sasl.mechanism"), "SCRAM-SHA-512");
    assert_string_equal(tw_props_get(cfg.producer, "ssl.ca.location"), "/etc/ca.pem");
    assert_null(tw_props_get(cfg.producer, "ssl.truststore.location"));
    assert_null(tw_props_get(cfg.producer, "ssl.truststore.type"));
    assert_string_equal(tw_props_get(cfg.producer, "ssl.certificate.location"), "/etc/client.pem");
    assert_string_equal(tw_props_get(cfg.producer, "ssl.key.location"), "/etc/client.pem");
    assert_null(tw_props_get(cfg.producer, "ssl.keystore.type"));
    assert_string_equal(tw_props_get(cfg.producer, "ssl.endpoint.identification.algorithm"),
                        "none");
    tw_config_clear(&cfg);

    /* An unquoted password ending at the ';', PLAIN's module, PKCS12. */
    assert_int_equal(config_from_text(MINIMAL
                                      "producer.sasl.jaas.config=org.apache.kafka.common.security."
                                      "plain.PlainLoginModule required username=bob password=s3;\n"
                                      "producer.ssl.keystore.type=PKCS12\n"
                                      "producer.ssl.keystore.location=/k.p12\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_string_equal(tw_props_get(cfg.producer, "sasl.username"), "bob");
    assert_string_equal(tw_props_get(cfg.producer, "sasl.password"), "s3");
    assert_string_equal(tw_props_get(cfg.producer, "ssl.keystore.location"), "/k.p12");
    assert_null(tw_props_get(cfg.producer, "ssl.keystore.type"));
    tw_config_clear(&cfg);

    expect_error(MINIMAL "producer.ssl.truststore.location=/etc/truststore.jks\n",
                 "producer.ssl.truststore.location is a JKS trust store", "ssl.ca.location");
    expect_error(MINIMAL "producer.ssl.keystore.type=JKS\nproducer.ssl.keystore.location=/k\n",
                 "producer.ssl.keystore.type=JKS", "PKCS12");
    expect_error(MINIMAL "producer.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule "
                         "required useKeyTab=true;\n",
                 "Krb5LoginModule, which librdkafka cannot load", "sasl.kerberos");
    expect_error(MINIMAL "producer.sasl.jaas.config=x.ScramLoginModule required username=\"a\" "
                         "password=\"secret-1\n",
                 "producer.sasl.jaas.config cannot be read", NULL);
    expect_error(MINIMAL "producer.sasl.jaas.config=x.ScramLoginModule required username=a;\n",
                 "has no password option", NULL);
    expect_error(MINIMAL "producer.sasl.username=a\nproducer.sasl.jaas.config=x.PlainLoginModule "
                         "required username=a password=secret-2;\n",
                 "both set", NULL);
    /* The unterminated quote above must not leak the password. */
    assert_int_equal(config_from_text(MINIMAL
                                      "producer.sasl.jaas.config=x.ScramLoginModule required "
                                      "username=\"a\" password=\"secret-1\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_null(strstr(errstr, "secret-1"));
    tw_config_clear(&cfg);
}

static void test_exactly_once_keys(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    /* Off by default: no transactional id, no topic in use. */
    assert_int_equal(config_from_text(MINIMAL, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_false(cfg.exactly_once);
    assert_null(cfg.transactional_id);
    tw_config_clear(&cfg);
    /* Connector-level switch; id from the name; Connect's per-connector
     * topic override wins over the worker's. */
    assert_int_equal(config_from_text(MINIMAL "name=orders\nexactly.once.support=required\n"
                                              "offset.storage.topic=w\noffsets.storage.topic=c\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(cfg.exactly_once);
    assert_string_equal(cfg.transactional_id, "tidewater-orders");
    assert_string_equal(cfg.offsets_topic, "c");
    assert_int_equal(cfg.transaction_boundary, TW_TRANSACTION_BOUNDARY_POLL);
    tw_config_clear(&cfg);
    /* The worker switch, a configured id and the default topic. */
    assert_int_equal(config_from_text(MINIMAL "exactly.once.source.support=enabled\n"
                                              "producer.transactional.id=tx-1\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(cfg.exactly_once);
    assert_string_equal(cfg.transactional_id, "tx-1");
    assert_string_equal(cfg.offsets_topic, "tidewater-offsets");
    tw_config_clear(&cfg);
    expect_error(MINIMAL "exactly.once.source.support=preparing\nproducer.transactional.id=x\n",
                 "producer.transactional.id is set but exactly-once delivery is off", NULL);
    expect_error(MINIMAL "transaction.boundary=connector\n", "transaction.boundary",
                 "poll, interval");
    expect_error(MINIMAL "exactly.once.support=maybe\n", "exactly.once.support",
                 "requested, required");
}

static void test_unknown_key_suggests_closest(void **state)
{
    (void)state;
    expect_error(MINIMAL "database.hostnme=db\n", "unknown config key \"database.hostnme\"",
                 "did you mean \"database.hostname\"?");
    expect_error(MINIMAL "slot.nmae=x\n", "test.properties:4", "did you mean \"slot.name\"?");
    expect_error(MINIMAL "completely.unrelated.thing=1\n", "unknown config key",
                 "config-docs");
}

static void test_bad_values_name_key_and_allowed(void **state)
{
    (void)state;
    expect_error(MINIMAL "database.port=abc\n", "database.port=\"abc\" is not an integer",
                 NULL);
    expect_error(MINIMAL "database.port=70000\n", "out of range", "1..65535");
    expect_error(MINIMAL "publication.autocreate.mode=sometimes\n",
                 "publication.autocreate.mode=\"sometimes\" is not allowed",
                 "all_tables, filtered, disabled, no_tables");
    expect_error(MINIMAL "slot.drop.on.stop=yes\n", "use true or false", NULL);
    expect_error(MINIMAL "plugin.name=decoderbufs\n", "pgoutput", NULL);
    expect_error("database.user=u\ndatabase.dbname=d\n",
                 "missing required config key \"topic.prefix\"", NULL);
    expect_error(MINIMAL "topic.prefix=\n", "\"topic.prefix\" must not be empty", NULL);
}

static void test_secret_values_never_in_messages(void **state)
{
    (void)state;
    /* database.password is a string, so it cannot fail validation itself;
     * but an env reference error must not echo any value either. */
    expect_error(MINIMAL "database.password=${env:TW_TEST_SURELY_UNSET_VAR}\n",
                 "environment variable TW_TEST_SURELY_UNSET_VAR is not set",
                 "database.password");
}

static void test_env_provider(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    setenv("TW_TEST_PASSWORD", "s3cret", 1);
    assert_int_equal(config_from_text(MINIMAL "database.password=${env:TW_TEST_PASSWORD}\n"
                                              "slot.name=pre_${env:TW_TEST_PASSWORD}_post\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_string_equal(cfg.db_password, "s3cret");
    assert_string_equal(cfg.slot_name, "pre_s3cret_post");
    tw_config_clear(&cfg);
    /* Regression: ${name} without a provider is a router placeholder and
     * must survive provider resolution. */
    assert_int_equal(
        config_from_text(
            MINIMAL "transforms=o\n"
                    "transforms.o.type=io.debezium.transforms.outbox.EventRouter\n"
                    "transforms.o.route.topic.replacement=ev.${kind}.${env:TW_TEST_PASSWORD}\n",
            &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_string_equal(cfg.transforms[0].outbox.route_topic_replacement, "ev.${kind}.s3cret");
    tw_config_clear(&cfg);
    unsetenv("TW_TEST_PASSWORD");
}

/* A value from a provider given under the wrong key is not echoed: the
 * message names the key and the reference, never the resolved value. */
/* config.providers.<file|dir>.param.allowed.paths (KIP-993): reads
 * outside the listed paths are refused, also through ".." and symlinks. */
static void test_provider_allowed_paths(void **state)
{
    char dir[] = "/tmp/tw-test-allowed-XXXXXX";
    char path[256], link[256], text[1024];
    tw_config_t cfg;
    char errstr[512];
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/ok", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/ok/s.properties", dir);
    f = fopen(path, "w");
    fputs("k=inside\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/outside.properties", dir);
    f = fopen(path, "w");
    fputs("k=outside\n", f);
    fclose(f);
    snprintf(link, sizeof(link), "%s/ok/link.properties", dir);
    assert_int_equal(symlink(path, link), 0);

    snprintf(text, sizeof(text),
             MINIMAL "config.providers.file.param.allowed.paths=/nonexistent, %s/ok\n"
                     "slot.name=${file:%s/ok/s.properties:k}\n",
             dir, dir);
    assert_int_equal(config_from_text(text, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_string_equal(cfg.slot_name, "inside");
    tw_config_clear(&cfg);
    /* outside, through "..", through a symlink, and for ${dir:} */
    snprintf(text, sizeof(text),
             MINIMAL "config.providers.file.param.allowed.paths=%s/ok\n"
                     "slot.name=${file:%s/outside.properties:k}\n",
             dir, dir);
    expect_error(text, "is outside config.providers.file.param.allowed.paths", "slot.name");
    snprintf(text, sizeof(text),
             MINIMAL "config.providers.file.param.allowed.paths=%s/ok\n"
                     "slot.name=${file:%s/ok/../outside.properties:k}\n",
             dir, dir);
    expect_error(text, "is outside", "slot.name");
    snprintf(text, sizeof(text),
             MINIMAL "config.providers.file.param.allowed.paths=%s/ok\n"
                     "slot.name=${file:%s/ok/link.properties:k}\n",
             dir, dir);
    expect_error(text, "is outside", "slot.name");
    snprintf(text, sizeof(text),
             MINIMAL "config.providers.dir.param.allowed.paths=%s/ok\n"
                     "slot.name=${dir:%s:outside.properties}\n",
             dir, dir);
    expect_error(text, "is outside config.providers.dir.param.allowed.paths", "slot.name");
    /* the file provider's list does not limit the dir provider */
    snprintf(text, sizeof(text),
             MINIMAL "config.providers.file.param.allowed.paths=%s/ok\n"
                     "slot.name=${dir:%s:outside.properties}\n",
             dir, dir);
    assert_int_equal(config_from_text(text, &cfg, errstr, sizeof(errstr)), TW_OK);
    tw_config_clear(&cfg);

    unlink(link);
    unlink(path);
    snprintf(path, sizeof(path), "%s/ok/s.properties", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/ok", dir);
    rmdir(path);
    rmdir(dir);
}

static void test_provider_values_never_echoed(void **state)
{
    static const char *const cases[][2] = {
        {"database.port=${env:TW_TEST_WRONG}\n", "database.port=\"${env:TW_TEST_WRONG}\""},
        {"snapshot.mode=${env:TW_TEST_WRONG}\n", "snapshot.mode=\"${env:TW_TEST_WRONG}\""},
        {"publication.autocreate.mode=x${env:TW_TEST_WRONG}\n",
         "publication.autocreate.mode=\"x${env:TW_TEST_WRONG}\""},
        {"errors.log.enable=${env:TW_TEST_WRONG}\n", "errors.log.enable=\"${env:TW_TEST_WRONG}\""},
    };
    tw_config_t cfg;
    char errstr[512], text[512];
    size_t i;
    (void)state;
    setenv("TW_TEST_WRONG", "hunter2-env", 1);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), MINIMAL "%s", cases[i][0]);
        assert_int_equal(config_from_text(text, &cfg, errstr, sizeof(errstr)), TW_ERR_CONFIG);
        assert_null(strstr(errstr, "hunter2"));
        assert_non_null(strstr(errstr, cases[i][1]));
        assert_non_null(strstr(errstr, "config provider"));
        tw_config_clear(&cfg);
    }
    /* A plain value is still shown: it is in the file for anyone to read. */
    assert_int_equal(config_from_text(MINIMAL "database.port=abc\n", &cfg, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "database.port=\"abc\" is not an integer"));
    assert_null(strstr(errstr, "config provider"));
    tw_config_clear(&cfg);
    unsetenv("TW_TEST_WRONG");
}

static void test_file_and_dir_providers(void **state)
{
    char dir[] = "/tmp/tw-test-config-XXXXXX";
    char path[256], text[512];
    tw_config_t cfg;
    char errstr[512];
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/secrets.properties", dir);
    f = fopen(path, "w");
    fputs("pg.password=from-file\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/slot", dir);
    f = fopen(path, "w");
    fputs("from_dir\n", f);
    fclose(f);

    snprintf(text, sizeof(text),
             MINIMAL "database.password=${file:%s/secrets.properties:pg.password}\n"
                     "slot.name=${dir:%s:slot}\n",
             dir, dir);
    assert_int_equal(config_from_text(text, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_string_equal(cfg.db_password, "from-file");
    assert_string_equal(cfg.slot_name, "from_dir");
    tw_config_clear(&cfg);

    snprintf(text, sizeof(text),
             MINIMAL "database.password=${file:%s/secrets.properties:missing}\n", dir);
    expect_error(text, "key \"missing\" not found", "database.password");
    expect_error(MINIMAL "slot.name=${vault:x}\n", "unknown config provider \"vault\"", NULL);
    expect_error(MINIMAL "slot.name=${env:UNTERMINATED\n", "unterminated", NULL);

    snprintf(path, sizeof(path), "%s/secrets.properties", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/slot", dir);
    unlink(path);
    rmdir(dir);
}


#define OUTBOX MINIMAL "transforms=outbox\n" \
    "transforms.outbox.type=io.debezium.transforms.outbox.EventRouter\n"

static void test_outbox_transform_defaults_are_debeziums(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    const tw_transform_config_t *t;
    (void)state;
    assert_int_equal(config_from_text(OUTBOX, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(cfg.ntransforms, 1);
    t = tw_config_find_transform(&cfg, TW_TRANSFORM_OUTBOX);
    assert_non_null(t);
    assert_string_equal(t->name, "outbox");
    assert_string_equal(t->outbox.field_event_id, "id");
    assert_string_equal(t->outbox.field_event_key, "aggregateid");
    assert_string_equal(t->outbox.field_event_type, "type");
    assert_string_equal(t->outbox.field_event_payload, "payload");
    assert_null(t->outbox.field_event_timestamp);
    assert_string_equal(t->outbox.route_by_field, "aggregatetype");
    assert_string_equal(t->outbox.route_topic_regex, "(?<routedByValue>.*)");
    assert_string_equal(t->outbox.route_topic_replacement, "outbox.event.${routedByValue}");
    assert_false(t->outbox.route_tombstone_on_empty_payload);
    assert_int_equal(t->outbox.op_invalid_behavior, TW_INVALID_OP_WARN);
    assert_false(t->outbox.expand_json_payload);
    assert_true(t->outbox.fields_additional_error_on_missing);
    assert_string_equal(t->outbox.tracing_span_context_field, "tracingspancontext");
    tw_config_clear(&cfg);
}

static void test_converters_predicates_and_worker_keys(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    assert_int_equal(
        config_from_text(OUTBOX "transforms.outbox.predicate=isOutbox\n"
                                "transforms.outbox.negate=false\n"
                                "transforms.outbox.table.op.invalid.behavior=fatal\n"
                                "predicates=isOutbox\n"
                                "predicates.isOutbox.type="
                                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches\n"
                                "predicates.isOutbox.pattern=tw\\\\.public\\\\.outbox\n"
                                "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                                "value.converter=io.confluent.connect.avro.AvroConverter\n"
                                "value.converter.schema.registry.url=http://a:8081,http://b:8081\n"
                                "value.converter.basic.auth.user.info=u:p\n"
                                "value.converter.value.subject.name.strategy="
                                "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy\n"
                                "bootstrap.servers=localhost:9092\n"
                                "producer.linger.ms=20\n"
                                "producer.security.protocol=SSL\n"
                                "errors.tolerance=all\n"
                                "errors.deadletterqueue.topic.name=dlq\n",
                         &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_string_equal(cfg.transforms[0].predicate, "isOutbox");
    assert_int_equal(cfg.transforms[0].outbox.op_invalid_behavior, TW_INVALID_OP_FATAL);
    assert_int_equal(cfg.npredicates, 1);
    assert_string_equal(cfg.predicates[0].pattern, "tw\\.public\\.outbox");
    assert_int_equal(cfg.key_converter.kind, TW_CONVERTER_STRING);
    assert_int_equal(cfg.value_converter.kind, TW_CONVERTER_AVRO);
    assert_string_equal(cfg.value_converter.registry_url, "http://a:8081,http://b:8081");
    assert_int_equal(cfg.value_converter.value_subject_strategy, TW_SUBJECT_TOPIC_RECORD_NAME);
    assert_int_equal(cfg.value_converter.key_subject_strategy, TW_SUBJECT_TOPIC_NAME);
    assert_true(cfg.value_converter.auto_register);
    assert_string_equal(cfg.bootstrap_servers, "localhost:9092");
    assert_string_equal(tw_props_get(cfg.producer, "linger.ms"), "20");
    assert_string_equal(tw_props_get(cfg.producer, "security.protocol"), "SSL");
    assert_int_equal(cfg.errors_tolerance, TW_ERRORS_TOLERANCE_ALL);
    assert_string_equal(cfg.dlq_topic, "dlq");
    /* Never the working directory: under the state directory. */
    assert_string_equal(cfg.state_dir, "/var/lib/tidewater/tidewater");
    assert_string_equal(cfg.offsets_file, "/var/lib/tidewater/tidewater/tidewater.offsets.json");
    tw_config_clear(&cfg);
}

/* ByteArrayConverter: accepted for an outbox (a bytea payload goes out as
 * it is); refused at load where Kafka's converter would fail on every
 * record: Struct values (change events, an envelope placement, heartbeats,
 * transaction metadata). */
#define BYTES_CONV "org.apache.kafka.connect.converters.ByteArrayConverter\n"
static void test_byte_array_converter(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    assert_int_equal(config_from_text(OUTBOX "value.converter=" BYTES_CONV
                                             "transforms.outbox.table.fields.additional.placement="
                                             "type:header:envelope,p:partition\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(cfg.value_converter.kind, TW_CONVERTER_BYTES);
    tw_config_clear(&cfg);
    expect_error(MINIMAL "value.converter=" BYTES_CONV,
                 "value.converter=org.apache.kafka."
                 "connect.converters.ByteArrayConverter writes bytea (BYTES) only",
                 "change events have a Struct key and value");
    expect_error(MINIMAL "key.converter=" BYTES_CONV, "key.converter=", "outbox transform");
    expect_error(OUTBOX "value.converter=" BYTES_CONV
                        "transforms.outbox.table.fields.additional.placement="
                        "type:header, ver : envelope :v\n",
                 "ByteArrayConverter", "place those columns in headers");
    expect_error(OUTBOX "value.converter=" BYTES_CONV "heartbeat.interval.ms=1000\n",
                 "ByteArrayConverter", "heartbeat.interval.ms=0");
    expect_error(OUTBOX "key.converter=" BYTES_CONV "provide.transaction.metadata=true\n",
                 "key.converter=", "provide.transaction.metadata=false");
}
#undef BYTES_CONV

/* BinaryDataConverter (Debezium's outbox documentation): bytea as it is;
 * its delegate and the delegate's options under
 * <side>.converter.delegate.converter.type, as Debezium hands them over. */
#define BINARY_CONV "io.debezium.converters.BinaryDataConverter\n"
static void test_binary_data_converter(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    assert_int_equal(
        config_from_text(OUTBOX "value.converter=" BINARY_CONV, &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_int_equal(cfg.value_converter.kind, TW_CONVERTER_BINARY_DATA);
    assert_null(cfg.value_converter.delegate);
    tw_config_clear(&cfg);
    assert_int_equal(
        config_from_text(
            MINIMAL "value.converter=" BINARY_CONV "value.converter.delegate.converter.type="
                    "io.confluent.connect.avro.AvroConverter\n"
                    "value.converter.delegate.converter.type.schema.registry.url=http://r:8081\n"
                    "value.converter.delegate.converter.type.basic.auth.credentials.source="
                    "USER_INFO\n"
                    "value.converter.delegate.converter.type.basic.auth.user.info=u:p\n",
            &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_non_null(cfg.value_converter.delegate);
    assert_int_equal(cfg.value_converter.delegate->kind, TW_CONVERTER_AVRO);
    assert_string_equal(cfg.value_converter.delegate->registry_url, "http://r:8081");
    assert_string_equal(cfg.value_converter.delegate->basic_auth_user_info, "u:p");
    tw_config_clear(&cfg);
    assert_int_equal(
        config_from_text(OUTBOX "value.converter=" BINARY_CONV
                                "value.converter.delegate.converter.type="
                                "org.apache.kafka.connect.json.JsonConverter\n"
                                "value.converter.delegate.converter.type.schemas.enable=false\n",
                         &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_int_equal(cfg.value_converter.delegate->kind, TW_CONVERTER_JSON);
    assert_false(cfg.value_converter.delegate->schemas_enable);
    assert_true(cfg.value_converter.schemas_enable); /* the outer one's default */
    tw_config_clear(&cfg);
    /* Without a delegate, Struct values are refused as with ByteArrayConverter. */
    expect_error(MINIMAL "value.converter=" BINARY_CONV,
                 "BinaryDataConverter without "
                 "value.converter.delegate.converter.type",
                 "change events");
    /* A delegate Debezium cannot have here, a delegate of another converter,
     * options without a delegate, a typo in the delegate's options. */
    expect_error(OUTBOX "value.converter=" BINARY_CONV "value.converter.delegate.converter.type="
                        "io.apicurio.registry.utils.converter.AvroConverter\n",
                 "value.converter.delegate.converter.type", "io.apicurio");
    expect_error(OUTBOX "value.converter=" BINARY_CONV
                        "value.converter.delegate.converter.type=" BINARY_CONV,
                 "cannot delegate to another", NULL);
    expect_error(OUTBOX "value.converter.delegate.converter.type="
                        "org.apache.kafka.connect.json.JsonConverter\n",
                 "is an option of io.debezium.converters.BinaryDataConverter", NULL);
    expect_error(OUTBOX "value.converter=" BINARY_CONV
                        "value.converter.delegate.converter.type.schemas.enable=false\n",
                 "value.converter.delegate.converter.type is not set", NULL);
    expect_error(OUTBOX "value.converter=" BINARY_CONV
                        "value.converter.delegate.converter.type="
                        "org.apache.kafka.connect.json.JsonConverter\n"
                        "value.converter.delegate.converter.type.schemas.enabled=false\n",
                 "unknown config key \"value.converter.delegate.converter.type.schemas.enabled\"",
                 "schemas.enable");
}
#undef BINARY_CONV

/* state.dir: systemd's $STATE_DIRECTORY (its first entry) when set, an
 * explicit key over both, and offset.storage.file.filename over all. */
static void test_state_dir(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;

    setenv("STATE_DIRECTORY", "/var/lib/tw-a:/var/lib/tw-b", 1);
    assert_int_equal(config_from_text(MINIMAL "name=c1\n", &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_string_equal(cfg.state_dir, "/var/lib/tw-a");
    assert_string_equal(cfg.offsets_file, "/var/lib/tw-a/c1.offsets.json");
    tw_config_clear(&cfg);
    assert_int_equal(
        config_from_text(MINIMAL "name=c1\nstate.dir=/srv/tw\n", &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_string_equal(cfg.offsets_file, "/srv/tw/c1.offsets.json");
    tw_config_clear(&cfg);
    unsetenv("STATE_DIRECTORY");
    assert_int_equal(config_from_text(MINIMAL "name=c1\noffset.storage.file.filename=/x/o.json\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_string_equal(cfg.offsets_file, "/x/o.json");
    assert_string_equal(cfg.state_dir, "/var/lib/tidewater/c1");
    tw_config_clear(&cfg);
}

static void test_scoped_key_errors(void **state)
{
    (void)state;
    expect_error(OUTBOX "transforms.outbox.route.by.feild=x\n",
                 "unknown config key \"transforms.outbox.route.by.feild\"",
                 "did you mean \"transforms.outbox.route.by.field\"?");
    expect_error(OUTBOX "transforms.other.type=x\n", "transforms.other.type",
                 "belongs to no transform listed in transforms=outbox");
    expect_error(MINIMAL "transforms=r\ntransforms.r.type="
                         "org.apache.kafka.connect.transforms.RegexRouter\n",
                 "transforms.r.type=\"org.apache.kafka.connect.transforms.RegexRouter\" is not "
                 "allowed",
                 "io.debezium.transforms.outbox.EventRouter");
    expect_error(MINIMAL "transforms=r\n", "missing required config key \"transforms.r.type\"",
                 NULL);
    expect_error(OUTBOX "transforms.outbox.predicate=nope\n",
                 "transforms.outbox.predicate=nope names no predicate", NULL);
    expect_error(OUTBOX "transforms.outbox.table.op.invalid.behavior=ignore\n",
                 "use one of: warn, error, fatal", NULL);
    expect_error(MINIMAL "value.converter=io.confluent.connect.protobuf.ProtobufConverter\n",
                 "value.converter=\"io.confluent.connect.protobuf.ProtobufConverter\" is not "
                 "allowed",
                 "AvroConverter");
    expect_error(MINIMAL "value.converter.schema.registry.ulr=http://x\n",
                 "did you mean \"value.converter.schema.registry.url\"?", NULL);
    expect_error(MINIMAL "snapshot.mode=initial\n",
                 "snapshot.mode=\"initial\" is not supported by tidewater", "no_data");
    expect_error(MINIMAL "errors.tolerance=some\n", "use one of: none, all", NULL);
}

/* Every key of Debezium 3.6.1's PostgreSQL connector and Outbox Event Router
 * (their ConfigDef and Field definitions, read from the 3.6.1 jars that
 * scripts/debezium fetches), except the column.mask/truncate patterns. */
static const char *const debezium_36_keys[] = {
    "binary.handling.mode", "column.exclude.list", "column.include.list",
    "column.propagate.source.type", "connection.validation.timeout.ms", "converters",
    "custom.metric.tags", "custom.sanitize.pattern", "database.connection.factory.class",
    "database.dbname",
    "database.exclude.list", "database.hostname", "database.include.list",
    "database.initial.statements", "database.password", "database.port",
    "database.query.timeout.ms", "database.sslcert", "database.sslfactory", "database.sslkey",
    "database.sslmode", "database.sslpassword", "database.sslrootcert",
    "database.tcpKeepAlive", "database.user", "datatype.propagate.source.type",
    "decimal.handling.mode", "errors.max.retries", "event.converting.failure.handling.mode",
    "event.processing.failure.handling.mode", "executor.shutdown.timeout.ms",
    "extended.headers.enabled", "field.name.adjustment.mode", "flush.lsn.source",
    "guardrail.collections.limit.action", "guardrail.collections.max",
    "heartbeat.action.query", "heartbeat.interval.ms", "heartbeat.topics.prefix",
    "hstore.handling.mode", "include.schema.changes", "include.schema.comments",
    "include.unknown.datatypes", "incremental.snapshot.allow.schema.changes",
    "incremental.snapshot.chunk.size", "incremental.snapshot.watermarking.strategy",
    "internal.advanced.metrics.enable", "internal.create.slot.command.timeout",
    "internal.custom.retriable.exception", "internal.legacy.snapshot.max.threads",
    "internal.log.position.check.enable", "internal.slot.seek.to.known.offset.on.start",
    "internal.snapshot.scan.all.columns.force", "interval.handling.mode",
    "legacy.snapshot.max.threads", "lsn.flush.mode", "lsn.flush.timeout.action",
    "lsn.flush.timeout.ms", "max.batch.size", "max.queue.size", "max.queue.size.in.bytes",
    "memory.management.schemas.class", "memory.management.tables.class", "message.key.columns",
    "message.prefix.exclude.list", "message.prefix.include.list", "money.fraction.digits",
    "notification.enabled.channels", "notification.sink.topic.name",
    "offset.mismatch.strategy", "openlineage.integration.config.file.path",
    "openlineage.integration.dataset.kafka.bootstrap.servers",
    "openlineage.integration.enabled", "openlineage.integration.job.description",
    "openlineage.integration.job.namespace", "openlineage.integration.job.owners",
    "openlineage.integration.job.tags", "plugin.name", "poll.interval.ms", "post.processors",
    "provide.transaction.metadata", "publication.autocreate.mode", "publication.name",
    "publish.via.partition.root", "query.fetch.size", "queue.provider.type", "read.only",
    "replica.identity.autoset.values", "retriable.restart.connector.wait.ms",
    "schema.exclude.list", "schema.include.list", "schema.name.adjustment.mode",
    "schema.refresh.mode", "signal.data.collection", "signal.enabled.channels",
    "signal.poll.interval.ms", "skip.messages.without.change", "skipped.operations",
    "slot.drop.on.stop", "slot.failover", "slot.max.retries", "slot.name",
    "slot.retry.delay.ms", "slot.stream.params", "snapshot.delay.ms", "snapshot.fetch.size",
    "snapshot.include.collection.list", "snapshot.isolation.mode", "snapshot.lock.timeout.ms",
    "snapshot.locking.mode", "snapshot.locking.mode.custom.name", "snapshot.max.threads",
    "snapshot.max.threads.multiplier", "snapshot.mode",
    "snapshot.mode.configuration.based.snapshot.data",
    "snapshot.mode.configuration.based.snapshot.on.data.error",
    "snapshot.mode.configuration.based.snapshot.on.schema.error",
    "snapshot.mode.configuration.based.snapshot.schema",
    "snapshot.mode.configuration.based.start.stream", "snapshot.mode.custom.name",
    "snapshot.query.mode", "snapshot.query.mode.custom.name",
    "snapshot.select.statement.overrides", "snapshot.tables.order.by.row.count",
    "sourceinfo.struct.maker", "statistics.metrics.enabled", "status.update.interval.ms",
    "streaming.delay.ms", "table.exclude.list", "table.ignore.builtin", "table.include.list",
    "time.precision.mode", "tombstones.on.delete", "topic.naming.strategy", "topic.prefix",
    "transaction.metadata.factory", "unavailable.value.placeholder", "xmin.fetch.interval.ms",
};
static const char *const debezium_36_outbox_keys[] = {
    "table.field.event.id", "table.field.event.key", "table.field.event.type",
    "table.field.event.payload", "table.field.event.timestamp",
    "table.fields.additional.placement", "table.field.additional.missing",
    "table.field.event.schema.version", "table.op.invalid.behavior",
    "table.expand.json.payload", "table.json.payload.null.behavior", "route.by.field",
    "route.topic.regex", "route.topic.replacement", "route.tombstone.on.empty.payload",
    "tracing.span.context.field", "tracing.operation.name", "tracing.with.context.field.only",
};

static void test_debezium_keys_are_known(void **state)
{
    char *text = NULL, line[300];
    size_t size = 0, i;
    FILE *out = open_memstream(&text, &size);
    (void)state;
    tw_config_print_keys(out);
    fclose(out);
    for (i = 0; i < TW_ARRAY_SIZE(debezium_36_keys); i++) {
        snprintf(line, sizeof(line), "\n%s\n", debezium_36_keys[i]);
        if (strstr(text, line) == NULL)
            fail_msg("Debezium key %s is unknown to tidewater", debezium_36_keys[i]);
    }
    for (i = 0; i < TW_ARRAY_SIZE(debezium_36_outbox_keys); i++) {
        snprintf(line, sizeof(line), "\ntransforms.*.%s\n", debezium_36_outbox_keys[i]);
        if (strstr(text, line) == NULL)
            fail_msg("EventRouter key %s is unknown to tidewater", debezium_36_outbox_keys[i]);
    }
    free(text);
}

/* A Debezium config with keys that change nothing tidewater emits loads,
 * with one note per such key naming it and saying why. */
static void test_debezium_keys_noted_once(void **state)
{
    tw_config_t cfg;
    char errstr[1024] = "";
    (void)state;
    assert_int_equal(config_from_text(MINIMAL "tombstones.on.delete=false\n"
                                              "decimal.handling.mode=precise\n"
                                              "time.precision.mode=ADAPTIVE\n"
                                              "snapshot.max.threads=4\n"
                                              "max.queue.size=8192\n"
                                              "schema.name.adjustment.mode=avro\n"
                                              "skipped.operations=t,u\n"
                                              "provide.transaction.metadata=false\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    /* decimal/time/provide.* match tidewater's behaviour: no note; the
     * change-event keys (tombstones.on.delete, skipped.operations) are
     * tidewater's own. */
    assert_int_equal(cfg.nnotes, 3);
    assert_non_null(strstr(cfg.notes[0], "test.properties:7: snapshot.max.threads=4"));
    assert_non_null(strstr(cfg.notes[0], "does not change what tidewater emits"));
    assert_non_null(strstr(cfg.notes[0], "no snapshots"));
    assert_non_null(strstr(cfg.notes[1], "max.queue.size=8192"));
    assert_non_null(strstr(cfg.notes[2], "schema.name.adjustment.mode=avro"));
    assert_false(cfg.tombstones_on_delete);
    assert_string_equal(cfg.skipped_operations, "t,u");
    tw_config_clear(&cfg);
    /* Debezium's defaults. */
    assert_int_equal(config_from_text(MINIMAL, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_true(cfg.tombstones_on_delete);
    assert_string_equal(cfg.skipped_operations, "t");
    tw_config_clear(&cfg);
    /* skipped.operations keeps its check as a stored key. */
    assert_int_equal(
        config_from_text(MINIMAL "skipped.operations=u,x\n", &cfg, errstr, sizeof(errstr)),
        TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "skipped.operations has \"x\""));
    tw_config_clear(&cfg);
    /* A Debezium config (connector.class) without snapshot.mode asks for an
     * initial snapshot: noted, unless snapshot.mode says no_data. */
    assert_int_equal(config_from_text(MINIMAL "connector.class=io.debezium.connector.postgresql."
                                              "PostgresConnector\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(cfg.nnotes, 1);
    assert_non_null(strstr(cfg.notes[0], "snapshot.mode is not set"));
    tw_config_clear(&cfg);
    assert_int_equal(config_from_text(MINIMAL
                                      "connector.class=PostgresConnector\nsnapshot.mode=no_data\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(cfg.nnotes, 0);
    tw_config_clear(&cfg);
    /* No Debezium-only keys, no notes. */
    assert_int_equal(config_from_text(MINIMAL, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(cfg.nnotes, 0);
    assert_null(cfg.notes);
    tw_config_clear(&cfg);
}

/* Values that would change the output in ways tidewater does not implement
 * are errors naming the key and the supported values; typos still fail. */
static void test_debezium_unsupported_values(void **state)
{
    (void)state;
    /* The type modes are implemented; only Debezium's values are accepted. */
    expect_error(MINIMAL "decimal.handling.mode=float\n", "decimal.handling.mode",
                 "precise, double, string");
    expect_error(MINIMAL "time.precision.mode=millis\n", "time.precision.mode",
                 "adaptive, adaptive_time_microseconds, connect, isostring, microseconds, "
                 "nanoseconds");
    expect_error(MINIMAL "binary.handling.mode=base32\n", "binary.handling.mode",
                 "bytes, base64, base64-url-safe, hex");
    expect_error(MINIMAL "hstore.handling.mode=array\n", "hstore.handling.mode", "json, map");
    expect_error(MINIMAL "snapshot.mode=when_needed\n", "snapshot.mode=\"when_needed\"",
                 "Supported: no_data, never.");
    expect_error(MINIMAL "provide.transaction.metadata=maybe\n",
                 "provide.transaction.metadata", NULL);
    expect_error(MINIMAL "lsn.flush.mode=manual\n", "lsn.flush.mode=\"manual\"",
                 "Supported: connector, connector_and_driver.");
    expect_error(MINIMAL "schema.name.adjustment.mode=avro_unicode\n",
                 "schema.name.adjustment.mode=\"avro_unicode\"", "Supported: none, avro.");
    expect_error(MINIMAL "skipped.operations=c\n", "skipped.operations=c skips inserts", NULL);
    expect_error(MINIMAL "skipped.operations=x\n", "skipped.operations has \"x\"", NULL);
    expect_error(MINIMAL "converters=isbn\n", "converters is not supported", NULL);
    expect_error(MINIMAL "database.connection.factory.class=io.debezium.connector.postgresql."
                         "connection.PostgresAwsIamConnectionFactory\n",
                 "database.connection.factory.class is not supported", "database.password");
    expect_error(MINIMAL "snapshot.isolation.mode=dirty\n", "snapshot.isolation.mode=\"dirty\"",
                 "use one of: serializable");
    expect_error(MINIMAL "max.queue.size=lots\n", "max.queue.size=\"lots\" is not an integer",
                 NULL);
    /* Typos of Debezium keys are still errors, with a suggestion. */
    expect_error(MINIMAL "tombstone.on.delete=false\n",
                 "unknown config key \"tombstone.on.delete\"",
                 "did you mean \"tombstones.on.delete\"?");
    expect_error(MINIMAL "decimal.handeling.mode=precise\n", "unknown config key",
                 "did you mean \"decimal.handling.mode\"?");
    /* An empty unsupported key asks for nothing. */
    {
        tw_config_t cfg;
        char errstr[512];
        assert_int_equal(
            config_from_text(MINIMAL "column.exclude.list=\n", &cfg, errstr, sizeof(errstr)),
            TW_OK);
        tw_config_clear(&cfg);
    }
}

/* D12: Debezium 3.6's table.field.additional.missing. */
static void test_outbox_additional_missing_36(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    assert_int_equal(config_from_text(OUTBOX
                                      "transforms.outbox.table.field.additional.missing=ignore\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_false(cfg.transforms[0].outbox.fields_additional_error_on_missing);
    tw_config_clear(&cfg);
    assert_int_equal(config_from_text(OUTBOX
                                      "transforms.outbox.table.field.additional.missing=error\n"
                                      "transforms.outbox.table.fields.additional.error.on.missing="
                                      "true\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(cfg.transforms[0].outbox.fields_additional_error_on_missing);
    tw_config_clear(&cfg);
    assert_int_equal(config_from_text(OUTBOX, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_true(cfg.transforms[0].outbox.fields_additional_error_on_missing);
    tw_config_clear(&cfg);
    expect_error(OUTBOX "transforms.outbox.table.field.additional.missing=ignore\n"
                        "transforms.outbox.table.fields.additional.error.on.missing=true\n",
                 "table.field.additional.missing=ignore contradicts", "keep one");
    expect_error(OUTBOX "transforms.outbox.table.field.additional.missing=warn\n",
                 "use one of: error, ignore", NULL);
}

static void test_schema_lists(void **state)
{
    tw_config_t cfg;
    char errstr[512];
    (void)state;
    assert_int_equal(config_from_text(MINIMAL "schema.include.list=public, inv.*\n"
                                              "schema.exclude.list=tmp\n"
                                              "table.exclude.list=public\\\\.audit\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_string_equal(cfg.table_include_list, "(?:public)\\..+,(?:inv.*)\\..+");
    assert_string_equal(cfg.table_exclude_list, "public\\.audit,(?:tmp)\\..+");
    assert_int_equal(cfg.nnotes, 0);
    tw_config_clear(&cfg);
    /* Both include lists (Debezium's outbox example): a table must match
     * both, so table patterns of other schemas go. */
    assert_int_equal(config_from_text(MINIMAL
                                      "schema.include.list=public, inv.*\n"
                                      "table.include.list=public\\\\.outbox,inventory.outboxevent,"
                                      "other\\\\.outbox\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_string_equal(cfg.table_include_list, "public\\.outbox,inventory.outboxevent");
    tw_config_clear(&cfg);
    expect_error(MINIMAL "schema.include.list=public\ntable.include.list=other\\\\.outbox\n",
                 "schema.include.list=public excludes the schema of every table", NULL);
    expect_error(MINIMAL "schema.include.list=public\ntable.include.list=.*\\\\.outbox\n",
                 "the table pattern \".*\\.outbox\" does not start with a schema name", NULL);
}

static void test_split_list(void **state)
{
    char **items;
    size_t n;
    (void)state;
    n = tw_config_split_list(" public.a , ,public.b,", &items);
    assert_int_equal(n, 2);
    assert_string_equal(items[0], "public.a");
    assert_string_equal(items[1], "public.b");
    tw_config_free_list(items, n);
    assert_int_equal(tw_config_split_list("", &items), 0);
    tw_config_free_list(items, 0);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(tw_config_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(tw_config_edit_distance("", "abc"), 3);
    assert_int_equal(tw_config_edit_distance("same", "same"), 0);
}

/* Writes text to a new file under dir and loads it as every command does. */
static tw_err_t connector_load_text(const char *dir, const char *text, tw_config_t *cfg,
                                    char *errstr, size_t errstr_size)
{
    char path[256];
    FILE *f;
    tw_err_t err;

    snprintf(path, sizeof(path), "%s/connector.properties", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    err = tw_connector_load(path, cfg, errstr, errstr_size);
    unlink(path);
    return err;
}

/* Column rules live above the config module (transforms/column_rules.h),
 * yet a bad one is an error when `run`, `check`, `tail`, `schemas` or
 * `offsets` load the file (tw_connector_load), not at the first row; the
 * type modes of a loaded file are the process-wide ones. */
static void test_connector_load_checks_column_rules(void **state)
{
    static const struct {
        const char *text, *fragment;
    } bad[] = {
        {MINIMAL "column.exclude.list=public.outbox.secret\ncolumn.include.list=a\n",
         "column.include.list and column.exclude.list are both set"},
        {MINIMAL "column.mask.hash.SHA-999.with.salt.CzQMA0cB5K=public.t.c\n",
         "unknown hash algorithm \"SHA-999\""},
        {MINIMAL "column.truncate.to.0.chars=public.t.c\n",
         "column.truncate.to.0.chars: the number of characters must be a positive"},
        {MINIMAL "column.mask.with.3.chars=public.t.(c\n", "column.mask.with.3.chars"},
    };
    char dir[] = "/tmp/tw-test-connector-XXXXXX";
    char errstr[1024];
    tw_config_t cfg;
    size_t i;
    (void)state;

    assert_non_null(mkdtemp(dir));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errstr[0] = '\0';
        assert_int_equal(connector_load_text(dir, bad[i].text, &cfg, errstr, sizeof(errstr)),
                         TW_ERR_CONFIG);
        if (!strstr(errstr, bad[i].fragment))
            fail_msg("message \"%s\" lacks \"%s\"", errstr, bad[i].fragment);
        tw_config_clear(&cfg);
    }
    assert_int_equal(connector_load_text(dir,
                                         MINIMAL "column.truncate.to.3.chars=public\\.t\\.c\n"
                                                 "decimal.handling.mode=string\n",
                                         &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_cs_options()->decimal, TW_DECIMAL_STRING);
    tw_config_clear(&cfg);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_properties_syntax),
        cmocka_unit_test(test_connect_json_body),
        cmocka_unit_test(test_bad_json_names_position),
        cmocka_unit_test(test_defaults_and_types),
        cmocka_unit_test(test_exactly_once_keys),
        cmocka_unit_test(test_unknown_key_suggests_closest),
        cmocka_unit_test(test_bad_values_name_key_and_allowed),
        cmocka_unit_test(test_secret_values_never_in_messages),
        cmocka_unit_test(test_env_provider),
        cmocka_unit_test(test_file_and_dir_providers),
        cmocka_unit_test(test_provider_values_never_echoed),
        cmocka_unit_test(test_provider_allowed_paths),
        cmocka_unit_test(test_outbox_transform_defaults_are_debeziums),
        cmocka_unit_test(test_converters_predicates_and_worker_keys),
        cmocka_unit_test(test_byte_array_converter),
        cmocka_unit_test(test_binary_data_converter),
        cmocka_unit_test(test_state_dir),
        cmocka_unit_test(test_scoped_key_errors),
        cmocka_unit_test(test_debezium_keys_are_known),
        cmocka_unit_test(test_debezium_keys_noted_once),
        cmocka_unit_test(test_debezium_unsupported_values),
        cmocka_unit_test(test_outbox_additional_missing_36),
        cmocka_unit_test(test_schema_lists),
        cmocka_unit_test(test_java_client_keys),
        cmocka_unit_test(test_split_list),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_connector_load_checks_column_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
