"""source.sequence and a non-transactional message's source.ts_ms across
restarts, in both progress modes.

source.sequence is [end LSN of the last transaction read (or a
non-transactional message's LSN), this change's LSN]; a message outside a
transaction takes the last transaction's commit time. Debezium resumes both
from its stored offsets, so a restart does not show in its events; tidewater
resumes them from its checkpoint (the offsets file or the offsets topic).
PostgreSQL's own pgoutput stream, read from a second slot, says what the
LSNs and commit times are."""
import json
import struct

import psycopg2
import pytest

from helpers import slot_active, wait_for
from kafkacheck import consume, topics
from test_run_envelope import envelope_config

PG_EPOCH_US = 946684800 * 1000000


def pg_stream(db, slot, pub):
    """PostgreSQL's pgoutput units, in order: ("T", end LSN, commit time in
    microseconds since 1970) per transaction and ("M", LSN) per
    non-transactional message."""
    out = []
    for (data,) in db.pg.sql(
            "SELECT data FROM pg_logical_slot_peek_binary_changes(%s, NULL, NULL, "
            "'proto_version', '1', 'publication_names', %s, 'messages', 'true')",
            (slot, pub), dbname=db.name):
        data = bytes(data)
        if data[:1] == b"C":
            _, end, ts = struct.unpack(">QQq", data[2:26])
            out.append(("T", end, ts + PG_EPOCH_US))
        elif data[:1] == b"M" and data[1] == 0:
            out.append(("M", struct.unpack(">Q", data[2:10])[0]))
    return out


def session(db, run, cfg, steps):
    """One tidewater run: each step is one transaction (an INSERT into
    items) or one non-transactional message, then an orderly stop."""
    runner = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot")
    conn = db.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        for kind, n in steps:
            if kind == "T":
                cur.execute("INSERT INTO items VALUES (%s, 'x')", (n,))
            else:
                cur.execute("SELECT pg_logical_emit_message(false, 'seq', %s)", (str(n),))
    conn.close()
    return runner


def events(broker, expect, names=("tw.public.items",)):
    wait_for(lambda: all(t in topics(broker.bootstrap_servers) for t in names),
             what="topics %s" % (names,))
    names = [t for t in ("tw.public.items", "tw.message")
             if t in topics(broker.bootstrap_servers)]
    msgs = consume(broker.bootstrap_servers, names, expect=expect, timeout=60, idle=1.0)
    vals = [json.loads(m.value()) for m in msgs if m.value() is not None]
    # A message's LSN is the end of its WAL record: the next record (the
    # following transaction's change) may start there.
    return sorted(vals, key=lambda v: (v["source"]["lsn"], v["op"] != "m"))


@pytest.mark.parametrize("mode", ["file", "exactly_once"])
def test_sequence_continues_across_restarts(db, broker, registry, run, tmp_path, mode):
    db.sql("CREATE TABLE items (id int PRIMARY KEY, v text)")
    db.sql("CREATE PUBLICATION seq_pub FOR TABLE items")
    db.pg.sql("SELECT pg_create_logical_replication_slot('seq_peek', 'pgoutput')",
              dbname=db.name)
    extra = {}
    if mode == "exactly_once":
        extra = dict(exactly_once_support="required", offset_storage_topic="tw-offsets")
    cfg = envelope_config(db, broker, registry, tmp_path, avro=False,
                          table_include_list="public\\.items",
                          message_prefix_include_list="seq", **extra)
    # Restarts after a transaction and after a message, each followed by
    # a transaction and by a message.
    sessions = [[("T", 1), ("T", 2)],
                [("M", 1), ("T", 3), ("M", 2)],
                [("T", 4), ("M", 3)],
                [("M", 4), ("T", 5)],
                [("T", 6)]]
    total = 0
    for steps in sessions:
        runner = session(db, run, cfg, steps)
        total += len(steps)
        events(broker, total)  # all delivered before the stop
        assert runner.stop() == 0, runner.output()
    units = pg_stream(db, "seq_peek", "seq_pub")
    db.pg.sql("SELECT pg_drop_replication_slot('seq_peek')", dbname=db.name)
    assert [u[0] for u in units] == ["T", "T", "M", "T", "M", "T", "M", "M", "T", "T"]
    got = events(broker, total, ("tw.public.items", "tw.message"))
    assert len(got) == len(units)

    expected = []
    prev_end, last_commit = None, None
    for u in units:
        if u[0] == "T":
            expected.append(("c", [None if prev_end is None else str(prev_end), None],
                             u[2] // 1000))
            prev_end, last_commit = u[1], u[2]
        else:
            expected.append(("m", [str(u[1]), str(u[1])], last_commit // 1000))
            prev_end = u[1]
    actual = []
    for e, exp in zip(got, expected):
        seq = json.loads(e["source"]["sequence"])
        # A change's own LSN is checked by other tests; a message's is
        # PostgreSQL's.
        actual.append((e["op"], [seq[0], seq[1] if e["op"] == "m" else None],
                       e["source"]["ts_ms"]))
    assert actual == expected
