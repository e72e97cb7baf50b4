"""Debezium configs load unchanged: Debezium's own documented example
configurations (tests/fixtures/debezium-configs) pass `tidewater check
--config-only`, and each key tidewater accepts without effect is noted once;
a typical Debezium outbox file runs end to end with its notes logged once
at start."""
import json
import os
import re
import subprocess
import uuid

import pytest

from conftest import OUTBOX_DDL, SRCDIR
from helpers import slot_active, wait_for
from kafkacheck import consume, headers, topics

FIXTURES = os.path.join(SRCDIR, "tests", "fixtures", "debezium-configs")
SNAPSHOT_NOTE = "snapshot.mode is not set"


def check_config(tidewater_bin, path):
    res = subprocess.run([tidewater_bin, "check", "--config-only", path],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=60)
    notes = [line.split(None, 2)[2] for line in res.stdout.splitlines()
             if line.startswith("note ")]
    return res.returncode, res.stdout, notes


DOCUMENTED = ["postgresql-connector", "outbox", "outbox-avro-payload",
              "outbox-avro-payload-json-delegate", "outbox-avro-payload-confluent-delegate",
              "outbox-additional-header", "outbox-additional-envelope",
              "outbox-additional-partition", "examples-outbox-register-postgres",
              "examples-tutorial-register-postgres"]


def test_every_fixture_is_checked():
    """A fixture added to the directory is loaded by a test here."""
    names = {f.rsplit(".", 1)[0] for f in os.listdir(FIXTURES)
             if f.endswith((".json", ".properties"))}
    assert names == set(DOCUMENTED) | {"typical-outbox", "outbox-avro-payload-apicurio-delegate"}
    for stem in DOCUMENTED:
        assert os.path.exists(os.path.join(FIXTURES, stem + ".properties")), stem
        assert os.path.exists(os.path.join(FIXTURES, stem + ".json")), stem


@pytest.mark.parametrize("name", [s + ext for s in DOCUMENTED for ext in (".properties",
                                                                          ".json")])
def test_documented_examples_load(tidewater_bin, name):
    rc, out, notes = check_config(tidewater_bin, os.path.join(FIXTURES, name))
    assert rc == 0, out
    assert out.startswith("ok   config"), out
    assert "config is valid" in out
    # Debezium's default snapshot.mode (initial) is not taken: said once.
    assert len(notes) == 1, out
    assert SNAPSHOT_NOTE in notes[0] and "no_data" in notes[0]


@pytest.mark.parametrize("ext", [".properties", ".json"])
def test_apicurio_delegate_is_refused_naming_the_class(tidewater_bin, ext):
    """Debezium's page also shows Apicurio's AvroConverter as the delegate:
    a Java class that cannot run here, refused by name with the classes
    that can."""
    rc, out, _ = check_config(tidewater_bin, os.path.join(
        FIXTURES, "outbox-avro-payload-apicurio-delegate" + ext))
    assert rc == 1, out
    assert ('value.converter.delegate.converter.type='
            '"io.apicurio.registry.utils.converter.AvroConverter" is not allowed') in out, out
    assert "io.confluent.connect.avro.AvroConverter" in out, out


def test_delegate_keys_outside_type_are_refused(tidewater_bin, tmp_path):
    """Keys under delegate.converter. but not delegate.converter.type. never
    reach Debezium's delegate: an error saying where they belong."""
    with open(os.path.join(FIXTURES, "outbox-avro-payload-json-delegate.properties")) as f:
        text = f.read()
    path = tmp_path / "c.properties"
    path.write_text(text + "value.converter.delegate.converter.schemas.enable=false\n")
    rc, out, _ = check_config(tidewater_bin, str(path))
    assert rc == 1, out
    assert "never reaches the delegate converter" in out, out
    assert "value.converter.delegate.converter.type." in out, out


