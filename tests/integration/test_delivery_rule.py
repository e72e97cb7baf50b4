"""The delivery rule: the slot (and the checkpoint) never move past an event
Kafka does not hold — whatever the order of faults, stops and messages.
Each test reproduces a way events were once lost."""
import json
import re
import signal
import time
import uuid

import pytest

from conftest import OUTBOX_DDL, outbox_config
from helpers import insert_events, lsn_int, order_events, slot_active, wait_for
from kafkacheck import outbox_ids


def big_transaction(db, rows, aggregatetype="A"):
    """One transaction of `rows` outbox rows (the server streams it: the
    test cluster has logical_decoding_work_mem=64kB). Returns the LSN read
    just after its commit."""
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), %s, 'k-' || (g %% 50), 'E', "
           "jsonb_build_object('seq', g, 'pad', repeat('p', 100)) "
           "FROM generate_series(1, %s) g", (aggregatetype, rows))
    return db.insert_lsn()


def test_sigterm_while_kafka_is_down_mid_streamed_transaction_holds_the_slot(
        db, broker, registry, run, tmp_path):
    """Case 0 of the delivery-rule issue: a large streamed transaction, the
    broker down, the producer queue full, SIGTERM. The stop must not confirm
    the slot past the undelivered transaction, and a restart delivers it."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path,
                        producer_queue_buffering_max_messages="2000",
                        shutdown_timeout_ms="2000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    # Warm up: topic and schemas exist, the slot has moved once.
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'k-0', 'E', '{\"seq\": 0}')",
           (str(uuid.uuid4()),))
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.broker_down(1)
    end = big_transaction(db, 20000)
    time.sleep(3)  # the stream commit arrives and the queue fills
    assert r1.stop(signal.SIGTERM) == 0
    flushed = db.slot_flush_lsn()
    assert lsn_int(flushed) < lsn_int(end), \
        "confirmed %s, past the undelivered transaction ending at %s\n%s" % (
            flushed, end, r1.output()[-3000:])
    broker.broker_up(1)
    r2 = run(cfg)
    ids = outbox_ids(broker, ["outbox.event.A"], expect=20001, timeout=120)
    assert len(set(ids)) == 20001, "%d of 20001 events\n%s" % (len(set(ids)),
                                                                r2.output()[-3000:])
    assert r2.stop() == 0


@pytest.mark.devbroker_only
def test_message_sharing_the_commit_lsn_does_not_cover_the_transaction(
        db, broker, registry, run, tmp_path):
    """Case 2: a non-transactional logical message written just before a
    transaction's commit has the commit's LSN. Delivering the message must
    not confirm (or checkpoint) the transaction, whose record is stuck on a
    leaderless partition; after kill -9 and a restart it arrives."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path,
                        transforms_outbox_message_prefix="outbox")
    broker.create_topic("outbox.event.Held", 1)
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    broker.set_leader("outbox.event.Held", 0, "none")
    held = str(uuid.uuid4())
    conn = db.connect()
    conn.autocommit = False  # one transaction: the message just before its commit
    with conn.cursor() as cur:
        cur.execute("INSERT INTO outbox VALUES (%s, 'Held', 'h-1', 'E', '{\"seq\": 1}')",
                    (held,))
        cur.execute("SELECT pg_logical_emit_message(false, 'outbox', %s)",
                    (json.dumps({"id": str(uuid.uuid4()), "aggregatetype": "Msg",
                                 "aggregateid": "m-1", "type": "E",
                                 "payload": {"seq": 1}}),))
    conn.commit()
    conn.close()
    assert len(outbox_ids(broker, ["outbox.event.Msg"], expect=1)) == 1
    time.sleep(3)  # several status intervals and offset flushes
    r1.stop(signal.SIGKILL)
    broker.set_leader("outbox.event.Held", 0, 1)
    r2 = run(cfg)
    ids = outbox_ids(broker, ["outbox.event.Held"], expect=1, timeout=30)
    assert ids == [held], "the transaction after the message was lost\n" + r2.output()[-3000:]
    assert r2.stop() == 0


