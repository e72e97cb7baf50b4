"""An adversarial review of the delivery rule (issue 10): faults the first
tests of test_delivery_rule.py do not reach. PostgreSQL is the oracle: a
second slot gives each transaction's commit LSN, and PostgreSQL resends a
transaction after a restart iff its commit LSN >= the slot's
confirmed_flush_lsn."""
import json
import signal
import time
import uuid

from conftest import OUTBOX_DDL, outbox_config
from helpers import insert_events, lsn_int, order_events, slot_active, wait_for
from kafkacheck import headers, outbox_ids


def insert_one(db, aggregatetype="A", seq=0):
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, %s, 'k-0', 'E', %s)",
           (eid, aggregatetype, json.dumps({"seq": seq})))
    return eid


class Oracle:
    """A second pgoutput slot on the same publication: the commit LSN
    (Begin's final_lsn) of every transaction written after its creation."""

    def __init__(self, db):
        self.db = db
        self.slot = "oracle_" + db.name
        db.sql("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (self.slot,))

    def commit_lsns(self, expect, timeout=30):
        """The commit LSNs of the first `expect` transactions. The test
        cluster commits asynchronously, and a slot reads only flushed WAL:
        wait for the WAL writer."""
        deadline = time.time() + timeout
        while True:
            rows = self.db.sql("SELECT data FROM pg_logical_slot_peek_binary_changes(%s, "
                               "NULL, NULL, 'proto_version', '1', 'publication_names', %s)",
                               (self.slot, self.db.publication))
            lsns = [int.from_bytes(bytes(d)[1:9], "big") for (d,) in rows
                    if bytes(d)[:1] == b"B"]
            if len(lsns) >= expect or time.time() > deadline:
                assert len(lsns) >= expect, "the oracle slot saw %d of %d transactions" % (
                    len(lsns), expect)
                return lsns[:expect]
            time.sleep(0.1)

    def drop(self):
        self.db.sql("SELECT pg_drop_replication_slot(%s)", (self.slot,))


def assert_resent(db, commit_lsn, log):
    """PostgreSQL sends the transaction committed at commit_lsn again."""
    flushed = lsn_int(db.slot_flush_lsn())
    assert commit_lsn >= flushed, \
        "confirmed %X/%X, past the commit %X/%X of an undelivered transaction\n%s" % (
            flushed >> 32, flushed & 0xFFFFFFFF, commit_lsn >> 32, commit_lsn & 0xFFFFFFFF,
            log[-3000:])


def test_tolerance_all_never_skips_a_record_that_only_timed_out(db, broker, registry, run,
                                                                 tmp_path):
    """errors.tolerance=all skips records Kafka refused; one that a broker
    kept answering with a retriable error until producer.message.timeout.ms
    ran out was never refused, and must be sent again after a restart."""
    db.sql(OUTBOX_DDL)
    r1 = run(outbox_config(db, broker, registry, tmp_path, errors_tolerance="all",
                           producer_message_timeout_ms="2000",
                           producer_retry_backoff_ms="100"))
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.request_errors("Produce", "NOT_ENOUGH_REPLICAS", 30)
    lost = insert_one(db, seq=1)
    commit = oracle.commit_lsns(2)[-1]
    time.sleep(6)  # past message.timeout.ms; several status updates
    log = r1.output()
    r1.stop(signal.SIGKILL)
    oracle.drop()
    assert "skipped (errors.tolerance=all)" not in log, log[-3000:]
    assert_resent(db, commit, log)
    # Retried without a timeout until the broker takes it.
    r2 = run(outbox_config(db, broker, registry, tmp_path, errors_tolerance="all",
                           producer_retry_backoff_ms="100"))
    ids = outbox_ids(broker, ["outbox.event.A"], expect=2, timeout=60)
    assert lost in ids, r2.output()[-3000:]
    assert r2.stop() == 0


def test_tolerance_all_never_skips_a_record_that_ran_out_of_retries(db, broker, registry, run,
                                                                     tmp_path):
    """The same with producer.retries set low: the broker's last answer
    (NOT_ENOUGH_REPLICAS, retriable) comes back as the record's error.
    Kafka never refused the record — it was an outage — so
    errors.tolerance=all must not skip it."""
    db.sql(OUTBOX_DDL)
    r1 = run(outbox_config(db, broker, registry, tmp_path, errors_tolerance="all",
                           producer_retries="2", producer_retry_backoff_ms="100"))
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.request_errors("Produce", "NOT_ENOUGH_REPLICAS", 3)
    lost = insert_one(db, seq=1)
    commit = oracle.commit_lsns(2)[-1]
    time.sleep(4)  # the retries run out; several status updates
    log = r1.output()
    r1.stop(signal.SIGKILL)
    oracle.drop()
    assert "skipped (errors.tolerance=all)" not in log, log[-3000:]
    assert_resent(db, commit, log)
    r2 = run(outbox_config(db, broker, registry, tmp_path, errors_tolerance="all"))
    ids = outbox_ids(broker, ["outbox.event.A"], expect=2, timeout=30)
    assert lost in ids, r2.output()[-3000:]
    assert r2.stop() == 0


def delivered_counts(log):
    """(records, transactions) from the stop's summary line."""
    import re
    m = re.findall(r"(\d+) records in (\d+) transactions delivered", log)
    assert m, log[-2000:]
    return int(m[-1][0]), int(m[-1][1])


def test_sigterm_while_a_streamed_transaction_is_still_open(db, broker, registry, run,
                                                             tmp_path):
    """SIGTERM while the server is still streaming chunks of a transaction
    that has not committed (tidewater spools them): the stop must leave the
    slot before the commit that comes later, and a restart delivers it."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, shutdown_timeout_ms="2000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("INSERT INTO outbox SELECT gen_random_uuid(), 'A', 'k-' || (g % 50), 'E', "
                    "jsonb_build_object('seq', g, 'pad', repeat('p', 100)) "
                    "FROM generate_series(1, 5000) g")
        time.sleep(2)  # the server streams the first chunks; tidewater spools them
        assert r1.stop(signal.SIGTERM) == 0
        cur.execute("INSERT INTO outbox VALUES (gen_random_uuid(), 'A', 'k-x', 'E', '{}')")
    conn.commit()
    conn.close()
    commit = oracle.commit_lsns(2)[-1]
    oracle.drop()
    log = r1.output()
    assert_resent(db, commit, log)
    r2 = run(cfg)
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) > commit, timeout=60,
             what="the slot past the streamed transaction")
    assert r2.stop() == 0
    assert delivered_counts(r2.output()) == (5001, 1), r2.output()[-2000:]


def test_case0_sigterm_while_kafka_stalls_a_large_streamed_transaction(db, broker, registry,
                                                                        run, tmp_path):
    """Issue 10's case 0 as reported: a large transaction streamed by the
    server, the broker stalled (slow, not down), the producer queue full,
    SIGTERM. Judged by PostgreSQL: the confirmed position must not pass the
    transaction's commit LSN; a restart delivers all of it."""
    rows = 300000
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path,
                        producer_queue_buffering_max_messages="2000",
                        shutdown_timeout_ms="2000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.rtt("all", 3000)
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'A', 'k-' || (g %% 50), 'E', "
           "jsonb_build_object('seq', g, 'pad', repeat('p', 100)) "
           "FROM generate_series(1, %s) g", (rows,))
    commit = oracle.commit_lsns(2)[-1]
    wait_for(lambda: "streaming -> paused" in r1.output(), timeout=60,
             what="the producer queue full")
    assert r1.stop(signal.SIGTERM) == 0
    oracle.drop()
    log = r1.output()
    assert_resent(db, commit, log)
    broker.rtt("all", 0)
    r2 = run(cfg)
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) > commit, timeout=120,
             what="the slot past the large transaction")
    assert r2.stop() == 0
    assert delivered_counts(r2.output()) == (rows, 1), r2.output()[-2000:]


