"""scripts/dev-kafka: starts Apache Kafka, says where, keeps the data over a
restart, stops by PID; --nodes 3 survives the loss of a node (replication
factor 3, min.insync.replicas=2). Runs with TW_BROKER=kafka (JVMs)."""
import os
import subprocess
import time

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from conftest import SRCDIR
from kafkacheck import consume
from realkafka import KafkaCluster, RealKafkaBroker

pytestmark = pytest.mark.realkafka_only
SCRIPT = os.path.join(SRCDIR, "scripts", "dev-kafka")


def dev_kafka(*args):
    return subprocess.run([SCRIPT] + list(args), capture_output=True, text=True, timeout=180)


def produce(bootstrap, topic, values):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    errors = []
    for v in values:
        p.produce(topic, v.encode(), callback=lambda e, m: e and errors.append(e))
    assert p.flush(60) == 0 and not errors, errors


def test_start_restart_keeps_data_stop(tmp_path):
    d = str(tmp_path / "k")
    t0 = time.monotonic()
    res = dev_kafka("start", d)
    assert res.returncode == 0, res.stderr
    line = res.stdout.strip()
    assert line.startswith("bootstrap.servers=127.0.0.1:"), res.stdout
    bootstrap = line.split("=", 1)[1]
    print("one node ready in %.1f s" % (time.monotonic() - t0))
    pid = int(open(os.path.join(d, "node1", "kafka.pid")).read())
    try:
        assert "already runs" in dev_kafka("start", d).stderr
        produce(bootstrap, "kept", ["a", "b", "c"])
        assert dev_kafka("stop", d).returncode == 0
        assert not os.path.exists("/proc/%d" % pid) or \
            open("/proc/%d/stat" % pid).read().split(")")[1].split()[0] == "Z"
        # Same directory: same ports, same data.
        res = dev_kafka(d)
        assert res.returncode == 0 and res.stdout.strip() == line, res.stderr
        got = consume(bootstrap, ["kept"], expect=3, timeout=30, idle=0.5)
        assert sorted(m.value() for m in got) == [b"a", b"b", b"c"]
        assert os.path.getsize(os.path.join(d, "node1", "kafka.log")) > 0
    finally:
        dev_kafka("stop", d)


def test_three_nodes_survive_the_loss_of_one(tmp_path):
    d = str(tmp_path / "k3")
    res = dev_kafka(d, "--nodes", "3")
    assert res.returncode == 0, res.stderr
    try:
        cluster = KafkaCluster.attach(d)
        assert len(cluster.bootstrap_servers.split(",")) == 3
        broker = RealKafkaBroker(cluster)
        broker.create_topic("r3", 3)
        md = AdminClient({"bootstrap.servers": cluster.bootstrap_servers}).list_topics(timeout=10)
        assert all(len(p.replicas) == 3 for p in md.topics["r3"].partitions.values())
        produce(cluster.bootstrap_servers, "r3", ["x%d" % i for i in range(100)])
        broker.broker_down(1)  # kill -9: leaders on node 1 move
        produce(cluster.bootstrap_servers, "r3", ["y%d" % i for i in range(100)])
        broker.broker_up(1)
        got = consume(cluster.bootstrap_servers, ["r3"], expect=200, timeout=60, idle=0.5)
        assert len(got) == 200
    finally:
        dev_kafka("stop", d)


def test_secure_listeners_survive_a_restart(tmp_path):
    """--secure: TLS with the CA it made, SASL PLAIN over TLS with the
    password it wrote; a restart of the same DIR brings the listeners back."""
    d = str(tmp_path / "ks")
    res = dev_kafka("start", d, "--secure")
    assert res.returncode == 0, res.stderr
    try:
        lines = dict(line.split("=", 1) for line in res.stdout.split())
        assert set(lines) == {"bootstrap.servers", "bootstrap.servers.SSL",
                              "bootstrap.servers.MTLS", "bootstrap.servers.SASL_PLAINTEXT",
                              "bootstrap.servers.SASL_SSL"}
        certs = os.path.join(d, "certs")
        password = open(os.path.join(certs, "sasl-password")).read().strip()
        assert oct(os.stat(os.path.join(certs, "sasl-password")).st_mode & 0o777) == "0o600"
        ca = os.path.join(certs, "ca.pem")

        def secure_produce(topic):
            ssl = {"security.protocol": "SSL", "ssl.ca.location": ca}
            sasl = {"security.protocol": "SASL_SSL", "ssl.ca.location": ca,
                    "sasl.mechanism": "PLAIN", "sasl.username": "tidewater",
                    "sasl.password": password}
            for listener, conf in (("SSL", ssl), ("SASL_SSL", sasl)):
                p = Producer(dict(conf, **{"bootstrap.servers":
                                           lines["bootstrap.servers." + listener]}))
                p.produce(topic, listener.encode())
                assert p.flush(30) == 0, listener

        secure_produce("sec1")
        assert dev_kafka("stop", d).returncode == 0
        res = dev_kafka("start", d)
        assert res.returncode == 0, res.stderr
        assert dict(line.split("=", 1) for line in res.stdout.split()) == lines
        secure_produce("sec2")
        got = consume(lines["bootstrap.servers"], ["sec1", "sec2"], expect=4, timeout=30,
                      idle=0.5)
        assert sorted(m.value() for m in got) == [b"SASL_SSL", b"SASL_SSL", b"SSL", b"SSL"]
    finally:
        dev_kafka("stop", d)
