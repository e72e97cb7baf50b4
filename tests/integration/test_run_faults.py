"""Restarts and outages: nothing committed is lost, nothing is confirmed to
PostgreSQL before Kafka acknowledged it, and an orderly restart duplicates
nothing."""
import json
import signal
import threading
import time
import uuid

from conftest import OUTBOX_DDL, assert_held_before, outbox_config
from helpers import lsn_int, slot_active, wait_for
from kafkacheck import AvroDecoder, consume, headers, topics

TOPICS = ["outbox.event.A", "outbox.event.B"]


class Writer(threading.Thread):
    """Inserts outbox events continuously, one to five per transaction, with
    a per-aggregate sequence number in the payload."""

    def __init__(self, db, limit=None):
        super().__init__(daemon=True)
        self.db = db
        self.limit = limit
        self.stop_flag = threading.Event()
        self.committed = []  # (id, aggid, seq)
        self.seq = {}
        self.first_commit_end = None  # an LSN read right after the first commit

    def run(self):
        conn = self.db.connect()
        conn.autocommit = False
        i = 0
        while not self.stop_flag.is_set() and (self.limit is None or
                                               len(self.committed) < self.limit):
            batch = []
            with conn.cursor() as cur:
                for _ in range(1 + i % 5):
                    agg = "A" if i % 2 else "B"
                    aggid = "%s-%d" % (agg, i % 7)
                    self.seq[aggid] = self.seq.get(aggid, 0) + 1
                    eid = str(uuid.uuid4())
                    cur.execute("INSERT INTO outbox VALUES (%s, %s, %s, 'E', %s)",
                                (eid, agg, aggid, json.dumps({"seq": self.seq[aggid]})))
                    batch.append((eid, aggid, self.seq[aggid]))
                    i += 1
            conn.commit()
            if self.first_commit_end is None:
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_current_wal_insert_lsn()::text")
                    self.first_commit_end = cur.fetchone()[0]
                conn.commit()
            self.committed += batch
            time.sleep(0.005)
        conn.close()


def collect(broker, registry, expect, timeout=60):
    present = lambda: [t for t in TOPICS if t in topics(broker.bootstrap_servers)]  # noqa: E731
    wait_for(lambda: present(), timeout=timeout, what="an outbox topic")
    deadline = time.time() + timeout
    msgs = []
    while time.time() < deadline:
        msgs = consume(broker.bootstrap_servers, present(), expect=expect, timeout=10)
        if len(msgs) >= expect:
            break
    dec = AvroDecoder(registry)
    return [(headers(m)["id"], dec.decode(m.key()), json.loads(dec.decode(m.value()))["seq"],
             m.topic(), m.partition(), m.offset()) for m in msgs]


def check_order(records):
    """Per key, in Kafka offset order, sequence numbers never go back once
    duplicates are dropped."""
    seen, last = set(), {}
    for r in sorted(records, key=lambda r: (r[3], r[4], r[5])):
        if r[0] in seen:
            continue
        seen.add(r[0])
        assert r[2] > last.get(r[1], 0), "key %s went from %d to %d" % (r[1], last[r[1]], r[2])
        last[r[1]] = r[2]


def test_sigterm_then_restart_no_duplicates_no_loss(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path)
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    writer = Writer(db)
    writer.start()
    time.sleep(2)
    assert r1.stop(signal.SIGTERM) == 0
    time.sleep(1)
    r2 = run(cfg)
    time.sleep(2)
    writer.stop_flag.set()
    writer.join()
    records = collect(broker, registry, expect=len(writer.committed))
    ids = [r[0] for r in records]
    assert len(ids) == len(set(ids)), "duplicates after an orderly restart"
    assert set(ids) == {c[0] for c in writer.committed}
    check_order(records)
    assert r2.stop() == 0


def test_kill9_under_writer_then_restart_no_loss(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path)
    writer = Writer(db)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    writer.start()
    for _ in range(3):
        time.sleep(1.5)
        r.stop(signal.SIGKILL)
        r = run(cfg)
    time.sleep(1)
    writer.stop_flag.set()
    writer.join()
    records = collect(broker, registry, expect=len(writer.committed))
    assert {r[0] for r in records} == {c[0] for c in writer.committed}
    check_order(records)


def test_broker_down_holds_the_slot_then_everything_arrives(db, broker, registry, run,
                                                            tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a-0', 'E', '{\"seq\": 1}')", (str(uuid.uuid4()),))
    collect(broker, registry, expect=1)
    broker.broker_down(1)
    before = db.insert_lsn()
    writer = Writer(db, limit=50)
    writer.run()
    time.sleep(4)  # several status intervals (500 ms in tests)
    assert_held_before(db, writer.first_commit_end)
    broker.broker_up(1)
    records = collect(broker, registry, expect=51, timeout=90)
    assert {r[0] for r in records} >= {c[0] for c in writer.committed}
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) > lsn_int(before), timeout=30,
             what="the slot to advance after the broker came back")
    assert runner.proc.poll() is None