def test_postgres_restart_with_kafka_down_then_sigterm_in_the_reconnect_drain(
        db, broker, registry, run, tmp_path):
    """Records in flight to a broker that is down, PostgreSQL restarts:
    tidewater waits in its reconnect drain; SIGTERM there. Nothing of the
    undelivered transactions may be confirmed or checkpointed, and a
    restart delivers them."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, shutdown_timeout_ms="2000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.broker_down(1)
    held = [insert_one(db, seq=i) for i in range(1, 4)]
    commits = oracle.commit_lsns(4)
    time.sleep(2)  # status updates while the records are in flight
    # Not "fast": a fast shutdown waits for every walsender's client to
    # confirm all it was sent, which tidewater rightly never does while
    # Kafka is down (the shutdown hangs). A crash restart, then.
    db.pg.restart("immediate")
    wait_for(lambda: "reconnecting in" in r1.output(), what="the reconnect")
    time.sleep(2)  # inside the drain, which waits for Kafka
    assert r1.stop(signal.SIGTERM) == 0
    oracle.drop()
    log = r1.output()
    assert_resent(db, commits[1], log)
    with open(str(tmp_path / "offsets.json")) as f:
        ckpt = json.load(f)
    assert lsn_int(ckpt["end_lsn"]) <= commits[1], ckpt
    broker.broker_up(1)
    r2 = run(cfg)
    ids = outbox_ids(broker, ["outbox.event.A"], expect=4, timeout=60)
    assert set(held) <= set(ids), r2.output()[-3000:]
    assert r2.stop() == 0


def test_tail_ack_stopping_at_a_message_that_shares_the_commit_lsn(db, tail):
    """`tail --ack` stopped right after a non-transactional message written
    just before a COMMIT (so its LSN is that commit's LSN): the confirmed
    position covers the message but not the transaction, whose row the
    next `tail --ack` prints."""
    db.sql("CREATE TABLE t (id int PRIMARY KEY)")
    cfg = db.config(publication_autocreate_mode="filtered", table_include_list="public.t")
    assert tail(cfg, endpos=db.insert_lsn()).returncode == 0
    oracle = Oracle(db)
    conn = db.connect()
    conn.autocommit = False
    with conn.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
        cur.execute("SELECT pg_logical_emit_message(false, 'ping', 'just before the commit')")
    conn.commit()
    conn.close()
    commit = oracle.commit_lsns(1)[0]
    oracle.drop()
    seen = tail(cfg, endpos=db.insert_lsn())  # without --ack: look only
    msg = [e for e in seen.events if e["op"] == "m"]
    assert len(msg) == 1 and lsn_int(msg[0]["lsn"]) == commit, seen.events
    first = tail(cfg, endpos=msg[0]["lsn"], ack=True)
    assert first.returncode == 0, first.stderr
    assert [e["op"] for e in first.events] == ["m"], first.events
    assert lsn_int(db.slot_flush_lsn()) <= commit, first.stderr
    second = tail(cfg, endpos=db.insert_lsn(), ack=True)
    assert [e.get("after", {}).get("id") for e in second.rows(table="t")] == [1], \
        second.events


def test_dead_letter_topic_without_a_leader_holds_the_slot(db, broker, registry, run,
                                                           tmp_path):
    """A record Kafka refuses goes to the dead-letter topic — which has no
    leader, so the copy waits in the queue. Until it is acknowledged the
    transaction is not delivered: the slot stays before it (kill -9), and a
    restart sends the event again."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, errors_tolerance="all",
                        errors_deadletterqueue_topic_name="dlq")
    broker.create_topic("dlq", 1)
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.set_leader("dlq", 0, "none")
    broker.request_errors("Produce", "INVALID_RECORD", 1)
    refused = insert_one(db, seq=1)
    commit = oracle.commit_lsns(2)[-1]
    wait_for(lambda: "sent to the dead-letter topic" in r1.output(), timeout=20,
             what="the refused record diverted")
    time.sleep(3)  # status updates and offset flushes with the copy in the queue
    log = r1.output()
    r1.stop(signal.SIGKILL)
    oracle.drop()
    assert_resent(db, commit, log)
    with open(str(tmp_path / "offsets.json")) as f:
        assert lsn_int(json.load(f)["end_lsn"]) <= commit
    broker.set_leader("dlq", 0, 1)
    r2 = run(cfg)
    ids = outbox_ids(broker, ["outbox.event.A"], expect=2, timeout=30)
    assert refused in ids, r2.output()[-3000:]
    assert r2.stop() == 0


