"""Apache Kafka (KRaft) on 127.0.0.1 for tests, scripts/dev-kafka and torture.

The broker comes from Maven Central: tests/kafka/pom.xml pins the version,
`mvn dependency:copy-dependencies` copies the jars (checksums verified) into
_build/kafka/lib once, and every later start reuses them. Each node is one
JVM running `kafka.Kafka` with process.roles=broker,controller; a cluster of
N nodes has N controller voters, replication factor N and
min.insync.replicas=min(2, N).

    from realkafka import KafkaCluster

    with KafkaCluster(workdir, nodes=1) as kafka:
        producer = Producer({"bootstrap.servers": kafka.bootstrap_servers})
        kafka.kill_node(1); kafka.start_node(1)   # outage, data must survive

The cluster's layout (ports, cluster id) is kept in workdir/cluster.json, so
a node restarts on the same ports and log directories, and
`KafkaCluster.attach(workdir)` finds a cluster another process started.
Only processes this module started are signalled, by the PIDs it recorded.

RealKafkaBroker wraps a cluster with the fault controls of devbroker.DevBroker
that real Kafka has (broker_down/up = kill -9 and restart, pause/resume =
SIGSTOP/SIGCONT); the mock-only controls raise DevOnly.
"""

import base64
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
POM = os.path.join(TOP, "tests", "kafka", "pom.xml")
DEFAULT_LIB = os.path.join(TOP, "_build", "kafka", "lib")

