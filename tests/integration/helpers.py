"""Helpers the integration tests share, so that each exists once: LSN text
to integer, polling for a condition (instead of fixed sleeps), whether the
replication slot is in use, waiting for a process to exit, writing outbox
rows, writing Avro schema files, and running `tidewater tail` up to the
server's current position."""
import copy
import json
import os
import time
import uuid


def lsn_int(text):
    """PostgreSQL's "X/Y" LSN text as an integer, for comparisons."""
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def wait_for(pred, timeout=30, what="condition", interval=0.1):
    """Polls pred until it is true; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)


def slot_active(db):
    """The test database's replication slot has a walsender (the connector
    is streaming)."""
    rows = db.pg.sql("SELECT active FROM pg_replication_slots WHERE slot_name = %s", (db.slot,))
    return bool(rows and rows[0][0])


def wait_exit(proc, timeout=30):
    """The exit status of a subprocess.Popen within timeout seconds, else
    None (it is still running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc.returncode
        time.sleep(0.1)
    return None


def order_events(n, tag):
    """n outbox events for insert_events: aggregate Order, three aggregate
    ids, type Created, payload {"i": <number>, "tag": tag}; new ids."""
    return [(str(uuid.uuid4()), "Order", "order-%d" % (i % 3), "Created", {"i": i, "tag": tag})
            for i in range(n)]


def insert_events(db, events, delete_after=False, rollback=False):
    """Inserts outbox events [(id, type, aggid, evtype, payload)] in one
    transaction (deleting each row again if delete_after; rolling back
    instead of committing if rollback)."""
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        for e in events:
            cur.execute("INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
                        "VALUES (%s, %s, %s, %s, %s)", (e[0], e[1], e[2], e[3], json.dumps(e[4])))
            if delete_after:
                cur.execute("DELETE FROM outbox WHERE id = %s", (e[0],))
    if rollback:
        conn.rollback()
    else:
        conn.commit()
    conn.close()


def write_schemas(directory, *schemas):
    """The schemas (JSON values) as s0.avsc, s1.avsc... in directory
    (created if missing); returns its path."""
    os.makedirs(str(directory), exist_ok=True)
    for i, schema in enumerate(schemas):
        with open(os.path.join(str(directory), "s%d.avsc" % i), "w") as f:
            json.dump(schema, f)
    return str(directory)


def with_fields(schema, fields):
    """A copy of the record schema with other fields."""
    s = copy.deepcopy(schema)
    s["fields"] = fields
    return s


def tail_prepare(db, tail, **overrides):
    """Writes the config and lets tidewater create the slot and publication
    (a tail that stops at once, seeing nothing), so later changes are
    captured; returns the config."""
    cfg = db.config(**overrides)
    res = tail(cfg, endpos=db.insert_lsn())
    assert res.returncode == 0, res.stderr
    assert res.events == []
    return cfg


def tail_drain(db, tail, cfg, **kw):
    """`tidewater tail` up to the server's current insert position."""
    res = tail(cfg, endpos=db.insert_lsn(), **kw)
    assert res.returncode == 0, res.stderr
    return res


def streamed_txns(db):
    """How many transactions the server streamed to the test's slot."""
    rows = db.pg.sql("SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = %s",
                     (db.slot,))
    return rows[0][0] if rows else 0
