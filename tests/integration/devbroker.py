"""Start, stop and steer tidewater-devbroker from integration tests.

tidewater-devbroker is librdkafka's mock cluster in a process of its own: real
Kafka protocol on 127.0.0.1, data in memory, plus a line-based control channel
for fault injection. Typical use:

    from devbroker import DevBroker

    with DevBroker(binary, tmp_path, brokers=3, topics=["orders:3"]) as broker:
        producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
        broker.broker_down(2)
        ...

Only the process this object started is ever signalled, and only by its PID.
Standard library only: this runs under /usr/bin/python3 with no pip.
"""

import os
import signal
import socket
import subprocess
import time

DEFAULT_START_TIMEOUT = 15.0
DEFAULT_STOP_TIMEOUT = 10.0
CONTROL_TIMEOUT = 10.0


class DevBrokerError(RuntimeError):
    """The dev broker could not be started, reached, or stopped."""


class DevBrokerCommandError(DevBrokerError):
    """The control channel answered "error ..."; .reply holds the line."""

    def __init__(self, command, reply):
        super().__init__("devbroker command %r failed: %s" % (command, reply))
        self.command = command
        self.reply = reply


def _topic_arg(topic):
    """Accepts "name", "name:P[:R]", (name, P) or (name, P, R)."""
    if isinstance(topic, str):
        return topic
    return ":".join(str(part) for part in topic)


