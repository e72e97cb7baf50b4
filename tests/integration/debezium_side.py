"""What the differential tests share (test_debezium_diff.py,
test_debezium_diff_meta.py, test_unwrap_diff.py): Debezium next to
tidewater on the same PostgreSQL.

    sides = Sides(base, tidewater_bin, devbroker_bin)   # skips without Debezium
    try:
        sides.pg.create_database("diff")                # schema, before start
        sides.start({"a": (dbz_props, tw_props), ...})  # one connector a name
        ...write the corpus...
        sides.wait_topics(["last.topic"])
        consume(sides.kafka.bootstrap_servers, ...)     # Debezium's records
        consume(sides.broker.bootstrap_servers, ...)    # tidewater's
    finally:
        sides.stop()

Debezium (one Kafka Connect worker running every connector: the JVM starts
once) produces to a one-node Apache Kafka, since Kafka 4 clients cannot use
the mock dev broker; tidewater (one process a connector) to the dev broker.
Both auto-create topics with 4 partitions, so keyed partitioning compares.
Both sides write JsonConverter with schemas (JSON_CONVERTERS).
"""
import os
import shutil
import subprocess
import time

import pytest

from debezium_peer import DebeziumConnect, DebeziumUnavailable, fetch, write_properties
from devbroker import DevBroker
from helpers import wait_for
from kafkacheck import topics
from pgcluster import PgCluster
from realkafka import KafkaCluster

JSON_CONVERTERS = {
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "key.converter.schemas.enable": "true",
    "value.converter.schemas.enable": "true",
}


def require_debezium(kafka=True, javac=False):
    """The directory of the Debezium and Kafka Connect jars (fetched once);
    with kafka, the Apache Kafka broker's jars too; with javac, a JDK to
    build an oracle with. Skips the test when any cannot be had, except
    under CI, where that is a failure."""
    try:
        lib = fetch("connect")
        if kafka:
            fetch("kafka")
        if javac and shutil.which("javac") is None:
            raise DebeziumUnavailable("javac not found (a JDK is needed to build the oracle)")
    except DebeziumUnavailable as e:
        if os.environ.get("CI"):
            raise
        pytest.skip("Debezium cannot be run: %s" % e)
    return lib


def connector_props(side, name, pg, dbname, prefix):
    """A PostgreSQL connector's properties, the same for Debezium and
    tidewater: pgoutput, its own slot and filtered publication (named
    <side>_<name>), no snapshot, table public.outbox, no logical decoding
    messages with prefix dzm. (the ones test_debezium_diff.py writes)."""
    return {
        "name": "%s-%s" % (side, name),
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        # One JVM runs every connector: Debezium names its metrics MBeans by
        # topic.prefix, so each connector needs its own.
        "topic.prefix": prefix,
        "database.hostname": "127.0.0.1",
        "database.port": str(pg.port),
        "database.user": pg.superuser,
        "database.dbname": dbname,
        "plugin.name": "pgoutput",
        "slot.name": "%s_%s" % (side, name),
        "publication.name": "%s_%s" % (side, name),
        "publication.autocreate.mode": "filtered",
        "table.include.list": "public\\.outbox",
        "snapshot.mode": "no_data",
        "message.prefix.exclude.list": "dzm\\..*",
    }


def slots_active(pg, names):
    rows = pg.sql("SELECT slot_name FROM pg_replication_slots WHERE active")
    return set(names) <= {r[0] for r in rows}


class TidewaterProc:
    """`tidewater run` on a properties file, its output in a log file."""

    def __init__(self, binary, config, log_path):
        self.argv = [binary, "run", config]
        self.log_path = str(log_path)
        self.proc = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=log)

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Sides:
    """A PostgreSQL cluster under base/pg (started here, so that the schema
    can be made before start()), then Debezium and tidewater by start();
    stop() stops what started, in reverse, and removes the cluster."""

    def __init__(self, base, tidewater_bin, devbroker_bin, pg_settings=None):
        self.connect_lib = require_debezium()
        self.base = base
        self.tidewater_bin = tidewater_bin
        self.devbroker_bin = devbroker_bin
        self.started = []
        self.kafka = self.broker = self.dbz = None
        self.tw = {}
        self.startup = None
        self.pg = PgCluster(str(base / "pg"), settings=pg_settings).init().start()

    def start(self, connectors, slot_timeout=60):
        """connectors: {name: (Debezium's connector properties, tidewater's)}
        (tidewater's get the converters, the dev broker, an offsets file
        and short flush intervals here); returns once every slot is in use."""
        t0 = time.monotonic()
        self.kafka = KafkaCluster(str(self.base / "kafka")).start()
        self.started.append(self.kafka)
        self.broker = DevBroker(self.devbroker_bin, self.base / "devbroker")
        self.broker.start()
        self.started.append(self.broker)
        files = [write_properties(str(self.base / ("dbz-%s.properties" % name)), dbz)
                 for name, (dbz, _) in connectors.items()]
        worker = dict(JSON_CONVERTERS, **{"bootstrap.servers": self.kafka.bootstrap_servers})
        self.dbz = DebeziumConnect(self.connect_lib, self.base / "connect", worker, files[0],
                                   extra_connectors=files[1:])
        for name, (_, tw) in connectors.items():
            props = dict(tw, **JSON_CONVERTERS)
            props.update({"bootstrap.servers": self.broker.bootstrap_servers,
                          "offset.storage.file.filename": str(self.base / ("tw-%s.offsets"
                                                                           % name)),
                          "status.update.interval.ms": "500",
                          "producer.linger.ms": "5"})
            cfg = write_properties(str(self.base / ("tw-%s.properties" % name)), props)
            self.tw[name] = TidewaterProc(self.tidewater_bin, cfg,
                                          self.base / ("tw-%s.log" % name))
        for proc in self.tw.values():
            proc.start()
            self.started.append(proc)
        self.dbz.start()
        self.started.append(self.dbz)
        self.startup = time.monotonic() - t0
        slots = [p["slot.name"] for pair in connectors.values() for p in pair]
        wait_for(lambda: slots_active(self.pg, slots), slot_timeout,
                 "slots %s active" % ", ".join(slots), interval=0.2)

    def wait_topics(self, names, timeout=90):
        """Until every topic of names exists on both sides, or timeout
        seconds (then the tests that need a missing one fail, not the
        module)."""
        sides = (self.kafka.bootstrap_servers, self.broker.bootstrap_servers)
        pending = [(b, t) for t in names for b in sides]
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            present = {b: set(topics(b)) for b in sides}
            pending = [(b, t) for b, t in pending if t not in present[b]]
            if pending:
                time.sleep(0.5)
        return not pending

    def stop(self):
        for p in reversed(self.started):
            p.stop()
        self.started = []
        self.pg.destroy()