def test_exactly_once_sigterm_mid_streamed_transaction_small_queue(db, broker, registry, run,
                                                                    tmp_path):
    """Exactly-once, a streamed transaction larger than the producer queue,
    a slow broker, SIGTERM mid-replay with little shutdown time: the Kafka
    transaction cannot finish. Neither the slot nor the checkpoint may pass
    the source transaction, and the restart commits each event once."""
    from test_exactly_once import (OFFSETS, TOPIC, checkpoint_key, delivered, eos_config,
                                   wait_checkpoint_covers)
    from kafkacheck import checkpoints, committed_offsets
    rows = 4000
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path, status_update_interval_ms="500",
                     producer_queue_buffering_max_messages="500",
                     shutdown_timeout_ms="1500")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    oracle = Oracle(db)
    warm = order_events(2, "warm")
    insert_events(db, warm)
    wait_checkpoint_covers(broker, db, 2)
    broker.rtt("all", 300)
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'Order', 'order-' || (g %% 3), "
           "'Created', jsonb_build_object('i', g, 'pad', repeat('p', 100)) "
           "FROM generate_series(1, %s) g", (rows,))
    commit = oracle.commit_lsns(2)[-1]
    wait_for(lambda: "streaming -> paused" in r1.output(), timeout=30,
             what="the producer queue full")
    assert r1.stop(signal.SIGTERM) == 0
    oracle.drop()
    log = r1.output()
    assert_resent(db, commit, log)
    recs = checkpoints(broker.bootstrap_servers, OFFSETS, checkpoint_key(db))
    assert recs and lsn_int(recs[-1][1]["end_lsn"]) <= commit, (recs[-1:], log[-3000:])
    broker.rtt("all", 0)
    r2 = run(cfg)
    wait_checkpoint_covers(broker, db, rows + 2, timeout=90)
    assert r2.stop() == 0
    visible = committed_offsets(checkpoints(broker.bootstrap_servers, OFFSETS,
                                            checkpoint_key(db)))
    ids = [headers(m)["id"] for m in delivered(broker)
           if (m.topic(), m.partition(), m.offset()) in visible]
    assert len(ids) == len(set(ids)) == rows + 2, (len(ids), len(set(ids)))
    assert TOPIC == "outbox.event.Order"


