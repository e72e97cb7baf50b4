"""Contract-first payloads (transforms.<n>.payload.schema.dir): each event
type's payload is converted to its declared Avro record, registered as
declared, and a payload that breaks its contract never reaches the topic."""
import datetime
import decimal
import json
import os
import shutil
import subprocess
import uuid

from conftest import OUTBOX_DDL, assert_held_before, outbox_config
from helpers import insert_events, slot_active, wait_for
from kafkacheck import AvroDecoder, consume, headers, topics

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEMAS = os.path.join(TOP, "schemas")
TOPIC_RECORD = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"
NS = "com.example.events."


def contract_config(db, broker, registry, tmp_path, schema_dir=SCHEMAS, **overrides):
    base = dict(transforms_outbox_payload_schema_dir=schema_dir)
    base.update(overrides)
    return outbox_config(db, broker, registry, tmp_path, **base)


def address(**extra):
    a = {"street": "1 Main St", "city": "Springfield", "postalCode": "12345"}
    a.update(extra)
    return a


def order_created(oid):
    return {"orderId": oid, "customerId": 42, "createdAt": "2026-11-29T10:00:00.123Z",
            "lineItems": [{"sku": "A-1", "quantity": 2, "unitPrice": "12.50"}],
            "total": "25.00", "shippingAddress": address()}


def order_shipped(oid):
    return {"orderId": oid, "shippedAt": 1764410400000, "carrier": "UPS",
            "deliverTo": address(country="DE", region="Berlin"), "shippingCost": 4.99}


def customer_registered():
    return {"customerId": 7, "email": "a@example.com", "displayName": "Ann",
            "birthDate": "1990-05-17", "registeredAt": "2026-11-29T10:00:00.000001+01:00",
            "billingAddress": address()}


def test_three_types_on_one_topic_decoded_from_the_registry_alone(db, broker, registry, run,
                                                                  tmp_path):
    db.sql(OUTBOX_DDL)
    oid = str(uuid.uuid4())
    events = [(str(uuid.uuid4()), "Order", "order-1", "OrderCreated", order_created(oid)),
              (str(uuid.uuid4()), "Order", "order-1", "OrderShipped", order_shipped(oid)),
              (str(uuid.uuid4()), "Order", "cust-7", "CustomerRegistered",
               customer_registered())]
    r = run(contract_config(db, broker, registry, tmp_path,
                            value_converter_value_subject_name_strategy=TOPIC_RECORD))
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    insert_events(db, events)
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers),
             what="the topic")
    msgs = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=3)
    assert r.stop() == 0
    assert len(msgs) == 3
    dec = AvroDecoder(registry)
    by_type = {}
    for m in msgs:
        schema = dec.schema(dec.schema_id(m.value()))
        by_type[schema.fullname] = (dec.decode(m.value()), headers(m)["id"])
    assert set(by_type) == {NS + "OrderCreated", NS + "OrderShipped",
                            NS + "CustomerRegistered"}

    created, _ = by_type[NS + "OrderCreated"]
    assert created["orderId"] == oid
    assert created["createdAt"] == datetime.datetime(2026, 11, 29, 10, 0, 0, 123000,
                                                     tzinfo=datetime.timezone.utc)
    assert created["total"] == decimal.Decimal("25.00")
    assert created["lineItems"][0]["unitPrice"] == decimal.Decimal("12.50")
    # Defaults filled in for what the payload left out.
    assert created["status"] == "NEW" and created["note"] is None and created["tags"] == {}
    assert created["shippingAddress"]["country"] == "US"
    assert created["shippingAddress"]["region"] is None

    shipped, _ = by_type[NS + "OrderShipped"]
    assert shipped["shippingCost"] == decimal.Decimal("4.99")
    assert shipped["status"] == "SHIPPED" and shipped["trackingNumber"] is None
    assert shipped["deliverTo"]["region"] == "Berlin"

    cust, _ = by_type[NS + "CustomerRegistered"]
    assert cust["birthDate"] == datetime.date(1990, 5, 17)
    assert cust["registeredAt"] == datetime.datetime(2026, 11, 29, 9, 0, 0, 1,
                                                     tzinfo=datetime.timezone.utc)
    assert cust["shippingAddresses"] == [] and cust["marketingOptIn"] is False

    status, subjects = registry.request("GET", "/subjects")
    assert status == 200
    for name in ("OrderCreated", "OrderShipped", "CustomerRegistered"):
        assert "outbox.event.Order-" + NS + name in subjects
    # The registered schema is the declared one, docs included.
    status, latest = registry.request(
        "GET", "/subjects/outbox.event.Order-%sOrderCreated/versions/latest" % NS)
    assert "Emitted once when a customer places an order." in latest["schema"]


