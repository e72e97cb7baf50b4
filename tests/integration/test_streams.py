"""Streamed (in-progress) transactions: relation descriptions spooled inside
a streamed transaction, standby status while replaying or blocked on
output, local spool errors, and the pgoutput.streaming escape hatch.

The session cluster runs with logical_decoding_work_mem=64kB, so a
transaction of a few hundred KB is streamed by the server; each test checks
pg_stat_replication_slots so that it cannot pass without streaming."""
import os
import subprocess
import time

import pytest

from helpers import lsn_int, slot_active, streamed_txns, tail_drain, tail_prepare, wait_for


def big_insert(cur, table, first, n, pad=100):
    cur.execute("INSERT INTO %s SELECT g, repeat('p', %d) FROM generate_series(%d, %d) g"
                % (table, pad, first, first + n - 1))


def rename_during_streamed_txn(db, tail, table_include_list):
    """Rows 1..3000 into a.t in one transaction large enough to be streamed;
    while it is open, schema a is renamed to b and row -1 goes into b.t;
    then the transaction commits and row -2 follows. Returns the tail
    configuration (prepared before any of it)."""
    db.sql("CREATE SCHEMA a")
    db.sql("CREATE TABLE a.t (id int PRIMARY KEY, pad text)")
    cfg = tail_prepare(db, tail, table_include_list=table_include_list)
    long_txn = db.connect()
    long_txn.autocommit = False
    with long_txn.cursor() as cur:
        big_insert(cur, "a.t", 1, 3000)
    db.sql("ALTER SCHEMA a RENAME TO b")
    db.sql("INSERT INTO b.t VALUES (-1, 'after the rename')")
    long_txn.commit()
    long_txn.close()
    db.sql("INSERT INTO b.t VALUES (-2, 'after the streamed commit')")
    return cfg


def test_schema_rename_during_streamed_transaction_keeps_newest_relation(db, tail):
    """A streamed transaction's Relation message (schema "a") is older than
    the one the server sends after ALTER SCHEMA a RENAME TO b; replaying the
    streamed transaction must not put "a" back for the rows that follow."""
    cfg = rename_during_streamed_txn(db, tail, "b\\.t,a\\.t")
    res = tail_drain(db, tail, cfg)
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    by_id = {e["after"]["id"]: e for e in res.rows(op="c")}
    assert len(by_id) == 3002, sorted(by_id)[:5]
    assert by_id[1]["schema"] == "a"  # as the streamed transaction saw it
    assert by_id[-1]["schema"] == "b"
    assert by_id[-2]["schema"] == "b", "the replay put back the older relation description"


def test_schema_rename_during_streamed_transaction_with_filter_loses_nothing(db, tail):
    """With a filter on the new name, the rows after the streamed commit are
    captured (an older description would have dropped them)."""
    cfg = rename_during_streamed_txn(db, tail, "b\\.t")
    db.sql("INSERT INTO b.t VALUES (-3, 'later still')")
    res = tail_drain(db, tail, cfg)
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    ids = [e["after"]["id"] for e in res.rows(op="c")]
    assert ids == [-1, -2, -3]


def test_relation_described_in_rolled_back_savepoint_of_streamed_transaction(db, tail):
    """The server describes a relation once per streamed transaction, even
    when that happened in a subtransaction that later rolls back; the
    parent's later rows of the table still need that description."""
    db.sql("CREATE TABLE big (id int PRIMARY KEY, pad text)")
    db.sql("CREATE TABLE other (id int PRIMARY KEY, pad text)")
    cfg = tail_prepare(db, tail)
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        big_insert(cur, "big", 1, 1500)  # streamed from here on
        cur.execute("SAVEPOINT s1")
        big_insert(cur, "other", 1, 1500)  # describes "other" (with extra) in s1
        cur.execute("ROLLBACK TO SAVEPOINT s1")
        cur.execute("INSERT INTO other VALUES (-1, 'kept')")
    conn.commit()
    conn.close()
    res = tail_drain(db, tail, cfg)
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    rows = res.rows("other", "c")
    assert [e["after"] for e in rows] == [{"id": -1, "pad": "kept"}]


