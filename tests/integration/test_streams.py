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


def prepare(db, tail, **overrides):
    cfg = db.config(**overrides)
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr
    return cfg


def drain(db, tail, cfg, **kw):
    res = tail(cfg, endpos=db.insert_lsn(), **kw)
    assert res.returncode == 0, res.stderr
    return res


def streamed_txns(db):
    rows = db.pg.sql("SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = %s",
                     (db.slot,))
    return rows[0][0] if rows else 0


def big_insert(cur, table, first, n, pad=100):
    cur.execute("INSERT INTO %s SELECT g, repeat('p', %d) FROM generate_series(%d, %d) g"
                % (table, pad, first, first + n - 1))


def test_schema_rename_during_streamed_transaction_keeps_newest_relation(db, tail):
    """A streamed transaction's Relation message (schema "a") is older than
    the one the server sends after ALTER SCHEMA a RENAME TO b; replaying the
    streamed transaction must not put "a" back for the rows that follow."""
    db.sql("CREATE SCHEMA a")
    db.sql("CREATE TABLE a.t (id int PRIMARY KEY, pad text)")
    cfg = prepare(db, tail, table_include_list="b\\.t,a\\.t")
    long_txn = db.connect()
    long_txn.autocommit = False
    with long_txn.cursor() as cur:
        big_insert(cur, "a.t", 1, 3000)
    db.sql("ALTER SCHEMA a RENAME TO b")
    db.sql("INSERT INTO b.t VALUES (-1, 'after the rename')")
    long_txn.commit()
    long_txn.close()
    db.sql("INSERT INTO b.t VALUES (-2, 'after the streamed commit')")
    res = drain(db, tail, cfg)
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    by_id = {e["after"]["id"]: e for e in res.rows(op="c")}
    assert len(by_id) == 3002, sorted(by_id)[:5]
    assert by_id[1]["schema"] == "a"  # as the streamed transaction saw it
    assert by_id[-1]["schema"] == "b"
    assert by_id[-2]["schema"] == "b", "the replay put back the older relation description"


def test_schema_rename_during_streamed_transaction_with_filter_loses_nothing(db, tail):
    """With a filter on the new name, the rows after the streamed commit are
    captured (an older description would have dropped them)."""
    db.sql("CREATE SCHEMA a")
    db.sql("CREATE TABLE a.t (id int PRIMARY KEY, pad text)")
    cfg = prepare(db, tail, table_include_list="b\\.t")
    long_txn = db.connect()
    long_txn.autocommit = False
    with long_txn.cursor() as cur:
        big_insert(cur, "a.t", 1, 3000)
    db.sql("ALTER SCHEMA a RENAME TO b")
    db.sql("INSERT INTO b.t VALUES (-1, 'after the rename')")
    long_txn.commit()
    long_txn.close()
    db.sql("INSERT INTO b.t VALUES (-2, 'after the streamed commit')")
    db.sql("INSERT INTO b.t VALUES (-3, 'later still')")
    res = drain(db, tail, cfg)
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    ids = [e["after"]["id"] for e in res.rows(op="c")]
    assert ids == [-1, -2, -3]


def test_relation_described_in_rolled_back_savepoint_of_streamed_transaction(db, tail):
    """The server describes a relation once per streamed transaction, even
    when that happened in a subtransaction that later rolls back; the
    parent's later rows of the table still need that description."""
    db.sql("CREATE TABLE big (id int PRIMARY KEY, pad text)")
    db.sql("CREATE TABLE other (id int PRIMARY KEY, pad text)")
    cfg = prepare(db, tail)
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
    res = drain(db, tail, cfg)
    assert streamed_txns(db) >= 1, "the transaction was not streamed; the test proves nothing"
    rows = res.rows("other", "c")
    assert [e["after"] for e in rows] == [{"id": -1, "pad": "kept"}]


def test_pgoutput_streaming_off_is_not_streamed_and_loses_nothing(db, tail):
    """The escape hatch for server bugs in streamed decoding: with
    pgoutput.streaming=off the server keeps a large transaction until its
    commit and sends it whole."""
    db.sql("CREATE TABLE big (id int PRIMARY KEY, pad text)")
    cfg = prepare(db, tail, pgoutput_streaming="off")
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        big_insert(cur, "big", 1, 3000)
        cur.execute("SAVEPOINT s1")
        big_insert(cur, "big", 3001, 100)
        cur.execute("ROLLBACK TO SAVEPOINT s1")
    conn.commit()
    conn.close()
    res = drain(db, tail, cfg)
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
