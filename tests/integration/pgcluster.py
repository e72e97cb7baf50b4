"""A throwaway PostgreSQL cluster for tests, started and stopped by PID.

initdb refuses to run as root, so when the tests run as root (CI does) the
cluster belongs to the `postgres` system user and its commands run through
`su postgres`. Everything listens on 127.0.0.1 and a private Unix socket
directory inside the cluster's base directory.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time

import psycopg2
import psycopg2.extensions

PG_BIN = os.environ.get("TW_PG_BIN", "/usr/lib/postgresql/15/bin")


def free_port():
    """A TCP port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """initdb + pg_ctl for one cluster under `basedir`."""

    def __init__(self, basedir, settings=None, superuser="postgres"):
        self.basedir = os.path.abspath(basedir)
        self.datadir = os.path.join(self.basedir, "data")
        self.sockdir = os.path.join(self.basedir, "sock")
        self.logfile = os.path.join(self.basedir, "postgres.log")
        self.port = free_port()
        self.superuser = superuser
        self.as_root = os.geteuid() == 0
        self.settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": "'%s'" % self.sockdir,
            "wal_level": "logical",
            "max_replication_slots": "20",
            "max_wal_senders": "20",
            "max_connections": "60",
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "logical_decoding_work_mem": "64kB",
            "wal_sender_timeout": "60s",
            "log_min_messages": "warning",
        }
        self.settings.update(settings or {})

    # -- process control -------------------------------------------------
    def _run(self, argv, check=True, timeout=120):
        if self.as_root:
            cmd = " ".join("'%s'" % a.replace("'", "'\\''") for a in argv)
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", cmd]
        return subprocess.run(argv, check=check, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def init(self):
        os.makedirs(self.sockdir, exist_ok=True)
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            for d in (self.basedir, self.sockdir):
                os.chown(d, pw.pw_uid, pw.pw_gid)
            # The postgres user must be able to traverse every parent
            # (pytest's /tmp/pytest-of-root is private to root).
            parent = os.path.dirname(self.basedir)
            while parent != "/":
                mode = os.stat(parent).st_mode
                if mode & 0o011 != 0o011:
                    os.chmod(parent, mode | 0o011)
                parent = os.path.dirname(parent)
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.datadir, "-U", self.superuser,
                   "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        with open(os.path.join(self.datadir, "postgresql.conf"), "a") as f:
            for k, v in self.settings.items():
                f.write("%s = %s\n" % (k, v))
        return self

    def start(self):
        res = self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.datadir, "-l",
                         self.logfile, "-w", "-t", "60", "start"], check=False)
        if res.returncode != 0:
            raise RuntimeError("postgres did not start:\n%s\n%s" % (res.stdout, self.log_tail()))
        return self

    def pid(self):
        try:
            with open(os.path.join(self.datadir, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def stop(self, mode="fast"):
        pid = self.pid()
        if pid is None:
            return
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.datadir, "-m", mode, "-w",
                   "-t", "60", "stop"], check=False)
        # Belt and braces: never leave a server behind.
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)

    def restart(self, mode="fast"):
        self.stop(mode)
        self.start()

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.basedir, ignore_errors=True)

    def log_tail(self, n=40):
        try:
            with open(self.logfile) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # -- SQL -------------------------------------------------------------
    def connect(self, dbname="postgres", user=None, password=None):
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, dbname=dbname,
                                user=user or self.superuser, password=password)
        conn.autocommit = True
        return conn

    def sql(self, query, params=None, dbname="postgres"):
        """Runs one statement in its own connection; returns rows (or None)."""
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def create_database(self, name):
        self.sql('CREATE DATABASE "%s"' % name)
        return name

    def set_and_reload(self, **settings):
        for k, v in settings.items():
            self.sql("ALTER SYSTEM SET %s = %%s" % k, (v,))
        self.sql("SELECT pg_reload_conf()")
