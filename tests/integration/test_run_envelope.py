"""`tidewater run` on captured tables no transform routes: Debezium's
change-event envelopes (before/after/source/op), keyed by the primary key,
with tombstones, truncates, replica identities and unchanged TOASTed
values, decoded with python3-avro against the registry (and as JSON)."""
import decimal
import io
import json

import avro.io
import avro.schema
import psycopg2
import pytest

from conftest import OUTBOX_DDL
from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder, consume, topics

DDL = """
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty bigint, big text, tags text[]);
CREATE TABLE full_ident (a int, b text);
ALTER TABLE full_ident REPLICA IDENTITY FULL;
CREATE TABLE by_index (id int PRIMARY KEY, code text NOT NULL, note text);
CREATE UNIQUE INDEX by_index_code ON by_index (code);
ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code;
CREATE TABLE no_ident (id int PRIMARY KEY, v text);
ALTER TABLE no_ident REPLICA IDENTITY NOTHING;
"""


def envelope_config(db, broker, registry, tmp_path, avro=True, **overrides):
    base = dict(
        bootstrap_servers=broker.bootstrap_servers,
        offset_storage_file_filename=str(tmp_path / "offsets.json"),
        table_include_list="public\\..*",
        publication_autocreate_mode="filtered",
        producer_linger_ms="5",
    )
    if avro:
        base.update(key_converter="io.confluent.connect.avro.AvroConverter",
                    value_converter="io.confluent.connect.avro.AvroConverter",
                    key_converter_schema_registry_url=registry.url,
                    value_converter_schema_registry_url=registry.url)
    else:
        base.update(key_converter="org.apache.kafka.connect.json.JsonConverter",
                    value_converter="org.apache.kafka.connect.json.JsonConverter",
                    key_converter_schemas_enable="false",
                    value_converter_schemas_enable="false")
    base.update(overrides)
    return db.config(**base)


def run_sql(db, statements):
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        for batch in statements:
            for s in batch:
                cur.execute(s)
            conn.commit()
    conn.close()


def records(broker, names, expect, decode):
    wait_for(lambda: all(t in topics(broker.bootstrap_servers) for t in names),
             what="topics %s" % names)
    msgs = consume(broker.bootstrap_servers, names, expect=expect, timeout=60)
    out = []
    for m in sorted(msgs, key=lambda m: (m.topic(), m.partition(), m.offset())):
        out.append((m.topic(), decode(m.key()), decode(m.value()),
                    [(k, v) for k, v in (m.headers() or [])]))
    return out


def rows(recs, topic):
    return [r for r in recs if r[0] == topic]


