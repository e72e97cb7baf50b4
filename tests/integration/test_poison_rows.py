"""Poison rows: whatever an application writes into the outbox, tidewater
turns it into a record or a record error — never a crash, a wedge or row
content in its logs. Record errors follow errors.tolerance: `none` stops
without advancing the slot (and stops again, the same way, on restart);
`all` sends a dead-letter copy that always fits and goes on."""
import os
import re
import socket
import subprocess
import time
import uuid

import pytest

from conftest import assert_held_before, outbox_config
from helpers import slot_active, wait_for
from kafkacheck import consume, headers, topics
from pgcluster import free_port
from test_metrics import get, metric

# Every column text, so an application can put anything anywhere.
POISON_DDL = """
CREATE TABLE outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    aggregatetype text NOT NULL,
    aggregateid text NOT NULL,
    type text NOT NULL,
    payload jsonb
)
"""
TEXT_PAYLOAD_DDL = POISON_DDL.replace("payload jsonb", "payload text")

MARKER = "SSN-987-65-4321-MARKER"


def tolerant(db, broker, registry, tmp_path, **overrides):
    return outbox_config(db, broker, registry, tmp_path, errors_tolerance="all",
                         errors_deadletterqueue_topic_name="dlq", **overrides)


def insert(db, aggregatetype, aggregateid="k", type_="E", payload="{}"):
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, %s, %s, %s, %s)",
           (eid, aggregatetype, aggregateid, type_, payload))
    return eid


def run_once(tidewater_bin, cfg, timeout=60):
    return subprocess.run([tidewater_bin, "run", cfg], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)


