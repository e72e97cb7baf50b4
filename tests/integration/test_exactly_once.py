"""exactly.once.support=required: records and their source position are
committed in one Kafka transaction, so a crash after Kafka has the records
but before PostgreSQL heard of it duplicates nothing.

The dev broker writes no transaction markers, so what a read_committed
consumer would see is worked out from the checkpoint records
(kafkacheck.committed_offsets)."""
import signal
import time

import pytest

from conftest import OUTBOX_DDL, assert_held_before, outbox_config
from helpers import insert_events, lsn_int, order_events, slot_active, wait_for
from kafkacheck import checkpoints, committed_offsets, consume, headers, topics
from pgcluster import free_port
from test_metrics import get, metric

OFFSETS = "tw-offsets"
TOPIC = "outbox.event.Order"


def eos_config(db, broker, registry, tmp_path, **overrides):
    base = dict(exactly_once_support="required", offset_storage_topic=OFFSETS,
                # A slot confirmed rarely: a restart makes PostgreSQL resend
                # what Kafka already has, which is what must be skipped.
                status_update_interval_ms="3600000")
    base.update(overrides)
    return outbox_config(db, broker, registry, tmp_path, **base)


def delivered(broker):
    if TOPIC not in topics(broker.bootstrap_servers):
        return []
    return consume(broker.bootstrap_servers, [TOPIC], timeout=5, idle=0.5)


def checkpoint_key(db):
    return ["test-" + db.name, {"slot": db.slot}]


def wait_checkpoint_covers(broker, db, n, timeout=30):
    """Until the newest checkpoint's chain covers n data records."""
    def covered():
        recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
        return len([o for o in committed_offsets(recs) if o[0] == TOPIC]) >= n
    wait_for(covered, timeout=timeout, what="a checkpoint covering %d records" % n)


def test_kill_after_commit_duplicates_nothing(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    first = [order_events(3, "a"), order_events(2, "b"), order_events(4, "c")]
    for batch in first:
        insert_events(db, batch)
    wait_checkpoint_covers(broker, db, 9)
    recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
    newest = recs[-1][1]
    assert newest["slot"] == db.slot
    # The precondition that makes this test mean something: PostgreSQL has
    # not been told, so it will resend these transactions after a restart.
    assert lsn_int(db.slot_flush_lsn()) < lsn_int(newest["end_lsn"])
    r.stop(signal.SIGKILL)

    second = order_events(3, "d")
    insert_events(db, second)
    r2 = run(cfg)
    wait_checkpoint_covers(broker, db, 12)
    time.sleep(1)
    assert r2.stop() == 0
    log = r2.output()
    assert "offsets topic %s: delivered through commit" % OFFSETS in log

    msgs = delivered(broker)
    visible = committed_offsets(checkpoints(broker.bootstrap_servers, OFFSETS,
                                            checkpoint_key(db)))
    committed = [m for m in msgs if (m.topic(), m.partition(), m.offset()) in visible]
    ids = [headers(m)["id"] for m in committed]
    expected = [e[0] for batch in first + [second] for e in batch]
    assert sorted(ids) == sorted(expected), "each event exactly once"
    # Nothing was aborted in this run, so even the raw log has no duplicate.
    assert len(msgs) == len(expected)
    # After the orderly stop the slot is confirmed through the checkpoint.
    final = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))[-1][1]
    assert lsn_int(db.slot_flush_lsn()) >= lsn_int(final["end_lsn"])


@pytest.mark.devbroker_only
def test_aborted_transaction_is_sent_again(db, broker, registry, run, tmp_path):
    """Kafka refuses a record: the whole Kafka transaction is aborted, the
    source transactions are read again, and each event is committed once."""
    db.sql(OUTBOX_DDL)
    port = free_port()
    cfg = eos_config(db, broker, registry, tmp_path, metrics_port=port)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    warm = order_events(2, "warm")
    insert_events(db, warm)
    wait_checkpoint_covers(broker, db, 2)
    # The next Produce request fails for good (not retriable).
    broker.request_errors("Produce", "INVALID_RECORD", 1)
    batch = order_events(5, "x")
    insert_events(db, batch)
    wait_checkpoint_covers(broker, db, 7, timeout=60)
    time.sleep(1)
    text = get(port, "/metrics")[1]
    assert metric(text, "tidewater_kafka_transactions_total", '{outcome="aborted"}') >= 1
    assert metric(text, "tidewater_kafka_transactions_total", '{outcome="committed"}') >= 2
    assert r.stop() == 0
    log = r.output()
    assert "Kafka transaction aborted because Kafka refused a record" in log, log
    msgs = delivered(broker)
    visible = committed_offsets(checkpoints(broker.bootstrap_servers, OFFSETS,
                                            checkpoint_key(db)))
    ids = [headers(m)["id"] for m in msgs if (m.topic(), m.partition(), m.offset()) in visible]
    assert sorted(ids) == sorted(e[0] for e in warm + batch)


def test_transactional_id_needs_exactly_once(db, broker, registry, tidewater_bin, tmp_path):
    import subprocess
    cfg = outbox_config(db, broker, registry, tmp_path, producer_transactional_id="x")
    p = subprocess.run([tidewater_bin, "run", cfg], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert "producer.transactional.id is set but exactly-once delivery is off" in p.stderr


@pytest.mark.devbroker_only
def test_stop_after_repeated_aborts_keeps_the_aborted_transaction(db, broker, registry, run,
                                                                  tmp_path):
    """Kafka refuses every attempt: after ten aborts tidewater stops, and the
    slot stays before the transaction it never delivered (the pipeline had
    dropped it and looked idle, and the stop used to confirm the server's
    WAL end, past it: lost on the next start)."""
    db.sql(OUTBOX_DDL)
    # Reconnects back off up to 1 s, so ten aborts take seconds, not minutes.
    cfg = eos_config(db, broker, registry, tmp_path, retriable_restart_connector_wait_ms="1000")
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    insert_events(db, order_events(2, "warm"))
    wait_checkpoint_covers(broker, db, 2)
    broker.request_errors("Produce", "INVALID_RECORD", 40)
    insert_events(db, order_events(3, "x"))
    commit_end = db.insert_lsn()
    assert r.proc.wait(timeout=60) == 1
    assert "10 Kafka transactions in a row had to be aborted" in r.output()
    assert_held_before(db, commit_end)