def test_stop_while_a_streamed_commit_waits_for_room_in_the_tracker(db, broker, registry, run,
                                                                    tmp_path):
    """A streamed transaction's Stream Commit arrives while the delivery
    tracker is full (max.inflight.transactions reached, Kafka down), and a
    stop request's grace time runs out before it could begin. The records
    in flight are then acknowledged during the final drain: the pipeline
    looks settled, but the streamed transaction was never delivered — the
    slot must stay before its commit."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, max_inflight_transactions="1",
                        shutdown_timeout_ms="10000")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    oracle = Oracle(db)
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.broker_down(1)
    insert_one(db, seq=1)  # in flight: the tracker is full
    db.sql("INSERT INTO outbox SELECT gen_random_uuid(), 'A', 'k-' || (g % 50), 'E', "
           "jsonb_build_object('seq', g, 'pad', repeat('p', 100)) "
           "FROM generate_series(1, 2000) g")
    commit = oracle.commit_lsns(3)[-1]
    wait_for(lambda: "streaming -> paused" in r1.output(), timeout=30,
             what="the Stream Commit waiting for room")
    r1.proc.send_signal(signal.SIGTERM)
    wait_for(lambda: "SIGTERM received, stopping" in r1.output(), timeout=30,
             what="the grace time over")
    broker.broker_up(1)  # the final drain gets the acknowledgement
    assert r1.stop(timeout=30) == 0
    oracle.drop()
    log = r1.output()
    assert "2 records in 2 transactions delivered" in log, log[-3000:]
    assert_resent(db, commit, log)
    r2 = run(cfg)
    wait_for(lambda: lsn_int(db.slot_flush_lsn()) > commit, timeout=60,
             what="the slot past the streamed transaction")
    assert r2.stop() == 0
    assert delivered_counts(r2.output()) == (2000, 1), r2.output()[-2000:]


def test_stop_while_a_message_waits_for_room_in_the_tracker(db, broker, registry, run,
                                                            tmp_path):
    """The same for a non-transactional logical message: it waits for room
    in the full tracker, the stop's grace time runs out, the final drain
    empties the tracker. The message was never produced: the slot must not
    cover its LSN (PostgreSQL would not send it again)."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, max_inflight_transactions="1",
                        shutdown_timeout_ms="10000", transforms_outbox_message_prefix="outbox")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    insert_one(db)
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    broker.broker_down(1)
    insert_one(db, seq=1)  # in flight: the tracker is full
    mid = str(uuid.uuid4())
    lsn = db.sql("SELECT pg_logical_emit_message(false, 'outbox', %s)::text",
                 (json.dumps({"id": mid, "aggregatetype": "Msg", "aggregateid": "m-1",
                              "type": "E", "payload": {"seq": 1}}),))[0][0]
    wait_for(lambda: "streaming -> paused" in r1.output(), timeout=30,
             what="the message waiting for room")
    r1.proc.send_signal(signal.SIGTERM)
    wait_for(lambda: "SIGTERM received, stopping" in r1.output(), timeout=30,
             what="the grace time over")
    broker.broker_up(1)  # the final drain gets the acknowledgement
    assert r1.stop(timeout=30) == 0
    log = r1.output()
    assert "2 records in 2 transactions delivered" in log, log[-3000:]
    flushed = db.slot_flush_lsn()
    assert lsn_int(flushed) < lsn_int(lsn), \
        "confirmed %s, covering the message at %s that was never produced\n%s" % (
            flushed, lsn, log[-3000:])
    r2 = run(cfg)
    assert outbox_ids(broker, ["outbox.event.Msg"], expect=1, timeout=30) == [mid], \
        r2.output()[-3000:]
    assert r2.stop() == 0


