"""The operator endpoint: /metrics in Prometheus text format and /healthz,
bound to 127.0.0.1, off unless a port is configured."""
import re
import urllib.error
import urllib.request
import uuid

from conftest import OUTBOX_DDL, outbox_config
from helpers import slot_active, wait_for
from pgcluster import free_port


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric(text, name, labels=""):
    m = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else None


def test_metrics_and_health(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX_DDL)
    port = free_port()
    runner = run(outbox_config(db, broker, registry, tmp_path, metrics_port=port,
                               health_stuck_threshold_ms="3000"))
    wait_for(lambda: slot_active(db), what="slot active")
    for i in range(5):
        db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o', 'E', '{\"n\": 1}')",
               (str(uuid.uuid4()),))
    wait_for(lambda: metric(get(port, "/metrics")[1], "tidewater_records_total",
                            '{topic="outbox.event.Order"}') == 5, what="5 records counted")
    status, text = get(port, "/metrics")
    assert status == 200
    assert metric(text, "tidewater_transactions_total") >= 5
    assert metric(text, "tidewater_record_bytes_total", '{topic="outbox.event.Order"}') > 0
    assert metric(text, "tidewater_records_in_flight") == 0
    assert metric(text, "tidewater_registry_requests_total") == 2  # key + value, once each
    assert metric(text, "tidewater_commit_to_ack_seconds_count") >= 5
    assert metric(text, "tidewater_state", '{state="streaming"}') == 1
    assert "# TYPE tidewater_commit_to_ack_seconds histogram" in text
    assert get(port, "/healthz") == (200, "ok streaming\n")
    assert get(port, "/nope")[0] == 404

    # Kafka away with work waiting: after the threshold, /healthz says so.
    broker.broker_down(1)
    db.sql("INSERT INTO outbox VALUES (%s, 'Order', 'o', 'E', '{}')", (str(uuid.uuid4()),))
    wait_for(lambda: get(port, "/healthz")[0] == 503, timeout=30, what="unhealthy")
    assert "no progress" in get(port, "/healthz")[1]
    assert metric(get(port, "/metrics")[1], "tidewater_records_in_flight") == 1
    broker.broker_up(1)
    wait_for(lambda: get(port, "/healthz")[0] == 200, timeout=60, what="healthy again")
    # State changes are logged, once each.
    assert runner.output().count("STATE: starting -> streaming") == 1


def test_endpoint_is_off_by_default_and_binds_loopback(db, broker, registry, run, tmp_path):
    import socket
    db.sql(OUTBOX_DDL)
    port = free_port()
    run(outbox_config(db, broker, registry, tmp_path, metrics_port=port))
    wait_for(lambda: slot_active(db), what="slot active")
    listening = open("/proc/net/tcp").read()
    # 127.0.0.1 in /proc/net/tcp is 0100007F; the port is in hex.
    assert ("0100007F:%04X" % port) in listening
    assert ("00000000:%04X" % port) not in listening
    del socket