def test_typical_outbox_file_notes_each_key_once(tidewater_bin):
    path = os.path.join(FIXTURES, "typical-outbox.properties")
    rc, out, notes = check_config(tidewater_bin, path)
    assert rc == 0, out
    keys = sorted(re.match(r"\S+:\d+: ([a-z.]+)=", n).group(1) for n in notes)
    # decimal/time/snapshot modes match tidewater and tombstones.on.delete is
    # its own key (change events): no note; the rest once.
    assert keys == ["max.batch.size", "max.queue.size"], out
    for n in notes:
        assert "does not change what tidewater emits" in n


@pytest.mark.parametrize("line,fragments", [
    ("decimal.handling.mode=float", ["decimal.handling.mode=\"float\"",
                                     "use one of: precise, double, string"]),
    ("hstore.handling.mode=array", ["hstore.handling.mode=\"array\"",
                                    "use one of: json, map"]),
    ("snapshot.mode=initial", ["snapshot.mode=\"initial\"", "Supported: no_data, never."]),
    ("tombstone.on.delete=false", ["unknown config key \"tombstone.on.delete\"",
                                   "did you mean \"tombstones.on.delete\"?"]),
])
def test_unsupported_values_and_typos_fail(tidewater_bin, tmp_path, line, fragments):
    with open(os.path.join(FIXTURES, "typical-outbox.properties")) as f:
        text = f.read().replace("snapshot.mode=no_data\n", "")
    path = tmp_path / "c.properties"
    path.write_text(text + line + "\n")
    rc, out, _ = check_config(tidewater_bin, str(path))
    assert rc == 1, out
    for frag in fragments:
        assert frag in out, out


def test_typical_outbox_file_runs(db, broker, registry, run, tmp_path):
    """The typical Debezium outbox file, pointed at the test's database,
    broker and registry, routes an event, and logs each note once."""
    db.sql(OUTBOX_DDL)
    overrides = {
        "database.hostname": "127.0.0.1", "database.port": str(db.pg.port),
        "database.user": db.pg.superuser, "database.password": None,
        "database.dbname": db.name, "slot.name": db.slot, "publication.name": db.publication,
        "value.converter.schema.registry.url": registry.url,
        "bootstrap.servers": broker.bootstrap_servers,
        "offset.storage.file.filename": str(tmp_path / "offsets.json"),
        "status.update.interval.ms": "500", "producer.linger.ms": "5",
    }
    props = []
    with open(os.path.join(FIXTURES, "typical-outbox.properties")) as f:
        for line in f:
            key = line.split("=", 1)[0]
            if key not in overrides:
                props.append(line.rstrip("\n"))
    props += ["%s=%s" % (k, v) for k, v in overrides.items() if v is not None]
    cfg = tmp_path / "typical.properties"
    cfg.write_text("\n".join(props) + "\n")
    runner = run(str(cfg))
    wait_for(lambda: slot_active(db) or runner.proc.poll() is not None,
             what="slot active", timeout=60)
    eid = str(uuid.uuid4())
    db.sql("INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
           "VALUES (%s, 'Order', 'o-1', 'OrderCreated', %s)", (eid, json.dumps({"n": 1})))
    wait_for(lambda: "Order.events" in topics(broker.bootstrap_servers)
             or runner.proc.poll() is not None, what="topic Order.events", timeout=60)
    msgs = consume(broker.bootstrap_servers, ["Order.events"], expect=1, timeout=60)
    out = runner.output()
    assert len(msgs) == 1, out
    assert msgs[0].key() == b"o-1"
    assert headers(msgs[0])["id"] == eid and headers(msgs[0])["eventType"] == "OrderCreated"
    runner.stop()
    out = runner.output()
    for key in ("max.batch.size", "max.queue.size"):
        assert len(re.findall(r"notice CONFIG: \S+ %s=" % re.escape(key), out)) == 1, out
    assert "tombstones.on.delete" not in out
    assert "decimal.handling.mode" not in out and "time.precision.mode" not in out