def test_offsets_file_unwritable_across_reconnects(db, broker, registry, run, tmp_path):
    """The offsets file cannot be replaced (here: a directory took its
    place) while events flow to a slow broker, which then goes down:
    tidewater reconnects again and again (each session fails at its first
    offsets flush, with records of earlier sessions still in flight), then
    is killed. Nothing may be confirmed past what Kafka holds: every event
    arrives once the file can be written again."""
    import os
    import shutil
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path, offset_flush_interval_ms="0")
    r1 = run(cfg)
    wait_for(lambda: slot_active(db), what="slot active")
    ids = [insert_one(db)]
    assert len(outbox_ids(broker, ["outbox.event.A"], expect=1)) == 1
    path = str(tmp_path / "offsets.json")
    wait_for(lambda: os.path.isfile(path), what="the offsets file")
    with open(path) as f:
        saved = f.read()
    os.remove(path)
    os.mkdir(path)  # rename() onto a directory fails
    with open(os.path.join(path, "keep"), "w") as f:
        f.write("x")
    broker.rtt("all", 700)
    for i in range(1, 6):
        ids.append(insert_one(db, seq=i))
        time.sleep(0.3)
    wait_for(lambda: r1.output().count("reconnecting in") >= 2, timeout=30,
             what="reconnects on the unwritable offsets file")
    broker.broker_down(1)
    time.sleep(2)
    r1.stop(signal.SIGKILL)
    log = r1.output()
    broker.broker_up(1)
    broker.rtt("all", 0)
    shutil.rmtree(path)
    with open(path, "w") as f:
        f.write(saved)
    r2 = run(cfg)
    got = outbox_ids(broker, ["outbox.event.A"], expect=len(ids), timeout=30)
    assert set(ids) <= set(got), (r2.output()[-3000:], log[-3000:])
    assert r2.stop() == 0