def test_insert_update_delete_avro(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="the slot")
    big = "x" * 10000 + "".join(str(i) for i in range(3000))  # TOASTed out of line
    run_sql(db, [
        ["INSERT INTO items VALUES (1, 'one', 10, NULL, '{a,b}')",
         "INSERT INTO items VALUES (2, 'two', NULL, '%s', NULL)" % big],
        ["UPDATE items SET qty = 11 WHERE id = 1"],
        ["UPDATE items SET qty = 5 WHERE id = 2"],    # big unchanged: not sent
        ["UPDATE items SET id = 3 WHERE id = 1"],     # a key change
        ["DELETE FROM items WHERE id = 2"],
        ["TRUNCATE items"],                           # skipped.operations=t (default)
        ["INSERT INTO items VALUES (9, 'end', NULL, NULL, NULL)"],
    ])
    dec = AvroDecoder(registry)
    recs = rows(records(broker, ["tw.public.items"], 10, dec.decode), "tw.public.items")
    assert runner.proc.poll() is None, runner.output()
    got = [(r[1], None if r[2] is None else r[2]["op"]) for r in recs]
    by_key = {}
    for k, op in got:
        by_key.setdefault(k["id"], []).append(op)
    assert by_key == {1: ["c", "u", "d", None], 2: ["c", "u", "d", None], 3: ["c"], 9: ["c"]}
    one = [r for r in recs if r[1] == {"id": 1}]
    assert one[0][2]["before"] is None
    assert one[0][2]["after"] == {"id": 1, "name": "one", "qty": 10, "big": None,
                                  "tags": ["a", "b"]}
    src = one[0][2]["source"]
    assert (src["connector"], src["name"], src["db"], src["schema"], src["table"],
            src["snapshot"]) == ("postgresql", "tw", db.name, "public", "items", "false")
    assert src["lsn"] > 0 and src["txId"] > 0 and src["ts_us"] == src["ts_ms"] * 1000 + \
        src["ts_us"] % 1000
    # REPLICA IDENTITY DEFAULT: an update has no before-image.
    assert one[1][2]["before"] is None and one[1][2]["after"]["qty"] == 11
    # The key change: delete of the old key (NOT NULL name falls back to
    # ""), its tombstone, a create of the new key; headers say where.
    assert one[2][2]["before"] == {"id": 1, "name": "", "qty": None, "big": None, "tags": None}
    assert one[2][3] == [("__debezium.newkey", b'{"id":3}')]
    assert one[3][3] == [("__debezium.newkey", b'{"id":3}')]
    three = [r for r in recs if r[1] == {"id": 3}][0]
    assert three[3] == [("__debezium.oldkey", b'{"id":1}')]
    assert three[2]["after"]["qty"] == 11
    # The unchanged TOASTed value: Debezium's placeholder.
    two = [r for r in recs if r[1] == {"id": 2}]
    assert two[0][2]["after"]["big"] == big
    assert two[1][2]["after"]["big"] == "__debezium_unavailable_value"
    assert two[2][2]["before"]["id"] == 2 and two[2][2]["after"] is None
    # Schemas: <prefix>.<schema>.<table>.Key / Envelope.
    first = consume(broker.bootstrap_servers, ["tw.public.items"], expect=1)[0]
    key_schema = dec.schema(dec.schema_id(first.key())).to_json()
    assert key_schema["name"] == "Key" and key_schema["namespace"] == "tw.public.items"
    env = dec.schema(dec.schema_id(first.value())).to_json()
    assert (env["name"], env["namespace"], env["connect.version"], env["connect.name"]) == (
        "Envelope", "tw.public.items", 2, "tw.public.items.Envelope")
    assert [f["name"] for f in env["fields"]] == ["before", "after", "source", "transaction",
                                                 "op", "ts_ms", "ts_us", "ts_ns"]
    source = env["fields"][2]["type"]
    assert (source["name"], source["namespace"], source["connect.version"]) == (
        "Source", "io.debezium.connector.postgresql", 1)
    assert runner.stop() == 0


def test_replica_identities_tombstones_truncate_json(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 tombstones_on_delete="false", skipped_operations="none"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [
        ["INSERT INTO full_ident VALUES (1, 'a'), (2, NULL)",
         "INSERT INTO by_index VALUES (1, 'c1', 'n1')",
         "INSERT INTO no_ident VALUES (1, 'v1')"],
        ["UPDATE full_ident SET b = 'b' WHERE a = 1",
         "UPDATE by_index SET note = 'n2' WHERE id = 1"],
        ["DELETE FROM full_ident WHERE a = 2", "DELETE FROM by_index WHERE id = 1"],
        ["TRUNCATE full_ident"],
    ])
    # REPLICA IDENTITY NOTHING: PostgreSQL itself refuses updates and
    # deletes of a table a publication publishes them for.
    with pytest.raises(psycopg2.Error, match="does not have a replica identity"):
        run_sql(db, [["UPDATE no_ident SET v = 'v2' WHERE id = 1"]])
    names = ["tw.public.full_ident", "tw.public.by_index", "tw.public.no_ident"]

    def decode(b):
        return None if b is None else json.loads(b)
    recs = records(broker, names, 9, decode)
    assert runner.proc.poll() is None, runner.output()
    # No key: the producer picks partitions at random, so order by position.
    full = sorted(rows(recs, "tw.public.full_ident"), key=lambda r: r[2]["source"]["lsn"])
    assert [(r[1], r[2]["op"]) for r in full] == [(None, "c"), (None, "c"), (None, "u"),
                                                 (None, "d"), (None, "t")]
    # FULL: the whole old row; no key, and no tombstone (tombstones.on.delete=false).
    assert full[2][2]["before"] == {"a": 1, "b": "a"}
    assert full[3][2]["before"] == {"a": 2, "b": None}
    assert full[4][2]["before"] is None and full[4][2]["after"] is None
    assert full[4][2]["source"]["table"] == "full_ident"
    idx = rows(recs, "tw.public.by_index")
    # INDEX: an update of other columns sends no old row; a delete the
    # index's columns only, so the primary key (the record key) is not in
    # it and reads as its zero value — what Debezium 3.6.1 writes too
    # (test_debezium_diff.py, plain_idx).
    assert [(r[1], r[2]["op"]) for r in idx] == [({"id": 1}, "c"), ({"id": 1}, "u"),
                                                ({"id": 0}, "d")]
    assert idx[1][2]["before"] is None
    assert idx[2][2]["before"] == {"id": 0, "code": "c1", "note": None}
    nothing = rows(recs, "tw.public.no_ident")
    assert [(r[1], r[2]["op"], r[2]["before"]) for r in nothing] == [({"id": 1}, "c", None)]
    assert runner.stop() == 0


