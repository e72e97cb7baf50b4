"""DevRegistry: start, stop and poke scripts/dev-registry from tests."""
import json
import os
import signal
import subprocess
import time
import urllib.request


class DevRegistry:
    def __init__(self, script, workdir, basic_auth=None, tls=None, data_file=None):
        self.script = script
        self.workdir = str(workdir)
        self.basic_auth = basic_auth
        self.tls = tls  # (cert, key) or None
        self.data_file = data_file or os.path.join(self.workdir, "registry.json")
        self.url_file = os.path.join(self.workdir, "registry.url")
        self.log = os.path.join(self.workdir, "registry.log")
        self.proc = None
        self.url = None

    def start(self, timeout=20):
        if os.path.exists(self.url_file):
            os.unlink(self.url_file)
        argv = ["/usr/bin/python3", self.script, "--url-file", self.url_file,
                "--data-file", self.data_file]
        if self.url:  # a restart keeps the port
            argv += ["--port", self.url.rsplit(":", 1)[1]]
        if self.basic_auth:
            argv += ["--basic-auth", self.basic_auth]
        if self.tls:
            argv += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "a"))
        deadline = time.time() + timeout
        while not os.path.exists(self.url_file):
            if self.proc.poll() is not None:
                raise RuntimeError("dev-registry exited: " + open(self.log).read()[-2000:])
            if time.time() > deadline:
                raise RuntimeError("dev-registry did not start")
            time.sleep(0.05)
        with open(self.url_file) as f:
            self.url = f.read().strip()
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type":
                                              "application/vnd.schemaregistry.v1+json"})
        if self.basic_auth:
            import base64
            req.add_header("Authorization",
                           "Basic " + base64.b64encode(self.basic_auth.encode()).decode())
        context = None
        if self.tls:
            import ssl
            context = ssl.create_default_context(cafile=self.tls[0])
        try:
            with urllib.request.urlopen(req, timeout=10, context=context) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def reject_next(self, subject):
        return self.request("POST", "/_test/reject-next/" + urllib.request.quote(subject, ""))

    def fail_next(self, count, status=500, error_code=50001):
        return self.request("POST", "/_test/fail-next",
                            {"count": count, "status": status, "error_code": error_code})

    def stats(self):
        return self.request("GET", "/_test/stats")[1]

    def schema(self, schema_id):
        return json.loads(self.request("GET", "/schemas/ids/%d" % schema_id)[1]["schema"])
