"""`tidewater run` on logical decoding messages (pg_logical_emit_message)
no transform takes: Debezium's "m" change events on <topic.prefix>.message,
keyed by the prefix, decoded with python3-avro against the registry and as
JSON with schemas; message.prefix.include.list still filters, the outbox
transform's message.prefix still takes its prefix, and an orderly restart
loses nothing and repeats nothing."""
import base64
import json
import signal
import uuid

import psycopg2

from conftest import OUTBOX_DDL
from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder, consume, topics
from test_run_envelope import envelope_config

BINARY = bytes(range(256)) + b"\x00\xff"


def emit(cur, transactional, prefix, content):
    cur.execute("SELECT pg_logical_emit_message(%s, %s, %s)",
                (transactional, prefix, psycopg2.Binary(content)
                 if isinstance(content, bytes) else content))


def message_records(broker, expect, decode, idle=2.0, timeout=60):
    wait_for(lambda: "tw.message" in topics(broker.bootstrap_servers), what="tw.message")
    msgs = consume(broker.bootstrap_servers, ["tw.message"], expect=expect, timeout=timeout,
                   idle=idle)
    return [(decode(m.key()), decode(m.value()), m) for m in msgs]


def test_messages_avro(db, broker, registry, run, tmp_path):
    db.sql("CREATE TABLE items (id int PRIMARY KEY, v text);" + OUTBOX_DDL)
    runner = run(envelope_config(
        db, broker, registry, tmp_path, message_prefix_include_list="app\\..*,outbox",
        table_include_list="public\\.items,public\\.outbox",
        transforms="outbox",
        transforms_outbox_type="io.debezium.transforms.outbox.EventRouter",
        transforms_outbox_message_prefix="outbox",
        transforms_outbox_predicate="isOutbox", predicates="isOutbox",
        predicates_isOutbox_type="org.apache.kafka.connect.transforms.predicates."
                                 "TopicNameMatches",
        predicates_isOutbox_pattern="tw\\.public\\.outbox|tw\\.message"))
    wait_for(lambda: slot_active(db), what="the slot")
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("INSERT INTO items VALUES (1, 'a')")
        emit(cur, True, "app.tx", "hello, wörld")
        emit(cur, False, "app.nontx", BINARY)
        emit(cur, True, "app.empty", b"")
        emit(cur, True, "skipped", "not in the include list")
        # The outbox transform's message.prefix takes its prefix first.
        emit(cur, True, "outbox", json.dumps({"id": str(uuid.uuid4()), "aggregatetype": "Order",
                                              "aggregateid": "o-1", "type": "Placed",
                                              "payload": {"n": 1}}))
    conn.commit()
    xid = db.sql("SELECT xmin::text::bigint FROM items WHERE id = 1")[0][0]
    conn.close()
    dec = AvroDecoder(registry)
    recs = message_records(broker, 3, dec.decode)
    assert runner.proc.poll() is None, runner.output()
    by_prefix = {k["prefix"]: v for k, v, _ in recs}
    assert sorted(by_prefix) == ["app.empty", "app.nontx", "app.tx"]
    tx = by_prefix["app.tx"]
    assert tx["op"] == "m" and isinstance(tx["ts_ms"], int)
    assert tx["message"] == {"prefix": "app.tx", "content": "hello, wörld".encode()}
    assert by_prefix["app.nontx"]["message"]["content"] == BINARY
    assert by_prefix["app.empty"]["message"]["content"] == b""
    src = tx["source"]
    assert (src["connector"], src["name"], src["db"], src["schema"], src["table"],
            src["snapshot"], src["txId"]) == ("postgresql", "tw", db.name, "", "", "false", xid)
    assert src["lsn"] > 0
    # Not in a transaction: no txId, the time it was read.
    nsrc = by_prefix["app.nontx"]["source"]
    assert nsrc["txId"] is None and nsrc["lsn"] > 0 and nsrc["ts_ms"] > 0
    # Schemas: Debezium's names and versions.
    m = recs[0][2]
    key = dec.schema(dec.schema_id(m.key())).to_json()
    assert (key["name"], key["namespace"], key["connect.version"]) == (
        "MessageKey", "io.debezium.connector.postgresql", 1)
    value = dec.schema(dec.schema_id(m.value())).to_json()
    assert (value["name"], value["namespace"], value["connect.version"]) == (
        "MessageValue", "io.debezium.connector.postgresql", 1)
    assert [f["name"] for f in value["fields"]] == ["op", "ts_ms", "source", "transaction",
                                                   "message"]
    # The outbox event went where the router sends it, not to tw.message.
    assert len(consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1)) == 1
    assert "tw.public.items" in topics(broker.bootstrap_servers)
    assert runner.stop() == 0