def test_outbox_and_plain_tables_side_by_side(db, broker, registry, run, tmp_path):
    """A predicate sends the outbox table to the EventRouter; every other
    captured table gets change events."""
    db.sql(OUTBOX_DDL)
    db.sql(DDL)
    runner = run(envelope_config(
        db, broker, registry, tmp_path, avro=False,
        transforms="outbox", transforms_outbox_type="io.debezium.transforms.outbox.EventRouter",
        transforms_outbox_predicate="isOutbox", predicates="isOutbox",
        predicates_isOutbox_type="org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
        predicates_isOutbox_pattern="tw\\.public\\.outbox"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [[
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES "
        "('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'Order', 'o1', 'Created', '{\"x\": 1}')",
        "INSERT INTO items VALUES (1, 'one', 1, NULL, NULL)"]])

    def decode(b):
        return None if b is None else json.loads(b)
    recs = records(broker, ["outbox.event.Order", "tw.public.items"], 2, decode)
    assert [r[0] for r in recs] == ["outbox.event.Order", "tw.public.items"]
    assert recs[1][2]["op"] == "c" and recs[1][2]["after"]["name"] == "one"
    assert runner.stop() == 0


def test_unchanged_toast_placeholders_by_type(db, broker, registry, run, tmp_path):
    """Unchanged TOASTed values the server does not send get Debezium
    3.6's stand-in for their type (test_debezium_diff.py compares them with
    Debezium's own: plain_toast), through Avro and the registry."""
    db.sql("CREATE TABLE toasty (id int PRIMARY KEY, v int, n numeric, jb jsonb, ia int[], "
           "ba bigint[], ua uuid[], bya bytea[], fa float8[])")
    runner = run(envelope_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [
        ["INSERT INTO toasty SELECT 1, 0, "
         "translate(string_agg(md5(g::text), ''), 'abcdef', '123456')::numeric, "
         "jsonb_build_object('k', string_agg(md5(g::text), '')), array_agg(hashtext(g::text)), "
         "array_agg(hashtext(g::text)::bigint << 20), array_agg(md5(g::text)::uuid), "
         "array_agg(decode(md5(g::text), 'hex')), array_agg(hashtext(g::text) / 7.0::float8) "
         "FROM generate_series(1, 2000) g"],
        ["UPDATE toasty SET v = 1"]])
    dec = AvroDecoder(registry)
    recs = records(broker, ["tw.public.toasty"], 2, dec.decode)
    after = recs[1][2]["after"]
    ph = b"__debezium_unavailable_value"
    assert after["v"] == 1 and after["jb"] == ph.decode()
    assert after["ia"] == list(ph) and after["ba"] == list(ph)
    assert after["ua"] == ["b68a35a7-17ad-35b3-af2a-ae46edb4545a"]  # UUID.nameUUIDFromBytes
    assert after["bya"] == [ph]
    assert after["n"] is None and after["fa"] is None
    assert recs[0][2]["after"]["ia"][:2] != list(ph)[:2]
    assert runner.stop() == 0


def test_message_key_columns_and_toast_under_full(db, broker, registry, run, tmp_path):
    """message.key.columns keys a table without a primary key; under
    REPLICA IDENTITY FULL an unchanged TOASTed value comes from the old row."""
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path,
                                 message_key_columns="public\\.full_ident:a"))
    wait_for(lambda: slot_active(db), what="the slot")
    big = "".join(str(i) for i in range(5000))
    run_sql(db, [["INSERT INTO full_ident VALUES (1, '%s')" % big],
                 ["ALTER TABLE full_ident ADD COLUMN c int"],
                 ["UPDATE full_ident SET c = 2 WHERE a = 1"]])
    dec = AvroDecoder(registry)
    recs = records(broker, ["tw.public.full_ident"], 2, dec.decode)
    assert [(r[1], r[2]["op"]) for r in recs] == [({"a": 1}, "c"), ({"a": 1}, "u")]
    assert recs[1][2]["before"] == {"a": 1, "b": big, "c": None}
    assert recs[1][2]["after"] == {"a": 1, "b": big, "c": 2}
    assert runner.stop() == 0


