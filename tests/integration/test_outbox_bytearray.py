"""value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
with the outbox router (connectors/outbox-bytearray.properties, as shipped,
pointed at the test's database and broker): a bytea payload arrives in Kafka
byte for byte as PostgreSQL stores it; a jsonb payload is refused at that
record with an error naming the converter and the topic, as Kafka Connect's
converter would fail the task. Debezium's documented BinaryDataConverter
examples (tests/fixtures/debezium-configs) run the same way: bytea as it
is, anything else through the delegate converter."""
import json
import os
import uuid

from conftest import SRCDIR
from helpers import slot_active, wait_for
from kafkacheck import consume, headers, topics

EXAMPLE = os.path.join(SRCDIR, "connectors", "outbox-bytearray.properties")
FIXTURES = os.path.join(SRCDIR, "tests", "fixtures", "debezium-configs")


def example_config(db, broker, tmp_path, payload_type, example=EXAMPLE, extra=None):
    db.sql("CREATE TABLE outbox (id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL, "
           "aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL, payload %s)"
           % payload_type)
    overrides = {
        "database.hostname": "127.0.0.1", "database.port": str(db.pg.port),
        "database.user": db.pg.superuser, "database.password": None,
        "database.dbname": db.name, "slot.name": db.slot, "publication.name": db.publication,
        "bootstrap.servers": broker.bootstrap_servers,
        "offset.storage.file.filename": str(tmp_path / "offsets.json"),
        "state.dir": str(tmp_path / "state"),
        "status.update.interval.ms": "500", "producer.linger.ms": "5",
    }
    overrides.update(extra or {})
    lines = []
    with open(example) as f:
        for line in f:
            if line.split("=", 1)[0] not in overrides:
                lines.append(line.rstrip("\n"))
    lines += ["%s=%s" % (k, v) for k, v in overrides.items() if v is not None]
    path = tmp_path / "bytes.properties"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_bytea_payload_arrives_byte_for_byte(db, broker, run, tmp_path):
    cfg = example_config(db, broker, tmp_path, "bytea")
    runner = run(cfg)
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None,
             what="slot active", timeout=60)
    # An empty payload first (a value of no bytes, not a tombstone, even
    # before any buffer was used), every byte value, a NUL-led Avro-like
    # frame, random bytes, and NULL (a tombstone).
    payloads = [b"", bytes(range(256)), b"\x00\x00\x00\x00\x07\x02hi",
                os.urandom(100000), None]
    ids = [str(uuid.uuid4()) for _ in payloads]
    for eid, p in zip(ids, payloads):
        db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o-1', 'OrderBytes', %s)",
               (eid, p))
    wait_for(lambda: "Order.events" in topics(broker.bootstrap_servers)
             or runner.proc.poll() is not None, what="topic Order.events", timeout=60)
    msgs = consume(broker.bootstrap_servers, ["Order.events"], expect=len(payloads),
                   timeout=60)
    assert len(msgs) == len(payloads), runner.output()
    # The oracle: the bytes PostgreSQL holds for each row.
    stored = dict(db.sql("SELECT id::text, payload FROM outbox"))
    for m, eid, p in zip(msgs, ids, payloads):
        assert headers(m)["id"] == eid
        assert headers(m)["eventType"] == "OrderBytes"
        assert m.key() == b"o-1"
        if p is None:
            assert m.value() is None
            assert stored[eid] is None
        else:
            assert m.value() is not None, "payload %d bytes became a tombstone" % len(p)
            assert m.value() == bytes(stored[eid]) == p
    assert runner.proc.poll() is None, runner.output()


def test_jsonb_payload_is_refused_naming_the_converter(db, broker, run, tmp_path):
    cfg = example_config(db, broker, tmp_path, "jsonb")
    runner = run(cfg)
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None,
             what="slot active", timeout=60)
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o-1', 'OrderJson', '{\"n\": 1}')",
           (str(uuid.uuid4()),))
    wait_for(lambda: runner.proc.poll() is not None, what="tidewater to stop", timeout=60)
    out = runner.output()
    assert runner.proc.returncode != 0, out
    assert "value.converter=ByteArrayConverter writes bytea (BYTES) only" in out, out
    assert "for topic Order.events is a string" in out, out
    # Nothing was written.
    assert consume(broker.bootstrap_servers, ["Order.events"], timeout=3) == []


DOC_OVERRIDES = {"publication.autocreate.mode": "filtered", "snapshot.mode": "no_data",
                 # The worker's key converter (Debezium's pages leave it to the worker).
                 "key.converter": "org.apache.kafka.connect.storage.StringConverter"}


def test_documented_binary_data_converter_passes_bytea(db, broker, run, tmp_path):
    cfg = example_config(db, broker, tmp_path, "bytea",
                         os.path.join(FIXTURES, "outbox-avro-payload.properties"), DOC_OVERRIDES)
    runner = run(cfg)
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None,
             what="slot active", timeout=60)
    payload = b"\x00\x00\x00\x00\x01" + bytes(range(255, -1, -1))
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o-9', 'OrderAvro', %s)", (eid, payload))
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers)
             or runner.proc.poll() is not None, what="topic outbox.event.Order", timeout=60)
    msgs = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1, timeout=60)
    assert len(msgs) == 1, runner.output()
    assert msgs[0].value() == payload
    assert msgs[0].key() == b"o-9" and headers(msgs[0])["id"] == eid


def test_documented_delegate_converts_the_rest(db, broker, run, tmp_path):
    """A jsonb payload is no bytea: the JsonConverter delegate (schemas off)
    writes it, as Debezium's BinaryDataConverter hands it over."""
    cfg = example_config(db, broker, tmp_path, "jsonb",
                         os.path.join(FIXTURES, "outbox-avro-payload-json-delegate.properties"),
                         DOC_OVERRIDES)
    runner = run(cfg)
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None,
             what="slot active", timeout=60)
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o-1', 'OrderJson', '{\"n\": 1}')",
           (str(uuid.uuid4()),))
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers)
             or runner.proc.poll() is not None, what="topic outbox.event.Order", timeout=60)
    msgs = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1, timeout=60)
    assert len(msgs) == 1, runner.output()
    # The payload's Connect value is a string (io.debezium.data.Json).
    assert json.loads(msgs[0].value()) == '{"n": 1}'


def test_delegate_registry_credentials_over_http_warned(db, broker, registry, run, tmp_path):
    """Debezium's page's Confluent delegate (basic auth, registry URL): the
    delegate's credentials over plain http get the same warning as the
    converter's own."""
    cfg = example_config(
        db, broker, tmp_path, "bytea",
        os.path.join(FIXTURES, "outbox-avro-payload-confluent-delegate.properties"),
        dict(DOC_OVERRIDES, **{
            "value.converter.delegate.converter.type.schema.registry.url": registry.url}))
    runner = run(cfg)
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None,
             what="slot active", timeout=60)
    out = runner.output()
    assert ("value.converter.delegate.converter.type.schema.registry.url is plain http but "
            "carries basic-auth credentials") in out, out
    assert "user:secret" not in out
