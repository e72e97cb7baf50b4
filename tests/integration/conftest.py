"""pytest fixtures: the tidewater binary, a throwaway Postgres per session,
a fresh database per test, and helpers to write connector configs and run
`tidewater tail`.

TW_BROKER selects the Kafka behind the `broker` fixture: "dev" (default) is
a fresh tidewater-devbroker per test; "kafka" is one real Apache Kafka node
(realkafka.py) for the whole session, its topics deleted before each test.
Tests marked devbroker_only (they inject faults only the mock has) are
skipped on real Kafka; tests marked realkafka_only are skipped on the dev
broker."""
import itertools
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from devbroker import DevBroker  # noqa: E402
from kafkacheck import lsn_value  # noqa: E402
from pgcluster import PgCluster  # noqa: E402
from realkafka import KafkaCluster, RealKafkaBroker  # noqa: E402
from registry import DevRegistry  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILDDIR = os.environ.get("TW_BUILDDIR", SRCDIR)
BROKER_KIND = os.environ.get("TW_BROKER", "dev")
if BROKER_KIND not in ("dev", "kafka"):
    raise SystemExit("TW_BROKER must be dev or kafka, not %r" % BROKER_KIND)


def pytest_configure(config):
    config.addinivalue_line("markers", "devbroker_only: needs the dev broker's fault injection")
    config.addinivalue_line("markers", "realkafka_only: needs real Kafka (TW_BROKER=kafka)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROKER_KIND == "kafka" and item.get_closest_marker("devbroker_only"):
            item.add_marker(pytest.mark.skip(reason="needs the dev broker's fault injection"))
        if BROKER_KIND != "kafka" and item.get_closest_marker("realkafka_only"):
            item.add_marker(pytest.mark.skip(reason="needs real Kafka: TW_BROKER=kafka"))


def _binary(env, name):
    path = os.environ.get(env) or os.path.join(BUILDDIR, name)
    if not os.access(path, os.X_OK):
        pytest.exit("%s not found at %s: build first (make) or set %s" % (name, path, env), 2)
    return path


@pytest.fixture(scope="session")
def tidewater_bin():
    return _binary("TW_BINARY", "tidewater")


@pytest.fixture(scope="session")
def devbroker_bin():
    return _binary("TW_DEVBROKER", "tidewater-devbroker")


@pytest.fixture(scope="session")
def registry_script():
    return os.path.join(SRCDIR, "scripts", "dev-registry")


@pytest.fixture(scope="session")
def pg(tmp_path_factory):
    cluster = PgCluster(str(tmp_path_factory.mktemp("pg"))).init().start()
    yield cluster
    cluster.destroy()


_db_counter = itertools.count(1)


def write_properties(path, props, overrides):
    """Writes a .properties connector file: props, then overrides, whose
    keys use '_' for '.' and '__' for '-' (None removes a key)."""
    props = dict(props)
    for k, v in overrides.items():
        key = k.replace("__", "-").replace("_", ".")
        if v is None:
            props.pop(key, None)
        else:
            props[key] = str(v)
    with open(path, "w") as f:
        for k, v in props.items():
            f.write("%s=%s\n" % (k, v))
    return path


class Database:
    """One fresh database in the session cluster, plus config helpers."""

    def __init__(self, pg, name, tmp_path):
        self.pg = pg
        self.name = name
        self.tmp_path = tmp_path
        self.slot = "slot_" + name
        self.publication = "pub_" + name

    def sql(self, query, params=None):
        return self.pg.sql(query, params, dbname=self.name)

    def connect(self):
        return self.pg.connect(self.name)

    def insert_lsn(self):
        return self.sql("SELECT pg_current_wal_insert_lsn()::text")[0][0]

    def slot_flush_lsn(self):
        rows = self.pg.sql("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                           "WHERE slot_name = %s", (self.slot,))
        return rows[0][0] if rows else None

    def config(self, filename="connector.properties", **overrides):
        """Writes a .properties connector file; keys use '_' for '.'."""
        props = {
            "name": "test-" + self.name,
            "topic.prefix": "tw",
            "database.hostname": "127.0.0.1",
            "database.port": str(self.pg.port),
            "database.user": self.pg.superuser,
            "database.dbname": self.name,
            "slot.name": self.slot,
            "publication.name": self.publication,
            "status.update.interval.ms": "500",
        }
        return write_properties(os.path.join(str(self.tmp_path), filename), props, overrides)


@pytest.fixture
def db(pg, tmp_path):
    name = "t%d_%d" % (os.getpid(), next(_db_counter))
    pg.create_database(name)
    database = Database(pg, name, tmp_path)
    yield database
    # Free the slot (it pins WAL for the whole cluster) and the database.
    pg.sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
           "WHERE slot_name = %s AND NOT active", (database.slot,))
    pg.sql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


class TailResult:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]

    def rows(self, table=None, op=None):
        return [e for e in self.events
                if (table is None or e.get("table") == table) and (op is None or e["op"] == op)]


