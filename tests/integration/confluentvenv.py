"""Confluent's own deserializers for the tests. A virtualenv with Confluent's Python client (confluent-kafka 2.x and
fastavro from PyPI), created once under _build/venv (TW_VENV overrides),
so tests can decode tidewater's records with Confluent's own
AvroDeserializer. The main suite stays on Debian's /usr/bin/python3, whose
python3-confluent-kafka (1.7) has no AvroDeserializer without fastavro.

    def test_x(confluent_decode):
        pairs = confluent_decode(registry.url, messages)  # [[key, value], ...]

confluent_node_decode does the same with Confluent's Node.js client
(@confluentinc/schemaregistry from npm, installed once under
_build/confluent-node).
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
REQUIREMENT = "confluent-kafka[avro,schemaregistry]>=2.4,<3"
SCRIPT = os.path.join(HERE, "confluent_decode.py")
NODE_SCRIPT = os.path.join(HERE, "confluent_decode.js")
NODE_PACKAGE = '{"private": true, "dependencies": {"@confluentinc/schemaregistry": "^1.10.1"}}\n'
NPM_ERRORS = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|"
                        r"EHOSTUNREACH|network (request|connectivity)|request to \S+ failed", re.I)
NETWORK_ERRORS = re.compile(r"Could not fetch URL|Failed to establish a new connection|"
                            r"Temporary failure in name resolution|Network is unreachable|"
                            r"No matching distribution found|ConnectTimeout|ReadTimeout", re.I)


def venv_dir():
    return os.environ.get("TW_VENV") or os.path.join(TOP, "_build", "venv")


def ensure_venv():
    """The venv's python; creates the venv (once) with /usr/bin/python3."""
    root = venv_dir()
    python = os.path.join(root, "bin", "python")
    stamp = os.path.join(root, ".tidewater-installed")
    if os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == REQUIREMENT:
                return python
    res = subprocess.run(["/usr/bin/python3", "-m", "venv", "--clear", root],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=300)
    if res.returncode != 0:
        pytest.fail("cannot create the virtualenv %s (Debian: apt-get install python3-venv, "
                    "or run scripts/install-deps):\n%s" % (root, res.stdout[-3000:]))
    res = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          REQUIREMENT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=900)
    if res.returncode != 0:
        if NETWORK_ERRORS.search(res.stdout):
            reason = ("Confluent deserializer tests SKIPPED: PyPI is unreachable, so %s "
                      "could not be installed:\n%s" % (REQUIREMENT, res.stdout[-2000:]))
            print("\n" + "!" * 72 + "\n" + reason + "\n" + "!" * 72, file=sys.__stderr__)
            pytest.skip(reason)
        pytest.fail("pip install %s failed:\n%s" % (REQUIREMENT, res.stdout[-4000:]))
    with open(stamp, "w") as f:
        f.write(REQUIREMENT)
    return python


def run_decoder(argv, url, messages, env=None):
    request = {"url": url, "records": [
        {"topic": m.topic(),
         "key": base64.b64encode(m.key()).decode() if m.key() is not None else None,
         "value": base64.b64encode(m.value()).decode() if m.value() is not None else None}
        for m in messages]}
    res = subprocess.run(argv, input=json.dumps(request), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    assert res.returncode == 0, "%s failed:\n%s" % (argv[-1], res.stderr[-4000:])
    return json.loads(res.stdout)


@pytest.fixture(scope="session")
def confluent_decode():
    """decode(registry_url, messages) -> [[key, value], ...] decoded by
    confluent_kafka's AvroDeserializer, through confluent_decode.plain()."""
    python = ensure_venv()
    return lambda url, messages: run_decoder([python, SCRIPT], url, messages)


def ensure_node_modules():
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed for Confluent's Node.js deserializer: run "
                    "scripts/install-deps (Debian packages nodejs, npm)")
    root = os.environ.get("TW_CONFLUENT_NODE") or os.path.join(TOP, "_build", "confluent-node")
    stamp = os.path.join(root, ".installed")
    if os.path.exists(stamp):
        with open(stamp) as f:
            if f.read() == NODE_PACKAGE:
                return node, root
        os.unlink(stamp)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "package.json"), "w") as f:
        f.write(NODE_PACKAGE)
    res = subprocess.run([npm, "install", "--prefix", root, "--no-package-lock", "--no-audit",
                          "--no-fund", "--loglevel=error"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=900, cwd=root)
    if res.returncode != 0:
        if NPM_ERRORS.search(res.stdout):
            reason = ("Confluent Node.js deserializer tests SKIPPED: the npm registry is "
                      "unreachable:\n" + res.stdout[-2000:])
            print("\n" + "!" * 72 + "\n" + reason + "\n" + "!" * 72, file=sys.__stderr__)
            pytest.skip(reason)
        pytest.fail("npm install of @confluentinc/schemaregistry failed:\n" + res.stdout[-4000:])
    with open(stamp, "w") as f:
        f.write(NODE_PACKAGE)
    return node, root


@pytest.fixture(scope="session")
def confluent_node_decode():
    """decode(registry_url, messages) -> [[key, value], ...] decoded by
    @confluentinc/schemaregistry's AvroDeserializer (Node.js)."""
    node, root = ensure_node_modules()
    env = dict(os.environ, NODE_PATH=os.path.join(root, "node_modules"))
    return lambda url, messages: run_decoder([node, NODE_SCRIPT], url, messages, env)