def test_message_key_columns_naming_a_missing_column_stops(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 message_key_columns="public\\.items:nope"))
    wait_for(lambda: slot_active(db), what="the slot")
    db.sql("INSERT INTO items VALUES (1, 'one', 1, NULL, NULL)")
    assert runner.proc.wait(timeout=30) != 0
    assert 'message.key.columns names column "nope" for public.items' in runner.output()


def test_skipped_operations(db, broker, registry, run, tmp_path):
    """skipped.operations=u,d writes creates only (and no tombstones)."""
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 skipped_operations="u,d"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO items VALUES (1, 'one', 1, NULL, NULL)"],
                 ["UPDATE items SET qty = 2 WHERE id = 1"],
                 ["DELETE FROM items WHERE id = 1"],
                 ["INSERT INTO items VALUES (2, 'two', 1, NULL, NULL)"]])

    def decode(b):
        return None if b is None else json.loads(b)
    recs = records(broker, ["tw.public.items"], 2, decode)
    assert sorted((r[1]["id"], r[2]["op"]) for r in recs) == [(1, "c"), (2, "c")]
    assert runner.stop() == 0


def change_positions(db, slot, pub):
    """(xid, LSN) of each Insert, Update, Delete and Truncate in PostgreSQL's
    own pgoutput stream, in order."""
    out = []
    for lsn, xid, data in db.pg.sql(
            "SELECT lsn::text, xid::text::bigint, data FROM "
            "pg_logical_slot_peek_binary_changes(%s, NULL, NULL, 'proto_version', '1', "
            "'publication_names', %s)", (slot, pub), dbname=db.name):
        if bytes(data)[:1] in (b"I", b"U", b"D", b"T"):
            hi, lo = lsn.split("/")
            out.append("%d:%d" % (xid, (int(hi, 16) << 32) + int(lo, 16)))
    return out


