"""A checkpoint knows where it came from (issue 10, case 1).

The offsets file and the exactly-once offsets topic name the server
(system identifier, timeline), the database and the slot beside the LSNs;
`tidewater run` compares them with the server before anything is skipped
or confirmed, and stops, saying why, rather than skip events it never
sent."""
import json
import os
import shutil
import stat
import subprocess
import time

import pytest

from conftest import OUTBOX_DDL, outbox_config
from helpers import insert_events, lsn_int, order_events, slot_active, wait_exit, wait_for
from kafkacheck import consume, headers, topics
from pgcluster import PG_BIN

TOPIC = "outbox.event.Order"


def delivered_ids(broker):
    if TOPIC not in topics(broker.bootstrap_servers):
        return []
    return [headers(m)["id"] for m in consume(broker.bootstrap_servers, [TOPIC], timeout=5,
                                              idle=0.5)]


def server_wal(db):
    return lsn_int(db.sql("SELECT pg_current_wal_lsn()::text")[0][0])


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
    batch = order_events(3, "fresh")
    # Inserted while tidewater starts: whatever it does, it must not
    # confirm these away unsent.
    insert_events(db, batch)
    rc = wait_exit(r.proc, timeout=30)
    log = r.output()
    assert rc not in (None, 0), "kept running with a checkpoint beyond the WAL:\n" + log
    assert str(offsets) in log, log
    assert "beyond this server's current WAL position" in log, log
    assert "tidewater offsets reset %s --yes" % cfg in log, log
    flushed = db.slot_flush_lsn()
    assert flushed is None or lsn_int(flushed) <= server_wal(db), \
        "slot confirmed past the server's WAL: %s" % flushed
    # The operator's way out: reset, and the events still in the slot arrive.
    cfg_path = str(cfg)
    out = subprocess.run([r.binary, "offsets", "reset", cfg_path, "--yes"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert out.returncode == 0, out.stdout
    assert not offsets.exists()


def offsets_cmd(r_or_bin, *args):
    binary = getattr(r_or_bin, "binary", r_or_bin)
    return subprocess.run([binary, "offsets"] + [str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=90)


def deliver_and_stop(db, broker, registry, run, tmp_path, n=3, tag="first", **overrides):
    """One normal run that delivers n events and stops in order: leaves an
    offsets file (with identity) and the slot."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, **overrides)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    batch = order_events(n, tag)
    insert_events(db, batch)
    wait_for(lambda: len(delivered_ids(broker)) >= n, what="%d events in Kafka" % n)
    time.sleep(1.5)  # offset.flush.interval.ms
    assert r.stop() == 0
    return cfg, r, batch


def delivers_again(run, cfg, db, broker, tag):
    """A new run of cfg streams, and events written now reach Kafka."""
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use (%s)" % tag)
    batch = order_events(2, tag)
    insert_events(db, batch)
    wait_for(lambda: set(e[0] for e in batch) <= set(delivered_ids(broker)),
             what="events after: %s" % tag)
    assert r.stop() == 0


def test_checkpoint_records_where_it_came_from(db, broker, registry, run, tmp_path):
    cfg, r, _ = deliver_and_stop(db, broker, registry, run, tmp_path)
    doc = json.load(open(tmp_path / "offsets.json"))
    sysid = db.sql("SELECT system_identifier::text FROM pg_control_system()")[0][0]
    assert doc["system_id"] == sysid
    assert doc["timeline"] == db.sql("SELECT timeline_id FROM pg_control_checkpoint()")[0][0]
    assert doc["database"] == db.name
    assert doc["database_oid"] == db.sql(
        "SELECT oid::int FROM pg_database WHERE datname = current_database()")[0][0]
    assert doc["slot"] == db.slot
    assert stat.S_IMODE(os.stat(tmp_path / "offsets.json").st_mode) == 0o600
    # No temporary file left beside it.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("offsets.json")
            and p.name != "offsets.json.slot"] == \
        ["offsets.json"]
    out = offsets_cmd(r, "show", cfg)
    assert out.returncode == 0, out.stdout
    assert "system %s" % sysid in out.stdout and 'database "%s"' % db.name in out.stdout
    assert "ok: `tidewater run` would skip" in out.stdout, out.stdout
    assert "wal_status reserved, inactive" in out.stdout, out.stdout


def test_old_offsets_file_is_accepted_and_gains_identity(db, broker, registry, run, tmp_path):
    cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path)
    path = tmp_path / "offsets.json"
    doc = json.load(open(path))
    old = {k: doc[k] for k in ("slot", "commit_lsn", "end_lsn", "commit_ts_us")}
    write_offsets(path, old)
    r2 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    second = order_events(2, "second")
    insert_events(db, second)
    wait_for(lambda: set(e[0] for e in second) <= set(delivered_ids(broker)),
             what="the second batch")
    assert r2.stop() == 0
    assert json.load(open(path))["system_id"]
    assert "records no server identity (written by an older tidewater); accepted" in r2.output()
    ids = delivered_ids(broker)
    assert sorted(ids) == sorted(e[0] for e in first + second)


def test_recreated_database_is_refused(db, broker, registry, run, tmp_path):
    """Same cluster, same database name, same slot name: only the
    database's OID tells that the checkpoint belongs to another database."""
    cfg, r, _ = deliver_and_stop(db, broker, registry, run, tmp_path)
    db.pg.sql("SELECT pg_drop_replication_slot(%s)", (db.slot,))
    db.pg.sql('DROP DATABASE "%s" WITH (FORCE)' % db.name)
    db.pg.create_database(db.name)
    db.sql(OUTBOX_DDL)
    db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (db.slot,))
    r2 = run(cfg)
    rc = wait_exit(r2.proc)
    log = r2.output()
    assert rc not in (None, 0), log
    assert "the database was dropped and created again" in log, log
    assert "offsets file %s" % (tmp_path / "offsets.json") in log


def test_dropped_slot_is_refused_until_reset(db, broker, registry, run, tmp_path):
    """A dropped slot with a checkpoint: the events committed meanwhile are
    gone from PostgreSQL's point of view; tidewater used to create a fresh
    slot and go on silently. Now it stops, creates nothing, and only
    `offsets reset --yes` accepts the gap."""
    cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path)
    db.pg.sql("SELECT pg_drop_replication_slot(%s)", (db.slot,))
    insert_events(db, order_events(2, "lost"))
    r2 = run(cfg)
    rc = wait_exit(r2.proc)
    log = r2.output()
    assert rc not in (None, 0), log
    assert 'replication slot "%s" does not exist, but offsets file' % db.slot in log, log
    assert "creating a fresh slot would skip them silently" in log
    assert db.slot_flush_lsn() is None, "a slot was created"

    show = offsets_cmd(r, "show", cfg)
    assert show.returncode == 1 and "REFUSED" in show.stdout, show.stdout
    assert '"%s" does not exist' % db.slot in show.stdout
    refused = offsets_cmd(r, "reset", cfg)
    assert refused.returncode != 0 and "not resetting without --yes" in refused.stdout
    assert (tmp_path / "offsets.json").exists()
    done = offsets_cmd(r, "reset", cfg, "--yes")
    assert done.returncode == 0, done.stdout
    assert not (tmp_path / "offsets.json").exists()

    delivers_again(run, cfg, db, broker, "after the reset")


def test_slot_in_use_is_waited_for(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path)
    a = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    cfg_b = outbox_config(db, broker, registry, tmp_path, filename="b.properties",
                          offset_storage_file_filename=str(tmp_path / "b.offsets.json"))
    b = run(cfg_b)
    wait_for(lambda: "waiting for it to be released" in b.output(), what="b waiting")
    time.sleep(5)
    assert b.proc.poll() is None, b.output()
    assert b.output().count("is in use by server process") == 1, b.output()
    assert a.stop() == 0
    wait_for(lambda: "is free again" in b.output(), what="b taking over")
    batch = order_events(2, "b")
    insert_events(db, batch)
    wait_for(lambda: set(e[0] for e in batch) <= set(delivered_ids(broker)), what="b delivering")
    assert b.stop() == 0


def test_check_prints_where_the_checkpoint_lives(db, broker, registry, tidewater_bin, tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, offset_storage_file_filename=None,
                        state_dir=str(tmp_path / "state"))
    out = subprocess.run([tidewater_bin, "check", cfg], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=120).stdout
    expected = str(tmp_path / "state" / ("test-%s.offsets.json" % db.name))
    assert "checkpoint   offsets file %s (not written yet; state.dir %s)" % (
        expected, tmp_path / "state") in out, out
    assert not (tmp_path / "state").exists(), "check must create nothing"


# ---------------------------------------------------------------- exactly-once

OFFSETS = "tw-offsets"


def eos_config(db, broker, registry, tmp_path, **overrides):
    base = dict(exactly_once_support="required", offset_storage_topic=OFFSETS,
                offset_storage_file_filename=None)
    base.update(overrides)
    return outbox_config(db, broker, registry, tmp_path, **base)


def test_missing_offsets_topic_with_a_used_slot_is_refused(db, broker, registry, run,
                                                           tmp_path):
    """Exactly-once: the checkpoint lives in the offsets topic. A slot that
    exists while the topic does not means the checkpoint was lost (or the
    broker does not show the topic): not a fresh start."""
    from kafkacheck import checkpoints
    db.sql(OUTBOX_DDL)
    db.sql("CREATE PUBLICATION %s FOR TABLE outbox" % db.publication)
    db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (db.slot,))
    # Read from (and so moved past its creation point) by someone: the
    # checkpoint that went with that must have been in a topic.
    insert_events(db, order_events(1, "read-elsewhere"))
    # (Decoding reads only flushed WAL; the test cluster commits
    # asynchronously, so wait until the transaction is there.)
    wait_for(lambda: db.sql("SELECT count(*) FROM pg_logical_slot_get_binary_changes(%s, NULL, "
                            "NULL, 'proto_version', '1', 'publication_names', %s)",
                            (db.slot, db.publication))[0][0] > 0, what="decoding")
    cfg = eos_config(db, broker, registry, tmp_path)
    r = run(cfg)
    rc = wait_exit(r.proc, timeout=90)
    log = r.output()
    assert rc not in (None, 0), log
    assert "offsets topic %s" % OFFSETS in log and "does not exist or holds no record of this connector, but replication slot" in log
    assert "tidewater offsets reset %s --yes" % cfg in log

    done = offsets_cmd(r, "reset", cfg, "--yes")
    assert done.returncode == 0, done.stdout
    assert "committed a reset record (generation 1)" in done.stdout, done.stdout
    key = ["test-" + db.name, {"slot": db.slot}]
    recs = checkpoints(broker.bootstrap_servers, OFFSETS, key)
    assert recs and recs[-1][1]["reset"] is True

    r2 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use", timeout=60)
    batch = order_events(3, "eos")
    insert_events(db, batch)
    wait_for(lambda: set(e[0] for e in batch) <= set(delivered_ids(broker)), what="delivery")
    assert r2.stop() == 0
    assert "holds no position (a first start, or `tidewater offsets reset`)" in r2.output()
    newest = checkpoints(broker.bootstrap_servers, OFFSETS, key)[-1][1]
    # Checkpoints after the reset carry its generation and their origin.
    assert newest["generation"] == 1 and newest["database"] == db.name
    show = offsets_cmd(r, "show", cfg)
    assert show.returncode == 0 and "delivered through commit %s" % newest["commit_lsn"] in \
        show.stdout, show.stdout