@pytest.mark.devbroker_only
def test_exactly_once_aborts_in_a_row_stop_without_confirming(db, broker, registry, run,
                                                               tmp_path):
    """Case 3: every Kafka transaction is refused, so tidewater aborts ten
    in a row and stops. An aborted transaction once emptied the tracker,
    the pipeline looked idle, and the stop confirmed the slot to the
    server's WAL end — past the events it never delivered."""
    from test_exactly_once import eos_config, wait_checkpoint_covers
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path, status_update_interval_ms="500",
                     retriable_restart_connector_wait_ms="1000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    insert_events(db, order_events(2, "warm"))
    wait_checkpoint_covers(broker, db, 2)
    broker.request_errors("Produce", "INVALID_RECORD", 1000)
    insert_events(db, order_events(3, "refused"))
    end = db.insert_lsn()
    assert r1.proc.wait(timeout=120) == 1
    log = r1.output()
    assert "Kafka transactions in a row had to be aborted" in log, log[-3000:]
    flushed = db.slot_flush_lsn()
    assert lsn_int(flushed) < lsn_int(end), \
        "confirmed %s, past the refused transaction ending at %s\n%s" % (flushed, end,
                                                                         log[-3000:])
    m = re.search(r"confirmed (\S+) to the server", log)
    assert m is None or lsn_int(m.group(1)) < lsn_int(end), log[-2000:]


@pytest.mark.devbroker_only
def test_exactly_once_sigterm_with_a_doomed_kafka_transaction(db, broker, registry, run,
                                                               tmp_path):
    """Case 3: SIGTERM while the open Kafka transaction is doomed (a record
    refused). The stop aborts it and must not confirm past it; the restart
    delivers its events."""
    from test_exactly_once import eos_config, wait_checkpoint_covers
    db.sql(OUTBOX_DDL)
    # Kafka transactions stay open for 30 s: the stop finds one doomed.
    cfg = eos_config(db, broker, registry, tmp_path, status_update_interval_ms="500",
                     transaction_boundary="interval",
                     transaction_boundary_interval_ms="30000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    broker.request_errors("Produce", "INVALID_RECORD", 1)
    insert_events(db, order_events(3, "doomed"))
    end = db.insert_lsn()
    time.sleep(3)  # the refusal arrives; the Kafka transaction stays open
    assert r1.stop(signal.SIGTERM) == 0
    flushed = db.slot_flush_lsn()
    assert lsn_int(flushed) < lsn_int(end), \
        "confirmed %s, past the aborted transaction ending at %s\n%s" % (
            flushed, end, r1.output()[-3000:])
    r2 = run(cfg)
    wait_checkpoint_covers(broker, db, 3, timeout=90)
    assert r2.stop() == 0


@pytest.mark.devbroker_only
def test_orderly_stop_mid_transaction_finishes_it(db, broker, registry, run, tmp_path):
    """A stop request while a large transaction is being delivered to a slow
    broker lets it finish (shutdown.timeout.ms allows), so the restart sends
    nothing twice — once every record of it was sent again."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, shutdown_timeout_ms="120000",
                        producer_queue_buffering_max_messages="1000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'k-0', 'E', '{\"seq\": 0}')",
           (str(uuid.uuid4()),))
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.rtt("all", 200)
    end = big_transaction(db, 20000)
    time.sleep(3)  # the transaction is being produced, slowly
    assert r1.stop(signal.SIGTERM, timeout=180) == 0
    log = r1.output()
    assert "finishing the current transaction" in log, log[-2000:]
    assert lsn_int(db.slot_flush_lsn()) >= lsn_int(end), log[-2000:]
    broker.rtt("all", 0)
    r2 = run(cfg)
    db.sql("INSERT INTO outbox VALUES (%s, 'A', 'k-1', 'E', '{\"seq\": 1}')",
           (str(uuid.uuid4()),))
    ids = outbox_ids(broker, ["outbox.event.A"], expect=20002, timeout=120)
    assert len(ids) == len(set(ids)) == 20002, "%d records, %d distinct" % (len(ids),
                                                                            len(set(ids)))
    assert r2.stop() == 0
