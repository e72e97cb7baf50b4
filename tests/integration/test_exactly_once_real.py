"""Exactly-once on Apache Kafka (TW_BROKER=kafka): what a read_committed
consumer sees, with real transaction markers and real fencing — the
things librdkafka's mock cannot show (test_exactly_once.py works them out
from the checkpoint records instead).

  - repeated kill -9 of tidewater under a writer: every event exactly once;
  - a Kafka transaction the broker makes tidewater abort: its records are in
    the log but invisible, and the retry commits each event once;
  - a second tidewater with the same transactional.id fences the first (a
    zombie), which stops with a clear error and commits nothing more."""
import os
import random
import signal
import subprocess
import time
import uuid

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from conftest import OUTBOX_DDL, assert_held_before
from helpers import insert_events, order_events, slot_active, wait_for
from kafkacheck import consume, headers
from test_exactly_once import eos_config
from test_run_faults import TOPICS, Writer, check_order, collect

pytestmark = pytest.mark.realkafka_only


def ids_of(msgs):
    return [headers(m)["id"] for m in msgs]


def visible(broker, topic, expect=None, isolation="read_committed", timeout=20):
    return consume(broker.bootstrap_servers, [topic], expect=expect, timeout=timeout, idle=1.0,
                   isolation=isolation)


def test_kill9_repeatedly_every_event_exactly_once(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    cfg = eos_config(db, broker, registry, tmp_path)
    writer = Writer(db)
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    writer.start()
    rng = random.Random(12)
    for _ in range(4):
        time.sleep(rng.uniform(1.0, 2.0))
        r.stop(signal.SIGKILL)
        r = run(cfg)
    time.sleep(1)
    writer.stop_flag.set()
    writer.join()
    records = collect(broker, registry, expect=len(writer.committed), timeout=90)
    ids = [rec[0] for rec in records]
    assert len(writer.committed) > 100
    assert len(ids) == len(set(ids)), "a read_committed consumer sees a duplicate"
    assert set(ids) == {c[0] for c in writer.committed}
    check_order(records)
    assert r.stop() == 0
    # The raw log may hold more (records of transactions a kill left open,
    # aborted by the next start); never less.
    raw = consume(broker.bootstrap_servers, TOPICS, expect=len(ids), timeout=30, idle=1.0,
                  isolation="read_uncommitted")
    assert len(raw) >= len(ids)


def test_records_of_an_aborted_kafka_transaction_are_invisible(db, broker, registry, run,
                                                               tmp_path):
    """The broker refuses one record of a transaction (its topic takes at
    most 1000-byte batches): the Kafka transaction is aborted, tried again,
    and after ten aborts in a row tidewater stops without advancing. The
    other records of those transactions were written but stay invisible.
    Once the topic accepts the record, each event is committed once."""
    admin = AdminClient({"bootstrap.servers": broker.bootstrap_servers})
    admin.create_topics([NewTopic("outbox.event.Big", 1, 1,
                                  config={"max.message.bytes": "1000"})])["outbox.event.Big"] \
        .result(timeout=30)
    db.sql(OUTBOX_DDL)
    # Reconnects back off up to 1 s, so ten aborts take seconds, not minutes.
    cfg = eos_config(db, broker, registry, tmp_path, retriable_restart_connector_wait_ms="1000")
    r = run(cfg)
    wait_for(lambda: slot_active(db), what="the slot in use")
    warm = order_events(2, "warm")
    insert_events(db, warm)
    wait_for(lambda: len(visible(broker, "outbox.event.Order", expect=2, timeout=5)) == 2,
             what="the first events committed")

    doomed = order_events(3, "doomed")
    # Random, so compression cannot shrink it under the limit.
    big = (str(uuid.uuid4()), "Big", "big-1", "Created", {"blob": os.urandom(4000).hex()})
    insert_events(db, doomed + [big])
    assert r.proc.wait(timeout=120) != 0
    log = r.output()
    assert "Kafka transactions in a row had to be aborted" in log, log[-3000:]
    assert "stopping without advancing the slot" in log
    r.stop()

    committed = ids_of(visible(broker, "outbox.event.Order", expect=2))
    raw = ids_of(visible(broker, "outbox.event.Order", expect=2 + 3,
                         isolation="read_uncommitted"))
    doomed_ids = {e[0] for e in doomed}
    assert doomed_ids <= set(raw), "the aborted records were never written: nothing was shown"
    assert sorted(committed) == sorted(e[0] for e in warm)
    assert not doomed_ids & set(committed)

    # The topic now takes the record: one more start delivers the rest.
    res = ConfigResource(ConfigResource.Type.TOPIC, "outbox.event.Big",
                         set_config={"max.message.bytes": "1000000"})
    admin.alter_configs([res])[res].result(timeout=30)
    r2 = run(cfg)
    wait_for(lambda: len(visible(broker, "outbox.event.Big", expect=1, timeout=5)) == 1,
             timeout=60, what="the large event committed")
    assert r2.stop() == 0
    committed = ids_of(visible(broker, "outbox.event.Order", expect=5))
    assert sorted(committed) == sorted(e[0] for e in warm + doomed), "each event exactly once"
    assert ids_of(visible(broker, "outbox.event.Big", expect=1)) == [big[0]]
    raw = ids_of(visible(broker, "outbox.event.Order", expect=len(committed),
                         isolation="read_uncommitted"))
    assert len(raw) > len(committed), "the aborted copies are still in the log"


def test_second_instance_with_the_same_transactional_id_fences_the_first(
        db, broker, registry, run, tmp_path):
    """Two connectors (own slots, own topics) share a transactional.id, as a
    zombie and its replacement would. The second's start fences the first:
    the first must stop with an error saying so and commit nothing more."""
    db.sql(OUTBOX_DDL)
    txid = "tw-zombie-" + db.name
    first = eos_config(db, broker, registry, tmp_path, filename="first.properties",
                       producer_transactional_id=txid,
                       transforms_outbox_route_topic_replacement="first.${routedByValue}")
    second = eos_config(db, broker, registry, tmp_path, filename="second.properties",
                        name="second-" + db.name, slot_name=db.slot + "_2",
                        offset_storage_file_filename=str(tmp_path / "offsets2.json"),
                        producer_transactional_id=txid,
                        transforms_outbox_route_topic_replacement="second.${routedByValue}")
    a = run(first)
    wait_for(lambda: slot_active(db), what="the first connector's slot in use")
    before = order_events(3, "before")
    insert_events(db, before)
    wait_for(lambda: len(visible(broker, "first.Order", expect=3, timeout=5)) == 3,
             what="the first connector's events committed")

    b = run(second)
    wait_for(lambda: "STATE: starting -> streaming" in b.output(), timeout=60,
             what="the second connector streaming")
    after = order_events(4, "after")
    insert_events(db, after)
    commit_end = db.insert_lsn()
    try:
        rc = a.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the fenced connector did not stop:\n" + a.output()[-3000:])
    log = a.output()
    assert rc == 1, log[-3000:]
    assert "Kafka fenced this producer" in log and txid in log, log[-3000:]
    a.stop()
    assert_held_before(db, commit_end)  # its slot: PostgreSQL would send them again

    wait_for(lambda: len(visible(broker, "second.Order", expect=4, timeout=5)) == 4,
             what="the second connector's events committed")
    assert sorted(ids_of(visible(broker, "second.Order", expect=4))) == \
        sorted(e[0] for e in after)
    # The zombie committed nothing after it was fenced.
    assert sorted(ids_of(visible(broker, "first.Order", expect=3))) == \
        sorted(e[0] for e in before)
    assert b.stop() == 0
