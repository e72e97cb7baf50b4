"""`tidewater run` end to end: outbox rows in, keyed Avro records out,
checked with python3-confluent-kafka + python3-avro against the registry."""
import json
import random
import uuid

import pytest

from conftest import OUTBOX_DDL, outbox_config
from helpers import insert_events, slot_active, wait_for
from kafkacheck import AvroDecoder, consume, headers, java_partition, topics

AGGREGATES = ["Order", "Customer", "Invoice", "Shipment", "Payment"]


def make_events(n, seq):
    out = []
    for _ in range(n):
        agg = random.choice(AGGREGATES)
        aggid = "%s-%d" % (agg.lower(), random.randint(1, 20))
        seq[aggid] = seq.get(aggid, 0) + 1
        out.append((str(uuid.uuid4()), agg, aggid, agg + "Changed",
                    {"seq": seq[aggid], "aggregate": aggid, "note": "x" * random.randint(0, 50)}))
    return out


def test_thousand_events_arrive_exactly_routed_keyed_partitioned(db, broker, registry, run,
                                                                 tmp_path):
    random.seed(7)
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path,
                        transforms_outbox_table_fields_additional_placement="type:header:eventType")
    runner = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot to become active")

    seq, committed, rolled_back = {}, [], []
    sizes = [1, 1, 5, 50, 1, 200, 3, 100, 7, 1, 300, 2, 80, 250 - 1]  # 1000 rows + extras
    total = 0
    for i, size in enumerate(sizes):
        events = make_events(size, seq)
        if i % 4 == 3:
            # A rolled-back transaction: none of it may arrive.
            bad = [(str(uuid.uuid4()), e[1], e[2], e[3], {"rolledback": True}) for e in events]
            insert_events(db, bad, rollback=True)
        insert_events(db, events, delete_after=(i % 2 == 0))
        committed += events
        total += size
    assert total == 1000

    topic_names = ["outbox.event." + a for a in AGGREGATES]
    wait_for(lambda: all(t in topics(broker.bootstrap_servers) for t in topic_names),
             what="all five topics")
    msgs = consume(broker.bootstrap_servers, topic_names, expect=1000, timeout=60)
    dec = AvroDecoder(registry)
    by_id = {e[0]: e for e in committed}
    got = {}
    partitions = topics(broker.bootstrap_servers)
    last_seq = {}
    for m in msgs:
        h = headers(m)
        event = by_id.get(h["id"])
        assert event is not None, "unexpected record %r" % h
        assert h["id"] not in got, "duplicate %s" % h["id"]
        got[h["id"]] = m
        assert m.topic() == "outbox.event." + event[1]
        assert dec.decode(m.key()) == event[2]
        assert json.loads(dec.decode(m.value())) == event[4]
        assert h["eventType"] == event[3]
        # Java-compatible partitioning of the key's serialized bytes.
        assert m.partition() == java_partition(m.key(), partitions[m.topic()])
        # Per-key order within the partition.
        assert event[4]["seq"] > last_seq.get(event[2], 0)
        last_seq[event[2]] = event[4]["seq"]
    assert set(got) == set(by_id)

    # Schemas as Debezium's AvroConverter registers them.
    key_schema = dec.schema(dec.schema_id(msgs[0].key()))
    assert key_schema.to_json() == "string"
    value_schema = dec.schema(dec.schema_id(msgs[0].value())).to_json()
    assert value_schema == ["null", {"type": "string", "connect.version": 1,
                                     "connect.name": "io.debezium.data.Json"}]
    # Registered once per subject, not per record.
    stats = registry.stats()["by_route"]
    assert stats["POST /subjects/{s}/versions"] == 10
    assert runner.stop() == 0
    out = runner.output()
    assert "stopping" in out