def test_messages_json_with_schemas_hex(db, broker, registry, run, tmp_path):
    db.sql("CREATE TABLE items (id int PRIMARY KEY)")
    runner = run(envelope_config(
        db, broker, registry, tmp_path, avro=False, key_converter_schemas_enable="true",
        value_converter_schemas_enable="true", binary_handling_mode="hex",
        message_prefix_exclude_list="hidden.*"))
    wait_for(lambda: slot_active(db), what="the slot")
    db.sql("SELECT pg_logical_emit_message(false, 'hidden', 'x')")
    db.sql("SELECT pg_logical_emit_message(false, 'p', '\\x00ff10'::bytea)")
    recs = message_records(broker, 1, lambda b: None if b is None else json.loads(b))
    assert len(recs) == 1
    key, value, _ = recs[0]
    assert key == {"schema": {"type": "struct", "fields": [
        {"type": "string", "optional": True, "field": "prefix"}], "optional": False,
        "name": "io.debezium.connector.postgresql.MessageKey", "version": 1},
        "payload": {"prefix": "p"}}
    fields = value["schema"]["fields"]
    assert [f["field"] for f in fields] == ["op", "ts_ms", "source", "transaction", "message"]
    assert fields[4] == {"type": "struct", "fields": [
        {"type": "string", "optional": True, "field": "prefix"},
        {"type": "string", "optional": True, "field": "content"}], "optional": False,
        "name": "io.debezium.connector.postgresql.Message", "version": 1, "field": "message"}
    assert value["payload"]["message"] == {"prefix": "p", "content": "00ff10"}
    assert runner.stop() == 0


def test_orderly_restart_loses_and_repeats_nothing(db, broker, registry, run, tmp_path):
    """A non-transactional message written just before a COMMIT has the
    commit's LSN; across SIGTERM and a restart every message and row
    arrives exactly once."""
    db.sql("CREATE TABLE items (id int PRIMARY KEY)")
    cfg = envelope_config(db, broker, registry, tmp_path, avro=False)
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot")
    sent = []

    def batch(first):
        conn = db.connect()
        conn.autocommit = False
        with conn.cursor() as cur:
            for i in range(first, first + 5):
                cur.execute("INSERT INTO items VALUES (%s)", (i,))
                emit(cur, True, "tx", "t%d" % i)
                # The last one right before the COMMIT.
                emit(cur, False, "nontx", "n%d" % i)
                sent.extend(["t%d" % i, "n%d" % i])
                conn.commit()
        conn.close()

    batch(0)
    consume(broker.bootstrap_servers, ["tw.message"], expect=10, timeout=30)
    assert r1.stop(signal.SIGTERM) == 0
    batch(5)  # while stopped
    r2 = run(cfg)
    batch(10)
    recs = message_records(broker, 30, json.loads, idle=4.0)
    got = sorted(base64.b64decode(v["message"]["content"]).decode()
                 for _, v, _ in recs)
    assert got == sorted(sent), r2.output()[-3000:]
    rows = consume(broker.bootstrap_servers, ["tw.public.items"], expect=15, idle=3.0)
    assert sorted(json.loads(m.key())["id"] for m in rows) == list(range(15))
    assert r2.stop() == 0


def test_transactional_message_counts_in_transaction_metadata(db, broker, registry, run,
                                                              tmp_path):
    """As Debezium 3.6.1's transaction monitor (test_debezium_diff.py,
    plainmsg): a transactional message is an event of its transaction, each
    of a collection of its own (named by the Java identity of an id object),
    with a transaction block as change events have (id "<xid>:<LSN>", its
    place among the transaction's events, 1 in its collection); a
    non-transactional one belongs to none."""
    db.sql("CREATE TABLE items (id int PRIMARY KEY)")
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 provide_transaction_metadata="true"))
    wait_for(lambda: slot_active(db), what="the slot")
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("INSERT INTO items VALUES (1)")
        emit(cur, True, "a", "1")
        emit(cur, True, "a", "2")
        emit(cur, False, "b", "3")
        cur.execute("INSERT INTO items VALUES (2)")
    conn.commit()
    conn.close()
    msgs = message_records(broker, 3, json.loads)
    blocks = {v["message"]["content"]: (v["transaction"], v["source"]) for _, v, _ in msgs}
    for content, total, own in (("MQ==", 2, 1), ("Mg==", 3, 1)):
        block, src = blocks[content]
        assert block == {"id": "%d:%d" % (src["txId"], src["lsn"]), "total_order": total,
                         "data_collection_order": own}
    assert blocks["Mw=="][0] is None
    rows = consume(broker.bootstrap_servers, ["tw.public.items"], expect=2)
    orders = sorted((json.loads(m.value())["transaction"]["total_order"],
                     json.loads(m.value())["transaction"]["data_collection_order"])
                    for m in rows)
    assert orders == [(1, 1), (4, 2)]
    ends = [v for v in (json.loads(m.value()) for m in consume(
        broker.bootstrap_servers, ["tw.transaction"], expect=2)) if v["status"] == "END"]
    assert len(ends) == 1, ends
    assert ends[0]["event_count"] == 4
    colls = sorted(ends[0]["data_collections"], key=lambda c: c["data_collection"])
    ident = ("io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$"
             "LogicalDecodingMessageId@")
    assert [c["event_count"] for c in colls] == [1, 1, 2]
    assert colls[2]["data_collection"] == "public.items"
    names = [c["data_collection"] for c in colls[:2]]
    assert all(n.startswith(ident) and int(n[len(ident):], 16) > 0 for n in names)
    assert names[0] != names[1]
    assert runner.stop() == 0