def test_slot_created_beforehand_is_a_first_start(db, broker, registry, run, tmp_path):
    """A slot created by an administrator and never read, with no offsets
    topic yet: a first start, not a lost checkpoint."""
    db.sql(OUTBOX_DDL)
    db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (db.slot,))
    cfg = eos_config(db, broker, registry, tmp_path)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use", timeout=60)
    batch = order_events(2, "pre-created")
    insert_events(db, batch)
    wait_for(lambda: set(e[0] for e in batch) <= set(delivered_ids(broker)), what="delivery")
    assert r.stop() == 0


def test_first_start_is_recorded_so_a_kill_before_any_event_restarts(db, broker, registry,
                                                                      run, tmp_path):
    """A first start writes a start record: a connector killed before its
    first event still finds its topic, and starts again."""
    import signal
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use", timeout=60)
    assert "first start of this connector recorded" in r.output()
    r.stop(signal.SIGKILL)
    r2 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use again", timeout=60)
    batch = order_events(2, "after-kill")
    insert_events(db, batch)
    wait_for(lambda: set(e[0] for e in batch) <= set(delivered_ids(broker)), what="delivery")
    assert r2.stop() == 0


def test_newest_checkpoint_wins_across_partitions(db, broker, registry, run, tmp_path):
    """The offsets topic may have several partitions (the dev broker makes
    4) and a checkpoint may land in any of them if the partitioner is
    overridden: the newest by LSN counts, not the one read last."""
    from confluent_kafka import Producer
    from kafkacheck import checkpoints
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path,
                     # Rarely confirmed: a restart gets everything resent,
                     # so a stale checkpoint would show as duplicates.
                     status_update_interval_ms="3600000")
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use", timeout=60)
    first = order_events(3, "first")
    insert_events(db, first)
    key = ["test-" + db.name, {"slot": db.slot}]
    wait_for(lambda: any(v and not v.get("reset")
                         for _, v in checkpoints(broker.bootstrap_servers, OFFSETS, key)),
             what="a checkpoint")
    assert r.stop() == 0
    recs = checkpoints(broker.bootstrap_servers, OFFSETS, key)
    newest = [v for _, v in recs if v and not v.get("reset")][-1]
    stale = dict(newest, commit_lsn="0/1", end_lsn="0/2", prev_commit_lsn="0/0", records=[])
    from kafkacheck import consume_all
    real = {m.partition() for m in consume_all(broker.bootstrap_servers, [OFFSETS])}
    assert len(real) == 1
    p = Producer({"bootstrap.servers": broker.bootstrap_servers})
    others = [part for part in range(4) if part not in real]
    for part in others:
        p.produce(OFFSETS, key=json.dumps(key, separators=(",", ":")),
                  value=json.dumps(stale), partition=part)
    p.flush(10)
    # Read after the real one (written later), in other partitions: the
    # old start-up kept whichever partition it happened to read last.
    r2 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use again", timeout=60)
    second = order_events(2, "second")
    insert_events(db, second)
    wait_for(lambda: set(e[0] for e in second) <= set(delivered_ids(broker)), what="delivery")
    assert r2.stop() == 0
    assert "delivered through commit %s" % newest["commit_lsn"] in r2.output(), r2.output()
    ids = delivered_ids(broker)
    assert sorted(ids) == sorted(e[0] for e in first + second), "sent again: stale checkpoint"


