"""Debezium itself, run next to tidewater: Kafka Connect standalone with
Debezium's PostgreSQL connector, fetched from Maven Central.

    from debezium_peer import DebeziumConnect, fetch

    lib = fetch()                       # once; raises DebeziumUnavailable
    with DebeziumConnect(lib, workdir, worker_props, connector_props) as dbz:
        ...                             # dbz.startup_seconds, dbz.rest_url

The versions are pinned in scripts/debezium.d/pom.xml (Debezium 3.6.1.Final and
the Kafka release its parent pom builds against). The jars land in
_build/debezium/lib. The worker runs with -Xmx512m, binds its REST listener to
127.0.0.1, writes its PID file into its work directory, and is stopped only
by that PID. Standard library only (runs under /usr/bin/python3).
"""
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

from realkafka import KafkaClusterError, free_port, kafka_lib, pid_alive  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
POM_DIR = os.path.join(TOP, "scripts", "debezium.d")
DEFAULT_LIB = os.path.join(TOP, "_build", "debezium", "lib")
MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectStandalone"
PID_FILE = "connect.pid"
LOG_FILE = "connect.log"


class DebeziumUnavailable(RuntimeError):
    """Maven or Java is missing, or the artifacts could not be fetched."""


class DebeziumError(RuntimeError):
    """The Connect worker failed to start, or its connector failed."""