@pytest.fixture
def tail(tidewater_bin):
    """tail(config, endpos=None, ack=False, timeout=60) -> TailResult."""

    def run(config, endpos=None, ack=False, timeout=60, extra_env=None):
        argv = [tidewater_bin, "tail"]
        if ack:
            argv.append("--ack")
        if endpos:
            argv += ["--endpos", endpos]
        argv.append(config)
        env = dict(os.environ)
        env.update(extra_env or {})
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout, env=env)
        return TailResult(proc)

    return run


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory):
    """One real Kafka node for the session (a JVM takes seconds to start)."""
    cluster = KafkaCluster(str(tmp_path_factory.mktemp("kafka"))).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def broker(request, tmp_path):
    """A broker whose topics start empty: a fresh dev broker per test, or
    the session's real Kafka with every topic deleted (TW_BROKER=kafka)."""
    if BROKER_KIND == "kafka":
        b = RealKafkaBroker(request.getfixturevalue("kafka_cluster"))
        b.clean()
        yield b
        return
    b = DevBroker(request.getfixturevalue("devbroker_bin"), tmp_path / "broker")
    b.start()
    yield b
    b.stop()


@pytest.fixture
def registry(registry_script, tmp_path):
    r = DevRegistry(registry_script, tmp_path / "registry-data")
    os.makedirs(r.workdir, exist_ok=True)
    r.start()
    yield r
    r.stop()


OUTBOX_DDL = """
CREATE TABLE outbox (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    aggregatetype varchar(255) NOT NULL,
    aggregateid varchar(255) NOT NULL,
    type varchar(255) NOT NULL,
    payload jsonb
)
"""


class Runner:
    """Starts `tidewater run` in the background and stops it by PID."""

    def __init__(self, binary, config, log_path):
        self.binary = binary
        self.config = config
        self.log_path = str(log_path)
        self.proc = None

    def start(self, env=None):
        e = dict(os.environ)
        e.update(env or {})
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.binary, "run", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=e)
        return self

    def stop(self, sig=None, timeout=60):
        import signal as _signal
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig or _signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        self.proc = None
        return rc

    def output(self):
        with open(self.log_path) as f:
            return f.read()


def outbox_config(db, broker, registry, tmp_path, **overrides):
    """Connector config for an outbox relay into the test's broker and
    registry; keys in overrides use '_' for '.'."""
    base = dict(
        transforms="outbox",
        transforms_outbox_type="io.debezium.transforms.outbox.EventRouter",
        key_converter="io.confluent.connect.avro.AvroConverter",
        value_converter="io.confluent.connect.avro.AvroConverter",
        key_converter_schema_registry_url=registry.url,
        value_converter_schema_registry_url=registry.url,
        bootstrap_servers=broker.bootstrap_servers,
        offset_storage_file_filename=str(tmp_path / "offsets.json"),
        state_dir=str(tmp_path / "state"),
        table_include_list="public.outbox",
        publication_autocreate_mode="filtered",
        producer_linger_ms="5",
        producer_reconnect_backoff_max_ms="200",
    )
    base.update(overrides)
    return db.config(**base)


@pytest.fixture
def run(tidewater_bin, tmp_path):
    runners = []

    def start(config, env=None):
        r = Runner(tidewater_bin, config, tmp_path / ("run%d.log" % len(runners))).start(env)
        runners.append(r)
        return r

    yield start
    for r in runners:
        r.stop()


def assert_held_before(db, commit_end):
    """The slot is confirmed before the commit that ends at commit_end (an
    LSN read right after that transaction committed), so PostgreSQL sends
    the transaction again. The confirmed position may pass the transaction's
    first records: the server reports positions as it reads WAL, and a
    transaction is skipped on restart only if it committed before it."""
    flushed = db.slot_flush_lsn()
    assert lsn_value(flushed) < lsn_value(commit_end), \
        "slot confirmed %s, at or past a transaction ending %s that was not delivered" % (
            flushed, commit_end)
