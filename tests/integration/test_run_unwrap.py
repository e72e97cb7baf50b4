"""`tidewater run` with io.debezium.transforms.ExtractNewRecordState on real
PostgreSQL changes: change events flattened to their row state (rewrite
mode with __deleted, add.fields, add.headers), and chained after the outbox
transform with a negated predicate so outbox events pass and captured
tables are flattened."""
import json

from conftest import OUTBOX_DDL
from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder, consume, topics

DDL = "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty bigint);"


def json_config(db, broker, tmp_path, schemas, **overrides):
    return db.config(
        bootstrap_servers=broker.bootstrap_servers,
        offset_storage_file_filename=str(tmp_path / "offsets.json"),
        table_include_list="public\\..*",
        publication_autocreate_mode="filtered",
        producer_linger_ms="5",
        key_converter="org.apache.kafka.connect.json.JsonConverter",
        value_converter="org.apache.kafka.connect.json.JsonConverter",
        key_converter_schemas_enable="false",
        value_converter_schemas_enable="true" if schemas else "false",
        **overrides)


def run_sql(db, statements):
    conn = db.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        for s in statements:
            cur.execute(s)
    conn.close()


def records(broker, names, expect):
    wait_for(lambda: all(t in topics(broker.bootstrap_servers) for t in names),
             what="topics %s" % names)
    msgs = consume(broker.bootstrap_servers, names, expect=expect, timeout=60, idle=2.0)
    out = []
    for m in sorted(msgs, key=lambda m: (m.topic(), m.partition(), m.offset())):
        out.append((m.topic(), json.loads(m.key()) if m.key() else None,
                    json.loads(m.value()) if m.value() else None,
                    [(k, v) for k, v in (m.headers() or [])]))
    return out


def test_change_events_flattened(db, broker, run, tmp_path):
    db.sql(DDL)
    runner = run(json_config(
        db, broker, tmp_path, schemas=True, transforms="unwrap",
        transforms_unwrap_type="io.debezium.transforms.ExtractNewRecordState",
        transforms_unwrap_delete_tombstone_handling_mode="rewrite",
        transforms_unwrap_add_fields="op,table,lsn:pos",
        transforms_unwrap_add_headers="op"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, ["INSERT INTO items VALUES (1, 'one', 10)",
                 "UPDATE items SET qty = 11 WHERE id = 1",
                 "DELETE FROM items WHERE id = 1",
                 "INSERT INTO items VALUES (9, 'end', NULL)"])
    recs = records(broker, ["tw.public.items"], 4)
    assert runner.proc.poll() is None, runner.output()
    assert [r[1] for r in recs] == [{"id": 1}, {"id": 1}, {"id": 1}, {"id": 9}]
    values = [r[2]["payload"] for r in recs]
    for v in values:
        assert v["__table"] == "items" and v["__pos"] > 0
        del v["__pos"]
    assert values == [
        {"id": 1, "name": "one", "qty": 10, "__deleted": "false", "__op": "c", "__table": "items"},
        {"id": 1, "name": "one", "qty": 11, "__deleted": "false", "__op": "u", "__table": "items"},
        # REPLICA IDENTITY DEFAULT: the old row is the key (NOT NULL name falls
        # back to ""), flagged deleted; its tombstone is dropped.
        {"id": 1, "name": "", "qty": None, "__deleted": "true", "__op": "d", "__table": "items"},
        {"id": 9, "name": "end", "qty": None, "__deleted": "false", "__op": "c",
         "__table": "items"},
    ]
    schema = recs[0][2]["schema"]
    assert (schema["name"], schema["optional"]) == ("tw.public.items.Value", False)
    assert [f["field"] for f in schema["fields"]] == \
        ["id", "name", "qty", "__deleted", "__op", "__table", "__pos"]
    assert [r[3] for r in recs] == [[("__op", b"c")], [("__op", b"u")], [("__op", b"d")],
                                    [("__op", b"c")]]
    assert runner.stop() == 0


def test_after_the_outbox_transform(db, broker, run, tmp_path):
    db.sql(DDL)
    db.sql(OUTBOX_DDL)
    runner = run(json_config(
        db, broker, tmp_path, schemas=False, transforms="outbox,unwrap",
        transforms_outbox_type="io.debezium.transforms.outbox.EventRouter",
        transforms_outbox_predicate="isOutbox",
        transforms_unwrap_type="io.debezium.transforms.ExtractNewRecordState",
        transforms_unwrap_predicate="isOutbox",
        transforms_unwrap_negate="true",
        predicates="isOutbox",
        predicates_isOutbox_type="org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        predicates_isOutbox_pattern="tw\\\\.public\\\\.outbox"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, ["INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
                 "VALUES ('Order', '7', 'Placed', '{\"n\": 1}')",
                 "INSERT INTO items VALUES (1, 'one', 10)",
                 "DELETE FROM items WHERE id = 1"])
    recs = records(broker, ["outbox.event.Order", "tw.public.items"], 3)
    assert runner.proc.poll() is None, runner.output()
    # The outbox event is no change event: it passes unchanged.
    order = [r for r in recs if r[0] == "outbox.event.Order"]
    assert len(order) == 1 and order[0][1] == "7"
    assert json.loads(order[0][2]) == {"n": 1}
    # The captured table: the row, then the delete as a null value (its
    # Debezium tombstone dropped, delete.tombstone.handling.mode=tombstone).
    items = [r for r in recs if r[0] == "tw.public.items"]
    assert [(r[1], r[2]) for r in items] == [({"id": 1}, {"id": 1, "name": "one", "qty": 10}),
                                           ({"id": 1}, None)]
    assert runner.stop() == 0


def test_avro(db, broker, registry, run, tmp_path):
    """Flattened rows through the AvroConverter: the value schema registered
    is the table's Value record (required, so no union), a delete in
    tombstone mode is a Kafka tombstone and the envelope's own is dropped."""
    db.sql(DDL)
    runner = run(db.config(
        bootstrap_servers=broker.bootstrap_servers,
        offset_storage_file_filename=str(tmp_path / "offsets.json"),
        table_include_list="public\\..*",
        publication_autocreate_mode="filtered",
        producer_linger_ms="5",
        key_converter="io.confluent.connect.avro.AvroConverter",
        value_converter="io.confluent.connect.avro.AvroConverter",
        key_converter_schema_registry_url=registry.url,
        value_converter_schema_registry_url=registry.url,
        transforms="unwrap",
        transforms_unwrap_type="io.debezium.transforms.ExtractNewRecordState"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, ["INSERT INTO items VALUES (1, 'one', 10)",
                 "DELETE FROM items WHERE id = 1",
                 "INSERT INTO items VALUES (2, 'two', NULL)"])
    dec = AvroDecoder(registry)
    wait_for(lambda: "tw.public.items" in topics(broker.bootstrap_servers), what="the topic")
    msgs = consume(broker.bootstrap_servers, ["tw.public.items"], expect=3, timeout=60,
                   idle=2.0)
    assert runner.proc.poll() is None, runner.output()
    msgs.sort(key=lambda m: m.offset())
    got = [(dec.decode(m.key()), None if m.value() is None else dec.decode(m.value()))
           for m in msgs]
    assert got == [({"id": 1}, {"id": 1, "name": "one", "qty": 10}),
                   ({"id": 1}, None),
                   ({"id": 2}, {"id": 2, "name": "two", "qty": None})]
    schema = dec.schema(dec.schema_id(msgs[0].value())).to_json()
    assert (schema["type"], schema["name"], schema["namespace"]) == \
        ("record", "Value", "tw.public.items")
    assert runner.stop() == 0