BAD = [
    ("OrderCreated", lambda o: dict(o, lineItems=[{"sku": "A", "quantity": "x",
                                                   "unitPrice": "1.00"}]),
     '$.lineItems[0].quantity: expected int, got string (1 byte)'),
    ("OrderCreated", lambda o: {k: v for k, v in o.items() if k != "customerId"},
     '$: missing required field "customerId"'),
    ("OrderCreated", lambda o: dict(o, status="LOST"),
     '$.status: enum symbol (4 bytes) not allowed'),
    ("OrderCreated", lambda o: dict(o, lineItems=[{"sku": "A", "quantity": 3000000000,
                                                   "unitPrice": "1.00"}]),
     "$.lineItems[0].quantity: number out of range for int"),
    ("OrderCreated", lambda o: dict(o, total="12.345"), "$.total"),
    ("OrderCreated", lambda o: dict(o, surprise=1), "$.surprise: unknown field"),
    ("NoSuchEvent", lambda o: o, 'event type "NoSuchEvent" has no declared record'),
]


def test_bad_payloads_go_to_the_dead_letter_topic_with_the_path(db, broker, registry, run,
                                                                tmp_path):
    db.sql(OUTBOX_DDL)
    r = run(contract_config(db, broker, registry, tmp_path, errors_tolerance="all",
                            errors_deadletterqueue_topic_name="dlq",
                            transforms_outbox_payload_schema_unknown_fields="fail"))
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    oid = str(uuid.uuid4())
    bad = []
    for evtype, mutate, _ in BAD:
        eid = str(uuid.uuid4())
        bad.append(eid)
        insert_events(db, [(eid, "Order", "order-1", evtype, mutate(order_created(oid)))])
    good = str(uuid.uuid4())
    insert_events(db, [(good, "Order", "order-1", "OrderCreated", order_created(oid))])
    wait_for(lambda: "dlq" in topics(broker.bootstrap_servers), what="the DLQ topic")
    dlq = consume(broker.bootstrap_servers, ["dlq"], expect=len(BAD))
    out = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)
    assert r.stop() == 0
    assert [headers(m)["id"] for m in out] == [good], "only the good event reaches the topic"
    assert len(dlq) == len(BAD)
    by_id = {headers(m)["tidewater.event.id"]: m for m in dlq}
    for eid, (evtype, mutate, fragment) in zip(bad, BAD):
        h = headers(by_id[eid])
        assert h["tidewater.error.kind"] == "contract"
        assert fragment in h["tidewater.error.message"], h["tidewater.error.message"]
        assert h["tidewater.original.topic"] == "outbox.event.Order"
        # The dead-letter value is the payload as the application wrote it.
        assert json.loads(by_id[eid].value()) == mutate(order_created(oid))


def test_bad_payload_with_tolerance_none_stops_without_advancing(db, broker, registry, run,
                                                                 tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = contract_config(db, broker, registry, tmp_path)
    r = run(cfg)
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    oid = str(uuid.uuid4())
    insert_events(db, [(str(uuid.uuid4()), "Order", "o", "OrderCreated", order_created(oid))])
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers), what="topic")
    bad = dict(order_created(oid), customerId="forty-two")
    insert_events(db, [(str(uuid.uuid4()), "Order", "o", "OrderCreated", bad)])
    after_bad = db.insert_lsn()
    wait_for(lambda: r.proc.poll() is not None, timeout=30, what="the connector to stop")
    assert r.proc.returncode != 0
    assert '$.customerId: expected long, got string (9 bytes)' in r.output()

    assert_held_before(db, after_bad)
    # Still refused after a restart: the event is never skipped.
    r2 = run(cfg)
    wait_for(lambda: r2.proc.poll() is not None, timeout=30, what="the restart to stop")
    assert '$.customerId: expected long, got string (9 bytes)' in r2.output()
    assert len(consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)) == 1


