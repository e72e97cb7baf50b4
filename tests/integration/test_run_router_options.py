"""Each Outbox Event Router option changes the output as Debezium documents
(io.debezium.transforms.outbox.EventRouter)."""
import json
import time
import uuid

import pytest

from conftest import OUTBOX_DDL, outbox_config
from kafkacheck import AvroDecoder, consume, headers, topics
from test_run_outbox import slot_active, wait_for


def start(db, broker, registry, run, tmp_path, ddl=OUTBOX_DDL, **overrides):
    db.sql(ddl)
    runner = run(outbox_config(db, broker, registry, tmp_path, **overrides))
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None, what="slot active")
    return runner


def records(broker, topic, n, timeout=30):
    wait_for(lambda: topic in topics(broker.bootstrap_servers), timeout=timeout,
             what="topic %s" % topic)
    return consume(broker.bootstrap_servers, [topic], expect=n, timeout=timeout)


def ins(db, aggtype="Order", aggid="o-1", evtype="OrderCreated", payload=None, extra=""):
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload%s) "
           "VALUES (%%s, %%s, %%s, %%s, %%s%s)" % (extra and ", " + extra.split("=")[0] or "",
                                                   extra and ", " + extra.split("=")[1] or ""),
           (eid, aggtype, aggid, evtype, json.dumps(payload) if payload is not None else None))
    return eid


def test_defaults_key_header_topic_value_timestamp(db, broker, registry, run, tmp_path):
    start(db, broker, registry, run, tmp_path)
    eid = ins(db, payload={"total": 12.5})
    committed = db.sql("SELECT extract(epoch from now())")[0][0]
    m = records(broker, "outbox.event.Order", 1)[0]
    dec = AvroDecoder(registry)
    assert headers(m) == {"id": eid}
    assert dec.decode(m.key()) == "o-1"
    assert json.loads(dec.decode(m.value())) == {"total": 12.5}
    # Default record timestamp: the commit time (within a few seconds).
    assert abs(m.timestamp()[1] / 1000.0 - float(committed)) < 5


def test_insert_then_delete_and_update_behaviour(db, broker, registry, run, tmp_path):
    runner = start(db, broker, registry, run, tmp_path)
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES "
                    "('Order', 'o-1', 'A', '{\"n\": 1}') RETURNING id")
        eid = cur.fetchone()[0]
        cur.execute("DELETE FROM outbox WHERE id = %s", (eid,))
    conn.commit()
    # An UPDATE of an outbox row: warned about and dropped (warn is the default).
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES "
           "('Order', 'o-2', 'B', '{\"n\": 2}')")
    db.sql("UPDATE outbox SET payload = '{\"n\": 3}'")
    ms = records(broker, "outbox.event.Order", 2)
    dec = AvroDecoder(registry)
    assert [json.loads(dec.decode(m.value()))["n"] for m in ms] == [1, 2]
    wait_for(lambda: "UPDATE of outbox table public.outbox" in runner.output(),
             what="the UPDATE warning")
    assert " warning ROUTER: UPDATE of outbox table" in runner.output()


def test_update_with_fatal_behaviour_stops_without_advancing(db, broker, registry, run,
                                                             tmp_path):
    runner = start(db, broker, registry, run, tmp_path,
                   transforms_outbox_table_op_invalid_behavior="fatal")
    ins(db)
    before = db.slot_flush_lsn()
    db.sql("UPDATE outbox SET payload = '{}'")
    assert runner.proc.wait(timeout=30) == 1
    assert "table.op.invalid.behavior=fatal" in runner.output()
    # The UPDATE's transaction was not confirmed: a restart sees it again.
    rows = db.pg.sql("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                     "WHERE slot_name = %s", (db.slot,))
    assert rows[0][0] <= db.insert_lsn()
    assert records(broker, "outbox.event.Order", 1)
    del before


def test_additional_placement_header_envelope_partition(db, broker, registry, run, tmp_path):
    ddl = OUTBOX_DDL.replace("payload jsonb", "payload jsonb, region text, shard int NOT NULL")
    broker.create_topic("outbox.event.Order", 8)
    start(db, broker, registry, run, tmp_path, ddl=ddl,
          transforms_outbox_table_fields_additional_placement=(
              "type:header:eventType,region:envelope:area,type:envelope,shard:partition"))
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o-9', 'OrderShipped', '{\"a\": 1}', "
           "'emea', 5)", (eid,))
    m = records(broker, "outbox.event.Order", 1)[0]
    dec = AvroDecoder(registry)
    assert headers(m) == {"id": eid, "eventType": "OrderShipped"}
    assert m.partition() == 5
    value = dec.decode(m.value())
    assert value == {"payload": '{"a": 1}', "area": "emea", "type": "OrderShipped"}
    schema = dec.schema(dec.schema_id(m.value()))
    assert schema.fullname == "tw.public.outbox.Order.Value"


def test_route_regex_and_replacement(db, broker, registry, run, tmp_path):
    start(db, broker, registry, run, tmp_path,
          transforms_outbox_route_by_field="type",
          transforms_outbox_route_topic_regex="(?<kind>[A-Za-z]+)(Created|Deleted)",
          transforms_outbox_route_topic_replacement="events.${kind}")
    ins(db, evtype="CustomerCreated", aggid="c-1")
    ins(db, evtype="Unmatched_Type", aggid="c-2")
    assert len(records(broker, "events.Customer", 1)) == 1
    # No match: RegexRouter leaves the routed value as the topic.
    assert len(records(broker, "Unmatched_Type", 1)) == 1


def test_tombstone_on_empty_payload(db, broker, registry, run, tmp_path):
    start(db, broker, registry, run, tmp_path,
          transforms_outbox_route_tombstone_on_empty_payload="true")
    ins(db, aggid="o-5", payload=None)
    ins(db, aggid="o-6", payload={"x": 1})
    ms = records(broker, "outbox.event.Order", 2)
    dec = AvroDecoder(registry)
    assert ms[0].value() is None and dec.decode(ms[0].key()) == "o-5"
    assert json.loads(dec.decode(ms[1].value())) == {"x": 1}


def test_expand_json_payload(db, broker, registry, run, tmp_path):
    start(db, broker, registry, run, tmp_path,
          transforms_outbox_table_expand_json_payload="true")
    ins(db, payload={"id": 7, "items": [{"sku": "a", "qty": 2}], "note": None, "ok": True})
    m = records(broker, "outbox.event.Order", 1)[0]
    dec = AvroDecoder(registry)
    # Nulls are left out (table.json.payload.null.behavior=ignore).
    assert dec.decode(m.value()) == {"id": 7, "items": [{"sku": "a", "qty": 2}], "ok": True}


def test_event_timestamp_column(db, broker, registry, run, tmp_path):
    ddl = OUTBOX_DDL.replace("payload jsonb", "payload jsonb, created_at timestamptz")
    start(db, broker, registry, run, tmp_path, ddl=ddl,
          transforms_outbox_table_field_event_timestamp="created_at")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload, created_at) VALUES "
           "('Order', 'o', 't', '{}', '2020-01-02 03:04:05.678+00')")
    m = records(broker, "outbox.event.Order", 1)[0]
    assert m.timestamp()[1] == 1577934245678


