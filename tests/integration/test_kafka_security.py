"""Security on the wire, on real Kafka: TLS (server-verified and mutual)
and SASL (SCRAM-SHA-512, PLAIN) over SASL_PLAINTEXT and SASL_SSL, with
certificates this module makes with openssl. tidewater is configured only
through its producer.* pass-through keys; events must arrive, and a wrong
password or an untrusted CA must stop it with an error naming the problem,
without the password in its output.

One Kafka node with every listener serves the whole module (one JVM start)."""
import ctypes
import ctypes.util
import glob
import os
import random
import time
import uuid

import pytest

from confluentvenv import ensure_venv
from conftest import OUTBOX_DDL, outbox_config
from helpers import wait_for
from kafkacheck import consume, topics
from realkafka import KafkaCluster, KafkaSecurity
from tlscerts import CertAuthority

pytestmark = pytest.mark.realkafka_only

USER = "tidewater"
PASSWORD = "pw-%s" % uuid.uuid4().hex  # unique, so a grep of the logs finds any leak


def librdkafka_version():
    lib = ctypes.CDLL(ctypes.util.find_library("rdkafka"))
    lib.rd_kafka_version.restype = ctypes.c_int
    return lib.rd_kafka_version()


# librdkafka before 2.6.1 cannot log in with SCRAM to Kafka 4 (its client-final
# message repeats the nonce); Debian 12 ships 2.0.2.
SCRAM_WORKS = librdkafka_version() >= 0x020601ff


class Endpoint:
    """What outbox_config needs of a broker."""

    def __init__(self, bootstrap):
        self.bootstrap_servers = bootstrap


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    base = tmp_path_factory.mktemp("kafka-security")
    ca = CertAuthority(base / "ca")
    broker_cert = ca.issue("broker", ["127.0.0.1", "localhost"])
    client = ca.issue("tidewater-client", [], client=True)
    other = CertAuthority(base / "other-ca", name="some other CA")
    cluster = KafkaCluster(str(base / "kafka"), security=KafkaSecurity(
        ca.cert, broker_cert.chain, {USER: PASSWORD},
        ["SSL", "MTLS", "SASL_PLAINTEXT", "SASL_SSL"])).start()
    cluster.ca, cluster.client, cluster.other_ca = ca, client, other
    yield cluster
    cluster.stop()


def insert(db, n, agg):
    conn = db.connect()
    with conn.cursor() as cur:
        for i in range(n):
            cur.execute("INSERT INTO outbox (aggregatetype, aggregateid, type, payload) "
                        "VALUES (%s, %s, 'Created', '{\"n\": %s}')", (agg, "a%d" % i, i))
    conn.commit()
    conn.close()


def producer_keys(secure, listener, **extra):
    keys = {"producer_security_protocol": {"MTLS": "SSL"}.get(listener, listener)}
    if "SSL" in keys["producer_security_protocol"]:
        keys["producer_ssl_ca_location"] = secure.ca.cert
    if listener == "MTLS":
        keys["producer_ssl_certificate_location"] = secure.client.cert
        keys["producer_ssl_key_location"] = secure.client.key
    if listener.startswith("SASL"):
        keys.update(producer_sasl_mechanism="SCRAM-SHA-512", producer_sasl_username=USER,
                    producer_sasl_password=PASSWORD)
    keys.update(extra)
    return keys


def relay(db, secure, registry, run, tmp_path, listener, env=None, **extra):
    db.sql(OUTBOX_DDL)
    topic_agg = "Sec%d" % random.randint(0, 10 ** 9)
    cfg = outbox_config(db, Endpoint(secure.listener_bootstrap(listener)), registry, tmp_path,
                        **producer_keys(secure, listener, **extra))
    runner = run(cfg, env=env)
    # Rows inserted before the slot exists would never be sent.
    wait_for(lambda: slot_exists(db) or runner.proc.poll() is not None, what="the slot")
    return runner, topic_agg


