"""DevRegistry: start, stop and poke scripts/dev-registry from tests.

    with DevRegistry(script, tmp_path) as reg:
        status, body = reg.request("POST", "/subjects/t-value/versions",
                                   {"schema": json.dumps(schema)})
        reg.reject_next("t-value")      # the next registration gets a 409
        reg.fail_next(2)                # the next 2 requests get 500/50001
        reg.stats()["by_route"]         # {"POST /subjects/{s}/versions": n, ...}

DevRegistry(..., flavor="karapace"|"apicurio") answers like those registries
where they differ from Confluent; with apicurio, url ends in /apis/ccompat/v7.

State persists in workdir/registry.json unless data_file=False, so stop() and
start() (or restart()) keep the schema ids; a restart also keeps the port.
"""
import base64
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

V1_JSON = "application/vnd.schemaregistry.v1+json"


class DevRegistry:
    def __init__(self, script, workdir, basic_auth=None, tls=None, data_file=None,
                 quiet=False, extra_args=(), python="/usr/bin/python3", flavor=None):
        """tls: None, (cert, key), (cert, key, client_ca) or a dict with
        cert, key, and optionally client_ca (require client certificates)
        and client_cert/client_key (what request() presents)."""
        self.script = str(script)
        self.workdir = str(workdir)
        self.basic_auth = basic_auth
        if isinstance(tls, (tuple, list)):
            tls = dict(zip(("cert", "key", "client_ca"), tls))
        self.tls = dict(tls) if tls else None
        if data_file is None:
            data_file = os.path.join(self.workdir, "registry.json")
        self.data_file = str(data_file) if data_file else None
        self.quiet = quiet
        self.extra_args = list(extra_args)
        self.python = python
        self.flavor = flavor  # None: dev-registry's default (confluent)
        self.url_file = os.path.join(self.workdir, "registry.url")
        self.log = os.path.join(self.workdir, "registry.log")
        self.proc = None
        self.url = None

    # ------------------------------------------------------------ process

    @property
    def port(self):
        return urllib.parse.urlsplit(self.url).port if self.url else None

    def argv(self):
        argv = [self.python, self.script, "--url-file", self.url_file]
        if self.data_file:
            argv += ["--data-file", self.data_file]
        if self.url:  # a restart keeps the port
            argv += ["--port", str(self.port)]
        if self.basic_auth:
            argv += ["--basic-auth", self.basic_auth]
        if self.tls:
            argv += ["--tls-cert", self.tls["cert"]]
            if self.tls.get("key"):
                argv += ["--tls-key", self.tls["key"]]
            if self.tls.get("client_ca"):
                argv += ["--tls-client-ca", self.tls["client_ca"]]
        if self.quiet:
            argv.append("--quiet")
        if self.flavor:
            argv += ["--flavor", self.flavor]
        return argv + self.extra_args

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def start(self, timeout=20):
        os.makedirs(self.workdir, exist_ok=True)
        if os.path.exists(self.url_file):
            os.unlink(self.url_file)
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.url_file):
            if self.proc.poll() is not None:
                rc, self.proc = self.proc.returncode, None
                raise RuntimeError("dev-registry exited with status %d before listening:\n%s"
                                   % (rc, self.log_text()[-4000:]))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("dev-registry did not write %s within %ss:\n%s"
                                   % (self.url_file, timeout, self.log_text()[-4000:]))
            time.sleep(0.02)
        with open(self.url_file) as f:
            self.url = f.read().strip()
        return self

    def stop(self, timeout=10):
        """SIGTERM the server (by PID), wait, SIGKILL after `timeout`.
        Returns its exit status (None if it was not running)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------ HTTP

    def ssl_context(self):
        if not self.tls:
            return None
        ctx = ssl.create_default_context(cafile=self.tls.get("ca", self.tls["cert"]))
        if self.tls.get("client_cert"):
            ctx.load_cert_chain(self.tls["client_cert"], self.tls.get("client_key"))
        return ctx

    def request(self, method, path, body=None, headers=None, auth=True, timeout=10):
        """(status, decoded JSON body, or the text when it is not JSON).
        `body` is sent as JSON unless it is bytes/str; auth=False leaves out
        the basic-auth credentials."""
        if body is None:
            data = None
        elif isinstance(body, (bytes, str)):
            data = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", V1_JSON)
        req.add_header("Accept", V1_JSON)
        if auth and self.basic_auth:
            req.add_header("Authorization",
                           "Basic " + base64.b64encode(self.basic_auth.encode()).decode())
        for name, value in (headers or {}).items():
            if value is None:
                req.remove_header(name.capitalize())
            else:
                req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ssl_context()) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def register(self, subject, schema):
        """Register (a dict or JSON text) and return the id; raises on error."""
        text = schema if isinstance(schema, str) else json.dumps(schema)
        status, body = self.request("POST", "/subjects/%s/versions" % quote(subject),
                                    {"schema": text})
        if status != 200:
            raise RuntimeError("register %s: HTTP %d %s" % (subject, status, body))
        return body["id"]

    def schema(self, schema_id):
        """The schema with this id, parsed."""
        return json.loads(self.request("GET", "/schemas/ids/%d" % schema_id)[1]["schema"])

    # ------------------------------------------------------------ test hooks

    def _hook(self, method, path, body=None):
        status, out = self.request(method, "/_test/" + path, body)
        if status != 200:
            raise RuntimeError("dev-registry hook %s: HTTP %d %s" % (path, status, out))
        return out

    def reject_next(self, subject):
        """The next registration request to `subject` gets a 409."""
        return self._hook("POST", "reject-next/" + quote(subject))

    def fail_next(self, count, status=500, error_code=50001, message=None, after=0):
        """The next `count` requests of any kind (after the next `after`)
        fail with this answer; count=0 clears what is still pending."""
        body = {"count": count, "status": status, "error_code": error_code, "after": after}
        if message is not None:
            body["message"] = message
        return self._hook("POST", "fail-next", body)

    def delay(self, ms):
        """Delay every response by `ms` milliseconds (0 turns it off)."""
        return self._hook("POST", "delay", {"ms": ms})

    def stats(self):
        """{"requests": n, "by_route": {"POST /subjects/{s}/versions": n, ...},
        "injected_failures": n}; test-hook requests are not counted."""
        return self._hook("GET", "stats")

    def reset_stats(self):
        return self._hook("POST", "reset-stats")


def quote(subject):
    return urllib.parse.quote(subject, safe="")
