"""A checkpoint knows where it came from (issue 10, case 1).

The offsets file and the exactly-once offsets topic name the server
(system identifier, timeline), the database and the slot beside the LSNs;
`tidewater run` compares them with the server before anything is skipped
or confirmed, and stops, saying why, rather than skip events it never
sent."""
import json
import os
import stat
import subprocess
import time
import uuid

from conftest import OUTBOX_DDL, outbox_config
from kafkacheck import consume, headers, lsn_value, topics
from test_run_outbox import insert_events, slot_active, wait_for

TOPIC = "outbox.event.Order"


def events(n, tag):
    return [(str(uuid.uuid4()), "Order", "order-%d" % (i % 3), "Created", {"i": i, "tag": tag})
            for i in range(n)]


def delivered_ids(broker):
    if TOPIC not in topics(broker.bootstrap_servers):
        return []
    return [headers(m)["id"] for m in consume(broker.bootstrap_servers, [TOPIC], timeout=5,
                                              idle=0.5)]


def wait_exit(r, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if r.proc.poll() is not None:
            return r.proc.returncode
        time.sleep(0.1)
    return None


def server_wal(db):
    return lsn_value(db.sql("SELECT pg_current_wal_lsn()::text")[0][0])


def write_offsets(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f)


def test_offsets_file_beyond_the_servers_wal_stops(db, broker, registry, run, tmp_path):
    """Case 1 as found: a connector name reused against a fresh database
    with an earlier run's offsets file (no identity, written by an older
    tidewater) whose LSN lies beyond this server's WAL. Before: every
    transaction was taken for delivered, nothing was sent, and the slot was
    confirmed past the server's WAL end."""
    db.sql(OUTBOX_DDL)
    offsets = tmp_path / "offsets.json"
    beyond = server_wal(db) + (1 << 32)
    write_offsets(offsets, {"slot": db.slot,
                            "commit_lsn": "%X/%X" % (beyond >> 32, beyond & 0xFFFFFFFF),
                            "end_lsn": "%X/%X" % (beyond >> 32, (beyond + 0x30) & 0xFFFFFFFF),
                            "commit_ts_us": 1})
    cfg = outbox_config(db, broker, registry, tmp_path)
    r = run(cfg)
    batch = events(3, "fresh")
    # Inserted while tidewater starts: whatever it does, it must not
    # confirm these away unsent.
    insert_events(db, batch)
    rc = wait_exit(r, timeout=30)
    log = r.output()
    assert rc not in (None, 0), "kept running with a checkpoint beyond the WAL:\n" + log
    assert str(offsets) in log, log
    assert "beyond this server's current WAL position" in log, log
    assert "tidewater offsets reset %s --yes" % cfg in log, log
    flushed = db.slot_flush_lsn()
    assert flushed is None or lsn_value(flushed) <= server_wal(db), \
        "slot confirmed past the server's WAL: %s" % flushed
    # The operator's way out: reset, and the events still in the slot arrive.
    cfg_path = str(cfg)
    out = subprocess.run([r.binary, "offsets", "reset", cfg_path, "--yes"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert out.returncode == 0, out.stdout
    assert not offsets.exists()