def wal_status(db):
    rows = db.pg.sql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = %s",
                     (db.slot,))
    return rows[0][0] if rows else None


def test_invalidated_slot_stops_with_the_way_out(db, broker, registry, run, tmp_path):
    """max_slot_wal_keep_size removed the WAL the slot needed (wal_status
    lost): what it would have sent is gone; say so rather than stream on."""
    cfg, r, _ = deliver_and_stop(db, broker, registry, run, tmp_path)
    db.pg.set_and_reload(max_slot_wal_keep_size="1MB")
    try:
        for _ in range(20):
            if wal_status(db) == "lost":
                break
            insert_events(db, order_events(5, "pushed-out"))
            db.pg.sql("SELECT pg_switch_wal()")
            db.pg.sql("CHECKPOINT")
        assert wal_status(db) == "lost"
    finally:
        db.pg.sql("ALTER SYSTEM RESET max_slot_wal_keep_size")
        db.pg.sql("SELECT pg_reload_conf()")
    r2 = run(cfg)
    rc = wait_exit(r2.proc)
    log = r2.output()
    assert rc not in (None, 0), log
    assert 'replication slot "%s" was invalidated by the server (wal_status=lost' % db.slot in log
    assert "pg_drop_replication_slot('%s')" % db.slot in log
    show = offsets_cmd(r, "show", cfg)
    assert show.returncode == 1 and "wal_status lost" in show.stdout, show.stdout