# Apache Kafka 4 refuses a record timestamp an hour or more in the future
# (log.message.timestamp.after.max.ms): the 294276 AD event is a record
# error there, which test_run_errors covers.
@pytest.mark.devbroker_only
def test_event_timestamp_column_of_a_domain_type(db, broker, registry, run, tmp_path):
    """A domain over timestamptz is a timestamptz (preflight and run agree), and a
    time past 294247 AD, beyond microseconds since 1970, still has its
    millisecond Kafka timestamp."""
    ddl = ("CREATE DOMAIN event_time AS timestamptz NOT NULL;"
           + OUTBOX_DDL.replace("payload jsonb", "payload jsonb, created_at event_time"))
    start(db, broker, registry, run, tmp_path, ddl=ddl,
          transforms_outbox_table_field_event_timestamp="created_at")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload, created_at) VALUES "
           "('Order', 'o', 't', '{}', '2020-01-02 03:04:05.678+00'), "
           "('Order', 'o', 't', '{}', '294276-12-31 23:59:59.999999+00')")
    ms = [m.timestamp()[1] for m in records(broker, "outbox.event.Order", 2)]
    assert sorted(ms) == [1577934245678, 9224318015999999]


def test_table_less_outbox_from_logical_messages(db, broker, registry, run, tmp_path):
    start(db, broker, registry, run, tmp_path, transforms_outbox_message_prefix="outbox",
          table_include_list="public.outbox")
    eid = str(uuid.uuid4())
    db.sql("SELECT pg_logical_emit_message(true, 'outbox', %s)",
           (json.dumps({"id": eid, "aggregatetype": "Order", "aggregateid": "o-77",
                        "type": "OrderPlaced", "payload": {"total": 3}}),))
    m = records(broker, "outbox.event.Order", 1)[0]
    dec = AvroDecoder(registry)
    assert headers(m) == {"id": eid}
    assert dec.decode(m.key()) == "o-77"
    assert json.loads(dec.decode(m.value())) == {"total": 3}


def test_predicate_limits_the_transform(db, broker, registry, run, tmp_path):
    runner = start(db, broker, registry, run, tmp_path,
                   table_include_list="public.outbox,public.other",
                   transforms_outbox_predicate="isOutbox", predicates="isOutbox",
                   predicates_isOutbox_type=(
                       "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"),
                   predicates_isOutbox_pattern="tw\\.public\\.outbox",
                   publication_autocreate_mode="all_tables")
    db.sql("CREATE TABLE other (id int PRIMARY KEY)")
    ins(db)
    assert len(records(broker, "outbox.event.Order", 1)) == 1
    # A captured table no transform takes gets Debezium's change events.
    db.sql("INSERT INTO other VALUES (1)")
    m = records(broker, "tw.public.other", 1)[0]
    dec = AvroDecoder(registry)
    assert dec.decode(m.key()) == {"id": 1}
    event = dec.decode(m.value())
    assert (event["op"], event["before"], event["after"]) == ("c", None, {"id": 1})
    assert runner.proc.poll() is None


def test_json_and_string_converters(db, broker, registry, run, tmp_path):
    start(db, broker, registry, run, tmp_path,
          key_converter="org.apache.kafka.connect.storage.StringConverter",
          value_converter="org.apache.kafka.connect.json.JsonConverter",
          value_converter_schemas_enable="true")
    ins(db, aggid="k-1", payload={"a": 1})
    m = records(broker, "outbox.event.Order", 1)[0]
    assert m.key() == b"k-1"
    doc = json.loads(m.value())
    assert doc["schema"] == {"type": "string", "optional": True, "name": "io.debezium.data.Json",
                             "version": 1}
    assert json.loads(doc["payload"]) == {"a": 1}