def test_registry_down_pauses_then_resumes_without_loss(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    registry.stop()
    writer = Writer(db, limit=20)
    writer.run()
    time.sleep(4)
    assert_held_before(db, writer.first_commit_end)
    wait_for(lambda: "pausing until it answers" in runner.output(), what="the pause log line")
    registry.start()
    records = collect(broker, registry, expect=len(writer.committed), timeout=90)
    assert {r[0] for r in records} == {c[0] for c in writer.committed}
    wait_for(lambda: "answers again" in runner.output(), what="the resume log line")


def test_registry_409_with_errors_tolerance_none_stops(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    registry.reject_next("outbox.event.A-value")
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a-1', 'E', '{\"seq\": 1}')", (str(uuid.uuid4()),))
    after = db.insert_lsn()
    assert runner.proc.wait(timeout=30) == 1
    out = runner.output()
    assert "HTTP 409" in out and "incompatible with an earlier schema" in out
    assert "errors.tolerance=all" in out
    assert_held_before(db, after)


def test_registry_409_with_dead_letter_topic(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path, errors_tolerance="all",
                               errors_deadletterqueue_topic_name="outbox.dlq"))
    wait_for(lambda: slot_active(db), what="slot active")
    registry.reject_next("outbox.event.A-value")
    bad, good = str(uuid.uuid4()), str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a-1', 'E', '{\"seq\": 1}')", (bad,))
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'a-1', 'E', '{\"seq\": 2}')", (good,))
    wait_for(lambda: "outbox.dlq" in topics(broker.bootstrap_servers), what="the DLQ topic")
    dlq = consume(broker.bootstrap_servers, ["outbox.dlq"], expect=1)
    assert len(dlq) == 1
    h = headers(dlq[0])
    assert h["tidewater.event.id"] == bad
    assert h["tidewater.error.kind"] == "registry"
    assert "incompatible" in h["tidewater.error.message"]
    assert h["tidewater.source.table"] == "public.outbox"
    assert h["tidewater.original.topic"] == "outbox.event.A"
    assert h["tidewater.source.lsn"].count("/") == 1
    main = collect(broker, registry, expect=1)
    assert [r[0] for r in main] == [good]
    assert runner.proc.poll() is None


def test_postgres_restart_reconnects_without_loss(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    first = Writer(db, limit=30)
    first.run()
    db.pg.restart("fast")
    second = Writer(db, limit=30)
    second.seq = dict(first.seq)
    second.run()
    expected = {c[0] for c in first.committed + second.committed}
    records = collect(broker, registry, expect=len(expected), timeout=90)
    assert {r[0] for r in records} == expected
    check_order(records)
    assert runner.proc.poll() is None
    assert "reconnecting in" in runner.output()


def test_memory_does_not_grow_with_transaction_size(db, broker, registry, run, tmp_path):
    """A 50,000-row transaction (streamed by the server) is delivered whole
    while per-record working memory stays flat. Regression: scratch memory
    used to be released only at each transaction's start."""
    import re
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'A', 'a-' || (g % 10), 'E', "
           "jsonb_build_object('seq', g, 'pad', repeat('p', 150)) "
           "FROM generate_series(1, 50000) g")
    end = db.insert_lsn()
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) >= lsn_int(end), timeout=120,
             what="the transaction to be delivered")
    assert runner.stop() == 0
    m = re.search(r"(\d+) records in \d+ transactions delivered; per-record scratch peak "
                  r"(\d+) bytes", runner.output())
    assert m, runner.output()[-2000:]
    assert int(m.group(1)) == 50000
    assert int(m.group(2)) < 64 * 1024


def test_idle_slot_advances_and_heartbeat_query_runs(db, broker, registry, run, tmp_path):
    """The outbox stays idle while another database writes a lot: the slot's
    confirmed position keeps up, so retained WAL stays bounded. The
    heartbeat query runs in the captured database."""
    db.sql(OUTBOX_DDL)
    db.sql("CREATE TABLE heartbeat (id int PRIMARY KEY, ts timestamptz)")
    db.sql("INSERT INTO heartbeat VALUES (1, now())")
    run(outbox_config(db, broker, registry, tmp_path, heartbeat_interval_ms="500",
                      heartbeat_action_query="UPDATE heartbeat SET ts = now() WHERE id = 1"))
    wait_for(lambda: slot_active(db), what="slot active")
    other = "busy_%s" % db.name
    db.pg.create_database(other)
    try:
        db.pg.sql("CREATE TABLE t (x text)", dbname=other)
        for _ in range(5):
            db.pg.sql("INSERT INTO t SELECT repeat('w', 500) FROM generate_series(1, 20000)",
                      dbname=other)
        end = db.insert_lsn()
        wait_for(lambda: lsn_int(db.slot_flush_lsn()) >= lsn_int(end), timeout=30,
                 what="the idle slot to confirm WAL written elsewhere")
        # restart_lsn (what WAL the slot retains) moves when decoding meets
        # the next running-transactions record, logged every 15 s.
        retained = lambda: db.pg.sql(  # noqa: E731
            "SELECT pg_current_wal_lsn() - restart_lsn FROM pg_replication_slots "
            "WHERE slot_name = %s", (db.slot,))[0][0]
        wait_for(lambda: retained() < 16 * 1024 * 1024, timeout=60,
                 what="retained WAL to drop below 16 MB (now %d bytes)" % retained())
        first = db.sql("SELECT ts FROM heartbeat")[0][0]
        wait_for(lambda: db.sql("SELECT ts FROM heartbeat")[0][0] > first, timeout=10,
                 what="the heartbeat query to run")
    finally:
        db.pg.sql('DROP DATABASE "%s" WITH (FORCE)' % other)
