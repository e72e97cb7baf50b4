"""Consumers nobody here wrote: tidewater's outbox records decoded by
Confluent's own AvroDeserializer (confluent-kafka 2.x from PyPI, fastavro
underneath, with SchemaRegistryClient fetching the writer's schema), run in
a virtualenv (confluentvenv.py), and by Confluent's Node.js deserializer
(@confluentinc/schemaregistry from npm); they must equal what was written,
and what python3-avro decodes."""
import json
import uuid

import pytest

from confluent_decode import plain
from confluentvenv import confluent_decode, confluent_node_decode  # noqa: F401 (fixtures)
from conftest import OUTBOX_DDL, outbox_config
from helpers import insert_events, slot_active, wait_for
from kafkacheck import AvroDecoder, consume, headers, topics
from registry import DevRegistry
from test_contract import contract_config, customer_registered, order_created, order_shipped

TOPIC_RECORD = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"


def messages(broker, topic, expect):
    wait_for(lambda: topic in topics(broker.bootstrap_servers), what="topic " + topic)
    msgs = consume(broker.bootstrap_servers, [topic], expect=expect)
    assert len(msgs) == expect
    return msgs


def test_json_payloads_keys_and_null_payload(db, broker, registry, run, tmp_path,
                                             confluent_decode, confluent_node_decode):
    db.sql(OUTBOX_DDL)
    r = run(outbox_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    events = [(str(uuid.uuid4()), "Order", "order-1", "OrderCreated",
               {"n": 1, "name": "caf\u00e9 \u2603", "items": [1, 2.5, None, True]}),
              (str(uuid.uuid4()), "Order", "order-2", "OrderCreated", {}),
              (str(uuid.uuid4()), "Order", "", "OrderCreated", "just a string")]
    insert_events(db, events)
    null_id = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'order-3', 'OrderVoided', NULL)", (null_id,))
    msgs = messages(broker, "outbox.event.Order", 4)
    assert r.stop() == 0
    decoded = confluent_decode(registry.url, msgs)
    dec = AvroDecoder(registry)
    by_id = {}
    for m, (key, value) in zip(msgs, decoded):
        assert key == plain(dec.decode(m.key()))
        assert value == plain(dec.decode(m.value()))
        by_id[headers(m)["id"]] = (key, value)
    for eid, _, aggid, _, payload in events:
        key, value = by_id[eid]
        assert key == aggid
        assert json.loads(value) == payload
    assert by_id[null_id] == ("order-3", None)
    # Confluent's Node.js deserializer reads the same.
    assert confluent_node_decode(registry.url, msgs) == decoded


def test_expanded_json_payload_record(db, broker, registry, run, tmp_path, confluent_decode,
                                      confluent_node_decode):
    db.sql(OUTBOX_DDL)
    r = run(outbox_config(db, broker, registry, tmp_path,
                          transforms_outbox_table_expand_json_payload="true"))
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    payload = {"id": 7, "items": [{"sku": "a", "qty": 2}], "ok": True, "price": 12.5,
               "name": "x\u00ff"}
    insert_events(db, [(str(uuid.uuid4()), "Order", "o-1", "E", payload)])
    msgs = messages(broker, "outbox.event.Order", 1)
    assert r.stop() == 0
    [(key, value)] = confluent_decode(registry.url, msgs)
    assert key == "o-1"
    assert value == payload
    assert value == plain(AvroDecoder(registry).decode(msgs[0].value()))
    assert confluent_node_decode(registry.url, msgs) == [["o-1", payload]]


def test_declared_payloads(db, broker, registry, run, tmp_path, confluent_decode,
                           confluent_node_decode):
    """payload.schema.dir: decimals, timestamps, dates, enums, maps, nested
    records and defaults, through fastavro's logical types."""
    db.sql(OUTBOX_DDL)
    oid = str(uuid.uuid4())
    written = {"OrderCreated": order_created(oid), "OrderShipped": order_shipped(oid),
               "CustomerRegistered": customer_registered()}
    events = [(str(uuid.uuid4()), "Order", "order-1", t, p) for t, p in written.items()]
    r = run(contract_config(db, broker, registry, tmp_path,
                            value_converter_value_subject_name_strategy=TOPIC_RECORD))
    wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
             what="the connector streaming")
    insert_events(db, events)
    msgs = messages(broker, "outbox.event.Order", 3)
    assert r.stop() == 0
    decoded = confluent_decode(registry.url, msgs)
    dec = AvroDecoder(registry)
    by_type = {}
    for m, (key, value) in zip(msgs, decoded):
        assert key == "order-1"
        assert value == plain(dec.decode(m.value()))  # python3-avro agrees, field by field
        by_type[dec.schema(dec.schema_id(m.value())).name] = value
    created = by_type["OrderCreated"]
    assert created["orderId"] == oid and created["customerId"] == 42
    assert created["createdAt"] == {"$datetime": "2026-11-29T10:00:00.123000+00:00"}
    assert created["total"] == {"$decimal": "25.00"}
    assert created["lineItems"] == [{"sku": "A-1", "quantity": 2,
                                     "unitPrice": {"$decimal": "12.50"}}]
    assert created["status"] == "NEW" and created["note"] is None
    shipped = by_type["OrderShipped"]
    assert shipped["carrier"] == "UPS" and shipped["shippingCost"] == {"$decimal": "4.99"}
    assert shipped["deliverTo"]["country"] == "DE"
    cust = by_type["CustomerRegistered"]
    assert cust["birthDate"] == {"$date": "1990-05-17"}
    assert cust["registeredAt"] == {"$datetime": "2026-11-29T09:00:00.000001+00:00"}
    assert cust["email"] == "a@example.com" and cust["marketingOptIn"] is False
    # Node.js: avsc leaves logical types raw, so compare the plain fields.
    node = {dec.schema(dec.schema_id(m.value())).name: value
            for m, (_, value) in zip(msgs, confluent_node_decode(registry.url, msgs))}
    assert node["OrderCreated"]["orderId"] == oid and node["OrderCreated"]["status"] == "NEW"
    assert node["OrderCreated"]["lineItems"][0]["sku"] == "A-1"
    assert node["OrderShipped"]["deliverTo"]["country"] == "DE"
    assert node["CustomerRegistered"]["email"] == "a@example.com"


@pytest.mark.parametrize("flavor", ["karapace", "apicurio"])
def test_through_other_registries(db, broker, registry_script, run, tmp_path, confluent_decode,
                                  flavor):
    """Written through a Karapace- or Apicurio-like registry (Apicurio's URL
    has the /apis/ccompat/v7 base path), read by Confluent's client."""
    with DevRegistry(registry_script, tmp_path / "reg", flavor=flavor) as reg:
        db.sql(OUTBOX_DDL)
        r = run(outbox_config(db, broker, reg, tmp_path))
        wait_for(lambda: slot_active(db) or r.proc.poll() is not None,
                 what="the connector streaming")
        eid = str(uuid.uuid4())
        insert_events(db, [(eid, "Order", "order-9", "E", {"n": 9})])
        msgs = messages(broker, "outbox.event.Order", 1)
        assert r.stop() == 0
        [(key, value)] = confluent_decode(reg.url, msgs)
    assert key == "order-9" and json.loads(value) == {"n": 9}