def test_transaction_block(db, broker, registry, run, tmp_path):
    """provide.transaction.metadata=true: {id, total_order,
    data_collection_order} in each change event (not in tombstones). The
    id is "<xid>:<LSN of the change>", as Debezium 3.6.1 forms it
    (test_debezium_diff.py, plaincols), checked against PostgreSQL's own
    pgoutput; the two events of a key change count as two."""
    db.sql(DDL)
    db.sql("CREATE PUBLICATION txblock_pub FOR ALL TABLES")
    db.pg.sql("SELECT pg_create_logical_replication_slot('txblock_peek', 'pgoutput')",
              dbname=db.name)
    runner = run(envelope_config(db, broker, registry, tmp_path,
                                 provide_transaction_metadata="true", skipped_operations="none"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [
        ["INSERT INTO items VALUES (1, 'one', 1, NULL, NULL)",
         "INSERT INTO full_ident VALUES (1, 'a')",
         "INSERT INTO items VALUES (2, 'two', 2, NULL, NULL)"],
        ["UPDATE items SET id = 3 WHERE id = 1",      # d, tombstone, c
         "DELETE FROM items WHERE id = 2",            # d, tombstone
         "TRUNCATE full_ident"],
    ])
    changes = change_positions(db, "txblock_peek", "txblock_pub")
    db.pg.sql("SELECT pg_drop_replication_slot('txblock_peek')", dbname=db.name)
    assert len(changes) == 6
    dec = AvroDecoder(registry)
    names = ["tw.public.items", "tw.public.full_ident"]
    recs = records(broker, names, 10, dec.decode)
    assert runner.proc.poll() is None, runner.output()
    events = sorted((r for r in recs if r[2] is not None),
                    key=lambda r: (r[2]["source"]["lsn"], r[2]["transaction"]["total_order"]))
    got = [(r[0].rsplit(".", 1)[1], r[2]["op"], r[2]["transaction"]) for r in events]

    def block(i, total, table):
        return {"id": changes[i], "total_order": total, "data_collection_order": table}
    assert got == [
        ("items", "c", block(0, 1, 1)), ("full_ident", "c", block(1, 2, 1)),
        ("items", "c", block(2, 3, 2)),
        ("items", "d", block(3, 1, 1)), ("items", "c", block(3, 2, 2)),
        ("items", "d", block(4, 3, 3)), ("full_ident", "t", block(5, 4, 1))]
    assert all(r[2]["transaction"]["id"] == "%d:%d" % (r[2]["source"]["txId"],
                                                       r[2]["source"]["lsn"]) for r in events)
    assert len([r for r in recs if r[2] is None]) == 2  # tombstones carry no block
    # END counts the same events as the blocks (Debezium counts them in one
    # place): the key change's two, the truncate (skipped.operations=none).
    # In transaction order: the topic's records are keyed by transaction,
    # so the two END records can sit on different partitions.
    ends = sorted((v for _, _, v, _ in records(broker, ["tw.transaction"], 4, dec.decode)
                   if v["status"] == "END"), key=lambda v: int(str(v["id"]).split(":")[0]))
    assert [(e["event_count"], sorted((c["data_collection"], c["event_count"])
                                      for c in e["data_collections"])) for e in ends] == [
        (3, [("public.full_ident", 1), ("public.items", 2)]),
        (4, [("public.full_ident", 1), ("public.items", 3)])]
    assert runner.stop() == 0


def test_transaction_block_null_by_default(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO items VALUES (1, 'one', 1, NULL, NULL)"]])
    recs = records(broker, ["tw.public.items"], 1, json.loads)
    assert recs[0][2]["transaction"] is None
    assert runner.stop() == 0


def test_column_rules_avro(db, broker, registry, run, tmp_path):
    """column.include.list keeps columns (the key keeps its own); masks,
    hashes, truncation and source-type parameters reach the Avro schema
    and values (hash values from Debezium 3.6.1, test_debezium_diff.py);
    truncation cuts a ZonedTimestamp once formatted, and a character beyond
    U+FFFF cut in half is '?' (Java's UTF-8 of its lone high surrogate)."""
    db.sql("CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, email varchar(40), "
           "code text, note text, u uuid, price numeric(10,2), secret text, ts timestamptz)")
    runner = run(envelope_config(
        db, broker, registry, tmp_path,
        column_include_list="public\\.people\\.(name|email|code|note|u|price|ts)",
        column_mask_with_6_chars="public\\.people\\.email",
        **{"column.mask.hash.SHA-256.with.salt.CzQMA0cB5K": "public\\.people\\.code",
           "column.truncate.to.3.chars": "PUBLIC\\.PEOPLE\\.(NOTE|U|TS)",
           "column.propagate.source.type": "public\\.people\\.price"}))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO people VALUES (1, 'Ann', 'ann@example.com', 'c1', 'long note', "
                  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 12.50, 'pw', "
                  "'2024-02-29 12:34:56+01')",
                  "INSERT INTO people VALUES (2, 'Bob', NULL, NULL, 'ab\U0001F600', NULL, NULL, "
                  "NULL, NULL)"]])
    dec = AvroDecoder(registry)
    recs = records(broker, ["tw.public.people"], 2, dec.decode)
    assert runner.proc.poll() is None, runner.output()
    after = {r[1]["id"]: r[2]["after"] for r in recs}
    assert after[1] == {"name": "Ann", "email": "******",
                        "code": "867f3d854a174d0373647d5c5ce15117f5b66cda99cfefd2680e1c56c9bdfb06",
                        "note": "lon", "u": "a0e", "price": after[1]["price"], "ts": "202"}
    assert after[2]["email"] == "******" and after[2]["code"] is None  # a mask covers nulls
    assert after[2]["note"] == "ab?"
    first = consume(broker.bootstrap_servers, ["tw.public.people"], expect=1)[0]
    assert dec.decode(first.key()) in ({"id": 1}, {"id": 2})
    env = dec.schema(dec.schema_id(first.value())).to_json()
    value = [t for t in env["fields"][0]["type"] if t != "null"][0]
    fields = {f["name"]: f["type"] for f in value["fields"]}
    assert list(fields) == ["name", "email", "code", "note", "u", "price", "ts"]

    def params(t):
        t = [x for x in t if x != "null"][0] if isinstance(t, list) else t
        return t.get("connect.parameters") if isinstance(t, dict) else None
    assert params(fields["email"]) == {"masked": "true"}
    assert params(fields["code"]) == {"masked": "true"}
    assert params(fields["note"]) == {"truncateLength": "3"}
    assert params(fields["price"])["__debezium.source.column.type"] == "NUMERIC"
    assert params(fields["price"])["__debezium.source.column.length"] == "10"
    assert params(fields["price"])["__debezium.source.column.scale"] == "2"
    assert runner.stop() == 0