def skip_by_hand(db, tidewater_bin, cfg):
    """What an operator does to get past a row tidewater stops at: advance
    the slot past it, then accept that with `tidewater offsets reset`."""
    target = db.insert_lsn()
    wait_for(lambda: db.sql("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", (target,))[0][0],
             what="WAL flushed")  # a slot advances only over flushed WAL
    db.sql("SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (db.slot, target))
    r = subprocess.run([tidewater_bin, "offsets", "reset", cfg, "--yes"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    assert r.returncode == 0, r.stdout


def dlq_records(broker, n):
    wait_for(lambda: "dlq" in topics(broker.bootstrap_servers), what="the DLQ topic")
    msgs = consume(broker.bootstrap_servers, ["dlq"], expect=n)
    assert len(msgs) == n, [headers(m) for m in msgs]
    return msgs


# Routed to "outbox.event.<aggregatetype>" (13 characters of prefix).
BAD_TOPICS = [
    ("a" * 600, "is 613 characters long; Kafka allows at most 249"),
    ("b" * 237, "is 250 characters long; Kafka allows at most 249"),
    ("orders/eu", "character Kafka forbids at position 20"),
    ("tab\there", "character Kafka forbids at position 17"),
    ("caf\u00e9", "character Kafka forbids at position 17"),
]


def test_bad_topic_names_go_to_the_dead_letter_topic(db, broker, registry, run, tmp_path):
    db.sql(POISON_DDL)
    runner = run(tolerant(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    ids = [insert(db, name) for name, _ in BAD_TOPICS]
    good = insert(db, "Good")
    wait_for(lambda: "outbox.event.Good" in topics(broker.bootstrap_servers),
             what="the good event")
    msgs = dlq_records(broker, len(BAD_TOPICS))
    by_id = {headers(m)["tidewater.event.id"]: headers(m) for m in msgs}
    for eid, (name, rule) in zip(ids, BAD_TOPICS):
        h = by_id[eid]
        assert h["tidewater.error.kind"] == "routing"
        assert rule in h["tidewater.error.message"], h
        assert 'route column "aggregatetype"' in h["tidewater.error.message"]
        assert "tidewater.original.topic" not in h
    assert len(consume(broker.bootstrap_servers, ["outbox.event.Good"], expect=1)) == 1
    assert runner.proc.poll() is None
    runner.stop()
    out = runner.output()
    assert "a" * 250 not in out and "orders/eu" not in out
    assert good


def test_bad_topic_name_stops_and_stops_again(db, broker, registry, run, tidewater_bin,
                                              tmp_path):
    db.sql(POISON_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path)
    for name, rule in [("a" * 600, "is 613 characters long"),
                       ("orders/eu", "forbids at position 20")]:
        runner = run(cfg)
        wait_for(lambda: slot_active(db), what="slot active")
        insert(db, name)
        after = db.insert_lsn()
        assert runner.proc.wait(timeout=30) == 1
        first = runner.output()
        assert rule in first, first
        assert "stopping without advancing the slot" in first
        assert "errors.tolerance=all" in first
        assert name not in first
        assert_held_before(db, after)
        # No crash loop: a restart meets the same row and stops the same way.
        again = run_once(tidewater_bin, cfg)
        assert again.returncode == 1, again.stdout
        assert rule in again.stdout
        assert name not in again.stdout
        assert_held_before(db, after)
        # Take the row out of the stream for the next round: advancing the
        # slot by hand is noticed (slot_guard.h) until the offsets are reset.
        runner.stop()
        skip_by_hand(db, tidewater_bin, cfg)


def test_oversized_records_dead_letter_copy_fits(db, broker, registry, run, tmp_path):
    """A payload or key over message.max.bytes: the dead-letter copy drops
    what does not fit and says so, so errors.tolerance=all never stops."""
    db.sql(POISON_DDL)
    runner = run(tolerant(db, broker, registry, tmp_path, producer_message_max_bytes="2000"))
    wait_for(lambda: slot_active(db), what="slot active")
    big_value = insert(db, "A", "small-key", "E", '{"blob": "%s"}' % ("x" * 5000))
    big_key = insert(db, "A", "k" * 5000, "E", '{"n": 1}')
    good = insert(db, "A", "k", "E", '{"n": 2}')
    msgs = dlq_records(broker, 2)
    by_id = {headers(m)["tidewater.event.id"]: m for m in msgs}
    m = by_id[big_value]
    h = headers(m)
    assert m.value() is None
    assert m.key() is not None and b"small-key" in m.key()
    assert h["tidewater.error.kind"] == "kafka"
    assert "over message.max.bytes=2000" in h["tidewater.error.message"]
    assert h["tidewater.value.dropped"].endswith("bytes; dropped to fit message.max.bytes=2000")
    assert int(h["tidewater.value.dropped"].split()[0]) > 5000
    assert h["tidewater.source.lsn"] and h["tidewater.source.table"] == "public.outbox"
    m = by_id[big_key]
    h = headers(m)
    assert m.key() is None and m.value() is not None
    assert int(h["tidewater.key.dropped"].split()[0]) > 5000
    assert "tidewater.value.dropped" not in h
    wanted = consume(broker.bootstrap_servers, ["outbox.event.A"], expect=1)
    assert [headers(w)["id"] for w in wanted] == [good]
    assert runner.proc.poll() is None


def records_by_topic(port):
    """tidewater_records_total by topic label, from /metrics."""
    text = try_get(port, "/metrics")[1]
    return {t: float(v) for t, v in
            re.findall(r'^tidewater_records_total\{topic="([^"]*)"\} (\S+)$', text, re.M)}


def try_get(port, path):
    try:
        return get(port, path)
    except OSError:
        return None, ""


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def idle_sockets(port, sources, n):
    """n connected, silent sockets to the endpoint, from source addresses
    taken round-robin from `sources` (all of 127/8 is loopback)."""
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((sources[i % len(sources)], 0))
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    return socks


def test_http_endpoint_bounds_idle_clients(db, broker, registry, run, tmp_path):
    """~1,000 idle clients cannot take tidewater's file descriptors, one
    client cannot starve a scraper, and libmicrohttpd's own messages go
    through the logger (log.json stays JSON)."""
    import json
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    db.sql(POISON_DDL)
    port = free_port()
    runner = run(outbox_config(db, broker, registry, tmp_path, metrics_port=port,
                               log_json="true"))
    wait_for(lambda: try_get(port, "/healthz")[0] == 200, what="healthy")
    base = fd_count(runner.proc.pid)

    # One greedy client: its extra connections are closed, a scraper answers.
    socks = idle_sockets(port, ["127.0.0.2"], 1000)
    time.sleep(2)
    assert fd_count(runner.proc.pid) <= base + 8 + 4
    status, text = get(port, "/metrics")
    assert status == 200 and "tidewater_state" in text
    for s in socks:
        s.close()

    # Many clients: at most the connection limit is held at once (the rest
    # wait in the kernel's backlog, not in tidewater's descriptors); once
    # they go, a scraper gets in at once.
    socks = idle_sockets(port, ["127.0.0.%d" % i for i in range(10, 210)], 1000)
    time.sleep(2)
    held = fd_count(runner.proc.pid)
    assert held <= base + 64 + 4, held
    for s in socks:
        s.close()
    wait_for(lambda: try_get(port, "/metrics")[0] == 200, timeout=15, what="/metrics again")
    assert runner.proc.poll() is None
    runner.stop()
    lines = runner.output().splitlines()
    for line in lines:
        json.loads(line)  # every line, libmicrohttpd's too
    http = [json.loads(line)["msg"] for line in lines if json.loads(line)["facility"] == "HTTP"]
    assert any("limit" in m for m in http), http
    assert len(http) < 10, http  # a flood of refusals is not a flood of lines


# 2,000 topics: the dev broker creates them in microseconds; a real broker
# takes minutes, too long for CI.
@pytest.mark.devbroker_only
def test_many_routed_topics_keep_state_bounded(db, broker, registry, run, tmp_path):
    """2,000 distinct aggregatetypes: every record is delivered, but the
    sink keeps at most topics.tracked.max=1,000 topic handles and /metrics
    series (the least recently used count as "(other)"), the router's
    envelope cache is evicted (under ASan). JSON converters: no registry
    round trips."""
    db.sql(POISON_DDL)
    port = free_port()
    json_converter = "org.apache.kafka.connect.json.JsonConverter"
    runner = run(outbox_config(
        db, broker, registry, tmp_path, metrics_port=port,
        key_converter=json_converter, value_converter=json_converter,
        key_converter_schema_registry_url=None, value_converter_schema_registry_url=None,
        transforms_outbox_table_fields_additional_placement="type:envelope:eventType"))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
           "SELECT 'T' || i, 'k', 'E', '{}' FROM generate_series(1, 2000) i")

    wait_for(lambda: sum(records_by_topic(port).values()) == 2000, timeout=300, what="2,000 records")
    s = records_by_topic(port)
    assert len(s) == 1001
    assert s["(other)"] == 1000
    assert "outbox.event.T2000" in s and "outbox.event.T1000" not in s  # the newest kept
    assert runner.output().count("KAFKA") < 20
    assert runner.proc.poll() is None


def test_tracked_topics_are_least_recently_used(db, broker, registry, run, tmp_path):
    """topics.tracked.max=5: a topic written to all along keeps its series
    while 30 one-off topics pass through; the evicted ones' counts move to
    "(other)", so the totals never go backwards."""
    db.sql(POISON_DDL)
    port = free_port()
    json_converter = "org.apache.kafka.connect.json.JsonConverter"
    runner = run(outbox_config(
        db, broker, registry, tmp_path, metrics_port=port, topics_tracked_max=5,
        key_converter=json_converter, value_converter=json_converter,
        key_converter_schema_registry_url=None, value_converter_schema_registry_url=None))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
           "SELECT CASE WHEN k = 0 THEN 'Hot' ELSE 'C' || i END, 'k', 'E', '{}' "
           "FROM generate_series(1, 30) i, (VALUES (0), (1)) v(k) ORDER BY i, k")

    wait_for(lambda: sum(records_by_topic(port).values()) == 60, timeout=120, what="60 records")
    s = records_by_topic(port)
    assert s["outbox.event.Hot"] == 30, s
    assert {t for t in s if t.startswith("outbox.event.C")} == {
        "outbox.event.C%d" % i for i in range(27, 31)}, s
    assert s["(other)"] == 26, s
    assert runner.proc.poll() is None


NULLABLE_DDL = """
CREATE TABLE outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    aggregatetype text,
    aggregateid text,
    type text,
    payload text
)
"""

HOSTILE = "\x01\x02\x1b[2J\r\n2026-11-29T00:00:00.000Z error PGREPL: forged\t\"'\\ ${env:HOME} %s%n"

# (aggregatetype, aggregateid, type, payload, outcome): "record" reaches
# outbox.event.<aggregatetype>, "dlq" the dead-letter topic.
CORPUS = [
    (None, "k", "E", '{"a": 1}', "dlq"),                      # no route
    ("A", None, "E", '{"a": 1}', "record"),                   # null key
    ("A", "k", None, '{"a": 1}', "record"),                   # null type (a header)
    ("A", "k", "E", None, "record"),                          # null payload
    ("", "k", "E", '{"a": 1}', "record"),                     # topic "outbox.event."
    ("A", "", "", '{"a": 1}', "record"),                      # empty key and type
    ("A", "k", "E", "", "dlq"),                               # empty payload, expand
    ("A", HOSTILE, HOSTILE, '{"s": %s}' % __import__("json").dumps(HOSTILE), "record"),
    ("A", "k" * 100000, "E", '{"a": 1}', "record"),           # a 100 kB key fits
    ("A", "k" * 1100000, "E", '{"a": 1}', "dlq"),             # a 1.1 MB key does not
    ("A", "k", "E", '{"ssn": %s}' % MARKER, "dlq"),           # invalid JSON, quoted context
    ("A", "k", "E", '{"ssn": "%s' % MARKER, "dlq"),           # unterminated string
    ("A", "k", "E", "[" * 100000 + "]" * 100000, "dlq"),      # nested too deeply
    ("A", "k", "E", '{"s": "\\ud800"}', "dlq"),               # a lone surrogate
    ("A", "k", "E", '{"n": 1e400}', "dlq"),                   # beyond double
    ("A", "k", "E", '{"n": 123456789012345678901234567890}', "dlq"),  # beyond int64
    ("A", "k", "E", '{"%s": 1, "%s": 2}' % (MARKER, MARKER), "record"),  # duplicate keys
    ("A", "k", "E", '"%s"' % MARKER, "dlq"),                 # a string, not an object
    ("x" * 300, "k", "E", '{"a": 1}', "dlq"),                 # topic too long
    ("a/b\n" + MARKER, "k", "E", '{"a": 1}', "dlq"),          # illegal characters
]


def corpus_config(db, broker, registry, tmp_path, port, **overrides):
    return outbox_config(
        db, broker, registry, tmp_path, metrics_port=port,
        transforms_outbox_table_expand_json_payload="true",
        transforms_outbox_table_fields_additional_placement="type:header:eventType",
        **overrides)


def test_poison_corpus_tolerated(db, broker, registry, run, tmp_path):
    """errors.tolerance=all: every hostile row becomes a record or a
    dead-letter record, the connector keeps going, and the marker hidden
    in row content appears in no log line, DLQ header or /healthz."""
    db.sql(NULLABLE_DDL)
    port = free_port()
    runner = run(corpus_config(db, broker, registry, tmp_path, port, errors_tolerance="all",
                               errors_deadletterqueue_topic_name="dlq", log_level="info"))
    wait_for(lambda: slot_active(db), what="slot active")
    ids = []
    for aggregatetype, aggregateid, type_, payload, outcome in CORPUS:
        eid = str(uuid.uuid4())
        db.sql("INSERT INTO outbox VALUES (%s, %s, %s, %s, %s)",
               (eid, aggregatetype, aggregateid, type_, payload))
        ids.append((eid, outcome))
    good = str(uuid.uuid4())
    db.sql("INSERT INTO outbox VALUES (%s, 'Last', 'k', 'E', '{}')", (good,))
    wait_for(lambda: "outbox.event.Last" in topics(broker.bootstrap_servers), timeout=60,
             what="the event after the corpus")
    expected_dlq = sum(1 for _, o in ids if o == "dlq")
    dlq = dlq_records(broker, expected_dlq)
    record_topics = [t for t in topics(broker.bootstrap_servers) if t.startswith("outbox.event.")]
    records = consume(broker.bootstrap_servers, record_topics,
                      expect=len(ids) - expected_dlq + 1)
    got_dlq = {headers(m)["tidewater.event.id"] for m in dlq}
    got_records = {headers(m)["id"] for m in records}
    for eid, outcome in ids:
        assert eid in (got_dlq if outcome == "dlq" else got_records), (
            eid, outcome, CORPUS[[e for e, _ in ids].index(eid)][:2])
    assert good in got_records
    status, health = try_get(port, "/healthz")
    assert status == 200, health
    assert runner.proc.poll() is None
    runner.stop()
    log = runner.output()
    assert MARKER not in log and MARKER not in health
    assert "forged" not in log  # hostile names never reach the log unescaped either
    for m in dlq:
        for k, v in (m.headers() or []):
            assert MARKER.encode() not in (v or b""), (k, v)
    for line in log.splitlines():
        assert line[:4] == "2026" or line[:2] == "20", line  # no forged or broken lines


def test_poison_rows_stop_cleanly_without_tolerance(db, broker, registry, run, tidewater_bin,
                                                    tmp_path):
    """errors.tolerance=none: a hostile row stops the connector with a
    message naming the problem (not the content), the slot held."""
    db.sql(NULLABLE_DDL)
    port = free_port()
    cfg = corpus_config(db, broker, registry, tmp_path, port)
    for aggregatetype, payload, reason in [
            ("A", '{"ssn": %s}' % MARKER, "payload is not valid JSON (line 1, column"),
            ("A", "[" * 100000, "nested too deeply"),
            (None, "{}", 'route column "aggregatetype" is null')]:
        runner = run(cfg)
        wait_for(lambda: slot_active(db), what="slot active")
        db.sql("INSERT INTO outbox VALUES (%s, %s, 'k', 'E', %s)",
               (str(uuid.uuid4()), aggregatetype, payload))
        after = db.insert_lsn()
        assert runner.proc.wait(timeout=60) == 1
        out = runner.output()
        assert reason in out, out[-2000:]
        assert "stopping without advancing the slot" in out
        assert MARKER not in out
        assert_held_before(db, after)
        runner.stop()
        skip_by_hand(db, tidewater_bin, cfg)


def test_invalid_dead_letter_topic_is_a_config_error(db, broker, registry, tidewater_bin,
                                                     tmp_path):
    db.sql(POISON_DDL)
    res = run_once(tidewater_bin, outbox_config(db, broker, registry, tmp_path,
                                                errors_tolerance="all",
                                                errors_deadletterqueue_topic_name="dead/letters"))
    assert res.returncode == 2, res.stdout
    assert "errors.deadletterqueue.topic.name=dead/letters: the topic name has a character " \
           "Kafka forbids at position 5" in res.stdout


def test_startup_warnings_and_descriptor_limit(db, broker, registry, tidewater_bin, tmp_path):
    """Credentials to a plain-http registry, running as root, and a low
    descriptor soft limit (raised to the hard limit) are dealt with at start."""
    import resource
    db.sql(POISON_DDL)
    cfg = outbox_config(db, broker, registry, tmp_path,
                        value_converter_basic_auth_user_info="user:Reg-S3cret",
                        log_level="debug")
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    log = open(str(tmp_path / "startup.log"), "w")
    proc = subprocess.Popen(
        [tidewater_bin, "run", cfg], stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)))
    try:
        wait_for(lambda: slot_active(db), what="slot active")
        with open("/proc/%d/limits" % proc.pid) as f:
            line = next(x for x in f if x.startswith("Max open files"))
        soft_now = line.split()[3]
        assert soft_now == (str(hard) if hard != resource.RLIM_INFINITY else "unlimited"), line
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    out = open(str(tmp_path / "startup.log")).read()
    assert "value.converter.schema.registry.url is plain http but carries basic-auth " \
           "credentials: use https" in out
    assert "key.converter.schema.registry.url is plain http" not in out
    assert "Reg-S3cret" not in out
    if os.geteuid() == 0:
        assert "running as root" in out


def test_huge_text_event_id_is_survivable(db, broker, registry, run, tmp_path):
    """A 1.1 MB text id (copied into the record's "id" header) makes the
    record too large; its dead-letter copy still fits."""
    db.sql(POISON_DDL.replace("id uuid PRIMARY KEY DEFAULT gen_random_uuid()",
                              "id text NOT NULL"))
    runner = run(tolerant(db, broker, registry, tmp_path))
    wait_for(lambda: slot_active(db), what="slot active")
    db.sql("INSERT INTO outbox VALUES (repeat('i', 1100000), 'A', 'k', 'E', '{}')")
    db.sql("INSERT INTO outbox VALUES ('after', 'A', 'k', 'E', '{}')")
    h = headers(dlq_records(broker, 1)[0])
    assert h["tidewater.event.id"] == "i" * 256 + "..."
    assert "over message.max.bytes" in h["tidewater.error.message"]
    wanted = consume(broker.bootstrap_servers, ["outbox.event.A"], expect=1)
    assert [headers(w)["id"] for w in wanted] == ["after"]
    assert runner.proc.poll() is None
