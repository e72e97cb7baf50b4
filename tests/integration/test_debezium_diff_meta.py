"""Differential test of the side topics: Debezium 3.6.1.Final and tidewater
read the same outbox transactions (each with its own slot) with
provide.transaction.metadata=true, heartbeat.interval.ms and the Outbox
Event Router, JsonConverter with schemas, and must write the same
transaction-topic records and heartbeat records.

Both slots decode the same WAL, so the transaction ids ("<xid>:<lsn>") and
ts_ms (the commit time) are the same on both sides and compared as they
are, key and value byte for byte; only a heartbeat's ts_ms (the time of the
beat) and the Kafka record timestamps (producer time on both sides) differ.
How the two sides run: debezium_side.py.
"""
import json
import time

import pytest

from debezium_side import Sides, connector_props
from kafkacheck import consume
from test_debezium_diff import DDL  # the same outbox table

PREFIX = "meta"
TXN_TOPIC = PREFIX + ".transaction"
HB_TOPIC = "__debezium-heartbeat." + PREFIX
END_TOPIC = "outbox.event.Zend"


def props(pg, side):
    p = connector_props(side, "meta", pg, "diff", PREFIX)
    p.update({"table.include.list": "public\\.outbox.*",
              "transforms": "outbox",
              "transforms.outbox.type": "io.debezium.transforms.outbox.EventRouter",
              "transforms.outbox.table.fields.additional.placement": "type:header:eventType",
              "provide.transaction.metadata": "true",
              "heartbeat.interval.ms": "1000"})
    return p


def corpus(conn):
    """Transactions of one, three and two rows, an insert with its delete
    (the router drops the delete, the counts keep it), an invalid UPDATE,
    rows in many tables, then the end marker."""
    cur = conn.cursor()

    def ins(i, agg="Order"):
        cur.execute("INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
                    "VALUES (%s, %s, %s, 'E', %s)",
                    ("00000000-0000-0000-0000-%012d" % i, agg, "a-%d" % (i % 3),
                     json.dumps({"i": i})))
    ins(1)
    conn.commit()
    for i in (2, 3, 4):
        ins(i, "Customer")
    conn.commit()
    ins(5)
    ins(6, "Customer")
    conn.commit()
    ins(7)
    cur.execute("DELETE FROM outbox WHERE id = '00000000-0000-0000-0000-000000000007'")
    conn.commit()
    cur.execute("UPDATE outbox SET type = 'F' WHERE id = '00000000-0000-0000-0000-000000000001'")
    conn.commit()
    # Fifteen tables in one transaction (Debezium's HashMap of counts grows
    # to 32 buckets and stays so), then three in an order its 16 and 32
    # bucket layouts list differently.
    for t in range(14, 0, -1):
        cur.execute("INSERT INTO outbox_t%d (id, aggregatetype, aggregateid, type, payload) "
                    "VALUES (gen_random_uuid(), 'Many', 'm', 'E', '{}')" % t)
    ins(9, "Many")
    conn.commit()
    for t in (1, 14, 2, 14):
        cur.execute("INSERT INTO outbox_t%d (id, aggregatetype, aggregateid, type, payload) "
                    "VALUES (gen_random_uuid(), 'Many', 'm', 'E', '{}')" % t)
    conn.commit()
    ins(8, "Zend")
    conn.commit()


def view(msg):
    return {"topic": msg.topic(), "partition": msg.partition(),
            "key": None if msg.key() is None else json.loads(msg.key()),
            "value": None if msg.value() is None else json.loads(msg.value()),
            "raw": (msg.key(), msg.value()), "offset": msg.offset(),
            "headers": msg.headers() or []}


@pytest.fixture(scope="module")
def sides(tmp_path_factory, tidewater_bin, devbroker_bin):
    sides = Sides(tmp_path_factory.mktemp("dbzmeta"), tidewater_bin, devbroker_bin)
    try:
        sides.pg.create_database("diff")
        sides.pg.sql(DDL, dbname="diff")
        for t in range(1, 15):
            sides.pg.sql("CREATE TABLE outbox_t%d (LIKE outbox INCLUDING ALL)" % t,
                         dbname="diff")
        sides.start({"meta": (props(sides.pg, "dbz"), props(sides.pg, "tw"))})
        conn = sides.pg.connect("diff")
        conn.autocommit = False
        corpus(conn)
        conn.close()
        sides.wait_topics([END_TOPIC])
        time.sleep(3)  # a few more heartbeats, the last END
        out = {}
        for side, b in (("dbz", sides.kafka.bootstrap_servers),
                        ("tw", sides.broker.bootstrap_servers)):
            msgs = consume(b, [TXN_TOPIC, HB_TOPIC], expect=1, timeout=20, idle=3.0)
            out[side] = sorted((view(m) for m in msgs),
                               key=lambda r: (r["topic"], r["partition"], r["offset"]))
        out["dbz_log"] = sides.dbz.log_text()
        out["tw_log"] = sides.tw["meta"].output()
        yield out
    finally:
        sides.stop()


def test_transaction_topic_same_records(sides):
    dbz = [r for r in sides["dbz"] if r["topic"] == TXN_TOPIC]
    tw = [r for r in sides["tw"] if r["topic"] == TXN_TOPIC]
    assert dbz, "Debezium wrote no transaction records:\n" + sides["dbz_log"][-3000:]
    # Eight source transactions: BEGIN and END each.
    assert len(dbz) == 16, [r["value"]["payload"] for r in dbz]
    many = [r["value"]["payload"] for r in dbz if r["value"]["payload"]["event_count"] == 15]
    assert len(many[0]["data_collections"]) == 15
    for a, b in zip(dbz, tw):
        assert (b["partition"], b["key"], b["value"], b["headers"]) == \
            (a["partition"], a["key"], a["value"], a["headers"])
        assert b["raw"] == a["raw"]
    assert len(tw) == len(dbz)


def test_heartbeat_same_shape(sides):
    dbz = [r for r in sides["dbz"] if r["topic"] == HB_TOPIC]
    tw = [r for r in sides["tw"] if r["topic"] == HB_TOPIC]
    assert dbz, "Debezium wrote no heartbeats:\n" + sides["dbz_log"][-3000:]
    assert tw, "tidewater wrote no heartbeats:\n" + sides["tw_log"][-3000:]
    a, b = dbz[-1], tw[-1]
    assert (b["partition"], b["key"], b["headers"]) == (a["partition"], a["key"], a["headers"])
    assert b["raw"][0] == a["raw"][0]
    assert b["value"]["schema"] == a["value"]["schema"]
    assert set(b["value"]["payload"]) == set(a["value"]["payload"]) == {"ts_ms"}
    # ts_ms is the time of the beat: both recent.
    for r in (a, b):
        assert abs(r["value"]["payload"]["ts_ms"] / 1000.0 - time.time()) < 300
