"""A virtualenv with Confluent's Python client (confluent-kafka 2.x and
fastavro from PyPI), created once under _build/venv (TW_VENV overrides),
so tests can decode tidewater's records with Confluent's own
AvroDeserializer. The main suite stays on Debian's /usr/bin/python3, whose
python3-confluent-kafka (1.7) has no AvroDeserializer without fastavro.

    def test_x(confluent_decode):
        pairs = confluent_decode(registry.url, messages)  # [[key, value], ...]
"""
import base64
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
REQUIREMENT = "confluent-kafka[avro,schemaregistry]>=2.4,<3"
SCRIPT = os.path.join(HERE, "confluent_decode.py")
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


@pytest.fixture(scope="session")
def confluent_decode():
    """decode(registry_url, messages) -> [[key, value], ...] decoded by
    confluent_kafka's AvroDeserializer, through confluent_decode.plain()."""
    python = ensure_venv()

    def decode(url, messages):
        request = {"url": url, "records": [
            {"topic": m.topic(),
             "key": base64.b64encode(m.key()).decode() if m.key() is not None else None,
             "value": base64.b64encode(m.value()).decode() if m.value() is not None else None}
            for m in messages]}
        res = subprocess.run([python, SCRIPT], input=json.dumps(request),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=120)
        assert res.returncode == 0, "confluent_decode.py failed:\n" + res.stderr[-4000:]
        return json.loads(res.stdout)

    return decode