def test_unreserved_slot_warns_and_sets_the_metric(db, broker, registry, run, tmp_path):
    """wal_status unreserved: the server keeps more WAL for the slot than
    max_slot_wal_keep_size allows and will invalidate it at its next
    checkpoint. Not yet a loss: warn, show it in the metrics, stream on."""
    from pgcluster import free_port
    from test_metrics import get, metric
    cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path)
    port = free_port()
    cfg = outbox_config(db, broker, registry, tmp_path, metrics_port=port)
    db.pg.set_and_reload(max_slot_wal_keep_size="1MB")
    try:
        # New segments, and no checkpoint to remove the old ones yet.
        for _ in range(10):
            if wal_status(db) == "unreserved":
                break
            db.sql("CREATE TEMP TABLE filler AS SELECT g FROM generate_series(1, 20000) g")
            db.pg.sql("SELECT pg_switch_wal()")
        assert wal_status(db) == "unreserved"
        r2 = run(cfg)
        wait_for(lambda: slot_active(db), what="the slot in use")
        wait_for(lambda: metric(get(port, "/metrics")[1], "tidewater_slot_wal_unreserved") == 1,
                 what="the metric")
        batch = order_events(2, "unreserved")
        insert_events(db, batch)
        wait_for(lambda: set(e[0] for e in batch) <= set(delivered_ids(broker)),
                 what="delivery")
        assert r2.stop() == 0
    finally:
        db.pg.sql("ALTER SYSTEM RESET max_slot_wal_keep_size")
        db.pg.sql("SELECT pg_reload_conf()")
    log = r2.output()
    assert log.count('has wal_status=unreserved') == 1, log


