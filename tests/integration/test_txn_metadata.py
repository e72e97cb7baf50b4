"""Transaction metadata (provide.transaction.metadata) and heartbeat records
(heartbeat.interval.ms) on PostgreSQL and the dev broker.

PostgreSQL is the oracle for the ids: a second pgoutput slot on the same
publication, read with pg_logical_slot_peek_binary_changes, shows the xid
and the LSN each Begin and Commit message is sent from — the numbers
Debezium's "<xid>:<lsn>" ids are made of."""
import json
import signal
import time
import uuid

import pytest

from conftest import OUTBOX_DDL, outbox_config
from helpers import insert_events, lsn_int, order_events, slot_active, wait_for
from kafkacheck import (AvroDecoder, checkpoints, committed_offsets, consume, headers,
                        java_partition, topics)
from test_exactly_once import OFFSETS, checkpoint_key, eos_config

TXN_TOPIC = "tw.transaction"
HB_TOPIC = "__debezium-heartbeat.tw"
JSON_CONVERTERS = dict(
    key_converter="org.apache.kafka.connect.json.JsonConverter",
    value_converter="org.apache.kafka.connect.json.JsonConverter",
    key_converter_schemas_enable="true",
    value_converter_schemas_enable="true",
)


class Oracle:
    """A pgoutput slot beside tidewater's: what PostgreSQL itself sends."""

    def __init__(self, db):
        self.db = db
        self.slot = "oracle_" + db.name
        db.sql("CREATE PUBLICATION oracle_pub FOR TABLE outbox")
        db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (self.slot,))

    def transactions(self):
        """[(xid, begin_lsn, commit_lsn)] as decimal numbers, in commit order."""
        rows = self.db.sql(
            "SELECT (lsn - '0/0'::pg_lsn)::bigint, xid::text::bigint, get_byte(data, 0) "
            "FROM pg_logical_slot_peek_binary_changes(%s, NULL, NULL, 'proto_version', '1', "
            "'publication_names', 'oracle_pub')", (self.slot,))
        out, cur = [], None
        for lsn, xid, kind in rows:
            if kind == ord("B"):
                cur = [xid, lsn]
            elif kind == ord("C"):
                out.append((cur[0], cur[1], lsn))
        return out

    def drop(self):
        self.db.sql("SELECT pg_drop_replication_slot(%s)", (self.slot,))


def payload(msg):
    return json.loads(msg.value())["payload"]


def test_begin_end_records_as_postgresql_numbers_them(db, broker, registry, run, tmp_path):
    """BEGIN and END per source transaction, ids from PostgreSQL's own
    xid and message LSNs, every captured change counted (the router drops
    DELETEs, Debezium counts them), nothing for a rolled-back transaction,
    keyed partitioning as Java's producer would do it."""
    db.sql(OUTBOX_DDL)
    oracle = Oracle(db)
    try:
        cfg = outbox_config(db, broker, registry, tmp_path, provide_transaction_metadata="true",
                            **JSON_CONVERTERS)
        r = run(cfg)
        wait_for(lambda: slot_active(db), what="the slot in use")
        insert_events(db, order_events(3, "a"), delete_after=True)  # 3 c + 3 d
        insert_events(db, order_events(2, "rb"), rollback=True)
        insert_events(db, order_events(1, "b"))
        db.sql("UPDATE outbox SET type = 'Again'")  # an invalid op: warned, still counted
        # Past logical_decoding_work_mem (64kB here): the server streams it
        # to tidewater, which gets no Begin for it; the oracle's does.
        db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'Order', 'k-' || (g % 7), 'E', "
               "jsonb_build_object('pad', repeat('p', 200)) FROM generate_series(1, 2000) g")
        wait_for(lambda: TXN_TOPIC in topics(broker.bootstrap_servers), what="the txn topic")
        msgs = consume(broker.bootstrap_servers, [TXN_TOPIC], expect=8, timeout=60)
        txns = oracle.transactions()
        streamed = db.pg.sql("SELECT stream_txns FROM pg_stat_replication_slots "
                             "WHERE slot_name = %s", (db.slot,))
        assert r.stop() == 0
    finally:
        oracle.drop()
    assert streamed and streamed[0][0] >= 1, "the big transaction was not streamed"
    assert len(txns) == 4
    assert len(msgs) == 8
    parts = topics(broker.bootstrap_servers)[TXN_TOPIC]
    by_id = {}
    for m in msgs:
        key = json.loads(m.key())
        assert key["schema"]["name"] == "io.debezium.connector.common.TransactionMetadataKey"
        v = json.loads(m.value())
        assert v["schema"]["name"] == "io.debezium.connector.common.TransactionMetadataValue"
        assert key["payload"]["id"] == v["payload"]["id"]
        assert m.partition() == java_partition(m.key(), parts)
        assert v["payload"]["id"] not in by_id
        by_id[v["payload"]["id"]] = v["payload"]
    counts = [6, 1, 1, 2000]
    for (xid, begin_lsn, commit_lsn), n in zip(txns, counts):
        begin = by_id["%d:%d" % (xid, begin_lsn)]
        end = by_id["%d:%d" % (xid, commit_lsn)]
        assert begin["status"] == "BEGIN"
        assert begin["event_count"] is None and begin["data_collections"] is None
        assert end["status"] == "END"
        assert end["event_count"] == n
        assert end["data_collections"] == [{"data_collection": "public.outbox",
                                            "event_count": n}]
        assert begin["ts_ms"] == end["ts_ms"]
        assert abs(end["ts_ms"] / 1000.0 - time.time()) < 120