def slot_exists(db):
    return bool(db.pg.sql("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (db.slot,)))


def assert_no_password(text):
    assert PASSWORD not in text


def expect_delivery(db, secure, registry, run, tmp_path, listener, env=None, **extra):
    runner, agg = relay(db, secure, registry, run, tmp_path, listener, env=env, **extra)
    insert(db, 20, agg)
    wait_for(lambda: "outbox.event." + agg in topics(secure.bootstrap_servers), 60,
             "the topic; tidewater's output:\n" + runner.output()[-3000:])
    got = consume(secure.bootstrap_servers, ["outbox.event." + agg], expect=20, timeout=60)
    out = runner.output()
    assert len(got) == 20, out[-3000:]
    assert runner.stop() == 0
    assert_no_password(runner.output())


def expect_stop(db, secure, registry, run, tmp_path, listener, timeout=60, **extra):
    """tidewater must exit non-zero on its own, before anything arrives."""
    runner, agg = relay(db, secure, registry, run, tmp_path, listener, **extra)
    insert(db, 5, agg)
    deadline = time.time() + timeout
    while runner.proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    rc = runner.proc.poll()
    out = runner.output()
    assert rc is not None, "tidewater kept running:\n" + out[-3000:]
    assert rc != 0, out[-3000:]
    assert_no_password(out)
    assert "outbox.event." + agg not in topics(secure.bootstrap_servers)
    return out


def test_tls_server_verified(db, secure, registry, run, tmp_path):
    expect_delivery(db, secure, registry, run, tmp_path, "SSL")


def test_mutual_tls(db, secure, registry, run, tmp_path):
    expect_delivery(db, secure, registry, run, tmp_path, "MTLS")


def test_sasl_plain_over_tls(db, secure, registry, run, tmp_path):
    expect_delivery(db, secure, registry, run, tmp_path, "SASL_SSL",
                    producer_sasl_mechanism="PLAIN")


@pytest.mark.parametrize("listener", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_scram_sha_512(db, secure, registry, run, tmp_path, listener):
    if SCRAM_WORKS:
        expect_delivery(db, secure, registry, run, tmp_path, listener)
        return
    # The right password, refused by Kafka 4 because of librdkafka's bug:
    # tidewater must say so rather than retry forever.
    out = expect_stop(db, secure, registry, run, tmp_path, listener)
    assert "Kafka refused tidewater's login" in out, out[-3000:]
    assert "older than 2.6.1" in out, out[-3000:]


@pytest.fixture(scope="module")
def current_librdkafka(tmp_path_factory):
    """LD_LIBRARY_PATH for a librdkafka 2.6.1 or newer: the one in the
    confluent-kafka wheel of the tests' virtualenv (confluentvenv.py), linked
    as librdkafka.so.1 (librdkafka keeps its ABI across 2.x)."""
    python = ensure_venv()
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(python)), "lib", "python3*",
                                  "site-packages", "confluent_kafka.libs", "librdkafka*.so*"))
    if not libs:
        pytest.fail("no librdkafka in the virtualenv's confluent_kafka.libs")
    d = tmp_path_factory.mktemp("librdkafka")
    os.symlink(libs[0], str(d / "librdkafka.so.1"))
    return {"LD_LIBRARY_PATH": str(d)}


@pytest.mark.parametrize("listener", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_scram_sha_512_with_current_librdkafka(db, secure, registry, run, tmp_path, listener,
                                               current_librdkafka):
    """SCRAM itself works end to end once librdkafka has its fix."""
    expect_delivery(db, secure, registry, run, tmp_path, listener, env=current_librdkafka)


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "PLAIN"])
def test_wrong_password_stops_with_clear_error(db, secure, registry, run, tmp_path, mechanism):
    out = expect_stop(db, secure, registry, run, tmp_path, "SASL_SSL",
                      producer_sasl_mechanism=mechanism,
                      producer_sasl_password="wrong-" + PASSWORD[::-1])
    assert "Kafka refused tidewater's login" in out, out[-3000:]
    assert "producer.sasl.password" in out
    assert ("wrong-" + PASSWORD[::-1]) not in out


def test_untrusted_ca_stops_with_clear_error(db, secure, registry, run, tmp_path):
    out = expect_stop(db, secure, registry, run, tmp_path, "SSL",
                      producer_ssl_ca_location=secure.other_ca.cert)
    assert "TLS with Kafka failed" in out, out[-3000:]
    assert "producer.ssl.ca.location" in out
    assert "certificate verify failed" in out


def test_missing_client_certificate_stops(db, secure, registry, run, tmp_path):
    """The MTLS listener requires a client certificate; without one the
    broker ends the handshake."""
    out = expect_stop(db, secure, registry, run, tmp_path, "SSL",
                      producer_security_protocol="SSL",
                      bootstrap_servers=secure.listener_bootstrap("MTLS"))
    assert "TLS with Kafka failed" in out, out[-3000:]


def test_kafka_connect_key_names(db, secure, registry, run, tmp_path):
    """A producer.* block as Kafka Connect users write it (Java client key
    names: sasl.jaas.config, a PEM trust store) works unchanged."""
    expect_delivery(db, secure, registry, run, tmp_path, "SASL_SSL",
                    producer_sasl_mechanism="PLAIN",
                    producer_sasl_username=None, producer_sasl_password=None,
                    producer_ssl_ca_location=None,
                    producer_ssl_truststore_type="PEM",
                    producer_ssl_truststore_location=secure.ca.cert,
                    producer_sasl_jaas_config=(
                        'org.apache.kafka.common.security.plain.PlainLoginModule required '
                        'username="%s" password="%s";' % (USER, PASSWORD)))


def test_check_names_a_refused_login(db, secure, registry, tidewater_bin, tmp_path):
    """`tidewater check` says why Kafka cannot be used, not just that it
    did not answer."""
    import subprocess
    db.sql(OUTBOX_DDL)
    cfg = outbox_config(db, Endpoint(secure.listener_bootstrap("SASL_SSL")), registry, tmp_path,
                        **producer_keys(secure, "SASL_SSL", producer_sasl_mechanism="PLAIN",
                                        producer_sasl_password="wrong-" + PASSWORD[::-1]))
    res = subprocess.run([tidewater_bin, "check", cfg], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=120)
    kafka = [line for line in res.stdout.splitlines() if line.split()[1:2] == ["kafka"]]
    assert res.returncode == 1, res.stdout
    assert kafka and kafka[0].startswith("FAIL"), res.stdout
    assert "Kafka refused tidewater's login" in kafka[0], res.stdout
    assert PASSWORD[::-1] not in res.stdout and PASSWORD not in res.stdout