def test_extract_new_record_state_passes_messages_through(db, broker, registry, run,
                                                          tmp_path):
    """ExtractNewRecordState flattens change events only: a message event
    passes unchanged, as in Debezium."""
    db.sql("CREATE TABLE items (id int PRIMARY KEY)")
    runner = run(envelope_config(
        db, broker, registry, tmp_path, avro=False, transforms="unwrap",
        transforms_unwrap_type="io.debezium.transforms.ExtractNewRecordState"))
    wait_for(lambda: slot_active(db), what="the slot")
    db.sql("INSERT INTO items VALUES (1)")
    db.sql("SELECT pg_logical_emit_message(true, 'p', 'x')")
    key, value, _ = message_records(broker, 1, json.loads)[0]
    assert key == {"prefix": "p"}
    assert value["op"] == "m" and value["message"] == {"prefix": "p", "content": "eA=="}
    row = consume(broker.bootstrap_servers, ["tw.public.items"], expect=1)[0]
    assert json.loads(row.value()) == {"id": 1}
    assert runner.stop() == 0


def test_full_producer_queue_with_header_less_records(db, broker, registry, run, tmp_path):
    """Message events (like most change events) have no headers: when the
    producer's queue is full the record waits (it crashed in librdkafka's
    headers destructor before)."""
    db.sql("CREATE TABLE items (id int PRIMARY KEY)")
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 producer_queue_buffering_max_messages="100"))
    wait_for(lambda: slot_active(db), what="the slot")
    db.sql("SELECT count(pg_logical_emit_message(true, 'bulk', repeat('x', 100))) "
           "FROM generate_series(1, 600)")
    db.sql("INSERT INTO items SELECT generate_series(1, 600)")
    recs = message_records(broker, 600, json.loads, timeout=120)
    assert len(recs) == 600, runner.output()[-3000:]
    wait_for(lambda: "tw.public.items" in topics(broker.bootstrap_servers), what="the topic")
    rows = consume(broker.bootstrap_servers, ["tw.public.items"], expect=600, timeout=120)
    assert len(rows) == 600, runner.output()[-3000:]
    assert runner.stop() == 0


def test_replication_origin_in_source(db, broker, registry, run, tmp_path):
    """A transaction replayed under a replication origin (as a logical
    replication subscriber writes it): source.origin is the origin's name
    and source.origin_lsn the commit's LSN on the origin, in change events
    and transactional messages alike, as Debezium's SourceInfo has them."""
    db.sql("CREATE TABLE items (id int PRIMARY KEY)")
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 provide_transaction_metadata="true"))
    wait_for(lambda: slot_active(db), what="the slot")
    conn = db.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_replication_origin_create('upstream_a')")
        cur.execute("SELECT pg_replication_origin_session_setup('upstream_a')")
        cur.execute("BEGIN")
        cur.execute("SELECT pg_replication_origin_xact_setup('1/ABCDEF0', now())")
        cur.execute("INSERT INTO items VALUES (1)")
        emit(cur, True, "o", "x")
        cur.execute("COMMIT")
        cur.execute("SELECT pg_replication_origin_session_reset()")
        cur.execute("INSERT INTO items VALUES (2)")  # no origin
    conn.close()
    _, msg, _ = message_records(broker, 1, json.loads)[0]
    rows = {json.loads(m.key())["id"]: json.loads(m.value())
            for m in consume(broker.bootstrap_servers, ["tw.public.items"], expect=2)}
    want = ((1 << 32) | 0xABCDEF0, "upstream_a")
    assert (msg["source"]["origin_lsn"], msg["source"]["origin"]) == want
    assert (rows[1]["source"]["origin_lsn"], rows[1]["source"]["origin"]) == want
    assert (rows[2]["source"]["origin_lsn"], rows[2]["source"]["origin"]) == (None, None)
    assert msg["transaction"]["total_order"] == 2
    assert runner.stop() == 0