def test_column_rules_refused(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 column_include_list="public\\.items\\.id",
                                 column_exclude_list="public\\.items\\.name"))
    assert runner.proc.wait(timeout=30) != 0
    assert "column.include.list and column.exclude.list are both set" in runner.output()


def test_full_producer_queue_without_headers(db, broker, registry, run, tmp_path):
    """A record without headers (most change events) meeting a full
    producer queue is retried, not a crash (librdkafka's
    rd_kafka_headers_destroy does not take NULL)."""
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 producer_queue_buffering_max_messages="1",
                                 producer_linger_ms="50"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO items SELECT g, 'n' || g, g, NULL, NULL "
                  "FROM generate_series(1, 50) g"]])
    recs = records(broker, ["tw.public.items"], 50, json.loads)
    assert len(recs) == 50
    assert runner.proc.poll() is None, runner.output()
    assert runner.stop() == 0


DEFAULTS_DDL = """
CREATE TABLE defs (
    id int PRIMARY KEY,
    n numeric(8,3) DEFAULT 1.5, d date DEFAULT '2024-02-29', ts timestamp DEFAULT now(),
    tz timestamptz DEFAULT '2024-02-29 12:00:00+01', iv interval DEFAULT '1 day',
    u uuid DEFAULT gen_random_uuid(), s text DEFAULT 'x''y', b boolean DEFAULT true,
    f real DEFAULT 2.5, i2 smallint NOT NULL DEFAULT 3, bit1 bit(1) DEFAULT B'1',
    raw bytea DEFAULT '\\x00ff', plain text
);
"""
# Each column's Connect default, as AvroData writes it into the schema
# (bytes: one ISO-8859-1 character per byte; 1.500 at scale 3 is 1500,
# 0x05DC) and as a decoder reading with the schema gives it.
DEFAULTS = {"n": "\u0005\u00dc", "d": 19782, "ts": 0, "tz": "2024-02-29T11:00:00.000000Z",
            "iv": 86400000000, "u": "00000000-0000-0000-0000-000000000000", "s": "x'y",
            "b": True, "f": 2.5, "i2": 3, "bit1": True}


