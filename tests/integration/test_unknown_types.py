"""Columns of types Debezium's connector has no mapping for
(include.unknown.datatypes): left out of change events and announced once
in the log by default; written as bytes holding their text (geometric
types as the PostgreSQL JDBC driver prints them) when included; an outbox
placement of one is refused at start with the fix. The differential test
(test_debezium_diff.py, configurations `unknown` and `unknownincl`)
compares the same against Debezium 3.6.1."""
import base64
import json

import pytest

from helpers import slot_active, wait_for
from kafkacheck import AvroDecoder
from test_run_envelope import envelope_config, records, run_sql

DDL = """
CREATE TABLE shapes (
    id int PRIMARY KEY, name text,
    b box, c circle, l line, s lseg, p path, g polygon, lsn pg_lsn,
    ivs interval[], bs box[]
);
"""
ROW = ("INSERT INTO shapes VALUES (1, 'one', '((0,0),(1.5,2))', '<(1,2),3>', '{1,-1,0}', "
       "'[(0,0),(1e20,1e-5)]', '[(0,0),(1,1)]', '((0,0),(1,1),(1,0))', '16/B374D848', "
       "'{\"1 day\"}', ARRAY['(1,1),(0,0)'::box])")
NULL_ROW = "INSERT INTO shapes (id) VALUES (2)"
UNKNOWN = ["b", "c", "l", "s", "p", "g", "lsn"]
# As pgjdbc's PGbox, PGcircle, ... print them: Java doubles.
EXPECT = {"b": b"(1.5,2.0),(0.0,0.0)", "c": b"<(1.0,2.0),3.0>", "l": b"{1.0,-1.0,0.0}",
          "s": b"[(0.0,0.0),(1.0E20,1.0E-5)]", "p": b"[(0.0,0.0),(1.0,1.0)]",
          "g": b"((0.0,0.0),(1.0,1.0),(1.0,0.0))", "lsn": b"16/B374D848"}


def test_left_out_and_announced_once(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [[ROW], [NULL_ROW],
                 # A new Relation message: bound again, not announced again.
                 ["ALTER TABLE shapes ADD COLUMN extra int"],
                 ["INSERT INTO shapes (id, extra) VALUES (3, 3)"]])
    recs = records(broker, ["tw.public.shapes"], 3, json.loads)
    assert runner.proc.poll() is None, runner.output()
    after = [r[2]["after"] for r in recs]
    assert after[0] == {"id": 1, "name": "one"}
    assert after[1] == {"id": 2, "name": None}
    assert after[2] == {"id": 3, "name": None, "extra": 3}
    out = runner.output()
    for col, typ in [(c, None) for c in UNKNOWN] + [("ivs", None), ("bs", None)]:
        lines = [ln for ln in out.splitlines()
                 if 'column "%s" of public.shapes' % col in ln and "left out" in ln]
        assert len(lines) == 1, (col, out)
    assert "include.unknown.datatypes=true writes it as bytes" in out
    assert runner.stop() == 0


@pytest.mark.parametrize("binary", ["false", "true"])
def test_included_as_bytes_avro(db, broker, registry, run, tmp_path, binary):
    """include.unknown.datatypes=true: bytes (Avro "bytes"), box[] an array
    of bytes; the same from binary pgoutput; interval[] stays out (as in
    Debezium, whatever the setting)."""
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path,
                                 include_unknown_datatypes="true", pgoutput_binary=binary))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [[ROW], [NULL_ROW]])
    dec = AvroDecoder(registry)
    recs = records(broker, ["tw.public.shapes"], 2, dec.decode)
    assert runner.proc.poll() is None, runner.output()
    after = {r[1]["id"]: r[2]["after"] for r in recs}
    expect = dict(EXPECT, id=1, name="one", bs=[b"(1.0,1.0),(0.0,0.0)"])
    if binary == "true":  # other types than geometric ones: their send bytes
        expect["lsn"] = bytes.fromhex("00000016B374D848")
    assert after[1] == expect
    assert after[2] == dict({c: None for c in UNKNOWN}, id=2, name=None, bs=None)
    out = runner.output()
    assert 'column "ivs" of public.shapes' in out and 'column "bs" of public.shapes' not in out
    assert 'column "b" of public.shapes' not in out
    assert runner.stop() == 0


def test_included_with_binary_handling_mode(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 include_unknown_datatypes="true",
                                 binary_handling_mode="hex"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [[ROW]])
    recs = records(broker, ["tw.public.shapes"], 1, json.loads)
    assert recs[0][2]["after"]["b"] == EXPECT["b"].hex()
    assert runner.stop() == 0


def test_included_json_converter_base64(db, broker, registry, run, tmp_path):
    db.sql(DDL)
    runner = run(envelope_config(db, broker, registry, tmp_path, avro=False,
                                 include_unknown_datatypes="true"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [[ROW]])
    recs = records(broker, ["tw.public.shapes"], 1, json.loads)
    assert base64.b64decode(recs[0][2]["after"]["c"]) == EXPECT["c"]
    assert runner.stop() == 0


OUTBOX = """
CREATE TABLE outbox (
    id uuid PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL,
    type text NOT NULL, payload jsonb, area box
);
"""


def outbox_config(db, broker, registry, tmp_path, **kw):
    return envelope_config(
        db, broker, registry, tmp_path, avro=False, table_include_list="public\\.outbox",
        transforms="outbox", transforms_outbox_type="io.debezium.transforms.outbox.EventRouter",
        transforms_outbox_table_fields_additional_placement="area:header:area", **kw)


def test_outbox_placement_refused_at_start(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX)
    runner = run(outbox_config(db, broker, registry, tmp_path))
    assert runner.proc.wait(timeout=30) != 0
    out = runner.output()
    assert ('transforms.outbox.table.fields.additional.placement: column "area" of '
            'public.outbox has a type Debezium has no mapping for (type box)') in out, out
    assert "set include.unknown.datatypes=true" in out


def test_outbox_placement_included_as_bytes(db, broker, registry, run, tmp_path):
    db.sql(OUTBOX)
    runner = run(outbox_config(db, broker, registry, tmp_path, include_unknown_datatypes="true"))
    wait_for(lambda: slot_active(db), what="the slot")
    run_sql(db, [["INSERT INTO outbox VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'Order', "
                  "'o1', 'Created', '{}', '(1,1),(0,0)')"]])
    recs = records(broker, ["outbox.event.Order"], 1, json.loads)
    # SimpleHeaderConverter writes bytes as base64.
    assert ("area", base64.b64encode(b"(1.0,1.0),(0.0,0.0)")) in recs[0][3]
    assert runner.stop() == 0