@pytest.mark.parametrize("checkpoint_after_switch", [False, True])
def test_failover_to_a_promoted_standby(broker, registry, run, tmp_path,
                                        checkpoint_after_switch):
    """A standby promoted to primary runs on a new timeline. A checkpoint
    written before the point where its history left the old timeline still
    applies (a notice, then streaming goes on); one written after it names
    events from WAL the new primary never had: stop."""
    from conftest import Database
    from pgcluster import PgCluster
    primary = PgCluster(str(tmp_path / "primary")).init().start()
    standby = PgCluster(str(tmp_path / "standby"))
    try:
        primary.create_database("app")
        db = Database(primary, "app", tmp_path)
        cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path)

        standby.init()
        shutil.rmtree(standby.datadir)
        res = standby._run([os.path.join(PG_BIN, "pg_basebackup"), "-D", standby.datadir, "-R",
                            "-X", "stream", "-c", "fast", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                            primary.superuser], check=False)
        assert res.returncode == 0, res.stdout
        with open(os.path.join(standby.datadir, "postgresql.conf"), "a") as f:
            f.write("port = %d\nunix_socket_directories = '%s'\n" % (standby.port,
                                                                      standby.sockdir))
        standby.start()
        wait_for(lambda: standby.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                     (primary.sql("SELECT pg_current_wal_lsn()::text")[0][0],)
                                     )[0][0], what="the standby caught up")
        if checkpoint_after_switch:
            # The standby falls behind; the old primary delivers more.
            standby.stop()
            r1 = run(cfg)
            wait_for(lambda: slot_active(db), what="the slot in use")
            later = order_events(2, "only-on-the-old-primary")
            insert_events(db, later)
            wait_for(lambda: set(e[0] for e in later) <= set(delivered_ids(broker)),
                     what="delivery on the old primary")
            time.sleep(1.5)
            assert r1.stop() == 0
        primary.stop()
        if checkpoint_after_switch:
            standby.start()  # with the old primary gone it cannot catch up
        res = standby._run([os.path.join(PG_BIN, "pg_ctl"), "-D", standby.datadir, "-w",
                            "promote"], check=False)
        assert res.returncode == 0, res.stdout
        # No failover slots in PostgreSQL 15: the operator recreates it.
        standby.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (db.slot,),
                    dbname="app")
        cfg2 = outbox_config(Database(standby, "app", tmp_path), broker, registry, tmp_path,
                             filename="promoted.properties")
        r2 = run(cfg2)
        if checkpoint_after_switch:
            rc = wait_exit(r2.proc)
            log = r2.output()
            assert rc not in (None, 0), log
            assert "on timeline 1, but this server left that timeline at" in log, log
        else:
            # The checkpoint applies on the new timeline (the notice), but
            # the slot created after the promotion starts past whatever the
            # old primary committed after tidewater's last confirmation: a
            # gap only the operator can accept (slot_guard.h).
            rc = wait_exit(r2.proc)
            log = r2.output()
            assert rc not in (None, 0), log
            assert "was written on timeline 1; the server is on timeline 2 since" in log, log
            assert "beyond the highest position tidewater ever confirmed" in log, log
            done = offsets_cmd(r2, "reset", cfg2, "--yes")
            assert done.returncode == 0, done.stdout
            r3 = run(cfg2)
            promoted = Database(standby, "app", tmp_path)
            wait_for(lambda: slot_active(promoted), what="streaming from the new primary")
            after = order_events(2, "after-failover")
            insert_events(promoted, after)
            wait_for(lambda: set(e[0] for e in after) <= set(delivered_ids(broker)),
                     what="delivery after the failover")
            assert r3.stop() == 0
            assert json.load(open(tmp_path / "offsets.json"))["timeline"] == 2
    finally:
        standby.destroy()
        primary.destroy()