EVT_V1 = {"type": "record", "name": "Evt", "namespace": "t",
          "fields": [{"name": "a", "type": "string"}]}
EVT_V2 = {"type": "record", "name": "Evt", "namespace": "t",
          "fields": [{"name": "a", "type": "string"},
                     {"name": "b", "type": "int", "default": 7}]}
EVT_V3 = {"type": "record", "name": "Evt", "namespace": "t",
          "fields": [{"name": "b", "type": "int", "default": 7}]}


def test_schema_evolution_and_no_loss(db, broker, registry, run, tmp_path):
    """A field with a default is a new version; removing a required field is
    refused under FULL_TRANSITIVE with the registry's message, stopping the
    connector before the event; restoring the file delivers it."""
    db.sql(OUTBOX_DDL)
    sdir = tmp_path / "schemas"
    sdir.mkdir()

    def write(schema):
        (sdir / "evt.avsc").write_text(json.dumps(schema))

    cfg = contract_config(db, broker, registry, tmp_path, schema_dir=str(sdir),
                          transforms_outbox_payload_schema_compatibility_level="FULL_TRANSITIVE")
    subject = "outbox.event.T-value"
    write(EVT_V1)
    r = run(cfg)
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    insert_events(db, [(str(uuid.uuid4()), "T", "k", "Evt", {"a": "one"})])
    wait_for(lambda: "outbox.event.T" in topics(broker.bootstrap_servers), what="topic")
    consume(broker.bootstrap_servers, ["outbox.event.T"], expect=1)
    assert r.stop() == 0
    status, level = registry.request("GET", "/config/" + subject)
    assert level == {"compatibilityLevel": "FULL_TRANSITIVE"}

    write(EVT_V2)
    insert_events(db, [(str(uuid.uuid4()), "T", "k", "Evt", {"a": "two"})])
    r = run(cfg)
    wait_for(lambda: len(consume(broker.bootstrap_servers, ["outbox.event.T"],
                                 timeout=3)) >= 2, what="the second event")
    assert r.stop() == 0
    status, versions = registry.request("GET", "/subjects/%s/versions" % subject)
    assert versions == [1, 2]

    write(EVT_V3)
    third = str(uuid.uuid4())
    insert_events(db, [(third, "T", "k", "Evt", {"a": "three", "b": 3})])
    r = run(cfg)
    wait_for(lambda: r.proc.poll() is not None, timeout=30, what="the refusal to stop it")
    log = r.output()
    assert r.proc.returncode != 0
    assert 'under subject "%s"' % subject in log and "evt.avsc" in log, log
    assert "409" in log
    status, versions = registry.request("GET", "/subjects/%s/versions" % subject)
    assert versions == [1, 2]

    write(EVT_V2)  # the owner reverts the file: the held-back event goes out
    r = run(cfg)
    wait_for(lambda: third in [headers(m)["id"] for m in consume(
        broker.bootstrap_servers, ["outbox.event.T"], timeout=3)], what="the third event")
    assert r.stop() == 0
    dec = AvroDecoder(registry)
    values = [dec.decode(m.value()) for m in consume(broker.bootstrap_servers,
                                                      ["outbox.event.T"], expect=3)]
    assert values == [{"a": "one"}, {"a": "two", "b": 7}, {"a": "three", "b": 3}]