def test_pgoutput_streaming_off_is_not_streamed_and_loses_nothing(db, tail):
    """The escape hatch for server bugs in streamed decoding: with
    pgoutput.streaming=off the server keeps a large transaction until its
    commit and sends it whole."""
    db.sql("CREATE TABLE big (id int PRIMARY KEY, pad text)")
    cfg = tail_prepare(db, tail, pgoutput_streaming="off")
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        big_insert(cur, "big", 1, 3000)
        cur.execute("SAVEPOINT s1")
        big_insert(cur, "big", 3001, 100)
        cur.execute("ROLLBACK TO SAVEPOINT s1")
    conn.commit()
    conn.close()
    res = tail_drain(db, tail, cfg)
    assert "streaming" not in res.stderr.split("START_REPLICATION")[1].splitlines()[0]
    assert [e["after"]["id"] for e in res.rows("big", "c")] == list(range(1, 3001))
    assert streamed_txns(db) == 0
    spilled = db.pg.sql("SELECT spill_txns FROM pg_stat_replication_slots WHERE slot_name = %s",
                        (db.slot,))[0][0]
    assert spilled >= 1, "the transaction was not large enough to be streamed; proves nothing"


def test_pgoutput_streaming_rejects_other_values(db, tidewater_bin):
    cfg = db.config(pgoutput_streaming="parallel")
    res = subprocess.run([tidewater_bin, "tail", "--endpos", "0/1", cfg], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=30)
    assert res.returncode == 2
    assert "pgoutput.streaming" in res.stderr and "on" in res.stderr and "off" in res.stderr


# --- local spool errors stop the connector; a failing session backs off ----

from conftest import assert_held_before, OUTBOX_DDL, outbox_config  # noqa: E402


def big_outbox_txn(db, rows=3000):
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'A', 'a-' || (g %% 10), 'E', "
           "jsonb_build_object('seq', g, 'pad', repeat('p', 150)) "
           "FROM generate_series(1, %d) g" % rows)


def test_unwritable_spool_dir_stops_instead_of_reconnecting(db, broker, registry, run, tmp_path):
    """The spool directory disappears after start-up (a full disk behaves
    alike): the first streamed transaction stops tidewater."""
    db.sql(OUTBOX_DDL)
    missing = tmp_path / "spool"
    missing.mkdir()
    runner = run(outbox_config(db, broker, registry, tmp_path, spool_dir=str(missing)))
    wait_for(lambda: slot_active(db), what="slot active")
    missing.rmdir()
    big_outbox_txn(db)
    end = db.insert_lsn()
    try:
        rc = runner.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        rc = None
    out = runner.output()
    assert rc == 1, "still running (reconnecting?):\n" + out[-2000:]
    assert "reconnecting" not in out
    assert "set spool.dir to a writable directory" in out
    assert str(missing) in out
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    # Idle, the slot may have followed the server before the transaction;
    # never past it.
    assert_held_before(db, end)


def test_unusable_spool_dir_is_a_startup_error(db, tail, tmp_path):
    cfg = db.config(spool_dir=str(tmp_path / "no-such-dir"))
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 1
    assert "set spool.dir to a writable directory" in res.stderr
    # Not needed (and not checked) when the server does not stream.
    cfg = db.config(spool_dir=str(tmp_path / "no-such-dir"), pgoutput_streaming="off")
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr


def test_spool_limit_stops_instead_of_reconnecting(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path, spool_max_bytes="100000"))
    wait_for(lambda: slot_active(db), what="slot active")
    big_outbox_txn(db, rows=5000)
    try:
        rc = runner.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        rc = None
    out = runner.output()
    assert rc == 1, "still running (reconnecting?):\n" + out[-2000:]
    assert "reconnecting" not in out
    assert "spool.max.bytes=100000" in out