# A slot moved by something other than tidewater (slot_guard.h): the server
# never sends what lies before a slot's confirmed position, so a slot
# re-created under the same name, or advanced by hand, has skipped the
# changes in between. The offsets file alone cannot tell (the slot may be
# ahead of it after a crash); the high-water mark of what tidewater ever
# confirmed can.

def recreate_slot(db):
    db.pg.sql("SELECT pg_drop_replication_slot(%s)", (db.slot,))
    db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (db.slot,))


def advance_slot(db):
    # A slot advances only over flushed WAL; the test cluster commits
    # asynchronously.
    target = db.insert_lsn()
    wait_for(lambda: db.sql("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", (target,))[0][0],
             what="WAL flushed")
    db.sql("SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (db.slot, target))


@pytest.mark.parametrize("move", [recreate_slot, advance_slot])
def test_slot_moved_by_someone_else_is_refused_until_reset(db, broker, registry, run,
                                                           tmp_path, move):
    cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path)
    mark = tmp_path / "offsets.json.slot"
    assert mark.exists() and stat.S_IMODE(os.stat(mark).st_mode) == 0o600
    lost = order_events(2, "lost")
    insert_events(db, lost)  # committed while tidewater was stopped...
    move(db)                 # ...and then out of the slot's reach
    confirmed_before = db.slot_flush_lsn()
    r2 = run(cfg)
    rc = wait_exit(r2.proc)
    log = r2.output()
    assert rc not in (None, 0), log
    assert 'replication slot "%s" is confirmed up to' % db.slot in log, log
    assert "beyond the highest position tidewater ever confirmed" in log
    assert "tidewater offsets reset %s --yes" % cfg in log
    assert db.slot_flush_lsn() == confirmed_before, "the slot was confirmed"
    show = offsets_cmd(r, "show", cfg)
    assert "high-water" in show.stdout, show.stdout

    done = offsets_cmd(r, "reset", cfg, "--yes")
    assert done.returncode == 0, done.stdout
    assert "removed the slot's high-water mark" in done.stdout
    assert not mark.exists()
    delivers_again(run, cfg, db, broker, "after the reset")
    # Accepted with the reset: the two events lost with the slot are gone.
    assert not set(e[0] for e in lost) & set(delivered_ids(broker))


def test_restarts_after_idle_promotion_are_not_refused(db, broker, registry, run, tmp_path):
    """The slot follows the server's WAL end while tidewater is idle: that
    is tidewater's own confirmation, recorded first, so a kill -9 right
    after it (no orderly stop, offsets file behind) still restarts."""
    cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path)
    r2 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    # WAL the publication does not carry moves the server's end; idle
    # tidewater confirms it.
    db.sql("CREATE TABLE unrelated (i int); INSERT INTO unrelated SELECT generate_series(1, 1000)")
    target = server_wal(db)
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) >= target, timeout=30,
             what="idle promotion of the slot")
    r2.proc.kill()
    r2.proc.wait()
    delivers_again(run, cfg, db, broker, "after the kill")


def test_exactly_once_notices_a_recreated_slot(db, broker, registry, run, tmp_path):
    cfg, r, first = deliver_and_stop(db, broker, registry, run, tmp_path,
                                     exactly_once_support="required",
                                     offset_storage_topic=OFFSETS,
                                     offset_storage_file_filename=None)
    # Exactly-once keeps its checkpoint in Kafka; the mark lives in state.dir.
    assert (tmp_path / "state").is_dir()
    insert_events(db, order_events(1, "lost"))
    recreate_slot(db)
    r2 = run(cfg)
    rc = wait_exit(r2.proc, timeout=60)
    log = r2.output()
    assert rc not in (None, 0), log
    assert "beyond the highest position tidewater ever confirmed" in log, log