def test_exactly_once_begin_end_share_the_kafka_transaction_across_kill(
        db, broker, registry, run, tmp_path):
    """Exactly-once mode, Avro: each source transaction's BEGIN, records and
    END are in one Kafka transaction (one checkpoint's offsets); after kill
    -9 the transactions PostgreSQL sends again are skipped whole, so the
    committed view has each BEGIN and END once."""
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path, provide_transaction_metadata="true")
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    batches = [order_events(3, "a"), order_events(1, "b"), order_events(4, "c")]
    for b in batches:
        insert_events(db, b)

    def covered(n):
        recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
        return len([o for o in committed_offsets(recs) if o[0] == TXN_TOPIC]) >= n
    wait_for(lambda: covered(6), what="three transactions' metadata committed")
    # PostgreSQL has not been told (status updates are rare): it resends.
    newest = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))[-1][1]
    assert lsn_int(db.slot_flush_lsn()) < lsn_int(newest["end_lsn"])
    r.stop(signal.SIGKILL)
    batches.append(order_events(2, "d"))
    insert_events(db, batches[-1])
    r2 = run(cfg)
    wait_for(lambda: covered(8), what="the fourth transaction committed")
    time.sleep(1)
    assert r2.stop() == 0

    recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
    visible = committed_offsets(recs)
    msgs = consume(broker.bootstrap_servers, [TXN_TOPIC, "outbox.event.Order"], timeout=10,
                   idle=1.0)
    dec = AvroDecoder(registry)
    seen = {"BEGIN": [], "END": []}
    # Which Kafka transaction (checkpoint) holds which offset.
    unit_of = {}
    values = [v for _, v in recs if v is not None and not v.get("reset")]
    for i, v in enumerate(values):
        for rg in v["records"]:
            for off in range(rg["first"], rg["last"] + 1):
                unit_of.setdefault((rg["topic"], rg["partition"], off), i)
    per_unit = {}
    for m in msgs:
        where = (m.topic(), m.partition(), m.offset())
        if where not in visible:
            continue
        u = per_unit.setdefault(unit_of[where], {"BEGIN": 0, "END": 0, "events": 0,
                                                 "records": 0})
        if m.topic() == TXN_TOPIC:
            v = dec.decode(m.value())
            assert dec.decode(m.key()) == {"id": v["id"]}
            seen[v["status"]].append(v["id"])
            u[v["status"]] += 1
            if v["status"] == "END":
                u["events"] += v["event_count"]
        else:
            u["records"] += 1
    assert len(seen["BEGIN"]) == len(set(seen["BEGIN"])) == 4, seen
    assert len(seen["END"]) == len(set(seen["END"])) == 4, seen
    for u in per_unit.values():
        assert u["BEGIN"] == u["END"] >= 1
        assert u["events"] == u["records"]
    assert sum(u["records"] for u in per_unit.values()) == sum(len(b) for b in batches)