def test_session_failing_without_progress_backs_off(db, broker, registry, run, tmp_path):
    """A session that connects and then fails the same way each time (here
    the server cannot decode: the publication was created after the change
    it is decoding) is retried with a growing delay, not every 500 ms."""
    import re
    db.sql(OUTBOX_DDL)
    db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (db.slot,))
    db.sql("INSERT INTO outbox VALUES (gen_random_uuid(), 'A', 'a', 'E', '{}')")
    db.sql("CREATE PUBLICATION %s FOR ALL TABLES" % db.publication)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               publication_autocreate_mode="disabled"))
    time.sleep(8)
    runner.stop()
    out = runner.output()
    delays = [int(m) for m in re.findall(r"reconnecting in (\d+) ms", out)]
    assert len(delays) >= 2, out[-3000:]
    assert "does not exist" in out
    assert delays[:4] == [500, 1000, 2000, 4000][:len(delays[:4])], delays


# --- standby status while replaying or blocked on output -------------------

@pytest.fixture
def short_wal_sender_timeout(pg):
    """wal_sender_timeout=1s on the session cluster for one test: the server
    drops a client that sends no status for 1 s."""
    pg.set_and_reload(wal_sender_timeout="1s")
    time.sleep(0.5)
    yield
    pg.sql("ALTER SYSTEM RESET wal_sender_timeout")
    pg.sql("SELECT pg_reload_conf()")


def test_tail_with_a_stalled_reader_keeps_its_connection(db, tail, tidewater_bin,
                                                         short_wal_sender_timeout):
    """tail's standard output is a pipe nobody reads for 6 s while a large
    streamed transaction is printed: tail must keep sending status updates
    (wal_sender_timeout is 1 s), then print everything and stop at endpos."""
    db.sql("CREATE TABLE big (id int PRIMARY KEY, pad text)")
    cfg = tail_prepare(db, tail, status_update_interval_ms="200")
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        big_insert(cur, "big", 1, 4000, pad=200)
    conn.commit()
    conn.close()
    db.sql("INSERT INTO big VALUES (-1, 'after')")
    endpos = db.insert_lsn()
    proc = subprocess.Popen([tidewater_bin, "tail", "--ack", "--endpos", endpos, cfg],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6)  # the reader stalls; tail blocks writing
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    ids = [int(line.split('"id":')[1].split(",")[0].split("}")[0])
           for line in out.splitlines() if '"after":{' in line]
    assert ids == list(range(1, 4001)) + [-1]
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"


def test_run_replaying_a_long_streamed_transaction_keeps_its_connection(
        db, broker, registry, run, tmp_path, short_wal_sender_timeout):
    """A streamed transaction whose replay takes longer than
    wal_sender_timeout must not cost the connection. Here the replay is slow
    because it routes to 100 new topics, each registering two schemas; the
    producer queue is large, so the pipeline never waits on Kafka."""
    db.sql(OUTBOX_DDL)
    runner = run(outbox_config(db, broker, registry, tmp_path,
                               status_update_interval_ms="200",
                               producer_queue_buffering_max_messages="1000000",
                               producer_queue_buffering_max_kbytes="2000000"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'T' || (g %% 100), 'a', 'E', "
           "jsonb_build_object('seq', g, 'pad', repeat('p', 150)) "
           "FROM generate_series(1, %d) g" % 2000)
    end = db.insert_lsn()

    wait_for(lambda: lsn_int(db.slot_flush_lsn()) >= lsn_int(end), timeout=180,
             what="the transaction to be delivered")
    assert runner.stop() == 0
    out = runner.output()
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    assert "reconnecting" not in out, out[-3000:]
    assert "2000 records in 1 transactions delivered" in out, out[-2000:]
