"""Registry client behaviour seen from outside: subject naming strategies,
failover across the URL list, TLS with a configured CA, basic auth."""
import json
import subprocess
import uuid

from conftest import OUTBOX_DDL, outbox_config
from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder, consume, topics
from pgcluster import free_port
from registry import DevRegistry

ENVELOPE = OUTBOX_DDL.replace("payload jsonb", "payload jsonb")


def produce_one(db, aggtype="Order", evtype="Created"):
    db.sql("INSERT INTO outbox VALUES (%s, %s, 'k-1', %s, '{\"a\": 1}')",
           (str(uuid.uuid4()), aggtype, evtype))


def test_topic_record_name_strategy(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    strategy = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"
    run(outbox_config(db, broker, registry, tmp_path,
                      transforms_outbox_table_fields_additional_placement="type:envelope",
                      value_converter_value_subject_name_strategy=strategy))
    wait_for(lambda: slot_active(db), what="slot")
    produce_one(db)
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers), what="topic")
    m = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)[0]
    subjects = registry.request("GET", "/subjects")[1]
    assert "outbox.event.Order-tw.public.outbox.Order.Value" in subjects
    assert "outbox.event.Order-key" in subjects
    assert AvroDecoder(registry).decode(m.value())["type"] == "Created"


def test_record_name_strategy_names_subjects_like_confluent(db, broker, registry, run,
                                                            tmp_path):
    db.sql(OUTBOX_DDL)
    run(outbox_config(db, broker, registry, tmp_path,
                      key_converter_key_subject_name_strategy=(
                          "io.confluent.kafka.serializers.subject.RecordNameStrategy"),
                      value_converter_value_subject_name_strategy=(
                          "io.confluent.kafka.serializers.subject.RecordNameStrategy")))
    wait_for(lambda: slot_active(db), what="slot")
    produce_one(db)
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers), what="topic")
    consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)
    # Confluent's AvroSchema.name(): the type name for non-records, "union"
    # for the optional JSON payload.
    assert sorted(registry.request("GET", "/subjects")[1]) == ["string", "union"]


def test_failover_to_the_second_url(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    dead = "http://127.0.0.1:%d" % free_port()
    urls = dead + "," + registry.url
    run(outbox_config(db, broker, registry, tmp_path, key_converter_schema_registry_url=urls,
                      value_converter_schema_registry_url=urls,
                      value_converter_schema_registry_connect_timeout_ms="300",
                      key_converter_schema_registry_connect_timeout_ms="300"))
    wait_for(lambda: slot_active(db), what="slot")
    produce_one(db)
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers), what="topic")
    assert len(consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)) == 1


def test_tls_registry_with_ca_and_basic_auth(db, broker, registry_script, run, tmp_path):
    cert, key = str(tmp_path / "c.pem"), str(tmp_path / "k.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    db.sql(OUTBOX_DDL)
    with DevRegistry(registry_script, tmp_path, tls=(cert, key), basic_auth="app:pw") as reg:
        run(outbox_config(db, broker, reg, tmp_path,
                          key_converter_schema_registry_ssl_ca_location=cert,
                          value_converter_schema_registry_ssl_ca_location=cert,
                          key_converter_basic_auth_user_info="app:pw",
                          value_converter_basic_auth_user_info="app:pw"))
        wait_for(lambda: slot_active(db), what="slot")
        produce_one(db)
        wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers), what="topic")
        m = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)[0]
        assert json.loads(AvroDecoder(reg).decode(m.value())) == {"a": 1}


def test_schema_version_column_versions_the_envelope(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL.replace("payload jsonb", "payload jsonb, v int"))
    run(outbox_config(db, broker, registry, tmp_path,
                      transforms_outbox_table_fields_additional_placement="type:envelope",
                      transforms_outbox_table_field_event_schema_version="v"))
    wait_for(lambda: slot_active(db), what="slot")
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'k', 'T', '{}', 3)", (str(uuid.uuid4()),))
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers), what="topic")
    m = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)[0]
    dec = AvroDecoder(registry)
    assert dec.schema(dec.schema_id(m.value())).other_props["connect.version"] == 3