class DevBroker:
    """One tidewater-devbroker process and its control channel.

    binary_path: the tidewater-devbroker executable.
    workdir:     directory for the address files and the process's logs
                 (devbroker.stdout / devbroker.stderr); created if missing.
    brokers:     number of mock brokers (ids 1..brokers).
    topics:      topics to create before start() returns, see _topic_arg.
    control_port: 0 for any free port.
    """

    def __init__(self, binary_path, workdir, brokers=1, topics=(), control_port=0,
                 start_timeout=DEFAULT_START_TIMEOUT, stop_timeout=DEFAULT_STOP_TIMEOUT):
        self.binary_path = os.fspath(binary_path)
        self.workdir = os.fspath(workdir)
        self.brokers = brokers
        self.topics = [_topic_arg(t) for t in topics]
        self.control_port = control_port
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.bootstrap_file = os.path.join(self.workdir, "devbroker.bootstrap")
        self.control_file = os.path.join(self.workdir, "devbroker.control")
        self.stdout_path = os.path.join(self.workdir, "devbroker.stdout")
        self.stderr_path = os.path.join(self.workdir, "devbroker.stderr")
        self._proc = None
        self._bootstrap_servers = None
        self._control_addr = None
        self.returncode = None

    # -- lifecycle ---------------------------------------------------------

    def argv(self):
        args = [self.binary_path, "--brokers", str(self.brokers),
                "--bootstrap-file", self.bootstrap_file,
                "--control-file", self.control_file,
                "--control-port", str(self.control_port)]
        for topic in self.topics:
            args += ["--topic", topic]
        return args

    def start(self):
        """Spawns the broker and waits until it has written its bootstrap file
        (written last, after the topics and control channel exist)."""
        if self._proc is not None:
            raise DevBrokerError("devbroker already started (pid %d)" % self._proc.pid)
        if not os.access(self.binary_path, os.X_OK):
            raise DevBrokerError("devbroker binary %r is missing or not executable"
                                 % self.binary_path)
        os.makedirs(self.workdir, exist_ok=True)
        # A file left by an earlier run would look like readiness.
        for path in (self.bootstrap_file, self.control_file):
            if os.path.exists(path):
                os.unlink(path)

        # Logs go to files, not pipes: nobody drains a pipe while tests run,
        # and a full pipe would block the broker.
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self._proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=err, close_fds=True)
        self.returncode = None
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while not os.path.exists(self.bootstrap_file):
            rc = self._proc.poll()
            if rc is not None:
                raise DevBrokerError("devbroker exited with status %d before it was ready: %s\n"
                                     "command: %s\nstderr:\n%s"
                                     % (rc, self._describe_status(rc), " ".join(self.argv()),
                                        self.stderr_text()))
            if time.monotonic() > deadline:
                raise DevBrokerError("devbroker (pid %d) did not write %s within %.1f s\n"
                                     "stderr:\n%s" % (self._proc.pid, self.bootstrap_file,
                                                      self.start_timeout, self.stderr_text()))
            time.sleep(0.02)
        with open(self.bootstrap_file) as f:
            self._bootstrap_servers = f.read().strip()
        with open(self.control_file) as f:
            host, _, port = f.read().strip().rpartition(":")
        self._control_addr = (host, int(port))

    @staticmethod
    def _describe_status(rc):
        if rc < 0:
            return "killed by signal %d" % -rc
        return {2: "usage error", 1: "runtime error"}.get(rc, "exit status %d" % rc)

    def stop(self):
        """SIGTERM by PID, wait, SIGKILL after stop_timeout. Returns the exit
        status (negative: killed by that signal). Safe to call twice."""
        if self._proc is None:
            return self.returncode
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        self.returncode = proc.returncode
        return self.returncode

    def send_signal(self, signo):
        """Signals the broker process (by PID) without waiting."""
        if self._proc is None:
            raise DevBrokerError("devbroker not running")
        os.kill(self._proc.pid, signo)

    def wait(self, timeout):
        """Waits for the process to exit; returns its status. Raises
        subprocess.TimeoutExpired if it is still running after timeout."""
        if self._proc is None:
            return self.returncode
        return self._proc.wait(timeout=timeout)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    # -- information -------------------------------------------------------

    @property
    def pid(self):
        return self._proc.pid if self._proc is not None else None

    @property
    def bootstrap_servers(self):
        """The comma-separated bootstrap.servers list for Kafka clients."""
        if self._bootstrap_servers is None:
            raise DevBrokerError("devbroker not started")
        return self._bootstrap_servers

    @property
    def control_address(self):
        """(host, port) of the control channel."""
        if self._control_addr is None:
            raise DevBrokerError("devbroker not started")
        return self._control_addr

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- control channel ---------------------------------------------------

    def command(self, line):
        """Sends one control command and returns its reply line (e.g.
        "ok pong"). Raises DevBrokerCommandError on an "error ..." reply.

        One connection per command: nothing to get out of sync if a test
        restarts the broker or a command times out."""
        if "\n" in line or "\r" in line:
            raise ValueError("one command per call, without newlines: %r" % line)
        with socket.create_connection(self.control_address, timeout=CONTROL_TIMEOUT) as sock:
            sock.sendall(line.encode() + b"\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    raise DevBrokerError("devbroker closed the control connection before "
                                         "answering %r (got %r)" % (line, reply))
                reply += chunk
        text = reply.decode("utf-8", "replace").rstrip("\r\n")
        if not text.startswith("ok"):
            raise DevBrokerCommandError(line, text)
        return text

    def ping(self):
        return self.command("ping")

    def broker_down(self, broker_id):
        """Closes the broker's connections and refuses new ones. Partition
        leadership does not move (the mock does not fail over)."""
        return self.command("broker-down %s" % broker_id)

    def broker_up(self, broker_id):
        return self.command("broker-up %s" % broker_id)

    def rtt(self, broker_id, ms):
        """Delays every response of that broker ("all" for every broker)."""
        return self.command("rtt %s %d" % (broker_id, ms))

    def request_errors(self, api, err, count=1):
        """The next `count` requests of type `api` (name like "Produce" or
        number) fail with `err` (name like "NOT_LEADER_FOR_PARTITION", or
        number; "_TRANSPORT" drops the connection instead)."""
        return self.command("request-errors %s %s %d" % (api, err, count))

    def create_topic(self, name, partitions=1, replication=None):
        line = "create-topic %s %d" % (name, partitions)
        if replication is not None:
            line += " %d" % replication
        return self.command(line)

    def set_leader(self, topic, partition, broker_id):
        """Moves a partition's leader; broker_id "none" makes it leaderless."""
        return self.command("leader %s %d %s" % (topic, partition, broker_id))
