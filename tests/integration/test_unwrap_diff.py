"""ExtractNewRecordState: tidewater's unwrap.c against Debezium's own.

Debezium 3.6.1.Final's io.debezium.transforms.ExtractNewRecordState (run by
unwrap_oracle/UnwrapOracle.java inside the Kafka Connect jars
scripts/debezium fetches) and tests/unit/unwrap_tool (built by `make
check`) flatten the same hand-built change events (unwrap_cases.json: every
delete.tombstone.handling.mode, add.fields, add.headers, route.by.field,
drop.fields.*, replace.null.with.default); each output record must be the
same: emitted or dropped, topic, key and value as JsonConverter writes them
(with schemas), headers as SimpleHeaderConverter writes them. Needs Java and
the Debezium jars (skipped without them, except under CI), no Postgres and
no broker.

The tool is found as $TW_BUILDDIR/tests/unit/unwrap_tool.
"""
import glob
import json
import os
import subprocess

import pytest

from debezium_side import require_debezium

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILDDIR = os.environ.get("TW_BUILDDIR", SRCDIR)
CASES = os.path.join(HERE, "unwrap_cases.json")
ORACLE = os.path.join(HERE, "unwrap_oracle", "UnwrapOracle.java")


def run_lines(argv):
    out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, "%s failed:\n%s" % (argv[0], out.stderr[-3000:])
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tidewater_lines():
    tool = os.path.join(BUILDDIR, "tests", "unit", "unwrap_tool")
    if not os.access(tool, os.X_OK):
        pytest.fail("unwrap_tool not found at %s: run `make check` (or make "
                    "tests/unit/unwrap_tool) in the build directory and set TW_BUILDDIR" % tool)
    return run_lines([tool, CASES])


@pytest.fixture(scope="module")
def debezium_lines(tmp_path_factory):
    lib = require_debezium(kafka=False, javac=True)
    classes = str(tmp_path_factory.mktemp("unwrap_oracle"))
    classpath = os.pathsep.join(sorted(glob.glob(os.path.join(lib, "*.jar"))))
    subprocess.run(["javac", "-nowarn", "-cp", classpath, "-d", classes, ORACLE], check=True,
                   capture_output=True, timeout=300)
    return run_lines(["java", "-cp", classes + os.pathsep + classpath, "UnwrapOracle", CASES])


def test_every_case_flattens_as_debezium_does(tidewater_lines, debezium_lines):
    assert len(tidewater_lines) == len(debezium_lines)
    with open(CASES) as f:
        ncases = len(json.load(f)["cases"])
    assert len({line["case"] for line in debezium_lines}) == ncases
    diffs = []
    for i, (tw, dbz) in enumerate(zip(tidewater_lines, debezium_lines)):
        if tw != dbz:
            keys = sorted(k for k in set(tw) | set(dbz) if tw.get(k) != dbz.get(k))
            diffs.append("event %d of case %r differs in %s:\n  tidewater %s\n  debezium  %s"
                         % (i, dbz["case"], ", ".join(keys),
                            json.dumps({k: tw.get(k) for k in keys}),
                            json.dumps({k: dbz.get(k) for k in keys})))
    assert not diffs, "\n".join(diffs)
    # The cases exercise what they claim: drops, tombstones, routed topics,
    # added headers and fields.
    assert any(not line["emitted"] for line in debezium_lines)
    assert any(line.get("emitted") and line["value"] is None for line in debezium_lines)
    assert any(line.get("topic") == "us" for line in debezium_lines)
    assert any(line.get("headers") for line in debezium_lines)