def test_unregistered_schema_refuses_to_start(db, broker, registry, tidewater_bin, tmp_path):
    """auto.register.schemas=false with RecordNameStrategy: the subjects are
    known, so a declared event record that is not registered stops start-up."""
    db.sql(OUTBOX_DDL)
    cfg = contract_config(db, broker, registry, tmp_path,
                          value_converter_auto_register_schemas="false",
                          value_converter_value_subject_name_strategy=(
                              "io.confluent.kafka.serializers.subject.RecordNameStrategy"))
    p = subprocess.run([tidewater_bin, "run", cfg], capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert "schema com.example.events." in p.stderr and "404" in p.stderr, p.stderr


def test_bad_schema_directory_is_a_startup_error(db, broker, registry, tidewater_bin, tmp_path):
    sdir = tmp_path / "bad"
    shutil.copytree(os.path.join(TOP, "tests", "fixtures", "avsc", "unknown_type"), sdir)
    cfg = contract_config(db, broker, registry, tmp_path, schema_dir=str(sdir))
    p = subprocess.run([tidewater_bin, "run", cfg], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "transforms.outbox.payload.schema.dir" in p.stderr and "order.avsc" in p.stderr


def test_table_less_outbox_with_declared_payloads(db, broker, registry, run, tmp_path):
    """pg_logical_emit_message events (message.prefix) are held to their
    contract as outbox rows are."""
    db.sql(OUTBOX_DDL)
    r = run(contract_config(db, broker, registry, tmp_path,
                            transforms_outbox_message_prefix="outbox",
                            errors_tolerance="all", errors_deadletterqueue_topic_name="dlq"))
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    for eid, payload in ((bad, {"customerId": "x"}), (good, customer_registered())):
        db.sql("SELECT pg_logical_emit_message(true, 'outbox', %s)",
               (json.dumps({"id": eid, "aggregatetype": "Customer", "aggregateid": "c-7",
                            "type": "CustomerRegistered", "payload": payload}),))
    # The consumer reads the partitions that exist when it starts: wait for
    # both topics (the good event's comes last, after its schema's registration).
    wait_for(lambda: {"dlq", "outbox.event.Customer"} <= set(topics(broker.bootstrap_servers)),
             what="the DLQ and event topics")
    out = consume(broker.bootstrap_servers, ["outbox.event.Customer"], expect=1)
    dlq = consume(broker.bootstrap_servers, ["dlq"], expect=1)
    assert r.stop() == 0
    assert [headers(m)["id"] for m in out] == [good]
    assert AvroDecoder(registry).decode(out[0].value())["email"] == "a@example.com"
    assert headers(dlq[0])["tidewater.event.id"] == bad
    assert '$.customerId: expected long, got string (1 byte)' in \
        headers(dlq[0])["tidewater.error.message"]


def test_use_latest_version_must_be_the_declared_schema(db, broker, registry, run, tmp_path):
    """auto.register.schemas=false, use.latest.version=true: records are
    written with the declared schema, so it must be the subject's latest."""
    db.sql(OUTBOX_DDL)
    sdir = tmp_path / "schemas"
    sdir.mkdir()
    subject = "outbox.event.T-value"
    for schema in (EVT_V1, EVT_V2):
        status, _ = registry.request("POST", "/subjects/%s/versions" % subject,
                                     {"schema": json.dumps(schema)})
        assert status == 200
    (sdir / "evt.avsc").write_text(json.dumps(EVT_V1))
    cfg = contract_config(db, broker, registry, tmp_path, schema_dir=str(sdir),
                          value_converter_auto_register_schemas="false",
                          value_converter_use_latest_version="true")
    r = run(cfg)
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    eid = str(uuid.uuid4())
    insert_events(db, [(eid, "T", "k", "Evt", {"a": "x"})])
    wait_for(lambda: r.proc.poll() is not None, timeout=30, what="the refusal to stop it")
    assert "the latest version of subject \"%s\"" % subject in r.output(), r.output()

    (sdir / "evt.avsc").write_text(json.dumps(EVT_V2))  # now the file is the latest
    r = run(cfg)
    wait_for(lambda: "outbox.event.T" in topics(broker.bootstrap_servers), what="the topic")
    msgs = consume(broker.bootstrap_servers, ["outbox.event.T"], expect=1, timeout=30)
    assert r.stop() == 0
    assert [headers(m)["id"] for m in msgs] == [eid]
    assert AvroDecoder(registry).decode(msgs[0].value()) == {"a": "x", "b": 7}