# Small heap, one GC thread, C1 only: the broker starts in a few seconds and
# stays modest beside PostgreSQL, tidewater and the tests on a 2-core machine.
JVM_OPTS = ["-Xmx512m", "-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto", "-XX:-UsePerfData", "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaConfig=warn",
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn"]


class KafkaClusterError(RuntimeError):
    """Kafka could not be fetched, formatted, started or stopped."""


class DevOnly(RuntimeError):
    """A fault only the dev broker (librdkafka's mock) can inject."""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def kafka_lib():
    """The jar directory, fetched on first use (serialized by a lock so
    parallel callers do not race Maven)."""
    lib = os.environ.get("TW_KAFKA_LIB", DEFAULT_LIB)
    stamp = os.path.join(lib, ".fetched")
    with open(POM) as f:
        pom = f.read()

    def fetched():
        # The stamp holds the pom's text: a new pinned version fetches again
        # instead of mixing two releases' jars on one class path.
        try:
            with open(stamp) as f:
                return f.read() == pom
        except OSError:
            return False

    if fetched():
        return lib
    os.makedirs(os.path.dirname(lib), exist_ok=True)
    with open(os.path.join(os.path.dirname(lib), ".fetch.lock"), "w") as lockf:
        fcntl.flock(lockf, fcntl.LOCK_EX)
        if fetched():
            return lib
        for tool in ("mvn", "java"):
            if shutil.which(tool) is None:
                raise KafkaClusterError("%s not found: run scripts/install-deps (it installs "
                                        "maven and openjdk-17-jre-headless)" % tool)
        if os.path.isdir(lib):
            shutil.rmtree(lib)
        argv = ["mvn", "-q", "-B", "--strict-checksums", "-f", POM,
                "dependency:copy-dependencies", "-DoutputDirectory=" + lib]
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise KafkaClusterError("fetching Kafka with Maven failed (%s):\n%s"
                              % (" ".join(argv), p.stdout[-4000:]))
        with open(stamp, "w") as f:
            f.write(pom)
    return lib


def classpath(lib):
    jars = sorted(n for n in os.listdir(lib) if n.endswith(".jar"))
    if not any(n.startswith("kafka_2.13-") for n in jars):
        raise KafkaClusterError("no kafka_2.13 jar in %s: remove the directory to fetch again" % lib)
    return ":".join(os.path.join(lib, n) for n in jars)


def random_cluster_id():
    """Kafka's Uuid text form: 16 bytes, URL-safe base64, no padding.

    Like Kafka's own Uuid.randomUuid, never one that starts with '-': the
    storage tool's argument parser takes such an id for an option (one CI
    run in 64 failed with "argument --cluster-id/-t: expected one argument").
    """
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


# Client-facing listeners KafkaSecurity can add: name -> security protocol.
# MTLS is TLS that requires a client certificate.
SECURE_LISTENERS = {"SSL": "SSL", "MTLS": "SSL", "SASL_PLAINTEXT": "SASL_PLAINTEXT",
                    "SASL_SSL": "SASL_SSL"}
SCRAM_MECHANISM = "SCRAM-SHA-512"


class KafkaSecurity:
    """TLS and SASL/SCRAM listeners beside the PLAINTEXT one (which the
    brokers, the readiness checks and clean() keep using).

    ca:         PEM file of the CA that signed the broker's and clients' certificates
    keystore:   PEM file holding the broker's private key (unencrypted PKCS#8)
                and certificate (tlscerts.Issued.chain)
    scram_users: {user: password}, created as SCRAM-SHA-512 credentials when
                the storage is formatted, and accepted by SASL PLAIN too
    listeners:  which of SECURE_LISTENERS to open"""

    def __init__(self, ca=None, keystore=None, scram_users=None, listeners=(),
                 mechanism=SCRAM_MECHANISM, plain_users=None):
        self.mechanism = mechanism
        self.ca = ca
        self.keystore = keystore
        self.scram_users = dict(scram_users or {})
        # PLAIN's users live in the broker's configuration; SCRAM's in the
        # cluster metadata (only needed when formatting).
        self.plain_users = dict(plain_users if plain_users is not None else self.scram_users)
        self.listeners = list(listeners)
        for name in self.listeners:
            proto = SECURE_LISTENERS.get(name)
            if proto is None:
                raise KafkaClusterError("unknown listener %s (known: %s)"
                                        % (name, ", ".join(SECURE_LISTENERS)))
            if "SSL" in proto and not (ca and keystore):
                raise KafkaClusterError("listener %s needs ca and keystore" % name)
            if proto.startswith("SASL") and not (self.scram_users or self.plain_users):
                raise KafkaClusterError("listener %s needs scram_users" % name)

    def to_state(self):
        """What a restart needs (cluster.json): no SCRAM passwords, which
        only formatting uses; PLAIN's are in every node's server.properties
        anyway."""
        return {"ca": self.ca, "keystore": self.keystore, "listeners": self.listeners,
                "mechanism": self.mechanism, "plain_users": self.plain_users}

    @classmethod
    def from_state(cls, st):
        return cls(st["ca"], st["keystore"], {}, st["listeners"], st["mechanism"],
                   st["plain_users"])

    def format_args(self):
        args = []
        for user, password in sorted(self.scram_users.items()):
            args += ["--add-scram", "%s=[name=\"%s\",password=\"%s\"]" % (self.mechanism, user, password)]
        return args

    def config(self):
        cfg = {}
        protos = [SECURE_LISTENERS[n] for n in self.listeners]
        if any("SSL" in p for p in protos):
            cfg.update({"ssl.keystore.type": "PEM", "ssl.keystore.location": self.keystore,
                        "ssl.truststore.type": "PEM", "ssl.truststore.location": self.ca})
        if "MTLS" in self.listeners:
            cfg["listener.name.mtls.ssl.client.auth"] = "required"
        if any(p.startswith("SASL") for p in protos):
            # PLAIN too, with the same users: librdkafka before 2.6.1 cannot
            # log in with SCRAM to Kafka 4 (see kafka_sink.c).
            cfg["sasl.enabled.mechanisms"] = self.mechanism + ",PLAIN"
            plain = "org.apache.kafka.common.security.plain.PlainLoginModule required %s;" % " ".join(
                'user_%s="%s"' % (u, p) for u, p in sorted(self.plain_users.items()))
            for n in self.listeners:
                if SECURE_LISTENERS[n].startswith("SASL"):
                    cfg["listener.name.%s.%s.sasl.jaas.config" % (n.lower(),
                                                                  self.mechanism.lower())] = (
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                    cfg["listener.name.%s.plain.sasl.jaas.config" % n.lower()] = plain
        return cfg


class KafkaCluster:
    """N KRaft nodes (combined broker+controller) in workdir/node<i>.
    security (KafkaSecurity) adds TLS and SASL listeners."""

    def __init__(self, workdir, nodes=1, start_timeout=90.0, stop_timeout=30.0,
                 extra_config=None, security=None):
        self.workdir = os.path.abspath(os.fspath(workdir))
        self.nodes = nodes
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_config = dict(extra_config or {})
        self.security = security
        self.startup_seconds = None
        self.state_path = os.path.join(self.workdir, "cluster.json")
        self.state = None
        self._procs = {}  # node id -> Popen (only in the process that started it)

    # -- layout ------------------------------------------------------------

    def _load_or_create_state(self):
        if os.path.exists(self.state_path):
            with open(self.state_path) as f:
                self.state = json.load(f)
            self.nodes = len(self.state["nodes"])
            if self.security is None and self.state.get("security"):
                self.security = KafkaSecurity.from_state(self.state["security"])
            return False
        os.makedirs(self.workdir, exist_ok=True)
        self.state = {"cluster_id": random_cluster_id(),
                      "nodes": {str(i): {"port": free_port(), "controller_port": free_port(),
                                         "listeners": {n: free_port() for n in
                                                       (self.security.listeners
                                                        if self.security else ())}}
                                for i in range(1, self.nodes + 1)}}
        if self.security:
            self.state["security"] = self.security.to_state()
        return True

    def _save_state(self):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1)
        if self.security:
            os.chmod(tmp, 0o600)  # PLAIN's passwords
        os.replace(tmp, self.state_path)

    def node_dir(self, i):
        return os.path.join(self.workdir, "node%d" % i)

    def node_ids(self):
        return [int(i) for i in sorted(self.state["nodes"], key=int)]

    def _config(self, i):
        n = self.nodes
        st = self.state["nodes"][str(i)]
        voters = ",".join("%s@127.0.0.1:%d" % (j, s["controller_port"])
                          for j, s in sorted(self.state["nodes"].items(), key=lambda kv: int(kv[0])))
        rf = n
        isr = min(2, n)
        extra = sorted(st.get("listeners", {}).items())
        advertised = ["PLAINTEXT://127.0.0.1:%d" % st["port"]] + [
            "%s://127.0.0.1:%d" % (name, port) for name, port in extra]
        cfg = {
            "process.roles": "broker,controller",
            "node.id": str(i),
            "controller.quorum.voters": voters,
            "listeners": ",".join(advertised + ["CONTROLLER://127.0.0.1:%d"
                                                % st["controller_port"]]),
            "advertised.listeners": ",".join(advertised),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": ",".join(
                ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"]
                + ["%s:%s" % (name, SECURE_LISTENERS[name]) for name, _ in extra]),
            "log.dirs": os.path.join(self.node_dir(i), "data"),
            # Like the dev broker: topics appear on first use, 4 partitions.
            "auto.create.topics.enable": "true",
            "num.partitions": "4",
            "default.replication.factor": str(rf),
            "min.insync.replicas": str(isr),
            "offsets.topic.replication.factor": str(rf),
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": str(rf),
            "transaction.state.log.min.isr": str(isr),
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": str(rf),
            "share.coordinator.state.topic.min.isr": str(isr),
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "num.recovery.threads.per.data.dir": "1",
            "log.segment.bytes": str(64 * 1024 * 1024),
            # A killed node is noticed within seconds, not the default 9 s.
            "broker.session.timeout.ms": "4000",
            "broker.heartbeat.interval.ms": "500",
            "controller.quorum.election.timeout.ms": "1000",
            "controller.quorum.fetch.timeout.ms": "2000",
            "delete.topic.enable": "true",
            # Records may carry old timestamps (table.field.event.timestamp,
            # Debezium's differential tests): time-based retention must not
            # delete them under a test.
            "log.retention.ms": "-1",
        }
        if self.security:
            cfg.update(self.security.config())
        cfg.update(self.extra_config)
        return cfg

    def _write_config(self, i):
        d = self.node_dir(i)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "server.properties")
        with open(path, "w") as f:
            for k, v in self._config(i).items():
                f.write("%s=%s\n" % (k, v))
        return path

    def _java(self, main, args):
        return ["java"] + JVM_OPTS + ["-cp", classpath(self.lib), main] + list(args)

    def _format(self, ids):
        """kafka-storage format for each new node, in parallel (one JVM each)."""
        procs = []
        for i in ids:
            cfg = self._write_config(i)
            log = open(os.path.join(self.node_dir(i), "format.log"), "w")
            argv = self._java("kafka.tools.StorageTool",
                              ["format", "--cluster-id=" + self.state["cluster_id"], "-c", cfg,
                               "--ignore-formatted"]
                              + (self.security.format_args() if self.security else []))
            procs.append((i, argv, subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT),
                          log))
        for i, argv, p, log in procs:
            rc = p.wait()
            log.close()
            if rc != 0:
                with open(log.name) as f:
                    # Not the whole command: --add-scram carries passwords.
                    raise KafkaClusterError("formatting node %d failed (%s):\n%s"
                                      % (i, " ".join(argv[argv.index("format"):][:6]),
                                         f.read()[-3000:]))

    # -- lifecycle ---------------------------------------------------------

    def start(self):
        """Fetches, formats (first time only) and starts every node; returns
        once all brokers answer a metadata request."""
        t0 = time.monotonic()
        self.lib = kafka_lib()
        fresh = self._load_or_create_state()
        if fresh:
            self._format(self.node_ids())
            self._save_state()
        for i in self.node_ids():
            self._write_config(i)
            self.start_node(i, wait=False)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def pid_path(self, i):
        return os.path.join(self.node_dir(i), "kafka.pid")

    def pid(self, i):
        try:
            with open(self.pid_path(i)) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) else None

    def start_node(self, i, wait=True):
        """Starts node i on its recorded ports and log directory."""
        if self.pid(i) is not None:
            raise KafkaClusterError("node %d already running (pid %d)" % (i, self.pid(i)))
        if not hasattr(self, "lib"):
            self.lib = kafka_lib()
        d = self.node_dir(i)
        cfg = os.path.join(d, "server.properties")
        argv = self._java("kafka.Kafka", [cfg])
        with open(os.path.join(d, "kafka.log"), "ab") as log:
            log.write(b"\n==== start %s\n" % time.strftime("%Y-%m-%d %H:%M:%S").encode())
            log.flush()
            # A session of its own: a Ctrl-C meant for a test run must not
            # reach the broker mid-fault, and scripts/dev-kafka can exit.
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, cwd=d, start_new_session=True)
        self._procs[i] = p
        with open(self.pid_path(i), "w") as f:
            f.write("%d\n" % p.pid)
        if wait:
            self.wait_ready()

    def _reap(self, i):
        p = self._procs.pop(i, None)
        if p is not None:
            try:
                p.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                self._procs[i] = p

    def _wait_exit(self, i, pid, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = self._procs.get(i)
            if p is not None:
                if p.poll() is not None:
                    self._procs.pop(i, None)
                    return True
            elif not pid_alive(pid):
                return True
            time.sleep(0.05)
        return False

    def stop_node(self, i, sig=signal.SIGTERM, timeout=None):
        """Stops node i by its PID (SIGTERM: controlled shutdown; SIGKILL
        after the timeout). Returns whether it was running."""
        pid = self.pid(i)
        if pid is None:
            self._reap(i)
            return False
        timeout = self.stop_timeout if timeout is None else timeout
        os.kill(pid, signal.SIGCONT)  # a paused node cannot shut down
        os.kill(pid, sig)
        if not self._wait_exit(i, pid, timeout):
            os.kill(pid, signal.SIGKILL)
            self._wait_exit(i, pid, 10)
        try:
            os.unlink(self.pid_path(i))
        except OSError:
            pass
        return True

    def kill_node(self, i):
        """kill -9: no controlled shutdown, as in a crash."""
        return self.stop_node(i, signal.SIGKILL, timeout=10)

    def pause_node(self, i):
        """SIGSTOP: the node keeps its sockets but answers nothing (a stall)."""
        os.kill(self._need_pid(i), signal.SIGSTOP)

    def resume_node(self, i):
        os.kill(self._need_pid(i), signal.SIGCONT)

    def _need_pid(self, i):
        pid = self.pid(i)
        if pid is None:
            raise KafkaClusterError("node %d is not running" % i)
        return pid

    def stop(self):
        """Stops every node (in parallel: a lone survivor of a cluster
        waits long for a controlled shutdown it cannot get)."""
        pids = {i: self.pid(i) for i in self.node_ids()} if self.state else {}
        for i, pid in pids.items():
            if pid is not None:
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for i, pid in pids.items():
            if pid is None:
                continue
            if not self._wait_exit(i, pid, max(0.1, deadline - time.monotonic())):
                os.kill(pid, signal.SIGKILL)
                self._wait_exit(i, pid, 10)
            try:
                os.unlink(self.pid_path(i))
            except OSError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    @classmethod
    def attach(cls, workdir):
        """A handle on a cluster started elsewhere (scripts/dev-kafka)."""
        c = cls(workdir)
        if not os.path.exists(c.state_path):
            raise KafkaClusterError("no Kafka cluster in %s (no cluster.json)" % c.workdir)
        c._load_or_create_state()
        return c

    # -- information -------------------------------------------------------

    @property
    def bootstrap_servers(self):
        return ",".join("127.0.0.1:%d" % self.state["nodes"][str(i)]["port"]
                        for i in self.node_ids())

    def listener_bootstrap(self, name):
        """bootstrap.servers of one of KafkaSecurity's listeners."""
        return ",".join("127.0.0.1:%d" % self.state["nodes"][str(i)]["listeners"][name]
                        for i in self.node_ids())

    def node_bootstrap(self, i):
        return "127.0.0.1:%d" % self.state["nodes"][str(i)]["port"]

    def running_nodes(self):
        return [i for i in self.node_ids() if self.pid(i) is not None]

    def log_text(self, i):
        try:
            with open(os.path.join(self.node_dir(i), "kafka.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def metadata_brokers(self, timeout=2.0):
        """Broker ids a metadata request lists, or None if none answered."""
        from confluent_kafka.admin import AdminClient
        running = self.running_nodes()
        if not running:
            return None
        bootstrap = ",".join(self.node_bootstrap(i) for i in running)
        try:
            md = AdminClient({"bootstrap.servers": bootstrap,
                              "socket.connection.setup.timeout.ms": 2000,
                              "log_level": 0}).list_topics(timeout=timeout)
        except Exception:
            return None
        return sorted(md.brokers)

    def wait_ready(self, timeout=None):
        """Until every running node is listed as a broker by a metadata
        request (so it is registered and unfenced)."""
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while True:
            for i in list(self._procs):
                rc = self._procs[i].poll()
                if rc is not None:
                    self._procs.pop(i)
                    raise KafkaClusterError("Kafka node %d exited with status %d while starting; "
                                      "log %s:\n%s" % (i, rc, os.path.join(self.node_dir(i),
                                                                           "kafka.log"),
                                                       self.log_text(i)[-4000:]))
            want = self.running_nodes()
            brokers = self.metadata_brokers()
            if brokers is not None and all(i in brokers for i in want):
                return
            if time.monotonic() > deadline:
                raise KafkaClusterError("Kafka nodes %s not all ready within %.0f s (metadata lists %s)"
                                  "; logs under %s" % (want, timeout or self.start_timeout,
                                                       brokers, self.workdir))
            time.sleep(0.2)


def pid_alive(pid):
    """The process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class RealKafkaBroker:
    """The `broker` fixture's interface (see devbroker.DevBroker) on a real
    Kafka cluster shared by a whole pytest session. Between tests,
    clean() deletes the topics a test made."""

    kind = "kafka"

    def __init__(self, cluster):
        self.cluster = cluster

    @property
    def bootstrap_servers(self):
        return self.cluster.bootstrap_servers

    def _node(self, broker_id):
        i = int(broker_id)
        if i not in self.cluster.node_ids():
            raise KafkaClusterError("no Kafka node %s (nodes %s)" % (broker_id, self.cluster.node_ids()))
        return i

    # Real faults.
    def broker_down(self, broker_id):
        """kill -9 of the node: connections drop, nothing answers. Unlike
        the mock's broker-down, leadership moves in a multi-node cluster."""
        self.cluster.kill_node(self._node(broker_id))
        return "ok"

    def broker_up(self, broker_id):
        """Restarts the node on the same ports and log directory."""
        i = self._node(broker_id)
        if self.cluster.pid(i) is None:
            self.cluster.start_node(i)
        return "ok"

    def pause(self, broker_id):
        self.cluster.pause_node(self._node(broker_id))

    def resume(self, broker_id):
        self.cluster.resume_node(self._node(broker_id))

    def create_topic(self, name, partitions=1, replication=None):
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers})
        rf = replication if replication is not None else -1
        fut = admin.create_topics([NewTopic(name, partitions, rf)])[name]
        fut.result(timeout=30)
        _wait(lambda: name in _topic_names(self.bootstrap_servers), 30, "topic %s" % name)
        return "ok"

    # Mock-only faults: a test that needs them is marked dev-only.
    def rtt(self, broker_id, ms):
        raise DevOnly("rtt injection needs the dev broker")

    def request_errors(self, api, err, count=1):
        raise DevOnly("request error injection needs the dev broker")

    def set_leader(self, topic, partition, broker_id):
        raise DevOnly("setting a leader needs the dev broker")

    def ping(self):
        return "ok pong" if self.cluster.metadata_brokers() else "error"

    # Between tests.
    def clean(self):
        """Brings stopped or paused nodes back, then deletes every topic
        that is not Kafka's own (tests use fixed names like outbox.event.A)."""
        for i in self.cluster.node_ids():
            pid = self.cluster.pid(i)
            if pid is None:
                self.cluster.start_node(i, wait=False)
            else:
                os.kill(pid, signal.SIGCONT)
        self.cluster.wait_ready()
        from confluent_kafka.admin import AdminClient
        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers})
        names = [t for t in _topic_names(self.bootstrap_servers) if not t.startswith("__")]
        if not names:
            return []
        for name, fut in admin.delete_topics(names, operation_timeout=30).items():
            try:
                fut.result(timeout=60)
            except Exception as e:  # already gone is fine
                if "UNKNOWN_TOPIC" not in str(e):
                    raise
        _wait(lambda: not set(names) & _topic_names(self.bootstrap_servers), 60,
              "topics %s deleted" % names)
        return names


def _topic_names(bootstrap):
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
    return set(md.topics)


def _wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise KafkaClusterError("timed out waiting for %s" % what)
        time.sleep(0.1)