@pytest.mark.devbroker_only
def test_heartbeats_never_move_the_slot_past_a_held_event(db, broker, registry, run, tmp_path):
    """An event stuck on a leaderless partition: heartbeat records keep
    arriving (partition 0, Debezium's key and value), yet the slot stays
    before the event; kill -9 and a restart deliver it."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, heartbeat_interval_ms="200",
                        **JSON_CONVERTERS)
    broker.create_topic("outbox.event.Held", 1)
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    wait_for(lambda: HB_TOPIC in topics(broker.bootstrap_servers), what="the heartbeat topic")
    broker.set_leader("outbox.event.Held", 0, "none")
    held = str(uuid.uuid4())
    insert_events(db, [(held, "Held", "h-1", "E", {"seq": 1})])
    after = db.insert_lsn()
    t0 = time.time() * 1000
    time.sleep(3)  # many beats, status updates and offset flushes
    beats = consume(broker.bootstrap_servers, [HB_TOPIC], timeout=5, idle=0.5)
    late = [m for m in beats if payload(m)["ts_ms"] > t0]
    assert len(late) >= 5, "heartbeats stopped while an event was held"
    for m in beats:
        assert m.partition() == 0
        k, v = json.loads(m.key()), json.loads(m.value())
        assert k == {"schema": {"type": "struct", "fields": [
            {"type": "string", "optional": False, "field": "serverName"}], "optional": False,
            "name": "io.debezium.connector.common.ServerNameKey", "version": 1},
            "payload": {"serverName": "tw"}}
        assert v["schema"]["name"] == "io.debezium.connector.common.Heartbeat"
    assert lsn_int(db.slot_flush_lsn()) < lsn_int(after), \
        "the slot moved past an event Kafka does not hold"
    r1.stop(signal.SIGKILL)
    broker.set_leader("outbox.event.Held", 0, 1)
    r2 = run(cfg)
    msgs = consume(broker.bootstrap_servers, ["outbox.event.Held"], expect=1, timeout=30)
    assert [headers(m)["id"] for m in msgs] == [held], r2.output()[-3000:]
    # Delivered, quiet: now the slot may pass it.
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) >= lsn_int(after), timeout=30,
             what="the slot to pass the delivered event")
    assert r2.stop() == 0


def test_exactly_once_heartbeats_in_kafka_transactions(db, broker, registry, run, tmp_path):
    """A transactional producer writes nothing outside a Kafka transaction:
    heartbeats get one of their own when the stream is idle (committed
    without a checkpoint) and share one otherwise; the data stays exactly
    once across kill -9. On real Kafka (TW_BROKER=kafka) the consumer reads
    committed records only, so the beats it sees were committed."""
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path, heartbeat_interval_ms="200")
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    wait_for(lambda: HB_TOPIC in topics(broker.bootstrap_servers), what="the heartbeat topic")
    time.sleep(1.5)
    first = [order_events(2, "a"), order_events(3, "b")]
    for b in first:
        insert_events(db, b)

    def data_covered(n):
        recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
        return len([o for o in committed_offsets(recs) if o[0] == "outbox.event.Order"]) >= n
    wait_for(lambda: data_covered(5), what="the events committed")
    r.stop(signal.SIGKILL)
    insert_events(db, order_events(1, "c"))
    r2 = run(cfg)
    wait_for(lambda: data_covered(6), what="the last event committed")
    time.sleep(1.5)
    assert r2.stop() == 0
    for log in (r.output(), r2.output()):
        assert "heartbeat record" not in log, log[-3000:]
        assert "Kafka transaction aborted" not in log, log[-3000:]
    beats = consume(broker.bootstrap_servers, [HB_TOPIC], timeout=5, idle=0.5)
    assert len(beats) >= 10
    dec = AvroDecoder(registry)
    assert dec.decode(beats[-1].key()) == {"serverName": "tw"}
    assert set(dec.decode(beats[-1].value())) == {"ts_ms"}
    # Heartbeat-only Kafka transactions write no checkpoint: every
    # checkpoint names a source transaction, the newest the last one.
    recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
    values = [v for _, v in recs if v is not None and not v.get("reset")]
    assert all(any(rg["topic"] == "outbox.event.Order" for rg in v["records"])
               for v in values), values
    visible = committed_offsets(recs)
    msgs = consume(broker.bootstrap_servers, ["outbox.event.Order"], timeout=5, idle=0.5)
    ids = [headers(m)["id"] for m in msgs
           if (m.topic(), m.partition(), m.offset()) in visible]
    assert len(ids) == len(set(ids)) == 6


def test_at_least_once_kill_resends_no_metadata_twice(db, broker, registry, run, tmp_path):
    """kill -9 after the offsets file covers two transactions but before
    PostgreSQL heard of them: the server sends them again, and they are
    skipped whole — records, BEGIN and END."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, provide_transaction_metadata="true",
                        status_update_interval_ms="3600000", offset_flush_interval_ms="100",
                        **JSON_CONVERTERS)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    insert_events(db, order_events(2, "a"))
    insert_events(db, order_events(1, "b"))
    wait_for(lambda: TXN_TOPIC in topics(broker.bootstrap_servers), what="the txn topic")
    assert len(consume(broker.bootstrap_servers, [TXN_TOPIC], expect=4, timeout=30)) == 4
    after = db.insert_lsn()
    offsets = tmp_path / "offsets.json"
    wait_for(offsets.exists, what="the offsets file")
    time.sleep(1)  # acknowledged: rewritten within offset.flush.interval.ms
    assert lsn_int(db.slot_flush_lsn()) < lsn_int(after)  # the server will resend
    r.stop(signal.SIGKILL)
    insert_events(db, order_events(1, "c"))
    r2 = run(cfg)
    msgs = consume(broker.bootstrap_servers, [TXN_TOPIC], expect=6, timeout=30)
    assert r2.stop() == 0
    ids = [payload(m)["id"] for m in msgs]
    assert len(ids) == len(set(ids)) == 6, ids
    statuses = sorted(payload(m)["status"] for m in msgs)
    assert statuses == ["BEGIN"] * 3 + ["END"] * 3
