"""How `tidewater run` waits: delivery reports wake an idle loop at once,
and a busy stream read in gulps (SO_RCVLOWAT) still delivers its last,
smaller gulp without waiting for more data."""
import re
import time

from conftest import OUTBOX_DDL, outbox_config
from helpers import lsn_int, slot_active, wait_for
from kafkacheck import consume, topics


def latency_ms(output):
    """tidewater's own commit-to-ack p50 and p99 from its stop log line."""
    m = re.search(r"commit-to-ack latency p50 ([\d.]+) ms, p99 ([\d.]+) ms", output)
    assert m, "no latency line in the log:\n" + output
    return float(m.group(1)), float(m.group(2))


def test_latency_of_single_rows_on_an_idle_stream(db, broker, registry, run, tmp_path):
    """Between rows the loop sleeps in poll(); the delivery report must wake
    it (not the read's 100 ms timeout, nor the 16th message after it)."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path)
    runner = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot to become active")
    # Warm-up: schemas registered, topic metadata fetched.
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
           "VALUES ('Order', 'o-0', 'Created', '{}')")
    consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=1, timeout=30, idle=0.2)
    for i in range(1, 31):
        # Committed synchronously: otherwise the commit may wait for the WAL
        # writer (wal_writer_delay) before the walsender sees it.
        db.sql("SET synchronous_commit = on; "
               "INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
               "VALUES ('Order', %s, 'Created', '{}')", ("o-%d" % i,))
        time.sleep(0.06)
    end = db.insert_lsn()
    wait_for(lambda: db.slot_flush_lsn() and lsn_int(db.slot_flush_lsn()) >= lsn_int(end),
             what="the slot to be confirmed past the last row")
    assert runner.stop() == 0
    p50, p99 = latency_ms(runner.output())
    # A few milliseconds when reports wake the loop (linger.ms=5); about
    # the gap between rows (60 ms) when they wait for the next row to wake it.
    assert p50 < 25, "commit-to-ack p50 %.1f ms, p99 %.1f ms" % (p50, p99)


def test_latency_a_busy_drain_ends_with_its_last_partial_gulp(db, broker, registry, run,
                                                                tmp_path):
    """WAL written before tidewater starts arrives as fast as the server can
    send it: the socket is read in gulps of at least 16 KB. The stream's
    tail is smaller than that and must still be read (and confirmed)
    promptly, with no more WAL coming to fill the gulp."""
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path)
    # Create the slot, then stop: the rows below wait in the WAL.
    runner = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot to become active")
    assert runner.stop() == 0
    for t in range(40):
        db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
               "SELECT 'Order', 'o-' || g, 'Created', jsonb_build_object('n', g, 't', %s) "
               "FROM generate_series(1, 250) g", (t,))
    # A last, small transaction: far below the 16 KB low mark.
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
           "VALUES ('Order', 'last', 'Created', '{}')")
    end = db.insert_lsn()
    runner = run(cfg)
    # The server's next keepalive is up to wal_sender_timeout / 2 away: the
    # tail must not wait for more bytes to fill a gulp.
    wait_for(lambda: "outbox.event.Order" in topics(broker.bootstrap_servers),
             what="the topic")
    msgs = consume(broker.bootstrap_servers, ["outbox.event.Order"], expect=10001, timeout=60,
                   idle=0.5)
    assert len(msgs) == 10001
    assert len({(m.key(), m.value()) for m in msgs}) == 10001
    assert runner.stop() == 0
    assert lsn_int(db.slot_flush_lsn()) >= lsn_int(end)