def fetch(which="connect", lib=None, quiet=True):
    """Copies the jars scripts/debezium.d/pom.xml pins into lib (once: a
    stamp file holding the pom's text marks a complete fetch); returns lib.
    which: "connect" (Connect + Debezium) or "kafka" (the broker: the one
    realkafka.py runs for every test, tests/kafka/pom.xml)."""
    if which == "kafka":
        try:
            return kafka_lib()
        except KafkaClusterError as e:
            raise DebeziumUnavailable(str(e))
    pom_name = "pom.xml"
    lib = lib or DEFAULT_LIB
    with open(os.path.join(POM_DIR, pom_name)) as f:
        pom = f.read()
    stamp = os.path.join(lib, ".fetched")
    try:
        with open(stamp) as f:
            if f.read() == pom:
                return lib
    except OSError:
        pass
    for tool in ("mvn", "java"):
        if shutil.which(tool) is None:
            raise DebeziumUnavailable("%s not found: run scripts/install-deps (it installs "
                                      "maven and openjdk-17-jre-headless)" % tool)
    if os.path.isdir(lib):
        shutil.rmtree(lib)
    os.makedirs(lib)
    argv = ["mvn", "-B", "-f", pom_name, "dependency:copy-dependencies",
            "-DincludeScope=runtime", "-DoutputDirectory=" + lib]
    if quiet:
        argv.insert(1, "-q")
    proc = subprocess.run(argv, cwd=POM_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0:
        raise DebeziumUnavailable("mvn could not fetch %s (exit %d):\n%s"
                                  % (pom_name, proc.returncode, proc.stdout[-3000:]))
    with open(stamp, "w") as f:
        f.write(pom)
    return lib


def write_properties(path, props):
    with open(path, "w") as f:
        for k, v in props.items():
            # Backslashes are escapes in .properties files.
            f.write("%s=%s\n" % (k, str(v).replace("\\", "\\\\")))
    return path


def read_properties(text):
    """Simple .properties reading (key=value or key: value lines, # and !
    comments; no line continuations): enough for connector and worker files."""
    props = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        for i, c in enumerate(line):
            if c in "=:":
                props[line[:i].strip()] = line[i + 1:].strip().replace("\\\\", "\\")
                break
    return props


LOG4J = """log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=%s
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%%d{ISO8601} %%p %%c{1} %%m%%n
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.reflections=ERROR
"""


class DebeziumConnect:
    """One Kafka Connect standalone worker running one connector.

    lib:        directory of jars (fetch()).
    workdir:    worker.properties, connector.properties, offsets, logs and
                the PID file go here (created if missing).
    worker:     worker properties (bootstrap.servers, converters, ...);
                listeners, offset storage and flush interval get defaults.
    connector:  connector properties (name, connector.class, ...), or the
                path of a .properties file (copied as it is).
    rest_port:  0 picks a free port.
    extra_connectors: more connector .properties files for the same worker
                (start() waits for all of them).
    """

    def __init__(self, lib, workdir, worker, connector, rest_port=0, heap="512m",
                 start_timeout=120.0, extra_connectors=()):
        self.lib = lib
        self.workdir = os.fspath(workdir)
        self.rest_port = rest_port or free_port()
        self.worker = {
            "listeners": "http://127.0.0.1:%d" % self.rest_port,
            "offset.storage.file.filename": os.path.join(self.workdir, "offsets.dat"),
            "offset.flush.interval.ms": "1000",
            "plugin.discovery": "only_scan",
        }
        self.worker.update(worker)
        if isinstance(connector, (str, os.PathLike)):
            with open(connector) as f:
                self.connector_text = f.read()
            self.connector = read_properties(self.connector_text)
        else:
            self.connector = dict(connector)
            self.connector_text = None
        self.name = self.connector["name"]
        self.extra = [os.fspath(p) for p in extra_connectors]
        self.names = [self.name]
        for path in self.extra:
            with open(path) as f:
                self.names.append(read_properties(f.read())["name"])
        self.heap = heap
        self.start_timeout = start_timeout
        self.proc = None
        self.startup_seconds = None

    @property
    def rest_url(self):
        return "http://127.0.0.1:%d" % self.rest_port

    @property
    def log_path(self):
        return os.path.join(self.workdir, LOG_FILE)

    def argv(self):
        return ["java", "-Xmx" + self.heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                "-Dlog4j.configuration=file:" + os.path.join(self.workdir, "log4j.properties"),
                "-cp", os.path.join(self.lib, "*"), MAIN_CLASS,
                os.path.join(self.workdir, "worker.properties"),
                os.path.join(self.workdir, "connector.properties")] + self.extra

    def start(self):
        os.makedirs(self.workdir, exist_ok=True)
        write_properties(os.path.join(self.workdir, "worker.properties"), self.worker)
        conn_path = os.path.join(self.workdir, "connector.properties")
        if self.connector_text is not None:
            with open(conn_path, "w") as f:
                f.write(self.connector_text)
        else:
            write_properties(conn_path, self.connector)
        with open(os.path.join(self.workdir, "log4j.properties"), "w") as f:
            f.write(LOG4J % self.log_path)
        out = open(os.path.join(self.workdir, "connect.stdout"), "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        with open(os.path.join(self.workdir, PID_FILE), "w") as f:
            f.write("%d\n" % self.proc.pid)
        try:
            self.wait_running(self.start_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def status(self, name=None):
        """A connector's REST status, or None while the REST server is down."""
        try:
            with urllib.request.urlopen("%s/connectors/%s/status"
                                        % (self.rest_url, name or self.name),
                                        timeout=5) as r:
                return json.loads(r.read())
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def wait_running(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DebeziumError("Kafka Connect exited with %d; log tail:\n%s"
                                    % (self.proc.returncode, self.log_tail()))
            running = 0
            for name in self.names:
                st = self.status(name)
                if not st:
                    break
                states = [st["connector"]["state"]] + [t["state"] for t in st.get("tasks", [])]
                if "FAILED" in states:
                    traces = [t.get("trace", "") for t in st.get("tasks", [])]
                    raise DebeziumError("connector %s FAILED: %s\n%s"
                                        % (name, st["connector"].get("trace", ""),
                                           "\n".join(traces)[-4000:]))
                if len(states) > 1 and all(s == "RUNNING" for s in states):
                    running += 1
            if running == len(self.names):
                return
            time.sleep(0.2)
        raise DebeziumError("connector %s not RUNNING after %.0fs; log tail:\n%s"
                            % (self.name, timeout, self.log_tail()))

    def log_tail(self, n=60):
        text = ""
        for name in (LOG_FILE, "connect.stdout"):
            try:
                with open(os.path.join(self.workdir, name), errors="replace") as f:
                    text += "".join(f.readlines()[-n:])
            except OSError:
                pass
        return text

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, timeout=30.0):
        if self.proc is None:
            return
        stop_pid(self.proc.pid, timeout, proc=self.proc)
        self.proc = None
        try:
            os.unlink(os.path.join(self.workdir, PID_FILE))
        except OSError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def stop_pid(pid, timeout=30.0, proc=None):
    """SIGTERM (Connect stops its tasks and flushes offsets), then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return
        if proc is None and not pid_alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if proc is not None:
        proc.wait(timeout=10)