def test_avro_schema_defaults(db, broker, registry, run, tmp_path):
    """D15: Connect defaults in the registered Avro schemas, as Confluent's
    AvroData writes them: the field's "default", "connect.default" in the
    type, and an optional field's union with the type first. A reader
    whose writer lacked the fields sees the defaults; a NULL written to a
    column with a default is written as the default (Struct.get)."""
    db.sql(DEFAULTS_DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO defs (id) VALUES (1)"],
                 ["INSERT INTO defs (id, n, d, ts, tz, iv, u, s, b, f, bit1, raw, plain) "
                  "VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                  "NULL, NULL)"]])
    dec = AvroDecoder(registry)
    wait_for(lambda: "tw.public.defs" in topics(broker.bootstrap_servers), what="the topic")
    msgs = consume(broker.bootstrap_servers, ["tw.public.defs"], expect=2, timeout=60)
    assert len(msgs) == 2, runner.output()
    env = json.loads(registry.request("GET", "/schemas/ids/%d" %
                                      dec.schema_id(msgs[0].value()))[1]["schema"])
    fields = {f["name"]: f for f in env["fields"]}
    # source.snapshot: Debezium's Enum with the default "false".
    source = {f["name"]: f for f in fields["source"]["type"]["fields"]}
    snap = source["snapshot"]
    assert snap["default"] == "false" and snap["type"][1] == "null"
    assert snap["type"][0]["connect.default"] == "false"
    assert list(snap["type"][0]) == ["type", "connect.version", "connect.parameters",
                                     "connect.default", "connect.name"]
    # The row's Value record: `before` is ["null", Value] (`after` names it).
    value = fields["before"]["type"][1]
    assert value["name"] == "Value"
    cols = {f["name"]: f for f in value["fields"]}
    for name, want in DEFAULTS.items():
        f = cols[name]
        typ = f["type"] if name == "i2" else f["type"][0]
        assert f["default"] == want, name
        assert isinstance(typ, dict) and typ["connect.default"] == want, (name, f)
        if name != "i2":
            assert f["type"][1] == "null", name
    assert cols["n"]["type"][0]["logicalType"] == "decimal"
    # No default: bytea (Debezium reads none) and a column without one.
    for name in ("raw", "plain"):
        assert cols[name]["type"][0] == "null" and cols[name]["default"] is None, name
        assert "connect.default" not in json.dumps(cols[name]), name
    # Schema resolution: a writer without the columns, the registered
    # schema as reader (python3-avro reads a bytes default as UTF-8, not
    # ISO-8859-1 as the Avro spec says: undone here).
    # (The record's namespace is the envelope's, left out when inherited.)
    value = dict(value, namespace=value.get("namespace", env["namespace"]))
    reader = avro.schema.parse(json.dumps(value))
    writer = avro.schema.parse(json.dumps({"type": "record", "name": "Value",
                                           "namespace": value["namespace"],
                                           "fields": [{"name": "id", "type": "int"}]}))
    buf = io.BytesIO()
    avro.io.DatumWriter(writer).write({"id": 5}, avro.io.BinaryEncoder(buf))
    got = avro.io.DatumReader(writer, reader).read(
        avro.io.BinaryDecoder(io.BytesIO(buf.getvalue())))
    n = got.pop("n")
    n = n.decode("utf-8").encode("iso-8859-1") if isinstance(n, bytes) else n
    assert n in (b"\x05\xdc", decimal.Decimal("1.500"))
    want = dict(DEFAULTS, id=5, raw=None, plain=None)
    del want["n"]
    assert got == want
    # The records: row 1 holds PostgreSQL's defaults (now() and
    # gen_random_uuid() real values), row 2's NULLs are written as the
    # schema defaults.
    rows_ = {dec.decode(m.key())["id"]: dec.decode(m.value())["after"] for m in msgs}
    assert rows_[1]["n"] == rows_[2]["n"] == decimal.Decimal("1.500")
    assert rows_[1]["d"] == rows_[2]["d"] == 19782
    assert rows_[1]["ts"] > 0 and rows_[2]["ts"] == 0
    assert rows_[1]["u"] != DEFAULTS["u"] and rows_[2]["u"] == DEFAULTS["u"]
    for name in ("tz", "iv", "s", "b", "f", "i2", "bit1"):
        assert rows_[1][name] == rows_[2][name] == DEFAULTS[name], name
    assert rows_[1]["raw"] == b"\x00\xff" and rows_[2]["raw"] is None
    assert runner.stop() == 0
